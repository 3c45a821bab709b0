//! Logs never hold a password, token, OTP or mobile number, at the most verbose level, even
//! when those travel in a query string.

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::helpers::*;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[actix_web::test]
async fn no_secret_reaches_the_logs() {
    let buf = Buffer::default();
    mgramseva::telemetry::init_to(
        // Pretty prints every value a field ever had (JSON keeps the last): the stricter check.
        mgramseva::config::LogFormat::Pretty,
        tracing_subscriber::EnvFilter::new("trace"),
        buf.clone(),
        false,
    );
    let app = TestApp::new();
    app.employee(
        "9818000001",
        &["DIV_ADMIN", "HRMS_ADMIN"],
        Some("Secret@771"),
    );
    let (s, v) = app
        .post_form(
            "/user/oauth/token",
            &[
                ("username", "9818000001"),
                ("password", "Secret@771"),
                ("grant_type", "password"),
                ("tenantId", "pb"),
                ("userType", "EMPLOYEE"),
            ],
            Some("ZWdvdi11c2VyLWNsaWVudDo="),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let token = v["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.post(&format!("/user/_details?access_token={token}"), json!({}))
            .await
            .0,
        200
    );
    // A failed login, an OTP, an employee with an onboarding password.
    app.post_form(
        "/user/oauth/token",
        &[
            ("username", "9818000001"),
            ("password", "Wrong@772"),
            ("grant_type", "password"),
            ("tenantId", "pb"),
            ("userType", "EMPLOYEE"),
        ],
        Some("ZWdvdi11c2VyLWNsaWVudDo="),
    )
    .await;
    app.post(
        "/user-otp/v1/_send",
        json!({"otp": {"mobileNumber": "9818000001", "tenantId": "pb", "type": "passwordreset"}}),
    )
    .await;
    // Values of the wrong type: serde quotes them in its message, which reached the logs.
    let (s, _) = app
        .post(
            "/user-otp/v1/_send",
            json!({"otp": {"mobileNumber": 9818000003u64, "tenantId": "pb", "type": "passwordreset"}}),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = app
        .post(
            "/user/password/_update",
            json!({"RequestInfo": ri(&token), "existingPassword": "Secret@771", "newPassword": 77123456789u64, "tenantId": "pb"}),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = app
        .post("/egov-hrms/employees/_create", json!({"RequestInfo": ri(&token), "Employees": [{"user": {"name": "Asha Rani", "mobileNumber": "9818000002",
            "roles": [{"code": "SARPANCH", "tenantId": GP}]}}]}))
        .await;
    assert_eq!(s, 200);
    let mut c = app.db.conn();
    let otp_sms =
        mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, "9818000001", 1)
            .unwrap();
    let otp: String = otp_sms[0]
        .text
        .split(|ch: char| !ch.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned();
    let onboard =
        mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, "9818000002", 1)
            .unwrap();
    // the onboarding SMS is in Punjabi unless the person chose another language
    let given = ["ਪਾਸਵਰਡ: ", "Password: "]
        .iter()
        .find_map(|label| onboard[0].text.split(label).nth(1))
        .unwrap_or_else(|| panic!("no password in {}", onboard[0].text))
        .split(['.', ' ', '।'])
        .next()
        .unwrap()
        .to_owned();
    let _ = buf.clone().flush();

    let logs = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("/user/_details"),
        "the request log is there: {}",
        &logs[..logs.len().min(2000)]
    );
    for secret in [
        "Secret@771",
        "Wrong@772",
        token.as_str(),
        otp.as_str(),
        given.as_str(),
        "9818000001",
        "9818000002",
        "9818000003",
        "77123456789",
        "Asha Rani",
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
    }
}
