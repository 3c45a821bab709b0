//! Keeping the roll-up current and reading the views from it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Jsonb, Nullable, Numeric, Text, Timestamptz};
use rust_decimal::Decimal;
use serde_json::json;

use super::period::Period;
use crate::business::{billing, collection};
use crate::municipal::{echallan, water};
use crate::platform::access::identity::{AuthUser, tenant_covers};
use crate::platform::mdms;

/// How far back each run reads again beyond its watermark: a write stamped before a run began
/// but committed after the run read is seen by the next run (recomputing a GP twice is harmless).
pub const OVERLAP_MINUTES: i64 = 5;

/// What a refresh did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Refreshed {
    /// Whether every GP was recomputed (first run, or asked for).
    pub full: bool,
    pub gps: usize,
    pub month_rows: usize,
}

#[derive(QueryableByName)]
struct Watermark {
    #[diesel(sql_type = Timestamptz)]
    changed_since: DateTime<Utc>,
}

/// Recomputes the GPs changed since the watermark (every GP on the first run or when `full`),
/// in one transaction, and moves the watermark to `now` less the overlap.
pub fn refresh(conn: &mut PgConnection, now: DateTime<Utc>, full: bool) -> QueryResult<Refreshed> {
    conn.transaction(|c| {
        let mark: Option<Watermark> = diesel::sql_query(
            "SELECT changed_since FROM stateview_watermark WHERE id = 1 FOR UPDATE",
        )
        .get_result(c)
        .optional()?;
        let changed = match (&mark, full) {
            (Some(m), false) => {
                let since = m.changed_since;
                let mut set = BTreeSet::new();
                set.extend(billing::service::rollup::tenants_changed_since(c, since)?);
                set.extend(collection::service::rollup::tenants_changed_since(
                    c, since,
                )?);
                set.extend(echallan::service::rollup::tenants_changed_since(c, since)?);
                set.extend(water::service::rollup::tenants_changed_since(c, since)?);
                Some(set.into_iter().collect::<Vec<_>>())
            }
            _ => None,
        };
        let out = match &changed {
            Some(t) if t.is_empty() => Refreshed::default(),
            _ => recompute(c, changed.as_deref(), now)?,
        };
        diesel::sql_query(
            "INSERT INTO stateview_watermark (id, changed_since, refreshed_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET changed_since = $1, refreshed_at = $2",
        )
        .bind::<Timestamptz, _>(now - Duration::minutes(OVERLAP_MINUTES))
        .bind::<Timestamptz, _>(now)
        .execute(c)?;
        Ok(out)
    })
}

#[derive(Default)]
struct MonthRow {
    demand: Decimal,
    collection: Decimal,
    billed: Decimal,
    paid: Decimal,
    households: i64,
}

