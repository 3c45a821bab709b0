//! `/user/*` and `/user-otp/v1/_send` as DIGIT's egov-user and user-otp speak them.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::model::User;
use super::otp::{self, Purpose, Reset, Sent};
use super::service::{self, LoginOutcome, PasswordChange, ProfileChanges, SearchCriteria};
use crate::config::Secret;
use crate::db;
use crate::error::{AppError, AppResult, LegacyError, OAuthError, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo};
use crate::platform::localization::Locale;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post("/user/oauth/token", Access::Open, token)
        .post("/user/_search", Access::Authenticated, search)
        .post("/user/v1/_search", Access::Authenticated, search)
        .post("/user/_details", Access::Authenticated, details)
        .post("/user/_logout", Access::Authenticated, logout)
        .post(
            "/user/profile/_update",
            Access::Authenticated,
            update_profile,
        )
        .post(
            "/user/password/_update",
            Access::Authenticated,
            update_password,
        )
        .post(
            "/user/password/nologin/_update",
            Access::Open,
            nologin_update,
        )
        .post("/user-otp/v1/_send", Access::Open, send_otp);
}

fn ddmmyyyy(t: DateTime<Utc>) -> String {
    t.with_timezone(&crate::time::IST)
        .format("%d-%m-%Y %H:%M:%S")
        .to_string()
}

/// The user object of the wire (search, create, update responses). As egov-user: `createdBy` and
/// `lastModifiedBy` are the numeric ids of those users (the app reads them as integers), the
/// dates `dd-MM-yyyy HH:mm:ss` text, `accountLockedDate` epoch milliseconds.
pub fn user_json(u: &User, now: DateTime<Utc>) -> Value {
    json!({
        "id": u.id, "uuid": u.uuid, "userName": u.user_name, "salutation": null, "name": u.name,
        "gender": u.gender, "mobileNumber": u.mobile_number, "emailId": u.email,
        "altContactNumber": null, "pan": null, "aadhaarNumber": null, "permanentAddress": null,
        "permanentCity": null, "permanentPinCode": null, "correspondenceAddress": null,
        "correspondenceCity": null, "correspondencePinCode": null, "active": u.active,
        "locale": u.locale, "type": u.user_type, "accountLocked": u.is_locked(now),
        "accountLockedDate": u.locked_until.map(|t| t.timestamp_millis()),
        "fatherOrHusbandName": u.father_or_husband_name, "relationship": null, "signature": null,
        "bloodGroup": null, "photo": null, "identificationMark": null,
        "createdBy": u.created_by_id, "lastModifiedBy": u.last_modified_by_id, "tenantId": u.tenant_id,
        "roles": u.roles.iter().map(|r| json!({"code": r.code, "name": r.name, "tenantId": r.tenant_id})).collect::<Vec<_>>(),
        "createdDate": ddmmyyyy(u.created_at), "lastModifiedDate": ddmmyyyy(u.last_modified_at),
        "dob": null, "pwdExpiryDate": u.pwd_expiry_at.map(ddmmyyyy), "defaultPwdChgd": u.default_pwd_chgd,
    })
}

fn user_request(u: &User) -> Value {
    json!({
        "id": u.id, "uuid": u.uuid, "userName": u.user_name, "name": u.name, "mobileNumber": u.mobile_number,
        "emailId": u.email, "locale": u.locale, "type": u.user_type,
        "roles": u.roles.iter().map(|r| json!({"name": r.name, "code": r.code, "tenantId": r.tenant_id})).collect::<Vec<_>>(),
        "active": u.active, "tenantId": u.tenant_id, "permanentCity": null,
    })
}

fn oauth(desc: &str) -> OAuthError {
    OAuthError(AppError::bad_request("invalid_request", desc))
}

/// HTTP Basic client authentication: `egov-user-client` with an empty or the legacy secret.
fn client_ok(req: &HttpRequest) -> bool {
    let Some(h) = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(b64) = h
        .strip_prefix("Basic ")
        .or_else(|| h.strip_prefix("basic "))
    else {
        return false;
    };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    matches!(
        raw.as_slice(),
        b"egov-user-client:" | b"egov-user-client:egov-user-secret"
    )
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    username: Option<String>,
    password: Option<String>,
    grant_type: Option<String>,
    #[serde(rename = "tenantId")]
    tenant_id: Option<String>,
    #[serde(rename = "userType")]
    user_type: Option<String>,
    refresh_token: Option<String>,
}

