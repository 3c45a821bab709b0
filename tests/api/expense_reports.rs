//! The figures and reports that need expenses (issue 14, items 7-9): `_expenseDashboard` with
//! the numbers (₹1,200 salary paid on creation, ₹800 pipeline repair unpaid, the salary
//! cancelled), `_chalanCollectionData`, last month's summary, the expense bill and vendor reports,
//! the expense reminders in the notification outbox, and the demo GP's expenditure.

use chrono::{Duration, NaiveDate, Utc};
use diesel::Connection as _;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use actix_web::http::StatusCode;

use crate::helpers::*;
use mgramseva::jobs::{self, JobArgs};
use mgramseva::municipal::echallan::service::{self as challans, ChallanInput, Key, Who};
use mgramseva::municipal::vendor::service::{self as vendors, Ctx, NewVendor};
use mgramseva::platform::notification;

const EB: &str = "/echallan-services/eChallan/v1";

/// A vendor of the GP.
pub(crate) fn vendor(app: &TestApp, name: &str, mobile: &str) -> uuid::Uuid {
    let mut c = app.db.conn();
    c.transaction(|c| {
        vendors::create(
            c,
            Ctx::of(&app.state),
            &NewVendor {
                tenant_id: GP.to_owned(),
                name: name.to_owned(),
                mobile: mobile.to_owned(),
                ..NewVendor::default()
            },
            "vendor",
            None,
            Utc::now(),
        )
    })
    .unwrap()
    .id
}

/// An expense bill dated today (paid today when `paid`); its number.
pub(crate) fn bill(
    app: &TestApp,
    vendor: uuid::Uuid,
    kind: &str,
    amount: i64,
    paid: bool,
) -> String {
    bill_on(app, vendor, kind, amount, paid, today())
}

/// An expense bill dated `day` (paid that day when `paid`); its number.
pub(crate) fn bill_on(
    app: &TestApp,
    vendor: uuid::Uuid,
    kind: &str,
    amount: i64,
    paid: bool,
    day: NaiveDate,
) -> String {
    let mut c = app.db.conn();
    c.transaction(|c| {
        challans::create(
            c,
            Ctx::of(&app.state),
            &ChallanInput {
                tenant_id: GP.to_owned(),
                type_of_expense: kind.to_owned(),
                vendor_id: vendor,
                amount: Decimal::from(amount),
                bill_date: day,
                bill_issued_date: None,
                tax_period_from: mgramseva::time::month_start(day),
                tax_period_to: day,
                is_bill_paid: paid,
                paid_date: paid.then_some(day),
                filestore_id: None,
                description: None,
            },
            "Challan",
            Who::default(),
            Utc::now(),
        )
    })
    .unwrap()
    .challan_no
}

/// Cancels a bill, as `who` (None: nobody named).
pub(crate) fn cancel(app: &TestApp, no: &str, who: Option<uuid::Uuid>) {
    let mut c = app.db.conn();
    c.transaction(|c| {
        challans::cancel(
            c,
            Ctx::of(&app.state),
            GP,
            &Key::No(no.to_owned()),
            Who {
                actor: who,
                pspcl_admin: false,
            },
            Utc::now(),
        )
    })
    .unwrap();
}

