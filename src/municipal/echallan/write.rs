//! Writing expense bills: create, update, mark paid, cancel, with the money path on the shared
//! ledger (billing's demand, collection's receipt).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::service::{Challan, ChallanInput, Ctx, Key, Who};
use crate::error::AppResult;

pub fn create(
    _conn: &mut PgConnection,
    _ctx: Ctx<'_>,
    _input: &ChallanInput,
    _field: &str,
    _who: Who,
    _now: DateTime<Utc>,
) -> AppResult<Challan> {
    todo!("in progress")
}

#[expect(clippy::too_many_arguments, reason = "the bill, its new state and who")]
pub fn update(
    _conn: &mut PgConnection,
    _ctx: Ctx<'_>,
    _key: &Key,
    _input: &ChallanInput,
    _status: Option<&str>,
    _field: &str,
    _who: Who,
    _now: DateTime<Utc>,
) -> AppResult<Challan> {
    todo!("in progress")
}

pub fn mark_paid(
    _conn: &mut PgConnection,
    _ctx: Ctx<'_>,
    _tenant: &str,
    _key: &Key,
    _paid_date: NaiveDate,
    _who: Who,
    _now: DateTime<Utc>,
) -> AppResult<Challan> {
    todo!("in progress")
}

pub fn cancel(
    _conn: &mut PgConnection,
    _ctx: Ctx<'_>,
    _tenant: &str,
    _key: &Key,
    _who: Who,
    _now: DateTime<Utc>,
) -> AppResult<Challan> {
    todo!("in progress")
}
