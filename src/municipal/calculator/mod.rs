//! The water calculator (`ws-calculator`): rates from each GP's slabs (effective-dated, state
//! fallback), metered bills from readings, bulk monthly demand for flat-rate households, the
//! estimate, and `_calculate`/`_jobscheduler` over the same rules (`run_api.rs`). Owns `water_meter_reading` and `water_bulk_demand_batch`. Its screens (`pages.rs`):
//! bulk demand generation, the rate card, a meter reading.

mod api;
pub mod bulk;
pub mod meter;
pub mod notices;
mod pages;
pub mod penalty;
pub mod rates;
mod run_api;

pub use api::run_bulk;
pub use pages::TILES;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    pages::routes(r);
}
