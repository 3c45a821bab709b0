//! Local test doubles of the real gateways, speaking their documented protocols over real HTTP
//! (actix-web on a loopback port, in its own thread), so the adapters' real HTTP client is what
//! the tests exercise. Each can be told to answer success, failure, a timeout or another amount.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use mgramseva::business::pg::gateways::{paygov, razorpay};
use serde_json::{Value, json};

type Configure = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

/// Starts an app of these routes on a free loopback port; answers its base URL.
fn start(configure: Configure) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let c = configure.clone();
                App::new().configure(move |cfg| c(cfg))
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
            let _ = tx.send(server.addrs()[0].port());
            let _ = server.run().await;
        });
    });
    let port = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    format!("http://127.0.0.1:{port}")
}

fn basic_ok(req: &HttpRequest, user: &str, password: &str) -> bool {
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    );
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == want)
}

// ---------------------------------------------------------------- PayGov (NDML SurePay)

/// What the PayGov double's status query says about an order.
#[derive(Clone, Debug)]
pub enum PaygovAnswer {
    /// `S`: paid this amount (rupees, as written on the wire).
    Paid(&'static str),
    /// `F`: failed at the aggregator.
    Failed,
    /// `I`: begun, not finished.
    Initiated,
    /// HTTP 404 with `errorCode` 404.
    NotFound,
    /// Answers after the client's timeout.
    Slow,
    /// A success whose checksum is wrong.
    BadChecksum,
}

pub struct PaygovDouble {
    pub url: String,
    pub merchant_id: String,
    pub user: String,
    pub password: String,
    pub secret: String,
    answers: Arc<Mutex<HashMap<String, PaygovAnswer>>>,
    queries: Arc<Mutex<Vec<String>>>,
}

impl PaygovDouble {
    pub fn start() -> Self {
        let merchant_id = "UATPWSSG0000009999".to_owned();
        let (user, password, secret) = (
            "merchant-user".to_owned(),
            "merchant-pw".to_owned(),
            "test-secret-key".to_owned(),
        );
        let answers: Arc<Mutex<HashMap<String, PaygovAnswer>>> = Arc::default();
        let queries: Arc<Mutex<Vec<String>>> = Arc::default();
        let (a, q) = (answers.clone(), queries.clone());
        let (m, u, p, s) = (
            merchant_id.clone(),
            user.clone(),
            password.clone(),
            secret.clone(),
        );
        let url = start(Arc::new(move |cfg: &mut web::ServiceConfig| {
            let (a, q) = (a.clone(), q.clone());
            let (m, u, p, s) = (m.clone(), u.clone(), p.clone(), s.clone());
            cfg.route(
                "/SurePayPayment/v1/queryPaymentStatus",
                web::post().to(move |req: HttpRequest, form: web::Form<HashMap<String, String>>| {
                    let (a, q) = (a.clone(), q.clone());
                    let (m, u, p, s) = (m.clone(), u.clone(), p.clone(), s.clone());
                    async move {
                        if !basic_ok(&req, &u, &p) {
                            return HttpResponse::Unauthorized().finish();
                        }
                        let msg = form.get("requestMsg").cloned().unwrap_or_default();
                        let parts: Vec<&str> = msg.split('|').collect();
                        if parts.len() != 3 || !parts[0].is_empty() || parts[1] != m {
                            return HttpResponse::BadRequest().finish();
                        }
                        let order = parts[2].to_owned();
                        q.lock().unwrap().push(order.clone());
                        let answer = a.lock().unwrap().get(&order).cloned();
                        let body = match answer {
                            None | Some(PaygovAnswer::NotFound) => {
                                return HttpResponse::NotFound().json(json!({
                                    "errorCode": "404", "errorMessage": "NO_DATA_FOUND"
                                }));
                            }
                            Some(PaygovAnswer::Slow) => {
                                actix_web::rt::time::sleep(Duration::from_secs(3)).await;
                                paygov_success(&m, &order, "1.00", &s)
                            }
                            Some(PaygovAnswer::Paid(amount)) => paygov_success(&m, &order, amount, &s),
                            Some(PaygovAnswer::BadChecksum) => {
                                let good = paygov_success(&m, &order, "1.00", &s);
                                format!("{}|12345", good.rsplit_once('|').unwrap().0)
                            }
                            Some(PaygovAnswer::Failed) => signed(
                                &format!("F|{m}|{order}|WSx|Wallet|pay_F|400|PAYMENT_DECLINED_A|Payment failed|2026-03-05 17:06:06.366"),
                                &s,
                            ),
                            Some(PaygovAnswer::Initiated) => signed(
                                &format!("I|{m}|{order}|WSx||ORDER_INITIATED|2026-03-05 10:27:28.312"),
                                &s,
                            ),
                        };
                        HttpResponse::Ok().content_type("text/plain").body(body)
                    }
                }),
            );
        }));
        Self {
            url,
            merchant_id,
            user,
            password,
            secret,
            answers,
            queries,
        }
    }

