//! The staff shell: login, logout, forgot password and first login by OTP, home with the tiles of
//! the roles held on the chosen GP, the GP switch, own profile and password.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::config::Secret;
use crate::db;
use crate::error::AppError;
use crate::http::page::{self, FirstLogin, PageCtx, PageError, Staff, verify_csrf};
use crate::http::routes::{Access, Routes};
use crate::platform::access::identity::tenant_covers;
use crate::platform::localization::Locale;
use crate::platform::user::otp::{self, Purpose, Reset};
use crate::platform::user::service::{self as users, LoginOutcome, PasswordChange, ProfileChanges};
use crate::platform::user::session;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    let staff = Access::Page(&[]);
    r.get("/login", Access::PublicPage, login_form)
        .post("/login", Access::PublicPage, login)
        .post("/logout", Access::PublicPage, logout)
        .get("/forgot-password", Access::PublicPage, forgot_form)
        .post("/forgot-password", Access::PublicPage, forgot_send)
        .post("/forgot-password/reset", Access::PublicPage, forgot_reset)
        .get("/home", staff, home)
        .post("/home/gp", staff, switch_gp)
        .get("/home/first-login", staff, first_login_form)
        .post("/home/first-login/send", staff, first_login_send)
        .post("/home/first-login", staff, first_login_reset)
        .get("/home/profile", staff, profile_form)
        .post("/home/profile", staff, profile_save)
        .get("/home/password", staff, password_form)
        .post("/home/password", staff, password_save);
}

/// A home tile: message key, target, the roles that see it (empty: everyone), whether its
/// screen exists yet.
pub struct Tile {
    pub key: &'static str,
    pub href: &'static str,
    pub roles: &'static [&'static str],
    pub ready: bool,
}

const COLLECT: &[&str] = &[
    "COLLECTION_OPERATOR",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
];
const RECEIPTS: &[&str] = &[
    "COLLECTION_OPERATOR",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
    "BULK_DEMAND_PROCESSING",
];
const EXPENSE: &[&str] = &[
    "EXPENSE_PROCESSING",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
];
const DEMAND: &[&str] = &[
    "BULK_DEMAND_PROCESSING",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
];
const CONSUMER: &[&str] = &[
    "GP_ADMIN",
    "SUPERUSER",
    "COLLECTION_OPERATOR",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
];
const DASHBOARD: &[&str] = &[
    "SUPERUSER",
    "DASHBOARD_VIEWER",
    "GP_ADMIN",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
    "REVENUE_COLLECTOR",
];
use crate::business::hrms::service::PAGE_ROLES as HRMS;

/// The tiles of product.md §1.2 (the React HRMS screens become the Employees tile).
pub const TILES: &[Tile] = &[
    Tile {
        key: "CORE_HOUSEHOLD_REGISTER",
        href: "/home/householdRegister",
        roles: COLLECT,
        ready: true,
    },
    Tile {
        key: "CORE_COLLECT_PAYMENTS",
        href: "/home/collect",
        roles: COLLECT,
        ready: true,
    },
    Tile {
        key: "CORE_DOWNLOAD_BILLS_AND_RECEIPTS",
        href: "/home/consumers",
        roles: RECEIPTS,
        ready: true,
    },
    Tile {
        key: "CORE_ADD_EXPENSES_RECORD",
        href: "/home/addExpense",
        roles: EXPENSE,
        ready: false,
    },
    Tile {
        key: "CORE_UPDATE_EXPENSES",
        href: "/home/searchExpense",
        roles: EXPENSE,
        ready: false,
    },
    Tile {
        key: "CORE_GENERATE_DEMAND",
        href: "/home/billmanualgenerate",
        roles: DEMAND,
        ready: true,
    },
    Tile {
        key: "CORE_CONSUMER_CREATE",
        href: "/home/consumercreate",
        roles: CONSUMER,
        ready: true,
    },
    Tile {
        key: "CORE_UPDATE_CONSUMER_DETAILS",
        href: "/home/consumers",
        roles: CONSUMER,
        ready: true,
    },
    Tile {
        key: "CORE_GPWSC_DASHBOARD",
        href: "/home/dashboard",
        roles: DASHBOARD,
        ready: false,
    },
    Tile {
        key: "CORE_GPWSC_DETAILS_AND_RATE_INFO",
        href: "/home/villagedetails",
        roles: &[],
        ready: true,
    },
    Tile {
        key: "CORE_REPORTS",
        href: "/home/reports",
        roles: DASHBOARD,
        ready: false,
    },
    Tile {
        key: "CORE_EMPLOYEES",
        href: "/home/hrms",
        roles: HRMS,
        ready: true,
    },
];

