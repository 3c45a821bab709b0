//! The `http` SMS adapter against a local test double of a NIC-style government SMS gateway
//! (real HTTP on a loopback port): what each answer of the provider becomes in the outbox.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use mgramseva::config::{HttpSmsSettings, NotificationSettings, OutboundSettings, Secret};
use mgramseva::platform::notification::{self as n, Delivered, HttpSms, Outbox, Sms};

use crate::helpers::TestApp;

pub(crate) const GP: &str = "pb.lodhipur";

/// What the double answers to one request.
#[derive(Clone, Debug)]
pub(crate) enum Answer {
    /// `Message Accepted For Request ID=<n>~code=API000 & info=...`
    Accept,
    /// The provider's own error code and text (HTTP 200).
    ProviderError,
    /// Answers after this long.
    Slow(u64),
    /// This HTTP status with a short body.
    Status(u16),
    /// HTTP 200 with a body that is neither success nor a provider error.
    Garbage,
}

/// A NIC-style SMS gateway: GET `/failsafe/MLink?username=..&pin=..&message=..&mnumber=91..&
/// signature=..&dlt_entity_id=..&dlt_template_id=..` (or the same as a POSTed form).
pub(crate) struct SmsDouble {
    pub url: String,
    script: Arc<Mutex<VecDeque<Answer>>>,
    fallback: Arc<Mutex<Answer>>,
    /// Every request's fields, in order of arrival.
    pub requests: Arc<Mutex<Vec<HashMap<String, String>>>>,
    /// The fields of each request accepted (given a message id).
    pub accepted: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

impl SmsDouble {
    pub fn start() -> Self {
        let script: Arc<Mutex<VecDeque<Answer>>> = Arc::default();
        let fallback = Arc::new(Mutex::new(Answer::Accept));
        let requests: Arc<Mutex<Vec<HashMap<String, String>>>> = Arc::default();
        let accepted: Arc<Mutex<Vec<HashMap<String, String>>>> = Arc::default();
        let (s, f, r, a) = (
            script.clone(),
            fallback.clone(),
            requests.clone(),
            accepted.clone(),
        );
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    let (s, f, r, a) = (s.clone(), f.clone(), r.clone(), a.clone());
                    App::new().route(
                        "/failsafe/MLink",
                        web::route().to(move |req: HttpRequest, body: web::Bytes| {
                            let (s, f, r, a) = (s.clone(), f.clone(), r.clone(), a.clone());
                            async move {
                                let raw = if req.method() == actix_web::http::Method::POST {
                                    String::from_utf8_lossy(&body).into_owned()
                                } else {
                                    req.query_string().to_owned()
                                };
                                let fields: HashMap<String, String> =
                                    serde_urlencoded::from_str(&raw).unwrap_or_default();
                                r.lock().unwrap().push(fields.clone());
                                let answer = s
                                    .lock()
                                    .unwrap()
                                    .pop_front()
                                    .unwrap_or_else(|| f.lock().unwrap().clone());
                                answer_with(answer, fields, &a).await
                            }
                        }),
                    )
                })
                .workers(2)
                .bind(("127.0.0.1", 0))
                .unwrap();
                let _ = tx.send(server.addrs()[0].port());
                let _ = server.run().await;
            });
        });
        let port = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        Self {
            url: format!("http://127.0.0.1:{port}/failsafe/MLink"),
            script,
            fallback,
            requests,
            accepted,
        }
    }

    /// The next answers, in order; after them, `fallback`.
    pub fn script(&self, answers: &[Answer]) {
        self.script.lock().unwrap().extend(answers.iter().cloned());
    }

    pub fn fallback(&self, a: Answer) {
        *self.fallback.lock().unwrap() = a;
    }

    pub fn requests(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// The mobile numbers (as on the wire) of the accepted messages.
    pub fn accepted_mobiles(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .accepted
            .lock()
            .unwrap()
            .iter()
            .map(|f| f.get("mnumber").cloned().unwrap_or_default())
            .collect();
        v.sort();
        v
    }

    pub fn settings(&self, method: &str) -> HttpSmsSettings {
        HttpSmsSettings {
            url: self.url.clone(),
            method: method.into(),
            username: "pbdwss.sms".into(),
            password: Secret::new("pin-from-env"),
            sender_id: "PBDWSS".into(),
            dlt_entity_id: "1001842650153206278".into(),
            mobile_prefix: "91".into(),
            username_field: "username".into(),
            password_field: "pin".into(),
            sender_field: "signature".into(),
            entity_field: "dlt_entity_id".into(),
            template_field: "dlt_template_id".into(),
            message_field: "message".into(),
            mobile_field: "mnumber".into(),
            extra_fields: "smsservicetype=unicodemsg".into(),
            success_marker: "API000".into(),
        }
    }

    /// The adapter, with a client that gives up after `timeout_ms`.
    pub fn adapter(&self, method: &str, timeout_ms: u64) -> HttpSms {
        HttpSms::new(
            &self.settings(method),
            &OutboundSettings {
                connect_timeout_ms: timeout_ms,
                total_timeout_ms: timeout_ms,
                max_reply_bytes: 65_536,
            },
        )
        .unwrap()
    }
}

