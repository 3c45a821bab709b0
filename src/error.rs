//! The one error type of the request path and the DIGIT error shapes it renders
//! (digit-contracts.md §1.4): the standard `{"ResponseInfo": null, "Errors": [...]}`, the legacy
//! `{"responseInfo", "error": {code, message, description, fields}}` and the OAuth
//! `{"error", "error_description"}`. Internal errors are logged once here and never sent out.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

/// One entry of `Errors[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub description: Option<String>,
    pub params: Option<Vec<String>>,
}

impl ErrorDetail {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            description: None,
            params: None,
        }
    }

    /// An error about one request field: the field path travels in `params` and `description`.
    pub fn field(code: impl Into<String>, message: impl Into<String>, field: &str) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            description: Some(format!("field: {field}")),
            params: Some(vec![field.to_owned()]),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A 4xx the client can act on, with one or more coded errors.
    #[error("{status}: {errors:?}")]
    Client {
        status: StatusCode,
        errors: Vec<ErrorDetail>,
    },
    /// The database (pool) could not serve in time: 503, try again.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an outside failure: 500, logged with its chain, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn client(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self::Client {
            status,
            errors: vec![ErrorDetail::new(code, message)],
        }
    }
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::BAD_REQUEST, code, message)
    }
    /// 400 naming the offending field.
    pub fn invalid_field(code: &str, message: impl Into<String>, field: &str) -> Self {
        Self::Client {
            status: StatusCode::BAD_REQUEST,
            errors: vec![ErrorDetail::field(code, message, field)],
        }
    }
    pub fn many(errors: Vec<ErrorDetail>) -> Self {
        Self::Client {
            status: StatusCode::BAD_REQUEST,
            errors,
        }
    }
    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::NOT_FOUND, code, message)
    }
    pub fn unauthorized(code: &str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::UNAUTHORIZED, code, message)
    }
    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::FORBIDDEN, code, message)
    }
    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::CONFLICT, code, message)
    }

    /// The coded errors as the client will see them.
    pub fn details(&self) -> Vec<ErrorDetail> {
        match self {
            Self::Client { errors, .. } => errors.clone(),
            Self::Unavailable(_) => vec![ErrorDetail::new(
                "ServiceUnavailable",
                "The service is busy; please try again shortly",
            )],
            Self::Internal(_) => vec![ErrorDetail::new(
                "InternalServerError",
                "An unhandled exception occurred on the server",
            )],
        }
    }

    /// First error code, handy in tests and logs.
    pub fn code(&self) -> String {
        self.details()
            .first()
            .map(|e| e.code.clone())
            .unwrap_or_default()
    }

    fn log_once(&self) {
        match self {
            Self::Internal(e) => tracing::error!(error = ?e, "internal error"),
            Self::Unavailable(why) => tracing::warn!(why = %why, "service unavailable"),
            Self::Client { status, errors } => {
                tracing::info!(status = status.as_u16(), code = %errors.first().map(|e| e.code.as_str()).unwrap_or(""), "request refused")
            }
        }
    }
}

#[derive(Serialize)]
struct StandardBody {
    #[serde(rename = "ResponseInfo")]
    response_info: Option<()>,
    #[serde(rename = "Errors")]
    errors: Vec<ErrorDetail>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Client { status, .. } => *status,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log_once();
        HttpResponse::build(self.status_code()).json(StandardBody {
            response_info: None,
            errors: self.details(),
        })
    }
}

/// The legacy services-common shape (user-otp and some egov-user endpoints).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct LegacyError(#[from] pub AppError);

