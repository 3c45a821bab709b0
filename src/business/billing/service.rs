//! Billing use cases: demands (create with round-off and advance adjustment, cancel, search,
//! history), bills built from unpaid demands (re-used while nothing changed), and the moves
//! apportioning makes on demand lines (shared with collection).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use sha2::Digest as _;

use super::model::*;
use super::repo;
use crate::business::apportion::{self, Apportioned, Line, Move};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::platform::mdms;

/// A demand to create.
#[derive(Clone, Debug)]
pub struct NewDemand {
    pub tenant_id: String,
    pub business_service: String,
    pub consumer_code: String,
    pub consumer_type: String,
    pub payer_uuid: Option<uuid::Uuid>,
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
    pub lines: Vec<(String, Decimal)>,
    pub minimum_amount_payable: Decimal,
    pub bill_expiry_time: Option<i64>,
    pub additional_details: serde_json::Value,
}

fn snapshot(d: &Demand, lines: &[DemandDetail]) -> serde_json::Value {
    json!({"demand": d, "demandDetails": lines})
}

/// Tax heads of a business service, keyed by code: (category, display order).
fn tax_heads(conn: &mut PgConnection, service: &str) -> AppResult<Vec<mdms::model::TaxHead>> {
    Ok(mdms::repo::tax_heads(conn)?
        .into_iter()
        .filter(|h| h.service == service)
        .collect())
}

/// The business service master of a tenant (with state fallback), or a 400 naming `field`.
pub fn business_service(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    code: &str,
    field: &str,
) -> AppResult<mdms::model::BusinessService> {
    let scope = mdms::scope(conn, state_tenant, tenant, "tenantId")?;
    mdms::service::business_services(conn, &scope)?
        .into_iter()
        .find(|b| b.code == code)
        .ok_or_else(|| {
            AppError::invalid_field(
                "INVALID_BUSINESS_SERVICE",
                format!("{code} is not a business service of {tenant}"),
                field,
            )
        })
}

