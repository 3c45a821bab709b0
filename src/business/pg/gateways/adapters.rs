//! The PayGov and Razorpay protocols behind pg's adapter trait ([`Gateway`]): the callback's
//! check gives only a claim; `status` (the gateway's server-to-server answer) decides.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;

use super::{Refusal, Verdict as Word, paygov, razorpay};
use crate::business::pg::Txn;
use crate::business::pg::gateway::{Gateway, PAYGOV, RAZORPAY, Redirect, Status, Verdict};
use crate::config::{PaygovSettings, RazorpaySettings, Settings};
use crate::error::{AppError, AppResult, codes};
use crate::outbound::Client;

/// The outbound client the gateways use: `[outbound]`, the total time at most `pg.timeout_ms`.
pub fn client(settings: &Settings) -> Client {
    let mut o = settings.outbound.clone();
    if settings.pg.timeout_ms > 0 {
        o.total_timeout_ms = o.total_timeout_ms.min(settings.pg.timeout_ms);
    }
    Client::new(&o)
}

fn refused(r: &Refusal) -> AppError {
    let (code, field) = match r {
        Refusal::BadSignature | Refusal::Malformed(_) => (codes::PG_BAD_SIGNATURE, "signature"),
        Refusal::AmountChanged => (codes::PG_TAMPERED, "amount"),
        Refusal::OtherTransaction => (codes::PG_TAMPERED, "transactionId"),
    };
    AppError::invalid_field(
        code,
        format!("The gateway's answer was refused: {r}"),
        field,
    )
}

fn unavailable(why: impl std::fmt::Display) -> AppError {
    AppError::client(
        StatusCode::SERVICE_UNAVAILABLE,
        codes::PG_GATEWAY_UNAVAILABLE,
        format!("The payment gateway could not be asked: {why}"),
    )
}

fn verdict(txn_id: &str, status: Status) -> Verdict {
    Verdict {
        status,
        txn_id: txn_id.to_owned(),
        gateway_txn_id: None,
        amount: None,
        payment_mode: None,
        status_code: None,
        status_msg: None,
    }
}

/// A gateway's word (from a status query) as pg's verdict.
fn from_word(txn_id: &str, w: Word) -> Verdict {
    match w {
        Word::Paid {
            gateway_txn_id,
            amount,
            payment_mode,
            bank_ref: _,
        } => Verdict {
            gateway_txn_id: Some(gateway_txn_id),
            amount: Some(amount),
            payment_mode: Some(payment_mode).filter(|m| !m.is_empty()),
            ..verdict(txn_id, Status::Success)
        },
        Word::Failed { code, message } => Verdict {
            status_code: Some(code),
            status_msg: Some(message),
            ..verdict(txn_id, Status::Failure)
        },
        Word::Pending(why) => Verdict {
            status_msg: Some(why),
            ..verdict(txn_id, Status::Pending)
        },
    }
}

// ------------------------------------------------------------------------------------ PayGov

pub struct PayGov {
    cfg: PaygovSettings,
    client: Client,
}

impl PayGov {
    pub fn new(cfg: &PaygovSettings, client: Client) -> anyhow::Result<Self> {
        if cfg.merchant_id.is_empty() || cfg.secret_key.is_empty() {
            anyhow::bail!(
                "pg: PAYGOV needs MGRAMSEVA__PG__PAYGOV__MERCHANT_ID and __SECRET_KEY (and __MERCHANT_USER, __MERCHANT_PASSWORD)"
            );
        }
        Ok(Self {
            cfg: cfg.clone(),
            client,
        })
    }
}

