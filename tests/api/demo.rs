//! `mgramseva demo`: the demo GP's households and their last twelve months, built through the
//! product's services. Counts, the months billed, money that adds up to the rupee, a penalty and
//! an advance; a second run changes nothing; two databases get the same figures.

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Numeric, Text};
use mgramseva::demo;
use rust_decimal::Decimal;

use crate::helpers::*;

/// 18 July 2026, 12:00 IST: the months billed are July 2025 to June 2026.
pub fn pinned() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 18, 6, 30, 0).unwrap()
}

#[derive(QueryableByName, Debug, PartialEq, Eq, Clone)]
pub struct Figures {
    #[diesel(sql_type = BigInt)]
    pub households: i64,
    #[diesel(sql_type = BigInt)]
    pub metered: i64,
    #[diesel(sql_type = BigInt)]
    pub flat: i64,
    #[diesel(sql_type = BigInt)]
    pub inactive: i64,
    #[diesel(sql_type = BigInt)]
    pub commercial: i64,
    #[diesel(sql_type = BigInt)]
    pub months: i64,
    #[diesel(sql_type = BigInt)]
    pub readings: i64,
    /// every positive line of the live demands: charges, arrears, penalties
    #[diesel(sql_type = Numeric)]
    pub billed: Decimal,
    /// what the receipts took (cancelled ones aside)
    #[diesel(sql_type = Numeric)]
    pub receipts: Decimal,
    /// what is still owed on those lines
    #[diesel(sql_type = Numeric)]
    pub due: Decimal,
    /// advances brought from the old register
    #[diesel(sql_type = Numeric)]
    pub opening_advance: Decimal,
    /// advance not used yet
    #[diesel(sql_type = Numeric)]
    pub advance_left: Decimal,
    #[diesel(sql_type = Numeric)]
    pub penalties: Decimal,
    #[diesel(sql_type = BigInt)]
    pub with_advance: i64,
    #[diesel(sql_type = BigInt)]
    pub fully_paid: i64,
    #[diesel(sql_type = BigInt)]
    pub months_behind: i64,
    /// row counts of every table the demo writes
    #[diesel(sql_type = Text)]
    pub rows: String,
    /// each household: old number, connection number, status, billed, still due
    #[diesel(sql_type = Text)]
    pub ledger: String,
}

const FIGURES: &str = r#"
WITH c AS (
  SELECT wc.*, p.property_type FROM water_connection wc JOIN property p ON p.id = wc.property_id
  WHERE wc.tenant_id = 'pb.lodhipur' AND wc.old_connection_no LIKE 'LDP/%'),
d AS (SELECT d.* FROM billing_demand d JOIN c ON c.connection_no = d.consumer_code
  WHERE d.tenant_id = 'pb.lodhipur' AND d.status = 'ACTIVE'),
l AS (SELECT l.*, d.consumer_code, d.consumer_type FROM billing_demand_detail l JOIN d ON d.id = l.demand_id),
per AS (SELECT c.old_connection_no, c.connection_no, c.status,
  coalesce((SELECT sum(tax_amount) FROM l WHERE l.consumer_code = c.connection_no AND tax_amount > 0), 0) AS billed,
  coalesce((SELECT sum(tax_amount - collection_amount) FROM l WHERE l.consumer_code = c.connection_no AND tax_amount > 0), 0) AS due,
  coalesce((SELECT -sum(tax_amount - collection_amount) FROM l WHERE l.consumer_code = c.connection_no AND tax_amount < 0), 0) AS advance,
  (SELECT count(*) FROM d WHERE d.consumer_code = c.connection_no AND d.consumer_type = 'waterConnection'
     AND EXISTS (SELECT 1 FROM l WHERE l.demand_id = d.id AND l.tax_amount > l.collection_amount)) AS unpaid_months
  FROM c)
