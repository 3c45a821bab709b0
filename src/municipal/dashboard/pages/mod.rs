//! `/home/dashboard`: the GP's dashboard (product.md §2.7). A financial year (the last five)
//! and a month of it or the whole year; the revenue and expense figures of that period; the
//! year's month-by-month table with the Surplus/Deficit (a month links to that month); the
//! revenue-vs-expenditure trend as server-drawn SVG; the satisfaction scores; the Collections
//! tab (`tab=0`) and the Expenditure tab (`tab=1`), ten rows a page; and the same as a PDF to
//! share (`/home/dashboard.pdf`).

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::chart::{self, Trend};
use super::service::{self, Kinds, Month, Period, Revenue, ist_day};
use crate::db;
use crate::error::AppResult;
use crate::http::page::{PageCtx, PageResult, StaffPage, Tile};
use crate::municipal::echallan::reports::Figures as ExpenseFigures;
use crate::time::{Fy, ist_day_start_millis};
use crate::words::inr;
use crate::words::urlencode;

mod figures;
mod pdf;

pub const PATH: &str = "/home/dashboard";

/// Who sees the dashboard (product.md §1.2).
pub const ROLES: &[&str] = &[
    "SUPERUSER",
    "DASHBOARD_VIEWER",
    "GP_ADMIN",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
];

pub const TILES: &[Tile] = &[Tile {
    place: 9,
    key: "CORE_GPWSC_DASHBOARD",
    href: PATH,
    roles: ROLES,
}];

pub fn routes(r: &mut Routes<'_>) {
    let view = Access::Page(ROLES);
    r.get(PATH, view, dashboard)
        .get("/home/dashboard.pdf", view, pdf::dashboard_pdf);
}

use crate::http::routes::{Access, Routes};

/// Rows a page of a tab.
pub const PER_PAGE: usize = 10;

#[derive(Deserialize, Default, Clone)]
pub struct Query {
    /// `2026-27`.
    pub fy: Option<String>,
    /// `2026-11`; absent or blank: the whole year.
    pub month: Option<String>,
    /// 0: collections, 1: expenditure.
    pub tab: Option<String>,
    /// Search text of the tab.
    pub q: Option<String>,
    /// The tab's filter: RESIDENTIAL / COMMERCIAL (collections), paid / pending (expenditure).
    pub kind: Option<String>,
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    pub page: Option<String>,
}

/// What the query chose, checked (anything unknown falls back, and says so).
pub struct Choice {
    pub fy: Fy,
    pub month: Option<NaiveDate>,
    pub period: Period,
    pub year: Period,
    /// A part of the query that was not understood (its catalogue key).
    pub problem: Option<&'static str>,
}

/// Reads the period of the query against `today`.
pub fn choose(q: &Query, today: NaiveDate) -> Choice {
    let fys = service::fy_choices(today);
    let mut problem = None;
    let fy = match q.fy.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => fys[0],
        Some(s) => match Fy::parse(s).filter(|f| fys.contains(f)) {
            Some(f) => f,
            None => {
                problem = Some("DASHBOARD_ERR_FY");
                fys[0]
            }
        },
    };
    let year = Period {
        from: fy.first_day(),
        to: fy.last_day().min(today.max(fy.first_day())),
    };
    let month = match q.month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match service::parse_month(s).filter(|m| Fy::of_date(*m) == fy && *m <= today) {
            Some(m) => Some(m),
            None => {
                problem = Some("DASHBOARD_ERR_MONTH");
                None
            }
        },
    };
    let period = month.map_or(year, Period::month);
    Choice {
        fy,
        month,
        period,
        year,
        problem,
    }
}

/// A figure card.
pub struct Card {
    pub label: String,
    pub value: String,
}

/// A row of the month table.
pub struct MonthRow {
    pub label: String,
    pub href: String,
    pub surplus: String,
    pub negative: bool,
    pub demand: String,
    pub pending: String,
    pub actual: String,
    pub expenditure: String,
    pub unpaid: String,
    pub paid: String,
}

