//! OTPs: first login and password reset by OTP; expiry, tries and send limits; no account
//! enumeration; register OTPs limited per client address.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use mgramseva::config::Secret;
use serde_json::{Value, json};

use super::{PW, token};
use crate::helpers::*;

pub(super) fn otp_of(app: &TestApp, mobile: &str) -> Option<String> {
    let mut c = app.db.conn();
    let msgs = mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, mobile, 1)
        .unwrap();
    let text = msgs.first()?.text.clone();
    text.split(|ch: char| !ch.is_ascii_digit())
        .find(|w| w.len() == 6)
        .map(str::to_owned)
}

pub(super) async fn send_otp(app: &TestApp, mobile: &str) -> Resp {
    app.post(
        "/user-otp/v1/_send",
        json!({"RequestInfo": {"msgId": "1|en_IN"}, "otp": {"mobileNumber": mobile, "tenantId": "pb", "type": "passwordreset", "userType": "Employee"}}),
    )
    .await
}

async fn reset(app: &TestApp, mobile: &str, otp: &str, new: &str) -> Resp {
    app.post(
        "/user/password/nologin/_update",
        json!({"RequestInfo": {}, "otpReference": otp, "userName": mobile, "newPassword": new, "tenantId": "pb", "type": "EMPLOYEE"}),
    )
    .await
}

#[actix_web::test]
async fn first_login_by_otp() {
    let app = TestApp::new();
    app.employee("9814000013", &["COLLECTION_OPERATOR"], Some(PW));
    let (s, v) = send_otp(&app, "9814000013").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["isSuccessful"], true);
    let code1 = otp_of(&app, "9814000013").expect("an SMS with a 6-digit code");
    let mut c = app.db.conn();
    let sms =
        &mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, "9814000013", 1)
            .unwrap()[0];
    assert_eq!(
        sms.template, "RESET_PASSWORD_FIRST_TIME_OTP",
        "the user never changed the default password"
    );
    assert!(sms.text.contains("NalJal"), "{}", sms.text);

    let wrong = if code1 == "000000" {
        "000001"
    } else {
        "000000"
    };
    let (s, v) = reset(&app, "9814000013", wrong, "Naya@2026").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_OTP"));
    let (s, v) = reset(&app, "9814000013", &code1, "weak").await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "INVALID_PASSWORD"),
        "a weak password does not use the code up"
    );
    let (s, v) = reset(&app, "9814000013", &code1, "Naya@2026").await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = reset(&app, "9814000013", &code1, "Naya@2027").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "OTP_EXPIRED"), "single use");
    assert_eq!(token(&app, "9814000013", "Naya@2026").await.0, 200);
    // the next OTP is an ordinary reset
    send_otp(&app, "9814000013").await;
    let sms =
        &mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, "9814000013", 1)
            .unwrap()[0];
    assert_eq!(sms.template, "RESET_PASSWORD_OTP");
    assert_ne!(
        otp_of(&app, "9814000013").unwrap(),
        code1,
        "a fresh random code"
    );
}

#[actix_web::test]
async fn otps_expire_allow_few_tries_and_few_sends() {
    use mgramseva::platform::user::otp::{self, Reset};
    let app = TestApp::new();
    app.employee("9814000014", &["GP_ADMIN"], Some(PW));
    let id = app.identity();
    let mut c = app.db.conn();
    send_otp(&app, "9814000014").await;
    let code = otp_of(&app, "9814000014").unwrap();
    let later = Utc::now() + Duration::minutes(11);
    let r = otp::reset_password(
        &mut c,
        id,
        "pb",
        "9814000014",
        "EMPLOYEE",
        &code,
        &Secret::new("Naya@2026"),
        later,
    )
    .unwrap();
    assert!(matches!(r, Reset::NoValidCode), "valid 10 minutes: {r:?}");

    send_otp(&app, "9814000014").await;
    let code = otp_of(&app, "9814000014").unwrap();
    let wrong = if code == "999999" { "999998" } else { "999999" };
    for _ in 0..5 {
        assert_eq!(
            code_of(reset(&app, "9814000014", wrong, "Naya@2026").await),
            "INVALID_OTP"
        );
    }
    assert_eq!(
        code_of(reset(&app, "9814000014", &code, "Naya@2026").await),
        "OTP_EXPIRED",
        "5 tries, then the code is dead"
    );

    // 2 sends so far; 3 more are allowed this hour, the sixth is refused.
    for _ in 0..3 {
        assert_eq!(send_otp(&app, "9814000014").await.0, 200);
    }
    let (s, v) = send_otp(&app, "9814000014").await;
    assert_eq!(s, 429, "{v}");
    assert_eq!(v["error"]["fields"][0]["code"], "OTP.RATE_LIMIT");
}

