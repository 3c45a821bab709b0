//! The staff pages in process: sessions, CSRF, login outcomes, first login, tiles, HRMS screens.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::test;
use diesel::prelude::*;

use crate::helpers::*;

pub(crate) const CSRF: &str = "0123456789abcdef0123456789abcdef";

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) location: String,
    pub(crate) set_cookies: Vec<String>,
    pub(crate) body: String,
}

pub(crate) async fn call(app: &TestApp, req: test::TestRequest, session: Option<&str>) -> Page {
    call_in(app, req, session, "en").await
}

/// A request from a browser with the CSRF cookie, in `lang` (`pa`, `hi`, `en`).
pub(crate) async fn call_in(
    app: &TestApp,
    req: test::TestRequest,
    session: Option<&str>,
    lang: &str,
) -> Page {
    let mut req = req
        .cookie(Cookie::new("mgs_csrf", CSRF))
        .cookie(Cookie::new("mgs_lang", lang.to_owned()));
    if let Some(s) = session {
        req = req.cookie(Cookie::new("mgs_session", s.to_owned()));
    }
    let resp = app.call(req).await;
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let set_cookies = resp
        .headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let body = String::from_utf8_lossy(&test::read_body(resp).await).into_owned();
    Page {
        status,
        location,
        set_cookies,
        body,
    }
}

