//! Short links (`egov-url-shortening`, which the Flutter app calls as `/eus/shortener`): a bill
//! or receipt shared on WhatsApp or by SMS carries `<base_url>/eus/<key>` instead of a long
//! signed file link. Owns `shortener_link`. Serves `POST /eus/shortener`,
//! `POST /egov-url-shortening/shortener` (body `{url, id?, validFrom?, validTill?}`, no
//! RequestInfo; answers the short URL as plain text) and `GET /eus/{key}`,
//! `GET /egov-url-shortening/{key}` (a redirect).
//!
//! The rule that keeps this from being an open redirect: only links to **this server** are
//! shortened, either a path (`/…`, not `//…`) or an absolute URL that starts with the configured
//! public base URL (`app.base_url`). Only the path is stored and the redirect goes to that path,
//! so a short link can never lead to another site. Short links to the shortener itself are
//! refused. Without a login (the app sends no token) only a signed, unexpired file link
//! (`/filestore/v1/files/id?…&sig=`) may be shortened: what the app shares; anything else of this
//! server needs a logged-in caller. The optional `id` of the contract is ignored (keys are always
//! random, so nobody can choose or squat one).

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use crate::db;
use crate::db::schema::shortener_link as sl;
use crate::error::{AppError, AppResult, codes};
use crate::http::Digit;
use crate::http::routes::{Access, Routes};
use crate::platform::encryption::Crypto;
use crate::state::AppState;

/// Characters of a key.
const KEY_LEN: usize = 8;
const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Longest path kept.
const MAX_TARGET: usize = 2048;
/// The path the short links live under.
pub const PREFIX: &str = "/eus/";

pub fn routes(r: &mut Routes<'_>) {
    // The Flutter app shortens without a token: anonymous callers may shorten only signed file
    // links, logged-in ones any path of this server.
    r.post("/eus/shortener", Access::Mixed, shorten_url)
        .post("/egov-url-shortening/shortener", Access::Mixed, shorten_url)
        // followed from WhatsApp and SMS; they lead only to paths of this server
        .get("/eus/{key}", Access::Open, redirect)
        .get("/egov-url-shortening/{key}", Access::Open, redirect);
}

/// The path of this server `url` names: a path as it is, or an absolute URL under `base_url`
/// without it. `None` for anything else (other hosts, `//host`, backslashes, control
/// characters, links to the shortener itself, more than 2,048 characters).
pub fn local_path(base_url: &str, url: &str) -> Option<String> {
    let url = url.trim();
    let base = base_url.trim_end_matches('/');
    let path = if url.starts_with('/') {
        url.to_owned()
    } else {
        let rest = url.strip_prefix(base).filter(|_| !base.is_empty())?;
        match rest.chars().next() {
            None => "/".to_owned(),
            Some('/') => rest.to_owned(),
            Some('?') => format!("/{rest}"),
            Some(_) => return None,
        }
    };
    let ok = !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && !path.chars().any(char::is_whitespace)
        && path.len() <= MAX_TARGET
        && !path.starts_with(PREFIX)
        && !path.starts_with("/egov-url-shortening/");
    ok.then_some(path)
}

/// The short URL of a key.
pub fn short_url(base_url: &str, key: &str) -> String {
    format!("{}{PREFIX}{key}", base_url.trim_end_matches('/'))
}