async fn answer_with(
    answer: Answer,
    fields: HashMap<String, String>,
    accepted: &Mutex<Vec<HashMap<String, String>>>,
) -> HttpResponse {
    let text = |b: String| HttpResponse::Ok().content_type("text/plain").body(b);
    match answer {
        Answer::Accept | Answer::Slow(_) => {
            if let Answer::Slow(ms) = answer {
                actix_web::rt::time::sleep(Duration::from_millis(ms)).await;
            }
            if fields.get("pin").map(String::as_str) != Some("pin-from-env") {
                return text("Message Rejected~code=API001 & info=Invalid credentials".into());
            }
            let mut a = accepted.lock().unwrap();
            a.push(fields);
            text(format!(
                "Message Accepted For Request ID=77{:04}~code=API000 & info=Sms platform accepted & Time = 2026/05/04/10/00",
                a.len()
            ))
        }
        Answer::ProviderError => text(
            "Message Rejected~code=API005 & info=Template ID does not match the message".into(),
        ),
        Answer::Status(s) => HttpResponse::build(actix_web::http::StatusCode::from_u16(s).unwrap())
            .body(format!("status {s}")),
        Answer::Garbage => text("<html><body>Welcome to nginx!</body></html>".into()),
    }
}

/// The test settings with DLT ids for the OTP and the receipt, no quiet hours.
pub(crate) fn notify_settings(app: &TestApp) -> NotificationSettings {
    let mut s = app.state.settings.notification.clone();
    s.quiet_hours = String::new();
    s.dlt_template_ids =
        "RESET_PASSWORD_OTP=1007000000000000001,mGram.Consumer.DownloadReceipt=1007000000000000002"
            .into();
    s
}

/// Queues an SMS (committed).
pub(crate) fn queue(app: &TestApp, tenant: &str, template: &str, mobile: &str, text: &str) -> i64 {
    let mut c = app.db.conn();
    n::enqueue_sms(
        &mut c,
        &app.state.crypto,
        &Sms {
            tenant_id: tenant,
            mobile,
            template,
            text: text.into(),
        },
        Utc::now(),
    )
    .unwrap()
}

/// One row's delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub status: String,
    pub attempts: i32,
    pub reason: Option<String>,
    pub message_id: Option<String>,
    pub last_error: Option<String>,
    pub answer: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
}

pub(crate) fn row(app: &TestApp, id: i64) -> Row {
    let (status, attempts, reason, message_id, last_error, answer, next_attempt_at) =
        diesel::sql_query(format!(
            "SELECT status, attempts, reason, provider_message_id, last_error, provider_answer, next_attempt_at FROM notification_outbox WHERE id = {id}"
        ))
        .get_result::<RowSql>(&mut app.db.conn())
        .map(|r| {
            (
                r.status,
                r.attempts,
                r.reason,
                r.provider_message_id,
                r.last_error,
                r.provider_answer,
                r.next_attempt_at,
            )
        })
        .unwrap();
    Row {
        status,
        attempts,
        reason,
        message_id,
        last_error,
        answer,
        next_attempt_at,
    }
}

