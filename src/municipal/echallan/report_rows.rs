//! The expense bill report's rows with the names of who last changed each bill (the report's
//! "cancelled by"), for the JSON report and its page.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::reports::{self, BillRow};
use crate::error::AppResult;
use crate::platform::encryption::Crypto;
use crate::time::ist_day_start_millis;

/// Midnight IST at the start of `d`.
pub fn day_start(d: NaiveDate) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ist_day_start_millis(d)).unwrap_or_default()
}

/// The last millisecond (IST) of `d`.
pub fn day_end(d: NaiveDate) -> DateTime<Utc> {
    let next = d.succ_opt().unwrap_or(d);
    DateTime::from_timestamp_millis(ist_day_start_millis(next) - 1).unwrap_or_default()
}

/// A bill of the report and the name of who changed it last.
#[derive(Clone, Debug)]
pub struct BillReportRow {
    pub bill: BillRow,
    pub modified_by_name: Option<String>,
    pub tenant_id: String,
}

/// The bills written from `start` to `end` (days, both included), newest first.
pub fn bill_report(
    conn: &mut PgConnection,
    crypto: &Crypto,
    tenant: &str,
    start: NaiveDate,
    end: NaiveDate,
    offset: i64,
    limit: Option<i64>,
) -> AppResult<Vec<BillReportRow>> {
    let bills = reports::bill_rows(conn, tenant, day_start(start), day_end(end), offset, limit)?;
    let mut who: Vec<uuid::Uuid> = bills.iter().filter_map(|b| b.last_modified_by).collect();
    who.sort();
    who.dedup();
    let names = crate::platform::user::service::contacts(conn, crypto, &who)?;
    Ok(bills
        .into_iter()
        .map(|bill| {
            let modified_by_name = bill.last_modified_by.and_then(|u| {
                names
                    .iter()
                    .find(|(id, _, _)| *id == u)
                    .map(|(_, n, _)| n.clone())
            });
            BillReportRow {
                bill,
                modified_by_name,
                tenant_id: tenant.to_owned(),
            }
        })
        .collect())
}