fn new_key() -> String {
    let mut raw = [0u8; KEY_LEN];
    rand::fill(&mut raw);
    raw.iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// Keeps a short link to `path` (a path of this server, see `local_path`) and returns its key.
pub fn shorten(
    conn: &mut PgConnection,
    path: &str,
    valid_from: Option<DateTime<Utc>>,
    valid_till: Option<DateTime<Utc>>,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    // 62^8 keys: a clash is rare; the primary key settles it and another key is drawn.
    for _ in 0..5 {
        let key = new_key();
        let n = diesel::insert_into(sl::table)
            .values((
                sl::short_key.eq(&key),
                sl::target.eq(path),
                sl::valid_from.eq(valid_from),
                sl::valid_till.eq(valid_till),
                sl::created_by.eq(actor),
                sl::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if n == 1 {
            return Ok(key);
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "no free short key after 5 draws"
    )))
}

/// One end of a link's validity (open when `None`).
type Validity = Option<DateTime<Utc>>;

/// Where a key leads at `now`: `Ok(Some(path))`, `Ok(None)` when unknown or not valid yet, and
/// `Err(until)` when it has expired.
pub fn resolve(
    conn: &mut PgConnection,
    key: &str,
    now: DateTime<Utc>,
) -> QueryResult<Result<Option<String>, DateTime<Utc>>> {
    let row: Option<(String, Validity, Validity)> = sl::table
        .find(key)
        .select((sl::target, sl::valid_from, sl::valid_till))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => Ok(None),
        Some((_, Some(from), _)) if now < from => Ok(None),
        Some((_, _, Some(till))) if now > till => Err(till),
        Some((target, _, _)) => Ok(Some(target)),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShortenIn {
    url: Option<String>,
    /// Accepted and ignored: keys are always drawn at random.
    #[serde(default)]
    #[expect(dead_code, reason = "in the contract, never used")]
    id: Option<serde_json::Value>,
    valid_from: Option<i64>,
    valid_till: Option<i64>,
}

fn at(ms: Option<i64>, field: &str) -> AppResult<Option<DateTime<Utc>>> {
    ms.map(|ms| {
        DateTime::from_timestamp_millis(ms).ok_or_else(|| {
            AppError::invalid_field(codes::INVALID_DATE, format!("{field} is not a time"), field)
        })
    })
    .transpose()
}

/// Checks a request to shorten `url` by `crypto`'s signed-link rule and the base URL; returns
/// the path to keep.
pub fn check(
    crypto: &Crypto,
    base_url: &str,
    url: &str,
    logged_in: bool,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let path = local_path(base_url, url).ok_or_else(|| {
        AppError::invalid_field(
            "INVALID_URL",
            "Only links to this server can be shortened",
            "url",
        )
    })?;
    if !logged_in && crate::platform::filestore::signed_link_tenant(crypto, &path, now).is_none() {
        return Err(AppError::unauthorized(
            "CustomException",
            "Without a login only a valid file link can be shortened",
        ));
    }
    Ok(path)
}

/// `shortener`: the short URL, as plain text.
async fn shorten_url(state: web::Data<AppState>, req: Digit<ShortenIn>) -> AppResult<HttpResponse> {
    let b = req.body;
    let url = b
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| AppError::invalid_field(codes::MISSING_FIELD, "url is required", "url"))?;
    let (from, till) = (
        at(b.valid_from, "validFrom")?,
        at(b.valid_till, "validTill")?,
    );
    if let (Some(f), Some(t)) = (from, till)
        && f > t
    {
        return Err(AppError::invalid_field(
            codes::INVALID_DATE_RANGE,
            "validFrom must not be after validTill",
            "validFrom",
        ));
    }
    let now = Utc::now();
    let base = state.settings.app.base_url.clone();
    let actor = req.caller.user().map(|u| u.uuid);
    let path = check(&state.crypto, &base, url, actor.is_some(), now)?;
    let key = db::transaction(&state.pool, move |c| {
        shorten(c, &path, from, till, actor, now)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(short_url(&base, &key)))
}

/// `GET /eus/{key}`: a redirect to the path the key stands for.
async fn redirect(state: web::Data<AppState>, key: web::Path<String>) -> AppResult<HttpResponse> {
    let key = key.into_inner();
    let unknown = || AppError::not_found("INVALID_REQUEST", "Invalid Key");
    if key.len() != KEY_LEN || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(unknown());
    }
    let found = db::run(&state.pool, move |c| Ok(resolve(c, &key, Utc::now())?)).await?;
    match found {
        Ok(Some(path)) => Ok(HttpResponse::Found()
            .insert_header((actix_web::http::header::LOCATION, path))
            .finish()),
        Ok(None) => Err(unknown()),
        Err(_) => Err(AppError::client(
            StatusCode::GONE,
            codes::LINK_EXPIRED,
            "This link has expired; ask for a new one",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_server() {
        let base = "https://mgramseva.example/";
        for (url, want) in [
            (
                "/filestore/v1/files/id?a=1",
                Some("/filestore/v1/files/id?a=1"),
            ),
            (
                "https://mgramseva.example/home/household?no=1",
                Some("/home/household?no=1"),
            ),
            ("https://mgramseva.example?x=1", Some("/?x=1")),
            ("https://mgramseva.example", Some("/")),
            ("https://mgramseva.example.evil.com/x", None),
            ("https://evil.com/https://mgramseva.example/", None),
            ("http://mgramseva.example/x", None),
            ("//evil.com/x", None),
            ("/\\evil.com", None),
            ("javascript:alert(1)", None),
            ("/a b", None),
            ("/eus/abcdefgh", None),
            (
                "https://mgramseva.example/egov-url-shortening/abcdefgh",
                None,
            ),
            ("", None),
        ] {
            assert_eq!(local_path(base, url).as_deref(), want, "{url}");
        }
        assert_eq!(local_path("", "http://x/y"), None);
        assert_eq!(
            short_url("https://mgramseva.example/", "Ab3dE5gH"),
            "https://mgramseva.example/eus/Ab3dE5gH"
        );
    }

    #[test]
    fn keys_are_eight_letters_or_digits() {
        let k = new_key();
        assert_eq!(k.len(), KEY_LEN);
        assert!(k.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(new_key(), new_key());
    }
}
