//! `POST /pg-service/transaction/v1/_webhook/razorpay`: Razorpay's webhooks. Open (Razorpay
//! sends no token), taken only with a valid `X-Razorpay-Signature` (HMAC-SHA256 of the raw body
//! with the webhook secret). The event itself decides nothing: it names an order, the order's
//! receipt names our transaction, and the transaction is settled as any callback naming only
//! it (the payments query decides). A replayed webhook finds the transaction finished, or asks
//! again: one receipt at most.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{Refusal, adapters, razorpay};
use crate::business::pg::gateway::RAZORPAY;
use crate::business::pg::service;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::state::AppState;

pub const RAZORPAY_WEBHOOK_PATH: &str = "/pg-service/transaction/v1/_webhook/razorpay";

pub fn routes(r: &mut Routes<'_>) {
    r.post(RAZORPAY_WEBHOOK_PATH, Access::Open, razorpay_webhook);
}

async fn razorpay_webhook(
    state: web::Data<AppState>,
    http: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    if super::super::gateway::gateways(&state)
        .by_code(RAZORPAY)
        .is_none()
    {
        return Err(AppError::invalid_field(
            codes::PG_NO_GATEWAY,
            "Razorpay is not a gateway of this server",
            "gateway",
        ));
    }
    let signature = http
        .headers()
        .get("x-razorpay-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let cfg = state.settings.pg.razorpay.clone();
    let event = razorpay::read_webhook(&cfg, &body, signature).map_err(|r| {
        tracing::warn!(why = %r, "pg: razorpay webhook refused");
        let code = match r {
            Refusal::BadSignature => codes::PG_BAD_SIGNATURE,
            _ => codes::PG_UNKNOWN_TXN,
        };
        AppError::invalid_field(code, format!("The webhook was refused: {r}"), "signature")
    })?;
    let client = adapters::client(&state.settings);
    let order_id = event.order_id.clone();
    let txn_id = web::block(move || razorpay::receipt_of(&cfg, &client, &order_id))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("razorpay webhook: {e}")))?
        .map_err(|e| {
            AppError::client(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                codes::PG_GATEWAY_UNAVAILABLE,
                format!("The payment gateway could not be asked: {e}"),
            )
        })?;
    let params = BTreeMap::from([("transactionId".to_owned(), txn_id)]);
    let txn = service::settle_callback(&state, params, "webhook").await?;
    Ok(HttpResponse::Ok().json(json!({
        "event": event.event, "txnId": txn.txn_id, "txnStatus": txn.status,
    })))
}
