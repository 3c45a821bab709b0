//! Cross-cutting web concerns: the DIGIT envelope, the gateway, health endpoints, the 404 and
//! error handlers for extractors, and the request span.

pub mod envelope;
pub mod export;
pub mod gateway;
pub mod headers;
pub mod multipart;
pub mod page;
pub mod routes;

use actix_web::HttpMessage as _;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{HttpRequest, HttpResponse, ResponseError as _, web};
use serde::Serialize;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub use envelope::{Digit, RequestInfo, ResponseInfo};

/// Request span: tracing-actix-web's fields (method, route, status, request id), plus the
/// correlation id (the client's `x-correlation-id` header, or the request id).
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> tracing::Span {
        let correlation = request
            .headers()
            .get("x-correlation-id")
            .and_then(|v| v.to_str().ok())
            .map(|s| {
                s.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .take(64)
                    .collect::<String>()
            })
            .unwrap_or_default();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_owned());
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|r| r.to_string())
            .unwrap_or_default();
        // tracing-actix-web's own span logs the path with its query string, which can hold an
        // access token or a mobile number; this one logs the path only.
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %request.path(),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            correlation_id = %correlation,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The client's address: the peer's, or, when configured to trust the proxy in front
/// (`server.trust_forwarded_for`), the first hop of `X-Forwarded-For` if it is an address. The
/// proxy must then set that header itself, not pass on the client's.
pub fn client_address(req: &HttpRequest, trust_forwarded_for: bool) -> Option<std::net::IpAddr> {
    let forwarded = || {
        req.headers()
            .get("x-forwarded-for")?
            .to_str()
            .ok()?
            .split(',')
            .next()?
            .trim()
            .parse()
            .ok()
    };
    trust_forwarded_for
        .then(forwarded)
        .flatten()
        .or_else(|| req.peer_addr().map(|a| a.ip()))
}

/// 400s in the DIGIT shape for malformed query strings, paths and forms; bodies up to `limit`
/// bytes (the configured `server.max_body_bytes`; larger ones are a 413 from the gateway).
pub fn extractor_config(cfg: &mut web::ServiceConfig, limit: usize) {
    cfg.app_data(web::PayloadConfig::new(limit))
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            AppError::bad_request(
                "INVALID_QUERY_PARAMETER",
                format!("query string: {}", envelope::redact(&e.to_string())),
            )
            .into()
        }))
        .app_data(web::PathConfig::default().error_handler(|e, _| {
            AppError::bad_request(
                "INVALID_PATH_PARAMETER",
                format!("path: {}", envelope::redact(&e.to_string())),
            )
            .into()
        }))
        .app_data(
            web::FormConfig::default()
                .limit(limit)
                .error_handler(|e, _| {
                    AppError::bad_request(
                        "INVALID_FORM",
                        format!("form: {}", envelope::redact(&e.to_string())),
                    )
                    .into()
                }),
        )
        .app_data(
            web::JsonConfig::default()
                .limit(limit)
                .error_handler(|e, _| {
                    AppError::bad_request("JsonParseException", envelope::redact(&e.to_string()))
                        .into()
                }),
        );
}

/// Unknown path: under the pages, a 404 page (or, for a GET of a page that only takes a posted
/// form, a redirect to the page enclosing it); elsewhere 404 `ResourceNotFoundException`.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    if page::is_page_path(&req, req.path()) {
        if req.method() == actix_web::http::Method::GET {
            let posted_only = req
                .app_data::<web::Data<routes::RouteTable>>()
                .is_some_and(|t| {
                    t.routes()
                        .iter()
                        .any(|d| d.access.is_page() && d.path == req.path())
                });
            if posted_only {
                return page::see_other(&page::enclosing_page(&req, req.path()));
            }
        }
        return page::not_found().error_response();
    }
    AppError::not_found(
        "ResourceNotFoundException",
        format!("No resource found for {} {}", req.method(), req.path()),
    )
    .error_response()
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "UP" })
}

/// The database answers and every migration is applied.
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ready = db::run(&state.pool, |c| {
        db::migrations_applied(c).map_err(AppError::Internal)
    })
    .await;
    match ready {
        Ok(true) => Ok(HttpResponse::Ok().json(Health { status: "READY" })),
        Ok(false) => Err(AppError::Unavailable("migrations pending".into())),
        Err(AppError::Internal(e)) => Err(AppError::Unavailable(format!("database: {e}"))),
        Err(e) => Err(e),
    }
}

/// The 404 body for a path (used where a route matched but the resource does not exist).
pub fn not_found_response(path: &str) -> HttpResponse {
    AppError::not_found(
        "ResourceNotFoundException",
        format!("No resource found for {path}"),
    )
    .error_response()
}

/// A `Content-Disposition` header for a download: the file name keeps letters, digits, `-`,
/// `_` and `.` (anything else becomes `-`), so no name can break the header.
pub fn disposition(kind: &str, file_name: &str) -> (&'static str, String) {
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    (
        "Content-Disposition",
        format!("{kind}; filename=\"{safe}\""),
    )
}

/// Query-parameter helpers shared by the DIGIT search endpoints.
pub mod params {
    use crate::error::{AppError, AppResult, codes};

    /// A comma-separated list (`consumerCode=A,B`), blanks dropped.
    pub fn csv(s: &Option<String>) -> Vec<String> {
        s.as_deref()
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A comma-separated list of ids, or a 400 naming `field`.
    pub fn uuids(s: &Option<String>, field: &str) -> AppResult<Vec<uuid::Uuid>> {
        csv(s)
            .iter()
            .map(|u| {
                uuid::Uuid::parse_str(u).map_err(|_| {
                    AppError::invalid_field("INVALID_ID", format!("{u} is not an id"), field)
                })
            })
            .collect()
    }

    /// `offset` and `limit` of a search: limit 1 to 500 (100 when not given), offset from 0.
    pub fn paging(offset: Option<i64>, limit: Option<i64>) -> AppResult<(i64, i64)> {
        let limit = limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(AppError::invalid_field(
                "INVALID_LIMIT",
                "limit must be 1 to 500",
                "limit",
            ));
        }
        Ok((offset.unwrap_or(0).max(0), limit))
    }

    /// An epoch-millisecond time, or a 400 naming `field`.
    pub fn instant(ms: i64, field: &str) -> AppResult<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::from_timestamp_millis(ms).ok_or_else(|| {
            AppError::invalid_field(codes::INVALID_DATE, "not an epoch-millisecond time", field)
        })
    }

    /// A required, non-blank `tenantId`.
    pub fn tenant(t: &Option<String>) -> AppResult<String> {
        t.clone()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                AppError::invalid_field(codes::MISSING_FIELD, "tenantId is required", "tenantId")
            })
    }
}
