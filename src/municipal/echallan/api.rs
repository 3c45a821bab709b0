//! `/echallan-services/eChallan/v1/{_create,_update,_updateCreateNoPayment,_search}`
//! (digit-contracts.md §2.10, with the mGramSeva fields). The app reads `amount[].amount` as a
//! string and the `billData` counts as strings.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, Challan, ChallanInput, Ctx, Filter, Key, SortBy, Who, code};
use crate::db;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::platform::access::identity::Caller;
use crate::platform::mdms::service::decimal_json;
use crate::platform::user::service as user;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/echallan-services/eChallan/v1/_create",
        Access::Protected,
        create,
    )
    .post(
        "/echallan-services/eChallan/v1/_update",
        Access::Protected,
        update,
    )
    .post(
        "/echallan-services/eChallan/v1/_updateCreateNoPayment",
        Access::Protected,
        update_no_payment,
    )
    .post(
        "/echallan-services/eChallan/v1/_search",
        Access::Protected,
        search,
    );
}

/// Epoch millis of a day's midnight in Asia/Kolkata.
fn day_ms(d: NaiveDate) -> i64 {
    crate::time::ist_day_start_millis(d)
}

/// A bill as the wire has it; `citizen` is the vendor's owner (name, mobile number).
pub fn challan_json(c: &Challan, citizen: Option<&(uuid::Uuid, String, Option<String>)>) -> Value {
    let amount = c.amount.normalize().to_string();
    json!({
        "citizen": citizen.map(|(uuid, name, mobile)| json!({
            "uuid": uuid, "name": name, "userName": mobile, "mobileNumber": mobile,
        })),
        "id": c.id,
        "tenantId": c.tenant_id,
        "businessService": c.business_service,
        "consumerType": "EXPENSE",
        "challanNo": c.challan_no,
        "referenceId": null,
        "description": c.description,
        "accountId": citizen.map(|x| x.0),
        "additionalDetail": c.additional_details,
        "source": c.source,
        "taxPeriodFrom": day_ms(c.tax_period_from),
        "taxPeriodTo": day_ms(c.tax_period_to),
        "calculation": {
            "challanNo": c.challan_no,
            "tenantId": c.tenant_id,
            "totalAmount": decimal_json(c.amount),
            "taxHeadEstimates": [{
                "taxHeadCode": c.tax_head_code,
                "estimateAmount": decimal_json(c.amount),
                "category": "CHARGES",
            }],
        },
        "amount": [{"taxHeadCode": c.tax_head_code, "amount": amount}],
        "address": null,
        "filestoreid": c.filestore_id,
        "auditDetails": {
            "createdBy": c.created_by.map(|u| u.to_string()),
            "lastModifiedBy": c.last_modified_by.map(|u| u.to_string()),
            "createdTime": c.created_at.timestamp_millis(),
            "lastModifiedTime": c.last_modified_at.timestamp_millis(),
        },
        "applicationStatus": c.status,
        "vendor": c.vendor_id,
        "typeOfExpense": c.type_of_expense,
        "billDate": day_ms(c.bill_date),
        "billIssuedDate": c.bill_issued_date.map(day_ms),
        "paidDate": c.paid_date.map(day_ms),
        "isBillPaid": c.paid_date.is_some(),
        "vendorName": c.vendor_name,
        "totalAmount": decimal_json(c.amount),
        "receiptNumber": c.receipt_number,
        "paymentId": c.payment_id,
    })
}

/// The bills as the wire has them, each with its vendor's owner.
fn challans_json(
    conn: &mut diesel::PgConnection,
    st: &AppState,
    challans: &[Challan],
) -> AppResult<Vec<Value>> {
    let ctx = Ctx::of(st);
    let mut owners = Vec::new();
    for c in challans {
        if !owners.iter().any(|(id, _)| *id == c.vendor_id) {
            let v = crate::municipal::vendor::service::get(conn, ctx, &c.tenant_id, c.vendor_id)?;
            owners.push((c.vendor_id, v.map(|v| v.owner_uuid)));
        }
    }
    let uuids: Vec<uuid::Uuid> = owners.iter().filter_map(|o| o.1).collect();
    let contacts = user::contacts(conn, &st.crypto, &uuids)?;
    Ok(challans
        .iter()
        .map(|c| {
            let owner = owners.iter().find(|o| o.0 == c.vendor_id).and_then(|o| o.1);
            let citizen = owner.and_then(|u| contacts.iter().find(|x| x.0 == u));
            challan_json(c, citizen)
        })
        .collect())
}

