//! What other modules read of billing, named for what they ask: a consumer's live demands, who
//! owes a tax head, a GP's month in sums, a consumer's totals, a bill and its JSON. Thin doors
//! onto the repo (which stays private to billing).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::model::*;
use super::repo::{self, BillFilter, ConsumerTotals, DemandFilter, HistoryRow, LinePeriod};
use crate::error::{AppError, AppResult};

/// The consumer's live demands with their lines, oldest first (a plain read: no lock).
pub fn live_demands_read(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<Vec<DemandWithLines>> {
    repo::live_demands_read(conn, tenant, service, consumer)
}

/// The consumer's live demands with their lines, oldest first, read for a change (the caller
/// holds the consumer's lock).
pub fn live_demands(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<Vec<DemandWithLines>> {
    repo::live_demands(conn, tenant, service, consumer)
}

/// Consumers of `consumer_type` with a live demand created before `created_before` whose
/// `head` line is unpaid.
pub fn consumers_owing_head(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer_type: &str,
    head: &str,
    created_before: DateTime<Utc>,
) -> QueryResult<Vec<String>> {
    repo::consumers_owing_head(conn, tenant, service, consumer_type, head, created_before)
}

/// A GP's demands of a month in two sums (see the repo).
pub fn month_sums(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer_type: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<(Decimal, Decimal)> {
    repo::month_sums(conn, tenant, service, consumer_type, from, to)
}

/// Demand lines with their tax head and their demand's period.
pub fn lines_with_periods(
    conn: &mut PgConnection,
    line_ids: &[uuid::Uuid],
) -> QueryResult<Vec<LinePeriod>> {
    repo::lines_with_periods(conn, line_ids)
}

/// Per consumer: what was demanded, collected and is pending (the register's figures).
pub fn consumer_totals(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    regular_type: &str,
    codes: Option<&[String]>,
) -> QueryResult<Vec<ConsumerTotals>> {
    repo::consumer_totals(conn, tenant, service, regular_type, codes)
}

/// Whether the consumer has a demand of `consumer_type`.
pub fn has_demand_of_type(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    consumer_type: &str,
) -> QueryResult<bool> {
    repo::has_demand_of_type(conn, tenant, service, consumer, consumer_type)
}

/// Whether anything was ever collected from the consumer.
pub fn anything_collected(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<bool> {
    repo::anything_collected(conn, tenant, service, consumer)
}

/// The consumer's live demands nothing was paid against (except those of `except_type`).
pub fn unpaid_live_demands(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    except_type: Option<&str>,
) -> QueryResult<Vec<uuid::Uuid>> {
    repo::unpaid_live_demands(conn, tenant, service, consumer, except_type)
}

/// The version of a consumer's ledger (0 before its first demand); triggers move it with every
/// write to the consumer's demands and lines.
pub fn ledger_version(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<i64> {
    repo::ledger_version(conn, tenant, service, consumer)
}

/// A bill by id, as stored (any tenant: the caller checks).
pub fn bill(conn: &mut PgConnection, id: uuid::Uuid) -> QueryResult<Option<Bill>> {
    repo::bill(conn, id)
}

/// A bill by id with its details and payer, as JSON; None when there is no such bill.
pub fn bill_json_of(
    conn: &mut PgConnection,
    crypto: &crate::platform::encryption::Crypto,
    id: uuid::Uuid,
) -> AppResult<Option<serde_json::Value>> {
    let Some(b) = repo::bill(conn, id)? else {
        return Ok(None);
    };
    let Some(full) = repo::full_bills(conn, vec![b])?.pop() else {
        return Ok(None);
    };
    let mut v = [super::bill_json(&full)];
    super::payers::add_payers(conn, crypto, &mut v)?;
    let [v] = v;
    Ok(Some(v))
}

/// What the consumer owes now on its ACTIVE demands (never below zero).
pub fn owed_now(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> QueryResult<Decimal> {
    let live = repo::search(
        conn,
        &DemandFilter {
            tenant_id: tenant.to_owned(),
            consumer_codes: vec![consumer.to_owned()],
            business_service: Some(service.to_owned()),
            status: Some("ACTIVE".to_owned()),
            limit: 500,
            ..Default::default()
        },
    )?
    .0;
    Ok(super::settle::net_due(&live).max(Decimal::ZERO))
}

/// Demands matching `f` with their lines, and how many match in all.
pub fn search_demands(
    conn: &mut PgConnection,
    f: &DemandFilter,
) -> QueryResult<(Vec<DemandWithLines>, i64)> {
    repo::search(conn, f)
}

/// Everybody who is the payer of a demand on `tenant`.
pub fn payers_on(conn: &mut PgConnection, tenant: &str) -> QueryResult<Vec<uuid::Uuid>> {
    repo::payers_on(conn, tenant)
}

/// Bills matching `f` with their details, newest first, and how many match in all.
pub fn search_bills(conn: &mut PgConnection, f: &BillFilter) -> QueryResult<(Vec<FullBill>, i64)> {
    repo::search_bills(conn, f)
}

/// The history of a demand of `tenant` (reason, snapshot, by whom, when), or a 400 when there is
/// no such demand on the tenant.
pub fn demand_history(
    conn: &mut PgConnection,
    tenant: &str,
    id: uuid::Uuid,
) -> AppResult<Vec<HistoryRow>> {
    match repo::demand(conn, id)? {
        Some(d) if d.tenant_id == tenant => Ok(repo::history(conn, id)?),
        _ => Err(AppError::invalid_field(
            "DEMAND_NOT_FOUND",
            "No such demand on this tenant",
            "demandId",
        )),
    }
}

/// What the live demands of a tenant's service for periods starting between `from` and `to` still
/// ask (charges less what was collected on them; credit lines count against it), as the
/// original's fortnightly pending-collection reminder sums it for the financial year.
pub fn pending_for_periods(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Decimal> {
    use crate::db::schema::{billing_demand as dm, billing_demand_detail as dd};
    let sum: Option<Decimal> = dd::table
        .inner_join(dm::table)
        .filter(dm::tenant_id.eq(tenant))
        .filter(dm::business_service.eq(service))
        .filter(dm::status.eq("ACTIVE"))
        .filter(dm::period_from.between(from, to))
        .select(diesel::dsl::sum(dd::tax_amount - dd::collection_amount))
        .first(conn)?;
    Ok(sum.unwrap_or(Decimal::ZERO))
}
