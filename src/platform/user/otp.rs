//! One-time passwords for password reset and first login: a random 6-digit code, kept only as a
//! keyed hash, valid for a few minutes, used once, with a limited number of tries and of sends per
//! number per hour. Delivered as an SMS through the notification outbox.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use rand::RngExt as _;
use serde_json::json;

use super::model::User;
use super::service::{self, Identity};
use crate::config::Secret;
use crate::db::schema::user_otp as ot;
use crate::error::{AppError, AppResult};
use crate::platform::localization::{Catalog, Locale};
use crate::platform::notification::{self, Sms};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Register,
    Login,
    PasswordReset,
    /// A household finding its connections by the holder's number (the citizen pages; not
    /// asked through the API). Whether the number holds any is the caller's to say.
    Households,
}

impl Purpose {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "register" => Some(Self::Register),
            "login" => Some(Self::Login),
            "passwordreset" | "password_reset" => Some(Self::PasswordReset),
            _ => None,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Login => "login",
            Self::PasswordReset => "passwordreset",
            Self::Households => "households",
        }
    }
}

fn code_hash(id: Identity<'_>, otp_id: i64, code: &str) -> Vec<u8> {
    id.crypto
        .blind_index("otp", &format!("{otp_id}:{}", code.trim()))
}

/// Takes a transaction-scoped advisory lock: `space`, and the first bytes of `key` (a hash).
fn lock(conn: &mut PgConnection, space: i32, key: &[u8]) -> QueryResult<()> {
    let mut k = [0u8; 4];
    k.copy_from_slice(key.get(..4).unwrap_or(&[0; 4]));
    diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
        .bind::<diesel::sql_types::Integer, _>(space)
        .bind::<diesel::sql_types::Integer, _>(i32::from_be_bytes(k))
        .execute(conn)
        .map(|_| ())
}

/// Advisory lock spaces: OTP sends to one number; register OTP sends.
const LOCK_OTP_NUMBER: i32 = 7_240_004;
const LOCK_OTP_REGISTER: i32 = 7_240_005;

/// What a send request led to (the answer to the client is the same either way, so that it does
/// not reveal who has an account).
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    Sent,
    NoSuchUser,
}

/// A request for an OTP: to `mobile` on `tenant` for `purpose`, from a client address.
#[derive(Clone, Copy, Debug)]
pub struct OtpRequest<'a> {
    pub tenant: &'a str,
    pub mobile: &'a str,
    pub purpose: Purpose,
    pub user_type: &'a str,
    pub locale: Locale,
    /// Where the request came from (`http::client_address`), if known.
    pub client: Option<IpAddr>,
}

/// The 429 of every OTP limit (the app reads `OTP.RATE_LIMIT`).
fn rate_limited(message: &str) -> AppError {
    AppError::client(
        actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        "OTP.RATE_LIMIT",
        message,
    )
}

/// Sends an OTP. Limits: sends per number per hour; for `register` (which reaches any number),
/// also per client address per hour and in all per hour. What is counted are the `user_otp`
/// rows, each with a keyed hash of the client address (never the address).
pub fn send(
    conn: &mut PgConnection,
    id: Identity<'_>,
    catalog: &Catalog,
    req: &OtpRequest<'_>,
    now: DateTime<Utc>,
) -> AppResult<Sent> {
    issue(conn, id, catalog, req, None, now)
}

/// Sends a [`Purpose::Households`] code: to a number that holds households (`holds`), else
/// counted, limited and kept exactly the same but not sent, so the answers do not tell which
/// numbers hold any.
pub fn send_households(
    conn: &mut PgConnection,
    id: Identity<'_>,
    catalog: &Catalog,
    req: &OtpRequest<'_>,
    holds: bool,
    now: DateTime<Utc>,
) -> AppResult<Sent> {
    let req = OtpRequest {
        purpose: Purpose::Households,
        ..*req
    };
    issue(conn, id, catalog, &req, Some(holds), now)
}