    pub fn set(&self, order: &str, answer: PaygovAnswer) {
        self.answers
            .lock()
            .unwrap()
            .insert(order.to_owned(), answer);
    }

    /// Orders the status query was asked about, in order.
    pub fn queries(&self) -> Vec<String> {
        self.queries.lock().unwrap().clone()
    }

    pub fn settings(&self) -> mgramseva::config::PaygovSettings {
        mgramseva::config::PaygovSettings {
            gateway_url: format!("{}/SurePayPayment/sp/processRequest", self.url),
            status_url: format!("{}/SurePayPayment/v1/queryPaymentStatus", self.url),
            merchant_id: self.merchant_id.clone(),
            merchant_user: self.user.clone(),
            merchant_password: mgramseva::config::Secret::new(self.password.clone()),
            secret_key: mgramseva::config::Secret::new(self.secret.clone()),
            message_type: "0100".to_owned(),
            currency: "INR".to_owned(),
        }
    }

    /// The return message SurePay would post for a paid order (signed with the merchant key).
    pub fn return_success(&self, order: &str, amount: &str) -> String {
        paygov_success(&self.merchant_id, order, amount, &self.secret)
    }

    pub fn return_failure(&self, order: &str) -> String {
        signed(
            &format!(
                "F|{}|{order}|WSx|UPI|pay_F|400|PAYMENT_DECLINED_A|Payment failed|2026-03-05 17:06:06.366",
                self.merchant_id
            ),
            &self.secret,
        )
    }
}

fn signed(body: &str, secret: &str) -> String {
    format!("{body}|{}", paygov::checksum(body, secret))
}

fn paygov_success(merchant: &str, order: &str, amount: &str, secret: &str) -> String {
    signed(
        &format!(
            "S|0100|{merchant}|WSlodhipur|{order}|u-1|{amount}|INR|UPI|05-03-2026|SP{n}|pay_{n}|A|111111|111111|111111|111111|111111||",
            n = paygov::checksum(order, "surepay-txn")
        ),
        secret,
    )
}

// ---------------------------------------------------------------- Razorpay

#[derive(Clone, Debug)]
struct RzOrder {
    id: String,
    amount: i64,
    receipt: String,
    status: String,
    payments: Vec<Value>,
}

#[derive(Default)]
struct RzState {
    orders: Vec<RzOrder>,
    slow: bool,
}

pub struct RazorpayDouble {
    pub url: String,
    pub key_id: String,
    pub key_secret: String,
    pub webhook_secret: String,
    state: Arc<Mutex<RzState>>,
}

impl RazorpayDouble {
    pub fn start() -> Self {
        let (key_id, key_secret, webhook_secret) = (
            "rzp_test_double".to_owned(),
            "double-key-secret".to_owned(),
            "double-webhook-secret".to_owned(),
        );
        let state: Arc<Mutex<RzState>> = Arc::default();
        let (st, ki, ks) = (state.clone(), key_id.clone(), key_secret.clone());
        let url = start(Arc::new(move |cfg: &mut web::ServiceConfig| {
            let auth = web::Data::new((ki.clone(), ks.clone()));
            cfg.app_data(web::Data::from(st.clone()))
                .app_data(auth)
                .route("/v1/orders", web::post().to(rz_create))
                .route("/v1/orders", web::get().to(rz_list))
                .route("/v1/orders/{id}", web::get().to(rz_get))
                .route("/v1/orders/{id}/payments", web::get().to(rz_payments));
        }));
        Self {
            url,
            key_id,
            key_secret,
            webhook_secret,
            state,
        }
    }

    pub fn settings(&self) -> mgramseva::config::RazorpaySettings {
        mgramseva::config::RazorpaySettings {
            api_url: self.url.clone(),
            checkout_url: format!("{}/v1/checkout/embedded", self.url),
            key_id: self.key_id.clone(),
            key_secret: mgramseva::config::Secret::new(self.key_secret.clone()),
            webhook_secret: mgramseva::config::Secret::new(self.webhook_secret.clone()),
            merchant_name: "Test GP".to_owned(),
        }
    }

    /// The checkout took a payment on `order_id`: `status` (`captured`, `failed`, `authorized`)
    /// of `paise`. Answers the payment id.
    pub fn pay(&self, order_id: &str, paise: i64, status: &str) -> String {
        let mut st = self.state.lock().unwrap();
        let o = st.orders.iter_mut().find(|o| o.id == order_id).unwrap();
        let id = format!(
            "pay_{}{}",
            order_id.trim_start_matches("order_"),
            o.payments.len()
        );
        o.payments.push(json!({
            "id": id, "entity": "payment", "amount": paise, "currency": "INR",
            "status": status, "order_id": order_id, "method": "upi",
            "acquirer_data": {"rrn": "123456789012"}
        }));
        o.status = if status == "captured" {
            "paid"
        } else {
            "attempted"
        }
        .to_owned();
        id
    }

    pub fn slow(&self, on: bool) {
        self.state.lock().unwrap().slow = on;
    }

