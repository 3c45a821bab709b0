//! The notifications on a 360×740 phone in Punjabi (issue 16, item 5): the bell on the home page
//! with the unread count, the notifications page opened from it (the cards in Punjabi, each with
//! its age and link, no sideways panning, thumb-sized close buttons), and a card closed with ×.

use chrono::Utc;

use super::*;
use mgramseva::platform::userevent::service::{self as events, NewEvent};

fn raise(app: &TestApp, code: &str, name: &str, args: &[(&str, String)], link: &str) {
    let mut c = app.db.conn();
    events::raise(
        &mut c,
        &NewEvent {
            tenant_id: GP,
            name,
            localization_code: code,
            args,
            description: String::new(),
            action_url: Some(link),
            to_users: &[],
            to_roles: &["SECRETARY"],
            posted_by: "TEST",
            now: Utc::now(),
        },
    )
    .unwrap();
}

#[test]
fn the_notifications_open_from_the_bell_on_a_phone_and_a_card_closes() {
    let app = TestApp::new();
    staff(&app, "9817000081", &["SECRETARY"], "Harjit@2026");
    raise(
        &app,
        "MARK_PAID_BILL_EN_REMINDER",
        "EXPENSE_PAYMENT",
        &[("BILL_COUNT_AWAIT", "4".to_owned())],
        "/home/searchExpense",
    );
    raise(
        &app,
        "NEW_ENPENDITURE_EN_REMINDER",
        "NEW_EXPENSE_ENTRY",
        &[],
        "/home/addExpense",
    );
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, "9817000081", "Harjit@2026");

    // the bell: two unread
    assert_eq!(text_of(&b, "#unread"), "2");
    b.click("#bell");
    b.wait_path("/home/notifications");
    b.wait_text("id=\"notes\"");
    assert!(b.fits_width(), "the notifications pan sideways on a phone");
    assert_eq!(b.count("#notes li"), 2);
    assert_eq!(b.count("#notes .badge"), 2, "both new");
    let notes = text_of(&b, "#notes");
    for t in [
        "4 ਖਰਚੇ ਦੇ ਬਿੱਲ ਭੁਗਤਾਨ ਦੀ ਪੁਸ਼ਟੀ ਦੀ ਉਡੀਕ ਵਿੱਚ ਹਨ",
        "ਕਿਰਪਾ ਕਰਕੇ ਨਵੇਂ ਖਰਚੇ ਦੇ ਬਿੱਲ ਦਰਜ ਕਰੋ",
        "ਖਰਚੇ ਦਾ ਭੁਗਤਾਨ",
        "ਅੱਜ",
        "ਨਵੀਂ",
    ] {
        assert!(notes.contains(t), "{t:?} not in {notes}");
    }
    // every close button is a thumb's size
    let small = b.js(
        "return [...document.querySelectorAll('#notes .close')].filter(e => e.getBoundingClientRect().height < 44 || e.getBoundingClientRect().width < 44).length;",
    );
    assert_eq!(small, 0);

    // close the first card: one left, no longer new (opened); the bell is quiet
    b.click("#notes li:first-child .close");
    let started = std::time::Instant::now();
    while b.count("#notes li") != 1 {
        assert!(started.elapsed().as_secs() < 10, "the card did not close");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(b.count("#notes .badge"), 0);
    b.go(&format!("{base}/home"));
    b.wait_text("id=\"bell\"");
    assert_eq!(b.count("#unread"), 0);
    // the card's link leads into the app
    b.go(&format!("{base}/home/notifications"));
    b.wait_text("id=\"notes\"");
    b.click("#notes li a");
    b.wait_path("Expense");
    assert!(
        b.url().ends_with("/home/searchExpense") || b.url().ends_with("/home/addExpense"),
        "{}",
        b.url()
    );
}
