//! The division and state views (issue 17, item 5): the job `state-view` keeps a per-GP,
//! per-month roll-up from billing, collection, echallan and water (through their services);
//! a division admin reads the GPs of their division, the state admin every GP, on
//! `/home/state` and at `/mgramseva/state/v1/_search`.
//!
//! The state here, over last month and this one:
//! - LODHIPUR (DIV1038): two households billed 200 and 100 this month, paid 100 and 70 at the
//!   counter; a paid ₹120 salary bill and an unpaid ₹80 pipeline repair;
//! - KALWAN (DIV1038): one household billed 50 this month and paid 50; a paid ₹100 salary bill;
//! - Ramkalwan (DIV1026, another division): one household billed 80 for last month, paid 20.

use actix_web::http::StatusCode;
use chrono::{Duration, Utc};
use diesel::Connection as _;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::expense_pages::staff_session;
use crate::helpers::*;
use crate::pages::{call_in, get};
use mgramseva::jobs::{self, JobArgs};
use mgramseva::municipal::echallan::service::{self as challans, ChallanInput, Who};
use mgramseva::municipal::vendor::service::{self as vendors, Ctx, NewVendor};

const PATH: &str = "/mgramseva/state/v1/_search";
/// A GP of another division (DIV1026, zone Z02, circle C106).
const FAR_GP: &str = "pb.ramkalwanhifdha";

