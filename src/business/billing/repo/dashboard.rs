//! Billing's figures for the GP's dashboard (product.md §2.7): read-only sums over the water
//! demands of one GP, for `municipal::dashboard`. A demand counts in a period by the end of its
//! tax period (`period_to`), and only while ACTIVE; the advance line (`WS_ADVANCE_CARRYFORWARD`,
//! kept negative on the ledger) is never demand, and is shown positive here.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Numeric, Text, Timestamptz};
use rust_decimal::Decimal;

/// The demand side of a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, QueryableByName)]
pub struct DemandSide {
    /// Σ tax of the lines (not the advance) of ACTIVE demands whose period ends in the period.
    #[diesel(sql_type = Numeric)]
    pub demand: Decimal,
    /// Σ (tax − collected) of those lines.
    #[diesel(sql_type = Numeric)]
    pub pending: Decimal,
    /// Σ (tax − collected) of the lines of ACTIVE demands whose period ended before the period.
    #[diesel(sql_type = Numeric)]
    pub arrears: Decimal,
    /// Σ (tax − collected) of the penalty lines (`WS_TIME_PENALTY`, opening `10201`) of the
    /// demands of the period.
    #[diesel(sql_type = Numeric)]
    pub pending_penalty: Decimal,
    /// The advance the demands of the period carry (created by payments above the dues).
    #[diesel(sql_type = Numeric)]
    pub advance_created: Decimal,
    /// What of that advance has been used against later dues.
    #[diesel(sql_type = Numeric)]
    pub advance_adjusted: Decimal,
}

/// The water demand figures of `tenant` for demands whose period ends in `[from, to]`.
pub fn water_demand_side(
    conn: &mut PgConnection,
    tenant: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<DemandSide> {
    diesel::sql_query(
        "SELECT \
           coalesce(sum(l.tax_amount) FILTER (WHERE d.period_to >= $2 AND l.tax_head_code <> 'WS_ADVANCE_CARRYFORWARD'), 0) AS demand, \
           coalesce(sum(l.tax_amount - l.collection_amount) FILTER (WHERE d.period_to >= $2 AND l.tax_head_code <> 'WS_ADVANCE_CARRYFORWARD'), 0) AS pending, \
           coalesce(sum(l.tax_amount - l.collection_amount) FILTER (WHERE d.period_to < $2 AND l.tax_head_code <> 'WS_ADVANCE_CARRYFORWARD'), 0) AS arrears, \
           coalesce(sum(l.tax_amount - l.collection_amount) FILTER (WHERE d.period_to >= $2 AND l.tax_head_code IN ('WS_TIME_PENALTY', '10201')), 0) AS pending_penalty, \
           coalesce(-sum(l.tax_amount) FILTER (WHERE d.period_to >= $2 AND l.tax_head_code = 'WS_ADVANCE_CARRYFORWARD'), 0) AS advance_created, \
           coalesce(-sum(l.collection_amount) FILTER (WHERE d.period_to >= $2 AND l.tax_head_code = 'WS_ADVANCE_CARRYFORWARD'), 0) AS advance_adjusted \
         FROM billing_demand d JOIN billing_demand_detail l ON l.demand_id = d.id \
         WHERE d.tenant_id = $1 AND d.business_service = 'WS' AND d.status = 'ACTIVE' \
           AND d.period_to <= $3",
    )
    .bind::<Text, _>(tenant)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .get_result(conn)
}

/// Which of `lines` are penalty lines (`WS_TIME_PENALTY`, `10201`).
pub fn penalty_lines(
    conn: &mut PgConnection,
    lines: &[uuid::Uuid],
) -> QueryResult<Vec<uuid::Uuid>> {
    use crate::db::schema::billing_demand_detail as dd;
    if lines.is_empty() {
        return Ok(Vec::new());
    }
    dd::table
        .filter(dd::id.eq_any(lines))
        .filter(dd::tax_head_code.eq_any(["WS_TIME_PENALTY", "10201"]))
        .select(dd::id)
        .load(conn)
}
