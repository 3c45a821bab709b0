//! The five water reports of product.md §2.8 (bill, collection, inactive consumers, the monthly
//! ledger, the consumer ledger): the app's JSON endpoints and the staff pages. Read-only: the
//! rows come from water, billing and collection through their services.

pub mod api;
pub mod check;
pub mod pages;
pub mod rows;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    pages::routes(r);
}
