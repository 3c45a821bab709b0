//! The calculator's screens (product.md §2.5, §2.9): bulk demand generation with its
//! confirmation of the rates and the count of households billed or not by cycle, the GP's rate
//! card, and a meter reading taken on the household screen.

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::{bulk, meter};
use crate::db;
use crate::error::AppError;
use crate::http::page::{
    self, Form, PageCtx, PageResult, StaffPage, Tile, csrf_forms, day_ms, ist_date,
};
use crate::http::routes::{Access, Routes};
use crate::municipal::water::register;
use crate::municipal::water::service::Ctx;
use crate::state::AppState;
use crate::time::IST;
use crate::words::inr;

/// Who generates demand (product.md §1.2).
pub const DEMAND_ROLES: &[&str] = &[
    "BULK_DEMAND_PROCESSING",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
];
/// Who reads the rate card: every member of staff.
pub const RATE_CARD_ROLES: &[&str] = &[];

/// The home tiles of the calculator's screens.
pub const TILES: &[Tile] = &[
    Tile {
        place: 6,
        key: "CORE_GENERATE_DEMAND",
        href: "/home/billmanualgenerate",
        roles: DEMAND_ROLES,
    },
    Tile {
        place: 10,
        key: "CORE_GPWSC_DETAILS_AND_RATE_INFO",
        href: "/home/villagedetails",
        roles: RATE_CARD_ROLES,
    },
];

pub fn routes(r: &mut Routes<'_>) {
    let demand = Access::Page(DEMAND_ROLES);
    let collect = Access::Page(crate::municipal::water::pages::COLLECT_ROLES);
    r.post("/home/household/reading", collect, reading)
        .get(
            "/home/villagedetails",
            Access::Page(RATE_CARD_ROLES),
            rate_card,
        )
        .get("/home/billmanualgenerate", demand, generate_form)
        .post("/home/billmanualgenerate/confirm", demand, generate_confirm)
        .post("/home/billmanualgenerate", demand, generate)
        .get(
            "/home/billmanualgenerate/consumers",
            demand,
            demand_households,
        );
}

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx::of(state)
}

#[derive(Deserialize)]
struct ReadingForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    no: String,
    #[serde(default)]
    reading: String,
    #[serde(default)]
    date: String,
    /// Sent by the confirmation step: make the bill.
    #[serde(default)]
    confirmed: Option<String>,
}

