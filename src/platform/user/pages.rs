//! The user's own screens: login, logout, forgotten password and first login by OTP, profile and
//! password. Staff who must still change a first password reach only the first-login screens.

use actix_web::{HttpRequest, http::StatusCode, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::otp::{self, Purpose, Reset};
use super::service::{self as users, LoginOutcome, PasswordChange, ProfileChanges};
use super::session;
use crate::config::Secret;
use crate::db;
use crate::error::{AppError, codes};
use crate::http::page::{
    self, CsrfOnly, FirstLoginPage, Form, Page, PageCtx, PageError, PageResult, StaffPage,
    csrf_forms,
};
use crate::http::routes::{Access, Routes};
use crate::platform::localization::Locale;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    let staff = Access::Page(&[]);
    r.get("/login", Access::PublicPage, login_form)
        .post("/login", Access::PublicPage, login)
        .post("/logout", Access::PublicPage, logout)
        .get("/forgot-password", Access::PublicPage, forgot_form)
        .post("/forgot-password", Access::PublicPage, forgot_send)
        .post("/forgot-password/reset", Access::PublicPage, forgot_reset)
        .get("/home/first-login", staff, first_login_form)
        .post("/home/first-login/send", staff, first_login_send)
        .post("/home/first-login", staff, first_login_reset)
        .get("/home/profile", staff, profile_form)
        .post("/home/profile", staff, profile_save)
        .get("/home/password", staff, password_form)
        .post("/home/password", staff, password_save);
}

#[derive(Template)]
#[template(path = "user/login.html")]
struct LoginPage {
    p: PageCtx,
    next: String,
    mobile: String,
    error: String,
    /// How many tries are left before the lock, from the third failure on.
    warning: String,
    notice: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    done: Option<String>,
    /// `1`: the session expired; `form`: it expired as a form was posted, which was not saved.
    expired: Option<String>,
}

