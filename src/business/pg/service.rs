//! The pg use cases: start a payment, settle what a gateway says of it (callback, status query,
//! reconciliation), read transactions.
//!
//! Settling follows one rule: a transaction becomes SUCCESS only when the gateway's answer is
//! verified (signature or checksum) *and*, where the gateway has a status query, confirmed by it;
//! then, in one database transaction with the row locked, exactly one receipt is made through
//! collection (`create_online`, keyed by the gateway's transaction id). FAILURE and PENDING never
//! touch the ledger. Gateways are called on the blocking pool, never inside a transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::Connection as _;
use diesel::PgConnection;
use rust_decimal::Decimal;

use super::gateway::{Gateway, Status, Verdict};
use super::model::Txn;
use super::repo;
pub use super::repo::Filter;
use crate::business::billing::service as billing;
use crate::business::collection::service as collection;
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::state::AppState;

/// A payment to start (`transaction/v1/_create`, the citizen's pay page).
#[derive(Clone, Debug, Default)]
pub struct NewTxn {
    /// The GP (`pb.lodhipur`).
    pub tenant_id: String,
    /// `WS` for water (the default when empty).
    pub business_service: String,
    pub consumer_code: String,
    /// The bill the client was shown, if it names one: it must be the consumer's active bill.
    pub bill_id: Option<uuid::Uuid>,
    /// Exact rupees; whole rupees only (collection's rule), more than zero.
    pub amount: Decimal,
    /// The gateway the client asks for; empty: the GP's. Another than the GP's is refused.
    pub gateway: Option<String>,
    /// Passed to the gateway (prefill), never stored.
    pub payer_name: Option<String>,
    pub payer_mobile: Option<String>,
    /// Where the customer lands after the gateway: a path on this server (`/citizen/…`) or a
    /// URL under `app.base_url`; `eg_pg_txnid` and `transactionId` are added to it.
    pub callback_url: String,
    pub user_uuid: Option<uuid::Uuid>,
}

/// A started payment: the stored PENDING transaction and where to send the customer
/// (`redirectUrl`: the gateway's page, or our page that posts the gateway's form).
#[derive(Clone, Debug)]
pub struct Started {
    pub txn: Txn,
    /// What `_create` answers (`redirectUrl`, the clients' shape: [`client_redirect`]).
    pub redirect_url: String,
    /// Where this server's own pages send the customer: the gateway's page, or `_go` which posts
    /// the gateway's form.
    pub page_url: String,
}

/// What a reconciliation run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub checked: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub expired: usize,
    pub still_pending: usize,
    pub errors: usize,
}

/// Where the customer is sent for a transaction whose gateway wants a form posted.
pub const GO_PATH: &str = "/pg-service/transaction/v1/_go";
/// Where gateways send the customer back (GET or POST), naming the transaction.
pub const RETURN_PATH: &str = "/pg-service/transaction/v1/_redirect";

fn bad(code: &str, msg: impl Into<String>, field: &str) -> AppError {
    AppError::invalid_field(code, msg, field)
}

/// Checks a payment request against the rules that need no database.
fn check_amount(business_service: &str, amount: Decimal) -> AppResult<()> {
    const F: &str = "Transaction.txnAmount";
    if amount <= Decimal::ZERO {
        return Err(bad(
            codes::PG_INVALID_AMOUNT,
            "The amount must be more than zero",
            F,
        ));
    }
    if amount.fract() != Decimal::ZERO {
        return Err(bad(
            codes::PG_INVALID_AMOUNT,
            "Payments are in whole rupees",
            F,
        ));
    }
    if let Some(max) = collection::max_payment(business_service)
        && amount > Decimal::from(max)
    {
        return Err(bad(
            codes::PG_AMOUNT_ABOVE_LIMIT,
            format!("One payment may not exceed ₹{max}"),
            F,
        ));
    }
    Ok(())
}

/// The amount against what is owed: above it only where the business service takes advance,
/// below it only where it takes part payment.
fn check_against_due(amount: Decimal, due: Decimal, part: bool, advance: bool) -> AppResult<()> {
    if amount > due && !advance {
        return Err(bad(
            codes::PG_AMOUNT_ABOVE_DUE,
            format!("At most ₹{due} may be paid"),
            "Transaction.txnAmount",
        ));
    }
    if amount < due && !part {
        return Err(bad(
            codes::PG_PART_PAYMENT_NOT_ALLOWED,
            format!("The whole ₹{due} must be paid"),
            "Transaction.txnAmount",
        ));
    }
    Ok(())
}

