//! The access matrix (issue 10), generated from the route table: every declared route, every role
//! of the master data, four scenarios (a role on the own GP naming the own GP, another GP, the
//! state; a role on the state naming a GP). The expected answer comes from the route's declared
//! access class and the role-action master read from `data/mdms` (not from the code under test),
//! plus the product rules written out below for the routes whose handlers narrow further (user
//! creation, HRMS, file links). A second test sends every protected route's body naming another
//! GP under every Content-Type and checks that nothing gets through and nothing changes.

pub mod samples;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::cookie::Cookie;
use actix_web::dev::{Service as _, ServiceResponse};
use actix_web::http::Method;
use actix_web::test;
use chrono::Utc;
use diesel::prelude::*;
use mgramseva::http::routes::{Access, RouteDecl};
use serde_json::Value;

use crate::helpers::*;
use samples::{Body, Ctx, Req, Sample, World};

/// The CSRF token every page request carries (cookie and form field).
pub const CSRF: &str = "0123456789abcdef0123456789abcdef";

/// An answer, whatever its kind.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub body: String,
    pub json: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.json["Errors"][0]["code"].as_str().unwrap_or("")
    }

    pub fn brief(&self) -> String {
        let body: String = self.body.chars().take(400).collect();
        if self.location.is_empty() {
            format!("{} {body}", self.status)
        } else {
            format!("{} -> {} {body}", self.status, self.location)
        }
    }
}

pub async fn answer<B: MessageBody>(resp: ServiceResponse<B>) -> Answer {
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = test::read_body(resp).await;
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        location,
        body,
        json,
    }
}

/// The role-action master, read from the files the seed loads: action URL -> roles.
struct Master {
    grants: BTreeMap<String, BTreeSet<String>>,
    roles: Vec<String>,
}

