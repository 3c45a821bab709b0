//! Paying and unpaying: the money of a payment spread over what is owed (oldest first), the
//! bill marked, and the allocation handed back for the receipt; a cancelled receipt's
//! allocation moved back exactly. Collection calls these; it never touches billing's tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use sha2::Digest as _;

use super::json::bill_json;
use super::model::*;
use super::repo;
use super::service::{business_service, new_line, tax_heads};
use crate::business::apportion::{self, Apportioned, Line, Move};
use crate::error::{AppError, AppResult};
use crate::platform::mdms;

/// Runs `f` holding the consumer's ledger lock (held to the end of the caller's transaction):
/// everything that reads and changes one consumer's demands, bills and payments is serialised.
pub fn under_lock<T>(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    f: impl FnOnce(&mut PgConnection) -> AppResult<T>,
) -> AppResult<T> {
    repo::lock_consumer(conn, tenant, service, consumer)?;
    f(conn)
}

/// Takes the consumer's ledger lock for the rest of the caller's transaction.
pub fn lock_consumer(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
) -> AppResult<()> {
    Ok(repo::lock_consumer(conn, tenant, service, consumer)?)
}

/// A bill a payment is offered against, with the rules of its business service.
#[derive(Clone, Debug)]
pub struct PayableBill {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub business_service: String,
    pub consumer_code: String,
    pub payer_uuid: Option<uuid::Uuid>,
    fingerprint: String,
    part_payment_allowed: bool,
    advance_allowed: bool,
}

/// The bill `bill_id` of `tenant`, checked for a payment of `payment_service` by `mode` (the
/// checks that need no lock): it exists on the tenant, belongs to that business service, which
/// takes that mode. Errors name the payment's fields.
pub fn payable_bill(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    bill_id: uuid::Uuid,
    payment_service: &str,
    mode: &str,
) -> AppResult<PayableBill> {
    payable(
        conn,
        state_tenant,
        tenant,
        bill_id,
        payment_service,
        Some(mode),
    )
}

/// [`payable_bill`] for a payment a gateway took (pg-service): the business service's
/// `collectionModesNotAllowed` lists the counter's modes, and the counter may still not take
/// ONLINE; a gateway configured for the GP may.
pub fn payable_bill_online(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    bill_id: uuid::Uuid,
    payment_service: &str,
) -> AppResult<PayableBill> {
    payable(conn, state_tenant, tenant, bill_id, payment_service, None)
}

fn payable(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    bill_id: uuid::Uuid,
    payment_service: &str,
    counter_mode: Option<&str>,
) -> AppResult<PayableBill> {
    let bill = repo::bill(conn, bill_id)?
        .filter(|b| b.tenant_id == tenant)
        .ok_or_else(|| {
            AppError::invalid_field(
                "INVALID_BILL",
                "No such bill on this tenant",
                "Payment.paymentDetails[0].billId",
            )
        })?;
    let bs = business_service(
        conn,
        state_tenant,
        tenant,
        &bill.business_service,
        "Payment.paymentDetails[0].businessService",
    )?;
    if bs.code != payment_service {
        return Err(AppError::invalid_field(
            "INVALID_BUSINESS_SERVICE",
            "The bill belongs to another business service",
            "Payment.paymentDetails[0].businessService",
        ));
    }
    if let Some(mode) = counter_mode
        && bs
            .collection_modes_not_allowed
            .iter()
            .any(|m| m.eq_ignore_ascii_case(mode))
    {
        return Err(AppError::invalid_field(
            "MODE_NOT_ALLOWED",
            format!("{mode} payments are not taken for {}", bs.code),
            "Payment.paymentMode",
        ));
    }
    Ok(PayableBill {
        id: bill.id,
        tenant_id: bill.tenant_id,
        business_service: bill.business_service,
        consumer_code: bill.consumer_code,
        payer_uuid: bill.payer_uuid,
        fingerprint: bill.fingerprint,
        part_payment_allowed: bs.part_payment_allowed,
        advance_allowed: bs.is_advance_allowed,
    })
}

/// What a settled payment did: what was due before it, the bill's status after it, where every
/// rupee went (for the receipt) and the bill as it now stands (JSON).
#[derive(Clone, Debug)]
pub struct Settlement {
    pub due: Decimal,
    pub status: &'static str,
    pub allocation: Vec<Applied>,
    pub bill: serde_json::Value,
}

