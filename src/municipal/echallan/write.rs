//! Writing expense bills: create, update, mark paid, cancel, with the money path on the shared
//! ledger (billing's demand, collection's receipt). Every check runs before the first write, and
//! every function runs in the caller's transaction, so a refusal writes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

use super::model::NewHistory;
use super::repo;
use super::rules::{self, ELECTRICITY_BILL};
use super::service::{ACTIVE, CANCELLED, Challan, ChallanInput, Ctx, Key, PAID, Who, code};
use crate::business::billing::service as billing;
use crate::business::collection::service as collection;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::municipal::vendor::service as vendor;
use crate::platform::{filestore, idgen, mdms};

/// The largest expense bill: what a demand line takes (below 10 crore).
fn max_amount() -> Decimal {
    Decimal::new(99_999_999, 0)
}

/// Today in Asia/Kolkata.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&crate::time::IST).date_naive()
}

/// What the checks of an input found: the expense type (code, business service, tax head), the
/// vendor's name and the attachment as kept.
struct Checked {
    type_code: String,
    business_service: String,
    tax_head: String,
    vendor_name: String,
    filestore_id: Option<String>,
}

fn err(errors: &mut Vec<ErrorDetail>, code: &str, message: &str, field: &str, name: &str) {
    errors.push(ErrorDetail::field(
        code,
        message,
        &format!("{field}.{name}"),
    ));
}

