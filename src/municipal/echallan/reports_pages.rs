//! The reports screens that need expenses (product.md §2.8): the reports index, the expense bill
//! report and the vendor report, each with a month picker, ten rows a page and the whole month
//! as an Excel workbook or a CSV (the app's `limit=-1` download).

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{Datelike, NaiveDate, Utc};
use serde::Deserialize;

use super::report_rows::{BillReportRow, bill_report};
use crate::db;
use crate::error::AppError;
use crate::http::export::{Table, csv, xlsx};
use crate::http::page::{PageCtx, PageResult, StaffPage, Tile};
use crate::http::routes::{Access, Routes};
use crate::municipal::vendor::report::{VendorRow, rows as vendor_rows};
use crate::time::IST;
use crate::words::inr;

/// Who sees the reports (product.md §1.2: as the dashboard).
pub const REPORT_ROLES: &[&str] = &[
    "SUPERUSER",
    "DASHBOARD_VIEWER",
    "GP_ADMIN",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
];

pub const TILES: &[Tile] = &[Tile {
    place: 11,
    key: "CORE_REPORTS",
    href: "/home/reports",
    roles: REPORT_ROLES,
}];

pub fn routes(r: &mut Routes<'_>) {
    let view = Access::Page(REPORT_ROLES);
    r.get("/home/reports", view, index)
        .get("/home/reports/expenseBill", view, expense_bill)
        .get(
            "/home/reports/expenseBill.xlsx",
            view,
            |page: StaffPage, q: web::Query<MonthQuery>| expense_bill_down(page, q, Down::Xlsx),
        )
        .get(
            "/home/reports/expenseBill.csv",
            view,
            |page: StaffPage, q: web::Query<MonthQuery>| expense_bill_down(page, q, Down::Csv),
        )
        .get("/home/reports/vendor", view, vendor)
        .get(
            "/home/reports/vendor.xlsx",
            view,
            |page: StaffPage, q: web::Query<MonthQuery>| vendor_down(page, q, Down::Xlsx),
        )
        .get(
            "/home/reports/vendor.csv",
            view,
            |page: StaffPage, q: web::Query<MonthQuery>| vendor_down(page, q, Down::Csv),
        );
}

const PAGE_ROWS: usize = 10;

#[derive(Template)]
#[template(path = "echallan/reports.html")]
struct IndexPage {
    p: PageCtx,
    /// "Previous billing cycle summary (October 2026)".
    summary_title: String,
    /// Last month's payments, new bills and pending total (`_lastMonthSummary`'s figures).
    summary: Vec<(String, String)>,
}

async fn index(mut page: StaffPage) -> PageResult {
    let p = page.ctx()?;
    let tenant = p.tenant.clone();
    let m = db::run(&page.state.pool, move |c| {
        Ok(super::reports::last_month(c, &tenant, Utc::now())?)
    })
    .await?;
    let summary_title = p
        .t("PDF_GP_SUMMARY")
        .replace("{month}", &p.month_label(m.month));
    let summary = vec![
        (p.t("PDF_NEW_EXPENDITURE"), inr(m.new_expense)),
        (p.t("PDF_ACTUAL_PAYMENTS"), inr(m.paid)),
        (p.t("PDF_PENDING_EXPENDITURE"), inr(m.pending)),
    ];
    page.render(
        StatusCode::OK,
        IndexPage {
            p,
            summary_title,
            summary,
        },
    )
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
    page: Option<usize>,
}

/// The month asked for (`YYYY-MM`, this month when not given), or None when it does not read.
fn month_of(q: &MonthQuery) -> Option<NaiveDate> {
    match q.month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(crate::time::month_start(
            Utc::now().with_timezone(&IST).date_naive(),
        )),
        Some(s) => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2100).contains(&d.year())),
    }
}

fn month_end(m: NaiveDate) -> NaiveDate {
    crate::time::next_month(m).pred_opt().unwrap_or(m)
}

