//! `/home/rollout`: the roll-out dashboard for the state admin, one window at a time, filtered
//! by zone and division, 50 GPs a page.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::service::{self, Filter};
use crate::db;
use crate::http::page::{PageCtx, PageError, PageResult, StaffPage, Tile};
use crate::http::routes::{Access, Routes};
use crate::time::IST;

pub const PATH: &str = "/home/rollout";

pub const TILES: &[Tile] = &[Tile {
    place: 14,
    key: "ROLLOUT_TITLE",
    href: PATH,
    roles: super::ROLES,
}];

pub fn routes(r: &mut Routes<'_>) {
    r.get(PATH, Access::Page(super::ROLES), list);
}

#[derive(Deserialize)]
struct Query {
    range: Option<String>,
    division: Option<String>,
    zone: Option<String>,
    page: Option<i64>,
}

struct Row {
    gp: String,
    name: String,
    division: String,
    users: i32,
    households: String,
    last_demand: String,
    demand: String,
    collected: String,
    online: String,
    expenses: String,
    ratings: i32,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "rollout/list.html")]
struct ListPage {
    p: PageCtx,
    ranges: Vec<Choice>,
    zones: Vec<Choice>,
    divisions: Vec<Choice>,
    rows: Vec<Row>,
    total: i64,
    refreshed: String,
    page: i64,
    more: bool,
    query: String,
}

const PER_PAGE: i64 = 50;

/// The label of a window key (`FY_2025_26` → "FY 2025-26" in the page's language).
fn range_label(p: &PageCtx, key: &str) -> String {
    // `FY_TO_DATE` is a window of its own; `FY_<years>` a previous financial year
    match key
        .strip_prefix("FY_")
        .filter(|y| y.starts_with(|c: char| c.is_ascii_digit()))
    {
        Some(years) => format!("{} {}", p.t("ROLLOUT_RANGE_FY"), years.replace('_', "-")),
        None => p.t(&format!("ROLLOUT_RANGE_{key}")),
    }
}

async fn list(mut page: StaffPage, q: web::Query<Query>) -> PageResult {
    let keys = service::window_keys(chrono::Utc::now());
    let range = q
        .range
        .clone()
        .filter(|r| keys.contains(r))
        .unwrap_or_else(|| "FY_TO_DATE".to_owned());
    let pick = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let (division, zone) = (pick(&q.division), pick(&q.zone));
    let n = q.page.unwrap_or(0).clamp(0, 100_000);
    let f = Filter {
        date_range: Some(range.clone()),
        division: division.clone(),
        zone: zone.clone(),
        tenant_id: None,
        limit: PER_PAGE,
        offset: n * PER_PAGE,
    };
    let ((total, found), (all_zones, all_divisions)) = db::run(&page.state.pool, move |c| {
        Ok((service::search(c, &f)?, service::zones_and_divisions(c)?))
    })
    .await
    .map_err(PageError::App)?;
    let p = page.ctx()?;
    let choices = |all: Vec<String>, chosen: &Option<String>| {
        let mut out = vec![Choice {
            value: String::new(),
            label: p.t("ALL"),
            selected: chosen.is_none(),
        }];
        out.extend(all.into_iter().map(|v| Choice {
            selected: chosen.as_deref() == Some(v.as_str()),
            label: v.clone(),
            value: v,
        }));
        out
    };
    let zones = choices(all_zones, &zone);
    let divisions = choices(all_divisions, &division);
    let ranges = keys
        .iter()
        .map(|k| Choice {
            value: k.clone(),
            label: range_label(&p, k),
            selected: *k == range,
        })
        .collect();
    let money = |d: rust_decimal::Decimal| d.round_dp(2).normalize().to_string();
    let day = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%d-%m-%Y").to_string())
            .unwrap_or_else(|| "—".to_owned())
    };
    let refreshed = found
        .first()
        .map(|r| {
            r.created_at
                .with_timezone(&IST)
                .format("%d-%m-%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let rows = found
        .iter()
        .map(|r| Row {
            gp: r.tenant_id.clone(),
            name: r.tenant_name.clone(),
            division: r.division.clone(),
            users: r.active_users_count,
            households: format!("{}/{}", r.active_connections, r.total_connections),
            last_demand: day(r.last_demand_gen_date),
            demand: money(r.total_demand_amount),
            collected: money(r.collection_till_date),
            online: money(r.online_collection),
            expenses: format!(
                "{} ({})",
                money(r.total_amount_of_expense_bills + r.total_amount_of_electricity_bills),
                r.expense_count + r.count_of_electricity_expense_bills + r.no_of_paid_expense_bills
            ),
            ratings: r.rating_count,
        })
        .collect();
    let enc = crate::http::page::urlencode;
    let query = format!(
        "range={}&division={}&zone={}",
        enc(&range),
        enc(division.as_deref().unwrap_or_default()),
        enc(zone.as_deref().unwrap_or_default())
    );
    let out = ListPage {
        p,
        ranges,
        zones,
        divisions,
        rows,
        total,
        refreshed,
        page: n,
        more: (n + 1) * PER_PAGE < total,
        query,
    };
    page.render(StatusCode::OK, out)
}
