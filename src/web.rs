//! The HTML front door and static files. Staff and citizen pages are added by their modules.

use actix_web::{HttpResponse, http::header, web};
use askama::Template;
use serde::Deserialize;

use crate::error::AppResult;
use crate::platform::localization::Locale;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/static/{tail:.*}", web::get().to(static_file));
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    lang: &'static str,
    app_name: String,
    heading: String,
    choose: String,
    languages: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn index(state: web::Data<AppState>, q: web::Query<LangQuery>) -> AppResult<HttpResponse> {
    let locale = q
        .lang
        .as_deref()
        .and_then(Locale::parse)
        .or_else(|| Locale::parse(&state.settings.app.default_locale))
        .unwrap_or(Locale::Pa);
    let t = |k: &str| state.i18n.text(locale, k);
    let page = IndexPage {
        lang: locale.lang(),
        app_name: t("CORE_APP_NAME"),
        heading: t("CORE_NALJAL"),
        choose: t("CORE_SELECT_LANGUAGE"),
        languages: vec![("pa", "ਪੰਜਾਬੀ"), ("hi", "हिंदी"), ("en", "English")],
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// Static files compiled into the binary (a handful of small files; no directory to deploy).
fn asset(path: &str) -> Option<(&'static [u8], &'static str)> {
    Some(match path {
        "css/app.css" => (
            include_bytes!("../static/css/app.css"),
            "text/css; charset=utf-8",
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
