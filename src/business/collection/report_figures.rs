//! Collection's read-only sums for the water reports (`municipal::wsreports`): a GP's water
//! receipts, cancelled ones left out, by the day of the payment (`transaction_date`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Numeric, Text, Timestamptz};
use rust_decimal::Decimal;

/// What a household paid in one payment mode.
#[derive(Clone, Debug, QueryableByName)]
pub struct PaidByMode {
    #[diesel(sql_type = Text)]
    pub consumer_code: String,
    #[diesel(sql_type = Text)]
    pub payment_mode: String,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
}

/// Live water receipts paid in `[from, to]`, summed per household and payment mode.
pub fn paid_by_mode(
    conn: &mut PgConnection,
    tenant: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<PaidByMode>> {
    diesel::sql_query(
        "SELECT pd.consumer_code, p.payment_mode, sum(pd.total_amount_paid) AS amount \
         FROM collection_payment_detail pd JOIN collection_payment p ON p.id = pd.payment_id \
         WHERE pd.tenant_id = $1 AND pd.business_service = 'WS' \
           AND p.payment_status <> 'CANCELLED' \
           AND p.transaction_date >= $2 AND p.transaction_date <= $3 \
         GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind::<Text, _>(tenant)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
}

#[derive(QueryableByName)]
struct Paid {
    #[diesel(sql_type = Text)]
    consumer_code: String,
    #[diesel(sql_type = Numeric)]
    amount: Decimal,
}

/// What each household (one when `code` is given) paid before `at` (live receipts).
pub fn paid_before(
    conn: &mut PgConnection,
    tenant: &str,
    code: Option<&str>,
    at: DateTime<Utc>,
) -> QueryResult<Vec<(String, Decimal)>> {
    let rows: Vec<Paid> = diesel::sql_query(
        "SELECT pd.consumer_code, sum(pd.total_amount_paid) AS amount \
         FROM collection_payment_detail pd JOIN collection_payment p ON p.id = pd.payment_id \
         WHERE pd.tenant_id = $1 AND pd.business_service = 'WS' \
           AND p.payment_status <> 'CANCELLED' \
           AND ($2::text IS NULL OR pd.consumer_code = $2) AND p.transaction_date < $3 \
         GROUP BY 1",
    )
    .bind::<Text, _>(tenant)
    .bind::<Nullable<Text>, _>(code)
    .bind::<Timestamptz, _>(at)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.consumer_code, r.amount))
        .collect())
}

/// One live water receipt.
#[derive(Clone, Debug, QueryableByName)]
pub struct ReceiptLine {
    #[diesel(sql_type = Text)]
    pub consumer_code: String,
    #[diesel(sql_type = Text)]
    pub receipt_number: String,
    #[diesel(sql_type = Timestamptz)]
    pub paid_at: DateTime<Utc>,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
}

/// The live water receipts of the GP (of one household when `code` is given) paid in
/// `[from, to]`, oldest first.
pub fn receipts_between(
    conn: &mut PgConnection,
    tenant: &str,
    code: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<ReceiptLine>> {
    diesel::sql_query(
        "SELECT pd.consumer_code, pd.receipt_number, p.transaction_date AS paid_at, \
           pd.total_amount_paid AS amount \
         FROM collection_payment_detail pd JOIN collection_payment p ON p.id = pd.payment_id \
         WHERE pd.tenant_id = $1 AND pd.business_service = 'WS' \
           AND p.payment_status <> 'CANCELLED' \
           AND ($2::text IS NULL OR pd.consumer_code = $2) \
           AND p.transaction_date >= $3 AND p.transaction_date <= $4 \
         ORDER BY p.transaction_date, pd.receipt_number",
    )
    .bind::<Text, _>(tenant)
    .bind::<Nullable<Text>, _>(code)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
}
