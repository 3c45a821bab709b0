//! `http`: a government SMS gateway (NIC `smsgw.sms.gov.in`, CDAC and their likes). One request
//! per message, GET with the fields in the query string or POST as a form: user name, password
//! (or key), sender id, DLT entity id, DLT template id, message, mobile number (with the
//! configured prefix, `91` for NIC); fields named as configured. The answer is a line of text:
//! a success carries the configured marker (NIC: `code=API000`) and a request id, which is kept
//! as the provider's message id; an error carries the provider's code and `info`.
//!
//! What each outcome becomes: success → SENT (with the id); HTTP 4xx or the provider's error
//! code → FAILED with its reason (trying again cannot help); HTTP 5xx or 429, a timeout, no
//! connection, or an answer that is neither → retried with backoff (the provider may or may not
//! have sent it: see the at-least-once note in `worker`).

use crate::config::{HttpSmsSettings, OutboundSettings};
use crate::outbound::{Client, OutboundError, Reply};

use super::sms::{Accepted, Outgoing, Refusal, SmsAdapter, cut};

pub struct HttpSms {
    cfg: HttpSmsSettings,
    client: Client,
    extra: Vec<(String, String)>,
}

impl HttpSms {
    pub fn new(cfg: &HttpSmsSettings, outbound: &OutboundSettings) -> anyhow::Result<Self> {
        if cfg.url.is_empty() {
            anyhow::bail!("notification.http.url is empty");
        }
        if !matches!(cfg.method.as_str(), "GET" | "POST") {
            anyhow::bail!(
                "notification.http.method {:?} is not GET or POST",
                cfg.method
            );
        }
        if cfg.success_marker.is_empty() {
            anyhow::bail!("notification.http.success_marker is empty");
        }
        let extra = serde_urlencoded::from_str::<Vec<(String, String)>>(&cfg.extra_fields)
            .map_err(|e| anyhow::anyhow!("notification.http.extra_fields: {e}"))?;
        Ok(Self {
            cfg: cfg.clone(),
            client: Client::new(outbound),
            extra,
        })
    }

    fn fields<'a>(&'a self, sms: &'a Outgoing<'_>, mobile: &'a str) -> Vec<(&'a str, &'a str)> {
        let c = &self.cfg;
        let mut f = vec![
            (c.username_field.as_str(), c.username.as_str()),
            (c.password_field.as_str(), c.password.expose()),
            (c.sender_field.as_str(), c.sender_id.as_str()),
            (c.entity_field.as_str(), c.dlt_entity_id.as_str()),
            (
                c.template_field.as_str(),
                sms.dlt_template_id.unwrap_or_default(),
            ),
            (c.message_field.as_str(), sms.text),
            (c.mobile_field.as_str(), mobile),
        ];
        f.retain(|(k, _)| !k.is_empty());
        f.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        f
    }

    fn judge(&self, reply: Reply) -> Result<Accepted, Refusal> {
        let answer = cut(reply.body.trim());
        let refusal = |permanent, reason: String| Refusal {
            permanent,
            reason,
            answer: Some(answer.clone()),
        };
        match reply.status {
            200..=299 => {
                if reply.body.contains(&self.cfg.success_marker) {
                    Ok(Accepted::Sent {
                        message_id: message_id(&reply.body),
                        answer,
                    })
                } else if let Some(info) = provider_error(&reply.body) {
                    Err(refusal(true, format!("provider refused: {info}")))
                } else {
                    Err(refusal(false, "provider answer not understood".to_owned()))
                }
            }
            429 | 500..=599 => Err(refusal(false, format!("HTTP {}", reply.status))),
            s => Err(refusal(true, format!("HTTP {s}"))),
        }
    }
}

impl SmsAdapter for HttpSms {
    fn name(&self) -> &'static str {
        "http"
    }
    fn needs_dlt_template(&self) -> bool {
        true
    }
    fn send(&self, sms: &Outgoing<'_>) -> Result<Accepted, Refusal> {
        let mobile = format!("{}{}", self.cfg.mobile_prefix, sms.mobile);
        let fields = self.fields(sms, &mobile);
        let reply = if self.cfg.method == "POST" {
            self.client.post_form(&self.cfg.url, &[], &fields)
        } else {
            let query = serde_urlencoded::to_string(&fields).unwrap_or_default();
            let sep = if self.cfg.url.contains('?') { '&' } else { '?' };
            self.client
                .get(&format!("{}{sep}{query}", self.cfg.url), &[])
        };
        match reply {
            Ok(r) => self.judge(r),
            Err(e) => Err(Refusal {
                permanent: false,
                reason: match e {
                    OutboundError::Timeout => "provider did not answer in time".to_owned(),
                    other => other.to_string(),
                },
                answer: None,
            }),
        }
    }
}

/// The request id of an answer: NIC `Request ID=…~code=API000`, CDAC `MsgID = …`.
fn message_id(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    [
        "request id",
        "requestid",
        "msgid",
        "message id",
        "messageid",
    ]
    .iter()
    .find_map(|k| lower.find(k).map(|i| i + k.len()))
    .and_then(|at| {
        let rest = body.get(at..)?.trim_start_matches([' ', '=', ':', '"']);
        let id: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        (!id.is_empty()).then_some(id)
    })
}

/// The provider's own error (`code=API005 & info=Invalid template`): its info, else its code.
fn provider_error(body: &str) -> Option<String> {
    let field = |name: &str| {
        let lower = body.to_ascii_lowercase();
        let at = lower.find(&format!("{name}="))? + name.len() + 1;
        let v: String = body
            .get(at..)?
            .chars()
            .take_while(|c| !matches!(c, '&' | '~' | '\n'))
            .collect();
        let v = v.trim().to_owned();
        (!v.is_empty()).then_some(v)
    };
    match (field("code"), field("info")) {
        (Some(code), Some(info)) => Some(format!("{code}: {info}")),
        (Some(code), None) => Some(code),
        (None, Some(info)) => Some(info),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nic_answers_are_read() {
        let ok = "Message Accepted For Request ID=1231457859641254687954~code=API000 & info=Sms platform accepted & Time = 2007/10/04/09/58";
        assert_eq!(message_id(ok).as_deref(), Some("1231457859641254687954"));
        assert_eq!(
            provider_error("Message Rejected~code=API005 & info=Invalid template id").as_deref(),
            Some("API005: Invalid template id")
        );
        assert_eq!(
            message_id("402,MsgID = 150220161234567hpgovt-hpssa").as_deref(),
            Some("150220161234567hpgovt-hpssa")
        );
        assert_eq!(
            provider_error("<html>Service Temporarily Unavailable</html>"),
            None
        );
    }
}
