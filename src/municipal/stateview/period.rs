//! The period of the views (a month or a financial year), the columns they sort by, and the
//! checks on both.

use chrono::{Datelike as _, NaiveDate};

/// A month (its first day), a financial year (April of `year` to March of `year + 1`), or a
/// range of months (the first days of the first and the last).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Month(NaiveDate),
    Year(i32),
    Range(NaiveDate, NaiveDate),
}

/// Why a period was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodError {
    /// Not `YYYY-MM` / `YYYY-YY`.
    Malformed,
    /// A month after the current one.
    FutureMonth,
    /// A financial year after the current one, or more than five before it.
    NoSuchYear,
    /// A range whose first month comes after its last.
    Reversed,
    /// A range of more than five years (`MAX_MONTHS`).
    TooLong,
}

/// The longest range of months the views read: five years.
pub const MAX_MONTHS: u32 = 60;

fn month_of(m: &str) -> Result<NaiveDate, PeriodError> {
    if m.len() != 7 {
        return Err(PeriodError::Malformed);
    }
    NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").map_err(|_| PeriodError::Malformed)
}

/// How many financial years back the views go (the dashboard's "last 5 FYs").
pub const YEARS_BACK: i32 = 5;

/// The financial year (its starting year) of a day.
pub fn fy_of(d: NaiveDate) -> i32 {
    if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    }
}