fn code_of(r: Resp) -> String {
    code(&r.1).to_owned()
}

#[actix_web::test]
async fn otp_bad_input_and_no_account_enumeration() {
    let app = TestApp::new();
    let (s, v) = send_otp(&app, "12345").await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["code"], 400);
    assert_eq!(
        v["error"]["fields"][0]["code"],
        "OTP.MOBILE_NUMBER_INVALIDLENGTH"
    );
    assert_eq!(v["error"]["fields"][0]["field"], "otp.mobileNumber");
    let (s, v) = app
        .post(
            "/user-otp/v1/_send",
            json!({"otp": {"mobileNumber": "9814000099", "type": "passwordreset"}}),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["error"]["fields"][0]["code"].as_str()),
        (400, Some("OTP.TENANT_ID_MANDATORY"))
    );
    // An unknown number gets the same answer, and no SMS.
    let (s, v) = send_otp(&app, "9814000099").await;
    assert_eq!((s.as_u16(), v["isSuccessful"].as_bool()), (200, Some(true)));
    assert_eq!(otp_of(&app, "9814000099"), None);
    assert_eq!(
        code_of(reset(&app, "9814000099", "123456", "Naya@2026").await),
        "INVALID_OTP"
    );
}

#[actix_web::test]
async fn a_reset_by_otp_answers_alike_with_or_without_an_account() {
    let app = TestApp::new();
    app.employee("9814000022", &["GP_ADMIN"], Some(PW));
    let (real, nobody) = ("9814000022", "9814000098");
    // No code asked for: the same answer (it was OTP_EXPIRED beside INVALID_OTP).
    let a = reset(&app, real, "123456", "Naya@2026").await;
    let b = reset(&app, nobody, "123456", "Naya@2026").await;
    assert_eq!((a.0.as_u16(), code(&a.1)), (400, "OTP_EXPIRED"), "{}", a.1);
    assert_eq!(a, b, "no code asked for");
    // A code asked for (delivered to the account, to nobody otherwise): the wrong tries are
    // answered alike, and so is the dead code after the fifth.
    assert_eq!(send_otp(&app, real).await, send_otp(&app, nobody).await);
    let sent = otp_of(&app, real).unwrap();
    let wrong = if sent == "000000" { "000001" } else { "000000" };
    for i in 1..=6 {
        let a = reset(&app, real, wrong, "Naya@2026").await;
        let b = reset(&app, nobody, wrong, "Naya@2026").await;
        let want = if i <= 5 { "INVALID_OTP" } else { "OTP_EXPIRED" };
        assert_eq!((a.0.as_u16(), code(&a.1)), (400, want), "try {i}: {}", a.1);
        assert_eq!(a, b, "try {i}");
    }
    // A user name that is no number at all: like an account that never asked for a code.
    assert_eq!(
        reset(&app, "no-such-user", "123456", "Naya@2026").await,
        reset(&app, real, "123456", "Naya@2026").await
    );
}

#[actix_web::test]
async fn the_sixth_otp_in_an_hour_is_refused_with_or_without_an_account() {
    let app = TestApp::new();
    app.employee("9814000023", &["GP_ADMIN"], Some(PW));
    let (real, nobody) = ("9814000023", "9814000097");
    for i in 1..=5 {
        let a = send_otp(&app, real).await;
        assert_eq!(a.0, 200, "send {i}: {}", a.1);
        assert_eq!(a, send_otp(&app, nobody).await, "send {i}");
    }
    let a = send_otp(&app, real).await;
    let b = send_otp(&app, nobody).await;
    assert_eq!(a.0, 429, "{}", a.1);
    assert_eq!(a.1["error"]["fields"][0]["code"], "OTP.RATE_LIMIT");
    assert_eq!(a, b, "the same 429 for a number without an account");
    // Only the account's number gets SMS.
    let mut c = app.db.conn();
    let sms = |m: &str| {
        mgramseva::platform::notification::messages_to(&mut app.db.conn(), &app.state.crypto, m, 10)
            .unwrap()
            .len()
    };
    assert_eq!((sms(real), sms(nobody)), (5, 0));
    // ... and no account was made for the other.
    let id = app.identity();
    assert!(
        mgramseva::platform::user::repo::by_mobile(&mut c, &id.mobile_hash(nobody))
            .unwrap()
            .is_empty()
    );
}

