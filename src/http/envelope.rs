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

use crate::error::{AppError, ErrorDetail};
use crate::http::gateway::Caller;

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

/// A DIGIT JSON request: the envelope, the typed body (everything but RequestInfo) and the caller
/// the gateway established.
pub struct Digit<T> {
    pub info: RequestInfo,
    pub body: T,
    pub caller: Caller,
}

/// Deserializes `v` into `T`, turning serde's complaint into a 400 that names the field.
pub fn from_json<T: DeserializeOwned>(v: Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let (code, field) = if let Some(missing) = missing_field(&inner) {
            let field = if path == "." {
                missing.to_owned()
            } else {
                format!("{path}.{missing}")
            };
            ("MISSING_FIELD", field)
        } else {
            ("JsonMappingException", path)
        };
        AppError::many(vec![ErrorDetail::field(
            code,
            format!("{field}: {inner}"),
            &field,
        )])
    })
}

fn missing_field(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// The body the gateway read and parsed for this request: handlers see exactly what the
/// gateway checked, and the body is never read a second time.
fn body_value(req: &HttpRequest) -> Result<Value, AppError> {
    match req.extensions().get::<ParsedBody>() {
        Some(ParsedBody(parsed)) => parsed
            .clone()
            .map_err(|e| AppError::bad_request("JsonParseException", e)),
        None => Err(AppError::Internal(anyhow::anyhow!(
            "a JSON body was asked for on a route the gateway did not read"
        ))),
    }
}

/// An empty body counts as `{}`; anything else must be JSON.
pub fn parse_body(bytes: &[u8]) -> Result<Value, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))
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
    fn empty_body_is_an_empty_object() {
        assert_eq!(parse_body(b"  \n"), Ok(json!({})));
        assert!(parse_body(b"{oops").is_err());
    }
}
