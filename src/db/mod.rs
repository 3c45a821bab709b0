//! The database layer: the r2d2 pool, the embedded migrations and `run()`, the one way request
//! code reaches the database (on the blocking pool, inside the caller's tracing span).
//!
//! Every pooled connection's session gets a statement and a lock timeout when it is opened
//! ([`SessionLimits`]), so a request cannot hold a connection for long waiting on a lock or a
//! runaway query; long, legitimate work lifts them ([`without_limits`], [`lift_limits_locally`]).
//! A connection found dead (PostgreSQL restarted, its backend terminated) is dropped from the
//! pool rather than handed to the next request, and for a while after one is found, every
//! connection is tested before use.

pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use diesel::connection::SimpleConnection as _;
use diesel::pg::PgConnection;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, Pool, PooledConnection, R2D2Connection,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{AppError, AppResult};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type DbConn = PooledConnection<Manager>;

/// Limits set on the session of every pooled connection when it is opened; 0 means none.
/// A statement cancelled by either is answered 503 (retryable), see `error.rs`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionLimits {
    /// `statement_timeout`: the longest a statement may run.
    pub statement_timeout_ms: u64,
    /// `lock_timeout`: the longest a statement may wait for a lock.
    pub lock_timeout_ms: u64,
}

impl SessionLimits {
    fn sql(self) -> String {
        format!(
            "SET statement_timeout = {}; SET lock_timeout = {}",
            self.statement_timeout_ms, self.lock_timeout_ms
        )
    }
}

#[derive(Debug)]
struct ApplyLimits(SessionLimits);

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for ApplyLimits {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&self.0.sql())
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