impl ResponseError for LegacyError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }
    fn error_response(&self) -> HttpResponse {
        self.0.log_once();
        let status = self.status_code();
        let details = self.0.details();
        let first = details
            .first()
            .cloned()
            .unwrap_or_else(|| ErrorDetail::new("", ""));
        let fields: Vec<serde_json::Value> = details
            .iter()
            .map(|d| {
                serde_json::json!({
                    "code": d.code,
                    "message": d.message,
                    "field": d.params.as_ref().and_then(|p| p.first()).cloned(),
                })
            })
            .collect();
        HttpResponse::build(status).json(serde_json::json!({
            "responseInfo": null,
            "error": {
                "code": status.as_u16(),
                "message": first.message,
                "description": first.description,
                "fields": fields,
            }
        }))
    }
}

/// The OAuth2 shape of `/user/oauth/token`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct OAuthError(#[from] pub AppError);

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }
    fn error_response(&self) -> HttpResponse {
        self.0.log_once();
        let details = self.0.details();
        let first = details
            .first()
            .cloned()
            .unwrap_or_else(|| ErrorDetail::new("", ""));
        HttpResponse::build(self.status_code()).json(serde_json::json!({
            "error": first.code,
            "error_description": first.message,
        }))
    }
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => {
                Self::not_found("NotFound", "The requested record does not exist")
            }
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => Self::conflict(
                    "DUPLICATE_RECORD",
                    format!(
                        "A record with the same key already exists{}",
                        info.constraint_name()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ),
                ),
                DatabaseErrorKind::ForeignKeyViolation => Self::bad_request(
                    "INVALID_REFERENCE",
                    format!(
                        "A referenced record does not exist{}",
                        info.constraint_name()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ),
                ),
                DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                    Self::bad_request(
                        "INVALID_VALUE",
                        format!(
                            "A value breaks a rule of the data{}",
                            info.constraint_name()
                                .map(|c| format!(" ({c})"))
                                .unwrap_or_default()
                        ),
                    )
                }
                DatabaseErrorKind::SerializationFailure => Self::conflict(
                    "CONCURRENT_UPDATE",
                    "The record was changed by another request; please try again",
                ),
                _ => Self::Internal(anyhow::anyhow!("database error: {}", info.message())),
            },
            other => Self::Internal(other.into()),
        }
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        Self::Unavailable(format!("no database connection: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(anyhow::anyhow!("template: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody as _;

    fn body_json(resp: HttpResponse) -> serde_json::Value {
        let bytes = resp.into_body().try_into_bytes().unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
    }

    #[test]
    fn standard_shape() {
        let e = AppError::invalid_field("INVALID_TENANT", "bad tenant", "MdmsCriteria.tenantId");
        assert_eq!(e.status_code(), StatusCode::BAD_REQUEST);
        let v = body_json(e.error_response());
        assert!(v["ResponseInfo"].is_null());
        assert_eq!(v["Errors"][0]["code"], "INVALID_TENANT");
        assert_eq!(v["Errors"][0]["params"][0], "MdmsCriteria.tenantId");
    }

    #[test]
    fn legacy_and_oauth_shapes() {
        let e = LegacyError(AppError::invalid_field(
            "OTP.MOBILE_NUMBER_INVALIDLENGTH",
            "Mobile number must be 10 digits",
            "otp.mobileNumber",
        ));
        let v = body_json(e.error_response());
        assert_eq!(v["error"]["code"], 400);
        assert_eq!(
            v["error"]["fields"][0]["code"],
            "OTP.MOBILE_NUMBER_INVALIDLENGTH"
        );
        assert_eq!(v["error"]["fields"][0]["field"], "otp.mobileNumber");

        let e = OAuthError(AppError::bad_request(
            "invalid_request",
            "Invalid login credentials",
        ));
        let v = body_json(e.error_response());
        assert_eq!(v["error"], "invalid_request");
        assert_eq!(v["error_description"], "Invalid login credentials");
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = AppError::Internal(anyhow::anyhow!("password=hunter2 leaked?"));
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let v = body_json(e.error_response());
        assert!(!v.to_string().contains("hunter2"));
    }

    #[test]
    fn unavailable_is_503() {
        assert_eq!(
            AppError::Unavailable("x".into()).status_code(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
}
