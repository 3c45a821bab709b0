//! `mgramseva bench billing`: creates N consumers with two monthly demands each (on the demo GP,
//! consumer IDs `BENCH/<run>/<n>`), serves the app on a loopback port, and measures over HTTP
//! (keep-alive clients, one thread each): fetch-bill latency at the given concurrency, then
//! payments per second. Beside it, the same payment writes as raw SQL transactions on the same
//! database, same concurrency. Prints the figures and their ratio. Needs DATABASE_URL and a
//! seeded database (`mgramseva seed`).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::Utc;
use diesel::prelude::*;

use crate::config::Settings;
use crate::platform::access::identity::TenantRole;
use crate::platform::user;

mod sms;
mod state;
pub use sms::sms;
pub use state::{StateBench, state};

const GP: &str = "pb.lodhipur";

struct Client {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    fn connect(port: u16) -> anyhow::Result<Self> {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_nodelay(true)?;
        Ok(Self {
            s,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// One keep-alive POST; returns (status, body).
    fn post(&mut self, path: &str, body: &str) -> anyhow::Result<(u16, String)> {
        write!(
            self.s,
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )?;
        self.buf.clear();
        let mut chunk = [0u8; 8192];
        let (head_end, len, status) = loop {
            let n = self.s.read(&mut chunk)?;
            anyhow::ensure!(n > 0, "server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..i]).to_ascii_lowercase();
                let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                break (i + 4, len, status);
            }
        };
        while self.buf.len() < head_end + len {
            let n = self.s.read(&mut chunk)?;
            anyhow::ensure!(n > 0, "server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
        Ok((
            status,
            String::from_utf8_lossy(&self.buf[head_end..head_end + len]).into_owned(),
        ))
    }
}

/// An HTTP/1.1 keep-alive POST on an async connection; returns (status, body).
async fn post_async(
    s: &mut tokio::net::TcpStream,
    buf: &mut Vec<u8>,
    path: &str,
    body: &str,
) -> anyhow::Result<(u16, String)> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    buf.clear();
    let mut chunk = [0u8; 8192];
    let (head_end, len, status) = loop {
        let n = s.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
            let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            break (i + 4, len, status);
        }
    };
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok((
        status,
        String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned(),
    ))
}

/// Load from one thread: `concurrency` connections, each sending the next of `items` requests
/// (`make(i)` gives path and body) as soon as its last one is answered; every answer must be
/// 200. An event loop rather than a thread per connection, so the load generator takes little
/// of the machine it measures. Returns the elapsed time and the sorted per-request times.
fn async_load<F>(
    port: u16,
    concurrency: usize,
    items: usize,
    make: F,
) -> anyhow::Result<(Duration, Vec<Duration>)>
where
    F: Fn(usize) -> (String, String) + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                rt.block_on(async {
                    let next = Arc::new(AtomicUsize::new(0));
                    let started = Instant::now();
                    let mut tasks = Vec::new();
                    for _ in 0..concurrency {
                        let (next, make) = (next.clone(), make.clone());
                        tasks.push(tokio::spawn(async move {
                            let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
                            s.set_nodelay(true)?;
                            let mut buf = Vec::with_capacity(16 * 1024);
                            let mut times = Vec::new();
                            loop {
                                let i = next.fetch_add(1, Ordering::Relaxed);
                                if i >= items {
                                    return anyhow::Ok(times);
                                }
                                let (path, body) = make(i);
                                let t = Instant::now();
                                let (st, b) = post_async(&mut s, &mut buf, &path, &body).await?;
                                times.push(t.elapsed());
                                anyhow::ensure!(st == 200, "{path}: {st}: {b}");
                            }
                        }));
                    }
                    let mut all = Vec::with_capacity(items);
                    for t in tasks {
                        all.extend(t.await??);
                    }
                    let elapsed = started.elapsed();
                    all.sort();
                    Ok((elapsed, all))
                })
            })
            .join()
            .map_err(|_| anyhow::anyhow!("the load thread panicked"))?
    })
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs `work(worker, item)` for `items` spread over `threads` threads; returns per-call times.
fn run_parallel<F>(
    threads: usize,
    items: usize,
    work: F,
) -> anyhow::Result<(Duration, Vec<Duration>)>
where
    F: Fn(usize, usize) -> anyhow::Result<()> + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let next = Arc::new(AtomicUsize::new(0));
    let times = Arc::new(Mutex::new(Vec::with_capacity(items)));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|w| {
            let (work, next, times) = (work.clone(), next.clone(), times.clone());
            std::thread::spawn(move || -> anyhow::Result<()> {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= items {
                        return Ok(());
                    }
                    let t = Instant::now();
                    work(w, i)?;
                    if let Ok(mut v) = times.lock() {
                        v.push(t.elapsed());
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("a worker panicked"))??;
    }
    let elapsed = started.elapsed();
    let mut v = times
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    v.sort();
    Ok((elapsed, v))
}

/// The bench's own writes (thousands of consumers, a synthetic state in one statement) are long
/// on purpose: its connections get no statement or lock timeout.
fn unlimited(mut settings: Settings) -> Settings {
    settings.database.statement_timeout_ms = 0;
    settings.database.lock_timeout_ms = 0;
    settings
}

pub fn billing(
    settings: Settings,
    consumers: usize,
    concurrency: usize,
    fetches: usize,
) -> anyhow::Result<()> {
    let settings = unlimited(settings);
    let pool = crate::connect(&settings)?;
    let state = crate::build_state(settings.clone(), pool.clone())?;
    let run = Utc::now().timestamp();
    let mut conn = pool.get().context("database")?;

    // A collector for the bench, with a token.
    let id = state.identity();
    let mobile = format!("6{:09}", run % 1_000_000_000);
    let roles = vec![TenantRole {
        code: "COLLECTION_OPERATOR".into(),
        tenant_id: GP.into(),
    }];
    let u = user::create_user(
        &mut conn,
        id,
        &user::NewUser::employee(
            &settings.app.state_tenant,
            &mobile,
            "Bench Collector",
            roles,
        ),
        None,
        Utc::now(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let token = user::issue_token(&mut conn, u.id, chrono::Duration::hours(2), Utc::now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    // Setup (not measured): N consumers x 2 months of Rs 100, through the service.
    let setup = Instant::now();
    let (apr, may) = (
        (1_775_001_600_000i64, 1_777_593_599_999i64),
        (1_777_593_600_000i64, 1_780_271_999_999i64),
    );
    for n in 0..consumers {
        let code = format!("BENCH/{run}/{n}");
        for (from, to) in [apr, may] {
            let d = crate::business::billing::service::NewDemand {
                tenant_id: GP.into(),
                business_service: "WS".into(),
                consumer_code: code.clone(),
                consumer_type: "waterConnection".into(),
                payer_uuid: None,
                period_from: chrono::DateTime::from_timestamp_millis(from).unwrap_or_default(),
                period_to: chrono::DateTime::from_timestamp_millis(to).unwrap_or_default(),
                lines: vec![("10101".into(), rust_decimal::Decimal::from(100))],
                minimum_amount_payable: rust_decimal::Decimal::ZERO,
                bill_expiry_time: None,
                additional_details: serde_json::json!({}),
            };
            conn.transaction(|c| {
                crate::business::billing::service::create_demand(
                    c,
                    &settings.app.state_tenant,
                    &d,
                    "bench",
                    None,
                    Utc::now(),
                )
                .map(|_| ())
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    println!(
        "setup: {consumers} consumers x 2 demands in {:.1}s",
        setup.elapsed().as_secs_f64()
    );
    diesel::sql_query("ANALYZE").execute(&mut conn)?;
    drop(conn);

    // Serve on a loopback port.
    let (tx, rx) = std::sync::mpsc::channel();
    let st = state.clone();
    std::thread::spawn(move || {
        let _ = actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || crate::app(st.clone()))
                .bind(("127.0.0.1", 0))?;
            let _ = tx.send(server.addrs().first().map(|a| a.port()).unwrap_or(0));
            server.run().await
        });
    });
    let port = rx.recv_timeout(Duration::from_secs(10))?;
    let body = serde_json::json!({"RequestInfo": {"authToken": token}}).to_string();

    // 1. fetch-bill latency at `concurrency`: first the fetch that builds each bill, then the
    // steady state, where bills are served from what was stored.
    let fetch = move |i: usize| {
        (
            format!(
                "/billing-service/bill/v2/_fetchbill?tenantId={GP}&businessService=WS&consumerCode=BENCH/{run}/{}",
                i % consumers
            ),
            body.clone(),
        )
    };
    let fetch = Arc::new(fetch);
    let first = fetch.clone();
    let (elapsed, times) = async_load(port, concurrency, consumers, move |i| first(i))?;
    println!(
        "first fetch-bill per consumer (builds and stores the bill): {consumers} requests, {concurrency} concurrent: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        consumers as f64 / elapsed.as_secs_f64(),
        pct(&times, 0.5),
        pct(&times, 0.99)
    );
    let (elapsed, times) = async_load(port, concurrency, fetches, move |i| fetch(i))?;
    println!(
        "fetch-bill over HTTP: {fetches} requests, {concurrency} concurrent: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        fetches as f64 / elapsed.as_secs_f64(),
        pct(&times, 0.5),
        pct(&times, 0.99)
    );

    // 2. payments over HTTP: each consumer pays Rs 150 against its bill, once.
    let pay_threads = concurrency.min(32);
    let clients: Arc<Vec<Mutex<Option<Client>>>> =
        Arc::new((0..pay_threads).map(|_| Mutex::new(None)).collect());
    let (c3, tok) = (clients, token);
    let pay_time = Arc::new(Mutex::new(Duration::ZERO));
    let pt = pay_time.clone();
    let pay = move |w: usize, i: usize| -> anyhow::Result<()> {
        let mut slot = c3[w].lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        if slot.is_none() {
            *slot = Some(Client::connect(port)?);
        }
        let c = slot.as_mut().ok_or_else(|| anyhow::anyhow!("no client"))?;
        let ri = serde_json::json!({"RequestInfo": {"authToken": tok}}).to_string();
        let (s, b) = c.post(&format!("/billing-service/bill/v2/_fetchbill?tenantId={GP}&businessService=WS&consumerCode=BENCH/{run}/{i}"), &ri)?;
        anyhow::ensure!(s == 200, "fetchbill {s}: {b}");
        let v: serde_json::Value = serde_json::from_str(&b)?;
        let bill = v["Bill"][0]["id"].as_str().unwrap_or_default().to_owned();
        let req = serde_json::json!({"RequestInfo": {"authToken": tok}, "Payment": {"tenantId": GP, "totalAmountPaid": 150, "paymentMode": "CASH",
            "paymentDetails": [{"businessService": "WS", "billId": bill}]}})
        .to_string();
        let t = Instant::now();
        let (s, b) = c.post("/collection-services/payments/_create", &req)?;
        if let Ok(mut x) = pt.lock() {
            *x += t.elapsed();
        }
        anyhow::ensure!(s == 200, "payment {s}: {b}");
        Ok(())
    };
    let (elapsed, _) = run_parallel(pay_threads, consumers, pay)?;
    let http_rate = consumers as f64 / elapsed.as_secs_f64();
    println!(
        "payments over HTTP (each with its fetch-bill): {consumers} in {:.1}s: {http_rate:.0} payments/s ({pay_threads} concurrent)",
        elapsed.as_secs_f64()
    );

    // 3. the same writes as raw SQL transactions, same database, same concurrency: lock the
    // consumer, read its lines for update, write two lines, take a receipt number, insert the
    // payment, its detail and two allocations, mark the bill. (The rows are marked cancelled so
    // the ledger is not disturbed.)
    let raw_pool = pool;
    let raw = move |_w: usize, i: usize| -> anyhow::Result<()> {
        use diesel::sql_types::{Text, Uuid as SqlUuid};
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = SqlUuid)]
            id: uuid::Uuid,
        }
        let mut c = raw_pool.get()?;
        c.transaction(|c| -> diesel::QueryResult<()> {
            let code = format!("BENCH/{run}/{i}");
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7240003))").bind::<Text, _>(format!("{GP}|WS|{code}")).execute(c)?;
            let lines: Vec<Id> = diesel::sql_query(
                "SELECT dd.id FROM billing_demand d JOIN billing_demand_detail dd ON dd.demand_id = d.id
                  WHERE d.tenant_id = $1 AND d.business_service = 'WS' AND d.consumer_code = $2 AND d.status = 'ACTIVE' ORDER BY d.period_from FOR UPDATE",
            )
            .bind::<Text, _>(GP)
            .bind::<Text, _>(&code)
            .load(c)?;
            for l in lines.iter().take(2) {
                diesel::sql_query("UPDATE billing_demand_detail SET collection_amount = collection_amount, last_modified_at = now() WHERE id = $1").bind::<SqlUuid, _>(l.id).execute(c)?;
            }
            diesel::sql_query("INSERT INTO idgen_sequence (tenant_id, name, value) VALUES ($1, 'BENCH_RAW', 1) ON CONFLICT (tenant_id, name) DO UPDATE SET value = idgen_sequence.value + 1").bind::<Text, _>(GP).execute(c)?;
            let bill: Vec<Id> = diesel::sql_query("SELECT id FROM billing_bill WHERE tenant_id = $1 AND business_service = 'WS' AND consumer_code = $2 ORDER BY created_at DESC LIMIT 1")
                .bind::<Text, _>(GP)
                .bind::<Text, _>(&code)
                .load(c)?;
            let Some(bill) = bill.first() else { return Ok(()) };
            let (pid, did) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
            diesel::sql_query(
                "INSERT INTO collection_payment (id, tenant_id, total_due, total_amount_paid, payment_mode, transaction_number, transaction_date, payment_status)
                 VALUES ($1, $2, 0, 150, 'CASH', $3, now(), 'CANCELLED')",
            )
            .bind::<SqlUuid, _>(pid)
            .bind::<Text, _>(GP)
            .bind::<Text, _>(format!("raw-{pid}"))
            .execute(c)?;
            diesel::sql_query(
                "INSERT INTO collection_payment_detail (id, payment_id, tenant_id, bill_id, business_service, consumer_code, total_due, total_amount_paid, receipt_number, receipt_date)
                 VALUES ($1, $2, $3, $4, 'WS', $5, 0, 150, $6, now())",
            )
            .bind::<SqlUuid, _>(did)
            .bind::<SqlUuid, _>(pid)
            .bind::<Text, _>(GP)
            .bind::<SqlUuid, _>(bill.id)
            .bind::<Text, _>(&code)
            .bind::<Text, _>(format!("RAW/{pid}"))
            .execute(c)?;
            for l in lines.iter().take(2) {
                diesel::sql_query("INSERT INTO collection_allocation (payment_detail_id, tenant_id, demand_detail_id, kind, amount) VALUES ($1, $2, $3, 'COLLECT', 75)")
                    .bind::<SqlUuid, _>(did)
                    .bind::<Text, _>(GP)
                    .bind::<SqlUuid, _>(l.id)
                    .execute(c)?;
            }
            diesel::sql_query("UPDATE billing_bill SET status = status, last_modified_at = now() WHERE id = $1").bind::<SqlUuid, _>(bill.id).execute(c)?;
            Ok(())
        })?;
        Ok(())
    };
    let (elapsed, _) = run_parallel(pay_threads, consumers, raw)?;
    let raw_rate = consumers as f64 / elapsed.as_secs_f64();
    println!(
        "raw SQL payment transactions: {consumers} in {:.1}s: {raw_rate:.0}/s ({pay_threads} concurrent)",
        elapsed.as_secs_f64()
    );
    let pay_only = pay_time.lock().map(|d| *d).unwrap_or_default();
    let pay_rate = consumers as f64 / (pay_only.as_secs_f64() / pay_threads as f64);
    println!("payments over HTTP, the payment calls alone: {pay_rate:.0}/s");
    println!(
        "ratio HTTP payments / raw SQL: {:.2} (with each payment's fetch-bill: {:.2})",
        pay_rate / raw_rate,
        http_rate / raw_rate
    );
    Ok(())
}

