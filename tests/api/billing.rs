//! Billing and collection with the numbers of the issue: demands, bills, payments,
//! apportioning, advance, exactly once, cancellation.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::*;

const CONSUMER: &str = "WS/7374/2026-27/0001";
fn month(m: u32) -> (i64, i64) {
    use chrono::TimeZone as _;
    let ist = chrono_tz::Asia::Kolkata;
    let from = ist
        .with_ymd_and_hms(2026, m, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis();
    let (y2, m2) = if m == 12 { (2027, 1) } else { (2026, m + 1) };
    let to = ist
        .with_ymd_and_hms(y2, m2, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis()
        - 1;
    (from, to)
}

fn demand(m: u32, lines: &[(&str, f64)]) -> Value {
    let (from, to) = month(m);
    json!({"tenantId": GP, "consumerCode": CONSUMER, "businessService": "WS", "taxPeriodFrom": from, "taxPeriodTo": to,
           "demandDetails": lines.iter().map(|(c, a)| json!({"taxHeadMasterCode": c, "taxAmount": a})).collect::<Vec<_>>()})
}

struct Ledger {
    app: TestApp,
    su: String,
    clerk: String,
}

impl Ledger {
    fn new() -> Self {
        let app = TestApp::new();
        let su = app.login("9820000001", &["SUPERUSER@pb"]);
        let clerk = app.login("9820000002", &["COLLECTION_OPERATOR", "REVENUE_COLLECTOR"]);
        Self { app, su, clerk }
    }

    async fn create(&self, demands: Vec<Value>) -> Resp {
        self.app
            .post(
                "/billing-service/demand/_create",
                json!({"RequestInfo": ri(&self.su), "Demands": demands}),
            )
            .await
    }

    async fn bill(&self) -> Value {
        let (s, v) = self
            .app
            .post(&format!("/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={CONSUMER}&businessService=WS"), json!({"RequestInfo": ri(&self.clerk)}))
            .await;
        assert_eq!(s, 200, "{v}");
        v["Bill"].get(0).cloned().unwrap_or(Value::Null)
    }

    async fn pay(&self, bill_id: &Value, amount: Value, mode: &str, key: Option<&str>) -> Resp {
        let body = json!({"RequestInfo": ri(&self.clerk), "Payment": {"tenantId": GP, "totalAmountPaid": amount, "paymentMode": mode,
            "paidBy": "OWNER", "payerName": "Gurpreet Kaur", "mobileNumber": "9876543210",
            "paymentDetails": [{"businessService": "WS", "billId": bill_id}]}});
        let mut req = actix_web::test::TestRequest::post()
            .uri("/collection-services/payments/_create")
            .set_json(body);
        if let Some(k) = key {
            req = req.insert_header(("Idempotency-Key", k));
        }
        self.app.send(req).await
    }

    /// The consumer's payments as `payments/_search` answers.
    async fn payments(&self) -> Value {
        let (s, v) = self
            .app
            .post(
                &format!(
                    "/collection-services/payments/_search?tenantId={GP}&consumerCodes={CONSUMER}"
                ),
                json!({"RequestInfo": ri(&self.clerk)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }

    /// The consumer's ACTIVE bills as `bill/v2/_search` answers (at most one).
    async fn active_bills(&self) -> Vec<Value> {
        let (s, v) = self
            .app
            .post(&format!("/billing-service/bill/v2/_search?tenantId={GP}&consumerCode={CONSUMER}&businessService=WS&status=ACTIVE"), json!({"RequestInfo": ri(&self.clerk)}))
            .await;
        assert_eq!(s, 200, "{v}");
        v["Bill"].as_array().cloned().unwrap_or_default()
    }

    /// The `ledger-check` job's report (an error lists the differences).
    fn ledger_check(&self) -> String {
        match mgramseva::jobs::run_blocking(
            &self.app.state,
            "ledger-check",
            &mgramseva::jobs::JobArgs::default(),
        ) {
            Ok(s) => s,
            Err(e) => e.to_string(),
        }
    }

    async fn demands(&self) -> Vec<Value> {
        let (s, v) = self
            .app
            .post(&format!("/billing-service/demand/_search?tenantId={GP}&consumerCode={CONSUMER}&businessService=WS"), json!({"RequestInfo": ri(&self.clerk)}))
            .await;
        assert_eq!(s, 200, "{v}");
        v["Demands"].as_array().cloned().unwrap_or_default()
    }
}

fn line<'a>(d: &'a Value, head: &str) -> &'a Value {
    d["demandDetails"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["taxHeadMasterCode"] == head))
        .unwrap_or(&Value::Null)
}

#[actix_web::test]
async fn two_months_of_100_pay_150_then_80_then_a_new_demand() {
    let l = Ledger::new();
    let (s, v) = l
        .create(vec![
            demand(4, &[("10101", 100.0)]),
            demand(5, &[("10101", 100.0)]),
        ])
        .await;
    assert_eq!(s, 201, "{v}");

    let bill = l.bill().await;
    assert_eq!(bill["totalAmount"], 200);
    assert_eq!(bill["billNumber"], "BILLNO-WS-0001");
    assert_eq!(
        bill["billDetails"][0]["fromPeriod"],
        month(4).0,
        "oldest first"
    );
    // The same bill while nothing changed.
    assert_eq!(l.bill().await["id"], bill["id"]);

    let (s, v) = l.pay(&bill["id"], json!(150), "CASH", None).await;
    assert_eq!(s, 200, "{v}");
    let receipt = v["Payments"][0]["paymentDetails"][0]["receiptNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        receipt.starts_with("WS/") && receipt.ends_with("/0001"),
        "{receipt}"
    );
    assert_eq!(
        v["Payments"][0]["paymentDetails"][0]["bill"]["status"],
        "PARTIALLY_PAID"
    );
    // the answer (built in memory) is the payment as stored, bill and what it received included
    let found = l.payments().await;
    assert_eq!(found["Payments"][0], v["Payments"][0]);
    assert_eq!(
        v["Payments"][0]["paymentDetails"][0]["bill"]["billDetails"][0]["amountPaid"],
        100
    );
    let ds = l.demands().await;
    assert_eq!(
        (
            line(&ds[0], "10101")["collectionAmount"].clone(),
            ds[0]["isPaymentCompleted"].clone()
        ),
        (json!(100), json!(true))
    );
    assert_eq!(
        line(&ds[1], "10101")["collectionAmount"],
        50,
        "the second month owes 50"
    );

    let bill = l.bill().await;
    assert_eq!(bill["totalAmount"], 50);
    assert_eq!(
        bill["billNumber"], "BILLNO-WS-0002",
        "a new bill once something changed"
    );
    let (s, v) = l.pay(&bill["id"], json!(80), "CASH", None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["Payments"][0]["paymentDetails"][0]["bill"]["status"],
        "PAID"
    );
    let ds = l.demands().await;
    assert_eq!(
        line(&ds[1], "WS_ADVANCE_CARRYFORWARD")["taxAmount"],
        -30,
        "30 became advance"
    );
    assert!(l.bill().await.is_null(), "nothing owed");

    // The next Rs 100 demand uses the advance: Rs 70 due.
    let (s, v) = l.create(vec![demand(6, &[("10101", 100.0)])]).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        line(&v["Demands"][0], "10101")["collectionAmount"],
        30,
        "advance adjusted on creation"
    );
    let bill = l.bill().await;
    assert_eq!(bill["totalAmount"], 70);
}

#[actix_web::test]
async fn water_demands_come_to_whole_rupees() {
    let l = Ledger::new();
    let (s, v) = l
        .create(vec![
            demand(4, &[("10101", 150.50)]),
            demand(5, &[("10101", 133.10)]),
        ])
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(line(&v["Demands"][0], "WS_Round_Off")["taxAmount"], 0.5);
    assert_eq!(line(&v["Demands"][1], "WS_Round_Off")["taxAmount"], -0.1);
    assert_eq!(l.bill().await["totalAmount"], 151 + 133);
}

#[actix_web::test]
async fn bad_demands_and_payments_each_get_their_code_and_write_nothing() {
    let l = Ledger::new();
    l.create(vec![demand(4, &[("10101", 100.0)])]).await;
    let cases = [
        (demand(4, &[("10101", 50.0)]), "DEMAND_PERIOD_OVERLAP"),
        (demand(5, &[("NOPE", 50.0)]), "INVALID_TAXHEAD"),
        (demand(5, &[("10101", -5.0)]), "INVALID_AMOUNT"),
        (
            demand(5, &[("WS_ADVANCE_CARRYFORWARD", 5.0)]),
            "INVALID_AMOUNT",
        ),
    ];
    for (d, want) in cases {
        let (s, v) = l
            .create(vec![demand(7, &[("10101", 10.0)]), d.clone()])
            .await;
        assert_eq!((s.as_u16(), code(&v)), (400, want), "{d}");
    }
    // Numbers the money columns cannot hold are refused by name, not overflowed (a 500 before).
    let mut huge = demand(6, &[("10101", 10.0)]);
    huge["minimumAmountPayable"] = json!(1e20);
    let mut too_big_line = demand(6, &[("10101", 10.0)]);
    too_big_line["demandDetails"][0]["taxAmount"] = json!("12345678901");
    for d in [huge, too_big_line] {
        let (s, v) = l.create(vec![d.clone()]).await;
        assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_AMOUNT"), "{d}: {v}");
    }
    assert_eq!(
        l.demands().await.len(),
        1,
        "no demand of a refused batch was written"
    );
    let (s, _) = l
        .app
        .post(
            "/billing-service/demand/_create",
            json!({"RequestInfo": ri(&l.clerk), "Demands": [demand(8, &[("10101", 1.0)])]}),
        )
        .await;
    assert_eq!(s, 403, "GP staff do not create demands");

    let bill = l.bill().await;
    for (amount, mode, want) in [
        (json!(0), "CASH", "INVALID_AMOUNT"),
        (json!(-10), "CASH", "INVALID_AMOUNT"),
        (json!(10.5), "CASH", "INVALID_AMOUNT"),
        (json!(10001), "CASH", "AMOUNT_ABOVE_LIMIT"),
        // was rounded to ₹100 and recorded
        (
            json!("99.999999999999999999999999999"),
            "CASH",
            "INVALID_AMOUNT",
        ),
        (json!("50.001"), "CASH", "INVALID_AMOUNT"),
        (json!(1e20), "CASH", "INVALID_AMOUNT"),
        (json!(50), "ONLINE", "MODE_NOT_ALLOWED"),
        (json!(50), "CHEQUE", "MODE_NOT_ALLOWED"),
    ] {
        let (s, v) = l.pay(&bill["id"], amount.clone(), mode, None).await;
        assert_eq!((s.as_u16(), code(&v)), (400, want), "{amount} {mode}");
    }
    // The same as a JSON number: a double cannot hold it, so it is refused before any handler.
    let raw = format!(
        r#"{{"RequestInfo": {}, "Payment": {{"tenantId": "{GP}", "totalAmountPaid": 99.999999999999999999999999999,
            "paymentMode": "CASH", "paymentDetails": [{{"businessService": "WS", "billId": {}}}]}}}}"#,
        ri(&l.clerk),
        bill["id"]
    );
    let (s, v) = l
        .app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/collection-services/payments/_create")
                .insert_header(("content-type", "application/json"))
                .set_payload(raw),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_NUMBER"), "{v}");
    // A bill that is no longer the active one.
    l.create(vec![demand(5, &[("10101", 100.0)])]).await;
    let (s, v) = l.pay(&bill["id"], json!(50), "CASH", None).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "BILL_NOT_ACTIVE"));
    let (_, v) = l
        .app
        .post(
            &format!("/collection-services/payments/WS/_search?tenantId={GP}"),
            json!({"RequestInfo": ri(&l.clerk)}),
        )
        .await;
    assert_eq!(v["totalCount"], 0, "no payment was written");
    assert!(
        l.demands()
            .await
            .iter()
            .all(|d| line(d, "10101")["collectionAmount"] == 0)
    );
}