    /// The id of the order made last.
    pub fn last_order(&self) -> String {
        self.state.lock().unwrap().orders.last().unwrap().id.clone()
    }

    pub fn order_count(&self) -> usize {
        self.state.lock().unwrap().orders.len()
    }

    /// The checkout's callback form for a payment, signed as Razorpay signs it.
    pub fn callback(&self, order_id: &str, payment_id: &str) -> Vec<(String, String)> {
        let sig = razorpay::sign(
            &self.key_secret,
            format!("{order_id}|{payment_id}").as_bytes(),
        );
        vec![
            ("razorpay_payment_id".to_owned(), payment_id.to_owned()),
            ("razorpay_order_id".to_owned(), order_id.to_owned()),
            ("razorpay_signature".to_owned(), sig),
        ]
    }

    /// A `payment.captured` webhook body and its `X-Razorpay-Signature`.
    pub fn webhook(&self, order_id: &str, payment_id: &str, paise: i64) -> (String, String) {
        let body = json!({
            "entity": "event", "account_id": "acc_X", "event": "payment.captured",
            "contains": ["payment"],
            "payload": {"payment": {"entity": {
                "id": payment_id, "entity": "payment", "amount": paise, "currency": "INR",
                "status": "captured", "order_id": order_id, "method": "upi"
            }}},
            "created_at": 1_767_000_000
        })
        .to_string();
        let sig = razorpay::sign(&self.webhook_secret, body.as_bytes());
        (body, sig)
    }
}

type Auth = web::Data<(String, String)>;

async fn pause_if_slow(st: &Mutex<RzState>) {
    let slow = st.lock().unwrap().slow;
    if slow {
        actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    }
}

fn order_json(o: &RzOrder) -> Value {
    json!({
        "id": o.id, "entity": "order", "amount": o.amount,
        "amount_paid": if o.status == "paid" { o.amount } else { 0 },
        "amount_due": if o.status == "paid" { 0 } else { o.amount },
        "currency": "INR", "receipt": o.receipt, "status": o.status,
        "attempts": o.payments.len(), "notes": {}, "created_at": 1_767_000_000
    })
}

fn unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized().json(json!({"error": {
        "code": "BAD_REQUEST_ERROR", "description": "Authentication failed"
    }}))
}

async fn rz_create(
    req: HttpRequest,
    st: web::Data<Mutex<RzState>>,
    auth: Auth,
    body: web::Json<Value>,
) -> HttpResponse {
    if !basic_ok(&req, &auth.0, &auth.1) {
        return unauthorized();
    }
    pause_if_slow(&st).await;
    let (Some(amount), Some(receipt)) = (body["amount"].as_i64(), body["receipt"].as_str()) else {
        return HttpResponse::BadRequest().finish();
    };
    if amount < 100 || body["currency"] != "INR" {
        return HttpResponse::BadRequest().finish();
    }
    let mut st = st.lock().unwrap();
    let o = RzOrder {
        id: format!("order_D{:013}", st.orders.len() + 1),
        amount,
        receipt: receipt.to_owned(),
        status: "created".to_owned(),
        payments: vec![],
    };
    st.orders.push(o.clone());
    HttpResponse::Ok().json(order_json(&o))
}

async fn rz_list(
    req: HttpRequest,
    st: web::Data<Mutex<RzState>>,
    auth: Auth,
    q: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    if !basic_ok(&req, &auth.0, &auth.1) {
        return unauthorized();
    }
    pause_if_slow(&st).await;
    let st = st.lock().unwrap();
    let items: Vec<Value> = st
        .orders
        .iter()
        .filter(|o| q.get("receipt").is_none_or(|r| *r == o.receipt))
        .map(order_json)
        .collect();
    HttpResponse::Ok().json(json!({"entity": "collection", "count": items.len(), "items": items}))
}

async fn rz_get(
    req: HttpRequest,
    st: web::Data<Mutex<RzState>>,
    auth: Auth,
    id: web::Path<String>,
) -> HttpResponse {
    if !basic_ok(&req, &auth.0, &auth.1) {
        return unauthorized();
    }
    pause_if_slow(&st).await;
    let st = st.lock().unwrap();
    match st.orders.iter().find(|o| o.id == *id) {
        Some(o) => HttpResponse::Ok().json(order_json(o)),
        None => HttpResponse::BadRequest().json(json!({"error": {
            "code": "BAD_REQUEST_ERROR", "description": "The id provided does not exist"
        }})),
    }
}

async fn rz_payments(
    req: HttpRequest,
    st: web::Data<Mutex<RzState>>,
    auth: Auth,
    id: web::Path<String>,
) -> HttpResponse {
    if !basic_ok(&req, &auth.0, &auth.1) {
        return unauthorized();
    }
    pause_if_slow(&st).await;
    let st = st.lock().unwrap();
    match st.orders.iter().find(|o| o.id == *id) {
        Some(o) => HttpResponse::Ok().json(json!({
            "entity": "collection", "count": o.payments.len(), "items": o.payments
        })),
        None => HttpResponse::BadRequest().finish(),
    }
}
