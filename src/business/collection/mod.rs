//! Collection: payments against bills, receipts, exactly-once by idempotency key, and the
//! allocation of every rupee to demand lines (so a cancellation restores them exactly).
//! Owns `collection_*`. Serves `/collection-services/payments/*`.

mod api;
pub mod pages;
pub mod service;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
}
