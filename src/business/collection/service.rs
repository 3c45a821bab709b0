//! Payment use cases.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use sha2::Digest as _;

use crate::business::apportion;
use crate::business::billing::{repo as billing_repo, service as billing};
use crate::db::schema::{
    collection_allocation as ca, collection_idempotency as ci, collection_payment as cp,
    collection_payment_detail as cpd,
};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::platform::encryption::Crypto;

/// Largest payment one counter transaction may take (product.md §3.6).
pub const MAX_PAYMENT: i64 = 10_000;

/// A payment to take.
#[derive(Clone, Debug)]
pub struct NewPayment {
    pub tenant_id: String,
    pub bill_id: uuid::Uuid,
    pub business_service: String,
    pub total_due: Decimal,
    pub amount: Decimal,
    pub payment_mode: String,
    pub paid_by: Option<String>,
    pub payer_name: Option<String>,
    pub mobile: Option<String>,
    pub instrument_number: Option<String>,
    pub idempotency_key: Option<String>,
}

/// A taken payment, as stored.
#[derive(Clone, Debug, Queryable)]
pub struct Payment {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub total_due: Decimal,
    pub total_amount_paid: Decimal,
    pub payment_mode: String,
    pub transaction_number: String,
    pub transaction_date: DateTime<Utc>,
    pub payment_status: String,
    pub paid_by: Option<String>,
    pub payer_name_enc: Option<String>,
    pub mobile_enc: Option<String>,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub receipt_number: String,
    pub receipt_date: DateTime<Utc>,
    pub bill_id: uuid::Uuid,
    pub business_service: String,
    pub consumer_code: String,
    pub detail_id: uuid::Uuid,
}

/// How a payment request ended: a new payment, or the replay of one already taken with the key.
#[derive(Debug)]
pub enum Taken {
    /// The payment and its bill as it stands after the payment (JSON).
    New(Box<Payment>, serde_json::Value),
    Replayed(serde_json::Value),
}

fn request_hash(p: &NewPayment) -> Vec<u8> {
    sha2::Sha256::digest(
        format!(
            "{}|{}|{}|{}|{}",
            p.tenant_id,
            p.bill_id,
            p.business_service,
            p.amount.normalize(),
            p.payment_mode
        )
        .as_bytes(),
    )
    .to_vec()
}

type PaymentCols = (
    cp::id,
    cp::tenant_id,
    cp::total_due,
    cp::total_amount_paid,
    cp::payment_mode,
    cp::transaction_number,
    cp::transaction_date,
    cp::payment_status,
    cp::paid_by,
    cp::payer_name_enc,
    cp::mobile_enc,
    cp::created_by,
    cp::created_at,
);
type DetailCols = (
    cpd::receipt_number,
    cpd::receipt_date,
    cpd::bill_id,
    cpd::business_service,
    cpd::consumer_code,
    cpd::id,
);

const COLS: (PaymentCols, DetailCols) = (
    (
        cp::id,
        cp::tenant_id,
        cp::total_due,
        cp::total_amount_paid,
        cp::payment_mode,
        cp::transaction_number,
        cp::transaction_date,
        cp::payment_status,
        cp::paid_by,
        cp::payer_name_enc,
        cp::mobile_enc,
        cp::created_by,
        cp::created_at,
    ),
    (
        cpd::receipt_number,
        cpd::receipt_date,
        cpd::bill_id,
        cpd::business_service,
        cpd::consumer_code,
        cpd::id,
    ),
);

type Row = (
    (
        uuid::Uuid,
        String,
        Decimal,
        Decimal,
        String,
        String,
        DateTime<Utc>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<uuid::Uuid>,
        DateTime<Utc>,
    ),
    (
        String,
        DateTime<Utc>,
        uuid::Uuid,
        String,
        String,
        uuid::Uuid,
    ),
);

