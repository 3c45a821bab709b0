//! `ws-services/wc/_billReport`, `_collectionReport`, `_inactiveConsumerReport`, `month-report`
//! and `ledger-report` as the app reads them (`BillReportData[]`, `CollectionReportData[]`,
//! `InactiveConsumerReport[]`, `monthReport[]`, `ledgerReport[]`; the ResponseInfo under
//! `responseInfo`). Besides the app's fields each answer carries `totalCount` (rows of the whole
//! report) and `totals` (its money columns summed over every row, not just the page).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::check;
use super::rows::{self, Who};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, RequestInfo, params};
use crate::municipal::echallan::reports_api::report_day;
use crate::municipal::water::service::Ctx;
use crate::state::AppState;
use crate::time::IST;

pub fn routes(r: &mut Routes<'_>) {
    r.post("/ws-services/wc/_billReport", Access::Protected, bill)
        .post(
            "/ws-services/wc/_collectionReport",
            Access::Protected,
            collection,
        )
        .post(
            "/ws-services/wc/_inactiveConsumerReport",
            Access::Protected,
            inactive,
        )
        .post("/ws-services/wc/month-report", Access::Protected, month)
        .post("/ws-services/wc/ledger-report", Access::Protected, ledger);
}

/// A money figure as a JSON number (`double`: the app reads some as `double`, which an integer
/// would break).
pub fn num(d: Decimal) -> Value {
    json!(d.to_f64().unwrap_or(0.0))
}

fn ms(t: DateTime<Utc>) -> Value {
    json!(t.timestamp_millis())
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&IST).date_naive()
}

/// The ResponseInfo with every text present (the monthly report's model requires them).
fn response_info(ri: &RequestInfo) -> Value {
    json!({
        "apiId": ri.api_id.clone().unwrap_or_default(),
        "ver": ri.ver.clone().unwrap_or_default(),
        "ts": ri.ts.as_deref().and_then(|t| t.parse::<i64>().ok()).unwrap_or(0),
        "resMsgId": "uief87324",
        "msgId": ri.msg_id.clone().unwrap_or_default(),
        "status": "successful",
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportQuery {
    tenant_id: Option<String>,
    demand_start_date: Option<String>,
    demand_end_date: Option<String>,
    payment_start_date: Option<String>,
    payment_end_date: Option<String>,
    month_start_date: Option<String>,
    month_end_date: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
    sort_order: Option<String>,
    sort_by: Option<String>,
    consumercode: Option<String>,
    year: Option<String>,
}

/// The checked tenant, period (from the two named fields), page and sort.
struct Asked {
    tenant: String,
    from: NaiveDate,
    to: NaiveDate,
    offset: usize,
    limit: Option<usize>,
    by: check::SortBy,
    desc: bool,
}

fn asked(
    q: &ReportQuery,
    (from, to): (&Option<String>, &Option<String>),
    (from_f, to_f): (&str, &str),
) -> AppResult<Asked> {
    let tenant = params::tenant(&q.tenant_id)?;
    let from = report_day(from, from_f)?;
    let to = report_day(to, to_f)?;
    check::period(from, to, today(), to_f)?;
    let (offset, limit) = check::paging(q.offset, q.limit)?;
    let (by, desc) = check::sort(q.sort_order.as_deref(), q.sort_by.as_deref())?;
    Ok(Asked {
        tenant,
        from,
        to,
        offset,
        limit,
        by,
        desc,
    })
}

fn sum<T>(rows: &[T], f: impl Fn(&T) -> Decimal) -> Value {
    num(rows.iter().map(f).sum())
}

fn answer(
    key: &str,
    list: Vec<Value>,
    total: usize,
    totals: Value,
    ri: &RequestInfo,
) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        key: list,
        "totalCount": total,
        "totals": totals,
        "responseInfo": response_info(ri),
    }))
}

fn who_json(w: &Who, tenant: &str) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("tenantName".into(), json!(tenant));
    m.insert("consumerName".into(), json!(w.name));
    m.insert("connectionNo".into(), json!(w.connection_no));
    m.insert("oldConnectionNo".into(), json!(w.old_connection_no));
    m.insert("userId".into(), json!(w.user_id));
    m
}

/// `_billReport?demandStartDate&demandEndDate&tenantId&offset&limit&sortOrder`: each active
/// household's demands for periods within the days: penalty, advance, and the rest.
async fn bill(
    state: web::Data<AppState>,
    q: web::Query<ReportQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let a = asked(
        &q,
        (&q.demand_start_date, &q.demand_end_date),
        ("demandStartDate", "demandEndDate"),
    )?;
    let (st, t) = (state.clone(), a.tenant.clone());
    let mut all = db::run(&state.pool, move |c| {
        rows::bill_rows(c, Ctx::of(&st), &t, a.from, a.to)
    })
    .await?;
    check::sort_rows(&mut all, a.by, a.desc, |r| &r.who);
    let totals = json!({
        "penalty": sum(&all, |r| r.penalty),
        "advance": sum(&all, |r| r.advance),
        "demandAmount": sum(&all, |r| r.demand),
    });
    let total = all.len();
    let list = check::page(all, a.offset, a.limit)?
        .iter()
        .map(|r| {
            let mut m = who_json(&r.who, &a.tenant);
            m.insert(
                "consumerCreatedOnDate".into(),
                json!(r.who.created_at.timestamp_millis().to_string()),
            );
            m.insert("penalty".into(), num(r.penalty));
            m.insert("advance".into(), num(r.advance));
            m.insert("demandAmount".into(), num(r.demand));
            Value::Object(m)
        })
        .collect();
    Ok(answer("BillReportData", list, total, totals, &req.info))
}

