//! DIGIT business services (billing, collection, apportioning, dashboards, HRMS). They may use
//! `platform`, never `municipal`. Filled in by the billing and identity work.