fn token_response(u: &User, t: &service::Tokens) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "access_token": t.access, "token_type": "bearer", "refresh_token": t.refresh,
        "expires_in": t.expires_in, "scope": "read",
        "ResponseInfo": {"api_id": "", "ver": "", "ts": "", "res_msg_id": "", "msg_id": "", "status": "Access Token generated successfully"},
        "UserRequest": user_request(u),
    }))
}

async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, OAuthError> {
    if !client_ok(&req) {
        return Err(OAuthError(AppError::client(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Full authentication is required to access this resource",
        )));
    }
    let f = form.into_inner();
    let st = state.clone();
    let now = Utc::now();
    match f.grant_type.as_deref().unwrap_or("") {
        "refresh_token" => {
            let rt = f
                .refresh_token
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| oauth("refresh_token is mandatory"))?;
            let out = db::transaction(&state.pool, move |c| {
                let id = st.identity();
                service::refresh(c, id, rt.trim(), now)
            })
            .await?;
            let (u, t) = out.ok_or_else(|| {
                OAuthError(AppError::bad_request(
                    "invalid_grant",
                    "Invalid refresh token",
                ))
            })?;
            Ok(token_response(&u, &t))
        }
        "password" => {
            let tenant = f
                .tenant_id
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| oauth("TenantId is mandatory"))?;
            let user_type = f
                .user_type
                .map(|t| t.trim().to_uppercase())
                .filter(|t| matches!(t.as_str(), "EMPLOYEE" | "CITIZEN" | "SYSTEM"))
                .ok_or_else(|| oauth("User Type is mandatory and has to be a valid type"))?;
            let (Some(username), Some(password)) = (
                f.username.filter(|u| !u.trim().is_empty()),
                f.password.filter(|p| !p.is_empty()),
            ) else {
                return Err(oauth("Invalid login credentials"));
            };
            // Citizens live on the state tenant: a GP tenant is reduced to it.
            let tenant = if user_type == "CITIZEN" {
                tenant.split('.').next().unwrap_or(&tenant).to_owned()
            } else {
                tenant
            };
            let password = Secret::new(password);
            let out = db::transaction(&state.pool, move |c| {
                let id = st.identity();
                service::login(c, id, &username, &password, &tenant, &user_type, now)
            })
            .await?;
            match out {
                LoginOutcome::Success(u, t) => Ok(token_response(&u, &t)),
                LoginOutcome::BadCredentials => Err(oauth("Invalid login credentials")),
                LoginOutcome::Locked => Err(oauth("Account locked")),
                LoginOutcome::Inactive => Err(oauth("Please activate your account")),
            }
        }
        _ => Err(OAuthError(AppError::bad_request(
            "unsupported_grant_type",
            "grant_type must be password or refresh_token",
        ))),
    }
}

