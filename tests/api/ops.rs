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
    // The wait is what a held pool costs; long enough that building the state (which takes the
    // one connection once) does not time out on a loaded CI machine.
    let app = TestApp::with_db(TestDb::with_pool(1, Duration::from_secs(2)));
    let held = app.db.pool().get().unwrap();
    let started = std::time::Instant::now();
    let (s, v) = app.get("/readyz").await;
    assert_eq!(s, 503, "{v}");
    assert_eq!(code(&v), "ServiceUnavailable");
    assert!(started.elapsed() < Duration::from_secs(10));
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
    // the roll-ups the views read are filled at once: both demo GPs on the roll-out dashboard
    assert!(out.contains("rollout-dashboard:"), "{out}");
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let gps: N = diesel::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT count(DISTINCT tenant_id) AS n FROM rollout_dashboard
              WHERE tenant_id IN ('pb.lodhipur', 'pb.abianakalan')",
        ),
        &mut db.conn(),
    )
    .unwrap();
    assert_eq!(gps.n, 2);
    // and on the division and state views' roll-up, with their months
    assert!(out.contains("state-view:"), "{out}");
    let gps: N = diesel::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT count(DISTINCT tenant_id) AS n FROM stateview_gp_month
              WHERE tenant_id IN ('pb.lodhipur', 'pb.abianakalan') AND demand > 0",
        ),
        &mut db.conn(),
    )
    .unwrap();
    assert_eq!(gps.n, 2);
    use diesel::prelude::*;
    let users = || -> i64 {
        mgramseva::db::schema::user_account::table
            .count()
            .get_result(&mut db.conn())
            .unwrap()
    };
    let after_first = users();
    let second = run();
    assert!(second.status.success());
    let out2 = String::from_utf8_lossy(&second.stdout);
    assert!(out2.contains("already loaded"), "{out2}");
    // five staff and the households' holders, made once
    assert!(after_first > 5, "{after_first} users");
    assert_eq!(users(), after_first, "no duplicate demo users");
}

/// An MDMS search: open, and it reads `mdms_tenant` on a pooled connection.
async fn mdms_search(app: &TestApp) -> Resp {
    app.post(
        "/mdms-v2/v1/_search",
        serde_json::json!({"MdmsCriteria": {"tenantId": "pb", "moduleDetails": []}}),
    )
    .await
}

/// Security review 10, finding 12: during a PostgreSQL restart requests got 500. The app's
/// backends are terminated (as a restart or an administrator does): the request that finds its
/// connection dead is answered 503 (retryable), the dead connections leave the pool, and the
/// requests after it work.
#[actix_web::test]
async fn a_lost_database_connection_is_503_and_the_next_request_works() {
    use diesel::prelude::*;
    let app = TestApp::new();
    // a few connections opened and idle in the pool
    let warm = futures_util::future::join_all((0..4).map(|_| mdms_search(&app))).await;
    assert!(warm.iter().all(|(s, _)| *s == 200), "{warm:?}");
    let mut side = app.db.conn();
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        #[expect(dead_code, reason = "the call is what matters")]
        terminated: bool,
    }
    let killed: Vec<Pid> = diesel::sql_query(
        "SELECT pid, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity \
          WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .load(&mut side)
    .unwrap();
    assert!(!killed.is_empty(), "the app had connections to terminate");
    // wait until those backends are gone
    let pids: Vec<i32> = killed.iter().map(|p| p.pid).collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left: i64 = diesel::dsl::select(
            diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(",
            )
            .bind::<diesel::sql_types::Array<diesel::sql_types::Integer>, _>(&pids)
            .sql("))"),
        )
        .get_result(&mut side)
        .unwrap();
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the backends never exited"
        );
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    let (s, v) = mdms_search(&app).await;
    assert!(
        s == 200 || (s == 503 && code(&v) == "ServiceUnavailable"),
        "never a 500: {s} {v}"
    );
    for _ in 0..5 {
        let (s, v) = mdms_search(&app).await;
        assert_eq!(s, 200, "the dead connections left the pool: {v}");
    }
}

