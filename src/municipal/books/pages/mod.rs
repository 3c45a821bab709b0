//! `/home/books`: the index of the GP's statements, and each statement with its picker (a
//! financial year, or a month for the reconciliation), its tables, and `download=pdf|xlsx`.

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

mod render;

use crate::business::accounts::{coa, statements};
use crate::db;
use crate::http::page::{PageCtx, PageResult, StaffPage, Tile, pdf_response};
use crate::http::routes::{Access, Routes};
use crate::municipal::echallan::reports_pages::REPORT_ROLES;
use crate::municipal::echallan::service as challans;
use crate::time::{Fy, IST};
use render::{Cell, Section, Shown, pdf, shown, xlsx};

pub const TILES: &[Tile] = &[Tile {
    place: 17,
    key: "CORE_GP_BOOKS",
    href: "/home/books",
    roles: REPORT_ROLES,
}];

/// The statements: path, title key, whether it is picked by month (else by financial year).
const STATEMENTS: &[(&str, &str, bool)] = &[
    ("receipts-payments", "BOOKS_RECEIPTS_PAYMENTS", false),
    ("reconciliation", "BOOKS_RECONCILIATION", true),
    ("receivables", "BOOKS_RECEIVABLES", false),
    ("payables", "BOOKS_PAYABLES", false),
    ("dcb", "BOOKS_DCB", false),
];

pub fn routes(r: &mut Routes<'_>) {
    let view = Access::Page(REPORT_ROLES);
    r.get("/home/books", view, index)
        .get("/home/books/receipts-payments", view, receipts_payments)
        .get("/home/books/reconciliation", view, reconciliation)
        .get("/home/books/receivables", view, receivables)
        .get("/home/books/payables", view, payables)
        .get("/home/books/dcb", view, dcb);
}

#[derive(Template)]
#[template(path = "books/index.html")]
struct IndexPage {
    p: PageCtx,
    /// (path, title)
    links: Vec<(String, String)>,
}

async fn index(mut page: StaffPage) -> PageResult {
    let p = page.ctx()?;
    let links = STATEMENTS
        .iter()
        .map(|(path, key, _)| (format!("/home/books/{path}"), p.t(key)))
        .collect();
    page.render(StatusCode::OK, IndexPage { p, links })
}

#[derive(Deserialize)]
struct Query {
    fy: Option<String>,
    month: Option<String>,
    download: Option<String>,
}

#[derive(Template)]
#[template(path = "books/statement.html")]
struct StatementPage {
    p: PageCtx,
    title: String,
    path: String,
    /// Picked by month (`<input type=month>`) or by financial year (`<select>`).
    by_month: bool,
    /// The value picked (`2026-27` or `2026-12`), empty when it did not read.
    picked: String,
    /// The financial years to pick from, newest first.
    years: Vec<String>,
    period: String,
    error: String,
    sections: Vec<Shown>,
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&IST).date_naive()
}

/// The first financial year the picker offers.
const FIRST_FY: i32 = 2015;

/// The financial year asked for (this one when not given); None when it does not read or does
/// not exist yet (or is before the books).
fn fy_of(q: &Query) -> Option<Fy> {
    let now = Fy::of_date(today());
    match q.fy.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(now),
        Some(s) => Fy::parse(s).filter(|f| f.0 >= FIRST_FY && *f <= now),
    }
}

/// The month asked for (this one when not given); None when it does not read or is to come.
fn month_of(q: &Query) -> Option<NaiveDate> {
    let now = crate::time::month_start(today());
    match q.month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(now),
        Some(s) => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| *d <= now && Fy::of_date(*d).0 >= FIRST_FY),
    }
}

/// A period: first and last day, its label, its value in the picker.
struct Period {
    from: NaiveDate,
    to: NaiveDate,
    label: String,
    picked: String,
}

fn period(p: &PageCtx, q: &Query, by_month: bool) -> Option<Period> {
    if by_month {
        let m = month_of(q)?;
        Some(Period {
            from: m,
            to: crate::time::next_month(m).pred_opt().unwrap_or(m),
            label: p.month_label(m),
            picked: m.format("%Y-%m").to_string(),
        })
    } else {
        let f = fy_of(q)?;
        Some(Period {
            from: f.first_day(),
            to: f.last_day(),
            label: format!("{} {}", p.t("BOOKS_FY"), f.label()),
            picked: f.label(),
        })
    }
}

/// The day a statement of balances is taken: the period's end, or today within it.
fn as_of(per: &Period) -> NaiveDate {
    per.to.min(today())
}

type Build =
    fn(&mut diesel::PgConnection, &PageCtx, &str, &Period) -> crate::error::AppResult<Vec<Section>>;

