//! The views' query (page and endpoint alike) read and checked against the caller's scope.

use chrono::{Datelike as _, NaiveDate};
use serde::Deserialize;

use super::period::{self, Period, PeriodError};
use super::service::{Query, Scope};
use crate::error::codes;

/// The query string: `from=YYYY-MM&to=YYYY-MM`, `month=YYYY-MM` or `fy=YYYY-YY`, `zone`, `circle`, `division`,
/// `sortBy` (a column of `period::SORTS`), `sortOrder` (`asc`/`desc`), and `page` (the page)
/// or `offset`/`limit` (the endpoint).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Raw {
    pub from: Option<String>,
    pub to: Option<String>,
    pub month: Option<String>,
    pub fy: Option<String>,
    pub zone: Option<String>,
    pub circle: Option<String>,
    pub division: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub page: Option<i64>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
    /// The endpoint's tenant (the state, or a GP for that GP's row); unused by the page.
    pub tenant_id: Option<String>,
}

/// Why a query was refused: a named error code, the field, and the text key of the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub field: &'static str,
    pub key: &'static str,
    /// 403 (a division outside the caller's) rather than 400.
    pub forbidden: bool,
    pub message: String,
}

fn refuse(code: &'static str, field: &'static str, key: &'static str, message: String) -> Refusal {
    Refusal {
        code,
        field,
        key,
        forbidden: false,
        message,
    }
}

/// The refusal of a GP that is not one (400) or lies outside the caller's divisions (403).
pub fn gp_refusal(tenant: &str, outside: bool) -> Refusal {
    if outside {
        Refusal {
            forbidden: true,
            ..refuse(
                codes::INVALID_TENANT,
                "tenantId",
                "STATE_VIEW_ERR_GP_OUTSIDE",
                format!("the GP {tenant:?} is not in the caller's divisions"),
            )
        }
    } else {
        refuse(
            codes::INVALID_TENANT_ID,
            "tenantId",
            "STATE_VIEW_ERR_GP",
            format!("{tenant:?} is not a GP of the master data"),
        )
    }
}

/// The page's text of a refused period.
pub fn period_key(e: PeriodError) -> &'static str {
    match e {
        PeriodError::Malformed => "STATE_VIEW_ERR_PERIOD",
        PeriodError::FutureMonth => "STATE_VIEW_ERR_FUTURE",
        PeriodError::NoSuchYear => "STATE_VIEW_ERR_YEAR",
        PeriodError::Reversed => "STATE_VIEW_ERR_REVERSED",
        PeriodError::TooLong => "STATE_VIEW_ERR_TOO_LONG",
    }
}

/// Rows a page of the page holds; the endpoint's largest `limit`.
pub const PER_PAGE: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The places of the caller's scope, as `service::places` gives them.
pub struct Places {
    pub zones: Vec<String>,
    pub circles: Vec<String>,
    pub divisions: Vec<(String, String)>,
}

