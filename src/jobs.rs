//! Scheduled jobs: each is a named service call with a cron schedule (seconds first, in IST),
//! runnable by hand with `mgramseva job run NAME`, and guarded by a PostgreSQL advisory lock so
//! that two instances (or a person and the scheduler) never run the same job at once. Whether
//! the scheduler runs a job is its `scheduled` default unless `[jobs] enabled`/`disabled` say
//! otherwise; every run, scheduled or by hand, is recorded in `job_run` (`runs`).

pub mod pages;
pub mod runs;
mod table;

pub use table::all;

use anyhow::Context as _;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::state::AppState;

/// Arguments a person may give a job run.
#[derive(Clone, Debug, Default)]
pub struct JobArgs {
    pub tenant: Option<String>,
    pub period: Option<String>,
}

type JobFn = fn(&AppState, &mut PgConnection, &JobArgs) -> anyhow::Result<String>;

pub struct JobDef {
    pub name: &'static str,
    /// Cron (sec min hour day month weekday), Asia/Kolkata.
    pub schedule: &'static str,
    /// Whether the scheduler runs it when nothing in the configuration says otherwise.
    pub scheduled: bool,
    pub about: &'static str,
    run: JobFn,
}

fn rollout_dashboard(_: &AppState, conn: &mut PgConnection, _: &JobArgs) -> anyhow::Result<String> {
    let n = crate::municipal::rollout::service::refresh(conn, chrono::Utc::now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!(
        "{} GPs, {} rows ({} windows)",
        n.tenants, n.rows, n.windows
    ))
}

/// Brings the division and state views' roll-up up to date: the GPs changed since the last run
/// (`--period full`: every GP).
fn state_view(_: &AppState, conn: &mut PgConnection, args: &JobArgs) -> anyhow::Result<String> {
    let full = args.period.as_deref() == Some("full");
    let r = crate::municipal::stateview::service::refresh(conn, chrono::Utc::now(), full)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!(
        "{} GPs recomputed{}, {} month rows",
        r.gps,
        if r.full { " (all)" } else { "" },
        r.month_rows
    ))
}

