//! Billing's reads for the division and state views' roll-up (`municipal::stateview`):
//! which GPs' demands changed since a moment (by the indexed `last_modified_at`), and the
//! water demand of given GPs month by month. Read-only.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Numeric, Text};
use rust_decimal::Decimal;

/// The GPs with a demand created, changed or cancelled at or after `since`.
pub fn tenants_changed_since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> QueryResult<Vec<String>> {
    crate::db::tenants_changed_since(conn, "billing_demand", since)
}

/// A GP's water demand for one month (the demands whose period ends in it, IST).
#[derive(Clone, Debug, QueryableByName)]
pub struct DemandMonth {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    /// The first day of the month.
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    /// Every line of the live water demands but the advance.
    #[diesel(sql_type = Numeric)]
    pub demand: Decimal,
    /// Households with a water charge (`10101`) for the month.
    #[diesel(sql_type = BigInt)]
    pub households: i64,
    /// The end (IST day) of the latest water-charge period in the month.
    #[diesel(sql_type = Nullable<Date>)]
    pub last_demand_date: Option<NaiveDate>,
}

/// The month figures of the GPs in `tenants` (every GP when `None`).
pub fn water_demand_by_month(
    conn: &mut PgConnection,
    tenants: Option<&[String]>,
) -> QueryResult<Vec<DemandMonth>> {
    diesel::sql_query(
        "SELECT d.tenant_id, \
           date_trunc('month', d.period_to AT TIME ZONE 'Asia/Kolkata')::date AS month, \
           coalesce(sum(l.tax_amount) FILTER (WHERE l.tax_head_code <> 'WS_ADVANCE_CARRYFORWARD'), 0) AS demand, \
           count(DISTINCT d.consumer_code) FILTER (WHERE l.tax_head_code = '10101') AS households, \
           max((d.period_to AT TIME ZONE 'Asia/Kolkata')::date) FILTER (WHERE l.tax_head_code = '10101') \
             AS last_demand_date \
         FROM billing_demand d JOIN billing_demand_detail l ON l.demand_id = d.id \
         WHERE d.business_service = 'WS' AND d.status = 'ACTIVE' \
           AND ($1::text[] IS NULL OR d.tenant_id = ANY($1)) \
         GROUP BY 1, 2",
    )
    .bind::<Nullable<Array<Text>>, _>(tenants)
    .load(conn)
}

/// The direct aggregate the bench sets beside the roll-up: the water demand of the GPs in
/// `tenants` (every GP when `None`) for the months `[from, to]` straight from the ledger.
pub fn water_demand_between(
    conn: &mut PgConnection,
    tenants: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<DemandMonth>> {
    diesel::sql_query(
        "SELECT d.tenant_id, $2::date AS month, \
           coalesce(sum(l.tax_amount) FILTER (WHERE l.tax_head_code <> 'WS_ADVANCE_CARRYFORWARD'), 0) AS demand, \
           count(DISTINCT d.consumer_code) FILTER (WHERE l.tax_head_code = '10101') AS households, \
           max((d.period_to AT TIME ZONE 'Asia/Kolkata')::date) FILTER (WHERE l.tax_head_code = '10101') \
             AS last_demand_date \
         FROM billing_demand d JOIN billing_demand_detail l ON l.demand_id = d.id \
         WHERE d.business_service = 'WS' AND d.status = 'ACTIVE' \
           AND ($1::text[] IS NULL OR d.tenant_id = ANY($1)) \
           AND d.period_to >= ($2::date::timestamp AT TIME ZONE 'Asia/Kolkata') \
           AND d.period_to < (($3::date + interval '1 month')::timestamp AT TIME ZONE 'Asia/Kolkata') \
         GROUP BY 1",
    )
    .bind::<Nullable<Array<Text>>, _>(tenants)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
}