/// A register OTP asked for from `peer`, with an X-Forwarded-For header if given.
async fn register_otp(app: &TestApp, mobile: &str, peer: &str, forwarded: Option<&str>) -> Resp {
    let mut req = actix_web::test::TestRequest::post()
        .uri("/user-otp/v1/_send")
        .peer_addr(format!("{peer}:40000").parse().unwrap())
        .set_json(json!({"RequestInfo": {"msgId": "1|en_IN"}, "otp": {"mobileNumber": mobile, "tenantId": "pb", "type": "register", "userType": "CITIZEN"}}));
    if let Some(f) = forwarded {
        req = req.insert_header(("x-forwarded-for", f));
    }
    app.send(req).await
}

/// The 429 of the OTP limits, as the per-number one has always been shaped.
fn assert_rate_limited((s, v): &Resp) {
    assert_eq!(s.as_u16(), 429, "{v}");
    assert_eq!(v["responseInfo"], Value::Null, "{v}");
    assert_eq!(v["error"]["code"], 429, "{v}");
    assert_eq!(v["error"]["fields"][0]["code"], "OTP.RATE_LIMIT", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
}

#[actix_web::test]
async fn register_otps_are_limited_per_client_address_which_is_kept_only_hashed() {
    let app = TestApp::configured(|s| {
        s.security.otp_register_max_per_address_per_hour = 3;
        s.security.otp_register_max_per_hour = 100;
    });
    for m in ["9814000110", "9814000111", "9814000112"] {
        let (s, v) = register_otp(&app, m, "10.1.1.1", None).await;
        assert_eq!(s, 200, "{m}: {v}");
        assert!(otp_of(&app, m).is_some(), "{m} got its SMS");
    }
    // A fourth number from the same address: refused like a sixth send to one number.
    let r = register_otp(&app, "9814000113", "10.1.1.1", None).await;
    assert_rate_limited(&r);
    assert_eq!(otp_of(&app, "9814000113"), None, "no SMS");
    // Without a trusted proxy, a forged X-Forwarded-For changes nothing ...
    assert_rate_limited(&register_otp(&app, "9814000113", "10.1.1.1", Some("10.9.9.9")).await);
    // ... while another address is not held back.
    let (s, v) = register_otp(&app, "9814000113", "10.1.1.2", None).await;
    assert_eq!(s, 200, "{v}");
    // The same per-number shape, for comparison.
    for i in 0..5 {
        let (s, v) = register_otp(&app, "9814000114", &format!("10.1.2.{i}"), None).await;
        assert_eq!(s, 200, "{v}");
    }
    let r = register_otp(&app, "9814000114", "10.1.2.9", None).await;
    assert_rate_limited(&r);
    // What is counted is kept in the database, and the address only as a keyed hash.
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT row_to_json(o)::text AS t FROM user_otp o WHERE purpose = 'register'",
    )
    .load(&mut app.db.conn())
    .unwrap();
    assert_eq!(rows.len(), 9);
    for r in &rows {
        assert!(!r.t.contains("10.1.1."), "an address in clear: {}", r.t);
        assert!(!r.t.contains("\"client_hash\":null"), "{}", r.t);
    }
}

#[actix_web::test]
async fn behind_a_trusted_proxy_the_first_forwarded_hop_is_the_client() {
    let app = TestApp::configured(|s| {
        s.server.trust_forwarded_for = true;
        s.security.otp_register_max_per_address_per_hour = 2;
    });
    let proxy = "10.0.0.9";
    let first = Some("10.2.2.1, 10.0.0.9");
    for m in ["9814000120", "9814000121"] {
        assert_eq!(register_otp(&app, m, proxy, first).await.0, 200, "{m}");
    }
    assert_rate_limited(&register_otp(&app, "9814000122", proxy, first).await);
    let other = Some("10.2.2.2, 10.0.0.9");
    assert_eq!(register_otp(&app, "9814000122", proxy, other).await.0, 200);
    // Not an address: the peer's is used.
    assert_eq!(
        register_otp(&app, "9814000123", proxy, Some("nonsense"))
            .await
            .0,
        200
    );
}

#[actix_web::test]
async fn register_otps_have_an_hourly_cap_in_all() {
    let app = TestApp::configured(|s| {
        s.security.otp_register_max_per_hour = 4;
    });
    for i in 0..4 {
        let (s, v) =
            register_otp(&app, &format!("981400013{i}"), &format!("10.3.3.{i}"), None).await;
        assert_eq!(s, 200, "{i}: {v}");
    }
    let r = register_otp(&app, "9814000134", "10.3.3.4", None).await;
    assert_rate_limited(&r);
    assert_eq!(otp_of(&app, "9814000134"), None, "no SMS");
    // Password-reset OTPs go only to accounts and are outside the cap.
    app.employee("9814000135", &["GP_ADMIN"], Some(PW));
    assert_eq!(send_otp(&app, "9814000135").await.0, 200);
    assert!(otp_of(&app, "9814000135").is_some());
}
