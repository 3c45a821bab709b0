//! The citizen side's tables, and only here: `water_feedback` (one rating per payment) and
//! `water_upi` (a GP's UPI address).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, SmallInt, Text, Timestamptz, Uuid as SqlUuid};

/// One stored rating.
#[derive(Debug, Clone, QueryableByName)]
pub struct Feedback {
    #[diesel(sql_type = SqlUuid)]
    pub id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = Text)]
    pub connection_no: String,
    #[diesel(sql_type = SqlUuid)]
    pub payment_id: uuid::Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub period_from: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub period_to: DateTime<Utc>,
    #[diesel(sql_type = SmallInt)]
    pub happy_water_supply: i16,
    #[diesel(sql_type = SmallInt)]
    pub water_supply_regular: i16,
    #[diesel(sql_type = SmallInt)]
    pub water_quality_good: i16,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT id, tenant_id, connection_no, payment_id, period_from, period_to, \
     happy_water_supply, water_supply_regular, water_quality_good, created_at FROM water_feedback";

/// The rating given for a payment.
pub fn feedback_of_payment(
    c: &mut PgConnection,
    payment_id: uuid::Uuid,
) -> QueryResult<Option<Feedback>> {
    diesel::sql_query(format!("{SELECT} WHERE payment_id = $1"))
        .bind::<SqlUuid, _>(payment_id)
        .get_result(c)
        .optional()
}

/// A rating to keep.
pub struct NewFeedback<'a> {
    pub tenant: &'a str,
    pub connection_no: &'a str,
    pub payment_id: uuid::Uuid,
    /// The billing period of the bill paid.
    pub period: (DateTime<Utc>, DateTime<Utc>),
    /// The three answers, in the order of `QUESTIONS`.
    pub values: [i16; 3],
    pub who: Option<uuid::Uuid>,
    /// When it was given.
    pub at: DateTime<Utc>,
}

/// Keeps a rating; `None` when the payment already has one (the unique constraint).
pub fn insert_feedback(c: &mut PgConnection, f: &NewFeedback<'_>) -> QueryResult<Option<Feedback>> {
    diesel::sql_query(
        "INSERT INTO water_feedback (id, tenant_id, connection_no, payment_id, period_from, \
         period_to, happy_water_supply, water_supply_regular, water_quality_good, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (payment_id) DO NOTHING \
         RETURNING id, tenant_id, connection_no, payment_id, period_from, period_to, \
         happy_water_supply, water_supply_regular, water_quality_good, created_at",
    )
    .bind::<SqlUuid, _>(uuid::Uuid::new_v4())
    .bind::<Text, _>(f.tenant)
    .bind::<Text, _>(f.connection_no)
    .bind::<SqlUuid, _>(f.payment_id)
    .bind::<Timestamptz, _>(f.period.0)
    .bind::<Timestamptz, _>(f.period.1)
    .bind::<SmallInt, _>(f.values[0])
    .bind::<SmallInt, _>(f.values[1])
    .bind::<SmallInt, _>(f.values[2])
    .bind::<Nullable<SqlUuid>, _>(f.who)
    .bind::<Timestamptz, _>(f.at)
    .get_result(c)
    .optional()
}

/// Ratings of a GP, newest first, by connection, payment and creation time (epoch ms).
pub fn search_feedback(
    c: &mut PgConnection,
    tenant: &str,
    connection_no: Option<&str>,
    payment_id: Option<uuid::Uuid>,
    (from, to): (Option<i64>, Option<i64>),
) -> QueryResult<Vec<Feedback>> {
    diesel::sql_query(format!(
        "{SELECT} WHERE tenant_id = $1 AND ($2::text IS NULL OR connection_no = $2) \
         AND ($3::uuid IS NULL OR payment_id = $3) \
         AND ($4::bigint IS NULL OR created_at >= to_timestamp($4 / 1000.0)) \
         AND ($5::bigint IS NULL OR created_at <= to_timestamp($5 / 1000.0)) \
         ORDER BY created_at DESC LIMIT 10000"
    ))
    .bind::<Text, _>(tenant)
    .bind::<Nullable<Text>, _>(connection_no)
    .bind::<Nullable<SqlUuid>, _>(payment_id)
    .bind::<Nullable<BigInt>, _>(from)
    .bind::<Nullable<BigInt>, _>(to)
    .load(c)
}

/// The GP's UPI address, if it has one.
pub fn vpa(conn: &mut PgConnection, tenant: &str) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        vpa: String,
    }
    Ok(
        diesel::sql_query("SELECT vpa FROM water_upi WHERE tenant_id = $1")
            .bind::<Text, _>(tenant)
            .get_result::<Row>(conn)
            .optional()?
            .map(|r| r.vpa),
    )
}

/// Sets the GP's UPI address (the database checks its form: `name@bank`).
pub fn set_vpa(conn: &mut PgConnection, tenant: &str, vpa: &str) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO water_upi (tenant_id, vpa) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET vpa = EXCLUDED.vpa, updated_at = now()",
    )
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(vpa)
    .execute(conn)
}

/// Removes the GP's UPI address.
pub fn remove_vpa(conn: &mut PgConnection, tenant: &str) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM water_upi WHERE tenant_id = $1")
        .bind::<Text, _>(tenant)
        .execute(conn)
}