/// A callback URL on this server only (no open redirect): a path, or a URL under the base URL.
fn check_callback(base_url: &str, url: &str) -> AppResult<String> {
    let url = url.trim();
    let base = base_url.trim_end_matches('/');
    let ok = (url.starts_with('/') && !url.starts_with("//") && !url.contains('\\'))
        || url == base
        || url
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('?'));
    if !ok || url.chars().any(char::is_control) {
        return Err(bad(
            codes::PG_INVALID_CALLBACK_URL,
            "callbackUrl must be a page of this server",
            "Transaction.callbackUrl",
        ));
    }
    Ok(url.to_owned())
}

fn new_txn_id(
    conn: &mut PgConnection,
    state_tenant: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let seq = repo::next_seq(conn)?;
    let ist = now.with_timezone(&crate::time::IST);
    Ok(format!(
        "{}_PG_{}_{:06}_{:02}",
        state_tenant.to_uppercase(),
        ist.format("%Y_%m_%d"),
        seq % 1_000_000,
        rand_two()
    ))
}

fn rand_two() -> u32 {
    (uuid::Uuid::new_v4().as_u128() % 100) as u32
}

/// Starts a payment: the consumer's active bill on the GP (built if needed) is checked against
/// the amount (part payment and advance per the business service, the per-payment limit), a
/// PENDING transaction is stored, and the GP's gateway says where the customer goes. Errors are
/// named 400s (`PG_*`, `INVALID_TENANT_ID`, `INVALID_BUSINESS_SERVICE`).
pub async fn start_payment(state: &AppState, req: NewTxn) -> AppResult<Started> {
    let bs = if req.business_service.trim().is_empty() {
        "WS".to_owned()
    } else {
        req.business_service.trim().to_owned()
    };
    check_amount(&bs, req.amount)?;
    let callback_url = check_callback(&state.settings.app.base_url, &req.callback_url)?;
    let tenant = req.tenant_id.trim().to_owned();
    let gateway = super::gateway::gateways(state)
        .for_tenant(&tenant)
        .ok_or_else(|| {
            bad(
                codes::PG_NO_GATEWAY,
                "This GP does not take online payments",
                "Transaction.tenantId",
            )
        })?;
    if let Some(asked) = req
        .gateway
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        && !asked.eq_ignore_ascii_case(gateway.code())
    {
        return Err(bad(
            codes::PG_NO_GATEWAY,
            format!("This GP takes online payments through {}", gateway.code()),
            "Transaction.gateway",
        ));
    }
    let consumer = req.consumer_code.trim().to_owned();
    if consumer.is_empty() {
        return Err(bad(
            codes::MISSING_FIELD,
            "consumerCode is required",
            "Transaction.consumerCode",
        ));
    }
    let st = state.settings.app.state_tenant.clone();
    let code = gateway.code().to_owned();
    let (amount, user_uuid, asked_bill) = (req.amount, req.user_uuid, req.bill_id);
    let txn = db::transaction(&state.pool, move |conn| {
        let now = Utc::now();
        let service = billing::business_service(conn, &st, &tenant, &bs, "Transaction.module")?;
        let bill = billing::fetch_bill(conn, &st, &tenant, &bs, &consumer, None, now)?
            .ok_or_else(|| {
                bad(
                    codes::PG_NO_BILL,
                    "Nothing is owed by this consumer on this GP",
                    "Transaction.consumerCode",
                )
            })?;
        if asked_bill.is_some_and(|b| b != bill.bill.id) {
            return Err(bad(
                codes::PG_BILL_MISMATCH,
                "The bill named is not this consumer's current bill on this GP; fetch the bill again",
                "Transaction.billId",
            ));
        }
        check_against_due(
            amount,
            bill.bill.total_amount,
            service.part_payment_allowed,
            service.is_advance_allowed,
        )?;
        let txn = Txn {
            txn_id: new_txn_id(conn, &st, now)?,
            tenant_id: tenant.clone(),
            bill_id: bill.bill.id,
            business_service: bs.clone(),
            consumer_code: consumer.clone(),
            amount,
            gateway: code,
            status: Status::Pending.as_str().to_owned(),
            status_msg: None,
            gateway_ref: None,
            gateway_txn_id: None,
            gateway_payment_mode: None,
            gateway_status_code: None,
            gateway_status_msg: None,
            receipt: None,
            payment_id: None,
            callback_url,
            redirect: serde_json::json!({}),
            user_uuid,
            created_at: now,
            updated_at: now,
            checked_at: None,
        };
        repo::insert(conn, &txn)?;
        Ok(txn)
    })
    .await?;
    let return_url = format!(
        "{}{RETURN_PATH}?transactionId={}",
        state.settings.app.base_url.trim_end_matches('/'),
        txn.txn_id
    );
    let (g, t) = (gateway.clone(), txn.clone());
    let started = actix_web::web::block(move || g.start(&t, &return_url))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("gateway start: {e}")))?;
    let redirect = match started {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(txn = %txn.txn_id, error = %e, "pg: the gateway refused to start");
            let id = txn.txn_id.clone();
            let msg = format!("the gateway could not start the payment: {}", e.code());
            db::transaction(&state.pool, move |conn| {
                fail_pending(conn, &id, &msg, Utc::now()).map(|_| ())
            })
            .await?;
            return Err(e);
        }
    };
    let redirect_json = serde_json::json!({"url": redirect.url, "form": redirect.form,
        "client": redirect.client_url});
    let id = txn.txn_id.clone();
    let gref = redirect.gateway_ref.clone();
    let rj = redirect_json.clone();
    db::run(&state.pool, move |conn| {
        Ok(repo::set_started(conn, &id, gref.as_deref(), &rj)?)
    })
    .await?;
    let redirect_url = client_redirect(state, &txn.txn_id, &redirect_json).unwrap_or_default();
    let page_url = page_redirect(state, &txn.txn_id, &redirect_json).unwrap_or_default();
    let txn = Txn {
        gateway_ref: redirect.gateway_ref,
        redirect: redirect_json,
        ..txn
    };
    Ok(Started {
        txn,
        redirect_url,
        page_url,
    })
}

