//! The journal's shared types: what a posting is about and the balances it trues up.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

/// One money event: which GP, what happened (`DEMAND`, `COLLECTION`, `…_CANCELLED`, …), the
/// record it came from (demand id, receipt number, batch), and when.
#[derive(Clone, Copy, Debug)]
pub struct Event<'a> {
    pub tenant: &'a str,
    pub kind: &'a str,
    pub source: &'a str,
    pub now: DateTime<Utc>,
}

impl Event<'_> {
    /// The IST day the entry is dated.
    pub fn day(&self) -> NaiveDate {
        day_of(self.now)
    }
}

pub use crate::time::ist_date as day_of;

/// An account of one party: (party, account, head).
pub type Key = (String, String, Option<String>);

/// (party, account, head) → the balance it should hold (debit positive).
pub type Balances = BTreeMap<Key, Decimal>;