pub(super) fn caller_of<T>(
    req: &Digit<T>,
) -> AppResult<&crate::platform::access::identity::AuthUser> {
    req.caller.user().ok_or_else(|| {
        AppError::unauthorized(
            "CustomException",
            "You are not authorized to access this resource",
        )
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchBody {
    #[serde(default)]
    id: Vec<i64>,
    #[serde(default)]
    uuid: Vec<uuid::Uuid>,
    user_name: Option<String>,
    mobile_number: Option<String>,
    name: Option<String>,
    tenant_id: Option<String>,
    user_type: Option<String>,
    active: Option<bool>,
    #[serde(default)]
    role_codes: Vec<String>,
    page_size: Option<i64>,
    page_number: Option<i64>,
}

async fn search(state: web::Data<AppState>, req: Digit<SearchBody>) -> AppResult<HttpResponse> {
    let caller = caller_of(&req)?.clone();
    let b = &req.body;
    // As egov-user: `pageSize` is the limit (0 or none: the default), `pageNumber` the number
    // of users skipped.
    let crit = SearchCriteria {
        ids: b.id.clone(),
        uuids: b.uuid.clone(),
        user_name: b.user_name.clone().filter(|s| !s.trim().is_empty()),
        mobile_number: b.mobile_number.clone().filter(|s| !s.trim().is_empty()),
        name: b.name.clone().filter(|s| !s.trim().is_empty()),
        tenant_id: b.tenant_id.clone().filter(|s| !s.trim().is_empty()),
        user_type: b.user_type.clone().filter(|s| !s.trim().is_empty()),
        active: b.active,
        role_codes: b.role_codes.clone(),
        offset: b.page_number.unwrap_or(0).max(0),
        limit: b.page_size.unwrap_or(0),
    };
    let st = state.clone();
    let (users, total) = db::run(&state.pool, move |c| {
        service::search(c, st.identity(), &crit, &caller)
    })
    .await?;
    let now = Utc::now();
    Ok(HttpResponse::Ok().json(json!({
        "responseInfo": ResponseInfo::success(&req.info),
        "user": users.iter().map(|u| user_json(u, now)).collect::<Vec<_>>(),
        "totalCount": total,
    })))
}

async fn details(state: web::Data<AppState>, req: Digit<Value>) -> AppResult<HttpResponse> {
    let caller = caller_of(&req)?.clone();
    let st = state.clone();
    let (user, actions) = db::run(&state.pool, move |c| {
        let u = service::get(c, &st.crypto, caller.id)?
            .ok_or_else(|| AppError::not_found(codes::USER_NOT_FOUND, "No such user"))?;
        let codes: Vec<String> = u.roles.iter().map(|r| r.code.clone()).collect();
        let actions = crate::platform::mdms::repo::actions_for_roles(c, &codes)?;
        Ok((u, actions))
    })
    .await?;
    let mut v = user_request(&user);
    v["actions"] = actions
        .into_iter()
        .map(|a| json!({"id": a.id, "name": a.name, "url": a.url, "displayName": a.display_name, "enabled": a.enabled, "serviceCode": a.service_code}))
        .collect();
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Deserialize)]
struct LogoutQuery {
    access_token: Option<String>,
}

async fn logout(
    state: web::Data<AppState>,
    q: web::Query<LogoutQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let token = q
        .into_inner()
        .access_token
        .or_else(|| {
            req.body
                .get("access_token")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .or_else(|| req.info.auth_token.clone())
        .ok_or_else(|| {
            AppError::invalid_field(
                codes::MISSING_FIELD,
                "access_token is required",
                "access_token",
            )
        })?;
    db::transaction(&state.pool, move |c| service::logout(c, &token, Utc::now())).await?;
    let mut ri = serde_json::to_value(ResponseInfo::success(&req.info)).unwrap_or(Value::Null);
    ri["status"] = json!("Logout successfully");
    Ok(HttpResponse::Ok().json(ri))
}

#[derive(Debug, Deserialize)]
struct ProfileBody {
    user: ProfileUser,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileUser {
    id: Option<i64>,
    uuid: Option<uuid::Uuid>,
    name: Option<String>,
    gender: Option<String>,
    email_id: Option<String>,
    locale: Option<String>,
    mobile_number: Option<String>,
}

async fn update_profile(
    state: web::Data<AppState>,
    req: Digit<ProfileBody>,
) -> AppResult<HttpResponse> {
    let caller = caller_of(&req)?.clone();
    let u = &req.body.user;
    if u.id.is_some_and(|i| i != caller.id) || u.uuid.is_some_and(|i| i != caller.uuid) {
        return Err(AppError::forbidden(
            "NOT_YOUR_PROFILE",
            "You may change only your own profile",
        ));
    }
    if u.mobile_number
        .as_deref()
        .is_some_and(|m| Some(m) != caller.mobile_number.as_deref())
    {
        return Err(AppError::invalid_field(
            "MOBILE_NOT_CHANGEABLE",
            "The mobile number cannot be changed",
            "user.mobileNumber",
        ));
    }
    let changes = ProfileChanges {
        name: u.name.clone(),
        // The app sends back the whole user it searched, an unset gender as "".
        gender: u.gender.clone().filter(|g| !g.trim().is_empty()),
        email: u.email_id.clone(),
        locale: u.locale.clone(),
    };
    let st = state.clone();
    let user = db::transaction(&state.pool, move |c| {
        service::update_profile(c, &st.crypto, caller.id, &changes, caller.uuid, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"responseInfo": ResponseInfo::success(&req.info), "user": [user_json(&user, Utc::now())]})))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PasswordBody {
    existing_password: String,
    new_password: String,
}

async fn update_password(
    state: web::Data<AppState>,
    req: Digit<PasswordBody>,
) -> AppResult<HttpResponse> {
    let caller = caller_of(&req)?.clone();
    let current = Secret::new(req.body.existing_password.clone());
    let new = Secret::new(req.body.new_password.clone());
    let st = state.clone();
    let out = db::transaction(&state.pool, move |c| {
        service::change_password(c, st.identity(), caller.id, &current, &new, Utc::now())
    })
    .await?;
    match out {
        PasswordChange::Done => {
            Ok(HttpResponse::Ok().json(json!({"responseInfo": ResponseInfo::success(&req.info)})))
        }
        PasswordChange::WrongCurrent => Err(AppError::invalid_field(
            codes::WRONG_CURRENT_PASSWORD,
            "The current password is not right",
            "existingPassword",
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NologinBody {
    otp_reference: String,
    user_name: String,
    new_password: String,
    tenant_id: String,
    #[serde(rename = "type")]
    user_type: Option<String>,
}

async fn nologin_update(
    state: web::Data<AppState>,
    req: Digit<NologinBody>,
) -> AppResult<HttpResponse> {
    let b = &req.body;
    let (tenant, user_name, otp_code) = (
        b.tenant_id.trim().to_owned(),
        b.user_name.trim().to_owned(),
        b.otp_reference.trim().to_owned(),
    );
    let user_type = b
        .user_type
        .clone()
        .unwrap_or_else(|| "EMPLOYEE".to_owned())
        .to_uppercase();
    let new = Secret::new(b.new_password.clone());
    let st = state.clone();
    let out = db::transaction(&state.pool, move |c| {
        let id = st.identity();
        otp::reset_password(
            c,
            id,
            &tenant,
            &user_name,
            &user_type,
            &otp_code,
            &new,
            Utc::now(),
        )
    })
    .await?;
    match out {
        Reset::Done(_) => {
            Ok(HttpResponse::Ok().json(json!({"responseInfo": ResponseInfo::success(&req.info)})))
        }
        Reset::WrongCode => Err(AppError::invalid_field(
            codes::INVALID_OTP,
            "The OTP is not right",
            "otpReference",
        )),
        Reset::NoValidCode => Err(AppError::invalid_field(
            codes::OTP_EXPIRED,
            "The OTP has expired or was already used; please ask for a new one",
            "otpReference",
        )),
    }
}

#[derive(Debug, Deserialize)]
struct OtpBody {
    otp: OtpReq,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OtpReq {
    mobile_number: Option<String>,
    tenant_id: Option<String>,
    #[serde(rename = "type")]
    purpose: Option<String>,
    user_type: Option<String>,
    locale: Option<String>,
}

async fn send_otp(
    state: web::Data<AppState>,
    http: HttpRequest,
    req: Digit<OtpBody>,
) -> Result<HttpResponse, LegacyError> {
    let o = &req.body.otp;
    let tenant = o
        .tenant_id
        .clone()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            AppError::invalid_field(
                "OTP.TENANT_ID_MANDATORY",
                "tenantId is mandatory",
                "otp.tenantId",
            )
        })?;
    let mobile = o.mobile_number.clone().unwrap_or_default();
    if service::check_mobile(&mobile, "otp.mobileNumber").is_err() {
        return Err(AppError::invalid_field(
            "OTP.MOBILE_NUMBER_INVALIDLENGTH",
            "The mobile number must be 10 digits",
            "otp.mobileNumber",
        )
        .into());
    }
    let purpose = o
        .purpose
        .as_deref()
        .and_then(Purpose::parse)
        .ok_or_else(|| {
            AppError::invalid_field(
                "OTP.INVALID_TYPE",
                "type must be register, login or passwordreset",
                "otp.type",
            )
        })?;
    let user_type = o
        .user_type
        .clone()
        .unwrap_or_else(|| "EMPLOYEE".to_owned())
        .to_uppercase();
    let locale = o
        .locale
        .as_deref()
        .or(req.info.locale())
        .and_then(Locale::parse)
        .or_else(|| Locale::parse(&state.settings.app.default_locale))
        .unwrap_or(Locale::Pa);
    let client = crate::http::client_address(&http, state.settings.server.trust_forwarded_for);
    let st = state.clone();
    let sent = db::transaction(&state.pool, move |c| {
        let id = st.identity();
        let req = otp::OtpRequest {
            tenant: tenant.trim(),
            mobile: &mobile,
            purpose,
            user_type: &user_type,
            locale,
            client,
        };
        otp::send(c, id, &st.i18n, &req, Utc::now())
    })
    .await?;
    if sent == Sent::Sent {
        crate::platform::notification::kick(&state);
    }
    Ok(HttpResponse::Ok()
        .json(json!({"responseInfo": ResponseInfo::success(&req.info), "isSuccessful": true})))
}
