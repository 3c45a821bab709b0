//! The DIGIT envelope (digit-contracts.md §1.2–1.3): lenient `RequestInfo` parsing, the
//! `ResponseInfo` echo, and `Digit<T>`, the extractor every JSON endpoint takes its body with.
//!
//! Lenient means: `RequestInfo` or `requestInfo`, `ver` as number or string, `ts` empty or null or
//! a number, the whole object missing or `{}`. A client's `userInfo` is never read: the gateway
//! decides who the caller is.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage as _, HttpRequest, dev::Payload};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{AppError, ErrorDetail, codes};
use crate::platform::access::identity::Caller;

/// The request metadata DIGIT clients send. Every field is optional and kept as text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestInfo {
    pub api_id: Option<String>,
    pub ver: Option<String>,
    pub ts: Option<String>,
    pub action: Option<String>,
    pub did: Option<String>,
    pub key: Option<String>,
    pub msg_id: Option<String>,
    pub requester_id: Option<String>,
    pub auth_token: Option<String>,
    pub correlation_id: Option<String>,
}

fn lenient_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl RequestInfo {
    /// Reads whatever is there; never fails.
    pub fn from_value(v: Option<&Value>) -> Self {
        let Some(Value::Object(m)) = v else {
            return Self::default();
        };
        let get = |k: &str| lenient_text(m.get(k));
        Self {
            api_id: get("apiId"),
            ver: get("ver"),
            ts: get("ts"),
            action: get("action"),
            did: get("did"),
            key: get("key"),
            msg_id: get("msgId"),
            requester_id: get("requesterId"),
            auth_token: get("authToken"),
            correlation_id: get("correlationId"),
        }
    }

    /// Takes `RequestInfo` (or `requestInfo`) out of a JSON body object.
    pub fn take_from(body: &mut Map<String, Value>) -> Self {
        let v = body
            .remove("RequestInfo")
            .or_else(|| body.remove("requestInfo"));
        Self::from_value(v.as_ref())
    }

    /// The locale after the `|` of `msgId` ("20170310130900|pa_IN"), if any.
    pub fn locale(&self) -> Option<&str> {
        let (_, loc) = self.msg_id.as_deref()?.split_once('|')?;
        let loc = loc.trim();
        (!loc.is_empty()).then_some(loc)
    }
}

/// The `ResponseInfo` of a successful answer, echoing apiId/ver/ts/msgId.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseInfo {
    pub api_id: Option<String>,
    pub ver: Option<String>,
    pub ts: Option<i64>,
    pub res_msg_id: &'static str,
    pub msg_id: Option<String>,
    pub status: &'static str,
}

impl ResponseInfo {
    pub fn success(ri: &RequestInfo) -> Self {
        Self {
            api_id: ri.api_id.clone(),
            ver: ri.ver.clone(),
            ts: ri.ts.as_deref().and_then(|t| t.parse().ok()),
            res_msg_id: "uief87324",
            msg_id: ri.msg_id.clone(),
            status: "successful",
        }
    }
}

/// A parsed JSON body, placed in the request extensions by the gateway so the body is read once.
#[derive(Clone, Debug)]
pub struct ParsedBody(pub Result<Value, String>);

/// The 400 of a body that did not parse (`INVALID_NUMBER`, else `JsonParseException`).
pub fn parse_error(msg: &str) -> AppError {
    match coded(msg) {
        Some((code, rest)) => AppError::bad_request(code, rest),
        None => AppError::bad_request("JsonParseException", msg),
    }
}

/// A DIGIT JSON request: the envelope, the typed body (everything but RequestInfo) and the caller
/// the gateway established.
pub struct Digit<T> {
    pub info: RequestInfo,
    pub body: T,
    pub caller: Caller,
}

/// Deserializes `v` into `T`, turning serde's complaint into a 400 that names the field.
/// The value the client sent is left out of the message (it may be a mobile number or a
/// password in the wrong type, and error messages reach the logs).
pub fn from_json<T: DeserializeOwned>(v: Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = redact(&e.into_inner().to_string());
        let (code, field, inner) = if let Some(missing) = missing_field(&inner) {
            let field = if path == "." {
                missing.to_owned()
            } else {
                format!("{path}.{missing}")
            };
            (codes::MISSING_FIELD.to_owned(), field, inner.clone())
        } else if let Some((code, rest)) = coded(&inner) {
            (code.to_owned(), path, rest.to_owned())
        } else {
            ("JsonMappingException".to_owned(), path, inner)
        };
        AppError::many(vec![ErrorDetail::field(
            &code,
            format!("{field}: {inner}"),
            &field,
        )])
    })
}

