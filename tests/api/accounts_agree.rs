//! Issue 17, "Done means": one month (a household billed ₹300 that paid ₹170, an expense of
//! ₹120 paid and one of ₹80 unpaid) read through every view of the accounts: the revenue and
//! expense dashboards, the dashboard page's month table (Surplus/Deficit = 130 − 80 = 50), the
//! monthly and collection reports, the Receipts and Payments account and the reconciliation
//! statement of the books (170 − 120 = 50 in hand), the receivables and payables. They agree
//! with each other, the journal balances and agrees with the ledger; the receipt cancelled,
//! its ₹170 leaves every one of them.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::dashboard::{WC, expense, month_of_300, page_row, revenue};
use crate::expense_pages::staff_session;
use crate::helpers::*;
use crate::pages::get;
use mgramseva::business::accounts::statements;

fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}

fn month_bounds() -> (chrono::NaiveDate, chrono::NaiveDate) {
    let m = month_start(0);
    (m, mgramseva::time::next_month(m).pred_opt().unwrap())
}

/// Everything each view says of the month, as one comparable record.
#[derive(Debug, PartialEq)]
struct Views {
    /// `_revenueDashboard`: demand, actual collection, pending collection.
    dashboard: (String, String, String),
    /// `_expenseDashboard`: paid, unpaid.
    expenses: (String, String),
    /// The page's month table: Surplus/Deficit, Demand (Arrears), Pending, Actual, Expenditure,
    /// Pending expenditure, Actual payment.
    month_row: Vec<String>,
    /// `month-report`: the household's demand, paid and remaining.
    month_report: (Value, Value, Value),
    /// `_collectionReport`: the payments' total in the month.
    collection_report: Value,
    /// The books, this month: opening, receipts, payments, closing (Format III).
    reconciliation: (Decimal, Decimal, Decimal, Decimal),
    /// The books, this FY: receipts, payments, closing (Format I).
    receipts_payments: (Decimal, Decimal, Decimal),
    /// Receivables (Format IV) and payables (Format V) today.
    owed: (Decimal, Decimal),
}

async fn read(app: &TestApp, viewer: &str, sid: &str, no: &str) -> Views {
    let r = revenue(app, viewer).await;
    let e = expense(app, viewer).await;
    let (from, to) = month_bounds();
    let d = |x: chrono::NaiveDate| x.format("%d/%m/%Y").to_string();
    let (s, m) = app
        .post(
            &format!(
                "{WC}/month-report?tenantId={GP}&startDate={}&endDate={}&offset=0&limit=-1",
                d(from),
                d(to)
            ),
            json!({"RequestInfo": ri(viewer)}),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let row = m["monthReport"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["connectionNo"] == no)
        .unwrap_or_else(|| panic!("{no} in {m}"))
        .clone();
    let (s, c) = app
        .post(
            &format!(
                "{WC}/_collectionReport?tenantId={GP}&paymentStartDate={}&paymentEndDate={}&offset=0&limit=-1",
                d(from),
                d(to)
            ),
            json!({"RequestInfo": ri(viewer)}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let mut conn = app.db.conn();
    let month = statements::cash_account(&mut conn, GP, from, to).unwrap();
    let fy = mgramseva::time::Fy::of_date(today());
    let year = statements::cash_account(&mut conn, GP, fy.first_day(), to).unwrap();
    let receivable: Decimal = statements::receivables(&mut conn, GP, today())
        .unwrap()
        .iter()
        .map(|a| a.balance)
        .sum();
    let payable: Decimal = statements::payables(&mut conn, GP, today())
        .unwrap()
        .iter()
        .map(|a| a.balance)
        .sum();
    Views {
        dashboard: (
            r["demand"].as_str().unwrap().to_owned(),
            r["actualCollection"].as_str().unwrap().to_owned(),
            r["pendingCollection"].as_str().unwrap().to_owned(),
        ),
        expenses: (
            e["amountPaid"].as_str().unwrap().to_owned(),
            e["amountUnpaid"].as_str().unwrap().to_owned(),
        ),
        month_row: page_row(app, sid).await[1..].to_vec(),
        month_report: (
            row["demandAmount"].clone(),
            row["amountPaid"].clone(),
            row["remainingAmount"].clone(),
        ),
        collection_report: c["totals"]["paymentAmount"].clone(),
        reconciliation: (
            month.opening,
            month.total_receipts(),
            month.total_payments(),
            month.closing,
        ),
        receipts_payments: (year.total_receipts(), year.total_payments(), year.closing),
        owed: (receivable, payable),
    }
}

/// The journal's debits and credits on the GP, and what the ledger check finds.
fn journal(app: &TestApp) -> (Decimal, Decimal, Vec<String>) {
    #[derive(diesel::QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Numeric)]
        dr: Decimal,
        #[diesel(sql_type = diesel::sql_types::Numeric)]
        cr: Decimal,
    }
    let mut c = app.db.conn();
    let t: T = diesel::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT coalesce(sum(debit), 0) AS dr, coalesce(sum(credit), 0) AS cr
               FROM accounts_line WHERE tenant_id = $1",
        )
        .bind::<diesel::sql_types::Text, _>(GP),
        &mut c,
    )
    .unwrap();
    let (_, problems) =
        mgramseva::business::collection::service::ledger_check(&mut c, Some(GP)).unwrap();
    (
        t.dr,
        t.cr,
        problems
            .into_iter()
            .map(|p| format!("{} {}", p.consumer_code, p.what))
            .collect(),
    )
}

