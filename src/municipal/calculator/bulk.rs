//! Bulk demand for flat-rate households (product.md §2.4): one month of one GP at a time, as a
//! batch with its counts. Idempotent by construction: water lists the GP's flat-rate households
//! and billing writes their demands in one statement (`billing::service::bulk_create_demands`,
//! an `INSERT … SELECT` from arrays) that skips every household already billed for the month,
//! and the database's
//! exclusion constraint (one live demand per consumer and period) turns any race into a skipped
//! row (`ON CONFLICT DO NOTHING`), so two runs, or a run killed halfway and started again, leave
//! exactly one demand per household and month.
//!
//! One run of a GP's month holds a session-level advisory lock ([`RunLock`]) on the one
//! connection that does its work, from before its batch is recorded until it ends. A batch still
//! IN_PROGRESS whose lock a new run can take has no live owner (the process was killed: its
//! session, and the lock with it, went away), so the new run closes it as FAILED (abandoned) and
//! starts at once; a run whose lock is held elsewhere is refused (409).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use rust_decimal::Decimal;

use super::rates;
use crate::business::apportion;
use crate::business::billing::service as billing;
use crate::db::schema::water_bulk_demand_batch as bb;
use crate::error::{AppError, AppResult, codes};
use crate::municipal::water::service::{self as water, BILL_EXPIRY_MS, Ctx, SERVICE};
use crate::platform::mdms;
use crate::time::{IST, month_end_at, month_start_at, prev_month};

pub const PROPERTY_TYPES: [&str; 4] = ["RESIDENTIAL", "COMMERCIAL", "MIXED", "PUBLICSECTOR"];

/// The lock of one run of a GP's month: a PostgreSQL session-level advisory lock held by the
/// connection that does the run's work, for the whole run. Released when dropped, whatever way
/// the run ends (pooled connections are reused, so it must not outlive the run); if the
/// connection is lost, or dropped by the pool because the thread panicked, the session ends and
/// the lock with it.
pub struct RunLock<'c> {
    conn: &'c mut PgConnection,
    key: String,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

/// (the seed of the lock keys, apart from the consumer locks' 7240003)
const RUN_LOCK_SEED: i64 = 7_240_004;

impl<'c> RunLock<'c> {
    /// Takes the lock of `tenant`'s `month` on `conn`; None when another session holds it (a run
    /// is under way).
    pub fn try_take(
        conn: &'c mut PgConnection,
        tenant: &str,
        month: NaiveDate,
    ) -> QueryResult<Option<Self>> {
        let key = format!("bulk-demand|{tenant}|{}", month.format("%Y-%m"));
        let got: Locked =
            diesel::sql_query("SELECT pg_try_advisory_lock(hashtextextended($1, $2)) AS locked")
                .bind::<Text, _>(&key)
                .bind::<BigInt, _>(RUN_LOCK_SEED)
                .get_result(conn)?;
        Ok(got.locked.then_some(Self { conn, key }))
    }

    /// The connection that holds the lock, for the run's work.
    pub fn conn(&mut self) -> &mut PgConnection {
        self.conn
    }
}

impl Drop for RunLock<'_> {
    fn drop(&mut self) {
        let released =
            diesel::sql_query("SELECT pg_advisory_unlock(hashtextextended($1, $2)) AS locked")
                .bind::<Text, _>(&self.key)
                .bind::<BigInt, _>(RUN_LOCK_SEED)
                .get_result::<Locked>(self.conn);
        match released {
            Ok(r) if r.locked => {}
            Ok(_) => tracing::warn!(lock = %self.key, "bulk demand: the run lock was not held"),
            // (a lost connection took the lock with its session)
            Err(e) => {
                tracing::warn!(lock = %self.key, error = %e, "bulk demand: the run lock could not be released")
            }
        }
    }
}

fn duplicate_request() -> AppError {
    AppError::conflict(
        "DEMAND_DUPLICATE_REQUEST",
        "Demand generation for this GP and month is already under way",
    )
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = bb)]
pub struct Batch {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
    pub status: String,
    pub requested_by: Option<uuid::Uuid>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub targets: i32,
    pub created: i32,
    pub skipped: i32,
    pub message: Option<String>,
}

