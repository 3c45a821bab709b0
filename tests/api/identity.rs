//! Identity: the token call, lockout, refresh and logout, self-service, OTP, PII at rest.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use mgramseva::config::Secret;
use mgramseva::platform::user::service::{self, LoginOutcome};
use serde_json::{Value, json};

use crate::helpers::*;

mod otp;
use otp::{otp_of, send_otp};

const CLIENT: &str = "ZWdvdi11c2VyLWNsaWVudDo="; // egov-user-client:
const LEGACY_CLIENT: &str = "ZWdvdi11c2VyLWNsaWVudDplZ292LXVzZXItc2VjcmV0"; // egov-user-client:egov-user-secret
const PW: &str = "eGov@123";

async fn token(app: &TestApp, user: &str, pw: &str) -> Resp {
    app.post_form(
        "/user/oauth/token",
        &[
            ("username", user),
            ("password", pw),
            ("grant_type", "password"),
            ("scope", "read"),
            ("tenantId", "pb"),
            ("userType", "EMPLOYEE"),
        ],
        Some(CLIENT),
    )
    .await
}

#[actix_web::test]
async fn the_token_call_as_the_app_makes_it() {
    let app = TestApp::new();
    app.employee(
        "9814000001",
        &[
            "COLLECTION_OPERATOR",
            "DASHBOARD_VIEWER",
            "COLLECTION_OPERATOR@pb.kalwan",
        ],
        Some(PW),
    );
    let (s, v) = token(&app, "9814000001", PW).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 10080 * 60);
    assert_eq!(v["scope"], "read");
    assert_eq!(
        v["ResponseInfo"]["status"],
        "Access Token generated successfully"
    );
    let ur = &v["UserRequest"];
    assert_eq!(ur["userName"], "9814000001");
    assert_eq!(ur["type"], "EMPLOYEE");
    assert_eq!(ur["tenantId"], "pb");
    let mut roles: Vec<String> = ur["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}@{}",
                r["code"].as_str().unwrap(),
                r["tenantId"].as_str().unwrap()
            )
        })
        .collect();
    roles.sort();
    assert_eq!(
        roles,
        [
            "COLLECTION_OPERATOR@pb.kalwan",
            "COLLECTION_OPERATOR@pb.lodhipur",
            "DASHBOARD_VIEWER@pb.lodhipur"
        ]
    );
    assert_eq!(ur["roles"][0]["name"], "Collection Operator");
    let access = v["access_token"].as_str().unwrap();
    assert_ne!(access, v["refresh_token"].as_str().unwrap());
    // The token opens what the roles allow, on the tenants they hold on.
    let idreq = |t: &str| json!({"RequestInfo": ri(access), "idRequests": [{"idName": "bill.billnumber", "tenantId": t}]});
    assert_eq!(app.post("/egov-idgen/id/_generate", idreq(GP)).await.0, 200);
    assert_eq!(
        app.post("/egov-idgen/id/_generate", idreq("pb.aulakh"))
            .await
            .0,
        403
    );
    // the legacy client secret is accepted too
    let (s, _) = app
        .post_form(
            "/user/oauth/token",
            &[
                ("username", "9814000001"),
                ("password", PW),
                ("grant_type", "password"),
                ("tenantId", "pb"),
                ("userType", "employee"),
            ],
            Some(LEGACY_CLIENT),
        )
        .await;
    assert_eq!(s, 200);
}