/// `mgramseva bench water`: a synthetic state (every GP of the master data with its real rates,
/// `households` flat-rate households each, written straight in SQL), then one month's bulk
/// demand for every GP through the application (`workers` GPs at a time), beside one raw
/// `INSERT … SELECT` of the same rows for the month before, on the same database in the same
/// run; then the household search on the largest GP. Needs a seeded database of its own.
pub fn water(
    settings: Settings,
    households: usize,
    tenants_limit: Option<usize>,
    workers: usize,
    reuse: Option<i64>,
) -> anyhow::Result<()> {
    use crate::municipal::calculator::bulk;
    use crate::municipal::water::service as water;
    use diesel::sql_types::{BigInt, Text, Timestamptz};
    let settings = unlimited(settings);
    let pool = crate::connect(&settings)?;
    let state = crate::build_state(settings.clone(), pool.clone())?;
    let mut conn = pool.get().context("database")?;
    let run = reuse.unwrap_or(Utc::now().timestamp() % 100_000);
    let now = Utc::now();
    let ist_today = now.with_timezone(&crate::time::IST).date_naive();
    let m1 = bulk::default_month(now);
    let m2 = crate::time::prev_month(m1);
    let m3 = crate::time::prev_month(m2);
    let mut tenants = crate::platform::mdms::repo::gram_panchayat_codes(&mut conn)?;
    if let Some(n) = tenants_limit {
        tenants.truncate(n);
    }
    println!(
        "synthetic state: {} GPs x {households} households (run {run}, today {ist_today})",
        tenants.len()
    );

    let mobiles: Vec<String> = (0..997)
        .map(|i| format!("98{:08}", (run as usize * 1000 + i) % 100_000_000))
        .collect();
    if reuse.is_none() {
        setup_households(
            &settings, &state, &mut conn, run, &tenants, households, &mobiles, m3,
        )?;
    } else {
        println!("re-using the households of run {run}");
    }

    // Raw: the same rows (a demand of the flat rate in force per GP and property type, and its
    // line) for the month before, in one INSERT ... SELECT.
    let (f2, t2) = (
        chrono::DateTime::from_timestamp_millis(crate::time::ist_day_start_millis(m2))
            .unwrap_or(now),
        chrono::DateTime::from_timestamp_millis(water::month_end_ms(m2)).unwrap_or(now),
    );
    let raw = Instant::now();
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let raw_rows: N = diesel::sql_query(
        "WITH versions AS (
             SELECT DISTINCT ON (tenant_id) tenant_id, tariff_id FROM mdms_tenant_tariff
              WHERE effective_from <= $2::date ORDER BY tenant_id, effective_from DESC),
         rates AS (
             SELECT v.tenant_id, r.building_type, r.minimum_charge FROM versions v
               JOIN mdms_tariff_row r ON r.tariff_id = v.tariff_id
              WHERE r.connection_type = 'Non_Metered' AND r.calculation_attribute = 'Flat' AND r.minimum_charge > 0),
         src AS MATERIALIZED (
             SELECT gen_random_uuid() AS id, c.tenant_id, c.connection_no, p.owner_uuid, r.minimum_charge
               FROM water_connection c JOIN property p ON p.id = c.property_id
               JOIN rates r ON r.tenant_id = c.tenant_id AND r.building_type = p.property_type
              WHERE c.connection_no LIKE 'WSB/PB-PT-BENCH-' || $1 || '-%'),
         made AS (
             INSERT INTO billing_demand (id, tenant_id, business_service, consumer_code, consumer_type, payer_uuid,
                     period_from, period_to, status, bill_expiry_time, created_at, last_modified_at)
             SELECT id, tenant_id, 'WS', connection_no, 'waterConnection', owner_uuid, $2, $3, 'ACTIVE', 1296000000, now(), now()
               FROM src
             RETURNING 1),
         lines AS (
             INSERT INTO billing_demand_detail (id, demand_id, tenant_id, tax_head_code, tax_amount, created_at, last_modified_at)
             SELECT gen_random_uuid(), id, tenant_id, '10101', minimum_charge, now(), now() FROM src
             RETURNING 1)
         SELECT count(*) AS n FROM made",
    )
    .bind::<Text, _>(run.to_string())
    .bind::<Timestamptz, _>(f2)
    .bind::<Timestamptz, _>(t2)
    .get_result(&mut conn)?;
    let raw_secs = raw.elapsed().as_secs_f64();
    let raw_rate = raw_rows.n as f64 / raw_secs;
    println!(
        "raw INSERT ... SELECT ({}): {} demands in {raw_secs:.1}s: {raw_rate:.0}/s",
        m2.format("%Y-%m"),
        raw_rows.n
    );
    drop(conn);

    // The application: bulk demand for every GP, as the job runs it.
    let ctx = water::Ctx::of(&state);
    let app = Instant::now();
    let total = tenants.len();
    let progress = |done: usize, s: &bulk::RunSummary| {
        if done.is_multiple_of(500) || done == total {
            println!(
                "  {done}/{total} GPs, {} demands, {:.0}s",
                s.demands,
                app.elapsed().as_secs_f64()
            );
        }
    };
    let s = bulk::run_many(&pool, ctx, &tenants, m1, workers, &progress);
    let app_secs = app.elapsed().as_secs_f64();
    let app_rate = s.demands as f64 / app_secs;
    println!(
        "bulk demand through the application ({}, {workers} GPs at a time): {} GPs, {} demands in {app_secs:.1}s: {app_rate:.0}/s ({} with nothing to do, {} failed{})",
        m1.format("%Y-%m"),
        s.billed_gps,
        s.demands,
        s.nothing_to_do,
        s.failed.len(),
        s.failed
            .first()
            .map(|f| format!(": {f}"))
            .unwrap_or_default()
    );
    println!("ratio application / raw SQL: {:.2}", app_rate / raw_rate);

    // Household search on the largest GP (all are the same size here: the first).
    let mut conn = pool.get().context("database")?;
    let gp = tenants.first().cloned().unwrap_or_default();
    let mut times = Vec::new();
    for (i, crit) in [
        water::Criteria {
            name: Some("kaur 1".to_owned()),
            ..Default::default()
        },
        water::Criteria {
            mobile: Some(mobiles[3].clone()),
            ..Default::default()
        },
        water::Criteria {
            text: Some("b".to_owned()),
            sort_by_name: true,
            ..Default::default()
        },
    ]
    .into_iter()
    .enumerate()
    {
        let f = water::Criteria {
            tenant_id: gp.clone(),
            limit: 75,
            ..crit
        };
        let mut t = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            let (_, total) =
                water::search(&mut conn, ctx, &f).map_err(|e| anyhow::anyhow!("{e}"))?;
            t.push(started.elapsed());
            if t.len() == 1 {
                println!("  search {i}: {total} matches");
            }
        }
        t.sort();
        times.push(pct(&t, 0.5));
    }
    println!(
        "household search on a GP of {households}: by name part p50 {:.1} ms, by mobile p50 {:.1} ms, register text search sorted by name p50 {:.1} ms",
        times[0], times[1], times[2]
    );
    Ok(())
}

