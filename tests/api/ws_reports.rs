//! The five water reports (issue 17, item 2; product.md §2.8) over a GP made through the
//! services: household A (Gurpreet Kaur, ₹120 opening arrears, this month ₹50 water charge and
//! ₹5 penalty, ₹100 paid, a ₹20 receipt cancelled), household B (Kamal Kaur, this month ₹50,
//! ₹80 paid: ₹30 advance) and household C (marked inactive today).

use serde_json::{Value, json};

use crate::app_models::{assert_parses, list_parses_as};
use crate::citizen::pay_cash;
use crate::helpers::*;

const WC: &str = "/ws-services/wc";

/// The GP above: (A's number, B's number, C's number, a viewer's token).
pub(crate) async fn report_gp(app: &TestApp) -> (String, String, String, String) {
    let admin = app.login("9830000171", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
    let su = app.login("9830000172", &["SUPERUSER@pb"]);
    let demand = async |no: &str, lines: Value| {
        let from = ist_ms(month_start(0));
        let to = mgramseva::municipal::water::service::month_end_ms(month_start(0));
        let (s, v) = app
            .post(
                "/billing-service/demand/_create",
                json!({"RequestInfo": ri(&su), "Demands": [{"tenantId": GP, "consumerCode": no,
                    "businessService": "WS", "taxPeriodFrom": from, "taxPeriodTo": to,
                    "demandDetails": lines}]}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
    };
    let a = gp_household(
        app,
        &admin,
        ("9876541001", "Gurpreet Kaur", "OLD/1"),
        json!({"arrears": 120}),
    )
    .await["connectionNo"]
        .as_str()
        .unwrap()
        .to_owned();
    demand(
        &a,
        json!([{"taxHeadMasterCode": "10101", "taxAmount": 50},
               {"taxHeadMasterCode": "WS_TIME_PENALTY", "taxAmount": 5}]),
    )
    .await;
    pay_cash(app, &admin, &a, 100).await;
    let (pid, _) = pay_cash(app, &admin, &a, 20).await;
    let (s, v) = app
        .post(
            "/collection-services/payments/WS/_workflow",
            json!({"RequestInfo": ri(&su), "PaymentWorkflows": [{"paymentId": pid, "action": "CANCEL", "tenantId": GP}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let b = gp_household(
        app,
        &admin,
        ("9876541002", "Kamal Kaur", "OLD/2"),
        json!({"arrears": 0}),
    )
    .await["connectionNo"]
        .as_str()
        .unwrap()
        .to_owned();
    demand(&b, json!([{"taxHeadMasterCode": "10101", "taxAmount": 50}])).await;
    pay_cash(app, &admin, &b, 80).await;
    let mut c = gp_household(
        app,
        &admin,
        ("9876541003", "Jaswinder Singh", "OLD/3"),
        json!({"arrears": 0}),
    )
    .await;
    let cno = c["connectionNo"].as_str().unwrap().to_owned();
    c["status"] = json!("Inactive");
    c["additionalDetails"]["remarks"] = json!("House locked");
    let (s, v) = app
        .post(
            &format!("{WC}/_update"),
            json!({"RequestInfo": ri(&admin), "WaterConnection": c}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let viewer = app.login("9830000173", &["SECRETARY"]);
    (a, b, cno, viewer)
}

fn d(day: chrono::NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

fn this_month() -> (String, String) {
    let m = month_start(0);
    (d(m), d(mgramseva::time::next_month(m).pred_opt().unwrap()))
}

async fn ask(app: &TestApp, token: &str, path: &str, q: &str) -> (u16, Value) {
    let (s, v) = app
        .post(
            &format!("{WC}/{path}?tenantId={GP}&{q}"),
            json!({"RequestInfo": ri(token)}),
        )
        .await;
    (s.as_u16(), v)
}

fn row<'a>(rows: &'a Value, key: &str, no: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == no)
        .unwrap_or_else(|| panic!("{no} in {rows}"))
}

#[actix_web::test]
async fn the_reports_add_up_from_real_bills_and_receipts() {
    let app = TestApp::new();
    let (a, b, c, viewer) = report_gp(&app).await;
    let (from, to) = this_month();

    // bill report: this month's demands
    let (s, v) = ask(
        &app,
        &viewer,
        "_billReport",
        &format!("demandStartDate={from}&demandEndDate={to}&offset=0&limit=10&sortOrder=ASC"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    list_parses_as("BillReportData", &v["BillReportData"], "BillReportData").unwrap();
    assert_eq!(v["totalCount"], 2, "{v}");
    let ra = row(&v["BillReportData"], "connectionNo", &a);
    assert_eq!(
        (
            &ra["consumerName"],
            &ra["oldConnectionNo"],
            &ra["penalty"],
            &ra["advance"],
            &ra["demandAmount"]
        ),
        (
            &json!("Gurpreet Kaur"),
            &json!("OLD/1"),
            &json!(5.0),
            &json!(0.0),
            &json!(50.0)
        )
    );
    assert!(
        ra["consumerCreatedOnDate"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .is_ok()
    );
    let rb = row(&v["BillReportData"], "connectionNo", &b);
    assert_eq!(
        (&rb["advance"], &rb["demandAmount"]),
        (&json!(30.0), &json!(50.0))
    );
    assert_eq!(
        v["totals"],
        json!({"penalty": 5.0, "advance": 30.0, "demandAmount": 100.0})
    );

    // collection report: the cancelled ₹20 is left out
    let (s, v) = ask(
        &app,
        &viewer,
        "_collectionReport",
        &format!("paymentStartDate={from}&paymentEndDate={to}&offset=0&limit=10&sortOrder=DESC"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    list_parses_as(
        "CollectionReportData",
        &v["CollectionReportData"],
        "CollectionReportData",
    )
    .unwrap();
    let rows = v["CollectionReportData"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v}");
    // DESC by connection number: B first
    assert_eq!(rows[0]["connectionNo"], json!(b));
    assert_eq!(
        (&rows[0]["paymentMode"], &rows[0]["paymentAmount"]),
        (&json!("CASH"), &json!(80.0))
    );
    assert_eq!(rows[1]["paymentAmount"], json!(100.0));
    assert_eq!(v["totals"]["paymentAmount"], json!(180.0));

    // inactive consumers: C, marked today
    let (s, v) = ask(
        &app,
        &viewer,
        "_inactiveConsumerReport",
        &format!("monthStartDate={from}&monthEndDate={to}&offset=0&limit=10"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    list_parses_as(
        "InactiveConsumerReportData",
        &v["InactiveConsumerReport"],
        "InactiveConsumerReport",
    )
    .unwrap();
    let rows = v["InactiveConsumerReport"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{v}");
    assert_eq!(
        (&rows[0]["connectionno"], &rows[0]["status"]),
        (&json!(c), &json!("Inactive"))
    );
    assert!(rows[0]["inactivatedByUuid"].is_string());
    assert!(rows[0]["inactiveDate"].as_i64().unwrap() >= ist_ms(month_start(0)));

    // the monthly ledger: A owed ₹120 before the month, B nothing; B's ₹30 over is credit
    let (s, v) = ask(
        &app,
        &viewer,
        "month-report",
        &format!("startDate={from}&endDate={to}&offset=0&limit=10&sortOrder=ASC"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_parses("MonthReport", &v);
    assert_eq!(v["monthPeriod"], json!(format!("{from} - {to}")));
    assert_eq!(v["tenantName"], json!(GP));
    assert_eq!(v["totalCount"], 2, "inactive C is left out: {v}");
    let ra = row(&v["monthReport"], "connectionNo", &a);
    for (k, want) in [
        ("arrears", 120.0),
        ("advance", 0.0),
        ("penalty", 5.0),
        ("demandAmount", 50.0),
        ("totalAmount", 175.0),
        ("amountPaid", 100.0),
        ("remainingAmount", 75.0),
    ] {
        assert_eq!(ra[k], json!(want), "A {k}: {ra}");
    }
    assert!(ra["paidDate"].is_i64() && ra["demandGenerationDate"].is_i64());
    let rb = row(&v["monthReport"], "connectionNo", &b);
    assert_eq!(
        (
            &rb["totalAmount"],
            &rb["amountPaid"],
            &rb["remainingAmount"]
        ),
        (&json!(50.0), &json!(80.0), &json!(-30.0))
    );
    assert_eq!(v["totals"]["remainingAmount"], json!(45.0));
    assert_eq!(v["totals"]["totalAmount"], json!(225.0));

    // paging: one row a page, totals still of the whole report; limit=-1 is every row
    let q = format!("startDate={from}&endDate={to}&sortOrder=ASC");
    let (_, p2) = ask(
        &app,
        &viewer,
        "month-report",
        &format!("{q}&offset=1&limit=1"),
    )
    .await;
    assert_eq!(p2["monthReport"].as_array().unwrap().len(), 1);
    assert_eq!(p2["monthReport"][0]["connectionNo"], json!(b));
    assert_eq!(
        (&p2["totalCount"], &p2["totals"]["totalAmount"]),
        (&json!(2), &json!(225.0))
    );
    let (_, all) = ask(
        &app,
        &viewer,
        "month-report",
        &format!("{q}&offset=0&limit=-1"),
    )
    .await;
    assert_eq!(all["monthReport"].as_array().unwrap().len(), 2);

    // the consumer ledger of A: joined this month, so one month
    let fy = mgramseva::time::Fy::of_date(today()).label();
    let (s, v) = ask(
        &app,
        &viewer,
        "ledger-report",
        &format!("consumercode={a}&year={fy}&offset=0&limit=12"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_parses("LedgerReport", &v);
    assert_eq!(v["financialYear"], json!(fy));
    let months = v["ledgerReport"].as_array().unwrap();
    assert_eq!(months.len(), 1, "{v}");
    let key = month_start(0).format("%B%Y").to_string();
    let m = &months[0][&key];
    assert_eq!(m["demand"]["previousMonthBalance"], json!(120.0));
    assert_eq!(m["demand"]["monthlyCharges"], json!(50.0));
    assert_eq!(m["demand"]["totalDues"], json!(170.0));
    assert_eq!(m["demand"]["penalty"], json!(5.0));
    assert_eq!(
        m["payment"].as_array().unwrap().len(),
        1,
        "the cancelled receipt is left out"
    );
    assert_eq!(m["payment"][0]["amountPaid"], json!(100.0));
    assert_eq!(m["payment"][0]["balanceLeft"], json!(70.0));
    assert_eq!(m["totalPaymentInMonth"], json!(100.0));
    assert_eq!(m["totalBalanceLeftInMonth"], json!(75.0));
}

#[actix_web::test]
async fn bad_questions_get_a_named_4xx_never_an_empty_answer() {
    let app = TestApp::new();
    let viewer = app.login("9830000181", &["SECRETARY"]);
    let (from, to) = this_month();
    let next = d(mgramseva::time::next_month(month_start(0)));
    let long_ago = d(month_start(0) - chrono::Duration::days(366 * 5 + 2));
    let fy = mgramseva::time::Fy::of_date(today());
    for (path, q, status, want) in [
        (
            "_billReport",
            format!("demandStartDate={to}&demandEndDate={from}"),
            400,
            "INVALID_DATE_RANGE",
        ),
        (
            "_collectionReport",
            format!("paymentStartDate={next}&paymentEndDate={next}"),
            400,
            "REPORT_PERIOD_IN_FUTURE",
        ),
        (
            "_inactiveConsumerReport",
            format!("monthStartDate={long_ago}&monthEndDate={to}"),
            400,
            "REPORT_PERIOD_TOO_LONG",
        ),
        (
            "month-report",
            format!("startDate={from}&endDate={to}&limit=501"),
            400,
            "REPORT_LIMIT_TOO_LARGE",
        ),
        (
            "month-report",
            format!("startDate={from}&endDate={to}&sortOrder=SIDEWAYS"),
            400,
            "REPORT_INVALID_SORT",
        ),
        (
            "_billReport",
            format!("demandStartDate={from}&demandEndDate={to}&sortBy=mobile"),
            400,
            "REPORT_INVALID_SORT",
        ),
        (
            "month-report",
            format!("startDate={from}&endDate={to}&limit=0"),
            400,
            "INVALID_VALUE",
        ),
        (
            "month-report",
            format!("startDate=31-12-2026&endDate={to}"),
            400,
            "INVALID_DATE",
        ),
        (
            "ledger-report",
            format!(
                "consumercode=WS/7374/2026-27/9999&year={}",
                fy.next().label()
            ),
            400,
            "INVALID_FINANCIAL_YEAR",
        ),
        (
            "ledger-report",
            "consumercode=WS/7374/2026-27/9999&year=2024-26".to_owned(),
            400,
            "INVALID_FINANCIAL_YEAR",
        ),
        (
            "ledger-report",
            format!("consumercode=WS/7374/2026-27/9999&year={}", fy.label()),
            404,
            "CONNECTION_NOT_FOUND",
        ),
    ] {
        let (s, v) = ask(&app, &viewer, path, &q).await;
        assert_eq!((s, code(&v)), (status, want), "{path}?{q}: {v}");
    }
    // another GP's reports are not this viewer's
    let (s, v) = app
        .post(
            &format!("{WC}/month-report?tenantId={OTHER_GP}&startDate={from}&endDate={to}"),
            json!({"RequestInfo": ri(&viewer)}),
        )
        .await;
    assert_eq!(s.as_u16(), 403, "{v}");
}

#[actix_web::test]
async fn a_household_of_another_gp_has_no_ledger_here() {
    let app = TestApp::new();
    let (a, _, _, _) = report_gp(&app).await;
    let other = app.login("9830000191", &[&format!("SECRETARY@{OTHER_GP}")]);
    let fy = mgramseva::time::Fy::of_date(today()).label();
    let (s, v) = app
        .post(
            &format!("{WC}/ledger-report?tenantId={OTHER_GP}&consumercode={a}&year={fy}"),
            json!({"RequestInfo": ri(&other)}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (404, "CONNECTION_NOT_FOUND"), "{v}");
}
