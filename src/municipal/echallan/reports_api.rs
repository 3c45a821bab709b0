//! `echallan-services/eChallan/v1/_expenseDashboard`, `_chalanCollectionData` and
//! `_expenseBillReport`: the expense figures and the bill report as the app reads them (amounts
//! as strings on the dashboards, numbers on the report; times in epoch milliseconds; the
//! ResponseInfo under `responseInfo`); `_lastMonthSummary`, the month before's figures
//! (`reports::last_month`, as on the bill PDF's expenditure rows and the monthly reminder; the
//! source has no action for it: see data/mdms/ORIGIN.md, id 3041).

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::reports::{self, Figures, wire_amount};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::state::AppState;
use crate::time::{IST, ist_day_start_millis};

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/echallan-services/eChallan/v1/_expenseDashboard",
        Access::Protected,
        dashboard,
    )
    .post(
        "/echallan-services/eChallan/v1/_chalanCollectionData",
        Access::Protected,
        collection_data,
    )
    .post(
        "/echallan-services/eChallan/v1/_expenseBillReport",
        Access::Protected,
        bill_report,
    )
    .post(
        "/echallan-services/eChallan/v1/_lastMonthSummary",
        Access::Protected,
        last_month_summary,
    );
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SummaryQuery {
    tenant_id: Option<String>,
    /// Epoch milliseconds of a day of the month after the one summed (default: now).
    current_date: Option<i64>,
}

