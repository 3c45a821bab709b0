//! The five water reports' rows (product.md §2.8), composed from water's households, billing's
//! demand sums and collection's receipts. One rule holds them together: what a household owes
//! at the start of a day is every demand (advance lines left out) for periods starting before
//! it, less every live receipt paid before it, less its opening advance. A month's "remaining"
//! is therefore the next month's "outstanding" (less its advance).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use rust_decimal::Decimal;

use crate::business::{billing, collection};
use crate::error::AppResult;
use crate::municipal::water::service::report_rows as water_rows;
use crate::municipal::water::service::{self as water, Criteria, Ctx, Household};
use crate::time::{day_end_at as day_end, day_start_at as day_start};

/// A household as the reports name it.
#[derive(Clone, Debug, Default)]
pub struct Who {
    pub connection_no: String,
    pub old_connection_no: String,
    pub name: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    /// The opening advance it brought.
    pub opening_advance: Decimal,
}

fn who(h: &Household) -> Who {
    Who {
        connection_no: h.connection.connection_no.clone(),
        old_connection_no: h.connection.old_connection_no.clone(),
        name: h.owner.name.clone(),
        user_id: h.owner.uuid.to_string(),
        created_at: h.connection.created_at,
        opening_advance: h.connection.advance,
    }
}

/// The GP's households (active only when `active`), created up to `until`, by connection number.
pub fn households(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    active: bool,
    until: Option<DateTime<Utc>>,
    only: Vec<String>,
) -> AppResult<Vec<Who>> {
    let (list, _) = water::search(
        conn,
        ctx,
        &Criteria {
            tenant_id: tenant.to_owned(),
            connection_nos: only,
            status: active.then(|| "Active".to_owned()),
            created_to: until,
            offset: 0,
            limit: i64::MAX,
            ..Criteria::default()
        },
    )?;
    let mut out: Vec<Who> = list.iter().map(who).collect();
    out.sort_by(|a, b| a.connection_no.cmp(&b.connection_no));
    Ok(out)
}

/// Bill report: a household's demands for periods within the report's days.
#[derive(Clone, Debug)]
pub struct BillRow {
    pub who: Who,
    pub penalty: Decimal,
    pub advance: Decimal,
    pub demand: Decimal,
}

