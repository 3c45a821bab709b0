//! `/home/state`: the division or state view, 50 GPs a page, sortable by each column,
//! filtered by zone, circle and division, with a totals row and a link to the roll-out
//! dashboard; `/home/state/gp/{tenant}`: one GP's months from the roll-up (the drill-down), with
//! the switch to that GP where the caller works on it.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::{Datelike as _, NaiveDate};
use rust_decimal::Decimal;

use super::params::{self, Raw};
use super::period::{self, Period};
use super::service::{self, Row as GpRow, Scope};
use crate::db;
use crate::http::page::{PageCtx, PageError, PageResult, StaffPage, Tile, urlencode};
use crate::http::routes::{Access, Routes};
use crate::platform::access::identity::tenant_covers;
use crate::time::IST;

/// GPs a page shows.
const PAGE_ROWS: i64 = 20;

pub const PATH: &str = "/home/state";
pub const GP_PATH: &str = "/home/state/gp";
pub const GP_PATH_TENANT: &str = "/home/state/gp/{tenant}";

pub const TILES: &[Tile] = &[Tile {
    place: 18,
    key: "CORE_DIVISION_STATE_VIEW",
    href: PATH,
    roles: super::ROLES,
}];

pub fn routes(r: &mut Routes<'_>) {
    r.get(PATH, Access::Page(super::ROLES), list);
    r.get(GP_PATH_TENANT, Access::Page(super::ROLES), gp);
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Head {
    pub label: String,
    pub href: String,
    /// `ascending`/`descending` on the sorted column, else empty (aria-sort).
    pub sorted: &'static str,
}

pub struct Line {
    pub gp: String,
    pub href: String,
    pub name: String,
    pub division: String,
    pub demand: String,
    pub collection: String,
    pub efficiency: String,
    pub expenses: String,
    pub surplus: String,
    pub negative: bool,
    pub households: i64,
    pub last_demand: String,
    pub not_billed: String,
}

#[derive(Template)]
#[template(path = "stateview/list.html")]
struct ListPage {
    p: PageCtx,
    errors: Vec<String>,
    years: Vec<Choice>,
    months: Vec<Choice>,
    zones: Vec<Choice>,
    circles: Vec<Choice>,
    divisions: Vec<Choice>,
    heads: Vec<Head>,
    rows: Vec<Line>,
    totals: Option<Line>,
    total: i64,
    as_of: String,
    page: i64,
    more: bool,
    query: String,
    from: String,
    to: String,
    /// The roll-out dashboard's link, for the state admin (its only reader).
    rollout: bool,
}

fn money(d: Decimal) -> String {
    d.round_dp(2).normalize().to_string()
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d-%m-%Y").to_string())
        .unwrap_or_else(|| "—".to_owned())
}

/// A row of the table; `divisions` names the division codes (English, from the master data).
fn line(p: &PageCtx, r: &GpRow, href: String, divisions: &[(String, String)]) -> Line {
    let english = divisions
        .iter()
        .find(|(c, _)| *c == r.division)
        .map_or("", |(_, n)| n.as_str());
    Line {
        gp: r.tenant_id.clone(),
        href,
        name: if r.tenant_id.is_empty() {
            String::new()
        } else {
            p.place_name(&r.tenant_id)
        },
        division: if r.division.is_empty() {
            String::new()
        } else {
            p.division_name(&r.division, english)
        },
        demand: money(r.demand),
        collection: money(r.collection),
        efficiency: r
            .efficiency
            .map(|e| format!("{}%", e.round_dp(2).normalize()))
            .unwrap_or_else(|| "—".to_owned()),
        expenses: money(r.expenses),
        surplus: money(r.surplus),
        negative: r.surplus < Decimal::ZERO,
        households: r.households,
        last_demand: day(r.last_demand_date),
        not_billed: if r.tenant_id.is_empty() {
            r.not_billed.to_string()
        } else if r.not_billed > 0 {
            p.t("STATE_VIEW_NOT_BILLED")
        } else {
            String::new()
        },
    }
}

fn choices(
    all: impl IntoIterator<Item = (String, String)>,
    chosen: Option<&str>,
    p: &PageCtx,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: p.t("ALL"),
        selected: chosen.is_none(),
    }];
    out.extend(all.into_iter().map(|(v, l)| Choice {
        selected: chosen == Some(v.as_str()),
        label: l,
        value: v,
    }));
    out
}

