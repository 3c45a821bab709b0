//! The SMS delivery worker. Each run takes due messages a few at a time:
//!
//! 1. **Claim** (one short transaction): due rows (`PENDING` whose time has come, or `SENDING`
//!    whose lease ran out) are locked `FOR UPDATE SKIP LOCKED`, so two workers never take the
//!    same row. Each is judged by the policies (`policy`): SKIPPED with its reason, deferred
//!    (quiet hours: back to PENDING until they end) or claimed: `SENDING` with this run's claim
//!    id, a lease (`claimed_until`), one more attempt. The claim commits before any message
//!    leaves.
//! 2. **Send** each claimed message through the adapter, outside any transaction.
//! 3. **Mark** it at once (one statement, guarded by the claim id): SENT with the provider's
//!    message id and answer, RECORDED (the `record` adapter), FAILED (a permanent refusal, with
//!    its reason), or PENDING again after an exponential backoff (timeout, 5xx, an answer not
//!    understood) until `max_attempts`, then GAVE_UP.
//!
//! A worker killed between two messages leaves the sent ones SENT and the rest SENDING; when
//! their lease ends the next run sends exactly those. The one window left is a worker killed
//! after the provider accepted a message and before step 3 committed (a few milliseconds), or a
//! provider that timed out after sending: that message is sent again when its lease ends. This
//! is **at-least-once** delivery, chosen because a lost OTP or bill is worse than a rare
//! duplicate; making it at-most-once would mean never retrying a SENDING row whose lease ran out.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::config::NotificationSettings;
use crate::db::schema::notification_outbox as ob;
use crate::error::AppResult;
use crate::platform::encryption::Crypto;

use super::policy::{Policy, Verdict, is_urgent};
use super::sms::{Accepted, Outgoing, SmsAdapter};
use super::{BODY, RECIPIENT};

/// Rows claimed at a time: the lease must outlast this many provider calls.
pub const CHUNK: i64 = 10;

/// What a run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub recorded: usize,
    pub failed: usize,
    /// Refused for now, to be tried again after the backoff.
    pub retried: usize,
    pub gave_up: usize,
    pub skipped: usize,
    /// Waiting for the end of quiet hours.
    pub deferred: usize,
}

impl Delivered {
    /// Rows this run looked at.
    pub fn handled(&self) -> usize {
        self.sent
            + self.recorded
            + self.failed
            + self.retried
            + self.gave_up
            + self.skipped
            + self.deferred
    }

    pub fn add(&mut self, o: Delivered) {
        self.sent += o.sent;
        self.recorded += o.recorded;
        self.failed += o.failed;
        self.retried += o.retried;
        self.gave_up += o.gave_up;
        self.skipped += o.skipped;
        self.deferred += o.deferred;
    }
}

impl std::fmt::Display for Delivered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} sent, {} recorded, {} failed, {} to retry, {} given up, {} skipped, {} deferred",
            self.sent,
            self.recorded,
            self.failed,
            self.retried,
            self.gave_up,
            self.skipped,
            self.deferred
        )
    }
}

/// What a delivery run needs.
pub struct Outbox<'a> {
    pub crypto: &'a Crypto,
    pub adapter: &'a dyn SmsAdapter,
    pub settings: &'a NotificationSettings,
}

struct Claimed {
    id: i64,
    tenant_id: String,
    template: String,
    mobile: String,
    text: String,
    attempts: i32,
}

/// Delivers up to `batch` due SMS, `CHUNK` at a time. Call it outside a transaction: it commits
/// its claims and marks itself. `now` is the run's start; the clock moves on from it.
pub fn deliver(
    conn: &mut PgConnection,
    ob: &Outbox<'_>,
    batch: i64,
    now: DateTime<Utc>,
) -> AppResult<Delivered> {
    let policy = Policy::from_settings(ob.settings)?;
    let started = Instant::now();
    let clock = || now + Duration::from_std(started.elapsed()).unwrap_or_default();
    let mut done = Delivered::default();
    let mut left = batch;
    while left > 0 {
        let claim = uuid::Uuid::new_v4();
        let (claimed, judged) =
            conn.transaction(|c| claim_due(c, ob, &policy, claim, CHUNK.min(left), clock()))?;
        done.add(judged);
        let looked = judged.handled() + claimed.len();
        for m in claimed {
            done.add(send_one(conn, ob, &policy, claim, m, clock())?);
        }
        if (looked as i64) < CHUNK.min(left) {
            break;
        }
        left -= looked as i64;
    }
    Ok(done)
}

