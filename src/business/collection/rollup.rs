//! Collection's reads for the division and state views' roll-up (`municipal::stateview`):
//! which GPs' receipts were made or cancelled since a moment (by the indexed
//! `last_modified_at`), and the water collection of given GPs month by month. Read-only.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Nullable, Numeric, Text};
use rust_decimal::Decimal;

/// The GPs with a payment made or cancelled at or after `since`.
pub fn tenants_changed_since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> QueryResult<Vec<String>> {
    crate::db::tenants_changed_since(conn, "collection_payment", since)
}

/// A GP's live water receipts of one month (by transaction date, IST).
#[derive(Clone, Debug, QueryableByName)]
pub struct CollectionMonth {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = Numeric)]
    pub collected: Decimal,
}

/// The month figures of the GPs in `tenants` (every GP when `None`); cancelled receipts left out.
pub fn water_collection_by_month(
    conn: &mut PgConnection,
    tenants: Option<&[String]>,
) -> QueryResult<Vec<CollectionMonth>> {
    diesel::sql_query(
        "SELECT pd.tenant_id, \
           date_trunc('month', p.transaction_date AT TIME ZONE 'Asia/Kolkata')::date AS month, \
           coalesce(sum(pd.total_amount_paid), 0) AS collected \
         FROM collection_payment_detail pd JOIN collection_payment p ON p.id = pd.payment_id \
         WHERE pd.business_service = 'WS' AND p.payment_status <> 'CANCELLED' \
           AND ($1::text[] IS NULL OR pd.tenant_id = ANY($1)) \
         GROUP BY 1, 2",
    )
    .bind::<Nullable<Array<Text>>, _>(tenants)
    .load(conn)
}

/// The direct aggregate the bench sets beside the roll-up: the water collection of the GPs in
/// `tenants` (every GP when `None`) for the months `[from, to]` straight from the receipts.
pub fn water_collection_between(
    conn: &mut PgConnection,
    tenants: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<CollectionMonth>> {
    diesel::sql_query(
        "SELECT pd.tenant_id, $2::date AS month, coalesce(sum(pd.total_amount_paid), 0) AS collected \
         FROM collection_payment_detail pd JOIN collection_payment p ON p.id = pd.payment_id \
         WHERE pd.business_service = 'WS' AND p.payment_status <> 'CANCELLED' \
           AND ($1::text[] IS NULL OR pd.tenant_id = ANY($1)) \
           AND p.transaction_date >= ($2::date::timestamp AT TIME ZONE 'Asia/Kolkata') \
           AND p.transaction_date < (($3::date + interval '1 month')::timestamp AT TIME ZONE 'Asia/Kolkata') \
         GROUP BY 1",
    )
    .bind::<Nullable<Array<Text>>, _>(tenants)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
}
