//! `/billing-service/demand/*` and `/billing-service/bill/v2/*` (plus the master searches).

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::json::{bill_json, demand_json};
use super::service::{self, NewDemand};
use super::service::{BillFilter, DemandFilter};
use crate::db;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::platform::access::link;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/billing-service/demand/_create",
        Access::Protected,
        create_demand,
    )
    .post(
        "/billing-service/demand/_history",
        Access::Protected,
        demand_history,
    )
    .post(
        "/billing-service/bill/v2/_fetchbill",
        Access::ProtectedOrLink,
        fetch_bill,
    )
    .post(
        "/billing-service/bill/v2/_search",
        Access::ProtectedOrLink,
        search_bills,
    )
    .post(
        "/billing-service/demand/_update",
        Access::Protected,
        update_demand,
    )
    .post(
        "/billing-service/bill/v2/_cancelbill",
        Access::Protected,
        cancel_bills,
    )
    // master data
    .post("/billing-service/taxheads/_search", Access::Open, tax_heads)
    .post(
        "/billing-service/taxperiods/_search",
        Access::Open,
        tax_periods,
    )
    .post(
        "/billing-service/businessservices/_search",
        Access::Open,
        business_services,
    )
    .post(
        "/billing-service/demand/_getAggregateDemandDetails",
        Access::Protected,
        aggregate,
    );
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    #[serde(rename = "Demands")]
    demands: Vec<DemandIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemandIn {
    tenant_id: String,
    consumer_code: String,
    consumer_type: Option<String>,
    business_service: String,
    payer: Option<PayerIn>,
    tax_period_from: i64,
    tax_period_to: i64,
    demand_details: Vec<DetailIn>,
    #[serde(default, deserialize_with = "crate::money::optional")]
    minimum_amount_payable: Option<Decimal>,
    bill_expiry_time: Option<i64>,
    additional_details: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct PayerIn {
    uuid: Option<uuid::Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetailIn {
    tax_head_master_code: String,
    #[serde(deserialize_with = "crate::money::amount")]
    tax_amount: Decimal,
}

/// Demands are created by the calculators and the superuser, never by GP staff directly.
fn require_internal<T>(req: &Digit<T>) -> AppResult<uuid::Uuid> {
    let u = req.caller.user().ok_or_else(|| {
        AppError::unauthorized(
            "CustomException",
            "You are not authorized to access this resource",
        )
    })?;
    if u.roles
        .iter()
        .any(|r| r.code == "SUPERUSER" || r.code == "SYSTEM")
    {
        Ok(u.uuid)
    } else {
        Err(AppError::forbidden(
            "CustomException",
            "Not authorized to access this resource",
        ))
    }
}

async fn create_demand(
    state: web::Data<AppState>,
    req: Digit<CreateBody>,
) -> AppResult<HttpResponse> {
    let actor = require_internal(&req)?;
    let mut news = Vec::new();
    for (i, d) in req.body.demands.iter().enumerate() {
        news.push(NewDemand {
            tenant_id: d.tenant_id.trim().to_owned(),
            business_service: d.business_service.trim().to_owned(),
            consumer_code: d.consumer_code.trim().to_owned(),
            consumer_type: d
                .consumer_type
                .clone()
                .unwrap_or_else(|| "waterConnection".to_owned()),
            payer_uuid: d.payer.as_ref().and_then(|p| p.uuid),
            period_from: params::instant(
                d.tax_period_from,
                &format!("Demands[{i}].taxPeriodFrom"),
            )?,
            period_to: params::instant(d.tax_period_to, &format!("Demands[{i}].taxPeriodTo"))?,
            lines: d
                .demand_details
                .iter()
                .map(|l| (l.tax_head_master_code.clone(), l.tax_amount))
                .collect(),
            minimum_amount_payable: d.minimum_amount_payable.unwrap_or_default(),
            bill_expiry_time: d.bill_expiry_time,
            additional_details: d.additional_details.clone().unwrap_or_else(|| json!({})),
        });
    }
    if news.is_empty() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "Demands must not be empty",
            "Demands",
        ));
    }
    let st = state.clone();
    let created = db::transaction(&state.pool, move |c| {
        let now = Utc::now();
        news.iter()
            .enumerate()
            .map(|(i, d)| {
                service::create_demand(
                    c,
                    &st.settings.app.state_tenant,
                    d,
                    &format!("Demands[{i}]"),
                    Some(actor),
                    now,
                )
            })
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Demands": created.iter().map(demand_json).collect::<Vec<_>>()})))
}

/// The query of `demand/_search` (and of the history and aggregate calls, which read a few).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemandQuery {
    pub tenant_id: Option<String>,
    pub demand_id: Option<String>,
    pub consumer_code: Option<String>,
    pub business_service: Option<String>,
    pub status: Option<String>,
    pub period_from: Option<i64>,
    pub period_to: Option<i64>,
    pub is_payment_completed: Option<bool>,
    pub payer: Option<uuid::Uuid>,
    #[serde(default, deserialize_with = "crate::money::optional")]
    pub demand_from: Option<Decimal>,
    #[serde(default, deserialize_with = "crate::money::optional")]
    pub demand_to: Option<Decimal>,
    pub from_date: Option<i64>,
    pub to_date: Option<i64>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub mobile_number: Option<String>,
    pub email: Option<String>,
    pub receipt_required: Option<bool>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

/// Demands found by a `demand/_search` query, as the answer shows them.
pub struct FoundDemands {
    pub demands: Vec<Value>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    /// The payments of these are asked for too (`receiptRequired`, checked to name a business
    /// service and consumers): the demand filter, to find them by.
    pub receipts_of: Option<DemandFilter>,
}

/// `demand/_search` without the receipts (collection adds those): checks the query, resolves
/// payers by mobile number or e-mail, and finds the demands.
pub async fn find_demands(state: &AppState, q: &DemandQuery) -> AppResult<FoundDemands> {
    let (offset, limit) = params::paging(q.offset, q.limit)?;
    if let (Some(a), Some(b)) = (q.demand_from, q.demand_to)
        && a > b
    {
        return Err(AppError::invalid_field(
            "INVALID_RANGE",
            "demandFrom must not be above demandTo",
            "demandFrom",
        ));
    }
    let now = Utc::now();
    let (ended_before, covering) = match q.kind.as_deref().map(str::to_uppercase).as_deref() {
        None | Some("") => (None, None),
        Some("ARREARS") => (Some(now), None),
        Some("CURRENT") => (None, Some(now)),
        Some(_) => {
            return Err(AppError::invalid_field(
                "INVALID_TYPE",
                "type must be ARREARS or CURRENT",
                "type",
            ));
        }
    };
    let receipts = q.receipt_required.unwrap_or(false);
    if receipts && (q.business_service.is_none() || params::csv(&q.consumer_code).is_empty()) {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "receiptRequired needs businessService and consumerCode",
            "consumerCode",
        ));
    }
    let mobile = q
        .mobile_number
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| crate::platform::user::service::check_mobile(m, "mobileNumber"))
        .transpose()?;
    let email = q
        .email
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    let mut f = DemandFilter {
        tenant_id: params::tenant(&q.tenant_id)?,
        ids: params::uuids(&q.demand_id, "demandId")?,
        consumer_codes: params::csv(&q.consumer_code),
        business_service: q.business_service.clone().filter(|s| !s.is_empty()),
        status: q.status.clone().filter(|s| !s.is_empty()),
        period_from: q
            .period_from
            .map(|m| params::instant(m, "periodFrom"))
            .transpose()?,
        period_to: q
            .period_to
            .map(|m| params::instant(m, "periodTo"))
            .transpose()?,
        is_payment_completed: q.is_payment_completed,
        payer: q.payer,
        payers: None,
        amount_from: q.demand_from,
        amount_to: q.demand_to,
        created_from: q
            .from_date
            .map(|m| params::instant(m, "fromDate"))
            .transpose()?,
        created_to: q
            .to_date
            .map(|m| params::instant(m, "toDate"))
            .transpose()?,
        ended_before,
        covering,
        offset,
        limit,
    };
    let st = state.clone();
    let (list, total, f) = db::run(&state.pool, move |c| {
        let id = st.identity();
        if let Some(m) = &mobile {
            f.payers = Some(crate::platform::user::service::uuids_by_mobile(c, id, m)?);
        }
        if let Some(e) = &email {
            let mut candidates = service::payers_on(c, &f.tenant_id)?;
            if let Some(found) = &f.payers {
                candidates.retain(|u| found.contains(u));
            }
            f.payers = Some(crate::platform::user::service::uuids_with_email(
                c,
                &st.crypto,
                &candidates,
                e,
            )?);
        }
        let (list, total) = service::search_demands(c, &f)?;
        Ok((list, total, f))
    })
    .await?;
    Ok(FoundDemands {
        demands: list.iter().map(demand_json).collect(),
        total,
        offset,
        limit,
        receipts_of: receipts.then_some(f),
    })
}

