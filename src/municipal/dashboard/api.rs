//! `ws-services/wc/_revenueDashboard` and `wc/_revenueCollectionData` (amounts as strings of
//! whole rupees, rounded half up, as ws-services answered; the ResponseInfo under
//! `responseInfo`), and `dashboard-analytics/dashboard/getChartV2` for the two charts the app
//! names (`revenueAndExpenditureTrendOne`, `revenueAndExpenditureTrendTwo`).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, Kinds, Month, Paid, Period, Revenue, ist_day};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::state::AppState;
use crate::time::ist_day_start_millis;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/ws-services/wc/_revenueDashboard",
        Access::Protected,
        revenue_dashboard,
    )
    .post(
        "/ws-services/wc/_revenueCollectionData",
        Access::Protected,
        revenue_collection_data,
    )
    .post(
        "/dashboard-analytics/dashboard/getChartV2",
        Access::Protected,
        chart_v2,
    );
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeriodQuery {
    tenant_id: Option<String>,
    from_date: Option<String>,
    to_date: Option<String>,
}

/// A required epoch-millisecond time (a string of digits in the query).
fn millis(v: &Option<String>, field: &str) -> AppResult<chrono::DateTime<Utc>> {
    let s = v.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let s = s.ok_or_else(|| {
        AppError::invalid_field(codes::MISSING_FIELD, format!("{field} is required"), field)
    })?;
    let ms = s.parse::<i64>().map_err(|_| {
        AppError::invalid_field(
            codes::INVALID_DATE,
            format!("{field} must be a time in epoch milliseconds"),
            field,
        )
    })?;
    params::instant(ms, field)
}

/// The checked period of two epoch-millisecond times (their IST days).
pub fn period_of(from: chrono::DateTime<Utc>, to: chrono::DateTime<Utc>) -> AppResult<Period> {
    Period::checked(ist_day(from), ist_day(to), ist_day(Utc::now()))
}

fn period(q: &PeriodQuery) -> AppResult<(String, Period)> {
    let tenant = params::tenant(&q.tenant_id)?;
    let p = period_of(
        millis(&q.from_date, "fromDate")?,
        millis(&q.to_date, "toDate")?,
    )?;
    Ok((tenant, p))
}

/// Whole rupees, half up, as a string ("170").
pub fn rupees(d: Decimal) -> String {
    d.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

fn paid_json(p: Paid) -> Value {
    json!({"paid": p.paid, "count": p.count})
}

fn revenue_json(r: &Revenue) -> Value {
    json!({
        "demand": rupees(r.demand),
        "pendingCollection": rupees(r.pending),
        "actualCollection": rupees(r.actual),
        "residetialColllection": rupees(r.residential),
        "comercialCollection": rupees(r.commercial),
        "othersCollection": rupees(r.others),
        "totalApplicationsCount": paid_json(r.households),
        "residentialsCount": paid_json(r.residentials),
        "comercialsCount": paid_json(r.commercials),
        "advanceAdjusted": rupees(r.advance_adjusted),
        "pendingPenalty": rupees(r.pending_penalty),
        "advanceCollection": rupees(r.advance_collection),
        "penaltyCollection": rupees(r.penalty_collection),
    })
}

/// `_revenueDashboard?tenantId&fromDate&toDate`: the period's revenue figures.
async fn revenue_dashboard(
    state: web::Data<AppState>,
    q: web::Query<PeriodQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let (tenant, p) = period(&q)?;
    let r = db::run(&state.pool, move |c| {
        let kinds = Kinds::of(c, &tenant)?;
        service::revenue(c, &tenant, &kinds, p)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "RevenueDashboard": revenue_json(&r),
        "responseInfo": ResponseInfo::success(&req.info),
    })))
}

/// One month of `_revenueCollectionData`.
pub fn month_json(m: &Month) -> Value {
    let r = &m.revenue;
    json!({
        "month": ist_day_start_millis(m.month),
        "demand": rupees(r.demand),
        "pendingCollection": rupees(r.pending),
        "arrears": rupees(r.arrears),
        "actualCollection": rupees(r.actual),
        "advanceAdjusted": rupees(r.advance_adjusted),
        "pendingPenalty": rupees(r.pending_penalty),
        "advanceCollection": rupees(r.advance_collection),
        "penaltyCollection": rupees(r.penalty_collection),
    })
}

