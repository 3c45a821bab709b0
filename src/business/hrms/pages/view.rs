//! How the employee screens word things: roles grouped by role with their GPs, names from the
//! catalogue, and the history as sentences in the page's language.

use std::collections::HashMap;

use chrono::{DateTime, Datelike as _, Utc};

use crate::http::page::PageCtx;
use crate::platform::user::RoleOf;
use crate::platform::user::service::HistoryEntry;

/// Up to this many GPs are listed inline; more are folded into a `<details>` under a count.
pub const INLINE_GPS: usize = 3;

/// One role and the GPs it is held on (names in the page's language, sorted).
pub struct RoleGroup {
    pub name: String,
    pub gps: Vec<String>,
    /// "84 gram panchayats", for a long list folded away.
    pub count: String,
}

impl RoleGroup {
    pub fn folded(&self) -> bool {
        self.gps.len() > INLINE_GPS
    }

    pub fn gps_text(&self) -> String {
        self.gps.join(", ")
    }
}

/// The name of a role: `ROLE_<CODE>` from the catalogue, else the master data's name.
pub fn role_name(p: &PageCtx, code: &str, fallback: &str) -> String {
    let key = format!("ROLE_{code}");
    let t = p.t(&key);
    if t == key { fallback.to_owned() } else { t }
}

/// The name of a tenant: its code as a catalogue key (as the app does), else the master data's
/// name, else the code.
pub fn tenant_name(p: &PageCtx, code: &str, names: &HashMap<String, String>) -> String {
    let t = p.t(code);
    if t != code {
        return t;
    }
    // no translation: the master's name title-cased (as everywhere else), never in capitals
    names
        .get(code)
        .map_or_else(|| p.place_name(code), |n| p.division_name(code, n))
}

/// The roles of a person (the base EMPLOYEE role left out), one group per role.
pub fn role_groups(
    p: &PageCtx,
    roles: &[RoleOf],
    names: &HashMap<String, String>,
) -> Vec<RoleGroup> {
    let mut codes: Vec<(&str, &str)> = Vec::new();
    for r in roles.iter().filter(|r| r.code != "EMPLOYEE") {
        if !codes.iter().any(|(c, _)| *c == r.code) {
            codes.push((&r.code, &r.name));
        }
    }
    let mut groups: Vec<RoleGroup> = codes
        .into_iter()
        .map(|(code, fallback)| {
            let mut gps: Vec<String> = roles
                .iter()
                .filter(|r| r.code == code)
                .map(|r| tenant_name(p, &r.tenant_id, names))
                .collect();
            gps.sort();
            gps.dedup();
            RoleGroup {
                name: role_name(p, code, fallback),
                count: p.t("HRMS_GP_COUNT").replace("{n}", &gps.len().to_string()),
                gps,
            }
        })
        .collect();
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    groups
}

/// "2 ਦਸੰਬਰ 2026, 16:40" (India time, the month from the catalogue).
pub fn when(p: &PageCtx, at: DateTime<Utc>) -> String {
    let t = at.with_timezone(&crate::time::IST);
    format!(
        "{} {} {}, {}",
        t.day(),
        p.t(&format!("MONTH_{}", t.month())),
        t.year(),
        t.format("%H:%M")
    )
}

/// One change as a sentence: who did what, when (and why, for a status change).
pub fn history_sentence(p: &PageCtx, h: &HistoryEntry, who: Option<&str>) -> String {
    let key = match h.action.as_str() {
        "CREATED"
        | "DEACTIVATED"
        | "REACTIVATED"
        | "PROFILE_UPDATED"
        | "ROLES_CHANGED"
        | "PASSWORD_CHANGED"
        | "PASSWORD_RESET_BY_OTP"
        | "OTP_USED"
        | "LOCKED"
        | "DEMO_PASSWORD_RESET" => format!("HRMS_HIST_{}", h.action),
        _ => "HRMS_HIST_OTHER".to_owned(),
    };
    let reason = h
        .detail
        .get("reason")
        .and_then(serde_json::Value::as_str)
        .map(|r| {
            let k = format!("HRMS_REASON_{r}");
            let t = p.t(&k);
            if t == k { p.t("HRMS_REASON_OTHERS") } else { t }
        })
        .unwrap_or_default();
    let who = who.map_or_else(|| p.t("HRMS_SYSTEM"), str::to_owned);
    p.t(&key)
        .replace("{who}", &who)
        .replace("{date}", &when(p, h.changed_at))
        .replace("{reason}", &reason)
}
