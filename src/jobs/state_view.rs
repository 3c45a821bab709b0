//! The job `state-view`: brings the division and state views' roll-up up to date.

use diesel::PgConnection;

use super::JobArgs;
use crate::state::AppState;

/// Recomputes the GPs changed since the last run (`--period full`: every GP).
pub fn run(_: &AppState, conn: &mut PgConnection, args: &JobArgs) -> anyhow::Result<String> {
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