/// `_revenueCollectionData?tenantId&fromDate&toDate`: each month of the period up to this one,
/// oldest first (`month` = its first day at midnight IST).
async fn revenue_collection_data(
    state: web::Data<AppState>,
    q: web::Query<PeriodQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let (tenant, p) = period(&q)?;
    let today = ist_day(Utc::now());
    let months = db::run(&state.pool, move |c| service::months(c, &tenant, p, today)).await?;
    Ok(HttpResponse::Ok().json(json!({
        "RevenueCollectionData": months.iter().map(month_json).collect::<Vec<_>>(),
        "responseInfo": ResponseInfo::success(&req.info),
    })))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ChartBody {
    aggregation_request_dto: ChartRequest,
    headers: Value,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ChartRequest {
    visualization_code: Option<String>,
    filters: Value,
    request_date: Value,
}

/// The two charts the app names.
pub const TREND_ONE: &str = "revenueAndExpenditureTrendOne";
pub const TREND_TWO: &str = "revenueAndExpenditureTrendTwo";

fn number_at(v: &Value, field: &str) -> AppResult<chrono::DateTime<Utc>> {
    let ms = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let ms = ms.ok_or_else(|| {
        AppError::invalid_field(
            codes::INVALID_DATE,
            format!("{field} must be a time in epoch milliseconds"),
            field,
        )
    })?;
    params::instant(ms, field)
}

fn plot(name: String, value: Decimal) -> Value {
    json!({"name": name, "value": value.trunc().to_i64().unwrap_or(0), "symbol": "amount"})
}

fn series(name: &str, months: &[Month], f: impl Fn(&Month) -> Decimal) -> Value {
    let plots: Vec<Value> = months
        .iter()
        .map(|m| plot(m.month.format("%b-%Y").to_string(), f(m)))
        .collect();
    let total: Decimal = months.iter().map(&f).sum();
    json!({"headerName": name, "headerValue": total.trunc().to_i64().unwrap_or(0),
        "headerSymbol": "amount", "plots": plots})
}

/// `getChartV2`: `revenueAndExpenditureTrendTwo` is the trend line (collections and payments
/// made, month by month: `WaterService`, `ExpenseService`); `revenueAndExpenditureTrendOne` the
/// stacked bars (collections by property type, expenditure by type). The GP is
/// `headers.tenantId` (or the first of `filters.tenantId`), the period `requestDate`'s
/// `startDate`/`endDate`. Any other chart is a 400 `UNKNOWN_CHART`.
async fn chart_v2(state: web::Data<AppState>, req: Digit<ChartBody>) -> AppResult<HttpResponse> {
    let dto = &req.body.aggregation_request_dto;
    let code = dto.visualization_code.clone().unwrap_or_default();
    if code != TREND_ONE && code != TREND_TWO {
        return Err(AppError::invalid_field(
            codes::UNKNOWN_CHART,
            format!("no chart {code}: only {TREND_ONE} and {TREND_TWO}"),
            "aggregationRequestDto.visualizationCode",
        ));
    }
    let tenant = req.body.headers["tenantId"]
        .as_str()
        .or_else(|| dto.filters["tenantId"][0].as_str())
        .map(str::to_owned);
    let tenant = params::tenant(&tenant)?;
    let p = period_of(
        number_at(&dto.request_date["startDate"], "requestDate.startDate")?,
        number_at(&dto.request_date["endDate"], "requestDate.endDate")?,
    )?;
    let today = ist_day(Utc::now());
    let months = db::run(&state.pool, move |c| service::months(c, &tenant, p, today)).await?;
    let data = if code == TREND_TWO {
        vec![
            series("WaterService", &months, |m| m.revenue.actual),
            series("ExpenseService", &months, |m| m.expense.paid),
        ]
    } else {
        vec![
            series(service::RESIDENTIAL, &months, |m| m.revenue.residential),
            series(service::COMMERCIAL, &months, |m| m.revenue.commercial),
            series("OTHERS", &months, |m| m.revenue.others),
            series("SALARY", &months, |m| m.expense.salary),
            series("OM", &months, |m| m.expense.om_misc),
            series("ELECTRICITY_BILL", &months, |m| m.expense.electricity),
        ]
    };
    Ok(HttpResponse::Ok().json(json!({
        "statusInfo": {"statusCode": 200, "statusMessage": "success", "errorCode": "", "errorMessage": ""},
        "responseData": {
            "chartType": if code == TREND_TWO { "line" } else { "bar" },
            "visualizationCode": code,
            "data": data,
        },
    })))
}