const COLUMNS: &[(&str, &str)] = &[
    ("name", "STATE_VIEW_GP"),
    ("division", "CORE_DIVISION"),
    ("demand", "STATE_VIEW_DEMAND"),
    ("collection", "STATE_VIEW_COLLECTION"),
    ("efficiency", "STATE_VIEW_EFFICIENCY"),
    ("expenses", "STATE_VIEW_EXPENSES"),
    ("surplus", "STATE_VIEW_SURPLUS"),
    ("households", "STATE_VIEW_HOUSEHOLDS"),
    ("lastDemandDate", "STATE_VIEW_LAST_DEMAND"),
    ("notBilled", "STATE_VIEW_NOT_BILLED_LAST_MONTH"),
];

async fn list(mut page: StaffPage, q: web::Query<Raw>) -> PageResult {
    let mut raw = q.into_inner();
    // The page pages by `page`, twenty GPs at a time (light on a phone); `offset`/`limit` are
    // the endpoint's.
    raw.offset = None;
    raw.limit = Some(PAGE_ROWS);
    let user = page.staff.user.clone();
    let state_tenant = page.state.settings.app.state_tenant.clone();
    let rollout = user.roles.iter().any(|r| {
        crate::municipal::rollout::ROLES.contains(&r.code.as_str())
            && tenant_covers(&r.tenant_id, &state_tenant)
    });
    let today = chrono::Utc::now().with_timezone(&IST).date_naive();
    let r2 = raw.clone();
    let (mine, outcome) = db::run(&page.state.pool, move |c| {
        let scope = service::scope_of(c, &user, &state_tenant)?;
        let all = service::places(c, &Scope::State)?;
        let mine = service::places(c, &scope)?;
        let outcome = match params::read(&r2, scope, today, &all, &mine) {
            Ok(query) => Ok((query.period, service::search(c, &query)?)),
            Err(refusal) => Err(refusal),
        };
        Ok((mine, outcome))
    })
    .await
    .map_err(PageError::App)?;
    let p = page.ctx()?;
    let blank = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let (zone, circle, division) = (blank(&raw.zone), blank(&raw.circle), blank(&raw.division));
    let this_fy = period::fy_of(today);
    let (chosen_period, errors, status) = match &outcome {
        Ok((period, _)) => (Some(*period), Vec::new(), StatusCode::OK),
        Err(r) => (
            None,
            vec![p.t(r.key)],
            if r.forbidden {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::BAD_REQUEST
            },
        ),
    };
    let chosen_fy = match chosen_period {
        Some(Period::Month(d)) => period::fy_of(d),
        Some(Period::Year(y)) => y,
        Some(Period::Range(_, b)) => period::fy_of(b),
        None => this_fy,
    };
    let (from, to) = match chosen_period {
        Some(Period::Range(a, b)) => (a.format("%Y-%m").to_string(), b.format("%Y-%m").to_string()),
        _ => (
            blank(&raw.from).unwrap_or_default(),
            blank(&raw.to).unwrap_or_default(),
        ),
    };
    let years = (0..=period::YEARS_BACK)
        .map(|back| {
            let y = this_fy - back;
            Choice {
                value: Period::Year(y).key(),
                label: format!("{} {}", p.t("STATE_VIEW_FY"), Period::Year(y).key()),
                selected: y == chosen_fy,
            }
        })
        .collect();
    let mut months = vec![Choice {
        value: String::new(),
        label: p.t("STATE_VIEW_WHOLE_YEAR"),
        selected: !matches!(chosen_period, Some(Period::Month(_))),
    }];
    let (first, last) = Period::Year(chosen_fy).months();
    let mut m = first;
    while m <= last && m <= today {
        months.push(Choice {
            value: m.format("%Y-%m").to_string(),
            label: p.month_label(m),
            selected: chosen_period == Some(Period::Month(m)),
        });
        m = m
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(last.succ_opt().unwrap_or(last));
        if m.day() != 1 {
            break;
        }
    }
    let zones = choices(
        mine.zones.iter().map(|z| (z.clone(), z.clone())),
        zone.as_deref(),
        &p,
    );
    let circles = choices(
        mine.circles.iter().map(|z| (z.clone(), z.clone())),
        circle.as_deref(),
        &p,
    );
    let divisions = choices(
        mine.divisions.iter().map(|(c, n)| {
            (
                c.clone(),
                if n.is_empty() {
                    c.clone()
                } else {
                    format!("{n} ({c})")
                },
            )
        }),
        division.as_deref(),
        &p,
    );
    let period_q = chosen_period.unwrap_or(Period::Year(this_fy)).query();
    let filters = format!(
        "{period_q}&zone={}&circle={}&division={}",
        urlencode(zone.as_deref().unwrap_or_default()),
        urlencode(circle.as_deref().unwrap_or_default()),
        urlencode(division.as_deref().unwrap_or_default())
    );
    let sort = blank(&raw.sort_by)
        .filter(|s| period::sort_sql(s).is_some())
        .unwrap_or_else(|| "name".to_owned());
    let desc = blank(&raw.sort_order).is_some_and(|o| o.eq_ignore_ascii_case("desc"));
    let heads = COLUMNS
        .iter()
        .map(|(col, key)| {
            let on = *col == sort;
            let next = if on && !desc { "desc" } else { "asc" };
            Head {
                label: p.t(key),
                href: format!("{PATH}?{filters}&sortBy={col}&sortOrder={next}"),
                sorted: match (on, desc) {
                    (false, _) => "",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
            }
        })
        .collect();
    let n = raw.page.unwrap_or(0).clamp(0, 100_000);
    let query = format!(
        "{filters}&sortBy={sort}&sortOrder={}",
        if desc { "desc" } else { "asc" }
    );
    let (rows, totals, total, as_of) = match &outcome {
        Ok((_, f)) => (
            f.rows
                .iter()
                .map(|r| {
                    line(
                        &p,
                        r,
                        format!("{GP_PATH}/{}?{period_q}", urlencode(&r.tenant_id)),
                        &mine.divisions,
                    )
                })
                .collect(),
            Some(line(&p, &f.totals, String::new(), &mine.divisions)),
            f.total,
            f.as_of
                .map(|t| t.with_timezone(&IST).format("%d-%m-%Y %H:%M").to_string())
                .unwrap_or_else(|| "—".to_owned()),
        ),
        Err(_) => (Vec::new(), None, 0, String::new()),
    };
    let out = ListPage {
        p,
        errors,
        years,
        months,
        zones,
        circles,
        divisions,
        heads,
        rows,
        totals,
        total,
        as_of,
        page: n,
        more: (n + 1) * PAGE_ROWS < total,
        query,
        from,
        to,
        rollout,
    };
    page.render(status, out)
}

#[derive(serde::Deserialize)]
struct GpQuery {
    from: Option<String>,
    to: Option<String>,
    month: Option<String>,
    fy: Option<String>,
}

pub struct MonthLine {
    pub month: String,
    pub demand: String,
    pub collection: String,
    pub efficiency: String,
    pub expenses: String,
    pub paid: String,
    pub surplus: String,
    pub negative: bool,
    pub households: i64,
}

#[derive(Template)]
#[template(path = "stateview/gp.html")]
struct GpPage {
    p: PageCtx,
    gp: String,
    name: String,
    division: String,
    errors: Vec<String>,
    months: Vec<MonthLine>,
    totals: Option<MonthLine>,
    back: String,
    may_switch: bool,
}

fn efficiency(demand: Decimal, collection: Decimal) -> String {
    if demand > Decimal::ZERO {
        format!(
            "{}%",
            (collection * Decimal::from(100) / demand)
                .round_dp(2)
                .normalize()
        )
    } else {
        "—".to_owned()
    }
}

/// `/home/state/gp/{tenant}`: one GP's months (a GP outside the caller's divisions: 403 with
/// the page's error; an unknown one: 404).
async fn gp(mut page: StaffPage, path: web::Path<String>, q: web::Query<GpQuery>) -> PageResult {
    let user = page.staff.user.clone();
    let state_tenant = page.state.settings.app.state_tenant.clone();
    let tenant = path.into_inner().trim().to_owned();
    let today = chrono::Utc::now().with_timezone(&IST).date_naive();
    let period = Period::parse_range(
        q.from.as_deref(),
        q.to.as_deref(),
        q.month.as_deref(),
        q.fy.as_deref(),
        today,
    );
    let t2 = tenant.clone();
    let found = db::run(&page.state.pool, move |c| {
        let scope = service::scope_of(c, &user, &state_tenant)?;
        Ok(match service::gp_of(c, &scope, &t2)? {
            Err(r) => Err(r),
            Ok(head) => Ok((
                head,
                match period {
                    Ok(p) => Some(service::gp_months(c, &t2, p)?),
                    Err(_) => None,
                },
            )),
        })
    })
    .await
    .map_err(PageError::App)?;
    let (head, rows) = match found {
        Ok(f) => f,
        Err(r) if !r.forbidden => {
            return Err(PageError::Status(StatusCode::NOT_FOUND, r.key.to_owned()));
        }
        Err(r) => {
            return Err(PageError::Status(StatusCode::FORBIDDEN, r.key.to_owned()));
        }
    };
    let p = page.ctx()?;
    let may_switch = page
        .staff
        .user
        .roles
        .iter()
        .any(|r| tenant_covers(&r.tenant_id, &tenant));
    let (errors, status) = match &period {
        Ok(_) => (Vec::new(), StatusCode::OK),
        Err(e) => (vec![p.t(params::period_key(*e))], StatusCode::BAD_REQUEST),
    };
    let rows = rows.unwrap_or_default();
    let mut sum = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let months: Vec<MonthLine> = rows
        .iter()
        .map(|m| {
            sum.0 += m.demand;
            sum.1 += m.collection;
            sum.2 += m.expenses_billed;
            sum.3 += m.expenses_paid;
            MonthLine {
                month: p.month_label(m.month),
                demand: money(m.demand),
                collection: money(m.collection),
                efficiency: efficiency(m.demand, m.collection),
                expenses: money(m.expenses_billed),
                paid: money(m.expenses_paid),
                surplus: money(m.collection - m.expenses_paid),
                negative: m.collection < m.expenses_paid,
                households: m.households_billed,
            }
        })
        .collect();
    let totals = (!months.is_empty()).then(|| MonthLine {
        month: p.t("STATE_VIEW_TOTAL"),
        demand: money(sum.0),
        collection: money(sum.1),
        efficiency: efficiency(sum.0, sum.1),
        expenses: money(sum.2),
        paid: money(sum.3),
        surplus: money(sum.1 - sum.3),
        negative: sum.1 < sum.3,
        households: 0,
    });
    let back = match period {
        Ok(pd) => format!("{PATH}?{}", pd.query()),
        Err(_) => PATH.to_owned(),
    };
    let name = p.place_name(&tenant);
    let out = GpPage {
        p,
        gp: tenant,
        name,
        division: head.1,
        errors,
        months,
        totals,
        back,
        may_switch,
    };
    page.render(status, out)
}
