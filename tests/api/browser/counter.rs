//! The counter on a phone, in Punjabi: finding a household the way a collector knows it, seeing
//! who pays at every step, and a session that expires in the middle of a collection.

use diesel::prelude::*;
use mgramseva::platform::localization::Locale;

use super::*;

const CLERK: &str = "9817000041";
const PASSWORD: &str = "Clerk@2026";

fn payments(app: &TestApp) -> i64 {
    use mgramseva::db::schema::collection_payment as cp;
    cp::table.count().get_result(&mut app.db.conn()).unwrap()
}

/// Defects 1 and 2: an old number, a mobile shared by two households, part of a name, and an
/// unknown id; then the confirmation and the receipt, each naming the household.
#[test]
fn collect_finds_by_old_number_mobile_and_name_and_names_who_pays_at_every_step() {
    let app = TestApp::new();
    let admin = app.login("9817000040", &["GP_ADMIN"]);
    staff(&app, CLERK, &["REVENUE_COLLECTOR"], PASSWORD);
    let nos = households(
        &app,
        &admin,
        &[
            ("9876500301", "Gurpreet Kaur", "LP-002", 300),
            ("9876500302", "Harjit Singh", "LP-003", 120),
            ("9876500302", "Harpal Singh", "LP-004", 0),
        ],
    );
    let texts = app.state.i18n.clone();
    let port = serve(app.state.clone());
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, CLERK, PASSWORD);

    let find = |what: &str| {
        b.go(&format!("{base}/home/collect"));
        b.type_into("#consumer", what);
        b.click("#find");
        b.wait_text("id=\"find-form\"");
    };

    // an unknown id: "not found", never "no dues"
    find("NOSUCH-999");
    b.wait_text("id=\"not-found\"");
    assert_eq!(b.count("#no-dues"), 0, "an unknown household has no dues?");
    assert!(b.source().contains("lang=\"pa\""));
    assert!(b.fits_width(), "the collect page pans sideways");

    // the old connection number: Gurpreet's bill of ₹300, with her name and her father's
    find("LP-002");
    b.wait_text("id=\"who-name\"");
    assert_eq!(text_of(&b, "#who-name"), "Gurpreet Kaur");
    assert_eq!(text_of(&b, "#who-guardian"), "Baldev Singh");
    assert_eq!(text_of(&b, "#who-no"), nos[0]);
    assert_eq!(text_of(&b, "#total"), "₹300");
    assert_eq!(b.count("#no-dues"), 0);

    // a mobile two households share: both, to pick from
    find("9876500302");
    b.wait_text("id=\"choices\"");
    assert_eq!(b.count("#choices li"), 2);
    let listed = text_of(&b, "#choices");
    assert!(
        listed.contains("Harjit Singh") && listed.contains("Harpal Singh"),
        "{listed}"
    );
    assert!(b.fits_width(), "the list pans sideways");

    // part of a name: Harjit only (Harpal owes nothing but is found too by "Har")
    find("Harjit");
    b.wait_text("id=\"who-name\"");
    assert_eq!(text_of(&b, "#who-name"), "Harjit Singh");
    assert_eq!(text_of(&b, "#total"), "₹120");

    // pay it: the confirmation and the receipt both say who pays
    b.click("#next");
    b.wait_path("/home/collect/confirm");
    assert_eq!(text_of(&b, "#who-name"), "Harjit Singh");
    let question = text_of(&b, "#confirm-text");
    assert!(question.contains("120"), "{question}");
    assert!(b.fits_width(), "the confirmation pans sideways");
    b.click("#pay");
    b.wait_text("id=\"receipt-number\"");
    assert_eq!(text_of(&b, "#who-name"), "Harjit Singh");
    assert_eq!(text_of(&b, "#who-guardian"), "Baldev Singh");
    assert_eq!(text_of(&b, "#who-no"), nos[1]);
    assert_eq!(text_of(&b, "#paid"), "₹120");
    assert_eq!(text_of(&b, "#pending"), "₹0");
    let success = texts.text(Locale::Pa, "PAYMENT_SUCCESS");
    assert!(
        b.source().contains(&success),
        "no {success:?} on the receipt"
    );
    assert_eq!(payments(&app), 1);
}

/// Defect 3: the session expires while the collector looks at the confirmation; pressing
/// "pay" lands on the login page saying so (in Punjabi), nothing is paid, and logging in again
/// comes back to that household's collect page (a page, never JSON).
#[test]
fn a_session_that_expires_mid_collection_says_so_and_comes_back_to_the_household() {
    use mgramseva::db::schema::user_session as us;
    let app = TestApp::new();
    let admin = app.login("9817000042", &["GP_ADMIN"]);
    staff(&app, CLERK, &["REVENUE_COLLECTOR"], PASSWORD);
    households(
        &app,
        &admin,
        &[("9876500311", "Jaswinder Kaur", "LP-010", 250)],
    );
    let port = serve(app.state.clone());
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, CLERK, PASSWORD);
    b.go(&format!("{base}/home/collect?consumer=LP-010"));
    b.wait_text("id=\"who-name\"");
    b.click("#next");
    b.wait_path("/home/collect/confirm");

    diesel::update(us::table)
        .set((
            us::created_at.eq(chrono::Utc::now() - chrono::Duration::hours(13)),
            us::last_seen_at.eq(chrono::Utc::now() - chrono::Duration::hours(12)),
            us::expires_at.eq(chrono::Utc::now() - chrono::Duration::minutes(1)),
        ))
        .execute(&mut app.db.conn())
        .unwrap();
    b.click("#pay");
    b.wait_path("/login");
    assert!(b.url().contains("expired=form"), "{}", b.url());
    b.wait_text("ਤੁਹਾਡਾ ਸੈਸ਼ਨ ਖਤਮ ਹੋ ਗਿਆ ਹੈ");
    assert_eq!(payments(&app), 0, "a payment made without a session");

    b.type_into("#mobile", CLERK);
    b.type_into("#password", PASSWORD);
    b.click("#login");
    b.wait_path("/home/collect");
    b.wait_text("id=\"who-name\"");
    assert_eq!(text_of(&b, "#who-name"), "Jaswinder Kaur");
    assert!(!b.source().contains("\"Errors\""), "JSON after the login");
    assert_eq!(text_of(&b, "#total"), "₹250");
}