thread_local! {
    /// Set just before a connection found dead goes back to the pool (see [`discard`]).
    static DEAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// diesel's r2d2 manager, with one more reason to drop a connection instead of keeping it: the
/// code that used it found it dead ([`discard`]). diesel only sees a connection as broken when
/// a transaction was left open, not when the server went away between statements.
#[derive(Debug)]
pub struct Manager(ConnectionManager<PgConnection>);

impl r2d2::ManageConnection for Manager {
    type Connection = PgConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PgConnection, Self::Error> {
        self.0.connect()
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), Self::Error> {
        self.0.is_valid(conn)
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        // (always take the mark, so it never applies to another connection)
        let dead = DEAD.with(|d| d.replace(false));
        dead || self.0.has_broken(conn)
    }
}

/// Gives a dead connection back to the pool, which closes it instead of keeping it.
fn discard(conn: DbConn) {
    DEAD.with(|d| d.set(true));
    drop(conn);
    DEAD.with(|d| d.set(false));
}

/// After a connection is found dead, the others idle in the pool (same server, same restart)
/// are likely dead too: for this long every connection is tested before it is handed out.
const SUSPECT_FOR: Duration = Duration::from_secs(30);

/// The r2d2 pool, with a fair gate in front for request work: at most as many requests go to the
/// blocking threads as there are connections, and the rest wait their turn in order (an async
/// FIFO semaphore) instead of parking a thread each on the pool. Derefs to the r2d2 pool.
#[derive(Clone)]
pub struct DbPool {
    inner: Pool<Manager>,
    gate: std::sync::Arc<tokio::sync::Semaphore>,
    timeout: Duration,
    url: std::sync::Arc<str>,
    /// Until when (ms since `born`) connections are tested before use: see [`SUSPECT_FOR`].
    suspect_until: std::sync::Arc<AtomicU64>,
    born: Instant,
    /// Told of every transaction's commit (see [`CommitHook`]); registered once at start.
    hooks: std::sync::Arc<std::sync::RwLock<Vec<std::sync::Arc<dyn CommitHook>>>>,
}

/// What a [`CommitHook`] read inside a transaction, handed back to it once the transaction has
/// committed.
pub type CommitNote = Box<dyn std::any::Any + Send>;

/// Something told of every transaction run through [`commit`] or [`transaction`]: asked inside
/// the transaction, just before it commits, what it changed, and told that again right after the
/// commit (before the request that wrote answers). An in-memory cache uses it to forget what a
/// write changed once the write is visible. Registered on the pool ([`DbPool::on_commit`]).
pub trait CommitHook: std::any::Any + Send + Sync {
    /// Inside the transaction, just before it commits: a note for [`CommitHook::committed`], or
    /// None when there is nothing to do.
    fn before_commit(&self, conn: &mut PgConnection) -> diesel::QueryResult<Option<CommitNote>>;
    /// Right after the commit, with the note taken before it.
    fn committed(&self, note: CommitNote);
}

impl std::ops::Deref for DbPool {
    type Target = Pool<Manager>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

/// Builds a pool; connections are opened lazily, so this succeeds with the database down.
/// Every connection's session gets `limits` when it is opened.
pub fn build_pool(
    url: &str,
    size: u32,
    timeout: Duration,
    limits: SessionLimits,
) -> anyhow::Result<DbPool> {
    let manager = Manager(ConnectionManager::<PgConnection>::new(url));
    // (connections are not tested on every checkout, which would cost a round trip per
    // request; a dead one is dropped when found, and then the others are tested for a while)
    let inner = Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .test_on_check_out(false)
        .connection_customizer(Box::new(ApplyLimits(limits)))
        .build(manager)
        .context("building the database pool")?;
    Ok(DbPool {
        inner,
        gate: std::sync::Arc::new(tokio::sync::Semaphore::new(size as usize)),
        timeout,
        url: url.into(),
        suspect_until: std::sync::Arc::new(AtomicU64::new(0)),
        born: Instant::now(),
        hooks: std::sync::Arc::default(),
    })
}

impl DbPool {
    /// The database's URL (for a connection of one's own, outside the pool).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Registers `hook` to be told of every transaction's commit from now on.
    pub fn on_commit(&self, hook: std::sync::Arc<dyn CommitHook>) {
        self.hooks
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(hook);
    }

    /// The registered hook of type `H`, if any.
    pub fn hook<H: CommitHook>(&self) -> Option<std::sync::Arc<H>> {
        self.hooks
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find_map(|h| {
                let any: std::sync::Arc<dyn std::any::Any + Send + Sync> = h.clone();
                any.downcast::<H>().ok()
            })
    }

    fn hooks(&self) -> Vec<std::sync::Arc<dyn CommitHook>> {
        self.hooks.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn suspect(&self) -> bool {
        self.now_ms() < self.suspect_until.load(Ordering::Relaxed)
    }

    /// A pooled connection (blocking, up to the pool's timeout). While connections are suspect
    /// (one was found dead lately), each is tested first and a dead one dropped, so only the
    /// work that found the first dead connection fails.
    pub fn checkout(&self) -> AppResult<DbConn> {
        for _ in 0..=self.max_size() {
            let mut conn = self.get()?;
            if !self.suspect() || conn.ping().is_ok() {
                return Ok(conn);
            }
            discard(conn);
        }
        Err(AppError::Unavailable(
            "no live database connection".to_owned(),
        ))
    }

    /// After work on `conn` failed with `err`: if the connection is dead, drop it from the pool
    /// and test the others for a while. Answers whether it was dead.
    pub fn check_after_failure(&self, conn: DbConn, err: &AppError) -> bool {
        let mut conn = conn;
        let dead =
            matches!(err, AppError::Unavailable(_) | AppError::Internal(_)) && conn.ping().is_err();
        if dead {
            self.suspect_until.store(
                self.now_ms() + u64::try_from(SUSPECT_FOR.as_millis()).unwrap_or(u64::MAX),
                Ordering::Relaxed,
            );
            tracing::warn!("a database connection was found dead; dropped from the pool");
            discard(conn);
        }
        dead
    }
}

/// Applies every pending migration (without the session's statement and lock timeouts);
/// returns the versions applied.
pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    let applied = without_limits(conn, |c| {
        c.run_pending_migrations(MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>())
            .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))
    })
    .context("lifting the session's timeouts for the migrations")??;
    Ok(applied)
}