fn ledger_clean(app: &TestApp) {
    let mut c = app.db.conn();
    let (_, problems) =
        mgramseva::business::collection::service::ledger_check(&mut c, Some(GP)).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

fn month_end(d: NaiveDate) -> NaiveDate {
    mgramseva::time::next_month(d).pred_opt().unwrap()
}

async fn dashboard(app: &TestApp, token: &str, from: NaiveDate, to: NaiveDate) -> Value {
    let (s, v) = app
        .post(
            &format!(
                "{EB}/_expenseDashboard?tenantId={GP}&fromDate={}&toDate={}",
                ist_ms(from),
                ist_ms(to) + 86_399_999
            ),
            json!({"RequestInfo": ri(token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["responseInfo"].is_object(), "{v}");
    v["ExpenseDashboard"].clone()
}

fn figures(v: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            v[*k]
                .as_str()
                .unwrap_or_else(|| panic!("{k} in {v}"))
                .to_owned()
        })
        .collect()
}

const MAIN: &[&str] = &[
    "totalExpenditure",
    "amountUnpaid",
    "amountPaid",
    "totalBills",
    "billsPaid",
    "pendingBills",
    "electricityBill",
    "OMMisc",
    "salary",
];

#[actix_web::test]
async fn the_expense_dashboard_follows_a_paid_salary_an_unpaid_repair_and_a_cancellation() {
    let app = TestApp::new();
    let token = app.login("9811000001", &["SECRETARY"]);
    let (from, to) = (month_start(0), month_end(month_start(0)));
    let operator = vendor(&app, "Balwinder Singh", "9876511001");
    let salary = bill(&app, operator, "SALARY", 1_200, true);
    ledger_clean(&app);
    let v = dashboard(&app, &token, from, to).await;
    assert_eq!(
        figures(&v, MAIN),
        ["1200", "0", "1200", "1", "1", "0", "0", "0", "1200"]
    );

    let pipes = vendor(&app, "Sandhu Pipe Store", "9876511002");
    bill(&app, pipes, "PIPELINE_REPAIR", 800, false);
    ledger_clean(&app);
    let v = dashboard(&app, &token, from, to).await;
    assert_eq!(
        figures(&v, MAIN),
        ["2000", "800", "1200", "2", "1", "1", "0", "800", "1200"]
    );

    cancel(&app, &salary, None);
    ledger_clean(&app);
    let v = dashboard(&app, &token, from, to).await;
    assert_eq!(
        figures(&v, MAIN),
        ["800", "800", "0", "1", "0", "1", "0", "800", "0"]
    );
    // last month knows nothing of it
    let prev = month_start(1);
    let v = dashboard(&app, &token, prev, month_end(prev)).await;
    assert_eq!(figures(&v, &MAIN[..3]), ["0", "0", "0"]);

    // the dashboard's table: every month of the financial year up to this one, oldest first;
    // this month's row agrees with the figures above
    let fy = mgramseva::time::Fy::of_date(today());
    let (s, v) = app
        .post(
            &format!(
                "{EB}/_chalanCollectionData?tenantId={GP}&fromDate={}&toDate={}",
                fy.start_millis(),
                fy.end_millis()
            ),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // the app's revenue dashboard reads each month as its `Expense` model
    crate::app_models::list_parses_as(
        "Expense@revenue_dashboard",
        &v["ChallanCollectionData"],
        "ChallanCollectionData",
    )
    .unwrap();
    let rows = v["ChallanCollectionData"].as_array().unwrap();
    let mut months = 0;
    let mut m = fy.first_day();
    while m <= month_start(0) {
        months += 1;
        m = mgramseva::time::next_month(m);
    }
    assert_eq!(rows.len(), months, "{v}");
    assert_eq!(rows[0]["month"], json!(fy.start_millis()));
    let last = rows.last().unwrap();
    assert_eq!(last["month"], json!(ist_ms(month_start(0))));
    assert_eq!(
        figures(last, &["totalExpenditure", "amountUnpaid", "amountPaid"]),
        ["800", "800", "0"]
    );
    for r in &rows[..rows.len() - 1] {
        assert_eq!(r["totalExpenditure"], "0", "{r}");
    }

    // the month as the next month's summary (the bill PDF's GP summary, the monthly reminder)
    // tells it
    let next = ist_ms(mgramseva::time::next_month(month_start(0))) + 3_600_000;
    let at = chrono::DateTime::from_timestamp_millis(next).unwrap();
    let l =
        mgramseva::municipal::echallan::reports::last_month(&mut app.db.conn(), GP, at).unwrap();
    assert_eq!(l.month, month_start(0));
    assert_eq!(
        (l.paid, l.new_expense, l.pending),
        (Decimal::ZERO, Decimal::from(800), Decimal::from(800))
    );

    // and `_lastMonthSummary` answers it, once a ₹500 bill is paid too: paid 500, new 1,300,
    // still pending 800; the month named with its own financial year
    bill(&app, operator, "SALARY", 500, true);
    let summary = |token: String, q: String| {
        let app = &app;
        async move {
            app.post(
                &format!("{EB}/_lastMonthSummary?{q}"),
                json!({"RequestInfo": ri(&token)}),
            )
            .await
        }
    };
    let (s, v) = summary(token.clone(), format!("tenantId={GP}&currentDate={next}")).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["responseInfo"].is_object(), "{v}");
    let month = month_start(0).format("%B").to_string().to_uppercase();
    assert_eq!(
        v["LastMonthSummary"],
        json!({"previousMonthCollection": "500", "previousMonthNewExpense": "1300",
            "cumulativePendingExpense": "800",
            "previousMonthYear": format!("{month} {}", fy.label())})
    );
    // the counter staff see it; staff of another GP, a bad date: refused
    let operator_token = app.login("9811000002", &["COLLECTION_OPERATOR"]);
    let (s, v) = summary(operator_token, format!("tenantId={GP}&currentDate={next}")).await;
    assert_eq!(
        v["LastMonthSummary"]["previousMonthCollection"], "500",
        "{s} {v}"
    );
    let (s, v) = summary(token.clone(), format!("tenantId={OTHER_GP}")).await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = summary(
        token,
        format!("tenantId={GP}&currentDate=99999999999999999"),
    )
    .await;
    assert_eq!(s, 400, "{v}");
}

/// The reports screen opens on last month's expenditure summary, as the bill PDF prints it:
/// ₹1,500 salary paid and ₹700 repair unpaid last month → new 2,200, paid 1,500, pending 700;
/// this month's bills are not in it.
#[actix_web::test]
async fn the_reports_screen_shows_last_months_expenditure() {
    let app = TestApp::new();
    let last = month_start(1) + Duration::days(2);
    let v = vendor(&app, "Balwinder Singh", "9876511031");
    bill_on(&app, v, "SALARY", 1_500, true, last);
    bill_on(&app, v, "PIPELINE_REPAIR", 700, false, last);
    bill(&app, v, "SALARY", 999, true);
    let sid = crate::expense_pages::staff_session(&app, "9811000031", &["SECRETARY"]).await;
    let page = crate::pages::call_in(
        &app,
        actix_web::test::TestRequest::get().uri("/home/reports"),
        Some(&sid),
        "pa",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let at = page.body.find("id=\"last-month\"").expect("the summary");
    let dl = &page.body[at..page.body[at..].find("</dl>").unwrap() + at];
    let pa: Value =
        serde_json::from_str(include_str!("../../data/localization/pa_IN.json")).unwrap();
    let m = month_start(1);
    let month = format!(
        "{} {}",
        pa["mgramseva-common"][format!("MONTH_{}", chrono::Datelike::month(&m))]
            .as_str()
            .unwrap(),
        chrono::Datelike::year(&m)
    );
    assert!(page.body.contains(&month), "{month} in {}", page.body);
    let want = [
        ("ਨਵਾਂ ਖਰਚਾ", "₹2,200"),
        ("ਅਸਲ ਭੁਗਤਾਨ", "₹1,500"),
        ("ਕੁੱਲ ਬਕਾਇਆ ਖਰਚਾ", "₹700"),
    ];
    for (label, amount) in want {
        assert!(
            dl.contains(&format!("<dt>{label}</dt><dd>{amount}</dd>")),
            "{label} {amount} in {dl}"
        );
    }
}

#[actix_web::test]
async fn expense_figures_start_at_zero_and_refuse_bad_periods() {
    let app = TestApp::new();
    let token = app.login("9811000009", &["SECRETARY"]);
    let (from, to) = (month_start(0), month_end(month_start(0)));
    let empty = dashboard(&app, &token, from, to).await;
    assert_eq!(
        figures(&empty, MAIN),
        ["0", "0", "0", "0", "0", "0", "0", "0", "0"]
    );
    // bad periods: a 400 naming the field, not a 500
    for (q, field) in [
        (format!("tenantId={GP}&toDate=1"), "fromDate"),
        (
            format!("tenantId={GP}&fromDate={}&toDate=1", ist_ms(from)),
            "toDate",
        ),
    ] {
        let (s, v) = app
            .post(
                &format!("{EB}/_expenseDashboard?{q}"),
                json!({"RequestInfo": ri(&token)}),
            )
            .await;
        assert_eq!(s, 400, "{v}");
        assert!(error_fields(&v).iter().any(|f| f == field), "{v}");
    }
    // another GP's figures are not this secretary's to see
    let (s, _) = app
        .post(
            &format!(
                "{EB}/_expenseDashboard?tenantId={OTHER_GP}&fromDate={}&toDate={}",
                ist_ms(from),
                ist_ms(to)
            ),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 403);
    // the reports answer an empty month, and refuse a day written otherwise
    let (s, v) = app
        .post(
            &format!("{EB}/_expenseBillReport?tenantId={GP}&monthstartDate={}&monthendDate={}&offset=0&limit=-1", dmy(from), dmy(to)),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(
        (s, &v["ExpenseBillReportData"]),
        (StatusCode::OK, &json!([])),
        "{v}"
    );
    let (s, v) = app
        .post(
            &format!(
                "{EB}/_expenseBillReport?tenantId={GP}&monthstartDate={from}&monthendDate={}",
                dmy(to)
            ),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(code(&v), "INVALID_DATE");
    let (s, v) = app
        .post(
            &format!("/vendor/v1/_vendorReport?tenantId={GP}&offset=0&limit=10"),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(error_fields(&v), ["monthStartDate"]);
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[actix_web::test]
async fn the_bill_and_vendor_reports_list_the_months_bills() {
    let app = TestApp::new();
    let token = app.login("9811000002", &["SECRETARY"]);
    let clerk = app.employee("9811000003", &["EXPENSE_PROCESSING"], None);
    let operator = vendor(&app, "Balwinder Singh", "9876511011");
    let pipes = vendor(&app, "Sandhu Pipe Store", "9876511012");
    let salary = bill(&app, operator, "SALARY", 1_200, true);
    let repair = bill(&app, pipes, "PIPELINE_REPAIR", 800, false);
    cancel(&app, &salary, Some(clerk.uuid));
    let (from, to) = (month_start(0), month_end(month_start(0)));

    let report = |q: String| {
        let app = &app;
        let token = token.clone();
        async move {
            app.post(
                &format!("{EB}/_expenseBillReport?{q}"),
                json!({"RequestInfo": ri(&token)}),
            )
            .await
        }
    };
    let month = format!(
        "tenantId={GP}&monthstartDate={}&monthendDate={}",
        dmy(from),
        dmy(to)
    );
    let (s, v) = report(format!("{month}&offset=0&limit=10")).await;
    assert_eq!(s, 200, "{v}");
    let rows = v["ExpenseBillReportData"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v}");
    // newest first: the repair, then the cancelled salary
    let r = &rows[0];
    assert_eq!(r["typeOfExpense"], "PIPELINE_REPAIR");
    assert_eq!(r["vendorName"], "Sandhu Pipe Store");
    assert_eq!(r["amount"], json!(800));
    assert_eq!(r["billDate"], json!(ist_ms(today())));
    assert_eq!(r["taxPeriodFrom"], json!(ist_ms(from)));
    assert_eq!(r["applicationStatus"], "ACTIVE");
    assert_eq!(r["paidDate"], Value::Null);
    assert_eq!(r["tenantId"], GP);
    let r = &rows[1];
    assert_eq!(r["typeOfExpense"], "SALARY");
    assert_eq!(r["amount"], json!(1200));
    assert_eq!(r["applicationStatus"], "CANCELLED");
    assert_eq!(r["paidDate"], json!(ist_ms(today())));
    assert_eq!(r["lastModifiedByUuid"], json!(clerk.uuid));
    assert_eq!(r["lastModifiedBy"], json!(clerk.name));
    assert!(r["lastModifiedTime"].as_i64().unwrap() > ist_ms(from));
    // paging, and the download's limit=-1
    let (_, v) = report(format!("{month}&offset=1&limit=1")).await;
    assert_eq!(v["ExpenseBillReportData"].as_array().unwrap().len(), 1);
    assert_eq!(v["ExpenseBillReportData"][0]["typeOfExpense"], "SALARY");
    let (_, v) = report(format!("{month}&offset=0&limit=-1")).await;
    assert_eq!(v["ExpenseBillReportData"].as_array().unwrap().len(), 2);
    // last month: nothing
    let prev = month_start(1);
    let (_, v) = report(format!(
        "tenantId={GP}&monthstartDate={}&monthendDate={}&offset=0&limit=10",
        dmy(prev),
        dmy(month_end(prev))
    ))
    .await;
    assert_eq!(v["ExpenseBillReportData"], json!([]));

    // the vendor report: the bills not cancelled, with the vendor's owner
    let (s, v) = app
        .post(
            &format!(
                "/vendor/v1/_vendorReport?tenantId={GP}&monthStartDate={}&offset=0&limit=-1",
                dmy(from)
            ),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["requestInfo"].is_object(), "{v}");
    let rows = v["VendorReportData"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{v}");
    let r = &rows[0];
    assert_eq!(r["bill_id"], json!(repair));
    assert_eq!(r["vendor_name"], "Sandhu Pipe Store");
    assert_eq!(r["mobile_no"], "9876511012");
    assert_eq!(r["type_of_expense"], "PIPELINE_REPAIR");
    assert_eq!(r["tenantId"], GP);
    assert!(r["owner_uuid"].is_string());
    // bounded by monthEndDate when given: last month holds none of them
    let (_, v) = app
        .post(
            &format!(
                "/vendor/v1/_vendorReport?tenantId={GP}&monthStartDate={}&monthEndDate={}&offset=0&limit=10",
                dmy(prev),
                dmy(month_end(prev))
            ),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(v["VendorReportData"], json!([]));
}

/// The messages queued to a mobile number with `template`.
fn queued(app: &TestApp, mobile: &str, template: &str) -> Vec<String> {
    let mut c = app.db.conn();
    notification::messages_to(&mut c, &app.state.crypto, mobile, 50)
        .unwrap()
        .into_iter()
        .filter(|m| m.template == template)
        .map(|m| m.text)
        .collect()
}

fn run(app: &TestApp, job: &str) -> String {
    jobs::run_blocking(
        &app.state,
        job,
        &JobArgs {
            tenant: Some(GP.to_owned()),
            period: None,
        },
    )
    .unwrap()
}

#[actix_web::test]
async fn the_expense_reminders_go_to_the_right_people_and_only_when_due() {
    let app = TestApp::new();
    let (secretary, clerk, admin, collector) =
        ("9811000011", "9811000012", "9811000013", "9811000014");
    app.employee(secretary, &["SECRETARY"], None);
    app.employee(clerk, &["EXPENSE_PROCESSING"], None);
    app.employee(admin, &["GP_ADMIN"], None);
    app.employee(collector, &["COLLECTION_OPERATOR"], None);
    // someone of another GP hears nothing of this one
    app.employee("9811000015", &[&format!("SECRETARY@{OTHER_GP}")], None);

    // no unpaid bill: no mark-paid reminder at all
    let out = run(&app, "expense-mark-paid");
    assert!(out.contains("0 messages"), "{out}");
    for m in [secretary, clerk] {
        assert!(queued(&app, m, "MARK_PAID_BILL_EN_REMINDER").is_empty());
    }

    let out = run(&app, "expense-new-expenditure");
    assert!(out.contains("2 messages"), "{out}");
    for m in [secretary, clerk] {
        let got = queued(&app, m, "NEW_ENPENDITURE_EN_REMINDER");
        assert_eq!(got.len(), 1, "{m}");
        assert!(got[0].contains("/home/addExpense"), "{}", got[0]);
    }
    for m in [admin, collector, "9811000015"] {
        assert!(queued(&app, m, "NEW_ENPENDITURE_EN_REMINDER").is_empty());
    }

    // the monthly summary to the office holders
    let out = run(&app, "expense-month-summary");
    assert!(out.contains("3 messages"), "{out}");
    for m in [secretary, clerk, admin] {
        assert_eq!(queued(&app, m, "MONTHLY_SUMMARY_EN_REMINDER").len(), 1);
    }
    assert!(queued(&app, collector, "MONTHLY_SUMMARY_EN_REMINDER").is_empty());
}

#[actix_web::test]
async fn the_mark_paid_reminder_counts_the_unpaid_bills() {
    let app = TestApp::new();
    let (secretary, clerk, admin) = ("9811000021", "9811000022", "9811000023");
    app.employee(secretary, &["SECRETARY"], None);
    app.employee(clerk, &["EXPENSE_PROCESSING"], None);
    app.employee(admin, &["GP_ADMIN"], None);
    let shop = vendor(&app, "Sandhu Pipe Store", "9876511041");
    bill(&app, shop, "PIPELINE_REPAIR", 800, false);
    bill(&app, shop, "OTHERS", 150, false);
    bill(&app, shop, "SALARY", 1_000, true);
    let out = run(&app, "expense-mark-paid");
    assert!(out.contains("2 messages"), "{out}");
    for m in [secretary, clerk] {
        let got = queued(&app, m, "MARK_PAID_BILL_EN_REMINDER");
        assert_eq!(got.len(), 1, "{m}");
        // in Punjabi (the state's language): two bills await confirmation
        assert!(got[0].contains(" 2 "), "{}", got[0]);
        assert!(got[0].contains("ਭੁਗਤਾਨ"), "{}", got[0]);
        assert!(got[0].contains("/home/searchExpense"), "{}", got[0]);
    }
    assert!(queued(&app, admin, "MARK_PAID_BILL_EN_REMINDER").is_empty());
}

#[test]
fn the_demo_gp_gets_vendors_and_months_of_expenses_once() {
    let db = TestDb::new();
    let s = settings(&db.url);
    let now = crate::demo::pinned();
    let mut c = db.conn();
    mgramseva::demo::setup(&mut c, &s).unwrap();
    let first = mgramseva::demo::expenses::setup(&mut c, &s, now).unwrap();
    assert!(first.created);
    assert_eq!(first.vendors, 4);
    assert_eq!(first.bills, 11);
    assert_eq!((first.paid, first.unpaid, first.cancelled), (6, 4, 1));
    assert_eq!(
        first.total,
        Decimal::from(3000 + 800 + 3000 + 1450 + 3000 + 650 + 450 + 3000 + 1200 + 5500)
    );
    // one bill carries its paper bill: a PDF on disk, of this GP
    let no = first.attached.expect("a bill with an attachment");
    let file = challans::get(&mut c, GP, &Key::No(no))
        .unwrap()
        .and_then(|b| b.filestore_id)
        .expect("the bill names its file");
    let (_, bytes) = mgramseva::platform::filestore::read(
        &mut c,
        &s.filestore.dir,
        GP,
        uuid::Uuid::parse_str(&file).unwrap(),
    )
    .unwrap()
    .expect("the attachment is kept");
    assert!(bytes.starts_with(b"%PDF-") && bytes.ends_with(b"%%EOF\n"));
    let again = mgramseva::demo::expenses::setup(&mut c, &s, now).unwrap();
    assert!(!again.created);
    let (_, problems) =
        mgramseva::business::collection::service::ledger_check(&mut c, Some(GP)).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    // the last month's bills are the unpaid ones
    let last = mgramseva::time::prev_month(now.with_timezone(&mgramseva::time::IST).date_naive());
    let f = mgramseva::municipal::echallan::reports::figures(
        &mut c,
        GP,
        last,
        last + Duration::days(40),
    )
    .unwrap();
    assert_eq!(f.pending_bills, 3);
    assert_eq!(f.unpaid, Decimal::from(3000 + 1200 + 5500));
}
