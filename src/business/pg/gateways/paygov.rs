//! PayGov (NDML SurePay), the gateway Punjab's GPs use: its wire protocol, re-implemented from
//! the original pg-service's description of it.
//!
//! - The citizen's browser goes to `processRequest` with the fields of [`redirect_url`] and a
//!   "checksum": CRC32 of the fields joined by `|`, then `|` and the merchant's secret key, in
//!   decimal.
//! - SurePay sends the browser back to our return URL with the return message in the form field
//!   `msg`: `|`-separated fields, the checksum last (the layouts of [`parse`]).
//! - The status query (`queryPaymentStatus`): POST `requestMsg=|<merchant id>|<order id>` with
//!   HTTP basic auth (merchant user and password); the answer is a message of the same layouts,
//!   or a JSON error whose `errorCode` 404 (no such order) or 408 (session timed out) means the
//!   payment never happened.
//!
//! CRC32 is no signature: anyone who learns the key, or guesses messages, can forge one, and it
//! does not bind the message to the answer's origin. So a return message alone never pays:
//! [`settle_callback`] checks it (checksum, order id, amount) only to refuse tampering early,
//! then always asks the status query, and only its answer can say "paid".

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{Refusal, Verdict};
use crate::config::PaygovSettings;
use crate::outbound::{self, Client, OutboundError};

/// The value the protocol wants in fields we have nothing for.
const FILLER: &str = "111111";
/// Form field of the return message.
pub const RETURN_FIELD: &str = "msg";

/// What a payment request says.
#[derive(Debug, Clone)]
pub struct Order<'a> {
    /// Our transaction id: SurePay's `orderId`.
    pub txn_id: &'a str,
    pub amount: Decimal,
    pub tenant_id: &'a str,
    pub consumer_code: &'a str,
    /// The payer's user id, if any.
    pub customer_id: Option<&'a str>,
    pub mobile: Option<&'a str>,
    /// Where SurePay sends the browser back (success and failure alike).
    pub return_url: &'a str,
    pub at: DateTime<Utc>,
}

/// SurePay's "checksum" of a message: CRC32 of `message|secret`, in decimal.
pub fn checksum(message: &str, secret: &str) -> String {
    let mut crc = flate2::Crc::new();
    crc.update(message.as_bytes());
    crc.update(b"|");
    crc.update(secret.as_bytes());
    crc.sum().to_string()
}

/// Amounts as SurePay writes them: rupees with two decimals.
fn rupees(amount: Decimal) -> String {
    format!("{:.2}", amount.round_dp(2))
}

/// The service id SurePay knows a GP's water payments by: `WS` and the tenant's city part
/// (`pb.lodhipur` → `WSlodhipur`).
pub fn service_id(tenant_id: &str) -> String {
    let city = tenant_id.split_once('.').map_or(tenant_id, |(_, c)| c);
    format!("WS{city}")
}

/// The request's fields in the protocol's order, the checksum last.
pub fn request_fields(cfg: &PaygovSettings, order: &Order<'_>) -> Vec<(&'static str, String)> {
    let at = order
        .at
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .format("%d-%m-%Y %H:%M:%3f")
        .to_string();
    let service = service_id(order.tenant_id);
    let fields: Vec<(&'static str, String)> = vec![
        ("messageType", cfg.message_type.clone()),
        ("merchantId", cfg.merchant_id.clone()),
        ("serviceId", service.clone()),
        ("orderId", order.txn_id.to_owned()),
        ("customerId", order.customer_id.unwrap_or(FILLER).to_owned()),
        ("transactionAmount", rupees(order.amount)),
        ("currencyCode", cfg.currency.clone()),
        ("requestDateTime", at),
        ("successUrl", order.return_url.to_owned()),
        ("failUrl", order.return_url.to_owned()),
        (
            "additionalField1",
            order
                .mobile
                .filter(|m| !m.is_empty())
                .unwrap_or(FILLER)
                .to_owned(),
        ),
        ("additionalField2", FILLER.to_owned()),
        ("additionalField3", order.tenant_id.to_owned()),
        ("additionalField4", order.consumer_code.to_owned()),
        ("additionalField5", service),
    ];
    let message = fields
        .iter()
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join("|");
    let sum = checksum(&message, cfg.secret_key.expose());
    let mut fields = fields;
    fields.push(("checksum", sum));
    fields
}

