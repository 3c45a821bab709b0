//! The import screen (product.md §2.3): upload a spreadsheet of households, see every row
//! checked (valid, already registered, invalid and why), then import the valid rows.

use actix_web::http::StatusCode;
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::db;
use crate::error::{AppError, codes};
use crate::http::page::{Form, PageCtx, PageResult, StaffPage, csrf_forms, not_found};
use crate::http::routes::{Access, Routes};
use crate::municipal::water::pages::CONSUMER_ROLES;
use crate::municipal::water::service::Ctx;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    let consumer = Access::Page(CONSUMER_ROLES);
    r.get("/home/consumerimport", consumer, import_form)
        .post("/home/consumerimport/preview", consumer, import_preview)
        .post("/home/consumerimport", consumer, import_run);
}

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx::of(state)
}

#[derive(Template)]
#[template(path = "water/import.html")]
struct ImportPage {
    p: PageCtx,
    columns: Vec<&'static str>,
    error: String,
    /// Preview: the stored file and each row (line, name, old id, outcome key, messages).
    file_id: String,
    rows: Vec<(usize, String, String, &'static str, String)>,
    counts: (usize, usize, usize),
    /// Result of an import: (created, already there, invalid).
    done: Option<(usize, usize, usize)>,
}

fn import_page(p: PageCtx) -> ImportPage {
    ImportPage {
        p,
        columns: super::COLUMNS.to_vec(),
        error: String::new(),
        file_id: String::new(),
        rows: Vec::new(),
        counts: (0, 0, 0),
        done: None,
    }
}

async fn import_form(mut page: StaffPage) -> PageResult {
    let p = page.ctx().await?;
    page.render(StatusCode::OK, import_page(p))
}

/// Largest upload taken.
const MAX_UPLOAD: usize = 2 * 1024 * 1024;

async fn import_preview(mut page: StaffPage, mut parts: actix_multipart::Multipart) -> PageResult {
    use futures_util::StreamExt as _;
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Some(part) = parts.next().await {
        let mut part =
            part.map_err(|e| AppError::bad_request(codes::INVALID_UPLOAD, e.to_string()))?;
        let name = part.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk =
                chunk.map_err(|e| AppError::bad_request(codes::INVALID_UPLOAD, e.to_string()))?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() > MAX_UPLOAD {
                return Err(AppError::client(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "FILE_TOO_LARGE",
                    "the file is larger than 2 MB",
                )
                .into());
            }
        }
        match name.as_str() {
            "_csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes,
            _ => {}
        }
    }
    page.verify_csrf(&csrf)?;
    let p = page.ctx().await?;
    let (st, t, actor) = (page.state.clone(), page.tenant.clone(), Some(page.actor()));
    let checked = db::transaction(&page.state.pool, move |c| {
        let (pos, rows) = match super::parse(&file) {
            Ok(x) => x,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let checked = super::preview(c, ctx(&st), &t, &pos, &rows, Utc::now())?;
        let id = crate::platform::filestore::store(
            c,
            &t,
            "WS",
            Some("consumer-import"),
            "households.csv",
            "text/csv",
            file,
            actor,
            Utc::now(),
        )?;
        Ok(Ok((id, checked)))
    })
    .await?;
    let mut shown = import_page(p);
    match checked {
        Err(why) => {
            shown.error = why;
            page.render(StatusCode::BAD_REQUEST, shown)
        }
        Ok((id, checked)) => {
            use super::Outcome;
            shown.file_id = id.to_string();
            shown.counts = (
                checked
                    .iter()
                    .filter(|c| c.outcome == Outcome::Valid)
                    .count(),
                checked
                    .iter()
                    .filter(|c| c.outcome == Outcome::AlreadyRegistered)
                    .count(),
                checked
                    .iter()
                    .filter(|c| matches!(c.outcome, Outcome::Invalid(_)))
                    .count(),
            );
            shown.rows = checked
                .into_iter()
                .map(|c| {
                    let (k, m) = match c.outcome {
                        Outcome::Valid => ("IMPORT_ROW_VALID", String::new()),
                        Outcome::AlreadyRegistered => ("IMPORT_ROW_ALREADY", String::new()),
                        Outcome::Invalid(m) => ("IMPORT_ROW_INVALID", m.join("; ")),
                    };
                    (c.line, c.name, c.old_no, k, m)
                })
                .collect();
            page.render(StatusCode::OK, shown)
        }
    }
}

#[derive(Deserialize)]
struct ImportForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    file_id: String,
}

csrf_forms!(ImportForm);

async fn import_run(mut page: StaffPage, form: Form<ImportForm>) -> PageResult {
    let id = uuid::Uuid::parse_str(form.file_id.trim()).map_err(|_| not_found())?;
    let (st, t, actor) = (page.state.clone(), page.tenant.clone(), Some(page.actor()));
    let done = db::transaction(&page.state.pool, move |c| {
        let Some(f) = crate::platform::filestore::get(c, &t, id)? else {
            return Ok(None);
        };
        let (pos, rows) = super::parse(&f.bytes)?;
        Ok(Some(super::import(
            c,
            ctx(&st),
            &t,
            &pos,
            &rows,
            actor,
            Utc::now(),
        )?))
    })
    .await?
    .ok_or_else(not_found)?;
    let p = page.ctx().await?;
    let mut shown = import_page(p);
    shown.done = Some((done.created, done.already, done.invalid));
    page.render(StatusCode::OK, shown)
}
