//! Payment use cases: take a payment (validate, settle through billing, number the receipt,
//! record), cancel one, and the reads other modules make of payments.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use sha2::Digest as _;

use super::repo;
pub use super::repo::{Filter, Payment};
use crate::business::billing::service as billing;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::platform::encryption::Crypto;

/// Largest payment one counter transaction may take (product.md §3.6: the app's rule for water
/// payments).
pub const MAX_PAYMENT: i64 = 10_000;

/// The largest payment one transaction of a business service may take: water's counter limit;
/// none for the others (an expense bill is paid whole, whatever its amount).
pub fn max_payment(business_service: &str) -> Option<i64> {
    (business_service == "WS").then_some(MAX_PAYMENT)
}

/// The sealed payer fields (`platform::encryption` column labels).
const COL_PAID_BY: &str = "payment.paid_by";
const COL_PAYER_NAME: &str = "payment.payer_name";
const COL_MOBILE: &str = "payment.mobile";

/// Who paid, opened: `paidBy`, `payerName`, `mobileNumber`.
pub fn payer_fields(
    crypto: &Crypto,
    p: &Payment,
) -> AppResult<(Option<String>, Option<String>, Option<String>)> {
    let paid_by = match &p.paid_by_enc {
        Some(sealed) => Some(crypto.open(COL_PAID_BY, sealed)?),
        None => p.paid_by.clone(),
    };
    Ok((
        paid_by,
        crypto.open_opt(COL_PAYER_NAME, p.payer_name_enc.as_deref())?,
        crypto.open_opt(COL_MOBILE, p.mobile_enc.as_deref())?,
    ))
}

