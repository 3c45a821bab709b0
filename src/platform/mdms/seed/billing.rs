//! The billing masters: tax heads and periods, business services, expense types, id formats,
//! the water tariffs, penalty rules and PSPCL accounts.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::bail;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::tenancy::Tenants;
use super::{Files, bad, csv_rows, parse_json, seed_effective_from};
use crate::platform::mdms::model::*;
use crate::time::Fy;

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

/// The water tariffs of `billing-slabs.json`: each tariff, its rows and slabs, and which tenant
/// bills by which.
#[derive(Default)]
pub(super) struct Tariffs {
    pub(super) tariffs: Vec<Tariff>,
    pub(super) rows: Vec<TariffRow>,
    pub(super) slabs: Vec<TariffSlab>,
    pub(super) tenant_tariffs: Vec<TenantTariff>,
}

/// `tax-heads.json`.
pub(super) fn tax_heads(files: &Files) -> anyhow::Result<Vec<TaxHead>> {
    let f = "tax-heads.json";
    let heads: Vec<TaxHeadJson> = parse_json(f, files.get(f))?;
    let mut out = Vec::new();
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
        out.push(TaxHead {
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
    Ok(out)
}

/// `tax-periods.json`, folded into one rule per service.
pub(super) fn tax_periods(files: &Files) -> anyhow::Result<Vec<TaxPeriodRule>> {
    let f = "tax-periods.json";
    let periods: Vec<TaxPeriodJson> = parse_json(f, files.get(f))?;
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
    Ok(rules.into_values().collect())
}

/// `business-services.json`: the state's, each GP's (the default unless it has exceptions), and
/// the payment-service records kept verbatim.
pub(super) fn business_services(
    files: &Files,
    state_tenant: &str,
    tenants: &Tenants,
) -> anyhow::Result<(Vec<BusinessService>, Vec<MasterRecord>)> {
    let f = "business-services.json";
    let bs: BusinessServicesFile = parse_json(f, files.get(f))?;
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
    let mut services = Vec::new();
    let mut records = Vec::new();
    for b in &bs.state_level {
        services.push(to_row(state_tenant, b));
    }
    for (t, rows) in &bs.tenant_level.exceptions {
        if !tenants.known(t) {
            bail!("{f}: tenantLevel.exceptions: {t} is not a tenant");
        }
        for b in rows {
            services.push(to_row(t, b));
        }
    }
    for t in tenants.rows.iter().filter(|t| t.kind == "VILLAGE") {
        if !bs.tenant_level.exceptions.contains_key(&t.code) {
            for b in &bs.tenant_level.default {
                services.push(to_row(&t.code, b));
            }
        }
    }
    for (i, p) in bs.payment_service.into_iter().enumerate() {
        records.push(MasterRecord {
            tenant_id: state_tenant.to_owned(),
            module: "BillingService".into(),
            master: "PaymentService".into(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            data: p,
        });
    }
    Ok((services, records))
}

/// `expense-types.json`, against the tax heads.
pub(super) fn expense_types(files: &Files, heads: &[TaxHead]) -> anyhow::Result<Vec<ExpenseType>> {
    let f = "expense-types.json";
    let ets: Vec<ExpenseTypeJson> = parse_json(f, files.get(f))?;
    let head_codes: BTreeSet<&str> = heads.iter().map(|h| h.code.as_str()).collect();
    let mut out = Vec::new();
    for (i, e) in ets.into_iter().enumerate() {
        if !head_codes.contains(e.tax_head_code.as_str()) {
            return Err(bad(
                f,
                i + 1,
                format!("taxHeadCode {} is not a tax head", e.tax_head_code),
            ));
        }
        out.push(ExpenseType {
            code: e.code,
            name: e.name,
            active: e.active,
            business_service: e.business_service,
            tax_head_code: e.tax_head_code,
        });
    }
    Ok(out)
}

/// `id-formats.json`. The formats' grammar belongs to the id generator: `platform::seed` checks
/// them.
pub(super) fn id_formats(files: &Files) -> anyhow::Result<Vec<IdFormat>> {
    let f = "id-formats.json";
    let ids: Vec<IdFormatJson> = parse_json(f, files.get(f))?;
    Ok(ids
        .into_iter()
        .map(|idf| IdFormat {
            id_name: idf.id_name,
            format: idf.format,
        })
        .collect())
}

/// `billing-slabs.json`: the state-level template and the tariffs, and the tenants' tariffs
/// (which must agree with `tenants.csv`).
pub(super) fn billing_slabs(
    files: &Files,
    state_tenant: &str,
    tenants: &Tenants,
) -> anyhow::Result<Tariffs> {
    let f = "billing-slabs.json";
    let slabs: BillingSlabsFile = parse_json(f, files.get(f))?;
    let mut out = Tariffs::default();
    let push_tariff =
        |out: &mut Tariffs, id: &str, desc: &str, rows: &[SlabRowJson]| -> anyhow::Result<()> {
            out.tariffs.push(Tariff {
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
                out.rows.push(TariffRow {
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
                    out.slabs.push(TariffSlab {
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
        &mut out,
        state_tariff,
        "legacy state-level template (fallback)",
        &slabs.state_level_template.rows,
    )?;
    let mut tariff_ids = BTreeSet::from([state_tariff.to_owned()]);
    for t in &slabs.tariffs {
        push_tariff(&mut out, &t.tariff_id, "", &t.rows)?;
        tariff_ids.insert(t.tariff_id.clone());
    }
    let from = seed_effective_from();
    out.tenant_tariffs.push(TenantTariff {
        tenant_id: state_tenant.to_owned(),
        effective_from: from,
        tariff_id: state_tariff.to_owned(),
    });
    for (t, tariff) in &slabs.tenant_tariff {
        if !tenants.known(t) || !tariff_ids.contains(tariff) {
            bail!("{f}: tenantTariff: {t} -> {tariff}: unknown tenant or tariff");
        }
        if tenants.csv_tariffs.get(t).is_some_and(|csv| csv != tariff) {
            bail!("{f}: tenantTariff: {t} -> {tariff} disagrees with tenants.csv");
        }
        out.tenant_tariffs.push(TenantTariff {
            tenant_id: t.clone(),
            effective_from: from,
            tariff_id: tariff.clone(),
        });
    }
    Ok(out)
}

/// `penalty.json`: the state's rule and the tenants' own.
pub(super) fn penalty(
    files: &Files,
    state_tenant: &str,
    tenants: &Tenants,
) -> anyhow::Result<Vec<Penalty>> {
    let f = "penalty.json";
    let pen: PenaltyFile = parse_json(f, files.get(f))?;
    let from = seed_effective_from();
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
    let mut out = vec![to_pen(state_tenant, &pen.state_level)?];
    for (t, p) in &pen.tenants {
        if !tenants.known(t) {
            bail!("{f}: tenants: {t} is not a tenant");
        }
        out.push(to_pen(t, p)?);
    }
    Ok(out)
}

/// `pspcl-accounts.csv` (the source repeats some pairs; they are kept once).
pub(super) fn pspcl_accounts(
    files: &Files,
    tenants: &Tenants,
) -> anyhow::Result<Vec<PspclAccount>> {
    let f = "pspcl-accounts.csv";
    let rows: Vec<PspclCsv> = csv_rows(f, files.get(f))?;
    let mut out = Vec::new();
    let mut pairs = BTreeSet::new();
    for (i, r) in rows.into_iter().enumerate() {
        if !tenants.known(&r.tenant_id) {
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
            out.push(PspclAccount {
                tenant_id: r.tenant_id,
                account_number: r.account_number,
                department_entity_code: r.department_entity_code,
                department_entity_name: r.department_entity_name,
            });
        }
    }
    Ok(out)
}
