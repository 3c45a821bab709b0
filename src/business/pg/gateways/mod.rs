//! The real gateways' protocols (PayGov, Razorpay): what goes to the gateway, how its answers
//! are checked, and the server-to-server status query that alone can say "paid".

pub mod adapters;
pub mod paygov;
pub mod razorpay;
pub mod webhook_api;

use rust_decimal::Decimal;

/// A gateway's word on a transaction, once asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The gateway confirms the money for exactly this transaction.
    Paid {
        /// The gateway's own id of the payment (the receipt's idempotency key).
        gateway_txn_id: String,
        amount: Decimal,
        payment_mode: String,
        bank_ref: String,
    },
    /// The gateway says the payment failed or never happened.
    Failed { code: String, message: String },
    /// Not known yet (begun, or the gateway could not be asked): ask again later.
    Pending(String),
}

/// Why a callback or webhook was refused outright (logged; nothing is paid, nothing changes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the signature or checksum does not match")]
    BadSignature,
    #[error("the amount differs from the transaction's")]
    AmountChanged,
    #[error("the answer is about another transaction or merchant")]
    OtherTransaction,
    #[error("the callback is not in the gateway's format: {0}")]
    Malformed(&'static str),
}
