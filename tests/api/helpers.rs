//! The test harness: a fresh database per test, cloned from a template that is migrated and seeded
//! once per schema version, and the whole app driven in process.
//!
//! `TEST_DATABASE_URL` points at the maintenance database of a throwaway cluster
//! (`scripts/test.sh` starts one). The template is named after a hash of `migrations/` and
//! `data/`, so an edited migration or master file gets a new one automatically.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test;
use chrono::Utc;
use diesel::prelude::*;
use mgramseva::config::{Secret, Settings};
use mgramseva::db::DbPool;
use mgramseva::platform::access::identity::TenantRole;
use mgramseva::platform::{seed, user};
use mgramseva::state::AppState;
use serde_json::Value;

pub const STATE: &str = "pb";
pub const GP: &str = "pb.lodhipur";
pub const OTHER_GP: &str = "pb.kalwan";

pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").expect(
        "TEST_DATABASE_URL is not set: run the tests with ./scripts/test.sh, which starts a throwaway PostgreSQL",
    )
}

fn with_db(url: &str, db: &str) -> String {
    let (base, _) = url
        .rsplit_once('/')
        .expect("TEST_DATABASE_URL has a database name");
    format!("{base}/{db}")
}

pub fn template_name() -> String {
    format!("mgs_tpl_{}", env!("MGRAMSEVA_SCHEMA_HASH"))
}

static TEMPLATE: OnceLock<String> = OnceLock::new();
static TEMPLATE_LOCK: Mutex<()> = Mutex::new(());

/// Creates the template once (across threads and processes, under an advisory lock).
pub fn template() -> &'static str {
    TEMPLATE.get_or_init(|| {
        let _g = TEMPLATE_LOCK.lock().unwrap();
        let admin = admin_url();
        let name = template_name();
        let mut conn = PgConnection::establish(&admin).expect("connect to the test cluster");
        diesel::sql_query("SELECT pg_advisory_lock(7240002)")
            .execute(&mut conn)
            .unwrap();
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let exists: N = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
        ))
        .get_result(&mut conn)
        .unwrap();
        if exists.n == 0 {
            let tmp = format!("{name}_tmp");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {tmp}"))
                .execute(&mut conn)
                .unwrap();
            diesel::sql_query(format!("CREATE DATABASE {tmp}"))
                .execute(&mut conn)
                .unwrap();
            {
                let mut t = PgConnection::establish(&with_db(&admin, &tmp)).unwrap();
                mgramseva::db::run_migrations(&mut t).unwrap();
                seed::load(&mut t, &seed::Source::Embedded, STATE, false).unwrap();
                t.transaction(|c| mgramseva::platform::localization::service::seed(c, STATE))
                    .unwrap();
            }
            diesel::sql_query(format!("ALTER DATABASE {tmp} RENAME TO {name}"))
                .execute(&mut conn)
                .unwrap();
        }
        diesel::sql_query("SELECT pg_advisory_unlock(7240002)")
            .execute(&mut conn)
            .unwrap();
        name
    })
}

/// A database of its own for one test, dropped at the end.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub pool: Option<DbPool>,
}

impl TestDb {
    pub fn new() -> Self {
        Self::with_pool(8, Duration::from_secs(10))
    }

    /// With the session limits of the configuration (`database.statement_timeout_ms`, ...).
    pub fn with_pool(size: u32, timeout: Duration) -> Self {
        let d = Settings::load_for("test").unwrap().database;
        Self::with_limits(
            size,
            timeout,
            mgramseva::db::SessionLimits {
                statement_timeout_ms: d.statement_timeout_ms,
                lock_timeout_ms: d.lock_timeout_ms,
            },
        )
    }

    pub fn with_limits(size: u32, timeout: Duration, limits: mgramseva::db::SessionLimits) -> Self {
        let tpl = template();
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = admin_url();
        let mut conn = PgConnection::establish(&admin).unwrap();
        diesel::sql_query(format!(
            "CREATE DATABASE {name} TEMPLATE {tpl} STRATEGY FILE_COPY"
        ))
        .execute(&mut conn)
        .unwrap();
        let url = with_db(&admin, &name);
        let pool = mgramseva::db::build_pool(&url, size, timeout, limits).unwrap();
        Self {
            name,
            url,
            pool: Some(pool),
        }
    }