impl Period {
    /// Reads `from=YYYY-MM&to=YYYY-MM` (a range; either alone: that one month to the current
    /// one, or from the other's financial year's April), else `month=YYYY-MM`, else
    /// `fy=YYYY-YY`; none: the current financial year.
    pub fn parse_range(
        from: Option<&str>,
        to: Option<&str>,
        month: Option<&str>,
        fy: Option<&str>,
        today: NaiveDate,
    ) -> Result<Period, PeriodError> {
        fn blank(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let (from, to) = (blank(from), blank(to));
        if from.is_none() && to.is_none() {
            return Period::parse(month, fy, today);
        }
        let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
        let last = match to {
            Some(t) => month_of(t)?,
            None => this_month,
        };
        let first = match from {
            Some(f) => month_of(f)?,
            None => NaiveDate::from_ymd_opt(fy_of(last), 4, 1).unwrap_or(last),
        };
        if first > last {
            return Err(PeriodError::Reversed);
        }
        if last > today {
            return Err(PeriodError::FutureMonth);
        }
        let span = (last.year() - first.year()) * 12 + last.month() as i32 - first.month() as i32;
        if span >= MAX_MONTHS as i32 {
            return Err(PeriodError::TooLong);
        }
        if first == last {
            return Ok(Period::Month(first));
        }
        Ok(Period::Range(first, last))
    }

    /// Reads `month=YYYY-MM` (preferred when both are given) or `fy=YYYY-YY`; neither: the
    /// current financial year.
    pub fn parse(
        month: Option<&str>,
        fy: Option<&str>,
        today: NaiveDate,
    ) -> Result<Period, PeriodError> {
        let this_fy = fy_of(today);
        fn blank(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        if let Some(m) = blank(month) {
            let d = month_of(m)?;
            if d > today {
                return Err(PeriodError::FutureMonth);
            }
            if fy_of(d) < this_fy - YEARS_BACK {
                return Err(PeriodError::NoSuchYear);
            }
            return Ok(Period::Month(d));
        }
        let Some(f) = blank(fy) else {
            return Ok(Period::Year(this_fy));
        };
        let (a, b) = f.split_once('-').ok_or(PeriodError::Malformed)?;
        let (y, next): (i32, i32) = (
            a.parse().map_err(|_| PeriodError::Malformed)?,
            b.parse().map_err(|_| PeriodError::Malformed)?,
        );
        if a.len() != 4 || b.len() != 2 || (y + 1) % 100 != next {
            return Err(PeriodError::Malformed);
        }
        if y > this_fy || y < this_fy - YEARS_BACK {
            return Err(PeriodError::NoSuchYear);
        }
        Ok(Period::Year(y))
    }

    /// The first days of the first and last months.
    pub fn months(self) -> (NaiveDate, NaiveDate) {
        match self {
            Period::Month(d) => (d, d),
            Period::Year(y) => (
                NaiveDate::from_ymd_opt(y, 4, 1).unwrap_or_default(),
                NaiveDate::from_ymd_opt(y + 1, 3, 1).unwrap_or_default(),
            ),
            Period::Range(a, b) => (a, b),
        }
    }

    /// `YYYY-MM` or `YYYY-YY`, as read.
    pub fn key(self) -> String {
        match self {
            Period::Month(d) => d.format("%Y-%m").to_string(),
            Period::Year(y) => format!("{y}-{:02}", (y + 1) % 100),
            Period::Range(a, b) => format!("{}..{}", a.format("%Y-%m"), b.format("%Y-%m")),
        }
    }

    /// The period as a query string (`month=`, `fy=` or `from=&to=`).
    pub fn query(self) -> String {
        match self {
            Period::Month(d) => format!("month={}", d.format("%Y-%m")),
            Period::Year(_) => format!("fy={}", self.key()),
            Period::Range(a, b) => format!("from={}&to={}", a.format("%Y-%m"), b.format("%Y-%m")),
        }
    }
}

/// A column the views sort by: its name in the query string and its SQL.
pub const SORTS: &[(&str, &str)] = &[
    ("name", "name"),
    ("division", "division"),
    ("demand", "demand"),
    ("collection", "collection"),
    ("efficiency", "efficiency"),
    ("expenses", "expenses"),
    ("surplus", "surplus"),
    ("households", "households"),
    ("lastDemandDate", "last_demand_date"),
    ("notBilled", "not_billed"),
];

/// The SQL of a sort column, `None` when there is no such column.
pub fn sort_sql(name: &str) -> Option<&'static str> {
    SORTS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_are_read_and_checked() {
        let today = d(2026, 12, 3);
        assert_eq!(Period::parse(None, None, today), Ok(Period::Year(2026)));
        assert_eq!(
            Period::parse(Some("2026-11"), Some("2024-25"), today),
            Ok(Period::Month(d(2026, 11, 1)))
        );
        assert_eq!(
            Period::parse(None, Some("2024-25"), today),
            Ok(Period::Year(2024))
        );
        assert_eq!(
            Period::parse(Some("2027-01"), None, today),
            Err(PeriodError::FutureMonth)
        );
        assert_eq!(
            Period::parse(None, Some("2027-28"), today),
            Err(PeriodError::NoSuchYear)
        );
        assert_eq!(
            Period::parse(None, Some("2019-20"), today),
            Err(PeriodError::NoSuchYear)
        );
        assert_eq!(
            Period::parse(None, Some("2024-26"), today),
            Err(PeriodError::Malformed)
        );
        assert_eq!(
            Period::parse(Some("2026-13"), None, today),
            Err(PeriodError::Malformed)
        );
        assert_eq!(Period::Year(2026).months(), (d(2026, 4, 1), d(2027, 3, 1)));
        assert_eq!(Period::Year(2026).key(), "2026-27");
        assert_eq!(
            Period::parse_range(Some("2026-05"), Some("2026-04"), None, None, today),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            Period::parse_range(Some("2026-05"), Some("2027-01"), None, None, today),
            Err(PeriodError::FutureMonth)
        );
        assert_eq!(
            Period::parse_range(Some("2021-12"), Some("2026-12"), None, None, today),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            Period::parse_range(
                Some("2022-01"),
                Some("2026-12"),
                None,
                Some("2019-20"),
                today
            ),
            Ok(Period::Range(d(2022, 1, 1), d(2026, 12, 1)))
        );
        assert_eq!(
            Period::parse_range(None, Some("2025-06"), None, None, today),
            Ok(Period::Range(d(2025, 4, 1), d(2025, 6, 1)))
        );
        assert_eq!(
            Period::parse_range(Some("2026-12"), None, None, None, today),
            Ok(Period::Month(d(2026, 12, 1)))
        );
        assert_eq!(
            Period::parse_range(Some("2026-1"), None, None, None, today),
            Err(PeriodError::Malformed)
        );
        assert_eq!(
            Period::Range(d(2025, 4, 1), d(2025, 6, 1)).query(),
            "from=2025-04&to=2025-06"
        );
        assert_eq!(sort_sql("lastDemandDate"), Some("last_demand_date"));
        assert_eq!(sort_sql("tenant_id; DROP"), None);
    }
}
