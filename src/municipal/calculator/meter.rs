//! Metered bills (product.md §2.4): a reading makes a demand for the units since the last one.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

use super::rates;
use crate::business::billing::{self, service::DemandWithLines, service::NewDemand};
use crate::db::schema::water_meter_reading as mr;
use crate::error::{AppError, AppResult, codes};
use crate::municipal::water::service::{self as water, BILL_EXPIRY_MS, Ctx, SERVICE};
use crate::time::{IST, ist_day_start_millis};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = mr)]
pub struct Reading {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub connection_id: uuid::Uuid,
    pub billing_period: String,
    pub last_reading: i32,
    pub last_reading_date: DateTime<Utc>,
    pub current_reading: i32,
    pub current_reading_date: DateTime<Utc>,
    pub meter_status: String,
    pub demand_id: Option<uuid::Uuid>,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Reading {
    pub fn consumption(&self) -> i32 {
        self.current_reading - self.last_reading
    }
}

/// A reading as entered (`meterConnection/_create`).
#[derive(Clone, Debug, Default)]
pub struct NewReading {
    pub tenant_id: String,
    pub connection_no: String,
    pub current_reading: Option<i64>,
    pub current_reading_date: Option<i64>,
    /// Editable only for the first bill; later it must be the last stored reading.
    pub last_reading: Option<i64>,
    pub meter_status: Option<String>,
}

fn day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&IST).date_naive()
}

fn at(d: NaiveDate) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ist_day_start_millis(d)).unwrap_or_default()
}

/// "dd/MM/yyyy - dd/MM/yyyy".
pub fn billing_period(from: NaiveDate, to: NaiveDate) -> String {
    format!("{} - {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y"))
}

pub fn last_of(conn: &mut PgConnection, connection: uuid::Uuid) -> QueryResult<Option<Reading>> {
    mr::table
        .filter(mr::connection_id.eq(connection))
        .order(mr::current_reading_date.desc())
        .select(Reading::as_select())
        .first(conn)
        .optional()
}

pub fn search(
    conn: &mut PgConnection,
    tenant: &str,
    connection_ids: &[uuid::Uuid],
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Reading>, i64)> {
    let q = || {
        mr::table
            .filter(mr::tenant_id.eq(tenant))
            .filter(mr::connection_id.eq_any(connection_ids))
    };
    let total = q().count().get_result(conn)?;
    let rows = q()
        .order(mr::current_reading_date.desc())
        .offset(offset)
        .limit(limit)
        .select(Reading::as_select())
        .load(conn)?;
    Ok((rows, total))
}

fn bad(code: &str, message: &str, field: &str) -> AppError {
    AppError::invalid_field(code, message, field)
}

/// What a reading would bill, worked out by the rule that bills it (`create` uses it; the
/// household screen shows it first to confirm): the readings, their days, the units, the rate
/// and the amount. Writes nothing.
pub struct Plan {
    pub connection: water::Connection,
    pub property: water::Property,
    pub last_reading: i64,
    pub last_date: NaiveDate,
    pub current_reading: i64,
    pub reading_day: NaiveDate,
    pub period: String,
    pub meter_status: String,
    pub rate: rates::Rate,
    pub units: Decimal,
    pub charge: Decimal,
}