fn issue(
    conn: &mut PgConnection,
    id: Identity<'_>,
    catalog: &Catalog,
    req: &OtpRequest<'_>,
    holds: Option<bool>,
    now: DateTime<Utc>,
) -> AppResult<Sent> {
    let OtpRequest {
        tenant,
        user_type,
        purpose,
        locale,
        ..
    } = *req;
    let mobile = service::check_mobile(req.mobile, "otp.mobileNumber")?;
    let mhash = id.mobile_hash(&mobile);
    let client_hash = id.crypto.blind_index(
        "client",
        &req.client
            .map_or_else(|| "unknown".to_owned(), |a| a.to_string()),
    );
    // One send per number at a time, so two racing sends cannot both slip under the limit.
    lock(conn, LOCK_OTP_NUMBER, &mhash)?;
    // A number without an account is counted, limited and given a code exactly like one with an
    // account; only the SMS is not sent. So neither the answers nor the 429 tell who has one.
    let (user, no_account) = match purpose {
        Purpose::Register => (None, false),
        Purpose::Households => (None, holds != Some(true)),
        Purpose::Login | Purpose::PasswordReset => {
            let found = super::repo::by_login(conn, tenant, user_type, &id.username_hash(&mobile))?
                .filter(|u| u.active);
            let none = found.is_none();
            (found, none)
        }
    };
    let sent_last_hour: i64 = ot::table
        .filter(ot::mobile_hash.eq(&mhash))
        .filter(ot::created_at.gt(now - Duration::hours(1)))
        .count()
        .get_result(conn)?;
    if sent_last_hour >= id.sec.otp_max_sends_per_hour {
        return Err(rate_limited(
            "Too many OTPs were sent to this number in the last hour; please try again later",
        ));
    }
    if matches!(purpose, Purpose::Register | Purpose::Households) {
        // Register (and the households' code) reach any number: one at a time (after the number's lock), so the caps hold under races.
        lock(conn, LOCK_OTP_REGISTER, &[0; 4])?;
        let register_last_hour = || {
            ot::table
                .filter(ot::purpose.eq(purpose.code()))
                .filter(ot::created_at.gt(now - Duration::hours(1)))
        };
        let all: i64 = register_last_hour().count().get_result(conn)?;
        if all >= id.sec.otp_register_max_per_hour {
            return Err(rate_limited(
                "Too many OTPs were requested in the last hour; please try again later",
            ));
        }
        let from_here: i64 = register_last_hour()
            .filter(ot::client_hash.eq(&client_hash))
            .count()
            .get_result(conn)?;
        if from_here >= id.sec.otp_register_max_per_address_per_hour {
            return Err(rate_limited(
                "Too many OTPs were requested from this address in the last hour; please try again later",
            ));
        }
    }
    // Earlier codes for the same purpose stop working.
    diesel::update(
        ot::table
            .filter(ot::mobile_hash.eq(&mhash))
            .filter(ot::purpose.eq(purpose.code()))
            .filter(ot::used_at.is_null()),
    )
    .set(ot::used_at.eq(now))
    .execute(conn)?;
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let otp_id: i64 = diesel::insert_into(ot::table)
        .values((
            ot::tenant_id.eq(tenant),
            ot::mobile_hash.eq(&mhash),
            ot::purpose.eq(purpose.code()),
            ot::code_hash.eq(vec![0u8; 32]),
            ot::created_at.eq(now),
            ot::expires_at.eq(now + Duration::minutes(id.sec.otp_valid_minutes)),
            ot::client_hash.eq(&client_hash),
        ))
        .returning(ot::id)
        .get_result(conn)?;
    diesel::update(ot::table.find(otp_id))
        .set(ot::code_hash.eq(code_hash(id, otp_id, &code)))
        .execute(conn)?;
    if no_account {
        return Ok(Sent::NoSuchUser);
    }
    let first_time = user.as_ref().is_some_and(|u| !u.default_pwd_chgd);
    let template = if purpose == Purpose::Households {
        "CITIZEN_OTP"
    } else if first_time {
        "RESET_PASSWORD_FIRST_TIME_OTP"
    } else {
        "RESET_PASSWORD_OTP"
    };
    let text = catalog.format(locale, template, &[("otp", &code)]);
    notification::enqueue_sms(
        conn,
        id.crypto,
        &Sms {
            tenant_id: tenant,
            mobile: &mobile,
            template,
            text,
        },
        now,
    )?;
    // A password reset's code goes to the account's e-mail too, when it has one.
    if let Some(u) = user.as_ref().filter(|_| purpose == Purpose::PasswordReset) {
        let email = id
            .crypto
            .open_opt(super::users::COL_EMAIL, u.email_enc.as_deref())?;
        if let Some(to) = email {
            let name = id.crypto.open(super::users::COL_NAME, &u.name_enc)?;
            notification::email::enqueue(
                conn,
                id.crypto,
                &notification::email::Mail {
                    tenant_id: tenant,
                    to: &to,
                    kind: notification::email::Kind::PasswordOtp,
                    locale: Some(locale),
                    values: vec![
                        ("USER", name),
                        ("OTP", code),
                        ("MINUTES", id.sec.otp_valid_minutes.to_string()),
                    ],
                },
                now,
            )?;
        }
    }
    Ok(Sent::Sent)
}

