//! Queries on the user tables. No rules here.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{RoleOf, UserRow};
use crate::db::schema::{
    mdms_role, user_account as ua, user_history, user_login_failure, user_login_failure_unknown,
    user_login_lock_unknown, user_role, user_token,
};

pub fn by_id(conn: &mut PgConnection, id: i64) -> QueryResult<Option<UserRow>> {
    ua::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_uuid(conn: &mut PgConnection, uuid: uuid::Uuid) -> QueryResult<Option<UserRow>> {
    ua::table
        .filter(ua::uuid.eq(uuid))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_login(
    conn: &mut PgConnection,
    tenant: &str,
    user_type: &str,
    user_name_hash: &[u8],
) -> QueryResult<Option<UserRow>> {
    ua::table
        .filter(ua::tenant_id.eq(tenant))
        .filter(ua::user_type.eq(user_type))
        .filter(ua::user_name_hash.eq(user_name_hash))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_mobile(conn: &mut PgConnection, mobile_hash: &[u8]) -> QueryResult<Vec<UserRow>> {
    ua::table
        .filter(ua::mobile_hash.eq(mobile_hash))
        .order(ua::id)
        .select(UserRow::as_select())
        .load(conn)
}

pub fn roles_of(conn: &mut PgConnection, user_ids: &[i64]) -> QueryResult<Vec<(i64, RoleOf)>> {
    let rows: Vec<(i64, String, String, String)> = user_role::table
        .inner_join(mdms_role::table)
        .filter(user_role::user_id.eq_any(user_ids))
        .order((
            user_role::user_id,
            user_role::tenant_id,
            user_role::role_code,
        ))
        .select((
            user_role::user_id,
            user_role::role_code,
            mdms_role::name,
            user_role::tenant_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name, tenant_id)| {
            (
                id,
                RoleOf {
                    code,
                    name,
                    tenant_id,
                },
            )
        })
        .collect())
}

/// The user's password counts as chosen by them (no first-login change asked).
pub fn mark_password_changed(conn: &mut PgConnection, user_id: i64) -> QueryResult<usize> {
    super::cache::auth_changed();
    diesel::update(ua::table.find(user_id))
        .set(ua::default_pwd_chgd.eq(true))
        .execute(conn)
}

pub fn add_role(
    conn: &mut PgConnection,
    user_id: i64,
    code: &str,
    tenant: &str,
) -> QueryResult<usize> {
    super::cache::auth_changed();
    diesel::insert_into(user_role::table)
        .values((
            user_role::user_id.eq(user_id),
            user_role::role_code.eq(code),
            user_role::tenant_id.eq(tenant),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
}

pub fn remove_role(
    conn: &mut PgConnection,
    user_id: i64,
    code: &str,
    tenant: &str,
) -> QueryResult<usize> {
    super::cache::auth_changed();
    diesel::delete(
        user_role::table
            .filter(user_role::user_id.eq(user_id))
            .filter(user_role::role_code.eq(code))
            .filter(user_role::tenant_id.eq(tenant)),
    )
    .execute(conn)
}

pub fn record_failure(
    conn: &mut PgConnection,
    user_id: i64,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(user_login_failure::table)
        .values((
            user_login_failure::user_id.eq(user_id),
            user_login_failure::at.eq(at),
        ))
        .execute(conn)
}

pub fn failures_since(
    conn: &mut PgConnection,
    user_id: i64,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    user_login_failure::table
        .filter(user_login_failure::user_id.eq(user_id))
        .filter(user_login_failure::at.gt(since))
        .count()
        .get_result(conn)
}

pub fn clear_failures(conn: &mut PgConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(user_login_failure::table.filter(user_login_failure::user_id.eq(user_id)))
        .execute(conn)
}

/// A login key without an account: as accounts are found (tenant, type, user name's keyed hash).
#[derive(Clone, Copy, Debug)]
pub struct UnknownLogin<'a> {
    pub tenant: &'a str,
    pub user_type: &'a str,
    pub user_name_hash: &'a [u8],
}

/// Until when a user name without an account is locked, if it was.
pub fn unknown_locked_until(
    conn: &mut PgConnection,
    k: UnknownLogin<'_>,
) -> QueryResult<Option<DateTime<Utc>>> {
    user_login_lock_unknown::table
        .find((k.user_name_hash, k.tenant, k.user_type))
        .select(user_login_lock_unknown::locked_until)
        .first(conn)
        .optional()
}

/// Records a failed login on a user name without an account; prunes (a batch of) failures
/// that have left the window and locks that have ended, whoever they were for.
pub fn record_unknown_failure(
    conn: &mut PgConnection,
    k: UnknownLogin<'_>,
    at: DateTime<Utc>,
    window_start: DateTime<Utc>,
) -> QueryResult<usize> {
    use diesel::sql_types::Timestamptz;
    diesel::sql_query(
        "DELETE FROM user_login_failure_unknown WHERE id IN (SELECT id FROM \
         user_login_failure_unknown WHERE at <= $1 LIMIT 100 FOR UPDATE SKIP LOCKED)",
    )
    .bind::<Timestamptz, _>(window_start)
    .execute(conn)?;
    diesel::sql_query(
        "DELETE FROM user_login_lock_unknown WHERE ctid IN (SELECT ctid FROM \
         user_login_lock_unknown WHERE locked_until <= $1 LIMIT 100 FOR UPDATE SKIP LOCKED)",
    )
    .bind::<Timestamptz, _>(at)
    .execute(conn)?;
    diesel::insert_into(user_login_failure_unknown::table)
        .values((
            user_login_failure_unknown::tenant_id.eq(k.tenant),
            user_login_failure_unknown::user_type.eq(k.user_type),
            user_login_failure_unknown::user_name_hash.eq(k.user_name_hash),
            user_login_failure_unknown::at.eq(at),
        ))
        .execute(conn)
}

pub fn unknown_failures_since(
    conn: &mut PgConnection,
    k: UnknownLogin<'_>,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    use user_login_failure_unknown as f;
    f::table
        .filter(f::user_name_hash.eq(k.user_name_hash))
        .filter(f::tenant_id.eq(k.tenant))
        .filter(f::user_type.eq(k.user_type))
        .filter(f::at.gt(since))
        .count()
        .get_result(conn)
}

/// Locks a user name without an account until `until`, and forgets its failures (as a real
/// account's lock does).
pub fn lock_unknown(
    conn: &mut PgConnection,
    k: UnknownLogin<'_>,
    until: DateTime<Utc>,
) -> QueryResult<()> {
    use user_login_failure_unknown as f;
    use user_login_lock_unknown as l;
    diesel::insert_into(l::table)
        .values((
            l::tenant_id.eq(k.tenant),
            l::user_type.eq(k.user_type),
            l::user_name_hash.eq(k.user_name_hash),
            l::locked_until.eq(until),
        ))
        .on_conflict((l::user_name_hash, l::tenant_id, l::user_type))
        .do_update()
        .set(l::locked_until.eq(until))
        .execute(conn)?;
    diesel::delete(
        f::table
            .filter(f::user_name_hash.eq(k.user_name_hash))
            .filter(f::tenant_id.eq(k.tenant))
            .filter(f::user_type.eq(k.user_type)),
    )
    .execute(conn)?;
    Ok(())
}

pub fn set_locked_until(
    conn: &mut PgConnection,
    user_id: i64,
    until: Option<DateTime<Utc>>,
) -> QueryResult<usize> {
    super::cache::auth_changed();
    diesel::update(ua::table.find(user_id))
        .set(ua::locked_until.eq(until))
        .execute(conn)
}

/// A token to store: its hash, owner, kind, the access token it is paired with (refresh
/// tokens), its family (every token descended from one login) and its life.
#[derive(Clone, Copy, Debug)]
pub struct NewToken<'a> {
    pub hash: &'a [u8],
    pub user_id: i64,
    pub kind: &'a str,
    pub pair: Option<&'a [u8]>,
    pub family: uuid::Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub fn insert_token(conn: &mut PgConnection, t: &NewToken<'_>) -> QueryResult<usize> {
    diesel::insert_into(user_token::table)
        .values((
            user_token::token_hash.eq(t.hash),
            user_token::user_id.eq(t.user_id),
            user_token::kind.eq(t.kind),
            user_token::pair_hash.eq(t.pair),
            user_token::family_id.eq(t.family),
            user_token::created_at.eq(t.created_at),
            user_token::expires_at.eq(t.expires_at),
        ))
        .execute(conn)
}

/// A refresh token as stored, live or not.
#[derive(Clone, Debug, Queryable)]
pub struct RefreshToken {
    pub user_id: i64,
    pub pair: Option<Vec<u8>>,
    pub family: uuid::Uuid,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub rotated_at: Option<DateTime<Utc>>,
}

/// A refresh token by its hash, locked until the transaction ends (so one refresh at a time
/// trades it).
pub fn refresh_token_for_update(
    conn: &mut PgConnection,
    hash: &[u8],
) -> QueryResult<Option<RefreshToken>> {
    user_token::table
        .filter(user_token::token_hash.eq(hash))
        .filter(user_token::kind.eq("refresh"))
        .select((
            user_token::user_id,
            user_token::pair_hash,
            user_token::family_id,
            user_token::expires_at,
            user_token::revoked_at,
            user_token::rotated_at,
        ))
        .for_update()
        .first(conn)
        .optional()
}

/// Marks a refresh token traded for a new pair (it ends).
pub fn mark_rotated(
    conn: &mut PgConnection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    super::cache::auth_changed();
    diesel::update(user_token::table.find(hash))
        .set((
            user_token::rotated_at.eq(now),
            user_token::revoked_at.eq(now),
        ))
        .execute(conn)
}

/// Revokes every live token of a family.
pub fn revoke_family(
    conn: &mut PgConnection,
    family: uuid::Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    super::cache::auth_changed();
    diesel::update(
        user_token::table
            .filter(user_token::family_id.eq(family))
            .filter(user_token::revoked_at.is_null()),
    )
    .set(user_token::revoked_at.eq(now))
    .execute(conn)
}

/// The user id of a live token of a kind, with the token's pair.
/// A live token: its user, the hash of its pair (access and refresh), when it expires.
pub type LiveToken = (i64, Option<Vec<u8>>, DateTime<Utc>);

pub fn live_token(
    conn: &mut PgConnection,
    hash: &[u8],
    kind: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<LiveToken>> {
    user_token::table
        .filter(user_token::token_hash.eq(hash))
        .filter(user_token::kind.eq(kind))
        .filter(user_token::expires_at.gt(now))
        .filter(user_token::revoked_at.is_null())
        .select((
            user_token::user_id,
            user_token::pair_hash,
            user_token::expires_at,
        ))
        .first(conn)
        .optional()
}

pub fn revoke(
    conn: &mut PgConnection,
    hashes: &[Vec<u8>],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    super::cache::auth_changed();
    diesel::update(
        user_token::table
            .filter(user_token::token_hash.eq_any(hashes))
            .filter(user_token::revoked_at.is_null()),
    )
    .set(user_token::revoked_at.eq(now))
    .execute(conn)
}

/// Revokes the refresh tokens paired with these access tokens.
pub fn revoke_pairs_of(
    conn: &mut PgConnection,
    access_hashes: &[Vec<u8>],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    super::cache::auth_changed();
    diesel::update(
        user_token::table
            .filter(user_token::pair_hash.eq_any(access_hashes))
            .filter(user_token::revoked_at.is_null()),
    )
    .set(user_token::revoked_at.eq(now))
    .execute(conn)
}

pub fn revoke_all(conn: &mut PgConnection, user_id: i64, now: DateTime<Utc>) -> QueryResult<usize> {
    super::cache::auth_changed();
    diesel::delete(
        crate::db::schema::user_session::table
            .filter(crate::db::schema::user_session::user_id.eq(user_id)),
    )
    .execute(conn)?;
    diesel::update(
        user_token::table
            .filter(user_token::user_id.eq(user_id))
            .filter(user_token::revoked_at.is_null()),
    )
    .set(user_token::revoked_at.eq(now))
    .execute(conn)
}

pub fn add_history(
    conn: &mut PgConnection,
    user_id: i64,
    tenant: &str,
    action: &str,
    detail: serde_json::Value,
    by: Option<uuid::Uuid>,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(user_history::table)
        .values((
            user_history::user_id.eq(user_id),
            user_history::tenant_id.eq(tenant),
            user_history::action.eq(action),
            user_history::detail.eq(detail),
            user_history::changed_by.eq(by),
            user_history::changed_at.eq(at),
        ))
        .execute(conn)
}

/// History rows: (user id, action, detail, changed by, changed at).
pub type HistoryRow = (
    i64,
    String,
    serde_json::Value,
    Option<uuid::Uuid>,
    DateTime<Utc>,
);

pub fn history_of(conn: &mut PgConnection, user_id: i64) -> QueryResult<Vec<HistoryRow>> {
    user_history::table
        .filter(user_history::user_id.eq(user_id))
        .order(user_history::id)
        .select((
            user_history::user_id,
            user_history::action,
            user_history::detail,
            user_history::changed_by,
            user_history::changed_at,
        ))
        .load(conn)
}

/// Ids of users holding any role on one of `tenants`, or living there.
pub fn ids_on_tenants(conn: &mut PgConnection, tenants: &[String]) -> QueryResult<Vec<i64>> {
    let mut ids: Vec<i64> = user_role::table
        .filter(user_role::tenant_id.eq_any(tenants))
        .select(user_role::user_id)
        .distinct()
        .load(conn)?;
    ids.extend(
        ua::table
            .filter(ua::tenant_id.eq_any(tenants))
            .select(ua::id)
            .load::<i64>(conn)?,
    );
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// (uuid, id) of the users among `uuids`.
pub fn ids_of(
    conn: &mut PgConnection,
    uuids: &[uuid::Uuid],
) -> QueryResult<Vec<(uuid::Uuid, i64)>> {
    ua::table
        .filter(ua::uuid.eq_any(uuids))
        .select((ua::uuid, ua::id))
        .load(conn)
}

pub fn rows_by_uuids(conn: &mut PgConnection, uuids: &[uuid::Uuid]) -> QueryResult<Vec<UserRow>> {
    ua::table
        .filter(ua::uuid.eq_any(uuids))
        .select(UserRow::as_select())
        .load(conn)
}

pub fn rows_by_ids(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<Vec<UserRow>> {
    ua::table
        .filter(ua::id.eq_any(ids))
        .order(ua::id)
        .select(UserRow::as_select())
        .load(conn)
}

/// Read-only figures over these tables for the roll-out dashboard and the iFIX export.
#[path = "figures.rs"]
pub mod figures;
