//! The opening of a household: the last cycle billed, the first reading, and the arrears, penalty
//! or advance it brings, checked and written as its own opening demand (product.md §2.3).

use super::model::Connection;
use super::service::*;
use crate::business::billing::{self, service::NewDemand};
use crate::error::AppResult;
use crate::platform::mdms;
use crate::time::{Fy, IST, ist_day_start_millis, month_start, prev_month};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

/// The two billing cycles a non-metered household may say it was last billed for: the two most
/// recent completed months (product.md §2.3).
pub fn allowed_last_cycles(today: NaiveDate) -> [NaiveDate; 2] {
    let last = prev_month(today);
    [last, prev_month(last)]
}

pub(super) fn head_enabled(conn: &mut PgConnection, code: &str) -> AppResult<bool> {
    Ok(mdms::repo::tax_heads(conn)?
        .into_iter()
        .any(|h| h.code == code && h.is_required))
}

/// What a household holds before its first regular bill (validated).
pub(super) struct Opening {
    pub(super) connection_type: String,
    pub(super) meter_id: Option<String>,
    pub(super) previous_reading_date: DateTime<Utc>,
    pub(super) initial_meter_reading: Option<i32>,
    pub(super) arrears: Decimal,
    pub(super) penalty: Decimal,
    pub(super) advance: Decimal,
}

#[expect(clippy::too_many_arguments, reason = "the opening fields of one form")]
pub(super) fn check_opening(
    conn: &mut PgConnection,
    e: &mut Errors,
    connection_type: &str,
    meter_id: Option<&str>,
    previous_reading_date: Option<i64>,
    initial_meter_reading: Option<i64>,
    amounts: (Option<Decimal>, Option<Decimal>, Option<Decimal>),
    window: bool,
    now: DateTime<Utc>,
) -> AppResult<Option<Opening>> {
    let today = now.with_timezone(&IST).date_naive();
    let ctype = match connection_type.trim() {
        "Metered" => "Metered",
        "Non_Metered" | "Non Metered" | "NonMetered" => "Non_Metered",
        _ => {
            e.push(
                "INVALID_CONNECTION_TYPE",
                "connectionType must be Metered or Non_Metered",
                "WaterConnection.connectionType",
            );
            ""
        }
    };
    let mut meter = None;
    let mut reading = None;
    let mut prd = None;
    match ctype {
        "Metered" => {
            match meter_id.map(str::trim).filter(|m| !m.is_empty()) {
                Some(m) if m.len() <= 30 && m.chars().all(|c| c.is_ascii_alphanumeric()) => {
                    meter = Some(m.to_owned());
                }
                _ => e.push(
                    "INVALID_METER_ID",
                    "A metered connection needs its meter number (letters and digits)",
                    "WaterConnection.meterId",
                ),
            }
            let r = initial_meter_reading.unwrap_or(0);
            if (0..=99_999).contains(&r) {
                reading = i32::try_from(r).ok();
            } else {
                e.push(
                    "INVALID_METER_READING",
                    "The previous meter reading is 0 to 99999",
                    "WaterConnection.additionalDetails.initialMeterReading",
                );
            }
            // within the two most recent WS financial years, not after today (a stored date
            // that is not being changed is kept as it is)
            let earliest = Fy(Fy::of_date(today).0 - 1).first_day();
            match previous_reading_date.and_then(ist_date) {
                Some(_) if !window => prd = previous_reading_date.map(at_ms),
                Some(d) if d >= earliest && d <= today => {
                    prd = Some(at_ms(ist_day_start_millis(d)));
                }
                _ => e.push(
                    "INVALID_PREVIOUS_READING_DATE",
                    format!(
                        "The previous reading date must be between {} and today",
                        earliest.format("%d/%m/%Y")
                    ),
                    "WaterConnection.previousReadingDate",
                ),
            }
        }
        "Non_Metered" => match previous_reading_date.and_then(ist_date) {
            Some(d) if !window => prd = Some(at_ms(month_end_ms(d))),
            Some(d) if allowed_last_cycles(today).contains(&month_start(d)) => {
                prd = Some(at_ms(month_end_ms(d)));
            }
            _ => {
                let [a, b] = allowed_last_cycles(today);
                e.push(
                    "INVALID_BILLING_CYCLE",
                    format!(
                        "The last billing cycle billed must be {} or {}",
                        a.format("%m/%Y"),
                        b.format("%m/%Y")
                    ),
                    "WaterConnection.previousReadingDate",
                );
            }
        },
        _ => {}
    }
    let arrears = money(amounts.0, "INVALID_ARREARS", "WaterConnection.arrears", e);
    let penalty = money(amounts.1, "INVALID_PENALTY", "WaterConnection.penalty", e);
    let advance = money(amounts.2, "INVALID_ADVANCE", "WaterConnection.advance", e);
    let amounts_ok = e.0.iter().all(|x| {
        !matches!(
            x.code.as_str(),
            "INVALID_ARREARS" | "INVALID_PENALTY" | "INVALID_ADVANCE"
        )
    });
    if amounts_ok && penalty > Decimal::ZERO && arrears <= Decimal::ZERO {
        e.push(
            "PENALTY_WITHOUT_ARREARS",
            "A penalty can only be entered with arrears",
            "WaterConnection.penalty",
        );
    }
    if amounts_ok && advance > Decimal::ZERO && (arrears > Decimal::ZERO || penalty > Decimal::ZERO)
    {
        e.push(
            "ARREARS_AND_ADVANCE",
            "A household has arrears or an advance, not both",
            "WaterConnection.advance",
        );
    }
    if penalty > Decimal::ZERO && !head_enabled(conn, "10201")? {
        e.push(
            "PENALTY_NOT_ENABLED",
            "Opening penalty is not enabled",
            "WaterConnection.penalty",
        );
    }
    if advance > Decimal::ZERO && !head_enabled(conn, "WS_ADVANCE_CARRYFORWARD")? {
        e.push(
            "ADVANCE_NOT_ENABLED",
            "Opening advance is not enabled",
            "WaterConnection.advance",
        );
    }
    let Some(prd) = prd else { return Ok(None) };
    Ok(Some(Opening {
        connection_type: ctype.to_owned(),
        meter_id: meter,
        previous_reading_date: prd,
        initial_meter_reading: reading,
        arrears,
        penalty,
        advance,
    }))
}