/// The payment with what it does not say of its payer taken from its bill's payer (as
/// collection-services fills a payment from its bill): who paid and their name default to the
/// payer's name, the mobile number (or one masked, `********10`) to theirs.
fn with_bill_payer(p: &NewPayment, payer: Option<&billing::Payer>) -> NewPayment {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let name = payer.map(|b| b.name.clone());
    NewPayment {
        paid_by: given(&p.paid_by).or_else(|| name.clone()),
        payer_name: given(&p.payer_name).or(name),
        // A number masked for a link holder (the app's collect screen fetches the bill without a
        // token and posts back what it was shown) stands for the bill's payer's.
        mobile: given(&p.mobile)
            .filter(|m| !crate::platform::access::link::is_masked(m))
            .or_else(|| payer.and_then(|b| b.mobile.clone())),
        ..p.clone()
    }
}

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
    } else if let Some(max) =
        max_payment(&p.business_service).filter(|max| p.amount > Decimal::from(*max))
    {
        errors.push(ErrorDetail::field(
            "AMOUNT_ABOVE_LIMIT",
            format!("One payment may not exceed ₹{max}"),
            "Payment.totalAmountPaid",
        ));
    }
    if p.payment_mode.trim().is_empty() {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
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

/// What a business service's module does when one of its consumers pays (the household's
/// receipt SMS): run in the payment's transaction, so a payment rolled back tells no one.
pub type OnPayment =
    fn(&mut PgConnection, &crate::state::AppState, &Payment, DateTime<Utc>) -> AppResult<()>;

static ON_PAYMENT: std::sync::RwLock<Vec<(&'static str, OnPayment)>> =
    std::sync::RwLock::new(Vec::new());

/// Registers what `business_service` does on a payment (again: replaced).
pub fn install_on_payment(business_service: &'static str, f: OnPayment) {
    let mut all = ON_PAYMENT.write().unwrap_or_else(|p| p.into_inner());
    all.retain(|(s, _)| *s != business_service);
    all.push((business_service, f));
}

/// Tells the payment's module about a new payment (every path that takes one calls this after
/// [`create`] / [`create_online`] made it, in the same transaction; a replay is not new).
pub fn paid(
    conn: &mut PgConnection,
    state: &crate::state::AppState,
    payment: &Payment,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let f = ON_PAYMENT
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .find(|(s, _)| *s == payment.business_service)
        .map(|(_, f)| *f);
    match f {
        Some(f) => f(conn, state, payment, now),
        None => Ok(()),
    }
}

/// Takes a payment against the consumer's active bill, in the caller's transaction: the bill
/// and the business service's mode rule checked, then under the consumer's lock: an idempotency
/// key already used replays its first answer (a different request with it is refused), billing
/// settles the amount (part payment and advance rules, oldest first) and hands back where every
/// rupee went, the receipt is numbered and everything recorded.
pub fn create(
    conn: &mut PgConnection,
    crypto: &Crypto,
    state_tenant: &str,
    p: &NewPayment,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Taken> {
    take(conn, crypto, state_tenant, p, actor, None, now)
}

/// Takes a payment a gateway received (pg-service only; the counter cannot take ONLINE where
/// the business service forbids it): mode ONLINE whatever the business service's counter modes
/// say, the gateway's transaction id as the receipt's transaction number and as the idempotency
/// key, so one gateway payment makes one receipt however often it is settled. Otherwise as
/// [`create`] (in the caller's transaction), and its answer remembered for the key.
pub fn create_online(
    conn: &mut PgConnection,
    crypto: &Crypto,
    state_tenant: &str,
    p: &NewPayment,
    gateway_txn_id: &str,
    now: DateTime<Utc>,
) -> AppResult<Taken> {
    let p = NewPayment {
        payment_mode: "ONLINE".to_owned(),
        idempotency_key: Some(gateway_txn_id.to_owned()),
        ..p.clone()
    };
    let taken = take(
        conn,
        crypto,
        state_tenant,
        &p,
        None,
        Some(gateway_txn_id),
        now,
    )?;
    if let Taken::New(payment, _) = &taken {
        let answer = serde_json::json!({"Payments": [{"id": payment.id,
            "paymentDetails": [{"receiptNumber": payment.receipt_number}]}]});
        remember(conn, &p, payment.id, &answer, now)?;
    }
    Ok(taken)
}

fn take(
    conn: &mut PgConnection,
    crypto: &Crypto,
    state_tenant: &str,
    p: &NewPayment,
    actor: Option<uuid::Uuid>,
    gateway_txn_id: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Taken> {
    check(p)?;
    let bill = match gateway_txn_id {
        Some(_) => billing::payable_bill_online(
            conn,
            state_tenant,
            &p.tenant_id,
            p.bill_id,
            &p.business_service,
        )?,
        None => billing::payable_bill(
            conn,
            state_tenant,
            &p.tenant_id,
            p.bill_id,
            &p.business_service,
            &p.payment_mode,
        )?,
    };
    let (t, bs, code) = (&bill.tenant_id, &bill.business_service, &bill.consumer_code);
    let billed = billing::Billed {
        consumer_code: code.clone(),
        payer_uuid: bill.payer_uuid,
    };
    let payer = billing::payers(conn, crypto, t, bs, &[billed])?.remove(code);
    let filled = with_bill_payer(p, payer.as_ref());
    billing::under_lock(conn, t, bs, code, |conn| {
        if let Some(replay) = replayed(conn, crypto, p)? {
            return Ok(Taken::Replayed(replay));
        }
        let mut settled = billing::settle(conn, &bill, p.amount, actor, now)?;
        billing::set_payer(&mut settled.bill, payer.as_ref());
        // The receipt number last: the GP's receipt sequence row stays locked until commit, so
        // the less work after it, the more payments a GP can take at once.
        let receipt_id = receipt_id_name(conn, &bill.business_service)?;
        let receipt =
            crate::platform::idgen::next_id(conn, state_tenant, &p.tenant_id, &receipt_id, now)?;
        let number = gateway_txn_id.map(str::to_owned);
        let payment = record(
            conn, crypto, &filled, &bill, &settled, receipt, number, actor, now,
        )?;
        let r = &payment.receipt_number;
        super::books::post(conn, t, bs, code, r, false, now)?;
        if bill.business_service == "WS" {
            receipt_email(conn, crypto, &payment, bill.payer_uuid, payer.as_ref(), now)?;
        }
        Ok(Taken::New(Box::new(payment), settled.bill))
    })
}

/// Where a water receipt's e-mail links: the citizen pages' receipt PDF
/// (`municipal::water::citizen::links::receipt_path`, above this module), through a short link.
fn receipt_pdf_path(tenant: &str, consumer: &str, receipt: &str) -> String {
    let enc = |s: &str| crate::words::urlencode(s);
    format!(
        "/citizen/receipt.pdf?tenantId={}&consumerCode={}&receiptNumber={}",
        enc(tenant),
        enc(consumer),
        enc(receipt)
    )
}

/// Days a receipt e-mail's link works (as the SMS links).
const RECEIPT_LINK_DAYS: i64 = 30;

/// Queues the receipt e-mail of a water payment (same transaction) when the household's owner
/// gave an e-mail address: amount, receipt number, consumer, what is still pending and a link
/// to the receipt PDF, in the owner's language.
fn receipt_email(
    conn: &mut PgConnection,
    crypto: &Crypto,
    payment: &Payment,
    owner: Option<uuid::Uuid>,
    payer: Option<&billing::Payer>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use crate::platform::notification::email;
    let Some(owner) = owner else {
        return Ok(());
    };
    let Some(user) = crate::platform::user::service::get_by_uuid(conn, crypto, owner)? else {
        return Ok(());
    };
    let Some(to) = user.email.as_deref() else {
        return Ok(());
    };
    let (tenant, consumer) = (&payment.tenant_id, &payment.consumer_code);
    let key = crate::platform::shortener::shorten(
        conn,
        &receipt_pdf_path(tenant, consumer, &payment.receipt_number),
        Some(now),
        Some(now + chrono::Duration::days(RECEIPT_LINK_DAYS)),
        None,
        now,
    )?;
    let money = |d: Decimal| d.round_dp(2).normalize().to_string();
    let pending = (payment.total_due - payment.total_amount_paid).max(Decimal::ZERO);
    let name = payer.map_or_else(|| user.name.clone(), |p| p.name.clone());
    email::enqueue(
        conn,
        crypto,
        &email::Mail {
            tenant_id: tenant,
            to,
            kind: email::Kind::Receipt,
            locale: user
                .locale
                .as_deref()
                .and_then(crate::platform::localization::Locale::parse),
            values: vec![
                ("NAME", name),
                ("TENANT", tenant.clone()),
                ("CONSUMER", consumer.clone()),
                ("RECEIPT_NO", payment.receipt_number.clone()),
                ("AMOUNT", money(payment.total_amount_paid)),
                ("PENDING", money(pending)),
                ("LINK_PATH", crate::platform::shortener::short_url("", &key)),
            ],
        },
        now,
    )?;
    Ok(())
}

/// The id format a business service's receipts are numbered by: `ws.receipt.id` for water,
/// `expense.<type>.receipt.id` for an expense type when the master data has it, else
/// `receipt.id`.
fn receipt_id_name(conn: &mut PgConnection, business_service: &str) -> AppResult<String> {
    if business_service == "WS" {
        return Ok("ws.receipt.id".to_owned());
    }
    if let Some(kind) = business_service.strip_prefix("EXPENSE.") {
        let name = format!("expense.{}.receipt.id", kind.to_lowercase());
        if crate::platform::mdms::repo::id_format(conn, &name)?.is_some() {
            return Ok(name);
        }
    }
    Ok("receipt.id".to_owned())
}

/// Where an answer remembered for an idempotency key names its payer: kept without them (personal
/// data is sealed at rest), filled again from the payment and its bill when replayed.
const PAYER_POINTERS: [&str; 5] = [
    "/Payments/0/paidBy",
    "/Payments/0/payerName",
    "/Payments/0/mobileNumber",
    "/Payments/0/paymentDetails/0/bill/payerName",
    "/Payments/0/paymentDetails/0/bill/mobileNumber",
];

fn without_payer(response: &serde_json::Value) -> serde_json::Value {
    let mut v = response.clone();
    for ptr in PAYER_POINTERS {
        if let Some(x) = v.pointer_mut(ptr) {
            *x = serde_json::Value::Null;
        }
    }
    v
}

/// A remembered answer with its payer filled again (see [`PAYER_POINTERS`]).
fn with_payer(
    conn: &mut PgConnection,
    crypto: &Crypto,
    mut v: serde_json::Value,
    payment_id: uuid::Uuid,
) -> AppResult<serde_json::Value> {
    if let Some(payment) = get(conn, payment_id)? {
        let (paid_by, name, mobile) = payer_fields(crypto, &payment)?;
        for (ptr, value) in PAYER_POINTERS.iter().zip([paid_by, name, mobile]) {
            if let Some(x) = v.pointer_mut(ptr) {
                *x = serde_json::json!(value);
            }
        }
    }
    if let Some(bill) = v.pointer_mut("/Payments/0/paymentDetails/0/bill") {
        billing::add_payers(conn, crypto, std::slice::from_mut(bill))?;
    }
    Ok(v)
}

/// The answer first given for the request's idempotency key; a different request with the same
/// key is refused.
fn replayed(
    conn: &mut PgConnection,
    crypto: &Crypto,
    p: &NewPayment,
) -> AppResult<Option<serde_json::Value>> {
    let Some(key) = &p.idempotency_key else {
        return Ok(None);
    };
    match repo::remembered(conn, &p.tenant_id, key)? {
        Some((h, response, payment_id)) if h == request_hash(p) => {
            Ok(Some(with_payer(conn, crypto, response, payment_id)?))
        }
        Some(_) => Err(AppError::conflict(
            "IDEMPOTENCY_KEY_REUSED",
            "This idempotency key was used for a different payment",
        )),
        None => Ok(None),
    }
}

/// Records the settled payment with its receipt number (payer details sealed).
#[expect(
    clippy::too_many_arguments,
    reason = "the payment, its bill, its settlement and its receipt"
)]
fn record(
    conn: &mut PgConnection,
    crypto: &Crypto,
    p: &NewPayment,
    bill: &billing::PayableBill,
    settled: &billing::Settlement,
    receipt: String,
    transaction_number: Option<String>,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Payment> {
    let mobile = p.mobile.as_deref().filter(|m| !m.trim().is_empty());
    let payment = Payment {
        id: uuid::Uuid::new_v4(),
        tenant_id: p.tenant_id.clone(),
        total_due: settled.due,
        total_amount_paid: p.amount,
        payment_mode: p.payment_mode.to_uppercase(),
        // A gateway's payment is numbered by the gateway; the counter's by its receipt.
        transaction_number: transaction_number
            .unwrap_or_else(|| format!("{}-{}", receipt, now.timestamp_millis())),
        transaction_date: now,
        payment_status: "NEW".to_owned(),
        paid_by: None,
        paid_by_enc: p.paid_by.as_deref().map(|n| crypto.seal(COL_PAID_BY, n)),
        payer_name_enc: p
            .payer_name
            .as_deref()
            .map(|n| crypto.seal(COL_PAYER_NAME, n)),
        mobile_enc: mobile.map(|m| crypto.seal(COL_MOBILE, m)),
        created_by: actor,
        created_at: now,
        receipt_number: receipt,
        receipt_date: now,
        bill_id: bill.id,
        business_service: bill.business_service.clone(),
        consumer_code: bill.consumer_code.clone(),
        detail_id: uuid::Uuid::new_v4(),
    };
    repo::insert_payment(
        conn,
        &payment,
        p.instrument_number.as_deref(),
        bill.payer_uuid,
        mobile.map(|m| crypto.blind_index("mobile", m)),
        &settled.allocation,
    )?;
    Ok(payment)
}

/// Remembers the answer given for an idempotency key (same transaction as the payment), without
/// who paid (see [`PAYER_POINTERS`]).
pub fn remember(
    conn: &mut PgConnection,
    p: &NewPayment,
    payment_id: uuid::Uuid,
    response: &serde_json::Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(key) = &p.idempotency_key {
        repo::remember(
            conn,
            &p.tenant_id,
            key,
            request_hash(p),
            payment_id,
            &without_payer(response),
            now,
        )?;
    }
    Ok(())
}

/// A payment by id.
pub fn get(conn: &mut PgConnection, id: uuid::Uuid) -> AppResult<Option<Payment>> {
    repo::get(conn, id)
}

/// Payments matching `f`, newest first, and how many match in all.
pub fn search(conn: &mut PgConnection, f: &Filter) -> AppResult<(Vec<Payment>, i64)> {
    repo::search(conn, f)
}

/// Where a receipt's money went: (demand line, kind, amount), kind COLLECT, USE_CREDIT or
/// ADVANCE.
pub fn allocations(
    conn: &mut PgConnection,
    payment_detail_id: uuid::Uuid,
) -> QueryResult<Vec<(uuid::Uuid, String, Decimal)>> {
    repo::allocations(conn, payment_detail_id)
}

/// What live receipts of a tenant's business service took between `from` and `to`.
pub fn collected_between(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Decimal> {
    repo::collected_between(conn, tenant, service, from, to)
}

/// What live cash receipts of a tenant's business service took between `from` and `to`, and
/// from how many consumers (the evening's today's-collection message).
pub fn cash_between(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<(Decimal, i64)> {
    repo::cash_between(conn, tenant, service, from, to)
}

/// Cancels a receipt: every line it moved goes back exactly (through billing); refused when
/// its advance was already used by a later demand.
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
    let (t, bs, code) = (&p.tenant_id, &p.business_service, &p.consumer_code);
    billing::under_lock(conn, t, bs, code, |conn| {
        let allocs = repo::allocations(conn, p.detail_id)?;
        billing::unsettle(conn, t, bs, code, p.bill_id, &allocs, actor, now)?;
        repo::set_cancelled(conn, payment_id, actor, now)?;
        super::books::post(conn, t, bs, code, &p.receipt_number, true, now)?;
        get(conn, payment_id)?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("payment vanished")))
    })
}

/// The ledger check, whole: billing's half (bills against demands, every line's collected
/// amount against what receipts and adjustments moved onto it, given what this module's
/// receipts moved) and collection's (every live receipt spread over demand lines exactly).
/// Read-only. Answers how many consumer ledgers were checked and the differences.
pub fn ledger_check(
    conn: &mut PgConnection,
    tenant: Option<&str>,
) -> AppResult<(usize, Vec<billing::LedgerProblem>)> {
    let moved = repo::moved_per_line(conn, tenant)?;
    let (checked, mut problems) = billing::ledger_check(conn, tenant, &moved)?;
    problems.extend(
        repo::receipts_not_spread(conn, tenant)?
            .into_iter()
            .map(|r| billing::LedgerProblem {
                what: format!(
                    "receipt {} is not spread exactly: {} vs {}",
                    r.receipt_number, r.a, r.b
                ),
                tenant_id: r.tenant_id,
                consumer_code: r.consumer_code,
            }),
    );
    let owed = billing::owed_all(conn, tenant)?;
    let cash = super::books::cash(conn, tenant)?;
    problems.extend(
        crate::business::accounts::service::check(conn, tenant, &owed, &cash)?
            .into_iter()
            .map(|p| billing::LedgerProblem {
                tenant_id: p.tenant_id,
                consumer_code: p.party,
                what: p.what,
            }),
    );
    Ok((checked, problems))
}

/// The read-only figures of this module's tables (roll-out dashboard, iFIX export).
pub use super::repo::figures;

/// The read-only figures of the GP's dashboard (`municipal::dashboard`).
pub use super::repo::dashboard;
/// The read-only rows of this module's tables for the water reports.
pub use super::repo::report_figures;
/// The division and state views' reads (changed GPs, month figures).
pub use super::repo::rollup;
