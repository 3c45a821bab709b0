//! Razorpay: the Orders API, the hosted checkout, the payment signature, webhooks and the
//! payments query, as Razorpay documents them.
//!
//! - An order is made server-to-server (`POST /v1/orders`, basic auth `key_id:key_secret`,
//!   amount in paise, `receipt` = our transaction id), then the browser posts a form to the
//!   hosted checkout (`checkout_url`) with the key id and the order id.
//! - Razorpay posts back `razorpay_payment_id`, `razorpay_order_id` and `razorpay_signature` =
//!   hex HMAC-SHA256 of `order_id|payment_id` with the key secret (or `error[...]` fields, which
//!   are not signed).
//! - Webhooks carry `X-Razorpay-Signature` = hex HMAC-SHA256 of the raw body with the webhook
//!   secret.
//! - Whatever came in, the payment is paid only when `GET /v1/orders/{id}/payments` shows a
//!   captured payment of exactly the order's amount, for the order whose receipt is this
//!   transaction.

use hmac::{Hmac, KeyInit as _, Mac as _};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde::Deserialize;

use super::{Refusal, Verdict};
use crate::config::RazorpaySettings;
use crate::outbound::{self, Client, OutboundError};

type HmacSha256 = Hmac<sha2::Sha256>;

/// An amount in paise, when it is a whole number of paise.
pub fn paise(amount: Decimal) -> Option<i64> {
    let p = amount * Decimal::ONE_HUNDRED;
    if p.fract().is_zero() {
        p.to_i64()
    } else {
        None
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim().as_bytes();
    if !t.len().is_multiple_of(2) {
        return None;
    }
    t.chunks(2)
        .map(|c| {
            let s = std::str::from_utf8(c).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// Hex HMAC-SHA256 of `data` with `key`.
pub fn sign(key: &str, data: &[u8]) -> String {
    let Ok(mut mac) = HmacSha256::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(data);
    hex(&mac.finalize().into_bytes())
}

/// Checks a hex HMAC-SHA256 in constant time. An empty key verifies nothing.
fn verify(key: &str, data: &[u8], signature: &str) -> bool {
    if key.is_empty() {
        return false;
    }
    let (Ok(mut mac), Some(sig)) = (HmacSha256::new_from_slice(key.as_bytes()), unhex(signature))
    else {
        return false;
    };
    mac.update(data);
    mac.verify_slice(&sig).is_ok()
}

/// The checkout's payment signature: HMAC of `order_id|payment_id` with the key secret.
pub fn verify_payment_signature(
    secret: &str,
    order_id: &str,
    payment_id: &str,
    signature: &str,
) -> bool {
    verify(
        secret,
        format!("{order_id}|{payment_id}").as_bytes(),
        signature,
    )
}

/// A webhook's `X-Razorpay-Signature`: HMAC of the raw body with the webhook secret.
pub fn verify_webhook(secret: &str, body: &[u8], signature: &str) -> bool {
    verify(secret, body, signature)
}

/// Why an API call gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Outbound(#[from] OutboundError),
    #[error("razorpay answered HTTP {0}")]
    Refused(u16),
    #[error("razorpay's answer does not match the request: {0}")]
    Mismatch(&'static str),
    #[error("the amount is not a whole number of paise")]
    Amount,
}

/// An order as the API shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderEntity {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    #[serde(default)]
    pub receipt: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentEntity {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub acquirer_data: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Collection<T> {
    items: Vec<T>,
}

fn auth(cfg: &RazorpaySettings) -> String {
    outbound::basic_auth(&cfg.key_id, cfg.key_secret.expose())
}

fn api(cfg: &RazorpaySettings, path: &str) -> String {
    format!("{}{path}", cfg.api_url.trim_end_matches('/'))
}

fn get_json<T: serde::de::DeserializeOwned>(
    cfg: &RazorpaySettings,
    client: &Client,
    path: &str,
) -> Result<T, ApiError> {
    let a = auth(cfg);
    let reply = client.get(&api(cfg, path), &[("Authorization", a.as_str())])?;
    if !reply.is_success() {
        return Err(ApiError::Refused(reply.status));
    }
    Ok(reply.json()?)
}

/// `POST /v1/orders`: an order for `amount` rupees, its receipt our transaction id.
pub fn create_order(
    cfg: &RazorpaySettings,
    client: &Client,
    txn_id: &str,
    amount: Decimal,
    notes: &[(&str, &str)],
) -> Result<OrderEntity, ApiError> {
    let paise = paise(amount).ok_or(ApiError::Amount)?;
    let notes: serde_json::Map<String, serde_json::Value> = notes
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect();
    let body = serde_json::json!({
        "amount": paise,
        "currency": "INR",
        "receipt": txn_id,
        "notes": notes,
    });
    let a = auth(cfg);
    let reply = client.post_json(
        &api(cfg, "/v1/orders"),
        &[("Authorization", a.as_str())],
        &body,
    )?;
    if !reply.is_success() {
        return Err(ApiError::Refused(reply.status));
    }
    let order: OrderEntity = reply.json()?;
    if order.amount != paise || order.currency != "INR" {
        return Err(ApiError::Mismatch("amount"));
    }
    if order.receipt.as_deref() != Some(txn_id) {
        return Err(ApiError::Mismatch("receipt"));
    }
    Ok(order)
}

/// The hosted checkout's form fields (posted by the browser to `checkout_url`).
pub struct Checkout<'a> {
    pub order_id: &'a str,
    pub amount: Decimal,
    pub description: &'a str,
    pub contact: Option<&'a str>,
    /// Where Razorpay posts the payment's outcome.
    pub callback_url: &'a str,
    /// Where the "back" of the checkout leads.
    pub cancel_url: &'a str,
}

pub fn checkout_fields(cfg: &RazorpaySettings, c: &Checkout<'_>) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("key_id", cfg.key_id.clone()),
        ("order_id", c.order_id.to_owned()),
        ("amount", paise(c.amount).unwrap_or_default().to_string()),
        ("currency", "INR".to_owned()),
        ("name", cfg.merchant_name.clone()),
        ("description", c.description.to_owned()),
        ("callback_url", c.callback_url.to_owned()),
        ("cancel_url", c.cancel_url.to_owned()),
    ];
    if let Some(m) = c.contact.filter(|m| !m.is_empty()) {
        f.push(("prefill[contact]", m.to_owned()));
    }
    f
}

/// The order whose receipt is `txn_id`: by its id when known, else by `GET /v1/orders?receipt=`.
pub fn find_order(
    cfg: &RazorpaySettings,
    client: &Client,
    txn_id: &str,
    order_id: Option<&str>,
) -> Result<OrderEntity, ApiError> {
    let order: OrderEntity = match order_id {
        Some(id) if !id.is_empty() => get_json(cfg, client, &format!("/v1/orders/{}", enc(id)))?,
        _ => get_json::<Collection<OrderEntity>>(
            cfg,
            client,
            &format!("/v1/orders?receipt={}", enc(txn_id)),
        )?
        .items
        .into_iter()
        .next()
        .ok_or(ApiError::Mismatch("no order for this receipt"))?,
    };
    if order.receipt.as_deref() != Some(txn_id) {
        return Err(ApiError::Mismatch("receipt"));
    }
    Ok(order)
}

fn enc(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect()
}

/// The payments' word on a transaction: paid when a captured payment of exactly the order's
/// amount exists for the order whose receipt is `txn_id`.
pub fn confirm(
    cfg: &RazorpaySettings,
    client: &Client,
    txn_id: &str,
    order_id: Option<&str>,
    amount: Decimal,
) -> Verdict {
    match ask(cfg, client, txn_id, order_id, amount) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(txn_id, error = %e, "razorpay: no usable answer");
            Verdict::Pending(e.to_string())
        }
    }
}

/// [`confirm`], with why no answer could be had.
pub fn ask(
    cfg: &RazorpaySettings,
    client: &Client,
    txn_id: &str,
    order_id: Option<&str>,
    amount: Decimal,
) -> Result<Verdict, ApiError> {
    let want = paise(amount).ok_or(ApiError::Amount)?;
    let order = find_order(cfg, client, txn_id, order_id)?;
    if order.amount != want || order.currency != "INR" {
        return Err(ApiError::Mismatch("order amount"));
    }
    let payments: Collection<PaymentEntity> = get_json(
        cfg,
        client,
        &format!("/v1/orders/{}/payments", enc(&order.id)),
    )?;
    let ours = |p: &&PaymentEntity| p.order_id.as_deref() == Some(order.id.as_str());
    if let Some(p) = payments
        .items
        .iter()
        .filter(ours)
        .find(|p| p.status == "captured")
    {
        if p.amount != want || p.currency != "INR" {
            tracing::warn!(txn_id, "razorpay: a captured payment of another amount");
            return Err(ApiError::Mismatch("payment amount"));
        }
        let bank_ref = p
            .acquirer_data
            .as_ref()
            .and_then(|a| {
                ["rrn", "bank_transaction_id", "upi_transaction_id"]
                    .iter()
                    .find_map(|k| a.get(*k).and_then(|v| v.as_str()))
            })
            .unwrap_or_default()
            .to_owned();
        return Ok(Verdict::Paid {
            gateway_txn_id: p.id.clone(),
            amount: Decimal::new(p.amount, 2),
            payment_mode: p.method.clone().unwrap_or_default(),
            bank_ref,
        });
    }
    // A failed attempt does not end a Razorpay order: its checkout may take another attempt on
    // the same order, and a later one may be captured. So failed attempts leave the payment
    // PENDING (saying so) until one is captured or the reconciliation's expiry closes it; a
    // FAILURE here could meet money captured afterwards with no receipt.
    let tried = payments.items.iter().filter(ours).count();
    if tried > 0 {
        return Ok(Verdict::Pending(format!(
            "order {}: {tried} attempt(s), none captured yet",
            order.status
        )));
    }
    Ok(Verdict::Pending(format!("order {}", order.status)))
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Settles a transaction from the checkout's callback form. A signed success is checked
/// (signature, this order) and then confirmed by the payments query; an error form (unsigned)
/// only leads to the query too. Only the query's answer can say `Paid`.
pub fn settle_callback(
    cfg: &RazorpaySettings,
    client: &Client,
    txn_id: &str,
    order_id: Option<&str>,
    amount: Decimal,
    form: &[(String, String)],
) -> Result<Verdict, Refusal> {
    if let Some(signature) = field(form, "razorpay_signature") {
        let (Some(oid), Some(pid)) = (
            field(form, "razorpay_order_id"),
            field(form, "razorpay_payment_id"),
        ) else {
            return Err(Refusal::Malformed("signed callback without ids"));
        };
        if !verify_payment_signature(cfg.key_secret.expose(), oid, pid, signature) {
            return Err(Refusal::BadSignature);
        }
        if order_id.is_some_and(|o| o != oid) {
            return Err(Refusal::OtherTransaction);
        }
        return Ok(confirm(cfg, client, txn_id, Some(oid), amount));
    }
    if form.iter().any(|(k, _)| k.starts_with("error[")) {
        return Ok(confirm(cfg, client, txn_id, order_id, amount));
    }
    Err(Refusal::Malformed("no razorpay fields"))
}

/// What a verified webhook is about: the order (and payment) it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    pub event: String,
    pub order_id: String,
    pub payment_id: Option<String>,
}

/// Checks a webhook's signature and reads the order it is about. The event decides nothing by
/// itself: the caller settles the order's transaction through [`confirm`].
pub fn read_webhook(
    cfg: &RazorpaySettings,
    body: &[u8],
    signature: &str,
) -> Result<WebhookEvent, Refusal> {
    if !verify_webhook(cfg.webhook_secret.expose(), body, signature) {
        return Err(Refusal::BadSignature);
    }
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Refusal::Malformed("not JSON"))?;
    let event = v
        .get("event")
        .and_then(|e| e.as_str())
        .ok_or(Refusal::Malformed("no event"))?
        .to_owned();
    let payload = v.get("payload");
    let payment = payload.and_then(|p| p.pointer("/payment/entity"));
    let order_id = payload
        .and_then(|p| p.pointer("/order/entity/id"))
        .or_else(|| payment.and_then(|p| p.get("order_id")))
        .and_then(|o| o.as_str())
        .ok_or(Refusal::Malformed("no order"))?
        .to_owned();
    let payment_id = payment
        .and_then(|p| p.get("id"))
        .and_then(|o| o.as_str())
        .map(str::to_owned);
    Ok(WebhookEvent {
        event,
        order_id,
        payment_id,
    })
}

