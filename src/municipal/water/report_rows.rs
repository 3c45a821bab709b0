//! Water's read-only rows for the water reports (`municipal::wsreports`): the status changes
//! of a GP's connections (the inactive consumer report).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid};

/// A connection marked inactive (or active again) and by whom.
#[derive(Clone, Debug, QueryableByName)]
pub struct StatusChange {
    #[diesel(sql_type = Text)]
    pub connection_no: String,
    /// `Inactive` or `Active`: the status it was given.
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Uuid>)]
    pub actor: Option<uuid::Uuid>,
}

/// The GP's connections whose status changed in `[from, to]`, with every such change in it,
/// by connection then newest first.
pub fn status_changes(
    conn: &mut PgConnection,
    tenant: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<StatusChange>> {
    diesel::sql_query(
        "SELECT c.connection_no, \
           CASE WHEN h.action = 'DEACTIVATE' THEN 'Inactive' \
                ELSE coalesce(h.changes -> 'status' ->> 'to', c.status) END AS status, \
           h.at, h.actor \
         FROM water_connection_history h JOIN water_connection c ON c.id = h.connection_id \
         WHERE h.tenant_id = $1 AND h.at >= $2 AND h.at <= $3 \
           AND (h.action = 'DEACTIVATE' OR (h.action = 'UPDATE' AND h.changes ? 'status')) \
         ORDER BY c.connection_no, h.at DESC",
    )
    .bind::<Text, _>(tenant)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
}
