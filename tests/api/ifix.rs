//! The iFIX fiscal-event export (issue 16, item 6; product.md §5.3) against a local iFIX double
//! over real HTTP: a water demand becomes a Demand event, an expense bill a Bill event, a water
//! receipt a Receipt event and an expense payment a Payment event; each amount exact and with
//! its chart-of-accounts code; each pushed once; a push the double refuses is tried again.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::Value;

use crate::citizen::{household_170, pay_cash};
use crate::expense_reports::{bill, vendor};
use crate::helpers::*;
use mgramseva::jobs::{self, JobArgs};
use mgramseva::municipal::ifix::{push::Pusher, service};

/// The iFIX double: answers the first `fail_first` pushes with a 500, then 202; keeps every
/// request (the bearer token and body) it got.
#[derive(Default)]
struct Seen {
    fail_first: usize,
    calls: usize,
    accepted: Vec<Value>,
    tokens: Vec<String>,
}

fn start(seen: Arc<Mutex<Seen>>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let seen = seen.clone();
                App::new().route(
                    "/ifix/events/v1/_push",
                    web::post().to(move |req: HttpRequest, body: web::Json<Value>| {
                        let seen = seen.clone();
                        async move {
                            let mut s = seen.lock().unwrap();
                            s.calls += 1;
                            s.tokens.push(
                                req.headers()
                                    .get("authorization")
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_owned(),
                            );
                            if s.calls <= s.fail_first {
                                return HttpResponse::InternalServerError()
                                    .json(serde_json::json!({"Errors": [{"code": "DOWN"}]}));
                            }
                            s.accepted.push(body.into_inner());
                            HttpResponse::Accepted().json(
                                serde_json::json!({"responseHeader": {"status": "successful"}}),
                            )
                        }
                    }),
                )
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
            let _ = tx.send(server.addrs()[0].port());
            let _ = server.run().await;
        });
    });
    let port = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    format!("http://127.0.0.1:{port}/ifix")
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Status {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn statuses(app: &TestApp) -> Vec<(String, i64)> {
    diesel::sql_query(
        "SELECT status, count(*) AS n FROM ifix_event GROUP BY status ORDER BY status",
    )
    .load::<Status>(&mut app.db.conn())
    .unwrap()
    .into_iter()
    .map(|s| (s.status, s.n))
    .collect()
}

/// The amount details of the accepted event of this type (and reference): (tax head, amount,
/// COA code), and the event.
fn event(seen: &Seen, kind: &str, reference: &str) -> (Vec<(String, String, String)>, Value) {
    let e = seen
        .accepted
        .iter()
        .map(|b| b["fiscalEvent"][0].clone())
        .find(|e| e["eventType"] == kind && e["parentReferenceId"] == reference)
        .unwrap_or_else(|| panic!("no {kind} event for {reference}"));
    let lines = e["amountDetails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["taxHeadCode"].as_str().unwrap().to_owned(),
                l["amount"].to_string(),
                l["coaCode"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (lines, e)
}

fn line(h: &str, a: &str, c: &str) -> (String, String, String) {
    (h.to_owned(), a.to_owned(), c.to_owned())
}

#[actix_web::test]
async fn demands_bills_receipts_and_payments_are_pushed_once_with_their_accounts() {
    let seen = Arc::new(Mutex::new(Seen {
        fail_first: 1,
        ..Seen::default()
    }));
    let url = start(seen.clone());
    let app = TestApp::configured(|s| {
        s.ifix.adapter = "http".to_owned();
        s.ifix.url = url.clone();
        s.ifix.token = mgramseva::config::Secret::new("ifix-test-token");
        s.ifix.max_attempts = 3;
    });
    // a water household owing ₹120 arrears and ₹50 this month, ₹100 paid; a ₹1,200 salary
    // bill paid when entered
    let (no, _) = household_170(&app, "9876541001").await;
    let (_, receipt) = pay_cash(
        &app,
        &app.login("9841000301", &["COLLECTION_OPERATOR"]),
        &no,
        100,
    )
    .await;
    let v = vendor(&app, "Baldev Traders", "9876541002");
    let eb = bill(&app, v, "SALARY", 1200, true);

    let out = jobs::run_blocking(&app.state, "ifix-export", &JobArgs::default()).unwrap();
    assert!(
        out.contains(
            "2 demand, 1 bill, 1 receipt, 1 payment events made; 4 pushed, 1 to retry, 0 given up"
        ),
        "{out}"
    );
    assert_eq!(
        statuses(&app),
        [("pending".into(), 1), ("pushed".into(), 4)]
    );

    // again at once: nothing new, the refused one still waits its turn
    let out = jobs::run_blocking(&app.state, "ifix-export", &JobArgs::default()).unwrap();
    assert!(
        out.contains("0 demand, 0 bill, 0 receipt, 0 payment events made; 0 pushed"),
        "{out}"
    );
    // its wait (1 minute) over: pushed
    let pusher =
        Pusher::from_settings(&app.state.settings.ifix, &app.state.settings.outbound).unwrap();
    let later = Utc::now() + chrono::Duration::minutes(2);
    let p =
        service::push_due(&mut app.db.conn(), &pusher, &app.state.settings.ifix, later).unwrap();
    assert_eq!((p.pushed, p.retry, p.failed), (1, 0, 0));
    assert_eq!(statuses(&app), [("pushed".into(), 5)]);
    let p =
        service::push_due(&mut app.db.conn(), &pusher, &app.state.settings.ifix, later).unwrap();
    assert_eq!(p.pushed, 0, "never twice");

    let s = seen.lock().unwrap();
    assert_eq!((s.calls, s.accepted.len()), (6, 5));
    assert!(s.tokens.iter().all(|t| t == "Bearer ifix-test-token"));
    let mut ids: Vec<String> = s
        .accepted
        .iter()
        .map(|b| {
            b["fiscalEvent"][0]["referenceId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each record once");

    // the water demands: arrears and this month's charge
    let demands: Vec<_> = s
        .accepted
        .iter()
        .map(|b| b["fiscalEvent"][0].clone())
        .filter(|e| e["eventType"] == "Demand")
        .collect();
    let mut lines: Vec<_> = demands
        .iter()
        .flat_map(|e| e["amountDetails"].as_array().unwrap().clone())
        .map(|l| {
            line(
                l["taxHeadCode"].as_str().unwrap(),
                &l["amount"].to_string(),
                l["coaCode"].as_str().unwrap(),
            )
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            line("10101", "50.0", "0215-01-103-00-00-00"),
            line("10102", "120.0", "0215-01-103-00-00-00")
        ]
    );
    let (_, e) = event(&s, "Demand", &no);
    assert_eq!(
        (&e["tenantId"], &e["projectId"]),
        (&"pb".into(), &"7374".into())
    );
    assert_eq!(e["attributes"]["tenantId"], GP);
    assert!(e["amountDetails"][0]["fromBillingPeriod"].is_i64());

    // the receipt: ₹100 spread on the lines it paid, exact
    let (lines, e) = event(&s, "Receipt", &receipt);
    let total: rust_decimal::Decimal = lines
        .iter()
        .map(|l| l.1.parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(total, rust_decimal::Decimal::from(100), "{lines:?}");
    assert!(
        lines.iter().all(|l| l.2 == "0215-01-103-00-00-00"),
        "{lines:?}"
    );
    assert_eq!(e["attributes"]["amountPaid"], 100.0);
    assert_eq!(e["attributes"]["paymentMode"], "CASH");

    // the expense bill and its payment
    let (lines, _) = event(&s, "Bill", &eb);
    assert_eq!(lines, [line("20201", "1200.0", "2215-01-101-01-00-01")]);
    let payment = s
        .accepted
        .iter()
        .map(|b| b["fiscalEvent"][0].clone())
        .find(|e| e["eventType"] == "Payment")
        .unwrap();
    assert_eq!(payment["attributes"]["consumerCode"], eb.as_str());
    assert_eq!(payment["amountDetails"][0]["amount"], 1200.0);
    assert_eq!(
        payment["amountDetails"][0]["coaCode"],
        "2215-01-101-01-00-01"
    );
    assert_eq!(s.accepted[0]["requestHeader"]["version"], "v1");
}

#[actix_web::test]
async fn a_push_refused_every_time_is_given_up_and_the_run_fails_visibly() {
    let seen = Arc::new(Mutex::new(Seen {
        fail_first: usize::MAX,
        ..Seen::default()
    }));
    let url = start(seen.clone());
    let app = TestApp::configured(|s| {
        s.ifix.adapter = "http".to_owned();
        s.ifix.url = url.clone();
        s.ifix.max_attempts = 2;
    });
    household_170(&app, "9876541101").await;
    let out = jobs::run_blocking(&app.state, "ifix-export", &JobArgs::default()).unwrap();
    assert!(
        out.contains("2 demand") && out.contains("2 to retry"),
        "{out}"
    );
    let pusher =
        Pusher::from_settings(&app.state.settings.ifix, &app.state.settings.outbound).unwrap();
    let later = Utc::now() + chrono::Duration::minutes(5);
    let p =
        service::push_due(&mut app.db.conn(), &pusher, &app.state.settings.ifix, later).unwrap();
    assert_eq!((p.pushed, p.failed), (0, 2));
    assert!(p.errors[0].contains("HTTP 500"), "{:?}", p.errors);
    assert_eq!(statuses(&app), [("failed".into(), 2)]);
    assert_eq!(seen.lock().unwrap().calls, 4);

    // with the adapter "none", events are kept and marked recorded
    let quiet = TestApp::new();
    household_170(&quiet, "9876541102").await;
    let out = jobs::run_blocking(&quiet.state, "ifix-export", &JobArgs::default()).unwrap();
    assert!(out.contains("2 pushed"), "{out}");
    assert_eq!(statuses(&quiet), [("recorded".into(), 2)]);
    // a wrong adapter name is refused
    let mut bad = quiet.state.settings.ifix.clone();
    bad.adapter = "kafka".to_owned();
    assert!(Pusher::from_settings(&bad, &quiet.state.settings.outbound).is_err());
}
