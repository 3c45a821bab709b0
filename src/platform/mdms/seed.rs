//! Loads the Punjab master data (`data/mdms`, compiled into the binary, or a folder given on the
//! command line) into the master tables, in one transaction. Each file is parsed and checked
//! first; a malformed record stops the load with the file and record named, and nothing of it is
//! written. A second run with the same files does nothing; changed files update in place.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Digest as _;

use super::model::*;
use crate::db;
use crate::time::Fy;

/// The files of a master-data folder, in load order.
pub const FILES: &[&str] = &[
    "org-hierarchy.csv",
    "tenants.csv",
    "boundaries.csv",
    "roles.json",
    "actions.json",
    "role-actions.json",
    "tax-heads.json",
    "tax-periods.json",
    "business-services.json",
    "expense-types.json",
    "id-formats.json",
    "billing-slabs.json",
    "penalty.json",
    "pspcl-accounts.csv",
    "other-masters.json",
];

/// The project's own copy, compiled in.
fn embedded(name: &str) -> Option<&'static [u8]> {
    Some(match name {
        "org-hierarchy.csv" => include_bytes!("../../../data/mdms/org-hierarchy.csv"),
        "tenants.csv" => include_bytes!("../../../data/mdms/tenants.csv"),
        "boundaries.csv" => include_bytes!("../../../data/mdms/boundaries.csv"),
        "roles.json" => include_bytes!("../../../data/mdms/roles.json"),
        "actions.json" => include_bytes!("../../../data/mdms/actions.json"),
        "role-actions.json" => include_bytes!("../../../data/mdms/role-actions.json"),
        "tax-heads.json" => include_bytes!("../../../data/mdms/tax-heads.json"),
        "tax-periods.json" => include_bytes!("../../../data/mdms/tax-periods.json"),
        "business-services.json" => include_bytes!("../../../data/mdms/business-services.json"),
        "expense-types.json" => include_bytes!("../../../data/mdms/expense-types.json"),
        "id-formats.json" => include_bytes!("../../../data/mdms/id-formats.json"),
        "billing-slabs.json" => include_bytes!("../../../data/mdms/billing-slabs.json"),
        "penalty.json" => include_bytes!("../../../data/mdms/penalty.json"),
        "pspcl-accounts.csv" => include_bytes!("../../../data/mdms/pspcl-accounts.csv"),
        "other-masters.json" => include_bytes!("../../../data/mdms/other-masters.json"),
        _ => return None,
    })
}

/// Where the master files come from.
#[derive(Clone, Debug, Default)]
pub enum Source {
    #[default]
    Embedded,
    Dir(PathBuf),
}

impl Source {
    fn read(&self, name: &str) -> anyhow::Result<Cow<'static, [u8]>> {
        match self {
            Source::Embedded => embedded(name)
                .map(Cow::Borrowed)
                .ok_or_else(|| anyhow!("{name}: not a master file")),
            Source::Dir(dir) => {
                let p = dir.join(name);
                std::fs::read(&p)
                    .map(Cow::Owned)
                    .with_context(|| format!("{name}: cannot read {}", p.display()))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::Embedded => "the built-in copy of data/mdms".to_owned(),
            Source::Dir(d) => d.display().to_string(),
        }
    }
}

/// The date from which the seeded tariffs and penalty rules apply (the first financial year the
/// masters know, 2021-22).
pub fn seed_effective_from() -> NaiveDate {
    Fy(2021).first_day()
}

