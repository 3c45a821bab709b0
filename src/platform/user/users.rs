//! Users: the checks of personal fields, reading users (opened from their sealed columns),
//! creating one, profile and HRMS changes, roles, activation, history and key rotation.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::credentials::{check_password_rule, hash_password};
use super::model::{RoleOf, User, UserRow};
use super::repo;
use super::service::Identity;
use crate::config::Secret;
use crate::db::schema::user_account as ua;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::platform::access::identity::TenantRole;
use crate::platform::encryption::Crypto;

pub const COL_USER_NAME: &str = "user.user_name";
pub const COL_NAME: &str = "user.name";
pub const COL_MOBILE: &str = "user.mobile";
pub const COL_EMAIL: &str = "user.email";
pub const COL_GUARDIAN: &str = "user.father_or_husband_name";

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
            codes::INVALID_MOBILE_NUMBER,
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
            codes::INVALID_NAME,
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
            codes::INVALID_EMAIL,
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
            codes::INVALID_GENDER,
            "Gender must be MALE, FEMALE, TRANSGENDER or OTHERS",
            field,
        ))
    }
}

/// The ids of the users who created and last changed a user, when they are users.
type ModifierIds = (Option<i64>, Option<i64>);

fn open_row(
    crypto: &Crypto,
    r: UserRow,
    roles: Vec<RoleOf>,
    (created_by_id, last_modified_by_id): ModifierIds,
) -> AppResult<User> {
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
        created_by_id,
        created_at: r.created_at,
        last_modified_by: r.last_modified_by,
        last_modified_by_id,
        last_modified_at: r.last_modified_at,
    })
}

/// Decrypts rows and attaches their roles and the ids of who created and last changed them
/// (the rows keep their uuids; DIGIT answers the numeric ids).
pub fn open_rows(
    conn: &mut PgConnection,
    crypto: &Crypto,
    rows: Vec<UserRow>,
) -> AppResult<Vec<User>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut roles = repo::roles_of(conn, &ids)?;
    let mut actors: Vec<uuid::Uuid> = rows
        .iter()
        .flat_map(|r| [r.created_by, r.last_modified_by])
        .flatten()
        .collect();
    actors.sort_unstable();
    actors.dedup();
    let actor_ids = if actors.is_empty() {
        Vec::new()
    } else {
        repo::ids_of(conn, &actors)?
    };
    let id_of = |u: Option<uuid::Uuid>| {
        u.and_then(|u| actor_ids.iter().find(|(a, _)| *a == u).map(|(_, id)| *id))
    };
    rows.into_iter()
        .map(|r| {
            let mine: Vec<RoleOf> = roles
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, ro)| ro.clone())
                .collect();
            roles.retain(|(id, _)| *id != r.id);
            let modifiers = (id_of(r.created_by), id_of(r.last_modified_by));
            open_row(crypto, r, mine, modifiers)
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

/// The name and mobile number of each of `uuids` that is a user: `(uuid, name, mobile)`.
pub fn contacts(
    conn: &mut PgConnection,
    crypto: &Crypto,
    uuids: &[uuid::Uuid],
) -> AppResult<Vec<(uuid::Uuid, String, Option<String>)>> {
    repo::rows_by_uuids(conn, uuids)?
        .into_iter()
        .map(|r| {
            Ok((
                r.uuid,
                crypto.open(COL_NAME, &r.name_enc)?,
                crypto.open_opt(COL_MOBILE, r.mobile_enc.as_deref())?,
            ))
        })
        .collect()
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

/// The citizen account of this mobile number, if there is one.
pub fn citizen_by_mobile(
    conn: &mut PgConnection,
    id: Identity<'_>,
    mobile: &str,
) -> AppResult<Option<uuid::Uuid>> {
    Ok(repo::by_mobile(conn, &id.mobile_hash(mobile))?
        .into_iter()
        .find(|u| u.user_type == "CITIZEN")
        .map(|u| u.uuid))
}

/// The id of the user `user_name` of this type on `tenant`, if there is one.
pub fn id_by_login(
    conn: &mut PgConnection,
    id: Identity<'_>,
    tenant: &str,
    user_type: &str,
    user_name: &str,
) -> AppResult<Option<i64>> {
    Ok(repo::by_login(conn, tenant, user_type, &id.username_hash(user_name))?.map(|r| r.id))
}

/// Adds roles to a user (those already held stay as they are).
pub fn add_roles(conn: &mut PgConnection, user_id: i64, roles: &[TenantRole]) -> AppResult<()> {
    for r in roles {
        repo::add_role(conn, user_id, &r.code, &r.tenant_id)?;
    }
    Ok(())
}

/// Marks a user's password as chosen by them, so pages do not ask for a first change.
pub fn mark_password_changed(conn: &mut PgConnection, user_id: i64) -> AppResult<()> {
    repo::mark_password_changed(conn, user_id)?;
    Ok(())
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
            codes::MISSING_FIELD,
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
                    codes::INVALID_LOCALE,
                    "locale must be en_IN, hi_IN or pa_IN",
                    "locale",
                ));
                None
            }
        },
    };
    if u.roles.is_empty() {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
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
                codes::DUPLICATE_USER,
                "A user with this user name (mobile number) already exists on this tenant",
                "userName",
            ));
        }
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) => {
            return Err(AppError::invalid_field(
                codes::INVALID_TENANT_ID,
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
                codes::INVALID_ROLE,
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
        return Err(AppError::not_found(codes::USER_NOT_FOUND, "No such user"));
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
                codes::INVALID_LOCALE,
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
                codes::INVALID_ROLE,
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
}
