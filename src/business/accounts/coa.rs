//! The GP's chart of accounts (product.md §5.3, the iFIX codes): the code of each tax head
//! (`data/mdms/ifix-coa.json`, compiled in; the iFIX export uses the same map), and the books'
//! own accounts beside the revenue and expense heads: cash, receivables from consumers, advance
//! from consumers (a liability, under the advance head's code) and payables to vendors.

use std::collections::HashMap;
use std::sync::OnceLock;

const SOURCE: &str = include_str!("../../../data/mdms/ifix-coa.json");

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    tax_head: String,
    coa_code: String,
}

fn table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let entries: Vec<Entry> = serde_json::from_str(SOURCE).unwrap_or_default();
        entries
            .into_iter()
            .map(|e| (e.tax_head, e.coa_code))
            .collect()
    })
}

/// The code of `tax_head`, if the mapping has one.
pub fn code_of(tax_head: &str) -> Option<&'static str> {
    table().get(tax_head).map(String::as_str)
}

/// Cash in hand and at bank.
pub const CASH: &str = "CASH";
/// Receivables from consumers (a sub-ledger per consumer, per revenue head).
pub const RECEIVABLE: &str = "RECEIVABLE";
/// Advance from consumers: what they paid before it was owed (a liability).
pub const ADVANCE: &str = "ADVANCE";
/// Opening balances: the arrears and advances households brought when they joined.
pub const OPENING: &str = "OPENING";
/// Payables to vendors (a sub-ledger per expense bill, per expense head).
pub const PAYABLE: &str = "PAYABLE";

/// The account a tax head posts to: its code, or `HEAD:<tax head>` when the map has none (the
/// journal still balances; the chart test keeps every head mapped).
pub fn head_of(tax_head: &str) -> String {
    code_of(tax_head).map_or_else(|| format!("HEAD:{tax_head}"), str::to_owned)
}

/// The catalogue key naming an account or a head on the statements.
pub fn name_key(code: &str) -> &'static str {
    match code {
        CASH => "BOOKS_ACC_CASH",
        RECEIVABLE => "BOOKS_ACC_RECEIVABLE",
        ADVANCE => "BOOKS_ACC_ADVANCE",
        PAYABLE => "BOOKS_ACC_PAYABLE",
        OPENING => "BOOKS_ACC_OPENING",
        "0215-01-103-00-00-00" => "BOOKS_HEAD_WATER_CHARGES",
        "0215-01-104-00-00-00" => "BOOKS_HEAD_PENALTY",
        "0215-01-799-04-00-43" => "BOOKS_HEAD_ADVANCE",
        "2215-01-101-01-00-31" => "BOOKS_HEAD_ELECTRICITY",
        "2215-01-101-01-00-01" => "BOOKS_HEAD_SALARY",
        "2215-01-101-01-00-27" => "BOOKS_HEAD_REPAIRS",
        "2215-01-101-01-00-21" => "BOOKS_HEAD_TREATMENT",
        "4215-01-101-00-00-52" => "BOOKS_HEAD_NEW_MACHINERY",
        "4215-01-101-00-00-53" => "BOOKS_HEAD_NEW_PIPELINE",
        _ => "BOOKS_HEAD_OTHERS",
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    #[test]
    fn the_documented_examples_and_every_head_mapped() {
        assert_eq!(
            super::code_of("WS_TIME_PENALTY"),
            Some("0215-01-104-00-00-00")
        );
        assert_eq!(super::code_of("10201"), Some("0215-01-104-00-00-00"));
        assert_eq!(
            super::code_of("WS_ADVANCE_CARRYFORWARD"),
            Some("0215-01-799-04-00-43")
        );
        let heads: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../../data/mdms/tax-heads.json")).unwrap();
        for h in heads {
            let code = h["code"].as_str().unwrap();
            assert!(super::code_of(code).is_some(), "no COA code for {code}");
        }
    }
}
