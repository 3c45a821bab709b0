//! E-mail: rows of `notification_outbox` with channel `EMAIL`, queued in the same transaction as
//! the change that caused them and delivered over SMTP (lettre, blocking, rustls) by the
//! `notifications` job after the SMS. A queued e-mail keeps what it is about (its kind, the
//! recipient's language and its values: names, numbers, paths), sealed like an SMS; it is written
//! out when sent: subject, plain text and HTML from the askama templates `templates/email/*`,
//! every word from the catalogue (module `mgramseva-email`), links made absolute with
//! `app.base_url`. Each attempt is counted; a refused or unreachable server backs off (2, 4, 8
//! ... minutes) and gives up after 8 attempts, a permanent refusal (5xx: no such mailbox) at once;
//! the server's answer (`provider_answer`) or the reason (`reason`, and `last_error`) is kept
//! with the row, with the time of the attempt (`attempted_at`).

use std::collections::BTreeMap;

use askama::Template;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport as _};
use serde::{Deserialize, Serialize};

use crate::config::{EmailSettings, SmtpTls};
use crate::db::schema::notification_outbox as ob;
use crate::error::AppResult;
use crate::platform::encryption::Crypto;
use crate::platform::localization::{Catalog, Locale};

const RECIPIENT: &str = "notification.recipient";
const BODY: &str = "notification.body";
pub const CHANNEL: &str = "EMAIL";
/// Attempts before an e-mail is given up (FAILED).
pub const MAX_ATTEMPTS: i32 = 8;

/// What an e-mail is about; each has its subject, text and table in the catalogue.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Kind {
    /// A new employee's login (`USER`, `PHNO`, `PASSWORD`, `LINK_PATH`).
    Onboarding,
    /// A password-reset code (`USER`, `OTP`, `MINUTES`).
    PasswordOtp,
    /// The previous month's collections and expenditure of a GP (`GPWSC`, `MONTH`, `COLLECTED`,
    /// `SPENT`, `LINK_PATH`).
    MonthSummary,
    /// A household's payment receipt (`NAME`, `TENANT` (the GP's code), `CONSUMER`, `RECEIPT_NO`, `AMOUNT`,
    /// `PENDING`, `LINK_PATH`).
    Receipt,
}

impl Kind {
    /// The outbox row's template.
    pub fn template(self) -> &'static str {
        match self {
            Kind::Onboarding => "EMAIL_ONBOARDING",
            Kind::PasswordOtp => "EMAIL_PASSWORD_OTP",
            Kind::MonthSummary => "EMAIL_MONTH_SUMMARY",
            Kind::Receipt => "EMAIL_RECEIPT",
        }
    }

    /// The table's rows: (label key, value name); then the link's label key.
    fn layout(
        self,
    ) -> (
        &'static [(&'static str, &'static str)],
        Option<&'static str>,
    ) {
        match self {
            Kind::Onboarding => (
                &[("EMAIL_USERNAME", "PHNO"), ("EMAIL_PASSWORD", "PASSWORD")],
                Some("EMAIL_LOGIN_LINK"),
            ),
            Kind::PasswordOtp => (&[("EMAIL_OTP", "OTP")], None),
            Kind::MonthSummary => (
                &[
                    ("EMAIL_MONTH", "MONTH"),
                    ("EMAIL_COLLECTED", "COLLECTED"),
                    ("EMAIL_SPENT", "SPENT"),
                ],
                Some("EMAIL_REPORTS_LINK"),
            ),
            Kind::Receipt => (
                &[
                    ("EMAIL_RECEIPT_NO", "RECEIPT_NO"),
                    ("EMAIL_CONSUMER", "CONSUMER"),
                    ("EMAIL_AMOUNT_PAID", "AMOUNT"),
                    ("EMAIL_PENDING", "PENDING"),
                ],
                Some("EMAIL_RECEIPT_LINK"),
            ),
        }
    }
}

