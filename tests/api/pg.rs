//! pg-service against the sandbox gateway: start, pay, settle once; decline; tampering; replay;
//! 20 racing callbacks; reconciliation; the named 400s of `_create`.

use std::collections::BTreeMap;

use actix_web::test;
use chrono::Utc;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::pages::{self, CSRF};
use mgramseva::business::pg::sandbox::{self, CALLBACK_FIELDS};

const KEY: &[u8] = b"test-sandbox-key";

struct World {
    app: TestApp,
    staff: String,
    consumer: String,
}

async fn world(mobile: &str, arrears: i64) -> World {
    let app = TestApp::new();
    let staff = app.login("9830000201", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
    let wc = gp_household(
        &app,
        &staff,
        (mobile, "Gurpreet Kaur", &format!("OLD{mobile}")),
        json!({"arrears": arrears}),
    )
    .await;
    let consumer = wc["connectionNo"].as_str().unwrap().to_owned();
    World {
        app,
        staff,
        consumer,
    }
}

/// The path (and query) of a URL of this server.
fn path_of(url: &str) -> String {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/')
                .map_or("/".to_owned(), |j| rest[j..].to_owned())
        }
        None => url.to_owned(),
    }
}

fn query_of(url: &str) -> BTreeMap<String, String> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .unwrap()
        .into_iter()
        .collect()
}

impl World {
    /// The receipt SMS queued to `mobile`.
    fn receipt_sms(&self, mobile: &str) -> Vec<String> {
        let mut c = self.app.db.conn();
        mgramseva::platform::notification::messages_to(&mut c, &self.app.state.crypto, mobile, 50)
            .unwrap()
            .into_iter()
            .filter(|m| m.template == "mGram.Consumer.DownloadReceipt")
            .map(|m| m.text)
            .collect()
    }

    /// `_create` without a token (as the citizen pages and the app call it).
    async fn create(
        &self,
        tenant: &str,
        consumer: &str,
        amount: &str,
    ) -> (actix_web::http::StatusCode, Value) {
        self.app
            .post(
                "/pg-service/transaction/v1/_create",
                json!({"RequestInfo": {}, "Transaction": {"tenantId": tenant, "txnAmount": amount,
                    "module": "WS", "consumerCode": consumer, "callbackUrl": "/citizen/paid",
                    "user": {"name": "Gurpreet Kaur", "mobileNumber": "9876543210"}}}),
            )
            .await
    }

    async fn start(&self, amount: &str) -> Value {
        let (s, v) = self.create(GP, &self.consumer, amount).await;
        assert_eq!(s, 200, "{v}");
        let t = v["Transaction"].clone();
        assert!(t.is_object(), "one Transaction, not a list: {v}");
        assert_eq!(t["txnStatus"], "PENDING");
        assert_eq!(t["txnAmount"], amount);
        t
    }

    /// The customer on the sandbox page chooses `decision`; answers where the sandbox sends them.
    async fn decide(&self, t: &Value, decision: &str) -> String {
        let redirect = t["redirectUrl"].as_str().unwrap();
        assert!(redirect.contains("/pg-sandbox/pay?"), "{redirect}");
        let page = pages::get(&self.app, &path_of(redirect), None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body
                .contains(&format!("₹{}", t["txnAmount"].as_str().unwrap()))
        );
        let q = query_of(redirect);
        let mut form = vec![
            ("_csrf".to_owned(), CSRF.to_owned()),
            ("decision".to_owned(), decision.to_owned()),
        ];
        form.extend(q);
        let body = serde_urlencoded::to_string(&form).unwrap();
        let p = pages::post(&self.app, sandbox::PAY_PATH, &body, None).await;
        if decision == "ABANDONED" {
            assert_eq!(p.status, 200, "{}", p.body);
            return String::new();
        }
        assert_eq!(p.status, 303, "{}", p.body);
        p.location
    }

    /// The customer's browser follows the sandbox back to our `_redirect`.
    async fn come_back(&self, location: &str) -> String {
        let p = pages::get(&self.app, &path_of(location), None).await;
        assert_eq!(p.status, 303, "{}", p.body);
        p.location
    }

