//! Billing's read-only sums for the water reports (`municipal::wsreports`): a GP's water demands
//! (not cancelled) summed per household and per month of their period, and what was demanded
//! before a day. The advance line is left out of every sum but `advance`: an advance is money
//! paid (collection's), not money owed.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Date, Nullable, Numeric, Text, Timestamptz};
use rust_decimal::Decimal;

/// A household's demands of one month (the IST month their period starts in).
#[derive(Clone, Debug, QueryableByName)]
pub struct MonthDemand {
    #[diesel(sql_type = Text)]
    pub consumer_code: String,
    /// First day of the month.
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    /// Water charges and every other line but penalty and advance.
    #[diesel(sql_type = Numeric)]
    pub charges: Decimal,
    /// Only the monthly water charge (`10101`).
    #[diesel(sql_type = Numeric)]
    pub water_charge: Decimal,
    /// `WS_TIME_PENALTY` and the opening penalty `10201`.
    #[diesel(sql_type = Numeric)]
    pub penalty: Decimal,
    /// The advance lines of these demands, shown positive.
    #[diesel(sql_type = Numeric)]
    pub advance: Decimal,
    /// When the first of them was created.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// When a penalty line was first written on them.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub penalty_at: Option<DateTime<Utc>>,
    /// The day payment falls due: creation plus the bill expiry (none without one).
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub due_at: Option<DateTime<Utc>>,
}

/// The GP's water demands (one household's when `code` is given) whose period lies within
/// `[from, to]`, summed per household and month, in household then month order.
pub fn month_demands(
    conn: &mut PgConnection,
    tenant: &str,
    code: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<MonthDemand>> {
    diesel::sql_query(
        "SELECT d.consumer_code, \
           date_trunc('month', d.period_from AT TIME ZONE 'Asia/Kolkata')::date AS month, \
           coalesce(sum(l.tax_amount) FILTER (WHERE l.tax_head_code NOT IN \
             ('WS_TIME_PENALTY', '10201', 'WS_ADVANCE_CARRYFORWARD')), 0) AS charges, \
           coalesce(sum(l.tax_amount) FILTER (WHERE l.tax_head_code = '10101'), 0) AS water_charge, \
           coalesce(sum(l.tax_amount) FILTER (WHERE l.tax_head_code IN ('WS_TIME_PENALTY', '10201')), 0) AS penalty, \
           coalesce(-sum(l.tax_amount) FILTER (WHERE l.tax_head_code = 'WS_ADVANCE_CARRYFORWARD'), 0) AS advance, \
           min(d.created_at) AS created_at, \
           min(l.created_at) FILTER (WHERE l.tax_head_code = 'WS_TIME_PENALTY') AS penalty_at, \
           min(d.created_at + d.bill_expiry_time * interval '1 millisecond') AS due_at \
         FROM billing_demand d JOIN billing_demand_detail l ON l.demand_id = d.id \
         WHERE d.tenant_id = $1 AND d.business_service = 'WS' AND d.status = 'ACTIVE' \
           AND ($2::text IS NULL OR d.consumer_code = $2) \
           AND d.period_from >= $3 AND d.period_to <= $4 \
         GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind::<Text, _>(tenant)
    .bind::<Nullable<Text>, _>(code)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
}

#[derive(QueryableByName)]
struct Owed {
    #[diesel(sql_type = Text)]
    consumer_code: String,
    #[diesel(sql_type = Numeric)]
    owed: Decimal,
}

/// Everything demanded of each household (of one when `code` is given) for periods starting
/// before `at`, advance lines left out.
pub fn demanded_before(
    conn: &mut PgConnection,
    tenant: &str,
    code: Option<&str>,
    at: DateTime<Utc>,
) -> QueryResult<Vec<(String, Decimal)>> {
    let rows: Vec<Owed> = diesel::sql_query(
        "SELECT d.consumer_code, coalesce(sum(l.tax_amount), 0) AS owed \
         FROM billing_demand d JOIN billing_demand_detail l ON l.demand_id = d.id \
         WHERE d.tenant_id = $1 AND d.business_service = 'WS' AND d.status = 'ACTIVE' \
           AND ($2::text IS NULL OR d.consumer_code = $2) AND d.period_from < $3 \
           AND l.tax_head_code <> 'WS_ADVANCE_CARRYFORWARD' \
         GROUP BY 1",
    )
    .bind::<Text, _>(tenant)
    .bind::<Nullable<Text>, _>(code)
    .bind::<Timestamptz, _>(at)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.consumer_code, r.owed))
        .collect())
}
