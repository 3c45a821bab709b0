//! The GP's dashboard (issue 17, items 1-3; product.md §2.7) with real numbers: a household
//! billed ₹300 this month that paid ₹170, an expense of ₹120 paid and one of ₹80 unpaid. The
//! revenue dashboard, the month-by-month data, the expense figures and the page's month table
//! all show those figures, with Surplus/Deficit = pending collection (130) − unpaid
//! expenditure (80) = 50; a cancelled receipt leaves every one of them; penalty and advance;
//! bad periods; another GP's staff are refused.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::app_models::assert_parses;
use crate::expense_pages::staff_session;
use crate::expense_reports::{bill, vendor};
use crate::helpers::*;
use crate::pages::get;

pub(crate) const WC: &str = "/ws-services/wc";

/// A household of the GP with a demand of this month's water charges (and `more` lines).
async fn billed(app: &TestApp, admin: &str, mobile: &str, old: &str, lines: Value) -> String {
    let wc = gp_household(app, admin, (mobile, "Gurpreet Kaur", old), json!({})).await;
    let no = wc["connectionNo"].as_str().unwrap().to_owned();
    let su = app.login("9830000072", &["SUPERUSER@pb"]);
    demand(app, &su, &no, month_start(0), lines).await;
    no
}

async fn demand(app: &TestApp, su: &str, no: &str, month: chrono::NaiveDate, lines: Value) {
    let (s, v) = app
        .post(
            "/billing-service/demand/_create",
            json!({"RequestInfo": ri(su), "Demands": [{"tenantId": GP, "consumerCode": no,
                "businessService": "WS", "taxPeriodFrom": ist_ms(month),
                "taxPeriodTo": mgramseva::time::month_end_ms(month),
                "demandDetails": lines}]}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
}

/// This month: ₹300 billed, ₹170 paid; ₹120 of expenses paid and ₹80 unpaid. (admin token,
/// connection no.)
pub(crate) async fn month_of_300(app: &TestApp) -> (String, String) {
    let admin = app.login("9830000071", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
    let no = billed(
        app,
        &admin,
        "9876541001",
        "OLD/300",
        json!([{"taxHeadMasterCode": "10101", "taxAmount": 300}]),
    )
    .await;
    crate::citizen::pay_cash(app, &admin, &no, 170).await;
    let v = vendor(app, "Baldev Traders", "9876541002");
    bill(app, v, "SALARY", 120, true);
    bill(app, v, "PIPELINE_REPAIR", 80, false);
    (admin, no)
}

fn month_query() -> String {
    let m = month_start(0);
    format!(
        "tenantId={GP}&fromDate={}&toDate={}",
        ist_ms(m),
        mgramseva::time::month_end_ms(m)
    )
}

fn fy_query() -> String {
    let fy = mgramseva::time::Fy::of_date(today());
    format!(
        "tenantId={GP}&fromDate={}&toDate={}",
        fy.start_millis(),
        fy.end_millis()
    )
}

async fn call(app: &TestApp, token: &str, path: &str, query: &str) -> (StatusCode, Value) {
    app.post(
        &format!("{path}?{query}"),
        json!({"RequestInfo": ri(token)}),
    )
    .await
}

pub(crate) async fn revenue(app: &TestApp, token: &str) -> Value {
    let (s, v) = call(
        app,
        token,
        &format!("{WC}/_revenueDashboard"),
        &month_query(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(
        v["responseInfo"].is_object(),
        "lower-case responseInfo: {v}"
    );
    // the app reads each value as a Metric's label: a string, or a map of paid and count
    for (k, x) in v["RevenueDashboard"].as_object().unwrap() {
        assert!(
            x.is_string() || (x["paid"].is_i64() && x["count"].is_i64()),
            "{k}: {x}"
        );
    }
    v["RevenueDashboard"].clone()
}

/// This month's row of `_revenueCollectionData` for the financial year.
async fn this_month(app: &TestApp, token: &str) -> Value {
    let (s, v) = call(
        app,
        token,
        &format!("{WC}/_revenueCollectionData"),
        &fy_query(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let rows = v["RevenueCollectionData"].as_array().unwrap();
    for r in rows {
        assert_parses("Revenue", r);
    }
    let first = mgramseva::time::Fy::of_date(today()).first_day();
    let months = (today().year() * 12 + today().month() as i32)
        - (first.year() * 12 + first.month() as i32)
        + 1;
    assert_eq!(rows.len() as i32, months, "April to this month");
    let m = ist_ms(month_start(0));
    rows.iter().find(|r| r["month"] == m).unwrap().clone()
}

use chrono::Datelike as _;

pub(crate) async fn expense(app: &TestApp, token: &str) -> Value {
    let (s, v) = call(
        app,
        token,
        "/echallan-services/eChallan/v1/_expenseDashboard",
        &month_query(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v["ExpenseDashboard"].clone()
}

/// The page's month table: the row of this month, as (cell texts).
pub(crate) async fn page_row(app: &TestApp, sid: &str) -> Vec<String> {
    let p = get(app, "/home/dashboard?lang=en", Some(sid)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let label = format!(
        "{} {}",
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December"
        ][today().month0() as usize],
        today().year()
    );
    let at = p
        .body
        .find(&format!(">{label}</a>"))
        .unwrap_or_else(|| panic!("no row {label} in {}", p.body));
    let start = p.body[..at].rfind("<tr>").unwrap();
    let end = at + p.body[at..].find("</tr>").unwrap();
    let row = p.body[start..end]
        .replace("</th>", "\u{1}")
        .replace("</td>", "\u{1}");
    let mut text = String::new();
    let mut inside = false;
    for ch in row.chars() {
        match ch {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => text.push(c),
            _ => {}
        }
    }
    text.split('\u{1}')
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect()
}

#[actix_web::test]
async fn a_month_of_300_billed_170_collected_120_paid_80_unpaid() {
    let app = TestApp::new();
    let (admin, no) = month_of_300(&app).await;
    let viewer = app.login("9830000073", &["SECRETARY"]);

    let r = revenue(&app, &viewer).await;
    assert_eq!(r["demand"], "300");
    assert_eq!(r["pendingCollection"], "130");
    assert_eq!(r["actualCollection"], "170");
    assert_eq!(r["residetialColllection"], "170");
    assert_eq!(r["comercialCollection"], "0");
    assert_eq!(r["othersCollection"], "0");
    assert_eq!(r["totalApplicationsCount"], json!({"paid": 1, "count": 1}));
    assert_eq!(r["residentialsCount"], json!({"paid": 1, "count": 1}));
    assert_eq!(r["comercialsCount"], json!({"paid": 0, "count": 0}));
    assert_eq!(r["pendingPenalty"], "0");
    assert_eq!(r["advanceCollection"], "0");

    let m = this_month(&app, &viewer).await;
    assert_eq!(
        (
            &m["demand"],
            &m["pendingCollection"],
            &m["actualCollection"],
            &m["arrears"]
        ),
        (&json!("300"), &json!("130"), &json!("170"), &json!("0"))
    );
    for k in [
        "advanceAdjusted",
        "pendingPenalty",
        "advanceCollection",
        "penaltyCollection",
    ] {
        assert_eq!(m[k], "0", "{k}: {m}");
    }

    let e = expense(&app, &viewer).await;
    assert_eq!(
        (&e["totalExpenditure"], &e["amountPaid"], &e["amountUnpaid"]),
        (&json!("200"), &json!("120"), &json!("80"))
    );

    let sid = staff_session(&app, "9830000074", &["SECRETARY"]).await;
    let row = page_row(&app, &sid).await;
    assert_eq!(
        row[1..],
        ["₹50", "₹300 (₹0)", "₹130", "₹170", "₹200", "₹80", "₹120"],
        "Surplus/Deficit = 130 − 80"
    );

    // a further ₹100 paid and then cancelled leaves every figure as it was
    let (pid, _) = crate::citizen::pay_cash(&app, &admin, &no, 100).await;
    assert_eq!(revenue(&app, &viewer).await["actualCollection"], "270");
    let su = app.login("9830000076", &["SUPERUSER@pb"]);
    let (s, v) = app
        .post(
            "/collection-services/payments/WS/_workflow",
            json!({"RequestInfo": ri(&su), "PaymentWorkflows": [{"paymentId": pid,
                "action": "CANCEL", "tenantId": GP}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let r = revenue(&app, &viewer).await;
    assert_eq!(
        (&r["actualCollection"], &r["pendingCollection"]),
        (&json!("170"), &json!("130"))
    );
    assert_eq!(this_month(&app, &viewer).await["actualCollection"], "170");
    assert_eq!(
        page_row(&app, &sid).await[1..],
        ["₹50", "₹300 (₹0)", "₹130", "₹170", "₹200", "₹80", "₹120"]
    );
}

#[actix_web::test]
async fn penalty_and_advance() {
    let app = TestApp::new();
    let admin = app.login("9830000071", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
    let no = billed(
        &app,
        &admin,
        "9876541011",
        "OLD/PA",
        json!([{"taxHeadMasterCode": "10101", "taxAmount": 100},
               {"taxHeadMasterCode": "WS_TIME_PENALTY", "taxAmount": 20}]),
    )
    .await;
    let viewer = app.login("9830000073", &["SECRETARY"]);
    let r = revenue(&app, &viewer).await;
    assert_eq!(
        (&r["demand"], &r["pendingPenalty"], &r["penaltyCollection"]),
        (&json!("120"), &json!("20"), &json!("0"))
    );
    // ₹150 pays the ₹120 and leaves ₹30 ahead
    crate::citizen::pay_cash(&app, &admin, &no, 150).await;
    let r = revenue(&app, &viewer).await;
    assert_eq!(r["actualCollection"], "150");
    assert_eq!(r["pendingPenalty"], "0");
    assert_eq!(r["penaltyCollection"], "20");
    assert_eq!(r["advanceCollection"], "30");
    assert_eq!(r["advanceAdjusted"], "0");
    assert_eq!(r["pendingCollection"], "0", "the advance is not demand");
    let m = this_month(&app, &viewer).await;
    assert_eq!(
        (&m["penaltyCollection"], &m["advanceCollection"]),
        (&json!("20"), &json!("30"))
    );
}

#[actix_web::test]
async fn bad_periods_are_named_4xx() {
    let app = TestApp::new();
    let viewer = app.login("9830000073", &["SECRETARY"]);
    let m = ist_ms(month_start(0));
    let later = ist_ms(month_start(0) + chrono::Months::new(2));
    let cases = [
        (
            format!("tenantId={GP}&fromDate={m}&toDate={}", m - 86_400_000),
            "INVALID_DATE_RANGE",
        ),
        (
            format!("tenantId={GP}&fromDate={later}&toDate={}", later + 1000),
            "PERIOD_IN_FUTURE",
        ),
        (
            format!(
                "tenantId={GP}&fromDate={}&toDate={m}",
                m - 6 * 366 * 86_400_000
            ),
            "PERIOD_TOO_LONG",
        ),
        (
            format!("tenantId={GP}&fromDate=april&toDate={m}"),
            "INVALID_DATE",
        ),
        (format!("tenantId={GP}&toDate={m}"), "MISSING_FIELD"),
    ];
    for path in ["_revenueDashboard", "_revenueCollectionData"] {
        for (q, want) in &cases {
            let (s, v) = call(&app, &viewer, &format!("{WC}/{path}"), q).await;
            assert_eq!((s.as_u16(), code(&v)), (400, *want), "{path}?{q}: {v}");
        }
    }
    // getChartV2 draws the app's two charts, and names any other
    let chart = |code: &str| {
        json!({"aggregationRequestDto": {"visualizationType": "METRIC", "visualizationCode": code,
            "filters": {"tenantId": [GP]}, "requestDate": {"startDate": m,
            "endDate": mgramseva::time::month_end_ms(month_start(0)), "interval": "month"}},
            "headers": {"tenantId": GP}, "RequestInfo": ri(&viewer)})
    };
    let (s, v) = app
        .post(
            "/dashboard-analytics/dashboard/getChartV2",
            chart("somethingElse"),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "UNKNOWN_CHART"), "{v}");
    for c in [
        "revenueAndExpenditureTrendOne",
        "revenueAndExpenditureTrendTwo",
    ] {
        let (s, v) = app
            .post("/dashboard-analytics/dashboard/getChartV2", chart(c))
            .await;
        assert_eq!(s, 200, "{v}");
        assert_parses("RevenueGraph", &v["responseData"]);
        assert_eq!(v["responseData"]["visualizationCode"], c);
    }
}

#[actix_web::test]
async fn the_numbers_of_the_chart_and_another_gps_staff() {
    let app = TestApp::new();
    month_of_300(&app).await;
    let viewer = app.login("9830000073", &["SECRETARY"]);
    let m = ist_ms(month_start(0));
    let (s, v) = app
        .post(
            "/dashboard-analytics/dashboard/getChartV2",
            json!({"aggregationRequestDto": {"visualizationCode": "revenueAndExpenditureTrendTwo",
                "requestDate": {"startDate": m, "endDate": mgramseva::time::month_end_ms(month_start(0))}},
                "headers": {"tenantId": GP}, "RequestInfo": ri(&viewer)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let data = v["responseData"]["data"].as_array().unwrap();
    assert_eq!(data[0]["headerName"], "WaterService");
    assert_eq!(data[0]["headerValue"], 170);
    assert_eq!(data[1]["headerName"], "ExpenseService");
    assert_eq!(data[1]["plots"][0]["value"], 120);

    let other = app.login("9830000075", &[&format!("SECRETARY@{OTHER_GP}")]);
    for path in ["_revenueDashboard", "_revenueCollectionData"] {
        let (s, v) = call(&app, &other, &format!("{WC}/{path}"), &month_query()).await;
        assert_eq!(s, 403, "{path}: {v}");
    }
}

#[actix_web::test]
async fn the_page_shows_the_tabs_the_trend_and_the_scores() {
    let app = TestApp::new();
    month_of_300(&app).await;
    let sid = staff_session(&app, "9830000074", &["SECRETARY"]).await;
    let month = format!("{}-{:02}", today().year(), today().month());
    let fy = mgramseva::time::Fy::of_date(today()).label();
    let p = get(
        &app,
        &format!("/home/dashboard?lang=en&fy={fy}&month={month}"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    // the overview: the trend, the month table, the scores; the tabs as links
    assert!(p.body.contains("<svg class=\"trend\""), "{}", p.body);
    assert!(
        p.body.contains("<desc id=\"trend-d\">") && p.body.contains("id=\"months\""),
        "a description, and the numbers in the month table for screen readers"
    );
    assert!(p.body.contains("id=\"scores\""));
    assert!(
        p.body.contains(&format!(
            "href=\"/home/dashboard?fy={fy}&#38;month={month}&#38;tab=1\""
        )),
        "the Expenditure tab, its link escaped once: {}",
        p.body
    );
    // the month's Collections tab: the revenue figures and the households
    let p = get(
        &app,
        &format!("/home/dashboard?lang=en&fy={fy}&month={month}&tab=0"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("id=\"revenue\"") && !p.body.contains("id=\"months\""));
    assert!(
        p.body.contains("All (1)") && p.body.contains("Residential (1)"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Gurpreet Kaur") && p.body.contains("₹170"));
    let p = get(
        &app,
        &format!("/home/dashboard?lang=en&fy={fy}&month={month}&tab=1&kind=pending"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("All (2)") && p.body.contains("Paid (1)") && p.body.contains("Pending (1)"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("₹80") && !p.body.contains("Salary</td>"),
        "{}",
        p.body
    );
    let pdf = get(
        &app,
        &format!("/home/dashboard.pdf?fy={fy}&month={month}"),
        Some(&sid),
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"), "a PDF");
    // an unknown year is a form error: this year is shown beside it
    let p = get(&app, "/home/dashboard?lang=en&fy=1990-91", Some(&sid)).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("id=\"problem\""));
}
