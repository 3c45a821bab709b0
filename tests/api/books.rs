//! The GP's books (issue 17, item 4): every money event posts a balanced journal entry in its
//! transaction; the statements read from the journal show the issue's month (water demand 300,
//! collected 170, expenses paid 120 and 80 unpaid); a cancelled receipt is reversed everywhere;
//! bulk demand, penalty and advance post to their heads; the ledger check finds a tampered line.

use chrono::NaiveDate;
use diesel::RunQueryDsl as _;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::expense_reports::{bill, vendor};
use crate::helpers::*;
use mgramseva::business::accounts::{service as accounts, statements};

pub(crate) const CONSUMER: &str = "WS/7374/2026-27/0042";

fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}

/// The financial year holding `d` (1 April to 31 March).
pub(crate) fn fy_of(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike as _;
    let y = if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    };
    (
        NaiveDate::from_ymd_opt(y, 4, 1).unwrap(),
        NaiveDate::from_ymd_opt(y + 1, 3, 31).unwrap(),
    )
}

pub(crate) struct Books {
    pub app: TestApp,
    pub su: String,
    pub clerk: String,
}

impl Books {
    pub fn new() -> Self {
        let app = TestApp::new();
        let su = app.login("9820000001", &["SUPERUSER@pb"]);
        let clerk = app.login("9820000002", &["COLLECTION_OPERATOR", "REVENUE_COLLECTOR"]);
        Self { app, su, clerk }
    }

