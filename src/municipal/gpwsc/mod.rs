//! GPWSC details (product.md §2.9): the village's place in the engineering hierarchy (state →
//! zone → circle → division → sub-division → section → village) and its project, as the iFIX
//! searches the app calls answer them (`ifix-department-entity/departmentEntity/v1/_search`,
//! `adapter-master-data/project/v1/_search`), built from the tenant master through the master
//! data's service. No table of its own. The village details page (`/home/villagedetails`, the
//! calculator's rate card) shows the same hierarchy.

mod api;
pub mod service;

pub use api::{DEPARTMENT_PATH, PROJECT_PATH};

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
}
