//! The demo GPs' households and their last twelve months, written through the product's own
//! services as the GP would have lived them: the households entered (with what they brought
//! from the old register) on the first day of the first month, then month by month the flat
//! rate bulk demand, the meter readings, the daily penalty job, the payments at the counter
//! (some rated by the household afterwards: the satisfaction scores) and, in the last month, a
//! receipt entered in error at the counter and cancelled, each at its own time. One transaction per
//! village; skipped when its demo households exist (by their old connection numbers), so a
//! second run changes nothing.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::people::{self, Habit, Opening, Plan, Rng, Village};
use crate::business::billing::service as billing;
use crate::business::collection::service::{self as collection, NewPayment};
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::municipal::calculator::{bulk, meter, penalty};
use crate::municipal::water::citizen::feedback_pages as feedback;
use crate::municipal::water::service::{
    self as water, ConnectionUpdate, Criteria, Ctx, NewConnection, NewProperty, OwnerIn, SERVICE,
};
use crate::platform::encryption::Crypto;
use crate::platform::user::service::{self as users, Identity};
use crate::time::{IST, ist_day_start_millis, month_start, next_month, prev_month};

/// What the demo's households hold after a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// The village (tenant id).
    pub village: &'static str,
    /// False when the demo households were already there (nothing written).
    pub created: bool,
    pub households: i64,
    pub demands: usize,
    pub readings: usize,
    pub payments: usize,
    /// What live receipts took (the cancelled one aside).
    pub collected: Decimal,
    pub penalties: Decimal,
    /// Payments the household rated afterwards.
    pub ratings: usize,
    /// Receipts cancelled (the one entered in error).
    pub cancelled: usize,
    /// The twelve months billed: the first and the last.
    pub months: Option<(NaiveDate, NaiveDate)>,
}

/// `hour` o'clock IST on `d`.
fn at(d: NaiveDate, hour: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ist_day_start_millis(d) + hour * 3_600_000).unwrap_or_default()
}

/// The twelve months before the month of `now` (IST), oldest first.
pub fn months_before(now: DateTime<Utc>) -> Vec<NaiveDate> {
    let mut m = month_start(now.with_timezone(&IST).date_naive());
    let mut out: Vec<NaiveDate> = (0..12)
        .map(|_| {
            m = prev_month(m);
            m
        })
        .collect();
    out.reverse();
    out
}

fn app(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{}: {:?}", e.code(), e.details())
}

