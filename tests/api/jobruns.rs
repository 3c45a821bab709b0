//! Job runs (issue 16, item 6): every run, by hand or by schedule, is recorded with its outcome
//! (ok with its summary, failed with its error, skipped when another holds the job's lock, and
//! an interrupted run closed by the next); the configuration switches jobs on and off; the state
//! admin's jobs page shows them, GP staff never see it.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::expense_pages::staff_session;
use crate::helpers::*;
use crate::pages::get;
use mgramseva::config::JobsSettings;
use mgramseva::jobs::{self, JobArgs, runs};

fn history(app: &TestApp, job: &str) -> Vec<runs::Run> {
    runs::history(&mut app.db.conn(), job, 10, 0).unwrap()
}

#[test]
fn every_run_is_recorded_ok_failed_skipped_or_interrupted() {
    let app = TestApp::new();

    // ok, by hand, with its summary and end
    let out = jobs::run_blocking(&app.state, "refresh-caches", &JobArgs::default()).unwrap();
    let h = history(&app, "refresh-caches");
    assert_eq!(h.len(), 1);
    let r = &h[0];
    assert_eq!((r.outcome.as_str(), r.trigger.as_str()), ("ok", "hand"));
    assert!(out.ends_with(&r.summary), "{out} / {}", r.summary);
    assert!(r.summary.contains("action URLs"), "{}", r.summary);
    assert!(r.finished_at.unwrap() >= r.started_at);
    assert_eq!(r.error, None);

    // failed: the error is kept, the start was committed before the job ran
    let bad = JobArgs {
        tenant: Some(GP.to_owned()),
        period: Some("last-year".to_owned()),
    };
    let err = jobs::run_blocking(&app.state, "bulk-demand", &bad).unwrap_err();
    let h = history(&app, "bulk-demand");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].outcome, "failed");
    assert_eq!(h[0].args, format!("--tenant {GP} --period last-year"));
    let e = h[0].error.clone().unwrap();
    assert!(e.contains("--period \"last-year\""), "{e} / {err:#}");
    assert!(h[0].finished_at.is_some());

    // skipped: another session holds the job's lock
    let mut other = app.db.conn();
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(jobs::lock_key("ledger-check"))
        .execute(&mut other)
        .unwrap();
    let out = jobs::run_blocking(&app.state, "ledger-check", &JobArgs::default()).unwrap();
    assert!(out.contains("skipped"), "{out}");
    let h = history(&app, "ledger-check");
    assert_eq!(
        (h.len(), h[0].outcome.as_str()),
        (1, "skipped-locked"),
        "{h:?}"
    );
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(jobs::lock_key("ledger-check"))
        .execute(&mut other)
        .unwrap();
    jobs::run_blocking(&app.state, "ledger-check", &JobArgs::default()).unwrap();
    let h = history(&app, "ledger-check");
    assert_eq!(
        h.iter().map(|r| r.outcome.as_str()).collect::<Vec<_>>(),
        ["ok", "skipped-locked"]
    );

    // a run whose process died stays "running" until the next run of the job closes it
    diesel::sql_query("INSERT INTO job_run (job, trigger) VALUES ('pii-rotate', 'schedule')")
        .execute(&mut other)
        .unwrap();
    assert_eq!(history(&app, "pii-rotate")[0].outcome, "running");
    jobs::run_blocking(&app.state, "pii-rotate", &JobArgs::default()).unwrap();
    let h = history(&app, "pii-rotate");
    assert_eq!(
        h.iter().map(|r| r.outcome.as_str()).collect::<Vec<_>>(),
        ["ok", "failed"]
    );
    assert!(h[1].error.as_deref().unwrap().starts_with("interrupted"));

    // the latest run of each job
    let latest = runs::latest(&mut app.db.conn()).unwrap();
    let of = |j: &str| latest.iter().find(|r| r.job == j).unwrap().outcome.clone();
    assert_eq!(of("ledger-check"), "ok");
    assert_eq!(of("bulk-demand"), "failed");
    assert_eq!(latest.len(), 4, "{latest:?}");
}

