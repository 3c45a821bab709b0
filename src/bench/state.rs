//! `mgramseva bench state`: a synthetic state (by default every GP of the master data × 800
//! households × 12 months) written straight in SQL: a water demand and its line for every
//! household and month, a counter payment for three households in four (one synthetic bill per
//! GP for their details to point at), and the division and state views' roll-up for the same
//! figures (one row per GP and month, plus expenses). Then, in the same run, p50/p95 of:
//! - the state view as the page and endpoint ask it (`stateview::service::search`: every GP,
//!   sorted by demand, the first page and the totals), beside the direct aggregate over the
//!   ledger (billing's and collection's sums for every GP over the 12 months, sorted, the first
//!   page and the totals);
//! - a division view (the division with the most GPs), beside the same direct aggregate for
//!   that division's GPs;
//!
//! and the ratios. The two sides' totals are compared (they must agree to the paisa).
//! `--reuse` measures the synthetic state of an earlier run again (the database keeps it).

use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Text};
use rust_decimal::Decimal;

use super::{pct, unlimited};
use crate::business::{billing, collection};
use crate::config::Settings;
use crate::municipal::stateview::period::Period;
use crate::municipal::stateview::service::{self as view, Query, Scope};

/// Consumer codes of the synthetic households: `BENCHSV-<GP's ordinal>-<household>`.
const PREFIX: &str = "BENCHSV-";

/// What one run measured (milliseconds).
#[derive(Clone, Debug, Default)]
pub struct StateBench {
    pub gps: usize,
    pub households: usize,
    pub months: usize,
    /// Seconds spent writing the synthetic state (0 with `--reuse`).
    pub setup_secs: f64,
    pub demands: i64,
    pub payments: i64,
    pub state_p50: f64,
    pub state_p95: f64,
    pub direct_state_p50: f64,
    pub direct_state_p95: f64,
    pub division: String,
    pub division_gps: usize,
    pub division_p50: f64,
    pub division_p95: f64,
    pub direct_division_p50: f64,
    pub direct_division_p95: f64,
    /// Demand and collection of the state, from the roll-up and from the ledger.
    pub rollup_totals: (Decimal, Decimal),
    pub ledger_totals: (Decimal, Decimal),
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The 12 months up to the current one (their first days), oldest first.
fn months(today: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let mut m = crate::time::month_start(today);
    let mut out = vec![m];
    while out.len() < n {
        m = crate::time::prev_month(m);
        out.push(m);
    }
    out.reverse();
    out
}

pub fn state(
    settings: Settings,
    gps_limit: Option<usize>,
    households: usize,
    iterations: usize,
    reuse: bool,
) -> anyhow::Result<StateBench> {
    let settings = unlimited(settings);
    let pool = crate::connect(&settings)?;
    let mut conn = pool.get().context("database")?;
    let today = Utc::now().with_timezone(&crate::time::IST).date_naive();
    let months = months(today, 12);
    let mut gps = crate::platform::mdms::repo::gram_panchayat_codes(&mut conn)?;
    if let Some(n) = gps_limit {
        gps.truncate(n);
    }
    let h = i64::try_from(households).unwrap_or(800);
    let mut out = StateBench {
        gps: gps.len(),
        households,
        months: months.len(),
        ..StateBench::default()
    };
    println!(
        "synthetic state: {} GPs x {households} households x {} months ({} to {})",
        gps.len(),
        months.len(),
        months[0].format("%Y-%m"),
        months[months.len() - 1].format("%Y-%m")
    );
    let existing: N = diesel::sql_query(
        "SELECT count(*) AS n FROM (SELECT 1 FROM billing_demand WHERE consumer_code LIKE $1 LIMIT 1) x",
    )
    .bind::<Text, _>(format!("{PREFIX}%"))
    .get_result(&mut conn)?;
    if reuse {
        anyhow::ensure!(
            existing.n > 0,
            "--reuse: this database holds no synthetic state of an earlier run"
        );
        println!("re-using the synthetic state of an earlier run");
    } else {
        anyhow::ensure!(
            existing.n == 0,
            "this database holds the synthetic state of an earlier run: pass --reuse, or use a fresh database"
        );
        let started = Instant::now();
        let (d, p) = setup(&mut conn, &gps, h, &months)?;
        out.setup_secs = started.elapsed().as_secs_f64();
        println!(
            "setup: {d} demands, {p} payments and {} roll-up rows in {:.1}s",
            gps.len() * months.len(),
            out.setup_secs
        );
    }
    let counted: N =
        diesel::sql_query("SELECT count(*) AS n FROM billing_demand WHERE consumer_code LIKE $1")
            .bind::<Text, _>(format!("{PREFIX}%"))
            .get_result(&mut conn)?;
    out.demands = counted.n;
    let counted: N = diesel::sql_query(
        "SELECT count(*) AS n FROM collection_payment_detail WHERE consumer_code LIKE $1",
    )
    .bind::<Text, _>(format!("{PREFIX}%"))
    .get_result(&mut conn)?;
    out.payments = counted.n;

    let (from, to) = (months[0], months[months.len() - 1]);
    let period = Period::Range(from, to);
    let last_month = crate::time::prev_month(to);
    let query = |scope: Scope| Query {
        period,
        gp: None,
        last_month,
        scope,
        zone: None,
        circle: None,
        division: None,
        sort: "demand",
        descending: true,
        limit: 50,
        offset: 0,
    };

    // The division with the most GPs.
    let mut by_division: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for t in crate::platform::mdms::repo::tenants(&mut conn)? {
        if let Some(d) = t.division_code.clone()
            && t.is_gram_panchayat()
            && gps.contains(&t.code)
        {
            by_division.entry(d).or_default().push(t.code);
        }
    }
    let (division, division_gps) = by_division
        .into_iter()
        .max_by_key(|(_, v)| v.len())
        .unwrap_or_default();
    out.division = division.clone();
    out.division_gps = division_gps.len();

    let time = |conn: &mut PgConnection,
                f: &mut dyn FnMut(&mut PgConnection) -> anyhow::Result<()>|
     -> anyhow::Result<(f64, f64)> {
        f(conn)?; // warm
        let mut t: Vec<Duration> = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let s = Instant::now();
            f(conn)?;
            t.push(s.elapsed());
        }
        t.sort();
        Ok((pct(&t, 0.5), pct(&t, 0.95)))
    };

