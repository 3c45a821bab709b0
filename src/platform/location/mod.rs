//! Location: each tenant's boundary tree (a City with its localities, under the REVENUE and ADMIN
//! hierarchies). Owns `location_boundary`. Serves
//! `/egov-location/location/v11/boundarys/_search` with `TenantBoundary[]` as the contract says.

use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::db::{self, schema::location_boundary};
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo};
use crate::platform::mdms::seed::Boundary;
use crate::platform::mdms::service::Elsewhere;
use crate::state::AppState;

#[derive(Clone, Debug, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = location_boundary)]
pub struct BoundaryRow {
    pub tenant_id: String,
    pub hierarchy_type: String,
    pub code: String,
    pub name: String,
    pub label: String,
    pub boundary_num: i32,
    pub parent_code: Option<String>,
}

/// Filters of a boundary search.
#[derive(Clone, Debug, Default)]
pub struct BoundaryFilter {
    pub hierarchy_type: Option<String>,
    pub boundary_type: Option<String>,
    pub codes: Vec<String>,
}

/// The masters location keeps that the MDMS search answers too.
pub const MDMS_MASTERS: Elsewhere = &[("egov-location", "TenantBoundary", mdms_tenant_boundary)];

/// A tenant's `TenantBoundary[]`, unfiltered, as an MDMS master.
fn mdms_tenant_boundary(conn: &mut PgConnection, tenant: &str) -> AppResult<Vec<Value>> {
    tenant_boundaries(conn, tenant, &BoundaryFilter::default())
}

/// Replaces every boundary (the seed, in the caller's transaction) with the tree the master
/// data's boundary rows describe: for each row and hierarchy, the GP's City node, coded by the
/// tenant id, with one Locality under it. Returns how many nodes were written.
pub fn seed(conn: &mut PgConnection, boundaries: &[Boundary]) -> anyhow::Result<usize> {
    let mut rows = Vec::new();
    for b in boundaries {
        for h in &b.hierarchy_types {
            rows.push(BoundaryRow {
                tenant_id: b.tenant_id.clone(),
                hierarchy_type: h.clone(),
                code: b.tenant_id.clone(),
                name: b.city_name.clone(),
                label: b.city_label.clone(),
                boundary_num: 1,
                parent_code: None,
            });
            rows.push(BoundaryRow {
                tenant_id: b.tenant_id.clone(),
                hierarchy_type: h.clone(),
                code: b.locality_code.clone(),
                name: b.locality_name.clone(),
                label: b.locality_label.clone(),
                boundary_num: 1,
                parent_code: Some(b.tenant_id.clone()),
            });
        }
    }
    diesel::delete(location_boundary::table).execute(conn)?;
    let json = serde_json::to_value(&rows)?;
    Ok(db::bulk_upsert(conn, "location_boundary", &[], &json)?)
}

fn node(rows: &[BoundaryRow], r: &BoundaryRow, id: &mut u32) -> Value {
    *id += 1;
    let my_id = *id;
    let children: Vec<Value> = rows
        .iter()
        .filter(|c| {
            c.hierarchy_type == r.hierarchy_type
                && c.parent_code.as_deref() == Some(r.code.as_str())
        })
        .map(|c| node(rows, c, id))
        .collect();
    json!({
        "id": my_id.to_string(), "boundaryNum": r.boundary_num, "name": r.name, "localname": r.name,
        "longitude": null, "latitude": null, "label": r.label, "code": r.code, "area": null,
        "pincode": [], "children": children,
    })
}

fn flatten<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(v);
    if let Some(Value::Array(ch)) = v.get("children") {
        ch.iter().for_each(|c| flatten(c, out));
    }
}

/// The `TenantBoundary[]` of a tenant.
pub fn tenant_boundaries(
    conn: &mut PgConnection,
    tenant: &str,
    f: &BoundaryFilter,
) -> AppResult<Vec<Value>> {
    let rows: Vec<BoundaryRow> = location_boundary::table
        .filter(location_boundary::tenant_id.eq(tenant))
        .order((location_boundary::hierarchy_type, location_boundary::code))
        .select(BoundaryRow::as_select())
        .load(conn)?;
    let mut hierarchies: Vec<String> = rows.iter().map(|r| r.hierarchy_type.clone()).collect();
    hierarchies.dedup();
    let mut out = Vec::new();
    for h in hierarchies {
        if f.hierarchy_type
            .as_deref()
            .is_some_and(|want| !want.eq_ignore_ascii_case(&h))
        {
            continue;
        }
        let mut id = 0;
        let roots: Vec<Value> = rows
            .iter()
            .filter(|r| r.hierarchy_type == h && r.parent_code.is_none())
            .map(|r| node(&rows, r, &mut id))
            .collect();
        let boundary: Vec<Value> = if f.boundary_type.is_some() || !f.codes.is_empty() {
            let mut all = Vec::new();
            roots.iter().for_each(|r| flatten(r, &mut all));
            all.into_iter()
                .filter(|n| {
                    f.boundary_type.as_deref().is_none_or(|bt| {
                        n["label"]
                            .as_str()
                            .is_some_and(|l| l.eq_ignore_ascii_case(bt))
                    })
                })
                .filter(|n| {
                    f.codes.is_empty()
                        || n["code"]
                            .as_str()
                            .is_some_and(|c| f.codes.iter().any(|w| w == c))
                })
                .cloned()
                .collect()
        } else {
            roots
        };
        out.push(json!({"tenantId": tenant, "hierarchyType": {"code": h, "name": h}, "boundary": boundary}));
    }
    Ok(out)
}

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/egov-location/location/v11/boundarys/_search",
        Access::Protected,
        search,
    );
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    tenant_id: Option<String>,
    hierarchy_type_code: Option<String>,
    boundary_type: Option<String>,
    codes: Option<String>,
}

#[derive(Serialize)]
struct SearchResponse {
    #[serde(rename = "ResponseInfo")]
    response_info: ResponseInfo,
    #[serde(rename = "TenantBoundary")]
    tenant_boundary: Vec<Value>,
}

async fn search(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let tenant = q
        .tenant_id
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::invalid_field(codes::MISSING_FIELD, "tenantId is required", "tenantId")
        })?;
    let filter = BoundaryFilter {
        hierarchy_type: q.hierarchy_type_code.filter(|s| !s.trim().is_empty()),
        boundary_type: q.boundary_type.filter(|s| !s.trim().is_empty()),
        codes: q
            .codes
            .map(|c| {
                c.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    };
    let state_tenant = state.settings.app.state_tenant.clone();
    let list = db::run(&state.pool, move |c| {
        crate::platform::mdms::scope(c, &state_tenant, &tenant, "tenantId")?;
        tenant_boundaries(c, &tenant, &filter)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SearchResponse {
        response_info: ResponseInfo::success(&req.info),
        tenant_boundary: list,
    }))
}