fn from_row(r: Row) -> Payment {
    let (a, b) = r;
    Payment {
        id: a.0,
        tenant_id: a.1,
        total_due: a.2,
        total_amount_paid: a.3,
        payment_mode: a.4,
        transaction_number: a.5,
        transaction_date: a.6,
        payment_status: a.7,
        paid_by: a.8,
        payer_name_enc: a.9,
        mobile_enc: a.10,
        created_by: a.11,
        created_at: a.12,
        receipt_number: b.0,
        receipt_date: b.1,
        bill_id: b.2,
        business_service: b.3,
        consumer_code: b.4,
        detail_id: b.5,
    }
}

pub fn get(conn: &mut PgConnection, id: uuid::Uuid) -> AppResult<Option<Payment>> {
    let r: Option<Row> = cp::table
        .inner_join(cpd::table)
        .filter(cp::id.eq(id))
        .select(COLS)
        .first(conn)
        .optional()?;
    Ok(r.map(from_row))
}

/// Checks a payment request against the rules that need no database.
pub fn check(p: &NewPayment) -> AppResult<()> {
    let mut errors = Vec::new();
    if p.amount <= Decimal::ZERO {
        errors.push(ErrorDetail::field(
            "INVALID_AMOUNT",
            "The amount must be more than zero",
            "Payment.totalAmountPaid",
        ));
    } else if p.amount.fract() != Decimal::ZERO {
        errors.push(ErrorDetail::field(
            "INVALID_AMOUNT",
            "Payments are in whole rupees",
            "Payment.totalAmountPaid",
        ));
    } else if p.amount > Decimal::from(MAX_PAYMENT) {
        errors.push(ErrorDetail::field(
            "AMOUNT_ABOVE_LIMIT",
            format!("One payment may not exceed ₹{MAX_PAYMENT}"),
            "Payment.totalAmountPaid",
        ));
    }
    if p.payment_mode.trim().is_empty() {
        errors.push(ErrorDetail::field(
            "MISSING_FIELD",
            "paymentMode is required",
            "Payment.paymentMode",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::many(errors))
    }
}

/// Takes a payment against the consumer's active bill, in the caller's transaction: checks the
/// mode, part payment and advance rules of the business service, spreads the money (oldest first)
/// and records where every rupee went, issues the receipt number, marks the bill. With an
/// idempotency key the same request replays the first answer; a different request is refused.
pub fn create(
    conn: &mut PgConnection,
    crypto: &Crypto,
    state_tenant: &str,
    p: &NewPayment,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Taken> {
    check(p)?;
    let bill = billing_repo::bill(conn, p.bill_id)?
        .filter(|b| b.tenant_id == p.tenant_id)
        .ok_or_else(|| {
            AppError::invalid_field(
                "INVALID_BILL",
                "No such bill on this tenant",
                "Payment.paymentDetails[0].billId",
            )
        })?;
    let bs = billing::business_service(
        conn,
        state_tenant,
        &p.tenant_id,
        &bill.business_service,
        "Payment.paymentDetails[0].businessService",
    )?;
    if bs.code != p.business_service {
        return Err(AppError::invalid_field(
            "INVALID_BUSINESS_SERVICE",
            "The bill belongs to another business service",
            "Payment.paymentDetails[0].businessService",
        ));
    }
    if bs
        .collection_modes_not_allowed
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&p.payment_mode))
    {
        return Err(AppError::invalid_field(
            "MODE_NOT_ALLOWED",
            format!("{} payments are not taken for {}", p.payment_mode, bs.code),
            "Payment.paymentMode",
        ));
    }
    billing_repo::lock_consumer(
        conn,
        &bill.tenant_id,
        &bill.business_service,
        &bill.consumer_code,
    )?;
    let hash = request_hash(p);
    if let Some(key) = &p.idempotency_key {
        let seen: Option<(Vec<u8>, serde_json::Value)> = ci::table
            .find((&p.tenant_id, key))
            .select((ci::request_hash, ci::response))
            .first(conn)
            .optional()?;
        if let Some((h, response)) = seen {
            if h == hash {
                return Ok(Taken::Replayed(response));
            }
            return Err(AppError::conflict(
                "IDEMPOTENCY_KEY_REUSED",
                "This idempotency key was used for a different payment",
            ));
        }
    }
    // The bill must still be the consumer's current one.
    let current = billing_repo::active_bill(
        conn,
        &bill.tenant_id,
        &bill.business_service,
        &bill.consumer_code,
    )?;
    if current.as_ref().map(|b| b.id) != Some(bill.id) {
        return Err(AppError::invalid_field(
            "BILL_NOT_ACTIVE",
            "This bill is no longer the active one; fetch the bill again",
            "Payment.paymentDetails[0].billId",
        ));
    }
    let demands = billing_repo::live_demands(
        conn,
        &bill.tenant_id,
        &bill.business_service,
        &bill.consumer_code,
    )?;
    if billing::fingerprint(&demands) != bill.fingerprint {
        return Err(AppError::invalid_field(
            "BILL_NOT_ACTIVE",
            "What is owed has changed since this bill; fetch the bill again",
            "Payment.paymentDetails[0].billId",
        ));
    }
    let due = billing::net_due(&demands).max(Decimal::ZERO);
    if !bs.part_payment_allowed && p.amount < due {
        return Err(AppError::invalid_field(
            "PART_PAYMENT_NOT_ALLOWED",
            format!("The whole ₹{due} must be paid"),
            "Payment.totalAmountPaid",
        ));
    }
    if !bs.is_advance_allowed && p.amount > due {
        return Err(AppError::invalid_field(
            "ADVANCE_NOT_ALLOWED",
            format!("At most ₹{due} may be paid"),
            "Payment.totalAmountPaid",
        ));
    }
    let lines = billing::apportion_lines(conn, &demands)?;
    let a = apportion::apportion(&lines, p.amount);
    let applied = billing::apply(conn, &bill.business_service, &demands, &a, now)?;
    // The bill is paid (in full or in part); its details record what they received.
    let mut full = billing_repo::full_bills(conn, vec![bill.clone()])?;
    for (d, accts) in full.iter_mut().flat_map(|b| b.details.iter_mut()) {
        let got: Decimal = applied
            .iter()
            .filter(|x| x.kind == "COLLECT" && accts.iter().any(|a| a.demand_detail_id == x.line))
            .map(|x| x.amount)
            .sum();
        if got != Decimal::ZERO {
            billing_repo::add_bill_paid(conn, d.id, got)?;
            d.amount_paid += got;
        }
    }
    let status = if p.amount >= due {
        "PAID"
    } else {
        "PARTIALLY_PAID"
    };
    billing_repo::set_bill_status(conn, bill.id, status, actor, now)?;
    // the bill as it now stands, for the answer
    let bill_json = full
        .first_mut()
        .map(|b| {
            b.bill.status = status.to_owned();
            b.bill.last_modified_by = actor;
            b.bill.last_modified_at = now;
            crate::business::billing::bill_json(b)
        })
        .unwrap_or(serde_json::Value::Null);

    // The receipt number last: the GP's receipt sequence row stays locked until commit, so the
    // less work after it, the more payments a GP can take at once.
    let receipt_id = if bill.business_service == "WS" {
        "ws.receipt.id"
    } else {
        "receipt.id"
    };
    let receipt =
        crate::platform::idgen::next_id(conn, state_tenant, &p.tenant_id, receipt_id, now)?;
    let payment_id = uuid::Uuid::new_v4();
    let detail_id = uuid::Uuid::new_v4();
    let mobile = p.mobile.as_deref().filter(|m| !m.trim().is_empty());
    let transaction_number = format!("{}-{}", receipt, now.timestamp_millis());
    let payer_name_enc = p
        .payer_name
        .as_deref()
        .map(|n| crypto.seal("payment.payer_name", n));
    let mobile_enc = mobile.map(|m| crypto.seal("payment.mobile", m));
    diesel::insert_into(cp::table)
        .values((
            cp::id.eq(payment_id),
            cp::tenant_id.eq(&p.tenant_id),
            cp::total_due.eq(due),
            cp::total_amount_paid.eq(p.amount),
            cp::payment_mode.eq(p.payment_mode.to_uppercase()),
            cp::transaction_number.eq(&transaction_number),
            cp::transaction_date.eq(now),
            cp::instrument_number.eq(&p.instrument_number),
            cp::paid_by.eq(&p.paid_by),
            cp::payer_uuid.eq(bill.payer_uuid),
            cp::payer_name_enc.eq(&payer_name_enc),
            cp::mobile_hash.eq(mobile.map(|m| crypto.blind_index("mobile", m))),
            cp::mobile_enc.eq(&mobile_enc),
            cp::created_by.eq(actor),
            cp::created_at.eq(now),
            cp::last_modified_by.eq(actor),
            cp::last_modified_at.eq(now),
        ))
        .execute(conn)?;
    diesel::insert_into(cpd::table)
        .values((
            cpd::id.eq(detail_id),
            cpd::payment_id.eq(payment_id),
            cpd::tenant_id.eq(&p.tenant_id),
            cpd::bill_id.eq(bill.id),
            cpd::business_service.eq(&bill.business_service),
            cpd::consumer_code.eq(&bill.consumer_code),
            cpd::total_due.eq(due),
            cpd::total_amount_paid.eq(p.amount),
            cpd::receipt_number.eq(&receipt),
            cpd::receipt_date.eq(now),
        ))
        .execute(conn)?;
    let rows: Vec<_> = applied
        .iter()
        .map(|x| {
            (
                ca::payment_detail_id.eq(detail_id),
                ca::tenant_id.eq(&p.tenant_id),
                ca::demand_detail_id.eq(x.line),
                ca::kind.eq(x.kind),
                ca::amount.eq(x.amount),
            )
        })
        .collect();
    diesel::insert_into(ca::table).values(&rows).execute(conn)?;
    let payment = Payment {
        id: payment_id,
        tenant_id: p.tenant_id.clone(),
        total_due: due,
        total_amount_paid: p.amount,
        payment_mode: p.payment_mode.to_uppercase(),
        transaction_number,
        transaction_date: now,
        payment_status: "NEW".to_owned(),
        paid_by: p.paid_by.clone(),
        payer_name_enc,
        mobile_enc,
        created_by: actor,
        created_at: now,
        receipt_number: receipt,
        receipt_date: now,
        bill_id: bill.id,
        business_service: bill.business_service.clone(),
        consumer_code: bill.consumer_code.clone(),
        detail_id,
    };
    Ok(Taken::New(Box::new(payment), bill_json))
}

