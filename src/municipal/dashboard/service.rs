//! The dashboard's figures, with their exact definitions (product.md §2.7; ws-services'
//! `WsQueryBuilder` read for the details). Days are Asia/Kolkata; a period is whole days, both
//! ends included.
//!
//! Revenue of a period (water, business service `WS`, one GP):
//! - *demand*: Σ tax of the lines of ACTIVE demands whose tax period ends in the period, the
//!   advance line (`WS_ADVANCE_CARRYFORWARD`) left out; *pending collection*: Σ (tax −
//!   collected) of the same lines; *arrears*: Σ (tax − collected) of the lines of ACTIVE
//!   demands whose period ended before the period starts;
//! - *actual collection*: Σ of the live (not cancelled) water receipts whose payment's
//!   transaction date is in the period, split by the household's property type (residential,
//!   commercial, others);
//! - *pending penalty*: Σ (tax − collected) of the penalty lines (`WS_TIME_PENALTY`, opening
//!   `10201`) of the period's demands; *penalty collection*: what the period's live receipts
//!   put onto penalty lines;
//! - *advance collection*: the advance the period's demands carry (created by paying more than
//!   was due); *advance adjusted*: what of it has been used against later dues (both positive;
//!   the ledger keeps the advance line negative, as DIGIT does);
//! - households *paid / total*: households with a live receipt in the period / active
//!   connections, all and by property type.
//!
//! Expenditure comes from `echallan::reports` (bills by bill date, paid by paid date).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::business::{billing, collection};
use crate::error::{AppError, AppResult, codes};
use crate::municipal::echallan::reports::{self as expenses, Figures as ExpenseFigures};
use crate::municipal::water;
use crate::time::{ist_day_start_millis, month_start, next_month};

/// A period of whole days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest period the dashboard answers for.
pub const MAX_YEARS: u32 = 5;

impl Period {
    /// The period, checked: not reversed, not starting after `today`, at most five years.
    pub fn checked(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> AppResult<Self> {
        if to < from {
            return Err(AppError::invalid_field(
                codes::INVALID_DATE_RANGE,
                "toDate is before fromDate",
                "toDate",
            ));
        }
        if from > today {
            return Err(AppError::invalid_field(
                codes::PERIOD_IN_FUTURE,
                "fromDate is in the future",
                "fromDate",
            ));
        }
        let limit = from
            .checked_add_months(chrono::Months::new(12 * MAX_YEARS))
            .unwrap_or(NaiveDate::MAX);
        if to >= limit {
            return Err(AppError::invalid_field(
                codes::PERIOD_TOO_LONG,
                format!("a period may be at most {MAX_YEARS} years long"),
                "toDate",
            ));
        }
        Ok(Self { from, to })
    }

    /// Midnight IST at the start of the first day.
    pub fn start(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ist_day_start_millis(self.from)).unwrap_or_default()
    }

    /// The last millisecond (IST) of the last day.
    pub fn end(&self) -> DateTime<Utc> {
        let next = self.to.succ_opt().unwrap_or(self.to);
        DateTime::from_timestamp_millis(ist_day_start_millis(next) - 1).unwrap_or_default()
    }

    /// The whole month of `d`.
    pub fn month(d: NaiveDate) -> Self {
        let from = month_start(d);
        Self {
            from,
            to: next_month(from).pred_opt().unwrap_or(from),
        }
    }

    /// The first days of the months the period touches, never past the month of `today`.
    pub fn months(&self, today: NaiveDate) -> Vec<NaiveDate> {
        let last = month_start(self.to.min(today));
        let mut m = month_start(self.from);
        let mut out = Vec::new();
        while m <= last {
            out.push(m);
            m = next_month(m);
        }
        out
    }
}

pub use crate::time::ist_date as ist_day;

/// Households that paid in the period, of how many active.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paid {
    pub paid: i64,
    pub count: i64,
}

/// The revenue figures of a period (see the module's definitions).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revenue {
    pub demand: Decimal,
    pub pending: Decimal,
    pub arrears: Decimal,
    pub actual: Decimal,
    pub residential: Decimal,
    pub commercial: Decimal,
    pub others: Decimal,
    pub advance_adjusted: Decimal,
    pub advance_collection: Decimal,
    pub pending_penalty: Decimal,
    pub penalty_collection: Decimal,
    pub households: Paid,
    pub residentials: Paid,
    pub commercials: Paid,
}

/// The GP's connections by number: (property type, active).
pub struct Kinds(BTreeMap<String, (String, bool)>);

impl Kinds {
    pub fn of(conn: &mut PgConnection, tenant: &str) -> AppResult<Self> {
        Ok(Self(
            water::service::dashboard::connection_kinds(conn, tenant)?
                .into_iter()
                .map(|k| (k.connection_no, (k.property_type, k.active)))
                .collect(),
        ))
    }

    fn kind_of(&self, no: &str) -> &str {
        self.0.get(no).map_or("", |(t, _)| t.as_str())
    }

    fn active(&self, kind: Option<&str>) -> i64 {
        self.0
            .values()
            .filter(|(t, a)| *a && kind.is_none_or(|k| k == t))
            .count() as i64
    }
}

pub const RESIDENTIAL: &str = "RESIDENTIAL";
pub const COMMERCIAL: &str = "COMMERCIAL";

