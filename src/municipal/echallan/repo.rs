//! Queries on `echallan` and `echallan_history`. No rules here.

use diesel::prelude::*;

use super::model::{Challan, Filter, Found, History, NewHistory, SortBy};
use crate::db::schema::{echallan_bill as e, echallan_history as h};

pub fn insert(conn: &mut PgConnection, c: &Challan) -> QueryResult<usize> {
    diesel::insert_into(e::table).values(c).execute(conn)
}

/// Writes every field of the bill but its identity, number and creation.
pub fn save(conn: &mut PgConnection, c: &Challan) -> QueryResult<usize> {
    diesel::update(e::table.find(c.id))
        .set((
            e::type_of_expense.eq(&c.type_of_expense),
            e::business_service.eq(&c.business_service),
            e::tax_head_code.eq(&c.tax_head_code),
            e::vendor_id.eq(c.vendor_id),
            e::vendor_name.eq(&c.vendor_name),
            e::amount.eq(c.amount),
            e::bill_date.eq(c.bill_date),
            e::bill_issued_date.eq(c.bill_issued_date),
            e::tax_period_from.eq(c.tax_period_from),
            e::tax_period_to.eq(c.tax_period_to),
            e::status.eq(&c.status),
            e::paid_date.eq(c.paid_date),
            e::demand_id.eq(c.demand_id),
            e::payment_id.eq(c.payment_id),
            e::receipt_number.eq(&c.receipt_number),
            e::filestore_id.eq(&c.filestore_id),
            e::description.eq(&c.description),
            e::additional_details.eq(&c.additional_details),
            e::last_modified_by.eq(c.last_modified_by),
            e::last_modified_at.eq(c.last_modified_at),
        ))
        .execute(conn)
}

pub fn by_no(conn: &mut PgConnection, tenant: &str, no: &str) -> QueryResult<Option<Challan>> {
    e::table
        .filter(e::tenant_id.eq(tenant))
        .filter(e::challan_no.eq(no.trim()))
        .select(Challan::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(
    conn: &mut PgConnection,
    tenant: &str,
    id: uuid::Uuid,
) -> QueryResult<Option<Challan>> {
    e::table
        .filter(e::tenant_id.eq(tenant))
        .filter(e::id.eq(id))
        .select(Challan::as_select())
        .first(conn)
        .optional()
}

/// The bill, its row locked to the end of the transaction (racing writers wait, then see
/// what the first one did).
pub fn lock(conn: &mut PgConnection, tenant: &str, id: uuid::Uuid) -> QueryResult<Option<Challan>> {
    e::table
        .filter(e::tenant_id.eq(tenant))
        .filter(e::id.eq(id))
        .select(Challan::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn add_history(conn: &mut PgConnection, row: &NewHistory<'_>) -> QueryResult<usize> {
    diesel::insert_into(h::table).values(row).execute(conn)
}

pub fn history(conn: &mut PgConnection, tenant: &str, id: uuid::Uuid) -> QueryResult<Vec<History>> {
    h::table
        .filter(h::tenant_id.eq(tenant))
        .filter(h::challan_id.eq(id))
        .order(h::id.asc())
        .select(History::as_select())
        .load(conn)
}

/// `%text%` for ILIKE, its wildcards escaped.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The filter's conditions; `with_status`: also its status and `is_bill_paid` (the paid and
/// unpaid counts leave them out).
fn filtered<'a>(f: &'a Filter, with_status: bool) -> e::BoxedQuery<'a, diesel::pg::Pg> {
    let mut q = e::table.filter(e::tenant_id.eq(&f.tenant_id)).into_boxed();
    if !f.ids.is_empty() {
        q = q.filter(e::id.eq_any(&f.ids));
    }
    if let Some(no) = f
        .challan_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        q = q.filter(e::challan_no.ilike(contains_pattern(no)));
    }
    if !f.business_services.is_empty() {
        q = q.filter(e::business_service.eq_any(&f.business_services));
    }
    if !f.expense_types.is_empty() {
        q = q.filter(e::type_of_expense.eq_any(&f.expense_types));
    }
    if !f.vendor_ids.is_empty() {
        q = q.filter(e::vendor_id.eq_any(&f.vendor_ids));
    }
    if let Some(name) = f
        .vendor_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        q = q.filter(e::vendor_name.ilike(contains_pattern(name)));
    }
    if let Some(d) = f.from_date {
        q = q.filter(e::bill_date.ge(d));
    }
    if let Some(d) = f.to_date {
        q = q.filter(e::bill_date.le(d));
    }
    if let Some(text) = f
        .free_search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let p = contains_pattern(text);
        q = q.filter(e::challan_no.ilike(p.clone()).or(e::vendor_name.ilike(p)));
    }
    if with_status {
        if !f.status.is_empty() {
            q = q.filter(e::status.eq_any(&f.status));
        }
        match f.is_bill_paid {
            Some(true) => q = q.filter(e::status.eq("PAID")),
            Some(false) => q = q.filter(e::status.eq("ACTIVE")),
            None => {}
        }
    }
    q
}

pub fn search(conn: &mut PgConnection, f: &Filter) -> QueryResult<Found> {
    let total_count: i64 = filtered(f, true).count().get_result(conn)?;
    let count_of = |conn: &mut PgConnection, s: &str| -> QueryResult<i64> {
        filtered(f, false)
            .filter(e::status.eq(s.to_owned()))
            .count()
            .get_result(conn)
    };
    let paid_count = count_of(conn, "PAID")?;
    let not_paid_count = count_of(conn, "ACTIVE")?;
    let mut q = filtered(f, true);
    q = match (f.sort_by, f.ascending) {
        (SortBy::TotalAmount, true) => q.order(e::amount.asc()),
        (SortBy::TotalAmount, false) => q.order(e::amount.desc()),
        (SortBy::BillDate, true) => q.order(e::bill_date.asc()),
        (SortBy::BillDate, false) => q.order(e::bill_date.desc()),
        (SortBy::PaidDate, true) => q.order(e::paid_date.asc().nulls_last()),
        (SortBy::PaidDate, false) => q.order(e::paid_date.desc().nulls_last()),
        (SortBy::TypeOfExpense, true) => q.order(e::type_of_expense.asc()),
        (SortBy::TypeOfExpense, false) => q.order(e::type_of_expense.desc()),
        (SortBy::ChallanNo, true) => q.order(e::challan_no.asc()),
        (SortBy::ChallanNo, false) => q.order(e::challan_no.desc()),
    };
    q = q
        .then_order_by(e::created_at.desc())
        .then_order_by(e::id.asc());
    q = q.offset(f.offset.max(0));
    if let Some(limit) = f.limit.filter(|l| *l >= 0) {
        q = q.limit(limit);
    }
    Ok(Found {
        challans: q.select(Challan::as_select()).load(conn)?,
        total_count,
        paid_count,
        not_paid_count,
    })
}

/// Read-only figures over these tables for the roll-out dashboard and the iFIX export.
#[path = "figures.rs"]
pub mod figures;
/// Read-only reads for the division and state views' roll-up.
#[path = "rollup.rs"]
pub mod rollup;