/// `_collectionReport?paymentStartDate&paymentEndDate&…`: what each household paid in the days,
/// per payment mode (cancelled receipts left out).
async fn collection(
    state: web::Data<AppState>,
    q: web::Query<ReportQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let a = asked(
        &q,
        (&q.payment_start_date, &q.payment_end_date),
        ("paymentStartDate", "paymentEndDate"),
    )?;
    let (st, t) = (state.clone(), a.tenant.clone());
    let mut all = db::run(&state.pool, move |c| {
        rows::collection_rows(c, Ctx::of(&st), &t, a.from, a.to)
    })
    .await?;
    check::sort_rows(&mut all, a.by, a.desc, |r| &r.who);
    let totals = json!({"paymentAmount": sum(&all, |r| r.amount)});
    let total = all.len();
    let list = check::page(all, a.offset, a.limit)?
        .iter()
        .map(|r| {
            let mut m = who_json(&r.who, &a.tenant);
            m.insert("paymentMode".into(), json!(r.mode));
            m.insert("paymentAmount".into(), num(r.amount));
            Value::Object(m)
        })
        .collect();
    Ok(answer(
        "CollectionReportData",
        list,
        total,
        totals,
        &req.info,
    ))
}

/// `_inactiveConsumerReport?monthStartDate&monthEndDate&…`: the connections marked inactive
/// (or active again) in the days, each change with who made it, newest first per connection.
async fn inactive(
    state: web::Data<AppState>,
    q: web::Query<ReportQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let a = asked(
        &q,
        (&q.month_start_date, &q.month_end_date),
        ("monthStartDate", "monthEndDate"),
    )?;
    if a.by != check::SortBy::ConnectionNo {
        return Err(AppError::invalid_field(
            codes::REPORT_INVALID_SORT,
            "this report sorts by connectionNo only",
            "sortBy",
        ));
    }
    let (st, t) = (state.clone(), a.tenant.clone());
    let mut all = db::run(&state.pool, move |c| {
        rows::inactive_rows(c, Ctx::of(&st), &t, a.from, a.to)
    })
    .await?;
    if a.desc {
        all.sort_by(|x, y| y.connection_no.cmp(&x.connection_no).then(y.at.cmp(&x.at)));
    }
    let total = all.len();
    let list = check::page(all, a.offset, a.limit)?
        .iter()
        .map(|r| {
            json!({
                "tenantName": a.tenant,
                "connectionno": r.connection_no,
                "status": r.status,
                "inactiveDate": r.at.timestamp_millis(),
                "inactivatedByUuid": r.by_uuid.map(|u| u.to_string()),
                "inactivatedByName": r.by_name,
            })
        })
        .collect();
    Ok(answer(
        "InactiveConsumerReport",
        list,
        total,
        json!({}),
        &req.info,
    ))
}

/// `month-report?startDate&endDate&tenantId&offset&limit&sortOrder`: the monthly ledger, one
/// row per active household that joined by the end of the period.
async fn month(
    state: web::Data<AppState>,
    q: web::Query<ReportQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let a = asked(&q, (&q.start_date, &q.end_date), ("startDate", "endDate"))?;
    let (st, t) = (state.clone(), a.tenant.clone());
    let mut all = db::run(&state.pool, move |c| {
        rows::month_rows(c, Ctx::of(&st), &t, a.from, a.to)
    })
    .await?;
    check::sort_rows(&mut all, a.by, a.desc, |r| &r.who);
    let totals = json!({
        "arrears": sum(&all, |r| r.arrears),
        "advance": sum(&all, |r| r.advance),
        "penalty": sum(&all, |r| r.penalty),
        "demandAmount": sum(&all, |r| r.demand),
        "totalAmount": sum(&all, |r| r.total),
        "amountPaid": sum(&all, |r| r.paid),
        "remainingAmount": sum(&all, |r| r.remaining),
    });
    let total = all.len();
    let list: Vec<Value> = check::page(all, a.offset, a.limit)?
        .iter()
        .map(|r| {
            let mut m = who_json(&r.who, &a.tenant);
            m.insert("consumerCreatedOnDate".into(), ms(r.who.created_at));
            m.insert(
                "demandGenerationDate".into(),
                json!(r.demand_at.map(|t| t.timestamp_millis())),
            );
            m.insert("penalty".into(), num(r.penalty));
            m.insert("demandAmount".into(), num(r.demand));
            m.insert("advance".into(), num(r.advance));
            m.insert("arrears".into(), num(r.arrears));
            m.insert("totalAmount".into(), num(r.total));
            m.insert("amountPaid".into(), num(r.paid));
            m.insert(
                "paidDate".into(),
                json!(r.paid_at.map(|t| t.timestamp_millis())),
            );
            m.insert("remainingAmount".into(), num(r.remaining));
            Value::Object(m)
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "monthReport": list,
        "tenantName": a.tenant,
        "monthPeriod": format!("{} - {}", a.from.format("%d/%m/%Y"), a.to.format("%d/%m/%Y")),
        "totalCount": total,
        "totals": totals,
        "responseInfo": response_info(&req.info),
    })))
}