/// Where this server's pages send the customer, from a transaction's stored redirect: `_go`
/// (which posts the gateway's form) when the gateway takes a form, else its page.
pub fn page_redirect(
    state: &AppState,
    txn_id: &str,
    redirect: &serde_json::Value,
) -> Option<String> {
    if redirect.get("form").is_some_and(|f| !f.is_null()) {
        return Some(format!(
            "{}{GO_PATH}?transactionId={txn_id}",
            state.settings.app.base_url.trim_end_matches('/')
        ));
    }
    redirect
        .get("url")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

/// The `redirectUrl` the API answers: the clients' own shape where the gateway has one (PayGov's
/// query with `txURL`), else as [`page_redirect`].
pub fn client_redirect(
    state: &AppState,
    txn_id: &str,
    redirect: &serde_json::Value,
) -> Option<String> {
    redirect
        .get("client")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .or_else(|| page_redirect(state, txn_id, redirect))
}

/// A transaction by id.
pub async fn get(state: &AppState, txn_id: &str) -> AppResult<Option<Txn>> {
    let id = txn_id.to_owned();
    db::run(&state.pool, move |conn| Ok(repo::get(conn, &id)?)).await
}

/// A transaction by id, on a connection the caller has.
pub fn get_in(conn: &mut PgConnection, txn_id: &str) -> AppResult<Option<Txn>> {
    Ok(repo::get(conn, txn_id)?)
}

/// Transactions matching `f`, newest first.
pub fn search(conn: &mut PgConnection, f: &Filter) -> AppResult<Vec<Txn>> {
    Ok(repo::search(conn, f)?)
}

/// The raw answers kept for a transaction (audit): (source, params, outcome).
pub fn dumps(
    conn: &mut PgConnection,
    txn_id: &str,
) -> AppResult<Vec<(String, serde_json::Value, String)>> {
    Ok(repo::dumps(conn, txn_id)?)
}

/// The keys that only name the transaction (a client asking what became of it, not a gateway
/// answering).
fn names_only(params: &BTreeMap<String, String>) -> bool {
    params
        .keys()
        .all(|k| matches!(k.as_str(), "transactionId" | "eg_pg_txnid" | "tenantId"))
}

/// Settles what a callback says (`_update`, `_redirect`, the sandbox's post): finds the
/// transaction it names, keeps the raw parameters, and for a PENDING one checks the gateway's
/// signature, asks the gateway's status query, and settles (one receipt on a confirmed
/// success). A finished transaction is answered as it stands, nothing made. Parameters that only
/// name the transaction ask the status query alone. Refused with a 400 (nothing paid, the row
/// still PENDING): an unknown transaction (`PG_UNKNOWN_TXN`), a bad signature
/// (`PG_BAD_SIGNATURE`), an amount or transaction id differing from the row's (`PG_TAMPERED`).
/// A gateway that cannot be asked leaves it PENDING (the answer says so).
pub async fn settle_callback(
    state: &AppState,
    params: BTreeMap<String, String>,
    source: &str,
) -> AppResult<Txn> {
    let id = txn_id_in(state, &params).ok_or_else(|| {
        bad(
            codes::PG_UNKNOWN_TXN,
            "The callback names no transaction",
            "transactionId",
        )
    })?;
    let raw = serde_json::to_value(&params).unwrap_or_default();
    let (id2, src) = (id.clone(), source.to_owned());
    let txn = db::run(&state.pool, move |conn| {
        let txn = repo::get(conn, &id2)?;
        let gw = txn.as_ref().map_or("?", |t| t.gateway.as_str()).to_owned();
        repo::dump(conn, Some(&id2), &gw, &src, &raw, "received", Utc::now())?;
        Ok(txn)
    })
    .await?
    .ok_or_else(|| {
        bad(
            codes::PG_UNKNOWN_TXN,
            "No such transaction",
            "transactionId",
        )
    })?;
    if txn.status() != Status::Pending {
        return Ok(txn);
    }
    let gateway = adapter(state, &txn)?;
    let claimed = if names_only(&params) {
        None
    } else {
        let (g, t, p) = (gateway.clone(), txn.clone(), params.clone());
        let verified = actix_web::web::block(move || g.verify_callback(&p, &t))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("gateway verify: {e}")))?;
        match verified.and_then(|v| matches(&txn, &v).map(|()| v)) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(txn = %txn.txn_id, gateway = %txn.gateway, code = %e.code(),
                    "pg: callback refused");
                let (id3, gw, outcome) = (txn.txn_id.clone(), txn.gateway.clone(), e.code());
                db::run(&state.pool, move |conn| {
                    let raw = serde_json::json!({});
                    Ok(repo::dump(
                        conn,
                        Some(&id3),
                        &gw,
                        "refused",
                        &raw,
                        &outcome,
                        Utc::now(),
                    )?)
                })
                .await?;
                return Err(e);
            }
        }
    };
    let (g, t) = (gateway.clone(), txn.clone());
    let asked = actix_web::web::block(move || g.status(&t))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("gateway status: {e}")))?;
    let verdict = decide(&txn, claimed, asked);
    let st = state.clone();
    db::run(&state.pool, move |conn| {
        apply(&st, conn, &txn.txn_id, verdict)
    })
    .await
}

