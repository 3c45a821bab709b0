//! Through the real pg-service: `_create` → the gateway (its double) → the callback or webhook →
//! one receipt; a bad signature, a changed amount, a replay: nothing (more) paid.

use diesel::prelude::*;
use serde_json::{Value, json};

use super::doubles::{PaygovAnswer, PaygovDouble, RazorpayDouble};
use crate::helpers::*;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

struct World {
    app: TestApp,
    staff: String,
}

/// The app with `gateway` the state's, its settings as the configuration gives them (the
/// registry builds the adapter; the webhook reads the keys), the gateway's answers within 1.5 s.
fn world(gateway: &str, pg: impl FnOnce(&mut mgramseva::config::PgSettings)) -> World {
    let app = TestApp::configured(|s| {
        s.pg.gateway = gateway.to_owned();
        s.pg.timeout_ms = 1_500;
        pg(&mut s.pg);
    });
    assert_eq!(
        mgramseva::business::pg::gateway::gateways(&app.state)
            .for_tenant(GP)
            .map(|g| g.code()),
        Some(gateway),
        "the configuration chose the gateway"
    );
    let staff = app.login("9830000301", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
    World { app, staff }
}

impl World {
    /// A household owing `arrears`, and a transaction of `amount` for it: (consumer, Transaction).
    async fn start(&self, mobile: &str, arrears: i64, amount: &str) -> (String, Value) {
        let wc = gp_household(
            &self.app,
            &self.staff,
            (mobile, "Gurpreet Kaur", &format!("OLD{mobile}")),
            json!({"arrears": arrears}),
        )
        .await;
        let consumer = wc["connectionNo"].as_str().unwrap().to_owned();
        let (s, v) = self
            .app
            .post(
                "/pg-service/transaction/v1/_create",
                json!({"RequestInfo": {}, "Transaction": {"tenantId": GP, "txnAmount": amount,
                    "module": "WS", "consumerCode": consumer, "callbackUrl": "/citizen/paid",
                    "user": {"name": "Gurpreet Kaur", "mobileNumber": mobile}}}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let t = v["Transaction"].clone();
        assert_eq!(t["txnStatus"], "PENDING", "{v}");
        (consumer, t)
    }

    /// The gateway's callback to `_update` (query naming the transaction, the gateway's form).
    async fn callback(&self, txn_id: &str, form: &[(String, String)]) -> (u16, Value) {
        let body = serde_urlencoded::to_string(form).unwrap();
        let (s, v) = self
            .app
            .send(
                actix_web::test::TestRequest::post()
                    .uri(&format!(
                        "/pg-service/transaction/v1/_update?transactionId={txn_id}"
                    ))
                    .insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .set_payload(body),
            )
            .await;
        (s.as_u16(), v)
    }

    async fn txn(&self, txn_id: &str) -> Value {
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

    fn receipts(&self, consumer: &str) -> i64 {
        let mut c = self.app.db.conn();
        diesel::sql_query(
            "SELECT count(*) AS n FROM collection_payment_detail WHERE consumer_code = $1",
        )
        .bind::<diesel::sql_types::Text, _>(consumer)
        .get_result::<Count>(&mut c)
        .unwrap()
        .n
    }
}

fn msg(m: String) -> Vec<(String, String)> {
    vec![("msg".to_owned(), m)]
}

#[actix_web::test]
async fn paygov_pays_once_on_a_confirmed_return_and_never_on_a_forged_one() {
    let d = PaygovDouble::start();
    let w = world("PAYGOV", |pg| pg.paygov = d.settings());
    let (consumer, t) = w.start("9810000001", 170, "170").await;
    let id = t["txnId"].as_str().unwrap().to_owned();
    let redirect = t["redirectUrl"].as_str().unwrap();
    assert!(
        redirect.starts_with(&format!("{}/SurePayPayment/sp/processRequest?", d.url)),
        "{redirect}"
    );
    assert!(redirect.contains(&format!("orderId={id}")), "{redirect}");
    assert!(redirect.contains("transactionAmount=170.00"), "{redirect}");
    // the app posts the fields to txURL itself; this server's pages go through `_go`, which
    // posts them (requestDateTime with its space) to SurePay
    assert!(redirect.contains("txURL=http"), "{redirect}");
    let go = crate::pages::get(
        &w.app,
        &format!("/pg-service/transaction/v1/_go?transactionId={id}"),
        None,
    )
    .await;
    assert_eq!(go.status, 200, "{}", go.body);
    let action = format!("action=\"{}/SurePayPayment/sp/processRequest\"", d.url);
    assert!(go.body.contains(&action), "{action}: {}", go.body);
    assert!(go.body.contains("name=\"requestDateTime\""), "{}", go.body);

    // A return message whose checksum does not match: refused, nothing asked, nothing paid.
    d.set(&id, PaygovAnswer::Paid("170.00"));
    let good = d.return_success(&id, "170.00");
    let (s, v) = w
        .callback(&id, &msg(good.replace("|170.00|", "|1.00|")))
        .await;
    assert_eq!((s, code(&v)), (400, "PG_BAD_SIGNATURE"), "{v}");
    // Re-signed (the CRC32 key known) with another amount: refused as tampered.
    let (s, v) = w.callback(&id, &msg(d.return_success(&id, "1.00"))).await;
    assert_eq!((s, code(&v)), (400, "PG_TAMPERED"), "{v}");
    assert!(d.queries().is_empty(), "{:?}", d.queries());
    assert_eq!(w.txn(&id).await["txnStatus"], "PENDING");
    assert_eq!(w.receipts(&consumer), 0);

    // A genuine-looking success the gateway does not confirm (begun only): still PENDING.
    d.set(&id, PaygovAnswer::Initiated);
    let (s, v) = w.callback(&id, &msg(good.clone())).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Transaction"][0]["txnStatus"], "PENDING", "{v}");
    assert_eq!(w.receipts(&consumer), 0);

    // Confirmed: paid, one receipt.
    d.set(&id, PaygovAnswer::Paid("170.00"));
    let (s, v) = w.callback(&id, &msg(good.clone())).await;
    assert_eq!(s, 200, "{v}");
    let t = &v["Transaction"][0];
    assert_eq!(t["txnStatus"], "SUCCESS", "{v}");
    assert!(t["receipt"].is_string(), "{v}");
    assert_eq!(w.receipts(&consumer), 1);
    // The same return again, and a status-only call: nothing more.
    let queries = d.queries().len();
    for _ in 0..3 {
        let (s, v) = w.callback(&id, &msg(good.clone())).await;
        assert_eq!(
            (s, &v["Transaction"][0]["txnStatus"]),
            (200, &json!("SUCCESS")),
            "{v}"
        );
    }
    let (s, _) = w.callback(&id, &[]).await;
    assert_eq!(s, 200);
    assert_eq!(w.receipts(&consumer), 1);
    assert_eq!(
        d.queries().len(),
        queries,
        "a finished transaction is not asked about"
    );

    // Another household: the gateway cannot be reached in time → PENDING, nothing paid.
    let (consumer2, t2) = w.start("9810000002", 170, "170").await;
    let id2 = t2["txnId"].as_str().unwrap().to_owned();
    d.set(&id2, PaygovAnswer::Slow);
    let (s, v) = w
        .callback(&id2, &msg(d.return_success(&id2, "170.00")))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Transaction"][0]["txnStatus"], "PENDING", "{v}");
    // ... and declined there: FAILURE, nothing paid.
    d.set(&id2, PaygovAnswer::Failed);
    let (s, v) = w.callback(&id2, &msg(d.return_failure(&id2))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Transaction"][0]["txnStatus"], "FAILURE", "{v}");
    assert_eq!(w.receipts(&consumer2), 0);

    // A third pays at SurePay and never comes back: the reconciliation asks and settles it.
    let (consumer3, t3) = w.start("9810000003", 170, "170").await;
    let id3 = t3["txnId"].as_str().unwrap().to_owned();
    d.set(&id3, PaygovAnswer::Paid("170.00"));
    let mut c = w.app.db.conn();
    let later = chrono::Utc::now() + chrono::Duration::minutes(30);
    let r = mgramseva::business::pg::reconcile(&w.app.state, &mut c, later).unwrap();
    assert_eq!((r.checked, r.succeeded), (1, 1), "{r:?}");
    assert_eq!(w.txn(&id3).await["txnStatus"], "SUCCESS");
    assert_eq!(w.receipts(&consumer3), 1);
    let again = mgramseva::business::pg::reconcile(&w.app.state, &mut c, later).unwrap();
    assert_eq!((again.checked, again.succeeded), (0, 0), "{again:?}");
    assert_eq!(w.receipts(&consumer3), 1);
}

#[actix_web::test]
async fn razorpay_pays_once_on_a_signed_callback_or_webhook_and_never_on_a_bad_one() {
    let d = RazorpayDouble::start();
    let w = world("RAZORPAY", |pg| pg.razorpay = d.settings());
    // The transaction made an order at Razorpay, and the customer goes to the checkout form.
    let (consumer, t) = w.start("9810000011", 170, "170").await;
    let id = t["txnId"].as_str().unwrap().to_owned();
    assert_eq!(d.order_count(), 1);
    let order = d.last_order();
    let go = t["redirectUrl"].as_str().unwrap();
    assert!(go.contains("/pg-service/transaction/v1/_go"), "{go}");

    // Paid at Razorpay. A callback signed with another key, or for another payment: refused.
    let pay = d.pay(&order, 17_000, "captured");
    let mut forged = d.callback(&order, &pay);
    forged[2].1 = mgramseva::business::pg::gateways::razorpay::sign("x", b"y");
    let (s, v) = w.callback(&id, &forged).await;
    assert_eq!((s, code(&v)), (400, "PG_BAD_SIGNATURE"), "{v}");
    assert_eq!(w.receipts(&consumer), 0);
    // The genuine callback: paid, one receipt; again and again: still one.
    for _ in 0..3 {
        let (s, v) = w.callback(&id, &d.callback(&order, &pay)).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["Transaction"][0]["txnStatus"], "SUCCESS", "{v}");
        assert_eq!(v["Transaction"][0]["gatewayTxnId"], json!(pay), "{v}");
    }
    assert_eq!(w.receipts(&consumer), 1);
    // The webhook of the same payment (and its replay): nothing more.
    let (body, sig) = d.webhook(&order, &pay, 17_000);
    for _ in 0..2 {
        let (s, v) = webhook(&w, &body, &sig).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["txnStatus"], "SUCCESS", "{v}");
    }
    assert_eq!(w.receipts(&consumer), 1);
    // A webhook with one byte changed: refused.
    let (s, v) = webhook(&w, &body.replace("17000", "17001"), &sig).await;
    assert_eq!((s, code(&v)), (400, "PG_BAD_SIGNATURE"), "{v}");

    // Another household: ₹170 asked, ₹169 captured at the gateway → not paid.
    let (consumer2, t2) = w.start("9810000012", 170, "170").await;
    let id2 = t2["txnId"].as_str().unwrap().to_owned();
    let order2 = d.last_order();
    let pay2 = d.pay(&order2, 16_900, "captured");
    let (s, v) = w.callback(&id2, &d.callback(&order2, &pay2)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Transaction"][0]["txnStatus"], "PENDING", "{v}");
    // The first household's genuine callback replayed against this transaction: refused.
    let (s, v) = w.callback(&id2, &d.callback(&order, &pay)).await;
    assert_eq!((s, code(&v)), (400, "PG_TAMPERED"), "{v}");
    assert_eq!(w.receipts(&consumer2), 0);

    // A third: the customer never comes back; Razorpay's webhook settles it.
    let (consumer3, t3) = w.start("9810000013", 170, "170").await;
    let id3 = t3["txnId"].as_str().unwrap().to_owned();
    let order3 = d.last_order();
    let pay3 = d.pay(&order3, 17_000, "captured");
    let (body3, sig3) = d.webhook(&order3, &pay3, 17_000);
    let (s, v) = webhook(&w, &body3, &sig3).await;
    assert_eq!(
        (s, &v["txnId"], &v["txnStatus"]),
        (200, &json!(id3), &json!("SUCCESS")),
        "{v}"
    );
    assert_eq!(w.receipts(&consumer3), 1);
}

async fn webhook(w: &World, body: &str, sig: &str) -> (u16, Value) {
    let (s, v) = w
        .app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/pg-service/transaction/v1/_webhook/razorpay")
                .insert_header(("content-type", "application/json"))
                .insert_header(("x-razorpay-signature", sig.to_owned()))
                .set_payload(body.to_owned()),
        )
        .await;
    (s.as_u16(), v)
}

/// The app's own calls (collect_payment_provider.dart `createTransaction`, transaction_repo.dart
/// `updateTransaction`), byte for byte in shape, and its models reading the answers.
#[actix_web::test]
async fn the_apps_payment_calls_are_answered_as_its_models_read_them() {
    let d = PaygovDouble::start();
    let w = world("PAYGOV", |pg| pg.paygov = d.settings());
    let wc = gp_household(
        &w.app,
        &w.staff,
        ("9810000021", "Gurpreet Kaur", "OLD9810000021"),
        json!({"arrears": 170}),
    )
    .await;
    let consumer = wc["connectionNo"].as_str().unwrap().to_owned();
    let (s, bill) = w
        .app
        .post(
            &format!(
                "/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={consumer}&businessService=WS"
            ),
            json!({"RequestInfo": ri(&w.staff)}),
        )
        .await;
    assert_eq!(s, 200, "{bill}");
    let bill_id = bill["Bill"][0]["id"].clone();
    let base = w
        .app
        .state
        .settings
        .app
        .base_url
        .trim_end_matches('/')
        .to_owned();
    // the RequestInfo the app sends here carries no token
    let (s, v) = w
        .app
        .post(
            "/pg-service/transaction/v1/_create",
            json!({"RequestInfo": {"apiId": "mgramseva", "ver": "1.0", "ts": "", "action": "",
                "did": "1", "key": "", "msgId": "20170310130900|en_IN", "authToken": null},
                "Transaction": {"tenantId": GP, "txnAmount": "170", "module": "WS",
                "billId": bill_id, "consumerCode": consumer, "productInfo": "Common Payment",
                "gateway": "PAYGOV",
                "taxAndPayments": [{"billId": bill_id, "amountPaid": "170"}],
                "user": {"name": "Gurpreet Kaur", "mobileNumber": "9810000021", "tenantId": GP},
                "callbackUrl": format!("{base}/mgramseva/paymentSuccess"),
                "additionalDetails": {"isWhatsapp": false, "connectionType": "Non_Metered"}}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    crate::app_models::assert_parses("TransactionDetails", &v);
    let id = v["Transaction"]["txnId"].as_str().unwrap().to_owned();
    let redirect = v["Transaction"]["redirectUrl"].as_str().unwrap();
    let query: std::collections::BTreeMap<String, String> =
        serde_urlencoded::from_str(redirect.split_once('?').unwrap().1).unwrap();
    for k in [
        "txURL",
        "checksum",
        "messageType",
        "merchantId",
        "serviceId",
        "orderId",
        "customerId",
        "transactionAmount",
        "currencyCode",
        "requestDateTime",
        "successUrl",
        "failUrl",
        "additionalField1",
        "additionalField2",
        "additionalField3",
        "additionalField4",
        "additionalField5",
    ] {
        assert!(query.contains_key(k), "{k} in {redirect}");
    }
    assert_eq!(query["orderId"], id);
    // back in the app: `_update` with the id the return URL carries, an empty RequestInfo
    d.set(&id, PaygovAnswer::Paid("170.00"));
    let (s, v) = w
        .app
        .post(
            &format!("/pg-service/transaction/v1/_update?transactionId={id}"),
            json!({"RequestInfo": {}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    crate::app_models::assert_parses("UpdateTransactionDetails", &v);
    assert_eq!(v["Transaction"][0]["txnStatus"], "SUCCESS", "{v}");
    assert_eq!(w.receipts(&consumer), 1);
}
