//! `/vendor/v1/_create`, `/vendor/v1/_search` (digit-contracts.md §2.18): the answer holds the
//! vendors as a list under `vendor`, each with its `owner` (the app reads `owner.mobileNumber`).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, Ctx, Filter, NewVendor, VendorView};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post("/vendor/v1/_create", Access::Protected, create)
        .post("/vendor/v1/_search", Access::Protected, search);
}

/// A vendor as the wire has it.
pub fn vendor_json(v: &VendorView) -> Value {
    let audit = json!({
        "createdBy": v.created_by, "createdTime": v.created_at.timestamp_millis(),
        "lastModifiedBy": v.last_modified_by, "lastModifiedTime": v.last_modified_at.timestamp_millis(),
    });
    json!({
        "id": v.id,
        "tenantId": v.tenant_id,
        "name": v.name,
        "address": v.address,
        "owner": {
            "uuid": v.owner_uuid,
            "name": v.owner_name,
            "userName": v.owner_mobile,
            "mobileNumber": v.owner_mobile.clone().unwrap_or_default(),
            "tenantId": v.tenant_id,
            "type": "CITIZEN",
        },
        "ownerId": v.owner_uuid,
        "vehicles": [],
        "drivers": [],
        "additionalDetails": v.additional_details,
        "source": v.source,
        "description": v.description,
        "status": v.status,
        "auditDetails": audit,
    })
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    vendor: VendorIn,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VendorIn {
    tenant_id: String,
    name: String,
    #[serde(default)]
    address: Option<Value>,
    owner: OwnerIn,
    source: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OwnerIn {
    name: Option<String>,
    mobile_number: String,
}

async fn create(state: web::Data<AppState>, req: Digit<CreateBody>) -> AppResult<HttpResponse> {
    let v = &req.body.vendor;
    let new = NewVendor {
        tenant_id: v.tenant_id.trim().to_owned(),
        name: v.name.clone(),
        mobile: v.owner.mobile_number.clone(),
        owner_name: v.owner.name.clone(),
        address: v.address.clone().unwrap_or_else(|| json!({})),
        source: v.source.clone(),
        description: v.description.clone(),
    };
    let actor = req.caller.user().map(|u| u.uuid);
    let st = state.clone();
    let made = db::transaction(&state.pool, move |c| {
        service::create(c, Ctx::of(&st), &new, "vendor", actor, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "responseInfo": ResponseInfo::success(&req.info),
        "vendor": [vendor_json(&made)],
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    tenant_id: Option<String>,
    mobile_number: Option<String>,
    name: Option<String>,
    ids: Option<String>,
    owner_ids: Option<String>,
    status: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
    // FSM's vehicle filters: no vendor here has vehicles, so any of them matches nothing.
    vehicle_type: Option<String>,
    vehicle_registration_number: Option<String>,
    vehicle_ids: Option<String>,
}

async fn search(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    // The app asks `limit=-1` for every vendor of the GP.
    let limit = match q.limit {
        None => Some(100),
        Some(l) if l < 0 => None,
        Some(l) if l <= 1000 => Some(l),
        Some(_) => {
            return Err(AppError::invalid_field(
                "INVALID_LIMIT",
                "limit must be at most 1000 (or -1 for all)",
                "limit",
            ));
        }
    };
    let vehicles_asked = [
        &q.vehicle_type,
        &q.vehicle_registration_number,
        &q.vehicle_ids,
    ]
    .iter()
    .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
    let f = Filter {
        tenant_id: tenant,
        mobile_number: q
            .mobile_number
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned),
        names: params::csv(&q.name),
        name_like: None,
        ids: params::uuids(&q.ids, "ids")?,
        owner_ids: params::uuids(&q.owner_ids, "ownerIds")?,
        status: q
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_uppercase),
        offset: q.offset.unwrap_or(0).max(0),
        limit,
    };
    let st = state.clone();
    let (found, total) = if vehicles_asked {
        (Vec::new(), 0)
    } else {
        db::run(&state.pool, move |c| service::search(c, Ctx::of(&st), &f)).await?
    };
    Ok(HttpResponse::Ok().json(json!({
        "responseInfo": ResponseInfo::success(&req.info),
        "vendor": found.iter().map(vendor_json).collect::<Vec<_>>(),
        "totalCount": total,
    })))
}
