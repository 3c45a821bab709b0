//! The tenancy masters: the engineering org hierarchy, the tenants (the state and its GPs) and
//! each GP's boundaries.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::bail;
use serde::Deserialize;
use serde_json::json;

use super::{Boundary, Files, bad, csv_rows, opt};
use crate::platform::mdms::model::{OrgUnit, Tenant};

#[derive(Deserialize)]
struct OrgCsv {
    level: String,
    code: String,
    name: String,
    parent_code: String,
}

#[derive(Deserialize)]
struct TenantCsv {
    tenant_id: String,
    kind: String,
    name: String,
    city_code: String,
    district_code: String,
    district_name: String,
    block_code: String,
    block_name: String,
    zone_code: String,
    circle_code: String,
    division_code: String,
    division_name: String,
    subdivision_code: String,
    section_code: String,
    office_timings: String,
    tariff_id: String,
    /// Optional column: the GP's e-mail address.
    #[serde(default)]
    email_id: String,
}

#[derive(Deserialize)]
struct BoundaryCsv {
    tenant_id: String,
    hierarchy_types: String,
    city_name: String,
    city_label: String,
    locality_code: String,
    locality_name: String,
    locality_label: String,
}

/// The tenants, with what later files are checked against.
pub(super) struct Tenants {
    pub(super) rows: Vec<Tenant>,
    pub(super) codes: BTreeSet<String>,
    /// The tariff `tenants.csv` names for a tenant, when it names one.
    pub(super) csv_tariffs: BTreeMap<String, String>,
}

impl Tenants {
    pub(super) fn known(&self, tenant: &str) -> bool {
        self.codes.contains(tenant)
    }
}

/// `org-hierarchy.csv`: zones, circles, divisions, sub-divisions and sections, each under its
/// parent.
pub(super) fn org_hierarchy(files: &Files) -> anyhow::Result<Vec<OrgUnit>> {
    let f = "org-hierarchy.csv";
    let org: Vec<OrgCsv> = csv_rows(f, files.get(f))?;
    let mut out = Vec::new();
    let org_codes: BTreeSet<String> = org.iter().map(|o| o.code.clone()).collect();
    for (i, o) in org.into_iter().enumerate() {
        if o.code.trim().is_empty() || o.name.trim().is_empty() {
            return Err(bad(f, i + 1, "code and name are required"));
        }
        let parent = opt(o.parent_code);
        if let Some(p) = &parent
            && !org_codes.contains(p)
        {
            return Err(bad(f, i + 1, format!("parent_code {p} is not in the file")));
        }
        out.push(OrgUnit {
            code: o.code,
            level: o.level,
            name: o.name,
            parent_code: parent,
        });
    }
    Ok(out)
}

