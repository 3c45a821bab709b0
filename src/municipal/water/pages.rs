//! Staff pages for households (product.md §2.3–2.4): create a consumer, search, the household
//! screen (details, bill card, meter reading, receipts), bill and receipt PDFs, and bulk demand
//! generation with its confirmation of the rates.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::documents;
use super::model::Household;
use super::register;
use super::service::{self, Criteria, Ctx, NewConnection, NewProperty, OwnerIn, SERVICE};
use crate::business::billing::service as billing;
use crate::business::collection;
use crate::db;
use crate::error::AppError;
use crate::http::page::{self, PageCtx, PageError, Staff, verify_csrf};
use crate::http::routes::{Access, Routes};
use crate::municipal::calculator::{bulk, meter};
use crate::platform::localization::Locale;
use crate::state::AppState;
use crate::time::IST;
use crate::words::inr;

/// Who registers and edits households (product.md §1.2).
pub const CONSUMER_ROLES: &[&str] = &[
    "GP_ADMIN",
    "SUPERUSER",
    "COLLECTION_OPERATOR",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
];
/// Who looks households up and downloads their bills and receipts.
pub const VIEW_ROLES: &[&str] = &[
    "GP_ADMIN",
    "SUPERUSER",
    "COLLECTION_OPERATOR",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
    "BULK_DEMAND_PROCESSING",
];
/// Who generates demand.
pub const DEMAND_ROLES: &[&str] = &[
    "BULK_DEMAND_PROCESSING",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
];

pub fn routes(r: &mut Routes<'_>) {
    let (consumer, view, demand) = (
        Access::Page(CONSUMER_ROLES),
        Access::Page(VIEW_ROLES),
        Access::Page(DEMAND_ROLES),
    );
    let collect = Access::Page(crate::business::collection::pages::COLLECT_ROLES);
    r.get("/home/consumercreate", consumer, create_form)
        .post("/home/consumercreate", consumer, create)
        .get("/home/consumers", view, search)
        .get("/home/household", view, household)
        .post("/home/household/reading", collect, reading)
        .get("/home/household/bill.pdf", view, bill_pdf)
        .post("/home/household/share", view, share_bill)
        .get("/home/receipt.pdf", view, receipt_pdf)
        .get("/home/consumerupdate", consumer, edit_form)
        .post("/home/consumerupdate", consumer, edit)
        .get("/home/villagedetails", Access::Page(&[]), rate_card)
        .get("/home/consumerimport", consumer, import_form)
        .post("/home/consumerimport/preview", consumer, import_preview)
        .post("/home/consumerimport", consumer, import_run)
        .get("/home/householdRegister", view, register)
        .get("/home/householdRegister.pdf", view, register_pdf)
        .get("/home/householdRegister.xlsx", view, register_xlsx)
        .get("/home/billmanualgenerate", demand, generate_form)
        .post("/home/billmanualgenerate/confirm", demand, generate_confirm)
        .post("/home/billmanualgenerate", demand, generate)
        .get(
            "/home/billmanualgenerate/consumers",
            demand,
            demand_households,
        );
}

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx::of(state)
}

fn tenant_of(staff: &Staff) -> String {
    staff.current_tenant()
}

fn not_found() -> PageError {
    PageError::Status(StatusCode::NOT_FOUND, "CORE_PAGE_NOT_FOUND".to_owned())
}

fn ist_date(t: DateTime<Utc>) -> String {
    t.with_timezone(&IST).format("%d/%m/%Y").to_string()
}

fn month_label(p: &PageCtx, d: NaiveDate) -> String {
    format!("{} {}", p.t(&format!("MONTH_{}", d.month())), d.year())
}

/// Field errors of a refused request, as "label: message" lines in the page's language.
fn error_lines(p: &PageCtx, e: &AppError) -> Vec<String> {
    match e {
        AppError::Client { errors, .. } => errors
            .iter()
            .map(|x| {
                let key = format!("ERR_{}", x.code);
                let text = p.t(&key);
                if text == key { x.message.clone() } else { text }
            })
            .collect(),
        other => vec![other.to_string()],
    }
}

#[derive(Default, Deserialize)]
struct ConsumerForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    guardian: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    old_no: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    sub_category: String,
    #[serde(default)]
    aadhaar: String,
    #[serde(default)]
    door_no: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    property_type: String,
    #[serde(default)]
    connection_type: String,
    #[serde(default)]
    meter_id: String,
    #[serde(default)]
    reading_date: String,
    #[serde(default)]
    reading: String,
    #[serde(default)]
    last_cycle: String,
    #[serde(default)]
    arrears: String,
    #[serde(default)]
    penalty: String,
    #[serde(default)]
    advance: String,
}

#[derive(Template)]
#[template(path = "water/create.html")]
struct CreatePage {
    p: PageCtx,
    f: ConsumerForm,
    cycles: Vec<(String, String)>,
    errors: Vec<String>,
}

fn cycles(p: &PageCtx, now: DateTime<Utc>) -> Vec<(String, String)> {
    service::allowed_last_cycles(now.with_timezone(&IST).date_naive())
        .iter()
        .map(|d| (d.format("%Y-%m").to_string(), month_label(p, *d)))
        .collect()
}

async fn create_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let page = CreatePage {
        cycles: cycles(&p, Utc::now()),
        f: ConsumerForm {
            property_type: "RESIDENTIAL".to_owned(),
            connection_type: "Non_Metered".to_owned(),
            ..Default::default()
        },
        errors: Vec::new(),
        p,
    };
    page::render(StatusCode::OK, page.render(), cookie)
}

fn amount(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.is_empty() {
        None
    } else {
        crate::money::parse(s).ok().or(Some(Decimal::NEGATIVE_ONE))
    }
}