    let q = query(Scope::State);
    let mut rollup_totals = (Decimal::ZERO, Decimal::ZERO);
    (out.state_p50, out.state_p95) = time(&mut conn, &mut |c| {
        let f = view::search(c, &q)?;
        anyhow::ensure!(f.rows.len() == 50.min(gps_count(&f)), "a first page");
        rollup_totals = (f.totals.demand, f.totals.collection);
        Ok(())
    })?;
    out.rollup_totals = rollup_totals;
    let mut ledger_totals = (Decimal::ZERO, Decimal::ZERO);
    (out.direct_state_p50, out.direct_state_p95) = time(&mut conn, &mut |c| {
        ledger_totals = direct(c, None, from, to)?;
        Ok(())
    })?;
    out.ledger_totals = ledger_totals;

    let q = query(Scope::Divisions(vec![division]));
    (out.division_p50, out.division_p95) = time(&mut conn, &mut |c| {
        view::search(c, &q)?;
        Ok(())
    })?;
    (out.direct_division_p50, out.direct_division_p95) = time(&mut conn, &mut |c| {
        direct(c, Some(&division_gps), from, to)?;
        Ok(())
    })?;

    println!(
        "state view (service, {} GPs, sorted by demand, first page and totals), {iterations} runs: p50 {:.1} ms, p95 {:.1} ms",
        out.gps, out.state_p50, out.state_p95
    );
    println!(
        "  direct aggregate over the ledger ({} demands, {} payments): p50 {:.1} ms, p95 {:.1} ms; ratio direct / view (p50) {:.1}",
        out.demands,
        out.payments,
        out.direct_state_p50,
        out.direct_state_p95,
        out.direct_state_p50 / out.state_p50.max(0.001)
    );
    println!(
        "division view ({}, {} GPs): p50 {:.1} ms, p95 {:.1} ms",
        out.division, out.division_gps, out.division_p50, out.division_p95
    );
    println!(
        "  direct aggregate over the ledger: p50 {:.1} ms, p95 {:.1} ms; ratio direct / view (p50) {:.1}",
        out.direct_division_p50,
        out.direct_division_p95,
        out.direct_division_p50 / out.division_p50.max(0.001)
    );
    println!(
        "totals (demand, collection): roll-up {} / {}, ledger {} / {}: {}",
        out.rollup_totals.0,
        out.rollup_totals.1,
        out.ledger_totals.0,
        out.ledger_totals.1,
        if out.rollup_totals == out.ledger_totals {
            "agree"
        } else {
            "DIFFER"
        }
    );
    Ok(out)
}