/// The revenue figures of `tenant` for `p`.
pub fn revenue(
    conn: &mut PgConnection,
    tenant: &str,
    kinds: &Kinds,
    p: Period,
) -> AppResult<Revenue> {
    let (from, to) = (p.start(), p.end());
    let side = billing::service::dashboard::water_demand_side(conn, tenant, from, to)?;
    let paid = collection::service::dashboard::water_paid_by_household(conn, tenant, from, to)?;
    let lines = collection::service::dashboard::water_collected_lines(conn, tenant, from, to)?;
    let ids: Vec<uuid::Uuid> = lines.iter().map(|l| l.line).collect();
    let penalty: BTreeSet<uuid::Uuid> = billing::service::dashboard::penalty_lines(conn, &ids)?
        .into_iter()
        .collect();
    let mut r = Revenue {
        demand: side.demand,
        pending: side.pending,
        arrears: side.arrears,
        pending_penalty: side.pending_penalty,
        advance_collection: side.advance_created,
        advance_adjusted: side.advance_adjusted,
        penalty_collection: lines
            .iter()
            .filter(|l| penalty.contains(&l.line))
            .map(|l| l.amount)
            .sum(),
        ..Revenue::default()
    };
    let mut payers: [BTreeSet<&str>; 3] = Default::default();
    for x in &paid {
        r.actual += x.amount;
        let kind = kinds.kind_of(&x.consumer_code);
        payers[0].insert(&x.consumer_code);
        match kind {
            RESIDENTIAL => {
                r.residential += x.amount;
                payers[1].insert(&x.consumer_code);
            }
            COMMERCIAL => {
                r.commercial += x.amount;
                payers[2].insert(&x.consumer_code);
            }
            _ => r.others += x.amount,
        }
    }
    r.households = Paid {
        paid: payers[0].len() as i64,
        count: kinds.active(None),
    };
    r.residentials = Paid {
        paid: payers[1].len() as i64,
        count: kinds.active(Some(RESIDENTIAL)),
    };
    r.commercials = Paid {
        paid: payers[2].len() as i64,
        count: kinds.active(Some(COMMERCIAL)),
    };
    Ok(r)
}

/// One month of the dashboard's table.
#[derive(Clone, Debug)]
pub struct Month {
    /// The first day of the month.
    pub month: NaiveDate,
    pub revenue: Revenue,
    pub expense: ExpenseFigures,
}

impl Month {
    /// Surplus/Deficit as the app computes it (`revenue_dashboard_provider.dart`): the month's
    /// pending collection less its unpaid expenditure. product.md §2.7 says the same. It is
    /// what the GPWSC would have left if both sides settled what is still open; it is not a
    /// cash figure (collections less payments), which the table shows beside it.
    pub fn surplus(&self) -> Decimal {
        self.revenue.pending - self.expense.unpaid
    }
}

/// Each month of `p` (up to the month of `today`), with its revenue and expenditure.
pub fn months(
    conn: &mut PgConnection,
    tenant: &str,
    p: Period,
    today: NaiveDate,
) -> AppResult<Vec<Month>> {
    let kinds = Kinds::of(conn, tenant)?;
    p.months(today)
        .into_iter()
        .map(|m| {
            let whole = Period::month(m);
            Ok(Month {
                month: m,
                revenue: revenue(conn, tenant, &kinds, whole)?,
                expense: expenses::figures(conn, tenant, whole.from, whole.to)?,
            })
        })
        .collect()
}

/// The expense figures of a period.
pub fn expense(conn: &mut PgConnection, tenant: &str, p: Period) -> AppResult<ExpenseFigures> {
    Ok(expenses::figures(conn, tenant, p.from, p.to)?)
}

/// The financial years the dashboard offers: this one and the four before, newest first.
pub fn fy_choices(today: NaiveDate) -> Vec<crate::time::Fy> {
    let now = crate::time::Fy::of_date(today);
    (0..5).map(|i| crate::time::Fy(now.0 - i)).collect()
}

/// The month key `YYYY-MM` of a month's first day.
pub fn month_key(m: NaiveDate) -> String {
    format!("{:04}-{:02}", m.year(), m.month())
}

/// A `YYYY-MM` month key.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.split_once('-')?;
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test inputs are literals")]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_are_checked() {
        let today = d(2026, 12, 3);
        let code = |r: AppResult<Period>| match r {
            Err(AppError::Client { errors, .. }) => errors[0].code.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(Period::checked(d(2026, 5, 1), d(2026, 4, 1), today)),
            "INVALID_DATE_RANGE"
        );
        assert_eq!(
            code(Period::checked(d(2027, 1, 1), d(2027, 1, 31), today)),
            "PERIOD_IN_FUTURE"
        );
        assert_eq!(
            code(Period::checked(d(2020, 4, 1), d(2025, 4, 1), today)),
            "PERIOD_TOO_LONG"
        );
        let fy = Period::checked(d(2026, 4, 1), d(2027, 3, 31), today).unwrap();
        assert_eq!(fy.months(today).len(), 9, "April to December");
        assert_eq!(month_key(d(2026, 11, 1)), "2026-11");
        assert_eq!(parse_month("2026-11"), Some(d(2026, 11, 1)));
    }
}