/// Replaces the roll-up rows of `tenants` (every GP when `None`) from the modules' figures.
fn recompute(
    c: &mut PgConnection,
    tenants: Option<&[String]>,
    now: DateTime<Utc>,
) -> QueryResult<Refreshed> {
    // Only the GPs of the master data (the roll-up's rows reference them).
    let gps: Vec<String> = match tenants {
        None => mdms::repo::gram_panchayat_codes(c)?,
        Some(t) => mdms::repo::tenants_by_codes(c, t)?
            .into_iter()
            .filter(|t| t.is_gram_panchayat())
            .map(|t| t.code)
            .collect(),
    };
    let known: BTreeSet<&str> = gps.iter().map(String::as_str).collect();
    let mut months: BTreeMap<(String, NaiveDate), MonthRow> = BTreeMap::new();
    let mut last_demand: BTreeMap<String, NaiveDate> = BTreeMap::new();
    for d in billing::service::rollup::water_demand_by_month(c, tenants)? {
        if let Some(l) = d.last_demand_date {
            let e = last_demand.entry(d.tenant_id.clone()).or_insert(l);
            *e = (*e).max(l);
        }
        let r = months.entry((d.tenant_id, d.month)).or_default();
        r.demand += d.demand;
        r.households += d.households;
    }
    for p in collection::service::rollup::water_collection_by_month(c, tenants)? {
        months.entry((p.tenant_id, p.month)).or_default().collection += p.collected;
    }
    for e in echallan::service::rollup::expenses_by_month(c, tenants)? {
        let r = months.entry((e.tenant_id, e.month)).or_default();
        r.billed += e.billed;
        r.paid += e.paid;
    }
    let households: BTreeMap<String, i64> = water::service::rollup::active_households(c, tenants)?
        .into_iter()
        .map(|h| (h.tenant_id, h.active))
        .collect();

    let scope: Option<Vec<String>> = tenants.map(<[String]>::to_vec);
    diesel::sql_query(
        "DELETE FROM stateview_gp_month WHERE $1::text[] IS NULL OR tenant_id = ANY($1)",
    )
    .bind::<Nullable<Array<Text>>, _>(&scope)
    .execute(c)?;
    diesel::sql_query("DELETE FROM stateview_gp WHERE $1::text[] IS NULL OR tenant_id = ANY($1)")
        .bind::<Nullable<Array<Text>>, _>(&scope)
        .execute(c)?;

    let money = |d: Decimal| d.round_dp(2).to_string();
    let month_rows: Vec<serde_json::Value> = months
        .iter()
        .filter(|((t, _), _)| known.contains(t.as_str()))
        .map(|((t, m), r)| {
            json!({
                "tenant_id": t, "month": m, "demand": money(r.demand),
                "collection": money(r.collection), "expenses_billed": money(r.billed),
                "expenses_paid": money(r.paid), "households_billed": r.households,
            })
        })
        .collect();
    let n = month_rows.len();
    // In batches: one statement's parameters stay small whatever the state's size.
    for chunk in month_rows.chunks(20_000) {
        diesel::sql_query(
            "INSERT INTO stateview_gp_month (tenant_id, month, demand, collection, \
               expenses_billed, expenses_paid, households_billed) \
             SELECT tenant_id, month, demand, collection, expenses_billed, expenses_paid, \
               households_billed FROM jsonb_to_recordset($1) AS x(tenant_id text, month date, \
               demand numeric, collection numeric, expenses_billed numeric, \
               expenses_paid numeric, households_billed integer)",
        )
        .bind::<Jsonb, _>(serde_json::Value::Array(chunk.to_vec()))
        .execute(c)?;
    }
    let gp_rows: Vec<serde_json::Value> = gps
        .iter()
        .map(|t| {
            json!({
                "tenant_id": t,
                "households": households.get(t).copied().unwrap_or(0),
                "last_demand_date": last_demand.get(t),
            })
        })
        .collect();
    for chunk in gp_rows.chunks(20_000) {
        diesel::sql_query(
            "INSERT INTO stateview_gp (tenant_id, households, last_demand_date, refreshed_at) \
             SELECT tenant_id, households, last_demand_date, $2 FROM jsonb_to_recordset($1) \
               AS x(tenant_id text, households integer, last_demand_date date)",
        )
        .bind::<Jsonb, _>(serde_json::Value::Array(chunk.to_vec()))
        .bind::<Timestamptz, _>(now)
        .execute(c)?;
    }
    Ok(Refreshed {
        full: tenants.is_none(),
        gps: gps.len(),
        month_rows: n,
    })
}

/// The GPs a caller may see: every GP, or those of some divisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    State,
    Divisions(Vec<String>),
}

impl Scope {
    /// Whether a division filter stays inside the scope.
    pub fn allows_division(&self, d: &str) -> bool {
        match self {
            Scope::State => true,
            Scope::Divisions(ds) => ds.iter().any(|x| x == d),
        }
    }
}

