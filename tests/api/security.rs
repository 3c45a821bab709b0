//! What an attacker tries first (issue 10): headers, body limits, NUL bytes, redirects out of the
//! site, and minting users with roles the maker may not grant.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::helpers::*;

fn header(
    resp: &actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
    name: &str,
) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[actix_web::test]
async fn every_answer_carries_the_security_headers_and_only_static_files_are_cached() {
    let app = TestApp::new();
    let token = app.login("9830000001", &["COLLECTION_OPERATOR"]);
    let pdf_like = TestRequest::post()
        .uri(&format!(
            "/billing-service/bill/v2/_search?tenantId={GP}&consumerCode=WS/X/1&service=WS"
        ))
        .set_json(json!({"RequestInfo": ri(&token)}));
    for (what, req) in [
        ("page", TestRequest::get().uri("/login")),
        ("api", pdf_like),
        (
            "refused",
            TestRequest::post()
                .uri("/egov-idgen/id/_generate")
                .set_json(json!({})),
        ),
        ("unknown", TestRequest::get().uri("/no/such/path")),
    ] {
        let resp = app.call(req).await;
        assert_eq!(header(&resp, "x-frame-options"), "DENY", "{what}");
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header(&resp, "referrer-policy"), "same-origin", "{what}");
        assert!(
            header(&resp, "content-security-policy").contains("frame-ancestors 'none'"),
            "{what}"
        );
        assert_eq!(header(&resp, "cache-control"), "no-store", "{what}");
        assert_eq!(
            header(&resp, "strict-transport-security"),
            "",
            "{what}: plain HTTP in tests"
        );
    }
    let css = app
        .call(TestRequest::get().uri("/static/css/app.css"))
        .await;
    assert_eq!(header(&css, "cache-control"), "public, max-age=3600");
    let js = app.call(TestRequest::get().uri("/static/js/app.js")).await;
    assert_eq!(js.status(), 200);
    assert!(header(&js, "content-type").starts_with("text/javascript"));
}

#[actix_web::test]
async fn behind_https_cookies_are_secure_and_hsts_is_sent() {
    let app = TestApp::configured(|s| s.security.secure_cookies = true);
    let resp = app.call(TestRequest::get().uri("/login")).await;
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let csrf = cookies.iter().find(|c| c.starts_with("mgs_csrf=")).unwrap();
    assert!(csrf.contains("Secure"), "{csrf}");
    assert!(
        csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict"),
        "{csrf}"
    );
    assert!(header(&resp, "strict-transport-security").starts_with("max-age="));
}

