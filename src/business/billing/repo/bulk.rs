//! Bulk demand's writes and checks: one month of demands for many consumers in one set-based
//! statement.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::billing_demand as dm;

/// One month of demands for many consumers at once (bulk demand): each consumer's charge, its
/// round-off and the tariff it came from.
pub struct BulkDemands<'a> {
    pub tenant: &'a str,
    pub service: &'a str,
    pub consumer_type: &'a str,
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
    pub bill_expiry_ms: i64,
    /// Recorded in each demand's details and history.
    pub batch: String,
    pub actor: Option<uuid::Uuid>,
    pub now: DateTime<Utc>,
    pub consumers: &'a [String],
    pub payers: &'a [uuid::Uuid],
    pub amounts: &'a [rust_decimal::Decimal],
    pub round_offs: &'a [rust_decimal::Decimal],
    pub tariffs: &'a [Option<String>],
}

/// A consumer billed for the period: a demand (not cancelled) ending within it.
const BILLED: &str = "EXISTS (SELECT 1 FROM billing_demand d
      WHERE d.tenant_id = $1 AND d.business_service = $4 AND d.consumer_code = c.code
        AND d.status <> 'CANCELLED' AND d.period_to BETWEEN $2 AND $3)";

/// How many of `consumers` already have a (not cancelled) demand ending between `from` and `to`.
pub fn billed_among(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumers: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<i64> {
    use diesel::sql_types::{Array, Timestamptz};
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    Ok(diesel::sql_query(format!(
        "SELECT count(*) AS n FROM unnest($5::text[]) AS c(code) WHERE {BILLED}"
    ))
    .bind::<Text, _>(tenant)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<Text, _>(service)
    .bind::<Array<Text>, _>(consumers)
    .get_result::<N>(conn)?
    .n)
}

/// Whether any consumer of the tenant's service has a (not cancelled) demand ending between
/// `from` and `to`.
pub fn any_demand_ending_between(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        dm::table
            .filter(dm::tenant_id.eq(tenant))
            .filter(dm::business_service.eq(service))
            .filter(dm::status.ne("CANCELLED"))
            .filter(dm::period_to.between(from, to)),
    ))
    .get_result(conn)
}

/// Writes the month's demands of every consumer of `b` not yet billed for it, in one statement
/// (`INSERT … SELECT` from the arrays: a demand, its charge line, its round-off line when not
/// 0, and its history each); a consumer billed meanwhile (the exclusion constraint) is skipped.
/// Answers the consumers whose demand was written.
pub fn bulk_insert_demands(
    conn: &mut PgConnection,
    b: &BulkDemands<'_>,
) -> QueryResult<Vec<String>> {
    use diesel::sql_types::{Array, BigInt, Nullable, Numeric, Timestamptz, Uuid as SqlUuid};
    #[derive(QueryableByName)]
    struct Made {
        #[diesel(sql_type = Text)]
        consumer_code: String,
    }
    let made: Vec<Made> = diesel::sql_query(format!(
        "WITH targets AS (
             SELECT c.code AS connection_no, c.payer AS owner_uuid, c.amount, c.round_off, c.tariff_id
               FROM unnest($5::text[], $6::uuid[], $7::numeric[], $8::numeric[], $9::text[])
                    AS c(code, payer, amount, round_off, tariff_id)
              WHERE NOT {BILLED}),
         made AS (
             INSERT INTO billing_demand (id, tenant_id, business_service, consumer_code, consumer_type,
                     payer_uuid, period_from, period_to, status, minimum_amount_payable, bill_expiry_time,
                     additional_details, created_by, created_at, last_modified_by, last_modified_at)
             SELECT gen_random_uuid(), $1, $4, t.connection_no, $14, t.owner_uuid, $2, $3,
                    'ACTIVE', 0, $10, jsonb_build_object('bulkDemandBatch', $11::text, 'tariffId', t.tariff_id),
                    $12, $13, $12, $13
               FROM targets t
             ON CONFLICT DO NOTHING
             RETURNING id, consumer_code),
         lines AS (
             INSERT INTO billing_demand_detail (id, demand_id, tenant_id, tax_head_code, tax_amount, created_at, last_modified_at)
             SELECT gen_random_uuid(), m.id, $1, '10101', t.amount, $13, $13
               FROM made m JOIN targets t ON t.connection_no = m.consumer_code
             UNION ALL
             SELECT gen_random_uuid(), m.id, $1, $4 || '_Round_Off', t.round_off, $13, $13
               FROM made m JOIN targets t ON t.connection_no = m.consumer_code WHERE t.round_off <> 0
             RETURNING demand_id),
         hist AS (
             INSERT INTO billing_demand_history (demand_id, tenant_id, reason, snapshot, changed_by, changed_at)
             SELECT m.id, $1, 'CREATED', jsonb_build_object('bulkDemandBatch', $11::text, 'taxAmount', t.amount,
                    'roundOff', t.round_off, 'tariffId', t.tariff_id), $12, $13
               FROM made m JOIN targets t ON t.connection_no = m.consumer_code
             RETURNING demand_id)
         SELECT consumer_code FROM made"
    ))
    .bind::<Text, _>(b.tenant)
    .bind::<Timestamptz, _>(b.period_from)
    .bind::<Timestamptz, _>(b.period_to)
    .bind::<Text, _>(b.service)
    .bind::<Array<Text>, _>(b.consumers)
    .bind::<Array<SqlUuid>, _>(b.payers)
    .bind::<Array<Numeric>, _>(b.amounts)
    .bind::<Array<Numeric>, _>(b.round_offs)
    .bind::<Array<Nullable<Text>>, _>(b.tariffs)
    .bind::<BigInt, _>(b.bill_expiry_ms)
    .bind::<Text, _>(&b.batch)
    .bind::<Nullable<SqlUuid>, _>(b.actor)
    .bind::<Timestamptz, _>(b.now)
    .bind::<Text, _>(b.consumer_type)
    .load(conn)?;
    Ok(made.into_iter().map(|m| m.consumer_code).collect())
}
