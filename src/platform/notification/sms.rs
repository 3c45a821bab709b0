//! SMS adapters behind one trait, chosen by `notification.sms_adapter`: `record` (nothing
//! leaves; the message is RECORDED) and `http` (a government SMS gateway, `http_sms`).

use crate::config::{NotificationSettings, OutboundSettings};

/// One message handed to an adapter.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub tenant_id: &'a str,
    pub template: &'a str,
    /// Ten digits.
    pub mobile: &'a str,
    pub text: &'a str,
    /// The DLT template id registered for `template` (present when the adapter needs one).
    pub dlt_template_id: Option<&'a str>,
}

/// The provider took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Handed to a real provider: its message id (when it gives one) and its answer.
    Sent {
        message_id: Option<String>,
        answer: String,
    },
    /// Kept in the outbox only; nothing left the server.
    Recorded,
}

/// The provider did not take the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// True when trying again cannot help (HTTP 4xx, the provider's error code): FAILED.
    /// False when the outcome is unknown or passing (timeout, 5xx, an answer not understood):
    /// retried with backoff, GAVE_UP after `max_attempts`.
    pub permanent: bool,
    pub reason: String,
    /// The provider's answer as received (cut to 500 characters), when there was one.
    pub answer: Option<String>,
}

pub trait SmsAdapter: Send + Sync {
    fn name(&self) -> &'static str;
    /// Whether each message must carry a DLT template id (a key without one is SKIPPED).
    fn needs_dlt_template(&self) -> bool {
        false
    }
    fn send(&self, sms: &Outgoing<'_>) -> Result<Accepted, Refusal>;
}

/// Keeps messages in the outbox (dev, demo, tests): they are RECORDED, never "sent".
pub struct Record;

impl SmsAdapter for Record {
    fn name(&self) -> &'static str {
        "record"
    }
    fn send(&self, _sms: &Outgoing<'_>) -> Result<Accepted, Refusal> {
        Ok(Accepted::Recorded)
    }
}

/// The configured adapter; its settings and the policies are checked here, at start.
pub fn adapter(
    settings: &NotificationSettings,
    outbound: &OutboundSettings,
) -> anyhow::Result<Box<dyn SmsAdapter>> {
    super::policy::Policy::from_settings(settings)?;
    match settings.sms_adapter.as_str() {
        "record" => Ok(Box::new(Record)),
        "http" => Ok(Box::new(super::http_sms::HttpSms::new(
            &settings.http,
            outbound,
        )?)),
        other => anyhow::bail!("notification.sms_adapter {other:?} is not known (record, http)"),
    }
}

/// At most 500 characters of a provider's answer.
pub(super) fn cut(s: &str) -> String {
    s.chars().take(500).collect()
}
