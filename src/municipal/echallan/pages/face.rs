//! The pages' view of the expense service: a bill as the pages show it, the searches and the
//! changes they ask for, each a call of the expense and vendor services (the pages name
//! no table of theirs).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use rust_decimal::Decimal;

use super::super::service::{self, Challan, Key, Who};
use crate::error::{AppError, AppResult};
use crate::municipal::vendor::service as vendor_service;
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
#[derive(Clone, Debug)]
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

/// GP staff acting (never a PSPCL admin on these pages).
fn who(actor: uuid::Uuid) -> Who {
    Who {
        actor: Some(actor),
        pspcl_admin: false,
    }
}

/// The types of expense staff may enter on `tenant` (codes, in the master's order): without
/// Electricity Bill on a PSPCL-mapped GP.
pub(super) fn types(c: &mut PgConnection, _st: &AppState, tenant: &str) -> AppResult<Vec<String>> {
    Ok(service::manual_types(c, tenant, Who::default())?
        .into_iter()
        .map(|(code, _)| code)
        .collect())
}

/// Every active type of expense (codes, in the master's order), for searching.
pub(super) fn all_types(c: &mut PgConnection, tenant: &str) -> AppResult<Vec<String>> {
    let every = Who {
        actor: None,
        pspcl_admin: true,
    };
    Ok(service::manual_types(c, tenant, every)?
        .into_iter()
        .map(|(code, _)| code)
        .collect())
}

/// Most vendors the form offers to pick from.
const VENDOR_LIST: i64 = 300;

/// The vendors of `tenant`, by name.
pub(super) fn vendors(c: &mut PgConnection, st: &AppState, tenant: &str) -> AppResult<Vec<Vendor>> {
    let f = vendor_service::Filter {
        tenant_id: tenant.to_owned(),
        status: Some("ACTIVE".to_owned()),
        limit: Some(VENDOR_LIST),
        ..vendor_service::Filter::default()
    };
    let (list, _) = vendor_service::search(c, vendor_service::Ctx::of(st), &f)?;
    Ok(list
        .into_iter()
        .map(|v| (v.id.to_string(), v.name, v.owner_mobile.unwrap_or_default()))
        .collect())
}