/// Every rule of product.md §2.6 on an input; all failures at once.
fn check(
    conn: &mut PgConnection,
    input: &ChallanInput,
    field: &str,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<Checked> {
    let mut e = Vec::new();
    let tenant = &input.tenant_id;
    match mdms::repo::tenant(conn, tenant)? {
        Some(t) if t.is_gram_panchayat() => {}
        _ => err(
            &mut e,
            codes::INVALID_TENANT,
            "Expenses are kept by a gram panchayat",
            field,
            "tenantId",
        ),
    }
    let kind = rules::expense_type(conn, &input.type_of_expense)?;
    if kind.is_none() {
        err(
            &mut e,
            code::INVALID_EXPENSE_TYPE,
            "No such expense type",
            field,
            "typeOfExpense",
        );
    }
    if kind.as_ref().is_some_and(|k| k.code == ELECTRICITY_BILL)
        && !who.pspcl_admin
        && rules::pspcl_mapped(conn, tenant)?
    {
        err(
            &mut e,
            code::PSPCL_BILL_READ_ONLY,
            "This GP's electricity bills come from PSPCL",
            field,
            "typeOfExpense",
        );
    }
    let vendor_name =
        match vendor::name_of(conn, tenant, input.vendor_id, &format!("{field}.vendor")) {
            Ok(n) => n,
            Err(x) => {
                e.extend(x.details());
                String::new()
            }
        };
    let a = input.amount;
    if a <= Decimal::ZERO || a.fract() != Decimal::ZERO || a > max_amount() {
        err(
            &mut e,
            code::INVALID_AMOUNT,
            "The amount is whole rupees, more than zero and below 10 crore",
            field,
            "amount",
        );
    }
    let today = today(now);
    if input.bill_date > today {
        err(
            &mut e,
            code::BILL_DATE_IN_FUTURE,
            "The bill date cannot be after today",
            field,
            "billDate",
        );
    }
    if input.bill_issued_date.is_some_and(|d| d > input.bill_date) {
        err(
            &mut e,
            code::BILL_ISSUED_DATE_AFTER_BILL_DATE,
            "The party's bill date cannot be after the bill date",
            field,
            "billIssuedDate",
        );
    }
    if input.tax_period_from > input.tax_period_to {
        err(
            &mut e,
            code::INVALID_TAX_PERIOD,
            "The expense start date cannot be after its end date",
            field,
            "taxPeriodFrom",
        );
    } else if input.tax_period_to > input.bill_date {
        err(
            &mut e,
            code::TAX_PERIOD_AFTER_BILL_DATE,
            "The expense period cannot end after the bill date",
            field,
            "taxPeriodTo",
        );
    }
    if input.is_bill_paid {
        match input.paid_date {
            None => err(
                &mut e,
                code::PAID_DATE_REQUIRED,
                "A paid bill needs its paid date",
                field,
                "paidDate",
            ),
            Some(d) if d < input.bill_date => err(
                &mut e,
                code::PAID_DATE_BEFORE_BILL_DATE,
                "The paid date cannot be before the bill date",
                field,
                "paidDate",
            ),
            Some(d) if d > today => err(
                &mut e,
                code::PAID_DATE_IN_FUTURE,
                "The paid date cannot be after today",
                field,
                "paidDate",
            ),
            Some(_) => {}
        }
    }
    let filestore_id = input
        .filestore_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if let Some(f) = &filestore_id {
        let ours = match uuid::Uuid::parse_str(f) {
            // an upload without a login (the app's) is claimed by the bill naming it
            Ok(id) => filestore::claim(conn, tenant, id)?,
            Err(_) => false,
        };
        if !ours {
            err(
                &mut e,
                code::INVALID_FILESTORE_ID,
                "No such file on this GP",
                field,
                "filestoreid",
            );
        }
    }
    if input
        .description
        .as_deref()
        .is_some_and(|d| d.chars().count() > 256)
    {
        err(
            &mut e,
            codes::INVALID_VALUE,
            "at most 256 characters",
            field,
            "description",
        );
    }
    match kind {
        Some(k) if e.is_empty() => Ok(Checked {
            type_code: k.code,
            business_service: k.business_service,
            tax_head: k.tax_head_code,
            vendor_name,
            filestore_id,
        }),
        _ => Err(AppError::many(e)),
    }
}

/// Raises the bill's demand: one line of its type's tax head for the amount, over the expense
/// period, consumer code = the bill number, payer = the vendor's owner.
fn raise_demand(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    c: &Challan,
    field: &str,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<uuid::Uuid> {
    let owner = vendor::get(conn, ctx, &c.tenant_id, c.vendor_id)?.map(|v| v.owner_uuid);
    let d = billing::NewDemand {
        tenant_id: c.tenant_id.clone(),
        business_service: c.business_service.clone(),
        consumer_code: c.challan_no.clone(),
        consumer_type: "EXPENSE".to_owned(),
        payer_uuid: owner,
        period_from: crate::time::day_start_at(c.tax_period_from),
        period_to: crate::time::day_end_at(c.tax_period_to),
        lines: vec![(c.tax_head_code.clone(), c.amount)],
        minimum_amount_payable: Decimal::ZERO,
        bill_expiry_time: None,
        additional_details: json!({}),
    };
    Ok(
        billing::create_demand(conn, ctx.state_tenant, &d, field, who.actor, now)?
            .demand
            .id,
    )
}

fn history(
    conn: &mut PgConnection,
    c: &Challan,
    action: &str,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<()> {
    repo::add_history(
        conn,
        &NewHistory {
            challan_id: c.id,
            tenant_id: &c.tenant_id,
            action,
            changes: serde_json::to_value(c).unwrap_or_default(),
            actor: who.actor,
            at: now,
        },
    )?;
    Ok(())
}

pub fn create(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    input: &ChallanInput,
    field: &str,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<Challan> {
    let k = check(conn, input, field, who, now)?;
    let challan_no = idgen::service::next_id(
        conn,
        ctx.state_tenant,
        &input.tenant_id,
        "echallan.aplnumber",
        now,
    )?;
    let mut c = Challan {
        id: uuid::Uuid::new_v4(),
        tenant_id: input.tenant_id.clone(),
        challan_no,
        type_of_expense: k.type_code,
        business_service: k.business_service,
        tax_head_code: k.tax_head,
        vendor_id: input.vendor_id,
        vendor_name: k.vendor_name,
        amount: input.amount,
        bill_date: input.bill_date,
        bill_issued_date: input.bill_issued_date,
        tax_period_from: input.tax_period_from,
        tax_period_to: input.tax_period_to,
        status: ACTIVE.to_owned(),
        paid_date: None,
        demand_id: uuid::Uuid::nil(),
        payment_id: None,
        receipt_number: None,
        filestore_id: k.filestore_id,
        source: if who.pspcl_admin && input.type_of_expense.ends_with(ELECTRICITY_BILL) {
            "PSPCL".to_owned()
        } else {
            "MANUAL".to_owned()
        },
        description: input.description.clone(),
        additional_details: json!({}),
        created_by: who.actor,
        created_at: now,
        last_modified_by: who.actor,
        last_modified_at: now,
    };
    c.demand_id = raise_demand(conn, ctx, &c, field, who, now)?;
    repo::insert(conn, &c)?;
    history(conn, &c, "CREATED", who, now)?;
    if input.is_bill_paid
        && let Some(d) = input.paid_date
    {
        pay(conn, ctx, &mut c, d, who, now)?;
    }
    Ok(c)
}

/// Takes the bill's CASH payment (its whole amount) through collection, with a receipt, and
/// marks it PAID; the caller holds the bill's row lock or has just created it.
fn pay(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    c: &mut Challan,
    paid_date: NaiveDate,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let bill = billing::fetch_bill(
        conn,
        ctx.state_tenant,
        &c.tenant_id,
        &c.business_service,
        &c.challan_no,
        who.actor,
        now,
    )?
    .ok_or_else(|| {
        AppError::invalid_field(
            code::CHALLAN_ALREADY_PAID,
            "Nothing is owed on this expense bill",
            "Challan.applicationStatus",
        )
    })?;
    let p = collection::NewPayment {
        tenant_id: c.tenant_id.clone(),
        bill_id: bill.bill.id,
        business_service: c.business_service.clone(),
        total_due: bill.bill.total_amount,
        amount: c.amount,
        payment_mode: "CASH".to_owned(),
        paid_by: Some(c.vendor_name.clone()),
        payer_name: Some(c.vendor_name.clone()),
        mobile: None,
        instrument_number: None,
        idempotency_key: None,
    };
    let payment = match collection::create(conn, ctx.crypto, ctx.state_tenant, &p, who.actor, now)?
    {
        collection::Taken::New(payment, _) => payment,
        collection::Taken::Replayed(_) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "a payment without a key replayed"
            )));
        }
    };
    c.status = PAID.to_owned();
    c.paid_date = Some(paid_date);
    c.payment_id = Some(payment.id);
    c.receipt_number = Some(payment.receipt_number.clone());
    c.last_modified_by = who.actor;
    c.last_modified_at = now;
    repo::save(conn, c)?;
    history(conn, c, "PAID", who, now)
}

