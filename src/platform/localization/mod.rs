//! Localization: messages keyed by (tenant, locale, module, code) in English, Hindi and Punjabi.
//! Owns `localization_message`. Serves `/localization/messages/v1/_search` (and the legacy GET
//! `/localization/messages`) and `/localization/messages/v1/_upsert`. Pages and SMS render text
//! through `Catalog::text`, which falls back to English, then to the key, never to an error.
//! The app's `pn_IN` is accepted as Punjabi (`pa_IN`).
//! The seed also names every tenant under its code (the app shows `translate(tenant.code)`);
//! tests/api/app_i18n.rs checks the app's own call answers every code the app shows.

mod api;
mod catalog;
pub mod service;

pub use api::routes;
pub use catalog::Catalog;
pub use service::{Locale, Message};
