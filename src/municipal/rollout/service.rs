//! Refreshing and reading the roll-out dashboard.

use std::collections::HashMap;

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, TimeZone as _, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Jsonb, Nullable, Numeric, SmallInt, Text};
use rust_decimal::Decimal;
use serde_json::json;

use crate::business::{billing, collection};
use crate::municipal::{echallan, water};
use crate::platform::{mdms, user};
use crate::time::IST;

/// One window of the dashboard: its key (`LAST_7_DAYS`, …), its place in the list, and its
/// bounds (`None`: open).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub key: String,
    pub position: i16,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn start_of(d: NaiveDate) -> DateTime<Utc> {
    IST.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The windows at `now` (days in IST): the last 7 and 15 days (from midnight 7 or 15 days
/// ago), the current month to date, the previous month, the four quarters of the current
/// financial year (April to March), the financial year to date, everything ("consolidated"),
/// and the three previous financial years.
pub fn windows(now: DateTime<Utc>) -> Vec<Window> {
    let today = now.with_timezone(&IST).date_naive();
    let month_start = ymd(today.year(), today.month(), 1);
    let prev_month_start = month_start
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(month_start);
    let fy = if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    };
    let mut out = Vec::new();
    let mut add = |key: String, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| {
        let position = out.len() as i16;
        out.push(Window {
            key,
            position,
            from,
            to,
        });
    };
    add(
        "LAST_7_DAYS".into(),
        Some(start_of(today - Duration::days(7))),
        Some(now),
    );
    add(
        "LAST_15_DAYS".into(),
        Some(start_of(today - Duration::days(15))),
        Some(now),
    );
    add(
        "CURRENT_MONTH".into(),
        Some(start_of(month_start)),
        Some(now),
    );
    add(
        "PREVIOUS_MONTH".into(),
        Some(start_of(prev_month_start)),
        Some(start_of(month_start)),
    );
    for (q, (y, m)) in [(fy, 4), (fy, 7), (fy, 10), (fy + 1, 1)]
        .into_iter()
        .enumerate()
    {
        let from = ymd(y, m, 1);
        let to = from
            .checked_add_months(chrono::Months::new(3))
            .unwrap_or(from);
        add(
            format!("Q{}", q + 1),
            Some(start_of(from)),
            Some(start_of(to)),
        );
    }
    add(
        "FY_TO_DATE".into(),
        Some(start_of(ymd(fy, 4, 1))),
        Some(now),
    );
    add("CONSOLIDATED".into(), None, None);
    for back in 1..=3 {
        let y = fy - back;
        add(
            format!("FY_{}_{:02}", y, (y + 1) % 100),
            Some(start_of(ymd(y, 4, 1))),
            Some(start_of(ymd(y + 1, 4, 1))),
        );
    }
    out
}

/// What a refresh wrote.
#[derive(Clone, Copy, Debug)]
pub struct Refreshed {
    pub tenants: usize,
    pub windows: usize,
    pub rows: usize,
}

fn by_tenant<T>(rows: Vec<T>, key: impl Fn(&T) -> &str) -> HashMap<String, T> {
    rows.into_iter().map(|r| (key(&r).to_owned(), r)).collect()
}

fn money(d: Decimal) -> String {
    d.round_dp(2).to_string()
}

/// Replaces the whole dashboard in one transaction (readers see the old one until it commits).
pub fn refresh(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<Refreshed> {
    conn.transaction(|c| {
        let tenants: Vec<_> = mdms::repo::tenants(c)?
            .into_iter()
            .filter(|t| t.is_gram_panchayat())
            .collect();
        let users = by_tenant(user::service::figures::active_employees_per_tenant(c)?, |r| {
            &r.tenant_id
        });
        diesel::sql_query("DELETE FROM rollout_dashboard").execute(c)?;
        let wins = windows(now);
        let mut rows = 0usize;
        for w in &wins {
            let (from, to) = (w.from, w.to);
            let demand = by_tenant(billing::service::figures::water_demand_figures(c, from, to)?, |r| {
                &r.tenant_id
            });
            let paid = by_tenant(
                collection::service::figures::water_collection_figures(c, from, to)?,
                |r| &r.tenant_id,
            );
            let conns = by_tenant(water::service::figures::connection_figures(c, from, to)?, |r| {
                &r.tenant_id
            });
            let rated = by_tenant(water::service::figures::feedback_figures(c, from, to)?, |r| {
                &r.tenant_id
            });
            let spent = by_tenant(echallan::service::figures::expense_figures(c, from, to)?, |r| {
                &r.tenant_id
            });
            let day = |t: Option<DateTime<Utc>>| t.map(|t| t.with_timezone(&IST).date_naive());
            // The last day inside the window (its end is exclusive at midnight).
            let last_day = w.to.map(|t| {
                let d = t.with_timezone(&IST).date_naive();
                if t == now { d } else { d - Duration::days(1) }
            });
            let batch: Vec<serde_json::Value> = tenants
                .iter()
                .map(|t| {
                    let d = demand.get(&t.code);
                    let p = paid.get(&t.code);
                    let k = conns.get(&t.code);
                    let f = rated.get(&t.code);
                    let e = spent.get(&t.code);
                    let zero = Decimal::ZERO;
                    json!({
                        "tenant_id": t.code,
                        "date_range": w.key,
                        "position": w.position,
                        "range_from": day(w.from),
                        "range_to": last_day,
                        "tenant_name": t.name,
                        "project_code": t.city_code,
                        "zone": t.zone_code.clone().unwrap_or_default(),
                        "circle": t.circle_code.clone().unwrap_or_default(),
                        "division": t.division_code.clone().unwrap_or_default(),
                        "subdivision": t.subdivision_code.clone().unwrap_or_default(),
                        "section": t.section_code.clone().unwrap_or_default(),
                        "active_users_count": users.get(&t.code).map_or(0, |u| u.users),
                        "total_advance": money(d.map_or(zero, |d| d.advance)),
                        "total_penalty": money(d.map_or(zero, |d| d.penalty)),
                        "total_connections": k.map_or(0, |k| k.total),
                        "active_connections": k.map_or(0, |k| k.active),
                        "last_demand_gen_date": d.and_then(|d| d.last_demand_date),
                        "demand_generated_consumer_count": d.map_or(0, |d| d.consumers),
                        "total_demand_amount": money(d.map_or(zero, |d| d.demand_amount)),
                        "collection_till_date": money(p.map_or(zero, |p| p.collected)),
                        "online_collection": money(p.map_or(zero, |p| p.online)),
                        "last_collection_date": p.and_then(|p| p.last_collection_date),
                        "expense_count": e.map_or(0, |e| e.expense_count),
                        "count_of_electricity_expense_bills": e.map_or(0, |e| e.electricity_count),
                        "no_of_paid_expense_bills": e.map_or(0, |e| e.paid_count),
                        "last_expense_txn_date": e.and_then(|e| e.last_expense_date),
                        "total_amount_of_expense_bills": money(e.map_or(zero, |e| e.expense_amount)),
                        "total_amount_of_electricity_bills": money(e.map_or(zero, |e| e.electricity_amount)),
                        "total_amount_of_paid_expense_bills": money(e.map_or(zero, |e| e.paid_amount)),
                        "rating_count": f.map_or(0, |f| f.ratings),
                        "last_rating_date": f.and_then(|f| f.last_rating_date),
                    })
                })
                .collect();
            rows += diesel::sql_query(format!(
                "INSERT INTO rollout_dashboard ({COLUMNS}) SELECT {COLUMNS} FROM \
                 jsonb_to_recordset($1) AS x({TYPED})"
            ))
            .bind::<Jsonb, _>(serde_json::Value::Array(batch))
            .execute(c)?;
        }
        Ok(Refreshed {
            tenants: tenants.len(),
            windows: wins.len(),
            rows,
        })
    })
}

const COLUMNS: &str = "tenant_id, date_range, position, range_from, range_to, tenant_name, \
    project_code, zone, circle, division, subdivision, section, active_users_count, \
    total_advance, total_penalty, total_connections, active_connections, last_demand_gen_date, \
    demand_generated_consumer_count, total_demand_amount, collection_till_date, \
    online_collection, last_collection_date, expense_count, count_of_electricity_expense_bills, \
    no_of_paid_expense_bills, last_expense_txn_date, total_amount_of_expense_bills, \
    total_amount_of_electricity_bills, total_amount_of_paid_expense_bills, rating_count, \
    last_rating_date";

const TYPED: &str = "tenant_id text, date_range text, position smallint, range_from date, \
    range_to date, tenant_name text, project_code text, zone text, circle text, division text, \
    subdivision text, section text, active_users_count integer, total_advance numeric, \
    total_penalty numeric, total_connections integer, active_connections integer, \
    last_demand_gen_date date, demand_generated_consumer_count integer, \
    total_demand_amount numeric, collection_till_date numeric, online_collection numeric, \
    last_collection_date date, expense_count integer, count_of_electricity_expense_bills integer, \
    no_of_paid_expense_bills integer, last_expense_txn_date date, \
    total_amount_of_expense_bills numeric, total_amount_of_electricity_bills numeric, \
    total_amount_of_paid_expense_bills numeric, rating_count integer, last_rating_date date";

/// One row of the dashboard.
#[derive(Clone, Debug, QueryableByName, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = Text)]
    pub date_range: String,
    #[diesel(sql_type = SmallInt)]
    pub position: i16,
    #[diesel(sql_type = Nullable<Date>)]
    pub range_from: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub range_to: Option<NaiveDate>,
    #[diesel(sql_type = Text)]
    pub tenant_name: String,
    #[diesel(sql_type = Text)]
    pub project_code: String,
    #[diesel(sql_type = Text)]
    pub zone: String,
    #[diesel(sql_type = Text)]
    pub circle: String,
    #[diesel(sql_type = Text)]
    pub division: String,
    #[diesel(sql_type = Text)]
    pub subdivision: String,
    #[diesel(sql_type = Text)]
    pub section: String,
    #[diesel(sql_type = Integer)]
    pub active_users_count: i32,
    #[diesel(sql_type = Numeric)]
    pub total_advance: Decimal,
    #[diesel(sql_type = Numeric)]
    pub total_penalty: Decimal,
    #[diesel(sql_type = Integer)]
    pub total_connections: i32,
    #[diesel(sql_type = Integer)]
    pub active_connections: i32,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_demand_gen_date: Option<NaiveDate>,
    #[diesel(sql_type = Integer)]
    pub demand_generated_consumer_count: i32,
    #[diesel(sql_type = Numeric)]
    pub total_demand_amount: Decimal,
    #[diesel(sql_type = Numeric)]
    pub collection_till_date: Decimal,
    #[diesel(sql_type = Numeric)]
    pub online_collection: Decimal,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_collection_date: Option<NaiveDate>,
    #[diesel(sql_type = Integer)]
    pub expense_count: i32,
    #[diesel(sql_type = Integer)]
    pub count_of_electricity_expense_bills: i32,
    #[diesel(sql_type = Integer)]
    pub no_of_paid_expense_bills: i32,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_expense_txn_date: Option<NaiveDate>,
    #[diesel(sql_type = Numeric)]
    pub total_amount_of_expense_bills: Decimal,
    #[diesel(sql_type = Numeric)]
    pub total_amount_of_electricity_bills: Decimal,
    #[diesel(sql_type = Numeric)]
    pub total_amount_of_paid_expense_bills: Decimal,
    #[diesel(sql_type = Integer)]
    pub rating_count: i32,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_rating_date: Option<NaiveDate>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// What to read.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// A window key; `None`: every window.
    pub date_range: Option<String>,
    pub division: Option<String>,
    pub zone: Option<String>,
    pub tenant_id: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The rows matching `f` (by GP, then window order) and how many there are in all.
pub fn search(conn: &mut PgConnection, f: &Filter) -> QueryResult<(i64, Vec<Row>)> {
    let cond = "($1::text IS NULL OR date_range = $1) AND ($2::text IS NULL OR division = $2) \
                AND ($3::text IS NULL OR zone = $3) AND ($4::text IS NULL OR tenant_id = $4)";
    let total: Count = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM rollout_dashboard WHERE {cond}"
    ))
    .bind::<Nullable<Text>, _>(f.date_range.as_deref())
    .bind::<Nullable<Text>, _>(f.division.as_deref())
    .bind::<Nullable<Text>, _>(f.zone.as_deref())
    .bind::<Nullable<Text>, _>(f.tenant_id.as_deref())
    .get_result(conn)?;
    let rows = diesel::sql_query(format!(
        "SELECT {COLUMNS}, created_at FROM rollout_dashboard WHERE {cond} \
         ORDER BY tenant_id, position LIMIT $5 OFFSET $6"
    ))
    .bind::<Nullable<Text>, _>(f.date_range.as_deref())
    .bind::<Nullable<Text>, _>(f.division.as_deref())
    .bind::<Nullable<Text>, _>(f.zone.as_deref())
    .bind::<Nullable<Text>, _>(f.tenant_id.as_deref())
    .bind::<BigInt, _>(f.limit)
    .bind::<BigInt, _>(f.offset)
    .load(conn)?;
    Ok((total.n, rows))
}

/// The window keys in their order, as last written (empty before the first refresh).
pub fn window_keys(now: DateTime<Utc>) -> Vec<String> {
    windows(now).into_iter().map(|w| w.key).collect()
}

/// The zones and divisions present in the dashboard, for the page's filters.
pub fn zones_and_divisions(conn: &mut PgConnection) -> QueryResult<(Vec<String>, Vec<String>)> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Text)]
        v: String,
    }
    let zones: Vec<V> = diesel::sql_query(
        "SELECT DISTINCT zone AS v FROM rollout_dashboard WHERE zone <> '' ORDER BY 1",
    )
    .load(conn)?;
    let divisions: Vec<V> = diesel::sql_query(
        "SELECT DISTINCT division AS v FROM rollout_dashboard WHERE division <> '' ORDER BY 1",
    )
    .load(conn)?;
    Ok((
        zones.into_iter().map(|v| v.v).collect(),
        divisions.into_iter().map(|v| v.v).collect(),
    ))
}