#[actix_web::test]
async fn every_view_of_the_month_agrees_and_a_cancelled_receipt_leaves_them_all() {
    let app = TestApp::new();
    let (_admin, no) = month_of_300(&app).await;
    let viewer = app.login("9830000173", &["SECRETARY"]);
    let sid = staff_session(&app, "9830000174", &["SECRETARY"]).await;

    let v = read(&app, &viewer, &sid, &no).await;
    let s = |x: &str| x.to_owned();
    assert_eq!(
        v,
        Views {
            dashboard: (s("300"), s("170"), s("130")),
            expenses: (s("120"), s("80")),
            month_row: ["₹50", "₹300 (₹0)", "₹130", "₹170", "₹200", "₹80", "₹120"]
                .map(s)
                .to_vec(),
            month_report: (json!(300.0), json!(170.0), json!(130.0)),
            collection_report: json!(170.0),
            reconciliation: (dec(0), dec(170), dec(120), dec(50)),
            receipts_payments: (dec(170), dec(120), dec(50)),
            owed: (dec(130), dec(80)),
        }
    );
    // the pages of the books say the same
    let fy = mgramseva::time::Fy::of_date(today()).label();
    let rp = get(
        &app,
        &format!("/home/books/receipts-payments?fy={fy}&lang=en"),
        Some(&sid),
    )
    .await;
    assert_eq!(rp.status, 200, "{}", rp.body);
    for t in ["₹170", "₹120", "₹50"] {
        assert!(rp.body.contains(t), "{t} not in the R&P account");
    }
    let month = month_start(0).format("%Y-%m").to_string();
    let rec = get(
        &app,
        &format!("/home/books/reconciliation?month={month}&lang=en"),
        Some(&sid),
    )
    .await;
    assert_eq!(rec.status, 200, "{}", rec.body);
    assert!(rec.body.contains("₹170") && rec.body.contains("₹50"));
    let (dr, cr, problems) = journal(&app);
    assert_eq!(dr, cr, "the journal balances");
    assert!(dr > Decimal::ZERO);
    assert!(problems.is_empty(), "{problems:?}");

    // the ₹170 receipt entered in error is cancelled
    let mut conn = app.db.conn();
    #[derive(diesel::QueryableByName)]
    struct P {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let p: P = diesel::RunQueryDsl::get_result(
        diesel::sql_query("SELECT id::text AS id FROM collection_payment WHERE tenant_id = $1 AND total_amount_paid = 170")
            .bind::<diesel::sql_types::Text, _>(GP),
        &mut conn,
    )
    .unwrap();
    drop(conn);
    let su = app.login("9830000176", &["SUPERUSER@pb"]);
    let (st, w) = app
        .post(
            "/collection-services/payments/WS/_workflow",
            json!({"RequestInfo": ri(&su), "PaymentWorkflows": [{"paymentId": p.id,
                "action": "CANCEL", "tenantId": GP}]}),
        )
        .await;
    assert_eq!(st, 200, "{w}");

    let v = read(&app, &viewer, &sid, &no).await;
    assert_eq!(
        v,
        Views {
            dashboard: (s("300"), s("0"), s("300")),
            expenses: (s("120"), s("80")),
            // Surplus/Deficit = 300 pending − 80 unpaid
            month_row: ["₹220", "₹300 (₹0)", "₹300", "₹0", "₹200", "₹80", "₹120"]
                .map(s)
                .to_vec(),
            month_report: (json!(300.0), json!(0.0), json!(300.0)),
            collection_report: json!(0.0),
            reconciliation: (dec(0), dec(0), dec(120), dec(-120)),
            receipts_payments: (dec(0), dec(120), dec(-120)),
            owed: (dec(300), dec(80)),
        }
    );
    let (dr, cr, problems) = journal(&app);
    assert_eq!(dr, cr, "the journal still balances");
    assert!(problems.is_empty(), "{problems:?}");
}
