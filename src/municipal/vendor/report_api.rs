//! `vendor/v1/_vendorReport?monthStartDate&tenantId&offset&limit`: `VendorReportData` with the
//! original's snake_case keys, and the ResponseInfo under `requestInfo` (sic), as the wire has
//! them. `monthEndDate` (which the app sends and the original ignores) bounds the bills when
//! given.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::municipal::echallan::reports_api::{report_day, report_paging};
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post("/vendor/v1/_vendorReport", Access::Protected, vendor_report);
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportQuery {
    tenant_id: Option<String>,
    month_start_date: Option<String>,
    month_end_date: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

async fn vendor_report(
    state: web::Data<AppState>,
    q: web::Query<ReportQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let start = report_day(&q.month_start_date, "monthStartDate")?;
    let end = match q.month_end_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(_) => Some(report_day(&q.month_end_date, "monthEndDate")?),
    };
    if end.is_some_and(|e| e < start) {
        return Err(AppError::invalid_field(
            codes::INVALID_DATE_RANGE,
            "monthEndDate is before monthStartDate",
            "monthEndDate",
        ));
    }
    let (offset, limit) = report_paging(q.offset, q.limit)?;
    let st = state.clone();
    let rows = db::run(&state.pool, move |c| {
        super::report::rows(c, &st.crypto, &tenant, start, end, offset, limit)
    })
    .await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "tenantId": r.tenant_id,
                "vendor_name": r.vendor_name,
                "mobile_no": r.mobile,
                "type_of_expense": r.type_of_expense,
                "bill_id": r.bill_id,
                "owner_uuid": r.owner_uuid,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "requestInfo": ResponseInfo::success(&req.info),
        "VendorReportData": list,
    })))
}
