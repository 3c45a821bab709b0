//! `/home/sms`: the month's SMS count against the budget, for the GP's admin and the state's.

use actix_web::http::StatusCode;
use chrono::Utc;
use mgramseva::platform::notification::{self as n, Outbox, Record};

use crate::helpers::TestApp;
use crate::notify_sms_http::{GP, queue};
use crate::pages::{get, log_in, mark_password_changed, session_of};

const OTHER: &str = "pb.abianakalan";

#[actix_web::test]
async fn the_gp_admin_sees_this_months_sms_against_the_budget_and_the_state_admin_every_gp() {
    let app = TestApp::configured(|s| {
        s.notification.tenant_budgets = format!("{GP}=3");
        s.notification.quiet_hours = String::new();
    });
    for i in 0..4 {
        queue(
            &app,
            GP,
            "mGram.Consumer.NewBill",
            &format!("981600010{i}"),
            "b",
        );
    }
    queue(&app, GP, "mGram.Consumer.NewBill", "98160001", "short");
    queue(&app, OTHER, "mGram.Consumer.NewBill", "9816000110", "b");
    let d = n::deliver(
        &mut app.db.conn(),
        &Outbox {
            crypto: &app.state.crypto,
            adapter: &Record,
            settings: &app.state.settings.notification,
        },
        100,
        Utc::now(),
    )
    .unwrap();
    assert_eq!((d.recorded, d.skipped), (4, 2), "{d:?}");

    let admin = app.employee("9816000190", &["GP_ADMIN"], Some("Admin@123"));
    mark_password_changed(&app, admin.id);
    let sid = session_of(&log_in(&app, "9816000190", "Admin@123").await);
    let page = get(&app, "/home/sms", Some(&sid)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let row = page
        .body
        .split(&format!("data-tenant=\"{GP}\""))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_default()
        .to_owned();
    // 3 sent of a budget of 3; 2 not sent (over the budget, a short number).
    assert!(row.contains("<td class=\"used\">3</td>"), "{row}");
    assert!(row.contains("<td class=\"budget\">3</td>"), "{row}");
    assert!(row.contains("<td>2</td><td>0</td><td>0</td>"), "{row}");
    assert!(page.body.contains("SMS this month"), "{}", page.body);
    assert!(!page.body.contains(&format!("data-tenant=\"{OTHER}\"")));

    // The state admin sees both GPs.
    let state = app.employee("9816000191", &["STATE_ADMIN@pb"], Some("Admin@123"));
    mark_password_changed(&app, state.id);
    let sid = session_of(&log_in(&app, "9816000191", "Admin@123").await);
    let page = get(&app, "/home/sms", Some(&sid)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(&format!("data-tenant=\"{GP}\"")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("data-tenant=\"{OTHER}\"")),
        "{}",
        page.body
    );
}
