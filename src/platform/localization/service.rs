//! Message storage, search with fallback, upsert, and the catalogue seed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::{self, schema::localization_message as lm};
use crate::error::{AppError, AppResult, ErrorDetail, codes};

/// The three languages.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Locale {
    #[serde(rename = "en_IN")]
    En,
    #[serde(rename = "hi_IN")]
    Hi,
    /// Punjabi, the language of the state's GPs.
    #[default]
    #[serde(rename = "pa_IN")]
    Pa,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Pa, Locale::Hi, Locale::En];

    /// Accepts `en_IN`, `hi_IN`, `pa_IN`, the app's `pn_IN`, and the bare language codes.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "en_in" | "en" => Some(Locale::En),
            "hi_in" | "hi" => Some(Locale::Hi),
            "pa_in" | "pn_in" | "pa" | "pn" => Some(Locale::Pa),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en_IN",
            Locale::Hi => "hi_IN",
            Locale::Pa => "pa_IN",
        }
    }

    /// The HTML `lang` attribute.
    pub fn lang(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Hi => "hi",
            Locale::Pa => "pa",
        }
    }
}

/// One message as the API speaks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub code: String,
    pub message: String,
    pub module: String,
    pub locale: String,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = lm)]
pub struct MessageRow {
    pub tenant_id: String,
    pub locale: String,
    pub module: String,
    pub code: String,
    pub message: String,
    pub updated_at: chrono::DateTime<Utc>,
}

/// What a search asks for.
#[derive(Clone, Debug)]
pub struct SearchCriteria {
    pub tenant: String,
    pub state: String,
    pub locale: Locale,
    /// Echoed in the answer (`pn_IN` stays `pn_IN`).
    pub locale_label: String,
    pub modules: Vec<String>,
    pub codes: Vec<String>,
}

/// Messages for a locale: the tenant's own over the state tenant's, and English where the
/// locale has no text for a code of the asked modules.
pub fn search(conn: &mut PgConnection, c: &SearchCriteria) -> QueryResult<Vec<Message>> {
    let tenants = if c.tenant == c.state {
        vec![c.state.clone()]
    } else {
        vec![c.state.clone(), c.tenant.clone()]
    };
    let mut locales = vec![c.locale.code().to_owned()];
    if c.locale != Locale::En {
        locales.push(Locale::En.code().to_owned());
    }
    let mut q = lm::table
        .filter(lm::tenant_id.eq_any(&tenants))
        .filter(lm::locale.eq_any(&locales))
        .select(MessageRow::as_select())
        .into_boxed();
    if !c.modules.is_empty() {
        q = q.filter(lm::module.eq_any(&c.modules));
    }
    if !c.codes.is_empty() {
        q = q.filter(lm::code.eq_any(&c.codes));
    }
    let rows = q.load(conn)?;
    // Rank: asked locale beats English; the tenant's own beats the state's.
    let mut best: BTreeMap<(String, String), (u8, MessageRow)> = BTreeMap::new();
    for r in rows {
        let rank = u8::from(r.locale == c.locale.code()) * 2
            + u8::from(r.tenant_id == c.tenant && c.tenant != c.state);
        let key = (r.module.clone(), r.code.clone());
        match best.get(&key) {
            Some((have, _)) if *have >= rank => {}
            _ => {
                best.insert(key, (rank, r));
            }
        }
    }
    Ok(best
        .into_values()
        .map(|(_, r)| Message {
            code: r.code,
            message: r.message,
            module: r.module,
            locale: c.locale_label.clone(),
        })
        .collect())
}