/// Remembers the answer given for an idempotency key (same transaction as the payment).
pub fn remember(
    conn: &mut PgConnection,
    p: &NewPayment,
    payment_id: uuid::Uuid,
    response: &serde_json::Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(key) = &p.idempotency_key {
        diesel::insert_into(ci::table)
            .values((
                ci::tenant_id.eq(&p.tenant_id),
                ci::key.eq(key),
                ci::request_hash.eq(request_hash(p)),
                ci::payment_id.eq(payment_id),
                ci::response.eq(response),
                ci::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Payment search filters.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub tenant_id: String,
    pub ids: Vec<uuid::Uuid>,
    pub receipt_numbers: Vec<String>,
    pub consumer_codes: Vec<String>,
    pub business_services: Vec<String>,
    pub bill_ids: Vec<uuid::Uuid>,
    pub status: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

/// Where a receipt's money went: (demand line, kind, amount), kind COLLECT, USE_CREDIT or
/// ADVANCE.
pub fn allocations(
    conn: &mut PgConnection,
    payment_detail_id: uuid::Uuid,
) -> QueryResult<Vec<(uuid::Uuid, String, Decimal)>> {
    ca::table
        .filter(ca::payment_detail_id.eq(payment_detail_id))
        .select((ca::demand_detail_id, ca::kind, ca::amount))
        .load(conn)
}

/// What live receipts of a tenant's business service took between `from` and `to`.
pub fn collected_between(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Decimal> {
    let sum: Option<Decimal> = cp::table
        .inner_join(cpd::table)
        .filter(cp::tenant_id.eq(tenant))
        .filter(cpd::business_service.eq(service))
        .filter(cp::payment_status.ne("CANCELLED"))
        .filter(cpd::receipt_date.between(from, to))
        .select(diesel::dsl::sum(cpd::total_amount_paid))
        .first(conn)?;
    Ok(sum.unwrap_or(Decimal::ZERO))
}

pub fn search(conn: &mut PgConnection, f: &Filter) -> AppResult<(Vec<Payment>, i64)> {
    let q = || {
        let mut q = cp::table
            .inner_join(cpd::table)
            .filter(cp::tenant_id.eq(&f.tenant_id))
            .into_boxed();
        if !f.ids.is_empty() {
            q = q.filter(cp::id.eq_any(&f.ids));
        }
        if !f.receipt_numbers.is_empty() {
            q = q.filter(cpd::receipt_number.eq_any(&f.receipt_numbers));
        }
        if !f.consumer_codes.is_empty() {
            q = q.filter(cpd::consumer_code.eq_any(&f.consumer_codes));
        }
        if !f.business_services.is_empty() {
            q = q.filter(cpd::business_service.eq_any(&f.business_services));
        }
        if !f.bill_ids.is_empty() {
            q = q.filter(cpd::bill_id.eq_any(&f.bill_ids));
        }
        if let Some(s) = &f.status {
            q = q.filter(cp::payment_status.eq(s));
        }
        q
    };
    let total: i64 = q().count().get_result(conn)?;
    let rows: Vec<Row> = q()
        .order(cp::created_at.desc())
        .offset(f.offset)
        .limit(f.limit)
        .select(COLS)
        .load(conn)?;
    Ok((rows.into_iter().map(from_row).collect(), total))
}

/// Cancels a receipt: every line it moved goes back exactly; refused when its advance was
/// already used by a later demand.
pub fn cancel(
    conn: &mut PgConnection,
    tenant: &str,
    payment_id: uuid::Uuid,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Payment> {
    let p = get(conn, payment_id)?
        .filter(|p| p.tenant_id == tenant)
        .ok_or_else(|| {
            AppError::invalid_field(
                "INVALID_PAYMENT",
                "No such payment on this tenant",
                "PaymentWorkflows[0].paymentId",
            )
        })?;
    if p.payment_status == "CANCELLED" {
        return Err(AppError::invalid_field(
            "ALREADY_CANCELLED",
            "This receipt is already cancelled",
            "PaymentWorkflows[0].paymentId",
        ));
    }
    billing_repo::lock_consumer(conn, &p.tenant_id, &p.business_service, &p.consumer_code)?;
    let allocs = allocations(conn, p.detail_id)?;
    for (line, kind, amount) in &allocs {
        let res = match kind.as_str() {
            "COLLECT" => billing_repo::add_collection(conn, *line, -*amount, now),
            "USE_CREDIT" => billing_repo::add_collection(conn, *line, *amount, now),
            _ => billing_repo::add_tax(conn, *line, *amount, now),
        };
        match res {
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::CheckViolation,
                _,
            )) => {
                return Err(AppError::bad_request(
                    "ADVANCE_ALREADY_USED",
                    "The advance of this receipt was already used by a later demand",
                ));
            }
            other => {
                other?;
            }
        }
    }
    diesel::update(cp::table.find(payment_id))
        .set((
            cp::payment_status.eq("CANCELLED"),
            cp::last_modified_by.eq(actor),
            cp::last_modified_at.eq(now),
        ))
        .execute(conn)?;
    billing_repo::set_bill_status(conn, p.bill_id, "PAYMENT_CANCELLED", actor, now)?;
    let demands =
        billing_repo::live_demands(conn, &p.tenant_id, &p.business_service, &p.consumer_code)?;
    billing::apply(
        conn,
        &p.business_service,
        &demands,
        &apportion::Apportioned::default(),
        now,
    )?;
    get(conn, payment_id)?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("payment vanished")))
}