impl Gateway for PayGov {
    fn code(&self) -> &'static str {
        PAYGOV
    }

    fn start(&self, txn: &Txn, return_url: &str) -> AppResult<Redirect> {
        let customer = txn.user_uuid.map(|u| u.to_string());
        let order = paygov::Order {
            txn_id: &txn.txn_id,
            amount: txn.amount,
            tenant_id: &txn.tenant_id,
            consumer_code: &txn.consumer_code,
            customer_id: customer.as_deref(),
            // The payer's mobile number does not go to the gateway (the filler does).
            mobile: None,
            return_url,
            at: chrono::Utc::now(),
        };
        // SurePay takes the request as a posted form (our `_go` page posts it); the app and the
        // citizen UI get the fields in a query with `txURL` and post them themselves.
        let fields = paygov::request_fields(&self.cfg, &order);
        Ok(Redirect {
            url: self.cfg.gateway_url.clone(),
            form: Some(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
            gateway_ref: None,
            client_url: Some(paygov::redirect_url(&self.cfg, &order)),
        })
    }

    /// The return URL names the transaction; else the return message's order id.
    fn txn_id_of(&self, params: &BTreeMap<String, String>) -> Option<String> {
        let named = params
            .get("transactionId")
            .or_else(|| params.get("eg_pg_txnid"))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        named.or_else(|| {
            let msg = params.get(paygov::RETURN_FIELD)?;
            let f: Vec<&str> = msg.split('|').collect();
            let i = if f.first() == Some(&"S") { 4 } else { 2 };
            f.get(i)
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        })
    }

    fn verify_callback(&self, params: &BTreeMap<String, String>, _txn: &Txn) -> AppResult<Verdict> {
        let msg = params
            .get(paygov::RETURN_FIELD)
            .ok_or_else(|| refused(&Refusal::Malformed("no return message")))?;
        let answer = paygov::parse(msg, self.cfg.secret_key.expose()).map_err(|e| {
            refused(&match e {
                paygov::MessageError::Checksum => Refusal::BadSignature,
                paygov::MessageError::Malformed(w) => Refusal::Malformed(w),
            })
        })?;
        claim(&self.cfg, answer)
    }

    fn status(&self, txn: &Txn) -> AppResult<Option<Verdict>> {
        match paygov::query_status(&self.cfg, &self.client, &txn.txn_id) {
            Ok(paygov::Status::Known(answer)) => claim(&self.cfg, answer).map(Some),
            Ok(paygov::Status::NotFound) => Ok(Some(Verdict {
                status_code: Some("404".to_owned()),
                status_msg: Some("No such order at the gateway".to_owned()),
                ..verdict(&txn.txn_id, Status::Failure)
            })),
            Ok(paygov::Status::Expired) => Ok(Some(Verdict {
                status_code: Some("408".to_owned()),
                status_msg: Some("The payment session timed out".to_owned()),
                ..verdict(&txn.txn_id, Status::Failure)
            })),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// What a checked PayGov message claims (order id and amount are compared by the service).
fn claim(cfg: &PaygovSettings, answer: paygov::Answer) -> AppResult<Verdict> {
    Ok(match answer {
        paygov::Answer::Success {
            merchant_id,
            order_id,
            amount,
            payment_mode,
            surepay_txn_id,
            ..
        } => {
            if merchant_id != cfg.merchant_id {
                return Err(refused(&Refusal::OtherTransaction));
            }
            Verdict {
                gateway_txn_id: Some(surepay_txn_id).filter(|s| !s.is_empty()),
                amount: Some(amount),
                payment_mode: Some(payment_mode).filter(|s| !s.is_empty()),
                status_code: Some("S".to_owned()),
                ..verdict(&order_id, Status::Success)
            }
        }
        paygov::Answer::Failure {
            merchant_id,
            order_id,
            code,
            message,
        } => {
            if merchant_id != cfg.merchant_id {
                return Err(refused(&Refusal::OtherTransaction));
            }
            Verdict {
                status_code: Some(code),
                status_msg: Some(message),
                ..verdict(&order_id, Status::Failure)
            }
        }
        paygov::Answer::Initiated {
            merchant_id,
            order_id,
        } => {
            if merchant_id != cfg.merchant_id {
                return Err(refused(&Refusal::OtherTransaction));
            }
            Verdict {
                status_code: Some("I".to_owned()),
                ..verdict(&order_id, Status::Pending)
            }
        }
    })
}

// ---------------------------------------------------------------------------------- Razorpay

pub struct Razorpay {
    cfg: RazorpaySettings,
    client: Client,
}

impl Razorpay {
    pub fn new(cfg: &RazorpaySettings, client: Client) -> anyhow::Result<Self> {
        if cfg.key_id.is_empty() || cfg.key_secret.is_empty() {
            anyhow::bail!(
                "pg: RAZORPAY needs MGRAMSEVA__PG__RAZORPAY__KEY_ID and __KEY_SECRET (and __WEBHOOK_SECRET for webhooks)"
            );
        }
        Ok(Self {
            cfg: cfg.clone(),
            client,
        })
    }

    pub fn settings(&self) -> &RazorpaySettings {
        &self.cfg
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Gateway for Razorpay {
    fn code(&self) -> &'static str {
        RAZORPAY
    }

    fn start(&self, txn: &Txn, return_url: &str) -> AppResult<Redirect> {
        let notes = [
            ("tenant_id", txn.tenant_id.as_str()),
            ("consumer_code", txn.consumer_code.as_str()),
        ];
        let order =
            razorpay::create_order(&self.cfg, &self.client, &txn.txn_id, txn.amount, &notes)
                .map_err(unavailable)?;
        let fields = razorpay::checkout_fields(
            &self.cfg,
            &razorpay::Checkout {
                order_id: &order.id,
                amount: txn.amount,
                description: &txn.consumer_code,
                contact: None,
                callback_url: return_url,
                cancel_url: return_url,
            },
        );
        Ok(Redirect {
            url: self.cfg.checkout_url.clone(),
            form: Some(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
            gateway_ref: Some(order.id),
            client_url: None,
        })
    }

    /// A signed checkout callback claims only "this payment is for this order": PENDING, the
    /// payments query decides (the signature does not cover the amount).
    fn verify_callback(&self, params: &BTreeMap<String, String>, txn: &Txn) -> AppResult<Verdict> {
        let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
        if let Some(signature) = get("razorpay_signature") {
            let (Some(oid), Some(pid)) = (get("razorpay_order_id"), get("razorpay_payment_id"))
            else {
                return Err(refused(&Refusal::Malformed("signed callback without ids")));
            };
            if !razorpay::verify_payment_signature(
                self.cfg.key_secret.expose(),
                oid,
                pid,
                signature,
            ) {
                return Err(refused(&Refusal::BadSignature));
            }
            if txn.gateway_ref.as_deref().is_some_and(|o| o != oid) {
                return Err(refused(&Refusal::OtherTransaction));
            }
            return Ok(Verdict {
                gateway_txn_id: Some(pid.to_owned()),
                ..verdict(&txn.txn_id, Status::Pending)
            });
        }
        if params.keys().any(|k| k.starts_with("error[")) {
            // Unsigned: only a reason to ask.
            return Ok(verdict(&txn.txn_id, Status::Pending));
        }
        Err(refused(&Refusal::Malformed("no razorpay fields")))
    }

    fn status(&self, txn: &Txn) -> AppResult<Option<Verdict>> {
        let word = razorpay::ask(
            &self.cfg,
            &self.client,
            &txn.txn_id,
            txn.gateway_ref.as_deref(),
            txn.amount,
        )
        .map_err(unavailable)?;
        Ok(Some(from_word(&txn.txn_id, word)))
    }
}
