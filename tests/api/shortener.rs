//! Short links (`/eus/shortener`, `/egov-url-shortening/shortener`): plain-text answers, only
//! links of this server, anonymous callers only for signed file links, redirects by key within
//! their validity, nothing kept for a refused request.

use actix_web::test;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::*;

const BASE: &str = "http://127.0.0.1:8080";

fn links(app: &TestApp) -> i64 {
    use mgramseva::db::schema::shortener_link::dsl::*;
    shortener_link
        .count()
        .get_result(&mut app.db.conn())
        .unwrap()
}

/// A stored file and its signed link (made at `at`).
fn signed_file(app: &TestApp, at: chrono::DateTime<Utc>) -> String {
    let mut c = app.db.conn();
    let id = mgramseva::platform::filestore::store(
        &mut c,
        &app.state.settings.filestore.dir,
        GP,
        "PDF",
        Some("ws-bill-nm-v2"),
        "bill.pdf",
        "application/pdf",
        b"%PDF-1.7 test".to_vec(),
        None,
        at,
    )
    .unwrap();
    mgramseva::platform::filestore::signed_path(&app.state.crypto, GP, id, at)
}

async fn shorten(app: &TestApp, path: &str, body: Value, token: Option<&str>) -> (u16, String) {
    let mut req = test::TestRequest::post().uri(path).set_json(body);
    if let Some(t) = token {
        req = req.insert_header(("auth-token", t.to_owned()));
    }
    let resp = app.call(req).await;
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = String::from_utf8_lossy(&test::read_body(resp).await).into_owned();
    if status == 200 {
        assert!(ct.starts_with("text/plain"), "{ct}");
    }
    (status, body)
}

/// (status, Location) of following a short link.
async fn follow(app: &TestApp, short: &str) -> (u16, String) {
    let path = short.strip_prefix(BASE).unwrap_or(short);
    let resp = app.call(test::TestRequest::get().uri(path)).await;
    let loc = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (resp.status().as_u16(), loc)
}

#[actix_web::test]
async fn a_signed_file_link_is_shortened_without_a_login_and_the_short_link_leads_to_it() {
    let app = TestApp::new();
    let file = signed_file(&app, Utc::now());
    let (s, short) = shorten(
        &app,
        "/eus/shortener",
        json!({"url": format!("{BASE}{file}")}),
        None,
    )
    .await;
    assert_eq!(s, 200, "{short}");
    let key = short.strip_prefix(&format!("{BASE}/eus/")).unwrap();
    assert_eq!(key.len(), 8);
    assert!(key.chars().all(|c| c.is_ascii_alphanumeric()));
    // the redirect goes to the path on this server, and the file is there
    assert_eq!(follow(&app, &short).await, (302, file.clone()));
    let (s, v) = app.get(&file).await;
    assert_eq!(s, 200, "{v}");
    // the services' path works too, and each request gets its own key
    let (s, second) = shorten(
        &app,
        "/egov-url-shortening/shortener",
        json!({"url": file, "id": "mine"}),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_ne!(second, short, "the id asked for is ignored");
    assert_eq!(
        follow(&app, &second.replace("/eus/", "/egov-url-shortening/")).await,
        (302, file)
    );
    assert_eq!(links(&app), 2);
}

#[actix_web::test]
async fn only_links_of_this_server_and_without_a_login_only_valid_file_links() {
    let app = TestApp::new();
    let token = app.login("9817100001", &["GP_ADMIN"]);
    let stale = signed_file(&app, Utc::now() - Duration::days(8));
    let cases = [
        (
            json!({"url": "https://evil.example/x"}),
            Some(token.as_str()),
            400,
            "INVALID_URL",
        ),
        (
            json!({"url": "//evil.example/x"}),
            Some(token.as_str()),
            400,
            "INVALID_URL",
        ),
        (
            json!({"url": format!("{BASE}.evil.example/x")}),
            Some(token.as_str()),
            400,
            "INVALID_URL",
        ),
        (
            json!({"url": "/eus/AAAAAAAA"}),
            Some(token.as_str()),
            400,
            "INVALID_URL",
        ),
        (json!({}), None, 400, "MISSING_FIELD"),
        (json!({"url": 12}), None, 400, "JsonMappingException"),
        (
            json!({"url": "/home/household?no=1"}),
            None,
            401,
            "CustomException",
        ),
        (json!({"url": stale}), None, 401, "CustomException"),
        (
            json!({"url": "/filestore/v1/files/id?tenantId=pb.lodhipur&fileStoreId=00000000-0000-0000-0000-000000000000&expires=99999999999&sig=forged"}),
            None,
            401,
            "CustomException",
        ),
        (
            json!({"url": "/home", "validFrom": 2000, "validTill": 1000}),
            Some(token.as_str()),
            400,
            "INVALID_DATE_RANGE",
        ),
    ];
    for (body, tok, want, want_code) in cases {
        let (s, text) = shorten(&app, "/eus/shortener", body.clone(), tok).await;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!((s, code(&v)), (want, want_code), "{body}: {text}");
    }
    assert_eq!(links(&app), 0, "nothing kept for a refused request");
    // logged in: any page of this server, absolute or not
    let (s, short) = shorten(
        &app,
        "/eus/shortener",
        json!({"url": format!("{BASE}/home/household?no=WS%2F1")}),
        Some(&token),
    )
    .await;
    assert_eq!(s, 200, "{short}");
    assert_eq!(
        follow(&app, &short).await,
        (302, "/home/household?no=WS%2F1".to_owned())
    );
}

#[actix_web::test]
async fn a_short_link_works_only_within_its_validity() {
    let app = TestApp::new();
    let token = app.login("9817100002", &["GP_ADMIN"]);
    let now = Utc::now().timestamp_millis();
    let (_, expired) = shorten(
        &app,
        "/eus/shortener",
        json!({"url": "/home", "validFrom": now - 7_200_000, "validTill": now - 3_600_000}),
        Some(&token),
    )
    .await;
    let path = expired.strip_prefix(BASE).unwrap();
    let (s, v) = app.get(path).await;
    assert_eq!((s.as_u16(), code(&v)), (410, "LINK_EXPIRED"));
    let (_, later) = shorten(
        &app,
        "/eus/shortener",
        json!({"url": "/home", "validFrom": now + 3_600_000}),
        Some(&token),
    )
    .await;
    let (s, v) = app.get(later.strip_prefix(BASE).unwrap()).await;
    assert_eq!((s.as_u16(), code(&v)), (404, "INVALID_REQUEST"));
    for unknown in ["/eus/ZZZZZZZZ", "/eus/short", "/egov-url-shortening/a%2Fb"] {
        let (s, v) = app.get(unknown).await;
        assert_eq!(
            (s.as_u16(), code(&v)),
            (404, "INVALID_REQUEST"),
            "{unknown}"
        );
    }
}
