//! A fuzzer over every route of the route table (issue 10): realistic bodies, query strings and
//! forms, mutated with NUL bytes, control characters, huge and inexact numbers, wrong types,
//! deep nesting and bodies past the limit, sent as JSON, form, multipart, text or with no
//! Content-Type, by a state superuser (the widest reach) and, for pages, with a live session
//! and a valid CSRF token. Whatever comes in, no answer is a 5xx and nothing panics.
//!
//! The suite runs a bounded number of requests with a fixed seed; a longer run by hand:
//! `FUZZ_REQUESTS=20000 FUZZ_SEED=7 ./scripts/test.sh fuzz::`.

use actix_web::cookie::Cookie;
use actix_web::dev::Service as _;
use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use mgramseva::http::routes::RouteDecl;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::matrix::samples::{self, Body, Ctx, Sample, World};
use crate::matrix::{Answer, CSRF, answer};

/// splitmix64: small, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const EVIL: &[&str] = &[
    "\u{0}",
    "a\u{0}b",
    "\u{1}\u{1f}\r\n\t\u{7f}",
    "\r\n/evil.example",
    "' OR 1=1 --",
    "%00",
    "%FF%FE",
    "../../etc/passwd",
    "ਪੰਜਾਬੀ ਹਿੰਦੀ",
    "\u{202e}fdp.exe",
    "😀\u{fffd}",
    "",
    " ",
    "null",
    "-1",
    "0",
    "1e20",
    "99.999999999999999999999999999",
    "9999999999999999999999",
    "<script>alert(1)</script>",
    "pb.kalwan",
    "pb",
    "*",
    "WS/7374/2026-27/0001",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "2026-13-45",
    "true",
];

fn evil_string(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "x".repeat(100_000),
        1 => "ਪ".repeat(5_000),
        _ => (*rng.pick(EVIL)).to_owned(),
    }
}

fn evil_number(rng: &mut Rng) -> Value {
    match rng.below(12) {
        0 => json!(0),
        1 => json!(-1),
        2 => json!(1e308),
        3 => json!(-1e308),
        4 => json!(1e20),
        5 => json!(i64::MAX),
        6 => json!(u64::MAX),
        7 => json!(i64::MIN),
        8 => json!(0.1),
        9 => json!(2.555),
        10 => json!(-0.0),
        _ => json!(1.5e-300),
    }
}

fn deep(levels: usize) -> Value {
    let mut v = json!("bottom");
    for i in 0..levels {
        v = if i % 2 == 0 {
            json!([v])
        } else {
            json!({"a": v})
        };
    }
    v
}

fn evil_value(rng: &mut Rng) -> Value {
    match rng.below(10) {
        0..=2 => Value::String(evil_string(rng)),
        3..=4 => evil_number(rng),
        5 => json!(null),
        6 => json!(rng.chance(50)),
        7 => json!([evil_string(rng), evil_number(rng)]),
        8 => json!({"tenantId": evil_string(rng), "id": evil_number(rng)}),
        _ => deep(40 + rng.below(200)),
    }
}