async fn login_form(mut page: Page, q: web::Query<NextQuery>) -> PageResult {
    let p = page.ctx();
    let notice = match (q.done.is_some(), q.expired.as_deref()) {
        (true, _) => p.t("CORE_PASSWORD_UPDATED"),
        (false, Some("form")) => format!(
            "{} {}",
            p.t("CORE_SESSION_EXPIRED"),
            p.t("CORE_FORM_NOT_SAVED")
        ),
        (false, Some(_)) => p.t("CORE_SESSION_EXPIRED"),
        (false, None) => String::new(),
    };
    let login = LoginPage {
        next: page::safe_next(q.next.as_deref()),
        mobile: String::new(),
        error: String::new(),
        warning: String::new(),
        notice,
        p,
    };
    page.render(StatusCode::OK, login)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
struct SendForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    mobile: String,
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    otp: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    email: String,
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

csrf_forms!(LoginForm, SendForm, ResetForm, ProfileForm, PasswordForm);

/// The first GP of someone's roles (the state tenant when they hold roles only there).
fn first_gp(roles: &[super::RoleOf], state_tenant: &str) -> Option<String> {
    let mut gps: Vec<&str> = roles
        .iter()
        .map(|r| r.tenant_id.as_str())
        .filter(|t| *t != state_tenant)
        .collect();
    gps.sort_unstable();
    gps.first().map(|s| (*s).to_owned())
}

async fn login(mut page: Page, form: Form<LoginForm>) -> PageResult {
    let f = form.into_inner();
    let next = page::safe_next(f.next.as_deref());
    let st = page.state.clone();
    let (mobile, password) = (f.mobile.trim().to_owned(), Secret::new(f.password.clone()));
    let m = mobile.clone();
    let outcome = db::transaction(&page.state.pool, move |c| {
        let id = st.identity();
        let now = Utc::now();
        let out = users::login(
            c,
            id,
            &m,
            &password,
            &st.settings.app.state_tenant,
            "EMPLOYEE",
            now,
        )?;
        if let LoginOutcome::Success(u, _) = &out {
            let gp = first_gp(&u.roles, &st.settings.app.state_tenant);
            let sid = session::start(c, u.id, gp.as_deref(), now)?;
            let first = !u.default_pwd_chgd;
            return Ok((out, Some((sid, first)), 0));
        }
        let failures = match out {
            LoginOutcome::BadCredentials => {
                users::failures_counted(c, id, &m, &st.settings.app.state_tenant, "EMPLOYEE", now)?
            }
            _ => 0,
        };
        Ok((out, None, failures))
    })
    .await?;
    match outcome {
        (LoginOutcome::Success(..), Some((sid, first)), _) => {
            let mut r = page::see_other(if first { "/home/first-login" } else { &next });
            let _ = r.add_cookie(&page::session_cookie(&page.state, Some(&sid)));
            Ok(r)
        }
        (other, _, failures) => {
            let p = page.ctx();
            let sec = &page.state.settings.security;
            let minutes = sec.lockout_minutes.to_string();
            let left = match other {
                LoginOutcome::BadCredentials => tries_left(sec.lockout_failures, failures),
                _ => None,
            };
            let error = match other {
                LoginOutcome::Locked => p.t("CORE_ACCOUNT_LOCKED").replace("{minutes}", &minutes),
                LoginOutcome::Inactive => p.t("CORE_ACCOUNT_INACTIVE"),
                _ => p.t("CORE_WRONG_CREDENTIALS"),
            };
            let warning = match left {
                Some(1) => p.t("CORE_LOGIN_ONE_TRY_LEFT"),
                Some(_) => p.t("CORE_LOGIN_TRIES_LEFT"),
                None => String::new(),
            }
            .replace("{n}", &left.unwrap_or_default().to_string())
            .replace("{minutes}", &minutes);
            let login = LoginPage {
                error,
                warning,
                next,
                mobile,
                notice: String::new(),
                p,
            };
            page.render(StatusCode::UNAUTHORIZED, login)
        }
    }
}

/// How many tries are left before the lock, once a warning is due: from the third failure (or
/// earlier when the lock comes sooner), so a secretary who mistypes once is not alarmed.
fn tries_left(lockout_failures: i64, failures: i64) -> Option<i64> {
    let left = lockout_failures - failures;
    let warn_from = 3.min(lockout_failures - 1).max(1);
    (failures >= warn_from && left > 0).then_some(left)
}

async fn logout(page: Page, _form: Form<CsrfOnly>) -> PageResult {
    if let Some(raw) = page
        .request()
        .cookie(page::SESSION_COOKIE)
        .map(|c| c.value().to_owned())
    {
        db::run(&page.state.pool, move |c| session::end(c, &raw)).await?;
    }
    let mut r = page::see_other("/login");
    let _ = r.add_cookie(&page::session_cookie(&page.state, None));
    Ok(r)
}

#[derive(Template)]
#[template(path = "user/otp_password.html")]
struct OtpPage {
    p: PageCtx,
    heading: String,
    step_send: bool,
    ask_mobile: bool,
    mobile: String,
    send_action: &'static str,
    reset_action: &'static str,
    error: String,
    notice: String,
}

fn otp_page(
    p: PageCtx,
    first_login: bool,
    step_send: bool,
    mobile: String,
    error: String,
    notice: String,
) -> OtpPage {
    let heading = if first_login {
        p.t("CORE_SET_NEW_PASSWORD")
    } else {
        p.t("CORE_FORGOT_PASSWORD")
    };
    OtpPage {
        heading,
        step_send,
        ask_mobile: !first_login,
        mobile,
        send_action: if first_login {
            "/home/first-login/send"
        } else {
            "/forgot-password"
        },
        reset_action: if first_login {
            "/home/first-login"
        } else {
            "/forgot-password/reset"
        },
        error,
        notice,
        p,
    }
}

async fn forgot_form(mut page: Page) -> PageResult {
    let p = page.ctx();
    let otp = otp_page(p, false, true, String::new(), String::new(), String::new());
    page.render(StatusCode::OK, otp)
}

/// Sends the OTP; the answer is the same whether or not the number has an account.
async fn send_code(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    mobile: String,
) -> Result<Result<(), String>, PageError> {
    let locale = Locale::parse(page::locale_of(req, &state.settings.app.default_locale))
        .unwrap_or(Locale::Pa);
    let client = crate::http::client_address(req, state.settings.server.trust_forwarded_for);
    let st = state.clone();
    let sent = db::transaction(&state.pool, move |c| {
        let id = st.identity();
        let req = otp::OtpRequest {
            tenant: &st.settings.app.state_tenant,
            mobile: &mobile,
            purpose: Purpose::PasswordReset,
            user_type: "EMPLOYEE",
            locale,
            client,
        };
        otp::send(c, id, &st.i18n, &req, Utc::now())
    })
    .await;
    match sent {
        Ok(_) => {
            crate::platform::notification::kick(state);
            Ok(Ok(()))
        }
        Err(AppError::Client { errors, .. }) => Ok(Err(errors
            .first()
            .map(|e| e.code.clone())
            .unwrap_or_default())),
        Err(e) => Err(e.into()),
    }
}

fn error_key(code: &str) -> &'static str {
    match code {
        codes::INVALID_MOBILE_NUMBER => "CORE_INVALID_MOBILE_NUMBER",
        "OTP.RATE_LIMIT" => "CORE_OTP_RATE_LIMIT",
        codes::INVALID_OTP => "CORE_INVALID_OTP",
        codes::OTP_EXPIRED => "CORE_OTP_EXPIRED",
        codes::INVALID_PASSWORD => "CORE_PASSWORD_RULE",
        "PASSWORD_MISMATCH" => "CORE_PASSWORD_MISMATCH",
        codes::WRONG_CURRENT_PASSWORD => "CORE_WRONG_CURRENT_PASSWORD",
        _ => "CORE_SOMETHING_WENT_WRONG",
    }
}