/// A custom deserializer's message that starts with its own code (`INVALID_AMOUNT: ...`).
fn coded(msg: &str) -> Option<(&str, &str)> {
    let (code, rest) = msg.split_once(": ")?;
    (!code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        .then_some((code, rest))
}

/// serde's messages quote the offending value (``invalid type: integer `9811122233`, expected
/// a string``); keep the kind and what was expected, drop the value.
pub fn redact(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    for kind in [
        "invalid type: ",
        "invalid value: ",
        "unknown variant ",
        "invalid length ",
    ] {
        if let Some(i) = rest.find(kind) {
            out.push_str(&rest[..i + kind.len()]);
            rest = &rest[i + kind.len()..];
            // the value ends at ", expected" (serde's wording); keep only its kind word
            let end = rest.find(", expected").unwrap_or(rest.len());
            let value = &rest[..end];
            let word = value
                .split_once(['`', '"'])
                .map(|(w, _)| w.trim_end())
                .unwrap_or(value);
            out.push_str(if word.is_empty() { "value" } else { word });
            rest = &rest[end..];
            break;
        }
    }
    out.push_str(rest);
    out
}

fn missing_field(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// The body the gateway read and parsed for this request: handlers see exactly what the
/// gateway checked, and the body is never read a second time.
fn body_value(req: &HttpRequest) -> Result<Value, AppError> {
    match req.extensions().get::<ParsedBody>() {
        Some(ParsedBody(parsed)) => parsed.clone().map_err(|e| parse_error(&e)),
        None => Err(AppError::Internal(anyhow::anyhow!(
            "a JSON body was asked for on a route the gateway did not read"
        ))),
    }
}

/// An empty body counts as `{}`; anything else must be JSON, and every number in it must be
/// one that a double holds exactly (else `99.999999999999999999` would silently become 100).
pub fn parse_body(bytes: &[u8]) -> Result<Value, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))?;
    inexact_number(bytes).map_or(Ok(v), |n| {
        Err(format!(
            "INVALID_NUMBER: the number {n} cannot be kept exactly; send fewer digits (or the value as a string)"
        ))
    })
}

