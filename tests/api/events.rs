//! In-app notifications (issue 16, item 5) and the water-side reminders that raise them: the
//! fortnightly pending-collection SMS with the financial year's pending total, the evening's
//! cash collection SMS with its amount and consumers, the egov-user-event routes (search, update,
//! count, last access) with the app's queries, each person's own state of each event, nobody
//! seeing another person's or another GP's events, and the bell on the home page.

use actix_web::http::StatusCode;
use chrono::Utc;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::pages::{CSRF, get, log_in, mark_password_changed, post, session_of};
use crate::register::Gp;
use mgramseva::jobs::{self, JobArgs};
use mgramseva::platform::notification;
use mgramseva::platform::userevent::service::{self as events, NewEvent};

const EV: &str = "/egov-user-event/v1/events";

fn queued(app: &TestApp, mobile: &str, template: &str) -> Vec<String> {
    let mut c = app.db.conn();
    notification::messages_to(&mut c, &app.state.crypto, mobile, 50)
        .unwrap()
        .into_iter()
        .filter(|m| m.template == template)
        .map(|m| m.text)
        .collect()
}

fn run(app: &TestApp, job: &str, tenant: Option<&str>) -> String {
    jobs::run_blocking(
        &app.state,
        job,
        &JobArgs {
            tenant: tenant.map(str::to_owned),
            period: None,
        },
    )
    .unwrap()
}

async fn search(app: &TestApp, token: &str, q: &str) -> Value {
    let (s, v) = app
        .post(
            &format!("{EV}/_search?{q}"),
            json!({"RequestInfo": ri(token)}),
        )
        .await;
    assert_eq!(s, 200, "{q}: {v}");
    v
}