/// The vendor a form picked: its id (a new one created in the caller's transaction).
fn vendor_id(
    c: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    pick: VendorPick,
    actor: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<uuid::Uuid> {
    match pick {
        VendorPick::Existing(id) => uuid::Uuid::parse_str(&id).map_err(|_| {
            AppError::invalid_field(
                crate::error::codes::INVALID_VENDOR,
                "No such vendor on this GP",
                "vendor",
            )
        }),
        VendorPick::New { name, mobile } => {
            let new = vendor_service::NewVendor {
                tenant_id: tenant.to_owned(),
                name,
                mobile,
                ..vendor_service::NewVendor::default()
            };
            let (v, _) = vendor_service::find_or_create(
                c,
                vendor_service::Ctx::of(st),
                &new,
                "vendor",
                Some(actor),
                now,
            )?;
            Ok(v.id)
        }
    }
}

/// The bill's fields as the service takes them.
fn input(
    tenant: &str,
    e: &Entry,
    vendor_id: uuid::Uuid,
    file: Option<String>,
) -> service::ChallanInput {
    service::ChallanInput {
        tenant_id: tenant.to_owned(),
        type_of_expense: e.type_code.clone(),
        vendor_id,
        amount: e.amount,
        bill_date: e.bill_date,
        bill_issued_date: e.party_date,
        tax_period_from: e.from,
        tax_period_to: e.to,
        is_bill_paid: e.paid_date.is_some(),
        paid_date: e.paid_date,
        filestore_id: file,
        description: None,
    }
}

/// Records a bill (a new vendor, the file and the bill in the caller's transaction): its number.
pub(super) fn create(
    c: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    entry: Entry,
    file: Option<Upload>,
    actor: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let file = match file {
        Some(u) => Some(store_file(c, st, tenant, u, actor, now)?.to_string()),
        None => None,
    };
    let vendor = vendor_id(c, st, tenant, entry.vendor.clone(), actor, now)?;
    let made = service::create(
        c,
        vendor_service::Ctx::of(st),
        &input(tenant, &entry, vendor, file),
        "Challan",
        who(actor),
        now,
    )?;
    Ok(made.challan_no)
}

/// Keeps the bill's photo or file through the filestore's upload checks (a PDF, JPEG or PNG by
/// its content, at most `filestore.max_file_bytes`), on disk under `filestore.dir`.
fn store_file(
    c: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    u: Upload,
    actor: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<uuid::Uuid> {
    crate::platform::filestore::store_upload(
        c,
        &st.settings.filestore,
        tenant,
        "echallan",
        &u.name,
        u.bytes,
        Some(actor),
        now,
    )
}

/// Whether the GP's electricity bills come from PSPCL.
fn read_only(c: &mut PgConnection, b: &Challan) -> AppResult<bool> {
    Ok(b.type_of_expense == super::super::rules::ELECTRICITY_BILL
        && (b.source == "PSPCL" || service::pspcl_mapped(c, &b.tenant_id)?))
}

fn bill_of(c: &mut PgConnection, st: &AppState, b: Challan) -> AppResult<Bill> {
    let pspcl = read_only(c, &b)?;
    let mobile = vendor_service::get(c, vendor_service::Ctx::of(st), &b.tenant_id, b.vendor_id)?
        .and_then(|v| v.owner_mobile)
        .unwrap_or_default();
    Ok(Bill {
        no: b.challan_no,
        type_code: b.type_of_expense,
        vendor_id: b.vendor_id.to_string(),
        vendor: b.vendor_name,
        vendor_mobile: mobile,
        amount: b.amount,
        bill_date: b.bill_date,
        party_date: b.bill_issued_date,
        from: b.tax_period_from,
        to: b.tax_period_to,
        status: b.status,
        paid_date: b.paid_date,
        file: b
            .filestore_id
            .as_deref()
            .and_then(|f| uuid::Uuid::parse_str(f).ok()),
        pspcl,
    })
}

/// The bill numbered `no` of `tenant`.
pub(super) fn bill(
    c: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    no: &str,
) -> AppResult<Option<Bill>> {
    match service::get(c, tenant, &Key::No(no.to_owned()))? {
        Some(b) => Ok(Some(bill_of(c, st, b)?)),
        None => Ok(None),
    }
}

/// A page of the GP's bills (newest bill date first) and the tabs' counts.
pub(super) fn search(
    c: &mut PgConnection,
    _st: &AppState,
    tenant: &str,
    f: &Filter,
) -> AppResult<Found> {
    let base = service::Filter {
        tenant_id: tenant.to_owned(),
        challan_no: f.no.clone(),
        expense_types: f.type_code.iter().cloned().collect(),
        vendor_name: f.vendor.clone(),
        ..service::Filter::default()
    };
    let status = match f.tab {
        Tab::All => vec![service::ACTIVE, service::PAID],
        Tab::Paid => vec![service::PAID],
        Tab::Pending => vec![service::ACTIVE],
        Tab::Cancelled => vec![service::CANCELLED],
    };
    let page = service::search(
        c,
        &service::Filter {
            status: status.into_iter().map(str::to_owned).collect(),
            offset: f.offset,
            limit: Some(f.limit),
            ..base.clone()
        },
    )?;
    let cancelled = service::search(
        c,
        &service::Filter {
            status: vec![service::CANCELLED.to_owned()],
            limit: Some(0),
            ..base
        },
    )?
    .total_count;
    let pspcl = service::pspcl_mapped(c, tenant)?;
    Ok(Found {
        bills: page
            .challans
            .into_iter()
            .map(|b| plain_bill(b, pspcl))
            .collect(),
        paid: page.paid_count,
        pending: page.not_paid_count,
        cancelled,
    })
}

/// A bill as a search lists it (no vendor's mobile number).
fn plain_bill(b: Challan, pspcl_gp: bool) -> Bill {
    Bill {
        pspcl: b.type_of_expense == super::super::rules::ELECTRICITY_BILL
            && (pspcl_gp || b.source == "PSPCL"),
        no: b.challan_no,
        type_code: b.type_of_expense,
        vendor_id: b.vendor_id.to_string(),
        vendor: b.vendor_name,
        vendor_mobile: String::new(),
        amount: b.amount,
        bill_date: b.bill_date,
        party_date: b.bill_issued_date,
        from: b.tax_period_from,
        to: b.tax_period_to,
        status: b.status,
        paid_date: b.paid_date,
        file: None,
    }
}

/// Changes an unpaid bill's fields (its file kept).
pub(super) fn modify(
    c: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    no: &str,
    entry: Entry,
    actor: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let key = Key::No(no.to_owned());
    let Some(old) = service::get(c, tenant, &key)? else {
        return Err(gone());
    };
    let vendor = vendor_id(c, st, tenant, entry.vendor.clone(), actor, now)?;
    let input = input(tenant, &entry, vendor, old.filestore_id);
    service::update(
        c,
        vendor_service::Ctx::of(st),
        &key,
        &input,
        None,
        "Challan",
        who(actor),
        now,
    )?;
    Ok(())
}

fn gone() -> AppError {
    AppError::invalid_field(
        crate::error::codes::CHALLAN_NOT_FOUND,
        "No such expense bill on this GP",
        "challanNo",
    )
}

/// Marks an unpaid bill paid on `date` (its payment recorded).
pub(super) fn mark_paid(
    c: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    no: &str,
    date: NaiveDate,
    actor: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    service::mark_paid(
        c,
        vendor_service::Ctx::of(st),
        tenant,
        &Key::No(no.to_owned()),
        date,
        who(actor),
        now,
    )?;
    Ok(())
}

/// Cancels a bill (and its payment, when paid).
pub(super) fn cancel(
    c: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    no: &str,
    actor: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    service::cancel(
        c,
        vendor_service::Ctx::of(st),
        tenant,
        &Key::No(no.to_owned()),
        who(actor),
        now,
    )?;
    Ok(())
}

/// A signed link to the bill's file.
pub(super) fn file_link(
    st: &AppState,
    tenant: &str,
    file: uuid::Uuid,
    now: DateTime<Utc>,
) -> String {
    crate::platform::filestore::signed_path(&st.crypto, tenant, file, now)
}
