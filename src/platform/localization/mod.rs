//! Localization: messages keyed by (tenant, locale, module, code) in English, Hindi and Punjabi.
//! Owns `localization_message`. Serves `/localization/messages/v1/_search` (and the legacy GET
//! `/localization/messages`) and `/localization/messages/v1/_upsert`. Pages and SMS render text
//! through `Catalog::text`, which falls back to English, then to the key, never to an error.
//! The app's `pn_IN` is accepted as Punjabi (`pa_IN`).
//! The seed also names every tenant under its code (the app shows `translate(tenant.code)`);
//! tests/api/app_i18n.rs checks the app's own call answers every code the app shows.
//! Names shown as data (a GP, its wards, a division, a category, a role) go through
//! `Catalog::{place_name, boundary_name, division_name, category_name, role_name}` (`names`),
//! which fall back to a title-cased English name, never to the code; pages reach them through
//! `PageCtx` (`gp_name`, `place_name`, `ward_name`, …) or `page::Names` in a database closure.

mod api;
mod catalog;
mod names;
pub mod service;

pub use api::routes;
pub use catalog::Catalog;
pub use names::{boundary_key, title_case};
pub use service::{Locale, Message};
