//! `/property-services/property/_create|_update|_search` and
//! `/ws-services/wc/_create|_update|_search|fuzzy/_search`.

use actix_web::{HttpResponse, web};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::documents;
use super::input::{ConnectionBody, PropertyBody};
use super::json::*;
use super::model::Household;
use super::register;
use super::repo;
use super::service::{self, Criteria, Ctx};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::platform::localization::Locale;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/property-services/property/_create",
        Access::Protected,
        create_property,
    )
    .post(
        "/property-services/property/_update",
        Access::Protected,
        update_property,
    )
    .post(
        "/property-services/property/_search",
        Access::Protected,
        search_properties,
    )
    .post(
        "/ws-services/wc/_create",
        Access::Protected,
        create_connection,
    )
    .post(
        "/ws-services/wc/_update",
        Access::Protected,
        update_connection,
    )
    .post("/ws-services/wc/_search", Access::Protected, search)
    .post("/ws-services/wc/fuzzy/_search", Access::Protected, search)
    .post(
        "/ws-services/wc/_countWCbyDemandGenerationDate",
        Access::Protected,
        count_by_demand_date,
    )
    .post(
        "/ws-services/wc/consumers/demand-not-generated",
        Access::Protected,
        demand_not_generated,
    )
    .post(
        "/pdf-service/v1/_create",
        Access::ProtectedOrLink,
        pdf_create,
    );
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PdfQuery {
    key: Option<String>,
    tenant_id: Option<String>,
}

fn items<'a>(v: &'a Value, list: &str) -> impl Iterator<Item = &'a Value> {
    v.get(list).and_then(Value::as_array).into_iter().flatten()
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// What a `pdf-service/v1/_create` body asks to print: for bills, each posted bill's consumer
/// code and, when the bill carries them, its id and number (that bill is printed, paid or not;
/// otherwise the household's current one); for receipts, the receipt numbers. Only these are
/// read: the amounts and names printed are always this server's, never the posted ones.
fn to_print(is_bill: bool, body: &Value) -> AppResult<Vec<(String, documents::BillRef)>> {
    let mut out = Vec::new();
    if is_bill {
        let holder = body.get("BillAndDemand").unwrap_or(body);
        for (i, b) in items(holder, "Bill").enumerate() {
            let Some(code) = text(b, "consumerCode") else {
                continue;
            };
            let id = match text(b, "id") {
                Some(s) => Some(uuid::Uuid::parse_str(&s).map_err(|_| {
                    AppError::invalid_field("INVALID_ID", "not a bill id", &format!("Bill[{i}].id"))
                })?),
                None => None,
            };
            out.push((
                code,
                documents::BillRef {
                    id,
                    number: text(b, "billNumber"),
                },
            ));
        }
    } else {
        for p in items(body, "Payments") {
            for d in items(p, "paymentDetails") {
                if let Some(n) = text(d, "receiptNumber") {
                    out.push((n, documents::BillRef::default()));
                }
            }
        }
    }
    Ok(out)
}

