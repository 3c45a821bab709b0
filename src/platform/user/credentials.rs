//! Credentials: the password rule, argon2id hashes (and the dummy hash a login without a
//! password to check spends its time on), password login with lockout, and setting or changing
//! a password.

use std::cell::Cell;
use std::sync::{Mutex, PoisonError};

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::model::User;
use super::repo;
use super::service::Identity;
use super::tokens::{Tokens, issue_tokens, new_token};
use super::users::open_rows;
use crate::config::{Secret, SecuritySettings};
use crate::db::schema::user_account as ua;
use crate::error::{AppError, AppResult, codes};

/// The product's password rule: at least 6 characters (at most 64) with a letter, a digit and
/// one of `# ? ! @ $ % ^ & * -`.
pub fn check_password_rule(pw: &str, field: &str) -> AppResult<()> {
    let n = pw.chars().count();
    let ok = (6..=64).contains(&n)
        && pw.chars().any(|c| c.is_ascii_alphabetic())
        && pw.chars().any(|c| c.is_ascii_digit())
        && pw.chars().any(|c| "#?!@$%^&*-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid_field(
            codes::INVALID_PASSWORD,
            "The password needs at least 6 characters with a letter, a digit and one of # ? ! @ $ % ^ & * -",
            field,
        ))
    }
}

fn argon(sec: &SecuritySettings) -> AppResult<Argon2<'static>> {
    let params = Params::new(sec.argon2_memory_kib, sec.argon2_iterations, 1, None)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub fn hash_password(sec: &SecuritySettings, password: &Secret) -> AppResult<String> {
    argon(sec)?
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// Checks a password against its stored hash (the hash carries its own parameters).
pub fn verify_password(password: &Secret, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.expose().as_bytes(), hash)
        .is_ok()
}

/// Dummy hashes made so far, one per set of argon2 parameters (memory, passes).
static DUMMY_HASHES: Mutex<Vec<((u32, u32), String)>> = Mutex::new(Vec::new());

thread_local! {
    static DUMMY_CHECKS: Cell<u64> = const { Cell::new(0) };
}

/// The hash of a random password, made with exactly the parameters real passwords are hashed
/// with (`security.argon2_*`): a login with no password to check (no such user, or an account
/// without a password) verifies against it, so it costs what a real check costs and its timing
/// does not tell who has an account. Made once per parameter set, on first use.
pub fn dummy_hash(sec: &SecuritySettings) -> AppResult<String> {
    let key = (sec.argon2_memory_kib, sec.argon2_iterations);
    let known = |list: &Vec<((u32, u32), String)>| {
        list.iter().find(|(k, _)| *k == key).map(|(_, h)| h.clone())
    };
    if let Some(h) = known(&DUMMY_HASHES.lock().unwrap_or_else(PoisonError::into_inner)) {
        return Ok(h);
    }
    let made = hash_password(sec, &Secret::new(new_token()))?;
    let mut list = DUMMY_HASHES.lock().unwrap_or_else(PoisonError::into_inner);
    // Another thread may have made one meanwhile: keep the first, so every caller sees one hash.
    if let Some(h) = known(&list) {
        return Ok(h);
    }
    list.push((key, made.clone()));
    Ok(made)
}

/// Spends a real password check on the dummy hash; always false.
fn verify_dummy(sec: &SecuritySettings, password: &Secret) -> AppResult<bool> {
    let h = dummy_hash(sec)?;
    let _ = verify_password(password, &h);
    DUMMY_CHECKS.with(|c| c.set(c.get() + 1));
    Ok(false)
}

/// How many dummy checks this thread has made (tests call `login` on their own thread).
pub fn dummy_checks_on_this_thread() -> u64 {
    DUMMY_CHECKS.with(Cell::get)
}

/// How a password login ended. Failures are recorded even though the caller answers with an
/// error, so the handler commits first and maps the outcome afterwards.
#[derive(Debug)]
pub enum LoginOutcome {
    Success(Box<User>, Tokens),
    BadCredentials,
    Locked,
    Inactive,
}

pub fn login(
    conn: &mut PgConnection,
    id: Identity<'_>,
    user_name: &str,
    password: &Secret,
    tenant: &str,
    user_type: &str,
    now: DateTime<Utc>,
) -> AppResult<LoginOutcome> {
    let name_hash = id.username_hash(user_name);
    let Some(row) = repo::by_login(conn, tenant, user_type, &name_hash)? else {
        let key = repo::UnknownLogin {
            tenant,
            user_type,
            user_name_hash: &name_hash,
        };
        return login_unknown(conn, id, key, password, now);
    };
    if row.locked_until.is_some_and(|t| t > now) {
        return Ok(LoginOutcome::Locked);
    }
    let good = match row.password_hash.as_deref() {
        Some(h) => verify_password(password, h),
        None => verify_dummy(id.sec, password)?,
    };
    if !good {
        repo::record_failure(conn, row.id, now)?;
        let window = now - Duration::minutes(id.sec.lockout_window_minutes);
        if repo::failures_since(conn, row.id, window)? >= id.sec.lockout_failures {
            repo::set_locked_until(
                conn,
                row.id,
                Some(now + Duration::minutes(id.sec.lockout_minutes)),
            )?;
            repo::clear_failures(conn, row.id)?;
            repo::add_history(
                conn,
                row.id,
                &row.tenant_id,
                "LOCKED",
                json!({"reason": "failed logins"}),
                None,
                now,
            )?;
            return Ok(LoginOutcome::Locked);
        }
        return Ok(LoginOutcome::BadCredentials);
    }
    if !row.active {
        return Ok(LoginOutcome::Inactive);
    }
    repo::clear_failures(conn, row.id)?;
    if row.locked_until.is_some() {
        repo::set_locked_until(conn, row.id, None)?;
    }
    let tokens = issue_tokens(conn, id.sec, row.id, None, now)?;
    let user = open_rows(conn, id.crypto, vec![row])?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished")))?;
    Ok(LoginOutcome::Success(Box::new(user), tokens))
}