/// Builds the demo GP's households as of `now` (the CLI passes the current time; tests pin one).
pub fn setup(
    conn: &mut PgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<Summary> {
    setup_village(conn, settings, now, &people::LODHIPUR)
}

/// Builds the second demo GP's households (Abiana Kalan, same division) as of `now`.
pub fn setup_second(
    conn: &mut PgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<Summary> {
    setup_village(conn, settings, now, &people::ABIANA_KALAN)
}

/// Builds one village's households as of `now`.
pub fn setup_village(
    conn: &mut PgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    v: &Village,
) -> anyhow::Result<Summary> {
    let crypto = Crypto::from_settings(&settings.security)?;
    let ctx = Ctx {
        state_tenant: &settings.app.state_tenant,
        crypto: &crypto,
        sec: &settings.security,
        notify: None,
    };
    // Bills show the household's holder as payer, as in the server.
    billing::install_payers(SERVICE, water::bill_payers);
    conn.transaction(|c| {
        crate::db::lift_limits_locally(c)?;
        let existing = demo_households(c, ctx, v).map_err(app)?;
        if existing > 0 {
            return Ok(Summary {
                village: v.tenant,
                households: existing,
                ..Summary::default()
            });
        }
        build(c, ctx, v, now).map_err(app)
    })
}

/// How many of a village's demo households exist (by their old numbers' prefix).
fn demo_households(c: &mut PgConnection, ctx: Ctx<'_>, v: &Village) -> AppResult<i64> {
    let first = water::search(
        c,
        ctx,
        &Criteria {
            tenant_id: v.tenant.to_owned(),
            old_connection_no: Some(format!("{}001", v.old_prefix)),
            limit: 1,
            ..Criteria::default()
        },
    )?;
    if first.1 == 0 {
        return Ok(0);
    }
    let (found, _) = water::search(
        c,
        ctx,
        &Criteria {
            tenant_id: v.tenant.to_owned(),
            text: Some(v.old_prefix.to_owned()),
            limit: 10_000,
            ..Criteria::default()
        },
    )?;
    Ok(i64::try_from(
        found
            .iter()
            .filter(|h| h.connection.old_connection_no.starts_with(v.old_prefix))
            .count(),
    )
    .unwrap_or(0))
}

/// A demo staff member's account, when the staff exist.
fn staff(c: &mut PgConnection, ctx: Ctx<'_>, mobile: &str) -> AppResult<Option<uuid::Uuid>> {
    let id = Identity::new(ctx.crypto, ctx.sec);
    match users::id_by_login(c, id, ctx.state_tenant, "EMPLOYEE", mobile)? {
        Some(n) => Ok(users::get(c, ctx.crypto, n)?.map(|u| u.uuid)),
        None => Ok(None),
    }
}

struct Home {
    tenant: &'static str,
    plan: Plan,
    no: String,
    reading: i64,
    active: bool,
}

fn build(
    c: &mut PgConnection,
    ctx: Ctx<'_>,
    v: &Village,
    now: DateTime<Utc>,
) -> AppResult<Summary> {
    let months = months_before(now);
    let mut s = Summary {
        village: v.tenant,
        created: true,
        months: Some((months[0], months[11])),
        ..Summary::default()
    };
    let secretary = staff(c, ctx, v.secretary)?;
    let collector = staff(c, ctx, v.collector)?.or(secretary);
    // entered on the first day of the first month billed
    let joined = at(months[0], 10).min(now);
    let mut homes = Vec::with_capacity(v.count);
    for p in people::plans(v) {
        homes.push(enter(c, ctx, v.tenant, p, months[0], secretary, joined)?);
    }
    s.households = i64::try_from(homes.len()).unwrap_or(0);
    let mut rng = Rng::new(v.months_seed);
    for (k, &month) in months.iter().enumerate() {
        let bill_day = next_month(month);
        let billed_at = at(bill_day, 9).min(now);
        match bulk::run_at(c, ctx, v.tenant, month, secretary, billed_at) {
            Ok((b, _)) => s.demands += usize::try_from(b.created).unwrap_or(0),
            Err(e) if e.code() == "NO_CONNECTIONS_TO_GENERATE_DEMANDS" => {}
            Err(e) => return Err(e),
        }
        for h in homes.iter_mut().filter(|h| h.active && h.plan.metered) {
            h.reading += rng.between(h.plan.units.0, h.plan.units.1);
            meter::create(
                c,
                ctx,
                &meter::NewReading {
                    tenant_id: v.tenant.to_owned(),
                    connection_no: h.no.clone(),
                    current_reading: Some(h.reading),
                    current_reading_date: Some(ist_day_start_millis(bill_day)),
                    last_reading: None,
                    meter_status: Some("Working".to_owned()),
                },
                secretary,
                billed_at,
            )?;
            s.readings += 1;
            s.demands += 1;
        }
        // the daily job, once the month's grace days are over (the GP's own rule)
        let job_at = (at(bill_day, 6) + Duration::days(12)).min(now);
        s.penalties += penalty::apply(c, ctx.state_tenant, v.tenant, job_at)?.1;
        // the month's visits to the counter, in the order they were made
        let mut visits: Vec<(DateTime<Utc>, usize)> = Vec::new();
        for (i, h) in homes.iter().enumerate() {
            let day = i64::from(h.plan.pay_day) + rng.between(-2, 2);
            let minute = rng.between(0, 420);
            let t = at(bill_day, 10) + Duration::days(day - 1) + Duration::minutes(minute);
            if h.active && t <= now {
                visits.push((t, i));
            }
        }
        visits.sort();
        let last = k + 1 == months.len();
        for (t, i) in visits {
            // in the last month, the counter enters one prompt household's payment, finds it
            // was entered against the wrong bill and cancels the receipt ten minutes later,
            // before taking it again
            if last && s.cancelled == 0 && homes[i].plan.habit == Habit::Prompt {
                let wrong = t - Duration::minutes(20);
                if let Some((_, mistaken)) = pay(c, ctx, &homes[i], k, &mut rng, collector, wrong)?
                {
                    let noticed = wrong + Duration::minutes(10);
                    collection::cancel(c, v.tenant, mistaken, collector, noticed)?;
                    s.cancelled += 1;
                }
            }
            let Some((paid, payment)) = pay(c, ctx, &homes[i], k, &mut rng, collector, t)? else {
                continue;
            };
            s.payments += 1;
            s.collected += paid;
            // about one payment in five is rated by the household the same evening
            let rated = t + Duration::hours(8);
            if rng.between(0, 99) < 20 && rated <= now {
                let answers = [4, 5, 3].map(|base: i16| {
                    (base + i16::try_from(rng.between(-1, 1)).unwrap_or(0)).clamp(1, 5)
                });
                feedback::submit(c, v.tenant, &homes[i].no, payment, answers, None, rated)?;
                s.ratings += 1;
            }
        }
        for h in homes.iter_mut() {
            if h.active && h.plan.inactive_after == Some(k) {
                let t = (at(bill_day, 16) + Duration::days(26)).min(now);
                leave(c, ctx, v.tenant, h, secretary, t)?;
            }
        }
    }
    Ok(s)
}

/// Enters a household as the secretary would: its property and owner, then its connection with
/// what it brings from the old register (last cycle billed: the month before the first month).
fn enter(
    c: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &'static str,
    p: Plan,
    first_month: NaiveDate,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Home> {
    let property = water::create_property(
        c,
        ctx,
        &NewProperty {
            tenant_id: tenant.to_owned(),
            property_type: if p.commercial {
                "COMMERCIAL"
            } else {
                "RESIDENTIAL"
            }
            .to_owned(),
            door_no: Some(p.door.clone()),
            street: Some(p.street.clone()),
            locality: None,
            owner: OwnerIn {
                name: p.name.clone(),
                guardian: p.guardian.clone(),
                gender: p.gender.to_owned(),
                mobile: p.mobile.clone(),
            },
            owner_is_primary: Some(true),
            additional_details: serde_json::json!({}),
        },
        actor,
        now,
    )?;
    let (arrears, penalty, advance, kind) = match p.opening {
        Opening::None => (None, None, None, None),
        Opening::Arrears(a, pen) => (Some(a), Some(pen), None, Some("arrears")),
        Opening::Advance(a) => (None, None, Some(a), Some("advance")),
    };
    let (prd, meter_id, first) = if p.metered {
        (
            ist_day_start_millis(first_month),
            Some(p.meter_id.clone()),
            Some(p.first_reading),
        )
    } else {
        (ist_day_start_millis(prev_month(first_month)), None, None)
    };
    let h = water::create_connection(
        c,
        ctx,
        &NewConnection {
            tenant_id: tenant.to_owned(),
            property_id: property.property_id,
            old_connection_no: p.old_no.clone(),
            connection_type: if p.metered { "Metered" } else { "Non_Metered" }.to_owned(),
            meter_id,
            previous_reading_date: Some(prd),
            initial_meter_reading: first,
            arrears,
            penalty,
            advance,
            holder_is_primary: Some(true),
            payment_type: kind.map(str::to_owned),
            additional_details: serde_json::json!({}),
            ..NewConnection::default()
        },
        actor,
        now,
    )?;
    Ok(Home {
        tenant,
        no: h.connection.connection_no,
        reading: p.first_reading,
        plan: p,
        active: true,
    })
}

/// A visit to the counter in month `k` (0..12): what the household's habit pays of its bill.
/// Answers the amount paid and the payment, if any.
fn pay(
    c: &mut PgConnection,
    ctx: Ctx<'_>,
    h: &Home,
    k: usize,
    rng: &mut Rng,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Option<(Decimal, uuid::Uuid)>> {
    // (drawn whether or not there is a bill, so the draws do not hang on the ledger)
    let luck = rng.between(0, 99);
    let part = Decimal::from(*rng.pick(&[100, 150, 200, 250, 300, 500]));
    let Some(bill) =
        billing::fetch_bill(c, ctx.state_tenant, h.tenant, SERVICE, &h.no, actor, now)?
    else {
        return Ok(None);
    };
    let due = bill.bill.total_amount.floor();
    let amount = match h.plan.habit {
        Habit::Prompt => due,
        Habit::Quarterly if k % 3 == 2 => due,
        Habit::Quarterly => Decimal::ZERO,
        Habit::Behind { stops } if k < stops => due,
        Habit::Behind { .. } if luck < 15 => due.min(Decimal::from(100)),
        Habit::Behind { .. } => Decimal::ZERO,
        Habit::Irregular if luck < 60 => due.min(part),
        Habit::Irregular => Decimal::ZERO,
        Habit::Advance { at, extra } if k == at => due + Decimal::from(extra),
        Habit::Advance { .. } => due,
    };
    if amount <= Decimal::ZERO {
        return Ok(None);
    }
    Ok(take(c, ctx, h, amount, actor, now)?.map(|p| (amount, p)))
}

/// `amount` paid at the counter against the household's bill as it stands (over it, the rest
/// is advance). Answers the payment, None when it was a replay.
fn take(
    c: &mut PgConnection,
    ctx: Ctx<'_>,
    h: &Home,
    amount: Decimal,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Option<uuid::Uuid>> {
    let Some(bill) =
        billing::fetch_bill(c, ctx.state_tenant, h.tenant, SERVICE, &h.no, actor, now)?
    else {
        return Ok(None);
    };
    let taken = collection::create(
        c,
        ctx.crypto,
        ctx.state_tenant,
        &NewPayment {
            tenant_id: h.tenant.to_owned(),
            bill_id: bill.bill.id,
            business_service: SERVICE.to_owned(),
            total_due: bill.bill.total_amount,
            amount,
            payment_mode: "CASH".to_owned(),
            paid_by: Some("OWNER".to_owned()),
            payer_name: Some(h.plan.name.clone()),
            mobile: None,
            instrument_number: None,
            idempotency_key: None,
        },
        actor,
        now,
    )?;
    match taken {
        collection::Taken::New(p, _) => Ok(Some(p.id)),
        collection::Taken::Replayed(_) => Ok(None),
    }
}

/// Marks a household inactive (its remarks in Punjabi), as the secretary would.
fn leave(
    c: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    h: &mut Home,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    water::update_connection(
        c,
        ctx,
        &ConnectionUpdate {
            tenant_id: tenant.to_owned(),
            connection_no: h.no.clone(),
            status: Some("Inactive".to_owned()),
            remarks: Some(h.plan.remarks.to_owned()),
            ..ConnectionUpdate::default()
        },
        actor,
        now,
    )?;
    h.active = false;
    Ok(())
}

/// The figures a run prints.
pub fn print(s: &Summary, took: std::time::Duration) {
    if !s.created {
        println!(
            "Demo households of {}: {} already there (nothing changed).",
            s.village, s.households
        );
        return;
    }
    let span = s
        .months
        .map(|(a, b)| format!("{} to {}", a.format("%m/%Y"), b.format("%m/%Y")))
        .unwrap_or_default();
    println!(
        "Demo households of {}: {} with bills for {span}: {} demands ({} meter readings), {} payments (₹{} collected, {} rated, {} receipt cancelled), in {:.1}s.",
        s.village,
        s.households,
        s.demands,
        s.readings,
        s.payments,
        s.collected,
        s.ratings,
        s.cancelled,
        took.as_secs_f32()
    );
}