/// Creates a demand in the caller's transaction: checks its tax heads and amounts, adds the
/// round-off line to whole rupees (water), refuses an overlapping live demand, records the
/// history, and uses any advance of the consumer against it.
pub fn create_demand(
    conn: &mut PgConnection,
    state_tenant: &str,
    d: &NewDemand,
    field: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<DemandWithLines> {
    business_service(
        conn,
        state_tenant,
        &d.tenant_id,
        &d.business_service,
        &format!("{field}.businessService"),
    )?;
    let heads = tax_heads(conn, &d.business_service)?;
    let mut errors = Vec::new();
    if d.period_to <= d.period_from {
        errors.push(ErrorDetail::field(
            "INVALID_PERIOD",
            "taxPeriodTo must be after taxPeriodFrom",
            &format!("{field}.taxPeriodTo"),
        ));
    }
    if d.lines.is_empty() {
        errors.push(ErrorDetail::field(
            "MISSING_FIELD",
            "at least one demand detail is required",
            &format!("{field}.demandDetails"),
        ));
    }
    for (i, (code, amount)) in d.lines.iter().enumerate() {
        let f = format!("{field}.demandDetails[{i}]");
        match heads.iter().find(|h| &h.code == code) {
            None => errors.push(ErrorDetail::field(
                "INVALID_TAXHEAD",
                format!("{code} is not a tax head of {}", d.business_service),
                &format!("{f}.taxHeadMasterCode"),
            )),
            Some(h) if h.category == "ADVANCE_COLLECTION" && *amount > Decimal::ZERO => {
                errors.push(ErrorDetail::field(
                    "INVALID_AMOUNT",
                    "an advance is a negative amount",
                    &format!("{f}.taxAmount"),
                ));
            }
            Some(h)
                if h.category != "ADVANCE_COLLECTION"
                    && !h.code.ends_with("Round_Off")
                    && *amount < Decimal::ZERO =>
            {
                errors.push(ErrorDetail::field(
                    "INVALID_AMOUNT",
                    "the amount must not be negative",
                    &format!("{f}.taxAmount"),
                ));
            }
            Some(_) if amount.scale() > 2 || amount.abs() > Decimal::new(9_999_999_999, 2) => {
                errors.push(ErrorDetail::field(
                    "INVALID_AMOUNT",
                    "at most 2 decimals and below 10 crore",
                    &format!("{f}.taxAmount"),
                ));
            }
            Some(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    repo::lock_consumer(conn, &d.tenant_id, &d.business_service, &d.consumer_code)?;
    let demand = Demand {
        id: uuid::Uuid::new_v4(),
        tenant_id: d.tenant_id.clone(),
        business_service: d.business_service.clone(),
        consumer_code: d.consumer_code.clone(),
        consumer_type: d.consumer_type.clone(),
        payer_uuid: d.payer_uuid,
        period_from: d.period_from,
        period_to: d.period_to,
        status: "ACTIVE".to_owned(),
        is_payment_completed: false,
        minimum_amount_payable: d.minimum_amount_payable,
        bill_expiry_time: d.bill_expiry_time,
        additional_details: d.additional_details.clone(),
        created_by: actor,
        created_at: now,
        last_modified_by: actor,
        last_modified_at: now,
    };
    let mut lines: Vec<DemandDetail> = d
        .lines
        .iter()
        .map(|(code, amount)| new_line(&demand, code, *amount, now))
        .collect();
    // Water demands come to whole rupees: .50 and more up, less down (product.md §3.1).
    let round_head = format!("{}_Round_Off", d.business_service);
    if heads.iter().any(|h| h.code == round_head) {
        let total: Decimal = lines.iter().map(|l| l.tax_amount).sum();
        let r = apportion::round_off(total);
        if r != Decimal::ZERO {
            lines.push(new_line(&demand, &round_head, r, now));
        }
    }
    match repo::insert_demand(conn, &demand, &lines) {
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.constraint_name() == Some("billing_demand_one_live_per_period") =>
        {
            return Err(AppError::invalid_field(
                "DEMAND_PERIOD_OVERLAP",
                format!(
                    "{} already has a live {} demand for a period overlapping this one",
                    d.consumer_code, d.business_service
                ),
                &format!("{field}.taxPeriodFrom"),
            ));
        }
        other => other?,
    }
    repo::add_history(
        conn,
        &demand,
        "CREATED",
        snapshot(&demand, &lines),
        actor,
        now,
    )?;
    adjust_advance(
        conn,
        &d.tenant_id,
        &d.business_service,
        &d.consumer_code,
        now,
    )?;
    // What is owed changed: the consumer's bill is no longer valid.
    if let Some(b) = repo::active_bill(conn, &d.tenant_id, &d.business_service, &d.consumer_code)? {
        repo::set_bill_status(conn, b.id, "EXPIRED", actor, now)?;
    }
    let mut out = repo::attach(conn, vec![demand])?;
    out.pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demand vanished")))
}

fn new_line(d: &Demand, code: &str, amount: Decimal, now: DateTime<Utc>) -> DemandDetail {
    DemandDetail {
        id: uuid::Uuid::new_v4(),
        demand_id: d.id,
        tenant_id: d.tenant_id.clone(),
        tax_head_code: code.to_owned(),
        tax_amount: amount,
        collection_amount: Decimal::ZERO,
        additional_details: json!({}),
        created_at: now,
        last_modified_at: now,
    }
}

/// The lines of live demands as apportioning sees them.
pub fn apportion_lines(
    conn: &mut PgConnection,
    demands: &[DemandWithLines],
) -> AppResult<Vec<Line>> {
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

/// One applied move, for the payment that caused it.
#[derive(Clone, Debug)]
pub struct Applied {
    pub line: uuid::Uuid,
    pub kind: &'static str,
    pub amount: Decimal,
}

/// Writes apportioning's moves to the lines; an advance goes onto the advance line of the latest
/// demand (created when missing). Marks demands whose lines are all settled as paid.
pub fn apply(
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
fn refresh_completion(
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
    apply(conn, service, &demands, &a, now)?;
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

/// The consumer's bill: the active one while nothing changed, else a new one (the old one
/// expires). None when nothing is owed.
pub fn fetch_bill(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    service: &str,
    consumer: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Option<FullBill>> {
    business_service(conn, state_tenant, tenant, service, "businessService")?;
    repo::lock_consumer(conn, tenant, service, consumer)?;
    let demands: Vec<DemandWithLines> = repo::live_demands(conn, tenant, service, consumer)?
        .into_iter()
        .filter(|d| d.lines.iter().any(|l| l.tax_amount != l.collection_amount))
        .collect();
    let total = net_due(&demands);
    let active = repo::active_bill(conn, tenant, service, consumer)?;
    let print = fingerprint(&demands);
    if let Some(b) = &active {
        if b.fingerprint == print && total > Decimal::ZERO {
            return Ok(repo::full_bills(conn, vec![b.clone()])?.pop());
        }
        repo::set_bill_status(conn, b.id, "EXPIRED", actor, now)?;
    }
    if total <= Decimal::ZERO {
        return Ok(None);
    }
    let number =
        crate::platform::idgen::next_id(conn, state_tenant, tenant, "bill.billnumber", now)?
            .replace("MODULE", service);
    let orders: Vec<(String, i32)> = mdms::repo::tax_heads(conn)?
        .into_iter()
        .map(|h| (h.code, h.display_order))
        .collect();
    let bill = Bill {
        id: uuid::Uuid::new_v4(),
        tenant_id: tenant.to_owned(),
        bill_number: number,
        business_service: service.to_owned(),
        consumer_code: consumer.to_owned(),
        payer_uuid: demands.last().and_then(|d| d.demand.payer_uuid),
        status: "ACTIVE".to_owned(),
        total_amount: total,
        bill_date: now,
        fingerprint: print,
        additional_details: json!({}),
        created_by: actor,
        created_at: now,
        last_modified_by: actor,
        last_modified_at: now,
    };
    let details = demands
        .iter()
        .map(|d| {
            let detail = BillDetail {
                id: uuid::Uuid::new_v4(),
                bill_id: bill.id,
                tenant_id: tenant.to_owned(),
                demand_id: d.demand.id,
                from_period: d.demand.period_from,
                to_period: d.demand.period_to,
                expiry_date: d.demand.bill_expiry_time.and_then(|ms| {
                    d.demand
                        .created_at
                        .checked_add_signed(chrono::Duration::milliseconds(ms))
                }),
                amount: d
                    .lines
                    .iter()
                    .map(|l| l.tax_amount - l.collection_amount)
                    .sum(),
                amount_paid: Decimal::ZERO,
            };
            let accts = d
                .lines
                .iter()
                .filter(|l| l.tax_amount != l.collection_amount)
                .map(|l| BillAccountDetail {
                    id: uuid::Uuid::new_v4(),
                    bill_detail_id: detail.id,
                    tenant_id: tenant.to_owned(),
                    demand_detail_id: l.id,
                    tax_head_code: l.tax_head_code.clone(),
                    display_order: orders
                        .iter()
                        .find(|(c, _)| *c == l.tax_head_code)
                        .map_or(99, |(_, o)| *o),
                    amount: l.tax_amount - l.collection_amount,
                    adjusted_amount: Decimal::ZERO,
                })
                .collect();
            (detail, accts)
        })
        .collect();
    let full = FullBill { bill, details };
    repo::insert_bill(conn, &full)?;
    Ok(Some(full))
}

/// Cancels a demand that nothing has been paid against.
pub fn cancel_demand(
    conn: &mut PgConnection,
    id: uuid::Uuid,
    reason: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let d = repo::demand(conn, id)?
        .ok_or_else(|| AppError::not_found("DEMAND_NOT_FOUND", "No such demand"))?;
    repo::lock_consumer(conn, &d.tenant_id, &d.business_service, &d.consumer_code)?;
    let lines = repo::lines_of(conn, &[id])?;
    if lines.iter().any(|l| l.collection_amount != Decimal::ZERO) {
        return Err(AppError::bad_request(
            "DEMAND_HAS_PAYMENTS",
            "A demand with payments against it cannot be cancelled",
        ));
    }
    repo::set_demand_status(conn, id, "CANCELLED", d.is_payment_completed, actor, now)?;
    let mut after = d.clone();
    after.status = "CANCELLED".to_owned();
    repo::add_history(conn, &after, reason, snapshot(&after, &lines), actor, now)?;
    Ok(())
}