/// Everything the page and the PDF show.
pub struct Data {
    pub months: Vec<Month>,
    pub revenue: Revenue,
    pub expense: ExpenseFigures,
    pub feedback: Value,
    pub tab: TabData,
}

pub enum TabData {
    Collections(Collections),
    Expenditure(Expenditure),
}

pub struct Collections {
    /// (connection no., name, metered, collected in the period)
    pub rows: Vec<(String, String, bool, Decimal)>,
    pub all: usize,
    pub residential: usize,
    pub commercial: usize,
    pub total: usize,
}

pub struct Expenditure {
    /// (bill no., vendor, type, amount, bill date, paid date)
    pub rows: Vec<(
        String,
        String,
        String,
        Decimal,
        NaiveDate,
        Option<NaiveDate>,
    )>,
    pub paid: i64,
    pub pending: i64,
    pub total: i64,
}

/// The tab of the query (0 collections, 1 expenditure).
pub fn tab_of(q: &Query) -> u8 {
    match q.tab.as_deref() {
        Some("1") => 1,
        _ => 0,
    }
}

fn page_of(q: &Query) -> usize {
    q.page
        .as_deref()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(100_000)
}

fn ascending(q: &Query) -> bool {
    q.order.as_deref() == Some("asc")
}

/// Loads what the page shows; `all_rows` for the PDF (every row of the tab).
pub fn load(
    c: &mut diesel::PgConnection,
    st: &crate::state::AppState,
    tenant: &str,
    ch: &Choice,
    q: &Query,
    today: NaiveDate,
    all_rows: bool,
) -> AppResult<Data> {
    let months = service::months(c, tenant, ch.year, today)?;
    let kinds = Kinds::of(c, tenant)?;
    let revenue = service::revenue(c, tenant, &kinds, ch.period)?;
    let expense = service::expense(c, tenant, ch.period)?;
    let found = crate::municipal::water::citizen::feedback_pages::search(
        c,
        tenant,
        None,
        None,
        (
            Some(ch.period.start().timestamp_millis()),
            Some(ch.period.end().timestamp_millis()),
        ),
    )?;
    let feedback = crate::municipal::water::citizen::feedback_pages::averages(&found);
    let text =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(50).collect::<String>());
    let skip = if all_rows { 0 } else { page_of(q) * PER_PAGE };
    let take = if all_rows { usize::MAX } else { PER_PAGE };
    let tab = if tab_of(q) == 1 {
        use crate::municipal::echallan::service::{self as challans, Filter, SortBy};
        let sort_by = match q.sort.as_deref() {
            Some("type") => SortBy::TypeOfExpense,
            Some("amount") => SortBy::TotalAmount,
            Some("billDate") => SortBy::BillDate,
            Some("paidDate") => SortBy::PaidDate,
            _ => SortBy::ChallanNo,
        };
        let f = Filter {
            tenant_id: tenant.to_owned(),
            status: vec!["ACTIVE".to_owned(), "PAID".to_owned()],
            is_bill_paid: match q.kind.as_deref() {
                Some("paid") => Some(true),
                Some("pending") => Some(false),
                _ => None,
            },
            from_date: Some(ch.period.from),
            to_date: Some(ch.period.to),
            free_search: text,
            sort_by,
            ascending: ascending(q),
            offset: skip as i64,
            limit: (!all_rows).then_some(PER_PAGE as i64),
            ..Filter::default()
        };
        let found = challans::search(c, &f)?;
        TabData::Expenditure(Expenditure {
            rows: found
                .challans
                .into_iter()
                .map(|b| {
                    (
                        b.challan_no,
                        b.vendor_name,
                        b.type_of_expense,
                        b.amount,
                        b.bill_date,
                        if b.status == "PAID" {
                            b.paid_date
                        } else {
                            None
                        },
                    )
                })
                .collect(),
            paid: found.paid_count,
            pending: found.not_paid_count,
            total: found.total_count,
        })
    } else {
        TabData::Collections(collections(c, st, tenant, ch, q, text, skip, take)?)
    };
    Ok(Data {
        months,
        revenue,
        expense,
        feedback,
        tab,
    })
}

