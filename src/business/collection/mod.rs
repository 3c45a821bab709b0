//! Collection: payments against bills, receipts, exactly-once by idempotency key, and the
//! allocation of every rupee to demand lines (so a cancellation restores them exactly).
//! Owns `collection_*`. Serves `/collection-services/payments/*`.

mod api;
mod demands_api;
pub mod pages;
mod repo;
pub mod service;

pub use pages::TILES;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    demands_api::routes(r);
    pages::routes(r);
}
