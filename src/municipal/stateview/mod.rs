//! The division and state views (issue 17 item 5): one row per GP the caller may see (a
//! division admin the GPs of their divisions, the state admin every GP) with the period's
//! demand, collection, collection efficiency, expenses, surplus, households, last demand date
//! and whether the GP billed last month; sortable, filterable, paged, with a totals row.
//!
//! It answers from its own roll-up (`stateview_gp_month`, `stateview_gp`), never from the
//! ledger: the job `state-view` (every 5 minutes) asks billing, collection, echallan and water
//! through their services which GPs changed since its watermark and recomputes only those
//! (`service::refresh`). Page `/home/state`, endpoint `/mgramseva/state/v1/_search`.

mod api;
pub mod pages;
pub mod params;
pub mod period;
pub mod service;

pub use pages::TILES;

/// Who reads the views.
pub const ROLES: &[&str] = &["DIV_ADMIN", "STATE_ADMIN"];

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    pages::routes(r);
}
