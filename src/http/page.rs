//! What every HTML page shares: the language (cookie `mgs_lang`), the CSRF token (cookie
//! `mgs_csrf`, echoed in every form as `_csrf`, compared on every POST), the staff session
//! (cookie `mgs_session`, HttpOnly, SameSite=Lax, Secure unless configured off), redirects, and
//! errors rendered as a small page instead of JSON.
//!
//! The page helper every handler starts from: `StaffPage` (who, on which GP, the page context on
//! demand, rendering), `FirstLoginPage`, `Page` (public pages) and `Form<T>` (a posted form whose
//! CSRF token has been compared). The roles are the gateway's, from the route declaration.
//! Modules declare their home tiles as `Tile`s.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieAge};
use actix_web::http::{StatusCode, header};
use actix_web::{
    FromRequest, HttpMessage as _, HttpRequest, HttpResponse, ResponseError, dev::Payload, web,
};

use askama::Template;
use chrono::{DateTime, Datelike as _, NaiveDate, Utc};

use crate::db;
use crate::error::AppError;
use crate::platform::access::identity::{AuthUser, tenant_covers};
use crate::state::AppState;
use crate::time::IST;

mod errors;
mod names;
mod paths;

use errors::error_page;
pub use errors::error_pages;
pub use names::Names;
pub use paths::{enclosing_page, form_page, gettable_page, is_page_path};

pub const SESSION_COOKIE: &str = "mgs_session";
pub const CSRF_COOKIE: &str = "mgs_csrf";
pub const LANG_COOKIE: &str = "mgs_lang";

/// Localized text by key (implemented by the message catalogue).
pub trait Texts: Send + Sync {
    fn text(&self, locale: &str, key: &str) -> String;

    /// The text of `key` for `n` things: `KEY_ONE` when `n` is 1 and the catalogue has it (its
    /// singular wording), else `KEY`; `{count}` filled in.
    fn text_n(&self, locale: &str, key: &str, n: i64) -> String {
        let one = format!("{key}_ONE");
        let singular = (n == 1)
            .then(|| self.text(locale, &one))
            .filter(|t| *t != one);
        singular
            .unwrap_or_else(|| self.text(locale, key))
            .replace("{count}", &n.to_string())
    }
}

/// The pages' texts come from the localization catalog.
impl Texts for crate::platform::localization::Catalog {
    fn text(&self, locale: &str, key: &str) -> String {
        use crate::platform::localization::Locale;
        Self::text(self, Locale::parse(locale).unwrap_or(Locale::En), key)
    }
}

/// `pa`, `hi` or `en` from the cookie (Punjabi when absent), as a locale code.
pub fn locale_of(req: &HttpRequest, default: &str) -> &'static str {
    let v = req
        .cookie(LANG_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_else(|| default.to_owned());
    match v.as_str() {
        "en" | "en_IN" => "en_IN",
        "hi" | "hi_IN" => "hi_IN",
        _ => "pa_IN",
    }
}

/// The CSRF token of this browser, creating one when there is none.
pub fn csrf_token(req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    if let Some(c) = req.cookie(CSRF_COOKIE)
        && c.value().len() >= 32
    {
        return (c.value().to_owned(), None);
    }
    let mut raw = [0u8; 24];
    rand::fill(&mut raw);
    let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let secure = req
        .app_data::<web::Data<AppState>>()
        .is_none_or(|s| s.settings.security.secure_cookies);
    let cookie = Cookie::build(CSRF_COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish();
    (token, Some(cookie))
}

/// A POSTed form must carry the browser's CSRF token.
pub fn verify_csrf(req: &HttpRequest, sent: &str) -> Result<(), PageError> {
    match req.cookie(CSRF_COOKIE) {
        Some(c) if !sent.is_empty() && constant_eq(c.value().as_bytes(), sent.as_bytes()) => Ok(()),
        _ => Err(PageError::Status(
            StatusCode::FORBIDDEN,
            "CORE_FORM_EXPIRED".to_owned(),
        )),
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Builds a session cookie (or its removal with `None`).
pub fn session_cookie(state: &AppState, value: Option<&str>) -> Cookie<'static> {
    let mut c = Cookie::build(SESSION_COOKIE, value.unwrap_or("").to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.security.secure_cookies)
        .finish();
    if value.is_none() {
        c.set_max_age(CookieAge::ZERO);
    }
    c
}

pub fn lang_cookie(lang: &str) -> Cookie<'static> {
    Cookie::build(LANG_COOKIE, lang.to_owned())
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(CookieAge::days(365))
        .finish()
}

/// 303 to `to`.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// Only same-site paths may be redirect targets: a path that starts with one `/` and holds no
/// backslash, no space and no control character (browsers drop tab, CR and LF from a URL, so
/// `/\t/evil.example` would become `//evil.example`, another site).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            n.to_owned()
        }
        _ => "/home".to_owned(),
    }
}