/// A flat-rate household of Gurpreet Kaur made through `/home/consumercreate` (last cycle: the
/// latest allowed), with `extra` form fields; its connection number.
pub(crate) async fn household_by_form(
    app: &TestApp,
    session: &str,
    mobile: &str,
    old_no: &str,
    extra: &str,
) -> String {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let last = mgramseva::municipal::water::service::allowed_last_cycles(today)[0];
    let created = post(
        app,
        "/home/consumercreate",
        &format!(
            "_csrf={CSRF}&name=Gurpreet+Kaur&gender=FEMALE&guardian=Baldev+Singh&mobile={mobile}&old_no={old_no}\
             &property_type=RESIDENTIAL&connection_type=Non_Metered&last_cycle={}{extra}",
            last.format("%Y-%m")
        ),
        Some(session),
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    created
        .location
        .split("no=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned()
}

pub(crate) async fn get(app: &TestApp, path: &str, session: Option<&str>) -> Page {
    call(app, test::TestRequest::get().uri(path), session).await
}

pub(crate) async fn post(app: &TestApp, path: &str, form: &str, session: Option<&str>) -> Page {
    let req = test::TestRequest::post()
        .uri(path)
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(form.to_owned());
    call(app, req, session).await
}

pub(crate) fn session_of(p: &Page) -> String {
    p.set_cookies
        .iter()
        .find(|c| c.starts_with("mgs_session="))
        .and_then(|c| c.split(';').next())
        .and_then(|c| c.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

pub(crate) fn mark_password_changed(app: &TestApp, id: i64) {
    use mgramseva::db::schema::user_account;
    diesel::update(user_account::table.find(id))
        .set(user_account::default_pwd_chgd.eq(true))
        .execute(&mut app.db.conn())
        .unwrap();
}

pub(crate) async fn log_in(app: &TestApp, mobile: &str, pw: &str) -> Page {
    post(
        app,
        "/login",
        &format!(
            "_csrf={CSRF}&mobile={mobile}&password={}&next=%2Fhome",
            pw.replace('@', "%40")
        ),
        None,
    )
    .await
}

#[actix_web::test]
async fn pages_need_a_session_and_forms_need_the_csrf_token() {
    let app = TestApp::new();
    let p = get(&app, "/home", None).await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/login?next=/home")
    );
    let p = get(&app, "/home/hrms?page=2", Some("forged-session")).await;
    assert_eq!(
        p.location, "/login?next=/home/hrms%3Fpage%3D2&expired=1",
        "a session cookie without a live session has expired"
    );
    let p = post(&app, "/login", "mobile=9816000001&password=x", None).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "no CSRF token");
    let p = post(
        &app,
        "/login",
        "_csrf=wrong&mobile=9816000001&password=x",
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = get(&app, "/login", None).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains(&format!("name=\"_csrf\" value=\"{CSRF}\"")),
        "the form carries the token"
    );
}

#[actix_web::test]
async fn login_logout_and_the_session_cookie() {
    let app = TestApp::new();
    let u = app.employee("9816000002", &["REVENUE_COLLECTOR"], Some("Harjit@2026"));
    mark_password_changed(&app, u.id);
    let p = log_in(&app, "9816000002", "wrong@123").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(
        p.body.contains("Wrong mobile number or password"),
        "{}",
        p.body
    );
    let p = log_in(&app, "9816000002", "Harjit@2026").await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/home")
    );
    let cookie = p
        .set_cookies
        .iter()
        .find(|c| c.starts_with("mgs_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let sid = session_of(&p);
    let home = get(&app, "/home", Some(&sid)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("data-tile=\"CORE_HOUSEHOLD_REGISTER\""));
    assert!(
        !home.body.contains("data-tile=\"CORE_GENERATE_DEMAND\""),
        "a revenue collector generates no demand"
    );
    assert!(
        home.body.contains(">Lodhipur<") && !home.body.contains("LODHIPUR"),
        "the GP's name"
    );
    let out = post(&app, "/logout", &format!("_csrf={CSRF}"), Some(&sid)).await;
    assert_eq!(out.location, "/login");
    assert_eq!(
        get(&app, "/home", Some(&sid)).await.status,
        StatusCode::SEE_OTHER,
        "the session ended"
    );
}

#[actix_web::test]
async fn a_mobile_without_an_account_locks_on_the_login_page_too() {
    let app = TestApp::new();
    for i in 1..=6 {
        let p = log_in(&app, "9816000096", "wrong@123").await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
        let want = if i < 5 {
            "Wrong mobile number or password"
        } else {
            "Too many failed attempts"
        };
        assert!(p.body.contains(want), "try {i}: {}", p.body);
    }
}

/// The alert of a failed login on the login page, in `lang`.
async fn login_alert(app: &TestApp, mobile: &str, lang: &str) -> String {
    let req = test::TestRequest::post()
        .uri("/login")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(format!(
            "_csrf={CSRF}&mobile={mobile}&password=wrong%40123&next=%2Fhome"
        ));
    let p = call_in(app, req, None, lang).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    between(&p.body, "role=\"alert\">", "</p>").to_owned()
}

#[actix_web::test]
async fn the_login_page_warns_before_the_lock_alike_with_and_without_an_account() {
    let app = TestApp::new();
    let u = app.employee("9816000004", &["REVENUE_COLLECTOR"], Some("Harjit@2026"));
    mark_password_changed(&app, u.id);
    let wrong = "Wrong mobile number or password";
    let want = [
        wrong.to_owned(),
        wrong.to_owned(),
        format!("{wrong}<br>2 tries left before the account is locked for 60 minutes."),
        format!("{wrong}<br>1 try left before the account is locked for 60 minutes."),
        "Too many failed attempts. Your account is locked for 60 minutes.".to_owned(),
    ];
    for mobile in ["9816000004", "9816000097"] {
        for (i, w) in want.iter().enumerate() {
            assert_eq!(
                &login_alert(&app, mobile, "en").await,
                w,
                "{mobile} try {}",
                i + 1
            );
        }
    }
    // In the page's language, with the numbers from the settings.
    let pa = ["9816000005", "9816000098"];
    app.employee(pa[0], &["REVENUE_COLLECTOR"], Some("Harjit@2026"));
    for mobile in pa {
        login_alert(&app, mobile, "pa").await;
        login_alert(&app, mobile, "pa").await;
        assert_eq!(
            login_alert(&app, mobile, "pa").await,
            "ਗਲਤ ਮੋਬਾਈਲ ਨੰਬਰ ਜਾਂ ਪਾਸਵਰਡ<br>ਖਾਤਾ 60 ਮਿੰਟ ਲਈ ਬੰਦ ਹੋਣ ਤੋਂ ਪਹਿਲਾਂ 2 ਕੋਸ਼ਿਸ਼ਾਂ ਬਾਕੀ ਹਨ।",
            "{mobile}"
        );
    }
    let hi = login_alert(&app, "9816000099", "hi").await;
    assert_eq!(hi, "गलत मोबाइल नंबर या पासवर्ड");
}

/// The text between `open` and the next `close` in `body`.
fn between<'a>(body: &'a str, open: &str, close: &str) -> &'a str {
    let start = body
        .find(open)
        .unwrap_or_else(|| panic!("{open} in {body}"))
        + open.len();
    &body[start..start + body[start..].find(close).unwrap()]
}

#[actix_web::test]
async fn one_brand_per_language_on_the_front_page_the_header_and_the_title() {
    let app = TestApp::new();
    for (lang, brand) in [
        ("pa", "ਐਮ-ਗ੍ਰਾਮ ਸੇਵਾ"),
        ("hi", "एम-ग्राम सेवा"),
        ("en", "mGramSeva"),
    ] {
        let front = call_in(&app, test::TestRequest::get().uri("/"), None, lang).await;
        assert_eq!(front.status, StatusCode::OK);
        assert_eq!(
            between(&front.body, "<h1>", "</h1>"),
            brand,
            "{lang} heading"
        );
        let login = call_in(&app, test::TestRequest::get().uri("/login"), None, lang).await;
        for p in [&front, &login] {
            assert_eq!(
                between(&p.body, "<title>", "</title>"),
                brand,
                "{lang} title"
            );
            assert_eq!(
                between(&p.body, "class=\"brand\">", "</a>"),
                brand,
                "{lang} header"
            );
            for other in ["NalJal", "ਨਲ ਜਲ", "नल जल"] {
                assert!(!p.body.contains(other), "{lang}: {other} in {}", p.body);
            }
        }
    }
}

#[actix_web::test]
async fn a_first_login_must_set_a_password_by_otp() {
    let app = TestApp::new();
    app.employee("9816000003", &["SARPANCH"], Some("Given@123"));
    let p = log_in(&app, "9816000003", "Given@123").await;
    assert_eq!(p.location, "/home/first-login");
    let sid = session_of(&p);
    assert_eq!(
        get(&app, "/home", Some(&sid)).await.location,
        "/home/first-login",
        "no way around it"
    );
    let p = get(&app, "/home/first-login", Some(&sid)).await;
    assert_eq!(p.status, StatusCode::OK);
    let p = post(
        &app,
        "/home/first-login/send",
        &format!("_csrf={CSRF}"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let mut c = app.db.conn();
    let sms =
        mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, "9816000003", 1)
            .unwrap();
    assert_eq!(sms[0].template, "RESET_PASSWORD_FIRST_TIME_OTP");
    let otp: String = sms[0]
        .text
        .split(|ch: char| !ch.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned();
    let p = post(
        &app,
        "/home/first-login",
        &format!("_csrf={CSRF}&otp={otp}&new_password=Mera%40Pass1&confirm=Mera%40Pass2"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("do not match"), "{}", p.body);
    let p = post(
        &app,
        "/home/first-login",
        &format!("_csrf={CSRF}&otp={otp}&new_password=Mera%40Pass1&confirm=Mera%40Pass1"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.location, "/login?done=1");
    let p = log_in(&app, "9816000003", "Mera@Pass1").await;
    assert_eq!(p.location, "/home");
}

#[actix_web::test]
async fn forgot_password_by_otp_in_the_browser_flow() {
    let app = TestApp::new();
    let u = app.employee("9816000004", &["GP_ADMIN"], Some("Old@12345"));
    mark_password_changed(&app, u.id);
    let p = post(
        &app,
        "/forgot-password",
        &format!("_csrf={CSRF}&mobile=98160"),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("valid 10-digit"), "{}", p.body);
    let p = post(
        &app,
        "/forgot-password",
        &format!("_csrf={CSRF}&mobile=9816000004"),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK);
    let mut c = app.db.conn();
    let sms =
        mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, "9816000004", 1)
            .unwrap();
    assert_eq!(sms[0].template, "RESET_PASSWORD_OTP");
    let otp: String = sms[0]
        .text
        .split(|ch: char| !ch.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned();
    let p = post(
        &app,
        "/forgot-password/reset",
        &format!(
            "_csrf={CSRF}&mobile=9816000004&otp={otp}&new_password=New%4012345&confirm=New%4012345"
        ),
        None,
    )
    .await;
    assert_eq!(p.location, "/login?done=1", "{}", p.body);
    let p = log_in(&app, "9816000004", "New@12345").await;
    assert_eq!(p.location, "/home", "{}", p.body);
}

#[actix_web::test]
async fn forgot_password_answers_alike_with_or_without_an_account() {
    let app = TestApp::new();
    let u = app.employee("9816000005", &["GP_ADMIN"], Some("Old@12345"));
    mark_password_changed(&app, u.id);
    let send = |m: &'static str| {
        let app = &app;
        async move {
            post(
                app,
                "/forgot-password",
                &format!("_csrf={CSRF}&mobile={m}"),
                None,
            )
            .await
        }
    };
    let reset = |m: &'static str| {
        let app = &app;
        async move {
            post(
                app,
                "/forgot-password/reset",
                &format!("_csrf={CSRF}&mobile={m}&otp=000000&new_password=New%4012345&confirm=New%4012345"),
                None,
            )
            .await
        }
    };
    // Without a code asked for, the reset says the same for both.
    let (a, b) = (reset("9816000005").await, reset("9816000095").await);
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("has expired"), "{}", a.body);
    assert_eq!(
        (a.status, a.body.replace("9816000005", "N")),
        (b.status, b.body.replace("9816000095", "N"))
    );
    // Five sends in an hour for each, then the same refusal.
    for i in 1..=5 {
        let (a, b) = (send("9816000005").await, send("9816000095").await);
        assert_eq!(
            (a.status, b.status),
            (StatusCode::OK, StatusCode::OK),
            "send {i}"
        );
    }
    let (a, b) = (send("9816000005").await, send("9816000095").await);
    assert_eq!(
        (a.status, b.status),
        (StatusCode::TOO_MANY_REQUESTS, StatusCode::TOO_MANY_REQUESTS)
    );
    assert!(a.body.contains("Too many OTPs"), "{}", a.body);
    assert_eq!(
        a.body.replace("9816000005", "N"),
        b.body.replace("9816000095", "N")
    );
}

#[actix_web::test]
async fn profile_password_and_gp_switch() {
    let app = TestApp::new();
    let u = app.employee(
        "9816000005",
        &[
            "COLLECTION_OPERATOR",
            "COLLECTION_OPERATOR@pb.kalwan",
            "DASHBOARD_VIEWER",
        ],
        Some("Old@12345"),
    );
    mark_password_changed(&app, u.id);
    let sid = session_of(&log_in(&app, "9816000005", "Old@12345").await);
    let home = get(&app, "/home", Some(&sid)).await;
    assert!(
        home.body.contains("value=\"pb.lodhipur\""),
        "the GP switcher lists both GPs"
    );
    // The first GP (in code order) is Kalwan, where this person is no dashboard viewer.
    assert!(
        !home.body.contains("data-tile=\"CORE_GPWSC_DASHBOARD\""),
        "not a dashboard viewer on Kalwan"
    );
    let p = post(
        &app,
        "/home/gp",
        &format!("_csrf={CSRF}&tenant=pb.lodhipur"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.location, "/home");
    let home = get(&app, "/home", Some(&sid)).await;
    assert!(
        home.body.contains("data-tile=\"CORE_GPWSC_DASHBOARD\""),
        "dashboard viewer on Lodhipur"
    );
    assert_eq!(
        post(
            &app,
            "/home/gp",
            &format!("_csrf={CSRF}&tenant=pb.aulakh"),
            Some(&sid)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    let p = post(
        &app,
        "/home/profile",
        &format!("_csrf={CSRF}&name=R2D2&gender=MALE&email=bad"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body.contains("only letters") && p.body.contains("valid e-mail"),
        "{}",
        p.body
    );
    let p = post(
        &app,
        "/home/profile",
        &format!("_csrf={CSRF}&name=Harjit+Singh&gender=MALE&email=hs%40example.in"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Details saved successfully"));
    let p = post(
        &app,
        "/home/password",
        &format!("_csrf={CSRF}&current=Old%4012345&new_password=abc&confirm=abc"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = post(
        &app,
        "/home/password",
        &format!("_csrf={CSRF}&current=Old%4012345&new_password=New%4012345&confirm=New%4012345"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.location, "/login?done=1");
    assert_eq!(
        get(&app, "/home", Some(&sid)).await.status,
        StatusCode::SEE_OTHER,
        "a new password ends the sessions"
    );
}

#[actix_web::test]
async fn hrms_screens_for_a_division_admin() {
    let app = TestApp::new();
    let div = app.employee(
        "9816000006",
        &[
            "DIV_ADMIN",
            "HRMS_ADMIN",
            "DIV_ADMIN@pb.kalwan",
            "HRMS_ADMIN@pb.kalwan",
        ],
        Some("Div@12345"),
    );
    mark_password_changed(&app, div.id);
    let sid = session_of(&log_in(&app, "9816000006", "Div@12345").await);
    let form = get(&app, "/home/hrms/new", Some(&sid)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"pb.kalwan\"") && form.body.contains("value=\"SARPANCH\""));
    assert!(!form.body.contains("value=\"GP_ADMIN\""));
    let p = post(
        &app,
        "/home/hrms/new",
        &format!("_csrf={CSRF}&name=Asha+Rani&mobile=9816000007&gender=FEMALE&role=SARPANCH"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "no GP ticked");
    let p = post(&app, "/home/hrms/new", &format!("_csrf={CSRF}&name=Asha+Rani&mobile=9816000007&gender=FEMALE&role=SARPANCH&gp=pb.lodhipur&gp=pb.kalwan"), Some(&sid)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(p.location.starts_with("/home/hrms/EMP-"), "{}", p.location);
    let code = p
        .location
        .trim_start_matches("/home/hrms/")
        .trim_end_matches("?created=1")
        .to_owned();
    let d = get(&app, &p.location, Some(&sid)).await;
    assert!(
        d.body.contains("Asha Rani")
            && d.body.matches("<strong>Sarpanch</strong>").count() == 1
            && d.body.contains("Lodhipur")
            && !d.body.contains("(pb."),
        "{}",
        d.body
    );
    let p = post(
        &app,
        &format!("/home/hrms/{code}/status"),
        &format!("_csrf={CSRF}&active=false&reason=OTHERS&remarks=moved"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let d = get(&app, &format!("/home/hrms/{code}"), Some(&sid)).await;
    assert!(
        d.body.contains("id=\"status\">Inactive") && d.body.contains("deactivated this employee"),
        "{}",
        d.body
    );
    let list = get(&app, "/home/hrms?name=asha", Some(&sid)).await;
    assert!(list.body.contains(&code));

    let collector = app.employee("9816000008", &["COLLECTION_OPERATOR"], Some("Col@12345"));
    mark_password_changed(&app, collector.id);
    let csid = session_of(&log_in(&app, "9816000008", "Col@12345").await);
    assert_eq!(
        get(&app, "/home/hrms", Some(&csid)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&app, "/home/hrms/new", Some(&csid)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn a_gp_admin_reads_its_staff_and_their_history_but_changes_nothing() {
    let app = TestApp::new();
    let div = app.login("9816000010", &["DIV_ADMIN", "HRMS_ADMIN"]);
    let (_, v) = app
        .post(
            "/egov-hrms/employees/_create",
            serde_json::json!({"RequestInfo": ri(&div), "Employees": [{"user": {"name": "Asha Rani",
            "mobileNumber": "9816000011", "roles": [{"code": "SARPANCH", "tenantId": GP}]}}]}),
        )
        .await;
    let code = v["Employees"][0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_owned();
    let admin = app.employee("9816000012", &["GP_ADMIN"], Some("Gpa@12345"));
    mark_password_changed(&app, admin.id);
    let sid = session_of(&log_in(&app, "9816000012", "Gpa@12345").await);
    let list = get(&app, "/home/hrms", Some(&sid)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(&code) && !list.body.contains("id=\"new-employee\""),
        "{}",
        list.body
    );
    let d = get(&app, &format!("/home/hrms/{code}"), Some(&sid)).await;
    assert!(
        d.body.contains("added this employee") && !d.body.contains("/status\""),
        "history, no status form"
    );
    let p = post(
        &app,
        &format!("/home/hrms/{code}/status"),
        &format!("_csrf={CSRF}&active=false&reason=OTHERS"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn counter_collection_with_a_confirmation_and_exactly_one_payment() {
    let app = TestApp::new();
    let su = app.login("9816000020", &["SUPERUSER@pb"]);
    let (month4, month5) = (
        (1_775_001_600_000i64, 1_777_593_599_999i64),
        (1_777_593_600_000i64, 1_780_271_999_999i64),
    );
    let demands = serde_json::json!({"RequestInfo": ri(&su), "Demands": [
        {"tenantId": GP, "consumerCode": "WS/7374/2026-27/0009", "businessService": "WS", "taxPeriodFrom": month4.0, "taxPeriodTo": month4.1,
         "demandDetails": [{"taxHeadMasterCode": "10101", "taxAmount": 100}]},
        {"tenantId": GP, "consumerCode": "WS/7374/2026-27/0009", "businessService": "WS", "taxPeriodFrom": month5.0, "taxPeriodTo": month5.1,
         "demandDetails": [{"taxHeadMasterCode": "10101", "taxAmount": 100}, {"taxHeadMasterCode": "WS_TIME_PENALTY", "taxAmount": 10}]}]});
    assert_eq!(
        app.post("/billing-service/demand/_create", demands).await.0,
        201
    );
    let clerk = app.employee("9816000021", &["REVENUE_COLLECTOR"], Some("Clerk@123"));
    mark_password_changed(&app, clerk.id);
    let sid = session_of(&log_in(&app, "9816000021", "Clerk@123").await);
    let home = get(&app, "/home", Some(&sid)).await;
    assert!(
        home.body.contains("href=\"/home/collect\""),
        "the Collect Payments tile is live"
    );

    let found = get(
        &app,
        "/home/collect?consumer=WS%2F7374%2F2026-27%2F0009",
        Some(&sid),
    )
    .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("id=\"total\">₹210"), "{}", found.body);
    assert!(
        found.body.contains("April 2026") && found.body.contains("Late payment penalty"),
        "breakdown by month and head"
    );
    let bill_id = found
        .body
        .split("name=\"bill_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    let bad = post(
        &app,
        "/home/collect/confirm",
        &format!("_csrf={CSRF}&bill_id={bill_id}&consumer=WS%2F7374%2F2026-27%2F0009&amount=10.5"),
        Some(&sid),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Enter a valid amount"));
    let over = post(
        &app,
        "/home/collect/confirm",
        &format!("_csrf={CSRF}&bill_id={bill_id}&consumer=WS%2F7374%2F2026-27%2F0009&amount=10001"),
        Some(&sid),
    )
    .await;
    assert!(over.body.contains("must not exceed"), "{}", over.body);

    let c = post(&app, "/home/collect/confirm", &format!("_csrf={CSRF}&bill_id={bill_id}&consumer=WS%2F7374%2F2026-27%2F0009&amount=150&payer=Gurpreet+Kaur"), Some(&sid)).await;
    assert_eq!(c.status, StatusCode::OK);
    assert!(
        c.body.contains("Collect ₹150 in cash from Gurpreet Kaur")
            && c.body.contains("₹60 will remain due"),
        "{}",
        c.body
    );
    let key = c
        .body
        .split("name=\"key\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let form = format!(
        "_csrf={CSRF}&bill_id={bill_id}&consumer=WS%2F7374%2F2026-27%2F0009&amount=150&payer=Gurpreet+Kaur&key={key}"
    );
    let first = post(&app, "/home/collect/pay", &form, Some(&sid)).await;
    let second = post(&app, "/home/collect/pay", &form, Some(&sid)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert_eq!(
        first.location, second.location,
        "a double tap shows the same receipt"
    );
    let r = get(&app, &first.location, Some(&sid)).await;
    assert!(
        r.body.contains("id=\"paid\">₹150") && r.body.contains("id=\"pending\">₹60"),
        "{}",
        r.body
    );
    let h = get(
        &app,
        "/home/collect/history?consumer=WS%2F7374%2F2026-27%2F0009",
        Some(&sid),
    )
    .await;
    assert_eq!(
        h.body.matches("/home/collect/receipt/").count(),
        1,
        "one payment"
    );

    let other = app.employee("9816000022", &["EXPENSE_PROCESSING"], Some("Exp@12345"));
    mark_password_changed(&app, other.id);
    let osid = session_of(&log_in(&app, "9816000022", "Exp@12345").await);
    assert_eq!(
        get(&app, "/home/collect", Some(&osid)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn edit_a_household_on_its_page_and_see_the_rate_card() {
    let app = TestApp::new();
    let admin = app.employee("9816000031", &["GP_ADMIN", "SECRETARY"], Some("Admin@123"));
    mark_password_changed(&app, admin.id);
    let sid = session_of(&log_in(&app, "9816000031", "Admin@123").await);
    let no = household_by_form(&app, &sid, "9876500077", "E%2F1", "&arrears=300").await;
    // before billing: the opening amounts are on the form, and can change
    let form = get(&app, &format!("/home/consumerupdate?no={no}"), Some(&sid)).await;
    assert!(
        form.body
            .contains("name=\"arrears\" id=\"arrears\" value=\"300\""),
        "{}",
        form.body
    );
    let plain = no.replace("%2F", "/");
    let base = format!(
        "_csrf={CSRF}&no={no}&name=Gurpreet+Kaur+Sandhu&gender=FEMALE&guardian=Baldev+Singh&mobile=9876500078\
         &old_no=E%2F1&property_type=RESIDENTIAL&connection_type=Non_Metered"
    );
    let saved = post(
        &app,
        "/home/consumerupdate",
        &format!("{base}&arrears=250"),
        Some(&sid),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = get(&app, &saved.location, Some(&sid)).await;
    assert!(
        page.body.contains("Details saved successfully")
            && page.body.contains("Gurpreet Kaur Sandhu")
    );
    assert!(
        page.body.contains("id=\"total-due\">₹250<"),
        "the new arrears: {}",
        page.body
    );
    // inactive needs remarks; with them, unpaid demands are cancelled
    let bad = post(
        &app,
        "/home/consumerupdate",
        &format!("{base}&inactive=on"),
        Some(&sid),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("id=\"errors\""));
    // (asked first, with what it cancels; then confirmed)
    let ask = post(
        &app,
        "/home/consumerupdate",
        &format!("{base}&inactive=on&remarks=House+locked"),
        Some(&sid),
    )
    .await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    assert!(
        ask.body.contains("id=\"confirm-deactivate\"")
            && ask
                .body
                .contains("Its 1 unpaid demand, ₹250, will be cancelled"),
        "{}",
        ask.body
    );
    let ok = post(
        &app,
        "/home/consumerupdate",
        &format!("{base}&inactive=on&remarks=House+locked&confirmed=1"),
        Some(&sid),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = get(&app, &ok.location, Some(&sid)).await;
    assert!(page.body.contains("Inactive") && !page.body.contains("id=\"bill-card\""));
    // the search finds it by the new number and by the old one
    for m in ["9876500078", "9876500077"] {
        let found = get(&app, &format!("/home/consumers?mobile={m}"), Some(&sid)).await;
        assert_eq!(found.status, StatusCode::SEE_OTHER, "{m}");
        assert!(found.location.contains(&no), "{m}: {}", found.location);
    }
    assert!(plain.starts_with("WS/"));
    // the rate card of the pilot GP: flat 70, metered 100 fixed + 0 to 20 free, then 5 a unit
    let rates = get(&app, "/home/villagedetails", Some(&sid)).await;
    assert_eq!(rates.status, StatusCode::OK);
    for want in ["₹70", "₹100", "0 – 20", "20 – 100000", "₹5"] {
        assert!(rates.body.contains(want), "{want}: {}", rates.body);
    }
}

#[actix_web::test]
async fn the_household_register_with_tabs_counts_search_sort_and_pdf() {
    let app = TestApp::new();
    let token = app.login(
        "9816000041",
        &["GP_ADMIN", "SECRETARY", "COLLECTION_OPERATOR"],
    );
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let [last, before] = mgramseva::municipal::water::service::allowed_last_cycles(today);
    // three flat-rate households (₹70 a month here), billed to the month before last
    let mut nos = Vec::new();
    for (i, name) in ["Gurpreet Kaur", "Harjit Singh", "Amarjit Kaur"]
        .iter()
        .enumerate()
    {
        let (s, v) = app
            .post(
                "/property-services/property/_create",
                serde_json::json!({"RequestInfo": ri(&token), "Property": {"tenantId": GP, "propertyType": "RESIDENTIAL",
                    "owners": [{"name": name, "mobileNumber": format!("987650010{i}"), "gender": "FEMALE", "fatherOrHusbandName": "Baldev Singh"}]}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let (s, v) = app
            .post(
                "/ws-services/wc/_create",
                serde_json::json!({"RequestInfo": ri(&token), "WaterConnection": {"tenantId": GP,
                    "propertyId": v["Properties"][0]["propertyId"], "oldConnectionNo": format!("R/{i}"),
                    "connectionType": "Non_Metered", "previousReadingDate": mgramseva::time::ist_day_start_millis(before) + 3_600_000}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        nos.push(
            v["WaterConnection"][0]["connectionNo"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let period = format!(
        "{}-{}",
        last.format("%d/%m/%Y"),
        chrono::DateTime::from_timestamp_millis(
            mgramseva::municipal::water::service::month_end_ms(last)
        )
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .format("%d/%m/%Y")
    );
    let (s, v) = app
        .post(
            "/ws-calculator/waterCalculator/_bulkDemand",
            serde_json::json!({"RequestInfo": ri(&token), "tenantId": GP, "billingPeriod": period}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // Harjit pays his 70
    let (_, v) = app
        .post(
            &format!("/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={}&businessService=WS", nos[1]),
            serde_json::json!({"RequestInfo": ri(&token)}),
        )
        .await;
    let (s, v) = app
        .post(
            "/collection-services/payments/_create",
            serde_json::json!({"RequestInfo": ri(&token), "Payment": {"tenantId": GP, "totalAmountPaid": 70, "paymentMode": "CASH",
                "paymentDetails": [{"businessService": "WS", "billId": v["Bill"][0]["id"]}]}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    let clerk = app.employee("9816000042", &["GP_ADMIN"], Some("Clerk@123"));
    mark_password_changed(&app, clerk.id);
    let sid = session_of(&log_in(&app, "9816000042", "Clerk@123").await);
    let all = get(&app, "/home/householdRegister", Some(&sid)).await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(
        all.body.contains("All (3)")
            && all.body.contains("Pending (2)")
            && all.body.contains("Paid (1)"),
        "{}",
        all.body
    );
    assert!(
        all.body.contains("id=\"total-pending\">₹140<"),
        "70 + 70 still due"
    );
    // names sorted: Amarjit, Gurpreet, Harjit
    let a = all.body.find("Amarjit Kaur").unwrap();
    let g = all.body.find("Gurpreet Kaur").unwrap();
    let h = all.body.find("Harjit Singh").unwrap();
    assert!(a < g && g < h);
    let paid = get(&app, "/home/householdRegister?tab=paid", Some(&sid)).await;
    assert!(paid.body.contains("Harjit Singh") && !paid.body.contains("Gurpreet Kaur"));
    let search = get(&app, "/home/householdRegister?q=kaur", Some(&sid)).await;
    assert!(search.body.contains("All (2)"));
    let pdf = get(&app, "/home/householdRegister.pdf?tab=pending", Some(&sid)).await;
    assert_eq!(pdf.status, StatusCode::OK);
}

/// A multipart form body with a CSRF field and one file.
fn multipart(file: &str) -> (String, Vec<u8>) {
    let boundary = "mgsboundary7d3f";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{CSRF}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"households.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n\
         --{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

#[actix_web::test]
async fn import_households_from_a_spreadsheet_with_a_preview_and_no_duplicates() {
    let app = TestApp::new();
    let admin = app.employee("9816000051", &["GP_ADMIN"], Some("Admin@123"));
    mark_password_changed(&app, admin.id);
    let sid = session_of(&log_in(&app, "9816000051", "Admin@123").await);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let cycle = mgramseva::municipal::water::service::allowed_last_cycles(today)[0]
        .format("%m/%Y")
        .to_string();
    let csv = format!(
        "Name,Gender,Father or Spouse Name,Mobile Number,Old Connection ID,Property Type,Service Type,Last Billing Cycle,Arrears\n\
         Gurpreet Kaur,FEMALE,Baldev Singh,9876500201,IMP/1,RESIDENTIAL,Non Metered,{cycle},120\n\
         Harjit Singh,MALE,Kartar Singh,12345,IMP/2,RESIDENTIAL,Non Metered,{cycle},\n\
         Amarjit Kaur,FEMALE,Jasbir Singh,9876500203,IMP/3,COMMERCIAL,Non Metered,{cycle},\n\
         Manjit Kaur,FEMALE,Jasbir Singh,9876500204,IMP/3,RESIDENTIAL,Non Metered,{cycle},\n"
    );
    let upload = |csv: String| {
        let (ctype, body) = multipart(&csv);
        let req = test::TestRequest::post()
            .uri("/home/consumerimport/preview")
            .insert_header(("content-type", ctype))
            .set_payload(body);
        call(&app, req, Some(&sid))
    };
    let before: i64 = mgramseva::db::schema::water_connection::table
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    let preview = upload(csv.clone()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    // two ready, one bad mobile, one repeated old id; the bad row says why
    assert!(
        preview.body.contains("Ready to import: 2") && preview.body.contains("Has errors: 2"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("Mobile number: 10 digits"),
        "{}",
        preview.body
    );
    let after_preview: i64 = mgramseva::db::schema::water_connection::table
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(after_preview, before, "a preview writes nothing");
    let file_id = preview
        .body
        .split("name=\"file_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let done = post(
        &app,
        "/home/consumerimport",
        &format!("_csrf={CSRF}&file_id={file_id}"),
        Some(&sid),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("Households imported: 2"),
        "{}",
        done.body
    );
    // the arrears came in as their own demand; a second upload of the same file adds nothing
    let demands: i64 = mgramseva::db::schema::billing_demand::table
        .filter(mgramseva::db::schema::billing_demand::consumer_type.eq("waterConnection-arrears"))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(demands, 1);
    let again = upload(csv).await;
    assert!(
        again.body.contains("Ready to import: 0") && again.body.contains("Already registered: 2"),
        "{}",
        again.body
    );
    let total: i64 = mgramseva::db::schema::water_connection::table
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(total, before + 2);
    // a file with an unknown column is refused as a whole
    let bad = upload("Name,Favourite Colour\nA,B\n".to_owned()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("«Favourite Colour»"), "{}", bad.body);
}

#[actix_web::test]
async fn import_households_from_an_excel_workbook() {
    use chrono::Datelike as _;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let app = TestApp::new();
    let admin = app.employee("9816000052", &["GP_ADMIN"], Some("Admin@123"));
    mark_password_changed(&app, admin.id);
    let sid = session_of(&log_in(&app, "9816000052", "Admin@123").await);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let cycle = mgramseva::municipal::water::service::allowed_last_cycles(today)[0];
    // As people type it in Excel: mobile numbers and amounts as numbers, the billing cycle as a
    // date cell shown as mm/yyyy, the table starting in the first column.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let month = Format::new().set_num_format("mm/yyyy");
    let cycle_cell = ExcelDateTime::from_ymd(
        u16::try_from(cycle.year()).unwrap(),
        u8::try_from(cycle.month()).unwrap(),
        1,
    )
    .unwrap();
    for (c, h) in [
        "Name",
        "Gender",
        "Father or Spouse Name",
        "Mobile Number",
        "Old Connection ID",
        "Property Type",
        "Service Type",
        "Last Billing Cycle",
        "Arrears",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string(0, u16::try_from(c).unwrap(), *h)
            .unwrap();
    }
    let rows: [(&str, &str, &str, f64, &str, f64); 3] = [
        (
            "Sukhwinder Kaur",
            "FEMALE",
            "Gurdev Singh",
            9876500301.0,
            "XL/1",
            250.0,
        ),
        (
            "Balwinder Singh",
            "MALE",
            "Gurdev Singh",
            9876500302.0,
            "XL/2",
            0.0,
        ),
        (
            "Paramjit Kaur",
            "FEMALE",
            "Gurdev Singh",
            12345.0,
            "XL/3",
            0.0,
        ),
    ];
    for (i, (name, gender, guardian, mobile, old, arrears)) in rows.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap();
        sheet.write_string(r, 0, *name).unwrap();
        sheet.write_string(r, 1, *gender).unwrap();
        sheet.write_string(r, 2, *guardian).unwrap();
        sheet.write_number(r, 3, *mobile).unwrap();
        sheet.write_string(r, 4, *old).unwrap();
        sheet.write_string(r, 5, "RESIDENTIAL").unwrap();
        sheet.write_string(r, 6, "Non Metered").unwrap();
        sheet
            .write_datetime_with_format(r, 7, &cycle_cell, &month)
            .unwrap();
        if *arrears > 0.0 {
            sheet.write_number(r, 8, *arrears).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let boundary = "mgsboundary7d3f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{CSRF}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"households.xlsx\"\r\n\
         Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = test::TestRequest::post()
        .uri("/home/consumerimport/preview")
        .insert_header((
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body);
    let preview = call(&app, req, Some(&sid)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("Ready to import: 2") && preview.body.contains("Has errors: 1"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("Mobile number: 10 digits"),
        "{}",
        preview.body
    );
    let file_id = preview
        .body
        .split("name=\"file_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let done = post(
        &app,
        "/home/consumerimport",
        &format!("_csrf={CSRF}&file_id={file_id}"),
        Some(&sid),
    )
    .await;
    assert!(
        done.body.contains("Households imported: 2"),
        "{}",
        done.body
    );
    // the numbers came in as typed: the mobile finds the household, the arrears are ₹250
    let token = app.login("9816000053", &["GP_ADMIN"]);
    let (s, v) = app
        .post(
            &format!("/ws-services/wc/_search?tenantId={GP}&mobileNumber=9876500301"),
            serde_json::json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["WaterConnection"][0]["oldConnectionNo"],
        serde_json::json!("XL/1")
    );
    let arrears: Vec<rust_decimal::Decimal> = mgramseva::db::schema::billing_demand_detail::table
        .inner_join(mgramseva::db::schema::billing_demand::table)
        .filter(mgramseva::db::schema::billing_demand::consumer_type.eq("waterConnection-arrears"))
        .select(mgramseva::db::schema::billing_demand_detail::tax_amount)
        .load(&mut app.db.conn())
        .unwrap();
    assert_eq!(arrears, vec![rust_decimal::Decimal::from(250)]);
}

#[actix_web::test]
async fn the_household_register_as_an_excel_workbook() {
    use std::io::Read as _;
    let app = TestApp::new();
    let token = app.login("9816000061", &["GP_ADMIN"]);
    let (s, v) = app
        .post(
            "/property-services/property/_create",
            serde_json::json!({"RequestInfo": ri(&token), "Property": {"tenantId": GP, "propertyType": "RESIDENTIAL",
                "owners": [{"name": "Gurpreet Kaur", "mobileNumber": "9876500301", "gender": "FEMALE", "fatherOrHusbandName": "Baldev Singh"}]}}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let last = mgramseva::municipal::water::service::allowed_last_cycles(today)[0];
    let (s, v) = app
        .post(
            "/ws-services/wc/_create",
            serde_json::json!({"RequestInfo": ri(&token), "WaterConnection": {"tenantId": GP,
                "propertyId": v["Properties"][0]["propertyId"], "oldConnectionNo": "X/1", "arrears": 250,
                "connectionType": "Non_Metered", "previousReadingDate": mgramseva::time::ist_day_start_millis(last) + 3_600_000}}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let clerk = app.employee("9816000062", &["GP_ADMIN"], Some("Clerk@123"));
    mark_password_changed(&app, clerk.id);
    let sid = session_of(&log_in(&app, "9816000062", "Clerk@123").await);
    let req = test::TestRequest::get().uri("/home/householdRegister.xlsx");
    let req = req
        .cookie(Cookie::new("mgs_csrf", CSRF))
        .cookie(Cookie::new("mgs_lang", "en"))
        .cookie(Cookie::new("mgs_session", sid));
    let resp = app.call(req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = test::read_body(resp).await.to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    for want in [
        "Connection ID",
        "Gurpreet Kaur",
        "X/1",
        "9876500301",
        "Female",
        "Non-metered",
    ] {
        assert!(strings.contains(want), "{want}: {strings}");
    }
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(
        sheet.contains("<v>250</v>"),
        "the arrears at creation, and pending: {sheet}"
    );
}

/// Percent-decoding of a query value (`+` is a space).
pub(crate) fn decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[actix_web::test]
async fn the_generate_demand_page_counts_households_by_last_cycle_and_lists_them() {
    use crate::register::{Gp, month_end};
    let gp = Gp::new();
    let (last, before) = (gp.last, gp.before);
    for (name, mobile, old) in [
        ("Gurpreet Kaur", "9876500401", "R/1"),
        ("Harjit Singh", "9876500402", "R/2"),
    ] {
        gp.household(
            name,
            mobile,
            old,
            "RESIDENTIAL",
            before,
            serde_json::json!({}),
        )
        .await;
    }
    gp.household(
        "Amarjit Kaur",
        "9876500403",
        "R/3",
        "RESIDENTIAL",
        last,
        serde_json::json!({}),
    )
    .await;
    gp.bulk(last).await;
    let app = &gp.app;
    let clerk = app.employee("9816000071", &["SECRETARY"], Some("Clerk@123"));
    mark_password_changed(app, clerk.id);
    let sid = session_of(&log_in(app, "9816000071", "Clerk@123").await);
    let page = get(app, "/home/billmanualgenerate", Some(&sid)).await;
    assert_eq!(page.status, StatusCode::OK);
    let month = |d: chrono::NaiveDate| d.format("%B %Y").to_string();
    let generated = page
        .body
        .split("id=\"demand-generated\"")
        .nth(1)
        .unwrap_or_default();
    let billed_link = format!(
        "/home/billmanualgenerate/consumers?billed_to={}",
        month_end(last)
    );
    assert!(
        generated.contains(&month(last))
            && generated.contains(&format!("<a href=\"{billed_link}\" class=\"count\">2</a>")),
        "{}",
        page.body
    );
    let not_link = format!(
        "/home/billmanualgenerate/consumers?not_since={}",
        month_end(last)
    );
    assert!(
        page.body
            .contains(&format!("<a href=\"{not_link}\" class=\"count\">1</a>")),
        "{}",
        page.body
    );
    // each count opens its households
    let list = get(app, &billed_link, Some(&sid)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("Gurpreet Kaur")
            && list.body.contains("Harjit Singh")
            && !list.body.contains("Amarjit Kaur")
            && list.body.contains("₹70"),
        "{}",
        list.body
    );
    let list = get(app, &not_link, Some(&sid)).await;
    assert!(
        list.body.contains("Amarjit Kaur") && !list.body.contains("Harjit Singh"),
        "{}",
        list.body
    );
    let none = get(
        app,
        "/home/billmanualgenerate/consumers?billed_to=1",
        Some(&sid),
    )
    .await;
    assert!(none.body.contains("id=\"none\""));
    let bad = get(
        app,
        "/home/billmanualgenerate/consumers?billed_to=last",
        Some(&sid),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // a revenue collector generates no demand and sees no list
    let rc = app.employee("9816000072", &["REVENUE_COLLECTOR"], Some("Clerk@123"));
    mark_password_changed(app, rc.id);
    let rsid = session_of(&log_in(app, "9816000072", "Clerk@123").await);
    assert_eq!(
        get(app, &billed_link, Some(&rsid)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn share_on_whatsapp_carries_a_short_link_to_the_bill_pdf() {
    use crate::register::Gp;
    let gp = Gp::new();
    let no = gp
        .household(
            "Gurpreet Kaur",
            "9876500501",
            "S/1",
            "RESIDENTIAL",
            gp.before,
            serde_json::json!({}),
        )
        .await;
    gp.bulk(gp.last).await;
    let app = &gp.app;
    let clerk = app.employee("9816000081", &["COLLECTION_OPERATOR"], Some("Clerk@123"));
    mark_password_changed(app, clerk.id);
    let sid = session_of(&log_in(app, "9816000081", "Clerk@123").await);
    let no_q = no.replace('/', "%2F");
    let page = get(app, &format!("/home/household?no={no_q}"), Some(&sid)).await;
    assert!(
        page.body.contains("action=\"/home/household/share\"")
            && page.body.contains("id=\"share-bill\""),
        "{}",
        page.body
    );
    let refused = post(
        app,
        "/home/household/share",
        &format!("no={no_q}"),
        Some(&sid),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no CSRF token");
    let shared = post(
        app,
        "/home/household/share",
        &format!("_csrf={CSRF}&no={no_q}"),
        Some(&sid),
    )
    .await;
    assert_eq!(shared.status, StatusCode::SEE_OTHER, "{}", shared.body);
    let text = shared
        .location
        .strip_prefix("https://wa.me/+919876500501?text=")
        .map(decode)
        .unwrap_or_else(|| panic!("{}", shared.location));
    assert!(
        text.starts_with("Dear Gurpreet Kaur, the water bill of consumer id ")
            && text.contains(&no)
            && text.contains(&gp.last.format("%B %Y").to_string())
            && text.contains("₹70"),
        "{text}"
    );
    let short = text
        .split("http://127.0.0.1:8080")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"))
        .to_owned();
    assert!(short.starts_with("/eus/") && short.len() == 13, "{short}");
    // the short link opens without a login and leads to the signed PDF
    let hop = get(app, &short, None).await;
    assert_eq!(hop.status, StatusCode::FOUND);
    assert!(
        hop.location
            .starts_with("/filestore/v1/files/id?tenantId=pb.lodhipur&"),
        "{}",
        hop.location
    );
    let pdf = app.call(test::TestRequest::get().uri(&hop.location)).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(
        pdf.headers().get("content-type").unwrap(),
        "application/pdf"
    );
    let bytes = test::read_body(pdf).await;
    assert!(bytes.starts_with(b"%PDF"));
    // a household without a bill has nothing to share
    let other = gp
        .household(
            "Harjit Singh",
            "9876500502",
            "S/2",
            "RESIDENTIAL",
            gp.last,
            serde_json::json!({}),
        )
        .await;
    let none = post(
        app,
        "/home/household/share",
        &format!("_csrf={CSRF}&no={}", other.replace('/', "%2F")),
        Some(&sid),
    )
    .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}
