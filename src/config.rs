//! Settings: `config/default.toml` (compiled in), overlaid by `config/<APP_ENV>.toml`, overlaid by
//! `MGRAMSEVA__SECTION__KEY` environment variables and `DATABASE_URL`.

use std::fmt;

use anyhow::Context as _;
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

/// A value that must never reach a log line or a debug print.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub app: AppSettings,
    pub scheduler: SchedulerSettings,
    pub security: SecuritySettings,
    pub notification: NotificationSettings,
    pub filestore: FilestoreSettings,
    pub outbound: OutboundSettings,
    pub pg: PgSettings,
    pub email: EmailSettings,
    #[serde(default)]
    pub jobs: JobsSettings,
    #[serde(default)]
    pub ifix: IfixSettings,
}

/// `[jobs]`: which named jobs the scheduler runs, over each job's own default
/// (`jobs::JobDef::scheduled`). Names as in `mgramseva job list`; a list or a comma-separated
/// string (`MGRAMSEVA__JOBS__DISABLED=penalty,pii-rotate`). `disabled` wins over `enabled`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsSettings {
    #[serde(deserialize_with = "names")]
    pub enabled: Vec<String>,
    #[serde(deserialize_with = "names")]
    pub disabled: Vec<String>,
}

fn names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Names {
        List(Vec<String>),
        Text(String),
    }
    let list = match Names::deserialize(d)? {
        Names::List(l) => l,
        Names::Text(t) => t.split(',').map(str::to_owned).collect(),
    };
    Ok(list
        .into_iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect())
}

/// `[ifix]`: the fiscal-event export (`municipal::ifix`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IfixSettings {
    /// `none` (events are kept in `ifix_event` and marked recorded) or `http` (posted to
    /// `url` + `/events/v1/_push`).
    pub adapter: String,
    /// The iFIX (reference adapter) base address, e.g. `https://ifix.example/ifix-reference-adapter`.
    pub url: String,
    /// Bearer token of the push, from the environment (`MGRAMSEVA__IFIX__TOKEN`).
    pub token: Secret,
    /// A push that failed is tried again this many times in all (with a growing wait), then
    /// marked failed.
    pub max_attempts: i32,
    /// Events pushed per run at most.
    pub batch: i64,
}

impl Default for IfixSettings {
    fn default() -> Self {
        Self {
            adapter: "none".to_owned(),
            url: String::new(),
            token: Secret::default(),
            max_attempts: 8,
            batch: 500,
        }
    }
}

/// How the connection to the SMTP server is secured.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587); refused when the server cannot.
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Implicit,
    /// No TLS at all: only for a server on this machine (development, tests).
    None,
}

/// `[email]`: e-mail over SMTP (`platform::notification::email`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// Off: nothing is sent and queued e-mails are marked FAILED with the reason.
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// The sender, `Name <address>` or an address.
    pub from: String,
    /// SMTP login, from the environment only (`MGRAMSEVA__EMAIL__USERNAME`,
    /// `MGRAMSEVA__EMAIL__PASSWORD`); empty: no login.
    #[serde(default)]
    pub username: Secret,
    #[serde(default)]
    pub password: Secret,
    /// Longest wait for the server at each step of a delivery.
    pub timeout_ms: u64,
}

/// `[outbound]` in the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboundSettings {
    /// Time to open the connection (DNS, TCP and TLS).
    pub connect_timeout_ms: u64,
    /// Time for the whole call, connecting to the last byte of the answer.
    pub total_timeout_ms: u64,
    /// Largest answer read, in bytes.
    pub max_reply_bytes: u64,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        Self {
            connect_timeout_ms: 5_000,
            total_timeout_ms: 15_000,
            max_reply_bytes: 1 << 20,
        }
    }
}

/// Online payments (`business::pg`): which gateway each GP uses and the gateways' keys.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PgSettings {
    /// The state's gateway, for every GP without its own: `SANDBOX`, `PAYGOV`, `RAZORPAY`, or
    /// empty (no online payments).
    pub gateway: String,
    /// GPs with another gateway than the state's: `pb.lodhipur=RAZORPAY,pb.x=PAYGOV` (`pb.y=`
    /// turns online payments off for one GP).
    pub tenant_gateways: String,
    /// The built-in sandbox gateway and its pages (`/pg-sandbox/*`): dev, test and demo only.
    pub sandbox_enabled: bool,
    /// Key of the sandbox's HMAC-SHA256 callback signature.
    pub sandbox_key: Secret,
    /// The reconciliation job asks the gateway about PENDING transactions older than this.
    pub reconcile_after_minutes: i64,
    /// A PENDING transaction the gateway still does not confirm after this long expires (FAILURE).
    pub expire_after_minutes: i64,
    /// Longest wait for a gateway's server-to-server answer.
    pub timeout_ms: u64,
    /// Keys come from the environment (`MGRAMSEVA__PG__PAYGOV__SECRET_KEY`,
    /// `MGRAMSEVA__PG__RAZORPAY__KEY_SECRET`, ...), never from a file in the repository.
    pub paygov: PaygovSettings,
    pub razorpay: RazorpaySettings,
}