/// An e-mail to queue. Values named `*_PATH` are paths of this server, made links when sent;
/// `TENANT` (a GP's code) gives `GPWSC`, the GP's name in the reader's language.
pub struct Mail<'a> {
    pub tenant_id: &'a str,
    pub to: &'a str,
    pub kind: Kind,
    /// The recipient's language; none: the state's.
    pub locale: Option<Locale>,
    pub values: Vec<(&'static str, String)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    kind: Kind,
    locale: Option<Locale>,
    values: BTreeMap<String, String>,
}

/// Whether `s` looks like an e-mail address worth sending to (lettre checks it fully when sent).
pub fn is_address(s: &str) -> bool {
    s.parse::<lettre::Address>().is_ok()
}

/// Queues an e-mail in the caller's transaction. An address lettre cannot use queues nothing.
pub fn enqueue(
    conn: &mut PgConnection,
    crypto: &Crypto,
    mail: &Mail<'_>,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let to = mail.to.trim();
    if !is_address(to) {
        return Ok(None);
    }
    let stored = Stored {
        kind: mail.kind,
        locale: mail.locale,
        values: mail
            .values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    };
    let body = serde_json::to_string(&stored)
        .map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!(e)))?;
    let id = diesel::insert_into(ob::table)
        .values((
            ob::tenant_id.eq(mail.tenant_id),
            ob::channel.eq(CHANNEL),
            ob::template.eq(mail.kind.template()),
            ob::recipient_hash.eq(crypto.blind_index("email", &to.to_lowercase())),
            ob::recipient_enc.eq(crypto.seal(RECIPIENT, to)),
            ob::body_enc.eq(crypto.seal(BODY, &body)),
            ob::created_at.eq(now),
            ob::next_attempt_at.eq(now),
        ))
        .returning(ob::id)
        .get_result(conn)?;
    Ok(Some(id))
}

/// An e-mail written out: subject, plain text, HTML.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What both bodies show.
struct Content {
    lang: &'static str,
    subject: String,
    lead: String,
    rows: Vec<(String, String)>,
    link: Option<(String, String)>,
    footer: String,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct HtmlBody<'a> {
    c: &'a Content,
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct TextBody<'a> {
    c: &'a Content,
}

fn lang(l: Locale) -> &'static str {
    match l {
        Locale::En => "en",
        Locale::Hi => "hi",
        Locale::Pa => "pa",
    }
}

fn render(i18n: &Catalog, base_url: &str, s: &Stored) -> Result<Rendered, String> {
    let l = s.locale.unwrap_or_else(|| i18n.default_locale());
    let base = base_url.trim_end_matches('/');
    let mut values: Vec<(String, String)> = Vec::new();
    // A GP named by its code is named in the reader's language.
    if let Some(t) = s.values.get("TENANT") {
        values.push(("GPWSC".to_owned(), i18n.place_name(l, t)));
    }
    for (k, v) in &s.values {
        values.push((k.clone(), v.clone()));
        if let Some(name) = k.strip_suffix("_PATH") {
            values.push((format!("{name}_URL"), format!("{base}{v}")));
        }
    }
    let args: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let key = s.kind.template();
    let (table, link) = s.kind.layout();
    let mut rows = Vec::new();
    for (label, name) in table {
        let value = s
            .values
            .get(*name)
            .ok_or_else(|| format!("{key}: no value {name}"))?;
        rows.push((i18n.text(l, label), value.clone()));
    }
    let link = match link {
        Some(label) => {
            let path = s
                .values
                .get("LINK_PATH")
                .ok_or_else(|| format!("{key}: no value LINK_PATH"))?;
            Some((i18n.text(l, label), format!("{base}{path}")))
        }
        None => None,
    };
    let c = Content {
        lang: lang(l),
        subject: i18n.format(l, &format!("{key}_SUBJECT"), &args),
        lead: i18n.format(l, &format!("{key}_TEXT"), &args),
        rows,
        link,
        footer: i18n.text(l, "EMAIL_FOOTER"),
    };
    let html = HtmlBody { c: &c }.render().map_err(|e| e.to_string())?;
    let text = TextBody { c: &c }.render().map_err(|e| e.to_string())?;
    Ok(Rendered {
        subject: c.subject,
        text,
        html,
    })
}

