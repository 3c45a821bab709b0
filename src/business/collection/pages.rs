//! Counter collection for staff with a collect role: find a consumer's bill by consumer ID, see
//! its breakdown (month by month, penalty, advance), collect an amount after a confirmation step
//! (the confirmation carries an idempotency key, so a double tap takes one payment), get the
//! receipt, and the consumer's receipt history.

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Datelike as _, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::service::{self, Filter, NewPayment, Taken};
use crate::business::billing::service::{self as billing, FullBill};
use crate::db;
use crate::error::AppError;
use crate::http::page::{self, Form, PageCtx, PageResult, StaffPage, Tile, csrf_forms};
use crate::http::routes::{Access, Routes};
use crate::time::IST;

/// Who collects at the counter (product.md §1.2).
pub const COLLECT_ROLES: &[&str] = &[
    "COLLECTION_OPERATOR",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
];
const SERVICE: &str = "WS";

/// The home tile of the counter.
pub const TILES: &[Tile] = &[Tile {
    place: 2,
    key: "CORE_COLLECT_PAYMENTS",
    href: "/home/collect",
    roles: COLLECT_ROLES,
    ready: true,
}];

pub fn routes(r: &mut Routes<'_>) {
    let collect = Access::Page(COLLECT_ROLES);
    r.get("/home/collect", collect, find)
        .post("/home/collect/confirm", collect, confirm)
        .post("/home/collect/pay", collect, pay)
        .get("/home/collect/receipt/{id}", collect, receipt)
        .get("/home/collect/history", collect, history);
}

fn rupees(d: Decimal) -> String {
    d.normalize().to_string()
}

/// "April 2026" in the page's language.
fn month_label(p: &PageCtx, t: DateTime<Utc>) -> String {
    let t = t.with_timezone(&IST);
    format!("{} {}", p.t(&format!("MONTH_{}", t.month())), t.year())
}

#[derive(Template)]
#[template(path = "collect/find.html")]
struct FindPage {
    p: PageCtx,
    consumer: String,
    consumer_q: String,
    searched: bool,
    error: String,
    heading: String,
    bill_id: String,
    rows: Vec<(String, String, String)>,
    total: String,
}

fn find_page(p: PageCtx, consumer: &str, bill: Option<&FullBill>, error: String) -> FindPage {
    let rows = bill
        .map(|b| {
            b.details
                .iter()
                .flat_map(|(d, accts)| {
                    let month = month_label(&p, d.from_period);
                    accts
                        .iter()
                        .map(move |a| (month.clone(), a.tax_head_code.clone(), rupees(a.amount)))
                        .collect::<Vec<_>>()
                })
                .map(|(m, code, amt)| (m, p.t(&format!("TAXHEAD_{code}")), amt))
                .collect()
        })
        .unwrap_or_default();
    FindPage {
        consumer: consumer.to_owned(),
        consumer_q: page::urlencode(consumer),
        searched: !consumer.is_empty(),
        heading: bill
            .map(|b| {
                p.t("COLLECT_BILL_FOR")
                    .replace("{number}", &b.bill.bill_number)
                    .replace("{consumer}", consumer)
            })
            .unwrap_or_default(),
        bill_id: bill.map(|b| b.bill.id.to_string()).unwrap_or_default(),
        total: bill
            .map(|b| rupees(b.bill.total_amount))
            .unwrap_or_default(),
        rows,
        error,
        p,
    }
}

#[derive(Deserialize)]
struct FindQuery {
    consumer: Option<String>,
}

async fn find(mut page: StaffPage, q: web::Query<FindQuery>) -> PageResult {
    let p = page.ctx().await?;
    let consumer = q.consumer.clone().unwrap_or_default().trim().to_owned();
    let bill = if consumer.is_empty() {
        None
    } else {
        let (st, t, c, actor) = (
            page.state.clone(),
            page.tenant.clone(),
            consumer.clone(),
            page.actor(),
        );
        db::transaction(&page.state.pool, move |conn| {
            billing::fetch_bill(
                conn,
                &st.settings.app.state_tenant,
                &t,
                SERVICE,
                &c,
                Some(actor),
                Utc::now(),
            )
        })
        .await?
    };
    let found = find_page(p, &consumer, bill.as_ref(), String::new());
    page.render(StatusCode::OK, found)
}

