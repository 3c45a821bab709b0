//! What the pg service hands out: a transaction as stored (`Txn`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::gateway::Status;

/// One online payment attempt (a row of `pg_transaction`).
#[derive(Clone, Debug, Queryable, Selectable, PartialEq)]
#[diesel(table_name = crate::db::schema::pg_transaction)]
pub struct Txn {
    /// Ours: `PB_PG_2026_12_04_000017_42`.
    pub txn_id: String,
    pub tenant_id: String,
    /// The bill paid (billing's active bill for the consumer when the payment started).
    pub bill_id: uuid::Uuid,
    pub business_service: String,
    pub consumer_code: String,
    /// Exact, in rupees (whole rupees: collection's rule).
    pub amount: Decimal,
    /// `SANDBOX`, `PAYGOV`, `RAZORPAY`.
    pub gateway: String,
    /// `PENDING`, `SUCCESS`, `FAILURE` (see [`Txn::status`]).
    pub status: String,
    /// Why it ended as it did, in plain words (English; pages show their own texts).
    pub status_msg: Option<String>,
    /// The gateway's reference made at the start (Razorpay's order id).
    pub gateway_ref: Option<String>,
    pub gateway_txn_id: Option<String>,
    pub gateway_payment_mode: Option<String>,
    pub gateway_status_code: Option<String>,
    pub gateway_status_msg: Option<String>,
    /// The receipt number, once SUCCESS.
    pub receipt: Option<String>,
    pub payment_id: Option<uuid::Uuid>,
    /// Where the customer is sent back after the gateway (the citizen page or the app's),
    /// with `eg_pg_txnid` and `transactionId` added.
    pub callback_url: String,
    /// `{"url": …, "form": [[name, value], …]}` as the gateway's adapter gave it.
    pub redirect: serde_json::Value,
    pub user_uuid: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Last asked about by the status query.
    pub checked_at: Option<DateTime<Utc>>,
}

impl Txn {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Pending)
    }

    /// `callback_url` with the transaction named (`eg_pg_txnid`, `transactionId`), where the
    /// customer lands after the gateway.
    pub fn back_url(&self) -> String {
        let sep = if self.callback_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!(
            "{}{sep}eg_pg_txnid={id}&transactionId={id}",
            self.callback_url,
            id = self.txn_id
        )
    }
}