/// Why a message was not sent: permanent (the server refused it for good) or not.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub reason: String,
}

/// Where e-mails go.
pub trait Mailer: Send + Sync {
    fn name(&self) -> &'static str;
    /// Sends one message; the server's answer.
    fn send(&self, to: &str, m: &Rendered) -> Result<String, SendError>;
}

/// An SMTP server, from `[email]`.
pub struct Smtp {
    transport: SmtpTransport,
    from: Mailbox,
}

impl Smtp {
    pub fn new(s: &EmailSettings) -> anyhow::Result<Self> {
        let host = s.host.trim();
        let builder = match s.tls {
            SmtpTls::Starttls => SmtpTransport::starttls_relay(host)?,
            SmtpTls::Implicit => SmtpTransport::relay(host)?,
            SmtpTls::None => SmtpTransport::builder_dangerous(host),
        };
        let mut builder = builder
            .port(s.port)
            .timeout(Some(std::time::Duration::from_millis(s.timeout_ms)));
        if !s.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                s.username.expose().to_owned(),
                s.password.expose().to_owned(),
            ));
        }
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("email.from {:?}: {e}", s.from))?;
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

impl Mailer for Smtp {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn send(&self, to: &str, m: &Rendered) -> Result<String, SendError> {
        let permanent = |reason: String| SendError {
            permanent: true,
            reason,
        };
        let to: Mailbox = to
            .parse()
            .map_err(|e| permanent(format!("bad address: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                m.text.clone(),
                m.html.clone(),
            ))
            .map_err(|e| permanent(format!("message not built: {e}")))?;
        match self.transport.send(&message) {
            Ok(r) => Ok(
                format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" "))
                    .trim()
                    .to_owned(),
            ),
            Err(e) => Err(SendError {
                permanent: e.is_permanent(),
                reason: e.to_string(),
            }),
        }
    }
}

type Row = (i64, String, String, i32);