/// Errors of the HTML pages.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Not logged in: go to the login page, then back.
    #[error("login required")]
    Login(String),
    /// The browser's session is no longer live: the login page says so (and, for a posted form,
    /// that it was not saved), then back to `next`, a page that can be opened by GET.
    #[error("session expired")]
    Expired { next: String, form: bool },
    /// Logged in on a first password: change it first.
    #[error("password change required")]
    ChangePassword,
    /// A status with a message key.
    #[error("{0}: {1}")]
    Status(StatusCode, String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Login(_) | Self::Expired { .. } | Self::ChangePassword => StatusCode::SEE_OTHER,
            Self::Status(s, _) => *s,
            Self::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Login(next) => see_other(&format!("/login?next={}", urlencode(next))),
            Self::Expired { next, form } => see_other(&format!(
                "/login?next={}&expired={}",
                urlencode(next),
                if *form { "form" } else { "1" }
            )),
            Self::ChangePassword => see_other("/home/first-login"),
            Self::Status(s, key) => error_page(*s, key, ""),
            Self::App(e) => {
                let _ = e.error_response(); // logs it once
                let status = e.status_code();
                if status.is_server_error() {
                    // nothing of the cause is shown: the heading says something went wrong
                    return error_page(status, "", "");
                }
                let (key, msg) = e
                    .details()
                    .first()
                    .map(|d| (format!("ERR_{}", d.code), d.message.clone()))
                    .unwrap_or_default();
                error_page(status, &key, &msg)
            }
        }
    }
}

pub use crate::words::urlencode;

/// What every template gets: language, CSRF token, texts, and who is logged in where.
pub struct PageCtx {
    /// `pa`, `hi` or `en` (the HTML `lang`).
    pub lang: &'static str,
    pub locale: &'static str,
    pub csrf: String,
    pub path: String,
    pub user_name: String,
    pub tenant: String,
    pub tenant_name: String,
    /// The GPs the person may switch between: (code, name).
    pub gps: Vec<(String, String)>,
    texts: Arc<crate::platform::localization::Catalog>,
}