    async fn search(&self, txn_id: &str) -> Value {
        let (s, v) = self
            .app
            .post(
                &format!("/pg-service/transaction/v1/_search?tenantId={GP}&txnId={txn_id}"),
                json!({"RequestInfo": ri(&self.staff)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["Transaction"][0].clone()
    }

    async fn update(&self, query: &str) -> (actix_web::http::StatusCode, Value) {
        self.app
            .post(
                &format!("/pg-service/transaction/v1/_update?{query}"),
                json!({"RequestInfo": {}}),
            )
            .await
    }

    fn receipts(&self) -> i64 {
        let mut c = self.app.db.conn();
        diesel::sql_query(format!(
            "SELECT count(*) AS n FROM collection_payment_detail WHERE consumer_code = '{}'",
            self.consumer
        ))
        .get_result::<Count>(&mut c)
        .unwrap()
        .n
    }

    /// What the household owes now (fetch bill; 0 when no bill).
    async fn due(&self) -> f64 {
        let (s, v) = self
            .app
            .post(
                &format!(
                    "/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={}&businessService=WS",
                    self.consumer
                ),
                json!({"RequestInfo": ri(&self.staff)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["Bill"][0]["totalAmount"].as_f64().unwrap_or(0.0)
    }

    fn ledger_clean(&self) {
        let mut c = self.app.db.conn();
        let (checked, problems) =
            mgramseva::business::collection::service::ledger_check(&mut c, Some(GP)).unwrap();
        assert!(checked > 0);
        assert!(problems.is_empty(), "{problems:?}");
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn signed(fields: &[(&str, &str)]) -> String {
    let mut p: BTreeMap<String, String> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let sig = sandbox::sign(KEY, &CALLBACK_FIELDS, &p);
    p.insert("signature".to_owned(), sig);
    serde_urlencoded::to_string(&p).unwrap()
}

#[actix_web::test]
async fn approve_pays_once_and_the_bill_is_cleared_replays_change_nothing() {
    let w = world("9830000301", 170).await;
    assert_eq!(w.due().await, 170.0);
    let t = w.start("170").await;
    let id = t["txnId"].as_str().unwrap().to_owned();
    let back = w.decide(&t, "APPROVED").await;
    assert!(
        back.contains("/pg-service/transaction/v1/_redirect?"),
        "{back}"
    );
    let landed = w.come_back(&back).await;
    assert!(landed.starts_with("/citizen/paid?eg_pg_txnid="), "{landed}");
    let s = w.search(&id).await;
    assert_eq!(s["txnStatus"], "SUCCESS", "{s}");
    let receipt = s["receipt"].as_str().unwrap().to_owned();
    assert!(!receipt.is_empty());
    assert_eq!(w.receipts(), 1);
    assert_eq!(w.due().await, 0.0);
    // the receipt: mode ONLINE, the sandbox's id as transaction number
    let mut c = w.app.db.conn();
    let (mode, number): (String, String) = diesel::sql_query(format!(
        "SELECT p.payment_mode AS mode, p.transaction_number AS number FROM collection_payment p
         JOIN collection_payment_detail d ON d.payment_id = p.id WHERE d.receipt_number = '{receipt}'"
    ))
    .get_result::<ModeNumber>(&mut c)
    .map(|r| (r.mode, r.number))
    .unwrap();
    assert_eq!(mode, "ONLINE");
    assert_eq!(Some(number.as_str()), s["gatewayTxnId"].as_str());
    // the same callback again, and a bare status ask: the stored answer, nothing made
    let (st, v) = w.update(back.split_once('?').unwrap().1).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["Transaction"][0]["receipt"], receipt.as_str());
    let (st, v) = w.update(&format!("transactionId={id}")).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["Transaction"][0]["txnStatus"], "SUCCESS");
    assert_eq!(w.receipts(), 1);
    // one receipt SMS, with nothing left pending, however often the callback came
    let sms = w.receipt_sms("9830000301");
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(sms[0].contains("ਰੁ.170 ਦਾ ਭੁਗਤਾਨ"), "{}", sms[0]);
    assert!(sms[0].contains("ਬਾਕੀ ਰਕਮ ਰੁ.0 ਹੈ"), "{}", sms[0]);
    w.ledger_clean();
}

#[derive(QueryableByName)]
struct ModeNumber {
    #[diesel(sql_type = diesel::sql_types::Text)]
    mode: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    number: String,
}

#[actix_web::test]
async fn decline_leaves_the_bill_and_makes_no_receipt() {
    let w = world("9830000302", 170).await;
    let t = w.start("170").await;
    let back = w.decide(&t, "DECLINED").await;
    w.come_back(&back).await;
    let s = w.search(t["txnId"].as_str().unwrap()).await;
    assert_eq!(s["txnStatus"], "FAILURE", "{s}");
    assert!(s["receipt"].is_null());
    assert_eq!(w.receipts(), 0);
    assert_eq!(w.due().await, 170.0);
}

#[actix_web::test]
async fn tampered_callbacks_are_refused_and_nothing_is_paid() {
    let w = world("9830000303", 170).await;
    let t = w.start("170").await;
    let id = t["txnId"].as_str().unwrap().to_owned();
    let other = w.start("100").await;
    let other_id = other["txnId"].as_str().unwrap().to_owned();
    let base = [
        ("orderId", id.as_str()),
        ("sandboxTxnId", "SBX1"),
        ("amount", "170"),
        ("status", "SUCCESS"),
        ("mode", "UPI"),
    ];
    // the amount changed after signing: the signature no longer matches
    let good = signed(&base);
    let changed = good.replace("amount=170", "amount=17");
    let (s, v) = w.update(&format!("transactionId={id}&{changed}")).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "PG_BAD_SIGNATURE"), "{v}");
    // no signature, a wrong one
    let (s, v) = w
        .update(&format!(
            "transactionId={id}&orderId={id}&amount=170&status=SUCCESS&signature=00"
        ))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "PG_BAD_SIGNATURE"), "{v}");
    // signed, but for another amount than the transaction's
    let mut wrong_amount = base;
    wrong_amount[2] = ("amount", "1");
    let (s, v) = w
        .update(&format!("transactionId={id}&{}", signed(&wrong_amount)))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "PG_TAMPERED"), "{v}");
    // a genuine answer for one transaction presented for another
    let (s, v) = w.update(&format!("transactionId={other_id}&{good}")).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "PG_TAMPERED"), "{v}");
    // an unknown transaction
    let (s, v) = w.update("transactionId=PB_PG_NOPE").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "PG_UNKNOWN_TXN"), "{v}");
    assert_eq!(w.search(&id).await["txnStatus"], "PENDING");
    assert_eq!(w.search(&other_id).await["txnStatus"], "PENDING");
    assert_eq!(w.receipts(), 0);
    assert_eq!(w.due().await, 170.0);
    // a signed success the sandbox never recorded: the status query does not confirm it
    let (s, v) = w.update(&format!("transactionId={id}&{good}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Transaction"][0]["txnStatus"], "PENDING", "{v}");
    assert_eq!(w.receipts(), 0);
    // the raw callbacks are kept
    let mut c = w.app.db.conn();
    let dumps = mgramseva::business::pg::service::dumps(&mut c, &id).unwrap();
    assert!(
        dumps.iter().filter(|d| d.0 == "update").count() >= 4,
        "{dumps:?}"
    );
    assert!(dumps.iter().any(|d| d.2 == "PG_TAMPERED"), "{dumps:?}");
}