#[derive(Deserialize)]
struct CollectForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    bill_id: String,
    #[serde(default)]
    consumer: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    payer: String,
    #[serde(default)]
    key: String,
}

csrf_forms!(CollectForm);

#[derive(Template)]
#[template(path = "collect/confirm.html")]
struct ConfirmPage {
    p: PageCtx,
    question: String,
    after: String,
    bill_id: String,
    consumer: String,
    consumer_q: String,
    amount: String,
    payer: String,
    key: String,
}

/// A form error shown on the bill again.
async fn again(mut page: StaffPage, consumer: &str, key: &str) -> PageResult {
    let p = page.ctx().await?;
    let error = p.t(key);
    let (st, t, c, actor) = (
        page.state.clone(),
        page.tenant.clone(),
        consumer.to_owned(),
        page.actor(),
    );
    let bill = db::transaction(&page.state.pool, move |conn| {
        billing::fetch_bill(
            conn,
            &st.settings.app.state_tenant,
            &t,
            SERVICE,
            &c,
            Some(actor),
            Utc::now(),
        )
    })
    .await?;
    let found = find_page(p, consumer, bill.as_ref(), error);
    page.render(StatusCode::BAD_REQUEST, found)
}

fn payment_of(page: &StaffPage, f: &CollectForm) -> Result<NewPayment, &'static str> {
    let bill_id = uuid::Uuid::parse_str(f.bill_id.trim()).map_err(|_| "COLLECT_BILL_CHANGED")?;
    let amount = crate::money::parse(&f.amount).map_err(|_| "CORE_INVALID_AMOUNT")?;
    let p = NewPayment {
        tenant_id: page.tenant.clone(),
        bill_id,
        business_service: SERVICE.to_owned(),
        total_due: Decimal::ZERO,
        amount,
        payment_mode: "CASH".to_owned(),
        paid_by: Some("OWNER".to_owned()),
        payer_name: Some(f.payer.trim().to_owned()).filter(|n| !n.is_empty()),
        mobile: None,
        instrument_number: None,
        idempotency_key: Some(f.key.clone()).filter(|k| !k.is_empty()),
    };
    match service::check(&p) {
        Ok(()) => Ok(p),
        Err(e) if e.code() == "AMOUNT_ABOVE_LIMIT" => Err("PAYMENT_LIMIT"),
        Err(_) => Err("CORE_INVALID_AMOUNT"),
    }
}

async fn confirm(mut page: StaffPage, form: Form<CollectForm>) -> PageResult {
    let payment = match payment_of(&page, &form) {
        Ok(p) => p,
        Err(key) => return again(page, form.consumer.trim(), key).await,
    };
    let bill_id = payment.bill_id;
    let bill = db::run(&page.state.pool, move |c| Ok(billing::bill(c, bill_id)?)).await?;
    let Some(bill) = bill.filter(|b| b.status == "ACTIVE" && b.tenant_id == payment.tenant_id)
    else {
        return again(page, form.consumer.trim(), "COLLECT_BILL_CHANGED").await;
    };
    let p = page.ctx().await?;
    let name = payment.payer_name.clone().unwrap_or_else(|| "—".to_owned());
    let question = p
        .t("COLLECT_CONFIRM_TEXT")
        .replace("{amount}", &rupees(payment.amount))
        .replace("{name}", &name)
        .replace("{consumer}", &bill.consumer_code);
    let after = if payment.amount > bill.total_amount {
        p.t("COLLECT_ADVANCE_AFTER")
            .replace("{amount}", &rupees(payment.amount - bill.total_amount))
    } else if payment.amount < bill.total_amount {
        p.t("COLLECT_BALANCE_AFTER")
            .replace("{amount}", &rupees(bill.total_amount - payment.amount))
    } else {
        String::new()
    };
    let confirmation = ConfirmPage {
        question,
        after,
        bill_id: bill.id.to_string(),
        consumer_q: page::urlencode(&bill.consumer_code),
        consumer: bill.consumer_code,
        amount: rupees(payment.amount),
        payer: payment.payer_name.unwrap_or_default(),
        key: uuid::Uuid::new_v4().to_string(),
        p,
    };
    page.render(StatusCode::OK, confirmation)
}

