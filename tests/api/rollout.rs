//! The roll-out dashboard (issue 16, item 6; product.md §5.3): the daily job fills every GP's
//! figures for each window from this system's tables, in one transaction; the state admin
//! reads them on `/home/rollout` and at `/mgramseva/rollout/v1/_search`; GP staff do not.
//! The GP here: two households (₹120 opening arrears and this month's ₹50 on one, nothing on the
//! other), ₹100 paid at the counter, one rating, a paid ₹1,200 salary bill, an unpaid ₹800
//! pipeline repair and an unpaid ₹500 electricity bill.

use actix_web::http::StatusCode;
use chrono::Utc;
use diesel::Connection as _;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::citizen::{household_170, pay_cash};
use crate::expense_pages::staff_session;
use crate::expense_reports::{bill, vendor};
use crate::helpers::*;
use crate::pages::get;
use mgramseva::jobs::{self, JobArgs};
use mgramseva::municipal::echallan::service::{self as challans, ChallanInput, Who};
use mgramseva::municipal::rollout::service;
use mgramseva::municipal::vendor::service::Ctx;

const PATH: &str = "/mgramseva/rollout/v1/_search";

/// The GP described above; the ids of what was made.
pub(crate) async fn busy_gp(app: &TestApp) -> (String, String) {
    let (no, admin) = household_170(app, "9876540001").await;
    gp_household(
        app,
        &admin,
        ("9876540002", "Kamal Kaur", "OLD/2"),
        json!({"arrears": 0}),
    )
    .await;
    let (pid, _) = pay_cash(app, &admin, &no, 100).await;
    let (s, v) = app
        .post(
            "/ws-services/wc/_submitfeedback",
            json!({"RequestInfo": {}, "feedback": {"tenantId": GP, "paymentId": pid, "connectionno": no,
                "additionaldetails": {"CheckList": [
                    {"code": "HAPPY_WATER_SUPPLY", "type": "SINGLE_SELECT", "value": 5},
                    {"code": "WATER_QUALITY_GOOD", "type": "SINGLE_SELECT", "value": 4},
                    {"code": "WATER_SUPPLY_REGULAR", "type": "SINGLE_SELECT", "value": 3}]}}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let v = vendor(app, "Baldev Traders", "9876540003");
    bill(app, v, "SALARY", 1200, true);
    bill(app, v, "PIPELINE_REPAIR", 800, false);
    // electricity bills of a PSPCL-mapped GP come from the PSPCL integration
    let mut c = app.db.conn();
    c.transaction(|c| {
        challans::create(
            c,
            Ctx::of(&app.state),
            &ChallanInput {
                tenant_id: GP.to_owned(),
                type_of_expense: "ELECTRICITY_BILL".to_owned(),
                vendor_id: v,
                amount: Decimal::from(500),
                bill_date: today(),
                bill_issued_date: None,
                tax_period_from: mgramseva::time::month_start(today()),
                tax_period_to: today(),
                is_bill_paid: false,
                paid_date: None,
                filestore_id: None,
                description: None,
            },
            "Challan",
            Who {
                actor: None,
                pspcl_admin: true,
            },
            Utc::now(),
        )
    })
    .unwrap();
    (no, admin)
}

async fn search(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.post(
        &format!("{PATH}?{query}"),
        json!({"RequestInfo": ri(token)}),
    )
    .await
}

#[actix_web::test]
async fn the_daily_job_fills_every_window_with_the_gps_real_figures() {
    let app = TestApp::new();
    let (_, admin) = busy_gp(&app).await;
    let out = jobs::run_blocking(&app.state, "rollout-dashboard", &JobArgs::default()).unwrap();
    let windows = service::windows(Utc::now()).len();
    assert_eq!(windows, 13);
    let gps = mgramseva::platform::mdms::repo::gram_panchayat_codes(&mut app.db.conn())
        .unwrap()
        .len();
    assert!(
        out.contains(&format!("{gps} GPs, {} rows (13 windows)", gps * 13)),
        "{out}"
    );

    let state = app.login("9841000101", &["STATE_ADMIN@pb"]);
    let (s, v) = search(&app, &state, &format!("tenantId={GP}&limit=20")).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["ResponseInfo"].is_object());
    assert_eq!(v["TotalCount"], 13);
    let rows = v["RolloutDashboard"].as_array().unwrap();
    let keys: Vec<&str> = rows
        .iter()
        .map(|r| r["dateRange"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys[..10],
        [
            "LAST_7_DAYS",
            "LAST_15_DAYS",
            "CURRENT_MONTH",
            "PREVIOUS_MONTH",
            "Q1",
            "Q2",
            "Q3",
            "Q4",
            "FY_TO_DATE",
            "CONSOLIDATED"
        ]
    );
    assert!(keys[10..].iter().all(|k| k.starts_with("FY_")), "{keys:?}");
    let row = |k: &str| rows.iter().find(|r| r["dateRange"] == k).unwrap().clone();

    let month_end = mgramseva::time::next_month(month_start(0))
        .pred_opt()
        .unwrap();
    let busy = json!({
        "tenantId": GP, "tenantName": "LODHIPUR", "projectCode": "7374", "zone": "Z03",
        "circle": "C109", "division": "DIV1038", "subdivision": "DIV1038SD10131", "section": "S560",
        "activeUsersCount": 1,
        "totalAdvance": "0.00", "totalPenalty": "0.00",
        "totalConnections": 2, "activeConnections": 2,
        "lastDemandGenDate": month_end.format("%Y-%m-%d").to_string(),
        "demandGeneratedConsumerCount": 1,
        "totalDemandAmount": "170.00",
        "collectionTillDate": "100.00", "onlineCollection": "0.00",
        "lastCollectionDate": today().format("%Y-%m-%d").to_string(),
        "expenseCount": 1, "countOfElectricityExpenseBills": 1, "noOfPaidExpenseBills": 1,
        "lastExpenseTxnDate": today().format("%Y-%m-%d").to_string(),
        "totalAmountOfExpenseBills": "2000.00",
        "totalAmountOfElectricityBills": "500.00",
        "totalAmountOfPaidExpenseBills": "1200.00",
        "ratingCount": 1,
        "lastRatingDate": today().format("%Y-%m-%d").to_string(),
    });
    for k in [
        "LAST_7_DAYS",
        "LAST_15_DAYS",
        "CURRENT_MONTH",
        "FY_TO_DATE",
        "CONSOLIDATED",
    ] {
        let r = row(k);
        for (f, want) in busy.as_object().unwrap() {
            assert_eq!(&r[f], want, "{k}.{f}: {r}");
        }
    }
    // nothing happened last month or in earlier years (the activity is all from today)
    for k in ["PREVIOUS_MONTH", keys[10], keys[12]] {
        let r = row(k);
        assert_eq!(
            (
                &r["totalConnections"],
                &r["totalDemandAmount"],
                &r["collectionTillDate"],
                &r["ratingCount"],
                &r["lastDemandGenDate"]
            ),
            (
                &json!(0),
                &json!("0.00"),
                &json!("0.00"),
                &json!(0),
                &Value::Null
            ),
            "{k}: {r}"
        );
        // users are not windowed (as the original)
        assert_eq!(r["activeUsersCount"], 1);
    }
    assert_eq!(row("CONSOLIDATED")["rangeFrom"], Value::Null);
    let prev = row("PREVIOUS_MONTH");
    assert_eq!(
        prev["rangeFrom"],
        json!(month_start(1).format("%Y-%m-%d").to_string())
    );
    assert_eq!(
        prev["rangeTo"],
        json!(
            month_start(0)
                .pred_opt()
                .unwrap()
                .format("%Y-%m-%d")
                .to_string()
        )
    );

    // the whole state, one window, by division; paging
    let div = mgramseva::platform::mdms::repo::tenants_of_division(&mut app.db.conn(), "DIV1038")
        .unwrap()
        .len();
    let (s, v) = search(
        &app,
        &state,
        "tenantId=pb&dateRange=CONSOLIDATED&division=DIV1038&limit=500",
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["TotalCount"], json!(div));
    let all = v["RolloutDashboard"].as_array().unwrap();
    assert_eq!(all.len(), div);
    assert!(all.iter().all(|r| r["division"] == "DIV1038"));
    let others: Decimal = all
        .iter()
        .filter(|r| r["tenantId"] != GP)
        .map(|r| {
            r["totalDemandAmount"]
                .as_str()
                .unwrap()
                .parse::<Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(others, Decimal::ZERO, "only the test GP has demand");
    let (_, v) = search(
        &app,
        &state,
        "tenantId=pb&dateRange=CONSOLIDATED&division=DIV1038&limit=2&offset=2",
    )
    .await;
    assert_eq!(v["RolloutDashboard"].as_array().unwrap().len(), 2);
    assert_eq!(v["RolloutDashboard"][0]["tenantId"], all[2]["tenantId"]);

    // a second refresh replaces, never adds
    jobs::run_blocking(&app.state, "rollout-dashboard", &JobArgs::default()).unwrap();
    let (_, v) = search(&app, &state, &format!("tenantId={GP}")).await;
    assert_eq!(v["TotalCount"], 13);

    // bad input: a 400 in the DIGIT shape
    let (s, v) = search(&app, &state, "tenantId=pb&dateRange=LAST_YEAR").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_VALUE"), "{v}");
    let (s, v) = search(&app, &state, "tenantId=pb&limit=0").await;
    assert_eq!(s, 400, "{v}");

    // GP staff: refused, on the state and on their own GP
    for q in ["tenantId=pb", &format!("tenantId={GP}")] {
        let (s, v) = search(&app, &admin, q).await;
        assert_eq!(s, 403, "{q}: {v}");
    }
}

#[actix_web::test]
async fn the_state_admin_reads_the_dashboard_page_by_window_and_division() {
    let app = TestApp::new();
    let sid = staff_session(&app, "9841000201", &["STATE_ADMIN@pb"]).await;
    let p = get(&app, "/home/rollout", Some(&sid)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("No figures yet"), "before the first run");

    busy_gp(&app).await;
    jobs::run_blocking(&app.state, "rollout-dashboard", &JobArgs::default()).unwrap();
    let p = get(
        &app,
        "/home/rollout?range=CONSOLIDATED&division=DIV1038&zone=",
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK);
    let at = p.body.find(&format!("data-gp=\"{GP}\"")).unwrap();
    let row = &p.body[at..at + p.body[at..].find("</tr>").unwrap()];
    for want in ["LODHIPUR", "2/2", "₹170", "₹100", "₹2500 (3)"] {
        assert!(row.contains(want), "{want} in {row}");
    }
    assert!(
        p.body
            .contains("<option value=\"CONSOLIDATED\" selected>All time</option>")
    );
    assert!(p.body.contains("<option value=\"DIV1038\" selected>"));
    assert!(
        !p.body.contains("data-gp=\"pb.testing\""),
        "another division"
    );
    // 50 a page, the next page linked
    let p = get(&app, "/home/rollout?range=FY_TO_DATE", Some(&sid)).await;
    assert_eq!(p.body.matches("data-gp=").count(), 50);
    assert!(p.body.contains("page=1"));
    // Hindi
    let p = crate::pages::call_in(
        &app,
        actix_web::test::TestRequest::get().uri("/home/rollout"),
        Some(&sid),
        "hi",
    )
    .await;
    assert!(
        p.body.contains("रोल-आउट डैशबोर्ड") && p.body.contains("वित्तीय वर्ष अब तक"),
        "{}",
        p.body
    );

    let gp = staff_session(&app, "9841000202", &["SECRETARY", "GP_ADMIN", "SARPANCH"]).await;
    let p = get(&app, "/home/rollout", Some(&gp)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}
