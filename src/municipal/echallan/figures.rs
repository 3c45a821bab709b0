//! Expense figures for the roll-out dashboard: read-only queries over echallan's own table.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Numeric, Text, Timestamptz};
use rust_decimal::Decimal;

/// Per GP, over expense bills entered in a window.
#[derive(Clone, Debug, QueryableByName)]
pub struct ExpenseFigures {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    /// Bills other than electricity still unpaid (status ACTIVE).
    #[diesel(sql_type = BigInt)]
    pub expense_count: i64,
    /// Electricity bills still unpaid.
    #[diesel(sql_type = BigInt)]
    pub electricity_count: i64,
    /// Bills other than electricity marked paid.
    #[diesel(sql_type = BigInt)]
    pub paid_count: i64,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_expense_date: Option<NaiveDate>,
    /// Amounts of the bills not cancelled (other than electricity; electricity), and of the
    /// paid ones (other than electricity).
    #[diesel(sql_type = Numeric)]
    pub expense_amount: Decimal,
    #[diesel(sql_type = Numeric)]
    pub electricity_amount: Decimal,
    #[diesel(sql_type = Numeric)]
    pub paid_amount: Decimal,
}

/// The roll-out dashboard's expense figures of every GP for bills entered in `[from, to)`.
pub fn expense_figures(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> QueryResult<Vec<ExpenseFigures>> {
    diesel::sql_query(
        "SELECT tenant_id, \
           count(*) FILTER (WHERE type_of_expense <> 'ELECTRICITY_BILL' AND status = 'ACTIVE') AS expense_count, \
           count(*) FILTER (WHERE type_of_expense = 'ELECTRICITY_BILL' AND status = 'ACTIVE') AS electricity_count, \
           count(*) FILTER (WHERE type_of_expense <> 'ELECTRICITY_BILL' AND status = 'PAID') AS paid_count, \
           (max(created_at) FILTER (WHERE status <> 'CANCELLED') AT TIME ZONE 'Asia/Kolkata')::date AS last_expense_date, \
           coalesce(sum(amount) FILTER (WHERE type_of_expense <> 'ELECTRICITY_BILL' AND status <> 'CANCELLED'), 0) AS expense_amount, \
           coalesce(sum(amount) FILTER (WHERE type_of_expense = 'ELECTRICITY_BILL' AND status <> 'CANCELLED'), 0) AS electricity_amount, \
           coalesce(sum(amount) FILTER (WHERE type_of_expense <> 'ELECTRICITY_BILL' AND status = 'PAID'), 0) AS paid_amount \
         FROM echallan_bill \
         WHERE ($1::timestamptz IS NULL OR created_at >= $1) \
           AND ($2::timestamptz IS NULL OR created_at < $2) \
         GROUP BY tenant_id",
    )
    .bind::<Nullable<Timestamptz>, _>(from)
    .bind::<Nullable<Timestamptz>, _>(to)
    .load(conn)
}
