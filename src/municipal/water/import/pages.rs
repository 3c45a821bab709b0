//! The import screen (product.md §2.3): download the template, upload a spreadsheet of
//! households, see every row checked (valid, already registered, invalid and why, in the page's
//! language naming the column as the template does), then import the valid rows.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::columns::{self, Help};
use super::{FileError, Names, Outcome};
use crate::db;
use crate::error::{AppError, ErrorDetail};
use crate::http::page::{Form, PageCtx, PageResult, StaffPage, csrf_forms, not_found};
use crate::http::routes::{Access, Routes};
use crate::municipal::water::pages::CONSUMER_ROLES;
use crate::municipal::water::service::Ctx;
use crate::platform::localization::{Catalog, Locale};
use crate::state::AppState;
use crate::time::IST;

pub fn routes(r: &mut Routes<'_>) {
    let consumer = Access::Page(CONSUMER_ROLES);
    r.get("/home/consumerimport", consumer, import_form)
        .get("/home/consumerimport/template.csv", consumer, template_csv)
        .get(
            "/home/consumerimport/template.xlsx",
            consumer,
            template_xlsx,
        )
        .post("/home/consumerimport/preview", consumer, import_preview)
        .post("/home/consumerimport", consumer, import_run);
}

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx::of(state)
}

fn help<'a>(i18n: &'a Catalog, p: &PageCtx) -> Help<'a> {
    Help {
        i18n,
        locale: Locale::parse(p.locale).unwrap_or(Locale::Pa),
        today: Utc::now().with_timezone(&IST).date_naive(),
    }
}

/// A preview row: (line, name, old id, outcome key, why not).
type ShownRow = (usize, String, String, &'static str, Vec<String>);

#[derive(Template)]
#[template(path = "water/import.html")]
struct ImportPage {
    p: PageCtx,
    /// Each column: (name, required or not, what to write).
    columns: Vec<(String, String, String)>,
    error: String,
    /// Preview: the stored file and each row.
    file_id: String,
    rows: Vec<ShownRow>,
    counts: (usize, usize, usize),
    /// Result of an import: (created, already there, invalid).
    done: Option<(usize, usize, usize)>,
}

fn import_page(p: PageCtx, i18n: &Catalog) -> ImportPage {
    let columns = help(i18n, &p).rows();
    ImportPage {
        p,
        columns,
        error: String::new(),
        file_id: String::new(),
        rows: Vec::new(),
        counts: (0, 0, 0),
        done: None,
    }
}

async fn import_form(mut page: StaffPage) -> PageResult {
    let p = page.ctx()?;
    let shown = import_page(p, &page.state.i18n);
    page.render(StatusCode::OK, shown)
}

/// The template's file name in the page's language would not survive every browser: ASCII.
async fn template_csv(mut page: StaffPage) -> PageResult {
    let p = page.ctx()?;
    let bytes = help(&page.state.i18n, &p).csv();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(crate::http::disposition("attachment", "households.csv"))
        .body(bytes))
}

async fn template_xlsx(mut page: StaffPage) -> PageResult {
    let p = page.ctx()?;
    let bytes = help(&page.state.i18n, &p)
        .xlsx()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(crate::http::disposition("attachment", "households.xlsx"))
        .body(bytes))
}

