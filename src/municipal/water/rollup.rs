//! Water's reads for the division and state views' roll-up (`municipal::stateview`): which
//! GPs' connections changed since a moment (by the indexed `last_modified_at`), and how many
//! active households given GPs have. Read-only.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text};

/// The GPs with a connection added or changed at or after `since`.
pub fn tenants_changed_since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> QueryResult<Vec<String>> {
    crate::db::tenants_changed_since(conn, "water_connection", since)
}

/// A GP's active households.
#[derive(Clone, Debug, QueryableByName)]
pub struct Households {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = BigInt)]
    pub active: i64,
}

/// The active households of the GPs in `tenants` (every GP when `None`).
pub fn active_households(
    conn: &mut PgConnection,
    tenants: Option<&[String]>,
) -> QueryResult<Vec<Households>> {
    diesel::sql_query(
        "SELECT tenant_id, count(*) FILTER (WHERE status = 'Active') AS active \
         FROM water_connection WHERE ($1::text[] IS NULL OR tenant_id = ANY($1)) \
         GROUP BY tenant_id",
    )
    .bind::<Nullable<Array<Text>>, _>(tenants)
    .load(conn)
}
