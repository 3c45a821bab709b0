//! The ledger check (billing's half): what demands say is owed equals what the active bill
//! shows, and every line's collected amount is exactly what the payments' allocations (handed
//! in by collection, which owns them) and billing's own adjustments moved onto it.

use std::collections::HashMap;

use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::error::AppResult;

/// One difference the ledger check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerProblem {
    pub tenant_id: String,
    pub consumer_code: String,
    pub what: String,
}

/// Verifies, per tenant and consumer, that what demands say is owed equals what the active
/// bill shows, and that every line's collected amount is exactly what `moved` (per demand line:
/// what live receipts moved onto it) and advance adjustments moved. Read-only. Answers how many
/// consumer ledgers were checked and the differences, bills first, then lines.
pub fn ledger_check(
    conn: &mut PgConnection,
    tenant: Option<&str>,
    moved: &HashMap<uuid::Uuid, Decimal>,
) -> AppResult<(usize, Vec<LedgerProblem>)> {
    use diesel::sql_types::{Array, Nullable, Numeric, Text, Uuid};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        tenant_id: String,
        #[diesel(sql_type = Text)]
        consumer_code: String,
        #[diesel(sql_type = Text)]
        what: String,
        #[diesel(sql_type = Nullable<Numeric>)]
        a: Option<Decimal>,
        #[diesel(sql_type = Nullable<Numeric>)]
        b: Option<Decimal>,
    }
    #[derive(QueryableByName)]
    struct LineRow {
        #[diesel(sql_type = Uuid)]
        id: uuid::Uuid,
        #[diesel(sql_type = Text)]
        tenant_id: String,
        #[diesel(sql_type = Text)]
        consumer_code: String,
        #[diesel(sql_type = Text)]
        what: String,
        #[diesel(sql_type = Numeric)]
        collected: Decimal,
        #[diesel(sql_type = Nullable<Numeric>)]
        adjusted: Option<Decimal>,
    }
    let t = tenant.map(str::to_owned);
    let bills: Vec<Row> = diesel::sql_query(
        "WITH owed AS (
            SELECT d.tenant_id, d.business_service, d.consumer_code, sum(dd.tax_amount - dd.collection_amount) AS due
              FROM billing_demand d JOIN billing_demand_detail dd ON dd.demand_id = d.id
             WHERE d.status = 'ACTIVE' AND ($1::text IS NULL OR d.tenant_id = $1)
             GROUP BY 1, 2, 3)
         SELECT b.tenant_id, b.consumer_code, 'active bill total differs from what demands owe' AS what,
                b.total_amount AS a, coalesce(o.due, 0) AS b
           FROM billing_bill b LEFT JOIN owed o USING (tenant_id, business_service, consumer_code)
          WHERE b.status = 'ACTIVE' AND ($1::text IS NULL OR b.tenant_id = $1) AND b.total_amount <> coalesce(o.due, 0)",
    )
    .bind::<Nullable<Text>, _>(t.clone())
    .load(conn)?;
    // Every line something was collected on, adjusted, or moved onto by a receipt.
    let touched: Vec<uuid::Uuid> = moved.keys().copied().collect();
    let lines: Vec<LineRow> = diesel::sql_query(
        "WITH adjusted AS (
            SELECT demand_detail_id AS line, sum(CASE kind WHEN 'COLLECT' THEN amount ELSE -amount END) AS amount
              FROM billing_adjustment GROUP BY 1)
         SELECT dd.id, d.tenant_id, d.consumer_code,
                'line ' || dd.tax_head_code || ' of ' || to_char(d.period_from AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM')
                    || ': collected differs from its receipts and adjustments' AS what,
                dd.collection_amount AS collected, m.amount AS adjusted
           FROM billing_demand_detail dd
           JOIN billing_demand d ON d.id = dd.demand_id
           LEFT JOIN adjusted m ON m.line = dd.id
          WHERE ($1::text IS NULL OR d.tenant_id = $1)
            AND (dd.collection_amount <> 0 OR m.line IS NOT NULL OR dd.id = ANY($2))
          ORDER BY d.tenant_id, d.consumer_code, d.period_from",
    )
    .bind::<Nullable<Text>, _>(t.clone())
    .bind::<Array<Uuid>, _>(&touched)
    .load(conn)?;
    let lines = lines.into_iter().filter_map(|l| {
        let b = match (moved.get(&l.id), l.adjusted) {
            (None, None) => Decimal::ZERO,
            (Some(x), None) => *x,
            (None, Some(y)) => y,
            (Some(x), Some(y)) => *x + y,
        };
        (l.collected != b).then_some(Row {
            tenant_id: l.tenant_id,
            consumer_code: l.consumer_code,
            what: l.what,
            a: Some(l.collected),
            b: Some(b),
        })
    });
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let checked: N = diesel::sql_query(
        "SELECT count(DISTINCT (tenant_id, business_service, consumer_code)) AS n FROM billing_demand WHERE ($1::text IS NULL OR tenant_id = $1)",
    )
    .bind::<Nullable<Text>, _>(t)
    .get_result(conn)?;
    let problems = bills
        .into_iter()
        .chain(lines)
        .map(|r| LedgerProblem {
            what: format!(
                "{}: {} vs {}",
                r.what,
                r.a.unwrap_or_default(),
                r.b.unwrap_or_default()
            ),
            tenant_id: r.tenant_id,
            consumer_code: r.consumer_code,
        })
        .collect();
    Ok((usize::try_from(checked.n).unwrap_or(0), problems))
}