#[actix_web::test]
async fn the_same_key_replays_and_a_different_body_is_refused() {
    let l = Ledger::new();
    l.create(vec![demand(4, &[("10101", 100.0)])]).await;
    let bill = l.bill().await;
    let (s, a) = l
        .pay(&bill["id"], json!(60), "CASH", Some("counter-7-0001"))
        .await;
    assert_eq!(s, 200, "{a}");
    let (s, b) = l
        .pay(&bill["id"], json!(60), "CASH", Some("counter-7-0001"))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(a["Payments"], b["Payments"], "the first answer, replayed");
    let (s, v) = l
        .pay(&bill["id"], json!(70), "CASH", Some("counter-7-0001"))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (409, "IDEMPOTENCY_KEY_REUSED"));
    let v = l.payments().await;
    assert_eq!(v["totalCount"], 1, "one payment for the key");
    assert_eq!(line(&l.demands().await[0], "10101")["collectionAmount"], 60);
}

#[actix_web::test]
async fn racing_payments_on_one_bill_never_overpay_nor_lose_a_rupee() {
    let l = Ledger::new();
    l.create(vec![demand(4, &[("10101", 100.0)])]).await;
    let bill = l.bill().await;
    let tries = (0..8).map(|i| {
        let id = bill["id"].clone();
        let key = format!("race-{i}");
        let l = &l;
        async move { l.pay(&id, json!(60), "CASH", Some(&key)).await }
    });
    let results = join_all(tries).await;
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(
        ok, 1,
        "one payment per bill; the rest find the bill paid: {results:?}"
    );
    assert!(
        results
            .iter()
            .filter(|(s, _)| *s != 200)
            .all(|(s, v)| *s == 400 && code(v) == "BILL_NOT_ACTIVE")
    );
    let ds = l.demands().await;
    assert_eq!(
        line(&ds[0], "10101")["collectionAmount"],
        60,
        "Σ collected = Σ receipts"
    );
}