/// `pdf-service/v1/_create`: bills (`ws-bill-v2`, `ws-bill-nm-v2`, `ws-bill`, `ws-bill-nm`;
/// body `BillAndDemand.Bill[]` or `Bill[]`: see [`to_print`]) and receipts (`ws-receipt`,
/// `ws-receipt-nm`, `consolidatedreceipt`; body `Payments[].paymentDetails[].receiptNumber`),
/// rendered in the request's locale, kept in the filestore; answers their ids as the original
/// does. Without a login (the app's bill and receipt links), one document of one GP.
async fn pdf_create(
    state: web::Data<AppState>,
    q: web::Query<PdfQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let key = q.key.clone().unwrap_or_default();
    let body = &req.body;
    let is_bill = match key.as_str() {
        "ws-bill-v2" | "ws-bill-nm-v2" | "ws-bill" | "ws-bill-nm" => true,
        "ws-receipt" | "ws-receipt-nm" | "consolidatedreceipt" => false,
        _ => {
            return Err(AppError::invalid_field(
                "INVALID_KEY",
                "key must be ws-bill-v2, ws-bill-nm-v2, ws-receipt or ws-receipt-nm",
                "key",
            ));
        }
    };
    let codes = to_print(is_bill, body)?;
    if req.caller.user().is_none() {
        crate::platform::access::link::gp(&tenant)?;
        let named: Vec<String> = codes.iter().map(|(c, _)| c.clone()).collect();
        crate::platform::access::link::one(
            &named,
            if is_bill {
                "Bill[].consumerCode"
            } else {
                "Payments[].paymentDetails[].receiptNumber"
            },
        )?;
    }
    if codes.is_empty() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            if is_bill {
                "Bill[].consumerCode is required"
            } else {
                "Payments[].paymentDetails[].receiptNumber is required"
            },
            if is_bill { "Bill" } else { "Payments" },
        ));
    }
    let locale = req
        .info
        .locale()
        .and_then(Locale::parse)
        .or_else(|| Locale::parse(&state.settings.app.default_locale))
        .unwrap_or(Locale::Pa);
    let actor = req.caller.user().map(|u| u.uuid);
    let (st, t, k) = (state.clone(), tenant.clone(), key.clone());
    let started = chrono::Utc::now();
    let ids = db::transaction(&state.pool, move |c| {
        let now = chrono::Utc::now();
        let mut ids = Vec::new();
        for (code, chosen) in &codes {
            let made = if is_bill {
                documents::bill_pdf(c, ctx(&st), &st.i18n, &t, code, Some(chosen), locale, now)?
                    .map(|(b, bytes)| (b.bill.bill_number, bytes))
            } else {
                documents::receipt_pdf(c, ctx(&st), &st.i18n, &t, code, locale, now)?
                    .map(|(p, bytes)| (p.receipt_number, bytes))
            };
            let Some((name, bytes)) = made else {
                return Err(AppError::invalid_field(
                    if is_bill {
                        "NO_BILL"
                    } else {
                        "RECEIPT_NOT_FOUND"
                    },
                    format!("nothing to print for {code}"),
                    if is_bill { "Bill" } else { "Payments" },
                ));
            };
            let file = format!("{}.pdf", name.replace('/', "-"));
            ids.push(crate::platform::filestore::store(
                c,
                &st.settings.filestore.dir,
                &t,
                "PDF",
                Some(&k),
                &file,
                "application/pdf",
                bytes,
                actor,
                now,
            )?);
        }
        Ok(ids)
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "message": "Success", "filestoreIds": ids, "jobid": uuid::Uuid::new_v4(),
        "createdtime": started.timestamp_millis(), "endtime": chrono::Utc::now().timestamp_millis(),
        "tenantid": tenant, "totalcount": ids.len(), "key": key, "documentType": null, "moduleName": null})))
}

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx::of(state)
}