/// A household on `tenant` (no arrears) as its GP admin registers it: its connection number.
async fn household(app: &TestApp, tenant: &str, token: &str, mobile: &str, old: &str) -> String {
    let post = async |path: &str, key: &str, item: Value| {
        let mut body = json!({"RequestInfo": ri(token)});
        body[key] = item;
        let (s, v) = app.post(path, body).await;
        assert_eq!(s, 201, "{v}");
        v
    };
    let v = post(
        "/property-services/property/_create",
        "Property",
        json!({"tenantId": tenant, "propertyType": "RESIDENTIAL",
            "address": {"doorNo": "7", "street": "Main Road", "locality": {"code": "WARD1"}},
            "owners": [{"name": "Harjit Kaur", "mobileNumber": mobile, "gender": "FEMALE",
                "fatherOrHusbandName": "Baldev Singh"}]}),
    )
    .await;
    let pid = v["Properties"][0]["propertyId"].clone();
    let v = post(
        "/ws-services/wc/_create",
        "WaterConnection",
        json!({"tenantId": tenant, "propertyId": pid, "oldConnectionNo": old,
            "connectionType": "Non_Metered", "previousReadingDate": ist_ms(month_start(2)),
            "arrears": 0, "additionalDetails": {}}),
    )
    .await;
    v["WaterConnection"][0]["connectionNo"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A water charge of `amount` for the month `back` months ago, as the superuser makes it.
async fn demand(app: &TestApp, su: &str, tenant: &str, no: &str, back: u32, amount: i64) {
    let m = month_start(back);
    let (s, v) = app
        .post(
            "/billing-service/demand/_create",
            json!({"RequestInfo": ri(su), "Demands": [{"tenantId": tenant, "consumerCode": no,
                "businessService": "WS", "taxPeriodFrom": ist_ms(m),
                "taxPeriodTo": mgramseva::municipal::water::service::month_end_ms(m),
                "demandDetails": [{"taxHeadMasterCode": "10101", "taxAmount": amount}]}]}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
}

/// Pays `amount` of the household's bill at the counter: the payment's id.
async fn pay(app: &TestApp, token: &str, tenant: &str, no: &str, amount: i64) -> String {
    let (s, v) = app
        .post(
            &format!(
                "/billing-service/bill/v2/_fetchbill?tenantId={tenant}&consumerCode={no}&businessService=WS"
            ),
            json!({"RequestInfo": ri(token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .post(
            "/collection-services/payments/_create",
            json!({"RequestInfo": ri(token), "Payment": {"tenantId": tenant, "paymentMode": "CASH",
                "totalAmountPaid": amount, "paymentDetails": [{"businessService": "WS",
                "billId": v["Bill"][0]["id"], "totalAmountPaid": amount}]}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["Payments"][0]["id"].as_str().unwrap().to_owned()
}

/// An expense bill of `tenant` dated today (paid today when `paid`).
fn expense(app: &TestApp, tenant: &str, kind: &str, amount: i64, paid: bool) {
    let mut c = app.db.conn();
    c.transaction(|c| {
        let v = vendors::create(
            c,
            Ctx::of(&app.state),
            &NewVendor {
                tenant_id: tenant.to_owned(),
                // letters only: the amount's digits become letters (0 -> a, 1 -> b, ...)
                name: format!(
                    "Traders {}",
                    amount
                        .to_string()
                        .chars()
                        .filter_map(|d| char::from_digit(d.to_digit(10)? + 10, 36))
                        .collect::<String>()
                ),
                mobile: format!("98765{:05}", amount),
                ..NewVendor::default()
            },
            "vendor",
            None,
            Utc::now(),
        )?;
        challans::create(
            c,
            Ctx::of(&app.state),
            &ChallanInput {
                tenant_id: tenant.to_owned(),
                type_of_expense: kind.to_owned(),
                vendor_id: v.id,
                amount: Decimal::from(amount),
                bill_date: today(),
                bill_issued_date: None,
                tax_period_from: mgramseva::time::month_start(today()),
                tax_period_to: today(),
                is_bill_paid: paid,
                paid_date: paid.then_some(today()),
                filestore_id: None,
                description: None,
            },
            "Challan",
            Who::default(),
            Utc::now(),
        )
    })
    .unwrap();
}

/// The three GPs above; the id of LODHIPUR's ₹70 payment.
pub(crate) async fn three_gps(app: &TestApp) -> String {
    let su = app.login("9842000001", &["SUPERUSER@pb"]);
    let a = app.login("9842000002", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
    let b = app.login(
        "9842000003",
        &["GP_ADMIN@pb.kalwan", "COLLECTION_OPERATOR@pb.kalwan"],
    );
    let far = format!("GP_ADMIN@{FAR_GP}");
    let far_op = format!("COLLECTION_OPERATOR@{FAR_GP}");
    let c = app.login("9842000004", &[&far, &far_op]);

    let a1 = household(app, GP, &a, "9842100001", "SV/1").await;
    let a2 = household(app, GP, &a, "9842100002", "SV/2").await;
    demand(app, &su, GP, &a1, 0, 200).await;
    demand(app, &su, GP, &a2, 0, 100).await;
    pay(app, &a, GP, &a1, 100).await;
    let cancel = pay(app, &a, GP, &a2, 70).await;
    expense(app, GP, "SALARY", 120, true);
    expense(app, GP, "PIPELINE_REPAIR", 80, false);

    let b1 = household(app, OTHER_GP, &b, "9842100003", "SV/3").await;
    demand(app, &su, OTHER_GP, &b1, 0, 50).await;
    pay(app, &b, OTHER_GP, &b1, 50).await;
    expense(app, OTHER_GP, "SALARY", 100, true);

    let c1 = household(app, FAR_GP, &c, "9842100004", "SV/4").await;
    demand(app, &su, FAR_GP, &c1, 1, 80).await;
    pay(app, &c, FAR_GP, &c1, 20).await;
    cancel
}

async fn search(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.post(
        &format!("{PATH}?{query}"),
        json!({"RequestInfo": ri(token)}),
    )
    .await
}

/// Last month and this one.
fn two_months() -> String {
    format!(
        "from={}&to={}",
        month_start(1).format("%Y-%m"),
        month_start(0).format("%Y-%m")
    )
}

fn row<'a>(v: &'a Value, gp: &str) -> &'a Value {
    v["StateView"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tenantId"] == gp)
        .unwrap_or_else(|| panic!("{gp} in {v}"))
}

fn day(back: u32) -> String {
    mgramseva::time::next_month(month_start(back))
        .pred_opt()
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

fn gps_of_division(app: &TestApp, division: &str) -> usize {
    mgramseva::platform::mdms::repo::tenants_of_division(&mut app.db.conn(), division)
        .unwrap()
        .len()
}

#[actix_web::test]
async fn the_views_show_each_gps_figures_and_the_totals_for_the_callers_divisions() {
    let app = TestApp::new();
    let cancel = three_gps(&app).await;
    let out = jobs::run_blocking(&app.state, "state-view", &JobArgs::default()).unwrap();
    let gps = mgramseva::platform::mdms::repo::gram_panchayat_codes(&mut app.db.conn())
        .unwrap()
        .len();
    assert!(
        out.contains(&format!(" {gps} GPs recomputed (all)")),
        "{out}"
    );

    // the state admin: every GP, the busiest first
    let state = app.login("9842000010", &["STATE_ADMIN@pb"]);
    let q = format!(
        "tenantId=pb&{}&sortBy=demand&sortOrder=desc&limit=3",
        two_months()
    );
    let (s, v) = search(&app, &state, &q).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["ResponseInfo"].is_object());
    assert_eq!(v["TotalCount"], json!(gps));
    let order: Vec<&str> = v["StateView"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tenantId"].as_str().unwrap())
        .collect();
    assert_eq!(order, [GP, FAR_GP, OTHER_GP]);
    let lodhipur = json!({"tenantId": GP, "name": "LODHIPUR", "zone": "Z03", "circle": "C109",
        "division": "DIV1038", "demand": "300.00", "collection": "170.00",
        "collectionEfficiency": "56.67", "expenses": "200.00", "expensesPaid": "120.00",
        "surplus": "50.00", "households": 2, "lastDemandDate": day(0),
        "notBilledLastMonth": true});
    assert_eq!(row(&v, GP), &lodhipur);
    let kalwan = row(&v, OTHER_GP);
    assert_eq!(
        (
            &kalwan["demand"],
            &kalwan["collection"],
            &kalwan["collectionEfficiency"],
            &kalwan["expenses"],
            &kalwan["surplus"],
            &kalwan["households"]
        ),
        (
            &json!("50.00"),
            &json!("50.00"),
            &json!("100.00"),
            &json!("100.00"),
            &json!("-50.00"),
            &json!(1)
        )
    );
    let far = row(&v, FAR_GP);
    assert_eq!(
        (
            &far["division"],
            &far["demand"],
            &far["collection"],
            &far["collectionEfficiency"],
            &far["surplus"],
            &far["lastDemandDate"],
            &far["notBilledLastMonth"]
        ),
        (
            &json!("DIV1026"),
            &json!("80.00"),
            &json!("20.00"),
            &json!("25.00"),
            &json!("20.00"),
            &json!(day(1)),
            &json!(false)
        )
    );
    let t = &v["totals"];
    assert_eq!(
        (
            &t["demand"],
            &t["collection"],
            &t["collectionEfficiency"],
            &t["expenses"],
            &t["expensesPaid"],
            &t["surplus"],
            &t["households"],
            &t["notBilledLastMonth"]
        ),
        (
            &json!("430.00"),
            &json!("240.00"),
            &json!("55.81"),
            &json!("300.00"),
            &json!("220.00"),
            &json!("20.00"),
            &json!(4),
            &json!(gps - 1)
        ),
        "{t}"
    );
    // a GP without demand has no efficiency; sorted by efficiency, they come last
    let (_, v) = search(
        &app,
        &state,
        &format!(
            "tenantId=pb&{}&sortBy=efficiency&sortOrder=desc&limit=4",
            two_months()
        ),
    )
    .await;
    let effs: Vec<&Value> = v["StateView"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["collectionEfficiency"])
        .collect();
    assert_eq!(
        effs,
        [
            &json!("100.00"),
            &json!("56.67"),
            &json!("25.00"),
            &Value::Null
        ]
    );
    // filtered by zone and circle (master data codes)
    let (s, v) = search(
        &app,
        &state,
        &format!(
            "tenantId=pb&{}&zone=Z02&circle=C106&limit=500",
            two_months()
        ),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(
        v["StateView"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["zone"] == "Z02" && r["circle"] == "C106")
    );
    assert_eq!(v["totals"]["demand"], "80.00");
    // paging: the next page starts where the first ended
    let (_, p1) = search(&app, &state, "tenantId=pb&sortBy=name&limit=2").await;
    let (_, p2) = search(&app, &state, "tenantId=pb&sortBy=name&limit=2&offset=1").await;
    assert_eq!(
        p1["StateView"][1]["tenantId"],
        p2["StateView"][0]["tenantId"]
    );

    // the division admin (roles on a GP of DIV1038): that division's GPs only
    let div = app.login("9842000011", &["DIV_ADMIN"]);
    let (s, v) = search(
        &app,
        &div,
        &format!(
            "tenantId=pb&{}&sortBy=demand&sortOrder=desc&limit=500",
            two_months()
        ),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let n = gps_of_division(&app, "DIV1038");
    assert_eq!(v["TotalCount"], json!(n));
    let rows = v["StateView"].as_array().unwrap();
    assert_eq!(rows.len(), n);
    assert!(rows.iter().all(|r| r["division"] == "DIV1038"));
    assert_eq!(rows[0], lodhipur);
    let t = &v["totals"];
    assert_eq!(
        (
            &t["demand"],
            &t["collection"],
            &t["collectionEfficiency"],
            &t["surplus"],
            &t["households"]
        ),
        (
            &json!("350.00"),
            &json!("220.00"),
            &json!("62.86"),
            &json!("0.00"),
            &json!(3)
        )
    );
    // one GP of theirs
    let (s, v) = search(&app, &div, &format!("tenantId={OTHER_GP}&{}", two_months())).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["TotalCount"], 1);
    assert_eq!(v["StateView"][0]["surplus"], "-50.00");
    // another division's GP, or the division itself: refused
    let (s, v) = search(&app, &div, &format!("tenantId={FAR_GP}")).await;
    assert_eq!((s.as_u16(), code(&v)), (403, "INVALID_TENANT"), "{v}");
    let (s, v) = search(&app, &div, "tenantId=pb&division=DIV1026").await;
    assert_eq!((s.as_u16(), code(&v)), (403, "INVALID_TENANT"), "{v}");

    // a cancelled receipt disappears after the next run
    let su = app.login("9842000012", &["SUPERUSER@pb"]);
    let (s, v) = app
        .post(
            "/collection-services/payments/WS/_workflow",
            json!({"RequestInfo": ri(&su), "PaymentWorkflows": [{"paymentId": cancel, "action": "CANCEL", "tenantId": GP}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let out = jobs::run_blocking(&app.state, "state-view", &JobArgs::default()).unwrap();
    assert!(!out.contains("(all)"), "{out}");
    let (_, v) = search(&app, &state, &format!("tenantId={GP}&{}", two_months())).await;
    let r = &v["StateView"][0];
    assert_eq!(
        (&r["collection"], &r["collectionEfficiency"], &r["surplus"]),
        (&json!("100.00"), &json!("33.33"), &json!("-20.00"))
    );
    let (_, v) = search(
        &app,
        &state,
        &format!("tenantId=pb&{}&limit=1", two_months()),
    )
    .await;
    assert_eq!(v["totals"]["collection"], "170.00");

    // GP staff: refused
    let staff = app.login("9842000013", &["SECRETARY", "GP_ADMIN"]);
    let (s, v) = search(&app, &staff, &format!("tenantId={GP}")).await;
    assert_eq!(s, 403, "{v}");
}

#[actix_web::test]
async fn bad_input_is_refused_with_a_named_code() {
    let app = TestApp::new();
    let state = app.login("9842000020", &["STATE_ADMIN@pb"]);
    let next = mgramseva::time::next_month(month_start(0)).format("%Y-%m");
    let cases = [
        (
            format!(
                "from={}&to={}",
                month_start(0).format("%Y-%m"),
                month_start(1).format("%Y-%m")
            ),
            400,
            "INVALID_DATE_RANGE",
            "from",
        ),
        (format!("month={next}"), 400, "INVALID_DATE", "month"),
        (
            format!("from={}&to={next}", month_start(1).format("%Y-%m")),
            400,
            "INVALID_DATE",
            "from",
        ),
        (
            format!(
                "from={}&to={}",
                month_start(60).format("%Y-%m"),
                month_start(0).format("%Y-%m")
            ),
            400,
            "INVALID_DATE_RANGE",
            "from",
        ),
        ("fy=2001-02".to_owned(), 400, "INVALID_DATE_RANGE", "fy"),
        ("month=2026-13".to_owned(), 400, "INVALID_DATE", "month"),
        (
            "sortBy=tenant_id".to_owned(),
            400,
            "INVALID_VALUE",
            "sortBy",
        ),
        ("sortOrder=up".to_owned(), 400, "INVALID_VALUE", "sortOrder"),
        ("limit=501".to_owned(), 400, "INVALID_VALUE", "limit"),
        ("limit=0".to_owned(), 400, "INVALID_VALUE", "limit"),
        ("offset=-1".to_owned(), 400, "INVALID_VALUE", "offset"),
        ("zone=Z99".to_owned(), 400, "INVALID_VALUE", "zone"),
        (
            "division=DIV9999".to_owned(),
            400,
            "INVALID_VALUE",
            "division",
        ),
    ];
    for (q, status, want, field) in &cases {
        let (s, v) = search(&app, &state, &format!("tenantId=pb&{q}")).await;
        assert_eq!((s.as_u16(), code(&v)), (*status, *want), "{q}: {v}");
        assert_eq!(error_fields(&v), [field.to_string()], "{q}: {v}");
    }
    // a tenant that is no GP
    let (s, v) = search(&app, &state, "tenantId=pb.nosuchgp").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_TENANT_ID"), "{v}");
    // the largest page is fine
    let (s, v) = search(&app, &state, "tenantId=pb&limit=500").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["StateView"].as_array().unwrap().len(), 500);

    // the page: a form error in each language, never a 500
    let sid = staff_session(&app, "9842000021", &["STATE_ADMIN@pb"]).await;
    let reversed = format!(
        "/home/state?from={}&to={}",
        month_start(0).format("%Y-%m"),
        month_start(1).format("%Y-%m")
    );
    for (lang, text) in [
        ("en", "The first month of the period comes after its last."),
        ("hi", "अवधि का पहला महीना उसके अंतिम महीने के बाद का है।"),
        ("pa", "ਮਿਆਦ ਦਾ ਪਹਿਲਾ ਮਹੀਨਾ ਉਸਦੇ ਆਖਰੀ ਮਹੀਨੇ ਤੋਂ ਬਾਅਦ ਦਾ ਹੈ।"),
    ] {
        let p = call_in(
            &app,
            actix_web::test::TestRequest::get().uri(&reversed),
            Some(&sid),
            lang,
        )
        .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{lang}");
        assert!(p.body.contains(text), "{lang}: {}", p.body);
        assert!(p.body.contains("id=\"errors\""));
    }
    for (q, text) in [
        ("sortBy=nosuch", "The table cannot be sorted that way."),
        ("month=2099-01", "The month is after the current one."),
        (
            "from=2015-01&to=2021-01",
            "The period is longer than five years.",
        ),
    ] {
        let p = get(&app, &format!("/home/state?{q}"), Some(&sid)).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(p.body.contains(text), "{q}: {}", p.body);
    }
    // a division admin asking for another division's GP or division
    let div = staff_session(&app, "9842000022", &["DIV_ADMIN"]).await;
    let p = get(&app, &format!("/home/state/gp/{FAR_GP}"), Some(&div)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = get(&app, "/home/state?division=DIV1026", Some(&div)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(
        p.body.contains("That division is not one of yours."),
        "{}",
        p.body
    );
    let p = get(&app, "/home/state/gp/pb.nosuchgp", Some(&div)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_page_lists_sorts_and_drills_down_to_a_gp() {
    let app = TestApp::new();
    three_gps(&app).await;
    jobs::run_blocking(&app.state, "state-view", &JobArgs::default()).unwrap();
    let sid = staff_session(&app, "9842000030", &["STATE_ADMIN@pb"]).await;
    let p = get(
        &app,
        &format!("/home/state?{}&sortBy=demand&sortOrder=desc", two_months()),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("href=\"/home/rollout\""),
        "the roll-out link"
    );
    assert_eq!(p.body.matches("data-gp=").count(), 20, "20 a page");
    let at = p.body.find(&format!("data-gp=\"{GP}\"")).unwrap();
    let first = p.body.find("data-gp=").unwrap();
    assert_eq!(at, first, "the largest demand first");
    let r = &p.body[at..at + p.body[at..].find("</tr>").unwrap()];
    for want in [
        "Lodhipur",
        "Sri Anandpur Sahib",
        "₹300",
        "₹170",
        "56.67%",
        "₹200",
        "₹50",
    ] {
        assert!(r.contains(want), "{want} in {r}");
    }
    let at = p.body.find("id=\"totals\"").unwrap();
    let t = &p.body[at..at + p.body[at..].find("</tr>").unwrap()];
    for want in ["₹430", "₹240", "55.81%", "₹300", "₹20"] {
        assert!(t.contains(want), "{want} in {t}");
    }
    let at = p.body.find(&format!("data-gp=\"{OTHER_GP}\"")).unwrap();
    let r = &p.body[at..at + p.body[at..].find("</tr>").unwrap()];
    assert!(r.contains("class=\"neg\">₹-50"), "a deficit in red: {r}");

    // drill down
    let href = format!("/home/state/gp/{GP}?{}", two_months());
    assert!(
        p.body
            .contains(&format!("href=\"/home/state/gp/{GP}?from=")),
        "{}",
        p.body
    );
    let g = get(&app, &href, Some(&sid)).await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("Lodhipur"));
    // names in the page's language
    let pa = call_in(
        &app,
        actix_web::test::TestRequest::get().uri(&href),
        Some(&sid),
        "pa",
    )
    .await;
    assert!(pa.body.contains("ਲੋਧੀਪੁਰ"), "{}", pa.body);
    let at = g.body.find("id=\"gp-totals\"").unwrap();
    let t = &g.body[at..at + g.body[at..].find("</tr>").unwrap()];
    for want in ["₹300", "₹170", "56.67%", "₹200", "₹120", "₹50"] {
        assert!(t.contains(want), "{want} in {t}");
    }
    assert_eq!(g.body.matches("<tr><td>").count(), 2, "two months");

    // the division admin sees their division only
    let div = staff_session(&app, "9842000031", &["DIV_ADMIN"]).await;
    let p = get(&app, &format!("/home/state?{}", two_months()), Some(&div)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains(&format!("data-gp=\"{FAR_GP}\"")));
    assert!(
        !p.body.contains("href=\"/home/rollout\""),
        "the state admin's only"
    );
    let g = get(&app, &format!("/home/state/gp/{OTHER_GP}"), Some(&div)).await;
    assert_eq!(g.status, StatusCode::OK);

    // GP staff: not theirs
    let gp = staff_session(&app, "9842000032", &["SECRETARY", "GP_ADMIN"]).await;
    assert_eq!(
        get(&app, "/home/state", Some(&gp)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn the_job_recomputes_only_the_gps_changed_since_its_watermark() {
    use mgramseva::municipal::stateview::service::refresh;
    let app = TestApp::new();
    three_gps(&app).await;
    let mut c = app.db.conn();
    // the first run sees everything; its watermark is its time less the overlap, so a run
    // stamped 5 minutes ahead puts the watermark at now
    let first = refresh(&mut c, Utc::now() + Duration::minutes(5), false).unwrap();
    assert!(first.full);
    let before: Vec<(String, i64)> = refreshed(&mut c);
    // nothing changed: nothing recomputed
    let again = refresh(&mut c, Utc::now() + Duration::minutes(5), false).unwrap();
    assert_eq!((again.full, again.gps), (false, 0));
    // one expense on the far GP: that GP only
    expense(&app, FAR_GP, "SALARY", 30, true);
    let next = refresh(&mut c, Utc::now() + Duration::minutes(5), false).unwrap();
    assert_eq!((next.full, next.gps, next.month_rows), (false, 1, 2));
    let after = refreshed(&mut c);
    let changed: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, _)| b.0.as_str())
        .collect();
    assert_eq!(changed, [FAR_GP]);
    let out = search(
        &app,
        &app.login("9842000040", &["STATE_ADMIN@pb"]),
        &format!("tenantId={FAR_GP}&{}", two_months()),
    )
    .await
    .1;
    assert_eq!(out["StateView"][0]["surplus"], "-10.00");
}

/// Each roll-up GP row's refresh time (microseconds), by GP.
fn refreshed(c: &mut diesel::PgConnection) -> Vec<(String, i64)> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = diesel::sql_types::Text)]
        tenant_id: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        at: i64,
    }
    diesel::sql_query(
        "SELECT tenant_id, (extract(epoch FROM refreshed_at) * 1000000)::bigint AS at \
         FROM stateview_gp ORDER BY tenant_id",
    )
    .load::<R>(c)
    .unwrap()
    .into_iter()
    .map(|r| (r.tenant_id, r.at))
    .collect()
}

#[test]
fn the_state_bench_runs_at_a_small_scale_and_both_sides_agree() {
    let db = TestDb::new();
    // 30 GPs × 4 households × 12 months: a demand each (50 + ((household + GP) % 5) × 10),
    // three households in four paying in full
    let r = mgramseva::bench::state(settings(&db.url), Some(30), 4, 3, false).unwrap();
    assert_eq!((r.gps, r.households, r.months), (30, 4, 12));
    assert_eq!((r.demands, r.payments), (30 * 4 * 12, 30 * 3 * 12));
    assert_eq!(
        r.rollup_totals,
        (Decimal::from(100_800), Decimal::from(75_600))
    );
    assert_eq!(r.ledger_totals, r.rollup_totals);
    assert!(r.state_p50 > 0.0 && r.state_p95 >= r.state_p50, "{r:?}");
    assert!(
        r.direct_state_p50 > 0.0 && r.direct_division_p50 > 0.0,
        "{r:?}"
    );
    assert!(r.division_gps > 0 && r.division_gps <= 30, "{r:?}");
    // measured again without writing anything; a second write is refused
    let again = mgramseva::bench::state(settings(&db.url), Some(30), 4, 2, true).unwrap();
    assert_eq!((again.setup_secs, again.demands), (0.0, r.demands));
    let err = mgramseva::bench::state(settings(&db.url), Some(30), 4, 2, false).unwrap_err();
    assert!(err.to_string().contains("--reuse"), "{err}");
}
