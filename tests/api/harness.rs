//! The harness itself: tests do not see each other's writes.

use serde_json::json;

use crate::helpers::*;

async fn write_and_read_back(text: &str) {
    let app = TestApp::new();
    let su = app.login("9800000001", &["SUPERUSER@pb"]);
    let msg = json!({"RequestInfo": ri(&su), "tenantId": "pb",
        "messages": [{"code": "HARNESS_KEY", "message": text, "module": "harness", "locale": "en_IN"}]});
    let (s, _) = app.post("/localization/messages/v1/_upsert", msg).await;
    assert_eq!(s, 200);
    // Give the other test time to write the same key, then read ours back.
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let (s, v) = app
        .post(
            "/localization/messages/v1/_search?locale=en_IN&tenantId=pb&module=harness",
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["messages"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["messages"][0]["message"], text);
}

#[actix_web::test]
async fn isolated_a() {
    write_and_read_back("written by test A").await;
}

#[actix_web::test]
async fn isolated_b() {
    write_and_read_back("written by test B").await;
}
