//! Operations: health, readiness, a pool that cannot serve, jobs, the command line.

use std::time::Duration;

use mgramseva::jobs::{self, JobArgs};

use crate::helpers::*;

#[actix_web::test]
async fn health_and_readiness() {
    let app = TestApp::new();
    let (s, v) = app.get("/healthz").await;
    assert_eq!((s.as_u16(), v["status"].as_str()), (200, Some("UP")));
    let (s, v) = app.get("/readyz").await;
    assert_eq!((s.as_u16(), v["status"].as_str()), (200, Some("READY")));
}

#[actix_web::test]
async fn an_exhausted_pool_is_503_not_a_hang() {
    let app = TestApp::with_db(TestDb::with_pool(1, Duration::from_millis(300)));
    let held = app.db.pool().get().unwrap();
    let started = std::time::Instant::now();
    let (s, v) = app.get("/readyz").await;
    assert_eq!(s, 503, "{v}");
    assert_eq!(code(&v), "ServiceUnavailable");
    assert!(started.elapsed() < Duration::from_secs(5));
    let (s, v) = app
        .post(
            "/mdms-v2/v1/_search",
            serde_json::json!({"MdmsCriteria": {"tenantId": "pb", "moduleDetails": []}}),
        )
        .await;
    assert_eq!(s, 503, "{v}");
    drop(held);
    assert_eq!(app.get("/readyz").await.0, 200);
}

#[actix_web::test]
async fn jobs_run_by_name_and_unknown_names_are_refused() {
    let app = TestApp::new();
    let out = jobs::run_blocking(&app.state, "refresh-caches", &JobArgs::default()).unwrap();
    assert!(out.starts_with("refresh-caches: "), "{out}");
    assert!(out.contains(" messages"), "{out}");
    let err = jobs::run_blocking(&app.state, "no-such-job", &JobArgs::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("refresh-caches"), "lists the jobs: {err}");
}

#[test]
fn the_binary_lists_its_jobs() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mgramseva"))
        .args(["job", "list"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("refresh-caches"));
}

#[test]
fn demo_prints_logins_and_a_second_run_reuses_everything() {
    let db = TestDb::new();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_mgramseva"))
            .arg("demo")
            .env("DATABASE_URL", &db.url)
            .env("APP_ENV", "test")
            .output()
            .unwrap()
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(out.contains("9000000001"), "{out}");
    assert!(out.contains("pb.lodhipur"), "{out}");
    let second = run();
    assert!(second.status.success());
    let out2 = String::from_utf8_lossy(&second.stdout);
    assert!(out2.contains("already loaded"), "{out2}");
    use diesel::prelude::*;
    let n: i64 = mgramseva::db::schema::user_account::table
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(n, 5, "no duplicate demo users");
}