/// PayGov (NDML SurePay): the merchant account and the two addresses of its protocol.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaygovSettings {
    /// Where the citizen's browser is sent (SurePay `processRequest`).
    pub gateway_url: String,
    /// The server-to-server status query (SurePay `queryPaymentStatus`).
    pub status_url: String,
    pub merchant_id: String,
    /// Basic-auth user and password of the status query.
    pub merchant_user: String,
    pub merchant_password: Secret,
    /// The key mixed into the CRC32 "checksum" of every message.
    pub secret_key: Secret,
    /// The request message type (`0100`).
    pub message_type: String,
    pub currency: String,
}

/// Razorpay: the API base, the hosted checkout and the account's keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RazorpaySettings {
    /// `https://api.razorpay.com` (the orders and payments API under `/v1`).
    pub api_url: String,
    /// The hosted checkout the citizen's browser posts to.
    pub checkout_url: String,
    pub key_id: String,
    pub key_secret: Secret,
    /// The secret of the webhook set in Razorpay's dashboard.
    pub webhook_secret: Secret,
    /// The merchant name shown on the checkout.
    pub merchant_name: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilestoreSettings {
    /// Where files are kept (created if missing); relative to the working directory.
    pub dir: std::path::PathBuf,
    /// Largest file taken by `POST /filestore/v1/files` and the pages' uploads, in bytes.
    pub max_file_bytes: usize,
    /// Uploads without a login kept unclaimed per GP in the last 24 hours: files and bytes.
    pub anonymous_files_per_day: i64,
    pub anonymous_bytes_per_day: i64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    pub pii_keys: Secret,
    pub pii_index_key: Secret,
    pub access_token_minutes: i64,
    pub refresh_token_minutes: i64,
    pub otp_valid_minutes: i64,
    pub otp_max_attempts: i32,
    pub otp_max_sends_per_hour: i64,
    /// Register OTPs (sent to any number) per client address per hour, and overall per hour.
    pub otp_register_max_per_address_per_hour: i64,
    pub otp_register_max_per_hour: i64,
    /// Calls without a login to the link holder's views (bills, receipts, files) per client
    /// address per minute.
    pub anonymous_calls_per_minute: u32,
    pub lockout_failures: i64,
    pub lockout_window_minutes: i64,
    pub lockout_minutes: i64,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub secure_cookies: bool,
    /// How long a checked access token is trusted without asking the database (0: always ask).
    pub token_cache_seconds: u64,
}

/// `[notification]`: the outbox's delivery and its SMS policies (`platform::notification`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// `record` (kept in the outbox as RECORDED: dev, demo, tests) or `http` (a government SMS
    /// gateway, `[notification.http]`).
    pub sms_adapter: String,
    /// Attempts before a message is GAVE_UP.
    pub max_attempts: i32,
    /// The first retry waits this long, each next one twice as long (capped at `backoff_max_seconds`).
    pub backoff_first_seconds: i64,
    pub backoff_max_seconds: i64,
    /// How long a worker holds a claimed message; a claim older than this (the worker died) is
    /// taken again by the next run.
    pub lease_seconds: i64,
    /// The original's per-event flags that are off (`sms.feedback.notification`, ...), comma
    /// separated; every other flag is on.
    pub switched_off: String,
    /// Non-urgent SMS due in these hours (IST, `HH:MM-HH:MM`, may wrap midnight; empty: none)
    /// wait for their end. OTPs and onboarding are urgent.
    pub quiet_hours: String,
    /// Non-urgent SMS a GP may send a month (0: no limit), and GPs with their own budget
    /// (`pb.lodhipur=500,pb.x=0`).
    pub monthly_budget: i64,
    pub tenant_budgets: String,
    /// Numbers never sent to (the PSPCL vendor's) and tenants never sent for (`pb.testing`),
    /// comma separated.
    pub suppressed_numbers: String,
    pub suppressed_tenants: String,
    /// The DLT template id of each message key (`KEY=ID,KEY=ID`): the `http` adapter skips a key
    /// without one.
    pub dlt_template_ids: String,
    pub http: HttpSmsSettings,
}