SELECT
  (SELECT count(*) FROM c) AS households,
  (SELECT count(*) FROM c WHERE connection_type = 'Metered') AS metered,
  (SELECT count(*) FROM c WHERE connection_type = 'Non_Metered') AS flat,
  (SELECT count(*) FROM c WHERE status = 'Inactive') AS inactive,
  (SELECT count(*) FROM c WHERE property_type = 'COMMERCIAL') AS commercial,
  (SELECT count(DISTINCT to_char(period_to AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM')) FROM d
     WHERE consumer_type = 'waterConnection') AS months,
  (SELECT count(*) FROM water_meter_reading r JOIN c ON c.id = r.connection_id) AS readings,
  (SELECT coalesce(sum(tax_amount), 0) FROM l WHERE tax_amount > 0) AS billed,
  (SELECT coalesce(sum(p.total_amount_paid), 0) FROM collection_payment p
     JOIN collection_payment_detail pd ON pd.payment_id = p.id
     JOIN c ON c.connection_no = pd.consumer_code
     WHERE p.payment_status <> 'CANCELLED') AS receipts,
  (SELECT coalesce(sum(tax_amount - collection_amount), 0) FROM l WHERE tax_amount > 0) AS due,
  (SELECT coalesce(sum(advance), 0) FROM c) AS opening_advance,
  (SELECT coalesce(-sum(tax_amount - collection_amount), 0) FROM l WHERE tax_amount < 0) AS advance_left,
  (SELECT coalesce(sum(tax_amount), 0) FROM l WHERE tax_head_code IN ('10201', 'WS_TIME_PENALTY')) AS penalties,
  (SELECT count(*) FROM per WHERE advance > 0) AS with_advance,
  (SELECT count(*) FROM per WHERE due = 0 AND status = 'Active') AS fully_paid,
  (SELECT count(*) FROM per WHERE unpaid_months >= 3) AS months_behind,
  (SELECT concat_ws(',',
     (SELECT count(*) FROM water_connection), (SELECT count(*) FROM property),
     (SELECT count(*) FROM billing_demand), (SELECT count(*) FROM billing_demand_detail),
     (SELECT count(*) FROM billing_bill), (SELECT count(*) FROM collection_payment),
     (SELECT count(*) FROM collection_allocation), (SELECT count(*) FROM water_meter_reading),
     (SELECT count(*) FROM water_bulk_demand_batch), (SELECT count(*) FROM user_account))) AS rows,
  (SELECT string_agg(concat_ws(' ', old_connection_no, connection_no, status, billed, due, advance), '; '
     ORDER BY old_connection_no) FROM per) AS ledger
"#;

pub fn figures(c: &mut PgConnection) -> Figures {
    diesel::sql_query(FIGURES).get_result(c).unwrap()
}

/// The demo on `db` as of the pinned time: the staff, then the households (timed).
pub fn run_demo(db: &TestDb) -> (demo::households::Summary, std::time::Duration) {
    let s = settings(&db.url);
    let mut c = db.conn();
    demo::setup(&mut c, &s).unwrap();
    let t = std::time::Instant::now();
    let summary = demo::households::setup(&mut c, &s, pinned()).unwrap();
    (summary, t.elapsed())
}

#[test]
fn the_demo_gp_holds_a_year_that_adds_up() {
    let db = TestDb::new();
    let (summary, took) = run_demo(&db);
    eprintln!(
        "demo households built in {:.2}s: {summary:?}",
        took.as_secs_f32()
    );
    let mut c = db.conn();
    let f = figures(&mut c);
    eprintln!("{f:?}");
    assert!(summary.created);
    assert_eq!(f.households, 60);
    assert_eq!(summary.households, 60);
    assert_eq!((f.metered, f.flat), (15, 45));
    assert_eq!(f.inactive, 4);
    assert!(f.commercial >= 6, "{}", f.commercial);
    // twelve months: July 2025 to June 2026, no more, no less
    assert_eq!(f.months, 12);
    assert_eq!(
        summary.months,
        Some((
            chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
        ))
    );
    // a reading a month for each metered household while active (one left in the year)
    assert!(
        f.readings >= 14 * 12 && f.readings < 15 * 12,
        "{}",
        f.readings
    );
    // every rupee: what was billed is what was collected (receipts and opening advances, less
    // the advance not used yet) plus what is still owed
    assert!(f.billed > Decimal::from(50_000), "{}", f.billed);
    assert_eq!(
        f.billed,
        f.receipts + f.opening_advance - f.advance_left + f.due,
        "{f:?}"
    );
    assert_eq!(f.receipts, summary.collected);
    assert!(f.penalties > Decimal::ZERO, "a penalty: {f:?}");
    assert!(f.with_advance >= 1, "an advance: {f:?}");
    assert!(f.advance_left > Decimal::ZERO);
    assert!(f.fully_paid >= 20, "fully paid: {}", f.fully_paid);
    assert!(f.months_behind >= 3, "months behind: {}", f.months_behind);
    assert!(f.due > Decimal::from(3_000), "{}", f.due);
    // the satisfaction scores and the receipt entered twice and cancelled
    let (ratings, cancelled, cancelled_amount) = ratings_and_cancelled(&mut c, "pb.lodhipur");
    assert!(summary.ratings >= 20, "{}", summary.ratings);
    assert_eq!(ratings, i64::try_from(summary.ratings).unwrap());
    assert_eq!((summary.cancelled, cancelled), (1, 1));
    assert!(cancelled_amount > Decimal::ZERO);
    // (a guard against a pathological slowdown only: a debug build with four demo runs at once
    // on a loaded machine took 84 s; the time is printed above)
    assert!(took.as_secs() < 240, "{took:?}");
}

#[test]
fn a_second_run_changes_nothing() {
    let db = TestDb::new();
    run_demo(&db);
    let mut c = db.conn();
    let first = figures(&mut c);
    let (again, _) = run_demo(&db);
    assert!(!again.created);
    assert_eq!(again.households, 60);
    assert_eq!(figures(&mut c), first);
}

#[test]
fn two_databases_get_the_same_demo() {
    let (a, b) = (TestDb::new(), TestDb::new());
    let (sa, _) = run_demo(&a);
    let (sb, _) = run_demo(&b);
    assert_eq!(sa, sb);
    let (fa, fb) = (figures(&mut a.conn()), figures(&mut b.conn()));
    assert_eq!(fa, fb);
}

/// A GP's ratings, and its cancelled receipts (count and amount).
fn ratings_and_cancelled(c: &mut PgConnection, tenant: &str) -> (i64, i64, Decimal) {
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = BigInt)]
        ratings: i64,
        #[diesel(sql_type = BigInt)]
        cancelled: i64,
        #[diesel(sql_type = Numeric)]
        amount: Decimal,
    }
    let r: R = diesel::sql_query(
        "SELECT (SELECT count(*) FROM water_feedback WHERE tenant_id = $1) AS ratings, \
         (SELECT count(*) FROM collection_payment WHERE tenant_id = $1 \
            AND payment_status = 'CANCELLED') AS cancelled, \
         (SELECT coalesce(sum(total_amount_paid), 0) FROM collection_payment WHERE tenant_id = $1 \
            AND payment_status = 'CANCELLED') AS amount",
    )
    .bind::<Text, _>(tenant)
    .get_result(c)
    .unwrap();
    (r.ratings, r.cancelled, r.amount)
}