/// Every node of a JSON value, as a path of keys and indices.
fn paths(v: &Value, here: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                here.push(json!(k));
                paths(c, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                here.push(json!(i));
                paths(c, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    let mut cur = v;
    for p in path {
        cur = match p {
            Value::String(k) => cur.get_mut(k.as_str())?,
            Value::Number(i) => cur.get_mut(usize::try_from(i.as_u64()?).ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// One to three changes at random places: a value replaced, a key added, an array emptied.
fn mutate(v: &mut Value, rng: &mut Rng) {
    for _ in 0..=rng.below(3) {
        let mut all = Vec::new();
        paths(v, &mut Vec::new(), &mut all);
        let path = rng.pick(&all).clone();
        let Some(node) = at(v, &path) else { continue };
        match rng.below(6) {
            0 if node.is_object() => {
                let key = rng.pick(&[
                    "tenantId",
                    "id",
                    "x\u{0}",
                    "RequestInfo",
                    "userInfo",
                    "limit",
                ]);
                node[*key] = evil_value(rng);
            }
            1 if node.is_array() => node.as_array_mut().map_or((), Vec::clear),
            _ if path.len() > 1 || !node.is_object() => *node = evil_value(rng),
            _ => {
                let key = format!("k{}", rng.below(10));
                node[key.as_str()] = evil_value(rng);
            }
        }
    }
}

const QUERY_KEYS: &[&str] = &[
    "tenantId",
    "tenantIds",
    "consumerCode",
    "businessService",
    "service",
    "limit",
    "offset",
    "connectionNumber",
    "mobileNumber",
    "ids",
    "id",
    "key",
    "fromDate",
    "toDate",
    "sortBy",
    "sortOrder",
    "q",
    "no",
    "page",
    "tab",
    "month",
    "billingPeriod",
    "next",
    "to",
    "access_token",
    "locale",
    "codes",
    "fileStoreIds",
    "previousMeterReading",
    "isCollectionCount",
];

fn enc(s: &str) -> String {
    // `%FF`-style escapes in the evil list are kept as they are (invalid UTF-8 on purpose)
    if s.starts_with('%') {
        return s.to_owned();
    }
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn evil_query(rng: &mut Rng, base: &str) -> String {
    let mut parts: Vec<String> = base
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if !parts.is_empty() && rng.chance(50) {
        let i = rng.below(parts.len());
        let key = parts[i].split('=').next().unwrap_or("x").to_owned();
        let value = if rng.chance(30) {
            evil_number(rng).to_string()
        } else {
            evil_string(rng).chars().take(2_000).collect()
        };
        parts[i] = format!("{key}={}", enc(&value));
    }
    for _ in 0..rng.below(3) {
        let key = rng.pick(QUERY_KEYS);
        let value: String = evil_string(rng).chars().take(2_000).collect();
        parts.push(format!("{key}={}", enc(&value)));
    }
    parts.join("&")
}

const FORM_KEYS: &[&str] = &[
    "name",
    "mobile",
    "amount",
    "reading",
    "consumer",
    "bill_id",
    "tenant",
    "gp",
    "password",
    "new_password",
    "confirm",
    "otp",
    "next",
    "remarks",
    "active",
    "reason",
    "month",
    "arrears",
    "penalty",
    "advance",
    "no",
    "old_no",
    "connection_type",
    "property_type",
    "meter_id",
    "division",
    "role",
    "email",
    "gender",
    "guardian",
    "door_no",
    "street",
    "locality",
    "last_billed",
    "previous_reading_date",
    "mode",
];

/// The sample's form fields (and the CSRF field of pages), some replaced or joined by hostile
/// ones.
fn evil_form(rng: &mut Rng, csrf: &str, sample: &Body) -> String {
    let mut pairs: Vec<(String, String)> = match sample {
        Body::Form(p) => p.clone(),
        _ => Vec::new(),
    };
    let hostile = |rng: &mut Rng| -> String {
        if rng.chance(25) {
            evil_number(rng).to_string()
        } else {
            evil_string(rng).chars().take(5_000).collect()
        }
    };
    for pair in pairs.iter_mut() {
        if rng.chance(30) {
            pair.1 = hostile(rng);
        }
    }
    for _ in 0..rng.below(4) {
        pairs.push(((*rng.pick(FORM_KEYS)).to_owned(), hostile(rng)));
    }
    let mut parts = Vec::new();
    if !csrf.is_empty() {
        parts.push(format!("_csrf={csrf}"));
    }
    parts.extend(pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))));
    parts.join("&")
}

fn multipart(rng: &mut Rng) -> (String, Vec<u8>) {
    let boundary = "fuzzfuzzfuzz";
    let content: Vec<u8> = match rng.below(4) {
        0 => b"name,mobile\nAsha\0,98765\x0043210\n".to_vec(),
        1 => (0..2_000)
            .map(|_| u8::try_from(rng.below(256)).unwrap_or(0))
            .collect(),
        2 => format!("PK\x03\x04{}", evil_string(rng)).into_bytes(),
        _ => evil_string(rng).into_bytes(),
    };
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"h.csv\"\r\nContent-Type: text/csv\r\n\r\n",
        CSRF
    )
    .into_bytes();
    body.extend(content);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The route's concrete path; now and then a parameter replaced by something hostile.
fn concrete(route: &RouteDecl, world: &World, rng: &mut Rng) -> String {
    let path = samples::concrete(route.path, world, world.of(GP));
    if route.path.contains('{') && rng.chance(20) {
        let evil: String = evil_string(rng).chars().take(200).collect();
        let mut segs: Vec<String> = path.split('/').map(str::to_owned).collect();
        if let Some((i, _)) = route
            .path
            .split('/')
            .enumerate()
            .filter(|(_, s)| s.starts_with('{'))
            .last()
        {
            segs[i] = enc(&evil);
        }
        return segs.join("/");
    }
    path
}

/// The state superuser the requests come from, with a connection of its own to make a fresh
/// token or session for each request (a fuzzed request may log out or change the password).
struct Caller {
    user_id: i64,
    conn: std::cell::RefCell<diesel::PgConnection>,
}

impl Caller {
    fn token(&self) -> String {
        mgramseva::platform::user::issue_token(
            &mut self.conn.borrow_mut(),
            self.user_id,
            chrono::Duration::hours(1),
            chrono::Utc::now(),
        )
        .unwrap()
    }

    fn session(&self) -> String {
        mgramseva::platform::user::session::start(
            &mut self.conn.borrow_mut(),
            self.user_id,
            Some(GP),
            chrono::Utc::now(),
        )
        .unwrap()
    }
}

/// The sample request of `route` (as the access matrix sends it) made hostile at random: its
/// query, its path parameters, its JSON body, form fields or upload, its Content-Type.
fn request(
    c: &Caller,
    world: &World,
    route: &RouteDecl,
    sample: &Sample,
    n: u64,
    rng: &mut Rng,
) -> (TestRequest, String) {
    let path = concrete(route, world, rng);
    let base = (sample.make)(&Ctx {
        fx: world.of(GP),
        tenant: GP,
        holder: STATE,
        role: "SUPERUSER",
        path: &path,
        anonymous: false,
        n,
    });
    let (p, q) = base.uri.split_once('?').unwrap_or((base.uri.as_str(), ""));
    let query = evil_query(rng, q);
    let uri = if query.is_empty() {
        p.to_owned()
    } else {
        format!("{p}?{query}")
    };
    let mut req = TestRequest::default()
        .method(route.method.clone())
        .uri(&uri);
    for (k, v) in &base.headers {
        req = req.insert_header((*k, v.clone()));
    }
    if route.access.is_page() {
        req = req
            .cookie(Cookie::new("mgs_csrf", CSRF))
            .cookie(Cookie::new("mgs_session", c.session()));
        let what = if route.method != Method::POST {
            "get".to_owned()
        } else if matches!(base.body, Body::Multipart(..)) || rng.chance(10) {
            let (ct, body) = multipart(rng);
            req = req.insert_header(("content-type", ct)).set_payload(body);
            "multipart".to_owned()
        } else {
            let form = evil_form(rng, CSRF, &base.body);
            let what = format!("form {}", form.chars().take(200).collect::<String>());
            req = req
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(form);
            what
        };
        return (req, shown(&route.method, &uri, &what));
    }
    let mut body = match base.body {
        Body::Json(v) => v,
        Body::Form(pairs) => {
            // the token call: a form; its fields made hostile
            let form = evil_form(rng, "", &Body::Form(pairs));
            req = req
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(form.clone());
            return (req, shown(&route.method, &uri, &form));
        }
        _ => json!({}),
    };
    if let Value::Object(m) = &mut body {
        m.insert("RequestInfo".to_owned(), ri(&c.token()));
    }
    let raw: Vec<u8> = match rng.below(20) {
        0 => vec![b'{'; 10],
        1 => format!("{{\"pad\": \"{}\"}}", "z".repeat(3 * 1024 * 1024)).into_bytes(),
        2 => serde_json::to_vec(&deep(300)).unwrap_or_default(),
        3 => b"[1, 2, 3]".to_vec(),
        4 => format!(
            r#"{{"RequestInfo": {}, "tenantId": "{GP}", "amount": 99.999999999999999999999999999}}"#,
            ri(&c.token())
        )
        .into_bytes(),
        _ => {
            mutate(&mut body, rng);
            serde_json::to_vec(&body).unwrap_or_default()
        }
    };
    let ct = *rng.pick(&[
        Some("application/json"),
        Some("application/json"),
        Some("application/json"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("text/plain"),
        None,
    ]);
    if let Some(ct) = ct {
        req = req.insert_header(("content-type", ct));
    }
    if rng.chance(20) {
        req = req.insert_header(("auth-token", c.token()));
    }
    let what = format!(
        "{} {}",
        ct.unwrap_or("-"),
        String::from_utf8_lossy(&raw)
            .chars()
            .take(300)
            .collect::<String>()
    );
    (req.set_payload(raw), shown(&route.method, &uri, &what))
}

/// What a failure report shows of a request (bodies can be megabytes).
fn shown(method: &Method, uri: &str, what: &str) -> String {
    format!("{method} {uri} {what}").chars().take(500).collect()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[actix_web::test]
async fn no_input_makes_a_5xx_on_any_route() {
    let app = TestApp::new();
    let seed = env_number("FUZZ_SEED", 10);
    let count = env_number("FUZZ_REQUESTS", 1_500);
    let mut rng = Rng(seed);
    let svc = test::init_service(mgramseva::app(app.state.clone())).await;
    let call = |req: TestRequest| {
        let fut = svc.call(req.to_request());
        async move { answer(fut.await.unwrap()).await }
    };
    // households, bills, payments, files and staff on both GPs for the samples to name
    let world = World::build(&app, &call).await;
    let su = app.employee(
        "9840000001",
        &["SUPERUSER@pb", "EMPLOYEE@pb"],
        Some("Fuzz@1234"),
    );
    crate::matrix::password_changed(&app, &[su.id]);
    let caller = Caller {
        user_id: su.id,
        conn: std::cell::RefCell::new(app.db.conn()),
    };
    let table = mgramseva::route_table();
    let routes: Vec<&RouteDecl> = table.routes().iter().collect();
    let all = samples::samples();
    let mut failures: Vec<String> = Vec::new();
    let mut slowest: std::collections::HashMap<&str, std::time::Duration> = Default::default();
    let mut by_status: std::collections::BTreeMap<u16, u64> = Default::default();
    for i in 0..count {
        // every route in turn, so a short run still covers each one
        let route = routes[usize::try_from(i).unwrap_or(0) % routes.len()];
        let sample = all
            .get(&(route.method.to_string(), route.path))
            .unwrap_or_else(|| panic!("no sample for {} {}", route.method, route.path));
        let (req, what) = request(&caller, &world, route, sample, 1_000_000 + i, &mut rng);
        let started = std::time::Instant::now();
        let a: Answer = call(req).await;
        *slowest.entry(route.path).or_default() += started.elapsed();
        *by_status.entry(a.status).or_default() += 1;
        if a.status >= 500 {
            failures.push(format!("{what}\n    -> {}", a.brief()));
        }
    }
    eprintln!(
        "fuzz: seed {seed}, {count} requests over {} routes, answers by status: {by_status:?}",
        routes.len()
    );
    let mut slow: Vec<_> = slowest.into_iter().collect();
    slow.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
    eprintln!(
        "fuzz: slowest routes (total time): {:?}",
        &slow[..slow.len().min(6)]
    );
    assert!(
        failures.is_empty(),
        "{} answers were 5xx:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // the run reached the handlers, not only the gateway's refusals
    assert!(
        by_status.get(&200).copied().unwrap_or(0) > count / 20,
        "{by_status:?}"
    );
}
