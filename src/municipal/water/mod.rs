//! Households: properties (`property-services`) and water connections (`ws-services`): who the
//! holder is, how the connection is billed (flat monthly or by meter), opening arrears, penalty
//! or advance as their own demands, edits with the rules of product.md §2.3, and the searches the
//! staff screens use. Owns `property` and `water_*`. Serves `/property-services/property/*` and
//! `/ws-services/wc/*`.

mod api;
pub mod citizen;
mod connection;
pub mod documents;
pub mod import;
mod input;
mod json;
mod model;
mod opening;
pub mod pages;
mod property;
pub mod register;
pub mod reminders;
mod repo;
pub mod service;

pub use pages::TILES;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    pages::routes(r);
    register::pages::routes(r);
    import::pages::routes(r);
    citizen::routes(r);
}