/// Cancels the bill: its receipt first when paid (every rupee back on the demand), then its
/// demand.
fn cancel_locked(
    conn: &mut PgConnection,
    c: &mut Challan,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(payment) = c.payment_id {
        let p = collection::get(conn, payment)?;
        if p.is_some_and(|p| p.payment_status != "CANCELLED") {
            collection::cancel(conn, &c.tenant_id, payment, who.actor, now)?;
        }
    }
    billing::cancel_demand(conn, c.demand_id, "EXPENSE_CANCELLED", who.actor, now)?;
    c.status = CANCELLED.to_owned();
    c.last_modified_by = who.actor;
    c.last_modified_at = now;
    repo::save(conn, c)?;
    history(conn, c, "CANCELLED", who, now)
}

/// The bill, its row locked; a 400 when it is not on this GP.
fn locked(conn: &mut PgConnection, tenant: &str, key: &Key, field: &str) -> AppResult<Challan> {
    let found = match key {
        Key::No(no) => repo::by_no(conn, tenant, no)?,
        Key::Id(id) => repo::by_id(conn, tenant, *id)?,
    };
    found
        .and_then(|c| repo::lock(conn, tenant, c.id).transpose())
        .transpose()?
        .ok_or_else(|| {
            AppError::invalid_field(
                code::CHALLAN_NOT_FOUND,
                "No such expense bill on this GP",
                &format!("{field}.challanNo"),
            )
        })
}