async fn forgot_send(mut page: Page, form: Form<SendForm>) -> PageResult {
    let mobile = form.mobile.trim().to_owned();
    let sent = send_code(page.request(), &page.state, mobile.clone()).await?;
    let p = page.ctx();
    match sent {
        Ok(()) => {
            let notice = p.t("CORE_OTP_SENT");
            let otp = otp_page(p, false, false, mobile, String::new(), notice);
            page.render(StatusCode::OK, otp)
        }
        Err(code) => {
            let err = p.t(error_key(&code));
            let status = if code == "OTP.RATE_LIMIT" {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::BAD_REQUEST
            };
            page.render(status, otp_page(p, false, true, mobile, err, String::new()))
        }
    }
}

/// Resets by OTP; Ok(None) when done, Ok(Some(code)) for a form error.
async fn reset_with(
    state: &web::Data<AppState>,
    f: &ResetForm,
) -> Result<Option<String>, PageError> {
    if f.new_password != f.confirm {
        return Ok(Some("PASSWORD_MISMATCH".to_owned()));
    }
    let st = state.clone();
    let (mobile, code, pw) = (
        f.mobile.trim().to_owned(),
        f.otp.trim().to_owned(),
        Secret::new(f.new_password.clone()),
    );
    let out = db::transaction(&state.pool, move |c| {
        let id = st.identity();
        otp::reset_password(
            c,
            id,
            &st.settings.app.state_tenant,
            &mobile,
            "EMPLOYEE",
            &code,
            &pw,
            Utc::now(),
        )
    })
    .await;
    match out {
        Ok(Reset::Done(_)) => Ok(None),
        Ok(Reset::WrongCode) => Ok(Some(codes::INVALID_OTP.to_owned())),
        Ok(Reset::NoValidCode) => Ok(Some(codes::OTP_EXPIRED.to_owned())),
        Err(AppError::Client { errors, .. }) => Ok(Some(
            errors.first().map(|e| e.code.clone()).unwrap_or_default(),
        )),
        Err(e) => Err(e.into()),
    }
}

