//! The chart-of-accounts code of each tax head (`data/mdms/ifix-coa.json`, compiled in).

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