#[actix_web::test]
async fn oauth_errors() {
    let app = TestApp::new();
    app.employee("9814000002", &["GP_ADMIN"], Some(PW));
    let form = |pw: &'static str, tenant: &'static str, ty: &'static str| {
        vec![
            ("username", "9814000002"),
            ("password", pw),
            ("grant_type", "password"),
            ("tenantId", tenant),
            ("userType", ty),
        ]
    };
    let (s, v) = app
        .post_form("/user/oauth/token", &form(PW, "pb", "EMPLOYEE"), None)
        .await;
    assert_eq!(s, 401, "no client authentication: {v}");
    for (f, want) in [
        (form(PW, "", "EMPLOYEE"), "TenantId is mandatory"),
        (
            form(PW, "pb", "ROBOT"),
            "User Type is mandatory and has to be a valid type",
        ),
        (
            form("eGov@124", "pb", "EMPLOYEE"),
            "Invalid login credentials",
        ),
        (form(PW, "pb", "CITIZEN"), "Invalid login credentials"),
        (
            form(PW, "pb.lodhipur", "EMPLOYEE"),
            "Invalid login credentials",
        ),
    ] {
        let (s, v) = app.post_form("/user/oauth/token", &f, Some(CLIENT)).await;
        assert_eq!(s, 400, "{f:?}");
        assert_eq!(v["error"], "invalid_request");
        assert_eq!(v["error_description"], want, "{f:?}");
    }
    let (s, v) = token(&app, "9999999999", PW).await;
    assert_eq!(
        (s.as_u16(), v["error_description"].as_str()),
        (400, Some("Invalid login credentials")),
        "unknown user"
    );
}

#[actix_web::test]
async fn five_failures_in_thirty_minutes_lock_for_sixty() {
    let app = TestApp::new();
    let u = app.employee("9814000003", &["GP_ADMIN"], Some(PW));
    let mut c = app.db.conn();
    let id = app.identity();
    let t0 = Utc::now();
    let login = |c: &mut PgConnection, pw: &str, at| {
        service::login(c, id, "9814000003", &Secret::new(pw), "pb", "EMPLOYEE", at).unwrap()
    };
    // Four failures, then half an hour of quiet: the window has moved on, no lock.
    for m in 0..4 {
        assert!(matches!(
            login(&mut c, "bad@1", t0 + Duration::minutes(m)),
            LoginOutcome::BadCredentials
        ));
    }
    assert!(matches!(
        login(&mut c, "bad@1", t0 + Duration::minutes(34)),
        LoginOutcome::BadCredentials
    ));
    // Five failures within 30 minutes: the fifth locks.
    let t1 = t0 + Duration::minutes(70);
    for m in 0..4 {
        assert!(matches!(
            login(&mut c, "bad@1", t1 + Duration::minutes(m * 7)),
            LoginOutcome::BadCredentials
        ));
    }
    assert!(matches!(
        login(&mut c, "bad@1", t1 + Duration::minutes(29)),
        LoginOutcome::Locked
    ));
    // Locked: even the right password is refused for 60 minutes ...
    assert!(matches!(
        login(&mut c, PW, t1 + Duration::minutes(29 + 59)),
        LoginOutcome::Locked
    ));
    // ... and accepted after.
    assert!(matches!(
        login(&mut c, PW, t1 + Duration::minutes(29 + 61)),
        LoginOutcome::Success(..)
    ));
    let h = service::history(&mut c, u.id).unwrap();
    assert!(h.iter().any(|e| e.action == "LOCKED"));
}

/// The fields of a PHC string that set what checking it costs: algorithm, version, parameters
/// (m, t, p) and the length of the output.
fn cost_of(phc: &str) -> (String, String, String, usize) {
    let f: Vec<&str> = phc.split('$').collect();
    assert_eq!(f.len(), 6, "a PHC string: {phc}");
    (
        f[1].to_owned(),
        f[2].to_owned(),
        f[3].to_owned(),
        f[5].len(),
    )
}