impl PageCtx {
    pub fn new(req: &HttpRequest, state: &AppState) -> (Self, Option<Cookie<'static>>) {
        let texts = state.i18n.clone();
        let locale = locale_of(req, &state.settings.app.default_locale);
        let (csrf, cookie) = csrf_token(req);
        let path = match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        };
        let lang = &locale[..2];
        let lang = match lang {
            "en" => "en",
            "hi" => "hi",
            _ => "pa",
        };
        (
            Self {
                lang,
                locale,
                csrf,
                path,
                user_name: String::new(),
                tenant: String::new(),
                tenant_name: String::new(),
                gps: Vec::new(),
                texts,
            },
            cookie,
        )
    }

    /// The context of a logged-in member of staff: name, current GP and the GPs to switch to.
    pub fn for_staff(
        req: &HttpRequest,
        state: &AppState,
        staff: &Staff,
    ) -> Result<(Self, Option<Cookie<'static>>), PageError> {
        let (mut p, cookie) = Self::new(req, state);
        p.user_name = staff.user.name.clone();
        let state_tenant = state.settings.app.state_tenant.clone();
        let mut codes: Vec<String> = staff
            .user
            .roles
            .iter()
            .map(|r| r.tenant_id.clone())
            .filter(|t| *t != state_tenant)
            .collect();
        codes.sort();
        codes.dedup();
        let current = staff.current_tenant();
        // names from the catalogue, in the page's language (the seed names every GP in English)
        p.gps = codes.iter().map(|c| (c.clone(), p.place_name(c))).collect();
        p.tenant_name = p.place_name(&current);
        p.tenant = current;
        Ok((p, cookie))
    }

    /// The text of `key` in the page's language (English, then the key, when missing).
    pub fn t(&self, key: &str) -> String {
        Texts::text(&*self.texts, self.locale, key)
    }

    /// `t` for `n` things, in the singular when `n` is 1 (`Texts::text_n`).
    pub fn t_n(&self, key: &str, n: i64) -> String {
        self.texts.text_n(self.locale, key, n)
    }

    pub fn next_param(&self) -> String {
        urlencode(&self.path)
    }
}

/// Renders a page (adding the CSRF cookie when it was just made).
fn render(
    status: StatusCode,
    html: Result<String, askama::Error>,
    cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse, PageError> {
    let body = html.map_err(AppError::from)?;
    let mut b = HttpResponse::build(status);
    b.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(c) = cookie {
        b.cookie(c);
    }
    Ok(b.body(body))
}

/// A logged-in member of staff, the GP they work on now, and the raw session id.
#[derive(Clone, Debug)]
pub struct Staff {
    pub user: AuthUser,
    pub tenant: Option<String>,
    pub session: String,
}

impl Staff {
    /// The GP the person works on now (the one chosen, else their home tenant).
    pub fn current_tenant(&self) -> String {
        self.tenant
            .clone()
            .unwrap_or_else(|| self.user.tenant_id.clone())
    }

    /// Role codes held on the current GP (roles on the state tenant count everywhere).
    pub fn roles_here(&self) -> Vec<&str> {
        let t = self.tenant.as_deref().unwrap_or(&self.user.tenant_id);
        let mut r: Vec<&str> = self
            .user
            .roles
            .iter()
            .filter(|r| tenant_covers(&r.tenant_id, t))
            .map(|r| r.code.as_str())
            .collect();
        r.sort_unstable();
        r.dedup();
        r
    }

    pub fn has_any(&self, roles: &[&str]) -> bool {
        self.roles_here().iter().any(|r| roles.contains(r))
    }
}

/// The member of staff behind the request's session cookie, or a redirect to the login page
/// (and back after it: here for a GET, else to the page the form was on). A session cookie
/// without a live session has expired: the login page says so. The gateway calls it for every
/// page route that needs a login.
pub async fn staff_of(req: &HttpRequest, state: &AppState) -> Result<Staff, PageError> {
    let is_get = matches!(req.method().as_str(), "GET" | "HEAD");
    let next = || match (is_get, req.query_string()) {
        (true, "") => req.path().to_owned(),
        (true, q) => format!("{}?{q}", req.path()),
        (false, _) => form_page(req),
    };
    let Some(raw) = req
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
    else {
        return Err(PageError::Login(next()));
    };
    let ac = state.access.clone();
    let r = raw.clone();
    let found = db::run(&state.pool, move |c| ac.session(c, &r)).await?;
    let Some((user, tenant)) = found else {
        return Err(PageError::Expired {
            next: next(),
            form: !is_get,
        });
    };
    Ok(Staff {
        user,
        tenant,
        session: raw,
    })
}

async fn staff_from(req: HttpRequest, allow_first_login: bool) -> Result<Staff, PageError> {
    // The gateway has found the session of every page route that needs one.
    let known = req.extensions().get::<Staff>().cloned();
    let staff = match known {
        Some(s) => s,
        None => {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("state missing")))?;
            staff_of(&req, &state).await?
        }
    };
    if staff.user.must_change_password && !allow_first_login {
        return Err(PageError::ChangePassword);
    }
    Ok(staff)
}

