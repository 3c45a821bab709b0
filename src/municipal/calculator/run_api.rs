//! `/ws-calculator/waterCalculator/_calculate` (a household's demand for given calculation
//! criteria) and `/ws-calculator/waterCalculator/_jobscheduler[/{isSendMessage}]` (the monthly
//! bulk demand of every GP, as ws-calculator's scheduler call). Both go through the rules the
//! rest of the calculator uses: a metered household's demand is its reading's
//! ([`meter::create`]), a flat-rate household's month is bulk demand's ([`bulk::bill_one`],
//! [`bulk::run_many`]).

use std::collections::BTreeSet;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::calculation_json;
use super::{bulk, meter};
use crate::business::billing::service::DemandWithLines;
use crate::db;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::municipal::water::service::{self as water, Ctx};
use crate::state::AppState;
use crate::time::IST;

/// Who may run bulk demand for a GP may run it for all when the role is held on the state.
const BULK_DEMAND_ACTION: &str = "/ws-calculator/waterCalculator/_bulkDemand";

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/ws-calculator/waterCalculator/_calculate",
        Access::Protected,
        calculate,
    )
    // The body names no tenant: the handler checks the caller (bulk demand's roles, held on
    // the state).
    .post(
        "/ws-calculator/waterCalculator/_jobscheduler",
        Access::Authenticated,
        job_scheduler,
    )
    .post(
        "/ws-calculator/waterCalculator/_jobscheduler/{isSendMessage}",
        Access::Authenticated,
        job_scheduler,
    );
}

#[derive(Debug, Deserialize)]
struct CalculateBody {
    #[serde(rename = "CalculationCriteria")]
    criteria: Option<Vec<CriteriaIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CriteriaIn {
    tenant_id: Option<String>,
    connection_no: Option<String>,
    application_no: Option<String>,
    last_reading: Option<Value>,
    current_reading: Option<Value>,
    from: Option<i64>,
    to: Option<i64>,
}

/// One criterion, checked.
struct Criterion {
    tenant: String,
    connection_no: Option<String>,
    application_no: Option<String>,
    last_reading: Option<i64>,
    current_reading: Option<i64>,
    from: Option<i64>,
    to: Option<i64>,
}

/// A reading: a whole number (ws-calculator takes a Double; 130 and 130.0 are the same).
fn reading(v: &Option<Value>, field: &str) -> AppResult<Option<i64>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1e9)
                    .map(|f| f as i64)
            })
            .map(Some)
            .ok_or_else(|| bad_reading(field)),
        Some(_) => Err(bad_reading(field)),
    }
}

fn bad_reading(field: &str) -> AppError {
    AppError::invalid_field(
        "INVALID_METER_READING",
        "A meter reading is a whole number from 0 to 99999",
        field,
    )
}

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl CriteriaIn {
    fn checked(&self, i: usize) -> AppResult<Criterion> {
        let at = |f: &str| format!("CalculationCriteria[{i}].{f}");
        let tenant = params::tenant(&self.tenant_id).map_err(|_| {
            AppError::invalid_field(
                codes::MISSING_FIELD,
                "tenantId is required",
                &at("tenantId"),
            )
        })?;
        let (connection_no, application_no) = (
            nonblank(&self.connection_no),
            nonblank(&self.application_no),
        );
        if connection_no.is_none() && application_no.is_none() {
            return Err(AppError::invalid_field(
                codes::MISSING_FIELD,
                "connectionNo (or applicationNo) is required",
                &at("connectionNo"),
            ));
        }
        Ok(Criterion {
            tenant,
            connection_no,
            application_no,
            last_reading: reading(&self.last_reading, &at("lastReading"))?,
            current_reading: reading(&self.current_reading, &at("currentReading"))?,
            from: self.from,
            to: self.to,
        })
    }
}

