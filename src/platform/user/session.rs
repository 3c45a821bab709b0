//! Staff page sessions: a random id in an HttpOnly cookie, its SHA-256 in `user_session`, idle
//! expiry that slides with use, and the GP the person chose. Ended by logout, a password change or
//! deactivation.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use sha2::Digest as _;

use crate::db::schema::user_session as us;
use crate::error::AppResult;
use crate::platform::access::identity::AuthUser;
use crate::platform::encryption::Crypto;

/// How long a session lives without use.
pub const IDLE: Duration = Duration::hours(12);

fn hash(raw: &str) -> Vec<u8> {
    sha2::Sha256::digest(raw.as_bytes()).to_vec()
}

/// Starts a session; returns the raw id for the cookie.
pub fn start(
    conn: &mut PgConnection,
    user_id: i64,
    tenant: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let mut raw = [0u8; 32];
    rand::fill(&mut raw);
    let id: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    diesel::insert_into(us::table)
        .values((
            us::id_hash.eq(hash(&id)),
            us::user_id.eq(user_id),
            us::tenant_id.eq(tenant),
            us::created_at.eq(now),
            us::last_seen_at.eq(now),
            us::expires_at.eq(now + IDLE),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The user behind a live session and the GP chosen in it; extends the session's life.
pub fn lookup(
    conn: &mut PgConnection,
    crypto: &Crypto,
    raw: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<(AuthUser, Option<String>)>> {
    let h = hash(raw);
    let row: Option<(i64, Option<String>)> = us::table
        .filter(us::id_hash.eq(&h))
        .filter(us::expires_at.gt(now))
        .select((us::user_id, us::tenant_id))
        .first(conn)
        .optional()?;
    let Some((user_id, tenant)) = row else {
        return Ok(None);
    };
    let Some(u) = super::service::get(conn, crypto, user_id)? else {
        return Ok(None);
    };
    if !u.active || u.is_locked(now) {
        return Ok(None);
    }
    diesel::update(us::table.find(&h))
        .set((us::last_seen_at.eq(now), us::expires_at.eq(now + IDLE)))
        .execute(conn)?;
    Ok(Some((AuthUser::from(u), tenant)))
}

pub fn set_tenant(conn: &mut PgConnection, raw: &str, tenant: &str) -> AppResult<()> {
    diesel::update(us::table.find(hash(raw)))
        .set(us::tenant_id.eq(Some(tenant)))
        .execute(conn)?;
    Ok(())
}

pub fn end(conn: &mut PgConnection, raw: &str) -> AppResult<()> {
    diesel::delete(us::table.find(hash(raw))).execute(conn)?;
    Ok(())
}

pub fn end_all(conn: &mut PgConnection, user_id: i64) -> AppResult<usize> {
    Ok(diesel::delete(us::table.filter(us::user_id.eq(user_id))).execute(conn)?)
}
