//! The household register as a PDF (issue 13, defect 10): in Punjabi, with Punjabi names, every
//! connection number on one line and the column headers wrapped only between words.

use actix_web::cookie::Cookie;
use actix_web::test;
use serde_json::json;

use crate::calculator::pdf_text;
use crate::pages::{log_in, mark_password_changed, session_of};
use crate::register::Gp;

/// The register PDF of `query` in `lang`, as poppler reads it back.
async fn register_pdf(gp: &Gp, sid: &str, lang: &str, query: &str) -> String {
    let req = test::TestRequest::get()
        .uri(&format!("/home/householdRegister.pdf?{query}"))
        .cookie(Cookie::new("mgs_session", sid.to_owned()))
        .cookie(Cookie::new("mgs_lang", lang.to_owned()));
    let resp = gp.app.call(req).await;
    assert_eq!(resp.status(), 200);
    pdf_text(&test::read_body(resp).await)
}

#[actix_web::test]
async fn register_pdf_keeps_connection_numbers_and_words_whole() {
    let gp = Gp::new();
    let mut nos = Vec::new();
    for (name, mobile, old) in [
        ("ਗੁਰਪ੍ਰੀਤ ਕੌਰ ਸੰਧੂ", "9876500501", "LP-001"),
        ("ਹਰਜੀਤ ਸਿੰਘ ਗਿੱਲ", "9876500502", "LP-002"),
        ("ਅਮਰਜੀਤ ਕੌਰ ਢਿੱਲੋਂ", "9876500503", "LP-003"),
    ] {
        nos.push(
            gp.household(name, mobile, old, "RESIDENTIAL", gp.before, json!({}))
                .await,
        );
    }
    gp.bulk(gp.last).await;
    let clerk = gp
        .app
        .employee("9816000061", &["GP_ADMIN"], Some("Clerk@123"));
    mark_password_changed(&gp.app, clerk.id);
    let sid = session_of(&log_in(&gp.app, "9816000061", "Clerk@123").await);
    for lang in ["pa", "hi", "en"] {
        let text = register_pdf(&gp, &sid, lang, "tab=all&sort=no").await;
        for no in &nos {
            assert!(
                text.lines().any(|l| l.contains(no.as_str())),
                "{lang}: {no} is broken across lines:\n{text}"
            );
        }
        let lp = text.lines().position(|l| l.contains("LP-001")).unwrap();
        assert!(text.lines().nth(lp).unwrap().contains(&nos[0]), "{text}");
    }
}
