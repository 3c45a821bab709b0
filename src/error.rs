//! The one error type of the request path and the DIGIT error shapes it renders
//! (digit-contracts.md §1.4): the standard `{"ResponseInfo": null, "Errors": [...]}`, the legacy
//! `{"responseInfo", "error": {code, message, description, fields}}` and the OAuth
//! `{"error", "error_description"}`. Internal errors are logged once here and never sent out.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

/// The stable machine codes of `Errors[].code` that more than one place raises, named once. A
/// code raised in one place only may stay written out there.
pub mod codes {
    /// Online payments (pg-service): the GP takes none, or not through the gateway asked for.
    pub const PG_NO_GATEWAY: &str = "PG_NO_GATEWAY";
    /// An online payment of zero, below zero or with paise.
    pub const PG_INVALID_AMOUNT: &str = "PG_INVALID_AMOUNT";
    /// Above the per-payment limit (water: ₹10,000).
    pub const PG_AMOUNT_ABOVE_LIMIT: &str = "PG_AMOUNT_ABOVE_LIMIT";
    /// More than is owed where the business service takes no advance.
    pub const PG_AMOUNT_ABOVE_DUE: &str = "PG_AMOUNT_ABOVE_DUE";
    /// Less than is owed where the business service takes no part payment.
    pub const PG_PART_PAYMENT_NOT_ALLOWED: &str = "PG_PART_PAYMENT_NOT_ALLOWED";
    /// Nothing owed by the consumer on the GP (or no such consumer there).
    pub const PG_NO_BILL: &str = "PG_NO_BILL";
    /// The bill named is not the consumer's current bill on the GP.
    pub const PG_BILL_MISMATCH: &str = "PG_BILL_MISMATCH";
    /// A callback URL that is not a page of this server.
    pub const PG_INVALID_CALLBACK_URL: &str = "PG_INVALID_CALLBACK_URL";
    /// No such transaction.
    pub const PG_UNKNOWN_TXN: &str = "PG_UNKNOWN_TXN";
    /// A callback whose signature or checksum does not match.
    pub const PG_BAD_SIGNATURE: &str = "PG_BAD_SIGNATURE";
    /// A callback naming another amount or transaction than the one stored.
    pub const PG_TAMPERED: &str = "PG_TAMPERED";
    /// The gateway cannot be reached or answered nonsense.
    pub const PG_GATEWAY_UNAVAILABLE: &str = "PG_GATEWAY_UNAVAILABLE";
    /// A required field is absent or empty.
    pub const MISSING_FIELD: &str = "MISSING_FIELD";
    /// A value does not fit its field (too large, too long, breaks a rule of the data).
    pub const INVALID_VALUE: &str = "INVALID_VALUE";
    /// A byte or character PostgreSQL cannot store.
    pub const INVALID_CHARACTER: &str = "INVALID_CHARACTER";
    /// Another request changed the record first (or a deadlock): try again.
    pub const CONCURRENT_UPDATE: &str = "CONCURRENT_UPDATE";
    /// A record with the same key exists.
    pub const DUPLICATE_RECORD: &str = "DUPLICATE_RECORD";
    /// A referenced record does not exist.
    pub const INVALID_REFERENCE: &str = "INVALID_REFERENCE";
    /// A tenant that is not a gram panchayat where one is needed.
    pub const INVALID_TENANT: &str = "INVALID_TENANT";
    /// A tenant id that names no tenant.
    pub const INVALID_TENANT_ID: &str = "INVALID_TENANT_ID";
    /// A locale other than en_IN, hi_IN and pa_IN.
    pub const INVALID_LOCALE: &str = "INVALID_LOCALE";
    /// A date or time that does not parse.
    pub const INVALID_DATE: &str = "INVALID_DATE";
    /// A range whose end is before its start.
    pub const INVALID_DATE_RANGE: &str = "INVALID_DATE_RANGE";
    /// A report period starting after today.
    pub const REPORT_PERIOD_IN_FUTURE: &str = "REPORT_PERIOD_IN_FUTURE";
    /// A report period longer than five years.
    pub const REPORT_PERIOD_TOO_LONG: &str = "REPORT_PERIOD_TOO_LONG";
    /// A report page larger than the most one page may hold.
    pub const REPORT_LIMIT_TOO_LARGE: &str = "REPORT_LIMIT_TOO_LARGE";
    /// A whole-report export (`limit=-1`) with more rows than the server gives at once.
    pub const REPORT_TOO_LARGE: &str = "REPORT_TOO_LARGE";
    /// A report sort order or sort column it does not know.
    pub const REPORT_INVALID_SORT: &str = "REPORT_INVALID_SORT";
    /// A financial year that does not read as `2024-25` or has not begun.
    pub const INVALID_FINANCIAL_YEAR: &str = "INVALID_FINANCIAL_YEAR";
    /// A person's name with characters other than letters, spaces, dots and apostrophes.
    pub const INVALID_NAME: &str = "INVALID_NAME";
    /// Not a 10-digit mobile number starting 6-9.
    pub const INVALID_MOBILE_NUMBER: &str = "INVALID_MOBILE_NUMBER";
    /// Not an e-mail address.
    pub const INVALID_EMAIL: &str = "INVALID_EMAIL";
    /// A gender other than MALE, FEMALE, TRANSGENDER and OTHERS.
    pub const INVALID_GENDER: &str = "INVALID_GENDER";
    /// A password that breaks the password rule.
    pub const INVALID_PASSWORD: &str = "INVALID_PASSWORD";
    /// A role (or role and tenant) that does not exist.
    pub const INVALID_ROLE: &str = "INVALID_ROLE";
    /// A user with this user name exists on the tenant.
    pub const DUPLICATE_USER: &str = "DUPLICATE_USER";
    /// No such user.
    pub const USER_NOT_FOUND: &str = "USER_NOT_FOUND";
    /// A role the caller may not grant.
    pub const ROLE_NOT_ALLOWED: &str = "ROLE_NOT_ALLOWED";
    /// The current password given with a change is wrong.
    pub const WRONG_CURRENT_PASSWORD: &str = "WRONG_CURRENT_PASSWORD";
    /// An OTP that does not match.
    pub const INVALID_OTP: &str = "INVALID_OTP";
    /// An OTP past its time.
    pub const OTP_EXPIRED: &str = "OTP_EXPIRED";
    /// A signed link that does not verify.
    pub const INVALID_LINK: &str = "INVALID_LINK";
    /// A link past its time.
    pub const LINK_EXPIRED: &str = "LINK_EXPIRED";
    /// No water connection with that number on the tenant.
    pub const CONNECTION_NOT_FOUND: &str = "CONNECTION_NOT_FOUND";
    /// An upload whose body could not be read (or is not multipart/form-data).
    pub const INVALID_UPLOAD: &str = "INVALID_UPLOAD";
    /// A request body over `server.max_body_bytes`.
    pub const PAYLOAD_TOO_LARGE: &str = "PayloadTooLarge";
    /// A file over `filestore.max_file_bytes` (5 MB), or an upload body too large to hold one.
    pub const FILE_TOO_LARGE: &str = "FILE_TOO_LARGE";
    /// A file that is not a PDF, JPEG or PNG by its content (whatever its name says).
    pub const FILE_TYPE_NOT_ALLOWED: &str = "FILE_TYPE_NOT_ALLOWED";
    /// A file of no bytes.
    pub const FILE_EMPTY: &str = "FILE_EMPTY";
    /// No file with that id on the tenant.
    pub const FILE_NOT_FOUND: &str = "FILE_NOT_FOUND";
    /// A file that cannot be read, or has a row that breaks the rules (the import).
    pub const INVALID_FILE: &str = "INVALID_FILE";
    /// Creating users is for user administrators only.
    pub const USER_CREATE_NOT_ALLOWED: &str = "USER_CREATE_NOT_ALLOWED";
    /// Changing users is for user administrators only.
    pub const USER_UPDATE_NOT_ALLOWED: &str = "USER_UPDATE_NOT_ALLOWED";
    /// Too many calls without a login from one client address.
    pub const TOO_MANY_REQUESTS: &str = "TOO_MANY_REQUESTS";
    /// A call without a login that asks for more than one household's bill or receipts, or
    /// filters by what needs a login.
    pub const LINK_SCOPE: &str = "LINK_SCOPE";

