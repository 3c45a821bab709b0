//! The water reports' screens under `/home/reports/…`: a period (or month, or financial year)
//! picker, "View" as a table of ten rows a page with the totals of the whole report, and the
//! whole report as Excel and CSV (and PDF for the two ledgers). The consumer ledger opens from
//! the household's page.

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::check;
use super::rows;
use crate::db;
use crate::error::{AppError, codes};
use crate::http::page::{PageCtx, PageResult, StaffPage, ist_date, pdf_response};
use crate::http::routes::{Access, Routes};
use crate::municipal::echallan::reports_pages::REPORT_ROLES;
use crate::municipal::water::service::Ctx;
use crate::time::{Fy, IST};
use crate::words::{inr, urlencode};

macro_rules! report_routes {
    ($r:ident, $view:ident, $($path:literal => $kind:expr),* $(,)?) => {
        $(
            $r.get($path, $view, |page: StaffPage, q: web::Query<Query>| show(page, q, $kind, Out::Html))
                .get(concat!($path, ".xlsx"), $view, |page: StaffPage, q: web::Query<Query>| show(page, q, $kind, Out::Xlsx))
                .get(concat!($path, ".csv"), $view, |page: StaffPage, q: web::Query<Query>| show(page, q, $kind, Out::Csv));
        )*
    };
}

pub fn routes(r: &mut Routes<'_>) {
    let view = Access::Page(REPORT_ROLES);
    report_routes!(r, view,
        "/home/reports/bill" => Kind::Bill,
        "/home/reports/collection" => Kind::Collection,
        "/home/reports/inactive" => Kind::Inactive,
        "/home/reports/monthly" => Kind::Monthly,
        "/home/reports/ledger" => Kind::Ledger,
    );
    r.get(
        "/home/reports/monthly.pdf",
        view,
        |page: StaffPage, q: web::Query<Query>| show(page, q, Kind::Monthly, Out::Pdf),
    )
    .get(
        "/home/reports/ledger.pdf",
        view,
        |page: StaffPage, q: web::Query<Query>| show(page, q, Kind::Ledger, Out::Pdf),
    );
}

const PAGE_ROWS: usize = 10;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bill,
    Collection,
    Inactive,
    Monthly,
    Ledger,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Bill => "/home/reports/bill",
            Kind::Collection => "/home/reports/collection",
            Kind::Inactive => "/home/reports/inactive",
            Kind::Monthly => "/home/reports/monthly",
            Kind::Ledger => "/home/reports/ledger",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Kind::Bill => "BILL_REPORT",
            Kind::Collection => "COLLECTION_REPORT",
            Kind::Inactive => "INACTIVE_CONSUMER_REPORT",
            Kind::Monthly => "MONTHLY_LEDGER_REPORT_LABEL",
            Kind::Ledger => "LEDGER_REPORTS",
        }
    }
    fn file(self) -> &'static str {
        match self {
            Kind::Bill => "BillReport",
            Kind::Collection => "CollectionReport",
            Kind::Inactive => "InactiveConsumerReport",
            Kind::Monthly => "MonthlyLedgerReport",
            Kind::Ledger => "LedgerReport",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Out {
    Html,
    Xlsx,
    Csv,
    Pdf,
}

#[derive(Deserialize, Default)]
pub struct Query {
    /// First and last day (`YYYY-MM-DD`) of the bill, collection and inactive reports.
    from: Option<String>,
    to: Option<String>,
    /// `YYYY-MM` of the monthly ledger.
    month: Option<String>,
    /// The household and financial year (`2024-25`) of the consumer ledger.
    no: Option<String>,
    fy: Option<String>,
    page: Option<usize>,
}

/// What the picker asked for, as it reads, and the code of what is wrong with it.
struct Picked {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    fy: Option<Fy>,
    no: String,
    problem: Option<&'static str>,
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&IST).date_naive()
}

fn month_end(m: NaiveDate) -> NaiveDate {
    crate::time::next_month(m).pred_opt().unwrap_or(m)
}