async fn statement(mut page: StaffPage, q: Query, which: usize, build: Build) -> PageResult {
    let p = page.ctx()?;
    let (path, key, by_month) = STATEMENTS[which];
    let title = p.t(key);
    let per = period(&p, &q, by_month);
    let sections = match &per {
        None => Vec::new(),
        Some(per) => {
            let (t, pc) = (page.tenant.clone(), page.texts());
            let per = Period {
                from: per.from,
                to: per.to,
                label: per.label.clone(),
                picked: per.picked.clone(),
            };
            db::run(&page.state.pool, move |c| build(c, &pc, &t, &per)).await?
        }
    };
    let subtitle = format!(
        "{} · {}",
        p.gp_name(),
        per.as_ref().map(|x| x.label.clone()).unwrap_or_default()
    );
    match (q.download.as_deref(), &per) {
        (Some("pdf"), Some(per)) => {
            let bytes = pdf(p.locale, &title, &subtitle, &sections)?;
            return Ok(pdf_response(
                &file_name(&page.tenant, path, &per.picked),
                bytes,
            ));
        }
        (Some("xlsx"), Some(per)) => {
            return xlsx(
                &file_name(&page.tenant, path, &per.picked),
                &title,
                &subtitle,
                &sections,
            );
        }
        _ => {}
    }
    let now = Fy::of_date(today()).0;
    let shown_page = StatementPage {
        title,
        path: format!("/home/books/{path}"),
        by_month,
        picked: per.as_ref().map(|x| x.picked.clone()).unwrap_or_default(),
        years: (FIRST_FY..=now).rev().map(|y| Fy(y).label()).collect(),
        period: per.as_ref().map(|x| x.label.clone()).unwrap_or_default(),
        error: if per.is_none() {
            p.t(if by_month {
                "REPORT_INVALID_MONTH"
            } else {
                "BOOKS_INVALID_FY"
            })
        } else {
            String::new()
        },
        sections: shown(&sections),
        p,
    };
    let status = if per.is_some() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page.render(status, shown_page)
}

/// `<Statement>_<gp>_<period>`.
fn file_name(tenant: &str, path: &str, picked: &str) -> String {
    let gp = tenant.split_once('.').map_or(tenant, |(_, g)| g);
    format!("{path}_{gp}_{picked}")
}