async fn demand_history(
    state: web::Data<AppState>,
    q: web::Query<DemandQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let t = params::tenant(&q.tenant_id)?;
    let id = params::uuids(&q.demand_id, "demandId")?
        .pop()
        .ok_or_else(|| {
            AppError::invalid_field(codes::MISSING_FIELD, "demandId is required", "demandId")
        })?;
    let rows = db::run(&state.pool, move |c| service::demand_history(c, &t, id)).await?;
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "Demands": rows.iter().map(|(reason, snap, by, at)| json!({"reason": reason, "demand": snap, "changedBy": by, "changedTime": at.timestamp_millis()})).collect::<Vec<_>>()})))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BillQuery {
    tenant_id: Option<String>,
    consumer_code: Option<String>,
    business_service: Option<String>,
    service: Option<String>,
    bill_id: Option<String>,
    bill_number: Option<String>,
    status: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

async fn fetch_bill(
    state: web::Data<AppState>,
    q: web::Query<BillQuery>,
    req: Digit<Value>,
) -> AppResult<FetchedBills> {
    let mut errors = Vec::new();
    if q.tenant_id.as_deref().is_none_or(|t| t.trim().is_empty()) {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "tenantId is required",
            "tenantId",
        ));
    }
    let codes = params::csv(&q.consumer_code);
    if codes.is_empty() {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "consumerCode is required",
            "consumerCode",
        ));
    }
    if q.business_service
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "businessService is required",
            "businessService",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    let (t, bs) = (
        q.tenant_id.clone().unwrap_or_default(),
        q.business_service.clone().unwrap_or_default(),
    );
    let actor = req.caller.user().map(|u| u.uuid);
    let anonymous = actor.is_none();
    if anonymous {
        link::gp(&t)?;
        link::one(&codes, "consumerCode")?;
    }
    let mut bills = service::fetch_bills(&state, &t, &bs, &codes, actor).await?;
    if anonymous {
        bills = bills
            .iter()
            .map(|b| redacted_text(b))
            .collect::<AppResult<_>>()?;
    }
    Ok(FetchedBills {
        info: ResponseInfo::success(&req.info),
        bills,
    })
}

