//! "Find my connections" by mobile number and a one-time code (issue 15): the code comes by
//! SMS only to a number that holds households, the answers are the same either way, a wrong
//! code is counted, the right one lists every active household on the number (one: straight to
//! its bill) and is spent; bad numbers are form errors; sends are limited.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::pages::{CSRF, post};

/// The codes sent to `mobile`, oldest first.
fn codes_sent(app: &TestApp, mobile: &str) -> Vec<String> {
    let mut c = app.db.conn();
    let mut v: Vec<String> =
        mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, mobile, 50)
            .unwrap()
            .into_iter()
            .filter(|m| m.template == "CITIZEN_OTP")
            .map(|m| m.text.chars().take_while(char::is_ascii_digit).collect())
            .collect();
    v.reverse();
    v
}

async fn ask(app: &TestApp, mobile: &str) -> crate::pages::Page {
    post(
        app,
        "/citizen/otp",
        &format!(
            "_csrf={CSRF}&mobile={}",
            mgramseva::words::urlencode(mobile)
        ),
        None,
    )
    .await
}

async fn answer(app: &TestApp, mobile: &str, code: &str) -> crate::pages::Page {
    post(
        app,
        "/citizen/otp",
        &format!("_csrf={CSRF}&mobile={mobile}&code={code}"),
        None,
    )
    .await
}

#[actix_web::test]
async fn a_code_by_sms_lists_every_household_on_the_number() {
    let app = TestApp::new();
    let staff = app.login("9830000401", &["GP_ADMIN"]);
    let mut nos = Vec::new();
    for (mobile, old) in [
        ("9876540401", "F/1"),
        ("9876540401", "F/2"),
        ("9876540402", "F/3"),
    ] {
        let wc = gp_household(&app, &staff, (mobile, "Gurpreet Kaur", old), json!({})).await;
        nos.push(wc["connectionNo"].as_str().unwrap().to_owned());
    }
    // a number as people type it
    let p = ask(&app, "+91 98765 40401").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("id=\"code-form\""), "{}", p.body);
    assert!(p.body.contains("********01"), "{}", p.body);
    let codes = codes_sent(&app, "9876540401");
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].len(), 6, "{codes:?}");
    // a wrong code: a form error, counted
    let wrong = if codes[0] == "000000" {
        "111111"
    } else {
        "000000"
    };
    let p = answer(&app, "9876540401", wrong).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"error\""), "{}", p.body);
    assert!(p.body.contains("id=\"code-form\""));
    // the right one: both households of the number, not the third; names shortened
    let p = answer(&app, "9876540401", &codes[0]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("id=\"connections\""), "{}", p.body);
    for no in &nos[..2] {
        assert!(p.body.contains(no.as_str()), "{no}: {}", p.body);
        let link = format!(
            "/citizen/bill?tenantId={GP}&#38;consumerCode={}",
            mgramseva::words::urlencode(no)
        );
        assert!(p.body.contains(&link), "{link}: {}", p.body);
    }
    assert!(!p.body.contains(nos[2].as_str()));
    assert!(p.body.contains("Gu****** Ka**"), "{}", p.body);
    assert!(!p.body.contains("Gurpreet"));
    // the code is spent
    let p = answer(&app, "9876540401", &codes[0]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // one household on the number: straight to its bill
    ask(&app, "9876540402").await;
    let code = codes_sent(&app, "9876540402").pop().unwrap();
    let p = answer(&app, "9876540402", &code).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        p.location,
        format!(
            "/citizen/bill?tenantId={GP}&consumerCode={}",
            mgramseva::words::urlencode(&nos[2])
        )
    );
}

#[actix_web::test]
async fn a_number_without_households_looks_the_same_and_gets_nothing() {
    let app = TestApp::new();
    let p = ask(&app, "9876540499").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"code-form\""), "{}", p.body);
    assert_eq!(codes_sent(&app, "9876540499"), Vec::<String>::new());
    let p = answer(&app, "9876540499", "123456").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!p.body.contains("id=\"connections\""));
}

#[actix_web::test]
async fn bad_numbers_are_form_errors_and_sends_are_limited() {
    let app = TestApp::new();
    // a NUL byte is refused before the handler (400, a page)
    let p = post(
        &app,
        "/citizen/otp",
        &format!("_csrf={CSRF}&mobile=98765%0043210"),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    for bad in ["12345", "1234567890", "98765abcde", ""] {
        let p = post(
            &app,
            "/citizen/otp",
            &format!("_csrf={CSRF}&mobile={bad}"),
            None,
        )
        .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(p.body.contains("id=\"error\""), "{bad}: {}", p.body);
    }
    // without the form's token: refused
    let p = post(&app, "/citizen/otp", "mobile=9876540411", None).await;
    assert!(p.status.is_client_error(), "{}", p.status);
    // codes to one number per hour are limited
    let max = app.state.settings.security.otp_max_sends_per_hour;
    for _ in 0..max {
        assert_eq!(ask(&app, "9876540412").await.status, StatusCode::OK);
    }
    let p = ask(&app, "9876540412").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.body.contains("id=\"error\""), "{}", p.body);
}
