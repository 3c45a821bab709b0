//! User search: who may find whom (a person themself; others on the tenants where the caller
//! administers users), as one SQL condition; a page at a time.

use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::model::{User, UserRow};
use super::service::Identity;
use super::users::{COL_NAME, get_many, open_rows};
use crate::db::schema::user_account as ua;
use crate::error::AppResult;
use crate::platform::access::identity::AuthUser;

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

/// The active users holding one of `roles` on `tenant` itself (not through the state), in id
/// order: the people a GP's reminders go to.
pub fn holders(
    conn: &mut PgConnection,
    crypto: &crate::platform::encryption::Crypto,
    tenant: &str,
    roles: &[&str],
) -> AppResult<Vec<User>> {
    use crate::db::schema::user_role as ur;
    let ids: Vec<i64> = ur::table
        .filter(ur::tenant_id.eq(tenant))
        .filter(ur::role_code.eq_any(roles))
        .select(ur::user_id)
        .distinct()
        .load(conn)?;
    let mut users = get_many(conn, crypto, &ids)?;
    users.retain(|u| u.active);
    Ok(users)
}

/// The tenants on which some user holds one of `roles`, in code order.
pub fn tenants_with_roles(conn: &mut PgConnection, roles: &[&str]) -> AppResult<Vec<String>> {
    use crate::db::schema::user_role as ur;
    Ok(ur::table
        .filter(ur::role_code.eq_any(roles))
        .select(ur::tenant_id)
        .distinct()
        .order(ur::tenant_id)
        .load(conn)?)
}