fn ifix_export(state: &AppState, conn: &mut PgConnection, _: &JobArgs) -> anyhow::Result<String> {
    let now = chrono::Utc::now();
    let made =
        crate::municipal::ifix::service::export(conn, now).map_err(|e| anyhow::anyhow!("{e}"))?;
    let pusher = crate::municipal::ifix::push::Pusher::from_settings(
        &state.settings.ifix,
        &state.settings.outbound,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let pushed =
        crate::municipal::ifix::service::push_due(conn, &pusher, &state.settings.ifix, now)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    let summary = format!(
        "{} demand, {} bill, {} receipt, {} payment events made; {} pushed, {} to retry, {} given up",
        made.demands,
        made.bills,
        made.receipts,
        made.payments,
        pushed.pushed,
        pushed.retry,
        pushed.failed
    );
    if pushed.failed > 0 {
        anyhow::bail!("{summary}\n{}", pushed.errors.join("\n"))
    }
    Ok(summary)
}

fn notifications(state: &AppState, conn: &mut PgConnection, _: &JobArgs) -> anyhow::Result<String> {
    let mut all = crate::platform::notification::Delivered::default();
    loop {
        let d = crate::platform::notification::deliver_due(state, conn, 200, chrono::Utc::now())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        all.add(d);
        if d.handled() < 200 {
            break;
        }
    }
    // E-mail after the SMS (its own batches and transactions).
    let mail = crate::platform::notification::email::deliver_due(state, conn, chrono::Utc::now())?;
    Ok(format!("{all}; {mail}"))
}

fn pg_reconcile(state: &AppState, conn: &mut PgConnection, _: &JobArgs) -> anyhow::Result<String> {
    let r = crate::business::pg::reconcile(state, conn, chrono::Utc::now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!(
        "{} pending online payments checked: {} paid, {} failed, {} expired, {} still pending, {} errors",
        r.checked, r.succeeded, r.failed, r.expired, r.still_pending, r.errors
    ))
}

fn ledger_check(_: &AppState, conn: &mut PgConnection, args: &JobArgs) -> anyhow::Result<String> {
    let (checked, problems) =
        crate::business::collection::service::ledger_check(conn, args.tenant.as_deref())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    for p in &problems {
        tracing::error!(tenant.id = %p.tenant_id, consumer = %p.consumer_code, problem = %p.what, "ledger difference");
    }
    if problems.is_empty() {
        Ok(format!("{checked} consumer ledgers checked, no difference"))
    } else {
        let list: Vec<String> = problems
            .iter()
            .map(|p| format!("{} {}: {}", p.tenant_id, p.consumer_code, p.what))
            .collect();
        anyhow::bail!(
            "{checked} consumer ledgers checked, {} difference(s):\n{}",
            problems.len(),
            list.join("\n")
        )
    }
}

fn books_open(_: &AppState, conn: &mut PgConnection, args: &JobArgs) -> anyhow::Result<String> {
    let n = crate::business::billing::service::open_books(
        conn,
        args.tenant.as_deref(),
        chrono::Utc::now(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!(
        "{n} opening entr{} posted",
        if n == 1 { "y" } else { "ies" }
    ))
}

fn bulk_demand(
    state: &AppState,
    conn: &mut PgConnection,
    args: &JobArgs,
) -> anyhow::Result<String> {
    use crate::municipal::calculator::bulk;
    let month = match &args.period {
        Some(p) => {
            bulk::parse_period(p).with_context(|| format!("--period {p:?}: expected YYYY-MM"))?
        }
        None => bulk::default_month(chrono::Utc::now()),
    };
    let tenants: Vec<String> = match &args.tenant {
        Some(t) => vec![t.clone()],
        None => crate::platform::mdms::repo::gram_panchayat_codes(conn)?,
    };
    let ctx = crate::municipal::water::service::Ctx::of(state);
    let started = std::time::Instant::now();
    let total = tenants.len();
    let progress = |done: usize, s: &bulk::RunSummary| {
        if done.is_multiple_of(100) || done == total {
            tracing::info!(
                done,
                of = total,
                demands = s.demands,
                "bulk demand progress"
            );
        }
    };
    let s = bulk::run_many(
        &state.pool,
        ctx,
        &tenants,
        month,
        state.settings.scheduler.bulk_workers,
        &progress,
    );
    let told = demand_failed_events(state, conn, month, &tenants);
    let summary = format!(
        "{}: {} GPs billed, {} demands, {} GPs with nothing to bill, {} failed ({told} told), in {:.1}s",
        month.format("%Y-%m"),
        s.billed_gps,
        s.demands,
        s.nothing_to_do,
        s.failed.len(),
        started.elapsed().as_secs_f64()
    );
    if s.failed.is_empty() || args.tenant.is_none() && s.failed.len() < total {
        if !s.failed.is_empty() {
            tracing::warn!(failures = %s.failed.join("; "), "bulk demand: some GPs refused");
        }
        Ok(summary)
    } else {
        anyhow::bail!("{summary}\n{}", s.failed.join("\n"))
    }
}

fn penalty(state: &AppState, conn: &mut PgConnection, args: &JobArgs) -> anyhow::Result<String> {
    let tenants: Vec<String> = match &args.tenant {
        Some(t) => vec![t.clone()],
        None => crate::platform::mdms::repo::gram_panchayat_codes(conn)?,
    };
    let (mut demands, mut total) = (0usize, rust_decimal::Decimal::ZERO);
    for t in &tenants {
        let (n, sum) = crate::db::commit(conn, &state.pool, |c| {
            crate::municipal::calculator::penalty::apply(
                c,
                &state.settings.app.state_tenant,
                t,
                chrono::Utc::now(),
            )
        })
        .map_err(|e| anyhow::anyhow!("{t}: {e}"))?;
        demands += n;
        total += sum;
    }
    Ok(format!(
        "{} GPs checked, penalty added to {demands} demands, total {total}",
        tenants.len()
    ))
}

type ReminderFn = fn(
    &mut PgConnection,
    &crate::municipal::echallan::jobs::Env<'_>,
    &str,
) -> crate::error::AppResult<usize>;

/// Runs one of the expense reminders for `--tenant`, or for every GP where someone holds one
/// of `roles`, each GP in its own transaction.
fn expense_reminder(
    state: &AppState,
    conn: &mut PgConnection,
    args: &JobArgs,
    roles: &[&str],
    run: ReminderFn,
) -> anyhow::Result<String> {
    use crate::municipal::echallan::jobs::Env;
    let tenants: Vec<String> = match &args.tenant {
        Some(t) => vec![t.clone()],
        None => crate::platform::user::service::tenants_with_roles(conn, roles)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .into_iter()
            .filter(|t| t.contains('.'))
            .collect(),
    };
    let env = Env {
        crypto: &state.crypto,
        i18n: &state.i18n,
        base_url: &state.settings.app.base_url,
        now: chrono::Utc::now(),
    };
    let (mut sent, mut gps) = (0usize, 0usize);
    for t in &tenants {
        let n = crate::db::commit(conn, &state.pool, |c| run(c, &env, t))
            .map_err(|e| anyhow::anyhow!("{t}: {e}"))?;
        sent += n;
        gps += usize::from(n > 0);
    }
    Ok(format!(
        "{} GPs checked, {sent} messages queued for {gps} GPs",
        tenants.len()
    ))
}

fn expense_month_summary(
    state: &AppState,
    conn: &mut PgConnection,
    args: &JobArgs,
) -> anyhow::Result<String> {
    use crate::municipal::echallan::jobs;
    expense_reminder(state, conn, args, jobs::SUMMARY_ROLES, jobs::month_summary)
}

fn expense_new_expenditure(
    state: &AppState,
    conn: &mut PgConnection,
    args: &JobArgs,
) -> anyhow::Result<String> {
    use crate::municipal::echallan::jobs;
    expense_reminder(
        state,
        conn,
        args,
        jobs::EXPENSE_ROLES,
        jobs::new_expenditure,
    )
}

fn expense_mark_paid(
    state: &AppState,
    conn: &mut PgConnection,
    args: &JobArgs,
) -> anyhow::Result<String> {
    use crate::municipal::echallan::jobs;
    expense_reminder(
        state,
        conn,
        args,
        jobs::EXPENSE_ROLES,
        jobs::mark_paid_bills,
    )
}

fn water_env(state: &AppState) -> crate::municipal::water::reminders::Env<'_> {
    crate::municipal::water::reminders::Env {
        crypto: &state.crypto,
        i18n: &state.i18n,
        base_url: &state.settings.app.base_url,
        now: chrono::Utc::now(),
    }
}

/// `--tenant`, or every GP where someone holds one of `roles`.
fn gps_with(
    conn: &mut PgConnection,
    args: &JobArgs,
    roles: &[&str],
) -> anyhow::Result<Vec<String>> {
    Ok(match &args.tenant {
        Some(t) => vec![t.clone()],
        None => crate::platform::user::service::tenants_with_roles(conn, roles)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .into_iter()
            .filter(|t| t.contains('.'))
            .collect(),
    })
}

fn pending_collection(
    state: &AppState,
    conn: &mut PgConnection,
    args: &JobArgs,
) -> anyhow::Result<String> {
    use crate::municipal::water::reminders;
    let env = water_env(state);
    let tenants = gps_with(conn, args, reminders::OFFICE_ROLES)?;
    let (mut sent, mut total) = (0usize, rust_decimal::Decimal::ZERO);
    for t in &tenants {
        let (n, pending) = crate::db::commit(conn, &state.pool, |c| {
            reminders::pending_collection(c, &env, t)
        })
        .map_err(|e| anyhow::anyhow!("{t}: {e}"))?;
        sent += n;
        total += pending;
    }
    Ok(format!(
        "{} GPs checked, {sent} messages queued, {total} pending in all",
        tenants.len()
    ))
}

fn todays_collection(
    state: &AppState,
    conn: &mut PgConnection,
    args: &JobArgs,
) -> anyhow::Result<String> {
    use crate::municipal::water::reminders;
    let env = water_env(state);
    let tenants = gps_with(conn, args, reminders::COUNTER_ROLES)?;
    let (mut sent, mut gps) = (0usize, 0usize);
    for t in &tenants {
        let (n, _, consumers) = crate::db::commit(conn, &state.pool, |c| {
            reminders::todays_collection(c, &env, t)
        })
        .map_err(|e| anyhow::anyhow!("{t}: {e}"))?;
        sent += n;
        gps += usize::from(consumers > 0);
    }
    Ok(format!(
        "{} GPs checked, {gps} collected cash today, {sent} messages queued",
        tenants.len()
    ))
}

fn job_month(args: &JobArgs) -> anyhow::Result<chrono::NaiveDate> {
    use crate::municipal::calculator::bulk;
    match &args.period {
        Some(p) => {
            bulk::parse_period(p).with_context(|| format!("--period {p:?}: expected YYYY-MM"))
        }
        None => Ok(bulk::default_month(chrono::Utc::now())),
    }
}

fn generate_demand_reminder(
    state: &AppState,
    conn: &mut PgConnection,
    args: &JobArgs,
) -> anyhow::Result<String> {
    use crate::municipal::water::reminders;
    let month = job_month(args)?;
    let env = water_env(state);
    let tenants = gps_with(conn, args, reminders::DEMAND_ROLES)?;
    let mut told = 0usize;
    for t in &tenants {
        told += crate::db::commit(conn, &state.pool, |c| {
            reminders::generate_demand(c, &env, t, month, false)
        })
        .map_err(|e| anyhow::anyhow!("{t}: {e}"))?;
    }
    Ok(format!(
        "{}: {} GPs checked, {told} reminded to generate demand",
        month.format("%Y-%m"),
        tenants.len()
    ))
}

/// Tells those who generate demand of every GP of `among` whose run for `month` failed
/// (GENERATE_DEMAND_EN_REMINDER); how many GPs were told. Failures to tell are logged.
fn demand_failed_events(
    state: &AppState,
    conn: &mut PgConnection,
    month: chrono::NaiveDate,
    among: &[String],
) -> usize {
    use crate::municipal::water::reminders;
    let failed = match crate::municipal::calculator::bulk::failed_tenants(conn, month, among) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "bulk demand: the failed GPs could not be listed");
            return 0;
        }
    };
    let env = water_env(state);
    let mut told = 0;
    for t in &failed {
        match crate::db::commit(conn, &state.pool, |c| {
            reminders::generate_demand(c, &env, t, month, true)
        }) {
            Ok(n) => told += n,
            Err(e) => {
                tracing::warn!(tenant.id = %t, error = %e, "bulk demand: the failure could not be told")
            }
        }
    }
    told
}

