//! The counter's collect pages find a household as a collector knows it (new or old connection
//! number, mobile number, part of the name), say "not found" for what they cannot find (never
//! "no dues"), list several matches to pick from, and name who pays at every step.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::pages::{CSRF, Page, get, log_in, mark_password_changed, post, session_of};

struct Counter {
    app: TestApp,
    admin: String,
    sid: String,
}

impl Counter {
    async fn new() -> Self {
        let app = TestApp::new();
        let admin = app.login("9830000101", &["GP_ADMIN"]);
        let clerk = app.employee("9830000102", &["REVENUE_COLLECTOR"], Some("Clerk@123"));
        mark_password_changed(&app, clerk.id);
        let sid = session_of(&log_in(&app, "9830000102", "Clerk@123").await);
        assert!(!sid.is_empty(), "the collector is logged in");
        Counter { app, admin, sid }
    }

    /// A household owing `arrears`: its new connection number.
    async fn household(&self, mobile: &str, name: &str, old: &str, arrears: i64) -> String {
        let wc = gp_household(
            &self.app,
            &self.admin,
            (mobile, name, old),
            json!({"arrears": arrears}),
        )
        .await;
        wc["connectionNo"].as_str().unwrap().to_owned()
    }

    async fn collect(&self, query: &str) -> Page {
        let q: String = url_encode(query);
        get(
            &self.app,
            &format!("/home/collect?consumer={q}"),
            Some(&self.sid),
        )
        .await
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn field(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn collect_finds_a_household_by_old_number_name_part_or_mobile() {
    let c = Counter::new().await;
    let gurpreet = c
        .household("9876500201", "Gurpreet Kaur", "LP-002", 300)
        .await;
    let harjit = c
        .household("9876500202", "Harjit Singh", "LP-003", 120)
        .await;
    let harpal = c.household("9876500202", "Harpal Singh", "LP-004", 0).await;

    // the old connection number: that household's bill, with who pays
    let by_old = c.collect("LP-002").await;
    assert_eq!(by_old.status, StatusCode::OK);
    assert!(by_old.body.contains("id=\"total\">₹300"), "{}", by_old.body);
    assert!(
        by_old
            .body
            .contains("id=\"who-name\"><strong>Gurpreet Kaur</strong>")
            && by_old.body.contains("id=\"who-guardian\">Baldev Singh")
            && by_old.body.contains("Gurdwara Road"),
        "{}",
        by_old.body
    );
    assert_eq!(field(&by_old.body, "consumer"), gurpreet);
    assert!(!by_old.body.contains("id=\"no-dues\""));

    // part of a name, any case: the one household
    let by_name = c.collect("preet").await;
    assert!(
        by_name.body.contains("id=\"total\">₹300"),
        "{}",
        by_name.body
    );
    assert_eq!(field(&by_name.body, "consumer"), gurpreet);

    // a mobile number two households share: a list of both to pick from, with what each owes
    let by_mobile = c.collect("9876500202").await;
    assert_eq!(by_mobile.status, StatusCode::OK);
    assert!(
        by_mobile.body.contains("2 households found"),
        "{}",
        by_mobile.body
    );
    assert_eq!(by_mobile.body.matches("class=\"pick\"").count(), 2);
    for (no, name, old) in [
        (&harjit, "Harjit Singh", "LP-003"),
        (&harpal, "Harpal Singh", "LP-004"),
    ] {
        assert!(
            by_mobile
                .body
                .contains(&format!("href=\"/home/collect?consumer={no}\"")),
            "a link to {no}: {}",
            by_mobile.body
        );
        assert!(
            by_mobile.body.contains(name)
                && by_mobile.body.contains(old)
                && by_mobile.body.contains(&format!("<strong>{name}</strong>")),
            "{}",
            by_mobile.body
        );
    }
    assert!(by_mobile.body.contains("Total due: ₹120"));
    assert!(by_mobile.body.contains("Total due: ₹0"));
    assert!(!by_mobile.body.contains("id=\"no-dues\""));
    assert!(
        !by_mobile.body.contains("id=\"total\""),
        "no bill before a pick"
    );

    // the household owing nothing, found: now "no dues" is true
    let paid_up = c.collect(&harpal).await;
    assert!(paid_up.body.contains("id=\"no-dues\""), "{}", paid_up.body);
    assert!(paid_up.body.contains("Harpal Singh"));
}

#[actix_web::test]
async fn collect_says_not_found_for_an_unknown_household_never_no_dues() {
    let c = Counter::new().await;
    c.household("9876500203", "Gurpreet Kaur", "LP-002", 300)
        .await;
    for q in ["NOSUCH-999", "9876500299", "LP-999"] {
        let p = c.collect(q).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("id=\"not-found\""), "{q}: {}", p.body);
        assert!(
            p.body.contains(&format!("No household found for “{q}”")),
            "{q}: {}",
            p.body
        );
        assert!(!p.body.contains("id=\"no-dues\""), "{q}: {}", p.body);
        assert!(!p.body.contains("Nothing is due"), "{q}");
        assert!(
            p.body.contains("name=\"consumer\" id=\"consumer\""),
            "a search box to try again"
        );
    }
    // in the page's language
    let req = actix_web::test::TestRequest::get()
        .uri("/home/collect?consumer=NOSUCH-999")
        .cookie(Cookie::new("mgs_lang", "pa"))
        .cookie(Cookie::new("mgs_session", c.sid.clone()));
    let resp = c.app.call(req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let pa = String::from_utf8_lossy(&actix_web::test::read_body(resp).await).into_owned();
    assert!(pa.contains("“NOSUCH-999” ਲਈ ਕੋਈ ਘਰ ਨਹੀਂ ਮਿਲਿਆ"), "{pa}");
    assert!(!pa.contains("id=\"no-dues\""));
}

#[actix_web::test]
async fn collect_confirm_and_receipt_name_who_pays() {
    let c = Counter::new().await;
    let no = c
        .household("9876500204", "Gurpreet Kaur", "LP-002", 300)
        .await;
    let found = c.collect(&no).await;
    assert!(found.body.contains("id=\"total\">₹300"), "{}", found.body);
    assert!(found.body.contains("<strong>Gurpreet Kaur</strong>"));
    let bill_id = field(&found.body, "bill_id");
    let no_q = url_encode(&no);

    // no payer typed: the holder pays, and is named
    let confirm = post(
        &c.app,
        "/home/collect/confirm",
        &format!("_csrf={CSRF}&bill_id={bill_id}&consumer={no_q}&amount=100&payer="),
        Some(&c.sid),
    )
    .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(
        confirm
            .body
            .contains("id=\"who-name\"><strong>Gurpreet Kaur</strong>")
            && confirm.body.contains("id=\"who-guardian\">Baldev Singh")
            && confirm.body.contains("Gurdwara Road")
            && confirm.body.contains("id=\"who-old-no\">LP-002"),
        "{}",
        confirm.body
    );
    assert!(
        confirm.body.contains("from Gurpreet Kaur for") && !confirm.body.contains("from —"),
        "{}",
        confirm.body
    );
    let key = field(&confirm.body, "key");
    let paid = post(
        &c.app,
        "/home/collect/pay",
        &format!("_csrf={CSRF}&bill_id={bill_id}&consumer={no_q}&amount=100&payer=&key={key}"),
        Some(&c.sid),
    )
    .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let receipt = get(&c.app, &paid.location, Some(&c.sid)).await;
    assert!(
        receipt
            .body
            .contains("id=\"who-name\"><strong>Gurpreet Kaur</strong>")
            && receipt.body.contains("id=\"who-guardian\">Baldev Singh")
            && receipt.body.contains("Gurdwara Road")
            && receipt.body.contains(&format!("id=\"who-no\">{no}")),
        "{}",
        receipt.body
    );
    assert!(
        receipt.body.contains("id=\"pending\">₹200"),
        "{}",
        receipt.body
    );
    let history = get(
        &c.app,
        &format!("/home/collect/history?consumer={no_q}"),
        Some(&c.sid),
    )
    .await;
    assert!(history.body.contains("<strong>Gurpreet Kaur</strong>"));
}
