//! The error pages: an error of a page (a refusal of the gateway, a handler's or an extractor's
//! error, the 404 of an unknown page path) leaves its message on a bare response, and the
//! `error_pages` middleware renders it as a whole page in the browser's language, with `lang`,
//! the usual header and a way home. API answers pass untouched.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{PageCtx, render};
use crate::state::AppState;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What an error page says: a catalogue key, and the text shown when the catalogue has none
/// (an API error's English message). Left on the bare response by [`error_page`], for
/// [`error_pages`] to render in the request's language.
#[derive(Clone, Debug)]
struct ErrorMark {
    key: String,
    fallback: String,
}

/// A bare error page (status and message only); [`error_pages`] replaces it by the full page.
pub(super) fn error_page(status: StatusCode, key: &str, fallback: &str) -> HttpResponse {
    let shown = if fallback.is_empty() { key } else { fallback };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{code}</title><link rel=\"stylesheet\" href=\"/static/css/app.css\"></head><body>\
         <header class=\"bar\"><a href=\"/home\" class=\"brand\">mGramSeva</a></header><main><h1>{code}</h1><p class=\"error\">{msg}</p>\
         <p><a href=\"/home\">⌂</a></p></main></body></html>",
        code = status.as_u16(),
        msg = esc(shown)
    );
    let mut r = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body);
    r.extensions_mut().insert(ErrorMark {
        key: key.to_owned(),
        fallback: fallback.to_owned(),
    });
    r
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    p: PageCtx,
    /// The status, for tests and scripts (`data-status`).
    status: u16,
    /// The catalogue key of the message (`data-error`), empty when none.
    key: String,
    heading: String,
}

impl ErrorPage {
    fn new(p: PageCtx, status: StatusCode, mark: &ErrorMark) -> Self {
        let generic = match status {
            StatusCode::NOT_FOUND => "CORE_PAGE_NOT_FOUND",
            StatusCode::FORBIDDEN => "CORE_NOT_AUTHORIZED",
            _ => "CORE_SOMETHING_WENT_WRONG",
        };
        // the key, else (an API error's `ERR_<code>`) the code itself, else the fallback
        let bare = mark.key.strip_prefix("ERR_").unwrap_or("");
        let said = [mark.key.as_str(), bare]
            .into_iter()
            .filter(|k| !k.is_empty())
            .map(|k| (k, p.t(k)))
            .find(|(k, t)| t != k)
            .map_or_else(|| mark.fallback.clone(), |(_, t)| t);
        let heading = if said.is_empty() || status.is_server_error() {
            p.t(generic)
        } else {
            said
        };
        Self {
            p,
            status: status.as_u16(),
            key: mark.key.clone(),
            heading,
        }
    }
}

/// Middleware: an error answered by a page (a refusal of the gateway, a handler's or an
/// extractor's error, the 404 of an unknown page path) becomes a whole page in the browser's
/// language, with the usual header and a way home. API answers pass untouched.
pub async fn error_pages(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let mark = res.response().extensions().get::<ErrorMark>().cloned();
    let (Some(mark), Some(state)) = (
        mark,
        res.request().app_data::<web::Data<AppState>>().cloned(),
    ) else {
        return Ok(res);
    };
    let status = res.status();
    let (p, cookie) = PageCtx::new(res.request(), &state);
    let page = ErrorPage::new(p, status, &mark);
    match render(status, page.render(), cookie) {
        Ok(r) => Ok(res.into_response(r)),
        Err(_) => Ok(res),
    }
}
