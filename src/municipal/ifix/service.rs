//! Making fiscal events from new demands and receipts, and pushing them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Jsonb, Nullable, Numeric, Text, Timestamptz, Uuid};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde_json::{Value, json};

use super::push::Pusher;
use crate::business::{billing, collection};
use crate::config::IfixSettings;
use crate::error::AppResult;
use crate::platform::mdms;

/// A late-committed record (its transaction began before the last scan ended) is still found:
/// each scan starts this long before the watermark; events already made are skipped.
const OVERLAP_MINUTES: i64 = 30;
const BATCH: i64 = 500;

/// Events made by one export.
#[derive(Clone, Copy, Debug, Default)]
pub struct Made {
    pub demands: usize,
    pub bills: usize,
    pub receipts: usize,
    pub payments: usize,
}

#[derive(QueryableByName)]
struct Mark {
    #[diesel(sql_type = Timestamptz)]
    upto: DateTime<Utc>,
}

fn watermark(conn: &mut PgConnection, source: &str) -> QueryResult<Option<DateTime<Utc>>> {
    let m: Option<Mark> = diesel::sql_query("SELECT upto FROM ifix_watermark WHERE source = $1")
        .bind::<Text, _>(source)
        .get_result(conn)
        .optional()?;
    Ok(m.map(|m| m.upto))
}

fn set_watermark(conn: &mut PgConnection, source: &str, upto: DateTime<Utc>) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO ifix_watermark (source, upto) VALUES ($1, $2) \
         ON CONFLICT (source) DO UPDATE SET upto = greatest(ifix_watermark.upto, excluded.upto)",
    )
    .bind::<Text, _>(source)
    .bind::<Timestamptz, _>(upto)
    .execute(conn)?;
    Ok(())
}

/// An exact amount as a JSON number (two decimals at most: printed back as written).
fn number(d: Decimal) -> Value {
    d.round_dp(2)
        .to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// The GP's project code in iFIX (its city code in the tenant master) and its state.
struct Places {
    state: String,
    projects: HashMap<String, String>,
}

impl Places {
    fn project(&mut self, conn: &mut PgConnection, tenant: &str) -> QueryResult<String> {
        if let Some(p) = self.projects.get(tenant) {
            return Ok(p.clone());
        }
        let p = mdms::repo::tenant(conn, tenant)?
            .map(|t| t.city_code)
            .unwrap_or_default();
        self.projects.insert(tenant.to_owned(), p.clone());
        Ok(p)
    }
}

struct NewEvent<'a> {
    tenant: &'a str,
    event_type: &'static str,
    source_id: uuid::Uuid,
    source_at: DateTime<Utc>,
    reference: &'a str,
    attributes: Value,
    /// (tax head, amount, period from, period to)
    lines: Vec<Line>,
}

/// The wire name of an event type (iFIX fiscal events).
fn wire_type(t: &str) -> &'static str {
    match t {
        "DEMAND" => "Demand",
        "BILL" => "Bill",
        "RECEIPT" => "Receipt",
        _ => "Payment",
    }
}

/// Writes one event unless that record already has one; true when written.
fn insert(
    conn: &mut PgConnection,
    places: &mut Places,
    e: NewEvent<'_>,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let id = uuid::Uuid::new_v4();
    let project = places.project(conn, e.tenant)?;
    let amount: Decimal = e.lines.iter().map(|l| l.1).sum();
    let details: Vec<Value> = e
        .lines
        .iter()
        .filter(|l| !l.1.is_zero())
        .map(|(head, amount, from, to)| {
            let code = super::coa::code_of(head);
            if code.is_none() {
                tracing::warn!(tax_head = %head, "iFIX: no chart-of-accounts code for the tax head");
            }
            json!({
                "amount": number(*amount),
                "coaCode": code,
                "taxHeadCode": head,
                "fromBillingPeriod": from.map(|t| t.timestamp_millis()),
                "toBillingPeriod": to.map(|t| t.timestamp_millis()),
            })
        })
        .collect();
    let body = json!({
        "requestHeader": {
            "ts": now.timestamp_millis(),
            "version": "v1",
            "msgId": id,
            "signature": null,
        },
        "fiscalEvent": [{
            "id": id,
            "tenantId": places.state,
            "projectId": project,
            "eventType": wire_type(e.event_type),
            "eventTime": e.source_at.timestamp_millis(),
            "referenceId": e.source_id,
            "parentEventId": null,
            "parentReferenceId": e.reference,
            "amountDetails": details,
            "attributes": e.attributes,
        }],
    });
    let n = diesel::sql_query(
        "INSERT INTO ifix_event (id, tenant_id, event_type, source_id, source_at, amount, body, \
           next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (source_id, event_type) DO NOTHING",
    )
    .bind::<Uuid, _>(id)
    .bind::<Text, _>(e.tenant)
    .bind::<Text, _>(e.event_type)
    .bind::<Uuid, _>(e.source_id)
    .bind::<Timestamptz, _>(e.source_at)
    .bind::<Numeric, _>(amount)
    .bind::<Jsonb, _>(body)
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    Ok(n == 1)
}