/// Checks a reading against the household's last one and works out its bill (`Plan`).
pub fn plan(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    r: &NewReading,
    now: DateTime<Utc>,
) -> AppResult<Plan> {
    let (c, p) = water::by_number(conn, &r.tenant_id, &r.connection_no)?.ok_or_else(|| {
        bad(
            codes::CONNECTION_NOT_FOUND,
            "No such connection on this GP",
            "meterReadings.connectionNo",
        )
    })?;
    if c.connection_type != "Metered" {
        return Err(bad(
            "INVALID_CONNECTION_TYPE",
            "Only a metered connection takes readings",
            "meterReadings.connectionNo",
        ));
    }
    if c.status != "Active" {
        return Err(bad(
            "CONNECTION_INACTIVE",
            "The connection is inactive",
            "meterReadings.connectionNo",
        ));
    }
    let last = last_of(conn, c.id)?;
    let (last_reading, last_date) = match &last {
        Some(l) => {
            if r.last_reading
                .is_some_and(|x| x != i64::from(l.current_reading))
            {
                return Err(bad(
                    "INVALID_OLD_METER_READING",
                    "Old Meter Reading entered is Invalid",
                    "meterReadings.lastReading",
                ));
            }
            (i64::from(l.current_reading), day(l.current_reading_date))
        }
        None => (
            r.last_reading
                .or(c.initial_meter_reading.map(i64::from))
                .unwrap_or(0),
            day(c.previous_reading_date),
        ),
    };
    if !(0..=99_999).contains(&last_reading) {
        return Err(bad(
            "INVALID_OLD_METER_READING",
            "Old Meter Reading entered is Invalid",
            "meterReadings.lastReading",
        ));
    }
    let current = r.current_reading.unwrap_or(-1);
    if !(0..=99_999).contains(&current) || current <= last_reading {
        return Err(bad(
            "INVALID_METER_READING",
            "New Meter Reading entered is invalid",
            "meterReadings.currentReading",
        ));
    }
    let today = day(now);
    let reading_day = r
        .current_reading_date
        .and_then(DateTime::from_timestamp_millis)
        .map_or(today, day);
    if reading_day > today || reading_day <= last_date {
        return Err(bad(
            "INVALID_READING_DATE",
            "The reading date must be after the last reading date and not in the future",
            "meterReadings.currentReadingDate",
        ));
    }
    let period = billing_period(last_date, reading_day);
    let taken: i64 = mr::table
        .filter(mr::connection_id.eq(c.id))
        .filter(mr::billing_period.eq(&period))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(bad(
            "INVALID_METER_READING_BILLING_PERIOD",
            "This billing period already has a bill",
            "meterReadings.billingPeriod",
        ));
    }
    let status = r
        .meter_status
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "Working".to_owned());
    if !matches!(
        status.as_str(),
        "Working" | "Locked" | "Breakdown" | "No-meter" | "Reset" | "Replacement"
    ) {
        return Err(bad(
            "INVALID_METER_STATUS",
            "meterStatus is one of Working, Locked, Breakdown, No-meter, Reset, Replacement",
            "meterReadings.meterStatus",
        ));
    }
    let rate = rates::rate_for(
        conn,
        ctx.state_tenant,
        &c.tenant_id,
        &p.property_type,
        "Metered",
        reading_day,
    )?;
    let units = Decimal::from(current - last_reading);
    let charge = rates::metered_charge(&rate, units);
    Ok(Plan {
        connection: c,
        property: p,
        last_reading,
        last_date,
        current_reading: current,
        reading_day,
        period,
        meter_status: status,
        rate,
        units,
        charge,
    })
}

/// Records a reading and makes its demand: the GP's metered rate in force on the reading day,
/// for the units since the last reading, over [last reading day, this reading day).
pub fn create(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    r: &NewReading,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<(Reading, DemandWithLines)> {
    if let Some((c, _)) = water::by_number(conn, &r.tenant_id, &r.connection_no)? {
        billing::service::lock_consumer(conn, &c.tenant_id, SERVICE, &c.connection_no)?;
    }
    let Plan {
        connection: c,
        property: p,
        last_reading,
        last_date,
        current_reading: current,
        reading_day,
        period,
        meter_status: status,
        rate,
        units,
        charge,
    } = plan(conn, ctx, r, now)?;
    let demand = billing::service::create_demand(
        conn,
        ctx.state_tenant,
        &NewDemand {
            tenant_id: c.tenant_id.clone(),
            business_service: SERVICE.to_owned(),
            consumer_code: c.connection_no.clone(),
            consumer_type: "waterConnection".to_owned(),
            payer_uuid: Some(p.owner_uuid),
            period_from: at(last_date),
            period_to: at(reading_day) - Duration::milliseconds(1),
            lines: vec![("10101".to_owned(), charge)],
            minimum_amount_payable: Decimal::ZERO,
            bill_expiry_time: Some(BILL_EXPIRY_MS),
            additional_details: json!({"billingPeriod": period, "units": units,
                "tariffId": rate.tariff_id, "rateEffectiveFrom": rate.effective_from.to_string(),
                "lastReading": last_reading, "currentReading": current}),
        },
        "meterReadings",
        actor,
        now,
    )?;
    let reading = Reading {
        id: uuid::Uuid::new_v4(),
        tenant_id: c.tenant_id.clone(),
        connection_id: c.id,
        billing_period: period,
        last_reading: i32::try_from(last_reading).unwrap_or(0),
        last_reading_date: at(last_date),
        current_reading: i32::try_from(current).unwrap_or(0),
        current_reading_date: at(reading_day),
        meter_status: status,
        demand_id: Some(demand.demand.id),
        created_by: actor,
        created_at: now,
    };
    diesel::insert_into(mr::table)
        .values(&reading)
        .execute(conn)?;
    if let Some(st) = ctx.notify {
        crate::municipal::water::citizen::links::new_bills(
            conn,
            st,
            &c.tenant_id,
            std::slice::from_ref(&c.connection_no),
            demand.demand.period_from,
            demand.demand.period_to,
            now,
        )?;
    }
    Ok((reading, demand))
}

/// The readings that made these demands (the bill card and the bill PDF show them).
pub fn of_demands(conn: &mut PgConnection, demands: &[uuid::Uuid]) -> QueryResult<Vec<Reading>> {
    mr::table
        .filter(mr::demand_id.eq_any(demands))
        .select(Reading::as_select())
        .load(conn)
}