    // Vendors and expense bills (municipal::vendor, municipal::echallan).
    /// A vendor with this mobile number already exists on the GP.
    pub const DUPLICATE_VENDOR: &str = "DUPLICATE_VENDOR";
    /// The vendor named is not one of this GP's.
    pub const INVALID_VENDOR: &str = "INVALID_VENDOR";
    /// `typeOfExpense` is not an active expense type of the master data.
    pub const INVALID_EXPENSE_TYPE: &str = "INVALID_EXPENSE_TYPE";
    /// An amount of zero or less, with paise where whole rupees are taken, or too large.
    pub const INVALID_AMOUNT: &str = "INVALID_AMOUNT";
    /// An expense bill's date after today.
    pub const BILL_DATE_IN_FUTURE: &str = "BILL_DATE_IN_FUTURE";
    /// The party's bill date after the bill date.
    pub const BILL_ISSUED_DATE_AFTER_BILL_DATE: &str = "BILL_ISSUED_DATE_AFTER_BILL_DATE";
    /// An expense period whose start is after its end.
    pub const INVALID_TAX_PERIOD: &str = "INVALID_TAX_PERIOD";
    /// An expense period ending after the bill date.
    pub const TAX_PERIOD_AFTER_BILL_DATE: &str = "TAX_PERIOD_AFTER_BILL_DATE";
    /// A bill marked paid without a paid date.
    pub const PAID_DATE_REQUIRED: &str = "PAID_DATE_REQUIRED";
    /// A paid date before the bill date.
    pub const PAID_DATE_BEFORE_BILL_DATE: &str = "PAID_DATE_BEFORE_BILL_DATE";
    /// A paid date after today.
    pub const PAID_DATE_IN_FUTURE: &str = "PAID_DATE_IN_FUTURE";
    /// An attachment that is not a file of this GP.
    pub const INVALID_FILESTORE_ID: &str = "INVALID_FILESTORE_ID";
    /// No such expense bill on this GP.
    pub const CHALLAN_NOT_FOUND: &str = "CHALLAN_NOT_FOUND";
    /// No such live payment of the connection named (feedback).
    pub const PAYMENT_NOT_FOUND: &str = "PAYMENT_NOT_FOUND";
    /// Feedback answers missing or outside 1..5.
    pub const INVALID_FEEDBACK: &str = "INVALID_FEEDBACK";
    /// Feedback for this payment was already given (one per payment).
    pub const FEEDBACK_EXISTS: &str = "FEEDBACK_EXISTS";
    /// The expense bill is cancelled: nothing more can happen to it.
    pub const CHALLAN_ALREADY_CANCELLED: &str = "CHALLAN_ALREADY_CANCELLED";
    /// The expense bill is already paid.
    pub const CHALLAN_ALREADY_PAID: &str = "CHALLAN_ALREADY_PAID";
    /// An unknown status, or a move between statuses that is not allowed.
    pub const INVALID_STATUS: &str = "INVALID_STATUS";
    /// Electricity bills of a PSPCL-mapped GP are written by PSPCL only.
    pub const PSPCL_BILL_READ_ONLY: &str = "PSPCL_BILL_READ_ONLY";
    /// An expense bill's payment is taken or cancelled through the expense bill
    /// (`eChallan/v1/_update`), never through collection directly.
    pub const EXPENSE_THROUGH_ECHALLAN: &str = "EXPENSE_THROUGH_ECHALLAN";
    /// A paid expense bill's fields cannot change (the original's codes, one per field).
    pub const NOTMATCHED_TYPEEXPENSE: &str = "INVALID_UPDATE_REQ_NOTMATCHED_TYPEEXPENSE";
    pub const NOTMATCHED_VENDOR: &str = "INVALID_UPDATE_REQ_NOTMATCHED_VENDOR";
    pub const NOTMATCHED_BILLDATE: &str = "INVALID_UPDATE_REQ_NOTMATCHED_BILLDATE";
    pub const NOTMATCHED_BILLISSUEDATE: &str = "INVALID_UPDATE_REQ_NOTMATCHED_BILLISSUEDATE";
    pub const NOTMATCHED_PAIDDATE: &str = "INVALID_UPDATE_REQ_NOTMATCHED_PAIDDATE";
    pub const NOTMATCHED_BILLPAID: &str = "INVALID_UPDATE_REQ_NOTMATCHED_BILLPAID";
    pub const NOTMATCHED_AMOUNT: &str = "INVALID_UPDATE_REQ_NOTMATCHED_AMOUNT";
    pub const NOTMATCHED_TAXPERIOD: &str = "INVALID_UPDATE_REQ_NOTMATCHED_TAXPERIOD";
    pub const NOTMATCHED_FILESTOREID: &str = "INVALID_UPDATE_REQ_NOTMATCHED_FILESTOREID";
    /// A dashboard period that starts after today.
    pub const PERIOD_IN_FUTURE: &str = "PERIOD_IN_FUTURE";
    /// A dashboard period longer than five years.
    pub const PERIOD_TOO_LONG: &str = "PERIOD_TOO_LONG";
    /// A chart the dashboard does not draw (`getChartV2`'s `visualizationCode`).
    pub const UNKNOWN_CHART: &str = "UNKNOWN_CHART";
}

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
    /// The same error with each field it names put under `prefix` (`name` -> `user.name`), for
    /// a check run on a part of the request.
    pub fn under(self, prefix: &str) -> Self {
        match self {
            Self::Client { status, errors } => Self::Client {
                status,
                errors: errors
                    .into_iter()
                    .map(|mut d| {
                        if let Some(p) = d.params.as_mut().and_then(|p| p.first_mut()) {
                            *p = format!("{prefix}.{p}");
                            d.description = Some(format!("field: {p}"));
                        }
                        d
                    })
                    .collect(),
            },
            other => other,
        }
    }

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