/// The tiles someone holding `roles` sees.
pub fn tiles_for(roles: &[&str]) -> Vec<&'static Tile> {
    TILES
        .iter()
        .filter(|t| t.roles.is_empty() || t.roles.iter().any(|r| roles.contains(r)))
        .collect()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    p: PageCtx,
    next: String,
    mobile: String,
    error: String,
    notice: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::new(&req, &state);
    let notice = if q.done.is_some() {
        p.t("CORE_PASSWORD_UPDATED")
    } else {
        String::new()
    };
    let page = LoginPage {
        next: page::safe_next(q.next.as_deref()),
        mobile: String::new(),
        error: String::new(),
        notice,
        p,
    };
    page::render(StatusCode::OK, page.render(), cookie)
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

/// The first GP of someone's roles (the state tenant when they hold roles only there).
fn first_gp(roles: &[crate::platform::user::RoleOf], state_tenant: &str) -> Option<String> {
    let mut gps: Vec<&str> = roles
        .iter()
        .map(|r| r.tenant_id.as_str())
        .filter(|t| *t != state_tenant)
        .collect();
    gps.sort_unstable();
    gps.first().map(|s| (*s).to_owned())
}

async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let f = form.into_inner();
    let next = page::safe_next(f.next.as_deref());
    let st = state.clone();
    let (mobile, password) = (f.mobile.trim().to_owned(), Secret::new(f.password.clone()));
    let m = mobile.clone();
    let outcome = db::transaction(&state.pool, move |c| {
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
            return Ok((out, Some((sid, first))));
        }
        Ok((out, None))
    })
    .await?;
    match outcome {
        (LoginOutcome::Success(..), Some((sid, first))) => {
            let mut r = page::see_other(if first { "/home/first-login" } else { &next });
            let _ = r.add_cookie(&page::session_cookie(&state, Some(&sid)));
            Ok(r)
        }
        (other, _) => {
            let (p, cookie) = PageCtx::new(&req, &state);
            let key = match other {
                LoginOutcome::Locked => "CORE_ACCOUNT_LOCKED",
                LoginOutcome::Inactive => "CORE_ACCOUNT_INACTIVE",
                _ => "CORE_WRONG_CREDENTIALS",
            };
            let page = LoginPage {
                error: p.t(key),
                next,
                mobile,
                notice: String::new(),
                p,
            };
            page::render(StatusCode::UNAUTHORIZED, page.render(), cookie)
        }
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    if let Some(raw) = req
        .cookie(page::SESSION_COOKIE)
        .map(|c| c.value().to_owned())
    {
        db::run(&state.pool, move |c| session::end(c, &raw)).await?;
    }
    let mut r = page::see_other("/login");
    let _ = r.add_cookie(&page::session_cookie(&state, None));
    Ok(r)
}

#[derive(Template)]
#[template(path = "otp_password.html")]
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

async fn forgot_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::new(&req, &state);
    page::render(
        StatusCode::OK,
        otp_page(p, false, true, String::new(), String::new(), String::new()).render(),
        cookie,
    )
}

#[derive(Deserialize)]
struct SendForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    mobile: String,
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
        "INVALID_MOBILE_NUMBER" => "CORE_INVALID_MOBILE_NUMBER",
        "OTP.RATE_LIMIT" => "CORE_OTP_RATE_LIMIT",
        "INVALID_OTP" => "CORE_INVALID_OTP",
        "OTP_EXPIRED" => "CORE_OTP_EXPIRED",
        "INVALID_PASSWORD" => "CORE_PASSWORD_RULE",
        "PASSWORD_MISMATCH" => "CORE_PASSWORD_MISMATCH",
        "WRONG_CURRENT_PASSWORD" => "CORE_WRONG_CURRENT_PASSWORD",
        _ => "CORE_SOMETHING_WENT_WRONG",
    }
}

async fn forgot_send(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SendForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let mobile = form.mobile.trim().to_owned();
    let sent = send_code(&req, &state, mobile.clone()).await?;
    let (p, cookie) = PageCtx::new(&req, &state);
    match sent {
        Ok(()) => {
            let notice = p.t("CORE_OTP_SENT");
            page::render(
                StatusCode::OK,
                otp_page(p, false, false, mobile, String::new(), notice).render(),
                cookie,
            )
        }
        Err(code) => {
            let err = p.t(error_key(&code));
            let status = if code == "OTP.RATE_LIMIT" {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::BAD_REQUEST
            };
            page::render(
                status,
                otp_page(p, false, true, mobile, err, String::new()).render(),
                cookie,
            )
        }
    }
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
        Ok(Reset::WrongCode) => Ok(Some("INVALID_OTP".to_owned())),
        Ok(Reset::NoValidCode) => Ok(Some("OTP_EXPIRED".to_owned())),
        Err(AppError::Client { errors, .. }) => Ok(Some(
            errors.first().map(|e| e.code.clone()).unwrap_or_default(),
        )),
        Err(e) => Err(e.into()),
    }
}