#[derive(Template)]
#[template(path = "calculator/reading.html")]
struct ReadingPage {
    p: PageCtx,
    no: String,
    no_q: String,
    reading: String,
    date: String,
    /// (label, value, id) rows: the readings, units, rate and amount.
    rows: Vec<(String, String, &'static str)>,
}

/// A rate as a line: the fixed charge, then each band's rate per unit.
fn rate_text(p: &PageCtx, r: &super::rates::Rate) -> String {
    let mut parts = Vec::new();
    if !r.minimum.is_zero() {
        parts.push(format!("{} {}", p.t("WS_RATE_FIXED"), inr(r.minimum)));
    }
    for b in &r.bands {
        let band = if r.bands.len() > 1 {
            format!(" ({} – {})", b.from.normalize(), b.to.normalize())
        } else {
            String::new()
        };
        parts.push(format!("{} {}{band}", p.t("WS_RATE_PER_UNIT"), inr(b.rate)));
    }
    parts.join(" + ")
}

/// A meter reading on the household screen: first what it would bill (`meter::plan`, the rule
/// that bills it), then, confirmed, the bill (`meter::create`) and back to the household with
/// a notice of the amount.
async fn reading(mut page: StaffPage, form: Form<ReadingForm>) -> PageResult {
    let form = form.into_inner();
    let new = meter::NewReading {
        tenant_id: page.tenant.clone(),
        connection_no: form.no.clone(),
        current_reading: Some(form.reading.trim().parse().unwrap_or(-1)),
        current_reading_date: day_ms(&form.date).or(Some(Utc::now().timestamp_millis())),
        last_reading: None,
        meter_status: None,
    };
    let (st, actor) = (page.state.clone(), Some(page.actor()));
    let no = page::urlencode(&form.no);
    let r = if form.confirmed.is_some() {
        db::transaction(&page.state.pool, move |c| {
            meter::create(c, ctx(&st), &new, actor, Utc::now()).map(|_| None)
        })
        .await
    } else {
        db::run(&page.state.pool, move |c| {
            meter::plan(c, ctx(&st), &new, Utc::now()).map(Some)
        })
        .await
    };
    match r {
        Ok(None) => Ok(page::see_other(&format!(
            "/home/household?no={no}&billed=1"
        ))),
        Ok(Some(plan)) => {
            let p = page.ctx()?;
            let day = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
            let rows = vec![
                (
                    p.t("WS_PREVIOUS_READING"),
                    format!("{} ({})", plan.last_reading, day(plan.last_date)),
                    "plan-previous",
                ),
                (
                    p.t("WS_CURRENT_READING"),
                    format!("{} ({})", plan.current_reading, day(plan.reading_day)),
                    "plan-current",
                ),
                (
                    p.t("COLLECT_PERIOD"),
                    format!("{} – {}", day(plan.last_date), day(plan.reading_day)),
                    "plan-period",
                ),
                (
                    p.t("WS_CONSUMPTION"),
                    plan.units.normalize().to_string(),
                    "plan-units",
                ),
                (p.t("WS_RATE"), rate_text(&p, &plan.rate), "plan-rate"),
                (p.t("CORE_AMOUNT"), inr(plan.charge), "plan-amount"),
            ];
            let shown = ReadingPage {
                no: plan.connection.connection_no.clone(),
                no_q: no,
                reading: plan.current_reading.to_string(),
                date: plan.reading_day.format("%Y-%m-%d").to_string(),
                rows,
                p,
            };
            page.render(StatusCode::OK, shown)
        }
        Err(AppError::Client { errors, .. }) => {
            // the reading's own error when the catalogue says it, else a general one
            let key = errors
                .first()
                .map(|e| format!("ERR_{}", e.code))
                .filter(|k| page.texts().t(k) != *k)
                .unwrap_or_else(|| "WS_READING_NOT_SAVED".to_owned());
            Ok(page::see_other(&format!(
                "/home/household?no={no}&error={key}"
            )))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "calculator/generate.html")]
struct GeneratePage {
    p: PageCtx,
    months: Vec<(String, String)>,
    /// Confirmation step: the month chosen and the rates (type, rate); empty: choose a month.
    month: String,
    month_label: String,
    rates: Vec<(String, String)>,
    all_zero: bool,
    /// Confirmation step: what a run would do (how many households, for how much), or why it
    /// would bill nobody; and whether there is anything to run.
    plan: String,
    can_run: bool,
    error: String,
    /// What the run did, or why it billed nobody.
    result: String,
    batches: Vec<(String, String, String, i32, i32)>,
    /// The water connection count: (billing cycle, households, link to them).
    generated: Vec<(String, usize, String)>,
    not_generated: Vec<(String, usize, String)>,
}

/// The month an instant falls in (IST), as the count panel labels it.
fn month_of(p: &PageCtx, ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| p.month_label(t.with_timezone(&IST).date_naive()))
        .unwrap_or_default()
}

fn count_rows(p: &PageCtx, list: &[(i64, usize)], param: &str) -> Vec<(String, usize, String)> {
    list.iter()
        .map(|(at, n)| {
            (
                month_of(p, *at),
                *n,
                format!("/home/billmanualgenerate/consumers?{param}={at}"),
            )
        })
        .collect()
}

/// The past months of this and the last financial year, newest first.
fn past_months(now: DateTime<Utc>) -> Vec<NaiveDate> {
    let today = now.with_timezone(&IST).date_naive();
    let start = crate::time::Fy(crate::time::Fy::of_date(today).0 - 1).first_day();
    let mut out = Vec::new();
    let mut d = bulk::default_month(now);
    while d >= start {
        out.push(d);
        d = crate::time::prev_month(d);
    }
    out
}

/// Why a run of `month` bills nobody: the month is already billed, no household was active on
/// flat rate then, or their rates are 0.
fn nothing_billed(p: &PageCtx, v: &bulk::Preview, month: NaiveDate) -> String {
    let key = if v.already > 0 {
        "WS_DEMAND_NONE_ALREADY"
    } else if v.eligible == 0 {
        "WS_DEMAND_NONE_NOBODY"
    } else {
        "WS_DEMAND_NONE_RATE_ZERO"
    };
    p.t_n(key, v.already)
        .replace("{month}", &p.month_label(month))
}

/// What a run of `month` would do (`bulk::preview`, the run's own rule).
async fn preview(page: &StaffPage, month: NaiveDate) -> Result<bulk::Preview, AppError> {
    let (st, t) = (page.state.clone(), page.tenant.clone());
    db::run(&page.state.pool, move |c| {
        bulk::preview(c, ctx(&st), &t, month)
    })
    .await
}

async fn generate_page(
    mut page: StaffPage,
    month: Option<NaiveDate>,
    error: String,
    result: String,
) -> PageResult {
    let p = page.ctx()?;
    let (st, t) = (page.state.clone(), page.tenant.clone());
    let (rates, plan, batches, counts) = db::run(&page.state.pool, move |c| {
        let (rates, plan) = match month {
            Some(m) => (
                bulk::flat_rates(c, ctx(&st), &t, m)?,
                Some(bulk::preview(c, ctx(&st), &t, m)?),
            ),
            None => (Vec::new(), None),
        };
        Ok((
            rates,
            plan,
            bulk::batches(c, &t, 10)?,
            register::demand_counts(c, &t)?,
        ))
    })
    .await?;
    let (plan, can_run) = match (plan, month) {
        (Some(v), Some(m)) if v.to_bill > 0 => (
            p.t_n("WS_DEMAND_WILL_BILL", v.to_bill)
                .replace("{amount}", &inr(v.total))
                .replace("{month}", &p.month_label(m)),
            true,
        ),
        (Some(v), Some(m)) => (nothing_billed(&p, &v, m), false),
        _ => (String::new(), false),
    };
    let months = past_months(Utc::now())
        .into_iter()
        .map(|d| (d.format("%Y-%m").to_string(), p.month_label(d)))
        .collect();
    let shown = GeneratePage {
        months,
        month: month
            .map(|m| m.format("%Y-%m").to_string())
            .unwrap_or_default(),
        month_label: month.map(|m| p.month_label(m)).unwrap_or_default(),
        all_zero: !rates.is_empty() && rates.iter().all(|(_, r, _)| r.is_zero()),
        rates: rates
            .iter()
            .map(|(t, r, _)| (p.t(&format!("PROPERTYTYPE_{t}")), inr(*r)))
            .collect(),
        plan,
        can_run,
        error,
        result,
        batches: batches
            .iter()
            .map(|b| {
                (
                    p.month_label(b.period_from.with_timezone(&IST).date_naive()),
                    p.t(&format!("WS_BATCH_{}", b.status)),
                    ist_date(b.started_at),
                    b.created,
                    b.skipped,
                )
            })
            .collect(),
        generated: count_rows(&p, &counts.generated, "billed_to"),
        not_generated: count_rows(&p, &counts.not_generated, "not_since"),
        p,
    };
    let status = if shown.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page.render(status, shown)
}

async fn generate_form(page: StaffPage) -> PageResult {
    generate_page(page, None, String::new(), String::new()).await
}

#[derive(Deserialize)]
struct CountQuery {
    #[serde(default)]
    billed_to: Option<String>,
    #[serde(default)]
    not_since: Option<String>,
}

#[derive(Template)]
#[template(path = "calculator/demand_list.html")]
struct DemandListPage {
    p: PageCtx,
    title: String,
    cycle: String,
    /// (number, number for the link, old id, name, pending)
    rows: Vec<(String, String, String, String, String)>,
}

/// The households behind one count of the panel: last billed up to a month's end
/// (`billed_to`), or never billed since joining with that last cycle (`not_since`).
async fn demand_households(mut page: StaffPage, q: web::Query<CountQuery>) -> PageResult {
    let ms = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<i64>().ok());
    let which = match (ms(&q.billed_to), ms(&q.not_since)) {
        (Some(at), None) => register::Billed::To(at),
        (None, Some(at)) => register::Billed::NotSince(at),
        _ => {
            return Err(AppError::bad_request(
                "INVALID_QUERY_PARAMETER",
                "billed_to or not_since: a time in epoch milliseconds",
            )
            .into());
        }
    };
    let p = page.ctx()?;
    let (st, t) = (page.state.clone(), page.tenant.clone());
    let list = db::run(&page.state.pool, move |c| {
        register::demand_list(c, ctx(&st), &t, which)
    })
    .await?;
    let (title, at) = match which {
        register::Billed::To(at) => (p.t("LAST_BILL_CYCLE_DEMAND_GENERATED"), at),
        register::Billed::NotSince(at) => (p.t("LAST_BILL_CYCLE_DEMAND_NOT_GENERATED"), at),
    };
    let shown = DemandListPage {
        title,
        cycle: month_of(&p, at),
        rows: list
            .iter()
            .map(|e| {
                let c = &e.household.connection;
                (
                    c.connection_no.clone(),
                    page::urlencode(&c.connection_no),
                    c.old_connection_no.clone(),
                    e.household.owner.name.clone(),
                    inr(e.figures.pending),
                )
            })
            .collect(),
        p,
    };
    page.render(StatusCode::OK, shown)
}

