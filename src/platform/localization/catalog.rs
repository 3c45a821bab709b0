//! An in-process cache of the state tenant's messages for rendering pages and SMS. Only a cache:
//! reloaded at start, after an upsert, and at most a minute stale on other instances.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use diesel::PgConnection;

use super::service::{self, Locale};

#[derive(Default)]
struct Inner {
    by_code: HashMap<(Locale, String), String>,
    loaded: Option<Instant>,
}

#[derive(Default)]
pub struct Catalog {
    inner: RwLock<Inner>,
    /// The language of a message to someone who has not chosen one (`app.default_locale`).
    default_locale: Locale,
}

const MAX_AGE: Duration = Duration::from_secs(60);

impl Catalog {
    /// An empty catalogue whose messages to people without a language are in `default_locale`.
    pub fn new(default_locale: Locale) -> Self {
        Self {
            inner: RwLock::default(),
            default_locale,
        }
    }

    /// The language of a message to someone who has not chosen one.
    pub fn default_locale(&self) -> Locale {
        self.default_locale
    }

    /// The text of `code` in `locale` only (no fallback).
    pub fn exact(&self, locale: Locale, code: &str) -> Option<String> {
        let g = self.inner.read().ok()?;
        g.by_code.get(&(locale, code.to_owned())).cloned()
    }

    #[cfg(test)]
    pub(super) fn put(&self, locale: Locale, code: &str, text: &str) {
        if let Ok(mut g) = self.inner.write() {
            g.by_code.insert((locale, code.to_owned()), text.to_owned());
        }
    }

    /// (Re)loads from the database.
    pub fn reload(
        &self,
        conn: &mut PgConnection,
        state_tenant: &str,
    ) -> diesel::QueryResult<usize> {
        let rows = service::all(conn, state_tenant)?;
        let mut by_code = HashMap::with_capacity(rows.len());
        for r in rows {
            if let Some(l) = Locale::parse(&r.locale) {
                by_code.insert((l, r.code), r.message);
            }
        }
        let n = by_code.len();
        if let Ok(mut g) = self.inner.write() {
            *g = Inner {
                by_code,
                loaded: Some(Instant::now()),
            };
        }
        Ok(n)
    }

    /// True when the cache is older than a minute (or empty).
    pub fn stale(&self) -> bool {
        self.inner
            .read()
            .map(|g| g.loaded.is_none_or(|t| t.elapsed() > MAX_AGE))
            .unwrap_or(true)
    }

    /// The text of `code` in `locale`, else in English, else the code itself.
    pub fn text(&self, locale: Locale, code: &str) -> String {
        let Ok(g) = self.inner.read() else {
            return code.to_owned();
        };
        g.by_code
            .get(&(locale, code.to_owned()))
            .or_else(|| g.by_code.get(&(Locale::En, code.to_owned())))
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    }

    /// `text` with `{name}` placeholders filled in.
    pub fn format(&self, locale: Locale, code: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.text(locale, code);
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_english_then_to_the_key() {
        let c = Catalog::default();
        if let Ok(mut g) = c.inner.write() {
            g.by_code
                .insert((Locale::En, "CORE_SAVE".into()), "Save".into());
            g.by_code
                .insert((Locale::Pa, "CORE_SAVE".into()), "ਸੰਭਾਲੋ".into());
            g.by_code
                .insert((Locale::En, "CORE_BACK".into()), "Back".into());
            g.by_code
                .insert((Locale::En, "HI".into()), "Hello {name}".into());
        }
        assert_eq!(c.text(Locale::Pa, "CORE_SAVE"), "ਸੰਭਾਲੋ");
        assert_eq!(c.text(Locale::Pa, "CORE_BACK"), "Back");
        assert_eq!(c.text(Locale::Hi, "NO_SUCH_KEY"), "NO_SUCH_KEY");
        assert_eq!(
            c.format(Locale::Hi, "HI", &[("name", "Asha")]),
            "Hello Asha"
        );
    }
}
