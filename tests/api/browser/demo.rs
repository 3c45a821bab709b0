//! The demo GP in the browser: the register a newcomer opens after `mgramseva demo`.

use super::*;

#[test]
fn the_register_of_the_demo_gp_is_full() {
    let app = TestApp::new();
    crate::demo::run_demo(&app.db);
    staff(
        &app,
        "9817000061",
        &["GP_ADMIN", "COLLECTION_OPERATOR"],
        "Harjit@2026",
    );
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, "9817000061", "Harjit@2026");
    b.wait_text("id=\"tiles\"");
    b.go(&format!("{base}/home/householdRegister"));
    b.wait_text("id=\"register\"");
    // every demo household, in Punjabi (the default language)
    let text = |css: &str| {
        b.js(&format!(
            "return document.querySelector('{css}').textContent;"
        ))
        .as_str()
        .unwrap_or_default()
        .to_owned()
    };
    let all = text("#tab-all");
    assert!(all.contains("(60)"), "{all}");
    let pending = text("#total-pending");
    let rupees: f64 = pending
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect::<String>()
        .parse()
        .unwrap_or(0.0);
    assert!(rupees > 1_000.0, "pending total: {pending:?}");
    assert!(b.source().contains("ਸਿੰਘ"), "Punjabi names");
    assert!(b.count("#register tbody tr") > 0);
}