fn day_ms(s: &str) -> Option<i64> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .map(crate::time::ist_day_start_millis)
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<ConsumerForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let f = form.into_inner();
    let tenant = tenant_of(&staff);
    let metered = f.connection_type == "Metered";
    let prop = NewProperty {
        tenant_id: tenant.clone(),
        property_type: f.property_type.clone(),
        door_no: Some(f.door_no.clone()),
        street: Some(f.street.clone()),
        locality: None,
        owner: OwnerIn {
            name: f.name.clone(),
            guardian: f.guardian.clone(),
            gender: f.gender.clone(),
            mobile: f.mobile.clone(),
        },
        additional_details: serde_json::json!({}),
    };
    let mut conn_in = NewConnection {
        tenant_id: tenant,
        property_id: String::new(),
        old_connection_no: f.old_no.clone(),
        connection_type: f.connection_type.clone(),
        meter_id: metered.then(|| f.meter_id.clone()),
        previous_reading_date: if metered {
            day_ms(&f.reading_date)
        } else {
            day_ms(&format!("{}-01", f.last_cycle.trim()))
        },
        initial_meter_reading: if metered {
            Some(
                f.reading
                    .trim()
                    .parse()
                    .unwrap_or(if f.reading.trim().is_empty() { 0 } else { -1 }),
            )
        } else {
            None
        },
        arrears: amount(&f.arrears),
        penalty: amount(&f.penalty),
        advance: amount(&f.advance),
        category: Some(f.category.clone()),
        sub_category: Some(f.sub_category.clone()),
        aadhaar: Some(f.aadhaar.clone()),
        additional_details: serde_json::json!({}),
    };
    let (st, actor) = (state.clone(), Some(staff.user.uuid));
    let made = db::transaction(&state.pool, move |c| {
        let now = Utc::now();
        let p = service::create_property(c, ctx(&st), &prop, actor, now)?;
        conn_in.property_id = p.property_id;
        service::create_connection(c, ctx(&st), &conn_in, actor, now)
    })
    .await;
    match made {
        Ok(h) => Ok(page::see_other(&format!(
            "/home/household?no={}&created=1",
            page::urlencode(&h.connection.connection_no)
        ))),
        Err(e @ AppError::Client { .. }) => {
            let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
            let page = CreatePage {
                cycles: cycles(&p, Utc::now()),
                errors: error_lines(&p, &e),
                f,
                p,
            };
            page::render(StatusCode::BAD_REQUEST, page.render(), cookie)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    old_no: String,
    #[serde(default)]
    no: String,
}

/// One search result: (new id, old id, name, masked phone, address).
type Found = (String, String, String, String, String);

#[derive(Template)]
#[template(path = "water/search.html")]
struct SearchPage {
    p: PageCtx,
    q: SearchQuery,
    criterion: String,
    results: Vec<(String, Found)>,
    error: String,
    searched: bool,
}

fn address(h: &Household) -> String {
    [
        h.property.door_no.as_deref(),
        h.property.street.as_deref(),
        Some(h.property.locality.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<SearchQuery>,
) -> Result<HttpResponse, PageError> {
    let q = q.into_inner();
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let mut f = Criteria {
        tenant_id: tenant_of(&staff),
        limit: 75,
        ..Default::default()
    };
    let mut error = String::new();
    let criterion;
    if !q.mobile.trim().is_empty() {
        match crate::platform::user::service::check_mobile(&q.mobile, "mobile") {
            Ok(m) => f.mobile = Some(m),
            Err(_) => error = p.t("CORE_INVALID_MOBILE_NUMBER"),
        }
        criterion = format!(
            "{} +91 - {}",
            p.t("CONSUMER_MOBILE_NUMBER"),
            q.mobile.trim()
        );
    } else if !q.name.trim().is_empty() {
        f.name = Some(q.name.trim().to_owned());
        criterion = format!("{}: {}", p.t("CONSUMER_NAME"), q.name.trim());
    } else if !q.old_no.trim().is_empty() {
        f.old_connection_no = Some(q.old_no.trim().to_owned());
        criterion = format!("{}: {}", p.t("CONSUMER_OLD_CONNECTION_ID"), q.old_no.trim());
    } else if !q.no.trim().is_empty() {
        f.connection_nos = vec![q.no.trim().to_owned()];
        criterion = format!("{}: {}", p.t("CONSUMER_CONNECTION_ID"), q.no.trim());
    } else {
        criterion = String::new();
    }
    let searched = !criterion.is_empty() && error.is_empty();
    let mut results = Vec::new();
    if searched {
        f.sort_by_name = f.name.is_some();
        let st = state.clone();
        let (found, _) = db::run(&state.pool, move |c| service::search(c, ctx(&st), &f)).await?;
        if let [one] = found.as_slice() {
            return Ok(page::see_other(&format!(
                "/home/household?no={}",
                page::urlencode(&one.connection.connection_no)
            )));
        }
        results = found
            .iter()
            .map(|h| {
                (
                    page::urlencode(&h.connection.connection_no),
                    (
                        h.connection.connection_no.clone(),
                        h.connection.old_connection_no.clone(),
                        h.owner.name.clone(),
                        crate::platform::encryption::mask_mobile(&h.owner.mobile),
                        address(h),
                    ),
                )
            })
            .collect();
    }
    let page = SearchPage {
        p,
        q,
        criterion,
        results,
        error,
        searched,
    };
    page::render(StatusCode::OK, page.render(), cookie)
}

#[derive(Deserialize)]
struct HouseholdQuery {
    no: String,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "water/household.html")]
struct HouseholdPage {
    p: PageCtx,
    no: String,
    no_q: String,
    notice: String,
    error: String,
    card: Vec<(String, String)>,
    metered: bool,
    active: bool,
    /// Bill card: (number, rows (period, head, amount), total, due date); empty number: none.
    bill_no: String,
    bill_rows: Vec<(String, String, String)>,
    total: String,
    due: String,
    penalty_line: String,
    last_reading: String,
    last_reading_date: String,
    receipts: Vec<(String, String, String, String, String)>,
}

async fn household(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<HouseholdQuery>,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t, no, actor) = (
        state.clone(),
        tenant_of(&staff),
        q.no.clone(),
        staff.user.uuid,
    );
    let found = db::transaction(&state.pool, move |c| {
        let Some((conn, prop)) = service::by_number(c, &t, &no)? else {
            return Ok(None);
        };
        let h = service::household(ctx(&st), conn, prop)?;
        let bill = billing::fetch_bill(
            c,
            &st.settings.app.state_tenant,
            &t,
            SERVICE,
            &no,
            Some(actor),
            Utc::now(),
        )?;
        let last = meter::last_of(c, h.connection.id)?;
        let penalty = crate::municipal::calculator::penalty::estimate(
            c,
            &st.settings.app.state_tenant,
            &t,
            &no,
            Utc::now(),
        )?;
        let (pays, _) = collection::service::search(
            c,
            &collection::service::Filter {
                tenant_id: t.clone(),
                consumer_codes: vec![no.clone()],
                offset: 0,
                limit: 50,
                ..Default::default()
            },
        )?;
        Ok(Some((h, bill, last, pays, penalty)))
    })
    .await?;
    let Some((h, bill, last, pays, penalty)) = found else {
        return Err(not_found());
    };
    let c = &h.connection;
    let mut card = vec![
        (p.t("CONSUMER_NAME"), h.owner.name.clone()),
        (p.t("CONSUMER_FATHER_SPOUSE_NAME"), h.owner.guardian.clone()),
        (p.t("CONSUMER_MOBILE_NUMBER"), h.owner.mobile.clone()),
        (
            p.t("CONSUMER_OLD_CONNECTION_ID"),
            c.old_connection_no.clone(),
        ),
        (p.t("PDF_ADDRESS"), address(&h)),
        (
            p.t("CONSUMER_PROPERTY_TYPE"),
            p.t(&format!("PROPERTYTYPE_{}", h.property.property_type)),
        ),
        (
            p.t("CONSUMER_SERVICE_TYPE"),
            p.t(&format!(
                "CONNECTIONTYPE_{}",
                c.connection_type.to_uppercase()
            )),
        ),
    ];
    if let Some(m) = &c.meter_id {
        card.push((p.t("WS_METER_NUMBER"), m.clone()));
    }
    card.push((
        p.t("CORE_STATUS"),
        p.t(&format!("CORE_{}", c.status.to_uppercase())),
    ));
    if let Some(cat) = &c.category {
        card.push((p.t("CONSUMER_CATEGORY"), cat.clone()));
    }
    if let Some(s) = &c.sub_category {
        card.push((p.t("CONSUMER_SUB_CATEGORY"), s.clone()));
    }
    let month = |t: DateTime<Utc>| {
        let d = t.with_timezone(&IST).date_naive();
        month_label(&p, d)
    };
    let (mut bill_no, mut bill_rows, mut total, mut due) =
        (String::new(), Vec::new(), String::new(), String::new());
    if let Some(b) = &bill {
        bill_no = b.bill.bill_number.clone();
        bill_rows = b
            .details
            .iter()
            .rev()
            .flat_map(|(d, accts)| {
                let m = month(d.from_period);
                accts
                    .iter()
                    .map(|a| {
                        (
                            m.clone(),
                            p.t(&format!("TAXHEAD_{}", a.tax_head_code)),
                            inr(a.amount),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        total = inr(b.bill.total_amount);
        due = ist_date(due_date(b));
    }
    let (last_reading, last_reading_date) = match &last {
        Some(r) => (
            r.current_reading.to_string(),
            ist_date(r.current_reading_date),
        ),
        None => (
            c.initial_meter_reading.unwrap_or(0).to_string(),
            ist_date(c.previous_reading_date),
        ),
    };
    let receipts = pays
        .iter()
        .map(|x| {
            (
                x.receipt_number.clone(),
                page::urlencode(&x.receipt_number),
                inr(x.total_amount_paid),
                ist_date(x.receipt_date),
                x.payment_status.clone(),
            )
        })
        .collect();
    let penalty_line = penalty
        .map(|(amount, from)| {
            p.t("BILL_PENALTY_AFTER")
                .replace("{date}", &ist_date(from))
                .replace("{amount}", &inr(amount))
        })
        .unwrap_or_default();
    let notice = if q.created.is_some() {
        p.t("CONSUMER_CREATED")
    } else if q.saved.is_some() {
        p.t("CORE_SAVED_SUCCESSFULLY")
    } else {
        String::new()
    };
    let error = q.error.as_deref().map(|k| p.t(k)).unwrap_or_default();
    let page = HouseholdPage {
        no_q: page::urlencode(&c.connection_no),
        no: c.connection_no.clone(),
        metered: c.connection_type == "Metered",
        active: c.status == "Active",
        notice,
        error,
        card,
        bill_no,
        bill_rows,
        total,
        due,
        penalty_line,
        last_reading,
        last_reading_date,
        receipts,
        p,
    };
    page::render(StatusCode::OK, page.render(), cookie)
}

#[derive(Deserialize)]
struct ReadingForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    no: String,
    #[serde(default)]
    reading: String,
    #[serde(default)]
    date: String,
}

async fn reading(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<ReadingForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let new = meter::NewReading {
        tenant_id: tenant_of(&staff),
        connection_no: form.no.clone(),
        current_reading: Some(form.reading.trim().parse().unwrap_or(-1)),
        current_reading_date: day_ms(&form.date).or(Some(Utc::now().timestamp_millis())),
        last_reading: None,
        meter_status: None,
    };
    let (st, actor) = (state.clone(), Some(staff.user.uuid));
    let r = db::transaction(&state.pool, move |c| {
        meter::create(c, ctx(&st), &new, actor, Utc::now())
    })
    .await;
    let no = page::urlencode(&form.no);
    match r {
        Ok(_) => Ok(page::see_other(&format!("/home/household?no={no}"))),
        Err(AppError::Client { errors, .. }) => {
            let code = errors.first().map(|e| e.code.clone()).unwrap_or_default();
            Ok(page::see_other(&format!(
                "/home/household?no={no}&error=ERR_{code}"
            )))
        }
        Err(e) => Err(e.into()),
    }
}

fn pdf_response(name: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(crate::http::disposition(
            "attachment",
            &format!("{name}.pdf"),
        ))
        .body(bytes)
}

fn locale_of(p: &PageCtx) -> Locale {
    Locale::parse(p.locale).unwrap_or(Locale::Pa)
}

#[derive(Deserialize)]
struct NoQuery {
    no: String,
}

async fn bill_pdf(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<NoQuery>,
) -> Result<HttpResponse, PageError> {
    let (p, _) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t, no, locale) = (
        state.clone(),
        tenant_of(&staff),
        q.no.clone(),
        locale_of(&p),
    );
    let made = db::transaction(&state.pool, move |c| {
        documents::bill_pdf(c, ctx(&st), &st.i18n, &t, &no, locale, Utc::now())
    })
    .await?;
    let (bill, bytes) = made.ok_or_else(not_found)?;
    Ok(pdf_response(&bill.bill.bill_number, bytes))
}

/// When a bill falls due: its latest period's expiry, else 15 days after the bill.
fn due_date(b: &crate::business::billing::service::FullBill) -> DateTime<Utc> {
    b.details
        .last()
        .and_then(|(d, _)| d.expiry_date)
        .unwrap_or(b.bill.bill_date + chrono::Duration::days(15))
}

#[derive(Deserialize)]
struct ShareForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    no: String,
}

/// "Share on WhatsApp" (product.md §2.4): the bill PDF, in the page's language, is kept in the
/// filestore, its signed link (valid 7 days) gets a short link that lasts as long, and the browser
/// goes on to WhatsApp with the holder's number and the localized message (`SHARE_BILL_LINK`)
/// carrying the short link. Made on the tap, not on every view of the household.
async fn share_bill(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<ShareForm>,
) -> Result<HttpResponse, PageError> {
    use crate::platform::{filestore, shortener};
    verify_csrf(&req, &form.csrf)?;
    let (p, _) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t, no, locale, actor) = (
        state.clone(),
        tenant_of(&staff),
        form.no.trim().to_owned(),
        locale_of(&p),
        staff.user.uuid,
    );
    let made = db::transaction(&state.pool, move |c| {
        let now = Utc::now();
        let Some((conn, prop)) = service::by_number(c, &t, &no)? else {
            return Ok(None);
        };
        let h = service::household(ctx(&st), conn, prop)?;
        let Some((bill, bytes)) = documents::bill_pdf(c, ctx(&st), &st.i18n, &t, &no, locale, now)?
        else {
            return Ok(None);
        };
        let key = if h.connection.connection_type == "Metered" {
            "ws-bill-v2"
        } else {
            "ws-bill-nm-v2"
        };
        let file = filestore::store(
            c,
            &t,
            "PDF",
            Some(key),
            &format!("{}.pdf", bill.bill.bill_number.replace('/', "-")),
            "application/pdf",
            bytes,
            Some(actor),
            now,
        )?;
        let path = filestore::signed_path(&st.crypto, &t, file, now);
        let till = now + chrono::Duration::days(filestore::LINK_DAYS);
        let short = shortener::shorten(c, &path, Some(now), Some(till), Some(actor), now)?;
        Ok(Some((h, bill, short)))
    })
    .await?;
    let Some((h, bill, key)) = made else {
        return Err(not_found());
    };
    let cycle = bill
        .details
        .last()
        .map(|(d, _)| month_label(&p, d.from_period.with_timezone(&IST).date_naive()))
        .unwrap_or_default();
    let text = p
        .t("SHARE_BILL_LINK")
        .replace("{user}", &h.owner.name)
        .replace("{new consumer id}", &h.connection.connection_no)
        .replace("{cycle}", &cycle)
        .replace("{Amount}", &inr(bill.bill.total_amount))
        .replace("{date}", &ist_date(due_date(&bill)))
        .replace(
            "{link}",
            &shortener::short_url(&state.settings.app.base_url, &key),
        );
    Ok(page::see_other(&format!(
        "https://wa.me/+91{}?text={}",
        h.owner.mobile,
        page::urlencode(&text)
    )))
}

async fn receipt_pdf(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<NoQuery>,
) -> Result<HttpResponse, PageError> {
    let (p, _) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t, no, locale) = (
        state.clone(),
        tenant_of(&staff),
        q.no.clone(),
        locale_of(&p),
    );
    let made = db::run(&state.pool, move |c| {
        documents::receipt_pdf(c, ctx(&st), &st.i18n, &t, &no, locale, Utc::now())
    })
    .await?;
    let (pay, bytes) = made.ok_or_else(not_found)?;
    Ok(pdf_response(&pay.receipt_number, bytes))
}

#[derive(Template)]
#[template(path = "water/generate.html")]
struct GeneratePage {
    p: PageCtx,
    months: Vec<(String, String)>,
    /// Confirmation step: the month chosen and the rates (type, rate); empty: choose a month.
    month: String,
    month_label: String,
    rates: Vec<(String, String)>,
    all_zero: bool,
    error: String,
    /// Result: (status, created, skipped, message).
    result: Option<(String, i32, i32, String)>,
    batches: Vec<(String, String, String, i32, i32)>,
    /// The water connection count: (billing cycle, households, link to them).
    generated: Vec<(String, usize, String)>,
    not_generated: Vec<(String, usize, String)>,
}

/// The month an instant falls in (IST), as the count panel labels it.
fn month_of(p: &PageCtx, ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| month_label(p, t.with_timezone(&IST).date_naive()))
        .unwrap_or_default()
}

