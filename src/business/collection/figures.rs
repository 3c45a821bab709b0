//! Collection's figures for the roll-out dashboard and its feed for the iFIX export: read-only
//! queries over collection's own tables.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Numeric, Text, Timestamptz, Uuid};
use rust_decimal::Decimal;

/// Per GP, over live water receipts made in a window.
#[derive(Clone, Debug, QueryableByName)]
pub struct CollectionFigures {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = Numeric)]
    pub collected: Decimal,
    #[diesel(sql_type = Numeric)]
    pub online: Decimal,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_collection_date: Option<NaiveDate>,
}

/// The roll-out dashboard's collection figures of every GP for receipts made in `[from, to)`
/// (cancelled receipts left out).
pub fn water_collection_figures(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> QueryResult<Vec<CollectionFigures>> {
    diesel::sql_query(
        "SELECT pd.tenant_id, coalesce(sum(pd.total_amount_paid), 0) AS collected, \
           coalesce(sum(pd.total_amount_paid) FILTER (WHERE p.payment_mode = 'ONLINE'), 0) AS online, \
           (max(p.created_at) AT TIME ZONE 'Asia/Kolkata')::date AS last_collection_date \
         FROM collection_payment_detail pd JOIN collection_payment p ON p.id = pd.payment_id \
         WHERE pd.business_service = 'WS' AND p.payment_status <> 'CANCELLED' \
           AND ($1::timestamptz IS NULL OR p.created_at >= $1) \
           AND ($2::timestamptz IS NULL OR p.created_at < $2) \
         GROUP BY pd.tenant_id",
    )
    .bind::<Nullable<Timestamptz>, _>(from)
    .bind::<Nullable<Timestamptz>, _>(to)
    .load(conn)
}

/// A receipt (one business service's part of a payment) as the iFIX export reads it.
#[derive(Clone, Debug, QueryableByName)]
pub struct ReceiptForExport {
    /// The payment detail's id.
    #[diesel(sql_type = Uuid)]
    pub id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = Text)]
    pub business_service: String,
    #[diesel(sql_type = Text)]
    pub consumer_code: String,
    #[diesel(sql_type = Text)]
    pub receipt_number: String,
    #[diesel(sql_type = Text)]
    pub payment_mode: String,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// Live receipts of payments made at or after `since`, after `(after_at, after_id)` when
/// given, oldest first, at most `limit`.
pub fn receipts_created_since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
    after: Option<(DateTime<Utc>, uuid::Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ReceiptForExport>> {
    let (after_at, after_id) = after.unzip();
    diesel::sql_query(
        "SELECT pd.id, pd.tenant_id, pd.business_service, pd.consumer_code, pd.receipt_number, \
           p.payment_mode, pd.total_amount_paid AS amount, p.created_at \
         FROM collection_payment_detail pd JOIN collection_payment p ON p.id = pd.payment_id \
         WHERE p.payment_status <> 'CANCELLED' AND p.created_at >= $1 \
           AND ($2::timestamptz IS NULL OR (p.created_at, pd.id) > ($2, $3)) \
         ORDER BY p.created_at, pd.id LIMIT $4",
    )
    .bind::<Timestamptz, _>(since)
    .bind::<Nullable<Timestamptz>, _>(after_at)
    .bind::<Nullable<Uuid>, _>(after_id)
    .bind::<BigInt, _>(limit)
    .load(conn)
}
