//! Queries on the billing tables. No rules here.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;

mod bulk;

pub use bulk::*;

use super::model::*;
use crate::db::schema::{
    billing_bill as bb, billing_bill_account_detail as bad, billing_bill_detail as bd,
    billing_demand as dm, billing_demand_detail as dd, billing_demand_history as dh,
};

/// Serialises everything that reads and changes one consumer's ledger (bills, payments,
/// demand creation), for the rest of the transaction.
pub fn lock_consumer(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7240003))")
        .bind::<Text, _>(format!("{tenant}|{service}|{consumer}"))
        .execute(conn)
        .map(|_| ())
}

pub fn insert_demand(
    conn: &mut PgConnection,
    d: &Demand,
    lines: &[DemandDetail],
) -> QueryResult<()> {
    diesel::insert_into(dm::table).values(d).execute(conn)?;
    diesel::insert_into(dd::table).values(lines).execute(conn)?;
    Ok(())
}

pub fn lines_of(
    conn: &mut PgConnection,
    demand_ids: &[uuid::Uuid],
) -> QueryResult<Vec<DemandDetail>> {
    dd::table
        .filter(dd::demand_id.eq_any(demand_ids))
        .order((dd::demand_id, dd::created_at, dd::id))
        .select(DemandDetail::as_select())
        .load(conn)
}

