//! What may be sent, decided when a message is delivered (not when it is queued): the original's
//! per-event flags, suppressed numbers and tenants, the mobile number's shape, the DLT template
//! id, quiet hours (IST) and each GP's monthly budget. OTPs and onboarding are urgent: they never
//! wait for quiet hours and are never held back by the budget.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, TimeZone as _, Utc};

use crate::config::NotificationSettings;
use crate::time::IST;

/// The original's flags (§5.1) and the message keys each one switches.
pub const SWITCHES: &[(&str, &[&str])] = &[
    (
        "sms.pending.collection",
        &["mGram.GPUser.CollectionReminder"],
    ),
    (
        "sms.todays.collection",
        &["TODAY_COLLECTION_FROM_CASH", "TODAY_COLLECTION_FROM_ONLINE"],
    ),
    (
        "sms.expenditure",
        &[
            "NEW_ENPENDITURE_EN_REMINDER",
            "NEW_ENPENDITURE_SMS_EN_REMINDER",
            "mGram.GPUser.EnterExpense",
        ],
    ),
    (
        "sms.expenditure.mark.bill",
        &[
            "MARK_PAID_BILL_EN_REMINDER",
            "MARK_PAID_BILL_SMS_EN_REMINDER",
            "mGram.GPUser.MarkExpense",
        ],
    ),
    (
        "sms.monthy.summary",
        &[
            "MONTHLY_SUMMARY_EN_REMINDER",
            "mGram.GPUser.PreviousMonthSummary",
        ],
    ),
    (
        "sms.demand",
        &[
            "mGram.GP.MonthlyDemandGenerated",
            "mGram.Consumer.NewBill",
            "mGram.consumer.payment.message",
        ],
    ),
    (
        "sms.payment.notification",
        &["mGram.Consumer.DownloadReceipt"],
    ),
    ("sms.feedback.notification", &["mGram.Consumer.TakeSurvey"]),
];

/// Keys sent at any hour and whatever the budget: a person is waiting for them.
pub const URGENT: &[&str] = &[
    "RESET_PASSWORD_OTP",
    "RESET_PASSWORD_FIRST_TIME_OTP",
    "SMS_ON_BOARD_EMPLOYEE",
    "MGram.User.Invitation",
];

pub fn is_urgent(template: &str) -> bool {
    URGENT.contains(&template) || template.ends_with("_OTP")
}

/// The flag switching `template`, if one does.
pub fn switch_of(template: &str) -> Option<&'static str> {
    SWITCHES
        .iter()
        .find(|(_, keys)| keys.contains(&template))
        .map(|(flag, _)| *flag)
}

/// The settings, read once per delivery run.
#[derive(Debug, Clone)]
pub struct Policy {
    off: Vec<String>,
    quiet: Option<(NaiveTime, NaiveTime)>,
    budget: i64,
    tenant_budgets: HashMap<String, i64>,
    numbers: Vec<String>,
    tenants: Vec<String>,
    dlt: HashMap<String, String>,
}

/// What to do with a message now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Send,
    /// Not sent, ever: the reason.
    Skip(String),
    /// Not now: wait until then (the reason).
    Defer(DateTime<Utc>, String),
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

fn pairs(s: &str, what: &str) -> anyhow::Result<Vec<(String, String)>> {
    list(s)
        .into_iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
            _ => anyhow::bail!("notification.{what}: {p:?} is not KEY=VALUE"),
        })
        .collect()
}

fn hhmm(s: &str) -> anyhow::Result<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| anyhow::anyhow!("notification.quiet_hours: {s:?} is not HH:MM"))
}

impl Policy {
    pub fn from_settings(s: &NotificationSettings) -> anyhow::Result<Self> {
        let off = list(&s.switched_off);
        for f in &off {
            if !SWITCHES.iter().any(|(flag, _)| flag == f) {
                anyhow::bail!(
                    "notification.switched_off: {f:?} is not one of the original's flags"
                );
            }
        }
        let quiet = match s.quiet_hours.trim() {
            "" => None,
            q => {
                let (a, b) = q.split_once('-').ok_or_else(|| {
                    anyhow::anyhow!("notification.quiet_hours: {q:?} is not HH:MM-HH:MM")
                })?;
                Some((hhmm(a)?, hhmm(b)?))
            }
        };
        let mut tenant_budgets = HashMap::new();
        for (k, v) in pairs(&s.tenant_budgets, "tenant_budgets")? {
            let n: i64 = v.parse().map_err(|_| {
                anyhow::anyhow!("notification.tenant_budgets: {v:?} is not a number")
            })?;
            tenant_budgets.insert(k, n);
        }
        Ok(Self {
            off,
            quiet,
            budget: s.monthly_budget,
            tenant_budgets,
            numbers: list(&s.suppressed_numbers),
            tenants: list(&s.suppressed_tenants),
            dlt: pairs(&s.dlt_template_ids, "dlt_template_ids")?
                .into_iter()
                .collect(),
        })
    }

    /// A GP's monthly budget of non-urgent SMS; None: no limit.
    pub fn budget_of(&self, tenant: &str) -> Option<i64> {
        let n = self
            .tenant_budgets
            .get(tenant)
            .copied()
            .unwrap_or(self.budget);
        (n > 0).then_some(n)
    }

