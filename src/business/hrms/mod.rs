//! HRMS: employees of the water committees and divisions. The state admin creates division users
//! (DIV_ADMIN, HRMS_ADMIN on their GPs); a division admin creates and deactivates GP staff on its
//! GPs and may grant only Sarpanch, Secretary and Revenue Collector; the superuser may do all.
//! An employee is a user (platform::user) plus an `hrms_employee` row; the GPs they work on are the
//! tenants of their roles. Owns `hrms_*`. Serves `/egov-hrms/employees/*`.

mod api;
mod pages;

pub use pages::TILES;
pub mod service;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    pages::routes(r);
}