/// The second GP of the division: its own households, payments, ratings and expenses, billed by
/// its own sarpanch; the division admin holds both GPs (and the rest of the division).
#[test]
fn the_second_gp_of_the_division_has_its_own_year() {
    let db = TestDb::new();
    let s = settings(&db.url);
    let mut c = db.conn();
    let logins = demo::setup(&mut c, &s).unwrap();
    let second = demo::households::setup_second(&mut c, &s, pinned()).unwrap();
    let spent = demo::expenses::setup_second(&mut c, &s, pinned()).unwrap();
    assert!(second.created);
    assert_eq!((second.village, second.households), ("pb.abianakalan", 24));
    assert!(second.payments > 100, "{second:?}");
    assert!(second.collected > Decimal::from(10_000), "{second:?}");
    assert_eq!(second.cancelled, 1);
    let (ratings, cancelled, _) = ratings_and_cancelled(&mut c, "pb.abianakalan");
    assert_eq!(ratings, i64::try_from(second.ratings).unwrap());
    assert!(ratings > 0);
    assert_eq!(cancelled, 1);
    // nothing of it landed on the first GP
    assert_eq!(
        ratings_and_cancelled(&mut c, "pb.lodhipur"),
        (0, 0, Decimal::ZERO)
    );
    assert_eq!((spent.bills, spent.paid, spent.unpaid), (4, 3, 1));
    assert_eq!(spent.total, Decimal::from(9_300));
    let sarpanch = logins.iter().find(|l| l.mobile == "9000000006").unwrap();
    assert!(
        sarpanch.roles.contains("SARPANCH@pb.abianakalan"),
        "{}",
        sarpanch.roles
    );
    assert!(
        !sarpanch.roles.contains("pb.lodhipur"),
        "{}",
        sarpanch.roles
    );
    // the division admin holds every GP of DIV1038 (84), the two demo GPs among them
    let division = logins.iter().find(|l| l.mobile == "9000000003").unwrap();
    assert!(
        division.roles.contains("84 GPs of DIV1038"),
        "{}",
        division.roles
    );
    let held: Vec<String> = diesel::sql_query(
        // (the division admin is the demo's only DIV_ADMIN)
        "SELECT tenant_id AS v FROM user_role WHERE role_code = 'DIV_ADMIN' ORDER BY 1",
    )
    .load::<V>(&mut c)
    .unwrap()
    .into_iter()
    .map(|v| v.v)
    .collect();
    assert_eq!(held.len(), 84);
    assert!(
        held.contains(&"pb.abianakalan".to_owned()) && held.contains(&"pb.lodhipur".to_owned())
    );
    // a second run changes nothing
    let again = demo::households::setup_second(&mut c, &s, pinned()).unwrap();
    assert!(!again.created);
    assert_eq!(again.households, 24);
}