fn count_rows(p: &PageCtx, list: &[(i64, usize)], param: &str) -> Vec<(String, usize, String)> {
    list.iter()
        .map(|(at, n)| {
            (
                month_of(p, *at),
                *n,
                format!("/home/billmanualgenerate/consumers?{param}={at}"),
            )
        })
        .collect()
}

/// The past months of this and the last financial year, newest first.
fn past_months(now: DateTime<Utc>) -> Vec<NaiveDate> {
    let today = now.with_timezone(&IST).date_naive();
    let start = crate::time::Fy(crate::time::Fy::of_date(today).0 - 1).first_day();
    let mut out = Vec::new();
    let mut d = bulk::default_month(now);
    while d >= start {
        out.push(d);
        d = crate::time::prev_month(d);
    }
    out
}

async fn generate_page(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    staff: &Staff,
    month: Option<NaiveDate>,
    error: String,
    result: Option<bulk::Batch>,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::for_staff(req, state, staff).await?;
    let (st, t) = (state.clone(), tenant_of(staff));
    let (rates, batches, counts) = db::run(&state.pool, move |c| {
        let rates = match month {
            Some(m) => bulk::flat_rates(c, ctx(&st), &t, m)?,
            None => Vec::new(),
        };
        Ok((
            rates,
            bulk::batches(c, &t, 10)?,
            register::demand_counts(c, &t)?,
        ))
    })
    .await?;
    let months = past_months(Utc::now())
        .into_iter()
        .map(|d| (d.format("%Y-%m").to_string(), month_label(&p, d)))
        .collect();
    let page = GeneratePage {
        months,
        month: month
            .map(|m| m.format("%Y-%m").to_string())
            .unwrap_or_default(),
        month_label: month.map(|m| month_label(&p, m)).unwrap_or_default(),
        all_zero: !rates.is_empty() && rates.iter().all(|(_, r, _)| r.is_zero()),
        rates: rates
            .iter()
            .map(|(t, r, _)| (p.t(&format!("PROPERTYTYPE_{t}")), inr(*r)))
            .collect(),
        error,
        result: result.map(|b| {
            (
                b.status,
                b.created,
                b.skipped,
                b.message.unwrap_or_default(),
            )
        }),
        batches: batches
            .iter()
            .map(|b| {
                (
                    month_label(&p, b.period_from.with_timezone(&IST).date_naive()),
                    b.status.clone(),
                    ist_date(b.started_at),
                    b.created,
                    b.skipped,
                )
            })
            .collect(),
        generated: count_rows(&p, &counts.generated, "billed_to"),
        not_generated: count_rows(&p, &counts.not_generated, "not_since"),
        p,
    };
    let status = if page.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page::render(status, page.render(), cookie)
}

