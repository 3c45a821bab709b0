//! The built-in sandbox gateway (dev, test and demo only: `pg.sandbox_enabled`): its payment page
//! (`/pg-sandbox/pay`, pages.rs) shows the amount with Approve / Decline / Abandon, records the
//! choice in `pg_sandbox_payment` and sends the customer back with a callback signed by
//! HMAC-SHA256 (`pg.sandbox_key`). Its status query reads that record, so the whole flow,
//! reconciliation included, runs on one machine.

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit as _, Mac as _};
use rust_decimal::Decimal;

use super::gateway::{Gateway, Redirect, SANDBOX, Status, Verdict};
use super::model::Txn;
use super::repo;
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::{AppError, AppResult, codes};

/// The sandbox's payment page.
pub const PAY_PATH: &str = "/pg-sandbox/pay";

/// The fields of the sandbox's signed callback, in signing order (`signature` signs them).
pub const CALLBACK_FIELDS: [&str; 5] = ["orderId", "sandboxTxnId", "amount", "status", "mode"];
/// The fields of the signed request to the payment page.
pub const REQUEST_FIELDS: [&str; 3] = ["orderId", "amount", "returnUrl"];

pub struct Sandbox {
    key: Vec<u8>,
    base_url: String,
    pool: DbPool,
}

impl Sandbox {
    pub fn new(settings: &Settings, pool: DbPool) -> Self {
        let key = settings.pg.sandbox_key.expose();
        Self {
            // An empty key still signs (tests and the demo set one; production never runs this).
            key: if key.is_empty() {
                b"sandbox".to_vec()
            } else {
                key.as_bytes().to_vec()
            },
            base_url: settings.app.base_url.trim_end_matches('/').to_owned(),
            pool,
        }
    }
}

/// `name=value` pairs of `fields` joined by `|`, as signed.
fn canonical(fields: &[&str], params: &BTreeMap<String, String>) -> String {
    fields
        .iter()
        .map(|f| format!("{f}={}", params.get(*f).map_or("", String::as_str)))
        .collect::<Vec<_>>()
        .join("|")
}

/// HMAC-SHA256 of `fields` of `params` under `key`, lowercase hex.
pub fn sign(key: &[u8], fields: &[&str], params: &BTreeMap<String, String>) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC takes keys of any length; this branch is never taken.
        Hmac::<sha2::Sha256>::new_from_slice(b"sandbox").unwrap_or_else(|_| unreachable!())
    });
    mac.update(canonical(fields, params).as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Whether `signature` is the HMAC of `fields` (compared in constant time).
pub fn verify(
    key: &[u8],
    fields: &[&str],
    params: &BTreeMap<String, String>,
    signature: &str,
) -> bool {
    let Some(given) = unhex(signature) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key) else {
        return false;
    };
    mac.update(canonical(fields, params).as_bytes());
    mac.verify_slice(&given).is_ok()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn bad_signature() -> AppError {
    AppError::invalid_field(
        codes::PG_BAD_SIGNATURE,
        "The gateway's signature does not match",
        "signature",
    )
}

impl Sandbox {
    pub fn key(&self) -> &[u8] {
        &self.key
    }
}

impl Gateway for Sandbox {
    fn code(&self) -> &'static str {
        SANDBOX
    }

    fn start(&self, txn: &Txn, return_url: &str) -> AppResult<Redirect> {
        let mut p = BTreeMap::new();
        p.insert("orderId".to_owned(), txn.txn_id.clone());
        p.insert("amount".to_owned(), txn.amount.normalize().to_string());
        p.insert("returnUrl".to_owned(), return_url.to_owned());
        let sig = sign(&self.key, &REQUEST_FIELDS, &p);
        p.insert("sig".to_owned(), sig);
        let query = serde_urlencoded::to_string(&p)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("sandbox query: {e}")))?;
        Ok(Redirect {
            url: format!("{}{PAY_PATH}?{query}", self.base_url),
            form: None,
            gateway_ref: None,
            client_url: None,
        })
    }

    fn verify_callback(&self, params: &BTreeMap<String, String>, _txn: &Txn) -> AppResult<Verdict> {
        let sig = params.get("signature").map(String::as_str).unwrap_or("");
        if !verify(&self.key, &CALLBACK_FIELDS, params, sig) {
            return Err(bad_signature());
        }
        let field = |k: &str| params.get(k).cloned().filter(|v| !v.is_empty());
        let status = match params.get("status").map(String::as_str) {
            Some("SUCCESS") => Status::Success,
            Some("FAILURE") => Status::Failure,
            _ => Status::Pending,
        };
        Ok(Verdict {
            status,
            txn_id: field("orderId").unwrap_or_default(),
            gateway_txn_id: field("sandboxTxnId"),
            amount: params
                .get("amount")
                .and_then(|a| crate::money::parse(a).ok()),
            payment_mode: field("mode"),
            status_code: field("status"),
            status_msg: (status == Status::Failure).then(|| "Declined on the sandbox".to_owned()),
        })
    }

    fn status(&self, txn: &Txn) -> AppResult<Option<Verdict>> {
        let mut conn = self.pool.checkout()?;
        let found = repo::sandbox_get(&mut conn, &txn.txn_id)?;
        let (status, amount, id) = match found {
            Some((d, amount, id)) if d == "APPROVED" => (Status::Success, Some(amount), Some(id)),
            Some((d, amount, id)) if d == "DECLINED" => (Status::Failure, Some(amount), Some(id)),
            _ => (Status::Pending, None::<Decimal>, None),
        };
        Ok(Some(Verdict {
            status,
            txn_id: txn.txn_id.clone(),
            gateway_txn_id: id,
            amount,
            payment_mode: Some("UPI".to_owned()),
            status_code: Some(status.as_str().to_owned()),
            status_msg: (status == Status::Failure).then(|| "Declined on the sandbox".to_owned()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_a_changed_field_does_not() {
        let mut p = BTreeMap::new();
        for (k, v) in [
            ("orderId", "PB_PG_1"),
            ("sandboxTxnId", "SBX1"),
            ("amount", "170"),
            ("status", "SUCCESS"),
            ("mode", "UPI"),
        ] {
            p.insert(k.to_owned(), v.to_owned());
        }
        let s = sign(b"k", &CALLBACK_FIELDS, &p);
        assert_eq!(s.len(), 64);
        assert!(verify(b"k", &CALLBACK_FIELDS, &p, &s));
        assert!(!verify(b"other", &CALLBACK_FIELDS, &p, &s));
        assert!(!verify(b"k", &CALLBACK_FIELDS, &p, "zz"));
        p.insert("amount".to_owned(), "1700".to_owned());
        assert!(!verify(b"k", &CALLBACK_FIELDS, &p, &s));
    }
}