/// Delivers due e-mails (at most `batch`), locked (`SKIP LOCKED`: two workers never take the
/// same row) in the caller's transaction. (sent, failed attempts).
pub fn deliver(
    conn: &mut PgConnection,
    crypto: &Crypto,
    i18n: &Catalog,
    base_url: &str,
    mailer: &dyn Mailer,
    batch: i64,
    now: DateTime<Utc>,
) -> AppResult<(usize, usize)> {
    let due: Vec<Row> = ob::table
        .filter(ob::channel.eq(CHANNEL))
        .filter(ob::status.eq("PENDING"))
        .filter(ob::next_attempt_at.le(now))
        .order(ob::id)
        .limit(batch)
        .for_update()
        .skip_locked()
        .select((ob::id, ob::recipient_enc, ob::body_enc, ob::attempts))
        .load(conn)?;
    let (mut sent, mut failed) = (0, 0);
    for (id, to, body, attempts) in due {
        let to = crypto.open(RECIPIENT, &to)?;
        let body = crypto.open(BODY, &body)?;
        let outcome = serde_json::from_str::<Stored>(&body)
            .map_err(|e| e.to_string())
            .and_then(|s| render(i18n, base_url, &s))
            .map_err(|reason| SendError {
                permanent: true,
                reason,
            })
            .and_then(|m| mailer.send(&to, &m));
        let n = attempts + 1;
        match outcome {
            Ok(reply) => {
                diesel::update(ob::table.find(id))
                    .set((
                        ob::status.eq("SENT"),
                        ob::sent_at.eq(now),
                        ob::attempts.eq(n),
                        ob::attempted_at.eq(now),
                        ob::provider.eq(mailer.name()),
                        ob::provider_answer.eq(reply),
                        ob::last_error.eq(None::<String>),
                        ob::reason.eq(None::<String>),
                    ))
                    .execute(conn)?;
                sent += 1;
            }
            Err(e) => {
                // refused for good: FAILED; out of tries: GAVE_UP (as the SMS)
                let status = if e.permanent {
                    "FAILED"
                } else if n >= MAX_ATTEMPTS {
                    "GAVE_UP"
                } else {
                    "PENDING"
                };
                diesel::update(ob::table.find(id))
                    .set((
                        ob::status.eq(status),
                        ob::attempts.eq(n),
                        ob::attempted_at.eq(now),
                        ob::provider.eq(mailer.name()),
                        ob::last_error.eq(&e.reason),
                        ob::reason.eq(&e.reason),
                        ob::next_attempt_at.eq(now + Duration::minutes(1_i64 << n.min(10))),
                    ))
                    .execute(conn)?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

const OFF: &str = "e-mail is off ([email] enabled = false)";

/// With e-mail off, due e-mails are marked FAILED with the reason (nothing piles up unseen).
pub fn fail_due_while_off(conn: &mut PgConnection, now: DateTime<Utc>) -> AppResult<usize> {
    Ok(diesel::update(
        ob::table
            .filter(ob::channel.eq(CHANNEL))
            .filter(ob::status.eq("PENDING"))
            .filter(ob::next_attempt_at.le(now)),
    )
    .set((
        ob::status.eq("FAILED"),
        ob::last_error.eq(OFF),
        ob::reason.eq(OFF),
    ))
    .execute(conn)?)
}

/// The `notifications` job's e-mail half: every due e-mail, in batches of 100, each batch in its
/// own transaction. A summary for the job's record.
pub fn deliver_due(
    state: &crate::state::AppState,
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    use diesel::Connection as _;
    let settings = &state.settings.email;
    if !settings.enabled {
        let n = conn
            .transaction(|c| fail_due_while_off(c, now))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        return Ok(format!("e-mail off: {n} failed"));
    }
    let smtp = Smtp::new(settings)?;
    let (mut sent, mut failed) = (0, 0);
    loop {
        let (s, f) = conn
            .transaction(|c| {
                deliver(
                    c,
                    &state.crypto,
                    &state.i18n,
                    &state.settings.app.base_url,
                    &smtp,
                    100,
                    now,
                )
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        sent += s;
        failed += f;
        if s + f < 100 {
            break;
        }
    }
    Ok(format!("{sent} e-mails sent, {failed} failed"))
}

/// A queued e-mail as the outbox keeps it (tests, the demo).
#[derive(Clone, Debug)]
pub struct Queued {
    pub id: i64,
    pub template: String,
    pub to: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub provider_answer: Option<String>,
}

type QueuedRow = (
    i64,
    String,
    String,
    String,
    i32,
    Option<String>,
    Option<String>,
);

/// The latest e-mails to an address, newest first.
pub fn messages_to(
    conn: &mut PgConnection,
    crypto: &Crypto,
    to: &str,
    limit: i64,
) -> AppResult<Vec<Queued>> {
    let rows: Vec<QueuedRow> = ob::table
        .filter(ob::channel.eq(CHANNEL))
        .filter(ob::recipient_hash.eq(crypto.blind_index("email", &to.trim().to_lowercase())))
        .order(ob::id.desc())
        .limit(limit)
        .select((
            ob::id,
            ob::template,
            ob::recipient_enc,
            ob::status,
            ob::attempts,
            ob::last_error,
            ob::provider_answer,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(Queued {
                id: r.0,
                template: r.1,
                to: crypto.open(RECIPIENT, &r.2)?,
                status: r.3,
                attempts: r.4,
                last_error: r.5,
                provider_answer: r.6,
            })
        })
        .collect()
}
