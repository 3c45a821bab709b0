//! `AppState`: what every handler and job shares. Cheap to clone; nothing in it is needed by
//! another instance (sessions and tokens are in PostgreSQL; caches are only caches).

use std::sync::Arc;

use crate::config::Settings;
use crate::db::DbPool;
use crate::platform::access::identity::AccessControl;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: DbPool,
    pub access: Arc<dyn AccessControl>,
    pub i18n: Arc<crate::platform::localization::Catalog>,
    pub crypto: Arc<crate::platform::encryption::Crypto>,
    pub sms: Arc<dyn crate::platform::notification::SmsAdapter>,
    /// Anonymous calls (the link holder's view) per client address.
    pub link_limiter: Arc<crate::platform::access::limiter::Limiter>,
    /// The payment gateways and which GP uses which (`business::pg`).
    pub pg: Arc<crate::business::pg::Gateways>,
}

impl AppState {
    /// The keys and rules a user operation needs.
    pub fn identity(&self) -> crate::platform::user::Identity<'_> {
        crate::platform::user::Identity::new(&self.crypto, &self.settings.security)
    }
}
