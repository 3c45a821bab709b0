//! The counter staff's view of online payments (`/home/online-payments`): the GP's transactions
//! of a day (status, gateway id, receipt, amount, time) and the day's online collection.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::{NaiveDate, TimeZone as _, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::repo::{self, Filter};
use crate::db;
use crate::http::page::{PageCtx, PageError, PageResult, StaffPage, Tile};
use crate::http::routes::{Access, Routes};
use crate::time::IST;

/// Who sees online payments: the counter's roles (as `/home/collect`).
pub const ROLES: &[&str] = &[
    "COLLECTION_OPERATOR",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
    "GP_ADMIN",
];

pub const PATH: &str = "/home/online-payments";

/// The home tile.
pub const TILES: &[Tile] = &[Tile {
    place: 13,
    key: "PG_ONLINE_PAYMENTS",
    href: PATH,
    roles: ROLES,
}];

pub fn routes(r: &mut Routes<'_>) {
    r.get(PATH, Access::Page(ROLES), list);
}

#[derive(Deserialize)]
struct DayQuery {
    date: Option<String>,
}

struct Row {
    time: String,
    consumer: String,
    amount: String,
    status: String,
    status_key: &'static str,
    gateway: String,
    gateway_txn_id: String,
    receipt: String,
    txn_id: String,
}

#[derive(Template)]
#[template(path = "pg/online.html")]
struct OnlinePage {
    p: PageCtx,
    date: String,
    total: String,
    paid: usize,
    rows: Vec<Row>,
}

async fn list(mut page: StaffPage, q: web::Query<DayQuery>) -> PageResult {
    let today = Utc::now().with_timezone(&IST).date_naive();
    let day = q
        .date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or(today);
    let start = IST
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(crate::http::page::not_found)?;
    let f = Filter {
        tenant_ids: vec![page.tenant.clone()],
        from: Some(start),
        to: Some(start + chrono::Duration::days(1)),
        limit: 1000,
        ..Filter::default()
    };
    let txns = db::run(&page.state.pool, move |c| Ok(repo::search(c, &f)?))
        .await
        .map_err(PageError::App)?;
    let p = page.ctx()?;
    let success: Vec<_> = txns.iter().filter(|t| t.status == "SUCCESS").collect();
    let total: Decimal = success.iter().map(|t| t.amount).sum();
    let rows = txns
        .iter()
        .map(|t| {
            let status_key = match t.status.as_str() {
                "SUCCESS" => "PG_STATUS_SUCCESS",
                "FAILURE" => "PG_STATUS_FAILURE",
                _ => "PG_STATUS_PENDING",
            };
            Row {
                time: t.created_at.with_timezone(&IST).format("%H:%M").to_string(),
                consumer: t.consumer_code.clone(),
                amount: t.amount.normalize().to_string(),
                status: t.status.clone(),
                status_key,
                gateway: t.gateway.clone(),
                gateway_txn_id: t.gateway_txn_id.clone().unwrap_or_default(),
                receipt: t.receipt.clone().unwrap_or_default(),
                txn_id: t.txn_id.clone(),
            }
        })
        .collect();
    let out = OnlinePage {
        p,
        date: day.format("%Y-%m-%d").to_string(),
        total: total.normalize().to_string(),
        paid: success.len(),
        rows,
    };
    page.render(StatusCode::OK, out)
}