#[derive(QueryableByName)]
struct RowSql {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    reason: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    provider_message_id: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    last_error: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    provider_answer: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    next_attempt_at: DateTime<Utc>,
}

fn run(
    app: &TestApp,
    adapter: &HttpSms,
    s: &NotificationSettings,
    now: DateTime<Utc>,
) -> Delivered {
    n::deliver(
        &mut app.db.conn(),
        &Outbox {
            crypto: &app.state.crypto,
            adapter,
            settings: s,
        },
        100,
        now,
    )
    .unwrap()
}

#[test]
fn a_success_stores_the_providers_message_id_and_sends_every_field() {
    let app = TestApp::new();
    let d = SmsDouble::start();
    let s = notify_settings(&app);
    let id = queue(
        &app,
        GP,
        "RESET_PASSWORD_OTP",
        "9814000101",
        "OTP to reset password on NalJal is 123456",
    );
    let done = run(&app, &d.adapter("GET", 2_000), &s, Utc::now());
    assert_eq!((done.sent, done.handled()), (1, 1));
    let r = row(&app, id);
    assert_eq!(r.status, "SENT");
    assert_eq!(r.attempts, 1);
    assert_eq!(r.message_id.as_deref(), Some("770001"));
    assert!(r.answer.unwrap().contains("API000"));
    let f = d.requests.lock().unwrap()[0].clone();
    assert_eq!(f["mnumber"], "919814000101");
    assert_eq!(f["dlt_template_id"], "1007000000000000001");
    assert_eq!(f["dlt_entity_id"], "1001842650153206278");
    assert_eq!(f["signature"], "PBDWSS");
    assert_eq!(f["username"], "pbdwss.sms");
    assert_eq!(f["smsservicetype"], "unicodemsg");
    assert_eq!(f["message"], "OTP to reset password on NalJal is 123456");

    // The same over POST, in Punjabi.
    let id = queue(
        &app,
        GP,
        "RESET_PASSWORD_OTP",
        "9814000102",
        "ਤੁਹਾਡਾ OTP 654321 ਹੈ",
    );
    let done = run(&app, &d.adapter("POST", 2_000), &s, Utc::now());
    assert_eq!(done.sent, 1);
    assert_eq!(row(&app, id).message_id.as_deref(), Some("770002"));
    assert_eq!(
        d.requests.lock().unwrap()[1]["message"],
        "ਤੁਹਾਡਾ OTP 654321 ਹੈ"
    );
}

#[test]
fn the_providers_error_and_a_4xx_fail_with_their_reason_and_are_not_retried() {
    let app = TestApp::new();
    let d = SmsDouble::start();
    let s = notify_settings(&app);
    d.script(&[Answer::ProviderError, Answer::Status(400)]);
    let a = queue(&app, GP, "RESET_PASSWORD_OTP", "9814000111", "a");
    let b = queue(&app, GP, "RESET_PASSWORD_OTP", "9814000112", "b");
    let done = run(&app, &d.adapter("GET", 2_000), &s, Utc::now());
    assert_eq!(done.failed, 2);
    let (ra, rb) = (row(&app, a), row(&app, b));
    assert_eq!(ra.status, "FAILED");
    assert_eq!(
        ra.reason.as_deref(),
        Some("provider refused: API005: Template ID does not match the message")
    );
    assert_eq!(rb.status, "FAILED");
    assert_eq!(rb.reason.as_deref(), Some("HTTP 400"));
    assert_eq!(rb.answer.as_deref(), Some("status 400"));
    // A later run does not try them again.
    let again = run(
        &app,
        &d.adapter("GET", 2_000),
        &s,
        Utc::now() + chrono::Duration::days(1),
    );
    assert_eq!(again.handled(), 0);
    assert_eq!(d.requests(), 2);
}

