//! `/pg-service/*` (digit-contracts.md §2.9, the deployed paths): create, update (the gateway's
//! callback parameters), search, the gateways; and the two addresses gateways and customers
//! pass through: `_redirect` (the gateway's return) and `_go` (a page posting a gateway's form).

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::model::Txn;
use super::service::{self, Filter, NewTxn};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::platform::access::link;
use crate::platform::mdms::service::decimal_json;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/pg-service/transaction/v1/_create",
        Access::ProtectedOrLink,
        create,
    )
    .post("/pg-service/transaction/v1/_update", Access::Mixed, update)
    .get("/pg-service/transaction/v1/_update", Access::Mixed, update)
    .post(
        "/pg-service/transaction/v1/_search",
        Access::Protected,
        search,
    )
    .post("/pg-service/gateway/v1/_search", Access::Mixed, gateways)
    .get(service::RETURN_PATH, Access::Mixed, returned)
    .post(service::RETURN_PATH, Access::Mixed, returned);
}

/// A transaction as DIGIT answers it (`Transaction`; `txnAmount` a string, as the app reads it).
pub fn txn_json(state: &AppState, t: &Txn) -> Value {
    let redirect_url = redirect_url(state, t);
    json!({
        "tenantId": t.tenant_id, "txnId": t.txn_id, "txnAmount": t.amount.normalize().to_string(),
        "billId": t.bill_id, "module": t.business_service, "consumerCode": t.consumer_code,
        "taxAndPayments": [{"billId": t.bill_id, "amountPaid": decimal_json(t.amount)}],
        "productInfo": "Common Payment", "gateway": t.gateway, "callbackUrl": t.callback_url,
        "user": {"uuid": t.user_uuid, "tenantId": t.tenant_id},
        "redirectUrl": redirect_url, "txnStatus": t.status, "txnStatusMsg": t.status_msg,
        "gatewayTxnId": t.gateway_txn_id, "gatewayPaymentMode": t.gateway_payment_mode,
        "gatewayStatusCode": t.gateway_status_code, "gatewayStatusMsg": t.gateway_status_msg,
        "receipt": t.receipt, "bankTransactionNo": t.gateway_txn_id,
        "additionalDetails": {},
        "auditDetails": {"createdBy": t.user_uuid, "createdTime": t.created_at.timestamp_millis(),
            "lastModifiedTime": t.updated_at.timestamp_millis()},
    })
}

fn redirect_url(state: &AppState, t: &Txn) -> Option<String> {
    service::client_redirect(state, &t.txn_id, &t.redirect)
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    #[serde(rename = "Transaction")]
    transaction: TxnIn,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TxnIn {
    tenant_id: String,
    #[serde(deserialize_with = "crate::money::amount")]
    txn_amount: Decimal,
    bill_id: Option<String>,
    module: Option<String>,
    consumer_code: String,
    #[serde(default)]
    tax_and_payments: Vec<TaxAndPaymentIn>,
    gateway: Option<String>,
    callback_url: String,
    user: Option<UserIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaxAndPaymentIn {
    bill_id: Option<String>,
    #[serde(default, deserialize_with = "crate::money::optional")]
    amount_paid: Option<Decimal>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserIn {
    uuid: Option<String>,
    name: Option<String>,
    mobile_number: Option<String>,
}

fn uuid_field(s: Option<&str>, field: &str) -> AppResult<Option<uuid::Uuid>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid_field(codes::INVALID_VALUE, "not a bill id", field)),
    }
}

