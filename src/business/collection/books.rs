//! What collection hands the books (`business::accounts`): a receipt (or an expense payment)
//! and its cancellation posted in the same transaction, and the cash the ledger check expects.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Numeric, Text};
use rust_decimal::Decimal;

use crate::business::accounts::service::{self as accounts, Event};
use crate::business::billing::service as billing;
use crate::error::AppResult;

/// Posts receipt `receipt` of `consumer` (`cancelled`: its cancellation, reversing it): what the
/// consumer's ledger says now, against what the journal holds.
pub fn post(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    receipt: &str,
    cancelled: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let kind = match (accounts::is_expense(service), cancelled) {
        (false, false) => "COLLECTION",
        (false, true) => "COLLECTION_CANCELLED",
        (true, false) => "EXPENSE_PAYMENT",
        (true, true) => "EXPENSE_PAYMENT_CANCELLED",
    };
    let parties = [consumer.to_owned()];
    let owed = billing::owed(conn, tenant, service, &parties)?;
    let ev = Event {
        tenant,
        kind,
        source: receipt,
        now,
    };
    accounts::post(conn, &ev, service, &parties, &owed)?;
    Ok(())
}

/// Per GP: live receipts less live expense payments (on `tenant`, or everywhere).
pub fn cash(conn: &mut PgConnection, tenant: Option<&str>) -> AppResult<Vec<(String, Decimal)>> {
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = Text)]
        tenant_id: String,
        #[diesel(sql_type = Numeric)]
        v: Decimal,
    }
    let rows: Vec<R> = diesel::sql_query(
        "SELECT d.tenant_id,
                sum(CASE WHEN d.business_service LIKE 'EXPENSE.%' THEN -d.total_amount_paid
                         ELSE d.total_amount_paid END) AS v
           FROM collection_payment_detail d JOIN collection_payment p ON p.id = d.payment_id
          WHERE p.payment_status <> 'CANCELLED' AND ($1::text IS NULL OR d.tenant_id = $1)
          GROUP BY 1",
    )
    .bind::<Nullable<Text>, _>(tenant)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.tenant_id, r.v)).collect())
}