    /// A water demand of this month for `consumer` (`lines`: tax head, amount).
    pub async fn demand(&self, consumer: &str, lines: &[(&str, i64)]) -> Value {
        let from = ist_ms(month_start(0));
        let to = mgramseva::municipal::water::service::month_end_ms(month_start(0));
        let d = json!({"tenantId": GP, "consumerCode": consumer, "businessService": "WS",
            "taxPeriodFrom": from, "taxPeriodTo": to,
            "demandDetails": lines.iter().map(|(c, a)| json!({"taxHeadMasterCode": c, "taxAmount": a})).collect::<Vec<_>>()});
        let (s, v) = self
            .app
            .post(
                "/billing-service/demand/_create",
                json!({"RequestInfo": ri(&self.su), "Demands": [d]}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        v["Demands"][0].clone()
    }

    /// Pays `amount` in cash against the consumer's bill; the payment.
    pub async fn pay(&self, consumer: &str, amount: i64) -> Value {
        let (s, v) = self
            .app
            .post(&format!("/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={consumer}&businessService=WS"), json!({"RequestInfo": ri(&self.clerk)}))
            .await;
        assert_eq!(s, 200, "{v}");
        let body = json!({"RequestInfo": ri(&self.clerk), "Payment": {"tenantId": GP, "totalAmountPaid": amount, "paymentMode": "CASH",
            "paidBy": "OWNER", "payerName": "Gurpreet Kaur", "mobileNumber": "9876543210",
            "paymentDetails": [{"businessService": "WS", "billId": v["Bill"][0]["id"]}]}});
        let (s, v) = self
            .app
            .post("/collection-services/payments/_create", body)
            .await;
        assert_eq!(s, 200, "{v}");
        v["Payments"][0].clone()
    }

    pub async fn cancel_receipt(&self, payment: &Value) {
        let (s, v) = self
            .app
            .post(
                "/collection-services/payments/WS/_workflow",
                json!({"RequestInfo": ri(&self.su), "PaymentWorkflows": [{"paymentId": payment["id"], "action": "CANCEL", "tenantId": GP}]}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }

    /// The issue's month: water demand 300, 170 collected, a salary of 120 paid and a pipeline
    /// repair of 80 unpaid. The receipt.
    pub async fn the_month(&self) -> Value {
        self.demand(CONSUMER, &[("10101", 300)]).await;
        let receipt = self.pay(CONSUMER, 170).await;
        let v = vendor(&self.app, "Sukhjit Electricals", "9876512345");
        bill(&self.app, v, "SALARY", 120, true);
        bill(&self.app, v, "PIPELINE_REPAIR", 80, false);
        receipt
    }

    pub fn problems(&self) -> Vec<String> {
        let mut c = self.app.db.conn();
        let (_, p) =
            mgramseva::business::collection::service::ledger_check(&mut c, Some(GP)).unwrap();
        p.into_iter()
            .map(|p| format!("{} {}", p.consumer_code, p.what))
            .collect()
    }

    /// (receipts, payments, opening, closing) of this FY; (the same) of this month.
    fn cash(&self, from: NaiveDate, to: NaiveDate) -> statements::CashAccount {
        let mut c = self.app.db.conn();
        statements::cash_account(&mut c, GP, from, to).unwrap()
    }

    fn receivable(&self) -> Decimal {
        let mut c = self.app.db.conn();
        statements::receivables(&mut c, GP, today())
            .unwrap()
            .iter()
            .map(|a| a.balance)
            .sum()
    }

    fn payable(&self) -> Decimal {
        let mut c = self.app.db.conn();
        statements::payables(&mut c, GP, today())
            .unwrap()
            .iter()
            .map(|a| a.balance)
            .sum()
    }

    fn dcb(&self) -> Vec<(String, Decimal, Decimal, Decimal, Decimal)> {
        let mut c = self.app.db.conn();
        let (from, to) = fy_of(today());
        statements::dcb(&mut c, GP, from, to)
            .unwrap()
            .into_iter()
            .map(|r| (r.party, r.opening, r.demand, r.collection, r.balance))
            .collect()
    }

    /// Every line of the journal on the GP: (entry kind, account, head, debit, credit).
    fn journal(&self) -> Vec<(String, String, Option<String>, Decimal, Decimal)> {
        #[derive(diesel::QueryableByName)]
        struct L {
            #[diesel(sql_type = diesel::sql_types::Text)]
            kind: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            account: String,
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            head: Option<String>,
            #[diesel(sql_type = diesel::sql_types::Numeric)]
            debit: Decimal,
            #[diesel(sql_type = diesel::sql_types::Numeric)]
            credit: Decimal,
        }
        let mut c = self.app.db.conn();
        diesel::sql_query(
            "SELECT e.kind, l.account, l.head, l.debit, l.credit FROM accounts_line l
               JOIN accounts_entry e ON e.id = l.entry_id WHERE e.tenant_id = $1 ORDER BY l.id",
        )
        .bind::<diesel::sql_types::Text, _>(GP)
        .load::<L>(&mut c)
        .unwrap()
        .into_iter()
        .map(|l| (l.kind, l.account, l.head, l.debit, l.credit))
        .collect()
    }
}

const WATER: &str = "0215-01-103-00-00-00";

#[actix_web::test]
async fn the_issues_month_in_every_statement_and_a_cancelled_receipt_everywhere() {
    let b = Books::new();
    let receipt = b.the_month().await;
    assert!(b.problems().is_empty(), "{:?}", b.problems());
    let j = b.journal();
    let dr: Decimal = j.iter().map(|l| l.3).sum();
    let cr: Decimal = j.iter().map(|l| l.4).sum();
    assert_eq!(dr, cr, "the journal balances: {j:?}");
    // demand: Dr receivables 300 / Cr water charges 300; receipt: Dr cash 170 / Cr receivables 170
    assert!(j.contains(&(
        "DEMAND".into(),
        "RECEIVABLE".into(),
        Some(WATER.into()),
        dec(300),
        dec(0)
    )));
    assert!(j.contains(&(
        "DEMAND".into(),
        WATER.into(),
        Some(WATER.into()),
        dec(0),
        dec(300)
    )));
    assert!(j.contains(&("COLLECTION".into(), "CASH".into(), None, dec(170), dec(0))));
    assert!(j.contains(&(
        "EXPENSE_PAYMENT".into(),
        "CASH".into(),
        None,
        dec(0),
        dec(120)
    )));

    let (from, to) = fy_of(today());
    let fy = b.cash(from, to);
    assert_eq!(
        (
            fy.opening,
            fy.total_receipts(),
            fy.total_payments(),
            fy.closing
        ),
        (dec(0), dec(170), dec(120), dec(50))
    );
    assert_eq!(fy.receipts, vec![(WATER.to_owned(), dec(170))]);
    assert_eq!(
        fy.payments,
        vec![("2215-01-101-01-00-01".to_owned(), dec(120))],
        "salary's head"
    );
    let month = b.cash(
        month_start(0),
        mgramseva::time::next_month(month_start(0))
            .pred_opt()
            .unwrap(),
    );
    assert_eq!(
        (
            month.opening,
            month.total_receipts(),
            month.total_payments(),
            month.closing
        ),
        (dec(0), dec(170), dec(120), dec(50))
    );
    assert_eq!(b.receivable(), dec(130));
    assert_eq!(b.payable(), dec(80));
    assert_eq!(
        b.dcb(),
        vec![(CONSUMER.to_owned(), dec(0), dec(300), dec(170), dec(130))]
    );

    // The receipt cancelled: a reversing entry, and its 170 gone from every statement.
    b.cancel_receipt(&receipt).await;
    assert!(b.problems().is_empty(), "{:?}", b.problems());
    let mut c = b.app.db.conn();
    #[derive(diesel::QueryableByName)]
    struct R {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        reverses: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        original: i64,
    }
    let r: R = diesel::sql_query(
        "SELECT c.reverses, o.id AS original FROM accounts_entry c JOIN accounts_entry o
            ON o.source = c.source AND o.kind = 'COLLECTION' WHERE c.kind = 'COLLECTION_CANCELLED'",
    )
    .get_result(&mut c)
    .unwrap();
    assert_eq!(r.reverses, Some(r.original));
    let fy = b.cash(from, to);
    assert_eq!(
        (fy.total_receipts(), fy.total_payments(), fy.closing),
        (dec(0), dec(120), dec(-120))
    );
    assert_eq!(b.receivable(), dec(300));
    assert_eq!(
        b.dcb(),
        vec![(CONSUMER.to_owned(), dec(0), dec(300), dec(0), dec(300))]
    );
    assert_eq!(b.payable(), dec(80));
}

#[actix_web::test]
async fn penalty_and_advance_post_to_their_heads_and_a_tampered_line_is_found() {
    let b = Books::new();
    let d = b.demand(CONSUMER, &[("10101", 100)]).await;
    // a penalty added to the demand
    let mut upd = d.clone();
    upd["demandDetails"]
        .as_array_mut()
        .unwrap()
        .push(json!({"taxHeadMasterCode": "WS_TIME_PENALTY", "taxAmount": 10, "tenantId": GP}));
    let (s, v) = b
        .app
        .post(
            "/billing-service/demand/_update",
            json!({"RequestInfo": ri(&b.su), "Demands": [upd]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // 150 paid against 110 owed: 40 becomes advance
    b.pay(CONSUMER, 150).await;
    let j = b.journal();
    assert!(
        j.contains(&(
            "DEMAND_UPDATED".into(),
            "0215-01-104-00-00-00".into(),
            Some("0215-01-104-00-00-00".into()),
            dec(0),
            dec(10)
        )),
        "{j:?}"
    );
    assert!(
        j.contains(&(
            "COLLECTION".into(),
            "ADVANCE".into(),
            Some("0215-01-799-04-00-43".into()),
            dec(0),
            dec(40)
        )),
        "{j:?}"
    );
    assert!(j.contains(&("COLLECTION".into(), "CASH".into(), None, dec(150), dec(0))));
    // next month's demand uses the advance: Dr advance / Cr receivables
    assert!(b.problems().is_empty(), "{:?}", b.problems());
    let (from, to) = fy_of(today());
    let fy = b.cash(from, to);
    assert_eq!(
        fy.receipts,
        vec![
            (WATER.to_owned(), dec(100)),
            ("0215-01-104-00-00-00".to_owned(), dec(10)),
            ("0215-01-799-04-00-43".to_owned(), dec(40)),
        ]
    );

    // An unbalanced change does not commit.
    let mut c = b.app.db.conn();
    let cash = "UPDATE accounts_line SET debit = debit + 1 WHERE account = 'CASH' AND debit > 0";
    assert!(diesel::sql_query(cash).execute(&mut c).is_err());
    // Someone changes the receipt's lines behind the application's back, balanced: the check
    // finds the cash and the receivable that no longer agree with the ledger.
    diesel::sql_query(
        "UPDATE accounts_line SET debit = debit + CASE WHEN debit > 0 THEN 1 ELSE 0 END,
                credit = credit + CASE WHEN credit > 0 THEN 1 ELSE 0 END
          WHERE entry_id = (SELECT id FROM accounts_entry WHERE kind = 'COLLECTION')
            AND (account = 'CASH' OR (account = 'RECEIVABLE' AND head = '0215-01-103-00-00-00'))",
    )
    .execute(&mut c)
    .unwrap();
    let p = b.problems();
    assert!(
        p.iter().any(|x| x.contains("journal cash is 151")),
        "cash against receipts: {p:?}"
    );
    assert!(
        p.iter()
            .any(|x| x.contains("journal RECEIVABLE (0215-01-103-00-00-00) of WS holds -1.00")),
        "the receivable against the ledger: {p:?}"
    );
    // With the database's own guard switched off, an unbalanced entry is reported too.
    diesel::sql_query("SET session_replication_role = replica")
        .execute(&mut c)
        .unwrap();
    diesel::sql_query(cash).execute(&mut c).unwrap();
    let p = b.problems();
    assert!(
        p.iter().any(|x| x.contains("does not balance")),
        "an unbalanced entry: {p:?}"
    );
    let jobs = mgramseva::jobs::run_blocking(
        &b.app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs::default(),
    );
    assert!(jobs.is_err(), "the ledger-check job fails: {jobs:?}");
}

#[actix_web::test]
async fn an_unbalanced_entry_is_refused_at_commit() {
    let app = TestApp::new();
    let mut c = app.db.conn();
    let r = diesel::Connection::transaction(&mut c, |c| {
        diesel::sql_query(
            "WITH e AS (INSERT INTO accounts_entry (tenant_id, day, kind, source)
                        VALUES ('pb.lodhipur', current_date, 'TEST', 'x') RETURNING id)
             INSERT INTO accounts_line (entry_id, tenant_id, service, account, debit, credit)
             SELECT id, 'pb.lodhipur', 'WS', 'CASH', 5, 0 FROM e",
        )
        .execute(c)
    });
    assert!(r.is_err(), "an entry with only a debit does not commit");
    let r = diesel::sql_query(
        "WITH e AS (INSERT INTO accounts_entry (tenant_id, day, kind, source)
                    VALUES ('pb.lodhipur', current_date, 'TEST', 'x') RETURNING id)
         INSERT INTO accounts_line (entry_id, tenant_id, service, account, debit, credit)
         SELECT id, 'pb.lodhipur', 'WS', 'CASH', 5, 5 FROM e",
    )
    .execute(&mut c);
    assert!(r.is_err(), "a line with both sides is refused");
    let mut c = app.db.conn();
    assert_eq!(accounts::entry_count(&mut c, None).unwrap(), 0);
}

#[actix_web::test]
async fn bulk_demand_posts_its_month_in_one_entry() {
    let b = Books::new();
    let admin = b.app.login("9820000003", &["GP_ADMIN", "SECRETARY"]);
    let mut nos = Vec::new();
    for (m, n, o) in [
        ("9876500011", "Harjit Kaur", "OLD/11"),
        ("9876500012", "Manjit Kaur", "OLD/12"),
    ] {
        let joined = json!({"previousReadingDate": ist_ms(month_start(2)) + 3_600_000});
        let wc = gp_household(&b.app, &admin, (m, n, o), joined).await;
        nos.push(wc["connectionNo"].as_str().unwrap().to_owned());
    }
    let m = month_start(1);
    let last = mgramseva::municipal::water::service::month_end_ms(m);
    let last = chrono::DateTime::from_timestamp_millis(last)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let (s, v) = b
        .app
        .post(
            "/ws-calculator/waterCalculator/_bulkDemand",
            json!({"RequestInfo": ri(&admin), "tenantId": GP,
                   "billingPeriod": format!("{}-{}", m.format("%d/%m/%Y"), last.format("%d/%m/%Y"))}),
        )
        .await;
    assert!(s.is_success(), "{v}");
    let j = b.journal();
    let demands: Vec<_> = j
        .iter()
        .filter(|l| l.0 == "DEMAND" && l.1 == "RECEIVABLE")
        .collect();
    assert_eq!(demands.len(), 2, "one receivable line per household: {j:?}");
    let billed: Decimal = demands.iter().map(|l| l.3).sum();
    assert!(billed > Decimal::ZERO);
    assert!(b.problems().is_empty(), "{:?}", b.problems());
    assert_eq!(b.receivable(), billed);
}

#[actix_web::test]
async fn the_statements_as_pages_pdf_and_excel() {
    use crate::pages::{get, log_in, mark_password_changed, session_of};
    let b = Books::new();
    b.the_month().await;
    let u = b
        .app
        .employee("9820000009", &["SECRETARY"], Some("Harjit@2026"));
    mark_password_changed(&b.app, u.id);
    let s = session_of(&log_in(&b.app, "9820000009", "Harjit@2026").await);
    let fy = mgramseva::time::Fy::of_date(today()).label();
    let page = |path: String| {
        let (app, s) = (&b.app, s.clone());
        async move { get(app, &path, Some(&s)).await }
    };

    let home = page("/home".into()).await;
    assert!(home.body.contains("href=\"/home/books\""), "the tile");
    let rp = page(format!("/home/books/receipts-payments?fy={fy}")).await;
    assert_eq!(rp.status, 200, "{}", rp.body);
    for t in ["₹170", "₹120", "₹50", WATER, "2215-01-101-01-00-01"] {
        assert!(rp.body.contains(t), "{t} not in {}", rp.body);
    }
    // an FY that does not exist (yet) is a form error in the page's language
    let next = mgramseva::time::Fy(mgramseva::time::Fy::of_date(today()).0 + 1).label();
    for bad in [next.as_str(), "2026-28", "abc", "2001-02"] {
        let req = actix_web::test::TestRequest::get()
            .uri(&format!("/home/books/receipts-payments?fy={bad}"));
        let p = crate::pages::call_in(&b.app, req, Some(&s), "pa").await;
        assert_eq!(p.status, 400, "{bad}");
        assert!(p.body.contains("id=\"error\""), "{bad}");
        assert!(p.body.contains("ਉਹ ਵਿੱਤੀ ਸਾਲ ਚੁਣੋ"), "in Punjabi: {bad}");
    }
    let month = month_start(0).format("%Y-%m").to_string();
    let rec = page(format!("/home/books/reconciliation?month={month}")).await;
    assert_eq!(rec.status, 200);
    assert!(rec.body.contains("₹170") && rec.body.contains("₹50"));
    let future = mgramseva::time::next_month(month_start(0))
        .format("%Y-%m")
        .to_string();
    let p = page(format!("/home/books/reconciliation?month={future}")).await;
    assert_eq!(p.status, 400, "a month to come");
    let r = page(format!("/home/books/receivables?fy={fy}")).await;
    assert!(
        r.body.contains(CONSUMER) && r.body.contains("₹130"),
        "{}",
        r.body
    );
    let p = page(format!("/home/books/payables?fy={fy}")).await;
    assert!(
        p.body.contains("Sukhjit Electricals") && p.body.contains("₹80"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("₹120"), "a paid bill is not payable");
    let d = page(format!("/home/books/dcb?fy={fy}")).await;
    for t in ["₹300", "₹170", "₹130"] {
        assert!(d.body.contains(t), "{t} not in the DCB");
    }

    // Excel: the figures as numbers
    let download = |what: &str| {
        actix_web::test::TestRequest::get()
            .uri(&format!(
                "/home/books/receipts-payments?fy={fy}&download={what}"
            ))
            .cookie(actix_web::cookie::Cookie::new("mgs_session", s.clone()))
    };
    let resp = b.app.call(download("xlsx")).await;
    assert_eq!(resp.status(), 200);
    let bytes = actix_web::test::read_body(resp).await;
    use calamine::{DataType as _, Reader as _};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let numbers: Vec<f64> = sheet
        .rows()
        .flat_map(|r| r.iter().filter_map(|c| c.get_float()))
        .collect();
    assert_eq!(numbers, vec![0.0, 170.0, 170.0, 120.0, 50.0, 170.0]);
    let resp = b.app.call(download("pdf")).await;
    assert_eq!(resp.status(), 200);
    let bytes = actix_web::test::read_body(resp).await;
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    let text = crate::calculator::pdf_text(&bytes);
    assert!(text.contains("170"), "{text}");
}

#[actix_web::test]
async fn a_ledger_kept_before_the_journal_gets_its_books_opened_once() {
    let b = Books::new();
    b.the_month().await;
    // an installation upgraded from before the journal: the ledger, and no books
    let mut c = b.app.db.conn();
    diesel::sql_query("DELETE FROM accounts_line")
        .execute(&mut c)
        .unwrap();
    diesel::sql_query("DELETE FROM accounts_entry")
        .execute(&mut c)
        .unwrap();
    drop(c);
    assert!(
        !b.problems().is_empty(),
        "the check finds the books missing"
    );
    let run = || {
        mgramseva::jobs::run_blocking(
            &b.app.state,
            "books-open",
            &mgramseva::jobs::JobArgs::default(),
        )
        .unwrap()
    };
    // one entry for the household's water, one for each expense bill's service
    let first = run();
    assert!(
        first.ends_with("posted") && !first.starts_with('0'),
        "{first}"
    );
    assert!(b.problems().is_empty(), "{:?}", b.problems());
    assert_eq!(b.receivable(), dec(130));
    assert_eq!(b.payable(), dec(80));
    let (from, to) = fy_of(today());
    let fy = b.cash(from, to);
    assert_eq!(
        (fy.total_receipts(), fy.total_payments(), fy.closing),
        (dec(170), dec(120), dec(50))
    );
    assert_eq!(
        run(),
        "books-open: 0 opening entries posted",
        "nothing twice"
    );
}