/// Why a database error means "not now" rather than "never", if it does: the connection was
/// lost (PostgreSQL restarting or shutting down, the backend terminated: SQLSTATE 08xxx,
/// 57P01-57P03) or the statement gave up (lock timeout 55P03, statement timeout or cancel
/// 57014). Such requests are answered 503, to be tried again.
///
/// diesel recognises a lost connection but gives no SQLSTATE for the rest, so those are known
/// by PostgreSQL's messages, in English as the server reports them with `lc_messages` C or
/// English (the clusters the scripts make are `--locale=C`); a translated message stays a 500.
fn unavailable(kind: &DatabaseErrorKind, message: &str) -> Option<&'static str> {
    const LOST: [&str; 10] = [
        "terminating connection",
        "server closed the connection unexpectedly",
        "no connection to the server",
        "could not receive data from server",
        "could not send data to server",
        "connection to server was lost",
        "ssl connection has been closed unexpectedly",
        "the database system is starting up",
        "the database system is shutting down",
        "the database system is in recovery mode",
    ];
    let m = message.trim_start().to_ascii_lowercase();
    if matches!(kind, DatabaseErrorKind::ClosedConnection) || LOST.iter().any(|l| m.contains(l)) {
        Some("the database connection was lost")
    } else if m.starts_with("canceling statement due to lock timeout")
        || m.starts_with("could not obtain lock")
    {
        Some("a lock was not granted in time (lock_timeout)")
    } else if m.starts_with("canceling statement due to statement timeout") {
        Some("a statement ran too long (statement_timeout)")
    } else if m.starts_with("canceling statement due to user request") {
        Some("a statement was cancelled")
    } else {
        None
    }
}

