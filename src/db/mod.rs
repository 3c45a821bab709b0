//! The database layer: the r2d2 pool, the embedded migrations and `run()`, the one way request
//! code reaches the database (on the blocking pool, inside the caller's tracing span).

pub mod ledger;
pub mod schema;

use std::time::Duration;

use anyhow::Context as _;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{AppError, AppResult};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type DbConn = PooledConnection<ConnectionManager<PgConnection>>;

/// The r2d2 pool, with a fair gate in front for request work: at most as many requests go to the
/// blocking threads as there are connections, and the rest wait their turn in order (an async
/// FIFO semaphore) instead of parking a thread each on the pool. Derefs to the r2d2 pool.
#[derive(Clone)]
pub struct DbPool {
    inner: Pool<ConnectionManager<PgConnection>>,
    gate: std::sync::Arc<tokio::sync::Semaphore>,
    timeout: Duration,
    url: std::sync::Arc<str>,
    /// Stored bills in memory, forgotten when the database reports their ledger changed.
    pub ledger: std::sync::Arc<ledger::LedgerCache>,
}

impl std::ops::Deref for DbPool {
    type Target = Pool<ConnectionManager<PgConnection>>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

/// Builds a pool; connections are opened lazily, so this succeeds with the database down.
/// `ledger_cache` bounds the in-memory bill cache (0: none); see [`DbPool::listen_ledger`].
pub fn build_pool(
    url: &str,
    size: u32,
    timeout: Duration,
    ledger_cache: usize,
) -> anyhow::Result<DbPool> {
    let manager = ConnectionManager::<PgConnection>::new(url);
    let inner = Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .test_on_check_out(false)
        .build(manager)
        .context("building the database pool")?;
    Ok(DbPool {
        inner,
        gate: std::sync::Arc::new(tokio::sync::Semaphore::new(size as usize)),
        timeout,
        url: url.into(),
        ledger: std::sync::Arc::new(ledger::LedgerCache::new(ledger_cache)),
    })
}

impl DbPool {
    /// Starts hearing other connections' ledger changes, which lets the bill cache serve.
    pub fn listen_ledger(&self) {
        self.ledger.listen(&self.url);
    }
}

/// Applies every pending migration; returns the versions applied.
pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// True when every embedded migration has been applied.
pub fn migrations_applied(conn: &mut PgConnection) -> anyhow::Result<bool> {
    let pending = conn
        .has_pending_migration(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("checking migrations: {e}"))?;
    Ok(!pending)
}

/// Runs `f` with a pooled connection on actix's blocking thread pool, keeping the current span.
/// A pool that cannot hand out a connection within its timeout yields `AppError::Unavailable`.
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
        let mut conn = pool.get().map_err(AppError::from)?;
        AFTER_COMMIT.with(|h| h.borrow_mut().clear());
        let out = f(&mut conn);
        let hooks = AFTER_COMMIT.with(|h| std::mem::take(&mut *h.borrow_mut()));
        if out.is_ok() {
            for hook in hooks {
                hook();
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
/// Ledgers the transaction changed are forgotten by the bill cache right after the commit.
pub async fn transaction<F, T>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut PgConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let cache = pool.ledger.clone();
    run(pool, move |conn| commit(conn, &cache, f)).await
}

/// Runs `f` in a transaction on `conn` and, once it has committed, tells `cache` which ledgers
/// it changed (for work on a connection of its own, such as a job's).
pub fn commit<F, T>(conn: &mut PgConnection, cache: &ledger::LedgerCache, f: F) -> AppResult<T>
where
    F: FnOnce(&mut PgConnection) -> AppResult<T>,
{
    use diesel::Connection as _;
    let (out, changed) = conn.transaction(|c| {
        let out = f(c)?;
        Ok::<_, AppError>((out, ledger::changed_in_transaction(c)?))
    })?;
    if let Some((report, xid)) = changed {
        cache.changed(&report);
        cache.applied(xid);
    }
    Ok(out)
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
