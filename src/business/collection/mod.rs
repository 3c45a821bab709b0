//! Collection: payments against bills, receipts, exactly-once by idempotency key, and the
//! allocation of every rupee to demand lines (so a cancellation restores them exactly).
//! Owns `collection_*`. Serves `/collection-services/payments/*`. The counter's pages show a
//! household with its payments, so they sit above both, with water's pages.

mod api;
mod books;
mod demands_api;
mod repo;
pub mod service;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    demands_api::routes(r);
}