/// Settles `amount` against `bill`, under the consumer's lock (the caller holds it): the bill
/// must still be the consumer's active one and what is owed unchanged since it was built; part
/// payment and advance follow the business service's rules. Spreads the money (oldest first),
/// records what each bill detail received and marks the bill PAID or PARTIALLY_PAID.
pub fn settle(
    conn: &mut PgConnection,
    bill: &PayableBill,
    amount: Decimal,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Settlement> {
    let (t, bs, code) = (&bill.tenant_id, &bill.business_service, &bill.consumer_code);
    let current = repo::active_bill(conn, t, bs, code)?;
    if current.as_ref().map(|b| b.id) != Some(bill.id) {
        return Err(AppError::invalid_field(
            "BILL_NOT_ACTIVE",
            "This bill is no longer the active one; fetch the bill again",
            "Payment.paymentDetails[0].billId",
        ));
    }
    let demands = repo::live_demands(conn, t, bs, code)?;
    if fingerprint(&demands) != bill.fingerprint {
        return Err(AppError::invalid_field(
            "BILL_NOT_ACTIVE",
            "What is owed has changed since this bill; fetch the bill again",
            "Payment.paymentDetails[0].billId",
        ));
    }
    let due = net_due(&demands).max(Decimal::ZERO);
    if !bill.part_payment_allowed && amount < due {
        return Err(AppError::invalid_field(
            "PART_PAYMENT_NOT_ALLOWED",
            format!("The whole ₹{due} must be paid"),
            "Payment.totalAmountPaid",
        ));
    }
    if !bill.advance_allowed && amount > due {
        return Err(AppError::invalid_field(
            "ADVANCE_NOT_ALLOWED",
            format!("At most ₹{due} may be paid"),
            "Payment.totalAmountPaid",
        ));
    }
    let lines = apportion_lines(conn, &demands)?;
    let a = apportion::apportion(&lines, amount);
    let applied = apply(conn, bs, &demands, &a, now)?;
    // The bill is paid (in full or in part); its details record what they received.
    let stored = current.ok_or_else(|| AppError::Internal(anyhow::anyhow!("bill vanished")))?;
    let mut full = repo::full_bills(conn, vec![stored])?;
    for (d, accts) in full.iter_mut().flat_map(|b| b.details.iter_mut()) {
        let got: Decimal = applied
            .iter()
            .filter(|x| x.kind == "COLLECT" && accts.iter().any(|a| a.demand_detail_id == x.line))
            .map(|x| x.amount)
            .sum();
        if got != Decimal::ZERO {
            repo::add_bill_paid(conn, d.id, got)?;
            d.amount_paid += got;
        }
    }
    let status = if amount >= due {
        "PAID"
    } else {
        "PARTIALLY_PAID"
    };
    repo::set_bill_status(conn, bill.id, status, actor, now)?;
    // the bill as it now stands, for the answer
    let bill = full
        .first_mut()
        .map(|b| {
            b.bill.status = status.to_owned();
            b.bill.last_modified_by = actor;
            b.bill.last_modified_at = now;
            bill_json(b)
        })
        .unwrap_or(serde_json::Value::Null);
    Ok(Settlement {
        due,
        status,
        allocation: applied,
        bill,
    })
}

/// Moves a cancelled receipt's allocation back exactly (under the consumer's lock, which the
/// caller holds): `(demand line, kind, amount)` as [`settle`] handed them out. Marks the bill
/// PAYMENT_CANCELLED and brings the demands' completion up to date. Refused when the receipt's
/// advance was already used by a later demand.
#[expect(
    clippy::too_many_arguments,
    reason = "a receipt's allocation and whom it was for"
)]
pub fn unsettle(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    bill_id: uuid::Uuid,
    allocation: &[(uuid::Uuid, String, Decimal)],
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for (line, kind, amount) in allocation {
        let res = match kind.as_str() {
            "COLLECT" => repo::add_collection(conn, *line, -*amount, now),
            "USE_CREDIT" => repo::add_collection(conn, *line, *amount, now),
            _ => repo::add_tax(conn, *line, *amount, now),
        };
        match res {
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::CheckViolation,
                _,
            )) => {
                return Err(AppError::bad_request(
                    "ADVANCE_ALREADY_USED",
                    "The advance of this receipt was already used by a later demand",
                ));
            }
            other => {
                other?;
            }
        }
    }
    repo::set_bill_status(conn, bill_id, "PAYMENT_CANCELLED", actor, now)?;
    let demands = repo::live_demands(conn, tenant, service, consumer)?;
    apply(conn, service, &demands, &Apportioned::default(), now)?;
    Ok(())
}

/// The lines of live demands as apportioning sees them.
fn apportion_lines(conn: &mut PgConnection, demands: &[DemandWithLines]) -> AppResult<Vec<Line>> {
    let orders: Vec<(String, i32)> = mdms::repo::tax_heads(conn)?
        .into_iter()
        .map(|h| (h.code, h.display_order))
        .collect();
    Ok(demands
        .iter()
        .flat_map(|d| {
            let orders = &orders;
            d.lines.iter().map(move |l| Line {
                id: l.id,
                period_from: d.demand.period_from.timestamp_millis(),
                order: orders
                    .iter()
                    .find(|(c, _)| *c == l.tax_head_code)
                    .map_or(99, |(_, o)| *o),
                tax: l.tax_amount,
                collected: l.collection_amount,
            })
        })
        .collect())
}

