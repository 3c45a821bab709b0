//! User use cases: create, log in (with lockout), tokens (access + refresh, server side,
//! revocable), profile and password changes, search, history. Personal fields are sealed with
//! `platform::encryption` on the way in and opened on the way out; nothing here logs them.

use std::cell::Cell;
use std::sync::{Mutex, PoisonError};

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use serde_json::json;
use sha2::Digest as _;

use super::model::{RoleOf, User, UserRow};
use super::repo;
use crate::config::{Secret, SecuritySettings};
use crate::db::schema::user_account as ua;
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::platform::access::identity::{AuthUser, TenantRole};
use crate::platform::encryption::Crypto;

pub const COL_USER_NAME: &str = "user.user_name";
pub const COL_NAME: &str = "user.name";
pub const COL_MOBILE: &str = "user.mobile";
pub const COL_EMAIL: &str = "user.email";
pub const COL_GUARDIAN: &str = "user.father_or_husband_name";

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
            "INVALID_PASSWORD",
            "The password needs at least 6 characters with a letter, a digit and one of # ? ! @ $ % ^ & * -",
            field,
        ))
    }
}

/// A 10-digit Indian mobile number (starting 6-9).
pub fn check_mobile(m: &str, field: &str) -> AppResult<String> {
    let m = m.trim();
    let ok = m.len() == 10
        && m.chars().all(|c| c.is_ascii_digit())
        && m.starts_with(['6', '7', '8', '9']);
    if ok {
        Ok(m.to_owned())
    } else {
        Err(AppError::invalid_field(
            "INVALID_MOBILE_NUMBER",
            "The mobile number must be 10 digits starting with 6, 7, 8 or 9",
            field,
        ))
    }
}

/// Letters (any script), spaces, dots and apostrophes; 1 to 100 characters.
pub fn check_name(n: &str, field: &str) -> AppResult<String> {
    let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
    let indic =
        |c: char| ('\u{0900}'..='\u{097F}').contains(&c) || ('\u{0A00}'..='\u{0A7F}').contains(&c);
    let ok = !n.is_empty()
        && n.chars().count() <= 100
        && n.chars()
            .all(|c| c.is_alphabetic() || indic(c) || " .'".contains(c));
    if ok {
        Ok(n)
    } else {
        Err(AppError::invalid_field(
            "INVALID_NAME",
            "The name may hold only letters and spaces",
            field,
        ))
    }
}

pub fn check_email(e: &str, field: &str) -> AppResult<String> {
    let e = e.trim();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        })
        && !e.contains(char::is_whitespace)
        && e.matches('@').count() == 1;
    if ok {
        Ok(e.to_owned())
    } else {
        Err(AppError::invalid_field(
            "INVALID_EMAIL",
            "The e-mail address is not valid",
            field,
        ))
    }
}

