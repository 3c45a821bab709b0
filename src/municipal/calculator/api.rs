//! `/ws-calculator/meterConnection/_create|_search`, `/ws-calculator/waterCalculator/_estimate`,
//! `_bulkDemand`, `_getPenaltyDetails` and `_addPenalty` (`_calculate` and `_jobscheduler`:
//! `run_api.rs`).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{bulk, meter, rates};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::municipal::water::service::{self as water, Ctx};
use crate::platform::access::link;
use crate::platform::mdms::service::decimal_json;
use crate::state::AppState;
use crate::time::IST;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/ws-calculator/meterConnection/_create",
        Access::Protected,
        create_reading,
    )
    .post(
        "/ws-calculator/meterConnection/_search",
        Access::Protected,
        search_readings,
    )
    .post(
        "/ws-calculator/waterCalculator/_estimate",
        Access::Protected,
        estimate,
    )
    .post(
        "/ws-calculator/waterCalculator/_bulkDemand",
        Access::Protected,
        bulk_demand,
    )
    .post(
        "/ws-calculator/waterCalculator/_getPenaltyDetails",
        Access::ProtectedOrLink,
        penalty_details,
    )
    .post(
        "/ws-calculator/waterCalculator/_addPenalty",
        Access::Protected,
        add_penalty,
    );
    super::run_api::routes(r);
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PenaltyQuery {
    tenant_id: Option<String>,
    consumer_codes: Option<String>,
    connection_number: Option<String>,
}

/// `_getPenaltyDetails`: the consumers' live demands and the penalty that would be added if the
/// latest stays unpaid past its grace, with the date it would apply from.
async fn penalty_details(
    state: web::Data<AppState>,
    q: web::Query<PenaltyQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let mut codes = params::csv(&q.consumer_codes);
    codes.extend(params::csv(&q.connection_number));
    if codes.is_empty() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "consumerCodes is required",
            "consumerCodes",
        ));
    }
    let anonymous = req.caller.user().is_none();
    if anonymous {
        link::gp(&tenant)?;
        link::one(&codes, "consumerCodes")?;
    }
    let st = state.clone();
    let (demands, total, from) = db::run(&state.pool, move |c| {
        let mut all = Vec::new();
        let mut total = Decimal::ZERO;
        let mut from = None;
        for code in &codes {
            all.extend(crate::business::billing::service::live_demands_read(
                c, &tenant, "WS", code,
            )?);
            if let Some((p, at)) = super::penalty::estimate(
                c,
                &st.settings.app.state_tenant,
                &tenant,
                code,
                Utc::now(),
            )? {
                total += p;
                from = Some(at);
            }
        }
        Ok((all, total, from))
    })
    .await?;
    let mut demands: Vec<Value> = demands
        .iter()
        .map(crate::business::billing::demand_json)
        .collect();
    if anonymous {
        demands.iter_mut().for_each(link::redact);
    }
    Ok(
        HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "Demands": demands,
        "totalApplicablePenalty": decimal_json(total),
        "penaltyApplicableFrom": from.map(|t| t.timestamp_millis())})),
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddPenaltyBody {
    tenant_id: Option<String>,
}

/// `_addPenalty`: applies the GP's penalty now (what the daily job does).
async fn add_penalty(
    state: web::Data<AppState>,
    req: Digit<AddPenaltyBody>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&req.body.tenant_id)?;
    let st = state.clone();
    let (n, total) = db::transaction(&state.pool, move |c| {
        super::penalty::apply(c, &st.settings.app.state_tenant, &tenant, Utc::now())
    })
    .await?;
    Ok(
        HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "demandsWithPenalty": n, "totalPenalty": decimal_json(total)})),
    )
}

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx::of(state)
}

/// A reading as ws-calculator answers it: `consumption` is null (its search never fills it, and
/// the app reads it as text), `generateDemand` true (its default).
pub fn reading_json(r: &meter::Reading, connection_no: &str) -> Value {
    json!({"id": r.id, "tenantId": r.tenant_id, "connectionNo": connection_no, "billingPeriod": r.billing_period,
        "lastReading": r.last_reading, "lastReadingDate": r.last_reading_date.timestamp_millis(),
        "currentReading": r.current_reading, "currentReadingDate": r.current_reading_date.timestamp_millis(),
        "consumption": null, "generateDemand": true, "meterStatus": r.meter_status, "demandId": r.demand_id,
        "auditDetails": {"createdBy": r.created_by, "createdTime": r.created_at.timestamp_millis()}})
}

