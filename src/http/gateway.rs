//! The API gateway, in process: who is calling and may they call this path for these tenants.
//!
//! Every routed request passes here. A route is open (no login), mixed (login optional),
//! protected-or-link (protected with a token, the link holder's view without) or, by default,
//! protected: a valid token is required and one of the caller's roles must be mapped to
//! the path's action (role-actions from master data) on every tenant the request names. The
//! token travels in `RequestInfo.authToken` (JSON bodies; at the top of a body that is a bare
//! RequestInfo, as the mGramSeva app sends calls without a body), the `auth-token` header, or, for
//! `/user/_details` and `/user/_logout` only, the `access_token` query parameter. The caller is
//! put into the request extensions; a client's own `userInfo` is never trusted.

use std::collections::BTreeSet;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage as _, ResponseError as _, web};
use serde_json::Value;

use crate::db;
use crate::error::{AppError, codes};
use crate::http::envelope::{ParsedBody, RequestInfo, parse_body};
use crate::platform::access::identity::{AuthUser, Caller, TenantRole, tenant_covers};
use crate::state::AppState;

pub use crate::http::routes::Access;

/// Keys of a body that no handler reads (the envelope takes them out before a handler sees the
/// body), so the tenants they name are not ones the request acts on: the client's own
/// `RequestInfo` and the `userInfo` the mGramSeva app puts beside it.
pub const IGNORED_KEYS: &[&str] = &["RequestInfo", "requestInfo", "userInfo"];

/// Every `tenantId` the request names: the query's `tenantId`/`tenantIds` and the body's
/// `tenantId` at the top and one or two levels down (`MdmsCriteria.tenantId`,
/// `idRequests[].tenantId`, ...).
pub fn requested_tenants(query: &str, body: Option<&Value>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (k, v) in url::form_urlencoded_parse(query) {
        if k == "tenantId" || k == "tenantIds" {
            out.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
        }
    }
    fn walk(v: &Value, depth: u8, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if IGNORED_KEYS.contains(&k.as_str()) {
                        continue;
                    }
                    if k == "tenantId" {
                        if let Value::String(s) = v
                            && !s.is_empty()
                        {
                            out.insert(s.clone());
                        }
                    } else if depth < 2 {
                        walk(v, depth + 1, out);
                    }
                }
            }
            Value::Array(a) if depth < 3 => a.iter().for_each(|v| walk(v, depth + 1, out)),
            _ => {}
        }
    }
    if let Some(b) = body {
        walk(b, 0, &mut out);
    }
    out
}

/// Query strings and form bodies, decoded by the same library (and so the same rules) as actix's
/// `Query` and `Form` extractors: the tenants the gateway checks are the ones handlers read.
mod url {
    /// Key-value pairs of a query string or form body; undecodable input gives no pairs.
    pub fn form_urlencoded_parse(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).unwrap_or_default()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn decodes() {
            let p = super::form_urlencoded_parse("tenantId=pb.x%2Cpb.y&a=b+c");
            assert_eq!(p[0], ("tenantId".to_owned(), "pb.x,pb.y".to_owned()));
            assert_eq!(p[1].1, "b c");
        }
    }
}

pub use url::form_urlencoded_parse;

/// Decides whether `user` may call an action (given the roles mapped to it) on all `tenants`.
pub fn permitted(user: &AuthUser, mapped: &[TenantRole], tenants: &BTreeSet<String>) -> bool {
    // Role r (mapped on tenant m) held by the user on tenant h grants tenant t when h covers t and
    // the mapping's tenant m covers h (mappings live on the state tenant).
    let grants = |t: &str| {
        user.roles.iter().any(|held| {
            tenant_covers(&held.tenant_id, t)
                && mapped
                    .iter()
                    .any(|m| m.code == held.code && tenant_covers(&m.tenant_id, &held.tenant_id))
        })
    };
    if tenants.is_empty() {
        user.roles.iter().any(|held| {
            mapped
                .iter()
                .any(|m| m.code == held.code && tenant_covers(&m.tenant_id, &held.tenant_id))
        })
    } else {
        tenants.iter().all(|t| grants(t))
    }
}