impl Master {
    fn load() -> Self {
        let read = |f: &str| -> Vec<Value> {
            let p = format!("{}/data/mdms/{f}", env!("CARGO_MANIFEST_DIR"));
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
        };
        let url_of: BTreeMap<i64, String> = read("actions.json")
            .iter()
            .map(|a| {
                (
                    a["id"].as_i64().unwrap(),
                    a["url"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut grants: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for ra in read("role-actions.json") {
            let url = &url_of[&ra["actionId"].as_i64().unwrap()];
            grants
                .entry(url.clone())
                .or_default()
                .insert(ra["roleCode"].as_str().unwrap().to_owned());
        }
        let roles = read("roles.json")
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_owned())
            .collect();
        Self { grants, roles }
    }

    /// Whether the master maps `role` to any of `urls` (the concrete path and the route's
    /// pattern: the master spells `/collection-services/payments/WS/_search`).
    fn maps(&self, role: &str, urls: &[&str]) -> bool {
        urls.iter()
            .any(|u| self.grants.get(*u).is_some_and(|r| r.contains(role)))
    }
}

/// A role held on `holder` covers `tenant`: the same tenant, or `holder` is its state.
fn covers(holder: &str, tenant: &str) -> bool {
    holder == tenant
        || tenant
            .strip_prefix(holder)
            .is_some_and(|r| r.starts_with('.'))
}

#[derive(Clone, Copy, Debug)]
struct Scenario {
    name: &'static str,
    /// Where the caller's role is held.
    holder: &'static str,
    /// The tenant the request names (API routes).
    named: &'static str,
    /// The session's current GP (pages); none: no session at all.
    session: Option<&'static str>,
}

const SCENARIOS: [Scenario; 4] = [
    Scenario {
        name: "a (role on own GP, names own GP)",
        holder: GP,
        named: GP,
        session: Some(GP),
    },
    Scenario {
        name: "b (role on own GP, names other GP)",
        holder: GP,
        named: OTHER_GP,
        session: Some(OTHER_GP),
    },
    Scenario {
        name: "c (role on own GP, names the state; pages: no session)",
        holder: GP,
        named: STATE,
        session: None,
    },
    Scenario {
        name: "d (role on the state, names other GP)",
        holder: STATE,
        named: OTHER_GP,
        session: Some(OTHER_GP),
    },
];

/// What a request must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Through the gateway and not refused by the handler for who the caller is: anything but
    /// 401, 403 or a 5xx (a validation 4xx is fine).
    Pass,
    /// Exactly this status (product-rule routes, where the outcome is known).
    Status(u16),
    /// Refused by the gateway: 403 `CustomException`.
    Deny,
    /// No token on a route that needs one: 401.
    Unauthenticated,
    /// Refused by the handler's product rule: this status and error code.
    Rule(u16, &'static str),
    /// HRMS search and count: 200, and the named tenant's employee found (or not).
    Finds(bool),
    /// A page: shown (or its form answered, or a redirect of its own), not refused, not sent to
    /// log in or to change a first password.
    PageOk,
    /// A page refused for the role: 403 with `CORE_NOT_AUTHORIZED`.
    PageDeny,
    /// A page without a session: 303 to the login page.
    Login,
}

/// The administrators of users (product.md §1.2, HRMS; `grants.rs` is the code): the superuser
/// grants anything, the state admin division users, a division admin GP staff, each only on the
/// tenants its role is held on. The samples ask each for a role it may grant (`grant_for`).
fn administers(role: &str) -> bool {
    matches!(role, "SUPERUSER" | "STATE_ADMIN" | "DIV_ADMIN")
}

/// The oracle for API routes.
fn expect_api(decl: &RouteDecl, concrete: &str, role: &str, sc: &Scenario, m: &Master) -> Expect {
    let mapped = m.maps(role, &[concrete, decl.path]);
    let covered = covers(sc.holder, sc.named);
    match decl.access {
        // With a token, a link holder's route is a protected one.
        Access::Protected | Access::ProtectedOrLink => {
            if !(mapped && covered) {
                return Expect::Deny;
            }
            match decl.path {
                // Only user administrators create users, with roles they may grant, on tenants
                // they administer.
                "/user/users/_createnovalidate" if administers(role) => Expect::Status(200),
                "/user/users/_createnovalidate" => Expect::Rule(403, "USER_CREATE_NOT_ALLOWED"),
                // Only user administrators change users (the samples ask for what the user has).
                "/user/users/_updatenovalidate" | "/user/users/{id}/_updatenovalidate"
                    if administers(role) =>
                {
                    Expect::Status(200)
                }
                "/user/users/_updatenovalidate" | "/user/users/{id}/_updatenovalidate" => {
                    Expect::Rule(403, "USER_UPDATE_NOT_ALLOWED")
                }
                _ => Expect::Pass,
            }
        }
        Access::ActionOnly => {
            if !mapped {
                return Expect::Deny;
            }
            let admin = administers(role) && covered;
            match decl.path {
                // An employee gets only roles its maker may grant, where the maker holds its role.
                "/egov-hrms/employees/_create" if admin => Expect::Status(200),
                "/egov-hrms/employees/_create" => Expect::Rule(400, "ROLE_NOT_ALLOWED"),
                // Only who may grant every role an employee holds changes it.
                "/egov-hrms/employees/_update" if admin => Expect::Status(200),
                "/egov-hrms/employees/_update" => Expect::Rule(403, "EMPLOYEE_NOT_MANAGED"),
                // Employees are read by their administrators, HRMS admins and GP admins, on the
                // tenants those roles are held on; others get an empty answer.
                "/egov-hrms/employees/_search" | "/egov-hrms/employees/_count" => Expect::Finds(
                    covered && (administers(role) || matches!(role, "HRMS_ADMIN" | "GP_ADMIN")),
                ),
                // A person's own last look at their notifications: anyone mapped, anywhere.
                "/egov-user-event/v1/events/lat/_update" => Expect::Status(200),
                // The division and state view: the state admin on the state reads every GP, the
                // view's roles held on a GP read that GP's division (GP and OTHER_GP share one).
                "/mgramseva/state/v1/_search" => Expect::Status(200),
                other => panic!("action-only route {other}: write its product rule in the test"),
            }
        }
        // The apportion tools compute on what is posted: the superuser and the system user only.
        Access::Authenticated if decl.path.starts_with("/apportion-service/") => {
            if matches!(role, "SUPERUSER" | "SYSTEM") {
                Expect::Status(200)
            } else {
                Expect::Rule(403, "CustomException")
            }
        }
        // Every GP's bulk demand: for bulk demand's roles held on the state.
        Access::Authenticated
            if decl
                .path
                .starts_with("/ws-calculator/waterCalculator/_jobscheduler") =>
        {
            if sc.holder == STATE && m.maps(role, &["/ws-calculator/waterCalculator/_bulkDemand"]) {
                Expect::Rule(400, "INVALID_BILLING_PERIOD")
            } else {
                Expect::Rule(403, "CustomException")
            }
        }
        // The iFIX searches of the GPWSC details: another GP's village is refused by the handler
        // (the state's department and a GP's ancestors are read by that GP's staff).
        Access::Authenticated
            if decl.path.starts_with("/ifix-department-entity/")
                || decl.path.starts_with("/adapter-master-data/") =>
        {
            if covered || sc.named == STATE {
                Expect::Pass
            } else {
                Expect::Rule(403, "CustomException")
            }
        }
        // Signed links only for files of a tenant the caller holds a role on.
        Access::Mixed if decl.path == "/filestore/v1/files/url" && !covered => {
            Expect::Rule(403, "CustomException")
        }
        Access::Authenticated | Access::Open | Access::Mixed => Expect::Pass,
        Access::PublicPage | Access::Page(_) => unreachable!("pages have their own oracle"),
    }
}

/// The oracle for pages with a session on `gp` (or none).
fn expect_page(access: Access, role: &str, sc: &Scenario) -> Expect {
    match access {
        Access::PublicPage => Expect::PageOk,
        Access::Page(roles) => match sc.session {
            None => Expect::Login,
            Some(gp) if roles.is_empty() || (covers(sc.holder, gp) && roles.contains(&role)) => {
                Expect::PageOk
            }
            Some(_) => Expect::PageDeny,
        },
        other => unreachable!("not a page: {other:?}"),
    }
}

fn verdict(e: Expect, a: &Answer) -> Result<(), String> {
    let ok = match e {
        Expect::Pass => !matches!(a.status, 401 | 403) && a.status < 500,
        Expect::Status(s) => a.status == s,
        Expect::Deny => a.status == 403 && a.code() == "CustomException",
        Expect::Unauthenticated => a.status == 401,
        Expect::Rule(s, code) => a.status == s && a.code() == code,
        Expect::Finds(found) => {
            let n = a.json["totalCount"]
                .as_i64()
                .or_else(|| a.json["EmployeCount"]["totalEmployee"].as_i64());
            a.status == 200 && n == Some(i64::from(found))
        }
        Expect::PageOk => {
            !matches!(a.status, 401 | 403)
                && a.status < 500
                && !(a.status == 303
                    && (a.location.starts_with("/login?next=")
                        || a.location == "/home/first-login"))
        }
        Expect::PageDeny => a.status == 403 && a.body.contains("CORE_NOT_AUTHORIZED"),
        Expect::Login => a.status == 303 && a.location.starts_with("/login?next="),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {e:?}, got {}", a.brief()))
    }
}

/// How a request proves who sends it.
#[derive(Clone, Copy)]
enum Cred<'a> {
    None,
    Token(&'a str),
    Session(&'a str),
}

fn multipart(boundary: &str, parts: &[(&str, Option<&str>, String)]) -> Vec<u8> {
    let mut out = String::new();
    for (name, file, content) in parts {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        ));
        if let Some(f) = file {
            out.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: text/csv"));
        }
        out.push_str(&format!("\r\n\r\n{content}\r\n"));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out.into_bytes()
}

/// The request of a sample, with its credential: API tokens in RequestInfo (JSON bodies) or the
/// `auth-token` header; pages with the CSRF cookie and field, the language, the session cookie.
fn request(method: &Method, req: &Req, cred: Cred<'_>, page: bool) -> test::TestRequest {
    let mut t = test::TestRequest::default()
        .method(method.clone())
        .uri(&req.uri);
    for (k, v) in &req.headers {
        t = t.insert_header((*k, v.clone()));
    }
    if page {
        t = t
            .cookie(Cookie::new("mgs_csrf", CSRF))
            .cookie(Cookie::new("mgs_lang", "en"));
        if let Cred::Session(s) = cred {
            t = t.cookie(Cookie::new("mgs_session", s.to_owned()));
        }
    }
    let header_token = |t: test::TestRequest| match cred {
        Cred::Token(tk) => t.insert_header(("auth-token", tk.to_owned())),
        _ => t,
    };
    match &req.body {
        Body::None => header_token(t),
        Body::Json(v) => {
            let mut v = v.clone();
            if let Cred::Token(tk) = cred {
                v["RequestInfo"] = ri(tk);
            }
            t.set_json(v)
        }
        Body::Form(pairs) => {
            let mut all: Vec<(&str, &str)> = Vec::new();
            if page {
                all.push(("_csrf", CSRF));
            }
            all.extend(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            header_token(
                t.insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .set_payload(serde_urlencoded::to_string(&all).unwrap()),
            )
        }
        Body::Multipart(boundary, parts) => header_token(
            t.insert_header((
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .set_payload(multipart(boundary, parts)),
        ),
    }
}

/// Marks first passwords as changed (pages would send these users to change it first).
pub fn password_changed(app: &TestApp, ids: &[i64]) {
    use mgramseva::db::schema::user_account;
    diesel::update(user_account::table.filter(user_account::id.eq_any(ids)))
        .set(user_account::default_pwd_chgd.eq(true))
        .execute(&mut app.db.conn())
        .unwrap();
}

/// One user per role and tenant held (`ROLE@tenant`), with a token; sessions made on demand.
struct People<'a> {
    app: &'a TestApp,
    conn: PgConnection,
    users: HashMap<(String, &'static str), (i64, String)>,
    sessions: HashMap<(i64, &'static str), String>,
}

impl<'a> People<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            conn: app.db.conn(),
            users: HashMap::new(),
            sessions: HashMap::new(),
        }
    }

    fn user(&mut self, role: &str, holder: &'static str) -> (i64, String) {
        use mgramseva::db::schema::user_account;
        if let Some(u) = self.users.get(&(role.to_owned(), holder)) {
            return u.clone();
        }
        let n = self.users.len();
        let mobile = format!("97{}{n:03}0000", if holder == STATE { 2 } else { 1 });
        let new = mgramseva::platform::user::NewUser::employee(
            STATE,
            &mobile,
            "Matrix Role Tester",
            TestApp::roles(&[&format!("{role}@{holder}")]),
        );
        let u = mgramseva::platform::user::create_user(
            &mut self.conn,
            self.app.identity(),
            &new,
            None,
            Utc::now(),
        )
        .unwrap();
        diesel::update(user_account::table.find(u.id))
            .set(user_account::default_pwd_chgd.eq(true))
            .execute(&mut self.conn)
            .unwrap();
        let token = self.token(u.id);
        self.users
            .insert((role.to_owned(), holder), (u.id, token.clone()));
        (u.id, token)
    }

    fn token(&mut self, id: i64) -> String {
        mgramseva::platform::user::issue_token(
            &mut self.conn,
            id,
            chrono::Duration::hours(2),
            Utc::now(),
        )
        .unwrap()
    }

    fn new_session(&mut self, id: i64, gp: &'static str) -> String {
        mgramseva::platform::user::session::start(&mut self.conn, id, Some(gp), Utc::now()).unwrap()
    }

    fn session(&mut self, id: i64, gp: &'static str) -> String {
        if let Some(s) = self.sessions.get(&(id, gp)) {
            return s.clone();
        }
        let s = self.new_session(id, gp);
        self.sessions.insert((id, gp), s.clone());
        s
    }
}

fn route_name(d: &RouteDecl) -> String {
    format!("{} {} ({})", d.method, d.path, d.access.name())
}

/// Every declared route has a sample, and every sample a declared route.
fn covered_samples(
    table: &mgramseva::http::routes::RouteTable,
) -> BTreeMap<(String, &'static str), Sample> {
    let samples = samples::samples();
    assert!(table.duplicates().is_empty(), "{:?}", table.duplicates());
    let declared: BTreeSet<(String, &str)> = table
        .routes()
        .iter()
        .map(|d| (d.method.to_string(), d.path))
        .collect();
    let sampled: BTreeSet<(String, &str)> = samples.keys().cloned().collect();
    let missing: Vec<_> = declared.difference(&sampled).collect();
    let stale: Vec<_> = sampled.difference(&declared).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the access matrix does not know how to probe {missing:?} (add a sample in \
         tests/api/matrix/samples.rs); samples of routes no longer declared: {stale:?}"
    );
    samples
}

#[actix_web::test]
async fn every_route_answers_every_role_as_declared_and_mapped() {
    let app = TestApp::new();
    let started = Instant::now();
    let svc = test::init_service(mgramseva::app(app.state.clone())).await;
    let call = |req: test::TestRequest| {
        let fut = svc.call(req.to_request());
        async move { answer(fut.await.unwrap()).await }
    };
    let master = Master::load();
    assert_eq!(master.roles.len(), 32, "roles.json");
    let table = mgramseva::route_table();
    let samples = covered_samples(&table);
    let world = World::build(&app, &call).await;
    let world_built = started.elapsed();
    let mut people = People::new(&app);
    for role in &master.roles {
        for holder in [GP, STATE] {
            people.user(role, holder);
        }
    }
    let setup = started.elapsed();
    println!(
        "setup: world {world_built:.1?}, people {:.1?}",
        setup - world_built
    );

    let report = std::env::var_os("MATRIX_REPORT").is_some();
    let mut seen: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut spent: Vec<(std::time::Duration, String)> = Vec::new();
    let mut failures = Vec::new();
    let (mut checks, mut anonymous, mut requests, mut n) = (0usize, 0usize, 0usize, 0u64);
    for decl in table.routes() {
        let route_started = Instant::now();
        let sample = &samples[&(decl.method.to_string(), decl.path)];
        let page = decl.access.is_page();
        for sc in &SCENARIOS {
            let tenant = if page {
                sc.session.unwrap_or(sc.named)
            } else {
                sc.named
            };
            let fx = world.of(tenant);
            let path = samples::concrete(decl.path, &world, fx);
            let mut ctx = Ctx {
                fx,
                tenant,
                holder: sc.holder,
                role: "",
                path: &path,
                anonymous: true,
                n: 0,
            };
            // Without a token or session the role does not matter: asked once per scenario.
            let without = match decl.access {
                Access::PublicPage => Some(Expect::PageOk),
                // (the link holder's view: never refused for who asks, only for what)
                Access::Open | Access::Mixed | Access::ProtectedOrLink => Some(Expect::Pass),
                Access::Authenticated => Some(Expect::Unauthenticated),
                _ => None,
            };
            if let Some(expect) = without {
                anonymous += 1;
                n += 1;
                ctx.n = n;
                let req = (sample.make)(&ctx);
                let a = call(request(&decl.method, &req, Cred::None, page)).await;
                requests += 1;
                if let Err(e) = verdict(expect, &a) {
                    failures.push(format!(
                        "{} | anyone | {} | anonymous | {e}",
                        route_name(decl),
                        sc.name
                    ));
                }
            }
            // Every role's request, then the answers: refusals, reads and requests about the
            // caller alone at once; writes to shared data that get through one after another
            // (so the run does not depend on how they interleave).
            let mut batch = Vec::new();
            for role in &master.roles {
                checks += 1;
                let (id, token) = people.user(role, sc.holder);
                let (expect, with_cred) = match decl.access {
                    Access::PublicPage => (Expect::PageOk, sc.session.is_some()),
                    Access::Page(_) => (expect_page(decl.access, role, sc), sc.session.is_some()),
                    _ => (expect_api(decl, &path, role, sc, &master), true),
                };
                n += 1;
                ctx.n = n;
                ctx.role = role;
                ctx.anonymous = !with_cred;
                let req = (sample.make)(&ctx);
                assert_eq!(
                    req.uri.split('?').next(),
                    Some(path.as_str()),
                    "the sample of {} must ask the route's own path",
                    decl.path
                );
                let cred = match (with_cred, page, sample.fresh) {
                    (false, _, _) => None,
                    (true, false, false) => Some(token),
                    (true, false, true) => Some(people.token(id)),
                    (true, true, fresh) => {
                        let gp = sc.session.unwrap_or(GP);
                        Some(if fresh {
                            people.new_session(id, gp)
                        } else {
                            people.session(id, gp)
                        })
                    }
                };
                let cred = match (&cred, page) {
                    (None, _) => Cred::None,
                    (Some(t), false) => Cred::Token(t),
                    (Some(s), true) => Cred::Session(s),
                };
                batch.push((role, expect, request(&decl.method, &req, cred, page)));
            }
            let refused = |e: Expect| {
                matches!(
                    e,
                    Expect::Deny | Expect::PageDeny | Expect::Login | Expect::Unauthenticated
                )
            };
            // Only protected, action-only and role pages' handlers act on the shared households,
            // bills and employees; the others on the caller's own account or session, or nothing.
            let shared = match decl.access {
                Access::Protected | Access::ActionOnly | Access::ProtectedOrLink => true,
                Access::Page(roles) => !roles.is_empty(),
                _ => false,
            };
            let (together, one_by_one): (Vec<_>, Vec<_>) = batch
                .into_iter()
                .partition(|(_, e, _)| refused(*e) || decl.method == Method::GET || !shared);
            let mut answers = Vec::new();
            let (who, reqs): (Vec<_>, Vec<_>) =
                together.into_iter().map(|(r, e, t)| ((r, e), t)).unzip();
            for (w, a) in who
                .into_iter()
                .zip(futures_util::future::join_all(reqs.into_iter().map(&call)).await)
            {
                answers.push((w, a));
            }
            for (r, e, t) in one_by_one {
                answers.push(((r, e), call(t).await));
            }
            for ((role, expect), a) in answers {
                requests += 1;
                if let Err(e) = verdict(expect, &a) {
                    failures.push(format!("{} | {role} | {} | {e}", route_name(decl), sc.name,));
                }
                if report {
                    let outcome = match expect {
                        Expect::Pass | Expect::PageOk | Expect::Status(_) => {
                            format!("allowed {} {}", a.status, a.code())
                        }
                        other => format!("{other:?} {}", a.status),
                    };
                    *seen
                        .entry(route_name(decl))
                        .or_default()
                        .entry(outcome)
                        .or_default() += 1;
                }
            }
        }
        spent.push((route_started.elapsed(), route_name(decl)));
    }
    if report {
        for (route, outcomes) in &seen {
            println!("{route}: {outcomes:?}");
        }
        spent.sort();
        for (d, r) in spent.iter().rev().take(15) {
            println!("{d:.1?} {r}");
        }
    }
    println!(
        "access matrix: {} routes x {} roles x {} scenarios = {checks} checks (and {anonymous} \
         without a credential), {requests} requests, setup {:.1?}, total {:.1?}",
        table.routes().len(),
        master.roles.len(),
        SCENARIOS.len(),
        setup,
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {checks} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        checks,
        table.routes().len() * master.roles.len() * SCENARIOS.len(),
        "every route, role and scenario checked once"
    );
    // Open and mixed routes whose handlers refuse some input whoever asks (not the gateway's
    // doing): a file link without a valid signature, and, without a login, a short link to
    // anything but a signed file link.
    let forged = world.gp.link.replace("sig=", "sig=x");
    let a = call(test::TestRequest::get().uri(&forged)).await;
    assert_eq!((a.status, a.code()), (403, "INVALID_LINK"), "{}", a.brief());
    let a = call(
        test::TestRequest::post()
            .uri("/eus/shortener")
            .set_json(serde_json::json!({"url": format!("/home/household?no={}", world.gp.flat)})),
    )
    .await;
    assert_eq!(a.status, 401, "{}", a.brief());
    // The oracle is not one-sided.
    assert!(master.maps("GP_ADMIN", &["/egov-idgen/id/_generate"]));
    assert!(!master.maps("GP_ADMIN", &["/localization/messages/v1/_upsert"]));
    assert!(master.maps("SUPERUSER", &["/collection-services/payments/WS/_workflow"]));
}

#[derive(QueryableByName)]
struct TableHash {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    h: String,
}

/// Per table, its row count and the newest transaction that wrote a row still there: any
/// insert, update or delete changes one of them.
fn fingerprint(conn: &mut PgConnection) -> BTreeMap<String, String> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        tablename: String,
    }
    let names: Vec<Name> = diesel::sql_query(
        "SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .load(conn)
    .unwrap();
    let sql = names
        .iter()
        .map(|n| {
            format!(
                "SELECT '{t}'::text AS t, count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text AS h FROM \"{t}\"",
                t = n.tablename
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    diesel::sql_query(sql)
        .load::<TableHash>(conn)
        .unwrap()
        .into_iter()
        .map(|r| (r.t, r.h))
        .collect()
}

fn changed(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    after
        .iter()
        .filter(|(t, h)| before.get(*t) != Some(h))
        .map(|(t, _)| t.clone())
        .collect()
}

fn meter_of(conn: &mut PgConnection, no: &str) -> Option<String> {
    use mgramseva::db::schema::water_connection as wc;
    wc::table
        .filter(wc::connection_no.eq(no))
        .select(wc::meter_id)
        .first(conn)
        .unwrap()
}

/// Where the token travels.
#[derive(Clone, Copy, Debug)]
enum TokenIn {
    Both,
    Header,
    RequestInfo,
}

const CONTENT_TYPES: [Option<&str>; 5] = [
    Some("application/json"),
    Some("application/x-www-form-urlencoded"),
    Some("multipart/form-data; boundary=x"),
    Some("text/plain"),
    None,
];

fn raw<C, F>(call: &C, uri: &str, ct: Option<&str>, token: Option<&str>, body: Vec<u8>) -> F
where
    C: Fn(test::TestRequest) -> F,
    F: Future<Output = Answer>,
{
    let mut t = test::TestRequest::post().uri(uri);
    if let Some(ct) = ct {
        t = t.insert_header(("content-type", ct.to_owned()));
    }
    if let Some(tk) = token {
        t = t.insert_header(("auth-token", tk.to_owned()));
    }
    call(t.set_payload(body))
}

#[actix_web::test]
async fn no_content_type_hides_a_body_naming_another_gp() {
    let app = TestApp::new();
    let started = Instant::now();
    let svc = test::init_service(mgramseva::app(app.state.clone())).await;
    let call = |req: test::TestRequest| {
        let fut = svc.call(req.to_request());
        async move { answer(fut.await.unwrap()).await }
    };
    let master = Master::load();
    let table = mgramseva::route_table();
    let samples = covered_samples(&table);
    let world = World::build(&app, &call).await;
    let mut people = People::new(&app);
    let mut conn = app.db.conn();

    // The exploit of issue 10, as it was sent: GP A's collector, the token in the header, a
    // JSON body declared as a form, naming GP B's metered household.
    let b = &world.other;
    let (_, a_staff) = people.user("COLLECTION_OPERATOR", GP);
    let exploit = format!(
        r#"{{"WaterConnection":{{"tenantId":"{OTHER_GP}","connectionNo":"{}","meterId":"HACKED1"}}}}"#,
        b.metered
    );
    let a = raw(
        &call,
        "/ws-services/wc/_update",
        Some("application/x-www-form-urlencoded"),
        Some(&a_staff),
        exploit.clone().into_bytes(),
    )
    .await;
    assert_eq!(a.status, 403, "the exploit: {}", a.brief());
    assert_eq!(
        meter_of(&mut conn, &b.metered).as_deref(),
        Some(b.meter_id.as_str())
    );
    // The body is one the handler acts on: GP B's own collector changes the meter with it.
    let (_, b_staff) = people.user("COLLECTION_OPERATOR", OTHER_GP);
    let a = raw(
        &call,
        "/ws-services/wc/_update",
        Some("application/json"),
        Some(&b_staff),
        exploit.into_bytes(),
    )
    .await;
    assert_eq!(a.status, 200, "B's own staff: {}", a.brief());
    assert_eq!(meter_of(&mut conn, &b.metered).as_deref(), Some("HACKED1"));
    let a = raw(
        &call,
        "/ws-services/wc/_update",
        Some("application/json"),
        Some(&b_staff),
        format!(
            r#"{{"WaterConnection":{{"tenantId":"{OTHER_GP}","connectionNo":"{}","meterId":"{}"}}}}"#,
            b.metered, b.meter_id
        )
        .into_bytes(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.brief());

    let mut failures = Vec::new();
    let (mut routes, mut checks, mut n) = (0usize, 0usize, 0u64);
    for decl in table
        .routes()
        .iter()
        .filter(|d| matches!(d.access, Access::Protected | Access::ProtectedOrLink))
    {
        routes += 1;
        let sample = &samples[&(decl.method.to_string(), decl.path)];
        let own_path = samples::concrete(decl.path, &world, &world.gp);
        let role = master
            .roles
            .iter()
            .find(|r| {
                matches!(
                    expect_api(decl, &own_path, r, &SCENARIOS[0], &master),
                    Expect::Pass | Expect::Status(_)
                )
            })
            .unwrap_or_else(|| panic!("no role may call {} on its own GP", decl.path));
        let (_, token) = people.user(role, GP);
        let build = |tenant: &'static str, n: u64| {
            let fx = world.of(tenant);
            let path = samples::concrete(decl.path, &world, fx);
            let req = (sample.make)(&Ctx {
                fx,
                tenant,
                holder: GP,
                role,
                path: &path,
                anonymous: false,
                n,
            });
            let v = match req.body {
                Body::Json(v) => v,
                // an upload: its form fields, as the JSON object the gateway makes of them
                Body::Multipart(_, parts) => Value::Object(
                    parts
                        .into_iter()
                        .map(|(k, _, c)| (k.to_owned(), Value::String(c)))
                        .collect(),
                ),
                _ => panic!("{}: a protected route's sample is DIGIT JSON", decl.path),
            };
            (req.uri, v)
        };
        n += 1;
        let (uri, body) = build(OTHER_GP, n);
        let before = fingerprint(&mut conn);
        for ct in CONTENT_TYPES {
            for place in [TokenIn::Both, TokenIn::Header, TokenIn::RequestInfo] {
                checks += 1;
                let mut b = body.clone();
                if !matches!(place, TokenIn::Header) {
                    b["RequestInfo"] = ri(&token);
                }
                let header = (!matches!(place, TokenIn::RequestInfo)).then_some(token.as_str());
                let a = raw(&call, &uri, ct, header, serde_json::to_vec(&b).unwrap()).await;
                let case = || {
                    format!(
                        "{} naming {OTHER_GP} as {role} of {GP}, Content-Type {ct:?}, token in {place:?}",
                        decl.path
                    )
                };
                if a.status != 403 {
                    failures.push(format!("{}: expected 403, got {}", case(), a.brief()));
                }
            }
        }
        let after = fingerprint(&mut conn);
        let touched = changed(&before, &after);
        if !touched.is_empty() {
            failures.push(format!(
                "{}: refused requests changed {touched:?}",
                decl.path
            ));
        }
        // The same sample on the own GP reaches the handler, whatever the Content-Type (a
        // multipart body was once a 500 here: the gateway left it unparsed).
        for ct in CONTENT_TYPES {
            n += 1;
            let (uri, mut body) = build(GP, n);
            body["RequestInfo"] = ri(&token);
            checks += 1;
            let a = raw(&call, &uri, ct, None, serde_json::to_vec(&body).unwrap()).await;
            if matches!(a.status, 401 | 403) || a.status >= 500 {
                failures.push(format!(
                    "{} naming {GP} as {role} of {GP}, Content-Type {ct:?}: the sample should \
                     reach the handler, got {}",
                    decl.path,
                    a.brief()
                ));
            }
        }
    }
    println!(
        "content types: {routes} protected routes, {checks} checks, total {:.1?}",
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        checks,
        routes * (CONTENT_TYPES.len() * 3 + CONTENT_TYPES.len()),
        "every protected route under every Content-Type"
    );
    assert!(routes >= 30, "{routes} protected routes");
}
