//! Vendor use cases: create (with its owner, a citizen account found or created from the mobile
//! number), find-or-create by mobile number (the add-expense page's inline new vendor), search
//! (the app's type-ahead list, by name, mobile number, ids or owners), get.
//!
//! Every function takes the caller's connection, so an expense and its new vendor can be written
//! in one transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::Vendor;
use super::repo;
use crate::config::SecuritySettings;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::platform::access::identity::TenantRole;
use crate::platform::encryption::Crypto;
use crate::platform::user::service as user;

/// Error codes of this module (`error::codes` constants).
pub mod code {
    pub use crate::error::codes::{DUPLICATE_VENDOR, INVALID_VENDOR};
}

/// What vendor rules need from the application.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub state_tenant: &'a str,
    pub crypto: &'a Crypto,
    pub sec: &'a SecuritySettings,
}

impl<'a> Ctx<'a> {
    /// The context of the running application.
    pub fn of(state: &'a crate::state::AppState) -> Self {
        Ctx {
            state_tenant: &state.settings.app.state_tenant,
            crypto: &state.crypto,
            sec: &state.settings.security,
        }
    }

    fn identity(&self) -> user::Identity<'_> {
        user::Identity::new(self.crypto, self.sec)
    }
}

/// A vendor as shown: the stored row's fields, with its owner's name and mobile number opened.
#[derive(Clone, Debug, serde::Serialize)]
pub struct VendorView {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub name: String,
    pub status: String,
    pub address: serde_json::Value,
    pub source: Option<String>,
    pub description: Option<String>,
    pub additional_details: serde_json::Value,
    pub owner_uuid: uuid::Uuid,
    pub owner_name: String,
    pub owner_mobile: Option<String>,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    pub last_modified_at: DateTime<Utc>,
}

/// A vendor to create.
#[derive(Clone, Debug, Default)]
pub struct NewVendor {
    pub tenant_id: String,
    /// The vendor's (trade) name, 1 to 128 characters.
    pub name: String,
    /// The owner's mobile number: 10 digits (the user module's rule).
    pub mobile: String,
    /// The owner's name (defaults to the vendor's name).
    pub owner_name: Option<String>,
    /// The address as the wire has it (kept as sent, locality code and all).
    pub address: serde_json::Value,
    pub source: Option<String>,
    pub description: Option<String>,
}

/// What a vendor search asks (`vendor/v1/_search`); empty lists and `None` do not filter.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub tenant_id: String,
    /// Exact mobile number of the owner (through its blind index).
    pub mobile_number: Option<String>,
    /// Exact names, case-insensitive (the wire's `name` list).
    pub names: Vec<String>,
    /// Names containing this text, case-insensitive (the pages' type-ahead).
    pub name_like: Option<String>,
    pub ids: Vec<uuid::Uuid>,
    pub owner_ids: Vec<uuid::Uuid>,
    pub status: Option<String>,
    pub offset: i64,
    /// None or a negative number: all (the app asks `limit=-1`).
    pub limit: Option<i64>,
}

