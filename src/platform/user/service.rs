//! User use cases.

use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use sha2::Digest as _;

use crate::config::Secret;
use crate::db::schema::{user_account, user_role, user_token};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::http::gateway::{AuthUser, TenantRole};

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub tenant_id: String,
    pub user_name: String,
    pub mobile_number: Option<String>,
    pub name: String,
    pub user_type: String,
    pub password: Option<Secret>,
    pub roles: Vec<TenantRole>,
}

pub fn hash_password(password: &Secret) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

pub fn verify_password(password: &Secret, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.expose().as_bytes(), hash)
        .is_ok()
}

fn token_hash(token: &str) -> Vec<u8> {
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

fn check(u: &NewUser) -> AppResult<()> {
    let mut errors = Vec::new();
    if u.user_name.trim().is_empty() {
        errors.push(ErrorDetail::field(
            "MISSING_FIELD",
            "userName is required",
            "userName",
        ));
    }
    if u.name.trim().is_empty() {
        errors.push(ErrorDetail::field(
            "MISSING_FIELD",
            "name is required",
            "name",
        ));
    }
    if let Some(m) = &u.mobile_number {
        if m.len() != 10 || !m.chars().all(|c| c.is_ascii_digit()) {
            errors.push(ErrorDetail::field(
                "INVALID_MOBILE_NUMBER",
                "mobile number must be 10 digits",
                "mobileNumber",
            ));
        }
    }
    if !matches!(u.user_type.as_str(), "EMPLOYEE" | "CITIZEN" | "SYSTEM") {
        errors.push(ErrorDetail::field(
            "INVALID_USER_TYPE",
            "type must be EMPLOYEE, CITIZEN or SYSTEM",
            "type",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::many(errors))
    }
}

/// Creates a user with roles, in the caller's transaction. Returns the user id.
pub fn create_user(conn: &mut PgConnection, u: &NewUser) -> AppResult<i64> {
    check(u)?;
    let hash = u.password.as_ref().map(hash_password).transpose()?;
    let id: i64 = diesel::insert_into(user_account::table)
        .values((
            user_account::uuid.eq(uuid::Uuid::new_v4()),
            user_account::tenant_id.eq(&u.tenant_id),
            user_account::user_name.eq(u.user_name.trim()),
            user_account::user_type.eq(&u.user_type),
            user_account::name.eq(u.name.trim()),
            user_account::mobile_number.eq(&u.mobile_number),
            user_account::password_hash.eq(hash),
        ))
        .returning(user_account::id)
        .get_result(conn)?;
    let roles: Vec<_> = u
        .roles
        .iter()
        .map(|r| {
            (
                user_role::user_id.eq(id),
                user_role::role_code.eq(&r.code),
                user_role::tenant_id.eq(&r.tenant_id),
            )
        })
        .collect();
    diesel::insert_into(user_role::table)
        .values(&roles)
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(id)
}

/// Replaces a user's password.
pub fn set_password(conn: &mut PgConnection, user_id: i64, password: &Secret) -> AppResult<()> {
    let hash = hash_password(password)?;
    diesel::update(user_account::table.find(user_id))
        .set(user_account::password_hash.eq(hash))
        .execute(conn)?;
    Ok(())
}

/// Issues an access token valid for `ttl`; only its hash is stored.
pub fn issue_token(
    conn: &mut PgConnection,
    user_id: i64,
    ttl: Duration,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let mut raw = [0u8; 32];
    rand::fill(&mut raw);
    let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    diesel::insert_into(user_token::table)
        .values((
            user_token::token_hash.eq(token_hash(&token)),
            user_token::user_id.eq(user_id),
            user_token::kind.eq("access"),
            user_token::created_at.eq(now),
            user_token::expires_at.eq(now + ttl),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The active user a live, unrevoked access token belongs to.
pub fn authenticate(
    conn: &mut PgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<AuthUser>> {
    type Row = (
        i64,
        uuid::Uuid,
        String,
        String,
        Option<String>,
        String,
        String,
    );
    let row: Option<Row> = user_token::table
        .inner_join(user_account::table)
        .filter(user_token::token_hash.eq(token_hash(token)))
        .filter(user_token::kind.eq("access"))
        .filter(user_token::expires_at.gt(now))
        .filter(user_token::revoked_at.is_null())
        .filter(user_account::active.eq(true))
        .select((
            user_account::id,
            user_account::uuid,
            user_account::user_name,
            user_account::name,
            user_account::mobile_number,
            user_account::user_type,
            user_account::tenant_id,
        ))
        .first(conn)
        .optional()?;
    let Some((id, uuid, user_name, name, mobile_number, user_type, tenant_id)) = row else {
        return Ok(None);
    };
    let roles = user_role::table
        .filter(user_role::user_id.eq(id))
        .order((user_role::tenant_id, user_role::role_code))
        .select((user_role::role_code, user_role::tenant_id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(code, tenant_id)| TenantRole { code, tenant_id })
        .collect();
    Ok(Some(AuthUser {
        id,
        uuid,
        user_name,
        name,
        mobile_number,
        user_type,
        tenant_id,
        roles,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() -> AppResult<()> {
        let h = hash_password(&Secret::new("eGov@123"))?;
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&Secret::new("eGov@123"), &h));
        assert!(!verify_password(&Secret::new("eGov@124"), &h));
        Ok(())
    }
}
