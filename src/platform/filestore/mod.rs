//! Files (`egov-filestore`): generated PDFs kept by id, handed out through signed, expiring links
//! that work without a login (a bill shared on WhatsApp), as `filestore/v1/files/url` promises.
//! Owns `filestore_file`. Serves `/filestore/v1/files/url` and `/filestore/v1/files/id`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::db;
use crate::db::schema::filestore_file as ff;
use crate::error::{AppError, AppResult, codes};
use crate::http::params;
use crate::http::routes::{Access, Routes};
use crate::platform::access::identity::Caller;
use crate::platform::encryption::Crypto;
use crate::state::AppState;

/// How long a signed link works.
pub const LINK_DAYS: i64 = 7;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = ff)]
pub struct File {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub module: String,
    pub tag: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
}

#[expect(clippy::too_many_arguments, reason = "the columns of one file")]
pub fn store(
    conn: &mut PgConnection,
    tenant: &str,
    module: &str,
    tag: Option<&str>,
    file_name: &str,
    content_type: &str,
    bytes: Vec<u8>,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<uuid::Uuid> {
    let f = File {
        id: uuid::Uuid::new_v4(),
        tenant_id: tenant.to_owned(),
        module: module.to_owned(),
        tag: tag.map(str::to_owned),
        file_name: file_name.to_owned(),
        content_type: content_type.to_owned(),
        bytes,
        created_by: actor,
        created_at: now,
    };
    diesel::insert_into(ff::table).values(&f).execute(conn)?;
    Ok(f.id)
}

pub fn get(conn: &mut PgConnection, tenant: &str, id: uuid::Uuid) -> QueryResult<Option<File>> {
    ff::table
        .find(id)
        .filter(ff::tenant_id.eq(tenant))
        .select(File::as_select())
        .first(conn)
        .optional()
}

fn signature(crypto: &Crypto, tenant: &str, id: uuid::Uuid, expires: i64) -> String {
    use base64::Engine as _;
    let mac = crypto.blind_index("filestore-link", &format!("{tenant}|{id}|{expires}"));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&mac[..16.min(mac.len())])
}

/// A link to the file that works without a login until it expires.
pub fn signed_path(crypto: &Crypto, tenant: &str, id: uuid::Uuid, now: DateTime<Utc>) -> String {
    let expires = (now + Duration::days(LINK_DAYS)).timestamp();
    format!(
        "/filestore/v1/files/id?tenantId={tenant}&fileStoreId={id}&expires={expires}&sig={}",
        signature(crypto, tenant, id, expires)
    )
}

/// The tenant of a signed file link of this server (`signed_path`'s form, with or without the
/// public base URL in front) whose signature holds and that has not expired at `now`.
pub fn signed_link_tenant(crypto: &Crypto, path: &str, now: DateTime<Utc>) -> Option<String> {
    let query = path.strip_prefix("/filestore/v1/files/id?")?;
    let (mut tenant, mut id, mut expires, mut sig) = (None, None, None, None);
    for (k, v) in crate::http::gateway::form_urlencoded_parse(query) {
        match k.as_str() {
            "tenantId" => tenant = Some(v),
            "fileStoreId" => id = uuid::Uuid::parse_str(&v).ok(),
            "expires" => expires = v.parse::<i64>().ok(),
            "sig" => sig = Some(v),
            _ => {}
        }
    }
    let (tenant, id, expires, sig) = (tenant?, id?, expires?, sig?);
    (expires >= now.timestamp() && signature(crypto, &tenant, id, expires) == sig).then_some(tenant)
}

pub fn routes(r: &mut Routes<'_>) {
    // links to files of a GP the caller holds a role on, or, without a login, to the files the
    // request names by id (the app asks for every file without a token; checked by the handler)
    r.get("/filestore/v1/files/url", Access::Mixed, urls)
        .post("/filestore/v1/files/url", Access::Mixed, urls)
        // signed, expiring links (the signature is the permission)
        .get("/filestore/v1/files/id", Access::Open, download);
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UrlQuery {
    tenant_id: Option<String>,
    file_store_ids: Option<String>,
}

/// Files a caller without a login may ask links for in one call.
const ANONYMOUS_FILES: usize = 10;

/// `files/url`: signed links for files of a tenant the caller works on; without a login (the
/// mGramSeva app asks without a token, even when logged in), for the files named by their ids
/// on one GP: a file id is a random uuid, only ever given to who made or may see the file.
async fn urls(
    state: web::Data<AppState>,
    q: web::Query<UrlQuery>,
    caller: web::ReqData<Caller>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let ids = params::uuids(&q.file_store_ids, "fileStoreIds")?;
    match caller.user() {
        Some(user) => {
            if !user
                .roles
                .iter()
                .any(|r| crate::platform::access::identity::tenant_covers(&r.tenant_id, &tenant))
            {
                return Err(AppError::forbidden(
                    "CustomException",
                    "Not authorized to access this resource",
                ));
            }
        }
        None => {
            crate::platform::access::link::gp(&tenant)?;
            if ids.is_empty() || ids.len() > ANONYMOUS_FILES {
                return Err(AppError::invalid_field(
                    codes::LINK_SCOPE,
                    format!("without a login, name 1 to {ANONYMOUS_FILES} fileStoreIds"),
                    "fileStoreIds",
                ));
            }
        }
    }
    let (t, st) = (tenant.clone(), state.clone());
    let found: Vec<uuid::Uuid> = db::run(&state.pool, move |c| {
        Ok(ff::table
            .filter(ff::tenant_id.eq(&t))
            .filter(ff::id.eq_any(&ids))
            .select(ff::id)
            .load(c)?)
    })
    .await?;
    let base = st.settings.app.base_url.trim_end_matches('/').to_owned();
    let now = Utc::now();
    let mut out = serde_json::Map::new();
    let list: Vec<Value> = found
        .iter()
        .map(|id| {
            let url = format!("{base}{}", signed_path(&state.crypto, &tenant, *id, now));
            out.insert(id.to_string(), Value::String(url.clone()));
            json!({"id": id, "url": url})
        })
        .collect();
    out.insert("fileStoreIds".to_owned(), Value::Array(list));
    Ok(HttpResponse::Ok().json(Value::Object(out)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdQuery {
    tenant_id: Option<String>,
    file_store_id: Option<uuid::Uuid>,
    expires: Option<i64>,
    sig: Option<String>,
}

/// `files/id`: the bytes, for a signed, unexpired link.
async fn download(state: web::Data<AppState>, q: web::Query<IdQuery>) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let (Some(id), Some(expires), Some(sig)) = (q.file_store_id, q.expires, q.sig.as_deref())
    else {
        return Err(AppError::bad_request(
            codes::INVALID_LINK,
            "The link is incomplete",
        ));
    };
    if expires < Utc::now().timestamp() {
        return Err(AppError::client(
            actix_web::http::StatusCode::GONE,
            codes::LINK_EXPIRED,
            "This link has expired; ask for a new one",
        ));
    }
    if signature(&state.crypto, &tenant, id, expires) != sig {
        return Err(AppError::forbidden(
            codes::INVALID_LINK,
            "The link is not valid",
        ));
    }
    let f = db::run(&state.pool, move |c| Ok(get(c, &tenant, id)?))
        .await?
        .ok_or_else(|| AppError::not_found("FILE_NOT_FOUND", "No such file"))?;
    Ok(HttpResponse::Ok()
        .content_type(f.content_type)
        .insert_header(crate::http::disposition("inline", &f.file_name))
        .body(f.bytes))
}
