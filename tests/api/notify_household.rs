//! The SMS of product.md §5.1 that a change to a household sends, queued in the change's own
//! transaction: a new bill after bulk demand (each household its amount and a working short
//! link; the GP's collectors told the month is billed), a new bill after a meter reading, the
//! receipt with what is still pending after a counter payment (and the survey, queued for the
//! switch to decide), nothing for a payment only validated, the edit notice.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::pages::get;

/// The messages queued to `mobile`, oldest first: (template, text).
fn sms_to(app: &TestApp, mobile: &str) -> Vec<(String, String)> {
    let mut c = app.db.conn();
    let mut v: Vec<(String, String)> =
        mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, mobile, 50)
            .unwrap()
            .into_iter()
            .map(|m| (m.template, m.text))
            .collect();
    v.reverse();
    v
}

fn with_template(msgs: &[(String, String)], template: &str) -> Vec<String> {
    msgs.iter()
        .filter(|(t, _)| t == template)
        .map(|(_, x)| x.clone())
        .collect()
}

/// The link in an SMS text, as a path of this server.
fn link_path(app: &TestApp, text: &str) -> String {
    let start = text.find("http").expect("a link in the SMS");
    let link = text[start..].split_whitespace().next().unwrap();
    link.strip_prefix(app.state.settings.app.base_url.trim_end_matches('/'))
        .unwrap_or_else(|| panic!("{link} is not of this server"))
        .to_owned()
}

async fn household(app: &TestApp, token: &str, mobile: &str, old: &str, extra: Value) -> String {
    let mut wc = json!({"previousReadingDate": ist_ms(month_start(2)) + 3_600_000});
    for (k, x) in extra.as_object().unwrap() {
        wc[k.as_str()] = x.clone();
    }
    let wc = gp_household(app, token, (mobile, "Harjit Kaur", old), wc).await;
    wc["connectionNo"].as_str().unwrap().to_owned()
}

fn month_period(m: chrono::NaiveDate) -> String {
    let last = mgramseva::municipal::water::service::month_end_ms(m);
    let last = chrono::DateTime::from_timestamp_millis(last)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    format!("{}-{}", m.format("%d/%m/%Y"), last.format("%d/%m/%Y"))
}

#[actix_web::test]
async fn bulk_demand_sends_each_household_its_new_bill_and_tells_the_collectors() {
    let app = TestApp::new();
    let staff = app.login(
        "9830000301",
        &["GP_ADMIN", "SECRETARY", "COLLECTION_OPERATOR"],
    );
    // Lodhipur's flat rate for a residence is ₹70 a month.
    let a = household(&app, &staff, "9876540301", "N/1", json!({})).await;
    let b = household(&app, &staff, "9876540302", "N/2", json!({"arrears": 100})).await;
    let c = household(&app, &staff, "9876540303", "N/3", json!({"advance": 30})).await;
    // creating them told no one of a bill
    for m in ["9876540301", "9876540302", "9876540303"] {
        assert_eq!(
            with_template(&sms_to(&app, m), "mGram.Consumer.NewBill"),
            Vec::<String>::new()
        );
    }
    let (s, v) = app
        .post(
            "/ws-calculator/waterCalculator/_bulkDemand",
            json!({"RequestInfo": ri(&staff), "tenantId": GP,
                "billingPeriod": month_period(month_start(1))}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["BulkDemandBatch"]["created"], 3, "{v}");
    for (mobile, no, owed) in [
        ("9876540301", &a, "70"),
        ("9876540302", &b, "170"),
        ("9876540303", &c, "40"),
    ] {
        let bills = with_template(&sms_to(&app, mobile), "mGram.Consumer.NewBill");
        assert_eq!(bills.len(), 1, "{mobile}: {bills:?}");
        let text = &bills[0];
        // (the state's language, Punjabi: "ਰੁ.70 ਦਾ ਨਵਾਂ ਪਾਣੀ ਦਾ ਬਿੱਲ")
        assert!(text.contains(&format!("ਰੁ.{owed} ਦਾ")), "{mobile}: {text}");
        assert!(text.contains(no.as_str()), "{text}");
        // the short link opens the household's bill page, which shows the same amount
        let p = get(&app, &link_path(&app, text), None).await;
        assert_eq!(p.status, StatusCode::FOUND, "{}", p.body);
        assert!(p.location.starts_with("/citizen/bill?"), "{}", p.location);
        let page = get(&app, &p.location, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&format!("₹{owed}")),
            "{owed}: {}",
            page.body
        );
    }
    // the collector (the staff account) is told once, the month named
    let told = with_template(
        &sms_to(&app, "9830000301"),
        "mGram.GP.MonthlyDemandGenerated",
    );
    assert_eq!(told.len(), 1, "{told:?}");
    let p = get(&app, &link_path(&app, &told[0]), None).await;
    assert_eq!(p.location, "/home/collect");
    // a second run for the month makes nothing and sends nothing
    let (s, _) = app
        .post(
            "/ws-calculator/waterCalculator/_bulkDemand",
            json!({"RequestInfo": ri(&staff), "tenantId": GP,
                "billingPeriod": month_period(month_start(1))}),
        )
        .await;
    assert_eq!(s, 400);
    let bills = with_template(&sms_to(&app, "9876540301"), "mGram.Consumer.NewBill");
    assert_eq!(bills.len(), 1);
}

