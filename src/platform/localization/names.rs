//! Names shown as data: a gram panchayat, its wards, its division, a household's category and
//! a role. Each goes through the catalogue under the key the app uses, and falls back to a
//! readable English name (title-cased: "LODHIPUR" reads "Lodhipur"), never to the code.
//!
//! Keys: a GP under its code (`pb.lodhipur`, what the app translates); a ward first under the
//! DIGIT boundary key of its GP (`PB_LODHIPUR_ADMIN_WARD1`), then under its code (`WARD1`); a
//! division under its code (`DIV1038`); a category under its code (`APL`, `SC`, `GENERAL`); a
//! role under `ACCESSCONTROL_ROLES_ROLES_<CODE>` (the DIGIT web screens' key).

use super::{Catalog, Locale};

/// "LODHIPUR" → "Lodhipur", "ABADI GHRATIAN" → "Abadi Ghratian", "lodhipur" → "Lodhipur";
/// a name already in mixed case ("Sri Anandpur Sahib", "SBS Nagar") is kept as it is.
pub fn title_case(s: &str) -> String {
    let s = s.trim();
    let has_lower = s.chars().any(char::is_lowercase);
    let has_upper = s.chars().any(char::is_uppercase);
    if has_lower && has_upper {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(if c == '_' { ' ' } else { c });
            start = true;
        }
    }
    out
}

/// The DIGIT boundary key of a ward: `pb.lodhipur` + `WARD1` → `PB_LODHIPUR_ADMIN_WARD1`.
pub fn boundary_key(tenant: &str, code: &str) -> String {
    format!(
        "{}_ADMIN_{}",
        tenant.replace('.', "_").to_uppercase(),
        code.to_uppercase()
    )
}

impl Catalog {
    /// `code` in `locale` when it is translated there; else its English text title-cased.
    fn name_or_english(&self, locale: Locale, code: &str) -> Option<String> {
        match self.exact(locale, code) {
            Some(s) if locale != Locale::En => Some(s),
            Some(s) => Some(title_case(&s)),
            None => self.exact(Locale::En, code).map(|s| title_case(&s)),
        }
    }

    /// A gram panchayat (any tenant) by name: its translation, else its English name from the
    /// tenant master (loaded into the catalogue under its code) title-cased, else the last part
    /// of its code title-cased.
    pub fn place_name(&self, locale: Locale, tenant: &str) -> String {
        self.name_or_english(locale, tenant)
            .unwrap_or_else(|| title_case(tenant.rsplit('.').next().unwrap_or(tenant)))
    }

    /// A ward (locality) of `tenant`: the GP's own name for it, else the ward code's ("Ward 1"),
    /// else "Ward 3" from `WARD3`, else the code title-cased.
    pub fn boundary_name(&self, locale: Locale, tenant: &str, code: &str) -> String {
        if let Some(s) = self.name_or_english(locale, &boundary_key(tenant, code)) {
            return s;
        }
        if let Some(s) = self.name_or_english(locale, code) {
            return s;
        }
        match code.to_uppercase().strip_prefix("WARD") {
            Some(n) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
                self.format(locale, "CORE_WARD_N", &[("n", n)])
            }
            _ => title_case(code),
        }
    }

    /// A division by name: its translation under its code, else `english` (the tenant
    /// master's) title-cased, else the code.
    pub fn division_name(&self, locale: Locale, code: &str, english: &str) -> String {
        self.name_or_english(locale, code).unwrap_or_else(|| {
            if english.trim().is_empty() {
                code.to_owned()
            } else {
                title_case(english)
            }
        })
    }

    /// A household's category or sub-category (`APL`, `BPL`, `SC`, `ST`, `GENERAL`): its
    /// translation, else the code title-cased.
    pub fn category_name(&self, locale: Locale, code: &str) -> String {
        self.exact(locale, code)
            .or_else(|| self.exact(Locale::En, code))
            .unwrap_or_else(|| title_case(code))
    }

    /// A role by name (`ACCESSCONTROL_ROLES_ROLES_SECRETARY`), else `english` (the role
    /// master's name) title-cased, else the code title-cased.
    pub fn role_name(&self, locale: Locale, code: &str, english: Option<&str>) -> String {
        let key = format!("ACCESSCONTROL_ROLES_ROLES_{code}");
        self.exact(locale, &key)
            .or_else(|| self.exact(Locale::En, &key))
            .unwrap_or_else(|| title_case(english.unwrap_or(code)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_cases_capitals_only() {
        assert_eq!(title_case("LODHIPUR"), "Lodhipur");
        assert_eq!(title_case("ABADI GHRATIAN"), "Abadi Ghratian");
        assert_eq!(title_case("lodhipur"), "Lodhipur");
        assert_eq!(title_case("SBS Nagar"), "SBS Nagar");
        assert_eq!(title_case("GP_ADMIN"), "Gp Admin");
        assert_eq!(
            boundary_key("pb.lodhipur", "WARD1"),
            "PB_LODHIPUR_ADMIN_WARD1"
        );
    }

    #[test]
    fn names_fall_back_to_english_title_cased_never_to_the_code() {
        let c = Catalog::default();
        c.put(Locale::Pa, "pb.lodhipur", "ਲੋਧੀਪੁਰ");
        c.put(Locale::En, "pb.lodhipur", "LODHIPUR");
        c.put(Locale::En, "pb.kalwan", "KALWAN");
        c.put(Locale::Hi, "CORE_WARD_N", "वार्ड {n}");
        c.put(Locale::Pa, "WARD1", "ਵਾਰਡ 1");
        c.put(Locale::Pa, "SC", "ਅਨੁਸੂਚਿਤ ਜਾਤੀ");
        assert_eq!(c.place_name(Locale::Pa, "pb.lodhipur"), "ਲੋਧੀਪੁਰ");
        assert_eq!(c.place_name(Locale::Hi, "pb.lodhipur"), "Lodhipur");
        assert_eq!(c.place_name(Locale::En, "pb.lodhipur"), "Lodhipur");
        assert_eq!(c.place_name(Locale::Pa, "pb.kalwan"), "Kalwan");
        assert_eq!(c.place_name(Locale::Pa, "pb.nosuch"), "Nosuch");
        assert_eq!(c.boundary_name(Locale::Pa, "pb.x", "WARD1"), "ਵਾਰਡ 1");
        assert_eq!(c.boundary_name(Locale::Hi, "pb.x", "WARD3"), "वार्ड 3");
        assert_eq!(c.category_name(Locale::Pa, "SC"), "ਅਨੁਸੂਚਿਤ ਜਾਤੀ");
        assert_eq!(c.category_name(Locale::Pa, "GENERAL"), "General");
        assert_eq!(
            c.division_name(Locale::Pa, "DIV1", "Sri Anandpur Sahib"),
            "Sri Anandpur Sahib"
        );
        assert_eq!(c.role_name(Locale::Pa, "GP_ADMIN", None), "Gp Admin");
    }
}
