//! The staff pages on a 360×740 phone: nothing wider than the screen.

use super::*;

#[test]
fn login_and_home_fit_a_phone_screen() {
    let app = TestApp::new();
    staff(
        &app,
        "9817000031",
        &["GP_ADMIN", "COLLECTION_OPERATOR"],
        "Harjit@2026",
    );
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.go(&format!("{base}/login"));
    // The page's `meta viewport` makes the layout width the screen's.
    assert_eq!(b.js("return window.innerWidth;"), json!(360));
    assert!(b.fits_width(), "the login page pans sideways");
    b.log_in(&base, "9817000031", "Harjit@2026");
    b.wait_text("id=\"tiles\"");
    assert!(b.fits_width(), "the home page pans sideways");
}