#[derive(Deserialize)]
struct MonthForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    month: String,
}

async fn generate_confirm(page: StaffPage, form: Form<MonthForm>) -> PageResult {
    match bulk::parse_period(&form.month) {
        Some(m) => generate_page(page, Some(m), String::new(), String::new()).await,
        None => {
            let error = page.texts().t("ERR_INVALID_BILLING_PERIOD");
            generate_page(page, None, error, String::new()).await
        }
    }
}

async fn generate(page: StaffPage, form: Form<MonthForm>) -> PageResult {
    let p = page.texts();
    let Some(month) = bulk::parse_period(&form.month) else {
        let error = p.t("ERR_INVALID_BILLING_PERIOD");
        return generate_page(page, None, error, String::new()).await;
    };
    let result =
        match super::run_bulk(&page.state, page.tenant.clone(), month, Some(page.actor())).await {
            Ok((b, total)) if b.created > 0 => p
                .t_n("WS_DEMAND_BILLED", i64::from(b.created))
                .replace("{amount}", &inr(total))
                .replace("{month}", &p.month_label(month)),
            Ok(_) => nothing_billed(&p, &preview(&page, month).await?, month),
            Err(AppError::Client { errors, .. })
                if errors
                    .iter()
                    .all(|e| e.code == "NO_CONNECTIONS_TO_GENERATE_DEMANDS") =>
            {
                nothing_billed(&p, &preview(&page, month).await?, month)
            }
            Err(e @ AppError::Client { .. }) => {
                let lines = p.error_lines(&e).join(" ");
                return generate_page(page, None, lines, String::new()).await;
            }
            Err(e) => return Err(e.into()),
        };
    generate_page(page, None, String::new(), result).await
}

