//! `POST /egov-idgen/id/_generate`.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::service::{IdRequest, generate};
use crate::db;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo};
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post("/egov-idgen/id/_generate", Access::Protected, generate_ids);
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    id_requests: Vec<IdRequestJson>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdRequestJson {
    id_name: Option<String>,
    tenant_id: Option<String>,
    format: Option<String>,
    count: Option<i64>,
}

#[derive(Serialize)]
struct IdResponse {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    response_info: ResponseInfo,
    id_responses: Vec<IdResponse>,
}

async fn generate_ids(state: web::Data<AppState>, req: Digit<Body>) -> AppResult<HttpResponse> {
    if req.body.id_requests.is_empty() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "idRequests must not be empty",
            "idRequests",
        ));
    }
    let mut errors = Vec::new();
    let mut requests = Vec::new();
    for (i, r) in req.body.id_requests.into_iter().enumerate() {
        match r
            .tenant_id
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
        {
            Some(tenant_id) => requests.push(IdRequest {
                tenant_id,
                id_name: r.id_name,
                format: r.format,
                count: r.count.unwrap_or(1),
            }),
            None => errors.push(ErrorDetail::field(
                codes::MISSING_FIELD,
                "tenantId is required",
                &format!("idRequests[{i}].tenantId"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    let state_tenant = state.settings.app.state_tenant.clone();
    let ids = db::transaction(&state.pool, move |c| {
        let now = Utc::now();
        let mut out = Vec::new();
        for (i, r) in requests.iter().enumerate() {
            out.extend(generate(
                c,
                &state_tenant,
                r,
                now,
                &format!("idRequests[{i}]"),
            )?);
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Response {
        response_info: ResponseInfo::success(&req.info),
        id_responses: ids.into_iter().map(|id| IdResponse { id }).collect(),
    }))
}
