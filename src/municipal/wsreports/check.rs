//! The checks every water report makes of what it is asked (the JSON reports and the pages
//! alike): the period, the page, the sort, the financial year.

use chrono::{Months, NaiveDate};

use crate::error::{AppError, AppResult, codes};
use crate::time::Fy;

/// The most rows one page of a report holds.
pub const PAGE_MAX: i64 = 500;
/// The most rows a whole-report export (`limit=-1`) gives.
pub const EXPORT_MAX: usize = 20_000;
/// The longest period a report covers.
pub const MAX_YEARS: u32 = 5;

/// The code of what is wrong with a period of days, if anything: reversed, starting after
/// `today`, or longer than five years.
pub fn period_problem(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Option<&'static str> {
    if to < from {
        Some(codes::INVALID_DATE_RANGE)
    } else if from > today {
        Some(codes::REPORT_PERIOD_IN_FUTURE)
    } else if from
        .checked_add_months(Months::new(12 * MAX_YEARS))
        .is_none_or(|limit| to >= limit)
    {
        Some(codes::REPORT_PERIOD_TOO_LONG)
    } else {
        None
    }
}

fn message(code: &str) -> &'static str {
    match code {
        codes::INVALID_DATE_RANGE => "the period ends before it starts",
        codes::REPORT_PERIOD_IN_FUTURE => "the period starts after today",
        codes::REPORT_PERIOD_TOO_LONG => "the period is longer than five years",
        _ => "invalid period",
    }
}

/// The period as a 400 naming `field` (the end) when it is wrong.
pub fn period(from: NaiveDate, to: NaiveDate, today: NaiveDate, field: &str) -> AppResult<()> {
    match period_problem(from, to, today) {
        Some(code) => Err(AppError::invalid_field(code, message(code), field)),
        None => Ok(()),
    }
}

/// `offset`/`limit`: rows to skip and the page size, `None` for every row (`limit=-1`).
pub fn paging(offset: Option<i64>, limit: Option<i64>) -> AppResult<(usize, Option<usize>)> {
    let offset = offset.unwrap_or(0);
    if offset < 0 {
        return Err(AppError::invalid_field(
            codes::INVALID_VALUE,
            "offset must be 0 or more",
            "offset",
        ));
    }
    let limit = match limit.unwrap_or(10) {
        -1 => None,
        l if l <= 0 => {
            return Err(AppError::invalid_field(
                codes::INVALID_VALUE,
                "limit must be -1 (every row) or 1 or more",
                "limit",
            ));
        }
        l if l > PAGE_MAX => {
            return Err(AppError::invalid_field(
                codes::REPORT_LIMIT_TOO_LARGE,
                format!("a page holds at most {PAGE_MAX} rows; limit=-1 gives every row"),
                "limit",
            ));
        }
        l => Some(usize::try_from(l).unwrap_or(0)),
    };
    Ok((usize::try_from(offset).unwrap_or(0), limit))
}

/// The page of `rows` asked for; every row (at most [`EXPORT_MAX`]) when `limit` is `None`.
pub fn page<T>(rows: Vec<T>, offset: usize, limit: Option<usize>) -> AppResult<Vec<T>> {
    match limit {
        None if rows.len() > EXPORT_MAX => Err(AppError::invalid_field(
            codes::REPORT_TOO_LARGE,
            format!("the report has more than {EXPORT_MAX} rows: ask for a shorter period"),
            "limit",
        )),
        None => Ok(rows.into_iter().skip(offset).collect()),
        Some(l) => Ok(rows.into_iter().skip(offset).take(l).collect()),
    }
}

/// How a report is sorted: by which column, and whether descending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    ConnectionNo,
    OldConnectionNo,
    Name,
}

/// `sortOrder` (ASC or DESC, any case; ASC when absent) and `sortBy` (connectionNo,
/// oldConnectionNo or consumerName; connectionNo when absent).
pub fn sort(order: Option<&str>, by: Option<&str>) -> AppResult<(SortBy, bool)> {
    let bad = |what: &str, field: &str| {
        AppError::invalid_field(codes::REPORT_INVALID_SORT, what.to_owned(), field)
    };
    let desc = match order.map(str::trim).filter(|s| !s.is_empty()) {
        None => false,
        Some(s) if s.eq_ignore_ascii_case("ASC") => false,
        Some(s) if s.eq_ignore_ascii_case("DESC") => true,
        Some(_) => return Err(bad("sortOrder is ASC or DESC", "sortOrder")),
    };
    let by = match by.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("connectionNo") => SortBy::ConnectionNo,
        Some("oldConnectionNo") => SortBy::OldConnectionNo,
        Some("consumerName") => SortBy::Name,
        Some(_) => {
            return Err(bad(
                "sortBy is connectionNo, oldConnectionNo or consumerName",
                "sortBy",
            ));
        }
    };
    Ok((by, desc))
}

/// Sorts rows by the household each names.
pub fn sort_rows<T>(rows: &mut [T], by: SortBy, desc: bool, who: impl Fn(&T) -> &super::rows::Who) {
    rows.sort_by(|a, b| {
        let (a, b) = (who(a), who(b));
        let o = match by {
            SortBy::ConnectionNo => a.connection_no.cmp(&b.connection_no),
            SortBy::OldConnectionNo => a.old_connection_no.cmp(&b.old_connection_no),
            SortBy::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        }
        .then_with(|| a.connection_no.cmp(&b.connection_no));
        if desc { o.reverse() } else { o }
    });
}

/// A financial year (`2024-25`) that has begun by `today` and is not before 2000.
pub fn financial_year(s: Option<&str>, today: NaiveDate) -> AppResult<Fy> {
    let s = s
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::invalid_field(codes::MISSING_FIELD, "year is required", "year"))?;
    match Fy::parse(s) {
        Some(fy) if fy.0 >= 2000 && fy.first_day() <= today => Ok(fy),
        _ => Err(AppError::invalid_field(
            codes::INVALID_FINANCIAL_YEAR,
            "year must be a financial year like 2024-25 that has begun",
            "year",
        )),
    }
}