/// Errors the input checks should have caught before SQL (a value too large or too long for its
/// column, a byte PostgreSQL cannot store: `Ok(code)`, a 400) and a deadlock between two writers
/// (`Err(code)`, a 409 to retry), known by their messages like [`unavailable`]'s.
fn bad_data(message: &str) -> Option<Result<&'static str, &'static str>> {
    let m = message.trim_start().to_ascii_lowercase();
    if m.starts_with("deadlock detected") {
        Some(Err(codes::CONCURRENT_UPDATE))
    } else if m.starts_with("numeric field overflow")
        || m.starts_with("value too long for type")
        || m.contains("out of range for type")
    {
        Some(Ok(codes::INVALID_VALUE))
    } else if m.starts_with("invalid byte sequence") || m.contains("cannot be converted to text") {
        Some(Ok(codes::INVALID_CHARACTER))
    } else {
        None
    }
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match e {
            // a transaction whose rollback failed (the connection went away under it)
            DieselError::BrokenTransactionManager => Self::Unavailable(
                "the database connection was lost during a transaction".to_owned(),
            ),
            DieselError::RollbackErrorOnCommit { commit_error, .. } => Self::from(*commit_error),
            DieselError::NotFound => {
                Self::not_found("NotFound", "The requested record does not exist")
            }
            DieselError::DatabaseError(kind, info)
                if unavailable(&kind, info.message()).is_some() =>
            {
                Self::Unavailable(format!(
                    "{}: {}",
                    unavailable(&kind, info.message()).unwrap_or("database"),
                    info.message().trim()
                ))
            }
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => Self::conflict(
                    codes::DUPLICATE_RECORD,
                    format!(
                        "A record with the same key already exists{}",
                        info.constraint_name()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ),
                ),
                DatabaseErrorKind::ForeignKeyViolation => Self::bad_request(
                    codes::INVALID_REFERENCE,
                    format!(
                        "A referenced record does not exist{}",
                        info.constraint_name()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ),
                ),
                DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                    Self::bad_request(
                        codes::INVALID_VALUE,
                        format!(
                            "A value breaks a rule of the data{}",
                            info.constraint_name()
                                .map(|c| format!(" ({c})"))
                                .unwrap_or_default()
                        ),
                    )
                }
                DatabaseErrorKind::SerializationFailure => Self::conflict(
                    codes::CONCURRENT_UPDATE,
                    "The record was changed by another request; please try again",
                ),
                _ => match bad_data(info.message()) {
                    Some(Ok(code)) => Self::bad_request(code, "A value does not fit its field"),
                    Some(Err(code)) => Self::conflict(
                        code,
                        "The record was changed by another request; please try again",
                    ),
                    None => Self::Internal(anyhow::anyhow!("database error: {}", info.message())),
                },
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

    fn db(kind: DatabaseErrorKind, message: &str) -> AppError {
        AppError::from(DieselError::DatabaseError(
            kind,
            Box::new(message.to_owned()),
        ))
    }

    /// Security review 10, findings 12 and 18: a lost connection and a timed-out statement are
    /// retryable (503 ServiceUnavailable), not 500; other database errors keep their mapping.
    #[test]
    fn lost_connections_and_timeouts_are_503_and_nothing_else() {
        use DatabaseErrorKind::{ClosedConnection, UnableToSendCommand, UniqueViolation, Unknown};
        for (kind, message) in [
            (
                ClosedConnection,
                "server closed the connection unexpectedly",
            ),
            (
                Unknown,
                "terminating connection due to administrator command",
            ),
            (
                Unknown,
                "terminating connection because of crash of another server process",
            ),
            (Unknown, "the database system is shutting down"),
            (Unknown, "the database system is starting up"),
            (UnableToSendCommand, "no connection to the server\n"),
            (
                UnableToSendCommand,
                "could not send data to server: Broken pipe",
            ),
            (Unknown, "canceling statement due to lock timeout"),
            (
                Unknown,
                "could not obtain lock on row in relation \"billing_bill\"",
            ),
            (Unknown, "canceling statement due to statement timeout"),
            (Unknown, "canceling statement due to user request"),
        ] {
            let e = db(kind, message);
            assert_eq!(
                e.status_code(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{message}"
            );
            assert_eq!(e.code(), "ServiceUnavailable", "{message}");
        }
        assert_eq!(
            AppError::from(DieselError::BrokenTransactionManager).status_code(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            db(UniqueViolation, "duplicate key value").status_code(),
            StatusCode::CONFLICT
        );
        assert_eq!(
            db(Unknown, "division by zero").status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            db(
                UnableToSendCommand,
                "number of parameters must be between 0 and 65535"
            )
            .status_code(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "a query we built wrong is our bug, not an outage"
        );
    }

    #[test]
    fn values_that_do_not_fit_are_400_and_a_deadlock_409() {
        use DatabaseErrorKind::Unknown;
        for (message, status, code) in [
            (
                "numeric field overflow",
                StatusCode::BAD_REQUEST,
                "INVALID_VALUE",
            ),
            (
                "value too long for type character varying(64)",
                StatusCode::BAD_REQUEST,
                "INVALID_VALUE",
            ),
            (
                "value \"99999999999\" is out of range for type integer",
                StatusCode::BAD_REQUEST,
                "INVALID_VALUE",
            ),
            (
                "invalid byte sequence for encoding \"UTF8\": 0x00",
                StatusCode::BAD_REQUEST,
                "INVALID_CHARACTER",
            ),
            (
                "unsupported Unicode escape sequence: \\u0000 cannot be converted to text.",
                StatusCode::BAD_REQUEST,
                "INVALID_CHARACTER",
            ),
            (
                "deadlock detected",
                StatusCode::CONFLICT,
                "CONCURRENT_UPDATE",
            ),
        ] {
            let e = db(Unknown, message);
            assert_eq!(
                (e.status_code(), e.code().as_str()),
                (status, code),
                "{message}"
            );
        }
    }
}