async fn create(state: web::Data<AppState>, req: Digit<CreateBody>) -> AppResult<HttpResponse> {
    let t = &req.body.transaction;
    let anonymous = req.caller.user().is_none();
    if anonymous {
        link::gp(t.tenant_id.trim())?;
    }
    let bill_id = uuid_field(t.bill_id.as_deref(), "Transaction.billId")?;
    // Every bill the request names is the one bill paid, for the one amount.
    for (i, tp) in t.tax_and_payments.iter().enumerate() {
        let field = format!("Transaction.taxAndPayments[{i}].billId");
        let named = uuid_field(tp.bill_id.as_deref(), &field)?;
        if named.is_some() && bill_id.is_some() && named != bill_id {
            return Err(AppError::invalid_field(
                codes::PG_BILL_MISMATCH,
                "taxAndPayments names another bill than billId",
                &field,
            ));
        }
        if tp.amount_paid.is_some_and(|a| a != t.txn_amount) {
            return Err(AppError::invalid_field(
                codes::PG_INVALID_AMOUNT,
                "amountPaid differs from txnAmount",
                &format!("Transaction.taxAndPayments[{i}].amountPaid"),
            ));
        }
    }
    let bill_id = bill_id.or(t
        .tax_and_payments
        .first()
        .and_then(|tp| tp.bill_id.as_deref())
        .and_then(|b| b.trim().parse().ok()));
    let user_uuid = req.caller.user().map(|u| u.uuid).or_else(|| {
        t.user
            .as_ref()
            .and_then(|u| u.uuid.as_deref())
            .and_then(|u| u.parse().ok())
    });
    let started = service::start_payment(
        &state,
        NewTxn {
            tenant_id: t.tenant_id.clone(),
            business_service: t.module.clone().unwrap_or_default(),
            consumer_code: t.consumer_code.clone(),
            bill_id,
            amount: t.txn_amount,
            gateway: t.gateway.clone(),
            payer_name: t.user.as_ref().and_then(|u| u.name.clone()),
            payer_mobile: t
                .user
                .as_ref()
                .and_then(|u| u.mobile_number.clone())
                .filter(|m| !link::is_masked(m)),
            callback_url: t.callback_url.clone(),
            user_uuid,
        },
    )
    .await?;
    let mut v = txn_json(&state, &started.txn);
    v["redirectUrl"] = json!(started.redirect_url);
    Ok(HttpResponse::Ok().json(json!({
        "ResponseInfo": ResponseInfo::success(&req.info),
        "Transaction": v,
    })))
}

/// The callback's parameters: the query's, and a posted form's (gateways post their answer).
fn callback_params(http: &HttpRequest, body: &[u8]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(http.query_string())
            .unwrap_or_default()
            .into_iter()
            .collect();
    let form = http
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if form {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        out.extend(fields);
    }
    out
}

async fn update(
    state: web::Data<AppState>,
    http: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let params = callback_params(&http, &body);
    let txn = service::settle_callback(&state, params, "update").await?;
    Ok(HttpResponse::Ok().json(json!({
        "ResponseInfo": {"status": "successful"},
        "Transaction": [txn_json(&state, &txn)],
    })))
}

/// The gateway sends the customer back here: the answer is settled, then the customer goes on
/// to the page that started the payment (with the transaction named), whatever the answer
/// (that page shows the stored status).
async fn returned(
    state: web::Data<AppState>,
    http: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let params = callback_params(&http, &body);
    let id = params.get("transactionId").cloned().unwrap_or_default();
    if let Err(e) = service::settle_callback(&state, params, "return").await {
        tracing::warn!(txn = %id, code = %e.code(), "pg: the gateway's return was not settled");
    }
    let txn = service::get(&state, &id).await?.ok_or_else(|| {
        AppError::invalid_field(
            codes::PG_UNKNOWN_TXN,
            "No such transaction",
            "transactionId",
        )
    })?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, txn.back_url()))
        .finish())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    tenant_id: Option<String>,
    txn_id: Option<String>,
    bill_id: Option<String>,
    user_uuid: Option<String>,
    receipt: Option<String>,
    consumer_code: Option<String>,
    txn_status: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

async fn search(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let (offset, limit) = params::paging(q.offset, q.limit)?;
    let tenant = params::tenant(&q.tenant_id)?;
    let f = Filter {
        tenant_ids: vec![tenant],
        txn_ids: params::csv(&q.txn_id),
        bill_ids: params::uuids(&q.bill_id, "billId")?,
        user_uuids: params::uuids(&q.user_uuid, "userUuid")?,
        receipts: params::csv(&q.receipt),
        consumer_codes: params::csv(&q.consumer_code),
        statuses: params::csv(&q.txn_status)
            .into_iter()
            .map(|s| s.to_uppercase())
            .collect(),
        from: None,
        to: None,
        offset,
        limit,
    };
    let found = db::run(&state.pool, move |c| service::search(c, &f)).await?;
    let list: Vec<Value> = found.iter().map(|t| txn_json(&state, t)).collect();
    Ok(HttpResponse::Ok().json(json!({
        "ResponseInfo": ResponseInfo::success(&req.info),
        "Transaction": list,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GatewayQuery {
    tenant_id: Option<String>,
}

/// The gateways enabled (for a GP: its own, if any).
async fn gateways(
    state: web::Data<AppState>,
    q: web::Query<GatewayQuery>,
) -> AppResult<HttpResponse> {
    let codes: Vec<&str> = match q
        .tenant_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) => super::gateway::gateways(&state)
            .for_tenant(t)
            .map(|g| g.code())
            .into_iter()
            .collect(),
        None => super::gateway::gateways(&state).codes(),
    };
    Ok(HttpResponse::Ok().json(codes))
}