async fn forgot_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    match reset_with(&state, &form).await? {
        None => Ok(page::see_other("/login?done=1")),
        Some(code) => {
            let (p, cookie) = PageCtx::new(&req, &state);
            let err = p.t(error_key(&code));
            page::render(
                StatusCode::BAD_REQUEST,
                otp_page(
                    p,
                    false,
                    false,
                    form.mobile.trim().to_owned(),
                    err,
                    String::new(),
                )
                .render(),
                cookie,
            )
        }
    }
}

async fn first_login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: FirstLogin,
) -> Result<HttpResponse, PageError> {
    let staff = staff.0;
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let mobile = staff.user.mobile_number.clone().unwrap_or_default();
    let notice = p.t("CORE_FIRST_LOGIN_EXPLAINED");
    page::render(
        StatusCode::OK,
        otp_page(p, true, true, mobile, String::new(), notice).render(),
        cookie,
    )
}

async fn first_login_send(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: FirstLogin,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let staff = staff.0;
    let mobile = staff.user.mobile_number.clone().unwrap_or_default();
    let sent = send_code(&req, &state, mobile.clone()).await?;
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    match sent {
        Ok(()) => {
            let notice = p.t("CORE_OTP_SENT");
            page::render(
                StatusCode::OK,
                otp_page(p, true, false, mobile, String::new(), notice).render(),
                cookie,
            )
        }
        Err(code) => {
            let err = p.t(error_key(&code));
            page::render(
                StatusCode::TOO_MANY_REQUESTS,
                otp_page(p, true, true, mobile, err, String::new()).render(),
                cookie,
            )
        }
    }
}