/// The errors of a rule written for another request, named for criterion `i`.
fn renamed(e: AppError, i: usize) -> AppError {
    match e {
        AppError::Client { status, errors } => AppError::Client {
            status,
            errors: errors
                .into_iter()
                .map(|d| match d.params.as_deref() {
                    Some([field]) => {
                        let tail = field.rsplit('.').next().unwrap_or(field);
                        let tail = match tail {
                            "currentReadingDate" => "to",
                            "billingPeriod" | "lastReadingDate" => "from",
                            t => t,
                        };
                        ErrorDetail::field(
                            d.code,
                            d.message,
                            &format!("CalculationCriteria[{i}].{tail}"),
                        )
                    }
                    _ => d,
                })
                .collect(),
        },
        other => other,
    }
}

/// The month (its first day, in IST) of an instant in epoch milliseconds.
fn month_of(ms: i64, field: &str) -> AppResult<chrono::NaiveDate> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&IST).date_naive())
        .and_then(|d| chrono::Datelike::with_day(&d, 1))
        .ok_or_else(|| {
            AppError::invalid_field(codes::INVALID_DATE, "a time in epoch milliseconds", field)
        })
}

/// A demand's charge (10101) and round-off, for its `Calculation`.
fn charge_and_round(d: &DemandWithLines) -> (Decimal, Decimal) {
    let sum = |pred: &dyn Fn(&str) -> bool| -> Decimal {
        d.lines
            .iter()
            .filter(|l| pred(&l.tax_head_code))
            .map(|l| l.tax_amount)
            .sum()
    };
    (sum(&|h| h == "10101"), sum(&|h| h.ends_with("_Round_Off")))
}