async fn counts(app: &TestApp, token: &str, tenant: &str) -> (i64, i64) {
    let (s, v) = app
        .post(
            &format!("{EV}/notifications/_count?tenantId={tenant}"),
            json!({"RequestInfo": ri(token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    (
        v["totalCount"].as_i64().unwrap(),
        v["unreadCount"].as_i64().unwrap(),
    )
}

/// Three flat-rate households billed ₹70 each for last month; ₹70 and ₹30 paid in cash today by
/// two of them: ₹110 pending, ₹100 collected from 2 consumers.
async fn billed_gp() -> Gp {
    let gp = Gp::new();
    let mut nos = Vec::new();
    for (name, mobile, old) in [
        ("Gurpreet Kaur", "9876500301", "E/1"),
        ("Harjit Singh", "9876500302", "E/2"),
        ("Amarjit Kaur", "9876500303", "E/3"),
    ] {
        nos.push(
            gp.household(name, mobile, old, "RESIDENTIAL", gp.before, json!({}))
                .await,
        );
    }
    gp.bulk(gp.last).await;
    gp.pay(&nos[0], 70).await;
    gp.pay(&nos[1], 30).await;
    gp
}

#[actix_web::test]
async fn the_fortnightly_reminder_tells_the_sarpanch_the_years_pending_total_and_the_evening_the_cash()
 {
    let gp = billed_gp().await;
    let app = &gp.app;
    let sarpanch = app.employee("9817000011", &["SARPANCH"], None);
    let sarpanch_token = {
        let mut c = app.db.conn();
        mgramseva::platform::user::service::issue_token(
            &mut c,
            sarpanch.id,
            chrono::Duration::hours(1),
            Utc::now(),
        )
        .unwrap()
    };
    let clerk = "9817000012";
    app.employee(clerk, &["EXPENSE_PROCESSING"], None);
    app.employee("9817000013", &[&format!("SARPANCH@{OTHER_GP}")], None);
    // last month's demands count when last month is in this financial year (not in April)
    let fy = mgramseva::time::Fy::of(Utc::now());
    let pending = if mgramseva::time::Fy::of_date(gp.last) == fy {
        "110"
    } else {
        "0"
    };

    // every GP with an admin or Sarpanch: this one (2 people) and the other (its Sarpanch)
    let out = run(app, "pending-collection", None);
    assert!(out.contains("2 GPs checked, 3 messages queued"), "{out}");
    let got = queued(app, "9817000011", "mGram.GPUser.CollectionReminder");
    assert_eq!(got.len(), 1, "{got:?}");
    // in Punjabi (the state's language), with the amount, the date and the link
    let date = Utc::now()
        .with_timezone(&mgramseva::time::IST)
        .format("%d/%m/%Y")
        .to_string();
    assert!(got[0].contains(&format!("ਰੁ.{pending} ")), "{}", got[0]);
    assert!(got[0].contains(&date), "{}", got[0]);
    assert!(
        got[0].contains("/home/householdRegister?tab=pending"),
        "{}",
        got[0]
    );
    // the GP admin too; not the expense clerk; the other GP's Sarpanch hears of its own GP
    assert_eq!(
        queued(app, "9817000001", "mGram.GPUser.CollectionReminder").len(),
        1
    );
    assert!(queued(app, clerk, "mGram.GPUser.CollectionReminder").is_empty());
    let other = queued(app, "9817000013", "mGram.GPUser.CollectionReminder");
    assert_eq!(other.len(), 1);
    assert!(other[0].contains("ਰੁ.0 "), "{}", other[0]);
    // the Sarpanch's card, with the figures as attributes
    let v = search(
        app,
        &sarpanch_token,
        &format!(
            "tenantId={GP}&eventType=SYSTEMGENERATED&recepients={}",
            sarpanch.uuid
        ),
    )
    .await;
    assert_eq!(v["totalCount"], 1, "{v}");
    // as the app's `EventsList.fromJson` reads it
    crate::app_models::assert_parses("EventsList", &v);
    let e = &v["events"][0];
    assert_eq!(
        e["additionalDetails"]["localizationCode"],
        "PENDING_COLLECTION_EN_REMINDER"
    );
    assert_eq!(
        e["additionalDetails"]["attributes"]["{PENDING_COLLECTION}"],
        pending
    );
    assert_eq!(
        e["actions"]["actionUrls"][0]["actionUrl"],
        "/home/householdRegister?tab=pending"
    );
    assert_eq!(e["status"], "ACTIVE");
    assert_eq!(
        e["recepient"]["toUsers"],
        json!([sarpanch.uuid.to_string()])
    );

    // the evening: ₹100 in cash from 2 consumers, to the collector (the GP admin holds it too)
    let out = run(app, "todays-collection", None);
    assert!(out.contains("1 collected cash today"), "{out}");
    let got = queued(app, "9817000001", "TODAY_COLLECTION_FROM_CASH");
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("ਰੁ. 100 "), "{}", got[0]);
    assert!(got[0].contains("2 ਖਪਤਕਾਰਾਂ"), "{}", got[0]);
    assert!(got[0].contains(&date), "{}", got[0]);
    assert!(queued(app, "9817000011", "TODAY_COLLECTION_FROM_CASH").is_empty());
    let v = search(app, &gp.token, &format!("tenantId={GP}&status=ACTIVE,READ")).await;
    let codes: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["additionalDetails"]["localizationCode"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "TODAY_COLLECTION_AS_CASH_SMS",
            "PENDING_COLLECTION_EN_REMINDER"
        ]
    );
    assert_eq!(
        v["events"][0]["additionalDetails"]["attributes"],
        json!({"{amount}": "100", "{count}": "2", "{date}": date})
    );
}

#[actix_web::test]
async fn no_cash_no_evening_message_and_the_demand_reminder_goes_to_who_generates_demand() {
    let gp = Gp::new();
    let app = &gp.app;
    gp.household(
        "Gurpreet Kaur",
        "9876500311",
        "E/1",
        "RESIDENTIAL",
        gp.before,
        json!({}),
    )
    .await;
    let out = run(app, "todays-collection", Some(GP));
    assert!(out.contains("0 collected cash today, 0 messages"), "{out}");
    // nothing billed for last month: those who generate demand are reminded, with the link
    let demand = app.login("9817000021", &["BULK_DEMAND_PROCESSING"]);
    let out = run(app, "generate-demand-reminder", Some(GP));
    assert!(out.contains("1 reminded"), "{out}");
    let v = search(app, &demand, &format!("tenantId={GP}")).await;
    assert_eq!(v["totalCount"], 1, "{v}");
    assert_eq!(
        v["events"][0]["actions"]["actionUrls"][0]["actionUrl"],
        "/home/billmanualgenerate"
    );
    assert_eq!(v["events"][0]["name"], "MONTHLY_DEMAND_FAILED");
    // once billed, no reminder
    gp.bulk(gp.last).await;
    let out = run(app, "generate-demand-reminder", Some(GP));
    assert!(out.contains("0 reminded"), "{out}");
}

/// Raises an event on `tenant` for `users` and `roles`.
fn raise(app: &TestApp, tenant: &str, code: &str, users: &[uuid::Uuid], roles: &[&str]) -> String {
    let mut c = app.db.conn();
    events::raise(
        &mut c,
        &NewEvent {
            tenant_id: tenant,
            name: "NEW_EXPENSE_ENTRY",
            localization_code: code,
            args: &[("BILL_COUNT_AWAIT", "4".to_owned())],
            description: "text".to_owned(),
            action_url: Some("/home/addExpense"),
            to_users: users,
            to_roles: roles,
            posted_by: "TEST",
            now: Utc::now(),
        },
    )
    .unwrap()
    .unwrap()
    .to_string()
}

#[actix_web::test]
async fn unread_goes_from_three_to_two_and_nobody_sees_anothers_events() {
    let app = TestApp::new();
    let me = app.employee("9817000031", &["SECRETARY"], None);
    let token = {
        let mut c = app.db.conn();
        mgramseva::platform::user::service::issue_token(
            &mut c,
            me.id,
            chrono::Duration::hours(1),
            Utc::now(),
        )
        .unwrap()
    };
    let mate = app.login("9817000032", &["SECRETARY"]);
    let other_gp = app.login("9817000033", &[&format!("SECRETARY@{OTHER_GP}")]);
    let a = raise(&app, GP, "NEW_ENPENDITURE_EN_REMINDER", &[me.uuid], &[]);
    raise(&app, GP, "MARK_PAID_BILL_EN_REMINDER", &[me.uuid], &[]);
    let to_role = raise(&app, GP, "MONTHLY_SUMMARY_EN_REMINDER", &[], &["SECRETARY"]);
    // another GP's event for the same role
    raise(
        &app,
        OTHER_GP,
        "MONTHLY_SUMMARY_EN_REMINDER",
        &[],
        &["SECRETARY"],
    );

    assert_eq!(counts(&app, &token, GP).await, (3, 3));
    // the app's two queries: by name (2) and by roles (1)
    let by_me = search(
        &app,
        &token,
        &format!("tenantId={GP}&eventType=SYSTEMGENERATED&recepients={}&status=READ,ACTIVE&offset=0&limit=10", me.uuid),
    )
    .await;
    assert_eq!(by_me["totalCount"], 2);
    let by_role = search(
        &app,
        &token,
        &format!(
            "tenantId={GP}&eventType=SYSTEMGENERATED&roles=SECRETARY,GP_ADMIN&status=READ,ACTIVE"
        ),
    )
    .await;
    assert_eq!(by_role["totalCount"], 1);
    crate::app_models::assert_parses("EventsList", &by_role);
    assert_eq!(by_role["events"][0]["id"], to_role);
    assert_eq!(
        by_role["events"][0]["recepient"]["toRoles"],
        json!(["SECRETARY"])
    );

    // the app closes a card by sending it back READ
    let mut item = by_me["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == a)
        .unwrap()
        .clone();
    item["status"] = json!("READ");
    let (s, v) = app
        .post(
            &format!("{EV}/_update"),
            json!({"RequestInfo": ri(&token), "events": [item]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["events"][0]["status"], "READ");
    assert_eq!(counts(&app, &token, GP).await, (3, 2));
    // the home screen's query (no status) shows the unread ones
    let home = search(
        &app,
        &token,
        &format!("tenantId={GP}&recepients={}", me.uuid),
    )
    .await;
    assert_eq!(home["totalCount"], 1);

    // a colleague with the same role sees the role's event only, and their state is their own
    assert_eq!(counts(&app, &mate, GP).await, (1, 1));
    let v = search(
        &app,
        &mate,
        &format!("tenantId={GP}&recepients={}", me.uuid),
    )
    .await;
    assert_eq!(
        v["totalCount"], 0,
        "another person's events by their id: {v}"
    );
    let (s, v) = app
        .post(
            &format!("{EV}/_update"),
            json!({"RequestInfo": ri(&mate), "events": [{"id": a, "tenantId": GP, "status": "INACTIVE"}]}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, _) = app
        .post(
            &format!("{EV}/_update"),
            json!({"RequestInfo": ri(&mate), "events": [{"id": to_role, "tenantId": GP, "status": "INACTIVE"}]}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(counts(&app, &mate, GP).await, (0, 0));
    assert_eq!(counts(&app, &token, GP).await, (3, 2));

    // another GP's token: refused on this GP, and sees nothing of it on its own
    let (s, _) = app
        .post(
            &format!("{EV}/_search?tenantId={GP}&recepients={}", me.uuid),
            json!({"RequestInfo": ri(&other_gp)}),
        )
        .await;
    assert_eq!(s, 403);
    let v = search(
        &app,
        &other_gp,
        &format!(
            "tenantId={OTHER_GP}&recepients={}&status=READ,ACTIVE,INACTIVE",
            me.uuid
        ),
    )
    .await;
    assert_eq!(v["totalCount"], 0, "{v}");
    let v = search(
        &app,
        &other_gp,
        &format!("tenantId={OTHER_GP}&status=READ,ACTIVE"),
    )
    .await;
    assert_eq!(v["totalCount"], 1, "its own GP's role event: {v}");
    assert_ne!(v["events"][0]["id"], to_role);
    let (s, _) = app
        .post(
            &format!("{EV}/_update"),
            json!({"RequestInfo": ri(&other_gp), "events": [{"id": to_role, "tenantId": OTHER_GP, "status": "READ"}]}),
        )
        .await;
    assert_eq!(s, 400);

    // bad input: 4xx, never 500
    for (q, body) in [
        (format!("_search?tenantId={GP}&status=GONE"), json!({})),
        (format!("_search?tenantId={GP}&ids=xyz"), json!({})),
        (
            "_update".to_owned(),
            json!({"events": [{"id": "nope", "tenantId": GP, "status": "READ"}]}),
        ),
        (
            "_update".to_owned(),
            json!({"events": [{"id": a, "tenantId": GP, "status": "DELETED"}]}),
        ),
        ("_update".to_owned(), json!({"events": "x"})),
    ] {
        let mut body = body;
        body["RequestInfo"] = ri(&token);
        let (s, v) = app.post(&format!("{EV}/{q}"), body).await;
        assert_eq!(s, 400, "{q}: {v}");
    }
    assert_eq!(counts(&app, &token, GP).await, (3, 2));

    // last access: the ResponseInfo itself
    let (s, v) = app
        .post(
            &format!("{EV}/lat/_update"),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "successful");
    let mut c = app.db.conn();
    assert!(events::last_access(&mut c, me.uuid).unwrap().is_some());
}

#[actix_web::test]
async fn the_bell_counts_the_unread_and_the_page_reads_and_closes_them() {
    let app = TestApp::new();
    let me = app.employee("9817000041", &["SECRETARY"], Some("Secret@123"));
    mark_password_changed(&app, me.id);
    let sid = session_of(&log_in(&app, "9817000041", "Secret@123").await);
    for code in [
        "NEW_ENPENDITURE_EN_REMINDER",
        "MARK_PAID_BILL_EN_REMINDER",
        "MONTHLY_SUMMARY_EN_REMINDER",
    ] {
        raise(&app, GP, code, &[me.uuid], &[]);
    }
    let home = get(&app, "/home", Some(&sid)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body
            .contains(r#"<span class="badge" id="unread" title="3 unread">3</span>"#),
        "{}",
        home.body
    );

    let page = get(&app, "/home/notifications", Some(&sid)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("class=\"badge\"").count(), 3, "all new");
    assert!(
        page.body
            .contains("4 expenditure bills are awaiting payment confirmation"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"href="/home/addExpense""#));
    // opened: read, the bell is quiet; the cards stay, without the badge
    let home = get(&app, "/home", Some(&sid)).await;
    assert!(!home.body.contains(r#"id="unread""#), "{}", home.body);
    let page = get(&app, "/home/notifications", Some(&sid)).await;
    assert_eq!(page.body.matches("data-event=").count(), 3);
    assert_eq!(page.body.matches("class=\"badge\"").count(), 0);
    let first = page.body.split("data-event=\"").nth(1).unwrap()[..36].to_owned();
    // closing one: gone from the list
    let closed = post(
        &app,
        "/home/notifications/close",
        &format!("_csrf={CSRF}&id={first}&page=1"),
        Some(&sid),
    )
    .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let page = get(&app, "/home/notifications", Some(&sid)).await;
    assert_eq!(page.body.matches("data-event=").count(), 2);
    assert!(!page.body.contains(&first));
    // another person's event cannot be closed by guessing its id
    let other = raise(
        &app,
        GP,
        "NEW_ENPENDITURE_EN_REMINDER",
        &[app.employee("9817000042", &["SECRETARY"], None).uuid],
        &[],
    );
    let refused = post(
        &app,
        "/home/notifications/close",
        &format!("_csrf={CSRF}&id={other}"),
        Some(&sid),
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let refused = post(
        &app,
        "/home/notifications/close",
        &format!("_csrf={CSRF}&id=zz"),
        Some(&sid),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
}