#[derive(Debug, Deserialize)]
struct Body {
    #[serde(rename = "Challan")]
    challan: ChallanIn,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AmountIn {
    #[serde(deserialize_with = "crate::money::amount")]
    amount: Decimal,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChallanIn {
    id: Option<String>,
    challan_no: Option<String>,
    tenant_id: String,
    business_service: Option<String>,
    type_of_expense: Option<String>,
    vendor: Option<String>,
    #[serde(default)]
    amount: Vec<AmountIn>,
    bill_date: Option<i64>,
    bill_issued_date: Option<i64>,
    tax_period_from: Option<i64>,
    tax_period_to: Option<i64>,
    is_bill_paid: Option<bool>,
    paid_date: Option<i64>,
    filestoreid: Option<String>,
    description: Option<String>,
    application_status: Option<String>,
}

/// A day of Asia/Kolkata from epoch millis.
fn day(ms: i64, field: &str) -> Result<NaiveDate, ErrorDetail> {
    params::instant(ms, field)
        .map(|at| at.with_timezone(&crate::time::IST).date_naive())
        .map_err(|e| e.details().remove(0))
}

/// The request's bill as the service takes it; every missing or malformed field at once.
fn input(c: &ChallanIn) -> AppResult<ChallanInput> {
    let mut e: Vec<ErrorDetail> = Vec::new();
    let mut need = |v: Option<i64>, name: &str| -> Option<NaiveDate> {
        let f = format!("Challan.{name}");
        match v {
            None => {
                e.push(ErrorDetail::field(
                    codes::MISSING_FIELD,
                    format!("{name} is required"),
                    &f,
                ));
                None
            }
            Some(ms) => day(ms, &f).map_err(|x| e.push(x)).ok(),
        }
    };
    let bill_date = need(c.bill_date, "billDate");
    let from = need(c.tax_period_from, "taxPeriodFrom");
    let to = need(c.tax_period_to, "taxPeriodTo");
    let issued = c.bill_issued_date.and_then(|ms| {
        day(ms, "Challan.billIssuedDate")
            .map_err(|x| e.push(x))
            .ok()
    });
    let paid = c
        .paid_date
        .and_then(|ms| day(ms, "Challan.paidDate").map_err(|x| e.push(x)).ok());
    let kind = c
        .type_of_expense
        .clone()
        .or_else(|| c.business_service.clone())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if kind.is_none() {
        e.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "typeOfExpense is required",
            "Challan.typeOfExpense",
        ));
    }
    let vendor = match c.vendor.as_deref().map(str::trim) {
        None | Some("") => {
            e.push(ErrorDetail::field(
                codes::MISSING_FIELD,
                "vendor is required",
                "Challan.vendor",
            ));
            None
        }
        Some(v) => match uuid::Uuid::parse_str(v) {
            Ok(id) => Some(id),
            Err(_) => {
                e.push(ErrorDetail::field(
                    code::INVALID_VENDOR,
                    "No such vendor on this GP",
                    "Challan.vendor",
                ));
                None
            }
        },
    };
    let amount = match c.amount.as_slice() {
        [one] => Some(one.amount),
        _ => {
            e.push(ErrorDetail::field(
                code::INVALID_AMOUNT,
                "An expense bill has one amount",
                "Challan.amount",
            ));
            None
        }
    };
    match (kind, vendor, amount, bill_date, from, to) {
        (Some(kind), Some(vendor), Some(amount), Some(bill_date), Some(from), Some(to))
            if e.is_empty() =>
        {
            Ok(ChallanInput {
                tenant_id: c.tenant_id.trim().to_owned(),
                type_of_expense: kind,
                vendor_id: vendor,
                amount,
                bill_date,
                bill_issued_date: issued,
                tax_period_from: from,
                tax_period_to: to,
                is_bill_paid: c.is_bill_paid.unwrap_or(false),
                paid_date: paid,
                filestore_id: c.filestoreid.clone(),
                description: c.description.clone(),
            })
        }
        _ => Err(AppError::many(e)),
    }
}