/// The first day of the month a `billingPeriod` names: "01/MM/yyyy-<last>/MM/yyyy" (spaces
/// allowed around the dash), or "yyyy-MM".
pub fn parse_period(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once('-').filter(|(a, _)| a.contains('/')) {
        let from = NaiveDate::parse_from_str(a.trim(), "%d/%m/%Y").ok()?;
        let to = NaiveDate::parse_from_str(b.trim(), "%d/%m/%Y").ok()?;
        let first = from.with_day(1)?;
        let ok = from.day() == 1
            && to.with_day(1) == Some(first)
            && to.checked_add_signed(Duration::days(1))?.day() == 1;
        return ok.then_some(first);
    }
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok()
}

/// The flat monthly rate of each property type in force on the month's first day (0 when the GP
/// has none: no demand for that type).
pub fn flat_rates(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    month: NaiveDate,
) -> AppResult<Vec<(String, Decimal, Option<String>)>> {
    let mut out = Vec::new();
    for t in PROPERTY_TYPES {
        match rates::rate_for(conn, ctx.state_tenant, tenant, t, "Non_Metered", month) {
            Ok(r) => out.push((t.to_owned(), r.minimum, Some(r.tariff_id))),
            Err(AppError::Client { .. }) => out.push((t.to_owned(), Decimal::ZERO, None)),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Checks a request and records its batch as IN_PROGRESS (to be committed before the work, so
/// the page can show it). Refuses the current or a future month, a month whose predecessor was
/// never billed, a GP whose every rate is 0, and a month where every household is already
/// billed. The caller holds the month's [`RunLock`]: a batch of the month still IN_PROGRESS is
/// an abandoned one.
fn start(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    month: NaiveDate,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Batch> {
    match mdms::repo::tenant(conn, tenant)? {
        Some(t) if t.is_gram_panchayat() => {}
        _ => {
            return Err(AppError::invalid_field(
                codes::INVALID_TENANT,
                format!("{tenant} is not a gram panchayat"),
                "tenantId",
            ));
        }
    }
    let month = past_month(month, now, "billingPeriod")?;
    let rates = flat_rates(conn, ctx, tenant, month)?;
    if rates.iter().all(|(_, r, _)| *r <= Decimal::ZERO) {
        return Err(AppError::bad_request(
            "ALL_RATES_ZERO",
            "Every flat rate of this GP is 0: no demand would be generated",
        ));
    }
    let (from, to) = (month_start_at(month), month_end_at(month));
    // the GP's flat-rate households, and how many are not billed for the month yet
    let codes: Vec<String> = water::flat_households(conn, tenant, from)?
        .into_iter()
        .map(|(code, _, _)| code)
        .collect();
    let eligible = i64::try_from(codes.len()).unwrap_or(i64::MAX);
    let pending = eligible - billing::billed_among(conn, tenant, SERVICE, &codes, from, to)?;
    if pending == 0 {
        return Err(AppError::bad_request(
            "NO_CONNECTIONS_TO_GENERATE_DEMANDS",
            format!(
                "Zero Demands Generated Successfully, {eligible} connections already have demands in this billing cycle!"
            ),
        ));
    }
    // In sequence: the previous month was billed, or households joined in it or with it as their
    // last cycle billed.
    let prev = prev_month(month);
    let (pf, pt) = (month_start_at(prev), month_end_at(prev));
    // (whether any, not how many: the first row found settles it)
    let covered = billing::any_demand_ending_between(conn, tenant, SERVICE, pf, pt)?
        || water::joined_between(conn, tenant, pf, pt)?;
    if !covered {
        return Err(AppError::bad_request(
            "NO_DEMAND_PREVIOUS_BILLING_CYCLE",
            format!(
                "Demand generation is pending from billing cycle {}, please generate demand for the previous billing cycle first",
                prev.format("%m/%Y")
            ),
        ));
    }
    // The caller holds the run lock, so a batch still IN_PROGRESS has no live owner: its run
    // died (killed) before its demands committed. It gives way at once.
    diesel::update(
        bb::table
            .filter(bb::tenant_id.eq(tenant))
            .filter(bb::period_from.eq(from))
            .filter(bb::status.eq("IN_PROGRESS")),
    )
    .set((
        bb::status.eq("FAILED"),
        bb::finished_at.eq(now),
        bb::message.eq("abandoned: its run ended without a result (killed)"),
    ))
    .execute(conn)?;
    let batch = Batch {
        id: uuid::Uuid::new_v4(),
        tenant_id: tenant.to_owned(),
        period_from: from,
        period_to: to,
        status: "IN_PROGRESS".to_owned(),
        requested_by: actor,
        started_at: now,
        finished_at: None,
        targets: i32::try_from(pending).unwrap_or(i32::MAX),
        created: 0,
        skipped: i32::try_from(eligible - pending).unwrap_or(0),
        message: None,
    };
    match diesel::insert_into(bb::table).values(&batch).execute(conn) {
        // (only a run that does not take the lock could get here)
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(duplicate_request()),
        other => {
            other?;
            Ok(batch)
        }
    }
}

/// Prices `households` (connection number, holder, property type) at the GP's flat rates of
/// `month` and writes the month's demand of each not billed for it yet, in one statement
/// (`billing::service::bulk_create_demands`; a property type whose rate is 0 gets none); a
/// household holding an advance pays the new month from it. Answers the households billed and
/// the sum of their demands.
#[expect(
    clippy::too_many_arguments,
    reason = "one month of one GP, and who asks"
)]
fn write_month(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    month: NaiveDate,
    households: Vec<(String, uuid::Uuid, String)>,
    label: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<(Vec<String>, Decimal)> {
    let rates = flat_rates(conn, ctx, tenant, month)?;
    let (mut consumers, mut payers, mut amounts, mut round_offs, mut tariffs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (code, owner, property_type) in households {
        let Some((_, rate, tariff)) = rates.iter().find(|(t, _, _)| *t == property_type) else {
            continue;
        };
        if *rate <= Decimal::ZERO {
            continue;
        }
        consumers.push(code);
        payers.push(owner);
        amounts.push(*rate);
        round_offs.push(apportion::round_off(*rate));
        tariffs.push(tariff.clone());
    }
    let codes = billing::bulk_create_demands(
        conn,
        &billing::BulkDemands {
            tenant,
            service: SERVICE,
            consumer_type: "waterConnection",
            period_from: month_start_at(month),
            period_to: month_end_at(month),
            bill_expiry_ms: BILL_EXPIRY_MS,
            batch: label.to_owned(),
            actor,
            now,
            consumers: &consumers,
            payers: &payers,
            amounts: &amounts,
            round_offs: &round_offs,
            tariffs: &tariffs,
        },
    )?;
    let made: std::collections::HashSet<&String> = codes.iter().collect();
    let total = consumers
        .iter()
        .zip(&amounts)
        .filter(|(c, _)| made.contains(c))
        .map(|(_, a)| charged(*a))
        .sum();
    for c in billing::consumers_with_credit(conn, tenant, SERVICE)?
        .into_iter()
        .filter(|c| made.contains(c))
    {
        billing::lock_consumer(conn, tenant, SERVICE, &c)?;
        billing::adjust_advance(conn, tenant, SERVICE, &c, now)?;
    }
    if let Some(st) = ctx.notify {
        let (from, to) = (month_start_at(month), month_end_at(month));
        crate::municipal::water::citizen::links::new_bills(
            conn, st, tenant, &codes, from, to, now,
        )?;
    }
    Ok((codes, total))
}

/// What one household's demand at `rate` comes to: the charge and its round-off line.
fn charged(rate: Decimal) -> Decimal {
    rate + apportion::round_off(rate)
}

/// What a run of a GP's month would do now, by the rule it applies ([`write_month`]), writing
/// nothing: the flat-rate households active and joined before the month (`eligible`), how many
/// of them already have the month (`already`), and how many would be billed (their property
/// type's rate above 0) and for how much in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preview {
    pub eligible: i64,
    pub already: i64,
    pub to_bill: i64,
    pub total: Decimal,
}

pub fn preview(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    month: NaiveDate,
) -> AppResult<Preview> {
    let rates = flat_rates(conn, ctx, tenant, month)?;
    let (from, to) = (month_start_at(month), month_end_at(month));
    let households = water::flat_households(conn, tenant, from)?;
    let mut out = Preview {
        eligible: i64::try_from(households.len()).unwrap_or(i64::MAX),
        ..Preview::default()
    };
    for (ptype, rate, _) in &rates {
        let codes: Vec<String> = households
            .iter()
            .filter(|(_, _, t)| t == ptype)
            .map(|(c, _, _)| c.clone())
            .collect();
        if codes.is_empty() {
            continue;
        }
        let billed = billing::billed_among(conn, tenant, SERVICE, &codes, from, to)?;
        out.already += billed;
        if *rate > Decimal::ZERO {
            let n = i64::try_from(codes.len()).unwrap_or(i64::MAX) - billed;
            out.to_bill += n;
            out.total += charged(*rate) * Decimal::from(n);
        }
    }
    Ok(out)
}

/// One flat-rate household's demand for one past month (`waterCalculator/_calculate`), by the
/// rule bulk demand applies to every household of its GP ([`write_month`]): the household is
/// flat-rate, active and joined before the month, its property type's rate is above 0, it is
/// not billed for the month yet, and the month before is billed for it (or is its last cycle
/// billed before joining). Answers the demand written.
pub fn bill_one(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    connection_no: &str,
    month: NaiveDate,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<billing::DemandWithLines> {
    let field = "CalculationCriteria.connectionNo";
    let (c, _) = water::by_number(conn, tenant, connection_no)?.ok_or_else(|| {
        AppError::invalid_field(
            codes::CONNECTION_NOT_FOUND,
            "No such connection on this GP",
            field,
        )
    })?;
    let connection_no = c.connection_no.clone();
    let month = past_month(month, now, "CalculationCriteria.from")?;
    billing::lock_consumer(conn, tenant, SERVICE, &connection_no)?;
    let (from, to) = (month_start_at(month), month_end_at(month));
    let household: Vec<_> = water::flat_households(conn, tenant, from)?
        .into_iter()
        .filter(|(code, _, _)| *code == connection_no)
        .collect();
    if household.is_empty() {
        return Err(AppError::invalid_field(
            "INVALID_CONNECTION_FOR_DEMAND",
            "Only an active flat-rate (non-metered) household that joined before the month gets its demand",
            field,
        ));
    }
    let codes = std::slice::from_ref(&connection_no);
    if billing::billed_among(conn, tenant, SERVICE, codes, from, to)? > 0 {
        return Err(AppError::invalid_field(
            "DEMAND_ALREADY_GENERATED",
            format!(
                "{connection_no} already has a demand for {}",
                month.format("%m/%Y")
            ),
            field,
        ));
    }
    let prev = prev_month(month);
    let (pf, pt) = (month_start_at(prev), month_end_at(prev));
    let joined_then = (pf..=pt).contains(&c.previous_reading_date);
    if !joined_then && billing::billed_among(conn, tenant, SERVICE, codes, pf, pt)? == 0 {
        return Err(AppError::invalid_field(
            "NO_DEMAND_PREVIOUS_BILLING_CYCLE",
            format!(
                "Demand generation is pending from billing cycle {}, please generate demand for the previous billing cycle first",
                prev.format("%m/%Y")
            ),
            "CalculationCriteria.from",
        ));
    }
    let (made, _) = write_month(
        conn,
        ctx,
        tenant,
        month,
        household,
        "waterCalculator/_calculate",
        actor,
        now,
    )?;
    if made.is_empty() {
        return Err(AppError::invalid_field(
            "ALL_RATES_ZERO",
            "The GP's flat rate for this property type is 0: no demand would be generated",
            field,
        ));
    }
    billing::live_demands(conn, tenant, SERVICE, &connection_no)?
        .into_iter()
        .find(|d| d.demand.period_from == from && d.demand.consumer_type == "waterConnection")
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the demand just written is not found")))
}

/// Writes the month's demands for every household of the batch not yet billed for it, uses
/// any advance against them, and closes the batch with its counts; answers it with the sum of
/// the demands written. Run in one transaction.
fn generate(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    batch_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<(Batch, Decimal)> {
    let batch: Batch = bb::table
        .find(batch_id)
        .select(Batch::as_select())
        .first(conn)?;
    let month = batch.period_from.with_timezone(&IST).date_naive();
    let households = water::flat_households(conn, &batch.tenant_id, batch.period_from)?;
    let (codes, total) = write_month(
        conn,
        ctx,
        &batch.tenant_id,
        month,
        households,
        &batch.id.to_string(),
        batch.requested_by,
        now,
    )?;
    if let Some(st) = ctx.notify.filter(|_| !codes.is_empty()) {
        super::notices::demand_generated(conn, st, &batch.tenant_id, month, now)?;
    }
    let created = i32::try_from(codes.len()).unwrap_or(i32::MAX);
    diesel::update(bb::table.find(batch.id))
        .set((
            bb::status.eq("DONE"),
            bb::finished_at.eq(now),
            bb::created.eq(created),
            bb::skipped.eq(batch.skipped + (batch.targets - created).max(0)),
            bb::message.eq(format!("{created} demands generated")),
        ))
        .execute(conn)?;
    let batch = bb::table
        .find(batch.id)
        .select(Batch::as_select())
        .first(conn)?;
    Ok((batch, total))
}

/// One GP and month, start to end on one connection, which holds the month's [`RunLock`]
/// throughout (409 `DEMAND_DUPLICATE_REQUEST` while another run holds it): the batch is
/// committed first, the demands in a second transaction; a failure closes the batch as FAILED
/// with its reason. Neither transaction has a statement or lock timeout (a GP's month is long,
/// legitimate work). The bill cache forgets the GP's bills as the demands commit. Answers the
/// batch and the sum of the demands written.
pub fn run_for_tenant(
    conn: &mut PgConnection,
    pool: &crate::db::DbPool,
    ctx: Ctx<'_>,
    tenant: &str,
    month: NaiveDate,
    actor: Option<uuid::Uuid>,
) -> AppResult<(Batch, Decimal)> {
    use diesel::Connection as _;
    let Some(mut lock) = RunLock::try_take(conn, tenant, month)? else {
        return Err(duplicate_request());
    };
    let conn = lock.conn();
    let batch = conn.transaction(|c| {
        crate::db::lift_limits_locally(c)?;
        start(c, ctx, tenant, month, actor, Utc::now())
    })?;
    match crate::db::commit(conn, pool, |c| {
        crate::db::lift_limits_locally(c)?;
        generate(c, ctx, batch.id, Utc::now())
    }) {
        Ok(b) => Ok(b),
        Err(e) => {
            if let Err(f) = fail(conn, batch.id, &e.to_string(), Utc::now()) {
                tracing::warn!(error = %f, batch = %batch.id, "bulk demand: the failed batch could not be closed");
            }
            Err(e)
        }
    }
}

/// One GP's month in the caller's transaction, as of `now`: the checks and writes of
/// [`run_for_tenant`] without its run lock and commit hooks. The demo writes its GP's past
/// months this way, each at the time a secretary would have run it.
pub fn run_at(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    month: NaiveDate,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<(Batch, Decimal)> {
    let batch = start(conn, ctx, tenant, month, actor, now)?;
    generate(conn, ctx, batch.id, now)
}

/// What a run over many GPs did.
#[derive(Clone, Debug, Default)]
pub struct RunSummary {
    pub billed_gps: usize,
    pub demands: i64,
    pub nothing_to_do: usize,
    pub failed: Vec<String>,
}

/// Bulk demand for many GPs, `workers` at a time (each GP on its own connection and in its own
/// transactions, so a failure or a kill costs at most the GPs under way). Calls `progress(done)`
/// as GPs finish.
pub fn run_many(
    pool: &crate::db::DbPool,
    ctx: Ctx<'_>,
    tenants: &[String],
    month: NaiveDate,
    workers: usize,
    progress: &(dyn Fn(usize, &RunSummary) + Sync),
) -> RunSummary {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let summary = Mutex::new(RunSummary::default());
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                let mut conn = match pool.checkout() {
                    Ok(c) => c,
                    Err(e) => {
                        if let Ok(mut s) = summary.lock() {
                            s.failed.push(format!("no connection: {e}"));
                        }
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(t) = tenants.get(i) else { return };
                    let r = run_for_tenant(&mut conn, pool, ctx, t, month, None);
                    let Ok(mut s) = summary.lock() else { return };
                    match r {
                        Ok((b, _)) => {
                            s.billed_gps += 1;
                            s.demands += i64::from(b.created);
                        }
                        Err(AppError::Client { errors, .. })
                            if errors.iter().all(|e| {
                                matches!(
                                    e.code.as_str(),
                                    "NO_CONNECTIONS_TO_GENERATE_DEMANDS" | "ALL_RATES_ZERO"
                                )
                            }) =>
                        {
                            s.nothing_to_do += 1;
                        }
                        Err(e) => s.failed.push(format!("{t}: {e}")),
                    }
                    let done = s.billed_gps + s.nothing_to_do + s.failed.len();
                    progress(done, &s);
                }
            });
        }
    });
    summary.into_inner().unwrap_or_default()
}

/// The month bulk demand is for when none is named: the one before the current month.
pub fn default_month(now: DateTime<Utc>) -> NaiveDate {
    prev_month(now.with_timezone(&IST).date_naive())
}

/// Closes a batch whose work failed, with the reason.
pub fn fail(
    conn: &mut PgConnection,
    batch_id: uuid::Uuid,
    why: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        bb::table
            .find(batch_id)
            .filter(bb::status.eq("IN_PROGRESS")),
    )
    .set((
        bb::status.eq("FAILED"),
        bb::finished_at.eq(now),
        bb::message.eq(why),
    ))
    .execute(conn)
}

/// The GPs (of `among`, or all when empty) whose run for `month` failed and that have no
/// finished run for it since: what the failed-run retry runs again.
pub fn failed_tenants(
    conn: &mut PgConnection,
    month: NaiveDate,
    among: &[String],
) -> QueryResult<Vec<String>> {
    let from = month_start_at(month);
    let failed: Vec<String> = bb::table
        .filter(bb::period_from.eq(from))
        .filter(bb::status.eq("FAILED"))
        .select(bb::tenant_id)
        .distinct()
        .order(bb::tenant_id)
        .load(conn)?;
    let done: Vec<String> = bb::table
        .filter(bb::period_from.eq(from))
        .filter(bb::status.eq("DONE"))
        .select(bb::tenant_id)
        .distinct()
        .load(conn)?;
    Ok(failed
        .into_iter()
        .filter(|t| !done.contains(t) && (among.is_empty() || among.contains(t)))
        .collect())
}

pub fn batches(conn: &mut PgConnection, tenant: &str, limit: i64) -> QueryResult<Vec<Batch>> {
    bb::table
        .filter(bb::tenant_id.eq(tenant))
        .order(bb::started_at.desc())
        .limit(limit)
        .select(Batch::as_select())
        .load(conn)
}

/// The first day of `month`, which must be before the current month (IST): a demand is for a
/// month that has ended.
fn past_month(month: NaiveDate, now: DateTime<Utc>, field: &str) -> AppResult<NaiveDate> {
    let today = now.with_timezone(&IST).date_naive();
    let month = month.with_day(1).unwrap_or(month);
    if month >= today.with_day(1).unwrap_or(today) {
        return Err(AppError::invalid_field(
            "INVALID_BILLING_CYCLE",
            "Demand can be generated only for a past month",
            field,
        ));
    }
    Ok(month)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_periods_name_whole_months() {
        let sep = NaiveDate::from_ymd_opt(2026, 9, 1);
        assert_eq!(parse_period("01/09/2026-30/09/2026"), sep);
        assert_eq!(parse_period("01/09/2026 - 30/09/2026"), sep);
        assert_eq!(parse_period("2026-09"), sep);
        assert_eq!(
            parse_period("01/02/2024-29/02/2024"),
            NaiveDate::from_ymd_opt(2024, 2, 1)
        );
        assert_eq!(
            parse_period("01/09/2026-29/09/2026"),
            None,
            "not the month's end"
        );
        assert_eq!(parse_period("02/09/2026-30/09/2026"), None);
        assert_eq!(parse_period("01/09/2026-31/10/2026"), None, "two months");
        assert_eq!(parse_period("September"), None);
    }
}