#[derive(QueryableByName)]
struct V {
    #[diesel(sql_type = Text)]
    v: String,
}

#[test]
fn the_demo_books_balance_and_agree_with_the_ledger() {
    use mgramseva::business::accounts::statements;
    let db = TestDb::new();
    let (summary, _) = run_demo(&db);
    let mut c = db.conn();
    let (_, problems) =
        mgramseva::business::collection::service::ledger_check(&mut c, Some("pb.lodhipur"))
            .unwrap();
    assert!(
        problems.is_empty(),
        "{:?}",
        &problems[..problems.len().min(5)]
    );
    // the demo's year (July 2025 to June 2026) in the Receipts and Payments accounts of its
    // two financial years: every live receipt, nothing paid out (no expenses in this run)
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let first =
        statements::cash_account(&mut c, "pb.lodhipur", d(2025, 4, 1), d(2026, 3, 31)).unwrap();
    let second =
        statements::cash_account(&mut c, "pb.lodhipur", d(2026, 4, 1), d(2027, 3, 31)).unwrap();
    assert_eq!(first.opening, Decimal::ZERO);
    assert_eq!(
        second.opening, first.closing,
        "one year closes what the next opens"
    );
    assert_eq!(
        first.total_receipts() + second.total_receipts(),
        summary.collected,
        "{first:?} {second:?}"
    );
    assert_eq!(
        first.total_payments() + second.total_payments(),
        Decimal::ZERO
    );
    // what households still owe on the demo's day (18 July 2026), by the books and by the ledger
    let f = figures(&mut c);
    let owed: Decimal = statements::receivables(&mut c, "pb.lodhipur", d(2026, 7, 18))
        .unwrap()
        .iter()
        .map(|a| a.balance)
        .sum();
    assert_eq!(owed, f.due, "receivables are the ledger's dues");
}