#[actix_web::test]
async fn bodies_up_to_the_configured_two_mib_pass_and_larger_ones_are_413() {
    let app = TestApp::new();
    let limit = app.state.settings.server.max_body_bytes;
    assert_eq!(limit, 2 * 1024 * 1024);
    // 1.5 MB of JSON reaches the handler (actix's own 256 KiB limit used to refuse it with 400)
    let pad = "x".repeat(1_500_000);
    let (s, v) = app
        .post(
            "/mdms-v2/v1/_search",
            json!({"MdmsCriteria": {"tenantId": "pb", "moduleDetails": []}, "pad": pad}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let big = "y".repeat(3 * 1024 * 1024);
    for ct in [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
    ] {
        let (s, v) = app
            .send(
                TestRequest::post()
                    .uri("/mdms-v2/v1/_search")
                    .insert_header(("content-type", ct))
                    .set_payload(format!("{{\"pad\": \"{big}\"}}")),
            )
            .await;
        assert_eq!(s, 413, "{ct}");
        assert_eq!(code(&v), "PayloadTooLarge", "{ct}");
    }
    // a page form too: an HTML answer, not JSON
    let resp = app
        .call(
            TestRequest::post()
                .uri("/login")
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(format!("mobile={big}")),
        )
        .await;
    assert_eq!(resp.status(), 413);
    assert!(header(&resp, "content-type").starts_with("text/html"));
}

#[actix_web::test]
async fn a_nul_byte_anywhere_is_a_400_not_a_500() {
    let app = TestApp::new();
    let token = app.login("9830000002", &["GP_ADMIN"]);
    let json_nul = json!({"RequestInfo": ri(&token), "idRequests": [{"idName": "bill.billnumber\u{0}", "tenantId": GP}]});
    let (s, v) = app.post("/egov-idgen/id/_generate", json_nul).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_CHARACTER"), "{v}");
    let key_nul = json!({"RequestInfo": ri(&token), "tenantId": GP, "x\u{0}": 1});
    let (s, v) = app
        .post(
            &format!("/egov-location/location/v11/boundarys/_search?tenantId={GP}"),
            key_nul,
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_CHARACTER"), "{v}");
    // the token call, without a login: a form field and a query parameter
    let (s, v) = app
        .send(
            TestRequest::post()
                .uri("/user/oauth/token")
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .insert_header(("authorization", "Basic ZWdvdi11c2VyLWNsaWVudDo="))
                .set_payload("username=9830000002&password=x&grant_type=password&tenantId=%00&userType=EMPLOYEE"),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_CHARACTER"), "{v}");
    let (s, v) = app
        .post(
            "/localization/messages/v1/_search?locale=en_IN&tenantId=%00",
            json!({}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_CHARACTER"), "{v}");
    // a raw NUL in a body of any type, and in a path parameter
    let (s, v) = app
        .send(
            TestRequest::post()
                .uri("/mdms-v2/v1/_search")
                .insert_header(("content-type", "text/plain"))
                .set_payload(b"{\"MdmsCriteria\": {\"tenantId\": \"pb\0\"}}".to_vec()),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_CHARACTER"), "{v}");
    let (s, _) = app.get("/eus/abcd%00fg").await;
    assert_eq!(s, 400);
    // a page: HTML, not JSON
    let resp = app.call(TestRequest::get().uri("/login?next=%00")).await;
    assert_eq!(resp.status(), 400);
    assert!(header(&resp, "content-type").starts_with("text/html"));
}

#[actix_web::test]
async fn after_login_and_a_language_change_the_browser_stays_on_this_site() {
    let app = TestApp::new();
    for next in [
        "/%09/evil.example",
        "/%0D%0A/evil.example",
        "//evil.example",
        "https://evil.example",
        "/%5Cevil.example",
    ] {
        let resp = app
            .call(TestRequest::get().uri(&format!("/lang?to=en&next={next}")))
            .await;
        assert_eq!(resp.status(), 303, "{next}");
        assert_eq!(header(&resp, "location"), "/home", "{next}");
    }
    // a CR LF in the login form's next was an invalid header: a 500
    use diesel::prelude::*;
    let u = app.employee("9830000003", &["GP_ADMIN"], Some("Pass@1234"));
    diesel::update(mgramseva::db::schema::user_account::table.find(u.id))
        .set(mgramseva::db::schema::user_account::default_pwd_chgd.eq(true))
        .execute(&mut app.db.conn())
        .unwrap();
    let csrf = "c".repeat(48);
    let resp = app
        .call(
            TestRequest::post()
                .uri("/login")
                .cookie(actix_web::cookie::Cookie::new("mgs_csrf", csrf.clone()))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(format!(
                    "_csrf={csrf}&mobile=9830000003&password=Pass%401234&next=%2F%0D%0A%2Fevil.example"
                )),
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(header(&resp, "location"), "/home");
}

/// The second hole: the revenue collector minted SUPERUSER, STATE_ADMIN, DIV_ADMIN and
/// HRMS_ADMIN users. Only user administrators create users, only with roles they may grant, on
/// tenants they administer.
#[actix_web::test]
async fn only_user_administrators_create_users_and_only_with_roles_they_may_grant() {
    let app = TestApp::new();
    let roles: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/mdms/roles.json"))
            .unwrap(),
    )
    .unwrap();
    let mut n = 0u32;
    let mut create = async |token: &str, role: &str, tenant: &str| {
        n += 1;
        let mobile = format!("97{:08}", n);
        app.post(
            "/user/users/_createnovalidate",
            json!({"RequestInfo": ri(token), "user": {"name": "Made Here", "mobileNumber": mobile,
                "tenantId": tenant, "type": "EMPLOYEE", "roles": [{"code": role, "tenantId": tenant}]}}),
        )
        .await
    };
    for (i, r) in roles.iter().enumerate() {
        let code_ = r["code"].as_str().unwrap();
        // every member of staff holds EMPLOYEE too, the role the master maps to this path
        let token = app.login(
            &format!("98310{i:05}"),
            &[&format!("{code_}@{GP}"), &format!("EMPLOYEE@{GP}")],
        );
        for wanted in ["SUPERUSER", "STATE_ADMIN", "DIV_ADMIN", "HRMS_ADMIN"] {
            for tenant in [GP, STATE] {
                let (s, v) = create(&token, wanted, tenant).await;
                // product.md §1.2 / HRMS: a superuser grants anything, a state admin division
                // users, a division admin GP staff; each only where it holds its role
                let allowed = tenant == GP
                    && match code_ {
                        "SUPERUSER" => true,
                        "STATE_ADMIN" => ["DIV_ADMIN", "HRMS_ADMIN"].contains(&wanted),
                        _ => false,
                    };
                let want = if allowed { 200 } else { 403 };
                assert_eq!(s, want, "{code_}@{GP} making {wanted}@{tenant}: {v}");
            }
        }
        // the HRMS rule: a division admin makes a GP's secretary on its GPs, nobody else here
        let (s, v) = create(&token, "SECRETARY", GP).await;
        if code_ == "DIV_ADMIN" || code_ == "SUPERUSER" {
            assert_eq!(s, 200, "{v}");
            assert_eq!(v["user"][0]["roles"][0]["code"], "SECRETARY");
        } else {
            assert_eq!(s, 403, "{code_}: {v}");
        }
        let (s, _) = create(&token, "SECRETARY", OTHER_GP).await;
        assert_eq!(s, 403, "{code_} on {GP} makes nobody on {OTHER_GP}");
    }
    // the state admin makes division users; the superuser anything
    let state_admin = app.login("9832000001", &["STATE_ADMIN@pb", "EMPLOYEE@pb"]);
    assert_eq!(create(&state_admin, "DIV_ADMIN", OTHER_GP).await.0, 200);
    assert_eq!(create(&state_admin, "SUPERUSER", STATE).await.0, 403);
    assert_eq!(create(&state_admin, "SECRETARY", OTHER_GP).await.0, 403);
    let su = app.login("9832000002", &["SUPERUSER@pb"]);
    assert_eq!(create(&su, "STATE_ADMIN", STATE).await.0, 200);
    // and nobody was made by the refused calls: the GP superuser's five, the GP state admin's
    // two, the division admin's secretary, and the two here
    use diesel::prelude::*;
    let made: i64 = mgramseva::db::schema::user_history::table
        .filter(mgramseva::db::schema::user_history::action.eq("CREATED"))
        .filter(mgramseva::db::schema::user_history::changed_by.is_not_null())
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(made, 10);
}