/// Turns new demands (water: Demand, expense: Bill) and receipts (water: Receipt, expense:
/// Payment) into events, once each, and moves the watermarks on. One transaction per source.
pub fn export(conn: &mut PgConnection, now: DateTime<Utc>) -> AppResult<Made> {
    let state = mdms::repo::tenants(conn)?
        .into_iter()
        .find(|t| !t.is_gram_panchayat())
        .map(|t| t.code)
        .unwrap_or_else(|| "pb".to_owned());
    let mut places = Places {
        state,
        projects: HashMap::new(),
    };
    let mut made = Made::default();
    // before any record (PostgreSQL's timestamps do not reach chrono's minimum)
    let begin = DateTime::<Utc>::from_timestamp(946_684_800, 0).unwrap_or_default();
    conn.transaction(|c| -> AppResult<()> {
        let since = watermark(c, "demand")?
            .map_or(begin, |w| w - Duration::minutes(OVERLAP_MINUTES));
        let mut after = None;
        loop {
            let batch = billing::service::figures::demands_created_since(c, since, after, BATCH)?;
            for d in &batch {
                let event_type = if d.business_service == "WS" {
                    "DEMAND"
                } else if d.business_service.starts_with("EXPENSE.") {
                    "BILL"
                } else {
                    continue;
                };
                let lines = demand_lines(&d.lines)
                    .into_iter()
                    .map(|(h, a)| (h, a, Some(d.period_from), Some(d.period_to)))
                    .collect();
                let e = NewEvent {
                    tenant: &d.tenant_id,
                    event_type,
                    source_id: d.id,
                    source_at: d.created_at,
                    reference: &d.consumer_code,
                    attributes: json!({"tenantId": d.tenant_id, "businessService": d.business_service,
                        "consumerCode": d.consumer_code}),
                    lines,
                };
                if insert(c, &mut places, e, now)? {
                    if event_type == "DEMAND" {
                        made.demands += 1;
                    } else {
                        made.bills += 1;
                    }
                }
            }
            if let Some(last) = batch.last() {
                after = Some((last.created_at, last.id));
                set_watermark(c, "demand", last.created_at)?;
            }
            if (batch.len() as i64) < BATCH {
                break;
            }
        }
        Ok(())
    })?;
    conn.transaction(|c| -> AppResult<()> {
        let since = watermark(c, "payment")?
            .map_or(begin, |w| w - Duration::minutes(OVERLAP_MINUTES));
        let mut after = None;
        loop {
            let batch = collection::service::figures::receipts_created_since(c, since, after, BATCH)?;
            for r in &batch {
                let event_type = if r.business_service == "WS" {
                    "RECEIPT"
                } else if r.business_service.starts_with("EXPENSE.") {
                    "PAYMENT"
                } else {
                    continue;
                };
                let lines = receipt_lines(c, r.id)?;
                let e = NewEvent {
                    tenant: &r.tenant_id,
                    event_type,
                    source_id: r.id,
                    source_at: r.created_at,
                    reference: &r.receipt_number,
                    attributes: json!({"tenantId": r.tenant_id, "businessService": r.business_service,
                        "consumerCode": r.consumer_code, "receiptNumber": r.receipt_number,
                        "paymentMode": r.payment_mode, "amountPaid": number(r.amount)}),
                    lines,
                };
                if insert(c, &mut places, e, now)? {
                    if event_type == "RECEIPT" {
                        made.receipts += 1;
                    } else {
                        made.payments += 1;
                    }
                }
            }
            if let Some(last) = batch.last() {
                after = Some((last.created_at, last.id));
                set_watermark(c, "payment", last.created_at)?;
            }
            if (batch.len() as i64) < BATCH {
                break;
            }
        }
        Ok(())
    })?;
    Ok(made)
}