async fn generate_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, PageError> {
    generate_page(&req, &state, &staff, None, String::new(), None).await
}

#[derive(Deserialize)]
struct CountQuery {
    #[serde(default)]
    billed_to: Option<String>,
    #[serde(default)]
    not_since: Option<String>,
}

#[derive(Template)]
#[template(path = "water/demand_list.html")]
struct DemandListPage {
    p: PageCtx,
    title: String,
    cycle: String,
    /// (number, number for the link, old id, name, pending)
    rows: Vec<(String, String, String, String, String)>,
}

/// The households behind one count of the panel: last billed up to a month's end
/// (`billed_to`), or never billed since joining with that last cycle (`not_since`).
async fn demand_households(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<CountQuery>,
) -> Result<HttpResponse, PageError> {
    let ms = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<i64>().ok());
    let which = match (ms(&q.billed_to), ms(&q.not_since)) {
        (Some(at), None) => register::Billed::To(at),
        (None, Some(at)) => register::Billed::NotSince(at),
        _ => {
            return Err(AppError::bad_request(
                "INVALID_QUERY_PARAMETER",
                "billed_to or not_since: a time in epoch milliseconds",
            )
            .into());
        }
    };
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t) = (state.clone(), tenant_of(&staff));
    let list = db::run(&state.pool, move |c| {
        register::demand_list(c, ctx(&st), &t, which)
    })
    .await?;
    let (title, at) = match which {
        register::Billed::To(at) => (p.t("LAST_BILL_CYCLE_DEMAND_GENERATED"), at),
        register::Billed::NotSince(at) => (p.t("LAST_BILL_CYCLE_DEMAND_NOT_GENERATED"), at),
    };
    let page = DemandListPage {
        title,
        cycle: month_of(&p, at),
        rows: list
            .iter()
            .map(|e| {
                let c = &e.household.connection;
                (
                    c.connection_no.clone(),
                    page::urlencode(&c.connection_no),
                    c.old_connection_no.clone(),
                    e.household.owner.name.clone(),
                    inr(e.figures.pending),
                )
            })
            .collect(),
        p,
    };
    page::render(StatusCode::OK, page.render(), cookie)
}