#[actix_web::test]
async fn unknown_users_are_checked_against_a_dummy_hash_as_costly_as_a_real_one() {
    let app = TestApp::new();
    let mut sec = app.state.settings.security.clone();
    // The test settings, other settings, and the production defaults.
    for (m, t) in [
        (sec.argon2_memory_kib, sec.argon2_iterations),
        (1024, 3),
        (19456, 2),
    ] {
        sec.argon2_memory_kib = m;
        sec.argon2_iterations = t;
        let dummy = service::dummy_hash(&sec).unwrap();
        let real = service::hash_password(&sec, &Secret::new(PW)).unwrap();
        assert_eq!(cost_of(&dummy), cost_of(&real), "m={m} t={t}");
        assert_eq!(cost_of(&dummy).0, "argon2id");
        assert_eq!(cost_of(&dummy).2, format!("m={m},t={t},p=1"));
        assert_eq!(service::dummy_hash(&sec).unwrap(), dummy, "made once");
    }

    app.employee("9814000020", &["GP_ADMIN"], Some(PW));
    app.employee("9814000021", &["GP_ADMIN"], None);
    let mut c = app.db.conn();
    let id = app.identity();
    let mut login = |name: &str| {
        let before = service::dummy_checks_on_this_thread();
        let out = service::login(
            &mut c,
            id,
            name,
            &Secret::new("wrong@1"),
            "pb",
            "EMPLOYEE",
            Utc::now(),
        )
        .unwrap();
        assert!(
            matches!(out, LoginOutcome::BadCredentials),
            "{name}: {out:?}"
        );
        service::dummy_checks_on_this_thread() - before
    };
    assert_eq!(
        login("9814000099"),
        1,
        "no such user: the dummy hash is checked"
    );
    assert_eq!(
        login("9814000021"),
        1,
        "an account without a password: the same"
    );
    assert_eq!(
        login("9814000020"),
        0,
        "a real password hash is checked instead"
    );
}

#[actix_web::test]
async fn a_locked_account_says_so_over_http() {
    let app = TestApp::new();
    app.employee("9814000004", &["GP_ADMIN"], Some(PW));
    for _ in 0..4 {
        assert_eq!(
            token(&app, "9814000004", "wrong@1").await.1["error_description"],
            "Invalid login credentials"
        );
    }
    assert_eq!(
        token(&app, "9814000004", "wrong@1").await.1["error_description"],
        "Account locked"
    );
    assert_eq!(
        token(&app, "9814000004", PW).await.1["error_description"],
        "Account locked"
    );
}

#[actix_web::test]
async fn a_user_name_without_an_account_locks_like_an_account() {
    use mgramseva::db::schema::user_account;
    let app = TestApp::new();
    app.employee("9814000024", &["GP_ADMIN"], Some(PW));
    let accounts = || {
        user_account::table
            .count()
            .get_result::<i64>(&mut app.db.conn())
            .unwrap()
    };
    let before = accounts();
    let (real, nobody) = ("9814000024", "9814000096");
    for i in 1..=7 {
        let a = token(&app, real, "wrong@1").await;
        let b = token(&app, nobody, "wrong@1").await;
        let want = if i < 5 {
            "Invalid login credentials"
        } else {
            "Account locked"
        };
        assert_eq!(a.1["error_description"], want, "try {i}: {}", a.1);
        assert_eq!(a, b, "try {i}");
    }
    assert_eq!(accounts(), before, "no account was made");
    assert_eq!(
        token(&app, "9814000095", "wrong@1").await.1["error_description"],
        "Invalid login credentials",
        "counted per name"
    );
    // The lock lasts lockout_minutes, as an account's does, then the count starts over.
    let mut c = app.db.conn();
    let id = app.identity();
    let t = Utc::now();
    let login = |c: &mut PgConnection, at| {
        service::login(c, id, nobody, &Secret::new("wrong@1"), "pb", "EMPLOYEE", at).unwrap()
    };
    assert!(matches!(
        login(&mut c, t + Duration::minutes(59)),
        LoginOutcome::Locked
    ));
    assert!(matches!(
        login(&mut c, t + Duration::minutes(61)),
        LoginOutcome::BadCredentials
    ));
}

