//! Expense bill use cases: create (demand raised; paid at creation → CASH receipt, same
//! transaction), update (an unpaid bill's fields; marking it paid; cancelling), search (every
//! filter of the wire, paging, totals, paid and unpaid counts), get, and the PSPCL rule.
//!
//! Amounts are whole rupees (a receipt takes whole rupees; the app's amount field takes
//! digits only): paise are refused with `INVALID_AMOUNT`, never rounded. Dates are days in
//! Asia/Kolkata; the wire carries the epoch millis of their midnight (`crate::time`).
//!
//! Every function takes the caller's connection: run it inside `db::transaction`, so a refusal
//! writes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

pub use super::model::{Challan, Filter, Found, History, SortBy};
use crate::error::AppResult;
pub use crate::municipal::vendor::service::Ctx;

/// Error codes of this module (each a 400 naming the field, nothing written); they are
/// `error::codes` constants, translated for the app.
pub mod code {
    pub use crate::error::codes::{
        BILL_DATE_IN_FUTURE, BILL_ISSUED_DATE_AFTER_BILL_DATE, CHALLAN_ALREADY_CANCELLED,
        CHALLAN_ALREADY_PAID, CHALLAN_NOT_FOUND, INVALID_AMOUNT, INVALID_EXPENSE_TYPE,
        INVALID_FILESTORE_ID, INVALID_STATUS, INVALID_TAX_PERIOD, INVALID_VENDOR,
        NOTMATCHED_AMOUNT, NOTMATCHED_BILLDATE, NOTMATCHED_BILLISSUEDATE, NOTMATCHED_BILLPAID,
        NOTMATCHED_FILESTOREID, NOTMATCHED_PAIDDATE, NOTMATCHED_TAXPERIOD, NOTMATCHED_TYPEEXPENSE,
        NOTMATCHED_VENDOR, PAID_DATE_BEFORE_BILL_DATE, PAID_DATE_IN_FUTURE, PAID_DATE_REQUIRED,
        PSPCL_BILL_READ_ONLY, TAX_PERIOD_AFTER_BILL_DATE,
    };
}

/// The three statuses.
pub const ACTIVE: &str = "ACTIVE";
pub const PAID: &str = "PAID";
pub const CANCELLED: &str = "CANCELLED";

/// Who is acting: their user id (audit), and whether they hold `PSPCL_ADMIN` on the GP (the
/// only ones who may write electricity bills of a PSPCL-mapped GP).
#[derive(Clone, Copy, Debug, Default)]
pub struct Who {
    pub actor: Option<uuid::Uuid>,
    pub pspcl_admin: bool,
}

/// The fields of an expense bill as a request gives them (create, or the whole bill again on
/// update, as the app sends it).
#[derive(Clone, Debug)]
pub struct ChallanInput {
    pub tenant_id: String,
    /// An expense type's code (`SALARY`); `EXPENSE.SALARY` is read as `SALARY` too.
    pub type_of_expense: String,
    pub vendor_id: uuid::Uuid,
    pub amount: Decimal,
    pub bill_date: NaiveDate,
    pub bill_issued_date: Option<NaiveDate>,
    pub tax_period_from: NaiveDate,
    pub tax_period_to: NaiveDate,
    pub is_bill_paid: bool,
    pub paid_date: Option<NaiveDate>,
    pub filestore_id: Option<String>,
    pub description: Option<String>,
}

/// Which bill: by number or by id, always on one GP.
#[derive(Clone, Debug)]
pub enum Key {
    No(String),
    Id(uuid::Uuid),
}

/// Whether the GP's electricity bills come from PSPCL (the master data's pspcl accounts): then
/// GP staff may not write them, and the pages leave the type out of manual entry.
pub fn pspcl_mapped(conn: &mut PgConnection, tenant: &str) -> AppResult<bool> {
    super::rules::pspcl_mapped(conn, tenant)
}

/// The expense types GP staff may enter by hand on this GP (active ones; without
/// `ELECTRICITY_BILL` on a PSPCL-mapped GP unless `who` is a PSPCL admin): (code, tax head).
pub fn manual_types(
    conn: &mut PgConnection,
    tenant: &str,
    who: Who,
) -> AppResult<Vec<(String, String)>> {
    super::rules::manual_types(conn, tenant, who)
}

/// Creates an expense bill: checks every rule (product.md §2.6), numbers it (`echallan.aplnumber`),
/// raises its demand and, when paid, takes its CASH payment with a receipt; all in the caller's
/// transaction. Errors name fields under `field` (the wire's `Challan`).
pub fn create(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    input: &ChallanInput,
    field: &str,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<Challan> {
    super::write::create(conn, ctx, input, field, who, now)
}

/// Updates a bill as the app does (`_update`): the whole bill again, and the status it should
/// have (`None`: unchanged). An ACTIVE bill's fields may change; marking it PAID takes the
/// payment; CANCELLED cancels it (and its receipt when paid). A PAID bill's fields may not
/// change (`INVALID_UPDATE_REQ_NOTMATCHED_<FIELD>`); a CANCELLED one is final.
#[expect(clippy::too_many_arguments, reason = "the bill, its new state and who")]
pub fn update(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    key: &Key,
    input: &ChallanInput,
    status: Option<&str>,
    field: &str,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<Challan> {
    super::write::update(conn, ctx, key, input, status, field, who, now)
}

/// Marks an ACTIVE bill paid on `paid_date`: a CASH payment with its receipt, same transaction.
/// Two racing requests give one payment (the second is refused `CHALLAN_ALREADY_PAID`).
pub fn mark_paid(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    key: &Key,
    paid_date: NaiveDate,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<Challan> {
    super::write::mark_paid(conn, ctx, tenant, key, paid_date, who, now)
}

/// Cancels a bill: a PAID one's receipt is cancelled first (the demand restored exactly), then
/// its demand. Cancelling twice is refused (`CHALLAN_ALREADY_CANCELLED`).
pub fn cancel(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    key: &Key,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<Challan> {
    super::write::cancel(conn, ctx, tenant, key, who, now)
}

/// One bill of a GP.
pub fn get(conn: &mut PgConnection, tenant: &str, key: &Key) -> AppResult<Option<Challan>> {
    Ok(match key {
        Key::No(no) => super::repo::by_no(conn, tenant, no)?,
        Key::Id(id) => super::repo::by_id(conn, tenant, *id)?,
    })
}

/// Bills matching `f` (see [`Found`]).
pub fn search(conn: &mut PgConnection, f: &Filter) -> AppResult<Found> {
    Ok(super::repo::search(conn, f)?)
}

/// A bill's history, oldest first.
pub fn history(conn: &mut PgConnection, tenant: &str, id: uuid::Uuid) -> AppResult<Vec<History>> {
    Ok(super::repo::history(conn, tenant, id)?)
}

/// The read-only figures of this module's tables (roll-out dashboard, iFIX export).
pub use super::repo::figures;
/// The division and state views' reads (changed GPs, month figures).
pub use super::repo::rollup;