/// Our transaction id in callback parameters: `transactionId`/`eg_pg_txnid`, else as some
/// gateway's adapter finds it.
fn txn_id_in(state: &AppState, params: &BTreeMap<String, String>) -> Option<String> {
    for k in ["transactionId", "eg_pg_txnid"] {
        if let Some(v) = params.get(k).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            return Some(v.to_owned());
        }
    }
    super::gateway::gateways(state)
        .codes()
        .into_iter()
        .filter_map(|c| super::gateway::gateways(state).by_code(c))
        .find_map(|g| g.txn_id_of(params))
}

fn adapter(state: &AppState, txn: &Txn) -> AppResult<Arc<dyn Gateway>> {
    super::gateway::gateways(state)
        .by_code(&txn.gateway)
        .ok_or_else(|| {
            AppError::Unavailable(format!(
                "the gateway {} of this transaction is not configured now",
                txn.gateway
            ))
        })
}

/// A verdict must name this transaction and, when it claims success, its exact amount.
fn matches(txn: &Txn, v: &Verdict) -> AppResult<()> {
    if v.txn_id != txn.txn_id {
        return Err(bad(
            codes::PG_TAMPERED,
            "The gateway's answer names another transaction",
            "transactionId",
        ));
    }
    if v.status == Status::Success && v.amount != Some(txn.amount) {
        return Err(bad(
            codes::PG_TAMPERED,
            "The gateway's answer names another amount",
            "amount",
        ));
    }
    Ok(())
}