#[derive(Template)]
#[template(path = "echallan/report.html")]
struct ReportPage {
    p: PageCtx,
    title: String,
    /// The page's own path (the form posts back to it; `.xlsx` after it downloads).
    path: &'static str,
    /// `YYYY-MM` of the month shown (empty when the month asked for did not read).
    month: String,
    month_label: String,
    error: String,
    heads: Vec<String>,
    rows: Vec<Vec<String>>,
    page: usize,
    pages: usize,
}

/// One of the two report screens: `all` rows of the month cut to the page asked for.
#[expect(clippy::too_many_arguments, reason = "one screen of either report")]
fn report_page(
    page: StaffPage,
    p: PageCtx,
    title_key: &str,
    path: &'static str,
    month: Option<NaiveDate>,
    heads: Vec<String>,
    all: Vec<Vec<String>>,
    page_no: Option<usize>,
) -> PageResult {
    let pages = all.len().div_ceil(PAGE_ROWS).max(1);
    let page_no = page_no.unwrap_or(1).clamp(1, pages);
    let rows = all
        .into_iter()
        .skip((page_no - 1) * PAGE_ROWS)
        .take(PAGE_ROWS)
        .collect();
    let shown = ReportPage {
        title: p.t(title_key),
        path,
        month: month
            .map(|m| m.format("%Y-%m").to_string())
            .unwrap_or_default(),
        month_label: month.map(|m| p.month_label(m)).unwrap_or_default(),
        error: if month.is_none() {
            p.t("REPORT_INVALID_MONTH")
        } else {
            String::new()
        },
        heads,
        rows,
        page: page_no,
        pages,
        p,
    };
    let status = if month.is_some() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page.render(status, shown)
}

fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

const BILL_HEADS: &[&str] = &[
    "EXPENSE_TYPE",
    "EXPENSE_VENDOR_NAME",
    "AMOUNT",
    "EXPENSE_BILL_DATE",
    "EXPENSE_START_DATE",
    "EXPENSE_END_DATE",
    "CORE_STATUS",
    "EXPENSE_PAID_DATE",
    "HAS_ATTACHMENT",
    "CANCELLED_TIME",
    "CANCELLED_BY",
];

/// A bill of the report as its cells read: the cancelled time and who cancelled only for a
/// cancelled bill.
fn bill_cells(p: &PageCtx, r: &BillReportRow) -> Vec<String> {
    let b = &r.bill;
    let cancelled = b.status == "CANCELLED";
    vec![
        p.t(&b.type_of_expense),
        b.vendor_name.clone(),
        inr(b.amount),
        day(b.bill_date),
        day(b.tax_period_from),
        day(b.tax_period_to),
        p.t(match b.status.as_str() {
            "PAID" => "PAID",
            "CANCELLED" => "CANCELLED",
            _ => "UN_PAID",
        }),
        b.paid_date.map(day).unwrap_or_else(|| "-".to_owned()),
        p.t(if b.filestore_id.is_some() {
            "CORE_YES"
        } else {
            "CORE_NO"
        }),
        if cancelled {
            crate::http::page::ist_date(b.last_modified_at)
        } else {
            "-".to_owned()
        },
        match (&r.modified_by_name, cancelled) {
            (Some(n), true) => n.clone(),
            _ => "-".to_owned(),
        },
    ]
}

async fn bill_rows_of(
    page: &StaffPage,
    month: Option<NaiveDate>,
) -> Result<Vec<BillReportRow>, AppError> {
    let Some(m) = month else {
        return Ok(Vec::new());
    };
    let (st, t) = (page.state.clone(), page.tenant.clone());
    db::run(&page.state.pool, move |c| {
        bill_report(c, &st.crypto, &t, m, month_end(m), 0, None)
    })
    .await
}