#[actix_web::test]
async fn twenty_racing_copies_of_one_callback_make_one_receipt() {
    let w = world("9830000304", 170).await;
    let t = w.start("120").await;
    let back = w.decide(&t, "APPROVED").await;
    let query = back.split_once('?').unwrap().1.to_owned();
    let calls = (0..20).map(|_| {
        w.app.send(
            test::TestRequest::post()
                .uri(&format!("/pg-service/transaction/v1/_update?{query}"))
                .set_json(json!({"RequestInfo": {}})),
        )
    });
    let answers = futures_util::future::join_all(calls).await;
    let mut receipts = std::collections::BTreeSet::new();
    for (s, v) in &answers {
        assert_eq!(*s, 200, "{v}");
        assert_eq!(v["Transaction"][0]["txnStatus"], "SUCCESS", "{v}");
        receipts.insert(v["Transaction"][0]["receipt"].as_str().unwrap().to_owned());
    }
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    assert_eq!(w.receipts(), 1);
    assert_eq!(w.due().await, 50.0);
    let sms = w.receipt_sms("9830000304");
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(sms[0].contains("ਬਾਕੀ ਰਕਮ ਰੁ.50 ਹੈ"), "{}", sms[0]);
    w.ledger_clean();
}

#[actix_web::test]
async fn reconciliation_settles_a_lost_callback_and_expires_an_abandoned_payment() {
    let w = world("9830000305", 170).await;
    let paid = w.start("170").await;
    // approved on the sandbox, but the customer's browser never came back
    let _lost = w.decide(&paid, "APPROVED").await;
    let left = w.start("170").await;
    w.decide(&left, "ABANDONED").await;
    let fresh = w.start("170").await;
    let mut c = w.app.db.conn();
    for (t, minutes) in [(&paid, 30), (&left, 3 * 24 * 60), (&fresh, 0)] {
        diesel::sql_query(format!(
            "UPDATE pg_transaction SET created_at = now() - interval '{minutes} minutes' WHERE txn_id = '{}'",
            t["txnId"].as_str().unwrap()
        ))
        .execute(&mut c)
        .unwrap();
    }
    let r = mgramseva::business::pg::reconcile(&w.app.state, &mut c, Utc::now()).unwrap();
    assert_eq!(
        (r.checked, r.succeeded, r.expired, r.still_pending),
        (2, 1, 1, 0),
        "{r:?}"
    );
    assert_eq!(
        w.search(paid["txnId"].as_str().unwrap()).await["txnStatus"],
        "SUCCESS"
    );
    let l = w.search(left["txnId"].as_str().unwrap()).await;
    assert_eq!(l["txnStatus"], "FAILURE");
    assert!(
        l["txnStatusMsg"].as_str().unwrap().starts_with("Expired"),
        "{l}"
    );
    assert_eq!(
        w.search(fresh["txnId"].as_str().unwrap()).await["txnStatus"],
        "PENDING"
    );
    assert_eq!(w.receipts(), 1);
    // run again: nothing more
    let again = mgramseva::business::pg::reconcile(&w.app.state, &mut c, Utc::now()).unwrap();
    assert_eq!((again.checked, again.succeeded), (0, 0));
    assert_eq!(w.receipts(), 1);
    w.ledger_clean();
}

