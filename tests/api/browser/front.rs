//! The front door and the error pages on a phone: one brand per language (defect 16), 403 and
//! 404 pages in the page's language with a way home (defect 4), and the warning before a
//! lockout (defect 18).

use mgramseva::platform::localization::Locale;

use super::*;

const CLERK: &str = "9817000061";
const PASSWORD: &str = "Clerk@2026";

#[test]
fn the_brand_is_one_name_per_language_on_the_front_page() {
    let app = TestApp::new();
    let i18n = app.state.i18n.clone();
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    for (lang, locale) in [("pa", Locale::Pa), ("hi", Locale::Hi), ("en", Locale::En)] {
        b.go(&format!("{base}/lang?to={lang}&next=/"));
        b.wait_text(&format!("lang=\"{lang}\""));
        let brand = same(&i18n.text(locale, "CORE_APP_NAME"));
        let title = same(b.js("return document.title;").as_str().unwrap_or_default());
        let heading = text_of(&b, "main h1");
        let header = text_of(&b, "header");
        assert!(title.contains(&brand), "{lang}: title {title}");
        assert!(heading.contains(&brand), "{lang}: heading {heading:?}");
        assert!(header.contains(&brand), "{lang}: header {header:?}");
        for other in ["ਨਲ ਜਲ", "NalJal", "Nal Jal"] {
            assert!(
                !b.source().contains(other),
                "{lang}: {other} on the front page"
            );
        }
        assert!(b.fits_width(), "{lang}: the front page pans sideways");
    }
}

#[test]
fn forbidden_and_missing_pages_speak_the_page_language_and_lead_home() {
    let app = TestApp::new();
    staff(&app, CLERK, &["REVENUE_COLLECTOR"], PASSWORD);
    let i18n = app.state.i18n.clone();
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, CLERK, PASSWORD);
    for (lang, locale) in [("pa", Locale::Pa), ("en", Locale::En), ("hi", Locale::Hi)] {
        b.go(&format!("{base}/lang?to={lang}&next=/home"));
        b.wait_text(&format!("lang=\"{lang}\""));
        // a collector on the staff pages: not allowed
        b.go(&format!("{base}/home/hrms"));
        b.wait_text("data-status=\"403\"");
        assert_eq!(
            text_of(&b, "#error"),
            same(&i18n.text(locale, "CORE_NOT_AUTHORIZED"))
        );
        assert!(b.source().contains(&format!("lang=\"{lang}\"")));
        assert!(!text_of(&b, "body").contains("CORE_"), "a raw key");
        // an address that is no page: not found, never JSON
        b.go(&format!("{base}/home/no/such/page"));
        b.wait_text("data-status=\"404\"");
        assert_eq!(
            text_of(&b, "#error"),
            same(&i18n.text(locale, "CORE_PAGE_NOT_FOUND"))
        );
        assert!(!b.source().contains("\"Errors\""));
        assert!(b.fits_width(), "{lang}: the error page pans sideways");
        // and the way home works
        b.click("#go-home");
        b.wait_text("id=\"tiles\"");
    }
}

#[test]
fn the_login_page_warns_from_the_third_wrong_password() {
    let app = TestApp::new();
    staff(&app, CLERK, &["REVENUE_COLLECTOR"], PASSWORD);
    let i18n = app.state.i18n.clone();
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.go(&format!("{base}/login"));
    let one_left = same(
        &i18n
            .text(Locale::Pa, "CORE_LOGIN_ONE_TRY_LEFT")
            .replace("{minutes}", "60"),
    );
    let two_left = same(
        &i18n
            .text(Locale::Pa, "CORE_LOGIN_TRIES_LEFT")
            .replace("{n}", "2")
            .replace("{minutes}", "60"),
    );
    let mut alerts = Vec::new();
    for _ in 0..4 {
        b.go(&format!("{base}/login"));
        b.type_into("#mobile", CLERK);
        b.type_into("#password", "wrong@123");
        b.click("#login");
        b.wait_text("role=\"alert\"");
        alerts.push(text_of(&b, "[role=alert]"));
    }
    // five failures lock: nothing said after the first two, then how many tries are left
    let tries = same("ਕੋਸ਼ਿਸ਼");
    assert!(
        !alerts[0].contains(&tries) && !alerts[1].contains(&tries),
        "{alerts:?}"
    );
    assert!(alerts[2].contains(&two_left), "{alerts:?}");
    assert!(alerts[3].contains(&one_left), "{alerts:?}");
    // the right password still opens before the lock
    b.go(&format!("{base}/login"));
    b.type_into("#mobile", CLERK);
    b.type_into("#password", PASSWORD);
    b.click("#login");
    b.wait_path("/home");
}
