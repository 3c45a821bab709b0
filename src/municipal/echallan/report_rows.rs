//! The expense bill report's rows with the names of who last changed each bill (the report's
//! "cancelled by"), for the JSON report and its page.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::reports::{self, BillRow};
use crate::error::AppResult;
use crate::platform::encryption::Crypto;

use crate::time::{day_end_at as day_end, day_start_at as day_start};

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