#[derive(Template)]
#[template(path = "calculator/rates.html")]
struct RatesPage {
    p: PageCtx,
    /// (service type, charge head, calculation, slab, rate)
    rows: Vec<(String, String, String, String, String)>,
    effective: String,
    /// The GP's village and its place in the hierarchy: (label, value, row id).
    details: Vec<(String, String, &'static str)>,
}

/// The village's rows of its details card (product.md §2.9), as the iFIX searches answer them:
/// each unit by name in the page's language and by code, as the app's card shows them.
fn village_rows(
    p: &PageCtx,
    g: &crate::platform::mdms::model::Tenant,
    chain: &[crate::municipal::gpwsc::service::Entity],
    project: &crate::municipal::gpwsc::service::Project,
) -> Vec<(String, String, &'static str)> {
    let named = |code: &str, english: &str| format!("{} ({code})", p.division_name(code, english));
    let mut rows = vec![
        (p.t("VILLAGE_NAME"), p.gp_name().to_owned(), "gp-village"),
        (p.t("VILLAGE_CODE"), g.city_code.clone(), "gp-village-code"),
        (
            p.t("PROJECT_SCHEME_CODE"),
            project.code.clone(),
            "gp-project",
        ),
    ];
    for (level, key, id) in [
        (5, "SECTION_CODE", "gp-section"),
        (4, "SUB_DIVISION_CODE", "gp-subdivision"),
        (3, "DIVISION_CODE", "gp-division"),
        (2, "CIRCLE_CODE", "gp-circle"),
        (1, "ZONE_CODE", "gp-zone"),
    ] {
        if let Some(e) = chain.iter().find(|e| e.level == level) {
            rows.push((p.t(key), named(&e.code, &e.name), id));
        }
    }
    if let (Some(code), Some(name)) = (&g.district_code, &g.district_name) {
        rows.push((p.t("DISTRICT_CODE"), named(code, name), "gp-district"));
    }
    if let (Some(code), Some(name)) = (&g.block_code, &g.block_name) {
        rows.push((p.t("REGION_NAME"), named(code, name), "gp-block"));
    }
    rows
}

/// The GP's rate card (product.md §2.9): service type, charge head, flat or per unit, slab, rate.
async fn rate_card(mut page: StaffPage) -> PageResult {
    let p = page.ctx()?;
    let (st, t) = (page.state.clone(), page.tenant.clone());
    let today = Utc::now().with_timezone(&IST).date_naive();
    let (rates, gp) = db::run(&page.state.pool, move |c| {
        let gp = crate::platform::mdms::repo::tenant(c, &t)?;
        let village =
            crate::municipal::gpwsc::service::village(c, &st.settings.app.state_tenant, &t)?;
        let mut out = Vec::new();
        for ptype in bulk::PROPERTY_TYPES {
            for ctype in ["Non_Metered", "Metered"] {
                if let Ok(r) = super::rates::rate_for(
                    c,
                    &st.settings.app.state_tenant,
                    &t,
                    ptype,
                    ctype,
                    today,
                ) {
                    out.push((ptype, ctype, r));
                }
            }
        }
        Ok((out, gp.zip(village)))
    })
    .await?;
    let details = match &gp {
        Some((g, (chain, project))) => village_rows(&p, g, chain, project),
        None => Vec::new(),
    };
    let effective = rates
        .first()
        .map(|(_, _, r)| r.effective_from.format("%d/%m/%Y").to_string())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (ptype, ctype, r) in &rates {
        let service_type = format!(
            "{} · {}",
            p.t(&format!("PROPERTYTYPE_{ptype}")),
            p.t(&format!("CONNECTIONTYPE_{}", ctype.to_uppercase()))
        );
        if *ctype == "Metered" {
            rows.push((
                service_type.clone(),
                p.t("TAXHEAD_10101"),
                p.t("WS_RATE_FIXED"),
                "—".to_owned(),
                inr(r.minimum),
            ));
            for b in &r.bands {
                rows.push((
                    service_type.clone(),
                    p.t("TAXHEAD_10101"),
                    p.t("WS_RATE_PER_UNIT"),
                    format!("{} – {}", b.from.normalize(), b.to.normalize()),
                    inr(b.rate),
                ));
            }
        } else {
            rows.push((
                service_type,
                p.t("TAXHEAD_10101"),
                p.t("WS_RATE_FLAT"),
                "—".to_owned(),
                inr(r.minimum),
            ));
        }
    }
    page.render(
        StatusCode::OK,
        RatesPage {
            p,
            rows,
            effective,
            details,
        },
    )
}

csrf_forms!(MonthForm, ReadingForm);