#[derive(Deserialize)]
struct MonthForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    month: String,
}

async fn generate_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<MonthForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    match bulk::parse_period(&form.month) {
        Some(m) => generate_page(&req, &state, &staff, Some(m), String::new(), None).await,
        None => {
            let (p, _) = PageCtx::new(&req, &state);
            generate_page(
                &req,
                &state,
                &staff,
                None,
                p.t("ERR_INVALID_BILLING_PERIOD"),
                None,
            )
            .await
        }
    }
}

async fn generate(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<MonthForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let (p, _) = PageCtx::new(&req, &state);
    let Some(month) = bulk::parse_period(&form.month) else {
        return generate_page(
            &req,
            &state,
            &staff,
            None,
            p.t("ERR_INVALID_BILLING_PERIOD"),
            None,
        )
        .await;
    };
    match crate::municipal::calculator::run_bulk(
        &state,
        tenant_of(&staff),
        month,
        Some(staff.user.uuid),
    )
    .await
    {
        Ok(b) => generate_page(&req, &state, &staff, None, String::new(), Some(b)).await,
        Err(e @ AppError::Client { .. }) => {
            let lines = error_lines(&p, &e).join(" ");
            generate_page(&req, &state, &staff, None, lines, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Default, Deserialize)]
struct EditForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    no: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    guardian: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    old_no: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    sub_category: String,
    #[serde(default)]
    door_no: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    property_type: String,
    #[serde(default)]
    connection_type: String,
    #[serde(default)]
    meter_id: String,
    #[serde(default)]
    arrears: String,
    #[serde(default)]
    penalty: String,
    #[serde(default)]
    advance: String,
    #[serde(default)]
    inactive: Option<String>,
    #[serde(default)]
    remarks: String,
}

#[derive(Template)]
#[template(path = "water/edit.html")]
struct EditPage {
    p: PageCtx,
    f: EditForm,
    /// Billing has started: the opening fields are no longer shown.
    started: bool,
    errors: Vec<String>,
}

fn edit_form_of(h: &Household) -> EditForm {
    let c = &h.connection;
    let money = |d: Decimal| {
        if d.is_zero() {
            String::new()
        } else {
            d.normalize().to_string()
        }
    };
    EditForm {
        no: c.connection_no.clone(),
        name: h.owner.name.clone(),
        gender: h.owner.gender.clone(),
        guardian: h.owner.guardian.clone(),
        mobile: h.owner.mobile.clone(),
        old_no: c.old_connection_no.clone(),
        category: c.category.clone().unwrap_or_default(),
        sub_category: c.sub_category.clone().unwrap_or_default(),
        door_no: h.property.door_no.clone().unwrap_or_default(),
        street: h.property.street.clone().unwrap_or_default(),
        property_type: h.property.property_type.clone(),
        connection_type: c.connection_type.clone(),
        meter_id: c.meter_id.clone().unwrap_or_default(),
        arrears: money(c.arrears),
        penalty: money(c.penalty),
        advance: money(c.advance),
        inactive: (c.status == "Inactive").then(|| "on".to_owned()),
        remarks: c.remarks.clone().unwrap_or_default(),
        csrf: String::new(),
    }
}

async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<NoQuery>,
) -> Result<HttpResponse, PageError> {
    let (st, t, no) = (state.clone(), tenant_of(&staff), q.no.clone());
    let found = db::run(&state.pool, move |c| {
        let Some((conn, prop)) = service::by_number(c, &t, &no)? else {
            return Ok(None);
        };
        let started = service::billing_started(c, &conn)?;
        Ok(Some((service::household(ctx(&st), conn, prop)?, started)))
    })
    .await?;
    let Some((h, started)) = found else {
        return Err(not_found());
    };
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let page = EditPage {
        f: edit_form_of(&h),
        started,
        errors: Vec::new(),
        p,
    };
    page::render(StatusCode::OK, page.render(), cookie)
}