fn money(v: rust_decimal::Decimal) -> Cell {
    Cell::Money(v)
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn head_name(p: &PageCtx, code: &str) -> String {
    p.t(coa::name_key(code))
}

async fn receipts_payments(page: StaffPage, q: web::Query<Query>) -> PageResult {
    statement(page, q.into_inner(), 0, |c, p, t, per| {
        let a = statements::cash_account(c, t, per.from, per.to)?;
        let heads = vec![p.t("BOOKS_CODE"), p.t("BOOKS_HEAD"), p.t("BOOKS_AMOUNT")];
        let mut receipts = vec![vec![
            text("-"),
            text(p.t("BOOKS_OPENING_CASH")),
            money(a.opening),
        ]];
        receipts.extend(
            a.receipts
                .iter()
                .map(|(h, v)| vec![text(h.as_str()), text(head_name(p, h)), money(*v)]),
        );
        let total = a.opening + a.total_receipts();
        receipts.push(vec![text(""), text(p.t("BOOKS_TOTAL")), money(total)]);
        let mut payments: Vec<Vec<Cell>> = a
            .payments
            .iter()
            .map(|(h, v)| vec![text(h.as_str()), text(head_name(p, h)), money(*v)])
            .collect();
        payments.push(vec![
            text("-"),
            text(p.t("BOOKS_CLOSING_CASH")),
            money(a.closing),
        ]);
        payments.push(vec![
            text(""),
            text(p.t("BOOKS_TOTAL")),
            money(a.total_payments() + a.closing),
        ]);
        Ok(vec![
            Section {
                title: p.t("BOOKS_RECEIPTS"),
                heads: heads.clone(),
                rows: receipts,
            },
            Section {
                title: p.t("BOOKS_PAYMENTS"),
                heads,
                rows: payments,
            },
        ])
    })
    .await
}

async fn reconciliation(page: StaffPage, q: web::Query<Query>) -> PageResult {
    statement(page, q.into_inner(), 1, |c, p, t, per| {
        let a = statements::cash_account(c, t, per.from, per.to)?;
        Ok(vec![Section {
            title: per.label.clone(),
            heads: vec![p.t("BOOKS_PARTICULARS"), p.t("BOOKS_AMOUNT")],
            rows: vec![
                vec![text(p.t("BOOKS_OPENING_CASH")), money(a.opening)],
                vec![text(p.t("BOOKS_ADD_RECEIPTS")), money(a.total_receipts())],
                vec![text(p.t("BOOKS_LESS_PAYMENTS")), money(a.total_payments())],
                vec![text(p.t("BOOKS_CLOSING_CASH")), money(a.closing)],
            ],
        }])
    })
    .await
}

fn age_heads(p: &PageCtx, first: &[&str]) -> Vec<String> {
    first
        .iter()
        .map(|k| p.t(k))
        .chain(
            [
                "BOOKS_BALANCE",
                "BOOKS_AGE_30",
                "BOOKS_AGE_90",
                "BOOKS_AGE_180",
                "BOOKS_AGE_365",
                "BOOKS_AGE_OLDER",
            ]
            .iter()
            .map(|k| p.t(k)),
        )
        .collect()
}

fn aged_rows(
    p: &PageCtx,
    rows: &[statements::Aged],
    first: impl Fn(&statements::Aged) -> Vec<Cell>,
    width: usize,
) -> Vec<Vec<Cell>> {
    let mut out: Vec<Vec<Cell>> = rows
        .iter()
        .map(|a| {
            let mut r = first(a);
            r.push(money(a.balance));
            r.extend(a.buckets.iter().map(|b| money(*b)));
            r
        })
        .collect();
    let mut total = vec![text(p.t("BOOKS_TOTAL"))];
    total.extend((1..width).map(|_| text("")));
    total.push(money(rows.iter().map(|a| a.balance).sum()));
    for i in 0..5 {
        total.push(money(rows.iter().map(|a| a.buckets[i]).sum()));
    }
    out.push(total);
    out
}

async fn receivables(page: StaffPage, q: web::Query<Query>) -> PageResult {
    statement(page, q.into_inner(), 2, |c, p, t, per| {
        let day = as_of(per);
        let rows = statements::receivables(c, t, day)?;
        Ok(vec![Section {
            title: format!("{} {}", p.t("BOOKS_AS_OF"), day.format("%d/%m/%Y")),
            heads: age_heads(p, &["CONSUMER_CONNECTION_ID"]),
            rows: aged_rows(p, &rows, |a| vec![text(a.party.as_str())], 1),
        }])
    })
    .await
}

async fn payables(page: StaffPage, q: web::Query<Query>) -> PageResult {
    statement(page, q.into_inner(), 3, |c, p, t, per| {
        let day = as_of(per);
        let rows = statements::payables(c, t, day)?;
        let mut vendors = std::collections::HashMap::new();
        for a in &rows {
            let key = challans::Key::No(a.party.clone());
            if let Some(ch) = challans::get(c, t, &key)? {
                vendors.insert(a.party.clone(), ch.vendor_name);
            }
        }
        let mut rows = rows;
        rows.sort_by(|a, b| {
            (vendors.get(&a.party), &a.party).cmp(&(vendors.get(&b.party), &b.party))
        });
        Ok(vec![Section {
            title: format!("{} {}", p.t("BOOKS_AS_OF"), day.format("%d/%m/%Y")),
            heads: age_heads(p, &["EXPENSE_VENDOR_NAME", "BILL_ID"]),
            rows: aged_rows(
                p,
                &rows,
                |a| {
                    vec![
                        text(vendors.get(&a.party).cloned().unwrap_or_else(|| "-".into())),
                        text(a.party.as_str()),
                    ]
                },
                2,
            ),
        }])
    })
    .await
}

async fn dcb(page: StaffPage, q: web::Query<Query>) -> PageResult {
    statement(page, q.into_inner(), 4, |c, p, t, per| {
        let rows = statements::dcb(c, t, per.from, per.to)?;
        let mut out: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| {
                vec![
                    text(r.party.as_str()),
                    money(r.opening),
                    money(r.demand),
                    money(r.collection),
                    money(r.balance),
                ]
            })
            .collect();
        let sum =
            |f: fn(&statements::DcbRow) -> rust_decimal::Decimal| money(rows.iter().map(f).sum());
        out.push(vec![
            text(p.t("BOOKS_TOTAL")),
            sum(|r| r.opening),
            sum(|r| r.demand),
            sum(|r| r.collection),
            sum(|r| r.balance),
        ]);
        Ok(vec![Section {
            title: per.label.clone(),
            heads: [
                "CONSUMER_CONNECTION_ID",
                "BOOKS_OPENING_ARREARS",
                "BOOKS_DEMAND",
                "BOOKS_COLLECTION",
                "BOOKS_BALANCE",
            ]
            .iter()
            .map(|k| p.t(k))
            .collect(),
            rows: out,
        }])
    })
    .await
}
