//! The command line: one entry point for everything an operator does.

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use diesel::{Connection as _, RunQueryDsl as _};

use crate::config::{Secret, Settings};
use crate::platform::access::identity::TenantRole;
use crate::platform::{localization, seed, user};
use crate::{db, demo, jobs};

#[derive(Debug, Parser)]
#[command(
    name = "mgramseva",
    version,
    about = "Rural water-supply billing for Punjab's gram panchayats"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate if needed, then serve HTTP and run the scheduler (the default).
    Serve,
    /// Apply the embedded database migrations.
    Migrate,
    /// Load the master data and the message catalogue (idempotent).
    Seed {
        /// A folder laid out like data/mdms (default: the copy built into the binary).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Load even when the same files were loaded before.
        #[arg(long)]
        force: bool,
    },
    /// Migrate, seed, and set up the demo gram panchayat with its staff; prints the logins.
    Demo,
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Measure: billing and collection over HTTP beside raw SQL on the same database.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Messages in the notification outbox (the demo reads OTPs here).
    Sms {
        /// Only messages to this mobile number.
        #[arg(long)]
        mobile: Option<String>,
        #[arg(long, default_value_t = 10)]
        limit: i64,
    },
    /// Scheduled jobs.
    Job {
        #[command(subcommand)]
        command: JobCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        /// Home tenant (employees usually live on the state tenant, e.g. pb).
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        mobile: String,
        #[arg(long)]
        name: String,
        /// Comma-separated roles, each optionally `@tenant` (default: the home tenant).
        #[arg(long)]
        roles: String,
        #[arg(long = "type", default_value = "EMPLOYEE")]
        user_type: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Fetch-bill latency and payment throughput (see src/bench/mod.rs).
    Billing {
        #[arg(long, default_value_t = 2000)]
        consumers: usize,
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
        #[arg(long, default_value_t = 20000)]
        fetches: usize,
    },
    /// A synthetic state and one month's bulk demand for every GP, beside raw SQL.
    Water {
        #[arg(long, default_value_t = 800)]
        households: usize,
        /// Only the first N GPs (default: all).
        #[arg(long)]
        tenants: Option<usize>,
        #[arg(long, default_value_t = 2)]
        workers: usize,
        /// Re-use the households of an earlier run (its number) instead of writing new ones.
        #[arg(long)]
        reuse: Option<i64>,
    },
    /// The division and state views on a synthetic state (roll-up and ledger written in SQL):
    /// p50/p95 of the views beside a direct aggregate over the ledger (src/bench/state.rs).
    State {
        /// Only the first N GPs (default: all).
        #[arg(long)]
        gps: Option<usize>,
        #[arg(long, default_value_t = 800)]
        households: usize,
        /// Timed runs of each query.
        #[arg(long, default_value_t = 20)]
        iterations: usize,
        /// Measure the synthetic state an earlier run wrote into this database.
        #[arg(long)]
        reuse: bool,
    },
    /// SMS per second the delivery worker sends to a local gateway double, beside HTTP alone
    /// and the outbox's writes as raw SQL.
    Sms {
        #[arg(long, default_value_t = 2000)]
        messages: usize,
        #[arg(long, default_value_t = 4)]
        workers: usize,
        /// The double's answer time.
        #[arg(long, default_value_t = 0)]
        provider_ms: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Run one job now.
    Run {
        name: String,
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        period: Option<String>,
    },
    /// List the jobs and their schedules.
    List,
}

/// Parses `R1,R2@pb.x` into roles.
pub fn parse_roles(spec: &str, home: &str) -> anyhow::Result<Vec<TenantRole>> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (code, tenant) = part.split_once('@').unwrap_or((part, home));
        if code.is_empty() || tenant.is_empty() {
            bail!("role {part:?} is not ROLE or ROLE@tenant");
        }
        out.push(TenantRole {
            code: code.to_owned(),
            tenant_id: tenant.to_owned(),
        });
    }
    if out.is_empty() {
        bail!("at least one role is required");
    }
    Ok(out)
}

fn connect_one(settings: &Settings) -> anyhow::Result<diesel::PgConnection> {
    diesel::PgConnection::establish(settings.database_url()?).context("connecting to the database")
}