/// The household `code` of the GP with its ledger months of `fy` (from the month it joined, up
/// to this month).
pub fn ledger_of(
    c: &mut diesel::PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    code: &str,
    fy: crate::time::Fy,
) -> AppResult<(Who, Vec<rows::LedgerMonth>)> {
    let w = rows::households(c, ctx, tenant, false, None, vec![code.to_owned()])?
        .into_iter()
        .find(|w| w.connection_no == code)
        .ok_or_else(|| {
            AppError::not_found(
                codes::CONNECTION_NOT_FOUND,
                format!("no connection {code} on {tenant}"),
            )
        })?;
    let joined = crate::time::month_start(w.created_at.with_timezone(&IST).date_naive());
    let first = fy.first_day().max(joined);
    let last = crate::time::month_start(today()).min(crate::time::month_start(fy.last_day()));
    let months = if first > last {
        Vec::new()
    } else {
        rows::ledger(c, tenant, &w, first, last)?
    };
    Ok((w, months))
}

/// `ledger-report?consumercode&tenantId&offset&limit&year`: one household's months of the
/// financial year, each `{"<Month><yyyy>": {demand, payment[], totalPaymentInMonth,
/// totalBalanceLeftInMonth}}`; a month without a receipt shows one "N/A" line (the app reads
/// the first receipt of every month).
async fn ledger(
    state: web::Data<AppState>,
    q: web::Query<ReportQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let code = q
        .consumercode
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AppError::invalid_field(
                codes::MISSING_FIELD,
                "consumercode is required",
                "consumercode",
            )
        })?
        .to_owned();
    let fy = check::financial_year(q.year.as_deref(), today())?;
    let (offset, limit) = check::paging(q.offset, q.limit)?;
    let (st, t) = (state.clone(), tenant.clone());
    let (w, months) = db::run(&state.pool, move |c| {
        ledger_of(c, Ctx::of(&st), &t, &code, fy)
    })
    .await?;
    let totals = json!({
        "monthlyCharges": sum(&months, |m| m.charges),
        "penalty": sum(&months, |m| m.penalty),
        "amountPaid": sum(&months, |m| m.paid),
    });
    let total = months.len();
    let list: Vec<Value> = check::page(months, offset, limit)?
        .iter()
        .map(|m| ledger_month_json(&w, m))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "ledgerReport": list,
        "tenantName": tenant,
        "financialYear": fy.label(),
        "totalCount": total,
        "totals": totals,
        "responseInfo": response_info(&req.info),
    })))
}

fn ledger_month_json(w: &Who, m: &rows::LedgerMonth) -> Value {
    let key = m.month.format("%B%Y").to_string();
    let mut payment: Vec<Value> = m
        .payments
        .iter()
        .map(|p| {
            json!({
                "paymentCollectionDate": p.at.timestamp_millis(),
                "receiptNo": p.receipt_no,
                "amountPaid": num(p.amount),
                "balanceLeft": num(p.balance_left),
            })
        })
        .collect();
    if payment.is_empty() {
        payment.push(json!({
            "paymentCollectionDate": null,
            "receiptNo": "N/A",
            "amountPaid": 0,
            "balanceLeft": num(m.total_due),
        }));
    }
    json!({ key.clone(): {
        "demand": {
            "consumerName": w.name,
            "connectionNo": w.connection_no,
            "oldConnectionNo": w.old_connection_no,
            "userId": w.user_id,
            "month": key,
            "demandGenerationDate": m.demand_at.map(|t| t.timestamp_millis()),
            "code": "10101",
            "monthlyCharges": num(m.charges),
            "penalty": num(m.penalty),
            "totalForCurrentMonth": num(m.charges + m.penalty),
            "previousMonthBalance": num(m.previous_balance),
            "totalDues": num(m.total_due),
            "dueDateOfPayment": m.due_at.map(|t| t.timestamp_millis()),
            "penaltyAppliedOnDate": m.penalty_at.map(|t| t.timestamp_millis()),
        },
        "payment": payment,
        "totalPaymentInMonth": num(m.paid),
        "totalBalanceLeftInMonth": num(m.balance),
    }})
}
