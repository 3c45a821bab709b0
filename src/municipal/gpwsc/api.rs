//! `POST /ifix-department-entity/departmentEntity/v1/_search` and
//! `POST /adapter-master-data/project/v1/_search`: the two iFIX searches of the app's GPWSC
//! details screen, answered from the tenant master in iFIX's shape (`responseHeader`,
//! `departmentEntity[]` / `project[]`).
//!
//! The app sends `{RequestInfo, requestHeader, criteria: {code: <the GP's village code>,
//! tenantId: "pb", getAncestry: true}}`, reads `departmentEntity[0]` and walks its `children`
//! down, keying each entity by `hierarchyLevel` (3 division, 4 sub-division, 5 section,
//! 6 village); then `{criteria: {departmentEntityId: <the village's id>, tenantId}}` and reads
//! `project[0].code`. Login required; the handler admits employees of the GP (and holders of a
//! role on the state); another GP's entity is a 403, an unknown one a 404 with a named code.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, Entity, Found, Masters};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::Digit;
use crate::http::routes::{Access, Routes};
use crate::platform::access::identity::{AuthUser, tenant_covers};
use crate::state::AppState;

pub const DEPARTMENT_PATH: &str = "/ifix-department-entity/departmentEntity/v1/_search";
pub const PROJECT_PATH: &str = "/adapter-master-data/project/v1/_search";

/// At most this many ids in one search.
const MAX_IDS: usize = 50;