    pub fn pool(&self) -> DbPool {
        self.pool.clone().unwrap()
    }

    pub fn conn(&self) -> PgConnection {
        PgConnection::establish(&self.url).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop(self.pool.take());
        if std::env::var_os("KEEP_TEST_DB").is_some() && std::thread::panicking() {
            eprintln!("kept test database {}", self.name);
            return;
        }
        let _ = std::fs::remove_dir_all(files_dir(&self.name));
        if let Ok(mut c) = PgConnection::establish(&admin_url()) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut c);
        }
    }
}

pub fn settings(db_url: &str) -> Settings {
    let mut s = Settings::load_for("test").unwrap();
    s.database.url = Secret::new(db_url);
    s.scheduler.enabled = false;
    s.filestore.dir = files_dir(db_url.rsplit('/').next().unwrap_or("x"));
    s
}

/// The file store's directory of a test database (removed with it).
pub fn files_dir(db_name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mgramseva-files-{db_name}"))
}

/// The app in process over a fresh database.
pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
}

pub type Resp = (StatusCode, Value);

impl TestApp {
    pub fn new() -> Self {
        Self::with_db(TestDb::new())
    }

    pub fn with_db(db: TestDb) -> Self {
        Self::configured_db(db, |_| {})
    }

    /// The app with settings changed from the test ones.
    pub fn configured(change: impl FnOnce(&mut Settings)) -> Self {
        Self::configured_db(TestDb::new(), change)
    }

    /// Over `db`, with the test settings changed by `change`.
    fn configured_db(db: TestDb, change: impl FnOnce(&mut Settings)) -> Self {
        let mut s = settings(&db.url);
        change(&mut s);
        let state = mgramseva::build_state(s, db.pool()).unwrap();
        Self { db, state }
    }

    pub async fn call(&self, req: test::TestRequest) -> ServiceResponse<impl MessageBody> {
        let app = test::init_service(mgramseva::app(self.state.clone())).await;
        app.call(req.to_request()).await.unwrap()
    }

    pub async fn send(&self, req: test::TestRequest) -> Resp {
        let resp = self.call(req).await;
        let status = resp.status();
        let bytes = test::read_body(resp).await;
        let v = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, v)
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(test::TestRequest::post().uri(path).set_json(body))
            .await
    }

    pub async fn post_raw(&self, path: &str, body: &'static str) -> Resp {
        self.send(
            test::TestRequest::post()
                .uri(path)
                .insert_header(("content-type", "application/json"))
                .set_payload(body),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(test::TestRequest::get().uri(path)).await
    }

    pub fn identity(&self) -> user::Identity<'_> {
        user::Identity {
            crypto: &self.state.crypto,
            sec: &self.state.settings.security,
        }
    }

    /// Roles written `ROLE` (held on `GP`) or `ROLE@tenant`.
    pub fn roles(roles: &[&str]) -> Vec<TenantRole> {
        roles
            .iter()
            .map(|r| {
                let (code, t) = r.split_once('@').unwrap_or((r, GP));
                TenantRole {
                    code: code.into(),
                    tenant_id: t.into(),
                }
            })
            .collect()
    }

    /// An employee (on the state tenant) with these roles and, if given, a password.
    pub fn employee(&self, mobile: &str, roles: &[&str], password: Option<&str>) -> user::User {
        let mut c = self.db.conn();
        // Names hold letters only: the last four digits become letters (0 -> a, 1 -> b, ...).
        let letters: String = mobile
            .chars()
            .skip(6)
            .filter_map(|d| d.to_digit(10))
            .filter_map(|d| char::from_digit(d + 10, 36))
            .collect();
        let mut new = user::NewUser::employee(
            STATE,
            mobile,
            &format!("Tester {letters}"),
            Self::roles(roles),
        );
        new.password = password.map(Secret::new);
        user::create_user(&mut c, self.identity(), &new, None, Utc::now()).unwrap()
    }

    /// An employee with these roles and a live token.
    pub fn login(&self, mobile: &str, roles: &[&str]) -> String {
        let u = self.employee(mobile, roles, None);
        let mut c = self.db.conn();
        user::issue_token(&mut c, u.id, chrono::Duration::hours(1), Utc::now()).unwrap()
    }

    /// A form POST (the OAuth token call).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)], basic: Option<&str>) -> Resp {
        let body: String = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    v.replace('%', "%25")
                        .replace('+', "%2B")
                        .replace('&', "%26")
                        .replace('@', "%40")
                        .replace('#', "%23")
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let mut req = test::TestRequest::post()
            .uri(path)
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body);
        if let Some(b) = basic {
            req = req.insert_header(("authorization", format!("Basic {b}")));
        }
        self.send(req).await
    }
}