/// Makes the demand of one criterion: a metered household's for the reading `currentReading`
/// taken on `to` (its last reading, or `lastReading` for the first bill, before it), recorded as
/// a reading would be; a flat-rate household's for the month of `from` (or `to`).
fn calculate_one(
    conn: &mut diesel::PgConnection,
    ctx: Ctx<'_>,
    i: usize,
    c: &Criterion,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Value> {
    let found = match (&c.connection_no, &c.application_no) {
        (Some(no), _) => water::by_number(conn, &c.tenant, no)?,
        (None, Some(app)) => water::by_application_no(conn, &c.tenant, app)?,
        (None, None) => None,
    };
    let Some((wc, _)) = found else {
        return Err(AppError::invalid_field(
            codes::CONNECTION_NOT_FOUND,
            "No such connection on this GP",
            &format!("CalculationCriteria[{i}].connectionNo"),
        ));
    };
    let demand = if wc.connection_type == "Metered" {
        if c.current_reading.is_none() {
            return Err(AppError::invalid_field(
                codes::MISSING_FIELD,
                "currentReading is required for a metered connection",
                &format!("CalculationCriteria[{i}].currentReading"),
            ));
        }
        let new = meter::NewReading {
            tenant_id: c.tenant.clone(),
            connection_no: wc.connection_no.clone(),
            current_reading: c.current_reading,
            current_reading_date: c.to,
            last_reading: c.last_reading,
            meter_status: None,
        };
        meter::create(conn, ctx, &new, actor, now)
            .map_err(|e| renamed(e, i))?
            .1
    } else {
        let (field, ms) = match (c.from, c.to) {
            (Some(f), _) => ("from", f),
            (None, Some(t)) => ("to", t),
            (None, None) => {
                return Err(AppError::invalid_field(
                    codes::MISSING_FIELD,
                    "from (a time in the month to bill) is required for a flat-rate connection",
                    &format!("CalculationCriteria[{i}].from"),
                ));
            }
        };
        let month = month_of(ms, &format!("CalculationCriteria[{i}].{field}"))?;
        if let (Some(_), Some(t)) = (c.from, c.to)
            && month_of(t, &format!("CalculationCriteria[{i}].to"))? != month
        {
            return Err(AppError::invalid_field(
                "INVALID_BILLING_PERIOD",
                "from and to are in the same month: a flat-rate demand is for one month",
                &format!("CalculationCriteria[{i}].to"),
            ));
        }
        bulk::bill_one(conn, ctx, &c.tenant, &wc.connection_no, month, actor, now)
            .map_err(|e| renamed(e, i))?
    };
    let (charge, round) = charge_and_round(&demand);
    let tariff = demand
        .demand
        .additional_details
        .get("tariffId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut v = calculation_json(
        &wc.connection_no,
        &c.tenant,
        &wc.application_no,
        charge,
        round,
        tariff.as_deref(),
    );
    v["demandId"] = json!(demand.demand.id);
    v["taxPeriodFrom"] = json!(demand.demand.period_from.timestamp_millis());
    v["taxPeriodTo"] = json!(demand.demand.period_to.timestamp_millis());
    Ok(v)
}

/// `_calculate`: the demand of every criterion, all or none (one transaction).
async fn calculate(
    state: web::Data<AppState>,
    req: Digit<CalculateBody>,
) -> AppResult<HttpResponse> {
    let criteria = req
        .body
        .criteria
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            AppError::invalid_field(
                codes::MISSING_FIELD,
                "CalculationCriteria is required",
                "CalculationCriteria",
            )
        })?
        .iter()
        .enumerate()
        .map(|(i, c)| c.checked(i))
        .collect::<AppResult<Vec<_>>>()?;
    let actor = req.caller.user().map(|u| u.uuid);
    let st = state.clone();
    let out = db::transaction(&state.pool, move |conn| {
        let now = Utc::now();
        criteria
            .iter()
            .enumerate()
            .map(|(i, c)| calculate_one(conn, Ctx::of(&st), i, c, actor, now))
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Calculation": out})))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SchedulerBody {
    /// Not in ws-calculator (it bills the month before the current one): another past month,
    /// as `_bulkDemand` names it.
    billing_period: Option<String>,
}

/// `_jobscheduler`: bulk demand of the month before this one (or `billingPeriod`) for every GP
/// with an active flat-rate household, a few GPs at a time (`scheduler.bulk_workers`), each as
/// `_bulkDemand` would do it; answers what was done. For a caller holding, on the state, a role
/// mapped to `_bulkDemand`. `isSendMessage` is read and changes nothing: no SMS goes out on
/// bulk demand here.
async fn job_scheduler(
    state: web::Data<AppState>,
    http: actix_web::HttpRequest,
    req: Digit<SchedulerBody>,
) -> AppResult<HttpResponse> {
    let Some(user) = req.caller.user() else {
        return Err(AppError::unauthorized(
            "CustomException",
            "You are not authorized to access this resource",
        ));
    };
    let state_tenant = state.settings.app.state_tenant.clone();
    let mapped = state
        .access
        .roles_for_actions(&[BULK_DEMAND_ACTION.to_owned()]);
    if !crate::http::gateway::permitted(user, &mapped, &BTreeSet::from([state_tenant])) {
        return Err(AppError::forbidden(
            "CustomException",
            "Not authorized to access this resource",
        ));
    }
    if let Some(flag) = http.match_info().get("isSendMessage")
        && !matches!(flag.to_ascii_lowercase().as_str(), "true" | "false")
    {
        return Err(AppError::invalid_field(
            "INVALID_IS_SEND_MESSAGE",
            "isSendMessage is true or false",
            "isSendMessage",
        ));
    }
    let month = match req.body.billing_period.as_deref() {
        None => bulk::default_month(Utc::now()),
        Some(p) => bulk::parse_period(p).ok_or_else(|| {
            AppError::invalid_field(
                "INVALID_BILLING_PERIOD",
                "billingPeriod is one month: 01/MM/yyyy-<last day>/MM/yyyy",
                "billingPeriod",
            )
        })?,
    };
    let tenants = db::run(&state.pool, |c| Ok(water::tenants_with_flat_households(c)?)).await?;
    let st = state.clone();
    let list = tenants.clone();
    let summary = web::block(move || {
        bulk::run_many(
            &st.pool,
            Ctx::of(&st),
            &list,
            month,
            st.settings.scheduler.bulk_workers,
            &|_, _| {},
        )
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("bulk demand run: {e}")))?;
    if !summary.failed.is_empty() {
        tracing::warn!(failures = %summary.failed.join("; "), "job scheduler: some GPs refused");
    }
    Ok(
        HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "billingPeriod": month.format("%Y-%m").to_string(), "tenants": tenants.len(),
        "billedTenants": summary.billed_gps, "demands": summary.demands,
        "nothingToDo": summary.nothing_to_do, "failed": summary.failed})),
    )
}