/// The consumer's live demands, oldest first, with their lines, without locking (reads only).
pub fn live_demands_read(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<Vec<DemandWithLines>> {
    let demands: Vec<Demand> = dm::table
        .filter(dm::tenant_id.eq(tenant))
        .filter(dm::business_service.eq(service))
        .filter(dm::consumer_code.eq(consumer))
        .filter(dm::status.eq("ACTIVE"))
        .order((dm::period_from, dm::id))
        .select(Demand::as_select())
        .load(conn)?;
    attach(conn, demands)
}

/// The consumer's live demands, oldest first, with their lines (locked for update).
pub fn live_demands(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<Vec<DemandWithLines>> {
    let demands: Vec<Demand> = dm::table
        .filter(dm::tenant_id.eq(tenant))
        .filter(dm::business_service.eq(service))
        .filter(dm::consumer_code.eq(consumer))
        .filter(dm::status.eq("ACTIVE"))
        .order((dm::period_from, dm::id))
        .select(Demand::as_select())
        .for_update()
        .load(conn)?;
    attach(conn, demands)
}

pub fn attach(conn: &mut PgConnection, demands: Vec<Demand>) -> QueryResult<Vec<DemandWithLines>> {
    let ids: Vec<uuid::Uuid> = demands.iter().map(|d| d.id).collect();
    let mut lines = lines_of(conn, &ids)?;
    Ok(demands
        .into_iter()
        .map(|demand| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                lines.drain(..).partition(|l| l.demand_id == demand.id);
            lines = rest;
            DemandWithLines {
                demand,
                lines: mine,
            }
        })
        .collect())
}

pub fn add_collection(
    conn: &mut PgConnection,
    line: uuid::Uuid,
    delta: rust_decimal::Decimal,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(dd::table.find(line))
        .set((
            dd::collection_amount.eq(dd::collection_amount + delta),
            dd::last_modified_at.eq(now),
        ))
        .execute(conn)
}

pub fn add_tax(
    conn: &mut PgConnection,
    line: uuid::Uuid,
    delta: rust_decimal::Decimal,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(dd::table.find(line))
        .set((
            dd::tax_amount.eq(dd::tax_amount + delta),
            dd::last_modified_at.eq(now),
        ))
        .execute(conn)
}

pub fn insert_lines(conn: &mut PgConnection, lines: &[DemandDetail]) -> QueryResult<usize> {
    diesel::insert_into(dd::table).values(lines).execute(conn)
}

pub fn set_demand_status(
    conn: &mut PgConnection,
    id: uuid::Uuid,
    status: &str,
    completed: bool,
    by: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(dm::table.find(id))
        .set((
            dm::status.eq(status),
            dm::is_payment_completed.eq(completed),
            dm::last_modified_by.eq(by),
            dm::last_modified_at.eq(now),
        ))
        .execute(conn)
}

pub fn demand(conn: &mut PgConnection, id: uuid::Uuid) -> QueryResult<Option<Demand>> {
    dm::table
        .find(id)
        .select(Demand::as_select())
        .first(conn)
        .optional()
}

pub fn add_history(
    conn: &mut PgConnection,
    demand: &Demand,
    reason: &str,
    snapshot: serde_json::Value,
    by: Option<uuid::Uuid>,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(dh::table)
        .values((
            dh::demand_id.eq(demand.id),
            dh::tenant_id.eq(&demand.tenant_id),
            dh::reason.eq(reason),
            dh::snapshot.eq(snapshot),
            dh::changed_by.eq(by),
            dh::changed_at.eq(at),
        ))
        .execute(conn)
}

/// One version of a demand: (reason, snapshot, changed by, changed at).
pub type HistoryRow = (String, serde_json::Value, Option<uuid::Uuid>, DateTime<Utc>);

/// The versions of a demand, oldest first.
pub fn history(conn: &mut PgConnection, demand_id: uuid::Uuid) -> QueryResult<Vec<HistoryRow>> {
    dh::table
        .filter(dh::demand_id.eq(demand_id))
        .order(dh::id)
        .select((dh::reason, dh::snapshot, dh::changed_by, dh::changed_at))
        .load(conn)
}

/// Demand search filters.
#[derive(Clone, Debug, Default)]
pub struct DemandFilter {
    pub tenant_id: String,
    pub ids: Vec<uuid::Uuid>,
    pub consumer_codes: Vec<String>,
    pub business_service: Option<String>,
    pub status: Option<String>,
    pub period_from: Option<DateTime<Utc>>,
    pub period_to: Option<DateTime<Utc>>,
    pub is_payment_completed: Option<bool>,
    pub payer: Option<uuid::Uuid>,
    /// Payers found by mobile number or e-mail; `Some(empty)` matches nothing.
    pub payers: Option<Vec<uuid::Uuid>>,
    /// Range of a demand's total (sum of its lines' tax amounts).
    pub amount_from: Option<rust_decimal::Decimal>,
    pub amount_to: Option<rust_decimal::Decimal>,
    /// Range of when the demand was created.
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// Only demands whose period ended before this instant (`type=ARREARS`), or that cover it
    /// (`type=CURRENT`).
    pub ended_before: Option<DateTime<Utc>>,
    pub covering: Option<DateTime<Utc>>,
    pub offset: i64,
    pub limit: i64,
}

fn filtered(f: &DemandFilter) -> dm::BoxedQuery<'_, diesel::pg::Pg> {
    let mut q = dm::table
        .filter(dm::tenant_id.eq(&f.tenant_id))
        .into_boxed();
    if !f.ids.is_empty() {
        q = q.filter(dm::id.eq_any(&f.ids));
    }
    if !f.consumer_codes.is_empty() {
        q = q.filter(dm::consumer_code.eq_any(&f.consumer_codes));
    }
    if let Some(s) = &f.business_service {
        q = q.filter(dm::business_service.eq(s));
    }
    if let Some(s) = &f.status {
        q = q.filter(dm::status.eq(s));
    }
    if let Some(t) = f.period_from {
        q = q.filter(dm::period_from.ge(t));
    }
    if let Some(t) = f.period_to {
        q = q.filter(dm::period_to.le(t));
    }
    if let Some(c) = f.is_payment_completed {
        q = q.filter(dm::is_payment_completed.eq(c));
    }
    if let Some(p) = f.payer {
        q = q.filter(dm::payer_uuid.eq(p));
    }
    if let Some(ps) = &f.payers {
        q = q.filter(dm::payer_uuid.eq_any(ps));
    }
    if f.amount_from.is_some() || f.amount_to.is_some() {
        let totals = dd::table
            .group_by(dd::demand_id)
            .having(
                diesel::dsl::sum(dd::tax_amount)
                    .ge(f.amount_from.unwrap_or(rust_decimal::Decimal::MIN))
                    .and(
                        diesel::dsl::sum(dd::tax_amount)
                            .le(f.amount_to.unwrap_or(rust_decimal::Decimal::MAX)),
                    ),
            )
            .select(dd::demand_id);
        q = q.filter(dm::id.eq_any(totals));
    }
    if let Some(t) = f.created_from {
        q = q.filter(dm::created_at.ge(t));
    }
    if let Some(t) = f.created_to {
        q = q.filter(dm::created_at.le(t));
    }
    if let Some(t) = f.ended_before {
        q = q.filter(dm::period_to.lt(t));
    }
    if let Some(t) = f.covering {
        q = q.filter(dm::period_from.le(t)).filter(dm::period_to.ge(t));
    }
    q
}