/// Why a file is refused, in the page's language, naming the columns as the template does.
fn file_error(h: &Help<'_>, e: &FileError) -> String {
    let t = |k: &str| h.i18n.text(h.locale, k);
    let names = |cols: &[usize]| {
        cols.iter()
            .map(|c| format!("«{}»", h.label(*c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match e {
        FileError::Unreadable => t("IMPORT_ERR_UNREADABLE"),
        FileError::Empty => t("IMPORT_ERR_EMPTY"),
        FileError::TooManyRows => h.i18n.format(
            h.locale,
            "IMPORT_ERR_TOO_MANY",
            &[("n", &super::MAX_ROWS.to_string())],
        ),
        FileError::UnknownColumns(c) => h.i18n.format(
            h.locale,
            "IMPORT_ERR_UNKNOWN_COLUMNS",
            &[(
                "columns",
                &c.iter()
                    .map(|c| format!("«{c}»"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )],
        ),
        FileError::MissingColumns(c) => h.i18n.format(
            h.locale,
            "IMPORT_ERR_MISSING_COLUMNS",
            &[("columns", &names(c))],
        ),
    }
}

/// Why a row is refused, one line an error: the column as the template names it, and what to
/// write there.
fn row_errors(h: &Help<'_>, errors: &[ErrorDetail]) -> Vec<String> {
    let mut out: Vec<String> = errors
        .iter()
        .map(|e| {
            let col = e
                .params
                .as_ref()
                .and_then(|p| p.first())
                .and_then(|f| columns::column_of(f, &e.code));
            let own = match e.code.as_str() {
                "DUPLICATE_OLD_CONNECTION_NUMBER" => Some("ERR_DUPLICATE_OLD_CONNECTION_NUMBER"),
                "PENALTY_WITHOUT_ARREARS" => Some("IMPORT_ERR_PENALTY_WITHOUT_ARREARS"),
                "ARREARS_AND_ADVANCE" => Some("IMPORT_ERR_ARREARS_AND_ADVANCE"),
                "PENALTY_NOT_ENABLED" | "ADVANCE_NOT_ENABLED" => Some("IMPORT_ERR_NOT_ENABLED"),
                _ => None,
            };
            let what = match (own, col) {
                (Some(k), _) => h.i18n.text(h.locale, k),
                (None, Some(c)) => h.what(c),
                (None, None) => h.i18n.text(h.locale, "IMPORT_ERR_OTHER"),
            };
            match col {
                Some(c) => format!("{}: {what}", h.label(c)),
                None => what,
            }
        })
        .collect();
    out.dedup();
    out
}

/// Largest upload taken.
const MAX_UPLOAD: usize = 2 * 1024 * 1024;

/// The upload's CSRF field and file, or the key of why it could not be read.
async fn read_upload(
    mut parts: actix_multipart::Multipart,
) -> Result<(String, Vec<u8>), &'static str> {
    use futures_util::StreamExt as _;
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| "IMPORT_ERR_UNREADABLE")?;
        let name = part.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| "IMPORT_ERR_UNREADABLE")?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() > MAX_UPLOAD {
                return Err("IMPORT_ERR_TOO_LARGE");
            }
        }
        match name.as_str() {
            "_csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes,
            _ => {}
        }
    }
    Ok((csrf, file))
}

async fn import_preview(mut page: StaffPage, parts: actix_multipart::Multipart) -> PageResult {
    let upload = read_upload(parts).await;
    if let Ok((csrf, _)) = &upload {
        page.verify_csrf(csrf)?;
    }
    let p = page.ctx()?;
    let mut shown = import_page(p, &page.state.i18n);
    let file = match upload {
        Ok((_, file)) => file,
        Err(key) => {
            shown.error = shown.p.t(key);
            return page.render(StatusCode::BAD_REQUEST, shown);
        }
    };
    let (st, t, actor) = (page.state.clone(), page.tenant.clone(), Some(page.actor()));
    let checked = db::transaction(&page.state.pool, move |c| {
        let names = Names::of(&st.i18n);
        let (pos, rows) = match super::parse(&file, &names) {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        let checked = super::preview(c, ctx(&st), &st.i18n, &t, &pos, &rows, Utc::now())?;
        let id = crate::platform::filestore::store(
            c,
            &st.settings.filestore.dir,
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
    let h = help(&page.state.i18n, &shown.p);
    match checked {
        Err(why) => {
            shown.error = file_error(&h, &why);
            page.render(StatusCode::BAD_REQUEST, shown)
        }
        Ok((id, checked)) => {
            let count = |f: fn(&Outcome) -> bool| checked.iter().filter(|c| f(&c.outcome)).count();
            shown.counts = (
                count(|o| *o == Outcome::Valid),
                count(|o| *o == Outcome::AlreadyRegistered),
                count(|o| matches!(o, Outcome::Invalid(_) | Outcome::Repeated)),
            );
            shown.rows = checked
                .into_iter()
                .map(|c| {
                    let (k, m) = match &c.outcome {
                        Outcome::Valid => ("IMPORT_ROW_VALID", Vec::new()),
                        Outcome::AlreadyRegistered => ("IMPORT_ROW_ALREADY", Vec::new()),
                        Outcome::Invalid(e) => ("IMPORT_ROW_INVALID", row_errors(&h, e)),
                        Outcome::Repeated => (
                            "IMPORT_ROW_INVALID",
                            vec![format!("{}: {}", h.label(4), shown.p.t("IMPORT_ERR_TWICE"))],
                        ),
                    };
                    (c.line, c.name, c.old_no, k, m)
                })
                .collect();
            shown.file_id = id.to_string();
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
        let dir = &st.settings.filestore.dir;
        let Some((_, bytes)) = crate::platform::filestore::read(c, dir, &t, id)? else {
            return Ok(None);
        };
        let (pos, rows) = super::parse(&bytes, &Names::of(&st.i18n))?;
        Ok(Some(super::import(
            c,
            ctx(&st),
            &st.i18n,
            &t,
            &pos,
            &rows,
            actor,
            Utc::now(),
        )?))
    })
    .await?
    .ok_or_else(not_found)?;
    let p = page.ctx()?;
    let mut shown = import_page(p, &page.state.i18n);
    shown.done = Some((done.created, done.already, done.invalid));
    page.render(StatusCode::OK, shown)
}