/// What a transaction becomes, from the verified callback (if any) and the status query's answer.
/// The status query, where the gateway has one, decides; an unreachable gateway leaves PENDING;
/// without a status query the verified callback stands.
fn decide(
    txn: &Txn,
    claimed: Option<Verdict>,
    asked: AppResult<Option<Verdict>>,
) -> Option<Verdict> {
    match asked {
        Ok(Some(v)) => match matches(txn, &v) {
            Ok(()) => Some(v),
            Err(e) => {
                tracing::error!(txn = %txn.txn_id, code = %e.code(),
                    "pg: the gateway's status answer does not match the transaction; left PENDING");
                None
            }
        },
        Ok(None) => claimed,
        Err(e) => {
            tracing::warn!(txn = %txn.txn_id, error = %e, "pg: status query failed; left PENDING");
            None
        }
    }
}

/// Settles `txn_id` by `verdict` in one transaction, the row locked: only a PENDING row changes;
/// SUCCESS makes the one receipt (collection, keyed by the gateway's transaction id); FAILURE
/// stores the gateway's words; none (or PENDING) only notes the check. Answers the row as it
/// now stands.
fn apply(
    state: &AppState,
    conn: &mut PgConnection,
    txn_id: &str,
    verdict: Option<Verdict>,
) -> AppResult<Txn> {
    let now = Utc::now();
    db::commit(conn, &state.pool, |conn| {
        let mut txn = repo::get_for_update(conn, txn_id)?.ok_or_else(|| {
            bad(
                codes::PG_UNKNOWN_TXN,
                "No such transaction",
                "transactionId",
            )
        })?;
        if txn.status() != Status::Pending {
            return Ok(txn);
        }
        txn.checked_at = Some(now);
        txn.updated_at = now;
        let Some(v) = verdict else {
            repo::save(conn, &txn)?;
            return Ok(txn);
        };
        txn.gateway_txn_id = v.gateway_txn_id.clone().or(txn.gateway_txn_id);
        txn.gateway_payment_mode = v.payment_mode.clone();
        txn.gateway_status_code = v.status_code.clone();
        txn.gateway_status_msg = v.status_msg.clone();
        match v.status {
            Status::Pending => {}
            Status::Failure => {
                txn.status = Status::Failure.as_str().to_owned();
                txn.status_msg = Some(
                    v.status_msg
                        .unwrap_or_else(|| "The gateway reports the payment failed".to_owned()),
                );
            }
            Status::Success => pay(state, conn, &mut txn, now)?,
        }
        repo::save(conn, &txn)?;
        Ok(txn)
    })
}

/// Tells the payment's module about a receipt just made (not about a replay).
fn told(
    conn: &mut PgConnection,
    state: &AppState,
    taken: &collection::Taken,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match taken {
        collection::Taken::New(p, _) => collection::paid(conn, state, p, now),
        collection::Taken::Replayed(_) => Ok(()),
    }
}

/// Makes the receipt of a confirmed payment (in the caller's transaction, the row locked). A
/// bill replaced since the start (a new demand, a counter payment) is paid through the
/// consumer's current bill; a payment collection still refuses stays PENDING with the reason
/// (money taken, no receipt: for staff to see), nothing half-written.
fn pay(
    state: &AppState,
    conn: &mut PgConnection,
    txn: &mut Txn,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(gateway_txn_id) = txn.gateway_txn_id.clone() else {
        txn.status_msg = Some("The gateway confirmed no transaction id; not settled".to_owned());
        return Ok(());
    };
    let st = state.settings.app.state_tenant.clone();
    let payment = |bill_id| collection::NewPayment {
        tenant_id: txn.tenant_id.clone(),
        bill_id,
        business_service: txn.business_service.clone(),
        total_due: Decimal::ZERO,
        amount: txn.amount,
        payment_mode: "ONLINE".to_owned(),
        paid_by: None,
        payer_name: None,
        mobile: None,
        instrument_number: Some(gateway_txn_id.clone()),
        idempotency_key: Some(gateway_txn_id.clone()),
    };
    let first = conn.transaction(|c| -> AppResult<collection::Taken> {
        let taken = collection::create_online(
            c,
            &state.crypto,
            &st,
            &payment(txn.bill_id),
            &gateway_txn_id,
            now,
        )?;
        told(c, state, &taken, now)?;
        Ok(taken)
    });
    let taken = match first {
        Err(e) if e.code() == "BILL_NOT_ACTIVE" => conn.transaction(|c| -> AppResult<_> {
            let current = billing::fetch_bill(
                c,
                &st,
                &txn.tenant_id,
                &txn.business_service,
                &txn.consumer_code,
                None,
                now,
            )?
            .map(|b| b.bill.id)
            .ok_or_else(|| bad("BILL_NOT_ACTIVE", "Nothing is owed now", "billId"))?;
            let taken = collection::create_online(
                c,
                &state.crypto,
                &st,
                &payment(current),
                &gateway_txn_id,
                now,
            )?;
            told(c, state, &taken, now)?;
            Ok(taken)
        }),
        other => other,
    };
    match taken {
        Ok(collection::Taken::New(p, _)) => {
            txn.receipt = Some(p.receipt_number.clone());
            txn.payment_id = Some(p.id);
            txn.status = Status::Success.as_str().to_owned();
            txn.status_msg = None;
        }
        Ok(collection::Taken::Replayed(v)) => {
            txn.receipt = v
                .pointer("/Payments/0/paymentDetails/0/receiptNumber")
                .and_then(|r| r.as_str())
                .map(str::to_owned);
            txn.payment_id = v
                .pointer("/Payments/0/id")
                .and_then(|r| r.as_str())
                .and_then(|s| s.parse().ok());
            if txn.receipt.is_some() {
                txn.status = Status::Success.as_str().to_owned();
                txn.status_msg = None;
            }
        }
        Err(e) => {
            tracing::error!(txn = %txn.txn_id, code = %e.code(), error = %e,
                "pg: paid at the gateway but no receipt could be made; left PENDING");
            txn.status_msg = Some(format!("Paid at the gateway; no receipt yet: {}", e.code()));
        }
    }
    Ok(())
}

