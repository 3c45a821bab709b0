//! The Dart side of a request: what `RequestInfo.toJson()` writes and how `Uri(queryParameters:)`
//! encodes a query, with the constants the app puts in them.

use serde_json::{Value, json};

/// The Basic credentials of the app's token call (`egov-user-client:`).
pub const APP_CLIENT: &str = "ZWdvdi11c2VyLWNsaWVudDo=";
/// `msgId` as `RequestInfo.toJson` writes it with English selected.
pub const MSG_ID: &str = "20170310130900|en_IN";
/// The state tenant (`STATE_LEVEL_TENANT_ID`, `stateInfo.code`).
pub const STATE_TENANT: &str = "pb";

/// Dart's `Uri.encodeQueryComponent`.
pub fn dart_query_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Dart's `Uri(queryParameters: q).query`.
pub fn dart_query(q: &[(&str, &str)]) -> String {
    q.iter()
        .map(|(k, v)| format!("{}={}", dart_query_component(k), dart_query_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `RequestInfo(...).toJson()`: `token` None is a null authToken, Some("") the empty one the app
/// sends before login.
pub fn request_info(action: &str, token: Option<&str>, user_info: Option<Value>) -> Value {
    json!({
        "apiId": "mgramseva", "ver": 1, "ts": "", "action": action, "did": 1, "key": "",
        "msgId": MSG_ID, "authToken": token, "userInfo": user_info,
    })
}

#[test]
fn queries_are_encoded_as_darts_uri_does() {
    assert_eq!(
        dart_query(&[
            ("connectionNumber", "WS/7001/2024-25/0001"),
            ("name", "Gurpreet Kaur"),
            ("module", "a,b"),
        ]),
        "connectionNumber=WS%2F7001%2F2024-25%2F0001&name=Gurpreet+Kaur&module=a%2Cb"
    );
    let ri = request_info("_search", Some(""), None);
    assert_eq!(ri["ver"], 1);
    assert_eq!(ri["did"], 1);
    assert_eq!(ri["msgId"], MSG_ID);
    assert!(ri["userInfo"].is_null() && ri.get("userInfo").is_some());
}
