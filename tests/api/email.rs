//! E-mail over SMTP (issue 16, item 3): each message goes through a real SMTP server started by
//! the test (aiosmtpd, `tests/api/smtp_sink.py`, installed by scripts/test.sh into a venv named by
//! `MGRAMSEVA_TEST_PYTHON`) and is read back from what that server received: recipient, subject,
//! both bodies of the multipart/alternative, the numbers. A server that refuses, or none at all:
//! retried with backoff, then FAILED with the reason, nothing lost.

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};

use chrono::{Duration, Utc};
use diesel::prelude::*;
use mgramseva::platform::notification::email;
use serde_json::{Value, json};

use crate::helpers::*;

/// A real SMTP server on 127.0.0.1 that keeps what it accepts (and refuses `refuse*@…`).
struct Sink {
    port: u16,
    dir: std::path::PathBuf,
    child: Child,
}

fn python() -> String {
    std::env::var("MGRAMSEVA_TEST_PYTHON").expect(
        "MGRAMSEVA_TEST_PYTHON is not set: run the tests through ./scripts/test.sh (it installs aiosmtpd)",
    )
}

fn script() -> String {
    format!("{}/tests/api/smtp_sink.py", env!("CARGO_MANIFEST_DIR"))
}

/// A port nothing listens on (just freed).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

impl Sink {
    fn start() -> Self {
        Self::start_on(free_port())
    }