/// The state admin (holding the role on the state) sees every GP; a division admin the GPs of
/// the divisions of the tenants they hold the role on (as HRMS gives it: on each GP of the
/// division), and so does a state admin whose role is held on GPs only.
pub fn scope_of(conn: &mut PgConnection, user: &AuthUser, state: &str) -> QueryResult<Scope> {
    let statewide = user
        .roles
        .iter()
        .any(|r| r.code == "STATE_ADMIN" && tenant_covers(&r.tenant_id, state));
    if statewide {
        return Ok(Scope::State);
    }
    let holders: Vec<String> = user
        .roles
        .iter()
        .filter(|r| super::ROLES.contains(&r.code.as_str()))
        .map(|r| r.tenant_id.clone())
        .collect();
    let covered = mdms::repo::codes_covered_by(conn, &holders)?;
    let mut divisions: Vec<String> = mdms::repo::tenants_by_codes(conn, &covered)?
        .into_iter()
        .filter_map(|t| t.division_code)
        .collect();
    divisions.sort();
    divisions.dedup();
    Ok(Scope::Divisions(divisions))
}

/// What to read.
#[derive(Clone, Debug)]
pub struct Query {
    pub period: Period,
    /// One GP only (the endpoint's `tenantId` when it names a GP of the scope).
    pub gp: Option<String>,
    /// The month whose bills "last month" means (the first day of the month before today's).
    pub last_month: NaiveDate,
    pub scope: Scope,
    pub zone: Option<String>,
    pub circle: Option<String>,
    pub division: Option<String>,
    /// The SQL of the sort column (from `period::sort_sql`).
    pub sort: &'static str,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One GP's row (and, with `tenant_id` empty, the totals).
#[derive(Clone, Debug, QueryableByName)]
pub struct Row {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub zone: String,
    #[diesel(sql_type = Text)]
    pub circle: String,
    #[diesel(sql_type = Text)]
    pub division: String,
    #[diesel(sql_type = Numeric)]
    pub demand: Decimal,
    #[diesel(sql_type = Numeric)]
    pub collection: Decimal,
    /// Collection / demand in per cent, two places; `None` without demand.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub efficiency: Option<Decimal>,
    /// Expense bills of the period (not cancelled).
    #[diesel(sql_type = Numeric)]
    pub expenses: Decimal,
    #[diesel(sql_type = Numeric)]
    pub expenses_paid: Decimal,
    /// Collection less expenses paid.
    #[diesel(sql_type = Numeric)]
    pub surplus: Decimal,
    #[diesel(sql_type = BigInt)]
    pub households: i64,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_demand_date: Option<NaiveDate>,
    /// No household billed for last month (for the totals: how many GPs).
    #[diesel(sql_type = BigInt)]
    pub not_billed: i64,
}

/// A page of the view.
#[derive(Clone, Debug)]
pub struct Found {
    pub total: i64,
    pub rows: Vec<Row>,
    pub totals: Row,
    /// When the roll-up was last brought up to date (`None`: never).
    pub as_of: Option<DateTime<Utc>>,
}

/// The GPs of the scope and filters (`t`), their sums over the period (`m`) and their rows
/// (`g`). `narrow` (a division, a zone, one GP …): each GP's months read through the roll-up's
/// primary key; else (the whole state) one hash aggregate over the period's rows, which is
/// faster than thousands of index reads.
fn gps_sql(narrow: bool) -> String {
    let m = if narrow {
        "LEFT JOIN LATERAL ( \
           SELECT sum(x.demand) AS demand, sum(x.collection) AS collection, \
             sum(x.expenses_billed) AS expenses, sum(x.expenses_paid) AS expenses_paid \
           FROM stateview_gp_month x WHERE x.tenant_id = t.code AND x.month BETWEEN $1 AND $2) m ON true"
    } else {
        "LEFT JOIN ( \
           SELECT x.tenant_id, sum(x.demand) AS demand, sum(x.collection) AS collection, \
             sum(x.expenses_billed) AS expenses, sum(x.expenses_paid) AS expenses_paid \
           FROM stateview_gp_month x WHERE x.month BETWEEN $1 AND $2 GROUP BY x.tenant_id) m \
           ON m.tenant_id = t.code"
    };
    format!(
        "WITH t AS MATERIALIZED ( \
          SELECT code, name, zone_code, circle_code, division_code FROM mdms_tenant \
          WHERE code LIKE '%.%' \
            AND ($4::text[] IS NULL OR division_code = ANY($4)) \
            AND ($5::text IS NULL OR zone_code = $5) \
            AND ($6::text IS NULL OR circle_code = $6) \
            AND ($7::text IS NULL OR division_code = $7) \
            AND ($8::text IS NULL OR code = $8)), \
        g AS ( \
          SELECT t.code AS tenant_id, t.name, coalesce(t.zone_code, '') AS zone, \
            coalesce(t.circle_code, '') AS circle, coalesce(t.division_code, '') AS division, \
            coalesce(m.demand, 0) AS demand, coalesce(m.collection, 0) AS collection, \
            coalesce(m.expenses, 0) AS expenses, coalesce(m.expenses_paid, 0) AS expenses_paid, \
            coalesce(m.collection, 0) - coalesce(m.expenses_paid, 0) AS surplus, \
            CASE WHEN m.demand > 0 THEN round(m.collection * 100 / m.demand, 2) END AS efficiency, \
            coalesce(s.households, 0)::bigint AS households, s.last_demand_date, \
            (coalesce(b.households_billed, 0) = 0)::int::bigint AS not_billed \
          FROM t {m} \
            LEFT JOIN stateview_gp s ON s.tenant_id = t.code \
            LEFT JOIN stateview_gp_month b ON b.tenant_id = t.code AND b.month = $3)"
    )
}

/// A row of the page with the totals over every row (window sums, one pass).
#[derive(QueryableByName)]
struct Paged {
    #[diesel(embed)]
    gp: Row,
    #[diesel(sql_type = BigInt)]
    t_n: i64,
    #[diesel(sql_type = Numeric)]
    t_demand: Decimal,
    #[diesel(sql_type = Numeric)]
    t_collection: Decimal,
    #[diesel(sql_type = Numeric)]
    t_expenses: Decimal,
    #[diesel(sql_type = Numeric)]
    t_expenses_paid: Decimal,
    #[diesel(sql_type = BigInt)]
    t_households: i64,
    #[diesel(sql_type = Nullable<Date>)]
    t_last_demand_date: Option<NaiveDate>,
    #[diesel(sql_type = BigInt)]
    t_not_billed: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    as_of: Option<DateTime<Utc>>,
}

/// The page of GPs `q` asks for, their number and the totals over all of them.
pub fn search(conn: &mut PgConnection, q: &Query) -> QueryResult<Found> {
    // The planner's estimate for the whole state passes the JIT threshold, and compiling costs
    // several times what the query does (400 ms beside 50 ms on the bench): no JIT here.
    conn.transaction(|c| {
        diesel::sql_query("SET LOCAL jit = off").execute(c)?;
        search_in(c, q)
    })
}

fn search_in(conn: &mut PgConnection, q: &Query) -> QueryResult<Found> {
    let (from, to) = q.period.months();
    let divisions: Option<Vec<String>> = match &q.scope {
        Scope::State => None,
        Scope::Divisions(d) => Some(d.clone()),
    };
    let dir = if q.descending { "DESC" } else { "ASC" };
    let narrow = divisions.is_some()
        || q.zone.is_some()
        || q.circle.is_some()
        || q.division.is_some()
        || q.gp.is_some();
    let gps = gps_sql(narrow);
    // The page and the totals in one pass: the window sums run over every row of `g` before
    // the sort's limit.
    let paged: Vec<Paged> = diesel::sql_query(format!(
        "{gps} SELECT g.*, count(*) OVER () AS t_n, sum(demand) OVER () AS t_demand, \
           sum(collection) OVER () AS t_collection, sum(expenses) OVER () AS t_expenses, \
           sum(expenses_paid) OVER () AS t_expenses_paid, \
           (sum(households) OVER ())::bigint AS t_households, \
           max(last_demand_date) OVER () AS t_last_demand_date, \
           (sum(not_billed) OVER ())::bigint AS t_not_billed, \
           (SELECT refreshed_at FROM stateview_watermark WHERE id = 1) AS as_of \
         FROM g ORDER BY {} {dir} NULLS LAST, tenant_id LIMIT $9 OFFSET $10",
        q.sort
    ))
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Date, _>(q.last_month)
    .bind::<Nullable<Array<Text>>, _>(&divisions)
    .bind::<Nullable<Text>, _>(q.zone.as_deref())
    .bind::<Nullable<Text>, _>(q.circle.as_deref())
    .bind::<Nullable<Text>, _>(q.division.as_deref())
    .bind::<Nullable<Text>, _>(q.gp.as_deref())
    .bind::<BigInt, _>(q.limit)
    .bind::<BigInt, _>(q.offset)
    .load(conn)?;
    if let Some(first) = paged.first() {
        let totals = totals_row(
            first.t_demand,
            first.t_collection,
            first.t_expenses,
            first.t_expenses_paid,
            first.t_households,
            first.t_last_demand_date,
            first.t_not_billed,
        );
        let (total, as_of) = (first.t_n, first.as_of);
        return Ok(Found {
            total,
            rows: paged.into_iter().map(|p| p.gp).collect(),
            totals,
            as_of,
        });
    }
    // A page past the end: the totals alone.
    #[derive(QueryableByName)]
    struct Totals {
        #[diesel(sql_type = BigInt)]
        n: i64,
        #[diesel(sql_type = Numeric)]
        demand: Decimal,
        #[diesel(sql_type = Numeric)]
        collection: Decimal,
        #[diesel(sql_type = Numeric)]
        expenses: Decimal,
        #[diesel(sql_type = Numeric)]
        expenses_paid: Decimal,
        #[diesel(sql_type = BigInt)]
        households: i64,
        #[diesel(sql_type = Nullable<Date>)]
        last_demand_date: Option<NaiveDate>,
        #[diesel(sql_type = BigInt)]
        not_billed: i64,
        #[diesel(sql_type = Nullable<Timestamptz>)]
        as_of: Option<DateTime<Utc>>,
    }
    let t: Totals = diesel::sql_query(format!(
        "{gps} SELECT count(*) AS n, coalesce(sum(demand), 0) AS demand, \
           coalesce(sum(collection), 0) AS collection, coalesce(sum(expenses), 0) AS expenses, \
           coalesce(sum(expenses_paid), 0) AS expenses_paid, \
           coalesce(sum(households), 0)::bigint AS households, \
           max(last_demand_date) AS last_demand_date, \
           coalesce(sum(not_billed), 0)::bigint AS not_billed, \
           (SELECT refreshed_at FROM stateview_watermark WHERE id = 1) AS as_of \
         FROM g"
    ))
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Date, _>(q.last_month)
    .bind::<Nullable<Array<Text>>, _>(&divisions)
    .bind::<Nullable<Text>, _>(q.zone.as_deref())
    .bind::<Nullable<Text>, _>(q.circle.as_deref())
    .bind::<Nullable<Text>, _>(q.division.as_deref())
    .bind::<Nullable<Text>, _>(q.gp.as_deref())
    .get_result(conn)?;
    Ok(Found {
        total: t.n,
        rows: Vec::new(),
        totals: totals_row(
            t.demand,
            t.collection,
            t.expenses,
            t.expenses_paid,
            t.households,
            t.last_demand_date,
            t.not_billed,
        ),
        as_of: t.as_of,
    })
}

/// The totals row (`tenant_id` empty; `not_billed` counts the GPs).
fn totals_row(
    demand: Decimal,
    collection: Decimal,
    expenses: Decimal,
    expenses_paid: Decimal,
    households: i64,
    last_demand_date: Option<NaiveDate>,
    not_billed: i64,
) -> Row {
    let efficiency =
        (demand > Decimal::ZERO).then(|| (collection * Decimal::from(100) / demand).round_dp(2));
    Row {
        tenant_id: String::new(),
        name: String::new(),
        zone: String::new(),
        circle: String::new(),
        division: String::new(),
        demand,
        collection,
        efficiency,
        expenses,
        expenses_paid,
        surplus: collection - expenses_paid,
        households,
        last_demand_date,
        not_billed,
    }
}

/// The zones, circles and divisions (code, name) a scope covers, for the filters and their checks.
pub fn places(conn: &mut PgConnection, scope: &Scope) -> QueryResult<super::params::Places> {
    let mut zones = BTreeSet::new();
    let mut circles = BTreeSet::new();
    let mut divisions = BTreeMap::new();
    for t in mdms::repo::tenants(conn)? {
        if !t.is_gram_panchayat() {
            continue;
        }
        let Some(d) = t.division_code.clone() else {
            continue;
        };
        if !scope.allows_division(&d) {
            continue;
        }
        zones.extend(t.zone_code.clone());
        circles.extend(t.circle_code.clone());
        divisions.insert(d, t.division_name.clone().unwrap_or_default());
    }
    Ok(super::params::Places {
        zones: zones.into_iter().collect(),
        circles: circles.into_iter().collect(),
        divisions: divisions.into_iter().collect(),
    })
}

/// One month of a GP's roll-up.
#[derive(Clone, Debug, QueryableByName)]
pub struct Month {
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = Numeric)]
    pub demand: Decimal,
    #[diesel(sql_type = Numeric)]
    pub collection: Decimal,
    #[diesel(sql_type = Numeric)]
    pub expenses_billed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub expenses_paid: Decimal,
    #[diesel(sql_type = BigInt)]
    pub households_billed: i64,
}