/// The owner account of a mobile number: the citizen account with that number, else a new one.
fn owner_for(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    mobile: &str,
    name: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<uuid::Uuid> {
    let id = ctx.identity();
    if let Some(uuid) = user::citizen_by_mobile(conn, id, mobile)? {
        return Ok(uuid);
    }
    let new = user::NewUser {
        tenant_id: ctx.state_tenant.to_owned(),
        user_name: mobile.to_owned(),
        mobile_number: Some(mobile.to_owned()),
        name: name.to_owned(),
        user_type: "CITIZEN".to_owned(),
        password: None,
        roles: vec![TenantRole {
            code: "CITIZEN".to_owned(),
            tenant_id: ctx.state_tenant.to_owned(),
        }],
        gender: None,
        email: None,
        father_or_husband_name: None,
        locale: None,
    };
    Ok(user::create_user(conn, id, &new, actor, now)?.uuid)
}

/// Checks a new vendor's own fields; answers the name and mobile number as kept.
fn check(v: &NewVendor, field: &str) -> AppResult<(String, String)> {
    let mut errors = Vec::new();
    let name = v.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 128 {
        errors.push(ErrorDetail::field(
            codes::INVALID_NAME,
            "The vendor's name is required, at most 128 characters",
            &format!("{field}.name"),
        ));
    } else if name.chars().any(char::is_control) {
        errors.push(ErrorDetail::field(
            codes::INVALID_CHARACTER,
            "The vendor's name has a control character",
            &format!("{field}.name"),
        ));
    }
    let mobile = match user::check_mobile(v.mobile.trim(), &format!("{field}.owner.mobileNumber")) {
        Ok(m) => m,
        Err(e) => {
            errors.extend(e.details());
            String::new()
        }
    };
    for (f, val, max) in [
        ("source", &v.source, 64),
        ("description", &v.description, 256),
    ] {
        if val.as_deref().is_some_and(|s| s.chars().count() > max) {
            errors.push(ErrorDetail::field(
                codes::INVALID_VALUE,
                format!("at most {max} characters"),
                &format!("{field}.{f}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok((name, mobile))
    } else {
        Err(AppError::many(errors))
    }
}

/// Creates a vendor on a GP, with its owner account (found or created by mobile number). A
/// second vendor with the same mobile number on the GP is refused (`DUPLICATE_VENDOR`). Errors
/// name fields under `field` (the wire's `vendor`).
pub fn create(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    v: &NewVendor,
    field: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<VendorView> {
    let (name, mobile) = check(v, field)?;
    let hash = ctx.identity().mobile_hash(&mobile);
    if repo::by_mobile_hash(conn, &v.tenant_id, &hash)?.is_some() {
        return Err(duplicate(field));
    }
    let owner_name = v
        .owner_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&name);
    let owner = owner_for(conn, ctx, &mobile, owner_name, actor, now)?;
    let row = Vendor {
        id: uuid::Uuid::new_v4(),
        tenant_id: v.tenant_id.clone(),
        name,
        owner_uuid: owner,
        mobile_hash: hash,
        status: "ACTIVE".to_owned(),
        address: v.address.clone(),
        source: v.source.clone(),
        description: v.description.clone(),
        additional_details: serde_json::json!({}),
        created_by: actor,
        created_at: now,
        last_modified_by: actor,
        last_modified_at: now,
    };
    match repo::insert(conn, &row) {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => return Err(duplicate(field)),
        other => {
            other?;
        }
    }
    Ok(views(conn, ctx, vec![row])?.remove(0))
}

fn duplicate(field: &str) -> AppError {
    AppError::invalid_field(
        code::DUPLICATE_VENDOR,
        "A vendor with this mobile number already exists on this GP",
        &format!("{field}.owner.mobileNumber"),
    )
}

/// The GP's vendor with this mobile number, else a new one (the add-expense page's inline new
/// vendor). Answers the vendor and whether it was created.
pub fn find_or_create(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    v: &NewVendor,
    field: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<(VendorView, bool)> {
    let (_, mobile) = check(v, field)?;
    let hash = ctx.identity().mobile_hash(&mobile);
    if let Some(row) = repo::by_mobile_hash(conn, &v.tenant_id, &hash)? {
        return Ok((views(conn, ctx, vec![row])?.remove(0), false));
    }
    Ok((create(conn, ctx, v, field, actor, now)?, true))
}

/// Vendors matching `f`, by name, and how many match in all.
pub fn search(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    f: &Filter,
) -> AppResult<(Vec<VendorView>, i64)> {
    let hash = f
        .mobile_number
        .as_deref()
        .map(|m| ctx.identity().mobile_hash(m));
    let (rows, total) = repo::search(conn, f, hash.as_deref())?;
    Ok((views(conn, ctx, rows)?, total))
}

/// One vendor of a GP (None when it is not this GP's).
pub fn get(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    id: uuid::Uuid,
) -> AppResult<Option<VendorView>> {
    match repo::get(conn, tenant, id)? {
        Some(row) => Ok(views(conn, ctx, vec![row])?.pop()),
        None => Ok(None),
    }
}

/// The vendor's name on this GP, or a 400 `INVALID_VENDOR` naming `field` (a vendor of another
/// GP is not found).
pub fn name_of(
    conn: &mut PgConnection,
    tenant: &str,
    id: uuid::Uuid,
    field: &str,
) -> AppResult<String> {
    repo::get(conn, tenant, id)?.map(|v| v.name).ok_or_else(|| {
        AppError::invalid_field(code::INVALID_VENDOR, "No such vendor on this GP", field)
    })
}

/// Rows with their owners opened.
fn views(conn: &mut PgConnection, ctx: Ctx<'_>, rows: Vec<Vendor>) -> AppResult<Vec<VendorView>> {
    let owners: Vec<uuid::Uuid> = rows.iter().map(|r| r.owner_uuid).collect();
    let contacts = user::contacts(conn, ctx.crypto, &owners)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (owner_name, owner_mobile) = contacts
                .iter()
                .find(|c| c.0 == r.owner_uuid)
                .map(|c| (c.1.clone(), c.2.clone()))
                .unwrap_or_default();
            VendorView {
                id: r.id,
                tenant_id: r.tenant_id,
                name: r.name,
                status: r.status,
                address: r.address,
                source: r.source,
                description: r.description,
                additional_details: r.additional_details,
                owner_uuid: r.owner_uuid,
                owner_name,
                owner_mobile,
                created_by: r.created_by,
                created_at: r.created_at,
                last_modified_by: r.last_modified_by,
                last_modified_at: r.last_modified_at,
            }
        })
        .collect())
}