async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let f = form.into_inner();
    let tenant = tenant_of(&staff);
    let (st, actor) = (state.clone(), Some(staff.user.uuid));
    let (t, no) = (tenant.clone(), f.no.clone());
    let owner = OwnerIn {
        name: f.name.clone(),
        guardian: f.guardian.clone(),
        gender: f.gender.clone(),
        mobile: f.mobile.clone(),
    };
    let (door, street, ptype) = (f.door_no.clone(), f.street.clone(), f.property_type.clone());
    let u = service::ConnectionUpdate {
        tenant_id: tenant.clone(),
        connection_no: f.no.clone(),
        old_connection_no: Some(f.old_no.clone()),
        connection_type: Some(f.connection_type.clone()),
        meter_id: Some(f.meter_id.clone()).filter(|m| !m.trim().is_empty()),
        previous_reading_date: None,
        initial_meter_reading: None,
        arrears: Some(amount(&f.arrears).unwrap_or(Decimal::ZERO)),
        penalty: Some(amount(&f.penalty).unwrap_or(Decimal::ZERO)),
        advance: Some(amount(&f.advance).unwrap_or(Decimal::ZERO)),
        category: Some(f.category.clone()),
        sub_category: Some(f.sub_category.clone()),
        aadhaar: None,
        status: Some(
            if f.inactive.is_some() {
                "Inactive"
            } else {
                "Active"
            }
            .to_owned(),
        ),
        remarks: Some(f.remarks.clone()),
    };
    let r = db::transaction(&state.pool, move |c| {
        let now = Utc::now();
        let Some((conn, prop)) = service::by_number(c, &t, &no)? else {
            return Err(AppError::not_found(
                "CONNECTION_NOT_FOUND",
                "No such connection",
            ));
        };
        let mut u = u;
        if service::billing_started(c, &conn)? {
            // the opening fields are not on the form any more: keep them
            u.arrears = None;
            u.penalty = None;
            u.advance = None;
        }
        service::update_property(
            c,
            ctx(&st),
            &service::PropertyUpdate {
                tenant_id: t.clone(),
                property_id: prop.property_id,
                property_type: Some(ptype),
                door_no: Some(door),
                street: Some(street),
                owner: Some(owner),
            },
            actor,
            now,
        )?;
        service::update_connection(c, ctx(&st), &u, actor, now)
    })
    .await;
    match r {
        Ok(h) => Ok(page::see_other(&format!(
            "/home/household?no={}&saved=1",
            page::urlencode(&h.connection.connection_no)
        ))),
        Err(e @ AppError::Client { .. }) => {
            let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
            let (t, no) = (tenant.clone(), f.no.clone());
            let started = db::run(&state.pool, move |c| {
                match service::by_number(c, &t, &no)? {
                    Some((conn, _)) => Ok(service::billing_started(c, &conn)?),
                    None => Ok(false),
                }
            })
            .await?;
            let page = EditPage {
                errors: error_lines(&p, &e),
                started,
                f,
                p,
            };
            page::render(StatusCode::BAD_REQUEST, page.render(), cookie)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "water/rates.html")]
struct RatesPage {
    p: PageCtx,
    /// (service type, charge head, calculation, slab, rate)
    rows: Vec<(String, String, String, String, String)>,
    effective: String,
}

/// The GP's rate card (product.md §2.9): service type, charge head, flat or per unit, slab, rate.
async fn rate_card(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t) = (state.clone(), tenant_of(&staff));
    let today = Utc::now().with_timezone(&IST).date_naive();
    let rates = db::run(&state.pool, move |c| {
        let mut out = Vec::new();
        for ptype in bulk::PROPERTY_TYPES {
            for ctype in ["Non_Metered", "Metered"] {
                if let Ok(r) = crate::municipal::calculator::rates::rate_for(
                    c,
                    &st.settings.app.state_tenant,
                    &t,
                    ptype,
                    ctype,
                    today,
                ) {
                    out.push((ptype, ctype, r));
                }
            }
        }
        Ok(out)
    })
    .await?;
    let effective = rates
        .first()
        .map(|(_, _, r)| r.effective_from.format("%d/%m/%Y").to_string())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (ptype, ctype, r) in &rates {
        let service_type = format!(
            "{} · {}",
            p.t(&format!("PROPERTYTYPE_{ptype}")),
            p.t(&format!("CONNECTIONTYPE_{}", ctype.to_uppercase()))
        );
        if *ctype == "Metered" {
            rows.push((
                service_type.clone(),
                p.t("TAXHEAD_10101"),
                p.t("WS_RATE_FIXED"),
                "—".to_owned(),
                inr(r.minimum),
            ));
            for b in &r.bands {
                rows.push((
                    service_type.clone(),
                    p.t("TAXHEAD_10101"),
                    p.t("WS_RATE_PER_UNIT"),
                    format!("{} – {}", b.from.normalize(), b.to.normalize()),
                    inr(b.rate),
                ));
            }
        } else {
            rows.push((
                service_type,
                p.t("TAXHEAD_10101"),
                p.t("WS_RATE_FLAT"),
                "—".to_owned(),
                inr(r.minimum),
            ));
        }
    }
    let page = RatesPage { p, rows, effective };
    page::render(StatusCode::OK, page.render(), cookie)
}

/// One household of the register: (new id, metered, old id, name, guardian, pending, advance,
/// active, last bill date), with the numbers kept for sorting.
#[derive(Clone, Debug)]
struct RegisterRow {
    no: String,
    no_q: String,
    metered: bool,
    old_no: String,
    name: String,
    guardian: String,
    pending: Decimal,
    advance: Decimal,
    active: bool,
    last_bill: Option<DateTime<Utc>>,
    /// For the full (Excel) export.
    extra: Box<RegisterExtra>,
}

#[derive(Clone, Debug, Default)]
struct RegisterExtra {
    gender: String,
    mobile: String,
    category: String,
    sub_category: String,
    property_type: String,
    connection_type: String,
    meter: String,
    arrears: Decimal,
    penalty: Decimal,
    advance: Decimal,
    billed: Decimal,
    collected: Decimal,
    created: DateTime<Utc>,
}

impl RegisterRow {
    fn pending_s(&self) -> String {
        inr(self.pending)
    }
    fn advance_s(&self) -> String {
        inr(self.advance)
    }
    fn last_bill_s(&self) -> String {
        self.last_bill
            .map(ist_date)
            .unwrap_or_else(|| "—".to_owned())
    }
}