fn text(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn pick(kind: Kind, q: &Query) -> Picked {
    let today = today();
    let this_month = crate::time::month_start(today);
    let mut p = Picked {
        from: None,
        to: None,
        fy: None,
        no: text(&q.no).unwrap_or_default().to_owned(),
        problem: None,
    };
    match kind {
        Kind::Bill | Kind::Collection | Kind::Inactive => {
            let day = |s: &Option<String>, default: NaiveDate| match text(s) {
                None => Some(default),
                Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
            };
            p.from = day(&q.from, this_month);
            p.to = day(&q.to, month_end(this_month));
            p.problem = match (p.from, p.to) {
                (Some(f), Some(t)) => check::period_problem(f, t, today),
                _ => Some(codes::INVALID_DATE),
            };
        }
        Kind::Monthly => {
            let m = match text(&q.month) {
                None => Some(this_month),
                Some(s) => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok(),
            };
            p.from = m;
            p.to = m.map(month_end);
            p.problem = match m {
                Some(m) => check::period_problem(m, month_end(m), today),
                None => Some(codes::INVALID_DATE),
            };
        }
        Kind::Ledger => {
            let fy = match text(&q.fy) {
                None => Ok(Fy::of_date(today)),
                Some(s) => check::financial_year(Some(s), today),
            };
            match fy {
                Ok(fy) => p.fy = Some(fy),
                Err(_) => p.problem = Some(codes::INVALID_FINANCIAL_YEAR),
            }
            if p.no.is_empty() {
                p.problem = p.problem.or(Some(codes::CONNECTION_NOT_FOUND));
            }
        }
    }
    p
}

use crate::http::export::{Table, csv, xlsx};

fn day_of(t: Option<chrono::DateTime<Utc>>) -> String {
    t.map(ist_date).unwrap_or_else(|| "-".to_owned())
}

fn money_sum<T>(rows: &[T], f: impl Fn(&T) -> Decimal) -> String {
    inr(rows.iter().map(f).sum())
}

async fn table(page: &StaffPage, p: &PageCtx, kind: Kind, k: &Picked) -> Result<Table, AppError> {
    let (st, t) = (page.state.clone(), page.tenant.clone());
    let heads = |keys: &[&str]| keys.iter().map(|k| p.t(k)).collect::<Vec<_>>();
    let total = p.t("TOTAL");
    let (from, to) = (k.from.unwrap_or_default(), k.to.unwrap_or_default());
    Ok(match kind {
        Kind::Bill => {
            let rows = db::run(&page.state.pool, move |c| {
                rows::bill_rows(c, Ctx::of(&st), &t, from, to)
            })
            .await?;
            Table {
                heads: heads(&[
                    "CONSUMER_CONNECTION_ID",
                    "CONSUMER_OLD_CONNECTION_ID",
                    "CONSUMER_NAME",
                    "WSR_CONSUMER_CREATED_ON",
                    "CORE_PENALTY",
                    "WSR_ADVANCE",
                    "WSR_DEMAND_AMOUNT",
                ]),
                totals: vec![
                    total,
                    String::new(),
                    String::new(),
                    String::new(),
                    money_sum(&rows, |r| r.penalty),
                    money_sum(&rows, |r| r.advance),
                    money_sum(&rows, |r| r.demand),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.who.connection_no.clone(),
                            r.who.old_connection_no.clone(),
                            r.who.name.clone(),
                            ist_date(r.who.created_at),
                            inr(r.penalty),
                            inr(r.advance),
                            inr(r.demand),
                        ]
                    })
                    .collect(),
                about: String::new(),
            }
        }
        Kind::Collection => {
            let rows = db::run(&page.state.pool, move |c| {
                rows::collection_rows(c, Ctx::of(&st), &t, from, to)
            })
            .await?;
            Table {
                heads: heads(&[
                    "CONSUMER_CONNECTION_ID",
                    "CONSUMER_OLD_CONNECTION_ID",
                    "CONSUMER_NAME",
                    "PAYMENT_METHOD",
                    "TOTAL_AMOUNT",
                ]),
                totals: vec![
                    total,
                    String::new(),
                    String::new(),
                    String::new(),
                    money_sum(&rows, |r| r.amount),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.who.connection_no.clone(),
                            r.who.old_connection_no.clone(),
                            r.who.name.clone(),
                            p.t(&r.mode),
                            inr(r.amount),
                        ]
                    })
                    .collect(),
                about: String::new(),
            }
        }
        Kind::Inactive => {
            let rows = db::run(&page.state.pool, move |c| {
                rows::inactive_rows(c, Ctx::of(&st), &t, from, to)
            })
            .await?;
            Table {
                heads: heads(&[
                    "CONSUMER_CONNECTION_ID",
                    "CORE_STATUS",
                    "INACTIVATED_DATE",
                    "INACTIVATED_BY_NAME",
                ]),
                totals: Vec::new(),
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.connection_no.clone(),
                            p.t(if r.status == "Inactive" {
                                "CORE_INACTIVE"
                            } else {
                                "CORE_ACTIVE"
                            }),
                            ist_date(r.at),
                            r.by_name.clone().unwrap_or_else(|| "-".to_owned()),
                        ]
                    })
                    .collect(),
                about: String::new(),
            }
        }
        Kind::Monthly => {
            let rows = db::run(&page.state.pool, move |c| {
                rows::month_rows(c, Ctx::of(&st), &t, from, to)
            })
            .await?;
            Table {
                heads: heads(&[
                    "ML_NEW_CONN_ID",
                    "ML_OLD_CONN_ID",
                    "ML_CONSUMER_NAME",
                    "ML_CONSUMER_ENTERED_DATA",
                    "ML_PREV_OUTSTANDING_TILL_LAST_MONTH",
                    "ML_ADV_AMOUNT_RECEIVED",
                    "ML_CURR_MONTH_PENALTY",
                    "ML_BILL_GENERATED_FOR_MONTH",
                    "ML_DATE_OF_GENERATED",
                    "ML_TOTAL_AMOUNT",
                    "ML_AMOUNT_COLLECT_AGAINST_TOTAL",
                    "ML_DATE_OF_AMOUNT_COLLECTED",
                    "ML_REMAINING_AMOUNT_TO_BE_COLLECTED",
                ]),
                totals: vec![
                    total,
                    String::new(),
                    String::new(),
                    String::new(),
                    money_sum(&rows, |r| r.arrears),
                    money_sum(&rows, |r| r.advance),
                    money_sum(&rows, |r| r.penalty),
                    money_sum(&rows, |r| r.demand),
                    String::new(),
                    money_sum(&rows, |r| r.total),
                    money_sum(&rows, |r| r.paid),
                    String::new(),
                    money_sum(&rows, |r| r.remaining),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.who.connection_no.clone(),
                            r.who.old_connection_no.clone(),
                            r.who.name.clone(),
                            ist_date(r.who.created_at),
                            inr(r.arrears),
                            inr(r.advance),
                            inr(r.penalty),
                            inr(r.demand),
                            day_of(r.demand_at),
                            inr(r.total),
                            inr(r.paid),
                            day_of(r.paid_at),
                            inr(r.remaining),
                        ]
                    })
                    .collect(),
                about: String::new(),
            }
        }
        Kind::Ledger => {
            let (no, fy) = (k.no.clone(), k.fy.unwrap_or(Fy::of_date(today())));
            let (w, months) = db::run(&page.state.pool, move |c| {
                super::api::ledger_of(c, Ctx::of(&st), &t, &no, fy)
            })
            .await?;
            Table {
                heads: heads(&[
                    "LEDGER_MONTH",
                    "LEDGER_DEMAND_GENERATION_DATE",
                    "LEDGER_MONTHLY_CHARGE",
                    "LEDGER_PREV_MONTH_BALANCE",
                    "LEDGER_TOTAL_DUE",
                    "LEDGER_DUE_DATE_PAYMENT",
                    "LEDGER_DATE",
                    "LEDGER_RECIPET_NO",
                    "LEDGER_AMOUNT",
                    "LEDGER_BALANCE",
                    "LEDGER_PENALTY_APPLIED_ON_DATE",
                    "LEDGER_PENALTY",
                    "LEDGER_BALANCE_FOR_THE_MONH",
                ]),
                totals: vec![
                    total,
                    String::new(),
                    money_sum(&months, |m| m.charges),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    money_sum(&months, |m| m.paid),
                    String::new(),
                    String::new(),
                    money_sum(&months, |m| m.penalty),
                    String::new(),
                ],
                rows: months
                    .iter()
                    .map(|m| {
                        let receipts: Vec<&str> =
                            m.payments.iter().map(|x| x.receipt_no.as_str()).collect();
                        vec![
                            p.month_label(m.month),
                            day_of(m.demand_at),
                            inr(m.charges),
                            inr(m.previous_balance),
                            inr(m.total_due),
                            day_of(m.due_at),
                            day_of(m.payments.first().map(|x| x.at)),
                            if receipts.is_empty() {
                                "-".to_owned()
                            } else {
                                receipts.join(", ")
                            },
                            inr(m.paid),
                            inr(m.total_due - m.paid),
                            day_of(m.penalty_at),
                            inr(m.penalty),
                            inr(m.balance),
                        ]
                    })
                    .collect(),
                about: format!("{} · {} · {}", w.connection_no, w.name, fy.label()),
            }
        }
    })
}