#[actix_web::test]
async fn a_cancelled_receipt_restores_the_lines_exactly() {
    let l = Ledger::new();
    l.create(vec![
        demand(4, &[("10101", 100.0)]),
        demand(5, &[("10101", 100.0)]),
    ])
    .await;
    let bill = l.bill().await;
    let (_, v) = l.pay(&bill["id"], json!(230), "CASH", None).await;
    let pid = v["Payments"][0]["id"].clone();
    assert_eq!(
        line(&l.demands().await[1], "WS_ADVANCE_CARRYFORWARD")["taxAmount"],
        -30
    );
    let wf = |t: &str| json!({"RequestInfo": ri(t), "PaymentWorkflows": [{"paymentId": pid, "action": "CANCEL", "tenantId": GP}]});
    assert_eq!(
        l.app
            .post("/collection-services/payments/WS/_workflow", wf(&l.clerk))
            .await
            .0,
        403,
        "receipts are cancelled by the superuser"
    );
    let (s, v) = l
        .app
        .post("/collection-services/payments/WS/_workflow", wf(&l.su))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Payments"][0]["paymentStatus"], "CANCELLED");
    let ds = l.demands().await;
    for d in &ds {
        for ln in d["demandDetails"].as_array().unwrap() {
            assert_eq!(ln["collectionAmount"], 0, "{ln}");
        }
        assert_eq!(d["isPaymentCompleted"], false);
    }
    assert_eq!(
        line(&ds[1], "WS_ADVANCE_CARRYFORWARD")["taxAmount"],
        0,
        "the advance is gone"
    );
    assert_eq!(l.bill().await["totalAmount"], 200);
    let (s, v) = l
        .app
        .post("/collection-services/payments/WS/_workflow", wf(&l.su))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "ALREADY_CANCELLED"));
}