async fn first_login_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: FirstLogin,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let staff = staff.0;
    let mut f = form.into_inner();
    f.mobile = staff.user.mobile_number.clone().unwrap_or_default();
    match reset_with(&state, &f).await? {
        // The new password ends every session: log in again with it.
        None => {
            let mut r = page::see_other("/login?done=1");
            let _ = r.add_cookie(&page::session_cookie(&state, None));
            Ok(r)
        }
        Some(code) => {
            let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
            let err = p.t(error_key(&code));
            page::render(
                StatusCode::BAD_REQUEST,
                otp_page(p, true, false, f.mobile, err, String::new()).render(),
                cookie,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    p: PageCtx,
    tiles: Vec<&'static Tile>,
}

async fn home(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    let tiles = tiles_for(&staff.roles_here());
    page::render(StatusCode::OK, HomePage { p, tiles }.render(), cookie)
}

#[derive(Deserialize)]
struct GpForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    tenant: String,
}

async fn switch_gp(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<GpForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let t = form.tenant.trim().to_owned();
    if !staff
        .user
        .roles
        .iter()
        .any(|r| tenant_covers(&r.tenant_id, &t))
    {
        return Err(PageError::Status(
            StatusCode::FORBIDDEN,
            "CORE_NOT_AUTHORIZED".to_owned(),
        ));
    }
    let raw = staff.session.clone();
    db::run(&state.pool, move |c| session::set_tenant(c, &raw, &t)).await?;
    Ok(page::see_other("/home"))
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    p: PageCtx,
    name: String,
    mobile: String,
    gender: String,
    email: String,
    genders: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    notice: String,
}

const GENDERS: &[(&str, &str)] = &[
    ("FEMALE", "GENDER_FEMALE"),
    ("MALE", "GENDER_MALE"),
    ("TRANSGENDER", "GENDER_TRANSGENDER"),
];

async fn profile_page(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    staff: &Staff,
    errors: Vec<String>,
    notice: bool,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::for_staff(req, state, staff).await?;
    let st = state.clone();
    let id = staff.user.id;
    let u = db::run(&state.pool, move |c| users::get(c, &st.crypto, id))
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
    let page = ProfilePage {
        name: u.name,
        mobile: u.mobile_number.unwrap_or_default(),
        gender: u.gender.unwrap_or_default(),
        email: u.email.unwrap_or_default(),
        genders: GENDERS.to_vec(),
        errors,
        notice,
        p,
    };
    page::render(status, page.render(), cookie)
}

async fn profile_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, PageError> {
    profile_page(&req, &state, &staff, Vec::new(), false).await
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

async fn profile_save(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let f = form.into_inner();
    let ch = ProfileChanges {
        name: Some(f.name),
        gender: (!f.gender.is_empty()).then_some(f.gender),
        email: Some(f.email),
        locale: None,
    };
    let st = state.clone();
    let (id, uuid) = (staff.user.id, staff.user.uuid);
    let out = db::transaction(&state.pool, move |c| {
        users::update_profile(c, &st.crypto, id, &ch, uuid, Utc::now())
    })
    .await;
    match out {
        Ok(_) => profile_page(&req, &state, &staff, Vec::new(), true).await,
        Err(AppError::Client { errors, .. }) => {
            let (p, _) = PageCtx::new(&req, &state);
            let msgs = errors
                .iter()
                .map(|e| match e.code.as_str() {
                    "INVALID_NAME" => p.t("CORE_INVALID_NAME"),
                    "INVALID_EMAIL" => p.t("CORE_INVALID_EMAIL"),
                    _ => e.message.clone(),
                })
                .collect();
            profile_page(&req, &state, &staff, msgs, false).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    p: PageCtx,
    error: String,
    notice: String,
}

async fn password_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, PageError> {
    let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
    page::render(
        StatusCode::OK,
        PasswordPage {
            p,
            error: String::new(),
            notice: String::new(),
        }
        .render(),
        cookie,
    )
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

async fn password_save(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    verify_csrf(&req, &form.csrf)?;
    let f = form.into_inner();
    let code = if f.new_password != f.confirm {
        Some("PASSWORD_MISMATCH".to_owned())
    } else {
        let st = state.clone();
        let id = staff.user.id;
        let (cur, new) = (Secret::new(f.current), Secret::new(f.new_password));
        let out = db::transaction(&state.pool, move |c| {
            users::change_password(c, st.identity(), id, &cur, &new, Utc::now())
        })
        .await;
        match out {
            Ok(PasswordChange::Done) => None,
            Ok(PasswordChange::WrongCurrent) => Some("WRONG_CURRENT_PASSWORD".to_owned()),
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
            let _ = r.add_cookie(&page::session_cookie(&state, None));
            Ok(r)
        }
        Some(code) => {
            let (p, cookie) = PageCtx::for_staff(&req, &state, &staff).await?;
            let error = p.t(error_key(&code));
            page::render(
                StatusCode::BAD_REQUEST,
                PasswordPage {
                    p,
                    error,
                    notice: String::new(),
                }
                .render(),
                cookie,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(roles: &[&str]) -> Vec<&'static str> {
        tiles_for(roles).iter().map(|t| t.key).collect()
    }

    #[test]
    fn tiles_follow_the_roles_of_product_1_2() {
        assert_eq!(
            keys(&["REVENUE_COLLECTOR"]),
            [
                "CORE_HOUSEHOLD_REGISTER",
                "CORE_COLLECT_PAYMENTS",
                "CORE_DOWNLOAD_BILLS_AND_RECEIPTS",
                "CORE_CONSUMER_CREATE",
                "CORE_UPDATE_CONSUMER_DETAILS",
                "CORE_GPWSC_DASHBOARD",
                "CORE_GPWSC_DETAILS_AND_RATE_INFO",
                "CORE_REPORTS"
            ]
        );
        assert_eq!(
            keys(&["EXPENSE_PROCESSING"]),
            [
                "CORE_ADD_EXPENSES_RECORD",
                "CORE_UPDATE_EXPENSES",
                "CORE_GPWSC_DETAILS_AND_RATE_INFO"
            ]
        );
        assert_eq!(
            keys(&["BULK_DEMAND_PROCESSING"]),
            [
                "CORE_DOWNLOAD_BILLS_AND_RECEIPTS",
                "CORE_GENERATE_DEMAND",
                "CORE_GPWSC_DETAILS_AND_RATE_INFO"
            ]
        );
        assert_eq!(
            keys(&["STATE_ADMIN", "HRMS_ADMIN"]),
            ["CORE_GPWSC_DETAILS_AND_RATE_INFO", "CORE_EMPLOYEES"]
        );
        assert_eq!(keys(&["SARPANCH"]).len(), 11, "everything but Employees");
        assert_eq!(keys(&["EMPLOYEE"]), ["CORE_GPWSC_DETAILS_AND_RATE_INFO"]);
        assert!(
            keys(&["GP_ADMIN"]).contains(&"CORE_EMPLOYEES"),
            "a GP admin reads its staff and their history"
        );
    }
}