/// Runs `f` on `conn` with no statement or lock timeout (long, legitimate work on a pooled
/// connection: migrations, the seed, jobs), and gives the session its limits back afterwards.
pub fn without_limits<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> T,
) -> diesel::QueryResult<T> {
    use diesel::RunQueryDsl as _;
    use diesel::sql_types::Text;
    #[derive(diesel::QueryableByName)]
    struct Limits {
        #[diesel(sql_type = Text)]
        statement: String,
        #[diesel(sql_type = Text)]
        lock: String,
    }
    let before: Limits = diesel::sql_query(
        "SELECT current_setting('statement_timeout') AS statement, \
                current_setting('lock_timeout') AS lock",
    )
    .get_result(conn)?;
    conn.batch_execute(&SessionLimits::default().sql())?;
    let out = f(conn);
    diesel::sql_query(
        "SELECT set_config('statement_timeout', $1, false), set_config('lock_timeout', $2, false)",
    )
    .bind::<Text, _>(&before.statement)
    .bind::<Text, _>(&before.lock)
    .execute(conn)?;
    Ok(out)
}

/// No statement or lock timeout for the rest of the transaction in progress on `conn` (`SET
/// LOCAL`): for long, legitimate work inside a transaction, such as a GP's bulk demand.
pub fn lift_limits_locally(conn: &mut PgConnection) -> diesel::QueryResult<()> {
    conn.batch_execute("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0")
}

/// True when every embedded migration has been applied.
pub fn migrations_applied(conn: &mut PgConnection) -> anyhow::Result<bool> {
    let pending = conn
        .has_pending_migration(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("checking migrations: {e}"))?;
    Ok(!pending)
}

/// Runs `f` with a pooled connection on actix's blocking thread pool, keeping the current span.
/// A pool that cannot hand out a connection within its timeout yields `AppError::Unavailable`;
/// so does a connection that turns out dead (it is dropped from the pool, see
/// [`DbPool::checkout`]).
pub async fn run<F, T>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut PgConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let permit = match tokio::time::timeout(pool.timeout, pool.gate.clone().acquire_owned()).await {
        Ok(Ok(p)) => p,
        _ => {
            return Err(AppError::Unavailable(
                "the database is busy; try again".to_owned(),
            ));
        }
    };
    let pool = pool.clone();
    let span = tracing::Span::current();
    actix_web::web::block(move || {
        let _permit = permit;
        let _entered = span.enter();
        let mut conn = pool.checkout()?;
        AFTER_COMMIT.with(|h| h.borrow_mut().clear());
        let out = f(&mut conn);
        let hooks = AFTER_COMMIT.with(|h| std::mem::take(&mut *h.borrow_mut()));
        match &out {
            Ok(_) => {
                drop(conn);
                for hook in hooks {
                    hook();
                }
            }
            Err(e) => {
                pool.check_after_failure(conn, e);
            }
        }
        out
    })
    .await?
}

thread_local! {
    static AFTER_COMMIT: std::cell::RefCell<Vec<fn()>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Asks `run`/`transaction` to call `hook` once the work in progress on this thread has
/// committed (it is dropped if that work fails). In-memory caches use it to forget what a write
/// changed only after the write is visible, so a reader cannot cache the old state in between.
pub fn after_commit(hook: fn()) {
    AFTER_COMMIT.with(|h| h.borrow_mut().push(hook));
}

/// Like `run`, inside one transaction: everything `f` writes commits together or not at all.
/// The pool's commit hooks are told of it (see [`commit`]).
pub async fn transaction<F, T>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut PgConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let p = pool.clone();
    run(pool, move |conn| commit(conn, &p, f)).await
}