/// RequestInfo carrying a token.
pub fn ri(token: &str) -> Value {
    serde_json::json!({"apiId": "mgramseva", "ver": 1, "ts": "", "action": "_create", "msgId": "20170310130900|en_IN", "authToken": token})
}

pub fn code(v: &Value) -> &str {
    v["Errors"][0]["code"]
        .as_str()
        .unwrap_or("<no Errors[0].code>")
}

/// The fields named by every error of a 400 (`Errors[].params[0]`).
pub fn error_fields(v: &Value) -> Vec<String> {
    v["Errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["params"][0].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The holders' names of a `WaterConnection[]` answer, in order.
pub fn holder_names(v: &Value) -> Vec<String> {
    v["WaterConnection"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    c["connectionHolders"][0]["name"]
                        .as_str()
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The number of a connection just created (`wc/_create` answered 201).
pub fn created_connection_no((status, v): Resp) -> String {
    assert_eq!(status, 201, "{v}");
    v["WaterConnection"][0]["connectionNo"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Today in India (the GPs' day).
pub fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive()
}

/// Midnight of a day in India, in epoch milliseconds (the app's `dateToTimeStamp` there).
pub fn ist_ms(d: chrono::NaiveDate) -> i64 {
    mgramseva::time::ist_day_start_millis(d)
}

/// The first day of the month `n` months before this one, in India.
pub fn month_start(n: u32) -> chrono::NaiveDate {
    let mut d = mgramseva::time::month_start(today());
    for _ in 0..n {
        d = mgramseva::time::prev_month(d);
    }
    d
}

/// The amount of a demand's line for tax head `head` (null when there is none).
pub fn tax_amount(demand: &Value, head: &str) -> Value {
    demand["demandDetails"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["taxHeadMasterCode"] == head))
        .map(|l| l["taxAmount"].clone())
        .unwrap_or(Value::Null)
}

/// A flat-rate household on `GP` as a GP admin (`token`) registers it with the fewest fields:
/// a property of `name` (`mobile`) and its connection, last billed before joining at the start of
/// last month, with the connection fields of `extra` on top. Answers the connection made.
pub async fn gp_household(
    app: &TestApp,
    token: &str,
    (mobile, name, old): (&str, &str, &str),
    extra: Value,
) -> Value {
    let create = async |path: &str, key: &str, item: Value| {
        let mut body = serde_json::json!({"RequestInfo": ri(token)});
        body[key] = item;
        let (s, v) = app.post(path, body).await;
        assert_eq!(s, 201, "{v}");
        v
    };
    let property = serde_json::json!({"tenantId": GP, "propertyType": "RESIDENTIAL",
        "address": {"doorNo": "12", "street": "Gurdwara Road", "locality": {"code": "WARD1"}},
        "owners": [{"name": name, "mobileNumber": mobile, "gender": "FEMALE", "fatherOrHusbandName": "Baldev Singh"}]});
    let v = create("/property-services/property/_create", "Property", property).await;
    let pid = &v["Properties"][0]["propertyId"];
    assert!(pid.is_string(), "{v}");
    let mut wc = serde_json::json!({"tenantId": GP, "propertyId": pid, "oldConnectionNo": old,
        "connectionType": "Non_Metered", "previousReadingDate": ist_ms(month_start(1)) + 86_400_000,
        "additionalDetails": {}});
    for (k, x) in extra.as_object().expect("extra fields are a map") {
        wc[k.as_str()] = x.clone();
    }
    create("/ws-services/wc/_create", "WaterConnection", wc).await["WaterConnection"][0].clone()
}