/// `_lastMonthSummary?tenantId&currentDate`: the month before `currentDate`'s: payments made
/// (`previousMonthCollection`), bills dated in it (`previousMonthNewExpense`), the financial
/// year's bills still unpaid at its end (`cumulativePendingExpense`), all strings of whole
/// rupees, and `previousMonthYear` = the month and its own financial year ("NOVEMBER 2026-27";
/// the original printed the financial year of today, wrong for March in April).
async fn last_month_summary(
    state: web::Data<AppState>,
    q: web::Query<SummaryQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let at = match q.current_date {
        Some(ms) => params::instant(ms, "currentDate")?,
        None => Utc::now(),
    };
    let m = db::run(&state.pool, move |c| {
        Ok(reports::last_month(c, &tenant, at)?)
    })
    .await?;
    let month = m.month.format("%B").to_string().to_uppercase();
    let fy = crate::time::Fy::of_date(m.month).label();
    Ok(HttpResponse::Ok().json(json!({
        "LastMonthSummary": {
            "previousMonthCollection": wire_amount(m.paid),
            "previousMonthNewExpense": wire_amount(m.new_expense),
            "cumulativePendingExpense": wire_amount(m.pending),
            "previousMonthYear": format!("{month} {fy}"),
        },
        "responseInfo": ResponseInfo::success(&req.info),
    })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeriodQuery {
    tenant_id: Option<String>,
    from_date: Option<i64>,
    to_date: Option<i64>,
}

/// A required epoch-millisecond time as its day in IST.
fn day(ms: Option<i64>, field: &str) -> AppResult<NaiveDate> {
    let ms = ms.ok_or_else(|| {
        AppError::invalid_field(codes::MISSING_FIELD, format!("{field} is required"), field)
    })?;
    Ok(params::instant(ms, field)?.with_timezone(&IST).date_naive())
}

fn period(q: &PeriodQuery) -> AppResult<(String, NaiveDate, NaiveDate)> {
    let tenant = params::tenant(&q.tenant_id)?;
    let (from, to) = (day(q.from_date, "fromDate")?, day(q.to_date, "toDate")?);
    if to < from {
        return Err(AppError::invalid_field(
            codes::INVALID_DATE_RANGE,
            "toDate is before fromDate",
            "toDate",
        ));
    }
    Ok((tenant, from, to))
}

fn figures_json(f: &Figures) -> Value {
    json!({
        "totalExpenditure": wire_amount(f.total),
        "amountUnpaid": wire_amount(f.unpaid),
        "amountPaid": wire_amount(f.paid),
        "totalBills": f.bills.to_string(),
        "billsPaid": f.bills_paid.to_string(),
        "pendingBills": f.pending_bills.to_string(),
        "electricityBill": wire_amount(f.electricity),
        "OMMisc": wire_amount(f.om_misc),
        "salary": wire_amount(f.salary),
    })
}

/// `_expenseDashboard?tenantId&fromDate&toDate`: the period's expense figures.
async fn dashboard(
    state: web::Data<AppState>,
    q: web::Query<PeriodQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let (tenant, from, to) = period(&q)?;
    let f = db::run(&state.pool, move |c| {
        Ok(reports::figures(c, &tenant, from, to)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "ExpenseDashboard": figures_json(&f),
        "responseInfo": ResponseInfo::success(&req.info),
    })))
}

/// `_chalanCollectionData?tenantId&fromDate&toDate`: each month of the period up to this one
/// (the financial year on the dashboard), with its expenditure, unpaid and paid amounts.
async fn collection_data(
    state: web::Data<AppState>,
    q: web::Query<PeriodQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let (tenant, from, to) = period(&q)?;
    let today = Utc::now().with_timezone(&IST).date_naive();
    let months = db::run(&state.pool, move |c| {
        Ok(reports::months(c, &tenant, from, to, today)?)
    })
    .await?;
    let list: Vec<Value> = months
        .iter()
        .map(|m| {
            json!({
                "month": ist_day_start_millis(m.month),
                "totalExpenditure": wire_amount(m.figures.total),
                "amountUnpaid": wire_amount(m.figures.unpaid),
                "amountPaid": wire_amount(m.figures.paid),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "ChallanCollectionData": list,
        "responseInfo": ResponseInfo::success(&req.info),
    })))
}

/// The most rows one page of a report holds (`limit` above it is lowered to it; `-1`, or 0,
/// asks for every row, as the app's Excel download does).
pub const REPORT_MAX_LIMIT: i64 = 1000;

/// `offset`/`limit` of a report: offset from 0; a limit of -1 (or 0) for every row.
pub fn report_paging(offset: Option<i64>, limit: Option<i64>) -> AppResult<(i64, Option<i64>)> {
    let offset = offset.unwrap_or(0);
    if offset < 0 {
        return Err(AppError::invalid_field(
            codes::INVALID_VALUE,
            "offset must be 0 or more",
            "offset",
        ));
    }
    let limit = match limit {
        None => Some(REPORT_MAX_LIMIT),
        Some(l) if l <= 0 => None,
        Some(l) => Some(l.min(REPORT_MAX_LIMIT)),
    };
    Ok((offset, limit))
}

/// A report's `dd/MM/yyyy` day.
pub fn report_day(s: &Option<String>, field: &str) -> AppResult<NaiveDate> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let s = s.ok_or_else(|| {
        AppError::invalid_field(codes::MISSING_FIELD, format!("{field} is required"), field)
    })?;
    NaiveDate::parse_from_str(s, "%d/%m/%Y").map_err(|_| {
        AppError::invalid_field(
            codes::INVALID_DATE,
            format!("{field} must be a day as dd/MM/yyyy"),
            field,
        )
    })
}

#[derive(Deserialize)]
struct BillReportQuery {
    #[serde(rename = "tenantId")]
    tenant_id: Option<String>,
    #[serde(rename = "monthstartDate")]
    start: Option<String>,
    #[serde(rename = "monthendDate")]
    end: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

/// `_expenseBillReport?monthstartDate&monthendDate&tenantId&offset&limit`: the bills written in
/// the period, newest first (`ExpenseBillReportData`).
async fn bill_report(
    state: web::Data<AppState>,
    q: web::Query<BillReportQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let start = report_day(&q.start, "monthstartDate")?;
    let end = report_day(&q.end, "monthendDate")?;
    if end < start {
        return Err(AppError::invalid_field(
            codes::INVALID_DATE_RANGE,
            "monthendDate is before monthstartDate",
            "monthendDate",
        ));
    }
    let (offset, limit) = report_paging(q.offset, q.limit)?;
    let st = state.clone();
    let rows = db::run(&state.pool, move |c| {
        super::report_rows::bill_report(c, &st.crypto, &tenant, start, end, offset, limit)
    })
    .await?;
    let list: Vec<Value> = rows.iter().map(bill_json).collect();
    Ok(HttpResponse::Ok().json(json!({
        "ExpenseBillReportData": list,
        "responseInfo": ResponseInfo::success(&req.info),
    })))
}

fn bill_json(r: &super::report_rows::BillReportRow) -> Value {
    let b = &r.bill;
    json!({
        "typeOfExpense": b.type_of_expense,
        "vendorName": b.vendor_name,
        "amount": b.amount.trunc().to_i64().unwrap_or(0),
        "billDate": ist_day_start_millis(b.bill_date),
        "taxPeriodFrom": ist_day_start_millis(b.tax_period_from),
        "taxPeriodTo": ist_day_start_millis(b.tax_period_to),
        "applicationStatus": b.status,
        "paidDate": b.paid_date.map(ist_day_start_millis),
        "filestoreid": b.filestore_id,
        "lastModifiedTime": b.last_modified_at.timestamp_millis(),
        "lastModifiedByUuid": b.last_modified_by,
        "lastModifiedBy": r.modified_by_name,
        "tenantId": r.tenant_id,
    })
}