async fn forgot_reset(mut page: Page, form: Form<ResetForm>) -> PageResult {
    match reset_with(&page.state, &form).await? {
        None => Ok(page::see_other("/login?done=1")),
        Some(code) => {
            let p = page.ctx();
            let err = p.t(error_key(&code));
            let mobile = form.mobile.trim().to_owned();
            page.render(
                StatusCode::BAD_REQUEST,
                otp_page(p, false, false, mobile, err, String::new()),
            )
        }
    }
}

async fn first_login_form(page: FirstLoginPage) -> PageResult {
    let mut page = page.0;
    let p = page.ctx()?;
    let mobile = page.staff.user.mobile_number.clone().unwrap_or_default();
    let notice = p.t("CORE_FIRST_LOGIN_EXPLAINED");
    let otp = otp_page(p, true, true, mobile, String::new(), notice);
    page.render(StatusCode::OK, otp)
}

async fn first_login_send(page: FirstLoginPage, _form: Form<CsrfOnly>) -> PageResult {
    let mut page = page.0;
    let mobile = page.staff.user.mobile_number.clone().unwrap_or_default();
    let sent = send_code(page.request(), &page.state, mobile.clone()).await?;
    let p = page.ctx()?;
    match sent {
        Ok(()) => {
            let notice = p.t("CORE_OTP_SENT");
            let otp = otp_page(p, true, false, mobile, String::new(), notice);
            page.render(StatusCode::OK, otp)
        }
        Err(code) => {
            let err = p.t(error_key(&code));
            page.render(
                StatusCode::TOO_MANY_REQUESTS,
                otp_page(p, true, true, mobile, err, String::new()),
            )
        }
    }
}

async fn first_login_reset(page: FirstLoginPage, form: Form<ResetForm>) -> PageResult {
    let mut page = page.0;
    let mut f = form.into_inner();
    f.mobile = page.staff.user.mobile_number.clone().unwrap_or_default();
    match reset_with(&page.state, &f).await? {
        // The new password ends every session: log in again with it.
        None => {
            let mut r = page::see_other("/login?done=1");
            let _ = r.add_cookie(&page::session_cookie(&page.state, None));
            Ok(r)
        }
        Some(code) => {
            let p = page.ctx()?;
            let err = p.t(error_key(&code));
            page.render(
                StatusCode::BAD_REQUEST,
                otp_page(p, true, false, f.mobile, err, String::new()),
            )
        }
    }
}

#[derive(Template)]
#[template(path = "user/profile.html")]
struct ProfilePage {
    p: PageCtx,
    name: String,
    mobile: String,
    gender: String,
    email: String,
    genders: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    notice: String,
    /// The roles held, by name, each with the GPs where it is held: (role, GPs).
    roles: Vec<(String, String)>,
}

const GENDERS: &[(&str, &str)] = &[
    ("FEMALE", "GENDER_FEMALE"),
    ("MALE", "GENDER_MALE"),
    ("TRANSGENDER", "GENDER_TRANSGENDER"),
];