/// The register's households of the tab, in order, with the tab counts (all, pending, paid):
/// the selection `register::select` makes, as table rows.
fn register_rows(
    conn: &mut diesel::PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    q: &RegisterQuery,
) -> crate::error::AppResult<(Vec<RegisterRow>, (usize, usize, usize))> {
    let text = q.q.trim();
    let view = register::View {
        text: (!text.is_empty()).then(|| text.to_owned()),
        paid: match q.tab.as_str() {
            "pending" => Some(false),
            "paid" => Some(true),
            _ => None,
        },
        sort: match q.sort.as_str() {
            "no" => register::Sort::ConnectionNo,
            "old" => register::Sort::OldConnectionNo,
            "pending" => register::Sort::Pending,
            "advance" => register::Sort::Advance,
            "bill" => register::Sort::LastBill,
            _ => register::Sort::Name,
        },
        descending: q.desc.is_some(),
    };
    let sel = register::select(
        conn,
        ctx,
        &Criteria {
            tenant_id: tenant.to_owned(),
            ..Default::default()
        },
        &view,
    )?;
    let rows = sel
        .entries
        .into_iter()
        .map(|e| {
            let (h, f) = (e.household, e.figures);
            RegisterRow {
                no_q: page::urlencode(&h.connection.connection_no),
                no: h.connection.connection_no.clone(),
                metered: h.connection.connection_type == "Metered",
                old_no: h.connection.old_connection_no.clone(),
                name: h.owner.name.clone(),
                guardian: h.owner.guardian.clone(),
                pending: f.pending,
                advance: f.advance,
                active: h.connection.status == "Active",
                last_bill: f.last_bill,
                extra: Box::new(RegisterExtra {
                    gender: h.owner.gender.clone(),
                    mobile: h.owner.mobile.clone(),
                    category: h.connection.category.clone().unwrap_or_default(),
                    sub_category: h.connection.sub_category.clone().unwrap_or_default(),
                    property_type: h.property.property_type.clone(),
                    connection_type: h.connection.connection_type.clone(),
                    meter: h.connection.meter_id.clone().unwrap_or_default(),
                    arrears: h.connection.arrears,
                    penalty: h.connection.penalty,
                    advance: h.connection.advance,
                    billed: f.billed,
                    collected: f.collected,
                    created: h.connection.created_at,
                }),
            }
        })
        .collect();
    let c = sel.counts;
    Ok((rows, (c.all, c.pending, c.paid)))
}

#[derive(Clone, Deserialize)]
struct RegisterQuery {
    #[serde(default)]
    tab: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    page: Option<usize>,
}

#[derive(Template)]
#[template(path = "water/register.html")]
struct RegisterPage {
    p: PageCtx,
    as_of: String,
    tab: String,
    q: String,
    q_q: String,
    sort: String,
    counts: (usize, usize, usize),
    rows: Vec<RegisterRow>,
    page: usize,
    pages: usize,
    total_pending: String,
}

const REGISTER_PAGE: usize = 10;

/// The household register (product.md §2.3): tabs All / Pending / Paid with counts, a text
/// search, every column sorts, ten rows a page, and a PDF of it.
async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<RegisterQuery>,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t) = (state.clone(), tenant_of(&staff));
    let q = q.into_inner();
    let qq = q.clone();
    let (rows, counts) = db::run(&state.pool, move |c| register_rows(c, ctx(&st), &t, &qq)).await?;
    let total_pending = inr(rows.iter().map(|r| r.pending).sum());
    let pages = rows.len().div_ceil(REGISTER_PAGE).max(1);
    let page_no = q.page.unwrap_or(1).clamp(1, pages);
    let rows = rows
        .into_iter()
        .skip((page_no - 1) * REGISTER_PAGE)
        .take(REGISTER_PAGE)
        .collect();
    let page = RegisterPage {
        as_of: ist_date(Utc::now()),
        tab: if q.tab.is_empty() {
            "all".to_owned()
        } else {
            q.tab.clone()
        },
        q_q: page::urlencode(&q.q),
        q: q.q.clone(),
        sort: q.sort.clone(),
        counts,
        rows,
        page: page_no,
        pages,
        total_pending,
        p,
    };
    page::render(StatusCode::OK, page.render(), cookie)
}

async fn register_pdf(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<RegisterQuery>,
) -> Result<HttpResponse, PageError> {
    let (p, _) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t) = (state.clone(), tenant_of(&staff));
    let q = q.into_inner();
    let (rows, _) = db::run(&state.pool, move |c| register_rows(c, ctx(&st), &t, &q)).await?;
    let mut doc = crate::pdf::Doc::new(p.locale);
    doc.title(&p.t("CORE_HOUSEHOLD_REGISTER"));
    doc.heading(&format!(
        "{} · {} {}",
        p.tenant_name,
        p.t("WS_AS_OF"),
        ist_date(Utc::now())
    ));
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!("{}{}", r.no, if r.metered { " (M)" } else { "" }),
                r.old_no.clone(),
                r.name.clone(),
                r.guardian.clone(),
                r.pending_s(),
                r.advance_s(),
                p.t(if r.active {
                    "CORE_ACTIVE"
                } else {
                    "CORE_INACTIVE"
                }),
                r.last_bill_s(),
            ]
        })
        .collect();
    doc.table(
        &[
            &p.t("CONSUMER_CONNECTION_ID"),
            &p.t("CONSUMER_OLD_CONNECTION_ID"),
            &p.t("CONSUMER_NAME"),
            &p.t("CONSUMER_FATHER_SPOUSE_NAME"),
            &p.t("PAYMENT_PENDING_AMOUNT"),
            &p.t("CONSUMER_ADVANCE"),
            &p.t("CORE_STATUS"),
            &p.t("WS_LAST_BILL_DATE"),
        ],
        &table,
    );
    let bytes = doc
        .finish()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("pdf: {e}")))?;
    let name = format!(
        "HH_Register_{}",
        Utc::now().with_timezone(&IST).format("%d-%m-%Y")
    );
    Ok(pdf_response(&name, bytes))
}

#[derive(Template)]
#[template(path = "water/import.html")]
struct ImportPage {
    p: PageCtx,
    columns: Vec<&'static str>,
    error: String,
    /// Preview: the stored file and each row (line, name, old id, outcome key, messages).
    file_id: String,
    rows: Vec<(usize, String, String, &'static str, String)>,
    counts: (usize, usize, usize),
    /// Result of an import: (created, already there, invalid).
    done: Option<(usize, usize, usize)>,
}

fn import_page(p: PageCtx) -> ImportPage {
    ImportPage {
        p,
        columns: super::import::COLUMNS.to_vec(),
        error: String::new(),
        file_id: String::new(),
        rows: Vec::new(),
        counts: (0, 0, 0),
        done: None,
    }
}

async fn import_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    page::render(StatusCode::OK, import_page(p).render(), cookie)
}

/// Largest upload taken.
const MAX_UPLOAD: usize = 2 * 1024 * 1024;

