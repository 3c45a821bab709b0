//! The adapter every payment gateway implements, what it answers, and the gateways configured
//! per GP (`pg.gateway`, `pg.tenant_gateways`).
//!
//! An adapter only speaks its gateway's protocol: it builds where the customer is sent, checks a
//! callback's signature or checksum and asks the gateway about a transaction. It never touches
//! the database of this system (the sandbox reads its own `pg_sandbox_payment`); the service
//! decides what a verdict does. Its calls may block (HTTP): the service runs them on the blocking
//! pool and never inside a database transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::model::Txn;
use crate::config::Settings;
use crate::error::AppResult;

/// The built-in test gateway.
pub const SANDBOX: &str = "SANDBOX";
/// NDML SurePay, the gateway Punjab uses.
pub const PAYGOV: &str = "PAYGOV";
pub const RAZORPAY: &str = "RAZORPAY";

/// A transaction's status, as stored and as a gateway claims it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Success,
    Failure,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Success => "SUCCESS",
            Self::Failure => "FAILURE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PENDING" => Some(Self::Pending),
            "SUCCESS" => Some(Self::Success),
            "FAILURE" => Some(Self::Failure),
            _ => None,
        }
    }
}

/// Where the customer goes to pay: a URL to open (GET), or a URL with form fields to POST (the
/// service then serves a small page that posts them, `redirectUrl` naming that page).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redirect {
    pub url: String,
    /// Some: POST these fields to `url`; None: GET `url`.
    pub form: Option<Vec<(String, String)>>,
    /// The gateway's own reference made at the start (Razorpay's order id), kept on the
    /// transaction for the callback's check and the status query.
    pub gateway_ref: Option<String>,
    /// What the DIGIT clients are answered as `redirectUrl` when they build the gateway's form
    /// themselves (PayGov: the fields and `txURL` in a query, as the app and the citizen UI
    /// parse it); None: the same as this server's pages use.
    pub client_url: Option<String>,
}

/// What a gateway says of a transaction (in a verified callback, or in its status answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    /// Our transaction id as the gateway's signed data names it (compared with the row's).
    pub txn_id: String,
    /// The gateway's own id of the payment (the receipt's transaction number and the payment's
    /// idempotency key).
    pub gateway_txn_id: Option<String>,
    /// The amount the gateway took, exact (rupees, paise as decimals): compared with the row's.
    /// None when the gateway's answer does not say (then a SUCCESS is not trusted).
    pub amount: Option<Decimal>,
    /// UPI, card, net banking... as the gateway names it.
    pub payment_mode: Option<String>,
    pub status_code: Option<String>,
    pub status_msg: Option<String>,
}

/// A payment gateway's protocol. Errors carry named codes (`error::codes::PG_*`): a bad
/// signature or checksum is `PG_BAD_SIGNATURE`, a gateway that cannot be reached or answers
/// nonsense `PG_GATEWAY_UNAVAILABLE`.
pub trait Gateway: Send + Sync {
    /// `SANDBOX`, `PAYGOV`, `RAZORPAY`.
    fn code(&self) -> &'static str;

    /// Where to send the customer for `txn` (PENDING, stored). `return_url` is where the gateway
    /// must send the customer back with its answer (our `_redirect`, naming the transaction as
    /// `transactionId`; GET or POST). May call the gateway (Razorpay's orders API).
    fn start(&self, txn: &Txn, return_url: &str) -> AppResult<Redirect>;

    /// Our transaction id in a callback's parameters (`transactionId` by default: the return URL
    /// carries it).
    fn txn_id_of(&self, params: &BTreeMap<String, String>) -> Option<String> {
        params
            .get("transactionId")
            .or_else(|| params.get("eg_pg_txnid"))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    /// Checks a callback's signature or checksum and reads what it claims. A bad signature is an
    /// `Err(PG_BAD_SIGNATURE)`; a good one claiming failure is an `Ok` FAILURE verdict.
    fn verify_callback(&self, params: &BTreeMap<String, String>, txn: &Txn) -> AppResult<Verdict>;

    /// Asks the gateway, server to server, what became of `txn`. `Ok(None)`: this gateway has no
    /// status query (its verified callback is then trusted). An unreachable gateway or a timeout
    /// is an `Err`: the transaction stays PENDING.
    fn status(&self, txn: &Txn) -> AppResult<Option<Verdict>>;
}

/// The gateways this installation runs, and which GP uses which.
#[derive(Clone, Default)]
pub struct Gateways {
    by_code: BTreeMap<&'static str, Arc<dyn Gateway>>,
    /// The state's gateway code ("" none).
    default: String,
    /// GP → gateway code ("" none).
    per_tenant: BTreeMap<String, String>,
}

impl std::fmt::Debug for Gateways {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateways")
            .field("codes", &self.by_code.keys().collect::<Vec<_>>())
            .field("default", &self.default)
            .field("per_tenant", &self.per_tenant)
            .finish()
    }
}