/// The `redirectUrl` the DIGIT clients are answered with (the original's shape): the gateway's
/// address with the request's fields, `checksum` and `txURL` (where to post them) in its query,
/// and `requestDateTime` without the space after the year (`05-03-202617:06:366`); the app puts
/// the space back before posting, so the checksum (made with it) holds.
pub fn redirect_url(cfg: &PaygovSettings, order: &Order<'_>) -> String {
    let mut fields = request_fields(cfg, order);
    for (k, v) in &mut fields {
        if *k == "requestDateTime" {
            *v = v.replacen(' ', "", 1);
        }
    }
    fields.push(("txURL", cfg.gateway_url.clone()));
    let query = serde_urlencoded::to_string(fields).unwrap_or_default();
    let sep = if cfg.gateway_url.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{sep}{query}", cfg.gateway_url)
}

/// A return message or status answer, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `S|messageType|merchantId|serviceId|orderId|customerId|amount|currency|paymentMode|
    /// dateTime|surePayTxnId|bankTxnNo|transactionStatus|info1..info5|errorCode|errorDescription|checksum`
    Success {
        merchant_id: String,
        order_id: String,
        amount: Decimal,
        currency: String,
        payment_mode: String,
        surepay_txn_id: String,
        bank_txn_no: String,
    },
    /// `F|merchantId|orderId|serviceId|paymentMode|bankTxnNo|errorCode|errorMessage|errorDescription|dateTime|checksum`
    /// and the shorter decline `D|merchantId|orderId|serviceId|paymentMode|errorMessage|dateTime|checksum`.
    Failure {
        merchant_id: String,
        order_id: String,
        code: String,
        message: String,
    },
    /// `I|merchantId|orderId|serviceId|paymentMode|errorDescription|dateTime|checksum`: begun,
    /// not finished.
    Initiated {
        merchant_id: String,
        order_id: String,
    },
}

impl Answer {
    pub fn order_id(&self) -> &str {
        match self {
            Answer::Success { order_id, .. }
            | Answer::Failure { order_id, .. }
            | Answer::Initiated { order_id, .. } => order_id,
        }
    }
    fn merchant_id(&self) -> &str {
        match self {
            Answer::Success { merchant_id, .. }
            | Answer::Failure { merchant_id, .. }
            | Answer::Initiated { merchant_id, .. } => merchant_id,
        }
    }
}

/// Why a message was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("the checksum does not match")]
    Checksum,
    #[error("the message is not in a known layout: {0}")]
    Malformed(&'static str),
}

/// Checks a message's checksum (its last field, over everything before it) and reads it.
pub fn parse(msg: &str, secret: &str) -> Result<Answer, MessageError> {
    let msg = msg.trim();
    let (body, sum) = msg
        .rsplit_once('|')
        .ok_or(MessageError::Malformed("no fields"))?;
    if sum.is_empty() || checksum(body, secret) != sum {
        return Err(MessageError::Checksum);
    }
    let f: Vec<&str> = msg.split('|').collect();
    let need = |n: usize| {
        if f.len() >= n {
            Ok(())
        } else {
            Err(MessageError::Malformed("too few fields"))
        }
    };
    let s = |i: usize| f[i].trim().to_owned();
    match f[0] {
        "S" => {
            need(21)?;
            let amount: Decimal = f[6]
                .trim()
                .parse()
                .map_err(|_| MessageError::Malformed("amount"))?;
            Ok(Answer::Success {
                merchant_id: s(2),
                order_id: s(4),
                amount,
                currency: s(7),
                payment_mode: s(8),
                surepay_txn_id: s(10),
                bank_txn_no: s(11),
            })
        }
        "F" => {
            need(11)?;
            Ok(Answer::Failure {
                merchant_id: s(1),
                order_id: s(2),
                code: s(6),
                message: s(7),
            })
        }
        "D" => {
            need(8)?;
            Ok(Answer::Failure {
                merchant_id: s(1),
                order_id: s(2),
                code: "D".to_owned(),
                message: s(5),
            })
        }
        "I" => {
            need(8)?;
            Ok(Answer::Initiated {
                merchant_id: s(1),
                order_id: s(2),
            })
        }
        _ => Err(MessageError::Malformed("unknown flag")),
    }
}

/// What the status query said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Known(Answer),
    /// `errorCode` 404: SurePay has no such order.
    NotFound,
    /// `errorCode` 408: the order was begun and its session timed out unpaid.
    Expired,
}