#[expect(clippy::too_many_arguments, reason = "the page's reads in one place")]
fn collections(
    c: &mut diesel::PgConnection,
    st: &crate::state::AppState,
    tenant: &str,
    ch: &Choice,
    q: &Query,
    text: Option<String>,
    skip: usize,
    take: usize,
) -> AppResult<Collections> {
    use crate::municipal::water::service::{self as water, Criteria, Ctx};
    let (households, _) = water::search(
        c,
        Ctx::of(st),
        &Criteria {
            tenant_id: tenant.to_owned(),
            text,
            sort_by_name: true,
            limit: i64::MAX,
            ..Criteria::default()
        },
    )?;
    let paid: std::collections::BTreeMap<String, Decimal> =
        crate::business::collection::service::dashboard::water_paid_by_household(
            c,
            tenant,
            ch.period.start(),
            ch.period.end(),
        )?
        .into_iter()
        .map(|p| (p.consumer_code, p.amount))
        .collect();
    let kind_of = |h: &water::Household| h.property.property_type.to_uppercase();
    let count = |k: &str| households.iter().filter(|h| kind_of(h) == k).count();
    let (all, residential, commercial) = (
        households.len(),
        count(service::RESIDENTIAL),
        count(service::COMMERCIAL),
    );
    let want = q.kind.as_deref().map(str::to_uppercase);
    let mut rows: Vec<(String, String, bool, Decimal)> = households
        .into_iter()
        .filter(|h| want.as_deref().is_none_or(|k| kind_of(h) == k))
        .map(|h| {
            let got = paid
                .get(&h.connection.connection_no)
                .copied()
                .unwrap_or(Decimal::ZERO);
            (
                h.connection.connection_no,
                h.owner.name,
                h.connection.connection_type == "Metered",
                got,
            )
        })
        .collect();
    match q.sort.as_deref() {
        Some("name") => rows.sort_by_key(|a| a.1.to_lowercase()),
        Some("amount") => rows.sort_by(|a, b| a.3.cmp(&b.3).then(a.0.cmp(&b.0))),
        _ => rows.sort_by(|a, b| a.0.cmp(&b.0)),
    }
    if q.order.as_deref() == Some("desc") {
        rows.reverse();
    }
    let total = rows.len();
    Ok(Collections {
        rows: rows.into_iter().skip(skip).take(take).collect(),
        all,
        residential,
        commercial,
        total,
    })
}

pub use figures::{cards, month_rows, scores, short_month};

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// A link of the tab's filter or header.
struct Link {
    href: String,
    label: String,
    on: bool,
}

struct CollectionRow {
    no: String,
    no_q: String,
    name: String,
    metered: bool,
    amount: String,
}

