//! The state admin's view of the scheduled jobs (`/home/jobs`): every job with its schedule (IST),
//! whether the scheduler runs it, and its last run; `/home/jobs/{name}` lists a job's runs.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::runs::{self, Run};
use crate::db;
use crate::http::page::{PageCtx, PageError, PageResult, StaffPage, Tile, not_found};
use crate::http::routes::{Access, Routes};
use crate::time::IST;

/// Who sees the jobs: the state admin only (GP staff never).
pub const ROLES: &[&str] = &["STATE_ADMIN"];

pub const PATH: &str = "/home/jobs";

pub const TILES: &[Tile] = &[Tile {
    place: 15,
    key: "JOBS_TITLE",
    href: PATH,
    roles: ROLES,
}];

pub fn routes(r: &mut Routes<'_>) {
    r.get(PATH, Access::Page(ROLES), list)
        .get("/home/jobs/{name}", Access::Page(ROLES), history);
}

struct RunView {
    trigger_key: &'static str,
    started: String,
    finished: String,
    outcome: String,
    outcome_key: &'static str,
    summary: String,
    error: String,
}

fn view(r: &Run) -> RunView {
    let at = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&IST)
            .format("%d-%m-%Y %H:%M:%S")
            .to_string()
    };
    RunView {
        trigger_key: if r.trigger == "hand" {
            "JOBS_TRIGGER_HAND"
        } else {
            "JOBS_TRIGGER_SCHEDULE"
        },
        started: at(r.started_at),
        finished: r.finished_at.map(at).unwrap_or_default(),
        outcome: r.outcome.clone(),
        outcome_key: match r.outcome.as_str() {
            "ok" => "JOBS_OUTCOME_OK",
            "failed" => "JOBS_OUTCOME_FAILED",
            "skipped-locked" => "JOBS_OUTCOME_SKIPPED",
            _ => "JOBS_OUTCOME_RUNNING",
        },
        summary: r.summary.clone(),
        error: r.error.clone().unwrap_or_default(),
    }
}

struct JobRow {
    name: &'static str,
    schedule: &'static str,
    on: bool,
    last: Option<RunView>,
}

#[derive(Template)]
#[template(path = "jobs/list.html")]
struct ListPage {
    p: PageCtx,
    jobs: Vec<JobRow>,
}

async fn list(mut page: StaffPage) -> PageResult {
    let latest = db::run(&page.state.pool, |c| Ok(runs::latest(c)?))
        .await
        .map_err(PageError::App)?;
    let switches = page.state.settings.jobs.clone();
    let jobs = super::all()
        .iter()
        .map(|j| JobRow {
            name: j.name,
            schedule: j.schedule,
            on: super::is_on(j, &switches),
            last: latest.iter().find(|r| r.job == j.name).map(view),
        })
        .collect();
    let p = page.ctx()?;
    page.render(StatusCode::OK, ListPage { p, jobs })
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i32>,
}

#[derive(Template)]
#[template(path = "jobs/history.html")]
struct HistoryPage {
    p: PageCtx,
    name: &'static str,
    schedule: &'static str,
    on: bool,
    runs: Vec<RunView>,
    page: i32,
    more: bool,
}

const PER_PAGE: i32 = 30;

async fn history(
    mut page: StaffPage,
    name: web::Path<String>,
    q: web::Query<PageQuery>,
) -> PageResult {
    let job = super::all()
        .iter()
        .find(|j| j.name == name.as_str())
        .ok_or_else(not_found)?;
    let n = q.page.unwrap_or(0).clamp(0, 10_000);
    let found = db::run(&page.state.pool, move |c| {
        Ok(runs::history(c, job.name, PER_PAGE + 1, n * PER_PAGE)?)
    })
    .await
    .map_err(PageError::App)?;
    let more = found.len() > PER_PAGE as usize;
    let runs = found.iter().take(PER_PAGE as usize).map(view).collect();
    let on = super::is_on(job, &page.state.settings.jobs);
    let p = page.ctx()?;
    page.render(
        StatusCode::OK,
        HistoryPage {
            p,
            name: job.name,
            schedule: job.schedule,
            on,
            runs,
            page: n,
            more,
        },
    )
}