/// Whether `tenant` is a GP of the master data inside `scope`: its name and division, or the
/// refusal (an unknown GP: 400, one outside the caller's divisions: 403).
pub fn gp_of(
    conn: &mut PgConnection,
    scope: &Scope,
    tenant: &str,
) -> QueryResult<Result<(String, String), super::params::Refusal>> {
    let Some(t) = mdms::repo::tenants_by_codes(conn, &[tenant.to_owned()])?
        .into_iter()
        .find(|t| t.is_gram_panchayat())
    else {
        return Ok(Err(super::params::gp_refusal(tenant, false)));
    };
    let division = t.division_code.clone().unwrap_or_default();
    if !scope.allows_division(&division) {
        return Ok(Err(super::params::gp_refusal(tenant, true)));
    }
    Ok(Ok((t.name, division)))
}

/// A GP's months of `period` (every month up to the current one, zeros where nothing
/// happened); the caller has checked the GP with `gp_of`.
pub fn gp_months(conn: &mut PgConnection, tenant: &str, period: Period) -> QueryResult<Vec<Month>> {
    let (from, to) = period.months();
    diesel::sql_query(
        "SELECT g.month::date AS month, coalesce(m.demand, 0) AS demand, \
           coalesce(m.collection, 0) AS collection, \
           coalesce(m.expenses_billed, 0) AS expenses_billed, \
           coalesce(m.expenses_paid, 0) AS expenses_paid, \
           coalesce(m.households_billed, 0)::bigint AS households_billed \
         FROM generate_series($2::date, $3::date, interval '1 month') AS g(month) \
         LEFT JOIN stateview_gp_month m ON m.tenant_id = $1 AND m.month = g.month::date \
         WHERE g.month::date <= (now() AT TIME ZONE 'Asia/Kolkata')::date \
         ORDER BY 1",
    )
    .bind::<Text, _>(tenant)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
}