async fn profile_page(mut page: StaffPage, errors: Vec<String>, notice: bool) -> PageResult {
    let p = page.ctx()?;
    let st = page.state.clone();
    let id = page.staff.user.id;
    let u = db::run(&page.state.pool, move |c| users::get(c, &st.crypto, id))
        .await?
        .ok_or(PageError::Login("/home/profile".to_owned()))?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let notice = if notice {
        p.t("CORE_SAVED_SUCCESSFULLY")
    } else {
        String::new()
    };
    let mut held: Vec<(&str, &str)> = page
        .staff
        .user
        .roles
        .iter()
        .filter(|r| r.code != "EMPLOYEE")
        .map(|r| (r.code.as_str(), r.tenant_id.as_str()))
        .collect();
    held.sort_unstable();
    held.dedup();
    let mut roles: Vec<(String, String)> = Vec::new();
    for chunk in held.chunk_by(|a, b| a.0 == b.0) {
        let gps: Vec<String> = chunk.iter().map(|(_, t)| p.place_name(t)).collect();
        roles.push((p.role_name(chunk[0].0, None), gps.join(", ")));
    }
    let profile = ProfilePage {
        roles,
        name: u.name,
        mobile: u.mobile_number.unwrap_or_default(),
        gender: u.gender.unwrap_or_default(),
        email: u.email.unwrap_or_default(),
        genders: GENDERS.to_vec(),
        errors,
        notice,
        p,
    };
    page.render(status, profile)
}

async fn profile_form(page: StaffPage) -> PageResult {
    profile_page(page, Vec::new(), false).await
}

async fn profile_save(page: StaffPage, form: Form<ProfileForm>) -> PageResult {
    let f = form.into_inner();
    let ch = ProfileChanges {
        name: Some(f.name),
        gender: (!f.gender.is_empty()).then_some(f.gender),
        email: Some(f.email),
        locale: None,
    };
    let st = page.state.clone();
    let (id, uuid) = (page.staff.user.id, page.actor());
    let out = db::transaction(&page.state.pool, move |c| {
        users::update_profile(c, &st.crypto, id, &ch, uuid, Utc::now())
    })
    .await;
    match out {
        Ok(_) => profile_page(page, Vec::new(), true).await,
        Err(AppError::Client { errors, .. }) => {
            let p = page.texts();
            let msgs = errors
                .iter()
                .map(|e| match e.code.as_str() {
                    codes::INVALID_NAME => p.t("CORE_INVALID_NAME"),
                    codes::INVALID_EMAIL => p.t("CORE_INVALID_EMAIL"),
                    _ => e.message.clone(),
                })
                .collect();
            profile_page(page, msgs, false).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "user/password.html")]
struct PasswordPage {
    p: PageCtx,
    error: String,
    notice: String,
}

async fn password_form(mut page: StaffPage) -> PageResult {
    let p = page.ctx()?;
    let password = PasswordPage {
        p,
        error: String::new(),
        notice: String::new(),
    };
    page.render(StatusCode::OK, password)
}

async fn password_save(mut page: StaffPage, form: Form<PasswordForm>) -> PageResult {
    let f = form.into_inner();
    let code = if f.new_password != f.confirm {
        Some("PASSWORD_MISMATCH".to_owned())
    } else {
        let st = page.state.clone();
        let id = page.staff.user.id;
        let (cur, new) = (Secret::new(f.current), Secret::new(f.new_password));
        let out = db::transaction(&page.state.pool, move |c| {
            users::change_password(c, st.identity(), id, &cur, &new, Utc::now())
        })
        .await;
        match out {
            Ok(PasswordChange::Done) => None,
            Ok(PasswordChange::WrongCurrent) => Some(codes::WRONG_CURRENT_PASSWORD.to_owned()),
            Err(AppError::Client { errors, .. }) => {
                Some(errors.first().map(|e| e.code.clone()).unwrap_or_default())
            }
            Err(e) => return Err(e.into()),
        }
    };
    match code {
        // A new password ends every session, this one too.
        None => {
            let mut r = page::see_other("/login?done=1");
            let _ = r.add_cookie(&page::session_cookie(&page.state, None));
            Ok(r)
        }
        Some(code) => {
            let p = page.ctx()?;
            let error = p.t(error_key(&code));
            let password = PasswordPage {
                p,
                error,
                notice: String::new(),
            };
            page.render(StatusCode::BAD_REQUEST, password)
        }
    }
}