pub fn routes(r: &mut Routes<'_>) {
    // No action of the role-action master names these paths: the handler decides who reads
    // (an employee of the GP, or a role on the state), as the file-link and apportion routes do.
    r.post(DEPARTMENT_PATH, Access::Authenticated, departments)
        .post(PROJECT_PATH, Access::Authenticated, projects);
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DepartmentBody {
    #[serde(default)]
    request_header: Option<Value>,
    criteria: DepartmentCriteria,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DepartmentCriteria {
    tenant_id: Option<String>,
    code: Option<String>,
    #[serde(default)]
    ids: Option<Vec<String>>,
    #[serde(default)]
    get_ancestry: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProjectBody {
    #[serde(default)]
    request_header: Option<Value>,
    criteria: ProjectCriteria,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProjectCriteria {
    tenant_id: Option<String>,
    department_entity_id: Option<String>,
    code: Option<String>,
    #[serde(default)]
    ids: Option<Vec<String>>,
}

/// iFIX's `responseHeader`: the request header's fields echoed, `status: successful`.
fn response_header(h: &Option<Value>) -> Value {
    let get = |k: &str| {
        h.as_ref()
            .and_then(|h| h.get(k))
            .filter(|v| v.is_string() || v.is_number())
            .cloned()
            .unwrap_or(Value::Null)
    };
    json!({
        "ts": match get("ts") {
            Value::Null => json!(chrono::Utc::now().timestamp_millis()),
            v => v,
        },
        "version": get("version"),
        "msgId": get("msgId"),
        "correlationId": get("correlationId"),
        "signature": get("signature"),
        "status": "successful",
    })
}

fn bad(code: &str, message: &str, field: &str) -> AppError {
    AppError::invalid_field(code, message.to_owned(), field)
}

fn forbidden() -> AppError {
    AppError::forbidden("CustomException", "Not authorized to access this resource")
}

/// A code or id as sent: trimmed, blank as none, letters, digits, `-` and `_` only.
fn token(v: &Option<String>, field: &str) -> AppResult<Option<String>> {
    let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if s.len() > 64
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(bad(
            codes::INVALID_VALUE,
            "must be up to 64 letters, digits, '-' or '_'",
            field,
        ));
    }
    Ok(Some(s.to_owned()))
}

fn ids(v: &Option<Vec<String>>) -> AppResult<Vec<String>> {
    let list = v.as_deref().unwrap_or_default();
    if list.len() > MAX_IDS {
        return Err(bad(
            codes::INVALID_VALUE,
            &format!("at most {MAX_IDS} ids in one search"),
            "criteria.ids",
        ));
    }
    let mut out = Vec::new();
    for (i, id) in list.iter().enumerate() {
        if let Some(id) = token(&Some(id.clone()), &format!("criteria.ids[{i}]"))? {
            out.push(id);
        }
    }
    Ok(out)
}

/// The tenant the criteria name: required, known, the state or one of its GPs, and (a GP) one
/// the caller holds a role on.
fn named_tenant(
    conn: &mut diesel::PgConnection,
    m: &Masters,
    user: &AuthUser,
    tenant: &Option<String>,
) -> AppResult<String> {
    let field = "criteria.tenantId";
    let Some(t) = tenant.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(bad(codes::MISSING_FIELD, "tenantId is required", field));
    };
    let known = crate::platform::mdms::service::hierarchy::tenant(conn, t)?;
    let Some(known) = known.filter(|k| tenant_covers(&m.state.code, &k.code)) else {
        return Err(bad(
            codes::INVALID_TENANT_ID,
            &format!("{t} is not a known tenant"),
            field,
        ));
    };
    if known.code != m.state.code
        && !user
            .roles
            .iter()
            .any(|r| tenant_covers(&r.tenant_id, &known.code))
    {
        return Err(forbidden());
    }
    Ok(known.code)
}

/// Whether an entity found belongs to the tenant named: every entity is the state's (as in
/// iFIX); a village is also its GP's.
fn of_tenant(m: &Masters, found: &Found, tenant: &str) -> bool {
    tenant == m.state.code || found.gp.as_ref().is_some_and(|g| g.code == tenant)
}

/// Checks a found entity for the caller and the named tenant.
fn admit(
    conn: &mut diesel::PgConnection,
    m: &Masters,
    user: &AuthUser,
    found: &Found,
    tenant: &str,
) -> AppResult<()> {
    if !service::may_read(conn, m, user, found)? {
        return Err(forbidden());
    }
    if !of_tenant(m, found, tenant) {
        return Err(bad(
            codes::INVALID_TENANT_ID,
            &format!("the entity is not of tenant {tenant}"),
            "criteria.tenantId",
        ));
    }
    Ok(())
}

fn entity_json(state: &str, e: &Entity, children: Value) -> Value {
    json!({
        "id": e.id,
        "tenantId": state,
        "departmentId": service::department_id(state),
        "code": e.code,
        "name": e.name,
        "hierarchyLevel": e.level,
        "children": children,
        "auditDetails": null,
    })
}

/// The chain nested from the state down, each entity the only child of the one above.
fn ancestry_json(state: &str, chain: &[Entity]) -> Value {
    chain.iter().rev().fold(Value::Null, |below, e| {
        let children = match below {
            Value::Null => json!([]),
            v => json!([v]),
        };
        entity_json(state, e, children)
    })
}

fn state_tenant(state: &AppState) -> String {
    state.settings.app.state_tenant.clone()
}

fn load(conn: &mut diesel::PgConnection, state: &str) -> AppResult<Masters> {
    Masters::load(conn, state)?.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "the state tenant {state} is not in the master"
        ))
    })
}