#[actix_web::test]
async fn a_counter_payment_sends_the_receipt_with_what_is_still_pending() {
    let app = TestApp::new();
    let (no, admin) = crate::citizen::household_170(&app, "9876540311").await;
    // validating a payment makes nothing, so it tells no one
    let (s, v) = app
        .post(
            &format!(
                "/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={no}&businessService=WS"
            ),
            json!({"RequestInfo": ri(&admin)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, w) = app
        .post(
            "/collection-services/payments/_validate",
            json!({"RequestInfo": ri(&admin), "Payment": {"tenantId": GP, "paymentMode": "CASH",
                "totalAmountPaid": 100, "paymentDetails": [{"businessService": "WS",
                "billId": v["Bill"][0]["id"], "totalAmountPaid": 100}]}}),
        )
        .await;
    assert_eq!(s, 200, "{w}");
    assert_eq!(sms_to(&app, "9876540311"), Vec::<(String, String)>::new());
    let (_, receipt) = crate::citizen::pay_cash(&app, &admin, &no, 100).await;
    let msgs = sms_to(&app, "9876540311");
    let receipts = with_template(&msgs, "mGram.Consumer.DownloadReceipt");
    assert_eq!(receipts.len(), 1, "{msgs:?}");
    let text = &receipts[0];
    assert!(text.contains("ਰੁ.100 ਦਾ ਭੁਗਤਾਨ"), "{text}");
    assert!(text.contains("ਬਾਕੀ ਰਕਮ ਰੁ.70 ਹੈ"), "{text}");
    let p = get(&app, &link_path(&app, text), None).await;
    assert!(
        p.location.contains(&format!(
            "receiptNumber={}",
            mgramseva::words::urlencode(&receipt)
        )),
        "{}",
        p.location
    );
    // the survey is queued beside it (delivery decides by sms.feedback.notification)
    assert_eq!(with_template(&msgs, "mGram.Consumer.TakeSurvey").len(), 1);
    // paying the rest: pending 0
    crate::citizen::pay_cash(&app, &admin, &no, 70).await;
    let receipts = with_template(
        &sms_to(&app, "9876540311"),
        "mGram.Consumer.DownloadReceipt",
    );
    assert_eq!(receipts.len(), 2);
    assert!(receipts[1].contains("ਬਾਕੀ ਰਕਮ ਰੁ.0 ਹੈ"), "{}", receipts[1]);
}

#[actix_web::test]
async fn a_meter_reading_sends_the_new_bill_and_an_edit_sends_the_notice() {
    let app = TestApp::new();
    let staff = app.login(
        "9830000321",
        &["GP_ADMIN", "SECRETARY", "COLLECTION_OPERATOR"],
    );
    let start = today() - chrono::Duration::days(40);
    let wc = gp_household(
        &app,
        &staff,
        ("9876540321", "Amarjit Singh", "M/1"),
        json!({"connectionType": "Metered", "meterId": "M1",
            "previousReadingDate": ist_ms(start),
            "additionalDetails": {"initialMeterReading": 100}}),
    )
    .await;
    let no = wc["connectionNo"].as_str().unwrap().to_owned();
    // 30 units at Lodhipur's metered rate
    let (s, v) = app
        .post(
            "/ws-calculator/meterConnection/_create",
            json!({"RequestInfo": ri(&staff), "meterReadings": {"tenantId": GP,
                "connectionNo": no, "currentReading": 130,
                "currentReadingDate": ist_ms(today()) + 10 * 3_600_000,
                "meterStatus": "Working"}}),
        )
        .await;
    assert!(s.is_success(), "{v}");
    let bills = with_template(&sms_to(&app, "9876540321"), "mGram.Consumer.NewBill");
    assert_eq!(bills.len(), 1, "{bills:?}");
    assert!(bills[0].contains(&no), "{}", bills[0]);
    let demand = app
        .post(
            &format!(
                "/billing-service/demand/_search?tenantId={GP}&businessService=WS&consumerCode={no}&status=ACTIVE"
            ),
            json!({"RequestInfo": ri(&staff)}),
        )
        .await
        .1;
    let charged = tax_amount(&demand["Demands"][0], "10101");
    assert!(
        bills[0].contains(&format!("ਰੁ.{charged} ਦਾ")),
        "{charged}: {}",
        bills[0]
    );
    // an edit that changes something: the notice; one that changes nothing: none
    let mut edited = wc.clone();
    edited["meterId"] = json!("M2");
    let (s, v) = app
        .post(
            "/ws-services/wc/_update",
            json!({"RequestInfo": ri(&staff), "WaterConnection": edited}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let notices = with_template(&sms_to(&app, "9876540321"), "WS_EDIT_SMS_MESSAGE");
    assert_eq!(notices.len(), 1);
    assert!(notices[0].contains(&no), "{}", notices[0]);
    let again = v["WaterConnection"][0].clone();
    let (s, v) = app
        .post(
            "/ws-services/wc/_update",
            json!({"RequestInfo": ri(&staff), "WaterConnection": again}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // and the history records no change (amounts stored as 0.00 are the same as 0)
    let changes: Vec<serde_json::Value> = {
        use diesel::prelude::*;
        use mgramseva::db::schema::water_connection_history as h;
        h::table
            .order(h::id)
            .select(h::changes)
            .load(&mut app.db.conn())
            .unwrap()
    };
    assert_eq!(changes.len(), 3);
    assert_eq!(changes[1], json!({"meterId": {"from": "M1", "to": "M2"}}));
    assert_eq!(changes[2], json!({}));
    assert_eq!(
        with_template(&sms_to(&app, "9876540321"), "WS_EDIT_SMS_MESSAGE").len(),
        1
    );
}

/// The original's `failedbulkdemand` (job `bulk-demand-retry`): a GP whose run for last month
/// failed is billed again (its households told of their new bill); a GP billed since is not.
#[actix_web::test]
async fn the_retry_job_bills_a_gp_whose_run_failed_once() {
    use diesel::prelude::*;
    let app = TestApp::new();
    let staff = app.login("9830000331", &["GP_ADMIN", "SECRETARY"]);
    let no = household(&app, &staff, "9876540331", "R/1", json!({})).await;
    let month = month_start(1);
    let args = mgramseva::jobs::JobArgs {
        tenant: None,
        period: Some(month.format("%Y-%m").to_string()),
    };
    let st = app.state.clone();
    let run = move |args: mgramseva::jobs::JobArgs| {
        let st = st.clone();
        std::thread::spawn(move || {
            mgramseva::jobs::run_blocking(&st, "bulk-demand-retry", &args).unwrap()
        })
        .join()
        .unwrap()
    };
    // nothing failed: nothing to do
    let out = run(args.clone());
    assert!(out.contains("no failed run to retry"), "{out}");
    // the month's run failed (as the batch records it)
    diesel::sql_query(format!(
        "INSERT INTO water_bulk_demand_batch (id, tenant_id, period_from, period_to, status, started_at, finished_at, message)
         VALUES (gen_random_uuid(), '{GP}', to_timestamp({}), to_timestamp({}), 'FAILED', now() - interval '1 day', now() - interval '1 day', 'database went away')",
        ist_ms(month) as f64 / 1000.0,
        mgramseva::municipal::water::service::month_end_ms(month) as f64 / 1000.0
    ))
    .execute(&mut app.db.conn())
    .unwrap();
    let out = run(args.clone());
    assert!(
        out.contains("1 failed GPs retried: 1 billed, 1 demands"),
        "{out}"
    );
    let bills = with_template(&sms_to(&app, "9876540331"), "mGram.Consumer.NewBill");
    assert_eq!(bills.len(), 1, "{bills:?}");
    assert!(
        bills[0].contains(&no) && bills[0].contains("ਰੁ.70 ਦਾ"),
        "{}",
        bills[0]
    );
    // billed now: the failure is behind it
    let out = run(args);
    assert!(out.contains("no failed run to retry"), "{out}");
}
