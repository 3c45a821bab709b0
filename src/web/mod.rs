//! The HTML shell: the language page, static files, and the staff home (`home.rs`: the tiles the
//! modules declare, the GP switch). The user's screens (login, password, profile) live in
//! `platform::user::pages`; every module serves its own pages beside it, through `http::page`.

mod home;

use actix_web::{HttpResponse, http::StatusCode, http::header, web};
use askama::Template;
use serde::Deserialize;

use crate::http::page::{self, Page, PageCtx, PageResult};
use crate::http::routes::{Access, Routes};

pub fn routes(r: &mut Routes<'_>) {
    r.get("/", Access::PublicPage, index)
        .get("/lang", Access::PublicPage, lang)
        .get("/static/{tail:.*}", Access::Open, static_file);
    home::routes(r);
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    p: PageCtx,
}

async fn index(mut page: Page) -> PageResult {
    let p = page.ctx();
    page.render(StatusCode::OK, IndexPage { p })
}

#[derive(Deserialize)]
struct LangQuery {
    to: Option<String>,
    next: Option<String>,
}

/// Sets the language cookie and goes back.
async fn lang(q: web::Query<LangQuery>) -> HttpResponse {
    let to = match q.to.as_deref() {
        Some("en") => "en",
        Some("hi") => "hi",
        _ => "pa",
    };
    let mut r = page::see_other(&page::safe_next(q.next.as_deref()));
    let _ = r.add_cookie(&page::lang_cookie(to));
    r
}

/// Static files compiled into the binary (a handful of small files; no directory to deploy).
fn asset(path: &str) -> Option<(&'static [u8], &'static str)> {
    Some(match path {
        "css/app.css" => (
            include_bytes!("../../static/css/app.css"),
            "text/css; charset=utf-8",
        ),
        "js/app.js" => (
            include_bytes!("../../static/js/app.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return None,
    })
}

async fn static_file(path: web::Path<String>) -> HttpResponse {
    match asset(&path) {
        Some((bytes, ct)) => HttpResponse::Ok()
            .content_type(ct)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(bytes),
        None => crate::http::not_found_response(&format!("/static/{path}")),
    }
}