async fn pay(page: StaffPage, form: Form<CollectForm>) -> PageResult {
    let payment = match payment_of(&page, &form) {
        Ok(p) => p,
        Err(key) => return again(page, form.consumer.trim(), key).await,
    };
    let (st, actor) = (page.state.clone(), page.actor());
    let out = db::transaction(&page.state.pool, move |c| {
        let now = Utc::now();
        match service::create(
            c,
            &st.crypto,
            &st.settings.app.state_tenant,
            &payment,
            Some(actor),
            now,
        )? {
            Taken::New(p, _) => {
                service::remember(
                    c,
                    &payment,
                    p.id,
                    &serde_json::json!({"paymentId": p.id}),
                    now,
                )?;
                Ok(p.id)
            }
            Taken::Replayed(v) => v
                .get("paymentId")
                .and_then(|x| x.as_str())
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
                .ok_or_else(|| {
                    AppError::conflict(
                        "IDEMPOTENCY_KEY_REUSED",
                        "This confirmation was used for another payment",
                    )
                }),
        }
    })
    .await;
    match out {
        Ok(id) => Ok(page::see_other(&format!("/home/collect/receipt/{id}"))),
        Err(AppError::Client { errors, .. }) => {
            let key = match errors.first().map(|e| e.code.as_str()) {
                Some("AMOUNT_ABOVE_LIMIT") => "PAYMENT_LIMIT",
                Some("INVALID_AMOUNT") => "CORE_INVALID_AMOUNT",
                _ => "COLLECT_BILL_CHANGED",
            };
            again(page, form.consumer.trim(), key).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "collect/receipt.html")]
struct ReceiptPage {
    p: PageCtx,
    number: String,
    date: String,
    consumer: String,
    consumer_q: String,
    number_q: String,
    paid: String,
    pending: String,
}

async fn receipt(mut page: StaffPage, id: web::Path<String>) -> PageResult {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| page::not_found())?;
    let tenant = page.tenant.clone();
    let found = db::run(&page.state.pool, move |c| {
        let Some(p) = service::get(c, id)?.filter(|p| p.tenant_id == tenant) else {
            return Ok(None);
        };
        let owed = billing::owed_now(c, &p.tenant_id, &p.business_service, &p.consumer_code)?;
        Ok(Some((p, owed)))
    })
    .await?;
    let Some((p_, pending)) = found else {
        return Err(page::not_found());
    };
    let p = page.ctx().await?;
    let shown = ReceiptPage {
        number: p_.receipt_number.clone(),
        number_q: page::urlencode(&p_.receipt_number),
        date: p_
            .receipt_date
            .with_timezone(&IST)
            .format("%d-%m-%Y %H:%M")
            .to_string(),
        consumer_q: page::urlencode(&p_.consumer_code),
        consumer: p_.consumer_code.clone(),
        paid: rupees(p_.total_amount_paid),
        pending: rupees(pending),
        p,
    };
    page.render(StatusCode::OK, shown)
}

#[derive(Template)]
#[template(path = "collect/history.html")]
struct HistoryPage {
    p: PageCtx,
    consumer: String,
    consumer_q: String,
    rows: Vec<(String, String, String, String, String)>,
}

async fn history(mut page: StaffPage, q: web::Query<FindQuery>) -> PageResult {
    let consumer = q.consumer.clone().unwrap_or_default().trim().to_owned();
    let f = Filter {
        tenant_id: page.tenant.clone(),
        consumer_codes: vec![consumer.clone()],
        business_services: vec![SERVICE.to_owned()],
        limit: 200,
        ..Filter::default()
    };
    let (list, _) = db::run(&page.state.pool, move |c| service::search(c, &f)).await?;
    let p = page.ctx().await?;
    let rows = list
        .iter()
        .map(|x| {
            let status = if x.payment_status == "CANCELLED" {
                p.t("COLLECT_CANCELLED")
            } else {
                p.t("CORE_ACTIVE")
            };
            (
                x.id.to_string(),
                x.receipt_number.clone(),
                x.receipt_date
                    .with_timezone(&IST)
                    .format("%d-%m-%Y")
                    .to_string(),
                rupees(x.total_amount_paid),
                status,
            )
        })
        .collect();
    let shown = HistoryPage {
        consumer_q: page::urlencode(&consumer),
        consumer,
        rows,
        p,
    };
    page.render(StatusCode::OK, shown)
}
