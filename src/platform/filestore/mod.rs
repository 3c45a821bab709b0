//! Files (`egov-filestore`): uploads (expense attachments: PDF, JPEG, PNG by content, at most
//! `filestore.max_file_bytes`) and generated PDFs, kept on disk under `filestore.dir` with
//! their metadata in `filestore_file`, handed out through signed, expiring links that work
//! without a login (a bill shared on WhatsApp), as `filestore/v1/files/url` promises; a file is
//! only ever found on its own tenant. Owns `filestore_file`. Serves `/filestore/v1/files`
//! (upload), `/filestore/v1/files/url` and `/filestore/v1/files/id`.

mod disk;
mod upload;

use std::path::Path;

use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::FilestoreSettings;
use crate::db;
use crate::db::schema::filestore_file as ff;
use crate::error::{AppError, AppResult, codes};
use crate::http::params;
use crate::http::routes::{Access, Routes};
use crate::platform::access::identity::Caller;
use crate::platform::encryption::Crypto;
use crate::state::AppState;

pub use disk::Swept;

/// How long a signed link works.
pub const LINK_DAYS: i64 = 7;

/// A file's record (the bytes are on disk: [`read`]).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = ff)]
pub struct File {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub module: String,
    pub tag: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Under `filestore.dir`; `None` for a row made before files moved to disk whose bytes the
    /// `filestore-sweep` job has not written out yet.
    pub path: Option<String>,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    /// Uploaded without a login and not yet named by a record of its GP ([`claim`]).
    pub unclaimed: bool,
}