/// The period of the opening demand: from 1 April of the financial year to the day before the
/// previous reading (metered; the reading day starts the first metered period) or to the end of
/// the last billing cycle billed (non-metered).
pub fn opening_period(c: &Connection) -> (DateTime<Utc>, DateTime<Utc>) {
    let to = if c.connection_type == "Metered" {
        c.previous_reading_date - Duration::milliseconds(1)
    } else {
        c.previous_reading_date
    };
    (at_ms(Fy::of(to).start_millis()), to)
}

/// The opening arrears (with their penalty) or advance as a demand of its own
/// (`waterConnection-arrears` / `waterConnection-advance`, product.md §2.3).
pub(super) fn opening_demand(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    c: &Connection,
    payer: uuid::Uuid,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Option<uuid::Uuid>> {
    let (kind, lines) = if c.arrears > Decimal::ZERO {
        let mut l = vec![("10102".to_owned(), c.arrears)];
        if c.penalty > Decimal::ZERO {
            l.push(("10201".to_owned(), c.penalty));
        }
        ("waterConnection-arrears", l)
    } else if c.advance > Decimal::ZERO {
        (
            "waterConnection-advance",
            vec![("WS_ADVANCE_CARRYFORWARD".to_owned(), -c.advance)],
        )
    } else {
        return Ok(None);
    };
    let (from, to) = opening_period(c);
    let d = NewDemand {
        tenant_id: c.tenant_id.clone(),
        business_service: SERVICE.to_owned(),
        consumer_code: c.connection_no.clone(),
        consumer_type: kind.to_owned(),
        payer_uuid: Some(payer),
        period_from: from,
        period_to: to,
        lines,
        minimum_amount_payable: Decimal::ZERO,
        bill_expiry_time: Some(BILL_EXPIRY_MS),
        additional_details: json!({}),
    };
    let made =
        billing::service::create_demand(conn, ctx.state_tenant, &d, "WaterConnection", actor, now)?;
    Ok(Some(made.demand.id))
}