/// Refuses a change to a cancelled bill, and GP staff's change to a PSPCL electricity bill.
fn may_change(conn: &mut PgConnection, c: &Challan, field: &str, who: Who) -> AppResult<()> {
    if c.status == CANCELLED {
        return Err(AppError::invalid_field(
            code::CHALLAN_ALREADY_CANCELLED,
            "This expense bill is cancelled",
            &format!("{field}.applicationStatus"),
        ));
    }
    if c.type_of_expense == ELECTRICITY_BILL
        && !who.pspcl_admin
        && (c.source == "PSPCL" || rules::pspcl_mapped(conn, &c.tenant_id)?)
    {
        return Err(AppError::invalid_field(
            code::PSPCL_BILL_READ_ONLY,
            "This GP's electricity bills come from PSPCL",
            &format!("{field}.typeOfExpense"),
        ));
    }
    Ok(())
}

/// The fields of a paid bill the input would change: the original's codes.
fn changed_fields(c: &Challan, input: &ChallanInput, field: &str) -> Vec<ErrorDetail> {
    let ty = input.type_of_expense.trim();
    let ty = ty.strip_prefix("EXPENSE.").unwrap_or(ty);
    let file = input
        .filestore_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let checks: [(bool, &str, &str); 9] = [
        (
            ty != c.type_of_expense,
            code::NOTMATCHED_TYPEEXPENSE,
            "typeOfExpense",
        ),
        (
            input.vendor_id != c.vendor_id,
            code::NOTMATCHED_VENDOR,
            "vendor",
        ),
        (input.amount != c.amount, code::NOTMATCHED_AMOUNT, "amount"),
        (
            input.bill_date != c.bill_date,
            code::NOTMATCHED_BILLDATE,
            "billDate",
        ),
        (
            input.bill_issued_date != c.bill_issued_date,
            code::NOTMATCHED_BILLISSUEDATE,
            "billIssuedDate",
        ),
        (
            input.tax_period_from != c.tax_period_from || input.tax_period_to != c.tax_period_to,
            code::NOTMATCHED_TAXPERIOD,
            "taxPeriodFrom",
        ),
        (
            input.paid_date.is_some() && input.paid_date != c.paid_date,
            code::NOTMATCHED_PAIDDATE,
            "paidDate",
        ),
        (!input.is_bill_paid, code::NOTMATCHED_BILLPAID, "isBillPaid"),
        (
            file != c.filestore_id.as_deref(),
            code::NOTMATCHED_FILESTOREID,
            "filestoreid",
        ),
    ];
    checks
        .into_iter()
        .filter(|(changed, _, _)| *changed)
        .map(|(_, code, name)| {
            ErrorDetail::field(
                code,
                "A paid expense bill cannot be changed",
                &format!("{field}.{name}"),
            )
        })
        .collect()
}

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
    let mut c = locked(conn, &input.tenant_id, key, field)?;
    may_change(conn, &c, field, who)?;
    let status_field = format!("{field}.applicationStatus");
    let target = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None if input.is_bill_paid => PAID,
        None => c.status.as_str(),
        Some(s) if s.eq_ignore_ascii_case(ACTIVE) => ACTIVE,
        Some(s) if s.eq_ignore_ascii_case(PAID) => PAID,
        Some(s) if s.eq_ignore_ascii_case(CANCELLED) => CANCELLED,
        Some(_) => {
            return Err(AppError::invalid_field(
                code::INVALID_STATUS,
                "The status is ACTIVE, PAID or CANCELLED",
                &status_field,
            ));
        }
    }
    .to_owned();
    if c.status == PAID {
        let changed = changed_fields(&c, input, field);
        if !changed.is_empty() {
            return Err(AppError::many(changed));
        }
        return match target.as_str() {
            CANCELLED => {
                cancel_locked(conn, &mut c, who, now)?;
                Ok(c)
            }
            PAID => Err(AppError::invalid_field(
                code::CHALLAN_ALREADY_PAID,
                "This expense bill is already paid",
                &status_field,
            )),
            _ => Err(AppError::invalid_field(
                code::INVALID_STATUS,
                "A paid expense bill can only be cancelled",
                &status_field,
            )),
        };
    }
    // ACTIVE: the fields may change, then the status.
    if target == CANCELLED {
        cancel_locked(conn, &mut c, who, now)?;
        return Ok(c);
    }
    let paying = target == PAID;
    let mut checked_input = input.clone();
    checked_input.is_bill_paid = paying;
    let k = check(conn, &checked_input, field, who, now)?;
    let money_changed = k.type_code != c.type_of_expense
        || input.amount != c.amount
        || input.tax_period_from != c.tax_period_from
        || input.tax_period_to != c.tax_period_to;
    c.type_of_expense = k.type_code;
    c.business_service = k.business_service;
    c.tax_head_code = k.tax_head;
    c.vendor_id = input.vendor_id;
    c.vendor_name = k.vendor_name;
    c.amount = input.amount;
    c.bill_date = input.bill_date;
    c.bill_issued_date = input.bill_issued_date;
    c.tax_period_from = input.tax_period_from;
    c.tax_period_to = input.tax_period_to;
    c.filestore_id = k.filestore_id;
    c.description = input.description.clone().or(c.description);
    c.last_modified_by = who.actor;
    c.last_modified_at = now;
    if money_changed {
        // The old demand goes (nothing was paid against it), a new one says what is owed now.
        billing::cancel_demand(conn, c.demand_id, "EXPENSE_UPDATED", who.actor, now)?;
        c.demand_id = raise_demand(conn, ctx, &c, field, who, now)?;
    }
    repo::save(conn, &c)?;
    history(conn, &c, "UPDATED", who, now)?;
    if paying && let Some(d) = input.paid_date {
        pay(conn, ctx, &mut c, d, who, now)?;
    }
    Ok(c)
}