/// The synthetic households of `bench water`, written straight in SQL.
#[expect(
    clippy::too_many_arguments,
    reason = "the bench's settings, passed through"
)]
fn setup_households(
    settings: &Settings,
    state: &crate::state::AppState,
    conn: &mut PgConnection,
    run: i64,
    tenants: &[String],
    households: usize,
    mobiles: &[String],
    m3: chrono::NaiveDate,
) -> anyhow::Result<()> {
    use crate::municipal::water::service as water;
    use diesel::sql_types::{Array, BigInt, Bytea, Text, Timestamptz, Uuid as SqlUuid};
    let now = Utc::now();
    // One citizen owns every synthetic household; names and numbers come from a pool of sealed
    // values (sealing 3.4 million of each would only measure the cipher).
    let id = state.identity();
    let mobile = format!("7{:09}", run);
    let owner = user::create_user(
        conn,
        id,
        &user::NewUser {
            tenant_id: settings.app.state_tenant.clone(),
            user_name: mobile.clone(),
            mobile_number: Some(mobile),
            name: "Bench Owner".to_owned(),
            user_type: "CITIZEN".to_owned(),
            password: None,
            roles: vec![TenantRole {
                code: "CITIZEN".into(),
                tenant_id: settings.app.state_tenant.clone(),
            }],
            gender: None,
            email: None,
            father_or_husband_name: None,
            locale: None,
        },
        None,
        now,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    const POOL: usize = 997;
    let first = [
        "Gurpreet", "Harjit", "Manjit", "Kuldeep", "Amarjit", "Baljit", "Jasbir", "Rajinder",
    ];
    let last = [
        "Kaur", "Singh", "Sandhu", "Gill", "Sidhu", "Dhillon", "Brar",
    ];
    let names: Vec<String> = (0..POOL)
        .map(|i| {
            let n = format!("{} {} {i}", first[i % first.len()], last[i % last.len()]);
            state.crypto.seal(water::COL_OWNER_NAME, &n)
        })
        .collect();
    let guardian = state.crypto.seal(water::COL_OWNER_GUARDIAN, "Baldev Singh");
    let mobiles_enc: Vec<String> = mobiles
        .iter()
        .map(|m| state.crypto.seal(water::COL_OWNER_MOBILE, m))
        .collect();
    let hashes: Vec<Vec<u8>> = mobiles.iter().map(|m| id.mobile_hash(m)).collect();
    let prd = chrono::DateTime::from_timestamp_millis(water::month_end_ms(m3)).unwrap_or(now);
    let joined = chrono::DateTime::from_timestamp_millis(crate::time::ist_day_start_millis(m3))
        .unwrap_or(now);
    let setup = Instant::now();
    let n = i64::try_from(households).unwrap_or(800);
    diesel::sql_query(
        "INSERT INTO property (id, tenant_id, property_id, property_type, locality, owner_uuid, owner_name_enc,
                owner_guardian_enc, owner_gender, owner_mobile_enc, owner_mobile_hash, created_at, last_modified_at)
         SELECT gen_random_uuid(), t.code, 'PB-PT-BENCH-' || $1 || '-' || t.code || '-' || g,
                CASE WHEN g % 10 = 0 THEN 'COMMERCIAL' ELSE 'RESIDENTIAL' END, 'WARD1', $2,
                ($3::text[])[1 + g % 997], $4, CASE WHEN g % 2 = 0 THEN 'FEMALE' ELSE 'MALE' END,
                ($5::text[])[1 + g % 997], ($6::bytea[])[1 + g % 997], $7, $7
           FROM unnest($8::text[]) AS t(code) CROSS JOIN generate_series(1, $9) AS g",
    )
    .bind::<Text, _>(run.to_string())
    .bind::<SqlUuid, _>(owner.uuid)
    .bind::<Array<Text>, _>(&names)
    .bind::<Text, _>(&guardian)
    .bind::<Array<Text>, _>(&mobiles_enc)
    .bind::<Array<Bytea>, _>(&hashes)
    .bind::<Timestamptz, _>(joined)
    .bind::<Array<Text>, _>(&tenants)
    .bind::<BigInt, _>(n)
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO water_connection (id, tenant_id, property_id, connection_no, application_no, old_connection_no,
                connection_type, previous_reading_date, created_at, last_modified_at)
         SELECT gen_random_uuid(), p.tenant_id, p.id, 'WSB/' || p.property_id, 'WSB_AP/' || p.property_id,
                'B' || $1 || '-' || split_part(p.property_id, '-', 6), 'Non_Metered', $2, $3, $3
           FROM property p WHERE p.property_id LIKE 'PB-PT-BENCH-' || $1 || '-%'",
    )
    .bind::<Text, _>(run.to_string())
    .bind::<Timestamptz, _>(prd)
    .bind::<Timestamptz, _>(joined)
    .execute(conn)?;
    let made = diesel::sql_query(
        "INSERT INTO water_connection_mobile (connection_id, tenant_id, mobile_hash, since)
         SELECT c.id, c.tenant_id, p.owner_mobile_hash, c.created_at
           FROM water_connection c JOIN property p ON p.id = c.property_id
          WHERE c.connection_no LIKE 'WSB/PB-PT-BENCH-' || $1 || '-%'",
    )
    .bind::<Text, _>(run.to_string())
    .execute(conn)?;
    diesel::sql_query("ANALYZE").execute(conn)?;
    println!(
        "setup: {made} households in {:.1}s",
        setup.elapsed().as_secs_f64()
    );

    Ok(())
}
