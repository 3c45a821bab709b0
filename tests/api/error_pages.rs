//! Error pages and expired sessions (issue 13, defects 3 and 4): pages answer errors with a whole
//! page in the browser's language, with `lang`, the header and a way home; the API keeps its
//! JSON; an expired session says so at login and comes back to a page that opens by GET.

use actix_web::http::StatusCode;
use actix_web::test;
use diesel::prelude::*;

use crate::helpers::*;
use crate::pages::{
    CSRF, Page, call_in, get, household_by_form, log_in, mark_password_changed, post, session_of,
};

async fn get_in(app: &TestApp, path: &str, session: Option<&str>, lang: &str) -> Page {
    call_in(app, test::TestRequest::get().uri(path), session, lang).await
}

/// The page's visible text: tags and attributes dropped.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A whole error page: HTML, `lang`, the usual header, a link home, `heading` shown, no
/// catalogue key as text.
fn assert_error_page(p: &Page, status: StatusCode, lang: &str, heading: &str) {
    assert_eq!(p.status, status, "{}", p.body);
    assert!(
        p.body.starts_with("<!doctype html>"),
        "HTML, not JSON: {}",
        p.body
    );
    assert!(
        p.body.contains(&format!("<html lang=\"{lang}\">")),
        "{}",
        p.body
    );
    assert!(p.body.contains("class=\"bar\""), "the usual header");
    assert!(
        p.body.contains("id=\"go-home\"") && p.body.contains("href=\"/home\""),
        "a way home"
    );
    let text = text_of(&p.body);
    assert!(text.contains(heading), "{heading} in {text}");
    assert!(
        !text.contains("CORE_") && !text.contains("NO_BILL_FOUND"),
        "no raw key: {text}"
    );
}

#[actix_web::test]
async fn unknown_page_paths_get_a_404_page_in_three_languages_and_the_api_keeps_json() {
    let app = TestApp::new();
    let clerk = app.employee("9816000031", &["REVENUE_COLLECTOR"], Some("Clerk@123"));
    mark_password_changed(&app, clerk.id);
    let sid = session_of(&log_in(&app, "9816000031", "Clerk@123").await);
    for (lang, heading) in [
        ("pa", "ਪੰਨਾ ਨਹੀਂ ਮਿਲਿਆ"),
        ("hi", "पेज नहीं मिला"),
        ("en", "Page not found"),
    ] {
        let p = get_in(&app, "/home/nosuch", Some(&sid), lang).await;
        assert_error_page(&p, StatusCode::NOT_FOUND, lang, heading);
        // without a session too, and for a path under another page prefix
        let p = get_in(&app, "/login/nosuch", None, lang).await;
        assert_error_page(&p, StatusCode::NOT_FOUND, lang, heading);
    }
    // a bill for a household with nothing due: said so, translated
    let admin = app.employee("9816000035", &["GP_ADMIN", "SECRETARY"], Some("Admin@123"));
    mark_password_changed(&app, admin.id);
    let asid = session_of(&log_in(&app, "9816000035", "Admin@123").await);
    let no = household_by_form(&app, &asid, "9876500078", "E%2F2", "").await;
    let p = get_in(
        &app,
        &format!("/home/household/bill.pdf?no={no}"),
        Some(&sid),
        "pa",
    )
    .await;
    assert_error_page(
        &p,
        StatusCode::NOT_FOUND,
        "pa",
        "ਇਸ ਖਪਤਕਾਰ ਦਾ ਕੋਈ ਬਿੱਲ ਬਕਾਇਆ ਨਹੀਂ ਹੈ",
    );
    // an unknown household: the API's error, by its code, in the page's language
    let p = get_in(
        &app,
        "/home/household/bill.pdf?no=NOSUCH-9",
        Some(&sid),
        "hi",
    )
    .await;
    assert_error_page(&p, p.status, "hi", "ऐसा कोई कनेक्शन नहीं मिला");
    assert!(p.status.is_client_error());
    // API paths: JSON as before
    let (s, v) = app.get("/no-such-service/v1/_search").await;
    assert_eq!(s, 404);
    assert_eq!(v["Errors"][0]["code"], "ResourceNotFoundException");
    let (s, v) = app.get("/homestead/x").await;
    assert_eq!(
        (s, v["Errors"][0]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("ResourceNotFoundException")),
        "a prefix of /home is not a page path"
    );
}

#[actix_web::test]
async fn a_page_refused_for_the_role_is_a_translated_403_page() {
    let app = TestApp::new();
    let clerk = app.employee("9816000032", &["REVENUE_COLLECTOR"], Some("Clerk@123"));
    mark_password_changed(&app, clerk.id);
    let sid = session_of(&log_in(&app, "9816000032", "Clerk@123").await);
    for (lang, heading) in [
        ("pa", "ਤੁਹਾਨੂੰ ਇਹ ਕਰਨ ਦੀ ਇਜਾਜ਼ਤ ਨਹੀਂ ਹੈ"),
        ("hi", "आपको यह करने की अनुमति नहीं है"),
        ("en", "You are not allowed to do this"),
    ] {
        let p = get_in(&app, "/home/billmanualgenerate", Some(&sid), lang).await;
        assert_error_page(&p, StatusCode::FORBIDDEN, lang, heading);
        assert!(
            p.body.contains("data-error=\"CORE_NOT_AUTHORIZED\""),
            "the key stays for scripts, as an attribute"
        );
    }
    // a form without its CSRF token: the 403 page says why, translated
    let p = call_in(
        &app,
        test::TestRequest::post()
            .uri("/home/gp")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("_csrf=wrong&tenant=pb.lodhipur"),
        Some(&sid),
        "hi",
    )
    .await;
    assert_error_page(
        &p,
        StatusCode::FORBIDDEN,
        "hi",
        "इस फ़ॉर्म का समय खत्म हो गया है",
    );
}