#[test]
fn a_5xx_a_timeout_and_garbage_are_retried_with_backoff_then_sent_or_given_up() {
    let app = TestApp::new();
    let d = SmsDouble::start();
    let mut s = notify_settings(&app);
    s.backoff_first_seconds = 60;
    s.backoff_max_seconds = 600;
    s.max_attempts = 3;
    let adapter = d.adapter("GET", 500);
    // 1: 503 then success. 2: too slow, then success. 3: garbage three times: given up.
    d.script(&[Answer::Status(503), Answer::Slow(1_500), Answer::Garbage]);
    let a = queue(&app, GP, "RESET_PASSWORD_OTP", "9814000121", "a");
    let b = queue(&app, GP, "RESET_PASSWORD_OTP", "9814000122", "b");
    let c = queue(&app, GP, "RESET_PASSWORD_OTP", "9814000123", "c");
    let t0 = Utc::now();
    let first = run(&app, &adapter, &s, t0);
    assert_eq!(first.retried, 3, "{first:?}");
    let (ra, rb, rc) = (row(&app, a), row(&app, b), row(&app, c));
    assert_eq!(
        (ra.status.as_str(), ra.last_error.as_deref()),
        ("PENDING", Some("HTTP 503"))
    );
    assert_eq!(
        rb.last_error.as_deref(),
        Some("provider did not answer in time")
    );
    assert_eq!(
        rc.last_error.as_deref(),
        Some("provider answer not understood")
    );
    // The first retry waits 60 s (from when each attempt ended).
    for r in [&ra, &rb, &rc] {
        let wait = (r.next_attempt_at - t0).num_seconds();
        assert!((60..=63).contains(&wait), "{wait}");
    }
    // Not due yet: nothing happens.
    assert_eq!(
        run(&app, &adapter, &s, t0 + chrono::Duration::seconds(30)).handled(),
        0
    );
    // Due: a and b are sent; c is garbage again and waits twice as long (120 s).
    d.script(&[
        Answer::Accept,
        Answer::Accept,
        Answer::Garbage,
        Answer::Garbage,
    ]);
    let t1 = t0 + chrono::Duration::seconds(70);
    let second = run(&app, &adapter, &s, t1);
    assert_eq!((second.sent, second.retried), (2, 1), "{second:?}");
    assert_eq!(row(&app, a).status, "SENT");
    assert_eq!(row(&app, b).status, "SENT");
    let rc = row(&app, c);
    assert_eq!(rc.attempts, 2);
    let wait = (rc.next_attempt_at - t1).num_seconds();
    assert!((120..=123).contains(&wait), "{wait}");
    let third = run(&app, &adapter, &s, t1 + chrono::Duration::seconds(130));
    assert_eq!(third.gave_up, 1);
    let rc = row(&app, c);
    assert_eq!(rc.status, "GAVE_UP");
    assert_eq!(
        rc.reason.as_deref(),
        Some("gave up after 3 attempts: provider answer not understood")
    );
    // 3 + 3 + 1 requests in all (the timed-out one reached the double: at-least-once).
    assert_eq!(d.requests(), 7);
}

#[test]
fn a_key_without_a_dlt_template_id_is_skipped_and_never_reaches_the_provider() {
    let app = TestApp::new();
    let d = SmsDouble::start();
    let s = notify_settings(&app);
    let id = queue(&app, GP, "SMS_ON_BOARD_EMPLOYEE", "9814000131", "welcome");
    let done = run(&app, &d.adapter("GET", 2_000), &s, Utc::now());
    assert_eq!(done.skipped, 1);
    let r = row(&app, id);
    assert_eq!(r.status, "SKIPPED");
    assert_eq!(
        r.reason.as_deref(),
        Some("no DLT template id for SMS_ON_BOARD_EMPLOYEE")
    );
    assert_eq!(d.requests(), 0);
}