fn token_from(req: &ServiceRequest, body: Option<&Value>) -> Option<String> {
    if let Some(Value::Object(m)) = body {
        let ri = match m.get("RequestInfo").or_else(|| m.get("requestInfo")) {
            Some(ri) => RequestInfo::from_value(Some(ri)),
            // The mGramSeva app sends a call without a body as its bare RequestInfo (the
            // location search): the token is then at the top.
            None => RequestInfo::from_value(body),
        };
        if let Some(t) = ri.auth_token {
            return Some(t);
        }
    }
    if let Some(t) = req
        .headers()
        .get("auth-token")
        .and_then(|v| v.to_str().ok())
        && !t.trim().is_empty()
    {
        return Some(t.trim().to_owned());
    }
    if matches!(req.path(), "/user/_details" | "/user/_logout") {
        return url::form_urlencoded_parse(req.query_string())
            .into_iter()
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v);
    }
    None
}

fn refuse(req: ServiceRequest, err: AppError) -> ServiceResponse<actix_web::body::BoxBody> {
    req.into_response(err.error_response())
}

fn refuse_page(
    req: ServiceRequest,
    err: crate::http::page::PageError,
) -> ServiceResponse<actix_web::body::BoxBody> {
    req.into_response(actix_web::ResponseError::error_response(&err))
}

/// The NUL character: PostgreSQL cannot store it in text, and no field of this API needs it.
fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

fn json_has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => has_nul(s),
        Value::Array(a) => a.iter().any(json_has_nul),
        Value::Object(m) => m.iter().any(|(k, v)| has_nul(k) || json_has_nul(v)),
        _ => false,
    }
}

fn nul_refused() -> AppError {
    AppError::bad_request(
        codes::INVALID_CHARACTER,
        "The request contains a NUL character (\\u0000), which no field accepts",
    )
}

