//! User use cases, by what they are for: `credentials` (password rule, hashes, login with
//! lockout, password set and change), `tokens` (access and refresh tokens, log out,
//! authenticate), `users` (create, read, profile, roles, activation, history, key rotation),
//! `admin` (changes by user administrators) and `search`. Personal fields are sealed with
//! `platform::encryption` on the way in and opened on the way out; nothing here logs them. This module is their one door: callers name `user::service::…`.

use crate::config::SecuritySettings;
use crate::platform::encryption::Crypto;

pub use super::admin::*;
pub use super::credentials::*;
pub use super::search::*;
pub use super::tokens::*;
pub use super::users::*;

/// What identity code needs from the configuration.
#[derive(Clone, Copy)]
pub struct Identity<'a> {
    pub crypto: &'a Crypto,
    pub sec: &'a SecuritySettings,
}

impl<'a> Identity<'a> {
    /// The one way to build it (from the state: [`crate::state::AppState::identity`]).
    pub fn new(crypto: &'a Crypto, sec: &'a SecuritySettings) -> Self {
        Self { crypto, sec }
    }

    pub fn username_hash(&self, user_name: &str) -> Vec<u8> {
        self.crypto
            .blind_index("username", &user_name.trim().to_lowercase())
    }
    pub fn mobile_hash(&self, mobile: &str) -> Vec<u8> {
        self.crypto.blind_index("mobile", mobile.trim())
    }
}

/// The read-only figures of this module's tables (roll-out dashboard, iFIX export).
pub use super::repo::figures;