#[actix_web::test]
async fn bad_payment_requests_are_named_400s_and_start_nothing() {
    let w = world("9830000306", 170).await;
    for (tenant, consumer, amount, want) in [
        (GP, w.consumer.as_str(), "0", "PG_INVALID_AMOUNT"),
        (GP, w.consumer.as_str(), "170.50", "PG_INVALID_AMOUNT"),
        (GP, w.consumer.as_str(), "10001", "PG_AMOUNT_ABOVE_LIMIT"),
        (GP, "WS/NOPE/0001", "170", "PG_NO_BILL"),
        // the household's code on another GP
        (OTHER_GP, w.consumer.as_str(), "170", "PG_NO_BILL"),
    ] {
        let (s, v) = w.create(tenant, consumer, amount).await;
        assert_eq!(
            (s.as_u16(), code(&v)),
            (400, want),
            "{tenant} {consumer} {amount}: {v}"
        );
    }
    // a bill of another household named beside this one
    let (s, v) = w
        .app
        .post(
            "/pg-service/transaction/v1/_create",
            json!({"Transaction": {"tenantId": GP, "txnAmount": "170", "module": "WS",
                "consumerCode": w.consumer, "billId": uuid::Uuid::new_v4(), "callbackUrl": "/citizen/paid"}}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "PG_BILL_MISMATCH"), "{v}");
    // a callback to another site
    let (s, v) = w
        .app
        .post(
            "/pg-service/transaction/v1/_create",
            json!({"Transaction": {"tenantId": GP, "txnAmount": "170", "module": "WS",
                "consumerCode": w.consumer, "callbackUrl": "https://evil.example/x"}}),
        )
        .await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "PG_INVALID_CALLBACK_URL"),
        "{v}"
    );
    // without a login: one GP, not the state
    let (s, v) = w.create(STATE, &w.consumer, "170").await;
    assert_eq!(s, 400, "{v}");
    let mut c = w.app.db.conn();
    let n: i64 = diesel::sql_query("SELECT count(*) AS n FROM pg_transaction")
        .get_result::<Count>(&mut c)
        .unwrap()
        .n;
    assert_eq!(n, 0);
    // part payment and advance: water takes both
    w.start("50").await;
    w.start("500").await;
    // a business service without advance (as the master data may say): above what is owed is
    // refused, the whole of it still taken
    diesel::sql_query(
        "UPDATE mdms_business_service SET is_advance_allowed = false WHERE code = 'WS'",
    )
    .execute(&mut c)
    .unwrap();
    let (s, v) = w.create(GP, &w.consumer, "171").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "PG_AMOUNT_ABOVE_DUE"), "{v}");
    w.start("170").await;
    let n: i64 = diesel::sql_query("SELECT count(*) AS n FROM pg_transaction")
        .get_result::<Count>(&mut c)
        .unwrap()
        .n;
    assert_eq!(n, 3);
}

#[actix_web::test]
async fn the_sandbox_is_404_when_disabled_and_its_request_is_signed() {
    let w = world("9830000307", 170).await;
    let t = w.start("170").await;
    let redirect = t["redirectUrl"].as_str().unwrap();
    let forged = path_of(redirect).replace("amount=170", "amount=1");
    assert_eq!(pages::get(&w.app, &forged, None).await.status, 400);
    let off = TestApp::configured(|s| {
        s.pg.sandbox_enabled = false;
        s.pg.gateway = String::new();
    });
    assert_eq!(pages::get(&off, &path_of(redirect), None).await.status, 404);
    let (s, v) = off
        .post(
            "/pg-service/transaction/v1/_create",
            json!({"Transaction": {"tenantId": GP, "txnAmount": "170", "module": "WS",
                "consumerCode": "WS/1", "callbackUrl": "/citizen/paid"}}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "PG_NO_GATEWAY"), "{v}");
    let (s, v) = off.post("/pg-service/gateway/v1/_search", json!({})).await;
    assert_eq!((s.as_u16(), v), (200, json!([])));
}