async fn create_property(
    state: web::Data<AppState>,
    req: Digit<PropertyBody>,
) -> AppResult<HttpResponse> {
    let new = req.body.property.new_property()?;
    let actor = req.caller.user().map(|u| u.uuid);
    let st = state.clone();
    let h = db::transaction(&state.pool, move |c| {
        let now = chrono::Utc::now();
        let row = service::create_property(c, ctx(&st), &new, actor, now)?;
        property_view(c, ctx(&st), row)
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Properties": [property_json(&h)]})))
}

/// A property shown on its own: its first connection, if any, is not needed for the owner.
fn property_view(
    _c: &mut diesel::PgConnection,
    ctx: Ctx<'_>,
    p: super::model::Property,
) -> AppResult<Household> {
    let placeholder = super::model::Connection {
        id: uuid::Uuid::nil(),
        tenant_id: p.tenant_id.clone(),
        property_id: p.id,
        connection_no: String::new(),
        application_no: String::new(),
        old_connection_no: String::new(),
        status: String::new(),
        application_status: String::new(),
        connection_type: String::new(),
        connection_category: String::new(),
        meter_id: None,
        meter_installation_date: None,
        previous_reading_date: p.created_at,
        initial_meter_reading: None,
        arrears: Decimal::ZERO,
        penalty: Decimal::ZERO,
        advance: Decimal::ZERO,
        category: None,
        sub_category: None,
        aadhaar_enc: None,
        proposed_taps: 0,
        no_of_taps: 0,
        proposed_pipe_size: Decimal::ZERO,
        remarks: None,
        additional_details: json!({}),
        created_by: None,
        created_at: p.created_at,
        last_modified_by: None,
        last_modified_at: p.created_at,
        holder_is_primary: None,
        payment_type: None,
    };
    service::household(ctx, placeholder, p)
}

async fn update_property(
    state: web::Data<AppState>,
    req: Digit<PropertyBody>,
) -> AppResult<HttpResponse> {
    let u = req.body.property.update()?;
    let actor = req.caller.user().map(|u| u.uuid);
    let st = state.clone();
    let h = db::transaction(&state.pool, move |c| {
        let row = service::update_property(c, ctx(&st), &u, actor, chrono::Utc::now())?;
        property_view(c, ctx(&st), row)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Properties": [property_json(&h)]})))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PropertyQuery {
    tenant_id: Option<String>,
    property_ids: Option<String>,
}

async fn search_properties(
    state: web::Data<AppState>,
    q: web::Query<PropertyQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let t = params::tenant(&q.tenant_id)?;
    let ids = params::csv(&q.property_ids);
    let st = state.clone();
    let list = db::run(&state.pool, move |c| {
        let rows = repo::properties(c, &t, &ids, 500)?;
        rows.into_iter()
            .map(|p| property_view(c, ctx(&st), p))
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Properties": list.iter().map(property_json).collect::<Vec<_>>()})))
}

async fn create_connection(
    state: web::Data<AppState>,
    req: Digit<ConnectionBody>,
) -> AppResult<HttpResponse> {
    let new = req.body.connection.new_connection()?;
    let actor = req.caller.user().map(|u| u.uuid);
    let st = state.clone();
    let h = db::transaction(&state.pool, move |c| {
        service::create_connection(c, ctx(&st), &new, actor, chrono::Utc::now())
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "WaterConnection": [connection_json(&h)]})))
}

async fn update_connection(
    state: web::Data<AppState>,
    req: Digit<ConnectionBody>,
) -> AppResult<HttpResponse> {
    let u = req.body.connection.update()?;
    let actor = req.caller.user().map(|u| u.uuid);
    let st = state.clone();
    let h = db::transaction(&state.pool, move |c| {
        service::update_connection(c, ctx(&st), &u, actor, chrono::Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "WaterConnection": [connection_json(&h)]})))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    tenant_id: Option<String>,
    connection_number: Option<String>,
    old_connection_number: Option<String>,
    mobile_number: Option<String>,
    name: Option<String>,
    text_search: Option<String>,
    free_search: Option<String>,
    status: Option<String>,
    connection_type: Option<String>,
    property_id: Option<String>,
    property_type: Option<String>,
    from_date: Option<String>,
    to_date: Option<String>,
    is_collection_count: Option<String>,
    #[serde(rename = "iscollectionAmount")]
    is_collection_amount: Option<String>,
    is_property_count: Option<String>,
    is_bill_paid: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `true` or `false` (any case), absent when blank.
fn flag(v: &Option<String>, field: &str) -> AppResult<Option<bool>> {
    match nonempty(v) {
        None => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(AppError::invalid_field(
            "INVALID_QUERY_PARAMETER",
            format!("{field} must be true or false"),
            field,
        )),
    }
}

/// Epoch milliseconds.
fn instant(v: &Option<String>, field: &str) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
    nonempty(v)
        .map(|s| {
            s.parse::<i64>()
                .ok()
                .and_then(chrono::DateTime::from_timestamp_millis)
                .ok_or_else(|| {
                    AppError::invalid_field(
                        codes::INVALID_DATE,
                        format!("{field} must be a time in epoch milliseconds"),
                        field,
                    )
                })
        })
        .transpose()
}

/// `wc/_search` and `wc/fuzzy/_search`. With `isCollectionCount`, `isBillPaid`,
/// `isPropertyCount` or a sort on money or dates, the household register: every match with its
/// figures, counted (`collectionDataCount`: `collectionPaid` and `collectionPending`, only the
/// tab's with `isBillPaid`; `propertyCount`: matches by property type, the counts as strings),
/// then the tab, the order and the page. `freeSearch` and `iscollectionAmount` are accepted and
/// change nothing (`textSearch` always matches a part of the name, new or old id). The fuzzy
/// search answers its connections as `waterConnectionData`, as ws-services does (the app's
/// name search reads that list).
async fn search(
    state: web::Data<AppState>,
    http: actix_web::HttpRequest,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let list_key = if http.path().ends_with("/fuzzy/_search") {
        "waterConnectionData"
    } else {
        "WaterConnection"
    };
    // ws-services: 50 by default, at most 500 (`egov.waterservice.pagination.*`)
    let limit = q.limit.unwrap_or(50);
    if limit != -1 && !(1..=500).contains(&limit) {
        return Err(AppError::invalid_field(
            "INVALID_LIMIT",
            "limit must be 1 to 500, or -1 for all",
            "limit",
        ));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(AppError::invalid_field(
            "INVALID_OFFSET",
            "offset must not be negative",
            "offset",
        ));
    }
    let mobile = nonempty(&q.mobile_number)
        .map(|m| crate::platform::user::service::check_mobile(&m, "mobileNumber"))
        .transpose()?;
    let counted = flag(&q.is_collection_count, "isCollectionCount")?.unwrap_or(false);
    let by_type = flag(&q.is_property_count, "isPropertyCount")?.unwrap_or(false);
    let paid = flag(&q.is_bill_paid, "isBillPaid")?;
    flag(&q.free_search, "freeSearch")?;
    flag(&q.is_collection_amount, "iscollectionAmount")?;
    let sort = match nonempty(&q.sort_by).as_deref() {
        None => None,
        Some("connectionNumber") => Some(register::Sort::ConnectionNo),
        Some("name") => Some(register::Sort::Name),
        Some("collectionAmount") => Some(register::Sort::Collected),
        Some("collectionPendingAmount") => Some(register::Sort::Pending),
        Some("lastDemandGeneratedDate") => Some(register::Sort::LastPeriod),
        Some(_) => {
            return Err(AppError::invalid_field(
                "INVALID_SORT_BY",
                "sortBy must be connectionNumber, name, collectionAmount, collectionPendingAmount or lastDemandGeneratedDate",
                "sortBy",
            ));
        }
    };
    let descending = match nonempty(&q.sort_order) {
        None => false,
        Some(s) if s.eq_ignore_ascii_case("asc") => false,
        Some(s) if s.eq_ignore_ascii_case("desc") => true,
        Some(_) => {
            return Err(AppError::invalid_field(
                "INVALID_SORT_ORDER",
                "sortOrder must be ASC or DESC",
                "sortOrder",
            ));
        }
    };
    let (from, to) = (
        instant(&q.from_date, "fromDate")?,
        instant(&q.to_date, "toDate")?,
    );
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        return Err(AppError::invalid_field(
            codes::INVALID_DATE_RANGE,
            "fromDate must not be after toDate",
            "fromDate",
        ));
    }
    let f = Criteria {
        tenant_id: params::tenant(&q.tenant_id)?,
        connection_nos: params::csv(&q.connection_number),
        old_connection_no: nonempty(&q.old_connection_number),
        mobile,
        name: nonempty(&q.name),
        text: nonempty(&q.text_search),
        status: nonempty(&q.status),
        connection_type: nonempty(&q.connection_type),
        property_ids: params::csv(&q.property_id),
        property_type: nonempty(&q.property_type).map(|t| t.to_uppercase()),
        created_from: from,
        created_to: to,
        sort_by_name: sort == Some(register::Sort::Name),
        descending,
        offset,
        limit: if limit == -1 { i64::MAX } else { limit },
    };
    let register_view = counted
        || by_type
        || paid.is_some()
        || matches!(
            sort,
            Some(register::Sort::Collected | register::Sort::Pending | register::Sort::LastPeriod)
        );
    let st = state.clone();
    let (page, total, counts, types) = db::run(&state.pool, move |c| {
        if register_view {
            let view = register::View {
                text: None,
                paid,
                tab: None,
                sort: sort.unwrap_or(register::Sort::ConnectionNo),
                descending,
            };
            let sel = register::select(c, ctx(&st), &f, &view)?;
            let total = sel.entries.len();
            let page = sel
                .entries
                .into_iter()
                .skip(usize::try_from(f.offset).unwrap_or(usize::MAX))
                .take(usize::try_from(f.limit).unwrap_or(usize::MAX))
                .collect::<Vec<_>>();
            Ok((page, total, Some(sel.counts), Some(sel.property_types)))
        } else {
            let (list, total) = service::search(c, ctx(&st), &f)?;
            let page = register::with_figures(c, &f.tenant_id, list)?;
            Ok((page, usize::try_from(total).unwrap_or(0), None, None))
        }
    })
    .await?;
    let mut collection = serde_json::Map::new();
    if let (true, Some(n)) = (counted, counts) {
        if paid != Some(false) {
            collection.insert("collectionPaid".to_owned(), json!(n.paid));
        }
        if paid != Some(true) {
            collection.insert("collectionPending".to_owned(), json!(n.pending));
        }
    }
    let mut property = serde_json::Map::new();
    if let (true, Some(types)) = (by_type, types) {
        for (t, n) in types {
            property.insert(t, json!(n.to_string()));
        }
    }
    let mut answer = json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "totalCount": total, "collectionDataCount": collection, "propertyCount": property});
    answer[list_key] = page
        .iter()
        .map(|e| connection_json_with(&e.household, Some(&e.figures)))
        .collect();
    Ok(HttpResponse::Ok().json(answer))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantQuery {
    tenant_id: Option<String>,
    previous_meter_reading: Option<String>,
}

fn counts_json(list: &[(i64, usize)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(at, n)| json!({"taxperiodto": at, "count": n}))
            .collect(),
    )
}

