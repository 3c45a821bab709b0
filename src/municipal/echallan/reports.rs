//! What the GP's expense bills add up to (product.md §2.7-2.8): the expense dashboard's figures
//! (`_expenseDashboard`), its month-by-month table (`_chalanCollectionData`), the previous
//! month's summary (`_lastMonthSummary`, the bill PDF's expenditure rows, the monthly reminder)
//! and the rows of the expense bill and vendor reports. Read-only; days are Asia/Kolkata.
//!
//! Definitions (the original's, on our tables): a bill counts in a period by its bill date and
//! unless cancelled; *total expenditure* is what those bills ask, *amount unpaid* what the
//! unpaid ones still ask, *amount paid* what bills paid within the period (by their paid date)
//! came to, whatever their bill date. Cancelling a paid bill cancels its receipt, so it leaves
//! every figure.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::db::schema::echallan_bill as ch;
use crate::time::{Fy, IST};

pub const ELECTRICITY: &str = "ELECTRICITY_BILL";
pub const SALARY: &str = "SALARY";

/// The expense dashboard's figures for a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub total: Decimal,
    pub unpaid: Decimal,
    pub paid: Decimal,
    pub bills: i64,
    pub bills_paid: i64,
    pub pending_bills: i64,
    pub electricity: Decimal,
    pub om_misc: Decimal,
    pub salary: Decimal,
}

