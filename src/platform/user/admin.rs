//! User administration over the API (`/user/users/_createnovalidate`'s rules, for changes:
//! `/user/users/_updatenovalidate`): a user administrator changes a user's details, roles,
//! activation and lock. Only who may grant every role the user holds now, and every role it is
//! to hold (`access::grants`, the HRMS rules), changes it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::User;
use super::repo;
use super::users::{ProfileChanges, get, set_active, set_roles, update_details};
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::platform::access::grants::{Grant, administers, grants_of, may_grant};
use crate::platform::access::identity::{AuthUser, TenantRole};
use crate::platform::encryption::Crypto;

/// What an administrator changes of a user. `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserChanges {
    pub details: ProfileChanges,
    pub father_or_husband_name: Option<String>,
    /// The roles the user is to hold, exactly (at least one).
    pub roles: Vec<TenantRole>,
    pub active: Option<bool>,
    /// `accountLocked: false`: the lock ends and the failed attempts are forgotten.
    pub unlock: bool,
}

/// The caller's grants, or a 403 `code` when it administers no users.
pub fn user_admin_grants(caller: &AuthUser, code: &str, message: &str) -> AppResult<Vec<Grant>> {
    let grants = grants_of(caller);
    if grants.is_empty() {
        return Err(AppError::forbidden(code, message));
    }
    Ok(grants)
}

/// 403s naming each of `roles` the caller may not grant (`field` is the list's path).
pub fn refused_roles(grants: &[Grant], roles: &[TenantRole], field: &str) -> Vec<ErrorDetail> {
    roles
        .iter()
        .enumerate()
        .filter(|(_, r)| !may_grant(grants, r))
        .map(|(j, r)| {
            ErrorDetail::field(
                codes::ROLE_NOT_ALLOWED,
                format!("You may not grant {} on {}", r.code, r.tenant_id),
                &format!("{field}[{j}]"),
            )
        })
        .collect()
}

/// Changes `user` as `caller` asks, in the caller's transaction; answers the user as it now is.
pub fn update_user(
    conn: &mut PgConnection,
    crypto: &Crypto,
    caller: &AuthUser,
    user: &User,
    ch: &UserChanges,
    now: DateTime<Utc>,
) -> AppResult<User> {
    let grants = user_admin_grants(
        caller,
        codes::USER_UPDATE_NOT_ALLOWED,
        "Only user administrators may change users",
    )?;
    let held = user.tenant_roles();
    let managed = if held.is_empty() {
        administers(&grants, &user.tenant_id)
    } else {
        held.iter().all(|r| may_grant(&grants, r))
    };
    if !managed {
        return Err(AppError::forbidden(
            "USER_NOT_MANAGED",
            "This user holds roles you may not manage",
        ));
    }
    if ch.roles.is_empty() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "at least one role is required",
            "user.roles",
        ));
    }
    let refused = refused_roles(&grants, &ch.roles, "user.roles");
    if !refused.is_empty() {
        return Err(AppError::Client {
            status: actix_web::http::StatusCode::FORBIDDEN,
            errors: refused,
        });
    }
    let actor = caller.uuid;
    let d = &ch.details;
    let mut now_user = user.clone();
    if d.name.is_some()
        || d.gender.is_some()
        || d.email.is_some()
        || d.locale.is_some()
        || ch.father_or_husband_name.is_some()
    {
        now_user = update_details(
            conn,
            crypto,
            user,
            d,
            ch.father_or_husband_name.as_deref(),
            actor,
            now,
        )
        .map_err(|e| e.under("user"))?;
    }
    set_roles(conn, &now_user, &ch.roles, Some(actor), now)?;
    if let Some(active) = ch.active {
        set_active(conn, &now_user, active, "USER_UPDATED", Some(actor), now)?;
    }
    if ch.unlock && now_user.locked_until.is_some() {
        repo::set_locked_until(conn, user.id, None)?;
        repo::clear_failures(conn, user.id)?;
    }
    get(conn, crypto, user.id)?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished")))
}