/// Checks and writes messages (insert or replace) for a tenant, in the caller's transaction.
pub fn upsert(
    conn: &mut PgConnection,
    tenant: &str,
    messages: &[Message],
) -> AppResult<Vec<Message>> {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    let now = Utc::now();
    for (i, m) in messages.iter().enumerate() {
        let field = |f: &str| format!("messages[{i}].{f}");
        let Some(locale) = Locale::parse(&m.locale) else {
            errors.push(ErrorDetail::field(
                codes::INVALID_LOCALE,
                format!("locale {:?} is not en_IN, hi_IN or pa_IN", m.locale),
                &field("locale"),
            ));
            continue;
        };
        for (name, v) in [
            ("code", &m.code),
            ("module", &m.module),
            ("message", &m.message),
        ] {
            if v.trim().is_empty() {
                errors.push(ErrorDetail::field(
                    codes::MISSING_FIELD,
                    format!("{name} is required"),
                    &field(name),
                ));
            }
        }
        if !seen.insert((locale, m.module.clone(), m.code.clone())) {
            errors.push(ErrorDetail::field(
                "DUPLICATE_MESSAGE",
                "the same locale, module and code appear twice",
                &field("code"),
            ));
        }
        rows.push(MessageRow {
            tenant_id: tenant.to_owned(),
            locale: locale.code().to_owned(),
            module: m.module.trim().to_owned(),
            code: m.code.trim().to_owned(),
            message: m.message.clone(),
            updated_at: now,
        });
    }
    if messages.is_empty() {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "messages must not be empty",
            "messages",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    let json = serde_json::to_value(&rows).map_err(|e| AppError::Internal(e.into()))?;
    db::bulk_upsert(
        conn,
        "localization_message",
        &["tenant_id", "locale", "module", "code"],
        &json,
    )?;
    Ok(rows
        .into_iter()
        .map(|r| Message {
            code: r.code,
            message: r.message,
            module: r.module,
            locale: r.locale,
        })
        .collect())
}

/// Every message of a tenant (the catalogue cache loads the state tenant's).
pub fn all(conn: &mut PgConnection, tenant: &str) -> QueryResult<Vec<MessageRow>> {
    lm::table
        .filter(lm::tenant_id.eq(tenant))
        .select(MessageRow::as_select())
        .load(conn)
}

/// The shipped catalogue: `data/localization/<locale>.json`, `{module: {code: message}}`.
pub fn shipped() -> anyhow::Result<Vec<(Locale, String, String, String)>> {
    let files = [
        (
            Locale::En,
            "en_IN.json",
            include_str!("../../../data/localization/en_IN.json"),
        ),
        (
            Locale::Hi,
            "hi_IN.json",
            include_str!("../../../data/localization/hi_IN.json"),
        ),
        (
            Locale::Pa,
            "pa_IN.json",
            include_str!("../../../data/localization/pa_IN.json"),
        ),
    ];
    let mut out = Vec::new();
    for (locale, name, text) in files {
        let parsed: BTreeMap<String, BTreeMap<String, String>> = serde_json::from_str(text)
            .map_err(|e| anyhow::anyhow!("data/localization/{name}: {e}"))?;
        for (module, msgs) in parsed {
            for (code, message) in msgs {
                out.push((locale, module.clone(), code, message));
            }
        }
    }
    Ok(out)
}

/// The module of the tenant names: the app shows a gram panchayat by translating its code
/// (`pb.lodhipur`), and it loads this module.
pub const TENANT_NAMES_MODULE: &str = "mgramseva-common";

/// Loads the shipped catalogue into the state tenant (insert or replace), after every tenant's
/// name from the tenant master in English under its code (`TENANT_NAMES_MODULE`); the shipped
/// files may name a tenant in Hindi and Punjabi or spell its English name better. Run it after
/// the master data is loaded.
pub fn seed(conn: &mut PgConnection, state_tenant: &str) -> anyhow::Result<usize> {
    let now = Utc::now();
    let mut texts: BTreeMap<(Locale, String, String), String> = BTreeMap::new();
    for t in crate::platform::mdms::repo::tenants(conn)? {
        texts.insert((Locale::En, TENANT_NAMES_MODULE.to_owned(), t.code), t.name);
    }
    for (l, module, code, message) in shipped()? {
        texts.insert((l, module, code), message);
    }
    let rows: Vec<MessageRow> = texts
        .into_iter()
        .map(|((l, module, code), message)| MessageRow {
            tenant_id: state_tenant.to_owned(),
            locale: l.code().to_owned(),
            module,
            code,
            message,
            updated_at: now,
        })
        .collect();
    let json = serde_json::to_value(&rows)?;
    Ok(db::bulk_upsert(
        conn,
        "localization_message",
        &["tenant_id", "locale", "module", "code"],
        &json,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_parse_including_the_apps_pn_in() {
        assert_eq!(Locale::parse("pn_IN"), Some(Locale::Pa));
        assert_eq!(Locale::parse("pa_IN"), Some(Locale::Pa));
        assert_eq!(Locale::parse("hi-in"), Some(Locale::Hi));
        assert_eq!(Locale::parse("en_IN"), Some(Locale::En));
        assert_eq!(Locale::parse("fr_FR"), None);
    }

    #[test]
    fn shipped_catalogue_is_complete_in_english_and_covers_staff_screens() -> anyhow::Result<()> {
        let all = shipped()?;
        let en: BTreeSet<_> = all
            .iter()
            .filter(|m| m.0 == Locale::En)
            .map(|m| (m.1.clone(), m.2.clone()))
            .collect();
        assert!(en.len() > 150);
        for l in [Locale::Hi, Locale::Pa] {
            let mine: BTreeSet<_> = all
                .iter()
                .filter(|m| m.0 == l)
                .map(|m| (m.1.clone(), m.2.clone()))
                .collect();
            let common: Vec<_> = en.iter().filter(|k| k.0 == "mgramseva-common").collect();
            let missing: Vec<_> = common.iter().filter(|k| !mine.contains(**k)).collect();
            assert!(missing.is_empty(), "{l:?} lacks {missing:?}");
            assert!(mine.is_subset(&en), "{l:?} has codes English lacks");
        }
        Ok(())
    }
}