/// Why the status query gave no usable answer (the payment's state stays unknown).
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Outbound(#[from] OutboundError),
    #[error("the status query answered HTTP {0}")]
    Refused(u16),
    #[error("the status answer was refused: {0}")]
    Message(#[from] MessageError),
}

/// Asks SurePay about one order.
pub fn query_status(
    cfg: &PaygovSettings,
    client: &Client,
    txn_id: &str,
) -> Result<Status, QueryError> {
    let auth = outbound::basic_auth(&cfg.merchant_user, cfg.merchant_password.expose());
    let request = format!("|{}|{}", cfg.merchant_id, txn_id);
    let reply = client.post_form(
        &cfg.status_url,
        &[("Authorization", auth.as_str())],
        &[("requestMsg", request.as_str())],
    )?;
    if !reply.is_success() {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ErrorAnswer {
            error_code: Option<String>,
        }
        let code = serde_json::from_str::<ErrorAnswer>(&reply.body)
            .ok()
            .and_then(|e| e.error_code);
        return match code.as_deref() {
            Some("404") => Ok(Status::NotFound),
            Some("408") => Ok(Status::Expired),
            _ => Err(QueryError::Refused(reply.status)),
        };
    }
    let answer = parse(&reply.body, cfg.secret_key.expose())?;
    Ok(Status::Known(answer))
}

/// Settles a transaction from SurePay's return form (`msg`, and whatever else came): the message
/// is checked (checksum, our merchant, this order, this amount) and refused when wrong; then the
/// status query decides. Only a status answer of success, for this order and exactly this amount,
/// is `Paid`; a query that cannot be made leaves the payment `Pending`.
pub fn settle_callback(
    cfg: &PaygovSettings,
    client: &Client,
    txn_id: &str,
    amount: Decimal,
    form: &[(String, String)],
) -> Result<Verdict, Refusal> {
    let msg = form
        .iter()
        .find(|(k, _)| k == RETURN_FIELD)
        .map(|(_, v)| v.as_str())
        .ok_or(Refusal::Malformed("no return message"))?;
    let answer = parse(msg, cfg.secret_key.expose()).map_err(|e| match e {
        MessageError::Checksum => Refusal::BadSignature,
        MessageError::Malformed(what) => Refusal::Malformed(what),
    })?;
    check_answer(cfg, txn_id, amount, &answer)?;
    Ok(confirm(cfg, client, txn_id, amount))
}

fn check_answer(
    cfg: &PaygovSettings,
    txn_id: &str,
    amount: Decimal,
    answer: &Answer,
) -> Result<(), Refusal> {
    if answer.order_id() != txn_id {
        return Err(Refusal::OtherTransaction);
    }
    if answer.merchant_id() != cfg.merchant_id {
        return Err(Refusal::OtherTransaction);
    }
    if let Answer::Success { amount: paid, .. } = answer
        && *paid != amount
    {
        return Err(Refusal::AmountChanged);
    }
    Ok(())
}

/// The status query's word on a transaction (used by the callback and by reconciliation).
pub fn confirm(cfg: &PaygovSettings, client: &Client, txn_id: &str, amount: Decimal) -> Verdict {
    match query_status(cfg, client, txn_id) {
        Ok(Status::Known(answer)) => {
            if let Err(why) = check_answer(cfg, txn_id, amount, &answer) {
                tracing::warn!(txn_id, why = %why, "paygov: the status answer does not match the transaction");
                return Verdict::Pending(format!("status answer refused: {why}"));
            }
            match answer {
                Answer::Success {
                    amount,
                    surepay_txn_id,
                    bank_txn_no,
                    payment_mode,
                    ..
                } => Verdict::Paid {
                    gateway_txn_id: surepay_txn_id,
                    amount,
                    payment_mode,
                    bank_ref: bank_txn_no,
                },
                Answer::Failure { code, message, .. } => Verdict::Failed { code, message },
                Answer::Initiated { .. } => Verdict::Pending("ORDER_INITIATED".to_owned()),
            }
        }
        Ok(Status::NotFound) => Verdict::Failed {
            code: "404".to_owned(),
            message: "no such order at the gateway".to_owned(),
        },
        Ok(Status::Expired) => Verdict::Failed {
            code: "408".to_owned(),
            message: "the payment session timed out".to_owned(),
        },
        Err(e) => {
            tracing::warn!(txn_id, error = %e, "paygov: status query gave no answer");
            Verdict::Pending(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn cfg() -> PaygovSettings {
        PaygovSettings {
            gateway_url: "https://pay.example/sp/processRequest".to_owned(),
            status_url: "https://pay.example/v1/queryPaymentStatus".to_owned(),
            merchant_id: "UATPWSSG0000001429".to_owned(),
            merchant_user: "u".to_owned(),
            merchant_password: Secret::new("p"),
            secret_key: Secret::new("k3y"),
            message_type: "0100".to_owned(),
            currency: "INR".to_owned(),
        }
    }

    #[test]
    fn the_checksum_is_crc32_of_message_bar_key_in_decimal() {
        // CRC32("123456789") = 0xCBF43926, the standard check value.
        let mut crc = flate2::Crc::new();
        crc.update(b"123456789");
        assert_eq!(crc.sum(), 0xCBF4_3926);
        assert_eq!(checksum("1234567", "89"), {
            let mut c = flate2::Crc::new();
            c.update(b"1234567|89");
            c.sum().to_string()
        });
    }

    #[test]
    fn the_request_carries_the_fields_in_order_and_a_checksum_over_them() {
        let at = DateTime::parse_from_rfc3339("2026-03-05T06:30:00.250Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        let order = Order {
            txn_id: "PB_PG_2026_03_05_000001_11",
            amount: Decimal::new(170, 0),
            tenant_id: "pb.lodhipur",
            consumer_code: "WS/LOD/0001",
            customer_id: None,
            mobile: Some("9876543210"),
            return_url: "https://gp.example/pg-service/transaction/v1/_update?txnId=X",
            at,
        };
        let f = request_fields(&cfg(), &order);
        let names: Vec<_> = f.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names[..4],
            ["messageType", "merchantId", "serviceId", "orderId"]
        );
        assert_eq!(names.last(), Some(&"checksum"));
        let get = |k: &str| f.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
        assert_eq!(get("transactionAmount").as_deref(), Some("170.00"));
        assert_eq!(get("serviceId").as_deref(), Some("WSlodhipur"));
        assert_eq!(
            get("requestDateTime").as_deref(),
            Some("05-03-2026 12:00:250")
        );
        let joined = f[..f.len() - 1]
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join("|");
        assert_eq!(get("checksum"), Some(checksum(&joined, "k3y")));
        let url = redirect_url(&cfg(), &order);
        assert!(url.starts_with("https://pay.example/sp/processRequest?messageType=0100&"));
    }

    fn signed(body: &str) -> String {
        format!("{body}|{}", checksum(body, "k3y"))
    }

    #[test]
    fn messages_of_each_layout_are_read_and_a_changed_one_refused() {
        let ok = signed(
            "S|0100|UATPWSSG0000001429|WSlodhipur|T1|u-1|170.00|INR|UPI|05-03-2026|13557|pay_X|A|111111|111111|111111|111111|111111||",
        );
        assert_eq!(
            parse(&ok, "k3y"),
            Ok(Answer::Success {
                merchant_id: "UATPWSSG0000001429".to_owned(),
                order_id: "T1".to_owned(),
                amount: Decimal::new(17000, 2),
                currency: "INR".to_owned(),
                payment_mode: "UPI".to_owned(),
                surepay_txn_id: "13557".to_owned(),
                bank_txn_no: "pay_X".to_owned(),
            })
        );
        assert_eq!(
            parse(&ok.replace("170.00", "17.00"), "k3y"),
            Err(MessageError::Checksum)
        );
        assert_eq!(parse(&ok, "other"), Err(MessageError::Checksum));
        let f = signed(
            "F|M|T1|WSx|Wallet|pay_Y|400|PAYMENT_DECLINED_A|Payment failed|2026-03-05 17:06:06.366",
        );
        assert!(matches!(parse(&f, "k3y"), Ok(Answer::Failure { ref code, .. }) if code == "400"));
        let d = signed("D|M|T1|WSx||PAYMENT_DECLINED_M|2026-03-05 09:55:56.236");
        assert!(
            matches!(parse(&d, "k3y"), Ok(Answer::Failure { ref message, .. }) if message == "PAYMENT_DECLINED_M")
        );
        let i = signed("I|M|T1|WSx||ORDER_INITIATED|2026-03-05 10:27:28.312");
        assert!(matches!(parse(&i, "k3y"), Ok(Answer::Initiated { .. })));
        assert_eq!(
            parse(&signed("S|0100|M|WSx|T1"), "k3y"),
            Err(MessageError::Malformed("too few fields"))
        );
        assert_eq!(parse("S", "k3y"), Err(MessageError::Malformed("no fields")));
    }
}