#[derive(Debug, Deserialize)]
struct ReadingBody {
    #[serde(rename = "meterReadings")]
    reading: ReadingIn,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadingIn {
    tenant_id: Option<String>,
    connection_no: Option<String>,
    current_reading: Option<i64>,
    current_reading_date: Option<i64>,
    last_reading: Option<i64>,
    meter_status: Option<String>,
}

async fn create_reading(
    state: web::Data<AppState>,
    req: Digit<ReadingBody>,
) -> AppResult<HttpResponse> {
    let r = &req.body.reading;
    let new = meter::NewReading {
        tenant_id: params::tenant(&r.tenant_id)?,
        connection_no: r.connection_no.clone().unwrap_or_default(),
        current_reading: r.current_reading,
        current_reading_date: r.current_reading_date,
        last_reading: r.last_reading,
        meter_status: r.meter_status.clone(),
    };
    let actor = req.caller.user().map(|u| u.uuid);
    let st = state.clone();
    let (reading, demand) = db::transaction(&state.pool, move |c| {
        meter::create(c, ctx(&st), &new, actor, Utc::now())
    })
    .await?;
    let mut v = reading_json(&reading, &demand.demand.consumer_code);
    v["demand"] = crate::business::billing::demand_json(&demand);
    Ok(HttpResponse::Created()
        .json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "meterReadings": [v]})))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadingQuery {
    tenant_id: Option<String>,
    connection_nos: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

async fn search_readings(
    state: web::Data<AppState>,
    q: web::Query<ReadingQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let t = params::tenant(&q.tenant_id)?;
    let nos = params::csv(&q.connection_nos);
    if nos.is_empty() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "connectionNos is required",
            "connectionNos",
        ));
    }
    let (offset, limit) = (
        q.offset.unwrap_or(0).max(0),
        // ws-calculator: 50 by default (`egov.ws.search.meterReading.pagination.default.limit`)
        q.limit.unwrap_or(50).clamp(1, 500),
    );
    let (list, total) = db::run(&state.pool, move |c| {
        let mut ids = Vec::new();
        for n in &nos {
            if let Some((conn, _)) = water::by_number(c, &t, n)? {
                ids.push((conn.id, conn.connection_no));
            }
        }
        let only: Vec<uuid::Uuid> = ids.iter().map(|(i, _)| *i).collect();
        let (rows, total) = meter::search(c, &t, &only, offset, limit)?;
        let out: Vec<Value> = rows
            .iter()
            .map(|r| {
                let no = ids
                    .iter()
                    .find(|(i, _)| *i == r.connection_id)
                    .map(|(_, n)| n.as_str())
                    .unwrap_or_default();
                reading_json(r, no)
            })
            .collect();
        Ok((out, total))
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "meterReadings": list, "totalCount": total})))
}