/// `tenants.csv`: the state tenant and its GPs, each placed in the org hierarchy.
pub(super) fn tenants(
    files: &Files,
    state_tenant: &str,
    org: &[OrgUnit],
) -> anyhow::Result<Tenants> {
    let f = "tenants.csv";
    let rows: Vec<TenantCsv> = csv_rows(f, files.get(f))?;
    let org_codes: BTreeSet<&str> = org.iter().map(|o| o.code.as_str()).collect();
    let mut tenant_codes = BTreeSet::new();
    let mut tenant_tariff_csv = BTreeMap::new();
    let mut rows_out = Vec::new();
    for (i, t) in rows.into_iter().enumerate() {
        let rec = i + 1;
        let code = t.tenant_id.trim().to_owned();
        let valid_code = code == state_tenant
            || code
                .strip_prefix(state_tenant)
                .and_then(|r| r.strip_prefix('.'))
                .is_some_and(|k| {
                    !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                });
        if !valid_code {
            return Err(bad(
                f,
                rec,
                format!("tenant_id {code:?} is not {state_tenant} or {state_tenant}.<key>"),
            ));
        }
        if !tenant_codes.insert(code.clone()) {
            return Err(bad(f, rec, format!("tenant_id {code} appears twice")));
        }
        if !matches!(t.kind.as_str(), "STATE" | "VILLAGE" | "TEST") {
            return Err(bad(
                f,
                rec,
                format!("kind {:?} is not STATE, VILLAGE or TEST", t.kind),
            ));
        }
        if (t.kind == "STATE") != (code == state_tenant) {
            return Err(bad(f, rec, "exactly the state tenant has kind STATE"));
        }
        if t.city_code.is_empty() || !t.city_code.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad(
                f,
                rec,
                format!("city_code {:?} must be digits", t.city_code),
            ));
        }
        if t.name.trim().is_empty() {
            return Err(bad(f, rec, "name is required"));
        }
        for (field, v) in [
            ("zone_code", &t.zone_code),
            ("circle_code", &t.circle_code),
            ("subdivision_code", &t.subdivision_code),
            ("section_code", &t.section_code),
        ] {
            if !v.is_empty() && !org_codes.contains(v.as_str()) {
                return Err(bad(
                    f,
                    rec,
                    format!("{field} {v} is not in org-hierarchy.csv"),
                ));
            }
        }
        let timings = match t.office_timings.split_once(": ") {
            Some((days, hours)) => json!({ days.trim(): hours.trim() }),
            None if t.office_timings.trim().is_empty() => json!({}),
            None => {
                return Err(bad(
                    f,
                    rec,
                    format!("office_timings {:?} is not 'days: hours'", t.office_timings),
                ));
            }
        };
        let email_id = opt(t.email_id);
        if let Some(e) = email_id.as_deref().filter(|e| {
            let (user, host) = e.split_once('@').unwrap_or_default();
            user.is_empty() || !host.contains('.') || e.contains(char::is_whitespace)
        }) {
            return Err(bad(
                f,
                rec,
                format!("email_id {e:?} is not an e-mail address"),
            ));
        }
        if let Some(tid) = opt(t.tariff_id) {
            tenant_tariff_csv.insert(code.clone(), tid);
        }
        rows_out.push(Tenant {
            parent_code: (t.kind != "STATE").then(|| state_tenant.to_owned()),
            code,
            kind: t.kind,
            name: t.name.split_whitespace().collect::<Vec<_>>().join(" "),
            city_code: t.city_code,
            district_code: opt(t.district_code),
            district_name: opt(t.district_name),
            block_code: opt(t.block_code),
            block_name: opt(t.block_name),
            zone_code: opt(t.zone_code),
            circle_code: opt(t.circle_code),
            division_code: opt(t.division_code),
            division_name: opt(t.division_name),
            subdivision_code: opt(t.subdivision_code),
            section_code: opt(t.section_code),
            office_timings: timings,
            email_id,
        });
    }
    if !tenant_codes.contains(state_tenant) {
        bail!("{f}: the state tenant {state_tenant} is missing");
    }
    Ok(Tenants {
        rows: rows_out,
        codes: tenant_codes,
        csv_tariffs: tenant_tariff_csv,
    })
}

/// `boundaries.csv`: one City node per GP (its code is the tenant id; three source rows carry
/// another village's id by mistake; the tree built from these rows uses the tenant id) with
/// one Locality child per hierarchy.
pub(super) fn boundaries(files: &Files, tenants: &Tenants) -> anyhow::Result<Vec<Boundary>> {
    let f = "boundaries.csv";
    let mut out = Vec::new();
    let rows: Vec<BoundaryCsv> = csv_rows(f, files.get(f))?;
    for (i, b) in rows.into_iter().enumerate() {
        if !tenants.known(&b.tenant_id) {
            return Err(bad(
                f,
                i + 1,
                format!("tenant_id {} is not a tenant", b.tenant_id),
            ));
        }
        if b.locality_code.trim().is_empty() {
            return Err(bad(f, i + 1, "locality_code is required"));
        }
        out.push(Boundary {
            hierarchy_types: b
                .hierarchy_types
                .split(';')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect(),
            tenant_id: b.tenant_id,
            city_name: b.city_name,
            city_label: b.city_label,
            locality_code: b.locality_code,
            locality_name: b.locality_name,
            locality_label: b.locality_label,
        });
    }
    Ok(out)
}
