//! `/home/sms`: this month's SMS of a GP (sent or recorded, against its budget; skipped,
//! failed, waiting), or of every GP for the state's admins.

use actix_web::http::StatusCode;
use askama::Template;
use chrono::Utc;

use crate::db;
use crate::http::page::{PageCtx, PageError, PageResult, StaffPage, Tile};
use crate::http::routes::{Access, Routes};

/// Who sees the SMS count: the GP's office holders and the division's and state's admins.
pub const ROLES: &[&str] = &[
    "GP_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "DIV_ADMIN",
    "STATE_ADMIN",
    "SUPERUSER",
];

/// Sees every GP at once.
const STATE_ROLES: &[&str] = &["STATE_ADMIN", "SUPERUSER"];

pub const PATH: &str = "/home/sms";

/// The home tile of the month's SMS count (after the state's tiles).
pub const TILES: &[Tile] = &[Tile {
    place: 16,
    key: "SMS_MONTH_TITLE",
    href: PATH,
    roles: ROLES,
}];

pub fn routes(r: &mut Routes<'_>) {
    r.get(PATH, Access::Page(ROLES), month);
}

struct Line {
    tenant: String,
    name: String,
    used: i64,
    budget: Option<i64>,
    skipped: i64,
    failed: i64,
    waiting: i64,
}

#[derive(Template)]
#[template(path = "notification/sms.html")]
struct SmsPage {
    p: PageCtx,
    month: String,
    lines: Vec<Line>,
}

async fn month(mut page: StaffPage) -> PageResult {
    let all = page
        .staff
        .user
        .roles
        .iter()
        .any(|r| STATE_ROLES.contains(&r.code.as_str()));
    let only = (!all).then(|| page.tenant.clone());
    let settings = page.state.settings.notification.clone();
    let now = Utc::now();
    let counts = db::run(&page.state.pool, move |c| {
        super::month_counts(c, &settings, only.as_deref(), now)
    })
    .await
    .map_err(PageError::App)?;
    let p = page.ctx()?;
    let lines = counts
        .into_iter()
        .map(|m| Line {
            name: p.place_name(&m.tenant_id),
            tenant: m.tenant_id,
            used: m.budget.used,
            budget: m.budget.budget,
            skipped: m.skipped,
            failed: m.failed,
            waiting: m.waiting,
        })
        .collect();
    let month = {
        use chrono::Datelike as _;
        let t = now.with_timezone(&crate::time::IST);
        format!("{} {}", p.t(&format!("MONTH_{}", t.month())), t.year())
    };
    page.render(StatusCode::OK, SmsPage { p, month, lines })
}