/// Writes apportioning's moves to the lines; an advance goes onto the advance line of the latest
/// demand (created when missing). Marks demands whose lines are all settled as paid.
fn apply(
    conn: &mut PgConnection,
    service: &str,
    demands: &[DemandWithLines],
    a: &Apportioned,
    now: DateTime<Utc>,
) -> AppResult<Vec<Applied>> {
    let mut out = Vec::new();
    for m in &a.moves {
        match m {
            Move::Collect { line, amount } => {
                repo::add_collection(conn, *line, *amount, now)?;
                out.push(Applied {
                    line: *line,
                    kind: "COLLECT",
                    amount: *amount,
                });
            }
            Move::UseCredit { line, amount } => {
                repo::add_collection(conn, *line, -*amount, now)?;
                out.push(Applied {
                    line: *line,
                    kind: "USE_CREDIT",
                    amount: *amount,
                });
            }
            Move::Advance { amount } => {
                let head = tax_heads(conn, service)?
                    .into_iter()
                    .find(|h| h.category == "ADVANCE_COLLECTION")
                    .ok_or_else(|| {
                        AppError::bad_request(
                            "ADVANCE_NOT_ALLOWED",
                            format!("{service} has no advance tax head"),
                        )
                    })?;
                let latest = demands.last().ok_or_else(|| {
                    AppError::bad_request("NO_DEMAND", "there is no demand to carry an advance")
                })?;
                let line = match latest.lines.iter().find(|l| l.tax_head_code == head.code) {
                    Some(l) => {
                        repo::add_tax(conn, l.id, -*amount, now)?;
                        l.id
                    }
                    None => {
                        let l = new_line(&latest.demand, &head.code, -*amount, now);
                        repo::insert_lines(conn, std::slice::from_ref(&l))?;
                        l.id
                    }
                };
                out.push(Applied {
                    line,
                    kind: "ADVANCE",
                    amount: *amount,
                });
            }
        }
    }
    refresh_completion(conn, demands, now)?;
    Ok(out)
}

/// `isPaymentCompleted` follows the lines.
pub(super) fn refresh_completion(
    conn: &mut PgConnection,
    demands: &[DemandWithLines],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let ids: Vec<uuid::Uuid> = demands.iter().map(|d| d.demand.id).collect();
    let lines = repo::lines_of(conn, &ids)?;
    for d in demands {
        let done = lines
            .iter()
            .filter(|l| l.demand_id == d.demand.id)
            .all(|l| l.tax_amount <= Decimal::ZERO || l.collection_amount == l.tax_amount);
        if done != d.demand.is_payment_completed {
            repo::set_demand_status(
                conn,
                d.demand.id,
                &d.demand.status,
                done,
                d.demand.last_modified_by,
                now,
            )?;
        }
    }
    Ok(())
}

/// Uses the consumer's advance against what is owed (after a new demand).
pub fn adjust_advance(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    now: DateTime<Utc>,
) -> AppResult<Decimal> {
    let demands = repo::live_demands(conn, tenant, service, consumer)?;
    let lines = apportion_lines(conn, &demands)?;
    let a = apportion::apportion(&lines, Decimal::ZERO);
    if a.credit_used == Decimal::ZERO {
        return Ok(Decimal::ZERO);
    }
    let applied = apply(conn, service, &demands, &a, now)?;
    repo::record_adjustments(conn, tenant, &applied, "ADVANCE_ADJUSTED", now)?;
    super::books::post(
        conn,
        tenant,
        service,
        consumer,
        "ADVANCE_ADJUSTED",
        consumer,
        now,
    )?;
    Ok(a.credit_used)
}

/// What the consumer owes now: positive balances less unused credit.
pub fn net_due(demands: &[DemandWithLines]) -> Decimal {
    demands
        .iter()
        .flat_map(|d| d.lines.iter())
        .map(|l| l.tax_amount - l.collection_amount)
        .sum()
}

/// A digest of what is owed: a bill stays valid exactly while this does not change.
pub fn fingerprint(demands: &[DemandWithLines]) -> String {
    let mut h = sha2::Sha256::new();
    for d in demands
        .iter()
        .filter(|d| d.lines.iter().any(|l| l.tax_amount != l.collection_amount))
    {
        for l in &d.lines {
            h.update(
                format!(
                    "{}|{}|{}|{};",
                    l.id, l.tax_head_code, l.tax_amount, l.collection_amount
                )
                .as_bytes(),
            );
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