/// Everything parsed from one master folder, checked, ready to write.
#[derive(Debug, Default)]
pub struct MasterSet {
    pub org_units: Vec<OrgUnit>,
    pub tenants: Vec<Tenant>,
    pub boundaries: Vec<crate::platform::location::BoundaryRow>,
    pub roles: Vec<Role>,
    pub actions: Vec<Action>,
    pub role_actions: Vec<RoleAction>,
    pub tax_heads: Vec<TaxHead>,
    pub tax_period_rules: Vec<TaxPeriodRule>,
    pub business_services: Vec<BusinessService>,
    pub expense_types: Vec<ExpenseType>,
    pub id_formats: Vec<IdFormat>,
    pub tariffs: Vec<Tariff>,
    pub tariff_rows: Vec<TariffRow>,
    pub tariff_slabs: Vec<TariffSlab>,
    pub tenant_tariffs: Vec<TenantTariff>,
    pub penalties: Vec<Penalty>,
    pub pspcl: Vec<PspclAccount>,
    pub records: Vec<MasterRecord>,
    pub hash: String,
}

/// A record that does not fit, named by file and position (1-based; CSV counts data rows).
fn bad(file: &str, record: usize, what: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("{file}: record {record}: {what}")
}

fn parse_json<T: for<'de> Deserialize<'de>>(file: &str, bytes: &[u8]) -> anyhow::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        // "[12].code" -> record 13
        let record = path
            .strip_prefix('[')
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| n + 1);
        match record {
            Some(r) => bad(file, r, format!("{path}: {}", e.inner())),
            None => anyhow!("{file}: {path}: {}", e.inner()),
        }
    })
}

fn csv_rows<T: for<'de> Deserialize<'de>>(file: &str, bytes: &[u8]) -> anyhow::Result<Vec<T>> {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let mut out = Vec::new();
    for (i, r) in rdr.deserialize::<T>().enumerate() {
        out.push(r.map_err(|e| bad(file, i + 1, e))?);
    }
    Ok(out)
}

fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleJson {
    code: String,
    name: String,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionJson {
    id: i32,
    name: String,
    url: String,
    display_name: Option<String>,
    service_code: Option<String>,
    parent_module: Option<String>,
    enabled: bool,
    order_number: Option<i32>,
    path: Option<String>,
    #[serde(rename = "navigationURL")]
    navigation_url: Option<String>,
    left_icon: Option<String>,
    right_icon: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleActionJson {
    role_code: String,
    action_id: i32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaxHeadJson {
    code: String,
    name: String,
    service: String,
    category: String,
    is_debit: bool,
    is_actual_demand: bool,
    is_required: bool,
    order: Value,
    is_bill_amend: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaxPeriodJson {
    code: String,
    service: String,
    financial_year: String,
    period_cycle: String,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BusinessServiceJson {
    business_service: String,
    code: String,
    #[serde(default)]
    collection_modes_not_allowed: Vec<String>,
    part_payment_allowed: bool,
    #[serde(default)]
    is_advance_allowed: bool,
    #[serde(default)]
    is_voucher_creation_enabled: bool,
    #[serde(default = "yes")]
    is_active: bool,
    #[serde(rename = "type")]
    service_type: Option<String>,
    demand_update_time: Option<i64>,
    #[serde(rename = "billGineiURL")]
    bill_ginei_url: Option<String>,
    is_bill_amendment_enabled: Option<bool>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BusinessServicesFile {
    state_level: Vec<BusinessServiceJson>,
    tenant_level: TenantLevel,
    payment_service: Vec<Value>,
}

#[derive(Deserialize)]
struct TenantLevel {
    default: Vec<BusinessServiceJson>,
    #[serde(default)]
    exceptions: BTreeMap<String, Vec<BusinessServiceJson>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExpenseTypeJson {
    code: String,
    name: String,
    active: bool,
    business_service: String,
    tax_head_code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdFormatJson {
    id_name: String,
    format: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SlabRowJson {
    id: Value,
    building_type: String,
    connection_type: String,
    calculation_attribute: String,
    minimum_charge: Decimal,
    #[serde(default)]
    slabs: Option<Vec<SlabJson>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SlabJson {
    from: Decimal,
    to: Decimal,
    charge: Decimal,
    meter_charge: Option<Decimal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TariffJson {
    tariff_id: String,
    rows: Vec<SlabRowJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BillingSlabsFile {
    tariffs: Vec<TariffJson>,
    tenant_tariff: BTreeMap<String, String>,
    state_level_template: StateTemplate,
}

#[derive(Deserialize)]
struct StateTemplate {
    rows: Vec<SlabRowJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PenaltyJson {
    #[serde(rename = "type")]
    penalty_type: String,
    sub_type: String,
    rate: Option<Decimal>,
    amount: Option<Decimal>,
    min_amount: Option<Decimal>,
    flat_amount: Option<Decimal>,
    applicable_after_days: i32,
    #[serde(rename = "fromFY")]
    from_fy: Option<String>,
    starting_day: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PenaltyFile {
    state_level: PenaltyJson,
    tenants: BTreeMap<String, PenaltyJson>,
}

#[derive(Deserialize)]
struct PspclCsv {
    account_number: String,
    department_entity_code: String,
    department_entity_name: String,
    tenant_id: String,
}

/// Reads and checks every master file; writes nothing.
pub fn parse(source: &Source, state_tenant: &str) -> anyhow::Result<MasterSet> {
    let mut set = MasterSet::default();
    let mut hasher = sha2::Sha256::new();
    let mut files: HashMap<&str, Cow<'static, [u8]>> = HashMap::new();
    for name in FILES {
        let bytes = source.read(name)?;
        hasher.update(name.as_bytes());
        hasher.update(&bytes);
        files.insert(name, bytes);
    }
    set.hash = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let file = |n: &str| files.get(n).map(|c| c.as_ref()).unwrap_or_default();

    // Org hierarchy.
    let f = "org-hierarchy.csv";
    let org: Vec<OrgCsv> = csv_rows(f, file(f))?;
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
        set.org_units.push(OrgUnit {
            code: o.code,
            level: o.level,
            name: o.name,
            parent_code: parent,
        });
    }

    // Tenants.
    let f = "tenants.csv";
    let rows: Vec<TenantCsv> = csv_rows(f, file(f))?;
    let mut tenant_codes = BTreeSet::new();
    let mut tenant_tariff_csv = BTreeMap::new();
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
            if !v.is_empty() && !org_codes.contains(v) {
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
        if let Some(tid) = opt(t.tariff_id) {
            tenant_tariff_csv.insert(code.clone(), tid);
        }
        set.tenants.push(Tenant {
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
        });
    }
    if !tenant_codes.contains(state_tenant) {
        bail!("{f}: the state tenant {state_tenant} is missing");
    }
    let known = |t: &str| tenant_codes.contains(t);

    // Boundaries: one City node (its code is the tenant id; three source rows carry another
    // village's id by mistake, which is corrected here) with one Locality child per hierarchy.
    let f = "boundaries.csv";
    let rows: Vec<BoundaryCsv> = csv_rows(f, file(f))?;
    for (i, b) in rows.into_iter().enumerate() {
        if !known(&b.tenant_id) {
            return Err(bad(
                f,
                i + 1,
                format!("tenant_id {} is not a tenant", b.tenant_id),
            ));
        }
        if b.locality_code.trim().is_empty() {
            return Err(bad(f, i + 1, "locality_code is required"));
        }
        for h in b
            .hierarchy_types
            .split(';')
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            set.boundaries.push(crate::platform::location::BoundaryRow {
                tenant_id: b.tenant_id.clone(),
                hierarchy_type: h.to_owned(),
                code: b.tenant_id.clone(),
                name: b.city_name.clone(),
                label: b.city_label.clone(),
                boundary_num: 1,
                parent_code: None,
            });
            set.boundaries.push(crate::platform::location::BoundaryRow {
                tenant_id: b.tenant_id.clone(),
                hierarchy_type: h.to_owned(),
                code: b.locality_code.clone(),
                name: b.locality_name.clone(),
                label: b.locality_label.clone(),
                boundary_num: 1,
                parent_code: Some(b.tenant_id.clone()),
            });
        }
    }

    // Roles, actions, role-actions.
    let f = "roles.json";
    let roles: Vec<RoleJson> = parse_json(f, file(f))?;
    let mut role_codes = BTreeSet::new();
    for (i, r) in roles.into_iter().enumerate() {
        if r.code.trim().is_empty() || !role_codes.insert(r.code.clone()) {
            return Err(bad(
                f,
                i + 1,
                format!("code {:?} is empty or repeated", r.code),
            ));
        }
        set.roles.push(Role {
            code: r.code,
            name: r.name,
            description: r.description.unwrap_or_default(),
        });
    }
    let f = "actions.json";
    let actions: Vec<ActionJson> = parse_json(f, file(f))?;
    let mut action_ids = BTreeSet::new();
    for (i, a) in actions.into_iter().enumerate() {
        if !action_ids.insert(a.id) {
            return Err(bad(f, i + 1, format!("id {} is repeated", a.id)));
        }
        if a.url.trim().is_empty() {
            return Err(bad(f, i + 1, "url is required"));
        }
        set.actions.push(Action {
            id: a.id,
            name: a.name,
            url: a.url,
            display_name: a.display_name.unwrap_or_default(),
            service_code: a.service_code.unwrap_or_default(),
            parent_module: a.parent_module.unwrap_or_default(),
            enabled: a.enabled,
            order_number: a.order_number.unwrap_or(0),
            path: a.path.unwrap_or_default(),
            navigation_url: a.navigation_url,
            left_icon: a.left_icon,
            right_icon: a.right_icon,
        });
    }
    let f = "role-actions.json";
    let ras: Vec<RoleActionJson> = parse_json(f, file(f))?;
    let mut seen = BTreeSet::new();
    for (i, ra) in ras.into_iter().enumerate() {
        if !role_codes.contains(&ra.role_code) {
            return Err(bad(
                f,
                i + 1,
                format!("roleCode {} is not a role", ra.role_code),
            ));
        }
        if !action_ids.contains(&ra.action_id) {
            return Err(bad(
                f,
                i + 1,
                format!("actionId {} is not an action", ra.action_id),
            ));
        }
        if seen.insert((ra.role_code.clone(), ra.action_id)) {
            set.role_actions.push(RoleAction {
                tenant_id: state_tenant.to_owned(),
                role_code: ra.role_code,
                action_id: ra.action_id,
            });
        }
    }

    // Billing masters.
    let f = "tax-heads.json";
    let heads: Vec<TaxHeadJson> = parse_json(f, file(f))?;
    let mut head_codes = BTreeSet::new();
    for (i, h) in heads.into_iter().enumerate() {
        let order = match &h.order {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .and_then(|o| i32::try_from(o).ok())
        .filter(|o| *o >= 0)
        .ok_or_else(|| {
            bad(
                f,
                i + 1,
                format!("order {} is not a whole number ≥ 0", h.order),
            )
        })?;
        if !head_codes.insert(h.code.clone()) {
            return Err(bad(f, i + 1, format!("code {} is repeated", h.code)));
        }
        set.tax_heads.push(TaxHead {
            code: h.code,
            name: h.name,
            service: h.service,
            category: h.category,
            is_debit: h.is_debit,
            is_actual_demand: h.is_actual_demand,
            is_required: h.is_required,
            display_order: order,
            is_bill_amend: h.is_bill_amend,
        });
    }

    let f = "tax-periods.json";
    let periods: Vec<TaxPeriodJson> = parse_json(f, file(f))?;
    let mut rules: BTreeMap<String, TaxPeriodRule> = BTreeMap::new();
    for (i, p) in periods.into_iter().enumerate() {
        let fy = Fy::parse(&p.financial_year).ok_or_else(|| {
            bad(
                f,
                i + 1,
                format!("financialYear {:?} is not yyyy-yy", p.financial_year),
            )
        })?;
        // A code that carries its start year (WC2021) becomes a template; others stay as they are.
        let year = fy.0.to_string();
        let template = match p.code.strip_suffix(&year) {
            Some(prefix) => format!("{prefix}{{yyyy}}"),
            None => p.code.clone(),
        };
        // The source says TWOYEARS for some one-year periods; every period here is one FY.
        let cycle = match p.period_cycle.as_str() {
            "ANNUAL" | "TWOYEARS" => "ANNUAL",
            "MONTH" | "QUARTER" | "HALFYEAR" => p.period_cycle.as_str(),
            other => return Err(bad(f, i + 1, format!("periodCycle {other:?} is unknown"))),
        };
        let rule = rules
            .entry(p.service.clone())
            .or_insert_with(|| TaxPeriodRule {
                service: p.service.clone(),
                code_template: template.clone(),
                period_cycle: cycle.to_owned(),
                first_fy: fy.0,
            });
        if rule.code_template != template {
            return Err(bad(
                f,
                i + 1,
                format!(
                    "code {} does not follow {} of the same service",
                    p.code, rule.code_template
                ),
            ));
        }
        rule.first_fy = rule.first_fy.min(fy.0);
    }
    set.tax_period_rules = rules.into_values().collect();

    let f = "business-services.json";
    let bs: BusinessServicesFile = parse_json(f, file(f))?;
    let to_row = |tenant: &str, b: &BusinessServiceJson| BusinessService {
        tenant_id: tenant.to_owned(),
        code: b.code.clone(),
        business_service: b.business_service.clone(),
        collection_modes_not_allowed: b.collection_modes_not_allowed.clone(),
        part_payment_allowed: b.part_payment_allowed,
        is_advance_allowed: b.is_advance_allowed,
        is_voucher_creation_enabled: b.is_voucher_creation_enabled,
        is_active: b.is_active,
        service_type: b.service_type.clone(),
        demand_update_time: b.demand_update_time,
        bill_ginei_url: b.bill_ginei_url.clone(),
        is_bill_amendment_enabled: b.is_bill_amendment_enabled,
    };
    for b in &bs.state_level {
        set.business_services.push(to_row(state_tenant, b));
    }
    for (t, rows) in &bs.tenant_level.exceptions {
        if !known(t) {
            bail!("{f}: tenantLevel.exceptions: {t} is not a tenant");
        }
        for b in rows {
            set.business_services.push(to_row(t, b));
        }
    }
    for t in set.tenants.iter().filter(|t| t.kind == "VILLAGE") {
        if !bs.tenant_level.exceptions.contains_key(&t.code) {
            for b in &bs.tenant_level.default {
                set.business_services.push(to_row(&t.code, b));
            }
        }
    }
    for (i, p) in bs.payment_service.into_iter().enumerate() {
        set.records.push(MasterRecord {
            tenant_id: state_tenant.to_owned(),
            module: "BillingService".into(),
            master: "PaymentService".into(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            data: p,
        });
    }

    let f = "expense-types.json";
    let ets: Vec<ExpenseTypeJson> = parse_json(f, file(f))?;
    for (i, e) in ets.into_iter().enumerate() {
        if !head_codes.contains(&e.tax_head_code) {
            return Err(bad(
                f,
                i + 1,
                format!("taxHeadCode {} is not a tax head", e.tax_head_code),
            ));
        }
        set.expense_types.push(ExpenseType {
            code: e.code,
            name: e.name,
            active: e.active,
            business_service: e.business_service,
            tax_head_code: e.tax_head_code,
        });
    }

    let f = "id-formats.json";
    let ids: Vec<IdFormatJson> = parse_json(f, file(f))?;
    for (i, idf) in ids.into_iter().enumerate() {
        crate::platform::idgen::check_format(&idf.format).map_err(|e| bad(f, i + 1, e))?;
        set.id_formats.push(IdFormat {
            id_name: idf.id_name,
            format: idf.format,
        });
    }

    // Water tariffs.
    let f = "billing-slabs.json";
    let slabs: BillingSlabsFile = parse_json(f, file(f))?;
    let push_tariff =
        |set: &mut MasterSet, id: &str, desc: &str, rows: &[SlabRowJson]| -> anyhow::Result<()> {
            set.tariffs.push(Tariff {
                id: id.to_owned(),
                description: desc.to_owned(),
            });
            let mut keys = BTreeSet::new();
            for r in rows {
                if !keys.insert((
                    r.building_type.clone(),
                    r.connection_type.clone(),
                    r.calculation_attribute.clone(),
                )) {
                    bail!(
                        "{f}: tariff {id}: row {} repeats {} {} {}",
                        r.id,
                        r.building_type,
                        r.connection_type,
                        r.calculation_attribute
                    );
                }
                if !matches!(r.connection_type.as_str(), "Metered" | "Non_Metered")
                    || r.minimum_charge < Decimal::ZERO
                {
                    bail!(
                        "{f}: tariff {id}: row {}: connectionType or minimumCharge out of range",
                        r.id
                    );
                }
                set.tariff_rows.push(TariffRow {
                    tariff_id: id.to_owned(),
                    slab_id: match &r.id {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                    building_type: r.building_type.clone(),
                    connection_type: r.connection_type.clone(),
                    calculation_attribute: r.calculation_attribute.clone(),
                    minimum_charge: r.minimum_charge,
                });
                for (pos, s) in r.slabs.iter().flatten().enumerate() {
                    if s.to <= s.from || s.from < Decimal::ZERO || s.charge < Decimal::ZERO {
                        bail!(
                            "{f}: tariff {id}: row {}: slab {} has from {} to {} charge {}",
                            r.id,
                            pos + 1,
                            s.from,
                            s.to,
                            s.charge
                        );
                    }
                    set.tariff_slabs.push(TariffSlab {
                        tariff_id: id.to_owned(),
                        building_type: r.building_type.clone(),
                        connection_type: r.connection_type.clone(),
                        calculation_attribute: r.calculation_attribute.clone(),
                        position: i32::try_from(pos).unwrap_or(i32::MAX),
                        from_units: s.from,
                        to_units: s.to,
                        charge: s.charge,
                        meter_charge: s.meter_charge.unwrap_or(Decimal::ZERO),
                    });
                }
            }
            Ok(())
        };
    let state_tariff = "STATE";
    push_tariff(
        &mut set,
        state_tariff,
        "legacy state-level template (fallback)",
        &slabs.state_level_template.rows,
    )?;
    let mut tariff_ids = BTreeSet::from([state_tariff.to_owned()]);
    for t in &slabs.tariffs {
        push_tariff(&mut set, &t.tariff_id, "", &t.rows)?;
        tariff_ids.insert(t.tariff_id.clone());
    }
    let from = seed_effective_from();
    set.tenant_tariffs.push(TenantTariff {
        tenant_id: state_tenant.to_owned(),
        effective_from: from,
        tariff_id: state_tariff.to_owned(),
    });
    for (t, tariff) in &slabs.tenant_tariff {
        if !known(t) || !tariff_ids.contains(tariff) {
            bail!("{f}: tenantTariff: {t} -> {tariff}: unknown tenant or tariff");
        }
        if tenant_tariff_csv.get(t).is_some_and(|csv| csv != tariff) {
            bail!("{f}: tenantTariff: {t} -> {tariff} disagrees with tenants.csv");
        }
        set.tenant_tariffs.push(TenantTariff {
            tenant_id: t.clone(),
            effective_from: from,
            tariff_id: tariff.clone(),
        });
    }

    // Penalty.
    let f = "penalty.json";
    let pen: PenaltyFile = parse_json(f, file(f))?;
    let to_pen = |tenant: &str, p: &PenaltyJson| -> anyhow::Result<Penalty> {
        let kind = p.penalty_type.to_ascii_uppercase();
        if kind != "FIXED" && kind != "FLAT" {
            bail!(
                "{f}: {tenant}: type {:?} is not Fixed or Flat",
                p.penalty_type
            );
        }
        if !matches!(
            p.sub_type.as_str(),
            "currentMonth" | "outstanding" | "outstandingWithoutPenalty"
        ) {
            bail!("{f}: {tenant}: subType {:?} is unknown", p.sub_type);
        }
        if p.rate
            .is_some_and(|r| r < Decimal::ZERO || r > Decimal::ONE_HUNDRED)
            || p.applicable_after_days < 0
        {
            bail!("{f}: {tenant}: rate or applicableAfterDays out of range");
        }
        Ok(Penalty {
            tenant_id: tenant.to_owned(),
            effective_from: from,
            penalty_type: if kind == "FIXED" {
                "Fixed".into()
            } else {
                "Flat".into()
            },
            sub_type: p.sub_type.clone(),
            rate: p.rate,
            amount: p.amount,
            min_amount: p.min_amount,
            flat_amount: p.flat_amount,
            applicable_after_days: p.applicable_after_days,
            from_fy: p.from_fy.clone(),
            starting_day: p.starting_day.clone(),
        })
    };
    set.penalties.push(to_pen(state_tenant, &pen.state_level)?);
    for (t, p) in &pen.tenants {
        if !known(t) {
            bail!("{f}: tenants: {t} is not a tenant");
        }
        set.penalties.push(to_pen(t, p)?);
    }

    // PSPCL accounts (the source repeats some pairs; they are kept once).
    let f = "pspcl-accounts.csv";
    let rows: Vec<PspclCsv> = csv_rows(f, file(f))?;
    let mut pairs = BTreeSet::new();
    for (i, r) in rows.into_iter().enumerate() {
        if !known(&r.tenant_id) {
            return Err(bad(
                f,
                i + 1,
                format!("tenant_id {} is not a tenant", r.tenant_id),
            ));
        }
        if r.account_number.trim().is_empty() {
            return Err(bad(f, i + 1, "account_number is required"));
        }
        if pairs.insert((r.tenant_id.clone(), r.account_number.clone())) {
            set.pspcl.push(PspclAccount {
                tenant_id: r.tenant_id,
                account_number: r.account_number,
                department_entity_code: r.department_entity_code,
                department_entity_name: r.department_entity_name,
            });
        }
    }

    // The other small masters, verbatim.
    let f = "other-masters.json";
    let other: BTreeMap<String, Value> = parse_json(f, file(f))?;
    for (module, masters) in other {
        if module == "source" {
            continue;
        }
        let Value::Object(masters) = masters else {
            bail!("{f}: {module}: expected an object of masters");
        };
        for (master, records) in masters {
            let Value::Array(records) = records else {
                bail!("{f}: {module}.{master}: expected an array of records");
            };
            for (i, data) in records.into_iter().enumerate() {
                if !data.is_object() {
                    return Err(bad(
                        f,
                        i + 1,
                        format!("{module}.{master}: a record must be an object"),
                    ));
                }
                set.records.push(MasterRecord {
                    tenant_id: state_tenant.to_owned(),
                    module: module.clone(),
                    master: master.clone(),
                    position: i32::try_from(i).unwrap_or(i32::MAX),
                    data,
                });
            }
        }
    }
    Ok(set)
}

/// Counts of what a load wrote, for the log and the seed-run record.
pub type Counts = BTreeMap<&'static str, usize>;

/// Writes a parsed set in the caller's transaction. Returns None when the same files were
/// already loaded.
pub fn write(
    conn: &mut PgConnection,
    set: &MasterSet,
    force: bool,
) -> anyhow::Result<Option<Counts>> {
    use crate::db::schema::{mdms_penalty, mdms_seed_run, mdms_tenant_tariff};

    // One loader at a time (two `seed` commands racing would otherwise interleave).
    diesel::sql_query("SELECT pg_advisory_xact_lock(7240001)").execute(conn)?;
    let last: Option<String> = mdms_seed_run::table
        .order(mdms_seed_run::id.desc())
        .select(mdms_seed_run::source_hash)
        .first(conn)
        .optional()?;
    if !force && last.as_deref() == Some(set.hash.as_str()) {
        return Ok(None);
    }
    let js = |v: &dyn erased::Rows| v.json();
    let mut counts = Counts::new();
    let mut up = |conn: &mut PgConnection,
                  table: &'static str,
                  keys: &[&str],
                  rows: &dyn erased::Rows|
     -> anyhow::Result<()> {
        let n = db::bulk_upsert(conn, table, keys, &js(rows))
            .with_context(|| format!("writing {table}"))?;
        counts.insert(table, n);
        Ok(())
    };
    up(conn, "mdms_org_unit", &["code"], &set.org_units)?;
    up(conn, "mdms_tenant", &["code"], &set.tenants)?;
    up(conn, "mdms_role", &["code"], &set.roles)?;
    up(conn, "mdms_action", &["id"], &set.actions)?;
    diesel::sql_query("DELETE FROM mdms_role_action").execute(conn)?;
    up(conn, "mdms_role_action", &[], &set.role_actions)?;
    up(conn, "mdms_tax_head", &["code"], &set.tax_heads)?;
    up(
        conn,
        "mdms_tax_period_rule",
        &["service"],
        &set.tax_period_rules,
    )?;
    diesel::sql_query("DELETE FROM mdms_business_service").execute(conn)?;
    up(conn, "mdms_business_service", &[], &set.business_services)?;
    up(conn, "mdms_expense_type", &["code"], &set.expense_types)?;
    up(conn, "mdms_id_format", &["id_name"], &set.id_formats)?;
    up(conn, "mdms_tariff", &["id"], &set.tariffs)?;
    // Tariff contents are replaced; the tariff ids stay, so tenant assignments keep pointing at them.
    diesel::sql_query("DELETE FROM mdms_tariff_row").execute(conn)?;
    up(conn, "mdms_tariff_row", &[], &set.tariff_rows)?;
    up(conn, "mdms_tariff_slab", &[], &set.tariff_slabs)?;
    // Seeded versions are replaced; versions added later (rate changes) are kept.
    let from = seed_effective_from();
    diesel::delete(mdms_tenant_tariff::table.filter(mdms_tenant_tariff::effective_from.eq(from)))
        .execute(conn)?;
    up(conn, "mdms_tenant_tariff", &[], &set.tenant_tariffs)?;
    diesel::delete(mdms_penalty::table.filter(mdms_penalty::effective_from.eq(from)))
        .execute(conn)?;
    up(conn, "mdms_penalty", &[], &set.penalties)?;
    diesel::sql_query("DELETE FROM mdms_pspcl_account").execute(conn)?;
    up(conn, "mdms_pspcl_account", &[], &set.pspcl)?;
    diesel::sql_query("DELETE FROM mdms_master_record").execute(conn)?;
    up(conn, "mdms_master_record", &[], &set.records)?;
    let n = crate::platform::location::replace_boundaries(conn, &set.boundaries)?;
    counts.insert("location_boundary", n);

    let counts_json = serde_json::to_value(&counts)?;
    diesel::insert_into(mdms_seed_run::table)
        .values((
            mdms_seed_run::source_hash.eq(&set.hash),
            mdms_seed_run::counts.eq(counts_json),
        ))
        .execute(conn)?;
    Ok(Some(counts))
}

/// Object-safe "serialize me as a JSON array of rows".
mod erased {
    pub trait Rows {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Rows for Vec<T> {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

/// Parse and load in one go (the `seed` command and the test template).
pub fn load(
    conn: &mut PgConnection,
    source: &Source,
    state_tenant: &str,
    force: bool,
) -> anyhow::Result<Option<Counts>> {
    let set = parse(source, state_tenant)?;
    conn.transaction(|c| write(c, &set, force))
}

/// Checks that a folder holds every master file.
pub fn check_dir(dir: &Path) -> anyhow::Result<()> {
    for f in FILES {
        if !dir.join(f).is_file() {
            bail!("{}: missing {f}", dir.display());
        }
    }
    Ok(())
}