/// Turns a PENDING transaction into FAILURE with `msg` (the row locked); others unchanged.
fn fail_pending(
    conn: &mut PgConnection,
    txn_id: &str,
    msg: &str,
    now: DateTime<Utc>,
) -> AppResult<Txn> {
    let mut txn = repo::get_for_update(conn, txn_id)?.ok_or_else(|| {
        bad(
            codes::PG_UNKNOWN_TXN,
            "No such transaction",
            "transactionId",
        )
    })?;
    if txn.status() == Status::Pending {
        txn.status = Status::Failure.as_str().to_owned();
        txn.status_msg = Some(msg.to_owned());
        txn.updated_at = now;
        repo::save(conn, &txn)?;
    }
    Ok(txn)
}

/// The reconciliation (job `pg-reconcile`): every PENDING transaction older than
/// `pg.reconcile_after_minutes` is asked about and settled; one still unconfirmed after
/// `pg.expire_after_minutes` (the gateway answering, not unreachable) expires as FAILURE.
/// Runs on the caller's thread (gateway calls block) with short transactions of its own.
pub fn reconcile(
    state: &AppState,
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    let s = &state.settings.pg;
    let before = now - chrono::Duration::minutes(s.reconcile_after_minutes.max(0));
    let expire_before = now - chrono::Duration::minutes(s.expire_after_minutes.max(0));
    let mut out = Reconciled::default();
    for txn in repo::pending_before(conn, before, 10_000)? {
        out.checked += 1;
        let Some(gateway) = super::gateway::gateways(state).by_code(&txn.gateway) else {
            out.errors += 1;
            continue;
        };
        let asked = gateway.status(&txn);
        let answered = asked.is_ok();
        let verdict = decide(&txn, None, asked);
        let raw = serde_json::json!({"verdict": verdict.as_ref().map(|v| v.status.as_str())});
        repo::dump(
            conn,
            Some(&txn.txn_id),
            &txn.gateway,
            "reconcile",
            &raw,
            "asked",
            now,
        )?;
        let after = match apply(state, conn, &txn.txn_id, verdict) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(txn = %txn.txn_id, error = %e, "pg: reconciliation failed");
                out.errors += 1;
                continue;
            }
        };
        match after.status() {
            Status::Success => out.succeeded += 1,
            Status::Failure => out.failed += 1,
            Status::Pending
                if answered
                    && after.created_at < expire_before
                    && after.receipt.is_none()
                    && !after
                        .status_msg
                        .as_deref()
                        .is_some_and(|m| m.starts_with("Paid at the gateway")) =>
            {
                let msg = "Expired: the gateway never confirmed the payment";
                db::commit(conn, &state.pool, |c| {
                    fail_pending(c, &txn.txn_id, msg, now)
                })?;
                out.expired += 1;
            }
            Status::Pending => out.still_pending += 1,
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
