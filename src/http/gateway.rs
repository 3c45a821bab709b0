//! The API gateway, in process: who is calling and may they call this path for these tenants.
//!
//! Every routed request passes here. A route is open (no login), mixed (login optional) or, by
//! default, protected: a valid token is required and one of the caller's roles must be mapped to
//! the path's action (role-actions from master data) on every tenant the request names. The
//! token travels in `RequestInfo.authToken` (JSON bodies), the `auth-token` header, or, for
//! `/user/_details` and `/user/_logout` only, the `access_token` query parameter. The caller is
//! put into the request extensions; a client's own `userInfo` is never trusted.

use std::collections::BTreeSet;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage as _, ResponseError as _, web};
use diesel::PgConnection;
use serde_json::Value;

use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::envelope::{ParsedBody, RequestInfo, parse_body};
use crate::state::AppState;

/// A role held on a tenant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TenantRole {
    pub code: String,
    pub tenant_id: String,
}

/// The authenticated user behind a request.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub user_name: String,
    pub name: String,
    pub mobile_number: Option<String>,
    pub user_type: String,
    pub tenant_id: String,
    pub roles: Vec<TenantRole>,
    /// Still on the password given to them: pages send them to change it first.
    pub must_change_password: bool,
}

impl AuthUser {
    pub fn has_role_on(&self, role: &str, tenant: &str) -> bool {
        self.roles
            .iter()
            .any(|r| r.code == role && tenant_covers(&r.tenant_id, tenant))
    }
}

/// Who is calling: a user, or nobody (open and mixed routes).
#[derive(Clone, Debug, Default)]
pub struct Caller(pub Option<Arc<AuthUser>>);

impl Caller {
    pub fn user(&self) -> Option<&AuthUser> {
        self.0.as_deref()
    }
}

/// A role on `holder` covers `tenant` when they are the same or `holder` is its state tenant.
pub fn tenant_covers(holder: &str, tenant: &str) -> bool {
    tenant == holder
        || tenant
            .strip_prefix(holder)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// What the gateway needs from the identity and access modules (they live above `http`).
pub trait AccessControl: Send + Sync {
    /// The user a token belongs to, if the token is valid now.
    fn authenticate(&self, conn: &mut PgConnection, token: &str) -> AppResult<Option<AuthUser>>;
    /// The user of a token checked a moment ago, without asking the database.
    fn cached(&self, token: &str) -> Option<AuthUser>;
    /// The roles mapped to any of these action URLs, each with the tenant the mapping holds on.
    fn roles_for_actions(&self, urls: &[String]) -> Vec<TenantRole>;
    /// Reloads the role-action map; returns how many action URLs it holds.
    fn reload(&self, conn: &mut PgConnection) -> diesel::QueryResult<usize>;
    /// The user of a live page session and the GP chosen in it.
    fn session(
        &self,
        conn: &mut PgConnection,
        raw: &str,
    ) -> AppResult<Option<(AuthUser, Option<String>)>>;
    /// Display names of tenants: (code, name), unknown codes left out.
    fn tenant_names(
        &self,
        conn: &mut PgConnection,
        codes: &[String],
    ) -> AppResult<Vec<(String, String)>>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No login; a token, if sent, is still read.
    Open,
    /// Login optional.
    Mixed,
    /// Login and a role mapped to the path's action on the request's tenants.
    Protected,
    /// An HTML page: the gateway leaves the check to the page's session extractor.
    Page,
    /// Login only: a person's own profile, password, session and search (the handler limits
    /// what others it shows).
    Authenticated,
    /// Login and a role mapped to the action on some tenant; the service decides which tenants
    /// (HRMS: the body names the employees' base tenant, not the GPs the caller manages).
    ActionOnly,
}

/// Routes anyone may call. Everything else is protected unless listed as mixed.
const OPEN: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/",
    "/egov-mdms-service/v1/_search",
    "/egov-mdms-service/v1/_get",
    "/billing-service/taxheads/_search",
    "/billing-service/taxperiods/_search",
    "/billing-service/businessservices/_search",
    "/mdms-v2/v1/_search",
    "/localization/messages/v1/_search",
    "/localization/messages",
    "/user/oauth/token",
    "/user-otp/v1/_send",
    "/user/password/nologin/_update",
    // signed, expiring links (the signature is the permission)
    "/filestore/v1/files/id",
    // short links, followed from WhatsApp and SMS; they lead only to paths of this server
    "/eus/{key}",
    "/egov-url-shortening/{key}",
];
const OPEN_PREFIXES: &[&str] = &["/static/"];
/// HTML pages: they check their own session (see `http::page::Staff`), deny by default.
const PAGES: &[&str] = &["/login", "/logout", "/lang"];
const PAGE_PREFIXES: &[&str] = &["/home", "/forgot-password"];
/// The Flutter app shortens without a token: anonymous callers may shorten only signed file
/// links, logged-in ones any path of this server (`platform::shortener`).
const MIXED: &[&str] = &["/eus/shortener", "/egov-url-shortening/shortener"];
const AUTHENTICATED: &[&str] = &[
    "/user/_search",
    "/user/v1/_search",
    "/user/_details",
    "/user/_logout",
    "/user/profile/_update",
    "/user/password/_update",
    // links to files of a GP the caller holds a role on (checked by the handler)
    "/filestore/v1/files/url",
];
const ACTION_ONLY: &[&str] = &[
    "/egov-hrms/employees/_create",
    "/egov-hrms/employees/_update",
    "/egov-hrms/employees/_search",
    "/egov-hrms/employees/_count",
];

