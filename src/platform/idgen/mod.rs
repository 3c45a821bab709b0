//! ID generation: formatted, human-readable ids from the id-format master
//! (`WS/[CITY.CODE]/[fy:yyyy-yy]/[SEQ_WS_CON_ID_[TENANT_ID]]`, `EB-[fy:yyyy-yy]-[SEQ_...]`, ...).
//! Sequences are rows of `idgen_sequence` (owned here), advanced inside the caller's transaction:
//! concurrent requests queue on the row lock and never get the same number, and a rolled-back
//! transaction gives its numbers back. Serves `/egov-idgen/id/_generate`.

mod api;
pub mod service;

pub use api::routes;
pub use service::{IdRequest, check_format, generate, next_id};
