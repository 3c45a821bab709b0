//! The real gateways (PayGov, Razorpay) through their real HTTP client, against local doubles
//! that speak their protocols.

mod doubles;
mod e2e;
mod paygov;
mod razorpay;

use mgramseva::outbound::{Client, OutboundSettings};

/// The client as the server builds it, with a total timeout short enough for the slow doubles.
pub(crate) fn client() -> Client {
    Client::new(&OutboundSettings {
        connect_timeout_ms: 1_000,
        total_timeout_ms: 1_500,
        max_reply_bytes: 1 << 20,
    })
}
