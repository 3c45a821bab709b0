//! The record of job runs (`job_run`): each run's start is committed on its own before the job
//! runs, its end written after, so a run that fails (or a process that dies) is still seen.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};

/// Who started a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    Hand,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::Hand => "hand",
        }
    }
}

/// One recorded run.
#[derive(Clone, Debug, QueryableByName)]
pub struct Run {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub job: String,
    #[diesel(sql_type = Text)]
    pub trigger: String,
    #[diesel(sql_type = Text)]
    pub args: String,
    #[diesel(sql_type = Timestamptz)]
    pub started_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `ok`, `failed` or `skipped-locked`.
    #[diesel(sql_type = Text)]
    pub outcome: String,
    #[diesel(sql_type = Text)]
    pub summary: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// Records the start of a run (its own statement: committed at once outside a transaction).
/// Runs of the same job still marked running are closed as failed first: the caller holds the
/// job's advisory lock, so no other run of it is alive.
pub fn start(conn: &mut PgConnection, job: &str, trigger: Trigger, args: &str) -> QueryResult<i64> {
    diesel::sql_query(
        "UPDATE job_run SET outcome = 'failed', finished_at = greatest(now(), started_at), \
         error = 'interrupted: the process ended before the run finished' \
         WHERE job = $1 AND outcome = 'running'",
    )
    .bind::<Text, _>(job)
    .execute(conn)?;
    let row: Id = diesel::sql_query(
        "INSERT INTO job_run (job, trigger, args) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind::<Text, _>(job)
    .bind::<Text, _>(trigger.as_str())
    .bind::<Text, _>(clip(args, 200))
    .get_result(conn)?;
    Ok(row.id)
}

/// Records the end of a run.
pub fn finish(
    conn: &mut PgConnection,
    id: i64,
    result: &Result<String, String>,
) -> QueryResult<()> {
    let (outcome, summary, error) = match result {
        Ok(s) => ("ok", clip(s, 2000), None),
        Err(e) => {
            // The first line of an error is its summary; the whole text is kept as the error.
            let first = e.lines().next().unwrap_or_default();
            ("failed", clip(first, 2000), Some(clip(e, 8000)))
        }
    };
    diesel::sql_query(
        "UPDATE job_run SET outcome = $2, summary = $3, error = $4, \
         finished_at = greatest(now(), started_at) WHERE id = $1",
    )
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(outcome)
    .bind::<Text, _>(summary)
    .bind::<Nullable<Text>, _>(error)
    .execute(conn)?;
    Ok(())
}

/// Records a run that did not start because another held the job's lock.
pub fn skipped(
    conn: &mut PgConnection,
    job: &str,
    trigger: Trigger,
    args: &str,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO job_run (job, trigger, args, finished_at, outcome, summary) \
         VALUES ($1, $2, $3, now(), 'skipped-locked', 'already running elsewhere')",
    )
    .bind::<Text, _>(job)
    .bind::<Text, _>(trigger.as_str())
    .bind::<Text, _>(clip(args, 200))
    .execute(conn)?;
    Ok(())
}

const COLUMNS: &str = "id, job, trigger, args, started_at, finished_at, outcome, summary, error";

/// The latest run of every job that has run.
pub fn latest(conn: &mut PgConnection) -> QueryResult<Vec<Run>> {
    diesel::sql_query(format!(
        "SELECT DISTINCT ON (job) {COLUMNS} FROM job_run ORDER BY job, started_at DESC, id DESC"
    ))
    .load(conn)
}

/// The latest `limit` runs of one job, newest first, skipping `offset`.
pub fn history(
    conn: &mut PgConnection,
    job: &str,
    limit: i32,
    offset: i32,
) -> QueryResult<Vec<Run>> {
    diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM job_run WHERE job = $1 ORDER BY started_at DESC, id DESC \
         LIMIT $2 OFFSET $3"
    ))
    .bind::<Text, _>(job)
    .bind::<Integer, _>(limit)
    .bind::<Integer, _>(offset)
    .load(conn)
}