fn gps_count(f: &view::Found) -> usize {
    usize::try_from(f.total).unwrap_or(0)
}

/// The view's figures straight from the ledger through billing's and collection's reads: every
/// GP's demand and collection over `[from, to]`, sorted by demand, the first 50 and the totals.
fn direct(
    c: &mut PgConnection,
    tenants: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<(Decimal, Decimal)> {
    let mut rows: std::collections::HashMap<String, (Decimal, Decimal)> = Default::default();
    for d in billing::service::rollup::water_demand_between(c, tenants, from, to)? {
        rows.entry(d.tenant_id).or_default().0 += d.demand;
    }
    for p in collection::service::rollup::water_collection_between(c, tenants, from, to)? {
        rows.entry(p.tenant_id).or_default().1 += p.collected;
    }
    let totals = rows.values().fold((Decimal::ZERO, Decimal::ZERO), |t, r| {
        (t.0 + r.0, t.1 + r.1)
    });
    let mut v: Vec<(String, (Decimal, Decimal))> = rows.into_iter().collect();
    v.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    v.truncate(50);
    Ok(totals)
}

/// Writes the synthetic state, 50 GPs a statement; returns (demands, payments).
fn setup(
    conn: &mut PgConnection,
    gps: &[String],
    households: i64,
    months: &[NaiveDate],
) -> anyhow::Result<(i64, i64)> {
    let started = Instant::now();
    let (mut demands, mut payments) = (0i64, 0i64);
    // The ordinal of each GP varies its figures (so the sort has something to sort).
    let all: Vec<(i64, String)> = gps
        .iter()
        .enumerate()
        .map(|(i, g)| (i64::try_from(i).unwrap_or(0), g.clone()))
        .collect();
    for (n, chunk) in all.chunks(50).enumerate() {
        let codes: Vec<String> = chunk.iter().map(|c| c.1.clone()).collect();
        let ords: Vec<i64> = chunk.iter().map(|c| c.0).collect();
        conn.transaction(|c| -> anyhow::Result<()> {
            // one bill per GP for the payments to point at
            diesel::sql_query(
                "INSERT INTO billing_bill (id, tenant_id, bill_number, business_service, consumer_code, status,
                        total_amount, bill_date, fingerprint)
                 SELECT gen_random_uuid(), t.code, 'BENCHSV/' || t.ord, 'WS', $3 || t.ord, 'PAID', 0, now(), 'bench'
                   FROM unnest($1::text[], $2::bigint[]) AS t(code, ord)",
            )
            .bind::<Array<Text>, _>(&codes)
            .bind::<Array<BigInt>, _>(&ords)
            .bind::<Text, _>(PREFIX)
            .execute(c)?;
            // a demand a household a month: 50 + ((household + GP) % 5) * 10
            let made: N = diesel::sql_query(
                "WITH src AS MATERIALIZED (
                     SELECT gen_random_uuid() AS id, t.code, $4 || t.ord || '-' || h AS consumer,
                            (m::timestamp AT TIME ZONE 'Asia/Kolkata') AS period_from,
                            ((m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Kolkata') - interval '1 millisecond' AS period_to,
                            50 + ((h + t.ord) % 5) * 10 AS amount
                       FROM unnest($1::text[], $2::bigint[]) AS t(code, ord)
                       CROSS JOIN generate_series(1, $3::bigint) AS h
                       CROSS JOIN unnest($5::date[]) AS m),
                 made AS (
                     INSERT INTO billing_demand (id, tenant_id, business_service, consumer_code, consumer_type,
                             period_from, period_to, status, created_at, last_modified_at)
                     SELECT id, code, 'WS', consumer, 'waterConnection', period_from, period_to, 'ACTIVE', now(), now()
                       FROM src RETURNING 1),
                 lines AS (
                     INSERT INTO billing_demand_detail (id, demand_id, tenant_id, tax_head_code, tax_amount,
                             created_at, last_modified_at)
                     SELECT gen_random_uuid(), id, code, '10101', amount, now(), now() FROM src RETURNING 1)
                 SELECT count(*) AS n FROM made",
            )
            .bind::<Array<Text>, _>(&codes)
            .bind::<Array<BigInt>, _>(&ords)
            .bind::<BigInt, _>(households)
            .bind::<Text, _>(PREFIX)
            .bind::<Array<Date>, _>(months)
            .get_result(c)?;
            demands += made.n;
            // three households in four pay their month in full on its 15th
            let paid: N = diesel::sql_query(
                "WITH src AS MATERIALIZED (
                     SELECT gen_random_uuid() AS id, t.code, b.id AS bill_id, $4 || t.ord || '-' || h AS consumer,
                            ((m + interval '14 days')::timestamp AT TIME ZONE 'Asia/Kolkata') AS at,
                            50 + ((h + t.ord) % 5) * 10 AS amount,
                            'BSV/' || t.ord || '/' || h || '/' || to_char(m, 'YYYYMM') AS receipt
                       FROM unnest($1::text[], $2::bigint[]) AS t(code, ord)
                       JOIN billing_bill b ON b.tenant_id = t.code AND b.bill_number = 'BENCHSV/' || t.ord
                       CROSS JOIN generate_series(1, $3::bigint) AS h
                       CROSS JOIN unnest($5::date[]) AS m
                      WHERE h % 4 <> 0),
                 made AS (
                     INSERT INTO collection_payment (id, tenant_id, total_due, total_amount_paid, payment_mode,
                             transaction_number, transaction_date, payment_status)
                     SELECT id, code, amount, amount, 'CASH', receipt, at, 'NEW' FROM src RETURNING 1),
                 details AS (
                     INSERT INTO collection_payment_detail (id, payment_id, tenant_id, bill_id, business_service,
                             consumer_code, total_due, total_amount_paid, receipt_number, receipt_date)
                     SELECT gen_random_uuid(), id, code, bill_id, 'WS', consumer, amount, amount, receipt, at
                       FROM src RETURNING 1)
                 SELECT count(*) AS n FROM made",
            )
            .bind::<Array<Text>, _>(&codes)
            .bind::<Array<BigInt>, _>(&ords)
            .bind::<BigInt, _>(households)
            .bind::<Text, _>(PREFIX)
            .bind::<Array<Date>, _>(months)
            .get_result(c)?;
            payments += paid.n;
            // the roll-up of the same figures, straight (expenses: 1,000 + 100 × (GP % 7) a
            // month, four fifths of it paid)
            diesel::sql_query(
                "INSERT INTO stateview_gp_month (tenant_id, month, demand, collection, expenses_billed,
                        expenses_paid, households_billed)
                 SELECT t.code, m, sum(50 + ((h + t.ord) % 5) * 10),
                        coalesce(sum(50 + ((h + t.ord) % 5) * 10) FILTER (WHERE h % 4 <> 0), 0),
                        1000 + 100 * (t.ord % 7), (1000 + 100 * (t.ord % 7)) * 0.8, $3
                   FROM unnest($1::text[], $2::bigint[]) AS t(code, ord)
                   CROSS JOIN generate_series(1, $3::bigint) AS h
                   CROSS JOIN unnest($4::date[]) AS m
                  GROUP BY t.code, t.ord, m
                 ON CONFLICT (tenant_id, month) DO UPDATE SET demand = EXCLUDED.demand,
                   collection = EXCLUDED.collection, expenses_billed = EXCLUDED.expenses_billed,
                   expenses_paid = EXCLUDED.expenses_paid, households_billed = EXCLUDED.households_billed",
            )
            .bind::<Array<Text>, _>(&codes)
            .bind::<Array<BigInt>, _>(&ords)
            .bind::<BigInt, _>(households)
            .bind::<Array<Date>, _>(months)
            .execute(c)?;
            diesel::sql_query(
                "INSERT INTO stateview_gp (tenant_id, households, last_demand_date, refreshed_at)
                 SELECT code, $2, $3, now() FROM unnest($1::text[]) AS t(code)
                 ON CONFLICT (tenant_id) DO UPDATE SET households = EXCLUDED.households,
                   last_demand_date = EXCLUDED.last_demand_date, refreshed_at = now()",
            )
            .bind::<Array<Text>, _>(&codes)
            .bind::<BigInt, _>(households)
            .bind::<Date, _>(
                crate::time::next_month(months[months.len() - 1])
                    .pred_opt()
                    .unwrap_or(months[0]),
            )
            .execute(c)?;
            Ok(())
        })?;
        let done = (n + 1) * 50;
        if done % 500 == 0 || done >= all.len() {
            println!(
                "  {}/{} GPs, {demands} demands, {payments} payments, {:.0}s",
                done.min(all.len()),
                all.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    diesel::sql_query("ANALYZE").execute(conn)?;
    Ok((demands, payments))
}
