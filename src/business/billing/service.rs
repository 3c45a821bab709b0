//! Billing use cases: demands (create with round-off and advance adjustment, cancel, search,
//! history), bills built from unpaid demands (re-used while nothing changed), and the moves
//! apportioning makes on demand lines (shared with collection).
//!
//! No writer here expires bills by hand: any write to a consumer's demands or their lines
//! expires its ACTIVE bill in the same statement (triggers of migration 000014), so no active
//! bill can disagree with what is owed, whoever wrote.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

pub use super::bills::{cancel_active_bills, fetch_bill, fetch_bills};
pub use super::books::{open_books, owed, owed_all};
pub use super::check::{LedgerProblem, ledger_check};
pub use super::model::{Applied, Bill, Demand, DemandDetail, DemandWithLines, FullBill};
pub use super::payers::{
    Billed, Holders, Payer, add_payers, install as install_payers, payers, set_payer,
};
pub use super::reads::*;
use super::repo;
pub use super::repo::{
    BillFilter, BulkDemands, ConsumerTotals, DemandFilter, HistoryRow, LinePeriod,
};
use super::settle::refresh_completion;
pub use super::settle::{
    PayableBill, Settlement, adjust_advance, fingerprint, lock_consumer, net_due, payable_bill,
    payable_bill_online, settle, under_lock, unsettle,
};
use crate::business::apportion;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
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
pub(super) fn tax_heads(
    conn: &mut PgConnection,
    service: &str,
) -> AppResult<Vec<mdms::model::TaxHead>> {
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
            codes::MISSING_FIELD,
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
    let id = demand.id.to_string();
    let (t, bs, cc) = (&d.tenant_id, &d.business_service, &d.consumer_code);
    super::books::post(conn, t, bs, cc, "DEMAND", &id, now)?;
    adjust_advance(
        conn,
        &d.tenant_id,
        &d.business_service,
        &d.consumer_code,
        now,
    )?;
    // What is owed changed: the database has expired the consumer's active bill (migration
    // 000014: every write to demands or their lines does).
    let mut out = repo::attach(conn, vec![demand])?;
    out.pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demand vanished")))
}

pub(super) fn new_line(
    d: &Demand,
    code: &str,
    amount: Decimal,
    now: DateTime<Utc>,
) -> DemandDetail {
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
    let (t, bs, cc) = (&d.tenant_id, &d.business_service, &d.consumer_code);
    super::books::post(conn, t, bs, cc, "DEMAND_CANCELLED", &id.to_string(), now)?;
    Ok(())
}

/// A change to a demand (`demand/_update`): new amounts for lines (never below what was
/// collected), new lines, or a status.
#[derive(Clone, Debug)]
pub struct DemandUpdate {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub status: Option<String>,
    /// (existing line id, or None for a new line; tax head; amount)
    pub lines: Vec<(Option<uuid::Uuid>, String, Decimal)>,
    pub additional_details: Option<serde_json::Value>,
}