/// `wc/_countWCbyDemandGenerationDate`: the active non-metered households with a live regular
/// demand, by the end of the last period billed, and those without one, by their previous
/// reading date (`register::demand_counts`), newest first.
async fn count_by_demand_date(
    state: web::Data<AppState>,
    q: web::Query<TenantQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let counts = db::run(&state.pool, move |c| register::demand_counts(c, &tenant)).await?;
    Ok(
        HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "WaterConnectionsDemandGenerated": counts_json(&counts.generated),
        "WaterConnectionsDemandNotGenerated": counts_json(&counts.not_generated)})),
    )
}

/// `wc/consumers/demand-not-generated?previousMeterReading=`: the active non-metered households
/// never billed here whose previous reading date is that instant (one row of
/// `WaterConnectionsDemandNotGenerated`), answered like `wc/_search`.
async fn demand_not_generated(
    state: web::Data<AppState>,
    q: web::Query<TenantQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let at = match nonempty(&q.previous_meter_reading) {
        None => {
            return Err(AppError::invalid_field(
                codes::MISSING_FIELD,
                "previousMeterReading is required",
                "previousMeterReading",
            ));
        }
        Some(s) => s.parse::<i64>().map_err(|_| {
            AppError::invalid_field(
                "INVALID_PREVIOUS_METER_READING",
                "previousMeterReading must be a time in epoch milliseconds",
                "previousMeterReading",
            )
        })?,
    };
    let st = state.clone();
    let list = db::run(&state.pool, move |c| {
        register::demand_list(c, ctx(&st), &tenant, register::Billed::NotSince(at))
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "WaterConnection": list.iter().map(|e| connection_json_with(&e.household, Some(&e.figures))).collect::<Vec<_>>(),
        "totalCount": list.len(), "collectionDataCount": {}, "propertyCount": {}})))
}
