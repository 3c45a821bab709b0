//! The division and state view in a real browser (Punjabi, the browser's language): the state
//! admin logs in, opens the view from its tile, picks a period, sorts by demand, and drills into
//! a GP's months.

use super::*;

#[test]
fn the_state_admin_opens_the_state_view_sorts_it_and_drills_into_a_gp() {
    let app = TestApp::new();
    actix_web::rt::System::new().block_on(crate::stateview::three_gps(&app));
    mgramseva::jobs::run_blocking(
        &app.state,
        "state-view",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap();
    staff(&app, "9842000050", &["STATE_ADMIN@pb"], "State@2026");
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::start();
    b.log_in(&base, "9842000050", "State@2026");
    b.click("a[data-tile=CORE_DIVISION_STATE_VIEW]");
    b.wait_path("/home/state");
    assert_eq!(b.count("#state tbody tr"), 20, "20 GPs a page");
    assert!(b.count("#rollout") == 1, "the roll-out dashboard's link");
    // the period: last month and this one
    let (from, to) = (month_start(1), month_start(0));
    b.js(&format!(
        "document.querySelector('#from').value = '{}'; document.querySelector('#to').value = '{}'; return null;",
        from.format("%Y-%m"),
        to.format("%Y-%m")
    ));
    b.click("#filters button[type=submit]");
    b.wait_path(&format!("from={}", from.format("%Y-%m")));
    // sort by demand (twice: descending), the busiest GP first
    b.click("#state thead th:nth-child(3) a");
    b.wait_path("sortBy=demand&sortOrder=asc");
    b.click("#state thead th:nth-child(3) a");
    b.wait_path("sortBy=demand&sortOrder=desc");
    let first = text_of(&b, "#state tbody tr:first-child");
    assert!(
        first.contains(&same("ਲੋਧੀਪੁਰ")) && first.contains("₹300") && first.contains("56.67%"),
        "{first}"
    );
    let totals = text_of(&b, "#totals");
    assert!(
        totals.contains("₹430") && totals.contains("₹240") && totals.contains("55.81%"),
        "{totals}"
    );
    b.snap("state-view");
    // drill down
    b.click("#state tbody tr:first-child td:first-child a");
    b.wait_path(&format!("/home/state/gp/{GP}"));
    assert_eq!(text_of(&b, "#gp-name"), same("ਲੋਧੀਪੁਰ"), "in Punjabi");
    let t = text_of(&b, "#gp-totals");
    assert!(
        t.contains("₹300") && t.contains("₹170") && t.contains("₹120") && t.contains("₹50"),
        "{t}"
    );
    assert_eq!(b.count("#gp-months tbody tr"), 2, "two months");
    b.snap("state-view-gp");
    b.click("#back");
    b.wait_path("/home/state?");
}