#[derive(Template)]
#[template(path = "wsreports/report.html")]
struct ReportPage {
    p: PageCtx,
    title: String,
    path: &'static str,
    /// `period`, `month` or `ledger`: which picker.
    picker: &'static str,
    from: String,
    to: String,
    month: String,
    no: String,
    fy: String,
    /// The financial years to choose from, newest first.
    years: Vec<String>,
    /// The query of what is shown (without the page), for the pager and the downloads.
    query: String,
    has_pdf: bool,
    about: String,
    error: String,
    heads: Vec<String>,
    rows: Vec<Vec<String>>,
    totals: Vec<String>,
    page: usize,
    pages: usize,
}

fn query_of(kind: Kind, k: &Picked) -> String {
    let d = |x: Option<NaiveDate>| {
        x.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    match kind {
        Kind::Bill | Kind::Collection | Kind::Inactive => {
            format!("from={}&to={}", d(k.from), d(k.to))
        }
        Kind::Monthly => format!(
            "month={}",
            k.from
                .map(|m| m.format("%Y-%m").to_string())
                .unwrap_or_default()
        ),
        Kind::Ledger => format!(
            "no={}&fy={}",
            urlencode(&k.no),
            k.fy.map(Fy::label).unwrap_or_default()
        ),
    }
}

async fn show(mut page: StaffPage, q: web::Query<Query>, kind: Kind, out: Out) -> PageResult {
    let p = page.ctx()?;
    let k = pick(kind, &q);
    if out != Out::Html && k.problem.is_some() {
        return Err(crate::http::page::not_found());
    }
    let (t, error) = match k.problem {
        Some(code) => (
            Table {
                heads: Vec::new(),
                rows: Vec::new(),
                totals: Vec::new(),
                about: String::new(),
            },
            p.t(code),
        ),
        None => match table(&page, &p, kind, &k).await {
            Ok(t) => (t, String::new()),
            Err(AppError::Client { errors, .. }) if out == Out::Html => (
                Table {
                    heads: Vec::new(),
                    rows: Vec::new(),
                    totals: Vec::new(),
                    about: String::new(),
                },
                errors.first().map(|e| p.t(&e.code)).unwrap_or_default(),
            ),
            Err(e) => return Err(e.into()),
        },
    };
    let stem = format!(
        "{}_{}_{}",
        kind.file(),
        page.tenant
            .split_once('.')
            .map_or(page.tenant.as_str(), |(_, g)| g),
        query_of(kind, &k)
            .split('&')
            .filter_map(|x| x.split_once('=').map(|(_, v)| v.to_owned()))
            .collect::<Vec<_>>()
            .join("_")
    );
    match out {
        Out::Xlsx => return xlsx(&stem, &t),
        Out::Csv => return Ok(csv(&stem, &t)),
        Out::Pdf => return pdf(&p, kind, &stem, &t),
        Out::Html => {}
    }
    let pages = t.rows.len().div_ceil(PAGE_ROWS).max(1);
    let page_no = q.page.unwrap_or(1).clamp(1, pages);
    let fmt =
        |x: Option<NaiveDate>, f: &str| x.map(|d| d.format(f).to_string()).unwrap_or_default();
    let this_fy = Fy::of_date(today());
    let shown = ReportPage {
        title: p.t(kind.title()),
        path: kind.path(),
        picker: match kind {
            Kind::Monthly => "month",
            Kind::Ledger => "ledger",
            _ => "period",
        },
        from: fmt(k.from, "%Y-%m-%d"),
        to: fmt(k.to, "%Y-%m-%d"),
        month: fmt(k.from, "%Y-%m"),
        no: k.no.clone(),
        fy: k.fy.map(Fy::label).unwrap_or_default(),
        years: (0..6).map(|i| Fy(this_fy.0 - i).label()).collect(),
        query: query_of(kind, &k),
        has_pdf: matches!(kind, Kind::Monthly | Kind::Ledger),
        about: t.about.clone(),
        heads: t.heads,
        rows: t
            .rows
            .into_iter()
            .skip((page_no - 1) * PAGE_ROWS)
            .take(PAGE_ROWS)
            .collect(),
        totals: t.totals,
        page: page_no,
        pages,
        p,
        error: error.clone(),
    };
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page.render(status, shown)
}

/// The monthly or consumer ledger as a PDF in the page's language.
fn pdf(p: &PageCtx, kind: Kind, stem: &str, t: &Table) -> PageResult {
    let mut doc = crate::pdf::Doc::new(p.locale);
    doc.title(&p.t(kind.title()));
    doc.heading(p.gp_name());
    if !t.about.is_empty() {
        doc.text(&t.about);
    }
    let heads: Vec<&str> = t.heads.iter().map(String::as_str).collect();
    let mut rows = t.rows.clone();
    if !t.totals.is_empty() {
        rows.push(t.totals.clone());
    }
    doc.table(&heads, &rows);
    let bytes = doc
        .finish()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("pdf: {e}")))?;
    Ok(pdf_response(stem, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_picked_and_checked() {
        let q = Query {
            from: Some("2030-01-01".into()),
            to: Some("2029-01-01".into()),
            ..Query::default()
        };
        assert_eq!(
            pick(Kind::Bill, &q).problem,
            Some(codes::INVALID_DATE_RANGE)
        );
    }
}