type Due = (i64, String, String, String, String, String, i32);

fn claim_due(
    c: &mut PgConnection,
    ob: &Outbox<'_>,
    policy: &Policy,
    claim: uuid::Uuid,
    limit: i64,
    now: DateTime<Utc>,
) -> AppResult<(Vec<Claimed>, Delivered)> {
    let due: Vec<Due> = ob::table
        .filter(ob::channel.eq("SMS"))
        .filter(
            ob::status
                .eq("PENDING")
                .and(ob::next_attempt_at.le(now))
                .or(ob::status.eq("SENDING").and(ob::claimed_until.le(now))),
        )
        .order(ob::id)
        .limit(limit)
        .for_update()
        .skip_locked()
        .select((
            ob::id,
            ob::tenant_id,
            ob::template,
            ob::recipient_enc,
            ob::body_enc,
            ob::status,
            ob::attempts,
        ))
        .load(c)?;
    let mut judged = Delivered::default();
    let mut claimed = Vec::new();
    let mut used: HashMap<String, i64> = HashMap::new();
    let max = ob.settings.max_attempts;
    for (id, tenant_id, template, rec, body, status, attempts) in due {
        let row = ob::table.find(id);
        let opened = ob
            .crypto
            .open(RECIPIENT, &rec)
            .and_then(|m| Ok((m, ob.crypto.open(BODY, &body)?)));
        let Ok((mobile, text)) = opened else {
            end(
                c,
                id,
                "FAILED",
                "cannot be decrypted with the keys configured",
            )?;
            judged.failed += 1;
            continue;
        };
        if status == "SENDING" && attempts >= max {
            let why = format!("gave up after {attempts} attempts (the last one's worker stopped)");
            end(c, id, "GAVE_UP", &why)?;
            judged.gave_up += 1;
            continue;
        }
        match policy.judge(
            &tenant_id,
            &template,
            &mobile,
            ob.adapter.needs_dlt_template(),
            now,
        ) {
            Verdict::Skip(why) => {
                end(c, id, "SKIPPED", &why)?;
                judged.skipped += 1;
                continue;
            }
            Verdict::Defer(until, why) => {
                diesel::update(row)
                    .set((
                        ob::status.eq("PENDING"),
                        ob::next_attempt_at.eq(until),
                        ob::claim_id.eq(None::<uuid::Uuid>),
                        ob::claimed_until.eq(None::<DateTime<Utc>>),
                        ob::reason.eq(format!("deferred: {why}")),
                    ))
                    .execute(c)?;
                judged.deferred += 1;
                continue;
            }
            Verdict::Send => {}
        }
        // The budget: counted under a lock per GP, so two workers cannot both take the last one.
        if status == "PENDING"
            && !is_urgent(&template)
            && let Some(budget) = policy.budget_of(&tenant_id)
        {
            let n = match used.get(&tenant_id) {
                Some(n) => *n,
                None => {
                    diesel::sql_query(
                        "SELECT pg_advisory_xact_lock(hashtext('notification-budget'), hashtext($1))",
                    )
                    .bind::<diesel::sql_types::Text, _>(&tenant_id)
                    .execute(c)?;
                    sent_this_month(c, &tenant_id, now)?
                }
            };
            if n >= budget {
                end(
                    c,
                    id,
                    "SKIPPED",
                    &format!("monthly SMS budget of {budget} reached"),
                )?;
                judged.skipped += 1;
                used.insert(tenant_id, n);
                continue;
            }
            used.insert(tenant_id.clone(), n + 1);
        }
        diesel::update(row)
            .set((
                ob::status.eq("SENDING"),
                ob::claim_id.eq(claim),
                ob::claimed_until.eq(now + Duration::seconds(ob.settings.lease_seconds)),
                ob::attempts.eq(attempts + 1),
                ob::attempted_at.eq(now),
                ob::provider.eq(ob.adapter.name()),
                ob::reason.eq(None::<String>),
            ))
            .execute(c)?;
        claimed.push(Claimed {
            id,
            tenant_id,
            template,
            mobile,
            text,
            attempts: attempts + 1,
        });
    }
    Ok((claimed, judged))
}