#[actix_web::test]
async fn demand_search_pages_with_a_total_and_keeps_history() {
    let l = Ledger::new();
    let (s, _) = l
        .create((4..=9).map(|m| demand(m, &[("10101", 50.0)])).collect())
        .await;
    assert_eq!(s, 201);
    let (s, v) = l
        .app
        .post(&format!("/billing-service/demand/_search?tenantId={GP}&consumerCode={CONSUMER}&limit=4&offset=4"), json!({"RequestInfo": ri(&l.clerk)}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            v["Demands"].as_array().map(Vec::len),
            v["pagination"]["totalCount"].as_i64()
        ),
        (Some(2), Some(6))
    );
    let id = v["Demands"][0]["id"].as_str().unwrap().to_owned();
    let (s, h) = l
        .app
        .post(
            &format!("/billing-service/demand/_history?tenantId={GP}&demandId={id}"),
            json!({"RequestInfo": ri(&l.clerk)}),
        )
        .await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["Demands"][0]["reason"], "CREATED");
    let (s, v) = l
        .app
        .post(
            &format!("/billing-service/demand/_search?tenantId={GP}&limit=501"),
            json!({"RequestInfo": ri(&l.clerk)}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_LIMIT"));
    let (s, v) = l
        .app
        .post(
            "/billing-service/bill/v2/_fetchbill?tenantId=pb.lodhipur",
            json!({"RequestInfo": ri(&l.clerk)}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(error_fields(&v), ["consumerCode", "businessService"]);
}

#[actix_web::test]
async fn demand_updates_keep_what_was_collected_and_their_history() {
    let l = Ledger::new();
    let (_, v) = l.create(vec![demand(4, &[("10101", 100.0)])]).await;
    let d = &v["Demands"][0];
    let (id, line_id) = (d["id"].clone(), line(d, "10101")["id"].clone());
    let bill = l.bill().await;
    l.pay(&bill["id"], json!(60), "CASH", None).await;
    let upd = |amount: f64, status: Option<&str>| {
        let mut d = json!({"id": id, "tenantId": GP, "demandDetails": [{"id": line_id, "taxHeadMasterCode": "10101", "taxAmount": amount}]});
        if let Some(s) = status {
            d["status"] = json!(s);
        }
        json!({"RequestInfo": ri(&l.su), "Demands": [d]})
    };
    let (s, v) = l
        .app
        .post("/billing-service/demand/_update", upd(50.0, None))
        .await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "AMOUNT_BELOW_COLLECTED"),
        "60 was collected"
    );
    let (s, v) = l
        .app
        .post("/billing-service/demand/_update", upd(120.0, None))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(line(&v["Demands"][0], "10101")["taxAmount"], 120);
    assert_eq!(l.bill().await["totalAmount"], 60);
    let (s, v) = l
        .app
        .post(
            "/billing-service/demand/_update",
            upd(120.0, Some("CANCELLED")),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "DEMAND_HAS_PAYMENTS"));
    let (_, h) = l
        .app
        .post(
            &format!(
                "/billing-service/demand/_history?tenantId={GP}&demandId={}",
                id.as_str().unwrap()
            ),
            json!({"RequestInfo": ri(&l.clerk)}),
        )
        .await;
    let reasons: Vec<&str> = h["Demands"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["reason"].as_str())
        .collect();
    assert_eq!(
        reasons,
        ["CREATED", "_create"],
        "created, then changed (the action of the request)"
    );
    assert_eq!(
        h["Demands"][1]["demand"]["demandDetails"][0]["tax_amount"],
        "120.00"
    );
}

