//! Search expenses (product.md §2.6): by part of the vendor's name, the type, or the bill
//! number; tabs All / Paid / Pending (and Cancelled) with their counts, All being Paid and
//! Pending together; ten bills a page, newest first, each a card linking to its page.

use actix_web::{http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::face::{self, Filter, Tab};
use super::{shown_date, status_name, type_name};
use crate::db;
use crate::http::page::{self, PageCtx, PageResult, StaffPage};
use crate::words::inr;

/// Bills a page.
const PER_PAGE: i64 = 10;

#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    vendor: String,
    #[serde(rename = "type", default)]
    type_code: String,
    #[serde(default)]
    no: String,
    #[serde(default)]
    tab: String,
    #[serde(default)]
    page: Option<i64>,
}

/// One bill as a card.
struct Row {
    no: String,
    q: String,
    vendor: String,
    type_name: String,
    amount: String,
    bill_date: String,
    status: String,
    status_name: String,
}

#[derive(Template)]
#[template(path = "expense/search.html")]
struct SearchPage {
    p: PageCtx,
    q: SearchQuery,
    types: Vec<(String, String)>,
    /// (id, link, label with count, current).
    tabs: Vec<(&'static str, String, String, bool)>,
    showing: String,
    rows: Vec<Row>,
    prev: String,
    next: String,
}

fn tab_of(s: &str) -> Tab {
    match s {
        "paid" => Tab::Paid,
        "pending" => Tab::Pending,
        "cancelled" => Tab::Cancelled,
        _ => Tab::All,
    }
}

/// The search's link with another tab or page.
fn link(q: &SearchQuery, tab: &str, page_no: i64) -> String {
    let mut parts = Vec::new();
    for (k, v) in [("vendor", &q.vendor), ("type", &q.type_code), ("no", &q.no)] {
        if !v.trim().is_empty() {
            parts.push(format!("{k}={}", page::urlencode(v.trim())));
        }
    }
    if tab != "all" {
        parts.push(format!("tab={tab}"));
    }
    if page_no > 1 {
        parts.push(format!("page={page_no}"));
    }
    if parts.is_empty() {
        "/home/searchExpense".to_owned()
    } else {
        format!("/home/searchExpense?{}", parts.join("&"))
    }
}

pub(super) async fn search(mut page: StaffPage, q: web::Query<SearchQuery>) -> PageResult {
    let q = q.into_inner();
    let tab = tab_of(&q.tab);
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let f = Filter {
        vendor: some(&q.vendor),
        type_code: some(&q.type_code),
        no: some(&q.no),
        tab,
        offset: (page_no - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let (st, t) = (page.state.clone(), page.tenant.clone());
    let (types, found) = db::run(&page.state.pool, move |c| {
        Ok((face::all_types(c, &t)?, face::search(c, &st, &t, &f)?))
    })
    .await?;
    let p = page.ctx()?;
    let total = match tab {
        Tab::All => found.paid + found.pending,
        Tab::Paid => found.paid,
        Tab::Pending => found.pending,
        Tab::Cancelled => found.cancelled,
    };
    let tabs = [
        (
            "all",
            "EXPENSE_TAB_ALL",
            found.paid + found.pending,
            Tab::All,
        ),
        ("paid", "PAID", found.paid, Tab::Paid),
        (
            "pending",
            "EXPENSE_TAB_PENDING",
            found.pending,
            Tab::Pending,
        ),
        ("cancelled", "CANCELLED", found.cancelled, Tab::Cancelled),
    ]
    .into_iter()
    .map(|(id, key, n, which)| {
        (
            id,
            link(&q, id, 1),
            p.t("EXPENSE_TAB_COUNT")
                .replace("{label}", &p.t(key))
                .replace("{n}", &n.to_string()),
            which == tab,
        )
    })
    .collect();
    let rows: Vec<Row> = found
        .bills
        .iter()
        .map(|b| Row {
            no: b.no.clone(),
            q: page::urlencode(&b.no),
            vendor: b.vendor.clone(),
            type_name: type_name(&p, &b.type_code),
            amount: inr(b.amount),
            bill_date: shown_date(b.bill_date),
            status: b.status.clone(),
            status_name: status_name(&p, &b.status),
        })
        .collect();
    let tab_id = q.tab.as_str();
    let tab_id = if ["paid", "pending", "cancelled"].contains(&tab_id) {
        tab_id
    } else {
        "all"
    };
    let shown_to = (page_no - 1) * PER_PAGE + i64::try_from(rows.len()).unwrap_or(0);
    let prev = if page_no > 1 {
        link(&q, tab_id, page_no - 1)
    } else {
        String::new()
    };
    let next = if shown_to < total {
        link(&q, tab_id, page_no + 1)
    } else {
        String::new()
    };
    let shown = SearchPage {
        showing: p
            .t("CORE_SHOWING_N_OF_M")
            .replace("{n}", &shown_to.to_string())
            .replace("{m}", &total.to_string()),
        types: types
            .iter()
            .map(|c| (c.clone(), type_name(&p, c)))
            .collect(),
        tabs,
        rows,
        prev,
        next,
        q,
        p,
    };
    page.render(StatusCode::OK, shown)
}
