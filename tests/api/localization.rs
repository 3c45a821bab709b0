//! Localization search and upsert.

use serde_json::{Value, json};

use crate::helpers::*;

async fn search(app: &TestApp, q: &str) -> Vec<Value> {
    let (s, v) = app
        .post(
            &format!("/localization/messages/v1/_search?{q}"),
            json!({"RequestInfo": {}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["messages"].as_array().cloned().unwrap_or_default()
}

fn text<'a>(msgs: &'a [Value], c: &str) -> &'a str {
    msgs.iter()
        .find(|m| m["code"] == c)
        .and_then(|m| m["message"].as_str())
        .unwrap_or("<missing>")
}

#[actix_web::test]
async fn three_languages_and_the_apps_pn_in() {
    let app = TestApp::new();
    let en = search(&app, "locale=en_IN&tenantId=pb&module=mgramseva-common").await;
    assert_eq!(text(&en, "CORE_HOUSEHOLD_REGISTER"), "Household Register");
    let pa = search(&app, "locale=pn_IN&tenantId=pb&module=mgramseva-common").await;
    assert_eq!(pa.len(), en.len());
    assert_eq!(pa[0]["locale"], "pn_IN", "the requested locale is echoed");
    assert!(
        text(&pa, "CORE_HOUSEHOLD_REGISTER")
            .chars()
            .any(|c| ('\u{0A00}'..='\u{0A7F}').contains(&c)),
        "Gurmukhi"
    );
    let hi = search(
        &app,
        "locale=hi_IN&tenantId=pb.lodhipur&module=mgramseva-common,mgramseva-bill",
    )
    .await;
    assert!(
        text(&hi, "BILL_TOTAL_DUE")
            .chars()
            .any(|c| ('\u{0900}'..='\u{097F}').contains(&c)),
        "Devanagari"
    );
    let some = search(&app, "locale=en_IN&tenantId=pb&codes=CORE_SAVE,CORE_BACK").await;
    assert_eq!(some.len(), 2);
    // The GET of the legacy path answers the same.
    let (s, v) = app
        .get("/localization/messages?locale=en_IN&tenantId=pb&codes=CORE_SAVE")
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["messages"][0]["message"], "Save");
}

#[actix_web::test]
async fn missing_text_falls_back_to_english_and_tenant_text_overrides() {
    let app = TestApp::new();
    let su = app.login("9800000020", &["SUPERUSER@pb"]);
    let up = json!({"RequestInfo": ri(&su), "tenantId": "pb", "messages": [
        {"code": "ONLY_IN_ENGLISH", "message": "English only", "module": "mgramseva-common", "locale": "en_IN"}]});
    assert_eq!(
        app.post("/localization/messages/v1/_upsert", up).await.0,
        200
    );
    let hi = search(&app, "locale=hi_IN&tenantId=pb&codes=ONLY_IN_ENGLISH").await;
    assert_eq!(text(&hi, "ONLY_IN_ENGLISH"), "English only");
    assert_eq!(hi[0]["locale"], "hi_IN");
    assert_eq!(
        app.state.i18n.text(
            mgramseva::platform::localization::Locale::Pa,
            "ONLY_IN_ENGLISH"
        ),
        "English only"
    );
    assert_eq!(
        app.state.i18n.text(
            mgramseva::platform::localization::Locale::Pa,
            "NO_SUCH_CODE"
        ),
        "NO_SUCH_CODE"
    );

    let up = json!({"RequestInfo": ri(&su), "tenantId": "pb.lodhipur", "messages": [
        {"code": "CORE_SAVE", "message": "Save it", "module": "mgramseva-common", "locale": "en_IN"}]});
    let (s, v) = app.post("/localization/messages/v1/_upsert", up).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["messages"][0]["message"], "Save it");
    assert_eq!(
        text(
            &search(&app, "locale=en_IN&tenantId=pb.lodhipur&codes=CORE_SAVE").await,
            "CORE_SAVE"
        ),
        "Save it"
    );
    assert_eq!(
        text(
            &search(&app, "locale=en_IN&tenantId=pb.kalwan&codes=CORE_SAVE").await,
            "CORE_SAVE"
        ),
        "Save"
    );
}

#[actix_web::test]
async fn upsert_is_for_the_superuser_only() {
    let app = TestApp::new();
    let msg = |t: &str| {
        json!({"RequestInfo": ri(t), "tenantId": "pb", "messages": [
        {"code": "CORE_SAVE", "message": "Keep", "module": "mgramseva-common", "locale": "en_IN"}]})
    };
    let (s, v) = app
        .post(
            "/localization/messages/v1/_upsert",
            json!({"tenantId": "pb", "messages": []}),
        )
        .await;
    assert_eq!(s, 401, "{v}");
    let collector = app.login("9800000021", &["COLLECTION_OPERATOR"]);
    let (s, v) = app
        .post("/localization/messages/v1/_upsert", msg(&collector))
        .await;
    assert_eq!(s, 403, "{v}");
    let (s, _) = app
        .post("/localization/messages/v1/_upsert", msg("not-a-token"))
        .await;
    assert_eq!(s, 401);
    assert_eq!(
        text(
            &search(&app, "locale=en_IN&tenantId=pb&codes=CORE_SAVE").await,
            "CORE_SAVE"
        ),
        "Save"
    );
}

#[actix_web::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = TestApp::new();
    let su = app.login("9800000022", &["SUPERUSER@pb"]);
    let up = json!({"RequestInfo": ri(&su), "tenantId": "pb", "messages": [
        {"code": "GOOD_ONE", "message": "fine", "module": "m", "locale": "en_IN"},
        {"code": "BAD_ONE", "message": "x", "module": "m", "locale": "fr_FR"},
        {"code": "", "message": "y", "module": "m", "locale": "hi_IN"}]});
    let (s, v) = app.post("/localization/messages/v1/_upsert", up).await;
    assert_eq!(s, 400);
    let fields = error_fields(&v);
    assert_eq!(fields, ["messages[1].locale", "messages[2].code"]);
    assert!(
        search(&app, "locale=en_IN&tenantId=pb&codes=GOOD_ONE")
            .await
            .is_empty(),
        "nothing half-written"
    );

    let (s, v) = app
        .post("/localization/messages/v1/_search?tenantId=pb", json!({}))
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["Errors"][0]["params"][0], "locale");
    let (s, v) = app
        .post(
            "/localization/messages/v1/_search?locale=xx&tenantId=pb",
            json!({}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(code(&v), "INVALID_LOCALE");
    let (s, v) = app
        .post("/localization/messages/v1/_search?locale=en_IN", json!({}))
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["Errors"][0]["params"][0], "tenantId");
}
