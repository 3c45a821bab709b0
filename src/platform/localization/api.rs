//! Localization over HTTP.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::service::{self, Locale, Message, SearchCriteria};
use crate::db;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post("/localization/messages/v1/_search", Access::Open, search)
        .get("/localization/messages", Access::Open, search_get)
        .post(
            "/localization/messages/v1/_upsert",
            Access::Protected,
            upsert,
        )
        .post(
            "/localization/messages/v1/_create",
            Access::Protected,
            upsert,
        );
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    locale: Option<String>,
    tenant_id: Option<String>,
    module: Option<String>,
    codes: Option<String>,
}

#[derive(Serialize)]
struct SearchResponse {
    messages: Vec<Message>,
}

async fn run_search(state: web::Data<AppState>, q: SearchQuery) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    let locale_label = q.locale.map(|l| l.trim().to_owned()).unwrap_or_default();
    let locale = if locale_label.is_empty() {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "locale is required",
            "locale",
        ));
        None
    } else {
        let l = Locale::parse(&locale_label);
        if l.is_none() {
            errors.push(ErrorDetail::field(
                codes::INVALID_LOCALE,
                format!("locale {locale_label:?} is not en_IN, hi_IN or pa_IN"),
                "locale",
            ));
        }
        l
    };
    let tenant = q
        .tenant_id
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    if tenant.is_none() {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "tenantId is required",
            "tenantId",
        ));
    }
    let (Some(locale), Some(tenant), true) = (locale, tenant, errors.is_empty()) else {
        return Err(AppError::many(errors));
    };
    let modules = params::csv(&q.module);
    let codes = params::csv(&q.codes);
    let state_tenant = state.settings.app.state_tenant.clone();
    let messages = db::run(&state.pool, move |c| {
        let scope = crate::platform::mdms::scope(c, &state_tenant, &tenant, "tenantId")?;
        let crit = SearchCriteria {
            tenant,
            state: scope.state,
            locale,
            locale_label,
            modules,
            codes,
        };
        Ok(service::search(c, &crit)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SearchResponse { messages }))
}

async fn search(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
    _req: Digit<Value>,
) -> AppResult<HttpResponse> {
    run_search(state, q.into_inner()).await
}

async fn search_get(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
) -> AppResult<HttpResponse> {
    run_search(state, q.into_inner()).await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpsertBody {
    tenant_id: Option<String>,
    messages: Vec<MessageIn>,
}

#[derive(Debug, Deserialize)]
struct MessageIn {
    code: Option<String>,
    message: Option<String>,
    module: Option<String>,
    locale: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpsertResponse {
    response_info: ResponseInfo,
    messages: Vec<Message>,
}

async fn upsert(state: web::Data<AppState>, req: Digit<UpsertBody>) -> AppResult<HttpResponse> {
    let tenant = req
        .body
        .tenant_id
        .clone()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::invalid_field(codes::MISSING_FIELD, "tenantId is required", "tenantId")
        })?;
    let messages: Vec<Message> = req
        .body
        .messages
        .iter()
        .map(|m| Message {
            code: m.code.clone().unwrap_or_default(),
            message: m.message.clone().unwrap_or_default(),
            module: m.module.clone().unwrap_or_default(),
            locale: m.locale.clone().unwrap_or_default(),
        })
        .collect();
    let state_tenant = state.settings.app.state_tenant.clone();
    let st = state.clone();
    let saved = db::transaction(&state.pool, move |c| {
        crate::platform::mdms::scope(c, &state_tenant, &tenant, "tenantId")?;
        let saved = service::upsert(c, &tenant, &messages)?;
        Ok(saved)
    })
    .await?;
    let state_tenant = st.settings.app.state_tenant.clone();
    let cat = st.i18n.clone();
    db::run(&st.pool, move |c| Ok(cat.reload(c, &state_tenant)?)).await?;
    Ok(HttpResponse::Ok().json(UpsertResponse {
        response_info: ResponseInfo::success(&req.info),
        messages: saved,
    }))
}
