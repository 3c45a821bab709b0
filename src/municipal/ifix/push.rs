//! Pushing fiscal events: `none` (kept, marked recorded) or `http` (iFIX `/events/v1/_push`
//! through the outbound client; a 2xx answer is success, anything else is retried).

use crate::config::{IfixSettings, OutboundSettings, Secret};
use crate::outbound::Client;

pub enum Pusher {
    None,
    Http {
        client: Client,
        url: String,
        token: Secret,
    },
}

impl Pusher {
    pub fn from_settings(ifix: &IfixSettings, outbound: &OutboundSettings) -> anyhow::Result<Self> {
        match ifix.adapter.as_str() {
            "" | "none" => Ok(Self::None),
            "http" => {
                let base = ifix.url.trim_end_matches('/');
                if !(base.starts_with("http://") || base.starts_with("https://")) {
                    anyhow::bail!("[ifix] url must be an http(s) address for the http adapter");
                }
                Ok(Self::Http {
                    client: Client::new(outbound),
                    url: format!("{base}/events/v1/_push"),
                    token: ifix.token.clone(),
                })
            }
            other => anyhow::bail!("[ifix] adapter {other:?}: expected \"none\" or \"http\""),
        }
    }

    /// Sends one push request; `Ok(true)` when pushed, `Ok(false)` when only recorded.
    pub fn push(&self, body: &serde_json::Value) -> Result<bool, String> {
        match self {
            Self::None => Ok(false),
            Self::Http { client, url, token } => {
                let bearer = format!("Bearer {}", token.expose());
                let mut headers = vec![("Accept", "application/json")];
                if !token.is_empty() {
                    headers.push(("Authorization", bearer.as_str()));
                }
                match client.post_json(url, &headers, body) {
                    Ok(r) if r.is_success() => Ok(true),
                    Ok(r) => Err(format!(
                        "HTTP {}: {}",
                        r.status,
                        r.body.chars().take(300).collect::<String>()
                    )),
                    Err(e) => Err(e.to_string()),
                }
            }
        }
    }
}
