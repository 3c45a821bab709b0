//! Vendors (the `vendor` service): the payees of a GP's expense bills. A vendor has a name, an
//! owner (a user account created on the fly from the mobile number, personal data sealed like
//! every user's), an address and a status; one mobile number is one vendor on a GP (a unique
//! blind index in the database). Owns `vendor_account`. Serves `/vendor/v1/_create` and `_search`.

mod api;
mod model;
mod repo;
pub mod report;
mod report_api;
pub mod service;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    report_api::routes(r);
}
