//! Names shown as data come from the catalogue in the reader's language: the GP on the bill and
//! receipt PDFs, and the onboarding SMS in Punjabi (the state's language) from the catalogue.

use actix_web::http::StatusCode;
use actix_web::test;
use serde_json::json;

use crate::calculator::pdf_text;
use crate::helpers::*;
use crate::pages::{CSRF, get, log_in, mark_password_changed, post, session_of};

fn field(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

fn enc(s: &str) -> String {
    mgramseva::http::page::urlencode(s)
}

#[actix_web::test]
async fn bill_and_receipt_pdfs_name_the_gp_and_ward_in_the_readers_language() {
    let app = TestApp::new();
    let admin = app.login("9830000901", &["GP_ADMIN"]);
    let clerk = app.employee("9830000902", &["REVENUE_COLLECTOR"], Some("Clerk@123"));
    mark_password_changed(&app, clerk.id);
    let sid = session_of(&log_in(&app, "9830000902", "Clerk@123").await);
    let wc = gp_household(
        &app,
        &admin,
        ("9876500901", "Gurpreet Kaur", "LP-901"),
        json!({"arrears": 300}),
    )
    .await;
    let no = wc["connectionNo"].as_str().unwrap().to_owned();

    // a PDF in a language, as text
    let raw = |path: String, lang: &'static str| {
        let (app, sid) = (&app, sid.clone());
        async move {
            let req = test::TestRequest::get()
                .uri(&path)
                .cookie(actix_web::cookie::Cookie::new("mgs_session", sid))
                .cookie(actix_web::cookie::Cookie::new("mgs_lang", lang));
            let resp = app.call(req).await;
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
            pdf_text(&test::read_body(resp).await)
        }
    };
    let bill = format!("/home/household/bill.pdf?no={}", enc(&no));
    let text = raw(bill.clone(), "pa").await;
    assert!(
        text.contains("ਲੋਧੀਪੁਰ") && !text.contains("LODHIPUR") && !text.contains("WARD1"),
        "{text}"
    );
    let text = raw(bill.clone(), "hi").await;
    assert!(
        text.contains("लोधीपुर") && !text.contains("LODHIPUR"),
        "{text}"
    );
    let text = raw(bill, "en").await;
    assert!(
        text.contains("Lodhipur") && !text.contains("LODHIPUR"),
        "{text}"
    );

    // pay 100 at the counter, then the receipt
    let found = get(
        &app,
        &format!("/home/collect?consumer={}", enc(&no)),
        Some(&sid),
    )
    .await;
    let bill_id = field(&found.body, "bill_id");
    assert!(!bill_id.is_empty(), "{}", found.body);
    let form = format!(
        "_csrf={CSRF}&bill_id={bill_id}&consumer={}&amount=100&payer=",
        enc(&no)
    );
    let confirm = post(&app, "/home/collect/confirm", &form, Some(&sid)).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let key = field(&confirm.body, "key");
    let paid = post(
        &app,
        "/home/collect/pay",
        &format!("{form}&key={key}"),
        Some(&sid),
    )
    .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let house = get(
        &app,
        &format!("/home/household?no={}", enc(&no)),
        Some(&sid),
    )
    .await;
    let receipt_no = house
        .body
        .split("/home/receipt.pdf?no=")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a receipt link")
        .to_owned();
    let text = raw(format!("/home/receipt.pdf?no={receipt_no}"), "pa").await;
    assert!(
        text.contains("ਲੋਧੀਪੁਰ") && !text.contains("LODHIPUR") && !text.contains("WARD1"),
        "{text}"
    );
}

#[actix_web::test]
async fn the_onboarding_sms_is_in_punjabi_from_the_catalogue() {
    let app = TestApp::new();
    let div = app.login("9830000911", &["DIV_ADMIN", "HRMS_ADMIN"]);
    let (s, v) = app
        .post(
            "/egov-hrms/employees/_create",
            json!({"RequestInfo": ri(&div), "Employees": [{"tenantId": "pb",
                "employeeType": "PERMANENT", "dateOfAppointment": 1_700_000_000_000i64,
                "assignments": [{"designation": "DESIG_61", "department": "DWSS"}],
                "user": {"name": "Asha Rani", "mobileNumber": "9830000912", "gender": "FEMALE",
                         "roles": [{"code": "SECRETARY", "tenantId": GP}]}}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let mut c = app.db.conn();
    let m =
        mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, "9830000912", 1)
            .unwrap();
    let text = &m.first().expect("an onboarding SMS").text;
    let want = app.state.i18n.text(
        mgramseva::platform::localization::Locale::Pa,
        "SMS_ON_BOARD_EMPLOYEE",
    );
    let opening = want.split('{').next().unwrap();
    assert!(
        opening
            .chars()
            .any(|c| ('\u{0A00}'..='\u{0A7F}').contains(&c)),
        "{want}"
    );
    assert!(
        text.starts_with(opening) && text.contains("ਯੂਜ਼ਰਨੇਮ: 9830000912"),
        "{text}"
    );
    assert!(
        !text.contains("Dear") && !text.contains("Username"),
        "{text}"
    );
}
