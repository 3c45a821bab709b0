//! Notifications: SMS (and e-mail) as rows of `notification_outbox`, written in the same
//! transaction as the change that caused them and delivered by the `notifications` job (and
//! `kick` right after a request) through the configured adapter. A rolled-back change sends
//! nothing; a crash loses nothing; two workers never send one message twice (`worker`).
//! Policies (switches, quiet hours, budget, suppression, DLT ids) apply at delivery (`policy`).
//! Recipient and text are encrypted at rest.

mod http_sms;
mod pages;
pub mod policy;
mod sms;
mod worker;

pub use http_sms::HttpSms;
pub use pages::{TILES, routes};
pub use sms::{Accepted, Outgoing, Record, Refusal, SmsAdapter, adapter};
pub use worker::{CHUNK, Delivered, Outbox, backoff, deliver, sent_this_month};

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::notification_outbox as ob;
use crate::error::AppResult;
use crate::platform::encryption::Crypto;

pub mod email;

pub(crate) const RECIPIENT: &str = "notification.recipient";
pub(crate) const BODY: &str = "notification.body";

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

/// A queued message, decrypted (for the delivery job, the demo's `sms` command and tests).
#[derive(Clone, Debug)]
pub struct Queued {
    pub id: i64,
    pub tenant_id: String,
    pub template: String,
    pub mobile: String,
    pub text: String,
    /// PENDING, SENDING, SENT, RECORDED, FAILED, GAVE_UP or SKIPPED.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    /// Why it was skipped, failed, given up or deferred.
    pub reason: Option<String>,
    pub provider_message_id: Option<String>,
    /// The provider's last error.
    pub last_error: Option<String>,
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    DateTime<Utc>,
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn decrypt(crypto: &Crypto, r: Row) -> AppResult<Queued> {
    Ok(Queued {
        id: r.0,
        tenant_id: r.1,
        template: r.2,
        mobile: crypto.open(RECIPIENT, &r.3)?,
        text: crypto.open(BODY, &r.4)?,
        status: r.5,
        created_at: r.6,
        attempts: r.7,
        reason: r.8,
        provider_message_id: r.9,
        last_error: r.10,
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
    ob::attempts,
    ob::reason,
    ob::provider_message_id,
    ob::last_error,
) = (
    ob::id,
    ob::tenant_id,
    ob::template,
    ob::recipient_enc,
    ob::body_enc,
    ob::status,
    ob::created_at,
    ob::attempts,
    ob::reason,
    ob::provider_message_id,
    ob::last_error,
);

/// The latest messages to a mobile number, newest first.
pub fn messages_to(
    conn: &mut PgConnection,
    crypto: &Crypto,
    mobile: &str,
    limit: i64,
) -> AppResult<Vec<Queued>> {
    let rows: Vec<Row> = ob::table
        .filter(ob::channel.eq("SMS"))
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

/// A GP's SMS this month (sent, recorded or being sent) and its monthly budget of non-urgent
/// SMS (None: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsBudget {
    pub used: i64,
    pub budget: Option<i64>,
}

pub fn sms_budget(
    conn: &mut PgConnection,
    settings: &crate::config::NotificationSettings,
    tenant: &str,
    now: DateTime<Utc>,
) -> AppResult<SmsBudget> {
    let policy = policy::Policy::from_settings(settings)?;
    Ok(SmsBudget {
        used: sent_this_month(conn, tenant, now)?,
        budget: policy.budget_of(tenant),
    })
}

/// A GP's SMS of the month: its budget line and what did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    pub tenant_id: String,
    pub budget: SmsBudget,
    /// SKIPPED this month (switched off, suppressed, no DLT id, bad number, over budget).
    pub skipped: i64,
    /// FAILED or GAVE_UP this month.
    pub failed: i64,
    /// PENDING now (retrying or deferred).
    pub waiting: i64,
}

#[derive(diesel::QueryableByName)]
struct MonthSql {
    #[diesel(sql_type = diesel::sql_types::Text)]
    tenant_id: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    used: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    skipped: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    failed: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    waiting: i64,
}

/// This month's SMS of one GP (`tenant`), or of every GP that has any.
pub fn month_counts(
    conn: &mut PgConnection,
    settings: &crate::config::NotificationSettings,
    tenant: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Vec<MonthCount>> {
    use diesel::sql_types::{Nullable, Text, Timestamptz};
    let policy = policy::Policy::from_settings(settings)?;
    let from = crate::time::month_start_at(crate::time::month_start(
        now.with_timezone(&crate::time::IST).date_naive(),
    ));
    let rows: Vec<MonthSql> = diesel::sql_query(
        "SELECT tenant_id,
                count(*) FILTER (WHERE status IN ('SENDING', 'SENT', 'RECORDED') AND attempted_at >= $1) AS used,
                count(*) FILTER (WHERE status = 'SKIPPED' AND created_at >= $1) AS skipped,
                count(*) FILTER (WHERE status IN ('FAILED', 'GAVE_UP') AND created_at >= $1) AS failed,
                count(*) FILTER (WHERE status = 'PENDING') AS waiting
           FROM notification_outbox
          WHERE channel = 'SMS' AND ($2::text IS NULL OR tenant_id = $2)
            AND (created_at >= $1 OR attempted_at >= $1 OR status = 'PENDING')
          GROUP BY tenant_id ORDER BY tenant_id",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Nullable<Text>, _>(tenant)
    .load(conn)?;
    let mut out: Vec<MonthCount> = rows
        .into_iter()
        .map(|r| MonthCount {
            budget: SmsBudget {
                used: r.used,
                budget: policy.budget_of(&r.tenant_id),
            },
            tenant_id: r.tenant_id,
            skipped: r.skipped,
            failed: r.failed,
            waiting: r.waiting,
        })
        .collect();
    // A GP asked about is shown even with nothing this month.
    if let Some(t) = tenant
        && out.is_empty()
    {
        out.push(MonthCount {
            tenant_id: t.to_owned(),
            budget: SmsBudget {
                used: 0,
                budget: policy.budget_of(t),
            },
            skipped: 0,
            failed: 0,
            waiting: 0,
        });
    }
    Ok(out)
}

/// Delivers up to `batch` due SMS through the state's adapter (outside a transaction).
pub fn deliver_due(
    state: &crate::state::AppState,
    conn: &mut PgConnection,
    batch: i64,
    now: DateTime<Utc>,
) -> AppResult<Delivered> {
    deliver(
        conn,
        &Outbox {
            crypto: &state.crypto,
            adapter: state.sms.as_ref(),
            settings: &state.settings.notification,
        },
        batch,
        now,
    )
}

/// Delivers what is due now, off the request (after the transaction that queued it committed).
/// The `notifications` job catches anything this misses.
pub fn kick(state: &crate::state::AppState) {
    let st = state.clone();
    actix_web::rt::spawn(async move {
        let done = actix_web::web::block(move || -> AppResult<Delivered> {
            let mut c = st.pool.get()?;
            deliver_due(&st, &mut c, 50, Utc::now())
        })
        .await;
        if let Ok(Err(e)) = done {
            tracing::warn!(error = %e, "immediate delivery failed; the job will retry");
        }
    });
}

/// Someone a GP's SMS goes to: a name, a mobile number if any, a language if set.
pub struct Recipient<'a> {
    pub name: &'a str,
    pub mobile: Option<&'a str>,
    pub locale: Option<&'a str>,
}

/// One SMS to many of a GP's people: `template` is its key, `text_key` its text, filled with the
/// GP's name (`GPWSC`), the person's (as `name_arg`) and what `args` gives in their language.
pub struct ToEach<'a> {
    pub tenant: &'a str,
    pub template: &'a str,
    pub text_key: &'a str,
    pub name_arg: &'a str,
}

/// Queues the SMS to each recipient with a mobile number, in their language (else the
/// catalogue's default); how many.
pub fn sms_each(
    conn: &mut PgConnection,
    crypto: &Crypto,
    i18n: &crate::platform::localization::Catalog,
    sms: &ToEach<'_>,
    people: &[Recipient<'_>],
    args: &dyn Fn(crate::platform::localization::Locale) -> Vec<(String, String)>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    use crate::platform::localization::Locale;
    let mut n = 0;
    for p in people {
        let Some(mobile) = p.mobile else {
            continue;
        };
        let locale = p
            .locale
            .and_then(Locale::parse)
            .unwrap_or_else(|| i18n.default_locale());
        let gp = i18n.place_name(locale, sms.tenant);
        let own = args(locale);
        let mut all: Vec<(&str, &str)> = vec![("GPWSC", &gp), (sms.name_arg, p.name)];
        all.extend(own.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let text = i18n.format(locale, sms.text_key, &all);
        let one = Sms {
            tenant_id: sms.tenant,
            mobile,
            template: sms.template,
            text,
        };
        enqueue_sms(conn, crypto, &one, now)?;
        n += 1;
    }
    Ok(n)
}