async fn expense_bill(mut page: StaffPage, q: web::Query<MonthQuery>) -> PageResult {
    let p = page.ctx()?;
    let month = month_of(&q);
    let rows = bill_rows_of(&page, month).await?;
    let cells = rows.iter().map(|r| bill_cells(&p, r)).collect();
    let heads = BILL_HEADS.iter().map(|k| p.t(k)).collect();
    report_page(
        page,
        p,
        "EXPENSE_BILL_REPORT",
        "/home/reports/expenseBill",
        month,
        heads,
        cells,
        q.page,
    )
}

async fn expense_bill_down(
    mut page: StaffPage,
    q: web::Query<MonthQuery>,
    down: Down,
) -> PageResult {
    let p = page.ctx()?;
    let month = month_of(&q).ok_or_else(crate::http::page::not_found)?;
    let rows = bill_rows_of(&page, Some(month)).await?;
    let cells: Vec<Vec<String>> = rows.iter().map(|r| bill_cells(&p, r)).collect();
    let heads: Vec<String> = BILL_HEADS.iter().map(|k| p.t(k)).collect();
    download(&page.tenant, "ExpenseBillReport", month, heads, cells, down)
}

const VENDOR_HEADS: &[&str] = &[
    "BILL_ID",
    "EXPENSE_VENDOR_NAME",
    "CORE_MOBILE_NUMBER",
    "EXPENSE_TYPE",
];

fn vendor_cells(p: &PageCtx, r: &VendorRow) -> Vec<String> {
    vec![
        r.bill_id.clone(),
        r.vendor_name.clone(),
        r.mobile.clone().unwrap_or_else(|| "-".to_owned()),
        p.t(&r.type_of_expense),
    ]
}

async fn vendor_rows_of(
    page: &StaffPage,
    month: Option<NaiveDate>,
) -> Result<Vec<VendorRow>, AppError> {
    let Some(m) = month else {
        return Ok(Vec::new());
    };
    let (st, t) = (page.state.clone(), page.tenant.clone());
    db::run(&page.state.pool, move |c| {
        vendor_rows(c, &st.crypto, &t, m, Some(month_end(m)), 0, None)
    })
    .await
}

async fn vendor(mut page: StaffPage, q: web::Query<MonthQuery>) -> PageResult {
    let p = page.ctx()?;
    let month = month_of(&q);
    let rows = vendor_rows_of(&page, month).await?;
    let cells = rows.iter().map(|r| vendor_cells(&p, r)).collect();
    let heads = VENDOR_HEADS.iter().map(|k| p.t(k)).collect();
    report_page(
        page,
        p,
        "VENDOR_REPORT",
        "/home/reports/vendor",
        month,
        heads,
        cells,
        q.page,
    )
}

async fn vendor_down(mut page: StaffPage, q: web::Query<MonthQuery>, down: Down) -> PageResult {
    let p = page.ctx()?;
    let month = month_of(&q).ok_or_else(crate::http::page::not_found)?;
    let rows = vendor_rows_of(&page, Some(month)).await?;
    let cells: Vec<Vec<String>> = rows.iter().map(|r| vendor_cells(&p, r)).collect();
    let heads: Vec<String> = VENDOR_HEADS.iter().map(|k| p.t(k)).collect();
    download(&page.tenant, "VendorReport", month, heads, cells, down)
}

/// Which download of a report.
#[derive(Clone, Copy)]
enum Down {
    Xlsx,
    Csv,
}

/// A report's month as a workbook or a CSV, named like the app's (`<Report>_<gp>_<MM-YYYY>`).
fn download(
    tenant: &str,
    name: &str,
    month: NaiveDate,
    heads: Vec<String>,
    rows: Vec<Vec<String>>,
    down: Down,
) -> PageResult {
    let gp = tenant.split_once('.').map_or(tenant, |(_, g)| g);
    let stem = format!("{name}_{gp}_{}", month.format("%m-%Y"));
    let t = Table {
        heads,
        rows,
        ..Table::default()
    };
    match down {
        Down::Xlsx => xlsx(&stem, &t),
        Down::Csv => Ok(csv(&stem, &t)),
    }
}
