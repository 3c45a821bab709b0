//! Late-payment penalty (product.md §3.4): per GP configuration (state fallback), applied once
//! per demand by a daily job after the grace days, and estimated for the bill and payment
//! screens ("if paid after <date>, penalty X").

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::business::billing::{self, service::DemandUpdate, service::DemandWithLines};
use crate::error::AppResult;
use crate::municipal::water::service::SERVICE;
use crate::platform::mdms::{self, model::Penalty};
use crate::time::IST;

pub const PENALTY_HEAD: &str = "WS_TIME_PENALTY";
const PENALTY_HEADS: [&str; 2] = ["WS_TIME_PENALTY", "10201"];

fn whole(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
}

fn unpaid(d: &DemandWithLines, keep: impl Fn(&str) -> bool) -> Decimal {
    d.lines
        .iter()
        .filter(|l| l.tax_amount > Decimal::ZERO && keep(&l.tax_head_code))
        .map(|l| l.tax_amount - l.collection_amount)
        .sum()
}

/// The penalty `cfg` puts on `target` (one of the consumer's live `demands`, oldest first), or
/// zero. A demand gets one penalty: none when it already has one, when its water charge is paid,
/// or when the rate (or amount) is not above zero.
///
/// - Fixed (a percentage) currentMonth: rate% of the demand's unpaid water charge (10101);
/// - Fixed outstanding: rate% of everything unpaid up to it, earlier penalties included;
/// - Fixed outstandingWithoutPenalty: the same without penalties;
/// - Flat currentMonth: the amount; Flat outstanding: the amount for each unpaid line.
pub fn penalty_for(cfg: &Penalty, demands: &[DemandWithLines], target: usize) -> Decimal {
    let Some(d) = demands.get(target) else {
        return Decimal::ZERO;
    };
    if d.demand.consumer_type != "waterConnection"
        || d.lines.iter().any(|l| l.tax_head_code == PENALTY_HEAD)
    {
        return Decimal::ZERO;
    }
    let charge = unpaid(d, |h| h == "10101");
    if charge <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let upto = &demands[..=target.min(demands.len() - 1)];
    let hundred = Decimal::from(100);
    match (cfg.penalty_type.as_str(), cfg.sub_type.as_str()) {
        ("Fixed", sub) => {
            let rate = cfg.rate.unwrap_or(Decimal::ZERO);
            if rate <= Decimal::ZERO {
                return Decimal::ZERO;
            }
            let base = match sub {
                "outstanding" => upto.iter().map(|d| unpaid(d, |_| true)).sum(),
                "outstandingWithoutPenalty" => upto
                    .iter()
                    .map(|d| unpaid(d, |h| !PENALTY_HEADS.contains(&h)))
                    .sum(),
                _ => charge,
            };
            whole(base * rate / hundred)
        }
        ("Flat", sub) => {
            let amount = cfg.amount.or(cfg.flat_amount).unwrap_or(Decimal::ZERO);
            if amount <= Decimal::ZERO {
                return Decimal::ZERO;
            }
            match sub {
                "outstanding" => {
                    let lines = upto
                        .iter()
                        .flat_map(|d| d.lines.iter())
                        .filter(|l| {
                            l.tax_amount > Decimal::ZERO && l.collection_amount < l.tax_amount
                        })
                        .count();
                    amount * Decimal::from(lines)
                }
                _ => amount,
            }
        }
        _ => Decimal::ZERO,
    }
}

/// When a demand's penalty becomes due: its creation plus the grace days.
pub fn due_after(cfg: &Penalty, d: &DemandWithLines) -> DateTime<Utc> {
    d.demand.created_at + Duration::days(i64::from(cfg.applicable_after_days))
}

