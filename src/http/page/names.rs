//! Names shown as data on a page, in the page's language, through the catalogue (see
//! `platform::localization::names`): the GP, its wards, divisions, categories and roles.
//! `Names` is the same, detached from the page, for work done in a database closure.

use std::sync::Arc;

use super::{PageCtx, StaffPage, locale_of};
use crate::platform::localization::{Catalog, Locale};

/// Names in one language, for one GP.
#[derive(Clone)]
pub struct Names {
    texts: Arc<Catalog>,
    locale: Locale,
    tenant: String,
}

impl Names {
    /// Any GP by name (never its code).
    pub fn place(&self, tenant: &str) -> String {
        self.texts.place_name(self.locale, tenant)
    }

    /// A ward of the GP (`WARD1` → "ਵਾਰਡ 1").
    pub fn ward(&self, code: &str) -> String {
        self.texts.boundary_name(self.locale, &self.tenant, code)
    }

    /// A household's category or sub-category (`APL`, `SC`, `GENERAL`).
    pub fn category(&self, code: &str) -> String {
        self.texts.category_name(self.locale, code)
    }
}

impl StaffPage {
    /// Names in the page's language for the GP worked on.
    pub fn names(&self) -> Names {
        let locale = locale_of(&self.req, &self.state.settings.app.default_locale);
        Names {
            texts: self.state.i18n.clone(),
            locale: Locale::parse(locale).unwrap_or_default(),
            tenant: self.tenant.clone(),
        }
    }
}

impl PageCtx {
    fn loc(&self) -> Locale {
        Locale::parse(self.locale).unwrap_or_default()
    }

    /// Names in the page's language for the GP worked on.
    pub fn names(&self) -> Names {
        Names {
            texts: self.texts.clone(),
            locale: self.loc(),
            tenant: self.tenant.clone(),
        }
    }

    /// The GP worked on, by name.
    pub fn gp_name(&self) -> &str {
        &self.tenant_name
    }

    /// Any GP by name (never its code).
    pub fn place_name(&self, tenant: &str) -> String {
        self.texts.place_name(self.loc(), tenant)
    }

    /// A ward of the GP worked on (`WARD1` → "ਵਾਰਡ 1").
    pub fn ward_name(&self, code: &str) -> String {
        self.texts.boundary_name(self.loc(), &self.tenant, code)
    }

    /// A household's category or sub-category (`APL`, `SC`, `GENERAL`).
    pub fn category_name(&self, code: &str) -> String {
        self.texts.category_name(self.loc(), code)
    }

    /// A division by name (`english`: the tenant master's name).
    pub fn division_name(&self, code: &str, english: &str) -> String {
        self.texts.division_name(self.loc(), code, english)
    }

    /// A role by name (`english`: the role master's name, if known).
    pub fn role_name(&self, code: &str, english: Option<&str>) -> String {
        self.texts.role_name(self.loc(), code, english)
    }
}