/// How a password reset by OTP ended. A wrong code is counted even though the answer is an
/// error, so the handler commits first and maps the outcome afterwards. A user name without an
/// account ends the way an account in the same state would: `NoValidCode` until a code is asked
/// for its number, then `WrongCode` (counted) until the code's tries are spent.
#[derive(Debug)]
pub enum Reset {
    Done(Box<User>),
    WrongCode,
    NoValidCode,
}

#[expect(clippy::too_many_arguments, reason = "mirrors the contract's fields")]
pub fn reset_password(
    conn: &mut PgConnection,
    id: Identity<'_>,
    tenant: &str,
    user_name: &str,
    user_type: &str,
    otp: &str,
    new_password: &Secret,
    now: DateTime<Utc>,
) -> AppResult<Reset> {
    service::check_password_rule(new_password.expose(), "newPassword")?;
    let row = super::repo::by_login(conn, tenant, user_type, &id.username_hash(user_name))?;
    let user = match row {
        Some(row) => service::open_rows(conn, id.crypto, vec![row])?.pop(),
        None => None,
    };
    // Without an account, the user name is taken as the number (employees' user names are their
    // numbers): `send` keeps an undelivered code for such a number, which is checked and spent
    // like a delivered one, so the answers do not tell who has an account.
    let mobile = match &user {
        Some(u) => u.mobile_number.clone(),
        None => service::check_mobile(user_name, "userName").ok(),
    };
    let Some(mobile) = mobile else {
        return Ok(Reset::NoValidCode);
    };
    // (The right code of a number without an account cannot be known: it was never sent.)
    match check_code(
        conn,
        id,
        &mobile,
        Purpose::PasswordReset,
        otp,
        user.is_some(),
        now,
    )? {
        Checked::Right => {}
        Checked::Wrong => return Ok(Reset::WrongCode),
        Checked::NoValidCode => return Ok(Reset::NoValidCode),
    }
    let Some(user) = user else {
        return Ok(Reset::WrongCode);
    };
    service::set_password(
        conn,
        id.sec,
        &user,
        new_password,
        Some(user.uuid),
        "PASSWORD_RESET_BY_OTP",
        now,
    )?;
    super::repo::add_history(
        conn,
        user.id,
        &user.tenant_id,
        "OTP_USED",
        json!({"purpose": "passwordreset"}),
        Some(user.uuid),
        now,
    )?;
    let user = service::get(conn, id.crypto, user.id)?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished")))?;
    Ok(Reset::Done(Box::new(user)))
}

/// How a code typed for a number fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// Right: the code is spent.
    Right,
    /// Wrong (counted; the last allowed try spends the code).
    Wrong,
    /// No live code for the number and purpose (none asked, expired, spent or out of tries).
    NoValidCode,
}

/// Checks `code` against the number's latest live code for `purpose`, counting a wrong try.
/// With `accept` false a right code counts as wrong (the number's code was never sent). The
/// caller commits even when the answer is an error, so wrong tries are kept.
pub fn check_code(
    conn: &mut PgConnection,
    id: Identity<'_>,
    mobile: &str,
    purpose: Purpose,
    code: &str,
    accept: bool,
    now: DateTime<Utc>,
) -> AppResult<Checked> {
    let latest: Option<(i64, Vec<u8>, i32)> = ot::table
        .filter(ot::mobile_hash.eq(id.mobile_hash(mobile)))
        .filter(ot::purpose.eq(purpose.code()))
        .filter(ot::used_at.is_null())
        .filter(ot::expires_at.gt(now))
        .order(ot::id.desc())
        .select((ot::id, ot::code_hash, ot::attempts))
        .for_update()
        .first(conn)
        .optional()?;
    let Some((otp_id, hash, attempts)) = latest else {
        return Ok(Checked::NoValidCode);
    };
    if attempts >= id.sec.otp_max_attempts {
        return Ok(Checked::NoValidCode);
    }
    if accept && code_hash(id, otp_id, code) == hash {
        diesel::update(ot::table.find(otp_id))
            .set(ot::used_at.eq(now))
            .execute(conn)?;
        return Ok(Checked::Right);
    }
    let n = attempts + 1;
    // The last allowed try used up, the code stops working.
    let spent = (n >= id.sec.otp_max_attempts).then_some(now);
    diesel::update(ot::table.find(otp_id))
        .set((ot::attempts.eq(n), ot::used_at.eq(spent)))
        .execute(conn)?;
    Ok(Checked::Wrong)
}
