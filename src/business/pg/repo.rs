//! Queries on `pg_*`. No rules here; private to pg.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::model::Txn;
use crate::db::schema::{pg_sandbox_payment as sp, pg_transaction as t, pg_transaction_dump as d};

pub fn next_seq(conn: &mut PgConnection) -> QueryResult<i64> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "nextval('pg_txn_seq')",
    ))
    .get_result(conn)
}

pub fn insert(conn: &mut PgConnection, txn: &Txn) -> QueryResult<()> {
    diesel::insert_into(t::table)
        .values((
            t::txn_id.eq(&txn.txn_id),
            t::tenant_id.eq(&txn.tenant_id),
            t::bill_id.eq(txn.bill_id),
            t::business_service.eq(&txn.business_service),
            t::consumer_code.eq(&txn.consumer_code),
            t::amount.eq(txn.amount),
            t::gateway.eq(&txn.gateway),
            t::status.eq(&txn.status),
            t::status_msg.eq(&txn.status_msg),
            t::callback_url.eq(&txn.callback_url),
            t::redirect.eq(&txn.redirect),
            t::user_uuid.eq(txn.user_uuid),
            t::created_at.eq(txn.created_at),
            t::updated_at.eq(txn.updated_at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn get(conn: &mut PgConnection, id: &str) -> QueryResult<Option<Txn>> {
    t::table
        .find(id)
        .select(Txn::as_select())
        .first(conn)
        .optional()
}

/// The row, locked for the rest of the caller's transaction.
pub fn get_for_update(conn: &mut PgConnection, id: &str) -> QueryResult<Option<Txn>> {
    t::table
        .find(id)
        .select(Txn::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// Stores what the start made (the gateway's reference and where the customer goes).
pub fn set_started(
    conn: &mut PgConnection,
    id: &str,
    gateway_ref: Option<&str>,
    redirect: &serde_json::Value,
) -> QueryResult<()> {
    diesel::update(t::table.find(id))
        .set((t::gateway_ref.eq(gateway_ref), t::redirect.eq(redirect)))
        .execute(conn)
        .map(|_| ())
}

/// Everything a settlement changes, written at once.
pub fn save(conn: &mut PgConnection, txn: &Txn) -> QueryResult<()> {
    diesel::update(t::table.find(&txn.txn_id))
        .set((
            t::status.eq(&txn.status),
            t::status_msg.eq(&txn.status_msg),
            t::gateway_txn_id.eq(&txn.gateway_txn_id),
            t::gateway_payment_mode.eq(&txn.gateway_payment_mode),
            t::gateway_status_code.eq(&txn.gateway_status_code),
            t::gateway_status_msg.eq(&txn.gateway_status_msg),
            t::receipt.eq(&txn.receipt),
            t::payment_id.eq(txn.payment_id),
            t::updated_at.eq(txn.updated_at),
            t::checked_at.eq(txn.checked_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Search filters (`transaction/v1/_search`); empty ones do not filter.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub tenant_ids: Vec<String>,
    pub txn_ids: Vec<String>,
    pub bill_ids: Vec<uuid::Uuid>,
    pub user_uuids: Vec<uuid::Uuid>,
    pub receipts: Vec<String>,
    pub consumer_codes: Vec<String>,
    pub statuses: Vec<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub offset: i64,
    pub limit: i64,
}

pub fn search(conn: &mut PgConnection, f: &Filter) -> QueryResult<Vec<Txn>> {
    let mut q = t::table.select(Txn::as_select()).into_boxed();
    if !f.tenant_ids.is_empty() {
        q = q.filter(t::tenant_id.eq_any(&f.tenant_ids));
    }
    if !f.txn_ids.is_empty() {
        q = q.filter(t::txn_id.eq_any(&f.txn_ids));
    }
    if !f.bill_ids.is_empty() {
        q = q.filter(t::bill_id.eq_any(&f.bill_ids));
    }
    if !f.user_uuids.is_empty() {
        q = q.filter(t::user_uuid.eq_any(&f.user_uuids));
    }
    if !f.receipts.is_empty() {
        q = q.filter(t::receipt.eq_any(&f.receipts));
    }
    if !f.consumer_codes.is_empty() {
        q = q.filter(t::consumer_code.eq_any(&f.consumer_codes));
    }
    if !f.statuses.is_empty() {
        q = q.filter(t::status.eq_any(&f.statuses));
    }
    if let Some(from) = f.from {
        q = q.filter(t::created_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(t::created_at.lt(to));
    }
    q.order((t::created_at.desc(), t::txn_id.desc()))
        .offset(f.offset)
        .limit(f.limit)
        .load(conn)
}

/// PENDING transactions created before `before`, oldest first.
pub fn pending_before(
    conn: &mut PgConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Txn>> {
    t::table
        .select(Txn::as_select())
        .filter(t::status.eq("PENDING").and(t::created_at.lt(before)))
        .order(t::created_at.asc())
        .limit(limit)
        .load(conn)
}

/// Keeps a gateway's raw answer for audit.
pub fn dump(
    conn: &mut PgConnection,
    txn_id: Option<&str>,
    gateway: &str,
    source: &str,
    params: &serde_json::Value,
    outcome: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(d::table)
        .values((
            d::txn_id.eq(txn_id),
            d::gateway.eq(gateway),
            d::source.eq(source),
            d::params.eq(params),
            d::outcome.eq(outcome),
            d::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The raw answers kept for one transaction, oldest first: (source, params, outcome).
pub fn dumps(
    conn: &mut PgConnection,
    txn_id: &str,
) -> QueryResult<Vec<(String, serde_json::Value, String)>> {
    d::table
        .filter(d::txn_id.eq(txn_id))
        .order(d::id.asc())
        .select((d::source, d::params, d::outcome))
        .load(conn)
}

/// The sandbox's record of what the customer chose: (decision, amount, sandbox txn id).
pub fn sandbox_get(
    conn: &mut PgConnection,
    txn_id: &str,
) -> QueryResult<Option<(String, Decimal, String)>> {
    sp::table
        .find(txn_id)
        .select((sp::decision, sp::amount, sp::sandbox_txn_id))
        .first(conn)
        .optional()
}

/// Records the customer's choice on the sandbox; the first one stands (a second click does
/// not change it). Answers the standing record.
pub fn sandbox_decide(
    conn: &mut PgConnection,
    txn_id: &str,
    amount: Decimal,
    decision: &str,
    now: DateTime<Utc>,
) -> QueryResult<(String, Decimal, String)> {
    diesel::insert_into(sp::table)
        .values((
            sp::txn_id.eq(txn_id),
            sp::amount.eq(amount),
            sp::decision.eq(decision),
            sp::sandbox_txn_id.eq(format!("SBX{}", uuid::Uuid::new_v4().simple())),
            sp::decided_at.eq(now),
        ))
        .on_conflict(sp::txn_id)
        .do_nothing()
        .execute(conn)?;
    sp::table
        .find(txn_id)
        .select((sp::decision, sp::amount, sp::sandbox_txn_id))
        .first(conn)
}