#[test]
fn the_configuration_switches_jobs_on_and_off_and_names_only_real_jobs() {
    let find = |n: &str| jobs::all().iter().find(|j| j.name == n).unwrap();
    let none = JobsSettings::default();
    assert!(!jobs::is_on(find("bulk-demand"), &none), "off in Punjab");
    assert!(jobs::is_on(find("penalty"), &none));
    assert!(jobs::is_on(find("rollout-dashboard"), &none));
    let s = JobsSettings {
        enabled: vec!["bulk-demand".into(), "penalty".into()],
        disabled: vec!["penalty".into(), "ifix-export".into()],
    };
    assert!(jobs::is_on(find("bulk-demand"), &s));
    assert!(!jobs::is_on(find("penalty"), &s), "disabled wins");
    assert!(!jobs::is_on(find("ifix-export"), &s));
    assert!(jobs::check_switches(&s).is_ok());
    let typo = JobsSettings {
        enabled: vec![],
        disabled: vec!["penalties".into()],
    };
    let e = jobs::check_switches(&typo).unwrap_err().to_string();
    assert!(e.contains("penalties"), "{e}");

    // the settings read a list or a comma-separated string (the environment's form)
    let app = TestApp::configured(|s| {
        s.jobs.disabled = vec!["penalty".into()];
    });
    assert!(!jobs::is_on(find("penalty"), &app.state.settings.jobs));
    let from_text: JobsSettings = serde_json::from_value(
        serde_json::json!({"enabled": "bulk-demand, penalty", "disabled": ["pii-rotate"]}),
    )
    .unwrap();
    assert_eq!(from_text.enabled, ["bulk-demand", "penalty"]);
    assert_eq!(from_text.disabled, ["pii-rotate"]);
}

#[actix_web::test]
async fn the_state_admin_sees_the_jobs_their_switches_and_runs_gp_staff_do_not() {
    let app = TestApp::new();
    jobs::run_blocking(&app.state, "refresh-caches", &JobArgs::default()).unwrap();
    let bad = JobArgs {
        tenant: None,
        period: Some("13-2026".to_owned()),
    };
    jobs::run_blocking(&app.state, "bulk-demand", &bad).unwrap_err();

    let sid = staff_session(&app, "9841000001", &["STATE_ADMIN@pb"]).await;
    let p = get(&app, "/home/jobs", Some(&sid)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    for j in jobs::all() {
        assert!(
            p.body.contains(&format!("data-job=\"{}\"", j.name)),
            "{}",
            j.name
        );
    }
    let row = |name: &str| {
        let at = p.body.find(&format!("data-job=\"{name}\"")).unwrap();
        let end = p.body[at..].find("</tr>").unwrap();
        p.body[at..at + end].to_owned()
    };
    let r = row("refresh-caches");
    assert!(
        r.contains("data-outcome=\"ok\"") && r.contains("Done"),
        "{r}"
    );
    assert!(r.contains("0 * * * * *") && r.contains(">On<"), "{r}");
    let r = row("bulk-demand");
    assert!(
        r.contains("data-outcome=\"failed\"") && r.contains(">Off<"),
        "{r}"
    );
    assert!(row("penalty").contains("Not run yet"));
    assert!(p.body.contains("India time (IST)"));

    let p = get(&app, "/home/jobs/bulk-demand", Some(&sid)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("data-outcome=\"failed\""), "{}", p.body);
    assert!(p.body.contains("13-2026"), "the error is shown: {}", p.body);
    assert!(p.body.contains("by hand"));
    let p = get(&app, "/home/jobs/no-such-job", Some(&sid)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // in Punjabi
    let p = crate::pages::call_in(
        &app,
        actix_web::test::TestRequest::get().uri("/home/jobs"),
        Some(&sid),
        "pa",
    )
    .await;
    assert!(
        p.body.contains("ਨਿਯਤ ਕੰਮ") && p.body.contains("ਪੂਰਾ ਹੋਇਆ"),
        "{}",
        p.body
    );

    // GP staff: no jobs page, no tile
    let gp = staff_session(&app, "9841000002", &["SECRETARY", "GP_ADMIN"]).await;
    for path in ["/home/jobs", "/home/jobs/penalty"] {
        let p = get(&app, path, Some(&gp)).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
    }
    let home = get(&app, "/home", Some(&gp)).await;
    assert!(!home.body.contains("/home/jobs"));
    let home = get(&app, "/home", Some(&sid)).await;
    assert!(home.body.contains("href=\"/home/jobs\""), "{}", home.body);
}
