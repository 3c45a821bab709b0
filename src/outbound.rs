//! The outbound HTTP client: this server calling another one (payment gateways' status queries
//! and order APIs; SMS providers). Blocking (ureq, rustls with the webpki roots): call it from
//! the blocking pool (`db::run`, `spawn_blocking`), never on an actix worker thread.
//!
//! Every call is bounded by the configured connect and total timeouts. A timeout or an
//! unreachable host is a named error ([`OutboundError::Timeout`], [`OutboundError::Unreachable`])
//! that a caller turns into "not known yet" (a payment stays PENDING), never into a failure of
//! the thing asked about. Any HTTP status comes back as a [`Reply`]: what a 4xx means is the
//! caller's protocol. Log lines name the method, host, path, status and time only: never a
//! query string, a header or a body (they carry keys, order ids and mobile numbers).

use std::time::{Duration, Instant};

use base64::Engine as _;

pub use crate::config::OutboundSettings;

/// Why a call gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// The other side did not answer in time: the answer is not known.
    #[error("the remote server did not answer in time")]
    Timeout,
    /// No connection could be made (name, refused, TLS): the answer is not known.
    #[error("the remote server could not be reached: {0}")]
    Unreachable(String),
    /// The answer was not HTTP we can read, too large, or not the JSON expected.
    #[error("the remote server's answer could not be read: {0}")]
    BadReply(String),
    /// The request could not be made (a wrong URL in the configuration).
    #[error("the request could not be made: {0}")]
    Request(String),
}

impl OutboundError {
    /// True when the remote side may well have acted and we just do not know: retry later.
    pub fn is_unknown_outcome(&self) -> bool {
        matches!(
            self,
            OutboundError::Timeout | OutboundError::Unreachable(_) | OutboundError::BadReply(_)
        )
    }
}

/// An answer, whatever its status.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON of type `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, OutboundError> {
        serde_json::from_str(&self.body).map_err(|e| OutboundError::BadReply(format!("json: {e}")))
    }
}

/// The shared client (cheap to clone: one connection pool).
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    max_reply_bytes: u64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("outbound::Client")
    }
}

/// A header value for HTTP basic authentication.
pub fn basic_auth(user: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

impl Client {
    pub fn new(settings: &OutboundSettings) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_millis(settings.connect_timeout_ms)))
            .timeout_global(Some(Duration::from_millis(settings.total_timeout_ms)))
            .http_status_as_error(false)
            // A gateway answers where it is asked; a redirect would carry our keys elsewhere.
            .max_redirects(0)
            .user_agent(concat!("mgramseva/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self {
            agent,
            max_reply_bytes: settings.max_reply_bytes,
        }
    }

    /// GET `url` with these headers.
    pub fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Reply, OutboundError> {
        let started = Instant::now();
        let mut req = self.agent.get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.finish("GET", url, started, req.call())
    }

    /// POST a form (`application/x-www-form-urlencoded`).
    pub fn post_form(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        form: &[(&str, &str)],
    ) -> Result<Reply, OutboundError> {
        let started = Instant::now();
        let mut req = self.agent.post(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.finish("POST", url, started, req.send_form(form.iter().copied()))
    }

    /// POST a JSON body.
    pub fn post_json(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &impl serde::Serialize,
    ) -> Result<Reply, OutboundError> {
        let started = Instant::now();
        let mut req = self.agent.post(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.finish("POST", url, started, req.send_json(body))
    }

    fn finish(
        &self,
        method: &str,
        url: &str,
        started: Instant,
        sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Reply, OutboundError> {
        let target = loggable(url);
        let outcome = sent.map_err(classify).and_then(|mut resp| {
            let status = resp.status().as_u16();
            let body = resp
                .body_mut()
                .with_config()
                .limit(self.max_reply_bytes)
                .read_to_string()
                .map_err(classify)?;
            Ok(Reply { status, body })
        });
        let ms = started.elapsed().as_millis();
        match &outcome {
            Ok(r) => tracing::info!(method, target, status = r.status, ms, "outbound call"),
            Err(e) => tracing::warn!(method, target, ms, error = %e, "outbound call failed"),
        }
        outcome
    }
}

fn classify(e: ureq::Error) -> OutboundError {
    match e {
        ureq::Error::Timeout(_) => OutboundError::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => OutboundError::Timeout,
        ureq::Error::Io(io) => OutboundError::Unreachable(io.kind().to_string()),
        ureq::Error::HostNotFound => OutboundError::Unreachable("host not found".to_owned()),
        ureq::Error::ConnectionFailed => OutboundError::Unreachable("connection failed".to_owned()),
        ureq::Error::Tls(m) => OutboundError::Unreachable(format!("tls: {m}")),
        ureq::Error::Rustls(e) => OutboundError::Unreachable(format!("tls: {e}")),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::InvalidProxyUrl => {
            OutboundError::Request("bad URL or header".to_owned())
        }
        other => OutboundError::BadReply(other.to_string()),
    }
}

/// `scheme://host/path` of a URL: no user info, no query, no fragment.
fn loggable(url: &str) -> String {
    let no_query = url.split(['?', '#']).next().unwrap_or_default();
    match no_query.split_once("://") {
        Some((scheme, rest)) => {
            let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
            format!("{scheme}://{rest}")
        }
        None => no_query.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_carry_no_secrets() {
        assert_eq!(
            loggable("https://key:secret@api.razorpay.com/v1/orders?x=1#f"),
            "https://api.razorpay.com/v1/orders"
        );
        assert_eq!(loggable("http://127.0.0.1:9/a"), "http://127.0.0.1:9/a");
    }

    #[test]
    fn basic_auth_is_base64_of_user_colon_password() {
        assert_eq!(
            basic_auth("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn nothing_listening_is_unreachable_not_a_failure() {
        let c = Client::new(&OutboundSettings {
            connect_timeout_ms: 500,
            total_timeout_ms: 1_000,
            max_reply_bytes: 1024,
        });
        // Port 9 (discard) on the loopback: refused at once on a machine that runs nothing there.
        let e = c.get("http://127.0.0.1:9/", &[]).err();
        assert!(matches!(e, Some(ref e) if e.is_unknown_outcome()), "{e:?}");
    }
}