/// The distinct payers of a tenant's demands (to match an e-mail, which is stored sealed).
pub fn payers_on(conn: &mut PgConnection, tenant: &str) -> QueryResult<Vec<uuid::Uuid>> {
    dm::table
        .filter(dm::tenant_id.eq(tenant))
        .filter(dm::payer_uuid.is_not_null())
        .select(dm::payer_uuid.assume_not_null())
        .distinct()
        .load(conn)
}

/// A page of demands and the count of all that match (never a silent cut-off).
pub fn search(
    conn: &mut PgConnection,
    f: &DemandFilter,
) -> QueryResult<(Vec<DemandWithLines>, i64)> {
    let total: i64 = filtered(f).count().get_result(conn)?;
    let page: Vec<Demand> = filtered(f)
        .order((dm::consumer_code, dm::period_from, dm::id))
        .offset(f.offset)
        .limit(f.limit)
        .select(Demand::as_select())
        .load(conn)?;
    Ok((attach(conn, page)?, total))
}

pub fn active_bill(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<Option<Bill>> {
    bb::table
        .filter(bb::tenant_id.eq(tenant))
        .filter(bb::business_service.eq(service))
        .filter(bb::consumer_code.eq(consumer))
        .filter(bb::status.eq("ACTIVE"))
        .select(Bill::as_select())
        .first(conn)
        .optional()
}

pub fn bill(conn: &mut PgConnection, id: uuid::Uuid) -> QueryResult<Option<Bill>> {
    bb::table
        .find(id)
        .select(Bill::as_select())
        .first(conn)
        .optional()
}

pub fn set_bill_status(
    conn: &mut PgConnection,
    id: uuid::Uuid,
    status: &str,
    by: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(bb::table.find(id))
        .set((
            bb::status.eq(status),
            bb::last_modified_by.eq(by),
            bb::last_modified_at.eq(now),
        ))
        .execute(conn)
}

pub fn cancel_bill(
    conn: &mut PgConnection,
    id: uuid::Uuid,
    reason: &str,
    by: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(bb::table.find(id))
        .set((
            bb::status.eq("CANCELLED"),
            bb::additional_details.eq(serde_json::json!({"cancelReason": reason})),
            bb::last_modified_by.eq(by),
            bb::last_modified_at.eq(now),
        ))
        .execute(conn)
}

/// Inserts a bill with its details, the ledger version it was built from and its JSON.
pub fn insert_bill(
    conn: &mut PgConnection,
    b: &FullBill,
    version: i64,
    body: &str,
) -> QueryResult<()> {
    diesel::insert_into(bb::table)
        .values((&b.bill, bb::source_version.eq(version), bb::body.eq(body)))
        .execute(conn)?;
    let details: Vec<&BillDetail> = b.details.iter().map(|(d, _)| d).collect();
    diesel::insert_into(bd::table)
        .values(details)
        .execute(conn)?;
    let accts: Vec<&BillAccountDetail> = b.details.iter().flat_map(|(_, a)| a).collect();
    diesel::insert_into(bad::table)
        .values(accts)
        .execute(conn)?;
    Ok(())
}

/// Records moves made without a receipt (see `billing_adjustment`).
pub fn record_adjustments(
    conn: &mut PgConnection,
    tenant: &str,
    applied: &[Applied],
    reason: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    use crate::db::schema::billing_adjustment as ba;
    let rows: Vec<_> = applied
        .iter()
        .map(|a| {
            (
                ba::tenant_id.eq(tenant),
                ba::demand_detail_id.eq(a.line),
                ba::kind.eq(a.kind),
                ba::amount.eq(a.amount),
                ba::reason.eq(reason),
                ba::created_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(ba::table).values(rows).execute(conn)
}

/// The version of a consumer's ledger (0 before its first demand). Triggers move it with every
/// write to the consumer's demands and lines.
pub fn ledger_version(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<i64> {
    use crate::db::schema::billing_ledger as bl;
    Ok(bl::table
        .filter(bl::tenant_id.eq(tenant))
        .filter(bl::business_service.eq(service))
        .filter(bl::consumer_code.eq(consumer))
        .select(bl::version)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Keeps with a bill the ledger version it was built from and its JSON.
pub fn keep_bill_body(
    conn: &mut PgConnection,
    id: uuid::Uuid,
    version: i64,
    body: &str,
) -> QueryResult<usize> {
    diesel::update(bb::table.find(id))
        .set((bb::source_version.eq(version), bb::body.eq(body)))
        .execute(conn)
}

/// The stored JSON of the consumer's active bill (as text, to be sent as it is) and the account
/// it names as payer, if the ledger has not moved since it was built: one indexed read, no lock.
pub fn current_bill_body(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<Option<(String, Option<uuid::Uuid>)>> {
    use crate::db::schema::billing_ledger as bl;
    bb::table
        .inner_join(
            bl::table.on(bl::tenant_id
                .eq(bb::tenant_id)
                .and(bl::business_service.eq(bb::business_service))
                .and(bl::consumer_code.eq(bb::consumer_code))
                .and(bl::version.eq(bb::source_version))),
        )
        .filter(bb::tenant_id.eq(tenant))
        .filter(bb::business_service.eq(service))
        .filter(bb::consumer_code.eq(consumer))
        .filter(bb::status.eq("ACTIVE"))
        .select((bb::body, bb::payer_uuid))
        .first::<(Option<String>, Option<uuid::Uuid>)>(conn)
        .optional()
        .map(|r| r.and_then(|(body, payer)| Some((body?, payer))))
}

pub fn full_bills(conn: &mut PgConnection, bills: Vec<Bill>) -> QueryResult<Vec<FullBill>> {
    let ids: Vec<uuid::Uuid> = bills.iter().map(|b| b.id).collect();
    let details: Vec<BillDetail> = bd::table
        .filter(bd::bill_id.eq_any(&ids))
        .order((bd::from_period, bd::id))
        .select(BillDetail::as_select())
        .load(conn)?;
    let dids: Vec<uuid::Uuid> = details.iter().map(|d| d.id).collect();
    let accts: Vec<BillAccountDetail> = bad::table
        .filter(bad::bill_detail_id.eq_any(&dids))
        .order((bad::display_order, bad::tax_head_code))
        .select(BillAccountDetail::as_select())
        .load(conn)?;
    Ok(bills
        .into_iter()
        .map(|bill| {
            let ds = details
                .iter()
                .filter(|d| d.bill_id == bill.id)
                .map(|d| {
                    (
                        d.clone(),
                        accts
                            .iter()
                            .filter(|a| a.bill_detail_id == d.id)
                            .cloned()
                            .collect(),
                    )
                })
                .collect();
            FullBill { bill, details: ds }
        })
        .collect())
}

/// Bill search filters.
#[derive(Clone, Debug, Default)]
pub struct BillFilter {
    pub tenant_id: String,
    pub ids: Vec<uuid::Uuid>,
    pub bill_numbers: Vec<String>,
    pub consumer_codes: Vec<String>,
    pub service: Option<String>,
    pub status: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

pub fn search_bills(conn: &mut PgConnection, f: &BillFilter) -> QueryResult<(Vec<FullBill>, i64)> {
    let q = || {
        let mut q = bb::table
            .filter(bb::tenant_id.eq(&f.tenant_id))
            .into_boxed();
        if !f.ids.is_empty() {
            q = q.filter(bb::id.eq_any(&f.ids));
        }
        if !f.bill_numbers.is_empty() {
            q = q.filter(bb::bill_number.eq_any(&f.bill_numbers));
        }
        if !f.consumer_codes.is_empty() {
            q = q.filter(bb::consumer_code.eq_any(&f.consumer_codes));
        }
        if let Some(s) = &f.service {
            q = q.filter(bb::business_service.eq(s));
        }
        if let Some(s) = &f.status {
            q = q.filter(bb::status.eq(s));
        }
        q
    };
    let total: i64 = q().count().get_result(conn)?;
    let bills = q()
        .order(bb::created_at.desc())
        .offset(f.offset)
        .limit(f.limit)
        .select(Bill::as_select())
        .load(conn)?;
    Ok((full_bills(conn, bills)?, total))
}

pub fn add_bill_paid(
    conn: &mut PgConnection,
    detail: uuid::Uuid,
    delta: rust_decimal::Decimal,
) -> QueryResult<usize> {
    diesel::update(bd::table.find(detail))
        .set(bd::amount_paid.eq(bd::amount_paid + delta))
        .execute(conn)
}

/// Whether the consumer has a demand of this consumer type that is not cancelled.
pub fn has_demand_of_type(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    consumer_type: &str,
) -> QueryResult<bool> {
    let n: i64 = dm::table
        .filter(dm::tenant_id.eq(tenant))
        .filter(dm::business_service.eq(service))
        .filter(dm::consumer_code.eq(consumer))
        .filter(dm::status.ne("CANCELLED"))
        .filter(dm::consumer_type.eq(consumer_type))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether anything was ever collected on the consumer's demands that are not cancelled.
pub fn anything_collected(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<bool> {
    let n: i64 = dd::table
        .inner_join(dm::table)
        .filter(dm::tenant_id.eq(tenant))
        .filter(dm::business_service.eq(service))
        .filter(dm::consumer_code.eq(consumer))
        .filter(dm::status.ne("CANCELLED"))
        .filter(dd::collection_amount.ne(rust_decimal::Decimal::ZERO))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The consumer's live demands on which nothing was collected, leaving out one consumer type
/// when `except_type` names it.
pub fn unpaid_live_demands(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    except_type: Option<&str>,
) -> QueryResult<Vec<uuid::Uuid>> {
    let paid = dd::table
        .filter(dd::collection_amount.ne(rust_decimal::Decimal::ZERO))
        .select(dd::demand_id);
    let mut q = dm::table
        .filter(dm::tenant_id.eq(tenant))
        .filter(dm::business_service.eq(service))
        .filter(dm::consumer_code.eq(consumer))
        .filter(dm::status.eq("ACTIVE"))
        .filter(dm::id.ne_all(paid))
        .into_boxed();
    if let Some(t) = except_type {
        q = q.filter(dm::consumer_type.ne(t));
    }
    q.select(dm::id).load(conn)
}

/// What each consumer of a tenant owes and holds on its live demands (the household register).
#[derive(Clone, Debug, QueryableByName)]
pub struct ConsumerTotals {
    #[diesel(sql_type = Text)]
    pub consumer_code: String,
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub pending: rust_decimal::Decimal,
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub advance: rust_decimal::Decimal,
    /// When the latest demand of `regular_type` was made.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub last_bill: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub billed: rust_decimal::Decimal,
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub collected: rust_decimal::Decimal,
    /// Every line's amount, credits (advance) included.
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub total: rust_decimal::Decimal,
    /// The end of the latest period billed by a demand of `regular_type`.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub last_period_to: Option<DateTime<Utc>>,
}

/// Per consumer of a tenant (only those in `codes`, when given), what its live demands owe and
/// hold; consumers without a live demand are left out.
pub fn consumer_totals(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    regular_type: &str,
    codes: Option<&[String]>,
) -> QueryResult<Vec<ConsumerTotals>> {
    diesel::sql_query(
        "SELECT d.consumer_code,
                coalesce(sum(dd.tax_amount - dd.collection_amount) FILTER (WHERE dd.tax_amount > 0), 0) AS pending,
                coalesce(-sum(dd.tax_amount - dd.collection_amount) FILTER (WHERE dd.tax_amount < 0), 0) AS advance,
                max(d.created_at) FILTER (WHERE d.consumer_type = $3) AS last_bill,
                coalesce(sum(dd.tax_amount) FILTER (WHERE dd.tax_amount > 0), 0) AS billed,
                coalesce(sum(dd.collection_amount) FILTER (WHERE dd.tax_amount > 0), 0) AS collected,
                coalesce(sum(dd.tax_amount), 0) AS total,
                max(d.period_to) FILTER (WHERE d.consumer_type = $3) AS last_period_to
           FROM billing_demand d JOIN billing_demand_detail dd ON dd.demand_id = d.id
          WHERE d.tenant_id = $1 AND d.business_service = $2 AND d.status = 'ACTIVE'
            AND ($4::text[] IS NULL OR d.consumer_code = ANY($4))
          GROUP BY d.consumer_code",
    )
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(service)
    .bind::<Text, _>(regular_type)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Array<Text>>, _>(codes)
    .load(conn)
}

/// Consumers with a live demand of `consumer_type` made by `created_before` whose `head` line
/// is not fully collected.
pub fn consumers_owing_head(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer_type: &str,
    head: &str,
    created_before: DateTime<Utc>,
) -> QueryResult<Vec<String>> {
    dm::table
        .inner_join(dd::table)
        .filter(dm::tenant_id.eq(tenant))
        .filter(dm::business_service.eq(service))
        .filter(dm::status.eq("ACTIVE"))
        .filter(dm::consumer_type.eq(consumer_type))
        .filter(dm::created_at.le(created_before))
        .filter(dd::tax_head_code.eq(head))
        .filter(dd::collection_amount.lt(dd::tax_amount))
        .select(dm::consumer_code)
        .distinct()
        .load(conn)
}

/// A tenant's month for the GP summary of bills and receipts: the regular charges billed for
/// periods ending in `from..=to` (`consumer_type`, positive lines of live demands), and what is
/// still pending on every live charge of periods ending by `to`.
pub fn month_sums(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer_type: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<(rust_decimal::Decimal, rust_decimal::Decimal)> {
    use diesel::sql_types::{Numeric, Timestamptz};
    #[derive(QueryableByName)]
    struct Sums {
        #[diesel(sql_type = Numeric)]
        demand: rust_decimal::Decimal,
        #[diesel(sql_type = Numeric)]
        pending: rust_decimal::Decimal,
    }
    let s: Sums = diesel::sql_query(
        "SELECT
           (SELECT coalesce(sum(dd.tax_amount), 0) FROM billing_demand d JOIN billing_demand_detail dd ON dd.demand_id = d.id
             WHERE d.tenant_id = $1 AND d.business_service = $4 AND d.status = 'ACTIVE' AND d.consumer_type = $5
               AND d.period_to BETWEEN $2 AND $3 AND dd.tax_amount > 0) AS demand,
           (SELECT coalesce(sum(dd.tax_amount - dd.collection_amount), 0) FROM billing_demand d JOIN billing_demand_detail dd ON dd.demand_id = d.id
             WHERE d.tenant_id = $1 AND d.business_service = $4 AND d.status = 'ACTIVE'
               AND d.period_to <= $3 AND dd.tax_amount > 0) AS pending",
    )
    .bind::<Text, _>(tenant)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<Text, _>(service)
    .bind::<Text, _>(consumer_type)
    .get_result(conn)?;
    Ok((s.demand, s.pending))
}

/// A demand line with its demand's period: (line, tax head, period from, period to).
pub type LinePeriod = (uuid::Uuid, String, DateTime<Utc>, DateTime<Utc>);

/// Demand lines with their demand's period.
pub fn lines_with_periods(
    conn: &mut PgConnection,
    line_ids: &[uuid::Uuid],
) -> QueryResult<Vec<LinePeriod>> {
    dd::table
        .inner_join(dm::table)
        .filter(dd::id.eq_any(line_ids))
        .select((dd::id, dd::tax_head_code, dm::period_from, dm::period_to))
        .load(conn)
}

/// Consumers of the tenant's service with unused credit on a live demand (an advance line not
/// yet used up), in order.
pub fn consumers_with_credit(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Code {
        #[diesel(sql_type = Text)]
        consumer_code: String,
    }
    // (credit lines are few and have an index of their own: no per-consumer probe)
    let rows: Vec<Code> = diesel::sql_query(
        "SELECT DISTINCT d.consumer_code FROM billing_demand_detail dd JOIN billing_demand d ON d.id = dd.demand_id
          WHERE dd.tenant_id = $1 AND dd.tax_amount < 0 AND dd.collection_amount > dd.tax_amount
            AND d.business_service = $2 AND d.status = 'ACTIVE'
          ORDER BY 1",
    )
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(service)
    .load(conn)?;
    Ok(rows.into_iter().map(|c| c.consumer_code).collect())
}

/// Read-only figures over these tables for the roll-out dashboard and the iFIX export.
pub mod figures;

/// Read-only figures over these tables for the GP's dashboard.
pub mod dashboard;
/// Read-only sums over these tables for the water reports.
pub mod report_lines;
/// Read-only reads for the division and state views' roll-up.
pub mod rollup;