pub fn update_demand(
    conn: &mut PgConnection,
    _state_tenant: &str,
    u: &DemandUpdate,
    field: &str,
    reason: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<DemandWithLines> {
    let d = repo::demand(conn, u.id)?
        .filter(|d| d.tenant_id == u.tenant_id)
        .ok_or_else(|| {
            AppError::invalid_field(
                "DEMAND_NOT_FOUND",
                "No such demand on this tenant",
                &format!("{field}.id"),
            )
        })?;
    repo::lock_consumer(conn, &d.tenant_id, &d.business_service, &d.consumer_code)?;
    if d.status != "ACTIVE" {
        return Err(AppError::invalid_field(
            "DEMAND_NOT_ACTIVE",
            "Only an active demand can change",
            &format!("{field}.status"),
        ));
    }
    let heads = tax_heads(conn, &d.business_service)?;
    let existing = repo::lines_of(conn, &[d.id])?;
    let mut errors = Vec::new();
    for (i, (id, code, amount)) in u.lines.iter().enumerate() {
        let f = format!("{field}.demandDetails[{i}]");
        if !heads.iter().any(|h| &h.code == code) {
            errors.push(ErrorDetail::field(
                "INVALID_TAXHEAD",
                format!("{code} is not a tax head of {}", d.business_service),
                &format!("{f}.taxHeadMasterCode"),
            ));
            continue;
        }
        if let Some(id) = id {
            match existing.iter().find(|l| l.id == *id) {
                None => errors.push(ErrorDetail::field(
                    "INVALID_DEMAND_DETAIL",
                    "No such line on this demand",
                    &format!("{f}.id"),
                )),
                Some(l) if l.collection_amount > *amount && *amount >= Decimal::ZERO => errors
                    .push(ErrorDetail::field(
                        "AMOUNT_BELOW_COLLECTED",
                        format!("{} was already collected on this line", l.collection_amount),
                        &format!("{f}.taxAmount"),
                    )),
                Some(_) => {}
            }
        } else if *amount < Decimal::ZERO
            && !heads
                .iter()
                .any(|h| &h.code == code && h.category == "ADVANCE_COLLECTION")
        {
            errors.push(ErrorDetail::field(
                "INVALID_AMOUNT",
                "the amount must not be negative",
                &format!("{f}.taxAmount"),
            ));
        }
    }
    let cancel = match u.status.as_deref() {
        None | Some("ACTIVE") => false,
        Some("CANCELLED") => true,
        Some(other) => {
            errors.push(ErrorDetail::field(
                "INVALID_STATUS",
                format!("{other} is not ACTIVE or CANCELLED"),
                &format!("{field}.status"),
            ));
            false
        }
    };
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    if cancel {
        cancel_demand(conn, d.id, reason, actor, now)?;
    } else {
        for (id, code, amount) in &u.lines {
            match id.and_then(|id| existing.iter().find(|l| l.id == id)) {
                Some(l) => {
                    repo::add_tax(conn, l.id, *amount - l.tax_amount, now)?;
                }
                None => {
                    repo::insert_lines(conn, &[new_line(&d, code, *amount, now)])?;
                }
            }
        }
        let lines = repo::lines_of(conn, &[d.id])?;
        repo::add_history(conn, &d, reason, snapshot(&d, &lines), actor, now)?;
        let demands =
            repo::live_demands(conn, &d.tenant_id, &d.business_service, &d.consumer_code)?;
        refresh_completion(conn, &demands, now)?;
        let (t, bs, cc) = (&d.tenant_id, &d.business_service, &d.consumer_code);
        super::books::post(conn, t, bs, cc, "DEMAND_UPDATED", &d.id.to_string(), now)?;
    }
    // (a changed line or status has expired the consumer's active bill in the database)
    let d = repo::demand(conn, u.id)?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demand vanished")))?;
    let mut out = repo::attach(conn, vec![d])?;
    out.pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demand vanished")))
}

/// `demand/_getAggregateDemandDetails`: the consumer's dues month by month, advance and penalty.
pub fn aggregate(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    _now: DateTime<Utc>,
) -> AppResult<serde_json::Value> {
    use crate::platform::mdms::service::decimal_json;
    let demands = repo::live_demands(conn, tenant, service, consumer)?;
    let heads = tax_heads(conn, service)?;
    let category = |code: &str| {
        heads
            .iter()
            .find(|h| h.code == code)
            .map(|h| h.category.clone())
            .unwrap_or_default()
    };
    let mut per_period = Vec::new();
    let (mut advance_available, mut advance_adjusted, mut penalty, mut due) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for d in &demands {
        let mut details = Vec::new();
        for l in &d.lines {
            let cat = category(&l.tax_head_code);
            if cat == "ADVANCE_COLLECTION" {
                advance_available += -l.tax_amount;
                advance_adjusted += -l.collection_amount;
            } else {
                if cat == "PENALTY" {
                    penalty += l.tax_amount - l.collection_amount;
                }
                due += l.tax_amount - l.collection_amount;
            }
            // each line whole, as billing-service's `DemandDetail` (the app reads
            // `taxHeadMasterCode`)
            details.push(super::json::demand_line_json(l));
        }
        per_period.push(json!({ d.demand.period_from.timestamp_millis().to_string(): details }));
    }
    let remaining = advance_available - advance_adjusted;
    let latest = demands.last();
    let current: Decimal = latest
        .map(|d| {
            d.lines
                .iter()
                .filter(|l| category(&l.tax_head_code) != "ADVANCE_COLLECTION")
                .map(|l| l.tax_amount - l.collection_amount)
                .sum()
        })
        .unwrap_or_default();
    let arrears = due - current;
    Ok(json!({
        "mapOfDemandDetailList": per_period,
        "advanceAvailable": decimal_json(advance_available),
        "advanceAdjusted": decimal_json(advance_adjusted),
        "remainingAdvance": decimal_json(remaining),
        "currentmonthBill": decimal_json(current),
        "currentMonthPenalty": decimal_json(latest.map(|d| d.lines.iter().filter(|l| category(&l.tax_head_code) == "PENALTY").map(|l| l.tax_amount - l.collection_amount).sum()).unwrap_or_default()),
        "currentmonthTotalDue": decimal_json(current),
        "currentmonthRoundOff": 0,
        "totalAreas": decimal_json(arrears),
        "totalAreasWithPenalty": decimal_json(arrears),
        "totalAreasRoundOff": 0,
        "netdue": decimal_json(due - remaining),
        "netDueWithPenalty": decimal_json(due - remaining),
        "totalApplicablePenalty": decimal_json(penalty),
        "latestDemandCreatedTime": latest.map(|d| d.demand.created_at.timestamp_millis()),
        "latestDemandPenaltyCreatedtime": null,
    }))
}

/// Bulk demand's write: one month of demands for many consumers in one statement (see
/// [`BulkDemands`]); consumers already billed for the period are skipped. Answers the consumers
/// whose demand was written. Their advances are not used here (see [`adjust_advance`]).
pub fn bulk_create_demands(conn: &mut PgConnection, b: &BulkDemands<'_>) -> AppResult<Vec<String>> {
    let made = repo::bulk_insert_demands(conn, b)?;
    super::books::post_bulk(conn, b, &made)?;
    Ok(made)
}

/// How many of `consumers` already have a (not cancelled) demand ending between `from` and `to`.
pub fn billed_among(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumers: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<i64> {
    Ok(repo::billed_among(
        conn, tenant, service, consumers, from, to,
    )?)
}

/// Whether any consumer of the tenant's service has a (not cancelled) demand ending between
/// `from` and `to`.
pub fn any_demand_ending_between(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(repo::any_demand_ending_between(
        conn, tenant, service, from, to,
    )?)
}

/// Consumers of the tenant's service holding unused credit (an advance) on a live demand.
pub fn consumers_with_credit(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
) -> AppResult<Vec<String>> {
    Ok(repo::consumers_with_credit(conn, tenant, service)?)
}

/// The read-only figures of this module's tables (roll-out dashboard, iFIX export).
pub use super::repo::figures;

/// The read-only figures of the GP's dashboard (`municipal::dashboard`).
pub use super::repo::dashboard;
/// The read-only sums of this module's tables for the water reports.
pub use super::repo::report_lines;
/// The division and state views' reads (changed GPs, demand by month).
pub use super::repo::rollup;