pub fn bill_rows(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<BillRow>> {
    let sums = billing::service::report_lines::month_demands(
        conn,
        tenant,
        None,
        day_start(from),
        day_end(to),
    )?;
    let mut per: BTreeMap<String, (Decimal, Decimal, Decimal)> = BTreeMap::new();
    for s in sums {
        let e = per.entry(s.consumer_code).or_default();
        e.0 += s.penalty;
        e.1 += s.advance;
        e.2 += s.charges;
    }
    let people = households(conn, ctx, tenant, true, None, per.keys().cloned().collect())?;
    Ok(people
        .into_iter()
        .filter_map(|w| {
            let (penalty, advance, demand) = *per.get(&w.connection_no)?;
            Some(BillRow {
                who: w,
                penalty,
                advance,
                demand,
            })
        })
        .collect())
}

/// Collection report: what a household paid in one mode within the report's days.
#[derive(Clone, Debug)]
pub struct CollectionRow {
    pub who: Who,
    pub mode: String,
    pub amount: Decimal,
}

pub fn collection_rows(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<CollectionRow>> {
    let paid = collection::service::report_figures::paid_by_mode(
        conn,
        tenant,
        day_start(from),
        day_end(to),
    )?;
    let mut codes: Vec<String> = paid.iter().map(|p| p.consumer_code.clone()).collect();
    codes.dedup();
    let people: BTreeMap<String, Who> = households(conn, ctx, tenant, false, None, codes)?
        .into_iter()
        .map(|w| (w.connection_no.clone(), w))
        .collect();
    Ok(paid
        .into_iter()
        .filter_map(|p| {
            Some(CollectionRow {
                who: people.get(&p.consumer_code)?.clone(),
                mode: p.payment_mode,
                amount: p.amount,
            })
        })
        .collect())
}

/// Inactive consumer report: a status change and who made it.
#[derive(Clone, Debug)]
pub struct InactiveRow {
    pub connection_no: String,
    pub status: String,
    pub at: DateTime<Utc>,
    pub by_uuid: Option<uuid::Uuid>,
    pub by_name: Option<String>,
}

pub fn inactive_rows(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<InactiveRow>> {
    let changes = water_rows::status_changes(conn, tenant, day_start(from), day_end(to))?;
    let mut who: Vec<uuid::Uuid> = changes.iter().filter_map(|c| c.actor).collect();
    who.sort();
    who.dedup();
    let names = crate::platform::user::service::contacts(conn, ctx.crypto, &who)?;
    Ok(changes
        .into_iter()
        .map(|c| InactiveRow {
            by_name: c.actor.and_then(|u| {
                names
                    .iter()
                    .find(|(id, _, _)| *id == u)
                    .map(|(_, n, _)| n.clone())
            }),
            connection_no: c.connection_no,
            status: c.status,
            at: c.at,
            by_uuid: c.actor,
        })
        .collect())
}

/// What each household owed at `at` (negative: it holds credit), for the households given.
fn owed_at(
    conn: &mut PgConnection,
    tenant: &str,
    code: Option<&str>,
    at: DateTime<Utc>,
    people: &[Who],
) -> AppResult<BTreeMap<String, Decimal>> {
    let demanded: BTreeMap<String, Decimal> =
        billing::service::report_lines::demanded_before(conn, tenant, code, at)?
            .into_iter()
            .collect();
    let paid: BTreeMap<String, Decimal> =
        collection::service::report_figures::paid_before(conn, tenant, code, at)?
            .into_iter()
            .collect();
    Ok(people
        .iter()
        .map(|w| {
            let d = demanded.get(&w.connection_no).copied().unwrap_or_default();
            let p = paid.get(&w.connection_no).copied().unwrap_or_default();
            (w.connection_no.clone(), d - p - w.opening_advance)
        })
        .collect())
}

/// Monthly ledger: one household's month.
#[derive(Clone, Debug)]
pub struct MonthRow {
    pub who: Who,
    /// Owed at the start of the month (0 when it held credit).
    pub arrears: Decimal,
    /// Credit held at the start of the month.
    pub advance: Decimal,
    pub penalty: Decimal,
    pub demand: Decimal,
    pub demand_at: Option<DateTime<Utc>>,
    pub total: Decimal,
    pub paid: Decimal,
    pub paid_at: Option<DateTime<Utc>>,
    pub remaining: Decimal,
}

pub fn month_rows(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<MonthRow>> {
    let (start, end) = (day_start(from), day_end(to));
    let people = households(conn, ctx, tenant, true, Some(end), Vec::new())?;
    let owed = owed_at(conn, tenant, None, start, &people)?;
    let mut demands: BTreeMap<String, (Decimal, Decimal, Option<DateTime<Utc>>)> = BTreeMap::new();
    for s in billing::service::report_lines::month_demands(conn, tenant, None, start, end)? {
        let e = demands.entry(s.consumer_code).or_default();
        e.0 += s.penalty;
        e.1 += s.charges;
        e.2 = Some(e.2.map_or(s.created_at, |t| t.min(s.created_at)));
    }
    let mut paid: BTreeMap<String, (Decimal, Option<DateTime<Utc>>)> = BTreeMap::new();
    for r in collection::service::report_figures::receipts_between(conn, tenant, None, start, end)?
    {
        let e = paid.entry(r.consumer_code).or_default();
        e.0 += r.amount;
        e.1 = Some(e.1.map_or(r.paid_at, |t| t.min(r.paid_at)));
    }
    Ok(people
        .into_iter()
        .map(|w| {
            let b = owed.get(&w.connection_no).copied().unwrap_or_default();
            let (penalty, demand, demand_at) =
                demands.get(&w.connection_no).copied().unwrap_or_default();
            let (p, paid_at) = paid.get(&w.connection_no).copied().unwrap_or_default();
            let total = b + penalty + demand;
            MonthRow {
                arrears: b.max(Decimal::ZERO),
                advance: (-b).max(Decimal::ZERO),
                penalty,
                demand,
                demand_at,
                total,
                paid: p,
                paid_at,
                remaining: total - p,
                who: w,
            }
        })
        .collect())
}

/// A receipt on the consumer ledger.
#[derive(Clone, Debug)]
pub struct LedgerPayment {
    pub at: DateTime<Utc>,
    pub receipt_no: String,
    pub amount: Decimal,
    /// What was left owed after it.
    pub balance_left: Decimal,
}

/// Consumer ledger: one month of one household.
#[derive(Clone, Debug)]
pub struct LedgerMonth {
    pub month: NaiveDate,
    pub demand_at: Option<DateTime<Utc>>,
    pub charges: Decimal,
    /// Owed at the start of the month (negative: credit).
    pub previous_balance: Decimal,
    /// Previous balance and the month's charges.
    pub total_due: Decimal,
    pub due_at: Option<DateTime<Utc>>,
    pub payments: Vec<LedgerPayment>,
    pub paid: Decimal,
    pub penalty_at: Option<DateTime<Utc>>,
    pub penalty: Decimal,
    /// Owed at the end of the month.
    pub balance: Decimal,
}

/// The household's ledger for the months from `first` to `last` (first days of months).
pub fn ledger(
    conn: &mut PgConnection,
    tenant: &str,
    w: &Who,
    first: NaiveDate,
    last: NaiveDate,
) -> AppResult<Vec<LedgerMonth>> {
    let code = w.connection_no.as_str();
    let start = day_start(first);
    let end = day_end(crate::time::next_month(last).pred_opt().unwrap_or(last));
    let mut balance = owed_at(conn, tenant, Some(code), start, std::slice::from_ref(w))?
        .remove(code)
        .unwrap_or_default();
    let demands =
        billing::service::report_lines::month_demands(conn, tenant, Some(code), start, end)?;
    let receipts = collection::service::report_figures::receipts_between(
        conn,
        tenant,
        Some(code),
        start,
        end,
    )?;
    let mut out = Vec::new();
    let mut m = first;
    while m <= last {
        let next = crate::time::next_month(m);
        let d = demands.iter().find(|d| d.month == m);
        let charges = d.map(|d| d.charges).unwrap_or_default();
        let penalty = d.map(|d| d.penalty).unwrap_or_default();
        let total_due = balance + charges;
        let mut left = total_due;
        let mut payments = Vec::new();
        for r in receipts.iter().filter(|r| {
            let day = r.paid_at.with_timezone(&crate::time::IST).date_naive();
            day >= m && day < next
        }) {
            left -= r.amount;
            payments.push(LedgerPayment {
                at: r.paid_at,
                receipt_no: r.receipt_number.clone(),
                amount: r.amount,
                balance_left: left,
            });
        }
        let paid: Decimal = payments.iter().map(|p| p.amount).sum();
        let month_balance = total_due - paid + penalty;
        out.push(LedgerMonth {
            month: m,
            demand_at: d.map(|d| d.created_at),
            charges,
            previous_balance: balance,
            total_due,
            due_at: d.and_then(|d| d.due_at),
            payments,
            paid,
            penalty_at: d.and_then(|d| d.penalty_at),
            penalty,
            balance: month_balance,
        });
        balance = month_balance;
        m = next;
    }
    Ok(out)
}