pub fn access_for(pattern: &str) -> Access {
    if OPEN.contains(&pattern) || OPEN_PREFIXES.iter().any(|p| pattern.starts_with(p)) {
        Access::Open
    } else if PAGES.contains(&pattern)
        || PAGE_PREFIXES
            .iter()
            .any(|p| pattern == *p || pattern.starts_with(&format!("{p}/")))
    {
        Access::Page
    } else if MIXED.contains(&pattern) {
        Access::Mixed
    } else if AUTHENTICATED.contains(&pattern) {
        Access::Authenticated
    } else if ACTION_ONLY.contains(&pattern) {
        Access::ActionOnly
    } else {
        Access::Protected
    }
}

fn wants_json_body(req: &ServiceRequest) -> bool {
    if !matches!(req.method().as_str(), "POST" | "PUT" | "PATCH") {
        return false;
    }
    let ct = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    !(ct.starts_with("multipart/") || ct.starts_with("application/x-www-form-urlencoded"))
}

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
                    if k == "RequestInfo" || k == "requestInfo" {
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
        let ri = RequestInfo::from_value(m.get("RequestInfo").or_else(|| m.get("requestInfo")));
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

/// The middleware. See the module documentation.
pub async fn gateway(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let Some(pattern) = req.match_pattern() else {
        // Not a route: the default service answers 404.
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let access = access_for(&pattern);
    if access == Access::Page {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(AppError::Internal(anyhow::anyhow!("application state missing")).into());
    };

    let mut body_value = None;
    if wants_json_body(&req) {
        let limit = state.settings.server.max_body_bytes;
        let bytes = match req.extract::<web::Bytes>().await {
            Ok(b) => b,
            Err(e) => {
                let err = AppError::bad_request(
                    "RequestBodyError",
                    format!("could not read the body: {e}"),
                );
                return Ok(req.into_response(err.error_response()));
            }
        };
        if bytes.len() > limit {
            let err = AppError::client(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "PayloadTooLarge",
                format!("request body larger than {limit} bytes"),
            );
            return Ok(req.into_response(err.error_response()));
        }
        let parsed = parse_body(&bytes);
        body_value = parsed.as_ref().ok().cloned();
        req.extensions_mut().insert(ParsedBody(parsed));
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
                        Access::Protected | Access::Authenticated | Access::ActionOnly
                    ) =>
                {
                    let err = AppError::unauthorized(
                        "InvalidAccessTokenException",
                        "InvalidAccessTokenException: the access token is unknown or has expired",
                    );
                    return Ok(req.into_response(err.error_response()));
                }
                Ok(None) => Caller::default(),
                Err(e) => return Ok(req.into_response(e.error_response())),
            }
        }
        None => Caller::default(),
    };

    if access == Access::Authenticated && caller.user().is_none() {
        let err = AppError::unauthorized(
            "CustomException",
            "You are not authorized to access this resource",
        );
        return Ok(req.into_response(err.error_response()));
    }
    if matches!(access, Access::Protected | Access::ActionOnly) {
        let Some(user) = caller.user() else {
            let err = AppError::unauthorized(
                "CustomException",
                "You are not authorized to access this resource",
            );
            return Ok(req.into_response(err.error_response()));
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
            return Ok(req.into_response(err.error_response()));
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
        AuthUser {
            id: 1,
            uuid: uuid::Uuid::nil(),
            user_name: "9999999999".into(),
            name: "T".into(),
            mobile_number: None,
            user_type: "EMPLOYEE".into(),
            tenant_id: "pb".into(),
            roles,
            must_change_password: false,
        }
    }

    #[test]
    fn state_roles_cover_villages() {
        assert!(tenant_covers("pb", "pb.lodhipur"));
        assert!(tenant_covers("pb.lodhipur", "pb.lodhipur"));
        assert!(!tenant_covers("pb.lodhi", "pb.lodhipur"));
        assert!(!tenant_covers("pb.lodhipur", "pb"));
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
        assert_eq!(access_for("/egov-idgen/id/_generate"), Access::Protected);
        assert_eq!(access_for("/some/new/route"), Access::Protected);
        assert_eq!(access_for("/mdms-v2/v1/_search"), Access::Open);
        assert_eq!(access_for("/static/{tail}*"), Access::Open);
        assert_eq!(access_for("/eus/shortener"), Access::Mixed);
        assert_eq!(access_for("/eus/{key}"), Access::Open);
        assert_eq!(
            access_for("/ws-services/wc/_countWCbyDemandGenerationDate"),
            Access::Protected
        );
    }
}
