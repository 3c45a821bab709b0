//! The vendor report (`vendor/v1/_vendorReport`, product.md §2.8): each bill not cancelled
//! written since a day (and, when given, up to one), newest bill number first, with its vendor's
//! name, the owner's mobile number and the type of expense.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::vendor_account as v;
use crate::error::AppResult;
use crate::municipal::echallan::reports;
use crate::platform::encryption::Crypto;
use crate::time::{day_end_at as day_end, day_start_at as day_start};

/// One row of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorRow {
    pub tenant_id: String,
    pub vendor_name: String,
    pub mobile: Option<String>,
    pub type_of_expense: String,
    pub bill_id: String,
    pub owner_uuid: uuid::Uuid,
}

/// The rows of `tenant` from `start` (and up to `end`, both days included), `offset` skipped and
/// at most `limit` (None: all).
pub fn rows(
    conn: &mut PgConnection,
    crypto: &Crypto,
    tenant: &str,
    start: NaiveDate,
    end: Option<NaiveDate>,
    offset: i64,
    limit: Option<i64>,
) -> AppResult<Vec<VendorRow>> {
    let bills = reports::bills_since(
        conn,
        tenant,
        day_start(start),
        end.map(day_end),
        offset,
        limit,
    )?;
    let mut ids: Vec<uuid::Uuid> = bills.iter().map(|b| b.2).collect();
    ids.sort();
    ids.dedup();
    let vendors: Vec<(uuid::Uuid, String, uuid::Uuid)> = v::table
        .filter(v::tenant_id.eq(tenant))
        .filter(v::id.eq_any(&ids))
        .select((v::id, v::name, v::owner_uuid))
        .load(conn)?;
    let mut owners: Vec<uuid::Uuid> = vendors.iter().map(|x| x.2).collect();
    owners.sort();
    owners.dedup();
    let contacts = crate::platform::user::service::contacts(conn, crypto, &owners)?;
    Ok(bills
        .into_iter()
        .filter_map(|(bill_id, type_of_expense, vendor_id)| {
            let (_, name, owner) = vendors.iter().find(|x| x.0 == vendor_id)?;
            let mobile = contacts
                .iter()
                .find(|c| c.0 == *owner)
                .and_then(|c| c.2.clone());
            Some(VendorRow {
                tenant_id: tenant.to_owned(),
                vendor_name: name.clone(),
                mobile,
                type_of_expense,
                bill_id,
                owner_uuid: *owner,
            })
        })
        .collect())
}