/// What a page handler answers.
pub type PageResult = Result<HttpResponse, PageError>;

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, PageError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("state missing")).into())
}

/// Keeps the CSRF cookie a context made, so that the page rendered carries it; a second
/// context of the same request gets the same token.
fn keep_cookie(kept: &mut Option<Cookie<'static>>, p: &mut PageCtx, made: Option<Cookie<'static>>) {
    match kept {
        Some(c) => c.value().clone_into(&mut p.csrf),
        None => *kept = made,
    }
}

/// A page anyone may open (language, login, forgotten password): the request, the state, and the
/// page context on demand. Its handlers read `Page`, build the context, render.
pub struct Page {
    pub state: web::Data<AppState>,
    req: HttpRequest,
    cookie: Option<Cookie<'static>>,
}

impl FromRequest for Page {
    type Error = PageError;
    type Future = std::future::Ready<Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(state_of(req).map(|state| Self {
            state,
            req: req.clone(),
            cookie: None,
        }))
    }
}

impl Page {
    pub fn request(&self) -> &HttpRequest {
        &self.req
    }

    /// The page context: language, CSRF token, texts (nobody logged in).
    pub fn ctx(&mut self) -> PageCtx {
        let (mut p, made) = PageCtx::new(&self.req, &self.state);
        keep_cookie(&mut self.cookie, &mut p, made);
        p
    }

    /// Renders `page` with `status` (and the CSRF cookie, when its context made one).
    pub fn render<T: Template>(self, status: StatusCode, page: T) -> PageResult {
        render(status, page.render(), self.cookie)
    }
}

/// A staff page: the member of staff (the gateway has found the session and checked the roles
/// the route declares), the GP they work on now, the state, and the page context on demand
/// (built only by handlers that show a page: a form that redirects costs no lookup of GP names).
///
/// A handler takes `StaffPage` (and `Form<T>` for a POST), does its own work, and ends with
/// `page.render(status, Template { p, .. })` or a redirect.
pub struct StaffPage {
    pub staff: Staff,
    /// The GP worked on now (chosen, else the home tenant).
    pub tenant: String,
    pub state: web::Data<AppState>,
    req: HttpRequest,
    cookie: Option<Cookie<'static>>,
}

async fn staff_page(req: HttpRequest, allow_first_login: bool) -> Result<StaffPage, PageError> {
    let staff = staff_from(req.clone(), allow_first_login).await?;
    Ok(StaffPage {
        tenant: staff.current_tenant(),
        staff,
        state: state_of(&req)?,
        req,
        cookie: None,
    })
}

impl FromRequest for StaffPage {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(staff_page(req.clone(), false))
    }
}

impl StaffPage {
    pub fn request(&self) -> &HttpRequest {
        &self.req
    }

    /// Who acts (for the audit columns).
    pub fn actor(&self) -> uuid::Uuid {
        self.staff.user.uuid
    }

    /// The page context: language, CSRF token, texts, the person's name, the GP and the GPs to
    /// switch to.
    pub fn ctx(&mut self) -> Result<PageCtx, PageError> {
        let (mut p, made) = PageCtx::for_staff(&self.req, &self.state, &self.staff)?;
        keep_cookie(&mut self.cookie, &mut p, made);
        Ok(p)
    }

    /// The page's language and texts only, for a message worked out before the page is built.
    pub fn texts(&self) -> PageCtx {
        PageCtx::new(&self.req, &self.state).0
    }

    /// A form read by hand (multipart, repeated fields) must carry the browser's CSRF token.
    pub fn verify_csrf(&self, sent: &str) -> Result<(), PageError> {
        verify_csrf(&self.req, sent)
    }

    /// Renders `page` with `status` (and the CSRF cookie, when its context made one).
    pub fn render<T: Template>(self, status: StatusCode, page: T) -> PageResult {
        render(status, page.render(), self.cookie)
    }
}