fn content_type(req: &ServiceRequest) -> String {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Room for an upload's form fields and part headers beside its file.
const UPLOAD_OVERHEAD: usize = 64 * 1024;

/// Reads the whole body, refusing (413, `code`) as soon as it grows past `limit`, or at once
/// when its declared length is larger: an oversized body is never read whole.
async fn read_body(
    req: &mut ServiceRequest,
    limit: usize,
    code: &str,
) -> Result<web::Bytes, AppError> {
    use futures_util::StreamExt as _;
    let too_large = || {
        AppError::client(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            code,
            format!("request body larger than {limit} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut payload = req.take_payload();
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::bad_request("RequestBodyError", format!("could not read the body: {e}"))
        })?;
        if buf.len() + chunk.len() > limit {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// Query string and path parameters: the same checks for every route, page or API.
fn check_url(req: &ServiceRequest) -> Result<(), AppError> {
    let query_nul = url::form_urlencoded_parse(req.query_string())
        .iter()
        .any(|(k, v)| has_nul(k) || has_nul(v))
        || req.query_string().contains("%00");
    // (path parameters are decoded later, by the router: look at the path as sent)
    let path_nul = req.path().contains("%00") || req.path().contains('\0');
    if query_nul || path_nul {
        return Err(nul_refused());
    }
    Ok(())
}

/// A body as it arrives, before any handler: JSON parsed once (whatever the Content-Type says,
/// since the JSON extractor reads it whatever the Content-Type says), form fields decoded, NUL
/// refused. On pages, multipart bodies (file uploads) are left to their handler; on API upload
/// routes the gateway parses them itself (`http::multipart`); elsewhere they are read like any
/// other body.
fn check_body(ct: &str, bytes: &[u8], page: bool) -> Result<Option<ParsedBody>, AppError> {
    if page && ct.starts_with("multipart/") {
        return Ok(None);
    }
    if bytes.contains(&0) {
        return Err(nul_refused());
    }
    if ct.starts_with("application/x-www-form-urlencoded")
        && url::form_urlencoded_parse(&String::from_utf8_lossy(bytes))
            .iter()
            .any(|(k, v)| has_nul(k) || has_nul(v))
    {
        return Err(nul_refused());
    }
    let parsed = parse_body(bytes);
    if let Ok(v) = &parsed
        && json_has_nul(v)
    {
        return Err(nul_refused());
    }
    Ok(Some(ParsedBody(parsed)))
}

/// Page routes: form bodies checked like API bodies, then the session and the declared roles.
async fn page_gate(
    mut req: ServiceRequest,
    access: Access,
    state: &AppState,
) -> Result<ServiceRequest, ServiceResponse<actix_web::body::BoxBody>> {
    use crate::http::page::{PageError, Staff};
    let ct = content_type(&req);
    if req.method() == actix_web::http::Method::POST && !ct.starts_with("multipart/") {
        let limit = state.settings.server.max_body_bytes;
        let bytes = match read_body(&mut req, limit, codes::PAYLOAD_TOO_LARGE).await {
            Ok(b) => b,
            Err(e) => return Err(refuse_page(req, PageError::App(e))),
        };
        if let Err(e) = check_body(&ct, &bytes, true) {
            return Err(refuse_page(req, PageError::App(e)));
        }
        req.set_payload(actix_web::dev::Payload::from(bytes));
    }
    let Access::Page(roles) = access else {
        return Ok(req);
    };
    let staff = match crate::http::page::staff_of(req.request(), state).await {
        Ok(s) => s,
        Err(e) => return Err(refuse_page(req, e)),
    };
    if !roles.is_empty() && !staff.has_any(roles) {
        tracing::info!(user.id = staff.user.id, path = %req.path(), "page refused: role");
        return Err(refuse_page(
            req,
            PageError::Status(
                actix_web::http::StatusCode::FORBIDDEN,
                "CORE_NOT_AUTHORIZED".to_owned(),
            ),
        ));
    }
    req.extensions_mut().insert::<Staff>(staff);
    Ok(req)
}

/// The middleware. See the module documentation.
pub async fn gateway(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use crate::http::routes::{Lookup, RouteTable};
    let Some(pattern) = req.match_pattern() else {
        // Not a route: the default service answers 404.
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(AppError::Internal(anyhow::anyhow!("application state missing")).into());
    };
    let lookup = match req.app_data::<web::Data<RouteTable>>() {
        Some(t) => t.lookup(req.method(), &pattern),
        None => Lookup::Undeclared,
    };
    let access = match lookup {
        Lookup::Declared(a) => a,
        // No route serves this method here: actix answers without running a handler.
        Lookup::OtherMethod => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
        Lookup::Undeclared => {
            tracing::error!(route = %pattern, "route without an access declaration refused");
            return Ok(refuse(
                req,
                AppError::forbidden("CustomException", "Not authorized to access this resource"),
            ));
        }
    };
    if let Err(e) = check_url(&req) {
        return Ok(if access.is_page() {
            refuse_page(req, crate::http::page::PageError::App(e))
        } else {
            refuse(req, e)
        });
    }
    if access.is_page() {
        let req = match page_gate(req, access, &state).await {
            Ok(r) => r,
            Err(resp) => return Ok(resp),
        };
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }

    // One read and one parse of the body, whatever the method and Content-Type: the tenants
    // checked below come from the very value the `Digit` extractor hands to the handler.
    let upload = req
        .app_data::<web::Data<RouteTable>>()
        .is_some_and(|t| t.is_upload(req.method(), &pattern));
    let (limit, too_large) = if upload {
        (
            state.settings.filestore.max_file_bytes + UPLOAD_OVERHEAD,
            codes::FILE_TOO_LARGE,
        )
    } else {
        (
            state.settings.server.max_body_bytes,
            codes::PAYLOAD_TOO_LARGE,
        )
    };
    let bytes = match read_body(&mut req, limit, too_large).await {
        Ok(b) => b,
        Err(e) => return Ok(refuse(req, e)),
    };
    let ct = content_type(&req);
    let mut body_value = None;
    let mut upload_form = None;
    // Files may hold any byte: the parts are parsed here, once; their text fields are checked
    // (NUL, tenants, token) as a JSON body's would be. A body that is JSON under a multipart
    // Content-Type is checked as the JSON it is (its handler refuses it).
    if upload
        && ct.starts_with("multipart/form-data")
        && serde_json::from_slice::<Value>(&bytes).is_err()
    {
        match crate::http::multipart::parse(req.headers(), bytes.clone()).await {
            Ok(parsed) => upload_form = Some(parsed),
            Err(e) => return Ok(refuse(req, e)),
        }
    }
    if let Some(parsed) = upload_form {
        let fields = Value::Object(parsed.fields.clone());
        body_value = Some(fields.clone());
        req.extensions_mut().insert(ParsedBody(Ok(fields)));
        req.extensions_mut().insert(parsed);
    } else {
        match check_body(&ct, &bytes, false) {
            // A JSON body that does not parse is answered as such, before its token (inside it)
            // is missed; form and multipart bodies are their handlers' to read.
            Ok(Some(ParsedBody(Err(e))))
                if !ct.starts_with("application/x-www-form-urlencoded") =>
            {
                return Ok(refuse(req, crate::http::envelope::parse_error(&e)));
            }
            Ok(Some(parsed)) => {
                body_value = parsed.0.as_ref().ok().cloned();
                req.extensions_mut().insert(parsed);
            }
            Ok(None) => {}
            Err(e) => return Ok(refuse(req, e)),
        }
        req.set_payload(actix_web::dev::Payload::from(bytes));
    }

    let token = token_from(&req, body_value.as_ref());
    let caller = match token {
        Some(token) => {
            let found = match state.access.cached(&token) {
                Some(u) => Ok(Some(u)),
                None => {
                    let ac = state.access.clone();
                    db::run(&state.pool, move |c| ac.authenticate(c, &token)).await
                }
            };
            match found {
                Ok(Some(user)) => Caller(Some(Arc::new(user))),
                Ok(None)
                    if matches!(
                        access,
                        Access::Protected
                            | Access::Authenticated
                            | Access::ActionOnly
                            | Access::ProtectedOrLink
                    ) =>
                {
                    let err = AppError::unauthorized(
                        "InvalidAccessTokenException",
                        "InvalidAccessTokenException: the access token is unknown or has expired",
                    );
                    return Ok(refuse(req, err));
                }
                Ok(None) => Caller::default(),
                Err(e) => return Ok(refuse(req, e)),
            }
        }
        None => Caller::default(),
    };

    if access == Access::Authenticated && caller.user().is_none() {
        let err = AppError::unauthorized(
            "CustomException",
            "You are not authorized to access this resource",
        );
        return Ok(refuse(req, err));
    }
    if matches!(access, Access::Mixed | Access::ProtectedOrLink) && caller.user().is_none() {
        let addr =
            crate::http::client_address(req.request(), state.settings.server.trust_forwarded_for);
        if !state
            .link_limiter
            .allow(addr, chrono::Utc::now().timestamp())
        {
            tracing::info!(path = %req.path(), "anonymous call refused: rate limit");
            return Ok(refuse(
                req,
                AppError::client(
                    actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                    codes::TOO_MANY_REQUESTS,
                    "Too many requests without a login from this address; try again in a minute",
                ),
            ));
        }
    }
    // A link holder's route called with a token is a protected route.
    let protected = match access {
        Access::ProtectedOrLink if caller.user().is_some() => Access::Protected,
        other => other,
    };
    if matches!(protected, Access::Protected | Access::ActionOnly) {
        let access = protected;
        let Some(user) = caller.user() else {
            let err = AppError::unauthorized(
                "CustomException",
                "You are not authorized to access this resource",
            );
            return Ok(refuse(req, err));
        };
        let mut urls = vec![req.path().to_owned()];
        if pattern != req.path() {
            urls.push(pattern.clone());
        }
        let mapped = state.access.roles_for_actions(&urls);
        let tenants = if access == Access::ActionOnly {
            BTreeSet::new()
        } else {
            requested_tenants(req.query_string(), body_value.as_ref())
        };
        if !permitted(user, &mapped, &tenants) {
            tracing::info!(user.id = user.id, path = %req.path(), tenants = ?tenants, "access denied");
            let err =
                AppError::forbidden("CustomException", "Not authorized to access this resource");
            return Ok(refuse(req, err));
        }
        if access == Access::Protected && tenants.is_empty() {
            // Every protected action is on a tenant; one that names none would act on all.
            return Ok(refuse(
                req,
                AppError::invalid_field(codes::MISSING_FIELD, "tenantId is required", "tenantId"),
            ));
        }
    }

    req.extensions_mut().insert(caller);
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role(code: &str, t: &str) -> TenantRole {
        TenantRole {
            code: code.to_owned(),
            tenant_id: t.to_owned(),
        }
    }

    fn user(roles: Vec<TenantRole>) -> AuthUser {
        AuthUser::employee_for_tests(roles)
    }

    #[test]
    fn rbac_checks_role_and_tenant() {
        let mapped = vec![role("COLLECTION_OPERATOR", "pb"), role("SUPERUSER", "pb")];
        let collector = user(vec![role("COLLECTION_OPERATOR", "pb.lodhipur")]);
        let one = |t: &str| BTreeSet::from([t.to_owned()]);
        assert!(permitted(&collector, &mapped, &one("pb.lodhipur")));
        assert!(!permitted(&collector, &mapped, &one("pb.kalwan")));
        assert!(!permitted(&collector, &mapped, &one("pb")));
        assert!(permitted(&collector, &mapped, &BTreeSet::new()));
        let both = BTreeSet::from(["pb.lodhipur".to_owned(), "pb.kalwan".to_owned()]);
        assert!(!permitted(&collector, &mapped, &both));
        let expense = user(vec![role("EXPENSE_PROCESSING", "pb.lodhipur")]);
        assert!(!permitted(&expense, &mapped, &one("pb.lodhipur")));
        let su = user(vec![role("SUPERUSER", "pb")]);
        assert!(permitted(&su, &mapped, &both));
        assert!(!permitted(&su, &[], &BTreeSet::new()));
    }

    #[test]
    fn tenants_are_found_in_query_and_body() {
        let body = json!({"RequestInfo": {"tenantId": "pb.evil"}, "MdmsCriteria": {"tenantId": "pb.a"},
            "idRequests": [{"tenantId": "pb.b"}, {"tenantId": "pb.c"}], "tenantId": "pb.d"});
        let t = requested_tenants("tenantId=pb.q&offset=1", Some(&body));
        let got: Vec<_> = t.into_iter().collect();
        assert_eq!(got, ["pb.a", "pb.b", "pb.c", "pb.d", "pb.q"]);
    }

    #[test]
    fn deny_by_default() {
        use crate::http::routes::Lookup;
        let t = crate::route_table();
        let get = actix_web::http::Method::GET;
        let post = actix_web::http::Method::POST;
        assert_eq!(
            t.lookup(&post, "/egov-idgen/id/_generate"),
            Lookup::Declared(Access::Protected)
        );
        assert_eq!(t.lookup(&post, "/some/new/route"), Lookup::Undeclared);
        assert_eq!(
            t.lookup(&post, "/mdms-v2/v1/_search"),
            Lookup::Declared(Access::Open)
        );
        assert_eq!(
            t.lookup(&get, "/static/{tail:.*}"),
            Lookup::Declared(Access::Open)
        );
        assert_eq!(
            t.lookup(&post, "/eus/shortener"),
            Lookup::Declared(Access::Mixed)
        );
        assert_eq!(t.lookup(&get, "/eus/{key}"), Lookup::Declared(Access::Open));
        assert_eq!(t.lookup(&get, "/eus/shortener"), Lookup::OtherMethod);
        assert_eq!(
            t.lookup(&post, "/ws-services/wc/_countWCbyDemandGenerationDate"),
            Lookup::Declared(Access::Protected)
        );
        assert!(t.duplicates().is_empty(), "{:?}", t.duplicates());
        assert_eq!(
            t.lookup(&post, "/filestore/v1/files"),
            Lookup::Declared(Access::ProtectedOrLink)
        );
        assert!(t.is_upload(&post, "/filestore/v1/files"));
        assert!(!t.is_upload(&post, "/filestore/v1/files/url"));
    }
}