#[derive(Insertable)]
#[diesel(table_name = ff)]
struct NewFile<'a> {
    id: uuid::Uuid,
    tenant_id: &'a str,
    module: &'a str,
    tag: Option<&'a str>,
    file_name: &'a str,
    content_type: &'a str,
    size: i64,
    sha256: &'a str,
    path: &'a str,
    created_by: Option<uuid::Uuid>,
    created_at: DateTime<Utc>,
    unclaimed: bool,
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Keeps a file made by this server (a PDF, an import's CSV): written to disk first, then its
/// row; a failed insert removes the file, and a file whose transaction rolls back later is
/// removed by the sweep. No checks of kind or size: see [`store_upload`] for what people send.
#[expect(clippy::too_many_arguments, reason = "the columns of one file")]
pub fn store(
    conn: &mut PgConnection,
    dir: &Path,
    tenant: &str,
    module: &str,
    tag: Option<&str>,
    file_name: &str,
    content_type: &str,
    bytes: Vec<u8>,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<uuid::Uuid> {
    let file = Stored {
        tenant,
        module,
        tag,
        file_name,
        content_type,
        actor,
        unclaimed: false,
    };
    keep(conn, dir, &file, bytes, now)
}

/// What a new file's row says.
struct Stored<'a> {
    tenant: &'a str,
    module: &'a str,
    tag: Option<&'a str>,
    file_name: &'a str,
    content_type: &'a str,
    actor: Option<uuid::Uuid>,
    unclaimed: bool,
}

fn keep(
    conn: &mut PgConnection,
    dir: &Path,
    f: &Stored<'_>,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> AppResult<uuid::Uuid> {
    let Stored {
        tenant,
        module,
        tag,
        file_name,
        content_type,
        actor,
        unclaimed,
    } = *f;
    let id = uuid::Uuid::new_v4();
    let path = disk::write(dir, id, &bytes)?;
    let row = NewFile {
        id,
        tenant_id: tenant,
        module,
        tag,
        file_name,
        content_type,
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: &sha256_hex(&bytes),
        path: &path,
        created_by: actor,
        created_at: now,
        unclaimed,
    };
    if let Err(e) = diesel::insert_into(ff::table).values(&row).execute(conn) {
        disk::remove(dir, &path);
        return Err(e.into());
    }
    Ok(id)
}

/// Keeps a file a person sent (a page's form upload, an expense's attachment), with the checks
/// of `POST /filestore/v1/files`: a gram panchayat's tenant, a PDF, JPEG or PNG by its content,
/// not empty, at most `filestore.max_file_bytes`, the name cleaned. Nothing is kept on refusal.
#[expect(clippy::too_many_arguments, reason = "the columns of one file")]
pub fn store_upload(
    conn: &mut PgConnection,
    settings: &FilestoreSettings,
    tenant: &str,
    module: &str,
    file_name: &str,
    bytes: Vec<u8>,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<uuid::Uuid> {
    upload::check_label(module, "module")?;
    let (name, content_type) = upload::check(file_name, &bytes, settings.max_file_bytes)?;
    gram_panchayat(conn, tenant)?;
    store(
        conn,
        &settings.dir,
        tenant,
        module,
        None,
        &name,
        content_type,
        bytes,
        actor,
        now,
    )
}

fn gram_panchayat(conn: &mut PgConnection, tenant: &str) -> AppResult<()> {
    match crate::platform::mdms::repo::tenant(conn, tenant)? {
        Some(t) if t.is_gram_panchayat() => Ok(()),
        _ => Err(AppError::invalid_field(
            codes::INVALID_TENANT,
            format!("{tenant} is not a gram panchayat"),
            "tenantId",
        )),
    }
}

/// Marks file `id` of `tenant` as named by a record of that GP (an expense bill), so the sweep
/// keeps it; false when the GP has no such file. Run it in the record's transaction.
pub fn claim(conn: &mut PgConnection, tenant: &str, id: uuid::Uuid) -> AppResult<bool> {
    let n = diesel::update(ff::table.find(id).filter(ff::tenant_id.eq(tenant)))
        .set(ff::unclaimed.eq(false))
        .execute(conn)?;
    Ok(n == 1)
}

/// How long an unclaimed upload is kept.
pub const UNCLAIMED_HOURS: i64 = 24;

/// Refuses an upload without a login that would take `tenant` over its unclaimed files or
/// bytes of the last [`UNCLAIMED_HOURS`] (serialised per GP by a transaction lock).
fn anonymous_quota(
    conn: &mut PgConnection,
    settings: &FilestoreSettings,
    tenant: &str,
    files: i64,
    bytes: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use diesel::dsl::{count_star, sql};
    use diesel::sql_types::{BigInt, Text};
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('filestore-anonymous:' || $1))")
        .bind::<Text, _>(tenant)
        .execute(conn)?;
    let (n, size): (i64, i64) = ff::table
        .filter(ff::tenant_id.eq(tenant))
        .filter(ff::unclaimed)
        .filter(ff::created_at.gt(now - Duration::hours(UNCLAIMED_HOURS)))
        .select((count_star(), sql::<BigInt>("COALESCE(SUM(size), 0)::int8")))
        .first(conn)?;
    if n + files > settings.anonymous_files_per_day
        || size + bytes > settings.anonymous_bytes_per_day
    {
        tracing::info!(
            tenant,
            files = n,
            bytes = size,
            "anonymous upload refused: quota"
        );
        return Err(AppError::client(
            actix_web::http::StatusCode::TOO_MANY_REQUESTS,
            codes::TOO_MANY_REQUESTS,
            "Too many files sent without a login for this GP today; log in or try tomorrow",
        ));
    }
    Ok(())
}

/// The record of file `id` if it is on `tenant` (a file of another tenant is not found).
pub fn get(conn: &mut PgConnection, tenant: &str, id: uuid::Uuid) -> QueryResult<Option<File>> {
    ff::table
        .find(id)
        .filter(ff::tenant_id.eq(tenant))
        .select(File::as_select())
        .first(conn)
        .optional()
}

/// The record and the bytes of file `id` if it is on `tenant`.
pub fn read(
    conn: &mut PgConnection,
    dir: &Path,
    tenant: &str,
    id: uuid::Uuid,
) -> AppResult<Option<(File, Vec<u8>)>> {
    let Some(f) = get(conn, tenant, id)? else {
        return Ok(None);
    };
    let bytes = match &f.path {
        Some(p) => disk::read(dir, p)?,
        None => ff::table
            .find(id)
            .select(ff::bytes)
            .first::<Option<Vec<u8>>>(conn)?
            .unwrap_or_default(),
    };
    Ok(Some((f, bytes)))
}

/// Writes out rows whose bytes are still in the table and removes files no row names (the
/// `filestore-sweep` job).
pub fn sweep(conn: &mut PgConnection, dir: &Path, now: DateTime<Utc>) -> AppResult<Swept> {
    disk::sweep(conn, dir, now)
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
    // uploads: with a token, a role mapped to the action on the tenant named (the gateway reads
    // the token from the `auth-token` header or the `requestInfo` field, and the form's
    // `tenantId`); without one (the mGramSeva app sends none), rate-limited per address, kept
    // unclaimed until a record of the GP names the file, within a daily quota per GP
    r.upload("/filestore/v1/files", Access::ProtectedOrLink, create);
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
    let dir = state.settings.filestore.dir.clone();
    let (f, bytes) = db::run(&state.pool, move |c| read(c, &dir, &tenant, id))
        .await?
        .ok_or_else(|| AppError::not_found(codes::FILE_NOT_FOUND, "No such file"))?;
    Ok(HttpResponse::Ok()
        .content_type(f.content_type)
        .insert_header(crate::http::disposition("inline", &f.file_name))
        .body(bytes))
}

/// `POST files`: the files of a multipart/form-data body (parts `file`, fields `tenantId`,
/// `module`, `tag`), all checked before any is kept, kept together or not at all. 201
/// `files[] = {fileStoreId, tenantId}`.
async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: web::ReqData<Caller>,
) -> AppResult<HttpResponse> {
    let Some(form) = req
        .extensions_mut()
        .remove::<crate::http::multipart::Upload>()
    else {
        return Err(AppError::client(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::INVALID_UPLOAD,
            "Send the files as multipart/form-data: parts file, fields tenantId and module",
        ));
    };
    let tenant = params::tenant(&form.field("tenantId").map(str::to_owned))?;
    let module = form
        .field("module")
        .ok_or_else(|| {
            AppError::invalid_field(codes::MISSING_FIELD, "module is required", "module")
        })?
        .to_owned();
    upload::check_label(&module, "module")?;
    let tag = form.field("tag").map(str::to_owned);
    if let Some(t) = &tag {
        upload::check_label(t, "tag")?;
    }
    let max = state.settings.filestore.max_file_bytes;
    let mut files = Vec::new();
    let mut total: i64 = 0;
    for part in form.files.into_iter().filter(|p| p.field == "file") {
        total = total.saturating_add(i64::try_from(part.bytes.len()).unwrap_or(i64::MAX));
        let (name, content_type) = upload::check(&part.file_name, &part.bytes, max)?;
        files.push((name, content_type, part.bytes));
    }
    if files.is_empty() {
        return Err(AppError::invalid_field(
            codes::MISSING_FIELD,
            "at least one file part named file is required",
            "file",
        ));
    }
    let actor = caller.user().map(|u| u.uuid);
    let settings = state.settings.filestore.clone();
    let dir = settings.dir.clone();
    let t = tenant.clone();
    let written = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let w = written.clone();
    let made = db::transaction(&state.pool, move |c| {
        gram_panchayat(c, &t)?;
        let now = Utc::now();
        if actor.is_none() {
            let n = i64::try_from(files.len()).unwrap_or(i64::MAX);
            anonymous_quota(c, &settings, &t, n, total, now)?;
        }
        let mut ids = Vec::new();
        for (name, content_type, bytes) in files {
            let file = Stored {
                tenant: &t,
                module: &module,
                tag: tag.as_deref(),
                file_name: &name,
                content_type,
                actor,
                unclaimed: actor.is_none(),
            };
            let id = keep(c, &dir, &file, bytes, now)?;
            if let Ok(mut w) = w.lock() {
                w.push(id);
            }
            ids.push(id);
        }
        Ok(ids)
    })
    .await;
    let ids = match made {
        Ok(ids) => ids,
        Err(e) => {
            // nothing of a refused upload stays on disk
            let dir = &state.settings.filestore.dir;
            if let Ok(w) = written.lock() {
                w.iter()
                    .for_each(|id| disk::remove(dir, &disk::rel_path(*id)));
            }
            return Err(e);
        }
    };
    let files: Vec<Value> = ids
        .iter()
        .map(|id| json!({"fileStoreId": id, "tenantId": tenant}))
        .collect();
    Ok(HttpResponse::Created().json(json!({ "files": files })))
}