/// A stored bill text as a link holder sees it (`link::redact`).
fn redacted_text(bill: &str) -> AppResult<Arc<str>> {
    let mut v: Value = serde_json::from_str(bill).map_err(|e| AppError::Internal(e.into()))?;
    link::redact(&mut v);
    Ok(Arc::from(v.to_string()))
}

/// The answer of fetch-bill: `{"ResposneInfo": …, "Bill": [...]}` (DIGIT's spelling). The bills
/// are the stored JSON texts, sent as they are without being parsed and written again (the
/// fast path of the app's most frequent call), so this writes its own JSON.
struct FetchedBills {
    info: ResponseInfo,
    bills: Vec<Arc<str>>,
}

impl FetchedBills {
    fn to_json(&self) -> AppResult<String> {
        let info = serde_json::to_string(&self.info).map_err(|e| AppError::Internal(e.into()))?;
        let bills = &self.bills;
        let mut body = String::with_capacity(
            info.len() + 32 + bills.iter().map(|b| b.len() + 1).sum::<usize>(),
        );
        body.push_str("{\"ResposneInfo\":");
        body.push_str(&info);
        body.push_str(",\"Bill\":[");
        for (i, b) in bills.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(b);
        }
        body.push_str("]}");
        Ok(body)
    }
}

impl actix_web::Responder for FetchedBills {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _: &actix_web::HttpRequest) -> HttpResponse {
        match self.to_json() {
            Ok(body) => HttpResponse::Ok()
                .content_type(actix_web::http::header::ContentType::json())
                .body(body),
            Err(e) => actix_web::ResponseError::error_response(&e),
        }
    }
}

