//! Access control: which roles may call which action URL (role-actions from master data, kept in
//! memory and reloaded after a seed), and the gateway's `AccessControl` implementation.

pub mod grants;
pub mod identity;
pub mod limiter;
pub mod link;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;
use diesel::PgConnection;

use crate::error::AppResult;
use crate::platform::access::identity::{AccessControl, AuthUser, TenantRole};
use crate::platform::encryption::Crypto;
use crate::platform::user::cache::{self, TokenCache};
use crate::platform::{mdms, user};

pub struct Access {
    grants: RwLock<HashMap<String, Vec<TenantRole>>>,
    crypto: Arc<Crypto>,
    tokens: TokenCache,
}

impl Access {
    /// Loads the role-action map from the master tables; checked tokens are kept `token_ttl`.
    pub fn load(
        conn: &mut PgConnection,
        crypto: Arc<Crypto>,
        token_ttl: Duration,
    ) -> diesel::QueryResult<Self> {
        let a = Self {
            grants: RwLock::default(),
            crypto,
            tokens: TokenCache::new(token_ttl),
        };
        a.load_map(conn)?;
        Ok(a)
    }

    fn load_map(&self, conn: &mut PgConnection) -> diesel::QueryResult<usize> {
        let mut map: HashMap<String, Vec<TenantRole>> = HashMap::new();
        for (url, code, tenant_id) in mdms::repo::action_grants(conn)? {
            map.entry(url)
                .or_default()
                .push(TenantRole { code, tenant_id });
        }
        let n = map.len();
        if let Ok(mut g) = self.grants.write() {
            *g = map;
        }
        Ok(n)
    }
}

impl AccessControl for Access {
    fn authenticate(&self, conn: &mut PgConnection, token: &str) -> AppResult<Option<AuthUser>> {
        let seen = cache::epoch();
        let found = user::authenticate_until(conn, &self.crypto, token, Utc::now())?;
        Ok(found.map(|(u, expires_at)| {
            self.tokens.put(token, &u, expires_at, seen);
            u
        }))
    }

    fn cached(&self, token: &str) -> Option<AuthUser> {
        self.tokens.get(token)
    }

    fn roles_for_actions(&self, urls: &[String]) -> Vec<TenantRole> {
        let Ok(g) = self.grants.read() else {
            return Vec::new();
        };
        urls.iter()
            .filter_map(|u| g.get(u))
            .flatten()
            .cloned()
            .collect()
    }

    fn reload(&self, conn: &mut PgConnection) -> diesel::QueryResult<usize> {
        self.load_map(conn)
    }

    fn session(
        &self,
        conn: &mut PgConnection,
        raw: &str,
    ) -> AppResult<Option<(AuthUser, Option<String>)>> {
        user::session::lookup(conn, &self.crypto, raw, Utc::now())
    }
}
