//! `/user/users/_createnovalidate`, `/user/users/_updatenovalidate` and
//! `/user/users/{id}/_updatenovalidate`: users made and changed by user administrators over the
//! API, as egov-user serves them, under the HRMS grant rules (`access::grants`, `super::admin`).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::api::{caller_of, user_json};
use super::service::{self, ProfileChanges, UserChanges};
use crate::config::Secret;
use crate::db;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo};
use crate::platform::access::identity::{AuthUser, TenantRole};
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/user/users/_createnovalidate",
        Access::Protected,
        create_novalidate,
    )
    .post(
        "/user/users/_updatenovalidate",
        Access::Protected,
        update_novalidate,
    )
    .post(
        "/user/users/{id}/_updatenovalidate",
        Access::Protected,
        update_novalidate_by_id,
    );
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    user: CreateUser,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateUser {
    user_name: Option<String>,
    name: String,
    mobile_number: Option<String>,
    gender: Option<String>,
    email_id: Option<String>,
    father_or_husband_name: Option<String>,
    #[serde(rename = "type")]
    user_type: Option<String>,
    tenant_id: String,
    password: Option<String>,
    #[serde(default)]
    roles: Vec<RoleIn>,
    locale: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleIn {
    code: String,
    tenant_id: Option<String>,
}

/// The roles of a request, a role without a tenant held on `tenant`.
fn tenant_roles(roles: &[RoleIn], tenant: &str) -> Vec<TenantRole> {
    roles
        .iter()
        .map(|r| TenantRole {
            code: r.code.trim().to_owned(),
            tenant_id: r
                .tenant_id
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .unwrap_or(tenant)
                .to_owned(),
        })
        .collect()
}

/// Only user administrators create users, on tenants they administer, with roles they may grant
/// there (the HRMS rules, `access::grants`); anything else is a 403 naming each refused role.
fn may_create(caller: &AuthUser, tenant: &str, roles: &[TenantRole]) -> AppResult<()> {
    use crate::platform::access::grants::administers;
    let grants = service::user_admin_grants(
        caller,
        codes::USER_CREATE_NOT_ALLOWED,
        "Only user administrators may create users",
    )?;
    let mut errors = Vec::new();
    if !administers(&grants, tenant) {
        errors.push(ErrorDetail::field(
            "TENANT_NOT_ALLOWED",
            format!("You may not create users on {tenant}"),
            "user.tenantId",
        ));
    }
    errors.extend(service::refused_roles(&grants, roles, "user.roles"));
    if !errors.is_empty() {
        return Err(AppError::Client {
            status: actix_web::http::StatusCode::FORBIDDEN,
            errors,
        });
    }
    if roles.is_empty() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "at least one role is required",
            "user.roles",
        ));
    }
    Ok(())
}

async fn create_novalidate(
    state: web::Data<AppState>,
    req: Digit<CreateBody>,
) -> AppResult<HttpResponse> {
    let caller = caller_of(&req)?.clone();
    let u = &req.body.user;
    let roles = tenant_roles(&u.roles, &u.tenant_id);
    may_create(&caller, u.tenant_id.trim(), &roles)?;
    let new = service::NewUser {
        tenant_id: u.tenant_id.trim().to_owned(),
        user_name: u
            .user_name
            .clone()
            .or_else(|| u.mobile_number.clone())
            .unwrap_or_default(),
        mobile_number: u.mobile_number.clone(),
        name: u.name.clone(),
        user_type: u
            .user_type
            .clone()
            .unwrap_or_else(|| "EMPLOYEE".to_owned())
            .to_uppercase(),
        password: u.password.clone().map(Secret::new),
        roles,
        gender: u.gender.clone(),
        email: u.email_id.clone(),
        father_or_husband_name: u.father_or_husband_name.clone(),
        locale: u.locale.clone(),
    };
    let st = state.clone();
    let user = db::transaction(&state.pool, move |c| {
        service::create_user(c, st.identity(), &new, Some(caller.uuid), Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"responseInfo": ResponseInfo::success(&req.info), "user": [user_json(&user, Utc::now())]})))
}

#[derive(Debug, Deserialize)]
struct UpdateBody {
    user: UpdateUser,
}

