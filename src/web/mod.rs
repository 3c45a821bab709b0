//! The HTML shell: the language page, static files, and the staff home (`home.rs`: the tiles the
//! modules declare, the GP switch). The user's screens (login, password, profile) live in
//! `platform::user::pages`; every module serves its own pages beside it, through `http::page`.

mod home;
mod notifications;

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
    notifications::routes(r);
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

/// What is sent of a static file: a script without its whole-line `//` comments, a stylesheet
/// without its whole-line `/* … */` comments (they document the source; a cheap phone need not
/// download them).
fn served(path: &str, bytes: &'static [u8]) -> Vec<u8> {
    let comment = |l: &str| {
        let l = l.trim();
        if path.ends_with(".js") {
            l.starts_with("//")
        } else {
            l.starts_with("/*") && l.ends_with("*/")
        }
    };
    if !path.ends_with(".js") && !path.ends_with(".css") {
        return bytes.to_vec();
    }
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !comment(l)) {
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

/// `bytes` gzipped at the best level, once per file for the life of the process.
fn gzipped(path: &str, bytes: &'static [u8]) -> &'static [u8] {
    use std::collections::HashMap;
    use std::io::Write as _;
    use std::sync::{Mutex, OnceLock};
    static DONE: OnceLock<Mutex<HashMap<String, &'static [u8]>>> = OnceLock::new();
    let mut done = DONE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    done.entry(path.to_owned()).or_insert_with(|| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let packed = e.write_all(&served(path, bytes)).and_then(|()| e.finish());
        // a failure to compress (none is expected in memory) serves the file as it is
        packed.map_or(bytes, |v| Vec::leak(v))
    })
}

/// A static file; gzipped at the best level when the browser takes gzip (the stylesheet counts
/// in the weight of a cheap phone's first screen).
async fn static_file(req: actix_web::HttpRequest, path: web::Path<String>) -> HttpResponse {
    let Some((bytes, ct)) = asset(&path) else {
        return crate::http::not_found_response(&format!("/static/{path}"));
    };
    let takes_gzip = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut r = HttpResponse::Ok();
    r.content_type(ct)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if takes_gzip {
        r.insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(gzipped(&path, bytes))
    } else {
        r.body(served(&path, bytes))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn scripts_and_stylesheets_are_sent_without_their_comment_lines() {
        let js = super::served(
            "js/app.js",
            b"// what it does\nvar a = 1; // kept\n  // gone\nf(a);\n",
        );
        assert_eq!(js, b"var a = 1; // kept\nf(a);\n");
        assert_eq!(
            super::served(
                "css/app.css",
                b"/* c */ a{}\n  /* gone */\nb{} /* kept */\n"
            ),
            b"/* c */ a{}\nb{} /* kept */\n"
        );
    }
}