/// Reads `raw` for a caller with `scope` on `today` (IST); `places` are the zones, circles and
/// divisions of every GP (to tell an unknown one from one outside the scope) and of the scope.
pub fn read(
    raw: &Raw,
    scope: Scope,
    today: NaiveDate,
    all: &Places,
    mine: &Places,
) -> Result<Query, Refusal> {
    let period = Period::parse_range(
        raw.from.as_deref(),
        raw.to.as_deref(),
        raw.month.as_deref(),
        raw.fy.as_deref(),
        today,
    )
    .map_err(|e| {
        let field = if blank(&raw.from).is_some() {
            "from"
        } else if blank(&raw.to).is_some() {
            "to"
        } else if blank(&raw.month).is_some() {
            "month"
        } else {
            "fy"
        };
        match e {
            PeriodError::Reversed => refuse(
                codes::INVALID_DATE_RANGE,
                field,
                "STATE_VIEW_ERR_REVERSED",
                "the period's first month (from) is after its last (to)".into(),
            ),
            PeriodError::TooLong => refuse(
                codes::INVALID_DATE_RANGE,
                field,
                "STATE_VIEW_ERR_TOO_LONG",
                format!("the period is longer than {} months", period::MAX_MONTHS),
            ),
            PeriodError::Malformed => refuse(
                codes::INVALID_DATE,
                field,
                "STATE_VIEW_ERR_PERIOD",
                "from, to and month are YYYY-MM, fy is YYYY-YY".into(),
            ),
            PeriodError::FutureMonth => refuse(
                codes::INVALID_DATE,
                field,
                "STATE_VIEW_ERR_FUTURE",
                "the month is after the current one".into(),
            ),
            PeriodError::NoSuchYear => refuse(
                codes::INVALID_DATE_RANGE,
                field,
                "STATE_VIEW_ERR_YEAR",
                format!(
                    "the financial year is after the current one or more than {} before it",
                    period::YEARS_BACK
                ),
            ),
        }
    })?;
    if scope == Scope::Divisions(Vec::new()) {
        return Err(Refusal {
            forbidden: true,
            ..refuse(
                codes::INVALID_TENANT,
                "tenantId",
                "STATE_VIEW_ERR_NO_DIVISION",
                "the caller's roles are on no GP of a division".into(),
            )
        });
    }
    let sort_name = blank(&raw.sort_by).unwrap_or_else(|| "name".to_owned());
    let sort = period::sort_sql(&sort_name).ok_or_else(|| {
        refuse(
            codes::INVALID_VALUE,
            "sortBy",
            "STATE_VIEW_ERR_SORT",
            format!(
                "sortBy {sort_name:?} is not one of {}",
                period::SORTS
                    .iter()
                    .map(|s| s.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let descending = match blank(&raw.sort_order)
        .as_deref()
        .map(str::to_ascii_lowercase)
    {
        None => false,
        Some(o) if o == "asc" => false,
        Some(o) if o == "desc" => true,
        Some(o) => {
            return Err(refuse(
                codes::INVALID_VALUE,
                "sortOrder",
                "STATE_VIEW_ERR_SORT",
                format!("sortOrder {o:?} is neither asc nor desc"),
            ));
        }
    };
    let (zone, circle, division) = (blank(&raw.zone), blank(&raw.circle), blank(&raw.division));
    for (v, known, field) in [
        (&zone, &all.zones, "zone"),
        (&circle, &all.circles, "circle"),
    ] {
        if let Some(v) = v
            && !known.contains(v)
        {
            return Err(refuse(
                codes::INVALID_VALUE,
                field,
                "STATE_VIEW_ERR_PLACE",
                format!("{field} {v:?} is not in the master data"),
            ));
        }
    }
    if let Some(d) = &division {
        if !all.divisions.iter().any(|(c, _)| c == d) {
            return Err(refuse(
                codes::INVALID_VALUE,
                "division",
                "STATE_VIEW_ERR_PLACE",
                format!("division {d:?} is not in the master data"),
            ));
        }
        if !mine.divisions.iter().any(|(c, _)| c == d) {
            return Err(Refusal {
                forbidden: true,
                ..refuse(
                    codes::INVALID_TENANT,
                    "division",
                    "STATE_VIEW_ERR_DIVISION",
                    format!("division {d:?} is not one of the caller's"),
                )
            });
        }
    }
    let limit = raw.limit.unwrap_or(PER_PAGE);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(refuse(
            codes::INVALID_VALUE,
            "limit",
            "STATE_VIEW_ERR_PAGING",
            format!("limit is between 1 and {MAX_LIMIT}"),
        ));
    }
    let offset = match (raw.offset, raw.page) {
        (Some(o), _) if o >= 0 => o,
        (Some(_), _) => {
            return Err(refuse(
                codes::INVALID_VALUE,
                "offset",
                "STATE_VIEW_ERR_PAGING",
                "offset is 0 or more".into(),
            ));
        }
        (None, Some(p)) => p.clamp(0, 100_000) * limit,
        (None, None) => 0,
    };
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let last_month = first
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(first);
    Ok(Query {
        period,
        gp: None,
        last_month,
        scope,
        zone,
        circle,
        division,
        sort,
        descending,
        limit,
        offset,
    })
}