/// `[notification.http]`: a government SMS gateway (NIC / CDAC style). Credentials only from the
/// environment: `MGRAMSEVA__NOTIFICATION__HTTP__USERNAME`, `__PASSWORD`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSmsSettings {
    pub url: String,
    /// `GET` (fields in the query string, as NIC) or `POST` (an urlencoded form).
    pub method: String,
    pub username: String,
    pub password: Secret,
    pub sender_id: String,
    pub dlt_entity_id: String,
    /// Put before the 10-digit number (`91` for NIC).
    pub mobile_prefix: String,
    /// Names of the fields on the wire.
    pub username_field: String,
    pub password_field: String,
    pub sender_field: String,
    pub entity_field: String,
    pub template_field: String,
    pub message_field: String,
    pub mobile_field: String,
    /// Extra fixed fields (`smsservicetype=unicodemsg`), `k=v&k=v`.
    pub extra_fields: String,
    /// An answer containing this is a success (NIC: `API000`).
    pub success_marker: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub max_body_bytes: usize,
    /// Take the client address from the first `X-Forwarded-For` hop (behind a proxy that sets
    /// it); otherwise the peer address.
    pub trust_forwarded_for: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub pool_size: u32,
    pub connection_timeout_ms: u64,
    pub ledger_cache_entries: usize,
    /// Every pooled session's `statement_timeout` (0: none). Long work lifts it.
    pub statement_timeout_ms: u64,
    /// Every pooled session's `lock_timeout` (0: none).
    pub lock_timeout_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSettings {
    pub state_tenant: String,
    pub default_locale: String,
    /// Empty: `http://{server.host}:{server.port}`, filled in by `Settings::load_for`.
    pub base_url: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSettings {
    pub enabled: bool,
    /// GPs billed at once by the bulk-demand job (each on its own connection).
    pub bulk_workers: usize,
}

impl Settings {
    /// Loads the layered settings for `APP_ENV` (default `local`).
    pub fn load() -> anyhow::Result<Self> {
        let env = std::env::var("APP_ENV").unwrap_or_else(|_| "local".to_owned());
        Self::load_for(&env)
    }

    pub fn load_for(env: &str) -> anyhow::Result<Self> {
        let dir = std::env::var("MGRAMSEVA_CONFIG_DIR").unwrap_or_else(|_| "config".to_owned());
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .add_source(config::File::with_name(&format!("{dir}/{env}")).required(false))
            .add_source(
                config::Environment::with_prefix("MGRAMSEVA")
                    .prefix_separator("__")
                    .separator("__"),
            );
        if let Ok(url) = std::env::var("DATABASE_URL") {
            builder = builder.set_override("database.url", url)?;
        }
        Self::from_layers(builder)
    }

    fn from_layers(
        builder: config::ConfigBuilder<config::builder::DefaultState>,
    ) -> anyhow::Result<Self> {
        let mut settings: Settings = builder
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .context("configuration has a wrong or unknown key")?;
        settings.derive_base_url();
        Ok(settings)
    }

    /// Without `app.base_url` set, links name the address this server listens on:
    /// `http://{host}:{port}` (a wildcard host as the loopback address, where a browser on this
    /// machine finds it). The one place the default is made, so every link agrees.
    fn derive_base_url(&mut self) {
        if !self.app.base_url.trim().is_empty() {
            return;
        }
        let host = match self.server.host.trim() {
            "" | "0.0.0.0" => "127.0.0.1".to_owned(),
            "::" | "[::]" => "[::1]".to_owned(),
            h if h.contains(':') && !h.starts_with('[') => format!("[{h}]"),
            h => h.to_owned(),
        };
        self.app.base_url = format!("http://{host}:{}", self.server.port);
    }

    pub fn database_url(&self) -> anyhow::Result<&str> {
        if self.database.url.is_empty() {
            anyhow::bail!("no database configured: set DATABASE_URL (or MGRAMSEVA__DATABASE__URL)");
        }
        Ok(self.database.url.expose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("postgres://u:hunter2@h/db");
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }

    fn with(overrides: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let mut b = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        for (k, v) in overrides {
            b = b.set_override(*k, *v)?;
        }
        Settings::from_layers(b)
    }

    #[test]
    fn the_default_base_url_follows_the_listening_address() -> anyhow::Result<()> {
        assert_eq!(with(&[])?.app.base_url, "http://127.0.0.1:8080");
        assert_eq!(
            with(&[("server.port", "9091")])?.app.base_url,
            "http://127.0.0.1:9091"
        );
        assert_eq!(
            with(&[("server.host", "0.0.0.0"), ("server.port", "80")])?
                .app
                .base_url,
            "http://127.0.0.1:80"
        );
        assert_eq!(
            with(&[("server.host", "::1"), ("server.port", "8081")])?
                .app
                .base_url,
            "http://[::1]:8081"
        );
        let set = [
            ("server.port", "9091"),
            ("app.base_url", "https://gp.example.in"),
        ];
        assert_eq!(
            with(&set)?.app.base_url,
            "https://gp.example.in",
            "a base URL set stays as set"
        );
        Ok(())
    }

    #[test]
    fn defaults_parse() -> anyhow::Result<()> {
        let s: Settings = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .build()?
            .try_deserialize()?;
        assert_eq!(s.server.port, 8080);
        assert_eq!(s.app.state_tenant, "pb");
        assert!(s.database.url.is_empty());
        assert_eq!(
            (s.database.statement_timeout_ms, s.database.lock_timeout_ms),
            (15_000, 5_000)
        );
        Ok(())
    }
}
