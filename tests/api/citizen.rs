//! The citizen's side (issue 15): the open endpoints the citizen pages and the app call without
//! a token answer only the consumer named, never a full mobile number, and are limited per
//! address; the citizen pages (find, bill with its breakdown, PDFs, UPI); feedback (page and
//! API, one per payment, 1..5); the SMS links landing on the pages.

use actix_web::http::StatusCode;
use actix_web::test;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::pages::{CSRF, get, post};

/// A GP with a household owing ₹170: opening arrears of ₹120 and this month's ₹50. Answers
/// (connection number, a staff token).
pub(crate) async fn household_170(app: &TestApp, mobile: &str) -> (String, String) {
    let admin = app.login("9830000071", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
    let wc = gp_household(
        app,
        &admin,
        (mobile, "Gurpreet Kaur", "OLD/170"),
        json!({"arrears": 120}),
    )
    .await;
    let no = wc["connectionNo"].as_str().unwrap().to_owned();
    let su = app.login("9830000072", &["SUPERUSER@pb"]);
    let from = ist_ms(month_start(0));
    let to = mgramseva::municipal::water::service::month_end_ms(month_start(0));
    let (s, v) = app
        .post(
            "/billing-service/demand/_create",
            json!({"RequestInfo": ri(&su), "Demands": [{"tenantId": GP, "consumerCode": no,
                "businessService": "WS", "taxPeriodFrom": from, "taxPeriodTo": to,
                "demandDetails": [{"taxHeadMasterCode": "10101", "taxAmount": 50}]}]}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    (no, admin)
}

/// Pays `amount` of the household's bill at the counter (API): (payment id, receipt number).
pub(crate) async fn pay_cash(
    app: &TestApp,
    token: &str,
    no: &str,
    amount: i64,
) -> (String, String) {
    let (s, v) = app
        .post(
            &format!(
                "/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={no}&businessService=WS"
            ),
            json!({"RequestInfo": ri(token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .post(
            "/collection-services/payments/_create",
            json!({"RequestInfo": ri(token), "Payment": {"tenantId": GP, "paymentMode": "CASH",
                "totalAmountPaid": amount, "paymentDetails": [{"businessService": "WS",
                "billId": v["Bill"][0]["id"], "totalAmountPaid": amount}]}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let p = &v["Payments"][0];
    (
        p["id"].as_str().unwrap().to_owned(),
        p["paymentDetails"][0]["receiptNumber"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

/// Every string anywhere in `v` that looks like a full 10-digit mobile number.
fn full_mobiles(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                let digits: String = s.chars().filter(char::is_ascii_digit).collect();
                if digits.len() == 10 && s.len() <= 13 && !s.contains('*') {
                    out.push(s.clone());
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

/// The five open endpoints, each naming the household `no` (or nothing: `None`).
fn open_paths(no: Option<&str>) -> Vec<String> {
    let c = |k: &str| no.map(|n| format!("&{k}={n}")).unwrap_or_default();
    vec![
        format!(
            "/billing-service/bill/v2/_search?tenantId={GP}&service=WS{}",
            c("consumerCode")
        ),
        format!(
            "/collection-services/payments/WS/_search?tenantId={GP}{}",
            c("consumerCodes")
        ),
        format!(
            "/billing-service/bill/v2/_fetchbill?tenantId={GP}&businessService=WS{}",
            c("consumerCode")
        ),
        format!(
            "/billing-service/demand/_search?tenantId={GP}&businessService=WS{}",
            c("consumerCode")
        ),
        format!(
            "/ws-calculator/waterCalculator/_getPenaltyDetails?tenantId={GP}{}",
            c("consumerCodes")
        ),
    ]
}

#[actix_web::test]
async fn open_endpoints_answer_one_consumer_masked_never_a_list() {
    let app = TestApp::new();
    let (no, admin) = household_170(&app, "9876543210").await;
    let (other, _) = {
        let wc = gp_household(
            &app,
            &admin,
            ("9876500999", "Harjit Singh", "OLD/999"),
            json!({"arrears": 80}),
        )
        .await;
        (wc["connectionNo"].as_str().unwrap().to_owned(), ())
    };
    pay_cash(&app, &admin, &no, 20).await;
    for path in open_paths(None) {
        let (s, v) = app.post(&path, json!({"RequestInfo": {}})).await;
        assert!(
            s.is_client_error(),
            "{path} without a consumer answered {s}: {v}"
        );
        assert!(
            ["LINK_SCOPE", "MISSING_FIELD"].contains(&code(&v)),
            "{path}: {v}"
        );
    }
    // two consumers at once: refused too
    let (s, v) = app
        .post(
            &format!("/billing-service/bill/v2/_search?tenantId={GP}&consumerCode={no},{other}"),
            json!({"RequestInfo": {}}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "LINK_SCOPE"), "{v}");
    for path in open_paths(Some(&no)) {
        let (s, v) = app.post(&path, json!({"RequestInfo": {}})).await;
        assert_eq!(s, 200, "{path}: {v}");
        let text = v.to_string();
        assert!(
            text.contains(&no),
            "{path} does not name the household: {v}"
        );
        assert!(
            !text.contains(&other),
            "{path} names another household: {v}"
        );
        assert!(
            full_mobiles(&v).is_empty(),
            "{path}: {:?}",
            full_mobiles(&v)
        );
        assert!(!text.contains("9876543210"), "{path}: {v}");
    }
    // the bill the household sees: ₹150 left of 170
    let (_, v) = app
        .post(&open_paths(Some(&no))[2], json!({"RequestInfo": {}}))
        .await;
    assert_eq!(v["Bill"][0]["totalAmount"], json!(150), "{v}");
    assert_eq!(v["Bill"][0]["mobileNumber"], "********10", "{v}");
}

#[actix_web::test]
async fn open_endpoints_and_citizen_pages_are_limited_per_address() {
    let app = TestApp::configured(|s| s.security.anonymous_calls_per_minute = 6);
    let (no, _) = household_170(&app, "9876543210").await;
    let from =
        |req: test::TestRequest, ip: &str| req.peer_addr(format!("{ip}:4000").parse().unwrap());
    for (i, path) in open_paths(Some(&no)).into_iter().enumerate() {
        let ip = format!("10.9.0.{}", i + 1);
        for _ in 0..6 {
            let r = from(test::TestRequest::post().uri(&path), &ip)
                .set_json(json!({"RequestInfo": {}}));
            assert_eq!(app.send(r).await.0, 200, "{path}");
        }
        let r =
            from(test::TestRequest::post().uri(&path), &ip).set_json(json!({"RequestInfo": {}}));
        let (s, v) = app.send(r).await;
        assert_eq!(
            (s.as_u16(), code(&v)),
            (429, "TOO_MANY_REQUESTS"),
            "{path}: {v}"
        );
    }
    // the pages share the address's allowance
    let page = format!("/citizen/bill?tenantId={GP}&consumerCode={no}");
    for _ in 0..6 {
        let r = from(test::TestRequest::get().uri(&page), "10.9.1.1");
        assert_eq!(app.call(r).await.status(), StatusCode::OK);
    }
    let r = from(test::TestRequest::get().uri(&page), "10.9.1.1");
    assert_eq!(app.call(r).await.status(), StatusCode::TOO_MANY_REQUESTS);
    let r = from(test::TestRequest::get().uri(&page), "10.9.1.2");
    assert_eq!(app.call(r).await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn find_my_connection_and_see_the_bill_month_by_month() {
    let app = TestApp::new();
    let (no, _) = household_170(&app, "9876543210").await;
    // the new number alone names its GP
    let p = get(&app, &format!("/citizen?consumerCode={no}"), None).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let bill = format!(
        "/citizen/bill?tenantId={GP}&consumerCode={}",
        mgramseva::http::page::urlencode(&no)
    );
    assert_eq!(p.location, bill);
    // the old number needs the GP, by name (Lodhipur: two GPs of that name → a pick)
    let p = get(&app, "/citizen?consumerCode=OLD/170&gp=lodhi", None).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"picks\""), "{}", p.body);
    let p = get(
        &app,
        &format!("/citizen?consumerCode=OLD/170&tenantId={GP}"),
        None,
    )
    .await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, bill.as_str())
    );
    let p = get(
        &app,
        &format!("/citizen?consumerCode=OLD/170&tenantId={OTHER_GP}"),
        None,
    )
    .await;
    assert!(p.body.contains("id=\"error\""), "{}", p.body);
    let p = get(&app, "/citizen?consumerCode=WS/7374/2026-27/9999", None).await;
    assert!(p.body.contains("id=\"error\""), "{}", p.body);

    let p = get(&app, &bill, None).await;
    assert_eq!(p.status, StatusCode::OK);
    let b = &p.body;
    for want in [
        "id=\"total\">₹170",
        "id=\"arrears\">₹120",
        "id=\"current\">₹50",
        "id=\"penalty\">₹0",
        "id=\"advance\">₹0",
        "id=\"holder\">Gu****** Ka**",
        "********10",
        "id=\"pay-form\"",
    ] {
        assert!(b.contains(want), "{want} not in {b}");
    }
    assert!(!b.contains("9876543210") && !b.contains("Gurpreet"), "{b}");
    assert!(!b.contains("id=\"upi\""), "no VPA, no UPI: {b}");
    // in Punjabi by default
    let pa = crate::pages::call_in(&app, test::TestRequest::get().uri(&bill), None, "pa").await;
    assert!(
        pa.body.contains("lang=\"pa\"") && pa.body.contains("ਪਾਣੀ ਦਾ ਬਿੱਲ"),
        "{}",
        pa.body
    );
    let pdf = get(
        &app,
        &format!("/citizen/bill.pdf?tenantId={GP}&consumerCode={no}"),
        None,
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"));
    // another GP's household, or an unknown one: not found
    let p = get(
        &app,
        &format!("/citizen/bill?tenantId={OTHER_GP}&consumerCode={no}"),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = get(
        &app,
        &format!("/citizen/bill.pdf?tenantId={OTHER_GP}&consumerCode={no}"),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_gps_upi_address_puts_a_pay_intent_and_its_qr_code_on_the_bill_and_its_pdf() {
    let app = TestApp::new();
    let (no, _) = household_170(&app, "9876543210").await;
    let bill = format!("/citizen/bill?tenantId={GP}&consumerCode={no}");
    let pdf_path = format!("/citizen/bill.pdf?tenantId={GP}&consumerCode={no}");
    let before = get(&app, &pdf_path, None).await.body.len();
    let mut c = app.db.conn();
    assert!(mgramseva::municipal::water::citizen::upi::set(&mut c, GP, Some("not a vpa")).is_err());
    mgramseva::municipal::water::citizen::upi::set(&mut c, GP, Some("lodhipur.gpwsc@sbi")).unwrap();
    let p = get(&app, &bill, None).await;
    assert!(p.body.contains("id=\"upi\""), "{}", p.body);
    let body = p.body.replace("&#38;", "&").replace("&amp;", "&");
    assert!(
        body.contains("upi://pay?pa=lodhipur.gpwsc@sbi&pn=Lodhipur&am=170.00&tn="),
        "{body}"
    );
    assert!(body.contains("&cu=INR") && body.contains("<svg"), "{body}");
    let after = get(&app, &pdf_path, None).await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(
        after.body.len() > before,
        "the QR code adds to the PDF: {before} → {}",
        after.body.len()
    );
    // nothing due: no UPI
    mgramseva::municipal::water::citizen::upi::set(&mut c, GP, None).unwrap();
    assert!(!get(&app, &bill, None).await.body.contains("id=\"upi\""));
}

#[actix_web::test]
async fn feedback_once_per_payment_one_to_five_tagged_with_the_bills_period() {
    let app = TestApp::new();
    let (no, admin) = household_170(&app, "9876543210").await;
    let (pid, _) = pay_cash(&app, &admin, &no, 170).await;
    let body = |pid: &str, conn: &str, v: [Value; 3]| {
        json!({"RequestInfo": {}, "feedback": {"tenantId": GP, "paymentId": pid, "connectionno": conn,
            "additionaldetails": {"CheckList": [
                {"code": "HAPPY_WATER_SUPPLY", "type": "SINGLE_SELECT", "value": v[0]},
                {"code": "WATER_QUALITY_GOOD", "type": "SINGLE_SELECT", "value": v[2]},
                {"code": "WATER_SUPPLY_REGULAR", "type": "SINGLE_SELECT", "value": v[1]}]}}})
    };
    let path = "/ws-services/wc/_submitfeedback";
    // out of range, another connection, an unknown payment: refused, nothing stored
    for (b, want) in [
        (
            body(&pid, &no, [json!("6"), json!(4), json!(5)]),
            "INVALID_FEEDBACK",
        ),
        (
            body(&pid, &no, [json!(0), json!(4), json!(5)]),
            "INVALID_FEEDBACK",
        ),
        (
            body(&pid, "WS/7374/2026-27/9999", [json!(5), json!(4), json!(5)]),
            "PAYMENT_NOT_FOUND",
        ),
        (
            body(
                &uuid::Uuid::new_v4().to_string(),
                &no,
                [json!(5), json!(4), json!(5)],
            ),
            "PAYMENT_NOT_FOUND",
        ),
    ] {
        let (s, v) = app.post(path, b).await;
        assert_eq!((s.as_u16(), code(&v)), (400, want), "{v}");
    }
    // the link holder's answers, as the app sends them (strings)
    let (s, v) = app
        .post(path, body(&pid, &no, [json!("5"), json!("4"), json!("5")]))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["feedback"]["additionalDetails"]["CheckList"][1],
        json!({"code": "WATER_SUPPLY_REGULAR", "type": "SINGLE_SELECT", "value": 4})
    );
    let (s, v) = app
        .post(path, body(&pid, &no, [json!(1), json!(1), json!(1)]))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (409, "FEEDBACK_EXISTS"), "{v}");
    // stored once, with the bill's period (this month, the latest of the bill)
    let rows: Vec<(i16, i16, i16, chrono::DateTime<chrono::Utc>)> = diesel::sql_query(
        "SELECT happy_water_supply AS a, water_supply_regular AS b, water_quality_good AS c, period_from AS f FROM water_feedback",
    )
    .load::<FeedbackRow>(&mut app.db.conn())
    .unwrap()
    .into_iter()
    .map(|r| (r.a, r.b, r.c, r.f))
    .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].0, rows[0].1, rows[0].2), (5, 4, 5));
    assert_eq!(rows[0].3.timestamp_millis(), ist_ms(month_start(0)));
    // the database holds the rules too
    let dup = diesel::sql_query(format!(
        "INSERT INTO water_feedback (id, tenant_id, connection_no, payment_id, period_from, period_to, happy_water_supply, water_supply_regular, water_quality_good) VALUES (gen_random_uuid(), '{GP}', '{no}', '{pid}', now(), now(), 1, 1, 1)"
    ))
    .execute(&mut app.db.conn());
    assert!(dup.is_err());
    let six = diesel::sql_query(format!(
        "INSERT INTO water_feedback (id, tenant_id, connection_no, payment_id, period_from, period_to, happy_water_supply, water_supply_regular, water_quality_good) VALUES (gen_random_uuid(), '{GP}', '{no}', gen_random_uuid(), now(), now(), 6, 1, 1)"
    ))
    .execute(&mut app.db.conn());
    assert!(six.is_err());
    // read back by staff (averages, as ws-services), not without a login
    let (s, v) = app
        .post(
            &format!("/ws-services/wc/_getfeedback?tenantId={GP}"),
            json!({"RequestInfo": ri(&admin)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["feedback"],
        json!({"HAPPY_WATER_SUPPLY": 5, "WATER_SUPPLY_REGULAR": 4, "WATER_QUALITY_GOOD": 5, "count": 1})
    );
    let (s, _) = app
        .post(
            &format!("/ws-services/wc/_getfeedback?tenantId={GP}"),
            json!({"RequestInfo": {}}),
        )
        .await;
    assert!(s == 401 || s == 403, "{s}");
}

#[derive(QueryableByName)]
struct FeedbackRow {
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    a: i16,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    b: i16,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    c: i16,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    f: chrono::DateTime<chrono::Utc>,
}

#[actix_web::test]
async fn the_feedback_page_asks_three_questions_and_thanks_once() {
    let app = TestApp::new();
    let (no, admin) = household_170(&app, "9876543210").await;
    let (pid, _) = pay_cash(&app, &admin, &no, 100).await;
    let q = mgramseva::http::page::urlencode(&no);
    let path = format!("/citizen/feedback?tenantId={GP}&connectionno={q}&paymentId={pid}");
    let p = get(&app, &path, None).await;
    assert_eq!(p.status, StatusCode::OK);
    for code in [
        "HAPPY_WATER_SUPPLY",
        "WATER_SUPPLY_REGULAR",
        "WATER_QUALITY_GOOD",
    ] {
        assert_eq!(
            p.body.matches(&format!("name=\"{code}\"")).count(),
            5,
            "{}",
            p.body
        );
    }
    let form = |h: &str| {
        format!(
            "_csrf={CSRF}&tenantId={GP}&connectionno={q}&paymentId={pid}&HAPPY_WATER_SUPPLY={h}&WATER_SUPPLY_REGULAR=4&WATER_QUALITY_GOOD=5"
        )
    };
    let p = post(&app, "/citizen/feedback", &form(""), None).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"error\""), "{}", p.body);
    let p = post(&app, "/citizen/feedback", &form("5"), None).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("id=\"thanks\""), "{}", p.body);
    let p = get(&app, &path, None).await;
    assert!(p.body.contains("id=\"thanks\"") && !p.body.contains("name=\"HAPPY_WATER_SUPPLY\""));
    // without the form's token: refused
    let p = post(
        &app,
        "/citizen/feedback",
        &form("5").replace(CSRF, "x"),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // a payment id that is not this household's: not found
    let other = format!(
        "/citizen/feedback?tenantId={GP}&connectionno={q}&paymentId={}",
        uuid::Uuid::new_v4()
    );
    assert_eq!(get(&app, &other, None).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_sms_links_land_on_the_citizen_pages() {
    let app = TestApp::new();
    let (no, admin) = household_170(&app, "9876543210").await;
    let st = app.state.clone();
    let mut c = app.db.conn();
    let now = chrono::Utc::now();
    let id = mgramseva::municipal::water::citizen::links::bill_sms(&mut c, &st, GP, &no, now)
        .unwrap()
        .expect("a bill SMS");
    let (pid, _) = pay_cash(&app, &admin, &no, 170).await;
    let ids = mgramseva::municipal::water::citizen::links::receipt_sms(
        &mut c,
        &st,
        uuid::Uuid::parse_str(&pid).unwrap(),
        true,
        now,
    )
    .unwrap();
    assert_eq!(ids.len(), 2);
    let texts: Vec<(String, String)> =
        mgramseva::platform::notification::latest(&mut c, &st.crypto, 10)
            .unwrap()
            .into_iter()
            .map(|m| {
                assert_eq!(m.mobile, "9876543210");
                (m.template, m.text)
            })
            .collect();
    assert!(id > 0);
    let link_in = |needle: &str| -> String {
        let (_, t) = texts
            .iter()
            .find(|(k, _)| k == needle)
            .unwrap_or_else(|| panic!("{needle} in {texts:?}"));
        let start = t.find("http").unwrap();
        t[start..].split_whitespace().next().unwrap().to_owned()
    };
    let base = &st.settings.app.base_url;
    let bill_link = link_in("mGram.Consumer.NewBill");
    let path = bill_link
        .strip_prefix(base.trim_end_matches('/'))
        .unwrap()
        .to_owned();
    let p = get(&app, &path, None).await;
    assert_eq!(p.status, StatusCode::FOUND, "{}", p.body);
    assert!(
        p.location
            .starts_with(&format!("/citizen/bill?tenantId={GP}&consumerCode=")),
        "{}",
        p.location
    );
    let receipt_link = link_in("mGram.Consumer.DownloadReceipt");
    let path = receipt_link
        .strip_prefix(base.trim_end_matches('/'))
        .unwrap()
        .to_owned();
    let p = get(&app, &path, None).await;
    assert!(
        p.location.starts_with("/citizen/receipt.pdf?"),
        "{}",
        p.location
    );
    let pdf = get(&app, &p.location, None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"));
    let survey = link_in("mGram.Consumer.TakeSurvey");
    let path = survey
        .strip_prefix(base.trim_end_matches('/'))
        .unwrap()
        .to_owned();
    let p = get(&app, &path, None).await;
    assert!(
        p.location.starts_with("/citizen/feedback?"),
        "{}",
        p.location
    );
    assert_eq!(get(&app, &p.location, None).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn the_pay_form_starts_a_payment_at_the_gateway_or_says_why_not() {
    let app = TestApp::new();
    let (no, _) = household_170(&app, "9876543210").await;
    let q = mgramseva::http::page::urlencode(&no);
    let form = |amount: &str| {
        format!("_csrf={CSRF}&tenantId={GP}&consumerCode={q}&billId=&amount={amount}")
    };
    for bad in ["0", "abc", "1.005"] {
        let p = post(&app, "/citizen/pay", &form(bad), None).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{bad}: {}", p.body);
        assert!(
            p.location.contains("error=CITIZEN_BAD_AMOUNT"),
            "{bad}: {}",
            p.location
        );
    }
    let p = post(&app, "/citizen/pay", &form("170"), None).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(!p.location.contains("/citizen/bill"), "{}", p.location);
    let back = get(
        &app,
        &format!("/citizen/bill?tenantId={GP}&consumerCode={q}&error=CITIZEN_PAY_REFUSED"),
        None,
    )
    .await;
    assert!(back.body.contains("id=\"pay-error\""), "{}", back.body);
}
