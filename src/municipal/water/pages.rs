//! Staff pages for households (product.md §2.3–2.4): search, the household screen (details,
//! bill card, meter reading, receipts), bill and receipt PDFs, sharing a bill, (`consumer.rs`)
//! creating and editing a household, and (`collect.rs`) collecting at the counter. The register and the import have their screens beside
//! them (`register/pages.rs`, `import/pages.rs`); demand generation and the rate card are the
//! calculator's.

mod collect;
mod consumer;

pub use collect::COLLECT_ROLES;

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::documents;
use super::model::Household;
use super::service::{self, Criteria, Ctx, SERVICE};
use crate::business::billing::service as billing;
use crate::business::collection;
use crate::db;
use crate::http::page::{
    self, Form, PageCtx, PageResult, StaffPage, Tile, csrf_forms, ist_date, not_found, pdf_response,
};
use crate::http::routes::{Access, Routes};
use crate::municipal::calculator::meter;
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
/// Who sees the Download Bills & Receipts tile (product.md §1.2: the counter's roles and bulk
/// demand); the search it opens is for `VIEW_ROLES`.
pub const RECEIPT_ROLES: &[&str] = &[
    "COLLECTION_OPERATOR",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
    "BULK_DEMAND_PROCESSING",
];

/// The home tiles of water's screens. The register's is for the counter's roles (product.md
/// §1.2), fewer than read the register (`VIEW_ROLES`, who reach it from the household screens).
pub const TILES: &[Tile] = &[
    Tile {
        place: 1,
        key: "CORE_HOUSEHOLD_REGISTER",
        href: "/home/householdRegister",
        roles: COLLECT_ROLES,
    },
    Tile {
        place: 2,
        key: "CORE_COLLECT_PAYMENTS",
        href: "/home/collect",
        roles: COLLECT_ROLES,
    },
    Tile {
        place: 3,
        key: "CORE_DOWNLOAD_BILLS_AND_RECEIPTS",
        href: "/home/consumers",
        roles: RECEIPT_ROLES,
    },
    Tile {
        place: 7,
        key: "CORE_CONSUMER_CREATE",
        href: "/home/consumercreate",
        roles: CONSUMER_ROLES,
    },
    Tile {
        place: 8,
        key: "CORE_UPDATE_CONSUMER_DETAILS",
        href: "/home/consumers",
        roles: CONSUMER_ROLES,
    },
];

pub fn routes(r: &mut Routes<'_>) {
    let (consumer, view) = (Access::Page(CONSUMER_ROLES), Access::Page(VIEW_ROLES));
    r.get("/home/consumers", view, search)
        .get("/home/household", view, household)
        .get("/home/household/bill.pdf", view, bill_pdf)
        .post("/home/household/share", view, share_bill)
        .post("/home/receipt/share", view, share_receipt)
        .get("/home/receipt.pdf", view, receipt_pdf);
    consumer::routes(r, consumer);
    collect::routes(r);
}

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx::of(state)
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

/// Door, street and ward (by name, in the page's language).
fn address(names: &page::Names, h: &Household) -> String {
    let ward = names.ward(&h.property.locality);
    [
        h.property.door_no.as_deref(),
        h.property.street.as_deref(),
        Some(ward.as_str()),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

async fn search(mut page: StaffPage, q: web::Query<SearchQuery>) -> PageResult {
    let q = q.into_inner();
    let p = page.ctx()?;
    let mut f = Criteria {
        tenant_id: page.tenant.clone(),
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
        let st = page.state.clone();
        let (found, _) =
            db::run(&page.state.pool, move |c| service::search(c, ctx(&st), &f)).await?;
        if let [one] = found.as_slice() {
            return Ok(page::see_other(&format!(
                "/home/household?no={}",
                page::urlencode(&one.connection.connection_no)
            )));
        }
        let names = p.names();
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
                        address(&names, h),
                    ),
                )
            })
            .collect();
    }
    let shown = SearchPage {
        p,
        q,
        criterion,
        results,
        error,
        searched,
    };
    page.render(StatusCode::OK, shown)
}

#[derive(Deserialize)]
struct HouseholdQuery {
    no: String,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    /// A metered bill was just made (the notice says for how much).
    #[serde(default)]
    billed: Option<String>,
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
    /// The bill's meter readings: (period, previous reading, current reading, units).
    bill_readings: Vec<(String, String, String, String)>,
    receipts: Vec<(String, String, String, String, String)>,
}