/// The transaction id (the order's receipt) of a Razorpay order.
pub fn receipt_of(
    cfg: &RazorpaySettings,
    client: &Client,
    order_id: &str,
) -> Result<String, ApiError> {
    let order: OrderEntity = get_json(cfg, client, &format!("/v1/orders/{}", enc(order_id)))?;
    order
        .receipt
        .ok_or(ApiError::Mismatch("order without receipt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_go_in_whole_paise_only() {
        assert_eq!(paise(Decimal::new(170, 0)), Some(17_000));
        assert_eq!(paise(Decimal::new(17050, 2)), Some(17_050));
        assert_eq!(paise(Decimal::new(1705, 3)), None);
    }

    #[test]
    fn signatures_are_hex_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = sign("secret", b"order_1|pay_1");
        assert!(verify_payment_signature("secret", "order_1", "pay_1", &s));
        assert!(verify_payment_signature(
            "secret",
            "order_1",
            "pay_1",
            &s.to_uppercase()
        ));
        assert!(!verify_payment_signature("secret", "order_1", "pay_2", &s));
        assert!(!verify_payment_signature("other", "order_1", "pay_1", &s));
        assert!(!verify_payment_signature(
            "",
            "order_1",
            "pay_1",
            &sign("", b"order_1|pay_1")
        ));
        assert!(!verify_payment_signature(
            "secret", "order_1", "pay_1", "zz"
        ));
        assert!(verify_webhook("wh", b"{}", &sign("wh", b"{}")));
        assert!(!verify_webhook("wh", b"{} ", &sign("wh", b"{}")));
    }
}
