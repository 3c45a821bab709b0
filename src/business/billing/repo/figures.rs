//! Billing's figures for the roll-out dashboard and its feed for the iFIX export: read-only
//! queries over billing's own tables, for `municipal::rollout` and `municipal::ifix`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Jsonb, Nullable, Numeric, Text, Timestamptz, Uuid};
use rust_decimal::Decimal;

/// Per GP, over water demands (not cancelled) created in a window.
#[derive(Clone, Debug, QueryableByName)]
pub struct DemandFigures {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    /// Advance carried forward (kept negative on the ledger, shown positive).
    #[diesel(sql_type = Numeric)]
    pub advance: Decimal,
    /// Penalty (`WS_TIME_PENALTY` and the opening penalty `10201`).
    #[diesel(sql_type = Numeric)]
    pub penalty: Decimal,
    /// Every line but the advance.
    #[diesel(sql_type = Numeric)]
    pub demand_amount: Decimal,
    /// The end (IST day) of the latest monthly water-charge period demanded.
    #[diesel(sql_type = Nullable<Date>)]
    pub last_demand_date: Option<NaiveDate>,
    /// Households with a demand for that latest period.
    #[diesel(sql_type = BigInt)]
    pub consumers: i64,
}

/// The roll-out dashboard's demand figures of every GP for demands created in `[from, to)`
/// (either end open when `None`).
pub fn water_demand_figures(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> QueryResult<Vec<DemandFigures>> {
    diesel::sql_query(
        "WITH d AS ( \
           SELECT id, tenant_id, consumer_code, period_from, period_to FROM billing_demand \
           WHERE business_service = 'WS' AND status = 'ACTIVE' \
             AND ($1::timestamptz IS NULL OR created_at >= $1) \
             AND ($2::timestamptz IS NULL OR created_at < $2)), \
         sums AS ( \
           SELECT d.tenant_id, \
             coalesce(-sum(l.tax_amount) FILTER (WHERE l.tax_head_code = 'WS_ADVANCE_CARRYFORWARD'), 0) AS advance, \
             coalesce(sum(l.tax_amount) FILTER (WHERE l.tax_head_code IN ('WS_TIME_PENALTY', '10201')), 0) AS penalty, \
             coalesce(sum(l.tax_amount) FILTER (WHERE l.tax_head_code <> 'WS_ADVANCE_CARRYFORWARD'), 0) AS demand_amount \
           FROM d JOIN billing_demand_detail l ON l.demand_id = d.id GROUP BY d.tenant_id), \
         monthly AS ( \
           SELECT d.tenant_id, d.consumer_code, d.period_to FROM d \
           WHERE d.period_to - d.period_from <= interval '31 days' \
             AND EXISTS (SELECT 1 FROM billing_demand_detail l \
                         WHERE l.demand_id = d.id AND l.tax_head_code = '10101')), \
         latest AS (SELECT tenant_id, max(period_to) AS last_to FROM monthly GROUP BY tenant_id) \
         SELECT s.tenant_id, s.advance, s.penalty, s.demand_amount, \
           (l.last_to AT TIME ZONE 'Asia/Kolkata')::date AS last_demand_date, \
           (SELECT count(DISTINCT m.consumer_code) FROM monthly m \
             WHERE m.tenant_id = s.tenant_id AND m.period_to = l.last_to) AS consumers \
         FROM sums s LEFT JOIN latest l ON l.tenant_id = s.tenant_id",
    )
    .bind::<Nullable<Timestamptz>, _>(from)
    .bind::<Nullable<Timestamptz>, _>(to)
    .load(conn)
}

/// A demand as the iFIX export reads it: its lines as `[[tax head, amount], …]`.
#[derive(Clone, Debug, QueryableByName)]
pub struct DemandForExport {
    #[diesel(sql_type = Uuid)]
    pub id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = Text)]
    pub business_service: String,
    #[diesel(sql_type = Text)]
    pub consumer_code: String,
    #[diesel(sql_type = Timestamptz)]
    pub period_from: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub period_to: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Jsonb)]
    pub lines: serde_json::Value,
}

/// Live (not cancelled) demands created at or after `since`, after the key `(after_at,
/// after_id)` when given, oldest first, at most `limit`.
pub fn demands_created_since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
    after: Option<(DateTime<Utc>, uuid::Uuid)>,
    limit: i64,
) -> QueryResult<Vec<DemandForExport>> {
    let (after_at, after_id) = after.unzip();
    diesel::sql_query(
        "SELECT d.id, d.tenant_id, d.business_service, d.consumer_code, d.period_from, \
           d.period_to, d.created_at, \
           coalesce((SELECT jsonb_agg(jsonb_build_array(l.tax_head_code, l.tax_amount::text) \
                      ORDER BY l.tax_head_code) \
                     FROM billing_demand_detail l WHERE l.demand_id = d.id), '[]'::jsonb) AS lines \
         FROM billing_demand d \
         WHERE d.status = 'ACTIVE' AND d.created_at >= $1 \
           AND ($2::timestamptz IS NULL OR (d.created_at, d.id) > ($2, $3)) \
         ORDER BY d.created_at, d.id LIMIT $4",
    )
    .bind::<Timestamptz, _>(since)
    .bind::<Nullable<Timestamptz>, _>(after_at)
    .bind::<Nullable<Uuid>, _>(after_id)
    .bind::<BigInt, _>(limit)
    .load(conn)
}
