//! The gateway: login, role and tenant checks, deny by default.

use serde_json::json;

use crate::helpers::*;

const IDGEN: &str = "/egov-idgen/id/_generate";

fn idreq(token: Option<&str>, tenant: &str) -> serde_json::Value {
    let mut b = json!({"idRequests": [{"idName": "bill.billnumber", "tenantId": tenant}]});
    if let Some(t) = token {
        b["RequestInfo"] = ri(t);
    }
    b
}

#[actix_web::test]
async fn no_token_is_401_and_a_bad_token_says_invalid_access_token() {
    let app = TestApp::new();
    let (s, v) = app.post(IDGEN, idreq(None, GP)).await;
    assert_eq!(s, 401);
    assert_eq!(code(&v), "CustomException");
    assert_eq!(
        v["Errors"][0]["message"],
        "You are not authorized to access this resource"
    );
    let (s, v) = app.post(IDGEN, idreq(Some("0123456789abcdef"), GP)).await;
    assert_eq!(s, 401);
    assert_eq!(code(&v), "InvalidAccessTokenException");
    assert!(
        v["Errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("InvalidAccessTokenException")
    );
}

#[actix_web::test]
async fn roles_hold_on_their_own_tenant_only() {
    let app = TestApp::new();
    let collector = app.login("9800000040", &["COLLECTION_OPERATOR"]);
    assert_eq!(app.post(IDGEN, idreq(Some(&collector), GP)).await.0, 200);
    let (s, v) = app.post(IDGEN, idreq(Some(&collector), OTHER_GP)).await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(
        v["Errors"][0]["message"],
        "Not authorized to access this resource"
    );
    // naming both tenants in one request is refused as a whole
    let both = json!({"RequestInfo": ri(&collector), "idRequests": [
        {"idName": "bill.billnumber", "tenantId": GP}, {"idName": "bill.billnumber", "tenantId": OTHER_GP}]});
    assert_eq!(app.post(IDGEN, both).await.0, 403);
    // a role on the state tenant covers every GP
    let su = app.login("9800000041", &["SUPERUSER@pb"]);
    assert_eq!(app.post(IDGEN, idreq(Some(&su), OTHER_GP)).await.0, 200);
    // a role without the action gets nowhere
    let profile = app.login("9800000042", &["PROFILE_UPDATE"]);
    assert_eq!(app.post(IDGEN, idreq(Some(&profile), GP)).await.0, 403);
}

#[actix_web::test]
async fn the_token_may_travel_in_the_auth_token_header() {
    let app = TestApp::new();
    let token = app.login("9800000043", &["GP_ADMIN"]);
    let req = actix_web::test::TestRequest::post()
        .uri("/egov-location/location/v11/boundarys/_search?tenantId=pb.lodhipur")
        .insert_header(("auth-token", token.as_str()));
    let (s, v) = app.send(req).await;
    assert_eq!(s, 200, "{v}");
    // and the query's tenant is checked too
    let req = actix_web::test::TestRequest::post()
        .uri("/egov-location/location/v11/boundarys/_search?tenantId=pb.kalwan")
        .insert_header(("auth-token", token.as_str()));
    assert_eq!(app.send(req).await.0, 403);
}

#[actix_web::test]
async fn a_revoked_or_expired_token_is_refused() {
    use diesel::prelude::*;
    use mgramseva::db::schema::user_token;
    let app = TestApp::new();
    let token = app.login("9800000044", &["GP_ADMIN"]);
    assert_eq!(app.post(IDGEN, idreq(Some(&token), GP)).await.0, 200);
    let mut c = app.db.conn();
    diesel::update(user_token::table)
        .set(user_token::revoked_at.eq(chrono::Utc::now()))
        .execute(&mut c)
        .unwrap();
    // SQL run beside the app is seen once the token cache lets go (5 s); the app's own writers
    // signal it, as this does.
    mgramseva::platform::user::cache::auth_changed();
    assert_eq!(app.post(IDGEN, idreq(Some(&token), GP)).await.0, 401);
    let token = app.login("9800000045", &["GP_ADMIN"]);
    diesel::update(user_token::table.filter(user_token::revoked_at.is_null()))
        .set((
            user_token::created_at.eq(chrono::Utc::now() - chrono::Duration::hours(3)),
            user_token::expires_at.eq(chrono::Utc::now() - chrono::Duration::hours(1)),
        ))
        .execute(&mut c)
        .unwrap();
    mgramseva::platform::user::cache::auth_changed();
    let (s, v) = app.post(IDGEN, idreq(Some(&token), GP)).await;
    assert_eq!(s, 401);
    assert_eq!(code(&v), "InvalidAccessTokenException");
}

#[actix_web::test]
async fn open_routes_need_no_login() {
    let app = TestApp::new();
    for (path, body) in [
        (
            "/mdms-v2/v1/_search",
            json!({"MdmsCriteria": {"tenantId": "pb", "moduleDetails": []}}),
        ),
        (
            "/localization/messages/v1/_search?locale=en_IN&tenantId=pb&codes=CORE_SAVE",
            json!({}),
        ),
    ] {
        assert_eq!(app.post(path, body).await.0, 200, "{path}");
    }
    assert_eq!(app.get("/healthz").await.0, 200);
    let (s, v) = app.get("/?lang=pa").await;
    assert_eq!(s, 200);
    assert!(v.as_str().unwrap().contains("lang=\"pa\""));
}

#[actix_web::test]
async fn a_client_supplied_user_info_is_ignored() {
    let app = TestApp::new();
    let forged = json!({"id": 1, "uuid": "00000000-0000-0000-0000-000000000000", "type": "EMPLOYEE",
        "roles": [{"code": "SUPERUSER", "tenantId": "pb"}]});
    let msg = json!({"tenantId": "pb", "messages": [{"code": "X", "message": "x", "module": "m", "locale": "en_IN"}]});
    let mut body = msg.clone();
    body["RequestInfo"] = json!({"userInfo": forged});
    assert_eq!(
        app.post("/localization/messages/v1/_upsert", body).await.0,
        401
    );
    let collector = app.login("9800000046", &["COLLECTION_OPERATOR"]);
    let mut body = msg;
    body["RequestInfo"] = ri(&collector);
    body["RequestInfo"]["userInfo"] = forged;
    assert_eq!(
        app.post("/localization/messages/v1/_upsert", body).await.0,
        403
    );
}
