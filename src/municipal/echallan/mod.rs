//! Expense bills (echallan-services, mGramSeva's "expenses"): a GP's bill from a vendor, of one
//! of the master data's expense types, with its dates, amount, attachment and status (ACTIVE,
//! PAID, CANCELLED). Its money lives on the shared ledger: a demand of business service
//! `EXPENSE.<TYPE>` (consumer code = the bill number) raised on creation, and a CASH receipt
//! through collection when it is paid (at creation or later), in the same transaction.
//! Cancelling a paid bill cancels its receipt and then its demand. Electricity bills of
//! PSPCL-mapped GPs are read-only for GP staff. Owns `echallan_bill` and `echallan_history`. Serves
//! `/echallan-services/eChallan/v1/{_create,_update,_updateCreateNoPayment,_search}`, and the
//! staff pages to add, find and change expense bills (`pages`).

mod api;
pub mod jobs;
mod model;
pub mod pages;
mod repo;
pub mod report_rows;
pub mod reports;
pub mod reports_api;
pub mod reports_pages;
mod rules;
pub mod service;
mod write;

pub use pages::TILES;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    pages::routes(r);
    reports_api::routes(r);
    reports_pages::routes(r);
}