/// The GP's penalty rule in force today (its own, else the state's).
pub fn config(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Penalty>> {
    let today = now.with_timezone(&IST).date_naive();
    Ok(match mdms::repo::penalty_for(conn, tenant, today)? {
        Some(p) => Some(p),
        None => mdms::repo::penalty_for(conn, state_tenant, today)?,
    })
}

/// What a consumer would owe as penalty if the latest regular demand stays unpaid past its
/// grace: (amount, from when). None when nothing would be added.
pub fn estimate(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    consumer: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<(Decimal, DateTime<Utc>)>> {
    let Some(cfg) = config(conn, state_tenant, tenant, now)? else {
        return Ok(None);
    };
    let demands = billing::service::live_demands_read(conn, tenant, SERVICE, consumer)?;
    let Some(i) = demands
        .iter()
        .rposition(|d| d.demand.consumer_type == "waterConnection")
    else {
        return Ok(None);
    };
    let p = penalty_for(&cfg, &demands, i);
    Ok((p > Decimal::ZERO).then(|| (p, due_after(&cfg, &demands[i]))))
}

/// Adds the penalty to every demand of the GP past its grace that has none yet; returns how many
/// demands got one and their total. Safe to run any number of times a day.
pub fn apply(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    now: DateTime<Utc>,
) -> AppResult<(usize, Decimal)> {
    let Some(cfg) = config(conn, state_tenant, tenant, now)? else {
        return Ok((0, Decimal::ZERO));
    };
    let positive = match cfg.penalty_type.as_str() {
        "Fixed" => cfg.rate.is_some_and(|r| r > Decimal::ZERO),
        _ => cfg
            .amount
            .or(cfg.flat_amount)
            .is_some_and(|a| a > Decimal::ZERO),
    };
    if !positive {
        return Ok((0, Decimal::ZERO));
    }
    let cutoff = now - Duration::days(i64::from(cfg.applicable_after_days));
    // consumers with a regular demand past its grace, water charge unpaid, no penalty yet
    let consumers = billing::service::consumers_owing_head(
        conn,
        tenant,
        SERVICE,
        "waterConnection",
        "10101",
        cutoff,
    )?;
    let (mut n, mut total) = (0, Decimal::ZERO);
    for consumer in consumers {
        billing::service::lock_consumer(conn, tenant, SERVICE, &consumer)?;
        let demands = billing::service::live_demands(conn, tenant, SERVICE, &consumer)?;
        for i in 0..demands.len() {
            if demands[i].demand.created_at > cutoff {
                continue;
            }
            let p = penalty_for(&cfg, &demands, i);
            if p <= Decimal::ZERO {
                continue;
            }
            billing::service::update_demand(
                conn,
                state_tenant,
                &DemandUpdate {
                    id: demands[i].demand.id,
                    tenant_id: tenant.to_owned(),
                    status: None,
                    lines: vec![(None, PENALTY_HEAD.to_owned(), p)],
                    additional_details: None,
                },
                "Demands",
                "PENALTY",
                None,
                now,
            )?;
            n += 1;
            total += p;
        }
    }
    Ok((n, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::business::billing::service::{Demand, DemandDetail};

    fn cfg(kind: &str, sub: &str, rate: i64, amount: i64) -> Penalty {
        Penalty {
            tenant_id: "pb.x".into(),
            effective_from: chrono::NaiveDate::default(),
            penalty_type: kind.into(),
            sub_type: sub.into(),
            rate: Some(Decimal::from(rate)),
            amount: Some(Decimal::from(amount)),
            min_amount: None,
            flat_amount: None,
            applicable_after_days: 10,
            from_fy: None,
            starting_day: None,
        }
    }

    fn demand(lines: &[(&str, i64, i64)]) -> DemandWithLines {
        let now = Utc::now();
        let d = Demand {
            id: uuid::Uuid::new_v4(),
            tenant_id: "pb.x".into(),
            business_service: "WS".into(),
            consumer_code: "C".into(),
            consumer_type: "waterConnection".into(),
            payer_uuid: None,
            period_from: now,
            period_to: now,
            status: "ACTIVE".into(),
            is_payment_completed: false,
            minimum_amount_payable: Decimal::ZERO,
            bill_expiry_time: None,
            additional_details: serde_json::json!({}),
            created_by: None,
            created_at: now,
            last_modified_by: None,
            last_modified_at: now,
        };
        let lines = lines
            .iter()
            .map(|(h, tax, paid)| DemandDetail {
                id: uuid::Uuid::new_v4(),
                demand_id: d.id,
                tenant_id: "pb.x".into(),
                tax_head_code: (*h).into(),
                tax_amount: Decimal::from(*tax),
                collection_amount: Decimal::from(*paid),
                additional_details: serde_json::json!({}),
                created_at: now,
                last_modified_at: now,
            })
            .collect();
        DemandWithLines { demand: d, lines }
    }

    #[test]
    fn every_type_and_subtype_with_numbers() {
        // two months: 100 (with an earlier 10 penalty, all unpaid) and 50 (unpaid)
        let ds = vec![
            demand(&[("10101", 100, 0), ("WS_TIME_PENALTY", 10, 0)]),
            demand(&[("10101", 50, 0)]),
        ];
        let d = |v: i64| Decimal::from(v);
        // 10% of the month's unpaid 50
        assert_eq!(
            penalty_for(&cfg("Fixed", "currentMonth", 10, 0), &ds, 1),
            d(5)
        );
        // 10% of 100 + 10 + 50 = 16
        assert_eq!(
            penalty_for(&cfg("Fixed", "outstanding", 10, 0), &ds, 1),
            d(16)
        );
        // 10% of 100 + 50 = 15
        assert_eq!(
            penalty_for(&cfg("Fixed", "outstandingWithoutPenalty", 10, 0), &ds, 1),
            d(15)
        );
        assert_eq!(
            penalty_for(&cfg("Flat", "currentMonth", 0, 20), &ds, 1),
            d(20)
        );
        // 5 for each of the 3 unpaid lines
        assert_eq!(
            penalty_for(&cfg("Flat", "outstanding", 0, 5), &ds, 1),
            d(15)
        );
        // once per demand: the first already has one
        assert_eq!(
            penalty_for(&cfg("Fixed", "currentMonth", 10, 0), &ds, 0),
            d(0)
        );
        // a rate of 0 (Punjab today) adds nothing
        assert_eq!(
            penalty_for(&cfg("Fixed", "currentMonth", 0, 0), &ds, 1),
            d(0)
        );
        assert_eq!(
            penalty_for(&cfg("Flat", "currentMonth", 0, 0), &ds, 1),
            d(0)
        );
        // a paid water charge draws no penalty; half paid: 10% of the 25 left, rounded
        let paid = vec![demand(&[("10101", 50, 50)])];
        assert_eq!(
            penalty_for(&cfg("Fixed", "currentMonth", 10, 0), &paid, 0),
            d(0)
        );
        let half = vec![demand(&[("10101", 50, 25)])];
        assert_eq!(
            penalty_for(&cfg("Fixed", "currentMonth", 10, 0), &half, 0),
            d(3)
        );
    }
}
