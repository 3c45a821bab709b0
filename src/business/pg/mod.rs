//! pg-service: online payments through a payment gateway (issue 15). A transaction is started
//! for a consumer's bill (`service::start_payment`), the customer pays on the gateway's page, and
//! the gateway's answer is settled (`service::settle_callback`; the `pg-reconcile` job for answers
//! that never came) into exactly one receipt through collection. Gateways sit behind one adapter
//! trait (`Gateway`), chosen per GP in the configuration (`[pg]`); the built-in sandbox gateway
//! runs the whole flow on one machine.
//!
//! Owns `pg_*`. Serves `/pg-service/*`, the sandbox's `/pg-sandbox/*` (dev/test/demo only) and
//! the staff's `/home/online-payments`.
//!
//! The face other modules use:
//! * [`start_payment`]`(state, NewTxn) -> Started { txn, redirect_url }` (async);
//! * [`settle_callback`]`(state, params, source) -> Txn` (async);
//! * [`get`]`(state, txn_id) -> Option<Txn>` (async), [`get_in`]`(conn, txn_id)`;
//! * [`reconcile`]`(state, conn, now) -> Reconciled` (the job);
//! * [`Gateway`] (the adapter trait), [`Redirect`], [`Verdict`], [`Status`], [`Gateways`].

mod api;
pub mod gateway;
mod model;
mod pages;
mod repo;
pub mod sandbox;
pub mod service;
mod staff;

pub use api::txn_json;
pub use gateway::{Gateway, Gateways, Redirect, Status, Verdict};
pub use model::Txn;
pub use service::{
    NewTxn, Reconciled, Started, get, get_in, reconcile, settle_callback, start_payment,
};

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    pages::routes(r);
}
