//! The water calculator (`ws-calculator`): rates from each GP's slabs (effective-dated, state
//! fallback), metered bills from readings, bulk monthly demand for flat-rate households, and the
//! estimate. Owns `water_meter_reading` and `water_bulk_demand_batch`.

mod api;
pub mod bulk;
pub mod meter;
pub mod penalty;
pub mod rates;

pub use api::{routes, run_bulk};