#[derive(Debug, Deserialize)]
struct EstimateBody {
    #[serde(rename = "CalculationCriteria")]
    criteria: Vec<CriteriaIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CriteriaIn {
    tenant_id: Option<String>,
    connection_no: Option<String>,
    last_reading: Option<i64>,
    current_reading: Option<i64>,
    to: Option<i64>,
}

/// What a reading (metered) or a month (flat) would cost, without writing anything.
async fn estimate(state: web::Data<AppState>, req: Digit<EstimateBody>) -> AppResult<HttpResponse> {
    type Row = (String, String, Option<i64>, Option<i64>, Option<i64>);
    let criteria: Vec<Row> = req
        .body
        .criteria
        .iter()
        .map(|c| {
            Ok((
                params::tenant(&c.tenant_id)?,
                c.connection_no.clone().unwrap_or_default(),
                c.last_reading,
                c.current_reading,
                c.to,
            ))
        })
        .collect::<AppResult<_>>()?;
    let st = state.clone();
    let out = db::run(&state.pool, move |conn| {
        let mut out = Vec::new();
        for (i, (t, no, last, current, to)) in criteria.iter().enumerate() {
            let field = format!("CalculationCriteria[{i}].connectionNo");
            let (c, p) = water::by_number(conn, t, no)?.ok_or_else(|| {
                AppError::invalid_field(
                    codes::CONNECTION_NOT_FOUND,
                    "No such connection on this GP",
                    &field,
                )
            })?;
            let on = to
                .and_then(chrono::DateTime::from_timestamp_millis)
                .unwrap_or_else(Utc::now)
                .with_timezone(&IST)
                .date_naive();
            let rate = rates::rate_for(
                conn,
                &st.settings.app.state_tenant,
                t,
                &p.property_type,
                &c.connection_type,
                on,
            )?;
            let charge = if c.connection_type == "Metered" {
                let (l, cur) = (last.unwrap_or(0), current.unwrap_or(0));
                if cur < l || !(0..=99_999).contains(&cur) || l < 0 {
                    return Err(AppError::invalid_field(
                        "INVALID_METER_READING",
                        "New Meter Reading entered is invalid",
                        &format!("CalculationCriteria[{i}].currentReading"),
                    ));
                }
                rates::metered_charge(&rate, Decimal::from(cur - l))
            } else {
                rate.minimum
            };
            let round = crate::business::apportion::round_off(charge);
            out.push(calculation_json(
                &c.connection_no,
                t,
                &c.application_no,
                charge,
                round,
                Some(&rate.tariff_id),
            ));
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Calculation": out})))
}

/// One `Calculation` as ws-calculator answers `_estimate` and `_calculate`: the water charge
/// (10101) and its round-off, their total, the slab (tariff) used.
pub(super) fn calculation_json(
    connection_no: &str,
    tenant: &str,
    application_no: &str,
    charge: Decimal,
    round: Decimal,
    tariff: Option<&str>,
) -> Value {
    json!({"connectionNo": connection_no, "tenantId": tenant, "applicationNo": application_no,
        "charge": decimal_json(charge), "taxAmount": decimal_json(charge + round), "totalAmount": decimal_json(charge + round),
        "penalty": 0, "exemption": 0, "rebate": 0, "fee": 0, "advance": 0,
        "billingSlabIds": tariff.into_iter().collect::<Vec<_>>(),
        "taxHeadEstimates": [{"taxHeadCode": "10101", "estimateAmount": decimal_json(charge), "category": "CHARGES"},
                             {"taxHeadCode": "WS_Round_Off", "estimateAmount": decimal_json(round), "category": "TAX"}]})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BulkBody {
    tenant_id: Option<String>,
    billing_period: Option<String>,
}

pub fn batch_json(b: &bulk::Batch) -> Value {
    json!({"id": b.id, "tenantId": b.tenant_id, "periodFrom": b.period_from.timestamp_millis(),
        "periodTo": b.period_to.timestamp_millis(), "status": b.status, "targets": b.targets,
        "created": b.created, "skipped": b.skipped, "message": b.message,
        "startedTime": b.started_at.timestamp_millis(), "finishedTime": b.finished_at.map(|t| t.timestamp_millis())})
}

/// One run of a GP's month on one pooled connection, which holds the month's run lock from
/// start to end (`bulk::run_for_tenant`): the batch is recorded, then the demands are generated
/// in a second transaction (so a failure leaves the batch FAILED with its reason, and nothing
/// half-written).
pub async fn run_bulk(
    state: &web::Data<AppState>,
    tenant: String,
    month: chrono::NaiveDate,
    actor: Option<uuid::Uuid>,
) -> AppResult<(bulk::Batch, rust_decimal::Decimal)> {
    let st = state.clone();
    db::run(&state.pool, move |c| {
        bulk::run_for_tenant(c, &st.pool, ctx(&st), &tenant, month, actor)
    })
    .await
}

async fn bulk_demand(state: web::Data<AppState>, req: Digit<BulkBody>) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&req.body.tenant_id)?;
    let month = req
        .body
        .billing_period
        .as_deref()
        .and_then(bulk::parse_period)
        .ok_or_else(|| {
            AppError::invalid_field(
                "INVALID_BILLING_PERIOD",
                "billingPeriod is one month: 01/MM/yyyy-<last day>/MM/yyyy",
                "billingPeriod",
            )
        })?;
    let actor = req.caller.user().map(|u| u.uuid);
    let (batch, _) = run_bulk(&state, tenant, month, actor).await?;
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "BulkDemandBatch": batch_json(&batch)})))
}