/// Runs `f` in a transaction on `conn`; the hooks registered on `pool` read what it changed just
/// before it commits and are told right after (also for work on a connection of its own, such
/// as a job's).
pub fn commit<F, T>(conn: &mut PgConnection, pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut PgConnection) -> AppResult<T>,
{
    use diesel::Connection as _;
    let hooks = pool.hooks();
    let (out, notes) = conn.transaction(|c| {
        let out = f(c)?;
        let mut notes = Vec::new();
        for (i, h) in hooks.iter().enumerate() {
            if let Some(n) = h.before_commit(c)? {
                notes.push((i, n));
            }
        }
        Ok::<_, AppError>((out, notes))
    })?;
    for (i, n) in notes {
        hooks[i].committed(n);
    }
    Ok(out)
}

/// The tenants with a row of `table` written at or after `since` (by its indexed
/// `last_modified_at`). Each module's repo names its own table; the roll-ups ask them what
/// changed since their watermark.
pub fn tenants_changed_since(
    conn: &mut PgConnection,
    table: &'static str,
    since: chrono::DateTime<chrono::Utc>,
) -> diesel::QueryResult<Vec<String>> {
    use diesel::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Tenant {
        #[diesel(sql_type = diesel::sql_types::Text)]
        tenant_id: String,
    }
    let rows: Vec<Tenant> = diesel::sql_query(format!(
        "SELECT DISTINCT tenant_id FROM {table} WHERE last_modified_at >= $1"
    ))
    .bind::<diesel::sql_types::Timestamptz, _>(since)
    .load(conn)?;
    Ok(rows.into_iter().map(|t| t.tenant_id).collect())
}

/// Writes many rows in one statement: `rows` is a JSON array of objects whose keys are column
/// names. Rows whose key exists are updated (every other column), unless `key_columns` is empty,
/// in which case rows are plainly inserted. Used by the seed loader, where thousands of master rows
/// go in at once. `table` must be a trusted identifier.
pub fn bulk_upsert(
    conn: &mut PgConnection,
    table: &str,
    key_columns: &[&str],
    rows: &serde_json::Value,
) -> diesel::QueryResult<usize> {
    use diesel::RunQueryDsl as _;
    use diesel::sql_types::{Jsonb, Text};

    #[derive(diesel::QueryableByName)]
    struct Col {
        #[diesel(sql_type = Text)]
        column_name: String,
    }
    if rows.as_array().is_some_and(Vec::is_empty) {
        return Ok(0);
    }
    let cols: Vec<String> = diesel::sql_query(
        "SELECT column_name::text AS column_name FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind::<Text, _>(table)
    .load::<Col>(conn)?
    .into_iter()
    .map(|c| c.column_name)
    .collect();
    let quoted = |c: &str| format!("\"{c}\"");
    let all = cols
        .iter()
        .map(|c| quoted(c))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "INSERT INTO {table} ({all}) SELECT {all} FROM jsonb_populate_recordset(NULL::{table}, $1)"
    );
    if !key_columns.is_empty() {
        let rest: Vec<&String> = cols
            .iter()
            .filter(|c| !key_columns.contains(&c.as_str()))
            .collect();
        let keys = key_columns
            .iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ");
        if rest.is_empty() {
            sql.push_str(&format!(" ON CONFLICT ({keys}) DO NOTHING"));
        } else {
            let set = rest
                .iter()
                .map(|c| quoted(c))
                .collect::<Vec<_>>()
                .join(", ");
            let exc = rest
                .iter()
                .map(|c| format!("EXCLUDED.\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ");
            sql.push_str(&format!(
                " ON CONFLICT ({keys}) DO UPDATE SET ({set}) = ROW({exc})"
            ));
        }
    }
    diesel::sql_query(sql).bind::<Jsonb, _>(rows).execute(conn)
}