pub fn mark_paid(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    key: &Key,
    paid_date: NaiveDate,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<Challan> {
    let field = "Challan";
    let mut c = locked(conn, tenant, key, field)?;
    may_change(conn, &c, field, who)?;
    if c.status == PAID {
        return Err(AppError::invalid_field(
            code::CHALLAN_ALREADY_PAID,
            "This expense bill is already paid",
            "Challan.applicationStatus",
        ));
    }
    let f = |code: &str, m: &str| AppError::invalid_field(code, m, "Challan.paidDate");
    if paid_date < c.bill_date {
        return Err(f(
            code::PAID_DATE_BEFORE_BILL_DATE,
            "The paid date cannot be before the bill date",
        ));
    }
    if paid_date > today(now) {
        return Err(f(
            code::PAID_DATE_IN_FUTURE,
            "The paid date cannot be after today",
        ));
    }
    pay(conn, ctx, &mut c, paid_date, who, now)?;
    Ok(c)
}

pub fn cancel(
    conn: &mut PgConnection,
    _ctx: Ctx<'_>,
    tenant: &str,
    key: &Key,
    who: Who,
    now: DateTime<Utc>,
) -> AppResult<Challan> {
    let field = "Challan";
    let mut c = locked(conn, tenant, key, field)?;
    may_change(conn, &c, field, who)?;
    cancel_locked(conn, &mut c, who, now)?;
    Ok(c)
}