fn bulk_demand_retry(
    state: &AppState,
    conn: &mut PgConnection,
    args: &JobArgs,
) -> anyhow::Result<String> {
    use crate::municipal::calculator::bulk;
    let month = job_month(args)?;
    let among: Vec<String> = args.tenant.iter().cloned().collect();
    let tenants = bulk::failed_tenants(conn, month, &among)?;
    if tenants.is_empty() {
        return Ok(format!("{}: no failed run to retry", month.format("%Y-%m")));
    }
    let ctx = crate::municipal::water::service::Ctx::of(state);
    let s = bulk::run_many(
        &state.pool,
        ctx,
        &tenants,
        month,
        state.settings.scheduler.bulk_workers,
        &|_, _| {},
    );
    let told = demand_failed_events(state, conn, month, &tenants);
    Ok(format!(
        "{}: {} failed GPs retried: {} billed, {} demands, {} with nothing to bill, {} failed again ({told} told)",
        month.format("%Y-%m"),
        tenants.len(),
        s.billed_gps,
        s.demands,
        s.nothing_to_do,
        s.failed.len()
    ))
}

fn pii_rotate(state: &AppState, conn: &mut PgConnection, _: &JobArgs) -> anyhow::Result<String> {
    let n = crate::platform::user::service::rotate_keys(conn, &state.crypto)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!(
        "{n} users re-encrypted with key {}",
        state.crypto.active_key()
    ))
}