    pub fn dlt_template_id(&self, template: &str) -> Option<&str> {
        self.dlt
            .get(template)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The end of the quiet hours `at` falls in, if it does.
    pub fn quiet_until(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (from, to) = self.quiet?;
        let local = at.with_timezone(&IST);
        let t = local.time();
        let inside = if from <= to {
            t >= from && t < to
        } else {
            t >= from || t < to
        };
        if !inside {
            return None;
        }
        let mut day = local.date_naive();
        if t >= to {
            day = day.succ_opt()?;
        }
        IST.from_local_datetime(&day.and_time(to))
            .earliest()
            .map(|d| d.with_timezone(&Utc))
    }

    /// Everything but the budget (which needs the month's count): what to do with `template`
    /// to `mobile` for `tenant` at `now`. `needs_dlt`: the adapter sends a DLT template id.
    pub fn judge(
        &self,
        tenant: &str,
        template: &str,
        mobile: &str,
        needs_dlt: bool,
        now: DateTime<Utc>,
    ) -> Verdict {
        if mobile.len() != 10 || !mobile.bytes().all(|b| b.is_ascii_digit()) {
            return Verdict::Skip("not a 10-digit mobile number".to_owned());
        }
        if self.tenants.iter().any(|t| t == tenant) {
            return Verdict::Skip(format!("suppressed: tenant {tenant}"));
        }
        if self.numbers.iter().any(|n| n == mobile) {
            return Verdict::Skip("suppressed: number".to_owned());
        }
        if let Some(flag) = switch_of(template)
            && self.off.iter().any(|f| f == flag)
        {
            return Verdict::Skip(format!("switched off: {flag}"));
        }
        if needs_dlt && self.dlt_template_id(template).is_none() {
            return Verdict::Skip(format!("no DLT template id for {template}"));
        }
        if !is_urgent(template)
            && let Some(until) = self.quiet_until(now)
        {
            return Verdict::Defer(until, "quiet hours".to_owned());
        }
        Verdict::Send
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(change: impl FnOnce(&mut NotificationSettings)) -> Policy {
        let mut s = crate::config::Settings::load_for("test")
            .unwrap_or_else(|e| panic!("{e}"))
            .notification;
        change(&mut s);
        Policy::from_settings(&s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn at(ist: &str) -> DateTime<Utc> {
        let n = chrono::NaiveDateTime::parse_from_str(ist, "%Y-%m-%d %H:%M")
            .unwrap_or_else(|e| panic!("{e}"));
        IST.from_local_datetime(&n)
            .earliest()
            .unwrap_or_else(|| panic!("time"))
            .with_timezone(&Utc)
    }

    #[test]
    fn quiet_hours_wrap_midnight_and_end_at_their_end() {
        let p = policy(|s| s.quiet_hours = "21:00-08:00".into());
        assert_eq!(p.quiet_until(at("2026-05-04 20:59")), None);
        assert_eq!(
            p.quiet_until(at("2026-05-04 21:00")),
            Some(at("2026-05-05 08:00"))
        );
        assert_eq!(
            p.quiet_until(at("2026-05-05 07:59")),
            Some(at("2026-05-05 08:00"))
        );
        assert_eq!(p.quiet_until(at("2026-05-05 08:00")), None);
        let v = p.judge(
            "pb.x",
            "MONTHLY_SUMMARY_EN_REMINDER",
            "9800000001",
            false,
            at("2026-05-04 23:10"),
        );
        assert_eq!(
            v,
            Verdict::Defer(at("2026-05-05 08:00"), "quiet hours".into())
        );
        // An OTP does not wait.
        let v = p.judge(
            "pb.x",
            "RESET_PASSWORD_OTP",
            "9800000001",
            false,
            at("2026-05-04 23:10"),
        );
        assert_eq!(v, Verdict::Send);
    }

    #[test]
    fn switches_numbers_tenants_and_dlt() {
        let p = policy(|s| {
            s.switched_off = "sms.feedback.notification,sms.demand".into();
            s.dlt_template_ids = "RESET_PASSWORD_OTP=1007".into();
        });
        let now = at("2026-05-04 12:00");
        let j = |t: &str, m: &str, k: &str, dlt: bool| p.judge(t, k, m, dlt, now);
        assert_eq!(
            j("pb.x", "9800000001", "mGram.Consumer.NewBill", false),
            Verdict::Skip("switched off: sms.demand".into())
        );
        assert_eq!(
            j("pb.x", "9800000001", "mGram.Consumer.TakeSurvey", false),
            Verdict::Skip("switched off: sms.feedback.notification".into())
        );
        assert_eq!(
            j(
                "pb.x",
                "9800000001",
                "mGram.Consumer.DownloadReceipt",
                false
            ),
            Verdict::Send
        );
        assert_eq!(
            j("pb.x", "9569761362", "RESET_PASSWORD_OTP", false),
            Verdict::Skip("suppressed: number".into())
        );
        assert_eq!(
            j("pb.testing", "9800000001", "RESET_PASSWORD_OTP", false),
            Verdict::Skip("suppressed: tenant pb.testing".into())
        );
        assert_eq!(
            j("pb.x", "980000001", "RESET_PASSWORD_OTP", false),
            Verdict::Skip("not a 10-digit mobile number".into())
        );
        assert_eq!(
            j("pb.x", "9800000001", "RESET_PASSWORD_OTP", true),
            Verdict::Send
        );
        assert_eq!(
            j("pb.x", "9800000001", "SMS_ON_BOARD_EMPLOYEE", true),
            Verdict::Skip("no DLT template id for SMS_ON_BOARD_EMPLOYEE".into())
        );
    }

    #[test]
    fn an_unknown_flag_is_refused() {
        let mut s = crate::config::Settings::load_for("test")
            .unwrap_or_else(|e| panic!("{e}"))
            .notification;
        s.switched_off = "sms.demnd".into();
        assert!(Policy::from_settings(&s).is_err());
    }
}