async fn departments(
    state: web::Data<AppState>,
    req: Digit<DepartmentBody>,
) -> AppResult<HttpResponse> {
    let c = &req.body.criteria;
    let code = token(&c.code, "criteria.code")?;
    let ids = ids(&c.ids)?;
    if code.is_none() && ids.is_empty() {
        return Err(bad(
            codes::MISSING_FIELD,
            "criteria.code or criteria.ids is required",
            "criteria.code",
        ));
    }
    let ancestry = c.get_ancestry.unwrap_or(false);
    let tenant = c.tenant_id.clone();
    let user = req.caller.user().cloned().ok_or_else(forbidden)?;
    let st = state_tenant(&state);
    let out = db::run(&state.pool, move |conn| {
        let m = load(conn, &st)?;
        let tenant = named_tenant(conn, &m, &user, &tenant)?;
        let mut found = Vec::new();
        if let Some(code) = &code {
            found.push(m.by_code(conn, code)?.ok_or_else(|| {
                AppError::not_found(
                    "DEPARTMENT_ENTITY_NOT_FOUND",
                    format!("no department entity has code {code}"),
                )
            })?);
        }
        for id in &ids {
            found.push(m.by_id(conn, id)?.ok_or_else(|| {
                AppError::not_found(
                    "DEPARTMENT_ENTITY_NOT_FOUND",
                    format!("no department entity has id {id}"),
                )
            })?);
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for f in &found {
            admit(conn, &m, &user, f, &tenant)?;
            let Some(e) = f.entity() else { continue };
            if !seen.insert(e.id.clone()) {
                continue;
            }
            out.push(if ancestry {
                ancestry_json(&m.state.code, &f.chain)
            } else {
                let kids: Vec<String> = m.children(conn, e)?.into_iter().map(|k| k.id).collect();
                entity_json(&m.state.code, e, json!(kids))
            });
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "responseHeader": response_header(&req.body.request_header),
        "departmentEntity": out,
    })))
}

async fn projects(state: web::Data<AppState>, req: Digit<ProjectBody>) -> AppResult<HttpResponse> {
    let c = &req.body.criteria;
    let entity = token(&c.department_entity_id, "criteria.departmentEntityId")?;
    let code = token(&c.code, "criteria.code")?;
    let ids = ids(&c.ids)?;
    if entity.is_none() && code.is_none() && ids.is_empty() {
        return Err(bad(
            codes::MISSING_FIELD,
            "criteria.departmentEntityId, criteria.code or criteria.ids is required",
            "criteria.departmentEntityId",
        ));
    }
    let tenant = c.tenant_id.clone();
    let user = req.caller.user().cloned().ok_or_else(forbidden)?;
    let st = state_tenant(&state);
    let out = db::run(&state.pool, move |conn| {
        let m = load(conn, &st)?;
        let tenant = named_tenant(conn, &m, &user, &tenant)?;
        let missing = |what: String| AppError::not_found("PROJECT_NOT_FOUND", what);
        let mut found = Vec::new();
        if let Some(id) = &entity {
            let f = m.by_id(conn, id)?.ok_or_else(|| {
                AppError::not_found(
                    "DEPARTMENT_ENTITY_NOT_FOUND",
                    format!("no department entity has id {id}"),
                )
            })?;
            found.push((f, format!("department entity {id} has no project")));
        }
        if let Some(code) = &code {
            let f = m
                .by_code(conn, code)?
                .filter(|f| f.gp.is_some())
                .ok_or_else(|| missing(format!("no project has code {code}")))?;
            found.push((f, String::new()));
        }
        for id in &ids {
            let f = m
                .by_project_id(conn, id)?
                .ok_or_else(|| missing(format!("no project has id {id}")))?;
            found.push((f, String::new()));
        }
        let mut out: Vec<Value> = Vec::new();
        for (f, none) in found {
            admit(conn, &m, &user, &f, &tenant)?;
            let village = f
                .entity()
                .filter(|_| f.gp.is_some())
                .ok_or_else(|| missing(none))?;
            let p = service::project_of(&m.state.code, village);
            if out.iter().any(|v| v["id"] == p.id.as_str()) {
                continue;
            }
            // `locationIds` is left out (no location is kept for a scheme): one version of the
            // app reads it as a string, another as a list; absent, both read null.
            out.push(json!({
                "id": p.id,
                "tenantId": m.state.code,
                "code": p.code,
                "name": p.name,
                "expenditureId": null,
                "departmentEntityIds": [{"departmentEntityId": p.entity_id, "status": true}],
                "auditDetails": null,
            }));
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "responseHeader": response_header(&req.body.request_header),
        "project": out,
    })))
}