fn who(caller: &Caller, tenant: &str) -> Who {
    let u = caller.user();
    Who {
        actor: u.map(|u| u.uuid),
        pspcl_admin: u.is_some_and(|u| u.has_role_on("PSPCL_ADMIN", tenant)),
    }
}

fn answer(
    req_info: &crate::http::RequestInfo,
    challans: Vec<Value>,
    counts: Option<(i64, i64, i64)>,
) -> HttpResponse {
    let mut out = json!({
        "responseInfo": ResponseInfo::success(req_info),
        "challans": challans,
    });
    if let Some((total, paid, not_paid)) = counts {
        out["totalCount"] = json!(total);
        out["billData"] =
            json!({"paidcount": paid.to_string(), "notPaidcount": not_paid.to_string()});
    }
    HttpResponse::Ok().json(out)
}

async fn create(state: web::Data<AppState>, req: Digit<Body>) -> AppResult<HttpResponse> {
    let i = input(&req.body.challan)?;
    let who = who(&req.caller, &i.tenant_id);
    let st = state.clone();
    let out = db::transaction(&state.pool, move |c| {
        let made = service::create(c, Ctx::of(&st), &i, "Challan", who, Utc::now())?;
        challans_json(c, &st, &[made])
    })
    .await?;
    Ok(answer(&req.info, out, None))
}

async fn update(state: web::Data<AppState>, req: Digit<Body>) -> AppResult<HttpResponse> {
    update_with(state, req, true).await
}

async fn update_no_payment(
    state: web::Data<AppState>,
    req: Digit<Body>,
) -> AppResult<HttpResponse> {
    update_with(state, req, false).await
}

/// `_update`, and `_updateCreateNoPayment` (the original's update that takes no payment: here a
/// move to PAID through it is refused, since a paid bill always has its receipt).
async fn update_with(
    state: web::Data<AppState>,
    req: Digit<Body>,
    payment: bool,
) -> AppResult<HttpResponse> {
    let b = &req.body.challan;
    let key = match (
        b.id.as_deref().map(str::trim),
        b.challan_no.as_deref().map(str::trim),
    ) {
        (Some(id), _) if !id.is_empty() => Key::Id(uuid::Uuid::parse_str(id).map_err(|_| {
            AppError::invalid_field(
                code::CHALLAN_NOT_FOUND,
                "No such expense bill",
                "Challan.id",
            )
        })?),
        (_, Some(no)) if !no.is_empty() => Key::No(no.to_owned()),
        _ => {
            return Err(AppError::invalid_field(
                codes::MISSING_FIELD,
                "id or challanNo is required",
                "Challan.challanNo",
            ));
        }
    };
    let status = b.application_status.clone();
    let i = input(b)?;
    if !payment
        && (status
            .as_deref()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("PAID"))
            || i.is_bill_paid)
    {
        return Err(AppError::invalid_field(
            code::INVALID_STATUS,
            "This call takes no payment: mark the bill paid with _update",
            "Challan.applicationStatus",
        ));
    }
    let who = who(&req.caller, &i.tenant_id);
    let st = state.clone();
    let out = db::transaction(&state.pool, move |c| {
        let done = service::update(
            c,
            Ctx::of(&st),
            &key,
            &i,
            status.as_deref(),
            "Challan",
            who,
            Utc::now(),
        )?;
        challans_json(c, &st, &[done])
    })
    .await?;
    Ok(answer(&req.info, out, None))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    tenant_id: Option<String>,
    ids: Option<String>,
    challan_no: Option<String>,
    account_id: Option<String>,
    reference_id: Option<String>,
    mobile_number: Option<String>,
    business_service: Option<String>,
    user_ids: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
    status: Option<String>,
    vendor_ids: Option<String>,
    expense_type: Option<String>,
    vendor_name: Option<String>,
    is_bill_paid: Option<String>,
    from_date: Option<i64>,
    to_date: Option<i64>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    free_search: Option<String>,
}