pub fn check_gender(g: &str, field: &str) -> AppResult<String> {
    let g = g.trim().to_uppercase();
    if matches!(g.as_str(), "MALE" | "FEMALE" | "TRANSGENDER" | "OTHERS") {
        Ok(g)
    } else {
        Err(AppError::invalid_field(
            "INVALID_GENDER",
            "Gender must be MALE, FEMALE, TRANSGENDER or OTHERS",
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

fn token_hash(token: &str) -> Vec<u8> {
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::fill(&mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

fn open_row(crypto: &Crypto, r: UserRow, roles: Vec<RoleOf>) -> AppResult<User> {
    Ok(User {
        id: r.id,
        uuid: r.uuid,
        user_name: crypto.open(COL_USER_NAME, &r.user_name_enc)?,
        name: crypto.open(COL_NAME, &r.name_enc)?,
        mobile_number: crypto.open_opt(COL_MOBILE, r.mobile_enc.as_deref())?,
        email: crypto.open_opt(COL_EMAIL, r.email_enc.as_deref())?,
        father_or_husband_name: crypto
            .open_opt(COL_GUARDIAN, r.father_or_husband_name_enc.as_deref())?,
        tenant_id: r.tenant_id,
        user_type: r.user_type,
        gender: r.gender,
        locale: r.locale,
        default_pwd_chgd: r.default_pwd_chgd,
        pwd_expiry_at: r.pwd_expiry_at,
        active: r.active,
        locked_until: r.locked_until,
        roles,
        created_by: r.created_by,
        created_at: r.created_at,
        last_modified_by: r.last_modified_by,
        last_modified_at: r.last_modified_at,
    })
}

/// Decrypts rows and attaches their roles.
pub fn open_rows(
    conn: &mut PgConnection,
    crypto: &Crypto,
    rows: Vec<UserRow>,
) -> AppResult<Vec<User>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut roles = repo::roles_of(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            let mine: Vec<RoleOf> = roles
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, ro)| ro.clone())
                .collect();
            roles.retain(|(id, _)| *id != r.id);
            open_row(crypto, r, mine)
        })
        .collect()
}

pub fn get(conn: &mut PgConnection, crypto: &Crypto, id: i64) -> AppResult<Option<User>> {
    let Some(row) = repo::by_id(conn, id)? else {
        return Ok(None);
    };
    Ok(open_rows(conn, crypto, vec![row])?.pop())
}

/// Several users by id (decrypted, with roles), in id order.
pub fn get_many(conn: &mut PgConnection, crypto: &Crypto, ids: &[i64]) -> AppResult<Vec<User>> {
    let rows = repo::rows_by_ids(conn, ids)?;
    open_rows(conn, crypto, rows)
}

pub fn get_by_uuid(
    conn: &mut PgConnection,
    crypto: &Crypto,
    uuid: uuid::Uuid,
) -> AppResult<Option<User>> {
    let Some(row) = repo::by_uuid(conn, uuid)? else {
        return Ok(None);
    };
    Ok(open_rows(conn, crypto, vec![row])?.pop())
}

/// The users (their uuids) with this mobile number, found through its blind index.
pub fn uuids_by_mobile(
    conn: &mut PgConnection,
    id: Identity<'_>,
    mobile: &str,
) -> AppResult<Vec<uuid::Uuid>> {
    Ok(repo::by_mobile(conn, &id.mobile_hash(mobile))?
        .into_iter()
        .map(|r| r.uuid)
        .collect())
}

/// Which of `candidates` have this e-mail (case-insensitive). E-mails are sealed without an
/// index, so callers narrow the candidates first (e.g. the payers of one GP).
pub fn uuids_with_email(
    conn: &mut PgConnection,
    crypto: &Crypto,
    candidates: &[uuid::Uuid],
    email: &str,
) -> AppResult<Vec<uuid::Uuid>> {
    let want = email.trim().to_lowercase();
    let rows: Vec<(uuid::Uuid, Option<String>)> = ua::table
        .filter(ua::uuid.eq_any(candidates))
        .filter(ua::email_enc.is_not_null())
        .select((ua::uuid, ua::email_enc))
        .load(conn)?;
    let mut out = Vec::new();
    for (u, sealed) in rows {
        let Some(sealed) = sealed else { continue };
        if crypto.open(COL_EMAIL, &sealed)?.to_lowercase() == want {
            out.push(u);
        }
    }
    Ok(out)
}

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
    pub gender: Option<String>,
    pub email: Option<String>,
    pub father_or_husband_name: Option<String>,
    pub locale: Option<String>,
}

impl NewUser {
    /// An employee whose user name is the mobile number (mGramSeva's way).
    pub fn employee(tenant: &str, mobile: &str, name: &str, roles: Vec<TenantRole>) -> Self {
        Self {
            tenant_id: tenant.to_owned(),
            user_name: mobile.to_owned(),
            mobile_number: Some(mobile.to_owned()),
            name: name.to_owned(),
            user_type: "EMPLOYEE".to_owned(),
            password: None,
            roles,
            gender: None,
            email: None,
            father_or_husband_name: None,
            locale: None,
        }
    }
}

/// Creates a user with roles, in the caller's transaction. Every error names its field.
pub fn create_user(
    conn: &mut PgConnection,
    id: Identity<'_>,
    u: &NewUser,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<User> {
    let mut errors: Vec<ErrorDetail> = Vec::new();
    let mut take = |r: AppResult<String>| match r {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e.details());
            None
        }
    };
    let name = take(check_name(&u.name, "name"));
    let mobile = u
        .mobile_number
        .as_deref()
        .and_then(|m| take(check_mobile(m, "mobileNumber")));
    let email = u
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .and_then(|e| take(check_email(e, "emailId")));
    let gender = u
        .gender
        .as_deref()
        .filter(|g| !g.trim().is_empty())
        .and_then(|g| take(check_gender(g, "gender")));
    let guardian = u
        .father_or_husband_name
        .as_deref()
        .filter(|g| !g.trim().is_empty())
        .and_then(|g| take(check_name(g, "fatherOrHusbandName")));
    if let Some(p) = &u.password
        && let Err(e) = check_password_rule(p.expose(), "password")
    {
        errors.extend(e.details());
    }
    if u.user_name.trim().is_empty() {
        errors.push(ErrorDetail::field(
            "MISSING_FIELD",
            "userName is required",
            "userName",
        ));
    }
    if !matches!(u.user_type.as_str(), "EMPLOYEE" | "CITIZEN" | "SYSTEM") {
        errors.push(ErrorDetail::field(
            "INVALID_USER_TYPE",
            "type must be EMPLOYEE, CITIZEN or SYSTEM",
            "type",
        ));
    }
    let locale = match u.locale.as_deref() {
        None | Some("") => None,
        Some(l) => match crate::platform::localization::Locale::parse(l) {
            Some(l) => Some(l.code().to_owned()),
            None => {
                errors.push(ErrorDetail::field(
                    "INVALID_LOCALE",
                    "locale must be en_IN, hi_IN or pa_IN",
                    "locale",
                ));
                None
            }
        },
    };
    if u.roles.is_empty() {
        errors.push(ErrorDetail::field(
            "MISSING_FIELD",
            "at least one role is required",
            "roles",
        ));
    }
    let (Some(name), true) = (name, errors.is_empty()) else {
        return Err(AppError::many(errors));
    };
    let hash = u
        .password
        .as_ref()
        .map(|p| hash_password(id.sec, p))
        .transpose()?;
    let c = id.crypto;
    let inserted: Result<i64, diesel::result::Error> = diesel::insert_into(ua::table)
        .values((
            ua::uuid.eq(uuid::Uuid::new_v4()),
            ua::tenant_id.eq(&u.tenant_id),
            ua::user_type.eq(&u.user_type),
            ua::user_name_hash.eq(id.username_hash(&u.user_name)),
            ua::user_name_enc.eq(c.seal(COL_USER_NAME, u.user_name.trim())),
            ua::name_enc.eq(c.seal(COL_NAME, &name)),
            ua::mobile_hash.eq(mobile.as_deref().map(|m| id.mobile_hash(m))),
            ua::mobile_enc.eq(c.seal_opt(COL_MOBILE, mobile.as_deref())),
            ua::email_enc.eq(c.seal_opt(COL_EMAIL, email.as_deref())),
            ua::father_or_husband_name_enc.eq(c.seal_opt(COL_GUARDIAN, guardian.as_deref())),
            ua::gender.eq(gender),
            ua::locale.eq(locale),
            ua::password_hash.eq(hash),
            ua::created_by.eq(actor),
            ua::created_at.eq(now),
            ua::last_modified_by.eq(actor),
            ua::last_modified_at.eq(now),
        ))
        .returning(ua::id)
        .get_result(conn);
    let user_id = match inserted {
        Ok(i) => i,
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {
            return Err(AppError::invalid_field(
                "DUPLICATE_USER",
                "A user with this user name (mobile number) already exists on this tenant",
                "userName",
            ));
        }
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) => {
            return Err(AppError::invalid_field(
                "INVALID_TENANT_ID",
                format!("{} is not a known tenant", u.tenant_id),
                "tenantId",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    for r in &u.roles {
        let added = repo::add_role(conn, user_id, &r.code, &r.tenant_id);
        if let Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) = added
        {
            return Err(AppError::invalid_field(
                "INVALID_ROLE",
                format!("{}@{} is not a known role and tenant", r.code, r.tenant_id),
                "roles",
            ));
        }
        added?;
    }
    let roles: Vec<String> = u
        .roles
        .iter()
        .map(|r| format!("{}@{}", r.code, r.tenant_id))
        .collect();
    repo::add_history(
        conn,
        user_id,
        &u.tenant_id,
        "CREATED",
        json!({"type": u.user_type, "roles": roles}),
        actor,
        now,
    )?;
    get(conn, c, user_id)?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished")))
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
    Ok(Some((
        AuthUser {
            id: u.id,
            uuid: u.uuid,
            roles: u.tenant_roles(),
            must_change_password: !u.default_pwd_chgd,
            user_name: u.user_name,
            name: u.name,
            mobile_number: u.mobile_number,
            user_type: u.user_type,
            tenant_id: u.tenant_id,
        },
        expires_at,
    )))
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
        return Err(AppError::not_found("USER_NOT_FOUND", "No such user"));
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

/// The fields a person may change in their own profile (the mobile number is not one).
#[derive(Clone, Debug, Default)]
pub struct ProfileChanges {
    pub name: Option<String>,
    pub gender: Option<String>,
    pub email: Option<String>,
    pub locale: Option<String>,
}

pub fn update_profile(
    conn: &mut PgConnection,
    crypto: &Crypto,
    user_id: i64,
    ch: &ProfileChanges,
    actor: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<User> {
    let Some(row) = repo::by_id(conn, user_id)? else {
        return Err(AppError::not_found("USER_NOT_FOUND", "No such user"));
    };
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    let mut name_enc = row.name_enc.clone();
    let mut email_enc = row.email_enc.clone();
    let mut gender = row.gender.clone();
    let mut locale = row.locale.clone();
    if let Some(n) = &ch.name {
        match check_name(n, "name") {
            Ok(n) => {
                name_enc = crypto.seal(COL_NAME, &n);
                changed.push("name");
            }
            Err(e) => errors.extend(e.details()),
        }
    }
    if let Some(e) = &ch.email {
        if e.trim().is_empty() {
            email_enc = None;
            changed.push("emailId");
        } else {
            match check_email(e, "emailId") {
                Ok(e) => {
                    email_enc = Some(crypto.seal(COL_EMAIL, &e));
                    changed.push("emailId");
                }
                Err(err) => errors.extend(err.details()),
            }
        }
    }
    if let Some(g) = &ch.gender {
        match check_gender(g, "gender") {
            Ok(g) => {
                gender = Some(g);
                changed.push("gender");
            }
            Err(e) => errors.extend(e.details()),
        }
    }
    if let Some(l) = &ch.locale {
        match crate::platform::localization::Locale::parse(l) {
            Some(l) => {
                locale = Some(l.code().to_owned());
                changed.push("locale");
            }
            None => errors.push(ErrorDetail::field(
                "INVALID_LOCALE",
                "locale must be en_IN, hi_IN or pa_IN",
                "locale",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    super::cache::auth_changed();
    diesel::update(ua::table.find(user_id))
        .set((
            ua::name_enc.eq(name_enc),
            ua::email_enc.eq(email_enc),
            ua::gender.eq(gender),
            ua::locale.eq(locale),
            ua::last_modified_by.eq(Some(actor)),
            ua::last_modified_at.eq(now),
        ))
        .execute(conn)?;
    repo::add_history(
        conn,
        user_id,
        &row.tenant_id,
        "PROFILE_UPDATED",
        json!({"fields": changed}),
        Some(actor),
        now,
    )?;
    get(conn, crypto, user_id)?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished")))
}

/// Roles that let a person see and manage other users on the tenants they hold them on.
pub const USER_ADMIN_ROLES: &[&str] = &["SUPERUSER", "HRMS_ADMIN", "STATE_ADMIN", "DIV_ADMIN"];

/// The tenants on which `caller` administers users.
pub fn administered_tenants(caller: &AuthUser) -> Vec<String> {
    let mut t: Vec<String> = caller
        .roles
        .iter()
        .filter(|r| USER_ADMIN_ROLES.contains(&r.code.as_str()))
        .map(|r| r.tenant_id.clone())
        .collect();
    t.sort();
    t.dedup();
    t
}

/// User search criteria (`/user/_search`). `limit` 0 means the default.
#[derive(Clone, Debug, Default)]
pub struct SearchCriteria {
    pub ids: Vec<i64>,
    pub uuids: Vec<uuid::Uuid>,
    pub user_name: Option<String>,
    pub mobile_number: Option<String>,
    pub name: Option<String>,
    pub tenant_id: Option<String>,
    pub user_type: Option<String>,
    pub active: Option<bool>,
    pub role_codes: Vec<String>,
    pub offset: i64,
    pub limit: i64,
}

/// Users a search answers with by default, and at most unless it names ids or uuids:
/// egov-user's `egov.user.search.default.size`.
pub const SEARCH_SIZE: i64 = 10;
/// At most this many users in an answer to a search that names ids or uuids.
pub const SEARCH_MAX_NAMED: i64 = 100;

impl SearchCriteria {
    /// The page size: `limit` when given, within the bounds above.
    pub fn page_size(&self) -> i64 {
        let named = i64::try_from(self.ids.len() + self.uuids.len()).unwrap_or(i64::MAX);
        match (named, self.limit) {
            (0, l) if l > 0 => l.min(SEARCH_SIZE),
            (0, _) => SEARCH_SIZE,
            (n, l) if l > 0 => l.min(n).min(SEARCH_MAX_NAMED),
            (n, _) => n.min(SEARCH_MAX_NAMED),
        }
    }
}

type UserFilter = Box<dyn BoxableExpression<ua::table, diesel::pg::Pg, SqlType = Bool>>;

/// The tenant codes a search turns on: those the caller administers users on (each with the
/// tenants below it), and those of the `tenantId` asked for.
struct Reach {
    admin_of: Vec<String>,
    asked: Vec<String>,
}

fn reach(conn: &mut PgConnection, c: &SearchCriteria, caller: &AuthUser) -> AppResult<Reach> {
    use crate::platform::mdms::repo::codes_covered_by;
    Ok(Reach {
        admin_of: codes_covered_by(conn, &administered_tenants(caller))?,
        asked: match &c.tenant_id {
            Some(t) => codes_covered_by(conn, std::slice::from_ref(t))?,
            None => Vec::new(),
        },
    })
}

/// The users a search may return, and what it asks for, as one SQL condition: nobody is
/// loaded (nor decrypted) to be filtered out afterwards.
fn search_filter(
    id: Identity<'_>,
    c: &SearchCriteria,
    caller: &AuthUser,
    reach: &Reach,
) -> UserFilter {
    use crate::db::schema::user_role as ur;
    let holding_a_role_on = |tenants: &[String]| {
        ua::id.eq_any(
            ur::table
                .filter(ur::tenant_id.eq_any(tenants.to_vec()))
                .select(ur::user_id),
        )
    };
    // A person always finds themself; others only where the caller administers users: living
    // on such a tenant (or one below it) or holding a role on one.
    let mut f: UserFilter = if reach.admin_of.is_empty() {
        Box::new(ua::id.eq(caller.id))
    } else {
        Box::new(
            ua::id
                .eq(caller.id)
                .or(ua::tenant_id.eq_any(reach.admin_of.clone()))
                .or(holding_a_role_on(&reach.admin_of)),
        )
    };
    if !c.ids.is_empty() {
        f = Box::new(f.and(ua::id.eq_any(c.ids.clone())));
    }
    if !c.uuids.is_empty() {
        f = Box::new(f.and(ua::uuid.eq_any(c.uuids.clone())));
    }
    if let Some(u) = &c.user_name {
        f = Box::new(f.and(ua::user_name_hash.eq(id.username_hash(u))));
    }
    if let Some(m) = &c.mobile_number {
        f = Box::new(f.and(ua::mobile_hash.assume_not_null().eq(id.mobile_hash(m))));
    }
    if let Some(t) = &c.user_type {
        f = Box::new(f.and(ua::user_type.eq(t.to_uppercase())));
    }
    if let Some(a) = c.active {
        f = Box::new(f.and(ua::active.eq(a)));
    }
    if let Some(t) = &c.tenant_id {
        // Living on the tenant, or holding a role on it (or below it).
        f = Box::new(
            f.and(
                ua::tenant_id
                    .eq(t.clone())
                    .or(holding_a_role_on(&reach.asked)),
            ),
        );
    }
    if !c.role_codes.is_empty() {
        f = Box::new(
            f.and(
                ua::id.eq_any(
                    ur::table
                        .filter(ur::role_code.eq_any(c.role_codes.clone()))
                        .select(ur::user_id),
                ),
            ),
        );
    }
    f
}

/// Finds users, a page at a time (`offset` users skipped, `page_size` at most), in id order,
/// with the number of all that match. A person always finds themself; others only on tenants
/// where the caller administers users. The conditions are SQL; only the page is decrypted,
/// except that a name (sealed, matched case-insensitively on any part) is matched on the
/// opened names of the users the rest lets through.
pub fn search(
    conn: &mut PgConnection,
    id: Identity<'_>,
    c: &SearchCriteria,
    caller: &AuthUser,
) -> AppResult<(Vec<User>, usize)> {
    let size = c.page_size();
    let offset = c.offset.max(0);
    let reach = reach(conn, c, caller)?;
    let Some(name) = c.name.as_deref().map(|n| n.trim().to_lowercase()) else {
        let total: i64 = ua::table
            .filter(search_filter(id, c, caller, &reach))
            .count()
            .get_result(conn)?;
        let rows: Vec<UserRow> = ua::table
            .filter(search_filter(id, c, caller, &reach))
            .order(ua::id)
            .offset(offset)
            .limit(size)
            .select(UserRow::as_select())
            .load(conn)?;
        let users = open_rows(conn, id.crypto, rows)?;
        return Ok((users, usize::try_from(total).unwrap_or(0)));
    };
    let names: Vec<(i64, String)> = ua::table
        .filter(search_filter(id, c, caller, &reach))
        .order(ua::id)
        .select((ua::id, ua::name_enc))
        .load(conn)?;
    let mut matching = Vec::new();
    for (uid, sealed) in names {
        if id
            .crypto
            .open(COL_NAME, &sealed)?
            .to_lowercase()
            .contains(&name)
        {
            matching.push(uid);
        }
    }
    let page: Vec<i64> = matching
        .iter()
        .copied()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(size).unwrap_or(0))
        .collect();
    Ok((get_many(conn, id.crypto, &page)?, matching.len()))
}

/// One change of a user, as the history page shows it.
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    pub action: String,
    pub detail: serde_json::Value,
    pub changed_by: Option<uuid::Uuid>,
    pub changed_at: DateTime<Utc>,
}

pub fn history(conn: &mut PgConnection, user_id: i64) -> AppResult<Vec<HistoryEntry>> {
    Ok(repo::history_of(conn, user_id)?
        .into_iter()
        .map(|(_, action, detail, changed_by, changed_at)| HistoryEntry {
            action,
            detail,
            changed_by,
            changed_at,
        })
        .collect())
}

/// Makes a user's roles exactly `roles`; records what was added and removed.
pub fn set_roles(
    conn: &mut PgConnection,
    user: &User,
    roles: &[TenantRole],
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let have: Vec<TenantRole> = user.tenant_roles();
    let added: Vec<&TenantRole> = roles.iter().filter(|r| !have.contains(r)).collect();
    let removed: Vec<&TenantRole> = have.iter().filter(|r| !roles.contains(r)).collect();
    for r in &added {
        let res = repo::add_role(conn, user.id, &r.code, &r.tenant_id);
        if let Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) = res
        {
            return Err(AppError::invalid_field(
                "INVALID_ROLE",
                format!("{}@{} is not a known role and tenant", r.code, r.tenant_id),
                "roles",
            ));
        }
        res?;
    }
    for r in &removed {
        repo::remove_role(conn, user.id, &r.code, &r.tenant_id)?;
    }
    if !added.is_empty() || !removed.is_empty() {
        let fmt = |v: &[&TenantRole]| {
            v.iter()
                .map(|r| format!("{}@{}", r.code, r.tenant_id))
                .collect::<Vec<_>>()
        };
        repo::add_history(
            conn,
            user.id,
            &user.tenant_id,
            "ROLES_CHANGED",
            json!({"added": fmt(&added), "removed": fmt(&removed)}),
            actor,
            now,
        )?;
        super::cache::auth_changed();
        diesel::update(ua::table.find(user.id))
            .set((ua::last_modified_by.eq(actor), ua::last_modified_at.eq(now)))
            .execute(conn)?;
    }
    Ok(())
}

/// Activates or deactivates a user; a deactivated user's sessions end at once.
pub fn set_active(
    conn: &mut PgConnection,
    user: &User,
    active: bool,
    reason: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if user.active == active {
        return Ok(());
    }
    super::cache::auth_changed();
    diesel::update(ua::table.find(user.id))
        .set((
            ua::active.eq(active),
            ua::last_modified_by.eq(actor),
            ua::last_modified_at.eq(now),
        ))
        .execute(conn)?;
    if !active {
        repo::revoke_all(conn, user.id, now)?;
    }
    let action = if active { "REACTIVATED" } else { "DEACTIVATED" };
    repo::add_history(
        conn,
        user.id,
        &user.tenant_id,
        action,
        json!({"reason": reason}),
        actor,
        now,
    )?;
    Ok(())
}

/// Changes an employee's own details on their behalf (HRMS): name, gender, e-mail, guardian.
pub fn update_details(
    conn: &mut PgConnection,
    crypto: &Crypto,
    user: &User,
    ch: &ProfileChanges,
    guardian: Option<&str>,
    actor: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<User> {
    if let Some(g) = guardian {
        let enc = if g.trim().is_empty() {
            None
        } else {
            Some(crypto.seal(COL_GUARDIAN, &check_name(g, "fatherOrHusbandName")?))
        };
        super::cache::auth_changed();
        diesel::update(ua::table.find(user.id))
            .set(ua::father_or_husband_name_enc.eq(enc))
            .execute(conn)?;
    }
    update_profile(conn, crypto, user.id, ch, actor, now)
}

/// Re-seals every user's personal fields that are not under the active key. Returns how many
/// users changed. Runs in batches inside short transactions.
pub fn rotate_keys(conn: &mut PgConnection, crypto: &Crypto) -> AppResult<usize> {
    use diesel::Connection as _;
    let prefix = format!("{}:%", crypto.active_key());
    let mut done = 0;
    loop {
        let rows: Vec<UserRow> = ua::table
            .filter(
                ua::name_enc
                    .not_like(&prefix)
                    .or(ua::user_name_enc.not_like(&prefix))
                    .or(ua::mobile_enc.not_like(&prefix))
                    .or(ua::email_enc.not_like(&prefix))
                    .or(ua::father_or_husband_name_enc.not_like(&prefix)),
            )
            .order(ua::id)
            .limit(500)
            .select(UserRow::as_select())
            .load(conn)?;
        if rows.is_empty() {
            return Ok(done);
        }
        conn.transaction(|c| -> AppResult<()> {
            for r in &rows {
                let reseal = |col: &str, v: &str| crypto.open(col, v).map(|p| crypto.seal(col, &p));
                let reseal_opt = |col: &str, v: Option<&str>| v.map(|v| reseal(col, v)).transpose();
                diesel::update(ua::table.find(r.id))
                    .set((
                        ua::user_name_enc.eq(reseal(COL_USER_NAME, &r.user_name_enc)?),
                        ua::name_enc.eq(reseal(COL_NAME, &r.name_enc)?),
                        ua::mobile_enc.eq(reseal_opt(COL_MOBILE, r.mobile_enc.as_deref())?),
                        ua::email_enc.eq(reseal_opt(COL_EMAIL, r.email_enc.as_deref())?),
                        ua::father_or_husband_name_enc.eq(reseal_opt(
                            COL_GUARDIAN,
                            r.father_or_husband_name_enc.as_deref(),
                        )?),
                    ))
                    .execute(c)?;
            }
            Ok(())
        })?;
        done += rows.len();
    }
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
    fn mobiles_names_emails() {
        assert_eq!(
            check_mobile(" 9876543210 ", "m").ok().as_deref(),
            Some("9876543210")
        );
        for bad in ["987654321", "5876543210", "98765432101", "98765x3210"] {
            assert!(check_mobile(bad, "m").is_err(), "{bad}");
        }
        assert_eq!(
            check_name("  Gurpreet   Kaur ", "n").ok().as_deref(),
            Some("Gurpreet Kaur")
        );
        assert!(
            check_name("ਗੁਰਪ੍ਰੀਤ ਕੌਰ", "n").is_ok(),
            "Gurmukhi with vowel signs and virama"
        );
        assert!(check_name("गुरप्रीत कौर", "n").is_ok());
        assert!(check_name("Robert'); DROP", "n").is_err());
        assert!(check_name("R2D2", "n").is_err());
        assert!(check_email("a.b@gp.punjab.gov.in", "e").is_ok());
        for bad in ["a@b", "@b.in", "a b@c.in", "a@@b.in", "a@.in"] {
            assert!(check_email(bad, "e").is_err(), "{bad}");
        }
        assert_eq!(check_gender("female", "g").ok().as_deref(), Some("FEMALE"));
        assert!(check_gender("x", "g").is_err());
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