impl Gateways {
    /// The gateways named in the settings, each built from its keys. A GP or the state naming a
    /// gateway that is not built (the sandbox while disabled, an unknown code) is an error at
    /// start-up, not at the first payment.
    pub fn from_settings(settings: &Settings, pool: &crate::db::DbPool) -> anyhow::Result<Self> {
        let s = &settings.pg;
        let per_tenant = parse_tenant_gateways(&s.tenant_gateways)?;
        let default = s.gateway.trim().to_uppercase();
        let mut g = Self {
            by_code: BTreeMap::new(),
            default: default.clone(),
            per_tenant,
        };
        if s.sandbox_enabled {
            g = g.with(Arc::new(super::sandbox::Sandbox::new(
                settings,
                pool.clone(),
            )));
        }
        let wanted: std::collections::BTreeSet<String> = std::iter::once(default)
            .chain(g.per_tenant.values().cloned())
            .filter(|c| !c.is_empty())
            .collect();
        for code in wanted {
            if g.by_code.contains_key(code.as_str()) {
                continue;
            }
            let built = adapter(&code, settings)?;
            let built = built.ok_or_else(|| {
                if code == SANDBOX {
                    anyhow::anyhow!(
                        "pg: the SANDBOX gateway is configured but pg.sandbox_enabled is false"
                    )
                } else {
                    anyhow::anyhow!("pg: no gateway adapter named {code:?}")
                }
            })?;
            g = g.with(built);
        }
        Ok(g)
    }

    /// Adds (or replaces) an adapter under its code (tests install their own).
    pub fn with(mut self, gateway: Arc<dyn Gateway>) -> Self {
        self.by_code.insert(gateway.code(), gateway);
        self
    }

    /// The state's gateway becomes `code` ("" none); tests switch gateways with it.
    pub fn with_default(mut self, code: &str) -> Self {
        self.default = code.to_uppercase();
        self
    }

    /// The gateway a GP's payments go through, if it takes online payments.
    pub fn for_tenant(&self, tenant: &str) -> Option<Arc<dyn Gateway>> {
        let code = self.per_tenant.get(tenant).unwrap_or(&self.default);
        self.by_code.get(code.as_str()).cloned()
    }

    /// The adapter of a stored transaction's gateway.
    pub fn by_code(&self, code: &str) -> Option<Arc<dyn Gateway>> {
        self.by_code.get(code).cloned()
    }

    /// The codes of the gateways built (`gateway/v1/_search`).
    pub fn codes(&self) -> Vec<&'static str> {
        self.by_code.keys().copied().collect()
    }
}

/// The adapter of a real gateway, built from its keys (None: no adapter of that name).
fn adapter(code: &str, settings: &Settings) -> anyhow::Result<Option<Arc<dyn Gateway>>> {
    use super::gateways::adapters;
    let s = &settings.pg;
    Ok(match code {
        PAYGOV => Some(Arc::new(adapters::PayGov::new(
            &s.paygov,
            adapters::client(settings),
        )?)),
        RAZORPAY => Some(Arc::new(adapters::Razorpay::new(
            &s.razorpay,
            adapters::client(settings),
        )?)),
        _ => None,
    })
}

/// The gateways of `state` (none when the state holds something else).
pub fn gateways(state: &crate::state::AppState) -> &Gateways {
    static NONE: std::sync::LazyLock<Gateways> = std::sync::LazyLock::new(Gateways::default);
    state.pg.downcast_ref::<Gateways>().unwrap_or(&NONE)
}

/// `pb.a=RAZORPAY,pb.b=PAYGOV` → GP → code.
fn parse_tenant_gateways(s: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (t, code) = part
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("pg.tenant_gateways: {part:?} is not tenant=GATEWAY"))?;
        out.insert(t.trim().to_owned(), code.trim().to_uppercase());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_gateways_parse() {
        let m = parse_tenant_gateways(" pb.a=razorpay, pb.b=PAYGOV ,pb.c=").unwrap_or_default();
        assert_eq!(m["pb.a"], "RAZORPAY");
        assert_eq!(m["pb.b"], "PAYGOV");
        assert_eq!(m["pb.c"], "");
        assert!(parse_tenant_gateways("pb.a").is_err());
        assert!(parse_tenant_gateways("").is_ok_and(|m| m.is_empty()));
    }
}