#[actix_web::test]
async fn refresh_rotates_and_logout_ends_the_session() {
    let app = TestApp::new();
    app.employee("9814000005", &["GP_ADMIN"], Some(PW));
    let (_, v) = token(&app, "9814000005", PW).await;
    let (a1, r1) = (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    );
    let a = &app;
    let refresh = |rt: String| async move {
        a.post_form(
            "/user/oauth/token",
            &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
            Some(CLIENT),
        )
        .await
    };
    let (s, v) = refresh(r1.clone()).await;
    assert_eq!(s, 200, "{v}");
    let a2 = v["access_token"].as_str().unwrap().to_owned();
    let r2 = v["refresh_token"].as_str().unwrap().to_owned();
    let details = |t: String| async move {
        a.post(&format!("/user/_details?access_token={t}"), json!({}))
            .await
    };
    assert_eq!(
        details(a1.clone()).await.0,
        401,
        "the old access token ended with its refresh"
    );
    let (s, v) = details(a2.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["userName"], "9814000005");
    assert!(
        v["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["url"] == "/ws-services/wc/_create"),
        "GP_ADMIN's actions"
    );
    let (s, v) = app
        .post(&format!("/user/_logout?access_token={a2}"), json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "Logout successfully");
    let (s, v) = details(a2).await;
    assert_eq!(s, 401);
    assert_eq!(code(&v), "InvalidAccessTokenException");
    let (s, v) = refresh(r2).await;
    assert_eq!(
        (s.as_u16(), v["error"].as_str()),
        (400, Some("invalid_grant")),
        "the logout ended the refresh token of the pair"
    );
    let (s, v) = refresh(r1).await;
    assert_eq!(
        (s.as_u16(), v["error"].as_str()),
        (400, Some("invalid_grant")),
        "a refresh token works once"
    );
}

#[actix_web::test]
async fn a_reused_refresh_token_revokes_its_whole_family() {
    let app = TestApp::new();
    app.employee("9814000025", &["GP_ADMIN"], Some(PW));
    let pair = |v: &Value| {
        (
            v["access_token"].as_str().unwrap().to_owned(),
            v["refresh_token"].as_str().unwrap().to_owned(),
        )
    };
    let (_, r1) = pair(&token(&app, "9814000025", PW).await.1);
    // Another login of the same person (another phone): a family of its own.
    let (other, _) = pair(&token(&app, "9814000025", PW).await.1);
    let a = &app;
    let refresh = |rt: String| async move {
        a.post_form(
            "/user/oauth/token",
            &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
            Some(CLIENT),
        )
        .await
    };
    let details = |t: String| async move {
        a.post(&format!("/user/_details?access_token={t}"), json!({}))
            .await
            .0
    };
    let (s, v) = refresh(r1.clone()).await;
    assert_eq!(s, 200, "{v}");
    let (a2, r2) = pair(&v);
    // The second pair works (and its access token is now in the token cache).
    assert_eq!(details(a2.clone()).await, 200);
    // The first refresh token again: refused as before ...
    let (s, v) = refresh(r1).await;
    assert_eq!(
        (s.as_u16(), &v),
        (
            400,
            &json!({"error": "invalid_grant", "error_description": "Invalid refresh token"})
        )
    );
    // ... and everything descended from it is revoked: the second pair too.
    assert_eq!(details(a2).await, 401, "the newer access token");
    let (s, v) = refresh(r2).await;
    assert_eq!(
        (s.as_u16(), v["error"].as_str()),
        (400, Some("invalid_grant")),
        "the newer refresh token"
    );
    // The other login is not of that family.
    assert_eq!(details(other).await, 200);
}

#[actix_web::test]
async fn people_find_themselves_admins_find_their_staff() {
    let app = TestApp::new();
    let collector = app.employee("9814000006", &["COLLECTION_OPERATOR"], None);
    let other = app.employee("9814000007", &["COLLECTION_OPERATOR@pb.kalwan"], None);
    let tc = app.login("9814000008", &["COLLECTION_OPERATOR"]);
    let search = |t: &str, body: Value| {
        let mut b = body;
        b["RequestInfo"] = ri(t);
        app.post("/user/_search", b)
    };
    // A collector sees only itself, whatever it asks for.
    let (s, v) = search(&tc, json!({"tenantId": "pb"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["user"][0]["userName"], "9814000008");
    assert_eq!(v["user"][0]["defaultPwdChgd"], false);
    let (_, v) = search(&tc, json!({"mobileNumber": "9814000006"})).await;
    assert_eq!(v["user"].as_array().map(Vec::len), Some(0));
    // A division admin on the GP sees the GP's staff, not another GP's.
    let div = app.login("9814000009", &["DIV_ADMIN", "HRMS_ADMIN"]);
    let (_, v) = search(&div, json!({"mobileNumber": "9814000006"})).await;
    assert_eq!(v["user"][0]["uuid"], json!(collector.uuid));
    assert_eq!(v["user"][0]["name"], collector.name);
    let (_, v) = search(&div, json!({"uuid": [other.uuid]})).await;
    assert_eq!(v["user"].as_array().map(Vec::len), Some(0));
    // The state's HRMS admin sees both; a name matches on any part.
    let state = app.login("9814000010", &["HRMS_ADMIN@pb", "STATE_ADMIN@pb"]);
    let (_, v) = search(&state, json!({"name": "tester", "roleCodes": ["COLLECTION_OPERATOR"], "pageSize": 2, "pageNumber": 0})).await;
    assert_eq!(v["totalCount"], 3);
    assert_eq!(v["user"].as_array().map(Vec::len), Some(2));
    assert_eq!(app.post("/user/_search", json!({})).await.0, 401);
}

#[actix_web::test]
async fn a_user_search_is_bounded_in_sql_to_the_callers_reach_and_a_page() {
    let app = TestApp::new();
    // 15 staff on each of two GPs (people live on the state tenant; their GP is their role's).
    for i in 0..15 {
        app.employee(&format!("98140003{i:02}"), &["COLLECTION_OPERATOR"], None);
        app.employee(
            &format!("98140004{i:02}"),
            &["COLLECTION_OPERATOR@pb.kalwan"],
            None,
        );
    }
    let admin = app.login("9814000500", &["DIV_ADMIN", "HRMS_ADMIN"]);
    let clerk = app.login("9814000501", &["COLLECTION_OPERATOR"]);
    // The other GP's people cannot even be opened any more: a search that loaded and decrypted
    // them before filtering would fail.
    diesel::sql_query(
        "UPDATE user_account SET name_enc = 't1:broken', user_name_enc = 't1:broken' \
         WHERE id IN (SELECT user_id FROM user_role WHERE tenant_id = 'pb.kalwan')",
    )
    .execute(&mut app.db.conn())
    .unwrap();
    let search = |t: &str, body: Value| {
        let mut b = body;
        b["RequestInfo"] = ri(t);
        app.post("/user/_search", b)
    };
    let ids = |v: &Value| -> Vec<i64> {
        v["user"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect()
    };
    let on_lodhipur = |v: &Value| {
        v["user"].as_array().unwrap().iter().all(|u| {
            u["roles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["tenantId"] == GP)
        })
    };
    // The GP's admin: its GP's 17 people (the 15, the clerk, itself), ten at a time.
    let (s, v) = search(&admin, json!({})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["totalCount"], 17);
    let first = ids(&v);
    assert_eq!(first.len(), 10, "the default page size");
    assert!(on_lodhipur(&v), "{v}");
    // As egov-user: pageNumber is the number of users skipped.
    let (_, v) = search(&admin, json!({"pageNumber": 10})).await;
    let rest = ids(&v);
    assert_eq!(rest.len(), 7);
    assert!(on_lodhipur(&v), "{v}");
    assert!(
        first.iter().chain(&rest).is_sorted(),
        "id order, no overlap"
    );
    let (_, v) = search(&admin, json!({"pageSize": 50})).await;
    assert_eq!(ids(&v).len(), 10, "at most the maximum");
    let (_, v) = search(&admin, json!({"pageSize": 3, "pageNumber": 3})).await;
    assert_eq!(ids(&v), first[3..6]);
    // A name is matched on the opened names of those within reach only.
    let (s, v) = search(&admin, json!({"name": "TESTER"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["totalCount"].as_i64(), ids(&v)),
        (Some(17), first.clone())
    );
    // An ordinary employee finds itself only.
    let (s, v) = search(&clerk, json!({})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["totalCount"], 1);
    assert_eq!(v["user"][0]["userName"], "9814000501");
    // Named users: as many as named, at most the maximum.
    let (_, v) = search(&admin, json!({"id": first})).await;
    assert_eq!(ids(&v), first);
}

#[actix_web::test]
async fn own_profile_and_password() {
    let app = TestApp::new();
    let me = app.employee("9814000011", &["COLLECTION_OPERATOR"], Some(PW));
    let (_, v) = token(&app, "9814000011", PW).await;
    let t = v["access_token"].as_str().unwrap().to_owned();
    let upd = |user: Value| {
        app.post(
            "/user/profile/_update",
            json!({"RequestInfo": ri(&t), "user": user}),
        )
    };
    let (s, v) =
        upd(json!({"name": "Harjit  Kaur", "gender": "female", "emailId": "hk@example.in"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"][0]["name"], "Harjit Kaur");
    assert_eq!(v["user"][0]["gender"], "FEMALE");
    let (s, v) = upd(json!({"emailId": "not-an-email", "name": "R2D2"})).await;
    assert_eq!(s, 400);
    assert_eq!(error_fields(&v), ["name", "emailId"]);
    assert_eq!(
        upd(json!({"mobileNumber": "9999999999"})).await.0,
        400,
        "the mobile number cannot change"
    );
    let other = app.employee("9814000012", &["GP_ADMIN"], None);
    assert_eq!(
        upd(json!({"uuid": other.uuid, "name": "Hacked"})).await.0,
        403
    );

    let pw = |cur: &str, new: &str| {
        app.post("/user/password/_update", json!({"RequestInfo": ri(&t), "existingPassword": cur, "newPassword": new, "tenantId": "pb", "type": "EMPLOYEE"}))
    };
    let (s, v) = pw("wrong@1", "Naya@2026").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "WRONG_CURRENT_PASSWORD"));
    let (s, v) = pw(PW, "short").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_PASSWORD"));
    let (s, v) = pw(PW, "Naya@2026").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(token(&app, "9814000011", PW).await.0, 400);
    let (s, v) = token(&app, "9814000011", "Naya@2026").await;
    assert_eq!(s, 200, "{v}");
    let mut c = app.db.conn();
    let h: Vec<String> = service::history(&mut c, me.id)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(h, ["CREATED", "PROFILE_UPDATED", "PASSWORD_CHANGED"]);
    assert!(
        service::get(&mut c, &app.state.crypto, me.id)
            .unwrap()
            .unwrap()
            .default_pwd_chgd
    );
}

#[actix_web::test]
async fn personal_data_is_encrypted_at_rest() {
    #[derive(QueryableByName)]
    struct Dump {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let app = TestApp::new();
    let u = app.employee("9814000015", &["GP_ADMIN"], Some(PW));
    send_otp(&app, "9814000015").await;
    let code = otp_of(&app, "9814000015").unwrap();
    let mut c = app.db.conn();
    let rows: Vec<Dump> = diesel::sql_query(
        "SELECT row_to_json(u)::text AS t FROM user_account u UNION ALL SELECT row_to_json(o)::text FROM notification_outbox o \
         UNION ALL SELECT row_to_json(p)::text FROM user_otp p UNION ALL SELECT row_to_json(h)::text FROM user_history h",
    )
    .load(&mut c)
    .unwrap();
    assert!(rows.len() >= 4);
    for r in &rows {
        assert!(!r.t.contains("9814000015"), "mobile in clear: {}", r.t);
        assert!(!r.t.contains(&u.name), "name in clear: {}", r.t);
        assert!(!r.t.contains(&code), "OTP in clear: {}", r.t);
        assert!(!r.t.contains(PW), "password in clear");
    }
    // ... and still found by mobile number, through the keyed hash.
    let found = mgramseva::platform::user::repo::by_mobile(
        &mut c,
        &app.identity().mobile_hash("9814000015"),
    )
    .unwrap();
    assert_eq!(found.len(), 1);
}

#[actix_web::test]
async fn keys_rotate() {
    use base64::Engine as _;
    let app = TestApp::new();
    let u = app.employee("9814000016", &["GP_ADMIN"], Some(PW));
    let mut sec = app.state.settings.security.clone();
    let new_key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    sec.pii_keys = Secret::new(format!("k9:{new_key},{}", sec.pii_keys.expose()));
    let rotated = mgramseva::platform::encryption::Crypto::from_settings(&sec).unwrap();
    let mut c = app.db.conn();
    assert!(service::rotate_keys(&mut c, &rotated).unwrap() >= 1);
    assert_eq!(
        service::rotate_keys(&mut c, &rotated).unwrap(),
        0,
        "nothing left to rotate"
    );
    let back = service::get(&mut c, &rotated, u.id).unwrap().unwrap();
    assert_eq!(
        (back.name, back.mobile_number.as_deref()),
        (u.name, Some("9814000016"))
    );
    assert!(
        service::get(&mut c, &app.state.crypto, u.id).is_err(),
        "the old key set cannot read it any more"
    );
}

#[actix_web::test]
async fn an_inactive_user_cannot_log_in_and_its_tokens_stop_working() {
    use mgramseva::db::schema::user_account;
    let app = TestApp::new();
    let u = app.employee("9814000017", &["GP_ADMIN"], Some(PW));
    let (_, v) = token(&app, "9814000017", PW).await;
    let t = v["access_token"].as_str().unwrap().to_owned();
    diesel::update(user_account::table.find(u.id))
        .set(user_account::active.eq(false))
        .execute(&mut app.db.conn())
        .unwrap();
    // as the app's own deactivation does (see gateway::a_revoked_or_expired_token_is_refused)
    mgramseva::platform::user::cache::auth_changed();
    assert_eq!(
        token(&app, "9814000017", PW).await.1["error_description"],
        "Please activate your account"
    );
    assert_eq!(
        app.post(&format!("/user/_details?access_token={t}"), json!({}))
            .await
            .0,
        401
    );
}

#[test]
fn the_user_create_command_reads_the_password_from_stdin() {
    use std::io::Write as _;
    let db = TestDb::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mgramseva"))
        .args([
            "user",
            "create",
            "--tenant",
            "pb",
            "--mobile",
            "9814000018",
            "--name",
            "Asha Rani",
            "--roles",
            "SARPANCH@pb.lodhipur,EMPLOYEE",
        ])
        .env("DATABASE_URL", &db.url)
        .env("APP_ENV", "test")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Asha@2026\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = TestApp::with_db(db);
    let mut c = app.db.conn();
    let r = service::login(
        &mut c,
        app.identity(),
        "9814000018",
        &Secret::new("Asha@2026"),
        "pb",
        "EMPLOYEE",
        Utc::now(),
    )
    .unwrap();
    let LoginOutcome::Success(u, _) = r else {
        panic!("login failed: {r:?}")
    };
    assert_eq!(u.name, "Asha Rani");
    assert!(
        u.roles
            .iter()
            .any(|r| r.code == "SARPANCH" && r.tenant_id == "pb.lodhipur")
    );
    assert!(
        u.roles
            .iter()
            .any(|r| r.code == "EMPLOYEE" && r.tenant_id == "pb")
    );
}
