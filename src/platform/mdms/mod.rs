//! Master data (MDMS): tenants and their engineering hierarchy, roles, actions, role-actions,
//! tax heads, derived tax periods, business services, expense types, id formats, water tariffs,
//! penalty rules, PSPCL accounts and the small verbatim masters. Owns the `mdms_*` tables.
//! Serves `/egov-mdms-service/v1/_search|_get` and `/mdms-v2/v1/_search`.

mod api;
pub mod jsonpath;
pub mod model;
pub mod repo;
pub mod seed;
pub mod service;

pub use api::routes;
pub use service::{Scope, scope};