async fn search_bills(
    state: web::Data<AppState>,
    q: web::Query<BillQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let (offset, limit) = params::paging(q.offset, q.limit)?;
    let anonymous = req.caller.user().is_none();
    if anonymous {
        link::gp(&params::tenant(&q.tenant_id)?)?;
        link::one(&params::csv(&q.consumer_code), "consumerCode")?;
    }
    let f = BillFilter {
        tenant_id: params::tenant(&q.tenant_id)?,
        ids: params::uuids(&q.bill_id, "billId")?,
        bill_numbers: params::csv(&q.bill_number),
        consumer_codes: params::csv(&q.consumer_code),
        service: q
            .service
            .clone()
            .or_else(|| q.business_service.clone())
            .filter(|s| !s.is_empty()),
        status: q.status.clone().filter(|s| !s.is_empty()),
        offset,
        limit,
    };
    let st = state.clone();
    let (bills, total) = db::run(&state.pool, move |c| {
        let (found, total) = service::search_bills(c, &f)?;
        let mut bills: Vec<Value> = found.iter().map(bill_json).collect();
        service::add_payers(c, &st.crypto, &mut bills)?;
        Ok((bills, total))
    })
    .await?;
    let mut bills = bills;
    if anonymous {
        bills.iter_mut().for_each(link::redact);
    }
    Ok(HttpResponse::Ok().json(json!({"ResposneInfo": ResponseInfo::success(&req.info), "Bill": bills, "totalCount": total})))
}

#[derive(Debug, Deserialize)]
struct UpdateBody {
    #[serde(rename = "Demands")]
    demands: Vec<DemandUpdateIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemandUpdateIn {
    id: uuid::Uuid,
    tenant_id: String,
    status: Option<String>,
    #[serde(default)]
    demand_details: Vec<DetailUpdateIn>,
    additional_details: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetailUpdateIn {
    id: Option<uuid::Uuid>,
    tax_head_master_code: String,
    #[serde(deserialize_with = "crate::money::amount")]
    tax_amount: Decimal,
}

async fn update_demand(
    state: web::Data<AppState>,
    req: Digit<UpdateBody>,
) -> AppResult<HttpResponse> {
    let actor = require_internal(&req)?;
    let reason = req
        .info
        .action
        .clone()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "UPDATED".to_owned());
    let ups: Vec<service::DemandUpdate> = req
        .body
        .demands
        .iter()
        .map(|d| service::DemandUpdate {
            id: d.id,
            tenant_id: d.tenant_id.clone(),
            status: d.status.clone(),
            lines: d
                .demand_details
                .iter()
                .map(|l| (l.id, l.tax_head_master_code.clone(), l.tax_amount))
                .collect(),
            additional_details: d.additional_details.clone(),
        })
        .collect();
    let st = state.clone();
    let updated = db::transaction(&state.pool, move |c| {
        let now = Utc::now();
        ups.iter()
            .enumerate()
            .map(|(i, u)| {
                service::update_demand(
                    c,
                    &st.settings.app.state_tenant,
                    u,
                    &format!("Demands[{i}]"),
                    &reason,
                    Some(actor),
                    now,
                )
            })
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Demands": updated.iter().map(demand_json).collect::<Vec<_>>()})))
}

#[derive(Debug, Deserialize)]
struct CancelBody {
    #[serde(rename = "UpdateBillCriteria")]
    criteria: CancelCriteria,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelCriteria {
    tenant_id: String,
    #[serde(default)]
    consumer_codes: Vec<String>,
    business_service: String,
    additional_details: Option<Value>,
}

async fn cancel_bills(
    state: web::Data<AppState>,
    req: Digit<CancelBody>,
) -> AppResult<HttpResponse> {
    let actor = req.caller.user().map(|u| u.uuid);
    let c = &req.body.criteria;
    if c.consumer_codes.is_empty() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "consumerCodes must not be empty",
            "UpdateBillCriteria.consumerCodes",
        ));
    }
    let reason = c
        .additional_details
        .as_ref()
        .and_then(|a| a.get("reason"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let Some(reason) = reason.filter(|r| {
        [
            "INCORRECT_PERSONAL_INFO",
            "INCORRECT_PROPERTY_DETAILS",
            "INCORRECT_CONNECTION_DETAILS",
            "OTHER",
        ]
        .contains(&r.as_str())
    }) else {
        return Err(AppError::invalid_field(
            "INVALID_REASON",
            "the reason must come from CancelCurrentBillReasons",
            "UpdateBillCriteria.additionalDetails.reason",
        ));
    };
    let (t, bs, codes) = (
        c.tenant_id.clone(),
        c.business_service.clone(),
        c.consumer_codes.clone(),
    );
    let n = db::transaction(&state.pool, move |conn| {
        service::cancel_active_bills(conn, &t, &bs, &codes, &reason, actor, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Cancelled {
        info: ResponseInfo::success(&req.info),
        message: format!("{n} bill(s) cancelled"),
        cancelled_count: n,
    }))
}

/// The answer of `bill/v2/_cancelbill`.
#[derive(serde::Serialize)]
struct Cancelled {
    #[serde(rename = "ResponseInfo")]
    info: ResponseInfo,
    #[serde(rename = "Message")]
    message: String,
    #[serde(rename = "cancelledCount")]
    cancelled_count: usize,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MasterQuery {
    tenant_id: Option<String>,
    service: Option<String>,
    business_service: Option<String>,
    code: Option<String>,
}

async fn tax_heads(
    state: web::Data<AppState>,
    q: web::Query<MasterQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let t = params::tenant(&q.tenant_id)?;
    let service = q.service.clone().or_else(|| q.business_service.clone());
    let codes = params::csv(&q.code);
    let st = state.clone();
    let heads = db::run(&state.pool, move |c| {
        crate::platform::mdms::scope(c, &st.settings.app.state_tenant, &t, "tenantId")?;
        Ok(crate::platform::mdms::repo::tax_heads(c)?)
    })
    .await?;
    let v: Vec<Value> = heads
        .iter()
        .filter(|h| service.as_deref().is_none_or(|s| s.split(',').any(|x| x == h.service)))
        .filter(|h| codes.is_empty() || codes.contains(&h.code))
        .map(|h| json!({"code": h.code, "name": h.name, "service": h.service, "category": h.category, "isDebit": h.is_debit,
                        "isActualDemand": h.is_actual_demand, "isRequired": h.is_required, "order": h.display_order}))
        .collect();
    Ok(HttpResponse::Ok()
        .json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "TaxHeadMasters": v})))
}

async fn tax_periods(
    state: web::Data<AppState>,
    q: web::Query<MasterQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let t = params::tenant(&q.tenant_id)?;
    let service = q.service.clone().or_else(|| q.business_service.clone());
    let st = state.clone();
    let rules = db::run(&state.pool, move |c| {
        crate::platform::mdms::scope(c, &st.settings.app.state_tenant, &t, "tenantId")?;
        Ok(crate::platform::mdms::repo::tax_period_rules(c)?)
    })
    .await?;
    let v: Vec<Value> = crate::platform::mdms::service::derive_tax_periods(&rules, Utc::now())
        .into_iter()
        .filter(|p| service.as_deref().is_none_or(|s| s.split(',').any(|x| x == p.service)))
        .map(|p| json!({"service": p.service, "code": p.code, "financialYear": p.financial_year, "periodCycle": p.period_cycle,
                        "fromDate": p.from_date, "toDate": p.to_date}))
        .collect();
    Ok(HttpResponse::Ok()
        .json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "TaxPeriods": v})))
}