/// A demand's lines `[[head, "amount"], …]` as (head, amount), summed per head.
fn demand_lines(v: &Value) -> Vec<(String, Decimal)> {
    let mut by_head: BTreeMap<String, Decimal> = BTreeMap::new();
    for l in v.as_array().into_iter().flatten() {
        let head = l[0].as_str().unwrap_or_default().to_owned();
        let amount = l[1]
            .as_str()
            .and_then(|a| a.parse::<Decimal>().ok())
            .unwrap_or_default();
        *by_head.entry(head).or_default() += amount;
    }
    by_head.into_iter().collect()
}

type Line = (
    String,
    Decimal,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// What a receipt paid, per tax head and period: its allocations of money received (what it
/// paid on each line, and the surplus kept as advance), credit used left out (no money moved).
fn receipt_lines(conn: &mut PgConnection, payment_detail: uuid::Uuid) -> QueryResult<Vec<Line>> {
    let allocs = collection::service::allocations(conn, payment_detail)?;
    let ids: Vec<uuid::Uuid> = allocs.iter().map(|a| a.0).collect();
    let lines = billing::service::lines_with_periods(conn, &ids)?;
    let mut by: BTreeMap<(String, DateTime<Utc>, DateTime<Utc>), Decimal> = BTreeMap::new();
    for (line, kind, amount) in allocs {
        if kind == "USE_CREDIT" {
            continue;
        }
        if let Some((_, head, from, to)) = lines.iter().find(|l| l.0 == line) {
            *by.entry((head.clone(), *from, *to)).or_default() += amount;
        }
    }
    Ok(by
        .into_iter()
        .map(|((h, f, t), a)| (h, a, Some(f), Some(t)))
        .collect())
}

/// What one push pass did.
#[derive(Clone, Debug, Default)]
pub struct Pushed {
    pub pushed: usize,
    pub retry: usize,
    pub failed: usize,
    pub errors: Vec<String>,
}

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Jsonb)]
    body: Value,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

/// Pushes the events due at `now` (pending, their wait over), oldest first, at most
/// `settings.batch`: pushed (or recorded, adapter `none`) on success; on failure tried again
/// after 1, 2, 4, … minutes (at most 6 hours), given up (failed) after `max_attempts`.
pub fn push_due(
    conn: &mut PgConnection,
    pusher: &Pusher,
    settings: &IfixSettings,
    now: DateTime<Utc>,
) -> AppResult<Pushed> {
    let due: Vec<Due> = diesel::sql_query(
        "SELECT id, body, attempts FROM ifix_event \
         WHERE status = 'pending' AND next_attempt_at <= $1 \
         ORDER BY source_at, created_at, id LIMIT $2",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<diesel::sql_types::BigInt, _>(settings.batch.max(1))
    .load(conn)?;
    let mut out = Pushed::default();
    for e in due {
        match pusher.push(&e.body) {
            Ok(pushed) => {
                diesel::sql_query(
                    "UPDATE ifix_event SET status = $2, pushed_at = $3, attempts = attempts + 1, \
                     last_error = NULL WHERE id = $1 AND status = 'pending'",
                )
                .bind::<Uuid, _>(e.id)
                .bind::<Text, _>(if pushed { "pushed" } else { "recorded" })
                .bind::<Timestamptz, _>(now)
                .execute(conn)?;
                out.pushed += 1;
            }
            Err(why) => {
                let attempts = e.attempts + 1;
                let give_up = attempts >= settings.max_attempts.max(1);
                let wait =
                    Duration::minutes(1i64 << (attempts - 1).clamp(0, 9)).min(Duration::hours(6));
                diesel::sql_query(
                    "UPDATE ifix_event SET status = $2, attempts = $3, next_attempt_at = $4, \
                     last_error = left($5, 2000) WHERE id = $1 AND status = 'pending'",
                )
                .bind::<Uuid, _>(e.id)
                .bind::<Text, _>(if give_up { "failed" } else { "pending" })
                .bind::<Integer, _>(attempts)
                .bind::<Timestamptz, _>(now + wait)
                .bind::<Nullable<Text>, _>(Some(why.clone()))
                .execute(conn)?;
                if give_up {
                    out.failed += 1;
                    out.errors.push(format!("event {}: {why}", e.id));
                } else {
                    out.retry += 1;
                }
            }
        }
    }
    Ok(out)
}
