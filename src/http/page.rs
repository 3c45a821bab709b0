//! What every HTML page shares: the language (cookie `mgs_lang`), the CSRF token (cookie
//! `mgs_csrf`, echoed in every form as `_csrf`, compared on every POST), the staff session
//! (cookie `mgs_session`, HttpOnly, SameSite=Lax, Secure unless configured off), redirects, and
//! errors rendered as a small page instead of JSON.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieAge};
use actix_web::http::{StatusCode, header};
use actix_web::{
    FromRequest, HttpMessage as _, HttpRequest, HttpResponse, ResponseError, dev::Payload, web,
};

use crate::db;
use crate::error::AppError;
use crate::platform::access::identity::{AuthUser, tenant_covers};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "mgs_session";
pub const CSRF_COOKIE: &str = "mgs_csrf";
pub const LANG_COOKIE: &str = "mgs_lang";

/// Localized text by key (implemented by the message catalogue).
pub trait Texts: Send + Sync {
    fn text(&self, locale: &str, key: &str) -> String;
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
            Self::Login(_) | Self::ChangePassword => StatusCode::SEE_OTHER,
            Self::Status(s, _) => *s,
            Self::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Login(next) => see_other(&format!("/login?next={}", urlencode(next))),
            Self::ChangePassword => see_other("/home/first-login"),
            Self::Status(s, key) => error_page(*s, key),
            Self::App(e) => {
                let _ = e.error_response(); // logs it once
                let msg = e
                    .details()
                    .first()
                    .map(|d| d.message.clone())
                    .unwrap_or_default();
                error_page(e.status_code(), &msg)
            }
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn error_page(status: StatusCode, message: &str) -> HttpResponse {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{code}</title><link rel=\"stylesheet\" href=\"/static/css/app.css\"></head><body>\
         <header class=\"bar\"><a href=\"/home\" class=\"brand\">mGramSeva</a></header><main><h1>{code}</h1><p class=\"error\">{msg}</p>\
         <p><a href=\"/home\">⌂</a></p></main></body></html>",
        code = status.as_u16(),
        msg = esc(message)
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

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
    texts: Arc<dyn Texts>,
}

impl PageCtx {
    pub fn new(req: &HttpRequest, state: &AppState) -> (Self, Option<Cookie<'static>>) {
        let texts: Arc<dyn Texts> = state.i18n.clone();
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
    pub async fn for_staff(
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
        let mut wanted = codes.clone();
        wanted.push(current.clone());
        let ac = state.access.clone();
        let names = db::run(&state.pool, move |c| ac.tenant_names(c, &wanted)).await?;
        p.gps = names
            .iter()
            .filter(|(c, _)| codes.contains(c))
            .cloned()
            .collect();
        p.tenant_name = names
            .iter()
            .find(|(c, _)| *c == current)
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        p.tenant = current;
        Ok((p, cookie))
    }

    /// The text of `key` in the page's language (English, then the key, when missing).
    pub fn t(&self, key: &str) -> String {
        self.texts.text(self.locale, key)
    }

    pub fn next_param(&self) -> String {
        urlencode(&self.path)
    }
}

/// Renders a page (adding the CSRF cookie when it was just made).
pub fn render(
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
/// (and back here after it). The gateway calls it for every page route that needs a login.
pub async fn staff_of(req: &HttpRequest, state: &AppState) -> Result<Staff, PageError> {
    let next = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    let Some(raw) = req
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
    else {
        return Err(PageError::Login(next));
    };
    let ac = state.access.clone();
    let r = raw.clone();
    let found = db::run(&state.pool, move |c| ac.session(c, &r)).await?;
    let Some((user, tenant)) = found else {
        return Err(PageError::Login(next));
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

impl FromRequest for Staff {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(staff_from(req.clone(), false))
    }
}

/// Like `Staff`, but also for someone who must still change a first password.
pub struct FirstLogin(pub Staff);

impl FromRequest for FirstLogin {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { staff_from(req, true).await.map(FirstLogin) })
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
