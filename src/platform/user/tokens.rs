//! Tokens: access and refresh tokens, kept server side as hashes; a refresh token rotates and
//! a replayed one revokes its whole family; log out; the user behind a live access token.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use sha2::Digest as _;

use super::model::User;
use super::repo;
use super::service::Identity;
use super::users::get;
use crate::config::SecuritySettings;
use crate::error::AppResult;
use crate::platform::access::identity::AuthUser;
use crate::platform::encryption::Crypto;

fn token_hash(token: &str) -> Vec<u8> {
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

pub(super) fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::fill(&mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// Access and refresh token as handed to a client.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
    pub expires_in: i64,
}

/// A new access and refresh pair; of `family` when refreshing, else of a new family.
pub fn issue_tokens(
    conn: &mut PgConnection,
    sec: &SecuritySettings,
    user_id: i64,
    family: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Tokens> {
    let family = family.unwrap_or_else(uuid::Uuid::new_v4);
    let access = new_token();
    let refresh = new_token();
    let ah = token_hash(&access);
    repo::insert_token(
        conn,
        &repo::NewToken {
            hash: &ah,
            user_id,
            kind: "access",
            pair: None,
            family,
            created_at: now,
            expires_at: now + Duration::minutes(sec.access_token_minutes),
        },
    )?;
    repo::insert_token(
        conn,
        &repo::NewToken {
            hash: &token_hash(&refresh),
            user_id,
            kind: "refresh",
            pair: Some(&ah),
            family,
            created_at: now,
            expires_at: now + Duration::minutes(sec.refresh_token_minutes),
        },
    )?;
    Ok(Tokens {
        access,
        refresh,
        expires_in: sec.access_token_minutes * 60,
    })
}

/// Only an access token, for sessions and tests.
pub fn issue_token(
    conn: &mut PgConnection,
    user_id: i64,
    ttl: Duration,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let t = new_token();
    repo::insert_token(
        conn,
        &repo::NewToken {
            hash: &token_hash(&t),
            user_id,
            kind: "access",
            pair: None,
            family: uuid::Uuid::new_v4(),
            created_at: now,
            expires_at: now + ttl,
        },
    )?;
    Ok(t)
}

/// Trades a live refresh token for a new pair of its family; the old pair ends and the refresh
/// token is marked rotated. A rotated refresh token that comes back was copied (or replayed):
/// it is refused as before, and every live token of its family (all that descend from the same
/// login, the newer pair of whoever refreshed first included) is revoked, so a thief and the
/// rightful holder both have to log in again.
pub fn refresh(
    conn: &mut PgConnection,
    id: Identity<'_>,
    refresh_token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<(User, Tokens)>> {
    let rh = token_hash(refresh_token);
    let Some(t) = repo::refresh_token_for_update(conn, &rh)? else {
        return Ok(None);
    };
    if t.rotated_at.is_some() {
        let revoked = repo::revoke_family(conn, t.family, now)?;
        tracing::warn!(
            user.id = t.user_id,
            revoked,
            "a rotated refresh token was presented again: its token family is revoked"
        );
        return Ok(None);
    }
    if t.revoked_at.is_some() || t.expires_at <= now {
        return Ok(None);
    }
    repo::mark_rotated(conn, &rh, now)?;
    repo::revoke(conn, &t.pair.into_iter().collect::<Vec<_>>(), now)?;
    let Some(user) = get(conn, id.crypto, t.user_id)? else {
        return Ok(None);
    };
    if !user.active || user.is_locked(now) {
        return Ok(None);
    }
    let tokens = issue_tokens(conn, id.sec, t.user_id, Some(t.family), now)?;
    Ok(Some((user, tokens)))
}

/// Ends an access token and the refresh token issued with it. False when it was not live.
pub fn logout(conn: &mut PgConnection, access_token: &str, now: DateTime<Utc>) -> AppResult<bool> {
    let h = token_hash(access_token);
    let live = repo::live_token(conn, &h, "access", now)?.is_some();
    repo::revoke(conn, std::slice::from_ref(&h), now)?;
    repo::revoke_pairs_of(conn, &[h], now)?;
    Ok(live)
}

/// The active, unlocked user a live access token belongs to.
pub fn authenticate(
    conn: &mut PgConnection,
    crypto: &Crypto,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<AuthUser>> {
    Ok(authenticate_until(conn, crypto, token, now)?.map(|(u, _)| u))
}

/// `authenticate`, with the time the token expires.
pub fn authenticate_until(
    conn: &mut PgConnection,
    crypto: &Crypto,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<(AuthUser, DateTime<Utc>)>> {
    let Some((user_id, _, expires_at)) = repo::live_token(conn, &token_hash(token), "access", now)?
    else {
        return Ok(None);
    };
    let Some(u) = get(conn, crypto, user_id)? else {
        return Ok(None);
    };
    if !u.active || u.is_locked(now) {
        return Ok(None);
    }
    Ok(Some((AuthUser::from(u), expires_at)))
}
