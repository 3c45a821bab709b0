//! Notifications: SMS (and later e-mail) as rows of `notification_outbox`, written in the same
//! transaction as the change that caused them and delivered by the `notifications` job through
//! the configured adapter, with every attempt counted. A rolled-back change sends nothing; a crash
//! loses nothing. Recipient and text are encrypted at rest.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::notification_outbox as ob;
use crate::error::AppResult;
use crate::platform::encryption::Crypto;

pub mod email;

const RECIPIENT: &str = "notification.recipient";
const BODY: &str = "notification.body";

/// An SMS to send.
pub struct Sms<'a> {
    pub tenant_id: &'a str,
    pub mobile: &'a str,
    pub template: &'a str,
    pub text: String,
}

/// Queues an SMS in the caller's transaction.
pub fn enqueue_sms(
    conn: &mut PgConnection,
    crypto: &Crypto,
    sms: &Sms<'_>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let id = diesel::insert_into(ob::table)
        .values((
            ob::tenant_id.eq(sms.tenant_id),
            ob::channel.eq("SMS"),
            ob::template.eq(sms.template),
            ob::recipient_hash.eq(crypto.blind_index("mobile", sms.mobile)),
            ob::recipient_enc.eq(crypto.seal(RECIPIENT, sms.mobile)),
            ob::body_enc.eq(crypto.seal(BODY, &sms.text)),
            ob::created_at.eq(now),
            ob::next_attempt_at.eq(now),
        ))
        .returning(ob::id)
        .get_result(conn)?;
    Ok(id)
}

/// Where SMS go. `record` keeps them in the outbox (marked sent) for the demo and the tests.
pub trait SmsAdapter: Send + Sync {
    fn name(&self) -> &'static str;
    fn send(&self, mobile: &str, text: &str) -> Result<(), String>;
}

pub struct Record;

impl SmsAdapter for Record {
    fn name(&self) -> &'static str {
        "record"
    }
    fn send(&self, _mobile: &str, _text: &str) -> Result<(), String> {
        Ok(())
    }
}

pub fn adapter(name: &str) -> anyhow::Result<Box<dyn SmsAdapter>> {
    match name {
        "record" => Ok(Box::new(Record)),
        other => anyhow::bail!("notification.sms_adapter {other:?} is not known (record)"),
    }
}

/// A queued message, decrypted (for the delivery job, the demo's `sms` command and tests).
#[derive(Clone, Debug)]
pub struct Queued {
    pub id: i64,
    pub tenant_id: String,
    pub template: String,
    pub mobile: String,
    pub text: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

type Row = (i64, String, String, String, String, String, DateTime<Utc>);

fn decrypt(crypto: &Crypto, r: Row) -> AppResult<Queued> {
    Ok(Queued {
        id: r.0,
        tenant_id: r.1,
        template: r.2,
        mobile: crypto.open(RECIPIENT, &r.3)?,
        text: crypto.open(BODY, &r.4)?,
        status: r.5,
        created_at: r.6,
    })
}

const COLS: (
    ob::id,
    ob::tenant_id,
    ob::template,
    ob::recipient_enc,
    ob::body_enc,
    ob::status,
    ob::created_at,
) = (
    ob::id,
    ob::tenant_id,
    ob::template,
    ob::recipient_enc,
    ob::body_enc,
    ob::status,
    ob::created_at,
);

/// The latest messages to a mobile number, newest first.
pub fn messages_to(
    conn: &mut PgConnection,
    crypto: &Crypto,
    mobile: &str,
    limit: i64,
) -> AppResult<Vec<Queued>> {
    let rows: Vec<Row> = ob::table
        .filter(ob::recipient_hash.eq(crypto.blind_index("mobile", mobile)))
        .order(ob::id.desc())
        .limit(limit)
        .select(COLS)
        .load(conn)?;
    rows.into_iter().map(|r| decrypt(crypto, r)).collect()
}

/// The latest SMS of every recipient, newest first.
pub fn latest(conn: &mut PgConnection, crypto: &Crypto, limit: i64) -> AppResult<Vec<Queued>> {
    let rows: Vec<Row> = ob::table
        .filter(ob::channel.eq("SMS"))
        .order(ob::id.desc())
        .limit(limit)
        .select(COLS)
        .load(conn)?;
    rows.into_iter().map(|r| decrypt(crypto, r)).collect()
}

/// Delivers due messages (at most `batch`), each in its own short transaction. Failed attempts
/// back off (1, 2, 4 ... minutes) and give up after 8.
pub fn deliver(
    conn: &mut PgConnection,
    crypto: &Crypto,
    adapter: &dyn SmsAdapter,
    batch: i64,
    now: DateTime<Utc>,
) -> AppResult<(usize, usize)> {
    let due: Vec<Row> = ob::table
        .filter(ob::channel.eq("SMS"))
        .filter(ob::status.eq("PENDING"))
        .filter(ob::next_attempt_at.le(now))
        .order(ob::id)
        .limit(batch)
        .for_update()
        .skip_locked()
        .select(COLS)
        .load(conn)?;
    let (mut sent, mut failed) = (0, 0);
    for r in due {
        let id = r.0;
        let q = decrypt(crypto, r)?;
        let attempts: i32 = ob::table.find(id).select(ob::attempts).first(conn)?;
        match adapter.send(&q.mobile, &q.text) {
            Ok(()) => {
                diesel::update(ob::table.find(id))
                    .set((
                        ob::status.eq("SENT"),
                        ob::sent_at.eq(now),
                        ob::attempts.eq(attempts + 1),
                        ob::provider.eq(adapter.name()),
                    ))
                    .execute(conn)?;
                sent += 1;
            }
            Err(e) => {
                let n = attempts + 1;
                let status = if n >= 8 { "FAILED" } else { "PENDING" };
                let backoff = Duration::minutes(1_i64 << n.min(10));
                diesel::update(ob::table.find(id))
                    .set((
                        ob::status.eq(status),
                        ob::attempts.eq(n),
                        ob::last_error.eq(e),
                        ob::next_attempt_at.eq(now + backoff),
                    ))
                    .execute(conn)?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Delivers what is due now, off the request (after the transaction that queued it committed).
/// The `notifications` job catches anything this misses.
pub fn kick(state: &crate::state::AppState) {
    let st = state.clone();
    actix_web::rt::spawn(async move {
        let done = actix_web::web::block(move || -> AppResult<(usize, usize)> {
            use diesel::Connection as _;
            let mut c = st.pool.get()?;
            c.transaction(|c| deliver(c, &st.crypto, st.sms.as_ref(), 50, Utc::now()))
        })
        .await;
        if let Ok(Err(e)) = done {
            tracing::warn!(error = %e, "immediate delivery failed; the job will retry");
        }
    });
}