fn bad(code: &str, message: &str, field: &str) -> AppError {
    AppError::invalid_field(code, message, field)
}

async fn search(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let limit = match q.limit {
        None => Some(100),
        Some(l) if l < 0 => None,
        Some(l) if l <= 1000 => Some(l),
        Some(_) => {
            return Err(bad(
                "INVALID_LIMIT",
                "limit must be at most 1000 (or -1 for all)",
                "limit",
            ));
        }
    };
    let sort_by = match q.sort_by.as_deref().map(str::trim) {
        None | Some("") | Some("billDate") => SortBy::BillDate,
        Some("totalAmount") => SortBy::TotalAmount,
        Some("paidDate") => SortBy::PaidDate,
        Some("typeOfExpense") => SortBy::TypeOfExpense,
        Some("challanno" | "challanNo") => SortBy::ChallanNo,
        Some(_) => {
            return Err(bad(
                codes::INVALID_VALUE,
                "sortBy is totalAmount, billDate, paidDate, typeOfExpense or challanno",
                "sortBy",
            ));
        }
    };
    let ascending = match q.sort_order.as_deref().map(str::trim) {
        None | Some("") => false,
        Some(s) if s.eq_ignore_ascii_case("ASC") => true,
        Some(s) if s.eq_ignore_ascii_case("DESC") => false,
        Some(_) => {
            return Err(bad(
                codes::INVALID_VALUE,
                "sortOrder is ASC or DESC",
                "sortOrder",
            ));
        }
    };
    let is_bill_paid = match q.is_bill_paid.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => {
            return Err(bad(
                codes::INVALID_VALUE,
                "isBillPaid is true or false",
                "isBillPaid",
            ));
        }
    };
    let from_date = q
        .from_date
        .map(|ms| day(ms, "fromDate"))
        .transpose()
        .map_err(|e| AppError::many(vec![e]))?;
    let to_date = q
        .to_date
        .map(|ms| day(ms, "toDate"))
        .transpose()
        .map_err(|e| AppError::many(vec![e]))?;
    // Filters of the original that no expense bill here can match (accounts, references and
    // user ids belong to citizens' challans): asked, they match nothing.
    let nothing = [
        &q.account_id,
        &q.reference_id,
        &q.mobile_number,
        &q.user_ids,
    ]
    .iter()
    .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
    let mut business_services = params::csv(&q.business_service);
    business_services.retain(|s| s != "EXPENSE");
    let f = Filter {
        tenant_id: tenant,
        ids: params::uuids(&q.ids, "ids")?,
        challan_no: q.challan_no.clone(),
        business_services,
        expense_types: params::csv(&q.expense_type),
        vendor_ids: params::uuids(&q.vendor_ids, "vendorIds")?,
        vendor_name: q.vendor_name.clone(),
        status: params::csv(&q.status)
            .into_iter()
            .map(|s| s.to_uppercase())
            .collect(),
        is_bill_paid,
        from_date,
        to_date,
        free_search: q.free_search.clone(),
        sort_by,
        ascending,
        offset: q.offset.unwrap_or(0).max(0),
        limit,
    };
    if nothing {
        return Ok(answer(&req.info, Vec::new(), Some((0, 0, 0))));
    }
    let st = state.clone();
    let (out, counts) = db::run(&state.pool, move |c| {
        let found = service::search(c, &f)?;
        let json = challans_json(c, &st, &found.challans)?;
        Ok((
            json,
            (found.total_count, found.paid_count, found.not_paid_count),
        ))
    })
    .await?;
    Ok(answer(&req.info, out, Some(counts)))
}
