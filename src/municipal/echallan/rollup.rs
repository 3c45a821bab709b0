//! Echallan's reads for the division and state views' roll-up (`municipal::stateview`):
//! which GPs' expense bills changed since a moment (by the indexed `last_modified_at`), and
//! the expenses of given GPs month by month. Read-only.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Nullable, Numeric, Text};
use rust_decimal::Decimal;

/// The GPs with an expense bill added, changed, paid or cancelled at or after `since`.
pub fn tenants_changed_since(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> QueryResult<Vec<String>> {
    crate::db::tenants_changed_since(conn, "echallan_bill", since)
}

/// A GP's expenses of one month: bills (not cancelled) by bill date, payments by paid date.
#[derive(Clone, Debug, QueryableByName)]
pub struct ExpenseMonth {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = Numeric)]
    pub billed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub paid: Decimal,
}

/// The month figures of the GPs in `tenants` (every GP when `None`).
pub fn expenses_by_month(
    conn: &mut PgConnection,
    tenants: Option<&[String]>,
) -> QueryResult<Vec<ExpenseMonth>> {
    diesel::sql_query(
        "SELECT tenant_id, month, sum(billed) AS billed, sum(paid) AS paid FROM ( \
           SELECT tenant_id, date_trunc('month', bill_date)::date AS month, amount AS billed, \
             0::numeric AS paid \
           FROM echallan_bill WHERE status <> 'CANCELLED' \
             AND ($1::text[] IS NULL OR tenant_id = ANY($1)) \
           UNION ALL \
           SELECT tenant_id, date_trunc('month', paid_date)::date, 0, amount \
           FROM echallan_bill WHERE status = 'PAID' AND paid_date IS NOT NULL \
             AND ($1::text[] IS NULL OR tenant_id = ANY($1))) x \
         GROUP BY 1, 2",
    )
    .bind::<Nullable<Array<Text>>, _>(tenants)
    .load(conn)
}