/// Like `StaffPage`, but also for someone who must still change a first password.
pub struct FirstLoginPage(pub StaffPage);

impl FromRequest for FirstLoginPage {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { staff_page(req, true).await.map(FirstLoginPage) })
    }
}

/// A form that carries the browser's CSRF token (its `_csrf` field). `csrf_forms!(A, B)`
/// implements it for forms whose field is named `csrf`.
pub trait Csrf {
    fn csrf(&self) -> &str;
}

/// Implements [`Csrf`] for forms with a `csrf: String` field (serde-renamed `_csrf`).
macro_rules! csrf_forms {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::http::page::Csrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}
pub(crate) use csrf_forms;

/// A posted form, parsed as `web::Form` parses it, whose CSRF token has been compared with the
/// browser's: a handler that takes one cannot forget the check.
pub struct Form<T>(pub T);

impl<T> Form<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Form<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned + Csrf + 'static> FromRequest for Form<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parsed = web::Form::<T>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let f = parsed.await?.into_inner();
            verify_csrf(&req, f.csrf())?;
            Ok(Self(f))
        })
    }
}

/// The CSRF token alone (logout, first-login send).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

csrf_forms!(CsrfOnly);

/// A home tile: message key, target, the roles that see it (empty: everyone), and its place on
/// the home screen (product.md §1.2). Each module declares
/// the tiles of its screens; the home page shows them in place order.
pub struct Tile {
    pub place: u8,
    pub key: &'static str,
    pub href: &'static str,
    pub roles: &'static [&'static str],
}

/// 404 as a page.
pub fn not_found() -> PageError {
    PageError::Status(StatusCode::NOT_FOUND, "CORE_PAGE_NOT_FOUND".to_owned())
}

/// A day as staff read it (IST, dd/mm/yyyy).
pub fn ist_date(t: DateTime<Utc>) -> String {
    t.with_timezone(&IST).format("%d/%m/%Y").to_string()
}

/// A date field (yyyy-mm-dd) as the start of that day in IST, in epoch milliseconds.
pub fn day_ms(s: &str) -> Option<i64> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .map(crate::time::ist_day_start_millis)
}

/// A PDF to download.
pub fn pdf_response(name: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(crate::http::disposition(
            "attachment",
            &format!("{name}.pdf"),
        ))
        .body(bytes)
}

impl PageCtx {
    /// "April 2026" in the page's language.
    pub fn month_label(&self, d: NaiveDate) -> String {
        format!("{} {}", self.t(&format!("MONTH_{}", d.month())), d.year())
    }

    /// Field errors of a refused request, as lines in the page's language (`ERR_<code>`, else
    /// the message).
    pub fn error_lines(&self, e: &AppError) -> Vec<String> {
        match e {
            AppError::Client { errors, .. } => errors
                .iter()
                .map(|x| {
                    let key = format!("ERR_{}", x.code);
                    let text = self.t(&key);
                    if text == key { x.message.clone() } else { text }
                })
                .collect(),
            other => vec![other.to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_redirects() {
        assert_eq!(safe_next(Some("/home/profile")), "/home/profile");
        assert_eq!(safe_next(Some("//evil.example")), "/home");
        assert_eq!(safe_next(Some("https://evil.example")), "/home");
        assert_eq!(safe_next(None), "/home");
        // browsers drop tab, CR and LF: these would lead to //evil.example
        assert_eq!(safe_next(Some("/\t/evil.example")), "/home");
        assert_eq!(safe_next(Some("/\r\n/evil.example")), "/home");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/home");
        assert_eq!(safe_next(Some("/\\evil.example")), "/home");
        assert_eq!(safe_next(Some("/ /evil.example")), "/home");
        assert_eq!(safe_next(Some("/home?a=1&b=2")), "/home?a=1&b=2");
    }

    #[test]
    fn encodes_for_a_query() {
        assert_eq!(urlencode("/home?a=b&c"), "/home%3Fa%3Db%26c");
    }
}
