//! A short-lived in-process cache of access tokens, so that a request with a known token costs no
//! database round trip. An entry lives at most `security.token_cache_seconds` and never past its
//! token's expiry. Any change this process makes to who may do what (a token revoked, a role
//! added or removed, an account locked, deactivated or edited) calls `auth_changed`, which
//! empties the cache at once and again after the change commits, so no request can keep the old
//! state in between. A change made by another process (direct SQL) is seen within the lifetime.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::platform::access::identity::AuthUser;

static EPOCH: AtomicU64 = AtomicU64::new(0);

/// Most entries kept; past it the cache starts over (one lookup each for the tokens in use).
const MAX_ENTRIES: usize = 20_000;

fn bump() {
    EPOCH.fetch_add(1, Ordering::SeqCst);
}

/// Forget every cached token, now and once the current transaction commits.
pub fn auth_changed() {
    bump();
    crate::db::after_commit(bump);
}

/// The current generation; a lookup reads it before going to the database and stores it with
/// what it found, so an entry found while a change was under way is born stale.
pub fn epoch() -> u64 {
    EPOCH.load(Ordering::SeqCst)
}

struct Entry {
    user: AuthUser,
    epoch: u64,
    until: Instant,
}

pub struct TokenCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl TokenCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::default(),
        }
    }

    pub fn get(&self, token: &str) -> Option<AuthUser> {
        if self.ttl.is_zero() {
            return None;
        }
        let now = Instant::now();
        let current = epoch();
        let mut map = self.entries.lock().ok()?;
        match map.get(token) {
            Some(e) if e.epoch == current && e.until > now => Some(e.user.clone()),
            Some(_) => {
                map.remove(token);
                None
            }
            None => None,
        }
    }

    /// Keeps `user` for `token` (valid until `expires_at`), as found at generation `seen`.
    pub fn put(&self, token: &str, user: &AuthUser, expires_at: DateTime<Utc>, seen: u64) {
        if self.ttl.is_zero() || seen != epoch() {
            return;
        }
        let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
        let until = Instant::now() + self.ttl.min(left);
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(
            token.to_owned(),
            Entry {
                user: user.clone(),
                epoch: seen,
                until,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> AuthUser {
        AuthUser {
            id: 7,
            uuid: uuid::Uuid::nil(),
            user_name: "u".into(),
            name: "U".into(),
            mobile_number: None,
            user_type: "EMPLOYEE".into(),
            tenant_id: "pb".into(),
            roles: vec![],
            must_change_password: false,
        }
    }

    #[test]
    fn a_change_forgets_every_token_and_a_stale_lookup_is_not_kept() {
        let c = TokenCache::new(Duration::from_secs(60));
        let later = Utc::now() + chrono::Duration::hours(1);
        c.put("a", &user(), later, epoch());
        assert_eq!(c.get("a").map(|u| u.id), Some(7));
        let seen = epoch();
        auth_changed();
        assert!(c.get("a").is_none(), "a change empties the cache");
        c.put("b", &user(), later, seen);
        assert!(c.get("b").is_none(), "found before the change: not kept");
    }

    #[test]
    fn an_entry_never_outlives_its_token() {
        let c = TokenCache::new(Duration::from_secs(60));
        c.put(
            "x",
            &user(),
            Utc::now() - chrono::Duration::seconds(1),
            epoch(),
        );
        assert!(c.get("x").is_none());
        let off = TokenCache::new(Duration::ZERO);
        off.put(
            "y",
            &user(),
            Utc::now() + chrono::Duration::hours(1),
            epoch(),
        );
        assert!(off.get("y").is_none());
    }
}
