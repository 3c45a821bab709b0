//! The statements of the Model Accounting System for Panchayats (2009), read from the journal:
//! the Receipts and Payments account (Format I, a financial year) and the monthly reconciliation
//! (Format III) from cash and what moved against it; receivables (Format IV) and payables
//! (Format V) from their sub-ledgers, aged by the entries still unsettled (oldest settled
//! first); the Demand-Collection-Balance register per household.

use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::coa::{PAYABLE, RECEIVABLE};
use super::repo;
use crate::error::AppResult;

/// Cash over a period: opening, receipts and payments by head, closing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CashAccount {
    pub opening: Decimal,
    /// (head code, amount), receipts positive.
    pub receipts: Vec<(String, Decimal)>,
    /// (head code, amount), payments positive.
    pub payments: Vec<(String, Decimal)>,
    pub closing: Decimal,
}

impl CashAccount {
    pub fn total_receipts(&self) -> Decimal {
        self.receipts.iter().map(|(_, v)| *v).sum()
    }
    pub fn total_payments(&self) -> Decimal {
        self.payments.iter().map(|(_, v)| *v).sum()
    }
}

/// Format I (a financial year) or Format III (a month): cash of `tenant` from `from` to `to`.
pub fn cash_account(
    conn: &mut PgConnection,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<CashAccount> {
    let opening = repo::cash_before(conn, tenant, from)?;
    let mut out = CashAccount {
        opening,
        ..CashAccount::default()
    };
    for (head, v) in repo::cash_by_head(conn, tenant, from, to)? {
        if v > Decimal::ZERO {
            out.receipts.push((head, v));
        } else if v < Decimal::ZERO {
            out.payments.push((head, -v));
        }
    }
    out.closing = opening + out.total_receipts() - out.total_payments();
    Ok(out)
}

/// The age buckets of Formats IV and V, in days: up to 30, 90, 180, 365, and older.
pub const AGE_LIMITS: [i64; 4] = [30, 90, 180, 365];

/// One party's outstanding balance with its age.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aged {
    pub party: String,
    pub service: String,
    pub balance: Decimal,
    /// Amounts by [`AGE_LIMITS`] (the last: older than a year).
    pub buckets: [Decimal; 5],
    /// The day of the oldest amount still outstanding.
    pub since: NaiveDate,
}

fn bucket(age: i64) -> usize {
    AGE_LIMITS
        .iter()
        .position(|l| age <= *l)
        .unwrap_or(AGE_LIMITS.len())
}

/// Ages every party's balance of `account` as of `as_of`: what is outstanding is the newest of
/// what was charged (settlements take the oldest first). `sign` turns a credit balance
/// (payables) positive.
fn aged(
    conn: &mut PgConnection,
    tenant: &str,
    account: &str,
    sign: Decimal,
    as_of: NaiveDate,
) -> AppResult<Vec<Aged>> {
    let lines = repo::party_lines(conn, tenant, account, as_of)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let j = lines[i..]
            .iter()
            .position(|l| l.party != lines[i].party)
            .map_or(lines.len(), |k| i + k);
        let own = &lines[i..j];
        let balance: Decimal = own.iter().map(|l| l.v * sign).sum();
        if balance > Decimal::ZERO {
            let mut left = balance;
            let mut buckets = [Decimal::ZERO; 5];
            let mut since = as_of;
            for l in own.iter().rev().filter(|l| l.v * sign > Decimal::ZERO) {
                if left <= Decimal::ZERO {
                    break;
                }
                let take = (l.v * sign).min(left);
                left -= take;
                buckets[bucket((as_of - l.day).num_days())] += take;
                since = l.day;
            }
            out.push(Aged {
                party: own[0].party.clone(),
                service: own[0].service.clone(),
                balance,
                buckets,
                since,
            });
        }
        i = j;
    }
    Ok(out)
}

/// Format IV: what each consumer owes as of `as_of`, by age.
pub fn receivables(
    conn: &mut PgConnection,
    tenant: &str,
    as_of: NaiveDate,
) -> AppResult<Vec<Aged>> {
    aged(conn, tenant, RECEIVABLE, Decimal::ONE, as_of)
}

/// Format V: what each expense bill still owes its vendor as of `as_of`, by age.
pub fn payables(conn: &mut PgConnection, tenant: &str, as_of: NaiveDate) -> AppResult<Vec<Aged>> {
    aged(conn, tenant, PAYABLE, -Decimal::ONE, as_of)
}

/// A household's line of the Demand-Collection-Balance register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DcbRow {
    pub party: String,
    /// Arrears at the start (receivables less advance).
    pub opening: Decimal,
    pub demand: Decimal,
    pub collection: Decimal,
    pub balance: Decimal,
}

/// The Demand-Collection-Balance register from `from` to `to` (a financial year).
pub fn dcb(
    conn: &mut PgConnection,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<DcbRow>> {
    Ok(repo::dcb(conn, tenant, from, to)?
        .into_iter()
        .map(|(party, opening, demand, collection)| DcbRow {
            balance: opening + demand - collection,
            party,
            opening,
            demand,
            collection,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_fall_in_their_buckets() {
        assert_eq!(super::bucket(0), 0);
        assert_eq!(super::bucket(30), 0);
        assert_eq!(super::bucket(31), 1);
        assert_eq!(super::bucket(365), 3);
        assert_eq!(super::bucket(366), 4);
    }
}