/// Security review, issue 10 (4): a receipt cancelled after the bill was fetched again left that
/// bill ACTIVE at 700 while 1,000 was owed, until someone fetched. Now no writer can leave an
/// active bill that disagrees with the demands: the database expires it.
#[actix_web::test]
async fn cancelling_a_receipt_leaves_no_stale_active_bill() {
    let l = Ledger::new();
    assert_eq!(l.create(vec![demand(4, &[("10101", 1000.0)])]).await.0, 201);
    let bill = l.bill().await;
    assert_eq!(bill["totalAmount"], 1000);
    let (s, v) = l.pay(&bill["id"], json!(300), "CASH", None).await;
    assert_eq!(s, 200, "{v}");
    let pid = v["Payments"][0]["id"].clone();
    // fetched again: the 700 still owed, as the active bill
    let after = l.bill().await;
    assert_eq!(
        (after["status"].as_str(), after["totalAmount"].clone()),
        (Some("ACTIVE"), json!(700))
    );
    assert_eq!(l.active_bills().await.len(), 1);
    let (s, v) = l
        .app
        .post(
            "/collection-services/payments/WS/_workflow",
            json!({"RequestInfo": ri(&l.su), "PaymentWorkflows": [{"paymentId": pid, "action": "CANCEL", "tenantId": GP}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // 1,000 is owed again and no bill says 700: the bill of 700 expired with the cancellation
    assert_eq!(line(&l.demands().await[0], "10101")["collectionAmount"], 0);
    assert_eq!(l.active_bills().await, Vec::<Value>::new());
    let report = l.ledger_check();
    assert!(report.contains("no difference"), "{report}");
    let old: Value = {
        let (_, v) = l
            .app
            .post(
                &format!(
                    "/billing-service/bill/v2/_search?tenantId={GP}&billId={}",
                    after["id"].as_str().unwrap()
                ),
                json!({"RequestInfo": ri(&l.clerk)}),
            )
            .await;
        v["Bill"][0].clone()
    };
    assert_eq!(old["status"], "EXPIRED");
    // the next fetch builds the bill of 1,000
    let again = l.bill().await;
    assert_eq!(
        (again["status"].as_str(), again["totalAmount"].clone()),
        (Some("ACTIVE"), json!(1000))
    );
    assert_ne!(again["id"], after["id"]);
    // The rule is the database's: a line changed by hand expires the active bill too, before
    // anyone fetches.
    {
        use diesel::prelude::*;
        diesel::sql_query("UPDATE billing_demand_detail SET tax_amount = 1200 WHERE tax_head_code = '10101' AND tax_amount = 1000")
            .execute(&mut l.app.db.conn())
            .unwrap();
    }
    assert_eq!(l.active_bills().await, Vec::<Value>::new());
    let report = l.ledger_check();
    // Billing's half finds nothing; the books (posted by the application, not by hand) no
    // longer agree with the ledger, and the journal check says so (issue 17).
    assert!(
        !report.contains("active bill") && report.contains("the ledger says 1200.00"),
        "{report}"
    );
    let (cache, key) = (
        mgramseva::business::billing::cache::of(&l.app.state.pool),
        mgramseva::business::billing::cache::key(GP, "WS", CONSUMER),
    );
    until("the server heard the change made by hand", || {
        cache.get(&key).is_none()
    })
    .await;
    assert_eq!(l.bill().await["totalAmount"], 1200);
}

#[actix_web::test]
async fn masters_aggregate_cancel_bill_and_the_ledger_check() {
    let l = Ledger::new();
    let q = |p: &str| format!("/billing-service/{p}?tenantId={GP}&service=WS");
    let (_, v) = l
        .app
        .post(&q("taxheads/_search"), json!({"RequestInfo": ri(&l.clerk)}))
        .await;
    assert!(
        v["TaxHeadMasters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["code"] == "WS_ADVANCE_CARRYFORWARD")
    );
    let (_, v) = l
        .app
        .post(
            &q("taxperiods/_search"),
            json!({"RequestInfo": ri(&l.clerk)}),
        )
        .await;
    assert!(
        v["TaxPeriods"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "WC2026")
    );
    let (_, v) = l
        .app
        .post(
            &format!("/billing-service/businessservices/_search?tenantId={GP}&businessService=WS"),
            json!({"RequestInfo": ri(&l.clerk)}),
        )
        .await;
    assert_eq!(v["BusinessServices"][0]["isAdvanceAllowed"], true);

    l.create(vec![
        demand(4, &[("10101", 100.0)]),
        demand(5, &[("10101", 100.0), ("WS_TIME_PENALTY", 10.0)]),
    ])
    .await;
    let bill = l.bill().await;
    l.pay(&bill["id"], json!(230), "CASH", None).await;
    let (_, v) = l
        .app
        .post(&format!("/billing-service/demand/_getAggregateDemandDetails?tenantId={GP}&consumerCode={CONSUMER}&businessService=WS"), json!({"RequestInfo": ri(&l.clerk)}))
        .await;
    assert_eq!(
        (
            v["advanceAvailable"].clone(),
            v["remainingAdvance"].clone(),
            v["netdue"].clone()
        ),
        (json!(20), json!(20), json!(-20))
    );

    let jobs = mgramseva::jobs::run_blocking(
        &l.app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap();
    assert!(jobs.contains("no difference"), "{jobs}");
    // A receipt whose spread was tampered with is found ...
    {
        use diesel::prelude::*;
        diesel::sql_query("UPDATE collection_allocation SET amount = amount - 1 WHERE id = (SELECT min(id) FROM collection_allocation)")
            .execute(&mut l.app.db.conn())
            .unwrap();
    }
    let err = mgramseva::jobs::run_blocking(
        &l.app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("is not spread exactly: 230"), "{err}");
    {
        use diesel::prelude::*;
        diesel::sql_query("UPDATE collection_allocation SET amount = amount + 1 WHERE id = (SELECT min(id) FROM collection_allocation)")
            .execute(&mut l.app.db.conn())
            .unwrap();
    }
    // ... and so is a bill that no longer matches its demands.
    l.create(vec![demand(7, &[("10101", 100.0)])]).await;
    assert_eq!(
        l.bill().await["totalAmount"],
        80,
        "100 less the advance of 20"
    );
    // The advance used by the new demand is recorded as an adjustment, so every line's
    // collected amount is still explained ...
    let jobs = mgramseva::jobs::run_blocking(
        &l.app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap();
    assert!(jobs.contains("no difference"), "{jobs}");
    // ... and a collected amount changed by hand is not.
    let tamper = |by: i32| {
        use diesel::prelude::*;
        diesel::sql_query(format!("UPDATE billing_demand_detail SET collection_amount = collection_amount + ({by}) WHERE tax_head_code = '10101' AND collection_amount IN (20, 21)"))
            .execute(&mut l.app.db.conn())
            .unwrap();
    };
    tamper(1);
    let err = mgramseva::jobs::run_blocking(
        &l.app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("line 10101 of 2026-07: collected differs from its receipts and adjustments: 21.00 vs 20.00"),
        "{err}"
    );
    tamper(-1);
    // A demand line changed by hand no longer leaves a stale bill behind (the database expired
    // the active bill just now), so the check is shown a bill whose total was changed by hand.
    assert_eq!(l.active_bills().await, Vec::<Value>::new());
    let (cache, key) = (
        mgramseva::business::billing::cache::of(&l.app.state.pool),
        mgramseva::business::billing::cache::key(GP, "WS", CONSUMER),
    );
    until("the server heard the changes made by hand", || {
        cache.get(&key).is_none()
    })
    .await;
    assert_eq!(l.bill().await["totalAmount"], 80);
    let bill_total = |by: i32| {
        use diesel::prelude::*;
        diesel::sql_query(format!(
            "UPDATE billing_bill SET total_amount = total_amount + ({by}) WHERE status = 'ACTIVE'"
        ))
        .execute(&mut l.app.db.conn())
        .unwrap();
    };
    bill_total(5);
    let err = mgramseva::jobs::run_blocking(
        &l.app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("active bill total differs from what demands owe: 85.00 vs 80.00"),
        "{err}"
    );
    bill_total(-5);

    let bill = l.bill().await;
    let cancel = |reason: &str| json!({"RequestInfo": ri(&l.su), "UpdateBillCriteria": {"tenantId": GP, "consumerCodes": [CONSUMER], "businessService": "WS", "additionalDetails": {"reason": reason}}});
    let (s, v) = l
        .app
        .post("/billing-service/bill/v2/_cancelbill", cancel("BORED"))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_REASON"));
    let (s, v) = l
        .app
        .post(
            "/billing-service/bill/v2/_cancelbill",
            cancel("INCORRECT_CONNECTION_DETAILS"),
        )
        .await;
    assert_eq!((s.as_u16(), v["cancelledCount"].as_i64()), (200, Some(1)));
    let (s, v) = l.pay(&bill["id"], json!(50), "CASH", None).await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "BILL_NOT_ACTIVE"),
        "a cancelled bill takes no payment"
    );
}

#[actix_web::test]
async fn validate_answers_like_create_and_keeps_nothing() {
    let l = Ledger::new();
    l.create(vec![demand(4, &[("10101", 100.0)])]).await;
    let bill = l.bill().await;
    let body = |amount: i64| {
        json!({"RequestInfo": ri(&l.clerk), "Payment": {"tenantId": GP, "totalAmountPaid": amount, "paymentMode": "CASH",
        "paymentDetails": [{"businessService": "WS", "billId": bill["id"]}]}})
    };
    let (s, v) = l
        .app
        .post("/collection-services/payments/_validate", body(40))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["Payments"][0]["paymentDetails"][0]["bill"]["status"],
        "PARTIALLY_PAID"
    );
    let (s, v) = l
        .app
        .post("/collection-services/payments/_validate", body(20000))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "AMOUNT_ABOVE_LIMIT"));
    assert_eq!(
        line(&l.demands().await[0], "10101")["collectionAmount"],
        0,
        "nothing kept"
    );
    let (s, v) = l.pay(&bill["id"], json!(40), "CASH", None).await;
    assert_eq!(s, 200, "the bill is still active: {v}");
    assert!(
        v["Payments"][0]["paymentDetails"][0]["receiptNumber"]
            .as_str()
            .unwrap()
            .ends_with("/0001"),
        "validate used no receipt number"
    );
}

#[actix_web::test]
async fn the_stored_bill_is_served_until_any_write_touches_the_ledger() {
    use diesel::prelude::*;
    let l = Ledger::new();
    let cache = mgramseva::business::billing::cache::of(&l.app.state.pool);
    let key = mgramseva::business::billing::cache::key(GP, "WS", CONSUMER);
    // the listener hears the database before anything is served from memory
    until("the ledger listener is connected", || cache.is_live()).await;
    assert_eq!(l.create(vec![demand(4, &[("10101", 100.0)])]).await.0, 201);
    let first = l.bill().await;
    assert_eq!(first["totalAmount"], json!(100));
    // unchanged: the same bill, byte for byte, from the stored copy, which is now in memory too
    assert_eq!(l.bill().await, first);
    assert_eq!(kept_in_memory(&l, &cache, &key).await, first);
    assert_eq!(l.bill().await, first);
    let version = |c: &mut diesel::PgConnection| -> i64 {
        mgramseva::business::billing::service::ledger_version(c, GP, "WS", CONSUMER).unwrap()
    };
    let mut c = l.app.db.conn();
    let v0 = version(&mut c);
    let kept: (i64, Option<String>) = mgramseva::db::schema::billing_bill::table
        .filter(mgramseva::db::schema::billing_bill::status.eq("ACTIVE"))
        .select((
            mgramseva::db::schema::billing_bill::source_version,
            mgramseva::db::schema::billing_bill::body,
        ))
        .first(&mut c)
        .unwrap();
    assert_eq!(kept.0, v0, "the bill keeps the version it was built from");
    let mut body: Value = serde_json::from_str(kept.1.as_deref().unwrap_or("")).unwrap();
    // ... less its payer, added when it is answered (personal data is not kept in it)
    for k in ["mobileNumber", "payerAddress", "payerEmail", "payerName"] {
        assert!(body.get(k).is_none(), "{k} kept");
        body[k] = first[k].clone();
    }
    assert_eq!(body, first, "and the JSON it was answered with");
    // A line changed by hand, outside the app: the trigger moves the version and tells the
    // listening server, which forgets the bill; the next fetch builds a new one with the new
    // amount instead of serving the stored one.
    diesel::sql_query(
        "UPDATE billing_demand_detail SET tax_amount = 120 WHERE demand_id IN \
         (SELECT id FROM billing_demand WHERE consumer_code = $1)",
    )
    .bind::<diesel::sql_types::Text, _>(CONSUMER)
    .execute(&mut c)
    .unwrap();
    assert_eq!(version(&mut c), v0 + 1);
    until("the server heard the change made by hand", || {
        cache.get(&key).is_none()
    })
    .await;
    let second = l.bill().await;
    assert_ne!(second["id"], first["id"]);
    assert_eq!(second["totalAmount"], json!(120));
    assert_eq!(kept_in_memory(&l, &cache, &key).await, second);
    // a second month through the API: forgotten at commit, before the API answers, so the very
    // next fetch (no waiting) shows 220 over two details
    assert_eq!(l.create(vec![demand(5, &[("10101", 100.0)])]).await.0, 201);
    assert!(cache.get(&key).is_none());
    assert!(version(&mut c) > v0 + 1);
    let third = l.bill().await;
    assert_eq!(third["totalAmount"], json!(220));
    assert_eq!(third["billDetails"].as_array().map(Vec::len), Some(2));
    assert_eq!(l.bill().await, third);
    // a payment of 150 through the API: the next fetch shows the 70 still owed at once
    let (s, v) = l.pay(&third["id"], json!(150), "CASH", None).await;
    assert_eq!(s, 200, "{v}");
    let fourth = l.bill().await;
    assert_eq!(fourth["totalAmount"], json!(70));
    // the replaced bills are no longer active
    let active: i64 = mgramseva::db::schema::billing_bill::table
        .filter(mgramseva::db::schema::billing_bill::status.eq("ACTIVE"))
        .count()
        .get_result(&mut c)
        .unwrap();
    assert_eq!(active, 1);
}

/// Fetches the bill until the server keeps it in memory (a fetch that fills may be undone once
/// by the late notice of the bill's own creation); the kept copy, checked equal to the answer.
async fn kept_in_memory(
    l: &Ledger,
    cache: &mgramseva::business::billing::cache::BillCache,
    key: &str,
) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let answer = l.bill().await;
        if let Some(text) = cache.get(key) {
            let kept: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(kept, answer);
            return kept;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the bill was never kept"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// Waits (up to 10 s) for something another thread does; fails with `what` if it never does.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[actix_web::test]
async fn demand_search_filters_by_amount_dates_type_payer_and_gives_receipts() {
    let l = Ledger::new();
    // a citizen payer with a mobile number and an e-mail (both stored sealed)
    let payer = {
        let mut new = mgramseva::platform::user::NewUser::employee(
            STATE,
            "9876500011",
            "Harjit Singh",
            TestApp::roles(&["CITIZEN@pb"]),
        );
        new.user_type = "CITIZEN".into();
        new.email = Some("harjit@example.org".into());
        mgramseva::platform::user::create_user(
            &mut l.app.db.conn(),
            l.app.identity(),
            &new,
            None,
            chrono::Utc::now(),
        )
        .unwrap()
    };
    let other = "WS/7374/2026-27/0002";
    let mut b = demand(4, &[("10101", 80.0)]);
    b["consumerCode"] = json!(other);
    b["payer"] = json!({"uuid": payer.uuid});
    let before = chrono::Utc::now().timestamp_millis() - 60_000;
    assert_eq!(
        l.create(vec![
            demand(4, &[("10101", 100.0)]),
            demand(5, &[("10101", 200.0), ("10201", 50.0)]),
            b
        ])
        .await
        .0,
        201
    );
    let search = |q: String| {
        let app = &l.app;
        let clerk = l.clerk.clone();
        async move {
            app.post(
                &format!("/billing-service/demand/_search?tenantId={GP}&{q}"),
                json!({"RequestInfo": ri(&clerk)}),
            )
            .await
        }
    };
    let totals = |v: &Value| -> Vec<f64> {
        let mut t: Vec<f64> = v["Demands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                d["demandDetails"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["taxAmount"].as_f64().unwrap())
                    .sum()
            })
            .collect();
        t.sort_by(f64::total_cmp);
        t
    };
    // demandFrom/demandTo: the demand's total, 100 and 250 are in 90..260, 80 is not
    let (s, v) = search("demandFrom=90&demandTo=260".into()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(totals(&v), [100.0, 250.0]);
    assert_eq!(v["pagination"]["totalCount"], 3 - 1);
    assert_eq!(totals(&search("demandFrom=250".into()).await.1), [250.0]);
    assert_eq!(
        code(&search("demandFrom=300&demandTo=10".into()).await.1),
        "INVALID_RANGE"
    );
    // the payer, by mobile number and by e-mail (any case)
    assert_eq!(
        totals(&search("mobileNumber=9876500011".into()).await.1),
        [80.0]
    );
    assert_eq!(
        totals(&search("email=Harjit@Example.org".into()).await.1),
        [80.0]
    );
    assert!(totals(&search("mobileNumber=9876500099".into()).await.1).is_empty());
    assert_eq!(
        code(&search("mobileNumber=12".into()).await.1),
        "INVALID_MOBILE_NUMBER"
    );
    // created between fromDate and toDate
    assert_eq!(
        totals(&search(format!("fromDate={before}")).await.1),
        [80.0, 100.0, 250.0]
    );
    assert!(totals(&search(format!("fromDate={}", before + 3_600_000)).await.1).is_empty());
    assert!(totals(&search(format!("toDate={before}")).await.1).is_empty());
    // April and May 2026 ended before today (21 Nov 2026): arrears, none current
    assert_eq!(totals(&search("type=ARREARS".into()).await.1).len(), 3);
    assert!(totals(&search("type=CURRENT".into()).await.1).is_empty());
    assert_eq!(code(&search("type=FUTURE".into()).await.1), "INVALID_TYPE");
    // receipts of the consumer: needs consumerCode and businessService; ₹150 paid shows
    assert_eq!(
        code(&search("receiptRequired=true".into()).await.1),
        "MISSING_FIELD"
    );
    let bill = l.bill().await;
    assert_eq!(l.pay(&bill["id"], json!(150), "CASH", None).await.0, 200);
    let (s, v) = search(format!(
        "consumerCode={CONSUMER}&businessService=WS&receiptRequired=true"
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    let r = v["CollectedReceipt"].as_array().unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["receiptAmount"], json!(150));
    assert_eq!(r[0]["consumerCode"], CONSUMER);
}
