//! Collection's figures for the GP's dashboard (product.md §2.7): read-only sums over the live
//! water receipts of one GP whose payment's transaction date falls in a period (a cancelled
//! receipt is in none of them), for `municipal::dashboard`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Numeric, Text, Timestamptz, Uuid};
use rust_decimal::Decimal;

/// What one household paid in the period.
#[derive(Clone, Debug, QueryableByName)]
pub struct Paid {
    #[diesel(sql_type = Text)]
    pub consumer_code: String,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
}

/// Each household's live water receipts with the transaction date in `[from, to]`, summed.
pub fn water_paid_by_household(
    conn: &mut PgConnection,
    tenant: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<Paid>> {
    diesel::sql_query(
        "SELECT pd.consumer_code, sum(pd.total_amount_paid) AS amount \
         FROM collection_payment_detail pd JOIN collection_payment p ON p.id = pd.payment_id \
         WHERE pd.tenant_id = $1 AND pd.business_service = 'WS' AND p.payment_status <> 'CANCELLED' \
           AND p.transaction_date BETWEEN $2 AND $3 \
         GROUP BY pd.consumer_code ORDER BY pd.consumer_code",
    )
    .bind::<Text, _>(tenant)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
}

/// What went onto one demand line from the period's receipts.
#[derive(Clone, Debug, QueryableByName)]
pub struct OnLine {
    #[diesel(sql_type = Uuid)]
    pub line: uuid::Uuid,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
}

/// The money the live water receipts of `[from, to]` put onto demand lines (collected, not
/// advance or credit moves), by line.
pub fn water_collected_lines(
    conn: &mut PgConnection,
    tenant: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<OnLine>> {
    diesel::sql_query(
        "SELECT a.demand_detail_id AS line, sum(a.amount) AS amount \
         FROM collection_allocation a \
         JOIN collection_payment_detail pd ON pd.id = a.payment_detail_id \
         JOIN collection_payment p ON p.id = pd.payment_id \
         WHERE pd.tenant_id = $1 AND pd.business_service = 'WS' AND p.payment_status <> 'CANCELLED' \
           AND p.transaction_date BETWEEN $2 AND $3 AND a.kind = 'COLLECT' \
         GROUP BY a.demand_detail_id",
    )
    .bind::<Text, _>(tenant)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
}