/// Migrations, master data and messages: what `seed` and `demo` share.
pub fn migrate_and_seed(
    conn: &mut diesel::PgConnection,
    settings: &Settings,
    source: &seed::Source,
    force: bool,
) -> anyhow::Result<()> {
    db::without_limits(conn, |conn| seed_all(conn, settings, source, force))
        .context("lifting the session's timeouts for the seed")?
}

fn seed_all(
    conn: &mut diesel::PgConnection,
    settings: &Settings,
    source: &seed::Source,
    force: bool,
) -> anyhow::Result<()> {
    let applied = db::run_migrations(conn)?;
    if !applied.is_empty() {
        println!("applied {} migration(s)", applied.len());
    }
    let started = std::time::Instant::now();
    match seed::load(conn, source, &settings.app.state_tenant, force)? {
        Some(counts) => {
            // Fresh tables have no planner statistics until autovacuum gets to them.
            diesel::sql_query("ANALYZE").execute(conn)?;
            let total: usize = counts.values().sum();
            println!(
                "master data loaded from {} ({total} rows in {:.1}s)",
                source.describe(),
                started.elapsed().as_secs_f32()
            );
        }
        None => println!("master data already loaded (same files)"),
    }
    let n = conn.transaction(|c| localization::service::seed(c, &settings.app.state_tenant))?;
    println!("messages: {n} loaded");
    Ok(())
}

pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => crate::serve(settings).await,
        Command::Migrate => {
            let mut conn = connect_one(&settings)?;
            let applied = db::run_migrations(&mut conn)?;
            println!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::Seed { dir, force } => {
            let source = match dir {
                Some(d) => {
                    seed::check_dir(&d)?;
                    seed::Source::Dir(d)
                }
                None => seed::Source::Embedded,
            };
            let mut conn = connect_one(&settings)?;
            migrate_and_seed(&mut conn, &settings, &source, force)
        }
        Command::Demo => {
            let mut conn = connect_one(&settings)?;
            migrate_and_seed(&mut conn, &settings, &seed::Source::Embedded, false)?;
            let logins = demo::setup(&mut conn, &settings)?;
            let started = std::time::Instant::now();
            let homes = demo::households::setup(&mut conn, &settings, chrono::Utc::now())?;
            demo::households::print(&homes, started.elapsed());
            let spent = demo::expenses::setup(&mut conn, &settings, chrono::Utc::now())?;
            demo::expenses::print(&spent);
            // the second GP of the division
            let started = std::time::Instant::now();
            let homes = demo::households::setup_second(&mut conn, &settings, chrono::Utc::now())?;
            demo::households::print(&homes, started.elapsed());
            let spent = demo::expenses::setup_second(&mut conn, &settings, chrono::Utc::now())?;
            demo::expenses::print(&spent);
            // the roll-out dashboard and the division and state views read roll-ups their jobs
            // keep: filled now, not at the jobs' next run
            let pool = crate::connect(&settings)?;
            let state = crate::build_state(settings.clone(), pool)?;
            tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                for job in demo::ROLLUP_JOBS {
                    println!(
                        "{}",
                        jobs::run_blocking(&state, job, &jobs::JobArgs::default())?
                    );
                }
                Ok(())
            })
            .await??;
            demo::print(&logins, &settings);
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    tenant,
                    mobile,
                    name,
                    roles,
                    user_type,
                },
        } => {
            let roles = parse_roles(&roles, &tenant)?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from stdin")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            if password.is_empty() {
                bail!("no password on standard input");
            }
            let mut conn = connect_one(&settings)?;
            let crypto = crate::platform::encryption::Crypto::from_settings(&settings.security)?;
            let id = user::Identity::new(&crypto, &settings.security);
            let mut new = user::NewUser::employee(&tenant, &mobile, &name, roles);
            new.user_type = user_type.to_uppercase();
            new.password = Some(Secret::new(password));
            let created = conn
                .transaction(|c| user::create_user(c, id, &new, None, chrono::Utc::now()))
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{}: {}",
                        e.code(),
                        e.details()
                            .first()
                            .map(|d| d.message.clone())
                            .unwrap_or_default()
                    )
                })?;
            let id = created.uuid;
            println!("user {id} created");
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Billing {
                    consumers,
                    concurrency,
                    fetches,
                },
        } => {
            tokio::task::spawn_blocking(move || {
                crate::bench::billing(settings, consumers, concurrency, fetches)
            })
            .await?
        }
        Command::Bench {
            command:
                BenchCommand::Water {
                    households,
                    tenants,
                    workers,
                    reuse,
                },
        } => {
            tokio::task::spawn_blocking(move || {
                crate::bench::water(settings, households, tenants, workers, reuse)
            })
            .await?
        }
        Command::Bench {
            command:
                BenchCommand::State {
                    gps,
                    households,
                    iterations,
                    reuse,
                },
        } => {
            tokio::task::spawn_blocking(move || {
                crate::bench::state(settings, gps, households, iterations, reuse).map(|_| ())
            })
            .await?
        }
        Command::Bench {
            command:
                BenchCommand::Sms {
                    messages,
                    workers,
                    provider_ms,
                },
        } => {
            tokio::task::spawn_blocking(move || {
                crate::bench::sms(settings, messages, workers, provider_ms)
            })
            .await?
        }
        Command::Sms { mobile, limit } => {
            let mut conn = connect_one(&settings)?;
            let crypto = crate::platform::encryption::Crypto::from_settings(&settings.security)?;
            let msgs = match mobile {
                Some(m) => {
                    crate::platform::notification::messages_to(&mut conn, &crypto, &m, limit)
                }
                None => crate::platform::notification::latest(&mut conn, &crypto, limit),
            }
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            for m in msgs {
                let at = m
                    .created_at
                    .with_timezone(&crate::time::IST)
                    .format("%d-%m-%Y %H:%M");
                let why = m
                    .reason
                    .as_deref()
                    .or(m.last_error.as_deref())
                    .unwrap_or("");
                println!("{at}  {}  {:<8} {}  {why}", m.mobile, m.status, m.text);
            }
            Ok(())
        }
        Command::Job {
            command: JobCommand::List,
        } => {
            jobs::check_switches(&settings.jobs)?;
            // The last runs need the database; without one the list still shows the jobs.
            let last = match connect_one(&settings) {
                Ok(mut conn) => jobs::runs::latest(&mut conn).unwrap_or_else(|e| {
                    eprintln!("(last runs unknown: {e})");
                    Vec::new()
                }),
                Err(e) => {
                    eprintln!("(last runs unknown: {e:#})");
                    Vec::new()
                }
            };
            println!("Schedules are cron (sec min hour day month weekday) in IST (Asia/Kolkata).");
            for j in jobs::all() {
                let on = if jobs::is_on(j, &settings.jobs) {
                    "on"
                } else {
                    "off"
                };
                let run = match last.iter().find(|r| r.job == j.name) {
                    Some(r) => format!(
                        "last {} {} ({}): {}",
                        r.started_at
                            .with_timezone(&crate::time::IST)
                            .format("%Y-%m-%d %H:%M"),
                        r.outcome,
                        r.trigger,
                        r.summary
                    ),
                    None => "never run".to_owned(),
                };
                println!(
                    "{:<24} {:<18} {:<4} {}\n{:<48}{}",
                    j.name, j.schedule, on, j.about, "", run
                );
            }
            Ok(())
        }
        Command::Job {
            command:
                JobCommand::Run {
                    name,
                    tenant,
                    period,
                },
        } => {
            let pool = crate::connect(&settings)?;
            let state = crate::build_state(settings, pool)?;
            let args = jobs::JobArgs { tenant, period };
            let summary =
                tokio::task::spawn_blocking(move || jobs::run_blocking(&state, &name, &args))
                    .await??;
            println!("{summary}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_with_and_without_tenant() -> anyhow::Result<()> {
        let r = parse_roles("GP_ADMIN, COLLECTION_OPERATOR@pb.lodhipur", "pb")?;
        assert_eq!(
            r[0],
            TenantRole {
                code: "GP_ADMIN".into(),
                tenant_id: "pb".into()
            }
        );
        assert_eq!(r[1].tenant_id, "pb.lodhipur");
        assert!(parse_roles(" , ", "pb").is_err());
        assert!(parse_roles("@pb", "pb").is_err());
        Ok(())
    }
}