async fn household(mut page: StaffPage, q: web::Query<HouseholdQuery>) -> PageResult {
    let p = page.ctx()?;
    let (st, t, no, actor) = (
        page.state.clone(),
        page.tenant.clone(),
        q.no.clone(),
        page.actor(),
    );
    let found = db::transaction(&page.state.pool, move |c| {
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
        let demands: Vec<uuid::Uuid> = bill
            .iter()
            .flat_map(|b| b.details.iter().map(|(d, _)| d.demand_id))
            .collect();
        let readings = meter::of_demands(c, &demands)?;
        Ok(Some((h, bill, last, pays, penalty, readings)))
    })
    .await?;
    let Some((h, bill, last, pays, penalty, readings)) = found else {
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
        (p.t("PDF_ADDRESS"), address(&p.names(), &h)),
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
    if let Some(cat) = c.category.as_deref().filter(|s| !s.is_empty()) {
        card.push((p.t("CONSUMER_CATEGORY"), p.category_name(cat)));
    }
    if let Some(s) = c.sub_category.as_deref().filter(|s| !s.is_empty()) {
        card.push((p.t("CONSUMER_SUB_CATEGORY"), p.category_name(s)));
    }
    let month = |t: DateTime<Utc>| p.month_label(t.with_timezone(&IST).date_naive());
    let (mut bill_no, mut bill_rows, mut total, mut due) =
        (String::new(), Vec::new(), String::new(), String::new());
    if let Some(b) = &bill {
        bill_no = b.bill.bill_number.clone();
        bill_rows = b
            .details
            .iter()
            .rev()
            .flat_map(|(d, accts)| {
                let m = match readings.iter().find(|r| r.demand_id == Some(d.demand_id)) {
                    Some(r) => documents::reading_period(r),
                    None => documents::period_label(month, d.from_period, d.to_period),
                };
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
    // the readings behind the bill, newest first
    let mut bill_readings: Vec<&meter::Reading> = readings.iter().collect();
    bill_readings.sort_by_key(|r| std::cmp::Reverse(r.current_reading_date));
    let billed = match (&q.billed, &last, &bill) {
        (Some(_), Some(r), Some(b)) => b
            .details
            .iter()
            .find(|(d, _)| Some(d.demand_id) == r.demand_id)
            .map(|(d, _)| {
                p.t("WS_BILL_MADE")
                    .replace("{amount}", &inr(d.amount))
                    .replace("{units}", &r.consumption().to_string())
                    .replace("{period}", &documents::reading_period(r))
            }),
        _ => None,
    };
    let notice = if let Some(b) = billed {
        b
    } else if q.created.is_some() {
        p.t("CONSUMER_CREATED")
    } else if q.saved.is_some() {
        p.t("CORE_SAVED_SUCCESSFULLY")
    } else {
        String::new()
    };
    let error = q.error.as_deref().map(|k| p.t(k)).unwrap_or_default();
    let shown = HouseholdPage {
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
        bill_readings: bill_readings
            .iter()
            .map(|r| {
                (
                    documents::reading_period(r),
                    format!("{} ({})", r.last_reading, ist_date(r.last_reading_date)),
                    format!(
                        "{} ({})",
                        r.current_reading,
                        ist_date(r.current_reading_date)
                    ),
                    r.consumption().to_string(),
                )
            })
            .collect(),
        receipts,
        p,
    };
    page.render(StatusCode::OK, shown)
}

fn locale_of(p: &PageCtx) -> Locale {
    Locale::parse(p.locale).unwrap_or(Locale::Pa)
}

#[derive(Deserialize)]
pub(super) struct NoQuery {
    pub(super) no: String,
}

async fn bill_pdf(mut page: StaffPage, q: web::Query<NoQuery>) -> PageResult {
    let p = page.ctx()?;
    let (st, t, no, locale) = (
        page.state.clone(),
        page.tenant.clone(),
        q.no.clone(),
        locale_of(&p),
    );
    let made = db::transaction(&page.state.pool, move |c| {
        documents::bill_pdf(c, ctx(&st), &st.i18n, &t, &no, None, locale, Utc::now())
    })
    .await?;
    // nothing due (or no such household): said so, in the page's language
    let (bill, bytes) = made.ok_or_else(|| {
        page::PageError::Status(StatusCode::NOT_FOUND, "NO_BILL_FOUND".to_owned())
    })?;
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

csrf_forms!(ShareForm);

/// "Share on WhatsApp" (product.md §2.4): the bill PDF, in the page's language, is kept in the
/// filestore, its signed link (valid 7 days) gets a short link that lasts as long, and the browser
/// goes on to WhatsApp with the holder's number and the localized message (`SHARE_BILL_LINK`)
/// carrying the short link. Made on the tap, not on every view of the household.
async fn share_bill(mut page: StaffPage, form: Form<ShareForm>) -> PageResult {
    use crate::platform::shortener;
    let p = page.ctx()?;
    let (st, t, no, locale, actor) = (
        page.state.clone(),
        page.tenant.clone(),
        form.no.trim().to_owned(),
        locale_of(&p),
        page.actor(),
    );
    let made = db::transaction(&page.state.pool, move |c| {
        let now = Utc::now();
        let Some((conn, prop)) = service::by_number(c, &t, &no)? else {
            return Ok(None);
        };
        let h = service::household(ctx(&st), conn, prop)?;
        let Some((bill, bytes)) =
            documents::bill_pdf(c, ctx(&st), &st.i18n, &t, &no, None, locale, now)?
        else {
            return Ok(None);
        };
        let key = if h.connection.connection_type == "Metered" {
            "ws-bill-v2"
        } else {
            "ws-bill-nm-v2"
        };
        let name = format!("{}.pdf", bill.bill.bill_number.replace('/', "-"));
        let short = pdf_short_link(c, &st, &t, (key, &name, bytes), actor, now)?;
        Ok(Some((h, bill, short)))
    })
    .await?;
    let Some((h, bill, key)) = made else {
        return Err(not_found());
    };
    let cycle = bill
        .details
        .last()
        .map(|(d, _)| p.month_label(d.from_period.with_timezone(&IST).date_naive()))
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
            &shortener::short_url(&page.state.settings.app.base_url, &key),
        );
    Ok(whatsapp(&h.owner.mobile, &text))
}

/// A PDF kept in the file store with a short link lasting as long as its signed link (what a
/// WhatsApp share sends): the short link's key. `pdf`: its tag, file name and bytes.
fn pdf_short_link(
    c: &mut diesel::PgConnection,
    st: &AppState,
    tenant: &str,
    (tag, name, bytes): (&str, &str, Vec<u8>),
    actor: uuid::Uuid,
    now: chrono::DateTime<Utc>,
) -> crate::error::AppResult<String> {
    use crate::platform::{filestore, shortener};
    let file = filestore::store(
        c,
        &st.settings.filestore.dir,
        tenant,
        "PDF",
        Some(tag),
        name,
        "application/pdf",
        bytes,
        Some(actor),
        now,
    )?;
    let path = filestore::signed_path(&st.crypto, tenant, file, now);
    let till = now + chrono::Duration::days(filestore::LINK_DAYS);
    shortener::shorten(c, &path, Some(now), Some(till), Some(actor), now)
}

/// On to WhatsApp with the holder's number and `text`.
fn whatsapp(mobile: &str, text: &str) -> actix_web::HttpResponse {
    page::see_other(&format!(
        "https://wa.me/+91{mobile}?text={}",
        page::urlencode(text)
    ))
}

/// "Share on WhatsApp" for a receipt, as for a bill: the receipt PDF in the page's language is
/// kept, gets a short link lasting as long as its signed link, and the browser goes on to WhatsApp
/// with the holder's number and `SHARE_RECEIPT_LINK` (amount paid, still pending, the link).
async fn share_receipt(mut page: StaffPage, form: Form<ShareForm>) -> PageResult {
    use crate::platform::shortener;
    let p = page.ctx()?;
    let (st, t, no, locale, actor) = (
        page.state.clone(),
        page.tenant.clone(),
        form.no.trim().to_owned(),
        locale_of(&p),
        page.actor(),
    );
    let made = db::transaction(&page.state.pool, move |c| {
        let now = Utc::now();
        let Some((pay, bytes)) =
            documents::receipt_pdf(c, ctx(&st), &st.i18n, &t, &no, locale, now)?
        else {
            return Ok(None);
        };
        let Some((conn, prop)) = service::by_number(c, &t, &pay.consumer_code)? else {
            return Ok(None);
        };
        let h = service::household(ctx(&st), conn, prop)?;
        let name = format!("{}.pdf", pay.receipt_number.replace('/', "-"));
        let short = pdf_short_link(c, &st, &t, ("ws-receipt", &name, bytes), actor, now)?;
        Ok(Some((h, pay, short)))
    })
    .await?;
    let Some((h, pay, key)) = made else {
        return Err(not_found());
    };
    // the first {Amount} is what was paid, the second what was left due then (as the PDF says)
    let text = p
        .t("SHARE_RECEIPT_LINK")
        .replace("{user}", &h.owner.name)
        .replacen(
            "{Amount}",
            &pay.total_amount_paid.normalize().to_string(),
            1,
        )
        .replacen(
            "{Amount}",
            &(pay.total_due - pay.total_amount_paid)
                .normalize()
                .to_string(),
            1,
        )
        .replace("{new consumer id}", &h.connection.connection_no)
        .replace(
            "{link}",
            &shortener::short_url(&page.state.settings.app.base_url, &key),
        );
    Ok(whatsapp(&h.owner.mobile, &text))
}

async fn receipt_pdf(mut page: StaffPage, q: web::Query<NoQuery>) -> PageResult {
    let p = page.ctx()?;
    let (st, t, no, locale) = (
        page.state.clone(),
        page.tenant.clone(),
        q.no.clone(),
        locale_of(&p),
    );
    let made = db::run(&page.state.pool, move |c| {
        documents::receipt_pdf(c, ctx(&st), &st.i18n, &t, &no, locale, Utc::now())
    })
    .await?;
    let (pay, bytes) = made.ok_or_else(not_found)?;
    Ok(pdf_response(&pay.receipt_number, bytes))
}
