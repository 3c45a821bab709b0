//! Billing: demands (a consumer's charges for one period, in tax-head lines), their history, and
//! bills built from unpaid demands. Generic over business services (water now, expenses later).
//! Owns `billing_*`. Serves `/billing-service/*`.

mod api;
mod bills;
pub mod books;
pub mod cache;
mod check;
pub mod json;
mod model;
mod payers;
mod reads;
mod repo;
pub mod service;
mod settle;

pub use api::{DemandQuery, FoundDemands, find_demands};
pub use json::{bill_json, demand_json};

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
}