struct ExpenseRow {
    no: String,
    no_q: String,
    vendor: String,
    kind: String,
    amount: String,
    bill_date: String,
    paid_date: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
struct DashboardPage {
    p: PageCtx,
    fys: Vec<Opt>,
    months: Vec<Opt>,
    problem: Option<String>,
    period_label: String,
    revenue: Vec<Card>,
    expense: Vec<Card>,
    rows: Vec<MonthRow>,
    total: MonthRow,
    trend: Trend,
    trend_desc: String,
    /// No tab asked: the figures, scores, trend and month table; a tab: its rows.
    overview: bool,
    scores: Vec<Card>,
    answered: String,
    tab: u8,
    tabs: Vec<Link>,
    kinds: Vec<Link>,
    heads: Vec<Link>,
    search: String,
    collections: Vec<CollectionRow>,
    expenses: Vec<ExpenseRow>,
    empty: bool,
    prev: Option<String>,
    next: Option<String>,
    pdf: String,
}

/// `fy`, `month` and the tab's own parameters as a query string, with `change` applied.
fn query_with(q: &Query, ch: &Choice, change: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("fy", ch.fy.label()),
        (
            "month",
            ch.month.map(service::month_key).unwrap_or_default(),
        ),
        ("tab", tab_of(q).to_string()),
        ("q", q.q.clone().unwrap_or_default()),
        ("kind", q.kind.clone().unwrap_or_default()),
        ("sort", q.sort.clone().unwrap_or_default()),
        ("order", q.order.clone().unwrap_or_default()),
    ];
    for (k, v) in change {
        if let Some(x) = pairs.iter_mut().find(|(pk, _)| pk == k) {
            x.1 = (*v).to_owned();
        } else {
            pairs.push((k, (*v).to_owned()));
        }
    }
    pairs
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The name cut at 20 characters, with "…" when cut (as the app's table).
pub fn cut_name(s: &str) -> String {
    if s.chars().count() <= 20 {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(20).collect::<String>())
    }
}

async fn dashboard(mut page: StaffPage, q: web::Query<Query>) -> PageResult {
    let q = q.into_inner();
    let today = ist_day(Utc::now());
    let ch = choose(&q, today);
    let (st, tenant) = (page.state.clone(), page.tenant.clone());
    let (qq, year, period, month) = (q.clone(), ch.year, ch.period, ch.month);
    let data = db::run(&page.state.pool, move |c| {
        let ch = Choice {
            fy: Fy::of_date(year.from),
            month,
            period,
            year,
            problem: None,
        };
        load(c, &st, &tenant, &ch, &qq, today, false)
    })
    .await?;
    let p = page.ctx()?;
    let fys = service::fy_choices(today)
        .into_iter()
        .map(|f| Opt {
            value: f.label(),
            label: f.label(),
            selected: f == ch.fy,
        })
        .collect();
    let mut months = vec![Opt {
        value: String::new(),
        label: p.t("DASHBOARD_WHOLE_YEAR"),
        selected: ch.month.is_none(),
    }];
    months.extend(ch.year.months(today).into_iter().map(|m| Opt {
        value: service::month_key(m),
        label: p.month_label(m),
        selected: ch.month == Some(m),
    }));
    let period_label = match ch.month {
        Some(m) => p.month_label(m),
        None => format!("{} {}", p.t("DASHBOARD_FY"), ch.fy.label()),
    };
    let (revenue, expense) = cards(&p, &data.revenue, &data.expense);
    let (rows, total) = month_rows(&p, ch.fy, &data.months);
    let labels: Vec<String> = data
        .months
        .iter()
        .map(|m| short_month(&p, m.month))
        .collect();
    let firsts: Vec<Decimal> = data.months.iter().map(|m| m.revenue.actual).collect();
    let seconds: Vec<Decimal> = data.months.iter().map(|m| m.expense.paid).collect();
    let trend = chart::trend(&labels, &firsts, &seconds, inr);
    // the figures are the month table's (read by a screen reader there), not repeated here
    let trend_desc = p.t("DASHBOARD_TREND_DESC");
    let (scores, answered) = scores(&p, &data.feedback);
    let answered = p
        .t("DASHBOARD_FEEDBACK_COUNT")
        .replace("{n}", &answered.to_string());
    let tab = tab_of(&q);
    let overview = q.tab.is_none();
    let link = |change: &[(&str, &str)], label: String, on: bool| Link {
        href: format!("{PATH}?{}", query_with(&q, &ch, change)),
        label,
        on,
    };
    let tabs = vec![
        link(
            &[
                ("tab", "0"),
                ("q", ""),
                ("kind", ""),
                ("sort", ""),
                ("order", ""),
            ],
            p.t("COLLECTIONS"),
            !overview && tab == 0,
        ),
        link(
            &[
                ("tab", "1"),
                ("q", ""),
                ("kind", ""),
                ("sort", ""),
                ("order", ""),
            ],
            p.t("EXPENDITURE"),
            !overview && tab == 1,
        ),
    ];
    let kind = q.kind.clone().unwrap_or_default();
    let sort = q.sort.clone().unwrap_or_default();
    let head = |key: &str, label: String| {
        let on = sort == key;
        let order = if on && !ascending(&q) {
            "asc"
        } else if on {
            "desc"
        } else {
            "asc"
        };
        let arrow = match (on, ascending(&q)) {
            (true, true) => " ▲",
            (true, false) => " ▼",
            _ => "",
        };
        link(
            &[("sort", key), ("order", order)],
            format!("{label}{arrow}"),
            on,
        )
    };
    let page_n = page_of(&q);
    let (kinds, heads, collections, expenses, shown, total_rows) = match &data.tab {
        TabData::Collections(c) => (
            vec![
                link(
                    &[("kind", "")],
                    format!("{} ({})", p.t("ALL"), c.all),
                    kind.is_empty(),
                ),
                link(
                    &[("kind", "RESIDENTIAL")],
                    format!("{} ({})", p.t("RESIDENTIAL"), c.residential),
                    kind.eq_ignore_ascii_case("RESIDENTIAL"),
                ),
                link(
                    &[("kind", "COMMERCIAL")],
                    format!("{} ({})", p.t("COMMERCIAL"), c.commercial),
                    kind.eq_ignore_ascii_case("COMMERCIAL"),
                ),
            ],
            vec![
                head("no", p.t("CONNECTION_ID")),
                head("name", p.t("CORE_NAME")),
                head("amount", p.t("COLLECTIONS")),
            ],
            c.rows
                .iter()
                .map(|(no, name, metered, amount)| CollectionRow {
                    no_q: urlencode(no),
                    no: no.clone(),
                    name: cut_name(name),
                    metered: *metered,
                    amount: inr(*amount),
                })
                .collect(),
            Vec::new(),
            c.rows.len(),
            c.total,
        ),
        TabData::Expenditure(e) => (
            vec![
                link(
                    &[("kind", "")],
                    format!("{} ({})", p.t("ALL"), e.paid + e.pending),
                    kind.is_empty(),
                ),
                link(
                    &[("kind", "paid")],
                    format!("{} ({})", p.t("PAID"), e.paid),
                    kind == "paid",
                ),
                link(
                    &[("kind", "pending")],
                    format!("{} ({})", p.t("PENDING"), e.pending),
                    kind == "pending",
                ),
            ],
            vec![
                head("no", p.t("BILL_ID_VENDOR")),
                head("type", p.t("EXPENSE_TYPE")),
                head("amount", p.t("AMOUNT")),
                head("billDate", p.t("EXPENSE_BILL_DATE")),
                head("paidDate", p.t("PAID_DATE")),
            ],
            Vec::new(),
            e.rows
                .iter()
                .map(|(no, vendor, kind, amount, bill, paid)| ExpenseRow {
                    no_q: urlencode(no),
                    no: no.clone(),
                    vendor: vendor.clone(),
                    kind: p.t(&format!("EXPENSE_{kind}")),
                    amount: inr(*amount),
                    bill_date: bill.format("%d/%m/%Y").to_string(),
                    paid_date: paid.map(|d| d.format("%d/%m/%Y").to_string()),
                })
                .collect(),
            e.rows.len(),
            usize::try_from(e.total).unwrap_or(0),
        ),
    };
    let page_str = |n: usize| n.to_string();
    let prev = (page_n > 0).then(|| {
        format!(
            "{PATH}?{}",
            query_with(&q, &ch, &[("page", &page_str(page_n - 1))])
        )
    });
    let next = ((page_n + 1) * PER_PAGE < total_rows).then(|| {
        format!(
            "{PATH}?{}",
            query_with(&q, &ch, &[("page", &page_str(page_n + 1))])
        )
    });
    let pdf = format!("/home/dashboard.pdf?{}", query_with(&q, &ch, &[]));
    let problem = ch.problem.map(|k| p.t(k));
    let _ = ist_day_start_millis;
    page.render(
        // a year or month that cannot be shown is a form error: this year is shown beside it
        if problem.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        DashboardPage {
            p,
            fys,
            months,
            problem,
            period_label,
            revenue,
            expense,
            rows,
            total,
            trend,
            trend_desc,
            overview,
            scores,
            answered,
            tab,
            tabs,
            kinds,
            heads,
            search: q.q.clone().unwrap_or_default(),
            collections,
            expenses,
            empty: shown == 0,
            prev,
            next,
            pdf,
        },
    )
}