async fn import_preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    mut parts: actix_multipart::Multipart,
) -> Result<HttpResponse, PageError> {
    use futures_util::StreamExt as _;
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|e| AppError::bad_request("INVALID_UPLOAD", e.to_string()))?;
        let name = part.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk =
                chunk.map_err(|e| AppError::bad_request("INVALID_UPLOAD", e.to_string()))?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() > MAX_UPLOAD {
                return Err(AppError::client(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "FILE_TOO_LARGE",
                    "the file is larger than 2 MB",
                )
                .into());
            }
        }
        match name.as_str() {
            "_csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes,
            _ => {}
        }
    }
    verify_csrf(&req, &csrf)?;
    let (mut p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t, actor) = (state.clone(), tenant_of(&staff), Some(staff.user.uuid));
    let checked = db::transaction(&state.pool, move |c| {
        let (pos, rows) = match super::import::parse(&file) {
            Ok(x) => x,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let checked = super::import::preview(c, ctx(&st), &t, &pos, &rows, Utc::now())?;
        let id = crate::platform::filestore::store(
            c,
            &t,
            "WS",
            Some("consumer-import"),
            "households.csv",
            "text/csv",
            file,
            actor,
            Utc::now(),
        )?;
        Ok(Ok((id, checked)))
    })
    .await?;
    let mut page = import_page(PageCtx::new(&req, &state).0);
    std::mem::swap(&mut page.p, &mut p);
    match checked {
        Err(why) => {
            page.error = why;
            page::render(StatusCode::BAD_REQUEST, page.render(), cookie)
        }
        Ok((id, checked)) => {
            use super::import::Outcome;
            page.file_id = id.to_string();
            page.counts = (
                checked
                    .iter()
                    .filter(|c| c.outcome == Outcome::Valid)
                    .count(),
                checked
                    .iter()
                    .filter(|c| c.outcome == Outcome::AlreadyRegistered)
                    .count(),
                checked
                    .iter()
                    .filter(|c| matches!(c.outcome, Outcome::Invalid(_)))
                    .count(),
            );
            page.rows = checked
                .into_iter()
                .map(|c| {
                    let (k, m) = match c.outcome {
                        Outcome::Valid => ("IMPORT_ROW_VALID", String::new()),
                        Outcome::AlreadyRegistered => ("IMPORT_ROW_ALREADY", String::new()),
                        Outcome::Invalid(m) => ("IMPORT_ROW_INVALID", m.join("; ")),
                    };
                    (c.line, c.name, c.old_no, k, m)
                })
                .collect();
            page::render(StatusCode::OK, page.render(), cookie)
        }
    }
}

#[derive(Deserialize)]
struct ImportForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    file_id: String,
}

async fn import_run(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let id = uuid::Uuid::parse_str(form.file_id.trim()).map_err(|_| not_found())?;
    let (st, t, actor) = (state.clone(), tenant_of(&staff), Some(staff.user.uuid));
    let done = db::transaction(&state.pool, move |c| {
        let Some(f) = crate::platform::filestore::get(c, &t, id)? else {
            return Ok(None);
        };
        let (pos, rows) = super::import::parse(&f.bytes)?;
        Ok(Some(super::import::import(
            c,
            ctx(&st),
            &t,
            &pos,
            &rows,
            actor,
            Utc::now(),
        )?))
    })
    .await?
    .ok_or_else(not_found)?;
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let mut page = import_page(p);
    page.done = Some((done.created, done.already, done.invalid));
    page::render(StatusCode::OK, page.render(), cookie)
}

/// The register as an Excel workbook, with the full export's columns (product.md §2.3).
async fn register_xlsx(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<RegisterQuery>,
) -> Result<HttpResponse, PageError> {
    use rust_xlsxwriter::{Format, Workbook};
    let (p, _) = PageCtx::for_staff(&req, &state, &staff).await?;
    let (st, t) = (state.clone(), tenant_of(&staff));
    let q = q.into_inner();
    let (rows, _) = db::run(&state.pool, move |c| register_rows(c, ctx(&st), &t, &q)).await?;
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!("xlsx: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let headers = [
        p.t("CONSUMER_CONNECTION_ID"),
        p.t("CONSUMER_OLD_CONNECTION_ID"),
        p.t("CONSUMER_NAME"),
        p.t("CONSUMER_FATHER_SPOUSE_NAME"),
        p.t("CORE_GENDER"),
        p.t("CONSUMER_MOBILE_NUMBER"),
        p.t("CONSUMER_CATEGORY"),
        p.t("CONSUMER_SUB_CATEGORY"),
        p.t("CONSUMER_PROPERTY_TYPE"),
        p.t("CONSUMER_SERVICE_TYPE"),
        p.t("WS_METER_NUMBER"),
        p.t("CONSUMER_ARREARS"),
        p.t("CONSUMER_PENALTY"),
        p.t("CONSUMER_ADVANCE"),
        p.t("WS_TOTAL_BILLED"),
        p.t("WS_TOTAL_COLLECTED"),
        p.t("PAYMENT_PENDING_AMOUNT"),
        p.t("WS_ADVANCE_TODAY"),
        p.t("CORE_STATUS"),
        p.t("WS_LAST_BILL_DATE"),
        p.t("WS_CREATED_ON"),
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, u16::try_from(c).unwrap_or(0), h, &bold)
            .map_err(fail)?;
    }
    let num = |d: Decimal| d.to_string().parse::<f64>().unwrap_or(0.0);
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let e = &r.extra;
        let texts = [
            r.no.clone(),
            r.old_no.clone(),
            r.name.clone(),
            r.guardian.clone(),
            p.t(&format!("GENDER_{}", e.gender)),
            e.mobile.clone(),
            e.category.clone(),
            e.sub_category.clone(),
            p.t(&format!("PROPERTYTYPE_{}", e.property_type)),
            p.t(&format!(
                "CONNECTIONTYPE_{}",
                e.connection_type.to_uppercase()
            )),
            e.meter.clone(),
        ];
        for (c, v) in texts.iter().enumerate() {
            sheet
                .write_string(row, u16::try_from(c).unwrap_or(0), v)
                .map_err(fail)?;
        }
        for (c, v) in [
            e.arrears,
            e.penalty,
            e.advance,
            e.billed,
            e.collected,
            r.pending,
            r.advance,
        ]
        .into_iter()
        .enumerate()
        {
            sheet
                .write_number_with_format(row, u16::try_from(11 + c).unwrap_or(0), num(v), &money)
                .map_err(fail)?;
        }
        let status = p.t(if r.active {
            "CORE_ACTIVE"
        } else {
            "CORE_INACTIVE"
        });
        sheet.write_string(row, 18, &status).map_err(fail)?;
        sheet.write_string(row, 19, r.last_bill_s()).map_err(fail)?;
        sheet
            .write_string(row, 20, ist_date(e.created))
            .map_err(fail)?;
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    let name = format!(
        "HH_Register_{}",
        Utc::now().with_timezone(&IST).format("%d-%m-%Y")
    );
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(crate::http::disposition(
            "attachment",
            &format!("{name}.xlsx"),
        ))
        .body(bytes))
}