async fn business_services(
    state: web::Data<AppState>,
    q: web::Query<MasterQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let t = params::tenant(&q.tenant_id)?;
    let codes = params::csv(&q.business_service);
    let st = state.clone();
    let list = db::run(&state.pool, move |c| {
        let scope = crate::platform::mdms::scope(c, &st.settings.app.state_tenant, &t, "tenantId")?;
        crate::platform::mdms::service::business_services(c, &scope)
    })
    .await?;
    let v: Vec<Value> = list
        .iter()
        .filter(|b| codes.is_empty() || codes.contains(&b.code))
        .map(|b| json!({"tenantId": b.tenant_id, "businessService": b.business_service, "code": b.code,
                        "collectionModesNotAllowed": b.collection_modes_not_allowed, "partPaymentAllowed": b.part_payment_allowed,
                        "isAdvanceAllowed": b.is_advance_allowed, "isVoucherCreationEnabled": b.is_voucher_creation_enabled,
                        "demandUpdateTime": b.demand_update_time, "isActive": b.is_active}))
        .collect();
    Ok(HttpResponse::Ok()
        .json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "BusinessServices": v})))
}

async fn aggregate(
    state: web::Data<AppState>,
    q: web::Query<DemandQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let t = params::tenant(&q.tenant_id)?;
    let code = params::csv(&q.consumer_code).pop().ok_or_else(|| {
        AppError::invalid_field(
            codes::MISSING_FIELD,
            "consumerCode is required",
            "consumerCode",
        )
    })?;
    let bs = q
        .business_service
        .clone()
        .unwrap_or_else(|| "WS".to_owned());
    let agg = db::run(&state.pool, move |c| {
        service::aggregate(c, &t, &bs, &code, Utc::now())
    })
    .await?;
    let mut v = agg;
    if let Value::Object(m) = &mut v {
        m.insert(
            "ResponseInfo".to_owned(),
            serde_json::to_value(ResponseInfo::success(&req.info)).unwrap_or(Value::Null),
        );
    }
    Ok(HttpResponse::Ok().json(v))
}
