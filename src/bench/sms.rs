//! `mgramseva bench sms`: queues N new-bill SMS on the demo GP, then W delivery workers (threads,
//! one connection each, the real `deliver` with the `http` adapter) send them to a local test
//! double of a NIC-style gateway started here (a plain HTTP/1.1 keep-alive server answering
//! `code=API000` with a request id, after `--provider-ms`). Beside it, two floors on the same
//! machine: the same N requests to the double without the outbox (HTTP alone), and the
//! outbox's claim and mark writes as raw SQL without HTTP. Needs DATABASE_URL and a seeded
//! database.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::Utc;
use diesel::prelude::*;

use crate::config::Settings;
use crate::platform::notification::{self, Sms};

use super::{GP, run_parallel, unlimited};

const KEY: &str = "mGram.Consumer.NewBill";

/// A NIC-style gateway double: every request is accepted with a new request id.
fn start_double(delay: Duration) -> anyhow::Result<(String, Arc<AtomicUsize>)> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    let port = l.local_addr()?.port();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let c = c.clone();
            std::thread::spawn(move || serve(s, &c, delay));
        }
    });
    Ok((format!("http://127.0.0.1:{port}/failsafe/MLink"), count))
}

fn serve(s: TcpStream, count: &AtomicUsize, delay: Duration) {
    let Ok(mut out) = s.try_clone() else { return };
    let mut r = BufReader::new(s);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            match r.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" || line == "\n" {
                if first {
                    continue;
                }
                break;
            }
            first = false;
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let n = count.fetch_add(1, Ordering::Relaxed) + 1;
        let answer =
            format!("Message Accepted For Request ID={n}~code=API000 & info=Sms platform accepted");
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

fn queue(
    pool: &crate::db::DbPool,
    state: &crate::state::AppState,
    template: &str,
    n: usize,
) -> anyhow::Result<()> {
    let mut conn = pool.get().context("database")?;
    conn.transaction(|c| {
        for i in 0..n {
            let mobile = format!("7{:09}", i);
            notification::enqueue_sms(
                c,
                &state.crypto,
                &Sms {
                    tenant_id: GP,
                    mobile: &mobile,
                    template,
                    text: format!(
                        "ਪਿਆਰੇ ਖਪਤਕਾਰ, ਬਿਲਿੰਗ ਚੱਕਰ 04/2026 ਦਾ ਨਵਾਂ ਪਾਣੀ ਦਾ ਬਿੱਲ ਖਪਤਕਾਰ ID WS/{i} ਲਈ Rs.120 ਬਣਿਆ ਹੈ। http://x.in/s/{i} DWSS"
                    ),
                },
                Utc::now(),
            )?;
        }
        Ok::<_, crate::error::AppError>(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn sms(
    settings: Settings,
    messages: usize,
    workers: usize,
    provider_ms: u64,
) -> anyhow::Result<()> {
    let mut settings = unlimited(settings);
    let (url, count) = start_double(Duration::from_millis(provider_ms))?;
    let n = &mut settings.notification;
    n.sms_adapter = "http".into();
    n.http.url = url.clone();
    n.http.method = "GET".into();
    n.http.username = "bench".into();
    n.http.password = crate::config::Secret::new("bench");
    n.quiet_hours = String::new();
    n.monthly_budget = 0;
    n.tenant_budgets = String::new();
    n.dlt_template_ids = format!("{KEY}=1007000000000000000");
    let pool = crate::connect(&settings)?;
    let state = crate::build_state(settings.clone(), pool.clone())?;

    // Anything due from before is sent first (not measured).
    let mut first = pool.get().context("database")?;
    notification::deliver_due(&state, &mut first, i64::MAX, Utc::now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let before = count.load(Ordering::Relaxed);
    let setup = Instant::now();
    queue(&pool, &state, KEY, messages)?;
    println!(
        "queued {messages} SMS in {:.1}s",
        setup.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (state, pool) = (state.clone(), pool.clone());
            std::thread::spawn(move || -> anyhow::Result<usize> {
                let mut conn = pool.get().context("database")?;
                let mut sent = 0;
                loop {
                    let d = notification::deliver_due(&state, &mut conn, 200, Utc::now())
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    sent += d.sent;
                    if d.handled() == 0 {
                        return Ok(sent);
                    }
                }
            })
        })
        .collect();
    let mut sent = 0;
    for h in handles {
        sent += h
            .join()
            .map_err(|_| anyhow::anyhow!("a worker panicked"))??;
    }
    let elapsed = started.elapsed();
    let requests = count.load(Ordering::Relaxed) - before;
    let rate = sent as f64 / elapsed.as_secs_f64();
    println!(
        "outbox worker: {sent} sent ({requests} requests at the double) in {:.2}s: {rate:.0}/s ({workers} workers, provider {provider_ms} ms)",
        elapsed.as_secs_f64()
    );

    // Floor 1: the same requests without the outbox.
    let client = crate::outbound::Client::new(&settings.outbound);
    let (e, _) = run_parallel(workers, messages, move |_, i| {
        client
            .get(&format!("{url}?mnumber=91{:010}&message=x", i), &[])
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e}"))
    })?;
    let http_rate = messages as f64 / e.as_secs_f64();
    println!(
        "HTTP alone: {messages} requests in {:.2}s: {http_rate:.0}/s",
        e.as_secs_f64()
    );

    // Floor 2: the claim (10 at a time, SKIP LOCKED) and the mark as raw SQL, no HTTP.
    queue(&pool, &state, "BENCH_RAW", messages)?;
    let chunks = messages.div_ceil(10);
    let (e, _) = run_parallel(workers, chunks, move |_, _| {
        let mut c = pool.get().context("database")?;
        let ids: Vec<i64> = c.transaction(|c| {
            diesel::sql_query("UPDATE notification_outbox SET status = 'SENDING', claim_id = gen_random_uuid(), claimed_until = now() + interval '5 minutes', attempts = attempts + 1, attempted_at = now(), provider = 'raw' WHERE id IN (SELECT id FROM notification_outbox WHERE template = 'BENCH_RAW' AND status = 'PENDING' ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED) RETURNING id")
                .load::<RawId>(c)
                .map(|v| v.into_iter().map(|r| r.id).collect())
        })?;
        for id in ids {
            diesel::sql_query("UPDATE notification_outbox SET status = 'RECORDED', sent_at = now(), claim_id = NULL, claimed_until = NULL, provider_message_id = 'raw' WHERE id = $1")
                .bind::<diesel::sql_types::BigInt, _>(id)
                .execute(&mut c)?;
        }
        Ok(())
    })?;
    let raw_rate = messages as f64 / e.as_secs_f64();
    println!(
        "raw SQL claim and mark: {messages} in {:.2}s: {raw_rate:.0}/s",
        e.as_secs_f64()
    );
    println!(
        "ratio outbox / HTTP alone: {:.2}; outbox / raw SQL: {:.2}",
        rate / http_rate,
        rate / raw_rate
    );
    Ok(())
}

#[derive(QueryableByName)]
struct RawId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}