/// A login on a user name without an account goes exactly as one on an account with another
/// password: the same password check (on the dummy hash), its failure counted under the key
/// accounts are found by, the same lock after as many failures in the window, for as long. So
/// neither "Invalid login credentials" nor "Account locked" tells who has an account.
fn login_unknown(
    conn: &mut PgConnection,
    id: Identity<'_>,
    key: repo::UnknownLogin<'_>,
    password: &Secret,
    now: DateTime<Utc>,
) -> AppResult<LoginOutcome> {
    // A tenant this long has no accounts (nor room in the table): nothing to count.
    let countable = (1..=256).contains(&key.tenant.chars().count())
        && matches!(key.user_type, "EMPLOYEE" | "CITIZEN" | "SYSTEM");
    if countable && repo::unknown_locked_until(conn, key)?.is_some_and(|t| t > now) {
        return Ok(LoginOutcome::Locked);
    }
    verify_dummy(id.sec, password)?;
    if !countable {
        return Ok(LoginOutcome::BadCredentials);
    }
    let window = now - Duration::minutes(id.sec.lockout_window_minutes);
    repo::record_unknown_failure(conn, key, now, window)?;
    if repo::unknown_failures_since(conn, key, window)? >= id.sec.lockout_failures {
        repo::lock_unknown(conn, key, now + Duration::minutes(id.sec.lockout_minutes))?;
        return Ok(LoginOutcome::Locked);
    }
    Ok(LoginOutcome::BadCredentials)
}

/// How many failed logins are counted against this user name in the lockout window, found the
/// same way for a name with an account and one without (so a warning built on it tells nobody
/// who has an account). Only a read: the login itself records the failure.
pub fn failures_counted(
    conn: &mut PgConnection,
    id: Identity<'_>,
    user_name: &str,
    tenant: &str,
    user_type: &str,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let name_hash = id.username_hash(user_name);
    let window = now - Duration::minutes(id.sec.lockout_window_minutes);
    Ok(match repo::by_login(conn, tenant, user_type, &name_hash)? {
        Some(row) => repo::failures_since(conn, row.id, window)?,
        None => {
            let key = repo::UnknownLogin {
                tenant,
                user_type,
                user_name_hash: &name_hash,
            };
            repo::unknown_failures_since(conn, key, window)?
        }
    })
}

/// Sets a new password (after the rule is checked by the caller): marks the default password as
/// changed, unlocks the account, ends every session, records who did it.
pub fn set_password(
    conn: &mut PgConnection,
    sec: &SecuritySettings,
    user: &User,
    password: &Secret,
    actor: Option<uuid::Uuid>,
    why: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let hash = hash_password(sec, password)?;
    super::cache::auth_changed();
    diesel::update(ua::table.find(user.id))
        .set((
            ua::password_hash.eq(hash),
            ua::default_pwd_chgd.eq(true),
            ua::pwd_expiry_at.eq(now + Duration::days(90)),
            ua::locked_until.eq(None::<DateTime<Utc>>),
            ua::last_modified_by.eq(actor),
            ua::last_modified_at.eq(now),
        ))
        .execute(conn)?;
    repo::clear_failures(conn, user.id)?;
    repo::revoke_all(conn, user.id, now)?;
    repo::add_history(conn, user.id, &user.tenant_id, why, json!({}), actor, now)?;
    Ok(())
}

/// How a change of one's own password ended.
#[derive(Debug, PartialEq, Eq)]
pub enum PasswordChange {
    Done,
    WrongCurrent,
}

pub fn change_password(
    conn: &mut PgConnection,
    id: Identity<'_>,
    user_id: i64,
    current: &Secret,
    new: &Secret,
    now: DateTime<Utc>,
) -> AppResult<PasswordChange> {
    check_password_rule(new.expose(), "newPassword")?;
    let Some(row) = repo::by_id(conn, user_id)? else {
        return Err(AppError::not_found(codes::USER_NOT_FOUND, "No such user"));
    };
    if !row
        .password_hash
        .as_deref()
        .is_some_and(|h| verify_password(current, h))
    {
        repo::record_failure(conn, row.id, now)?;
        return Ok(PasswordChange::WrongCurrent);
    }
    if current.expose() == new.expose() {
        return Err(AppError::invalid_field(
            "SAME_PASSWORD",
            "The new password must differ from the current one",
            "newPassword",
        ));
    }
    let user = open_rows(conn, id.crypto, vec![row])?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished")))?;
    set_password(
        conn,
        id.sec,
        &user,
        new,
        Some(user.uuid),
        "PASSWORD_CHANGED",
        now,
    )?;
    Ok(PasswordChange::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_rule_of_the_app() {
        for good in ["eGov@123", "abc12#", "Punjab-2026"] {
            assert!(check_password_rule(good, "p").is_ok(), "{good}");
        }
        for bad in ["abc12", "abcdef!", "123456!", "abcdef12", "", "ab1!"] {
            let e = check_password_rule(bad, "newPassword")
                .err()
                .map(|e| e.code());
            assert_eq!(e.as_deref(), Some("INVALID_PASSWORD"), "{bad}");
        }
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() -> AppResult<()> {
        let sec = crate::config::Settings::load_for("test")
            .map_err(AppError::Internal)?
            .security;
        let h = hash_password(&sec, &Secret::new("eGov@123"))?;
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&Secret::new("eGov@123"), &h));
        assert!(!verify_password(&Secret::new("eGov@124"), &h));
        Ok(())
    }
}