/// The first number token of a JSON text that changes when read as a double, if any. Integers
/// within 64 bits are read exactly by serde_json.
fn inexact_number(json: &[u8]) -> Option<String> {
    let mut i = 0;
    let mut in_string = false;
    while i < json.len() {
        let b = json[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let start = i;
            while i < json.len()
                && matches!(json[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
            {
                i += 1;
            }
            let tok = std::str::from_utf8(&json[start..i]).unwrap_or("");
            if !exact(tok) {
                let shown: String = tok.chars().take(40).collect();
                return Some(shown);
            }
            continue;
        }
        i += 1;
    }
    None
}

/// Whether a JSON number token means exactly what serde_json will hold for it.
fn exact(tok: &str) -> bool {
    let integer = !tok.contains(['.', 'e', 'E']);
    if integer && (tok.parse::<i64>().is_ok() || tok.parse::<u64>().is_ok()) {
        return true;
    }
    let Ok(f) = tok.parse::<f64>() else {
        return false;
    };
    f.is_finite() && decimal_parts(tok) == decimal_parts(&format!("{f:e}"))
}

/// A decimal number as (negative, significant digits without leading or trailing zeros,
/// power of ten of the last digit); zero is (false, "", 0).
fn decimal_parts(s: &str) -> (bool, String, i64) {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (mantissa, exp) = s.split_once(['e', 'E']).unwrap_or((s, "0"));
    let exp: i64 = exp.trim_start_matches('+').parse().unwrap_or(0);
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{frac}");
    let mut exp = exp - i64::try_from(frac.len()).unwrap_or(0);
    let trimmed = digits.trim_start_matches('0');
    let kept = trimmed.trim_end_matches('0');
    exp += i64::try_from(trimmed.len() - kept.len()).unwrap_or(0);
    if kept.is_empty() {
        return (false, String::new(), 0);
    }
    (neg, kept.to_owned(), exp)
}

impl<T: DeserializeOwned + 'static> FromRequest for Digit<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let value = body_value(&req)?;
            let Value::Object(mut map) = value else {
                return Err(AppError::bad_request(
                    "JsonMappingException",
                    "the request body must be a JSON object",
                ));
            };
            let info = RequestInfo::take_from(&mut map);
            // What the gateway did not count as naming a tenant, no handler may read.
            for k in crate::http::gateway::IGNORED_KEYS {
                map.remove(*k);
            }
            let body = from_json(Value::Object(map))?;
            let caller = req
                .extensions()
                .get::<Caller>()
                .cloned()
                .unwrap_or_default();
            Ok(Digit { info, body, caller })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_info_is_lenient() {
        let mut m = json!({"requestInfo": {"apiId": "mgramseva", "ver": 0.01, "ts": "", "did": 1,
            "msgId": "20170310130900|pn_IN", "authToken": "abc", "userInfo": {"id": 1}}})
        .as_object()
        .cloned()
        .unwrap_or_default();
        let ri = RequestInfo::take_from(&mut m);
        assert_eq!(ri.api_id.as_deref(), Some("mgramseva"));
        assert_eq!(ri.ver.as_deref(), Some("0.01"));
        assert_eq!(ri.ts, None);
        assert_eq!(ri.did.as_deref(), Some("1"));
        assert_eq!(ri.locale(), Some("pn_IN"));
        assert_eq!(ri.auth_token.as_deref(), Some("abc"));
        assert!(m.is_empty());
    }

    #[test]
    fn request_info_missing_or_odd() {
        assert_eq!(RequestInfo::from_value(None), RequestInfo::default());
        assert_eq!(
            RequestInfo::from_value(Some(&json!("x"))),
            RequestInfo::default()
        );
        let ri = RequestInfo::from_value(Some(&json!({"ts": 1700000000000i64, "msgId": "123"})));
        assert_eq!(ri.locale(), None);
        assert_eq!(ResponseInfo::success(&ri).ts, Some(1_700_000_000_000));
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[expect(dead_code, reason = "fields are only deserialized in the test")]
    struct Crit {
        tenant_id: String,
        count: Option<u32>,
        items: Vec<Item>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code, reason = "fields are only deserialized in the test")]
    struct Item {
        name: String,
    }

    #[test]
    fn mapping_errors_name_the_field() {
        let e = from_json::<Crit>(json!({"items": []}))
            .err()
            .map(|e| e.details());
        let d = e.unwrap_or_default();
        assert_eq!(d[0].code, "MISSING_FIELD");
        assert_eq!(d[0].params.as_deref(), Some(&["tenantId".to_owned()][..]));

        let d = from_json::<Crit>(json!({"tenantId": "pb", "count": "x", "items": []}))
            .err()
            .map(|e| e.details())
            .unwrap_or_default();
        assert_eq!(d[0].code, "JsonMappingException");
        assert_eq!(d[0].params.as_deref(), Some(&["count".to_owned()][..]));

        let d = from_json::<Crit>(json!({"tenantId": "pb", "items": [{"name": "a"}, {}]}))
            .err()
            .map(|e| e.details())
            .unwrap_or_default();
        assert_eq!(
            d[0].params.as_deref(),
            Some(&["items[1].name".to_owned()][..])
        );
    }

    #[test]
    fn numbers_a_double_cannot_hold_are_refused() {
        for ok in [
            "{\"a\": 300}",
            "{\"a\": 99.99, \"b\": [1e3, -0.5, 0, 0.0, 1.7e12]}",
            "{\"a\": 9007199254740993}",
            "{\"a\": 18446744073709551615}",
            "{\"a\": 1e20}",
            "{\"a\": \"99.999999999999999999\"}",
            "{\"a\": \"x\\\" 1.00000000000000000001\"}",
            "{\"lat\": 30.733315, \"x\": 0.30000000000000004}",
        ] {
            assert!(parse_body(ok.as_bytes()).is_ok(), "{ok}");
        }
        for bad in [
            "{\"a\": 99.999999999999999999999999999}",
            "{\"a\": 100000000000000000001}",
            "{\"a\": [1, 0.1000000000000000000001]}",
        ] {
            let e = parse_body(bad.as_bytes()).err().unwrap_or_default();
            assert!(e.starts_with("INVALID_NUMBER"), "{bad}: {e}");
        }
    }

    #[test]
    fn serde_messages_lose_the_value() {
        assert_eq!(
            redact("invalid type: integer `9811122233`, expected a string"),
            "invalid type: integer, expected a string"
        );
        assert_eq!(
            redact("invalid type: string \"secret pw\", expected u32"),
            "invalid type: string, expected u32"
        );
        assert_eq!(
            redact("unknown variant `9811122233`, expected one of `A`, `B`"),
            "unknown variant value, expected one of `A`, `B`"
        );
        assert_eq!(redact("missing field `x`"), "missing field `x`");
        let d = from_json::<Crit>(json!({"tenantId": 9811122233u64, "items": []}))
            .err()
            .map(|e| e.details())
            .unwrap_or_default();
        assert!(!d[0].message.contains("9811122233"), "{}", d[0].message);
    }

    #[test]
    fn empty_body_is_an_empty_object() {
        assert_eq!(parse_body(b"  \n"), Ok(json!({})));
        assert!(parse_body(b"{oops").is_err());
    }
}