/// The demo made (both GPs, their expenses), the views of the accounts show its numbers: the
/// dashboards of May 2026 and of the demo's year of expenses, the monthly report, the books.
#[actix_web::test]
async fn every_view_of_the_accounts_shows_the_demos_numbers() {
    use mgramseva::business::accounts::statements;
    use serde_json::json;
    let db = TestDb::new();
    {
        let s = settings(&db.url);
        let mut c = db.conn();
        demo::setup(&mut c, &s).unwrap();
        demo::households::setup(&mut c, &s, pinned()).unwrap();
        demo::expenses::setup(&mut c, &s, pinned()).unwrap();
        demo::households::setup_second(&mut c, &s, pinned()).unwrap();
        demo::expenses::setup_second(&mut c, &s, pinned()).unwrap();
    }
    let app = TestApp::with_db(db);
    let viewer = app.login("9830000273", &["SECRETARY"]);
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let ask = |path: String| {
        let (app, viewer) = (&app, viewer.clone());
        async move {
            let (s, v) = app.post(&path, json!({"RequestInfo": ri(&viewer)})).await;
            assert_eq!(s, 200, "{path}: {v}");
            v
        }
    };
    let num = |v: &serde_json::Value| -> f64 {
        v.as_str()
            .map_or_else(|| v.as_f64().unwrap_or(0.0), |s| s.parse().unwrap())
    };
    let (from, to) = (ist_ms(d(2026, 5, 1)), ist_ms(d(2026, 6, 1)) - 1);
    let r = ask(format!(
        "/ws-services/wc/_revenueDashboard?tenantId={GP}&fromDate={from}&toDate={to}"
    ))
    .await;
    let r = &r["RevenueDashboard"];
    assert!(num(&r["demand"]) > 1000.0, "{r}");
    assert!(num(&r["actualCollection"]) > 500.0, "{r}");
    assert!(num(&r["pendingCollection"]) > 0.0, "{r}");
    let (fy_from, fy_to) = (ist_ms(d(2025, 7, 1)), ist_ms(d(2026, 7, 19)) - 1);
    let e = ask(format!(
        "/echallan-services/eChallan/v1/_expenseDashboard?tenantId={GP}&fromDate={fy_from}&toDate={fy_to}"
    ))
    .await;
    let e = &e["ExpenseDashboard"];
    assert!(
        num(&e["amountPaid"]) > 0.0 && num(&e["amountUnpaid"]) > 0.0,
        "{e}"
    );
    let m = ask(format!(
        "/ws-services/wc/month-report?tenantId={GP}&startDate=01/05/2026&endDate=31/05/2026&offset=0&limit=-1"
    ))
    .await;
    assert!(
        m["monthReport"].as_array().unwrap().len() > 40,
        "most households in May: {m}"
    );
    assert!(num(&m["totals"]["amountPaid"]) > 0.0, "{m}");
    let mut c = app.db.conn();
    let year = statements::cash_account(&mut c, GP, d(2025, 4, 1), d(2026, 3, 31)).unwrap();
    assert!(year.total_receipts() > Decimal::ZERO && year.total_payments() > Decimal::ZERO);
    assert!(
        !statements::payables(&mut c, GP, d(2026, 7, 18))
            .unwrap()
            .is_empty(),
        "the unpaid expense bills are payable"
    );
    assert!(
        !statements::payables(&mut c, demo::SECOND_TENANT, d(2026, 7, 18))
            .unwrap()
            .is_empty(),
        "the second GP's unpaid bill too"
    );
}