#[actix_web::test]
async fn a_page_that_only_takes_a_form_sends_a_get_to_its_start_page() {
    let app = TestApp::new();
    let clerk = app.employee("9816000033", &["REVENUE_COLLECTOR"], Some("Clerk@123"));
    mark_password_changed(&app, clerk.id);
    let sid = session_of(&log_in(&app, "9816000033", "Clerk@123").await);
    let p = get(&app, "/home/collect/confirm", Some(&sid)).await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/home/collect"),
        "{}",
        p.body
    );
    let p = get(&app, "/home/collect", Some(&sid)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("ResourceNotFoundException"));
}

fn expire_sessions(app: &TestApp) {
    use mgramseva::db::schema::user_session as us;
    diesel::update(us::table)
        .set((
            us::created_at.eq(chrono::Utc::now() - chrono::Duration::hours(13)),
            us::last_seen_at.eq(chrono::Utc::now() - chrono::Duration::hours(12)),
            us::expires_at.eq(chrono::Utc::now() - chrono::Duration::minutes(1)),
        ))
        .execute(&mut app.db.conn())
        .unwrap();
}

#[actix_web::test]
async fn an_expired_session_mid_collection_says_so_and_comes_back_to_the_form_page() {
    let app = TestApp::new();
    let clerk = app.employee("9816000034", &["REVENUE_COLLECTOR"], Some("Clerk@123"));
    mark_password_changed(&app, clerk.id);
    let sid = session_of(&log_in(&app, "9816000034", "Clerk@123").await);
    let form_page = "/home/collect?consumer=WS%2F7374%2F2026-27%2F0009";
    expire_sessions(&app);

    // the confirmation form is posted after the session expired
    let p = call_in(
        &app,
        test::TestRequest::post()
            .uri("/home/collect/confirm")
            .insert_header(("host", "gp.example"))
            .insert_header(("referer", format!("http://gp.example{form_page}")))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(format!(
                "_csrf={CSRF}&bill_id=x&consumer=WS%2F7374%2F2026-27%2F0009&amount=10"
            )),
        Some(&sid),
        "pa",
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let next = page_next(&p.location);
    assert_eq!(
        p.location,
        "/login?next=/home/collect%3Fconsumer%3DWS%252F7374%252F2026-27%252F0009&expired=form",
        "back to the form's page, not to the page that only takes a post"
    );
    let login = get_in(&app, &p.location, None, "pa").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(
        login.body.contains("ਤੁਹਾਡਾ ਸੈਸ਼ਨ ਖਤਮ ਹੋ ਗਿਆ ਹੈ") && login.body.contains("ਸੰਭਾਲਿਆ ਨਹੀਂ ਗਿਆ"),
        "the login page says the session expired and the form was not saved: {}",
        login.body
    );
    let back = post(
        &app,
        "/login",
        &format!(
            "_csrf={CSRF}&mobile=9816000034&password=Clerk%40123&next={}",
            urlencode(&next)
        ),
        None,
    )
    .await;
    assert_eq!(
        (back.status, back.location.as_str()),
        (StatusCode::SEE_OTHER, next.as_str())
    );
    let sid = session_of(&back);
    // the collect page for that consumer, as a page (whatever it finds), logged in
    let form = get(&app, &back.location, Some(&sid)).await;
    assert!(
        form.status != StatusCode::SEE_OTHER && form.body.starts_with("<!doctype html>"),
        "{} {}",
        form.status,
        form.body
    );
    assert!(form.body.contains("name=\"consumer\""), "the collect form");

    // without a referer (or one from elsewhere): the page enclosing the form
    expire_sessions(&app);
    let p = call_in(
        &app,
        test::TestRequest::post()
            .uri("/home/collect/pay")
            .insert_header(("referer", "http://evil.example/home/hrms"))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(format!("_csrf={CSRF}&bill_id=x")),
        Some(&sid),
        "en",
    )
    .await;
    assert_eq!(p.location, "/login?next=/home/collect&expired=form");
    // a GET of a page with an expired session: back to that page, with the message
    let p = get(&app, "/home/collect/history", Some(&sid)).await;
    assert_eq!(p.location, "/login?next=/home/collect/history&expired=1");
    let login = get(&app, &p.location, None).await;
    assert!(
        login
            .body
            .contains("Your session has expired. Please log in again."),
        "{}",
        login.body
    );
    assert!(!login.body.contains("was not saved"));
    // no session cookie at all: the plain login page
    let p = get(&app, "/home/collect/history", None).await;
    assert_eq!(p.location, "/login?next=/home/collect/history");
}

/// The `next` a login redirect carries, decoded.
fn page_next(location: &str) -> String {
    let q = location.split_once("next=").map(|x| x.1).unwrap_or("");
    let raw = q.split('&').next().unwrap_or("");
    url_decode(raw)
}

fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(h, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
