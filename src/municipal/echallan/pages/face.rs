//! The pages' view of the expense service: a bill as the pages show it, the searches and the
//! changes they ask for, each a call of `echallan::service` / `vendor::service` (the pages name
//! no table of theirs).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use rust_decimal::Decimal;

use crate::error::AppResult;
use crate::state::AppState;

/// An expense bill as the pages show it.
#[derive(Clone, Debug)]
pub(super) struct Bill {
    pub no: String,
    pub type_code: String,
    pub vendor_id: String,
    pub vendor: String,
    pub vendor_mobile: String,
    pub amount: Decimal,
    pub bill_date: NaiveDate,
    pub party_date: Option<NaiveDate>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// ACTIVE, PAID or CANCELLED.
    pub status: String,
    pub paid_date: Option<NaiveDate>,
    pub file: Option<uuid::Uuid>,
    /// An electricity bill of a PSPCL-mapped GP: read-only for staff.
    pub pspcl: bool,
}

/// Which bills a search lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tab {
    All,
    Paid,
    Pending,
    Cancelled,
}

#[derive(Clone, Debug)]
pub(super) struct Filter {
    pub vendor: Option<String>,
    pub type_code: Option<String>,
    pub no: Option<String>,
    pub tab: Tab,
    pub offset: i64,
    pub limit: i64,
}

/// A page of bills and the counts of the tabs (all = paid + pending).
pub(super) struct Found {
    pub bills: Vec<Bill>,
    pub paid: i64,
    pub pending: i64,
    pub cancelled: i64,
}

/// Who the bill is to.
pub(super) enum VendorPick {
    Existing(String),
    New { name: String, mobile: String },
}

/// A file chosen on the form.
pub(super) struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A new bill, or a bill's new fields.
pub(super) struct Entry {
    pub type_code: String,
    pub vendor: VendorPick,
    pub amount: Decimal,
    pub bill_date: NaiveDate,
    pub party_date: Option<NaiveDate>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub paid_date: Option<NaiveDate>,
}

/// A vendor of the GP: id, name, mobile.
pub(super) type Vendor = (String, String, String);

/// The types of expense staff may enter on `tenant` (codes, in the master's order): without
/// Electricity Bill on a PSPCL-mapped GP.
pub(super) fn types(_c: &mut PgConnection, _st: &AppState, _tenant: &str) -> AppResult<Vec<String>> {
    unimplemented!("exp-core face")
}

/// Every type of expense (codes, in the master's order), for searching.
pub(super) fn all_types(_c: &mut PgConnection, _st: &AppState) -> AppResult<Vec<String>> {
    unimplemented!("exp-core face")
}

/// The vendors of `tenant`, by name.
pub(super) fn vendors(_c: &mut PgConnection, _st: &AppState, _tenant: &str) -> AppResult<Vec<Vendor>> {
    unimplemented!("exp-core face")
}

/// Records a bill (a new vendor, the file and the bill in the caller's transaction): its number.
pub(super) fn create(
    _c: &mut PgConnection,
    _st: &AppState,
    _tenant: &str,
    _entry: Entry,
    _file: Option<Upload>,
    _actor: uuid::Uuid,
    _now: DateTime<Utc>,
) -> AppResult<String> {
    unimplemented!("exp-core face")
}

/// The bill numbered `no` of `tenant`.
pub(super) fn bill(
    _c: &mut PgConnection,
    _st: &AppState,
    _tenant: &str,
    _no: &str,
) -> AppResult<Option<Bill>> {
    unimplemented!("exp-core face")
}

pub(super) fn search(
    _c: &mut PgConnection,
    _st: &AppState,
    _tenant: &str,
    _f: &Filter,
) -> AppResult<Found> {
    unimplemented!("exp-core face")
}

/// Changes an unpaid bill's fields.
pub(super) fn modify(
    _c: &mut PgConnection,
    _st: &AppState,
    _tenant: &str,
    _no: &str,
    _entry: Entry,
    _actor: uuid::Uuid,
    _now: DateTime<Utc>,
) -> AppResult<()> {
    unimplemented!("exp-core face")
}

/// Marks an unpaid bill paid on `date` (its payment recorded).
pub(super) fn mark_paid(
    _c: &mut PgConnection,
    _st: &AppState,
    _tenant: &str,
    _no: &str,
    _date: NaiveDate,
    _actor: uuid::Uuid,
    _now: DateTime<Utc>,
) -> AppResult<()> {
    unimplemented!("exp-core face")
}

/// Cancels a bill (and its payment, when paid).
pub(super) fn cancel(
    _c: &mut PgConnection,
    _st: &AppState,
    _tenant: &str,
    _no: &str,
    _actor: uuid::Uuid,
    _now: DateTime<Utc>,
) -> AppResult<()> {
    unimplemented!("exp-core face")
}

/// A signed link to the bill's file.
pub(super) fn file_link(st: &AppState, tenant: &str, file: uuid::Uuid, now: DateTime<Utc>) -> String {
    crate::platform::filestore::signed_path(&st.crypto, tenant, file, now)
}
