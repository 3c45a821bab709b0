//! `/egov-user-event/v1/events/…` as the mGramSeva app calls them. The app asks twice and merges:
//! `_search?tenantId&eventType=SYSTEMGENERATED&recepients=<its uuid>` and `…&roles=<its roles>`,
//! with `status=READ,ACTIVE` on the notifications screen (none on the home screen: ACTIVE only
//! here; the original's default was ACTIVE,INACTIVE, where nothing the app does makes INACTIVE),
//! and closes a card by sending the event back to `_update` with `status: READ`. Whoever asks
//! sees only their own events: `recepients` other than the caller and roles the caller does not
//! hold on the GP match nothing.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, Viewer};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::platform::access::identity::{AuthUser, tenant_covers};
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/egov-user-event/v1/events/_search",
        Access::Protected,
        search,
    )
    .post(
        "/egov-user-event/v1/events/_update",
        Access::Protected,
        update,
    )
    .post(
        "/egov-user-event/v1/events/notifications/_count",
        Access::Protected,
        count,
    )
    // no tenant: the caller's own last-access time
    .post(
        "/egov-user-event/v1/events/lat/_update",
        Access::ActionOnly,
        last_access,
    );
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    tenant_id: Option<String>,
    ids: Option<String>,
    recepients: Option<String>,
    roles: Option<String>,
    status: Option<String>,
    event_type: Option<String>,
    event_types: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

/// The caller's role codes on `tenant` (roles on the state count on its GPs).
fn roles_on(user: &AuthUser, tenant: &str) -> Vec<String> {
    let mut roles: Vec<String> = user
        .roles
        .iter()
        .filter(|r| tenant_covers(&r.tenant_id, tenant))
        .map(|r| r.code.clone())
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

fn caller(req: &Digit<Value>) -> AppResult<&AuthUser> {
    req.caller
        .user()
        .ok_or_else(|| AppError::unauthorized("InvalidAccessTokenException", "login needed"))
}

/// Whom the query asks about, narrowed to the caller: by name when `recepients` names the caller
/// (or nothing is named), by the roles of `roles` the caller holds (or all of them when nothing
/// is named).
fn who(user: &AuthUser, tenant: &str, q: &SearchQuery) -> (bool, Vec<String>) {
    let (recepients, roles) = (params::csv(&q.recepients), params::csv(&q.roles));
    let held = roles_on(user, tenant);
    if recepients.is_empty() && roles.is_empty() {
        return (true, held);
    }
    let me = user.uuid.to_string();
    let by_user = recepients.contains(&me);
    let roles = held.into_iter().filter(|r| roles.contains(r)).collect();
    (by_user, roles)
}

async fn search(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let tenant = params::tenant(&q.tenant_id)?;
    let user = caller(&req)?;
    let (by_user, roles) = who(user, &tenant, &q);
    let (offset, limit) = params::paging(q.offset, q.limit)?;
    let mut statuses = params::csv(&q.status);
    if statuses.is_empty() {
        statuses.push("ACTIVE".to_owned());
    }
    let mut types = params::csv(&q.event_types);
    types.extend(params::csv(&q.event_type));
    let ids = params::uuids(&q.ids, "ids")?;
    let me = user.uuid;
    let (events, total) = db::run(&state.pool, move |c| {
        let v = Viewer {
            user: me,
            tenant: &tenant,
            by_user,
            roles: &roles,
        };
        service::search(c, &v, &statuses, &types, &ids, offset, limit)
    })
    .await?;
    let events: Vec<Value> = events.iter().map(|e| e.to_wire(me)).collect();
    Ok(HttpResponse::Ok().json(json!({
        "ResponseInfo": ResponseInfo::success(&req.info),
        "events": events,
        "totalCount": total,
    })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateItem {
    id: Option<String>,
    tenant_id: Option<String>,
    status: Option<String>,
}

/// `{events: [{id, tenantId, status, …}]}`: the caller's state of each (READ or INACTIVE, or
/// ACTIVE again); the rest of each event is ignored (events are raised by the server alone).
async fn update(state: web::Data<AppState>, req: Digit<Value>) -> AppResult<HttpResponse> {
    let user = caller(&req)?.clone();
    let items: Vec<UpdateItem> = match req.body.get("events") {
        Some(v @ Value::Array(_)) => crate::http::envelope::from_json(v.clone())?,
        _ => {
            return Err(AppError::invalid_field(
                codes::MISSING_FIELD,
                "events is required",
                "events",
            ));
        }
    };
    if items.is_empty() || items.len() > 100 {
        return Err(AppError::invalid_field(
            codes::INVALID_VALUE,
            "events must hold 1 to 100 events",
            "events",
        ));
    }
    let mut asks = Vec::with_capacity(items.len());
    for it in items {
        let tenant = params::tenant(&it.tenant_id)?;
        let id = it
            .id
            .as_deref()
            .and_then(|i| uuid::Uuid::parse_str(i.trim()).ok())
            .ok_or_else(|| {
                AppError::invalid_field(codes::INVALID_VALUE, "not an event id", "events.id")
            })?;
        let status = it.status.unwrap_or_default().trim().to_owned();
        asks.push((tenant, id, status));
    }
    let me = user.uuid;
    let events = db::transaction(&state.pool, move |c| {
        let now = Utc::now();
        let mut out = Vec::new();
        for (tenant, id, status) in &asks {
            let roles = roles_on(&user, tenant);
            let v = Viewer {
                user: me,
                tenant,
                by_user: true,
                roles: &roles,
            };
            out.extend(service::set_status(c, &v, &[*id], status, now)?);
        }
        Ok(out)
    })
    .await?;
    let total = events.len();
    let events: Vec<Value> = events.iter().map(|e| e.to_wire(me)).collect();
    Ok(HttpResponse::Ok().json(json!({
        "ResponseInfo": ResponseInfo::success(&req.info),
        "events": events,
        "totalCount": total,
    })))
}

/// `{ResponseInfo, totalCount, unreadCount}`: the caller's events of the GP not closed, and the
/// unread ones among them.
async fn count(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let tenant = params::tenant(&q.tenant_id)?;
    let user = caller(&req)?;
    let (by_user, roles) = who(user, &tenant, &q);
    let me = user.uuid;
    let (total, unread) = db::run(&state.pool, move |c| {
        service::counts(
            c,
            &Viewer {
                user: me,
                tenant: &tenant,
                by_user,
                roles: &roles,
            },
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "ResponseInfo": ResponseInfo::success(&req.info),
        "totalCount": total,
        "unreadCount": unread,
    })))
}

/// Remembers that the caller looked now; answers the ResponseInfo itself (as the original).
async fn last_access(state: web::Data<AppState>, req: Digit<Value>) -> AppResult<HttpResponse> {
    let me = caller(&req)?.uuid;
    db::run(&state.pool, move |c| service::touch(c, me, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(ResponseInfo::success(&req.info)))
}
