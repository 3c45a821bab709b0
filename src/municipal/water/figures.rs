//! Water's figures for the roll-out dashboard: read-only queries over water's own tables.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamptz};

/// Per GP, over households added in a window.
#[derive(Clone, Debug, QueryableByName)]
pub struct ConnectionFigures {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
    #[diesel(sql_type = BigInt)]
    pub active: i64,
}

/// Households added in `[from, to)`, all and still active, per GP.
pub fn connection_figures(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> QueryResult<Vec<ConnectionFigures>> {
    diesel::sql_query(
        "SELECT tenant_id, count(*) AS total, count(*) FILTER (WHERE status = 'Active') AS active \
         FROM water_connection \
         WHERE ($1::timestamptz IS NULL OR created_at >= $1) \
           AND ($2::timestamptz IS NULL OR created_at < $2) \
         GROUP BY tenant_id",
    )
    .bind::<Nullable<Timestamptz>, _>(from)
    .bind::<Nullable<Timestamptz>, _>(to)
    .load(conn)
}

/// Per GP, over feedback given in a window.
#[derive(Clone, Debug, QueryableByName)]
pub struct FeedbackFigures {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = BigInt)]
    pub ratings: i64,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_rating_date: Option<NaiveDate>,
}

/// Ratings given in `[from, to)` and the day of the latest, per GP.
pub fn feedback_figures(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> QueryResult<Vec<FeedbackFigures>> {
    diesel::sql_query(
        "SELECT tenant_id, count(*) AS ratings, \
           (max(created_at) AT TIME ZONE 'Asia/Kolkata')::date AS last_rating_date \
         FROM water_feedback \
         WHERE ($1::timestamptz IS NULL OR created_at >= $1) \
           AND ($2::timestamptz IS NULL OR created_at < $2) \
         GROUP BY tenant_id",
    )
    .bind::<Nullable<Timestamptz>, _>(from)
    .bind::<Nullable<Timestamptz>, _>(to)
    .load(conn)
}