/// The figures of the bills dated `from` to `to` (both included) and of the payments made then.
pub fn figures(
    conn: &mut PgConnection,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Figures> {
    let rows: Vec<(String, Decimal, String)> = ch::table
        .filter(ch::tenant_id.eq(tenant))
        .filter(ch::bill_date.between(from, to))
        .filter(ch::status.ne("CANCELLED"))
        .select((ch::type_of_expense, ch::amount, ch::status))
        .load(conn)?;
    let mut f = Figures {
        paid: paid_between(conn, tenant, from, to)?,
        ..Figures::default()
    };
    for (kind, amount, status) in rows {
        f.total += amount;
        f.bills += 1;
        if status == "PAID" {
            f.bills_paid += 1;
        } else {
            f.pending_bills += 1;
            f.unpaid += amount;
        }
        match kind.as_str() {
            ELECTRICITY => f.electricity += amount,
            SALARY => f.salary += amount,
            _ => f.om_misc += amount,
        }
    }
    Ok(f)
}

/// What the bills paid (and not cancelled since) between `from` and `to` came to.
pub fn paid_between(
    conn: &mut PgConnection,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Decimal> {
    let sum: Option<Decimal> = ch::table
        .filter(ch::tenant_id.eq(tenant))
        .filter(ch::status.eq("PAID"))
        .filter(ch::paid_date.between(from, to))
        .select(diesel::dsl::sum(ch::amount))
        .first(conn)?;
    Ok(sum.unwrap_or(Decimal::ZERO))
}

/// The bills of the GP still waiting to be marked paid (any date).
pub fn unpaid_count(conn: &mut PgConnection, tenant: &str) -> QueryResult<i64> {
    ch::table
        .filter(ch::tenant_id.eq(tenant))
        .filter(ch::status.eq("ACTIVE"))
        .count()
        .get_result(conn)
}

/// The GPs that have written at least one expense bill.
pub fn tenants_with_bills(conn: &mut PgConnection) -> QueryResult<Vec<String>> {
    ch::table
        .select(ch::tenant_id)
        .distinct()
        .order(ch::tenant_id)
        .load(conn)
}

/// One month of the dashboard's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthFigures {
    /// The first day of the month.
    pub month: NaiveDate,
    pub figures: Figures,
}

/// The months from the month of `from` to the month of `to` (never past the month of `today`,
/// at most twelve), each with its figures, oldest first.
pub fn months(
    conn: &mut PgConnection,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> QueryResult<Vec<MonthFigures>> {
    let last = crate::time::month_start(to.min(today));
    let mut m = crate::time::month_start(from);
    let mut out = Vec::new();
    while m <= last && out.len() < 12 {
        let end = crate::time::next_month(m).pred_opt().unwrap_or(m);
        out.push(MonthFigures {
            month: m,
            figures: figures(conn, tenant, m, end)?,
        });
        m = crate::time::next_month(m);
    }
    Ok(out)
}

/// The previous month's expenditure as the monthly summary tells it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LastMonth {
    /// The first day of the previous month.
    pub month: NaiveDate,
    /// Bills paid in that month.
    pub paid: Decimal,
    /// Bills dated in that month (not cancelled).
    pub new_expense: Decimal,
    /// Bills of the financial year up to that month's end still unpaid.
    pub pending: Decimal,
}

/// The summary of the month before the month of `at`.
pub fn last_month(
    conn: &mut PgConnection,
    tenant: &str,
    at: DateTime<Utc>,
) -> QueryResult<LastMonth> {
    let prev = crate::time::prev_month(at.with_timezone(&IST).date_naive());
    let end = crate::time::next_month(prev).pred_opt().unwrap_or(prev);
    let f = figures(conn, tenant, prev, end)?;
    let fy_start = Fy::of_date(end).first_day();
    let pending: Option<Decimal> = ch::table
        .filter(ch::tenant_id.eq(tenant))
        .filter(ch::status.eq("ACTIVE"))
        .filter(ch::bill_date.between(fy_start, end))
        .select(diesel::dsl::sum(ch::amount))
        .first(conn)?;
    Ok(LastMonth {
        month: prev,
        paid: f.paid,
        new_expense: f.total,
        pending: pending.unwrap_or(Decimal::ZERO),
    })
}

/// One row of the expense bill report.
#[derive(Clone, Debug)]
pub struct BillRow {
    pub challan_no: String,
    pub type_of_expense: String,
    pub vendor_name: String,
    pub amount: Decimal,
    pub bill_date: NaiveDate,
    pub tax_period_from: NaiveDate,
    pub tax_period_to: NaiveDate,
    pub status: String,
    pub paid_date: Option<NaiveDate>,
    pub filestore_id: Option<String>,
    pub last_modified_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
}

type BillTuple = (
    String,
    String,
    String,
    Decimal,
    NaiveDate,
    NaiveDate,
    NaiveDate,
    String,
    Option<NaiveDate>,
    Option<String>,
    DateTime<Utc>,
    Option<uuid::Uuid>,
);

/// The bills written (created) between `from` and `to`, newest first, `offset` skipped and at
/// most `limit` (None: all), with how many there are in all.
pub fn bill_rows(
    conn: &mut PgConnection,
    tenant: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    offset: i64,
    limit: Option<i64>,
) -> QueryResult<Vec<BillRow>> {
    let mut q = ch::table
        .filter(ch::tenant_id.eq(tenant))
        .filter(ch::created_at.between(from, to))
        .order((ch::created_at.desc(), ch::challan_no.desc()))
        .select((
            ch::challan_no,
            ch::type_of_expense,
            ch::vendor_name,
            ch::amount,
            ch::bill_date,
            ch::tax_period_from,
            ch::tax_period_to,
            ch::status,
            ch::paid_date,
            ch::filestore_id,
            ch::last_modified_at,
            ch::last_modified_by,
        ))
        .offset(offset)
        .into_boxed();
    if let Some(l) = limit {
        q = q.limit(l);
    }
    let rows: Vec<BillTuple> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| BillRow {
            challan_no: r.0,
            type_of_expense: r.1,
            vendor_name: r.2,
            amount: r.3,
            bill_date: r.4,
            tax_period_from: r.5,
            tax_period_to: r.6,
            status: r.7,
            paid_date: r.8,
            filestore_id: r.9,
            last_modified_at: r.10,
            last_modified_by: r.11,
        })
        .collect())
}

/// A bill as the vendor report lists it: (bill no., type of expense, vendor id).
pub type VendorBill = (String, String, uuid::Uuid);

/// The bills not cancelled written since `from` (and up to `to`), by bill number from the
/// highest, `offset` skipped and at most `limit` (None: all).
pub fn bills_since(
    conn: &mut PgConnection,
    tenant: &str,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
    offset: i64,
    limit: Option<i64>,
) -> QueryResult<Vec<VendorBill>> {
    let mut q = ch::table
        .filter(ch::tenant_id.eq(tenant))
        .filter(ch::status.ne("CANCELLED"))
        .filter(ch::created_at.ge(from))
        .order(ch::challan_no.desc())
        .select((ch::challan_no, ch::type_of_expense, ch::vendor_id))
        .offset(offset)
        .into_boxed();
    if let Some(t) = to {
        q = q.filter(ch::created_at.le(t));
    }
    if let Some(l) = limit {
        q = q.limit(l);
    }
    q.load(conn)
}

/// An amount as the dashboards answer it: whole rupees without decimals ("1200"), paise kept
/// when there are any.
pub fn wire_amount(d: Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(wire_amount(Decimal::new(120_000, 2)), "1200");
        assert_eq!(wire_amount(Decimal::ZERO), "0");
    }
}