fn filestore_sweep(
    state: &AppState,
    conn: &mut PgConnection,
    _: &JobArgs,
) -> anyhow::Result<String> {
    let done =
        crate::platform::filestore::sweep(conn, &state.settings.filestore.dir, chrono::Utc::now())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!(
        "{} files written out of the database, {} files without a record removed, {} unclaimed uploads removed",
        done.moved, done.removed, done.unclaimed
    ))
}

fn refresh_caches(
    state: &AppState,
    conn: &mut PgConnection,
    _: &JobArgs,
) -> anyhow::Result<String> {
    let grants = state.access.reload(conn)?;
    let messages = state.i18n.reload(conn, &state.settings.app.state_tenant)?;
    Ok(format!("{grants} action URLs, {messages} messages"))
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// The advisory-lock key of a job (stable across builds and instances).
pub fn lock_key(name: &str) -> i64 {
    // FNV-1a: stable across builds and instances.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}

/// Whether the scheduler runs `job`: `[jobs] disabled` wins, then `[jobs] enabled`, then the
/// job's own default.
pub fn is_on(job: &JobDef, settings: &crate::config::JobsSettings) -> bool {
    if settings.disabled.iter().any(|n| n == job.name) {
        false
    } else {
        settings.enabled.iter().any(|n| n == job.name) || job.scheduled
    }
}

/// Names in `[jobs]` that are no job (a typo would otherwise switch nothing, silently).
pub fn check_switches(settings: &crate::config::JobsSettings) -> anyhow::Result<()> {
    let unknown: Vec<&str> = settings
        .enabled
        .iter()
        .chain(&settings.disabled)
        .map(String::as_str)
        .filter(|n| !all().iter().any(|j| j.name == *n))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        let names: Vec<_> = all().iter().map(|j| j.name).collect();
        anyhow::bail!(
            "[jobs] names no job: {}; jobs: {}",
            unknown.join(", "),
            names.join(", ")
        )
    }
}

/// Runs a job now, on this thread, if no one else is running it (a run by hand).
pub fn run_blocking(state: &AppState, name: &str, args: &JobArgs) -> anyhow::Result<String> {
    run_as(state, name, args, runs::Trigger::Hand)
}

/// Runs a job now and records the run (`job_run`): the start committed before the job runs,
/// the end (ok with its summary, or failed with the error) after.
pub fn run_as(
    state: &AppState,
    name: &str,
    args: &JobArgs,
    trigger: runs::Trigger,
) -> anyhow::Result<String> {
    let job = all().iter().find(|j| j.name == name).with_context(|| {
        let names: Vec<_> = all().iter().map(|j| j.name).collect();
        format!("no job named {name:?}; jobs: {}", names.join(", "))
    })?;
    let mut conn = state.pool.checkout().context("no database connection")?;
    let shown_args = [
        args.tenant.as_deref().map(|t| format!("--tenant {t}")),
        args.period.as_deref().map(|p| format!("--period {p}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let key = lock_key(job.name);
    let got: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<BigInt, _>(key)
        .get_result(&mut conn)?;
    if !got.locked {
        runs::skipped(&mut conn, job.name, trigger, &shown_args)
            .context("recording the skipped run")?;
        return Ok(format!("{name}: already running elsewhere; skipped"));
    }
    let run_id = match runs::start(&mut conn, job.name, trigger, &shown_args) {
        Ok(id) => id,
        Err(e) => {
            let _ = diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<BigInt, _>(key)
                .execute(&mut conn);
            return Err(anyhow::Error::from(e).context("recording the start of the run"));
        }
    };
    // A job may legitimately take long: no statement or lock timeout on its connection.
    let result = crate::db::without_limits(&mut conn, |c| (job.run)(state, c, args))
        .context("lifting the session's timeouts for the job")
        .and_then(|r| r);
    // A job that failed inside a transaction leaves none open (diesel rolls back), so the end
    // is written on the same connection.
    let recorded = result
        .as_ref()
        .map(Clone::clone)
        .map_err(|e| format!("{e:#}"));
    if let Err(e) = runs::finish(&mut conn, run_id, &recorded) {
        tracing::error!(job = name, error = %e, "could not record the end of the run");
    }
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(key)
        .execute(&mut conn)?;
    result.map(|summary| format!("{name}: {summary}"))
}

/// Starts the scheduler with every scheduled job; the returned handle keeps it alive.
pub async fn start(state: AppState) -> anyhow::Result<tokio_cron_scheduler::JobScheduler> {
    use tokio_cron_scheduler::{Job, JobScheduler};
    check_switches(&state.settings.jobs)?;
    let sched = JobScheduler::new()
        .await
        .context("starting the scheduler")?;
    for def in all().iter().filter(|j| is_on(j, &state.settings.jobs)) {
        let st = state.clone();
        let name = def.name;
        let job = Job::new_async_tz(def.schedule, crate::time::IST, move |_, _| {
            let st = st.clone();
            Box::pin(async move {
                let outcome = tokio::task::spawn_blocking(move || {
                    run_as(&st, name, &JobArgs::default(), runs::Trigger::Schedule)
                })
                .await;
                match outcome {
                    Ok(Ok(summary)) => tracing::debug!(job = name, %summary, "job done"),
                    Ok(Err(e)) => tracing::error!(job = name, error = ?e, "job failed"),
                    Err(e) => tracing::error!(job = name, error = %e, "job panicked"),
                }
            })
        })
        .with_context(|| format!("scheduling {name}"))?;
        sched
            .add(job)
            .await
            .with_context(|| format!("adding {name}"))?;
    }
    sched.start().await.context("starting the scheduler")?;
    Ok(sched)
}

#[cfg(test)]
mod tests {
    #[test]
    fn lock_keys_are_stable_and_distinct() {
        assert_eq!(
            super::lock_key("refresh-caches"),
            super::lock_key("refresh-caches")
        );
        assert_ne!(super::lock_key("bulk-demand"), super::lock_key("penalty"));
    }
}