/// egov-user's user of an update; what is not named here is not changed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateUser {
    id: Option<i64>,
    uuid: Option<uuid::Uuid>,
    tenant_id: Option<String>,
    name: Option<String>,
    gender: Option<String>,
    mobile_number: Option<String>,
    email_id: Option<String>,
    father_or_husband_name: Option<String>,
    locale: Option<String>,
    active: Option<bool>,
    account_locked: Option<bool>,
    password: Option<String>,
    #[serde(default)]
    roles: Vec<RoleIn>,
}

async fn update_novalidate(
    state: web::Data<AppState>,
    req: Digit<UpdateBody>,
) -> AppResult<HttpResponse> {
    update(state, req, None).await
}

async fn update_novalidate_by_id(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: Digit<UpdateBody>,
) -> AppResult<HttpResponse> {
    let id = path.trim().parse::<i64>().map_err(|_| {
        AppError::invalid_field(
            codes::INVALID_VALUE,
            "The user id in the path must be a number",
            "id",
        )
    })?;
    update(state, req, Some(id)).await
}

/// The checks that need no database: the user named once (the path's id, the body's id and
/// uuid agree), and nothing asked that cannot change here.
fn check_update(u: &UpdateUser, path_id: Option<i64>) -> AppResult<()> {
    if let (Some(p), Some(b)) = (path_id, u.id)
        && p != b
    {
        return Err(AppError::invalid_field(
            "USER_ID_MISMATCH",
            format!("The path names user {p}, the body user {b}"),
            "user.id",
        ));
    }
    if path_id.or(u.id).is_none() && u.uuid.is_none() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "user.id or user.uuid is required",
            "user.id",
        ));
    }
    if u.password.as_deref().is_some_and(|p| !p.is_empty()) {
        return Err(AppError::invalid_field(
            "PASSWORD_NOT_CHANGEABLE",
            "A password is set by its owner (password reset), not here",
            "user.password",
        ));
    }
    Ok(())
}

async fn update(
    state: web::Data<AppState>,
    req: Digit<UpdateBody>,
    path_id: Option<i64>,
) -> AppResult<HttpResponse> {
    let caller = caller_of(&req)?.clone();
    let u = &req.body.user;
    check_update(u, path_id)?;
    service::user_admin_grants(
        &caller,
        codes::USER_UPDATE_NOT_ALLOWED,
        "Only user administrators may change users",
    )?;
    let (id, uuid) = (path_id.or(u.id), u.uuid);
    let (tenant, mobile) = (
        u.tenant_id
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        u.mobile_number
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned),
    );
    let roles = u.roles.clone();
    let mut changes = UserChanges {
        details: ProfileChanges {
            name: u.name.clone(),
            gender: u.gender.clone().filter(|g| !g.trim().is_empty()),
            email: u.email_id.clone(),
            locale: u.locale.clone().filter(|l| !l.trim().is_empty()),
        },
        father_or_husband_name: u.father_or_husband_name.clone(),
        roles: Vec::new(),
        active: u.active,
        unlock: u.account_locked == Some(false),
    };
    let st = state.clone();
    let user = db::transaction(&state.pool, move |c| {
        let found = match (id, uuid) {
            (Some(id), _) => service::get(c, &st.crypto, id)?,
            (None, Some(uuid)) => service::get_by_uuid(c, &st.crypto, uuid)?,
            (None, None) => None,
        };
        let user = found
            .filter(|f| uuid.is_none_or(|x| x == f.uuid))
            .ok_or_else(|| {
                AppError::invalid_field(codes::USER_NOT_FOUND, "No such user", "user.id")
            })?;
        if tenant.as_deref().is_some_and(|t| t != user.tenant_id) {
            return Err(AppError::invalid_field(
                codes::INVALID_TENANT_ID,
                format!("The user lives on {}", user.tenant_id),
                "user.tenantId",
            ));
        }
        if mobile.is_some() && mobile != user.mobile_number {
            return Err(AppError::invalid_field(
                "MOBILE_NOT_CHANGEABLE",
                "The mobile number cannot be changed",
                "user.mobileNumber",
            ));
        }
        changes.roles = tenant_roles(&roles, &user.tenant_id);
        service::update_user(c, &st.crypto, &caller, &user, &changes, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"responseInfo": ResponseInfo::success(&req.info), "user": [user_json(&user, Utc::now())]})))
}
