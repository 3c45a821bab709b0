//! Counter collection for staff with a collect role: find the household (by new or old
//! connection number, mobile number or part of the name, through water's search; several
//! matches are listed to pick from, none is said so), see its bill's breakdown (month by month,
//! penalty, advance), collect an amount after a confirmation step (the confirmation carries an
//! idempotency key, so a double tap takes one payment), get the receipt, and the household's
//! receipt history. Every step names who pays (holder, father's / spouse's name, address).
//!
//! These pages sit above water and collection (they show a household with its payments), so
//! they live with water's pages; collection's service takes the payment.

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Datelike as _, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{address, ctx};
use crate::business::billing::service::{self as billing, FullBill};
use crate::business::collection::service::{self, Filter, NewPayment, Taken};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::page::{self, Form, PageCtx, PageResult, StaffPage, csrf_forms};
use crate::http::routes::{Access, Routes};
use crate::municipal::water::model::Household;
use crate::municipal::water::service::{self as water, Criteria};
use crate::platform::user;
use crate::state::AppState;
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

/// Most households a search lists to pick from.
const PICK_LIMIT: i64 = 50;

pub(super) fn routes(r: &mut Routes<'_>) {
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

/// Who pays, as every step shows it: the holder, father's / spouse's name, address and ids.
#[derive(Clone, Default)]
struct Who {
    name: String,
    guardian: String,
    address: String,
    no: String,
    old_no: String,
}

impl Who {
    fn of(names: &page::Names, h: &Household) -> Who {
        Who {
            name: h.owner.name.clone(),
            guardian: h.owner.guardian.clone(),
            address: address(names, h),
            no: h.connection.connection_no.clone(),
            old_no: h.connection.old_connection_no.clone(),
        }
    }
}

/// The household of connection number `no` in `tenant`, if there is one.
fn who_of(
    conn: &mut diesel::PgConnection,
    st: &AppState,
    names: &page::Names,
    tenant: &str,
    no: &str,
) -> AppResult<Option<Who>> {
    let f = Criteria {
        tenant_id: tenant.to_owned(),
        connection_nos: vec![no.to_owned()],
        limit: 1,
        ..Criteria::default()
    };
    let (found, _) = water::search(conn, ctx(st), &f)?;
    Ok(found.first().map(|h| Who::of(names, h)))
}

/// The households a collector's entry names, through water's search: a mobile number, else the
/// new connection number, else the old one, else part of a name or of an id.
fn lookup(
    conn: &mut diesel::PgConnection,
    st: &AppState,
    tenant: &str,
    q: &str,
) -> AppResult<Vec<Household>> {
    let base = Criteria {
        tenant_id: tenant.to_owned(),
        limit: PICK_LIMIT,
        ..Criteria::default()
    };
    let mut tries = Vec::with_capacity(4);
    if let Ok(m) = user::service::check_mobile(q, "mobile") {
        tries.push(Criteria {
            mobile: Some(m),
            sort_by_name: true,
            ..base.clone()
        });
    }
    tries.push(Criteria {
        connection_nos: vec![q.to_owned()],
        ..base.clone()
    });
    tries.push(Criteria {
        old_connection_no: Some(q.to_owned()),
        sort_by_name: true,
        ..base.clone()
    });
    tries.push(Criteria {
        text: Some(q.to_owned()),
        sort_by_name: true,
        ..base
    });
    for f in tries {
        let (found, _) = water::search(conn, ctx(st), &f)?;
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Ok(Vec::new())
}

/// One household to pick among several: its link, who, and what it owes now.
struct Choice {
    q: String,
    who: Who,
    due: String,
}

/// What the entry found: nothing, one household (with its bill, if anything is due), or several.
enum Found {
    Nothing,
    One(Who, Option<Box<FullBill>>),
    Several(Vec<(Who, Decimal)>),
}

fn found_for(
    conn: &mut diesel::PgConnection,
    st: &AppState,
    names: &page::Names,
    tenant: &str,
    q: &str,
    actor: uuid::Uuid,
) -> AppResult<Found> {
    let mut found = lookup(conn, st, tenant, q)?;
    if found.len() > 1 {
        let list = found
            .iter()
            .map(|h| {
                let due = billing::owed_now(conn, tenant, SERVICE, &h.connection.connection_no)?;
                Ok((Who::of(names, h), due))
            })
            .collect::<AppResult<_>>()?;
        return Ok(Found::Several(list));
    }
    let who = found.pop().map(|h| Who::of(names, &h));
    // A consumer water does not know is shown only with a bill: what it owes, never "no dues".
    let no = who.as_ref().map_or(q, |w| w.no.as_str());
    let bill = billing::fetch_bill(
        conn,
        &st.settings.app.state_tenant,
        tenant,
        SERVICE,
        no,
        Some(actor),
        Utc::now(),
    )?;
    Ok(match (who, bill) {
        (Some(w), bill) => Found::One(w, bill.map(Box::new)),
        (None, Some(b)) => Found::One(
            Who {
                no: q.to_owned(),
                ..Who::default()
            },
            Some(Box::new(b)),
        ),
        (None, None) => Found::Nothing,
    })
}

#[derive(Template)]
#[template(path = "collect/find.html")]
struct FindPage {
    p: PageCtx,
    consumer: String,
    error: String,
    not_found: String,
    pick: String,
    choices: Vec<Choice>,
    who: Who,
    who_q: String,
    heading: String,
    bill_id: String,
    rows: Vec<(String, String, String)>,
    total: String,
}

fn find_page(p: PageCtx, consumer: &str, found: Found, error: String) -> FindPage {
    let (who, bill, choices, not_found) = match found {
        Found::Nothing if consumer.is_empty() => (Who::default(), None, Vec::new(), String::new()),
        Found::Nothing => (
            Who::default(),
            None,
            Vec::new(),
            p.t("COLLECT_NOT_FOUND").replace("{query}", consumer),
        ),
        Found::One(w, b) => (w, b, Vec::new(), String::new()),
        Found::Several(list) => {
            let choices = list
                .into_iter()
                .map(|(w, due)| Choice {
                    q: page::urlencode(&w.no),
                    who: w,
                    due: rupees(due),
                })
                .collect();
            (Who::default(), None, choices, String::new())
        }
    };
    let rows = bill
        .as_ref()
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
        pick: if choices.is_empty() {
            String::new()
        } else {
            p.t("COLLECT_PICK")
                .replace("{count}", &choices.len().to_string())
        },
        choices,
        not_found,
        who_q: page::urlencode(&who.no),
        heading: bill
            .as_ref()
            .map(|b| {
                p.t("COLLECT_BILL_FOR")
                    .replace("{number}", &b.bill.bill_number)
                    .replace("{consumer}", &who.no)
            })
            .unwrap_or_default(),
        who,
        bill_id: bill
            .as_ref()
            .map(|b| b.bill.id.to_string())
            .unwrap_or_default(),
        total: bill
            .as_ref()
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

/// The collect screen for what was typed (or for a household's number), with `error` shown.
async fn show(mut page: StaffPage, consumer: &str, error: &str, status: StatusCode) -> PageResult {
    let p = page.ctx()?;
    let consumer = consumer.trim().to_owned();
    let found = if consumer.is_empty() {
        Found::Nothing
    } else {
        let (st, t, c, actor, names) = (
            page.state.clone(),
            page.tenant.clone(),
            consumer.clone(),
            page.actor(),
            page.names(),
        );
        db::transaction(&page.state.pool, move |conn| {
            found_for(conn, &st, &names, &t, &c, actor)
        })
        .await?
    };
    let error = if error.is_empty() {
        String::new()
    } else {
        p.t(error)
    };
    let shown = find_page(p, &consumer, found, error);
    page.render(status, shown)
}

async fn find(page: StaffPage, q: web::Query<FindQuery>) -> PageResult {
    let consumer = q.consumer.clone().unwrap_or_default();
    show(page, &consumer, "", StatusCode::OK).await
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
    who: Who,
    bill_id: String,
    consumer: String,
    consumer_q: String,
    amount: String,
    payer: String,
    key: String,
}

/// A form error shown on the bill again.
async fn again(page: StaffPage, consumer: &str, key: &str) -> PageResult {
    show(page, consumer, key, StatusCode::BAD_REQUEST).await
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
    let (bill_id, st, t) = (payment.bill_id, page.state.clone(), page.tenant.clone());
    let names = page.names();
    let found = db::run(&page.state.pool, move |c| {
        let Some(bill) =
            billing::bill(c, bill_id)?.filter(|b| b.status == "ACTIVE" && b.tenant_id == t)
        else {
            return Ok(None);
        };
        let who = who_of(c, &st, &names, &t, &bill.consumer_code)?.unwrap_or_default();
        Ok(Some((bill, who)))
    })
    .await?;
    let Some((bill, who)) = found else {
        return again(page, form.consumer.trim(), "COLLECT_BILL_CHANGED").await;
    };
    let p = page.ctx()?;
    // Nobody named at the counter: the holder pays; no name at all: a sentence without one.
    let name = payment
        .payer_name
        .clone()
        .or_else(|| Some(who.name.clone()).filter(|n| !n.is_empty()));
    let question = p
        .t(match name {
            Some(_) => "COLLECT_CONFIRM_TEXT",
            None => "COLLECT_CONFIRM_TEXT_NO_PAYER",
        })
        .replace("{amount}", &rupees(payment.amount))
        .replace("{consumer}", &bill.consumer_code)
        .replace("{name}", name.as_deref().unwrap_or_default());
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
        who,
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
                service::paid(c, &st, &p, now)?;
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
    who: Who,
    consumer: String,
    consumer_q: String,
    number_q: String,
    paid: String,
    pending: String,
}

async fn receipt(mut page: StaffPage, id: web::Path<String>) -> PageResult {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| page::not_found())?;
    let (tenant, st, names) = (page.tenant.clone(), page.state.clone(), page.names());
    let found = db::run(&page.state.pool, move |c| {
        let Some(p) = service::get(c, id)?.filter(|p| p.tenant_id == tenant) else {
            return Ok(None);
        };
        let owed = billing::owed_now(c, &p.tenant_id, &p.business_service, &p.consumer_code)?;
        let who = who_of(c, &st, &names, &tenant, &p.consumer_code)?.unwrap_or_default();
        Ok(Some((p, owed, who)))
    })
    .await?;
    let Some((p_, pending, who)) = found else {
        return Err(page::not_found());
    };
    let p = page.ctx()?;
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
        who,
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
    who: Who,
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
    let (st, no, names) = (page.state.clone(), consumer.clone(), page.names());
    let (list, who) = db::run(&page.state.pool, move |c| {
        let (list, _) = service::search(c, &f)?;
        let who = who_of(c, &st, &names, &f.tenant_id, &no)?.unwrap_or_default();
        Ok((list, who))
    })
    .await?;
    let p = page.ctx()?;
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
        who,
        rows,
        p,
    };
    page.render(StatusCode::OK, shown)
}
