//! DIGIT business services (billing, collection, apportioning, dashboards, HRMS). They may use
//! `platform`, never `municipal`.

pub mod accounts;
pub mod apportion;
pub mod billing;
pub mod collection;
pub mod hrms;
pub mod pg;