    fn start_on(port: u16) -> Self {
        let dir = std::env::temp_dir().join(format!("mgramseva-smtp-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(python())
            .arg(script())
            .arg("serve")
            .arg(port.to_string())
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the SMTP server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        Self { port, dir, child }
    }

    /// What the server received, oldest first.
    fn messages(&self) -> Vec<Value> {
        let out = Command::new(python())
            .arg(script())
            .arg("read")
            .arg(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The app sending e-mail to `port` without TLS (a server on this machine).
fn app_mailing_to(port: u16) -> TestApp {
    TestApp::configured(|s| {
        s.email.enabled = true;
        s.email.host = "127.0.0.1".to_owned();
        s.email.port = port;
        s.email.tls = mgramseva::config::SmtpTls::None;
        s.email.from = "mGramSeva <no-reply@mgramseva.test>".to_owned();
        s.email.timeout_ms = 5_000;
    })
}

fn run_notifications(app: &TestApp) -> String {
    mgramseva::jobs::run_blocking(
        &app.state,
        "notifications",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap()
}

fn outbox(app: &TestApp, to: &str) -> Vec<email::Queued> {
    email::messages_to(&mut app.db.conn(), &app.state.crypto, to, 10).unwrap()
}

/// Gives the citizen with this mobile number an e-mail address and a language.
fn set_citizen_email(app: &TestApp, mobile: &str, to: &str, locale: &str) {
    let hash = app.identity().mobile_hash(mobile);
    let n = diesel::sql_query(
        "UPDATE user_account SET email_enc = $1, locale = $2 WHERE mobile_hash = $3 AND user_type = 'CITIZEN'",
    )
    .bind::<diesel::sql_types::Text, _>(app.state.crypto.seal("user.email", to))
    .bind::<diesel::sql_types::Text, _>(locale)
    .bind::<diesel::sql_types::Bytea, _>(hash)
    .execute(&mut app.db.conn())
    .unwrap();
    assert_eq!(n, 1, "one citizen with {mobile}");
}

/// A field of a received message (line ends as `\n`: SMTP carries CRLF).
fn text(m: &Value, part: &str) -> String {
    m[part].as_str().unwrap_or_default().replace("\r\n", "\n")
}

/// Pays `amount` on the household's current bill at the counter API; the receipt number.
async fn pay(app: &TestApp, token: &str, no: &str, amount: i64) -> String {
    let (s, v) = app
        .post(
            &format!("/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={no}&businessService=WS"),
            json!({"RequestInfo": ri(token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let bill = &v["Bill"][0];
    let (s, v) = app.post("/collection-services/payments/_create", json!({
        "RequestInfo": ri(token),
        "Payment": {"tenantId": GP, "paymentMode": "CASH", "paidBy": "Gurpreet Kaur",
            "totalAmountPaid": amount.to_string(),
            "paymentDetails": [{"businessService": "WS", "billId": bill["id"], "totalAmountPaid": amount.to_string()}]}})).await;
    assert_eq!(s, 200, "{v}");
    v["Payments"][0]["paymentDetails"][0]["receiptNumber"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn a_payment_receipt_reaches_the_households_email_with_both_bodies() {
    let sink = Sink::start();
    let app = app_mailing_to(sink.port);
    let admin = app.login("9830000001", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
    let wc = gp_household(
        &app,
        &admin,
        ("9876500011", "Gurpreet Kaur", "OLD-11"),
        json!({"arrears": 120}),
    )
    .await;
    let no = wc["connectionNo"].as_str().unwrap().to_owned();
    let to = "gurpreet.kaur@village.example.in";
    set_citizen_email(&app, "9876500011", to, "en_IN");

    let receipt = pay(&app, &admin, &no, 50).await;
    // queued with the payment, sent by the job
    let q = outbox(&app, to);
    assert_eq!(q.len(), 1);
    assert_eq!(
        (q[0].template.as_str(), q[0].status.as_str()),
        ("EMAIL_RECEIPT", "PENDING")
    );
    assert!(sink.messages().is_empty());
    let summary = run_notifications(&app);
    assert!(summary.contains("1 e-mails sent, 0 failed"), "{summary}");

    let got = sink.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m["envelope_to"], to);
    assert_eq!(m["to"], to);
    assert_eq!(m["from"], "mGramSeva <no-reply@mgramseva.test>");
    assert_eq!(m["content_type"], "multipart/alternative");
    assert_eq!(
        text(m, "subject"),
        format!("Payment received: receipt {receipt}")
    );
    let (plain, html) = (text(m, "text"), text(m, "html"));
    assert!(
        plain.contains(&format!(
            "Dear Gurpreet Kaur, ₹50 has been received for water connection {no} of Lodhipur"
        )),
        "{plain}"
    );
    for line in [
        format!("Receipt number: {receipt}"),
        format!("Connection ID: {no}"),
        "Amount paid (₹): 50".to_owned(),
        "Amount still pending (₹): 70".to_owned(),
    ] {
        assert!(plain.contains(&line), "{line} in {plain}");
    }
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains(&format!("<td style=\"padding:6px 0;border-bottom:1px solid #e4e7eb;font-weight:bold\">{receipt}</td>")), "{html}");
    assert!(
        html.contains(">70</td>") && html.contains(">50</td>"),
        "{html}"
    );
    // the link: a short link of this server to the receipt PDF, the same in both bodies
    let base = &app.state.settings.app.base_url;
    let link = plain
        .lines()
        .find_map(|l| l.strip_prefix("Download the receipt (PDF): "))
        .expect("the receipt link")
        .to_owned();
    assert!(link.starts_with(base.as_str()), "{link}");
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    let path = link.strip_prefix(base.as_str()).unwrap();
    let resp = app
        .call(actix_web::test::TestRequest::get().uri(path))
        .await;
    let target = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        target,
        format!(
            "/citizen/receipt.pdf?tenantId=pb.lodhipur&consumerCode={no}&receiptNumber={receipt}"
        )
    );
    let pdf = app
        .call(actix_web::test::TestRequest::get().uri(&target))
        .await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(
        pdf.headers().get("content-type").unwrap(),
        "application/pdf"
    );
    // recorded as sent with the server's answer; not sent twice
    let q = outbox(&app, to);
    assert_eq!(q[0].status, "SENT");
    assert_eq!(q[0].attempts, 1);
    assert_eq!(
        q[0].provider_answer.as_deref(),
        Some("250 2.0.0 Ok: queued as sink-1")
    );
    run_notifications(&app);
    assert_eq!(sink.messages().len(), 1);
}

fn employee(mobile: &str, name: &str, mail: &str) -> Value {
    json!({"tenantId": "pb", "employeeType": "PERMANENT", "dateOfAppointment": 1_700_000_000_000i64,
           "assignments": [{"designation": "DESIG_61", "department": "DWSS"}],
           "user": {"name": name, "mobileNumber": mobile, "gender": "FEMALE", "emailId": mail,
                    "roles": [{"code": "SARPANCH", "tenantId": GP}]}})
}

/// The newest SMS's text to `mobile`.
fn last_sms(app: &TestApp, mobile: &str) -> String {
    mgramseva::platform::notification::messages_to(&mut app.db.conn(), &app.state.crypto, mobile, 1)
        .unwrap()
        .remove(0)
        .text
}

#[actix_web::test]
async fn onboarding_and_password_reset_codes_go_to_the_employees_email_in_punjabi() {
    let sink = Sink::start();
    let app = app_mailing_to(sink.port);
    let div = app.login("9815000010", &["DIV_ADMIN", "HRMS_ADMIN", "EMPLOYEE"]);
    let to = "harjit.kaur@gp.example.in";
    let (s, v) = app
        .post(
            "/egov-hrms/employees/_create",
            json!({"RequestInfo": ri(&div), "Employees": [employee("9815000031", "Harjit Kaur", to)]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // an employee without an address gets the SMS only
    let (s, v) = app
        .post(
            "/egov-hrms/employees/_create",
            json!({"RequestInfo": ri(&div), "Employees": [{"tenantId": "pb", "employeeType": "PERMANENT",
                "dateOfAppointment": 1_700_000_000_000i64, "assignments": [{"designation": "DESIG_61", "department": "DWSS"}],
                "user": {"name": "Asha Rani", "mobileNumber": "9815000032", "gender": "FEMALE",
                         "roles": [{"code": "SECRETARY", "tenantId": GP}]}}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // A request refused as a whole (its second employee asks for a role this admin cannot
    // grant) rolls back the first one's e-mail with it.
    let rolled_back = "rolled.back@gp.example.in";
    let (s, v) = app
        .post(
            "/egov-hrms/employees/_create",
            json!({"RequestInfo": ri(&div), "Employees": [
                employee("9815000033", "Simran Kaur", rolled_back),
                {"tenantId": "pb", "employeeType": "PERMANENT", "dateOfAppointment": 1_700_000_000_000i64,
                 "assignments": [{"designation": "DESIG_61", "department": "DWSS"}],
                 "user": {"name": "Not Allowed", "mobileNumber": "9815000034", "gender": "MALE",
                          "roles": [{"code": "STATE_ADMIN", "tenantId": "pb"}]}}]}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert!(outbox(&app, rolled_back).is_empty());
    let summary = run_notifications(&app);
    assert!(summary.contains("1 e-mails sent, 0 failed"), "{summary}");
    let got = sink.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m["envelope_to"], to);
    assert_eq!(m["content_type"], "multipart/alternative");
    assert_eq!(text(m, "subject"), "mGramSeva ਵਿੱਚ ਜੀ ਆਇਆਂ ਨੂੰ, Harjit Kaur");
    let (plain, html) = (text(m, "text"), text(m, "html"));
    // the same password as the SMS
    let sms = last_sms(&app, "9815000031");
    let pw = sms
        .split("ਪਾਸਵਰਡ: ")
        .nth(1)
        .unwrap()
        .split(['।', ' '])
        .next()
        .unwrap();
    assert!(
        plain.contains(&format!("ਯੂਜ਼ਰਨੇਮ: 9815000031\nਪਾਸਵਰਡ: {pw}\n")),
        "{plain}"
    );
    assert!(
        plain.contains("ਪਿਆਰੇ Harjit Kaur, ਤੁਹਾਨੂੰ mGramSeva ਵਿੱਚ ਸ਼ਾਮਲ ਹੋਣ ਦਾ ਸੱਦਾ"),
        "{plain}"
    );
    let login = format!("{}/login", app.state.settings.app.base_url);
    assert!(
        plain.contains(&format!("mGramSeva ਖੋਲ੍ਹੋ: {login}")),
        "{plain}"
    );
    assert!(
        html.contains("<html lang=\"pa\">") && html.contains(&format!("href=\"{login}\"")),
        "{html}"
    );
    assert!(html.contains(&format!(">{pw}</td>")), "{html}");

    // A password reset: the code by SMS and by e-mail, the same code.
    let (s, v) = app
        .post(
            "/user-otp/v1/_send",
            json!({"otp": {"mobileNumber": "9815000031", "tenantId": "pb", "type": "passwordreset", "userType": "EMPLOYEE"}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    run_notifications(&app);
    let got = sink.messages();
    assert_eq!(got.len(), 2, "{got:?}");
    let m = &got[1];
    assert_eq!(text(m, "subject"), "ਤੁਹਾਡਾ mGramSeva ਪਾਸਵਰਡ ਰੀਸੈੱਟ ਕੋਡ");
    let sms = last_sms(&app, "9815000031");
    let code: String = sms.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "{sms}");
    assert!(
        text(m, "text").contains(&format!("ਕੋਡ: {code}\n")),
        "{}",
        text(m, "text")
    );
    assert!(text(m, "text").contains("10 ਮਿੰਟ"), "{}", text(m, "text"));
    assert!(text(m, "html").contains(&format!(">{code}</td>")));
}

#[actix_web::test]
async fn the_month_summary_goes_to_the_gps_email_when_it_has_one() {
    let sink = Sink::start();
    let app = app_mailing_to(sink.port);
    let to = "gpwsc.lodhipur@punjab.example.in";
    diesel::sql_query("UPDATE mdms_tenant SET email_id = $1 WHERE code = $2")
        .bind::<diesel::sql_types::Text, _>(to)
        .bind::<diesel::sql_types::Text, _>(GP)
        .execute(&mut app.db.conn())
        .unwrap();
    let args = mgramseva::jobs::JobArgs {
        tenant: Some(GP.to_owned()),
        period: None,
    };
    mgramseva::jobs::run_blocking(&app.state, "expense-month-summary", &args).unwrap();
    // another GP without an address: nothing
    let args = mgramseva::jobs::JobArgs {
        tenant: Some(OTHER_GP.to_owned()),
        period: None,
    };
    mgramseva::jobs::run_blocking(&app.state, "expense-month-summary", &args).unwrap();
    run_notifications(&app);
    let got = sink.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m["envelope_to"], to);
    // the previous month (IST) and the GP, named in Punjabi, the state's language
    let prev = {
        use chrono::Datelike as _;
        let today = Utc::now()
            .with_timezone(&chrono_tz::Asia::Kolkata)
            .date_naive();
        today.with_day(1).unwrap() - Duration::days(1)
    };
    let pa = mgramseva::platform::localization::Locale::Pa;
    let month = format!(
        "{} {}",
        app.state
            .i18n
            .text(pa, &format!("MONTH_{}", chrono::Datelike::month(&prev))),
        chrono::Datelike::year(&prev)
    );
    let gp = app.state.i18n.place_name(pa, GP);
    assert_eq!(text(m, "subject"), format!("{gp}: {month} ਦੀ ਵਸੂਲੀ ਅਤੇ ਖਰਚਾ"));
    assert!(
        text(m, "html").contains(&format!(">{month}</td>")),
        "{}",
        text(m, "html")
    );
    let plain = text(m, "text");
    assert!(plain.contains("ਵਸੂਲੇ ਗਏ ਪਾਣੀ ਦੇ ਚਾਰਜ (₹): 0\n"), "{plain}");
    assert!(plain.contains("ਅਦਾ ਕੀਤਾ ਖਰਚਾ (₹): 0\n"), "{plain}");
    assert!(plain.contains("/home/reports"), "{plain}");
}

#[actix_web::test]
async fn a_refusing_or_absent_server_is_retried_then_failed_with_the_reason() {
    // 1. The server refuses the recipient for good (550): FAILED at once, with its words.
    let sink = Sink::start();
    let app = app_mailing_to(sink.port);
    let admin = app.login("9830000001", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
    let wc = gp_household(
        &app,
        &admin,
        ("9876500012", "Jaspal Singh", "OLD-12"),
        json!({"arrears": 80}),
    )
    .await;
    let no = wc["connectionNo"].as_str().unwrap().to_owned();
    set_citizen_email(&app, "9876500012", "refuse.me@village.example.in", "hi_IN");
    pay(&app, &admin, &no, 30).await;
    let summary = run_notifications(&app);
    assert!(summary.contains("0 e-mails sent, 1 failed"), "{summary}");
    let q = outbox(&app, "refuse.me@village.example.in");
    assert_eq!((q[0].status.as_str(), q[0].attempts), ("FAILED", 1));
    let why = q[0].last_error.clone().unwrap_or_default();
    assert!(
        why.contains("550") && why.contains("mailbox unavailable"),
        "{why}"
    );
    assert!(sink.messages().is_empty());

    // 2. No server at all: retried with backoff, nothing lost; delivered once one listens.
    let port = free_port();
    let smtp = |port: u16, tls| {
        let mut s = app.state.settings.email.clone();
        s.port = port;
        s.tls = tls;
        email::Smtp::new(&s).unwrap()
    };
    let none = mgramseva::config::SmtpTls::None;
    let mut c = app.db.conn();
    let t0 = Utc::now();
    let queue = |c: &mut PgConnection, to: &str| {
        email::enqueue(
            c,
            &app.state.crypto,
            &email::Mail {
                tenant_id: GP,
                to,
                kind: email::Kind::PasswordOtp,
                locale: Some(mgramseva::platform::localization::Locale::Hi),
                values: vec![
                    ("USER", "Jaspal Singh".to_owned()),
                    ("OTP", "424242".to_owned()),
                    ("MINUTES", "10".to_owned()),
                ],
            },
            t0,
        )
        .unwrap()
        .unwrap()
    };
    let deliver = |c: &mut PgConnection, mailer: &email::Smtp, at| {
        c.transaction(|c| {
            email::deliver(
                c,
                &app.state.crypto,
                &app.state.i18n,
                "http://x",
                mailer,
                10,
                at,
            )
        })
        .unwrap()
    };
    let later = "later@village.example.in";
    queue(&mut c, later);
    assert_eq!(deliver(&mut c, &smtp(port, none), t0), (0, 1));
    let q = outbox(&app, later);
    assert_eq!((q[0].status.as_str(), q[0].attempts), ("PENDING", 1));
    let why = q[0].last_error.clone().unwrap_or_default();
    assert!(why.to_lowercase().contains("connection refused"), "{why}");
    // not due again before its backoff (2 minutes)
    assert_eq!(
        deliver(&mut c, &smtp(port, none), t0 + Duration::seconds(90)),
        (0, 0)
    );
    let sink2 = Sink::start_on(port);
    assert_eq!(
        deliver(&mut c, &smtp(port, none), t0 + Duration::minutes(3)),
        (1, 0)
    );
    let got = sink2.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(text(&got[0], "subject"), "आपका mGramSeva पासवर्ड रीसेट कोड");
    assert!(
        text(&got[0], "text").contains("कोड: 424242\n"),
        "{}",
        text(&got[0], "text")
    );
    let q = outbox(&app, later);
    assert_eq!((q[0].status.as_str(), q[0].attempts), ("SENT", 2));

    // 3. STARTTLS required: a server that cannot is not written to in the clear.
    let clear = "clear@village.example.in";
    queue(&mut c, clear);
    assert_eq!(
        deliver(
            &mut c,
            &smtp(port, mgramseva::config::SmtpTls::Starttls),
            t0 + Duration::minutes(3)
        ),
        (0, 1)
    );
    assert_eq!(sink2.messages().len(), 1, "nothing sent without TLS");
    let q = outbox(&app, clear);
    assert_eq!(q[0].status, "PENDING");
    assert!(q[0].last_error.is_some());

    // 4. A server that never answers: given up after 8 attempts, the reason kept.
    let gone = free_port();
    let lost = "lost@village.example.in";
    queue(&mut c, lost);
    let mut at = t0 + Duration::minutes(3);
    for n in 1..=8 {
        let (sent, failed) = deliver(&mut c, &smtp(gone, none), at);
        assert_eq!(sent, 0);
        assert!(failed >= 1, "attempt {n}");
        at += Duration::minutes(1 << 11);
    }
    let q = outbox(&app, lost);
    assert_eq!(
        (q[0].status.as_str(), q[0].attempts),
        ("GAVE_UP", email::MAX_ATTEMPTS)
    );
    assert!(
        q[0].last_error
            .as_deref()
            .unwrap_or_default()
            .to_lowercase()
            .contains("connection refused")
    );
}

#[actix_web::test]
async fn with_email_off_queued_mail_is_failed_with_the_reason() {
    let app = TestApp::new();
    assert!(!app.state.settings.email.enabled);
    let mut c = app.db.conn();
    email::enqueue(
        &mut c,
        &app.state.crypto,
        &email::Mail {
            tenant_id: GP,
            to: "someone@example.in",
            kind: email::Kind::PasswordOtp,
            locale: None,
            values: vec![
                ("USER", "A".to_owned()),
                ("OTP", "1".to_owned()),
                ("MINUTES", "10".to_owned()),
            ],
        },
        Utc::now(),
    )
    .unwrap();
    // a bad address queues nothing
    let none = email::enqueue(
        &mut c,
        &app.state.crypto,
        &email::Mail {
            tenant_id: GP,
            to: "not an address",
            kind: email::Kind::PasswordOtp,
            locale: None,
            values: vec![],
        },
        Utc::now(),
    )
    .unwrap();
    assert_eq!(none, None);
    let summary = run_notifications(&app);
    assert!(summary.contains("e-mail off: 1 failed"), "{summary}");
    let q = outbox(&app, "someone@example.in");
    assert_eq!(q[0].status, "FAILED");
    assert_eq!(
        q[0].last_error.as_deref(),
        Some("e-mail is off ([email] enabled = false)")
    );
}

/// A GP's e-mail address comes from the optional `email_id` column of `tenants.csv`.
#[test]
fn a_gps_email_address_is_loaded_from_tenants_csv_and_checked() {
    use mgramseva::db::schema::mdms_tenant as mt;
    use mgramseva::platform::seed::{self, Source};
    let db = TestDb::new();
    let mut c = db.conn();
    let dir = std::env::temp_dir().join(format!("mgs-seed-mail-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in seed::FILES {
        std::fs::copy(
            format!("{}/data/mdms/{f}", env!("CARGO_MANIFEST_DIR")),
            dir.join(f),
        )
        .unwrap();
    }
    let csv = std::fs::read_to_string(dir.join("tenants.csv")).unwrap();
    let with = |mail: &str| {
        csv.lines()
            .enumerate()
            .map(|(i, l)| match i {
                0 => format!("{l},email_id"),
                _ if l.starts_with("pb.lodhipur,") => format!("{l},{mail}"),
                _ => format!("{l},"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    std::fs::write(
        dir.join("tenants.csv"),
        with("gpwsc.lodhipur@punjab.example.in"),
    )
    .unwrap();
    seed::load(&mut c, &Source::Dir(dir.clone()), STATE, true).unwrap();
    let mails: Vec<(String, String)> = mt::table
        .filter(mt::email_id.is_not_null())
        .select((mt::code, mt::email_id.assume_not_null()))
        .load(&mut c)
        .unwrap();
    assert_eq!(
        mails,
        [(GP.to_owned(), "gpwsc.lodhipur@punjab.example.in".to_owned())]
    );
    std::fs::write(dir.join("tenants.csv"), with("not-an-address")).unwrap();
    let err = seed::load(&mut c, &Source::Dir(dir.clone()), STATE, true)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tenants.csv: record") && err.contains("email_id"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