/// An end other than success, with its reason.
fn end(c: &mut PgConnection, id: i64, status: &str, why: &str) -> AppResult<()> {
    diesel::update(ob::table.find(id))
        .set((
            ob::status.eq(status),
            ob::reason.eq(why),
            ob::claim_id.eq(None::<uuid::Uuid>),
            ob::claimed_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(c)?;
    Ok(())
}

fn send_one(
    conn: &mut PgConnection,
    ob: &Outbox<'_>,
    policy: &Policy,
    claim: uuid::Uuid,
    m: Claimed,
    now: DateTime<Utc>,
) -> AppResult<Delivered> {
    let outcome = ob.adapter.send(&Outgoing {
        tenant_id: &m.tenant_id,
        template: &m.template,
        mobile: &m.mobile,
        text: &m.text,
        dlt_template_id: policy.dlt_template_id(&m.template),
    });
    let mine = ob::table
        .filter(ob::id.eq(m.id))
        .filter(ob::claim_id.eq(claim))
        .filter(ob::status.eq("SENDING"));
    let released = (
        ob::claim_id.eq(None::<uuid::Uuid>),
        ob::claimed_until.eq(None::<DateTime<Utc>>),
    );
    let mut d = Delivered::default();
    let n = match outcome {
        Ok(Accepted::Sent { message_id, answer }) => {
            d.sent += 1;
            diesel::update(mine)
                .set((
                    ob::status.eq("SENT"),
                    ob::sent_at.eq(now),
                    ob::provider_message_id.eq(message_id),
                    ob::provider_answer.eq(answer),
                    ob::last_error.eq(None::<String>),
                    released,
                ))
                .execute(conn)?
        }
        Ok(Accepted::Recorded) => {
            d.recorded += 1;
            diesel::update(mine)
                .set((ob::status.eq("RECORDED"), ob::sent_at.eq(now), released))
                .execute(conn)?
        }
        Err(r) if r.permanent => {
            d.failed += 1;
            diesel::update(mine)
                .set((
                    ob::status.eq("FAILED"),
                    ob::reason.eq(&r.reason),
                    ob::last_error.eq(&r.reason),
                    ob::provider_answer.eq(&r.answer),
                    released,
                ))
                .execute(conn)?
        }
        Err(r) if m.attempts >= ob.settings.max_attempts => {
            d.gave_up += 1;
            diesel::update(mine)
                .set((
                    ob::status.eq("GAVE_UP"),
                    ob::reason.eq(format!(
                        "gave up after {} attempts: {}",
                        m.attempts, r.reason
                    )),
                    ob::last_error.eq(&r.reason),
                    ob::provider_answer.eq(&r.answer),
                    released,
                ))
                .execute(conn)?
        }
        Err(r) => {
            d.retried += 1;
            diesel::update(mine)
                .set((
                    ob::status.eq("PENDING"),
                    ob::next_attempt_at.eq(now + backoff(ob.settings, m.attempts)),
                    ob::last_error.eq(&r.reason),
                    ob::provider_answer.eq(&r.answer),
                    released,
                ))
                .execute(conn)?
        }
    };
    if n == 0 {
        // The lease ran out and another run took the message: it answers for it now.
        tracing::warn!(id = m.id, "an SMS outlived its lease; another run owns it");
    }
    Ok(d)
}

/// The wait after the `attempts`-th failed attempt: first, 2×first, 4×first ... up to the max.
pub fn backoff(s: &NotificationSettings, attempts: i32) -> Duration {
    let shift = (attempts.max(1) - 1).min(20) as u32;
    let secs = s
        .backoff_first_seconds
        .saturating_mul(1_i64 << shift)
        .min(s.backoff_max_seconds);
    Duration::seconds(secs)
}

/// SMS of a GP sent, recorded or being sent since the start of `now`'s month (IST).
pub fn sent_this_month(c: &mut PgConnection, tenant: &str, now: DateTime<Utc>) -> AppResult<i64> {
    let from = crate::time::month_start_at(crate::time::month_start(
        now.with_timezone(&crate::time::IST).date_naive(),
    ));
    Ok(ob::table
        .filter(ob::tenant_id.eq(tenant))
        .filter(ob::channel.eq("SMS"))
        .filter(ob::status.eq_any(["SENDING", "SENT", "RECORDED"]))
        .filter(ob::attempted_at.ge(from))
        .count()
        .get_result(c)?)
}
