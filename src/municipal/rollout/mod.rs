//! The roll-out dashboard (product.md §5.3): every GP's figures (users, households, demand,
//! collection, expenses, feedback) for a set of windows, kept in `rollout_dashboard` and replaced
//! whole by the daily job `rollout-dashboard`. Read by the state admin's page `/home/rollout`
//! and the endpoint `/mgramseva/rollout/v1/_search`.
//!
//! The figures come from each module's read-only `figures` queries (billing, collection,
//! water, echallan, user); this module names only its own table.

mod api;
pub mod pages;
pub mod service;

pub use pages::TILES;

/// Who reads the dashboard.
pub const ROLES: &[&str] = &["STATE_ADMIN"];

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    pages::routes(r);
}