/// Security review 10, finding 18: a request waiting on a table lock held a pool connection for
/// 29 s. With a small `lock_timeout` (and, apart, a small `statement_timeout`) the request gives
/// up within about that time with a 503 (retryable), and its connection is free again.
#[actix_web::test]
async fn a_request_waiting_on_a_lock_gives_up_with_503_and_frees_its_connection() {
    use diesel::connection::SimpleConnection as _;
    use mgramseva::db::SessionLimits;
    for limits in [
        SessionLimits {
            statement_timeout_ms: 0,
            lock_timeout_ms: 300,
        },
        SessionLimits {
            statement_timeout_ms: 1000,
            lock_timeout_ms: 0,
        },
    ] {
        let app = TestApp::with_db(TestDb::with_limits(1, Duration::from_secs(10), limits));
        assert_eq!(mdms_search(&app).await.0, 200);
        // another session holds the table the request needs
        let mut side = app.db.conn();
        side.batch_execute("BEGIN; LOCK TABLE mdms_tenant IN ACCESS EXCLUSIVE MODE")
            .unwrap();
        let started = std::time::Instant::now();
        let (s, v) = actix_web::rt::time::timeout(Duration::from_secs(20), mdms_search(&app))
            .await
            .unwrap_or_else(|_| panic!("{limits:?}: still waiting after 20 s"));
        let took = started.elapsed();
        assert_eq!(
            (s.as_u16(), code(&v)),
            (503, "ServiceUnavailable"),
            "{limits:?}: {v}"
        );
        assert!(took < Duration::from_secs(5), "{limits:?}: {took:?}");
        // the pool's one connection is back, idle and alive
        let st = app.db.pool().state();
        assert_eq!((st.connections, st.idle_connections), (1, 1), "{limits:?}");
        side.batch_execute("ROLLBACK").unwrap();
        assert_eq!(mdms_search(&app).await.0, 200, "{limits:?}");
    }
}

/// Long, legitimate work is not cut by the session limits: a statement longer than the pool's
/// `statement_timeout` runs under `db::without_limits` (what jobs, migrations and the seed use),
/// and the connection gets its limits back afterwards.
#[actix_web::test]
async fn long_work_runs_without_the_session_limits_and_gives_them_back() {
    use diesel::prelude::*;
    let db = TestDb::with_limits(
        1,
        Duration::from_secs(10),
        mgramseva::db::SessionLimits {
            statement_timeout_ms: 1000,
            lock_timeout_ms: 567,
        },
    );
    #[derive(QueryableByName)]
    struct Limits {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        lock: String,
    }
    let limits = |c: &mut PgConnection| -> (String, String) {
        let l: Limits = diesel::sql_query(
            "SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock",
        )
        .get_result(c)
        .unwrap();
        (l.statement, l.lock)
    };
    let sleep = |c: &mut PgConnection| diesel::sql_query("SELECT pg_sleep(1.5)").execute(c);
    let mut c = db.pool().get().unwrap();
    assert_eq!(limits(&mut c), ("1s".to_owned(), "567ms".to_owned()));
    let cut = mgramseva::error::AppError::from(sleep(&mut c).unwrap_err());
    assert_eq!(cut.code(), "ServiceUnavailable", "{cut}");
    let inside = mgramseva::db::without_limits(&mut c, |c| (limits(c), sleep(c).is_ok())).unwrap();
    assert_eq!(inside, (("0".to_owned(), "0".to_owned()), true));
    assert_eq!(limits(&mut c), ("1s".to_owned(), "567ms".to_owned()));
    // and a job runs on its connection the same way
    drop(c);
    let app = TestApp::with_db(db);
    let out = jobs::run_blocking(&app.state, "ledger-check", &JobArgs::default()).unwrap();
    assert!(out.contains("no difference"), "{out}");
    assert_eq!(
        limits(&mut app.db.pool().get().unwrap()),
        ("1s".to_owned(), "567ms".to_owned())
    );
}
