//! MDMS over HTTP: `v1/_search` (criteria in the body) on both context paths, and `v1/_get`.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::service::{self, Elsewhere, MasterQuery};
use crate::db;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo};
use crate::state::AppState;

/// The MDMS routes; `elsewhere` are the masters other modules keep that the search answers too.
pub fn routes(r: &mut Routes<'_>, elsewhere: Elsewhere) {
    let search = move |state, req| search(state, req, elsewhere);
    let get = move |state, q, req| get(state, q, req, elsewhere);
    r.post("/egov-mdms-service/v1/_search", Access::Open, search)
        .post("/mdms-v2/v1/_search", Access::Open, search)
        .post("/egov-mdms-service/v1/_get", Access::Open, get);
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchBody {
    #[serde(rename = "MdmsCriteria")]
    mdms_criteria: Criteria,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Criteria {
    tenant_id: Option<String>,
    module_details: Option<Vec<ModuleDetail>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ModuleDetail {
    module_name: Option<String>,
    #[serde(default)]
    master_details: Vec<MasterDetail>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MasterDetail {
    name: Option<String>,
    filter: Option<String>,
}

#[derive(Serialize)]
struct SearchResponse {
    #[serde(rename = "ResponseInfo")]
    response_info: ResponseInfo,
    #[serde(rename = "MdmsRes")]
    mdms_res: Map<String, Value>,
}

fn required(v: Option<String>, field: &str, errors: &mut Vec<ErrorDetail>) -> String {
    match v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        Some(s) => s,
        None => {
            errors.push(ErrorDetail::field(
                codes::MISSING_FIELD,
                format!("{field} is required"),
                field,
            ));
            String::new()
        }
    }
}

fn queries(c: Criteria) -> AppResult<(String, Vec<MasterQuery>)> {
    let mut errors = Vec::new();
    let tenant = required(c.tenant_id, "MdmsCriteria.tenantId", &mut errors);
    let mut out = Vec::new();
    match c.module_details {
        None => errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "MdmsCriteria.moduleDetails is required",
            "MdmsCriteria.moduleDetails",
        )),
        Some(mods) => {
            for (i, m) in mods.into_iter().enumerate() {
                let module = required(
                    m.module_name,
                    &format!("MdmsCriteria.moduleDetails[{i}].moduleName"),
                    &mut errors,
                );
                for (j, d) in m.master_details.into_iter().enumerate() {
                    let field = format!("MdmsCriteria.moduleDetails[{i}].masterDetails[{j}]");
                    let master = required(d.name, &format!("{field}.name"), &mut errors);
                    out.push(MasterQuery {
                        module: module.clone(),
                        master,
                        filter: d.filter,
                        field: format!("{field}.filter"),
                    });
                }
            }
        }
    }
    if errors.is_empty() {
        Ok((tenant, out))
    } else {
        Err(AppError::many(errors))
    }
}

async fn search(
    state: web::Data<AppState>,
    req: Digit<SearchBody>,
    elsewhere: Elsewhere,
) -> AppResult<HttpResponse> {
    let (tenant, queries) = queries(req.body.mdms_criteria)?;
    let state_tenant = state.settings.app.state_tenant.clone();
    let res = db::run(&state.pool, move |c| {
        let scope = service::scope(c, &state_tenant, &tenant, "MdmsCriteria.tenantId")?;
        service::search(c, &scope, &queries, Utc::now(), elsewhere)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SearchResponse {
        response_info: ResponseInfo::success(&req.info),
        mdms_res: res,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetQuery {
    tenant_id: Option<String>,
    module_name: Option<String>,
    master_name: Option<String>,
    filter: Option<String>,
}

async fn get(
    state: web::Data<AppState>,
    q: web::Query<GetQuery>,
    req: Digit<Value>,
    elsewhere: Elsewhere,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let mut errors = Vec::new();
    let tenant = required(q.tenant_id, "tenantId", &mut errors);
    let module = required(q.module_name, "moduleName", &mut errors);
    let master = required(q.master_name, "masterName", &mut errors);
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    let queries = vec![MasterQuery {
        module,
        master,
        filter: q.filter,
        field: "filter".to_owned(),
    }];
    let state_tenant = state.settings.app.state_tenant.clone();
    let res = db::run(&state.pool, move |c| {
        let scope = service::scope(c, &state_tenant, &tenant, "tenantId")?;
        service::search(c, &scope, &queries, Utc::now(), elsewhere)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SearchResponse {
        response_info: ResponseInfo::success(&req.info),
        mdms_res: res,
    }))
}
