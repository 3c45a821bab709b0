//! MDMS use cases: answer master searches (with tenant-level fallback to the state tenant and the
//! JSONPath filter), derive the financial-year tax periods, and give other modules the masters
//! they compute with.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::jsonpath::JsonPath;
use super::model::*;
use super::repo;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::time::{Fy, IST};

/// One master asked for.
#[derive(Clone, Debug)]
pub struct MasterQuery {
    pub module: String,
    pub master: String,
    pub filter: Option<String>,
    /// Where the filter came from in the request, for error messages.
    pub field: String,
}

/// The tenant asked about, and its state tenant (the fallback).
#[derive(Clone, Debug)]
pub struct Scope {
    pub tenant: Tenant,
    pub state: String,
}

impl Scope {
    pub fn is_state(&self) -> bool {
        self.tenant.code == self.state
    }
}

/// Resolves a tenant id for a search, or a 400 naming `field`.
pub fn scope(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant_id: &str,
    field: &str,
) -> AppResult<Scope> {
    let tenant = repo::tenant(conn, tenant_id)?.ok_or_else(|| {
        AppError::invalid_field(
            codes::INVALID_TENANT_ID,
            format!("{tenant_id} is not a known tenant"),
            field,
        )
    })?;
    let state = tenant
        .parent_code
        .clone()
        .unwrap_or_else(|| state_tenant.to_owned());
    Ok(Scope { tenant, state })
}

/// The engineering hierarchy of the state (product.md §2.9, master-data.md §2.2): the state
/// tenant, its zone … section units, and lookups of its villages, as the iFIX search answers
/// read them.
pub mod hierarchy {
    use diesel::PgConnection;

    use super::super::model::{OrgUnit, Tenant};
    use super::super::repo;
    use crate::error::AppResult;

    /// A tenant by code.
    pub fn tenant(conn: &mut PgConnection, code: &str) -> AppResult<Option<Tenant>> {
        Ok(repo::tenant(conn, code)?)
    }

    /// Tenants by code (unknown codes left out).
    pub fn tenants_by_codes(conn: &mut PgConnection, codes: &[String]) -> AppResult<Vec<Tenant>> {
        Ok(repo::tenants_by_codes(conn, codes)?)
    }

    /// Every tenant, in code order.
    pub fn tenants(conn: &mut PgConnection) -> AppResult<Vec<Tenant>> {
        Ok(repo::tenants(conn)?)
    }

    /// The tenant whose village (iFIX project) code is `city_code`.
    pub fn tenant_by_city_code(
        conn: &mut PgConnection,
        city_code: &str,
    ) -> AppResult<Option<Tenant>> {
        Ok(repo::tenant_by_city_code(conn, city_code)?)
    }

    /// The zones, circles, divisions, sub-divisions and sections, in code order.
    pub fn units(conn: &mut PgConnection) -> AppResult<Vec<OrgUnit>> {
        Ok(repo::org_units(conn)?)
    }
}

/// A money or rate value as a JSON number: whole values without decimals.
pub fn decimal_json(d: Decimal) -> Value {
    let n = d.normalize();
    if n.scale() == 0
        && let Ok(i) = i64::try_from(n.mantissa())
    {
        return json!(i);
    }
    n.to_string()
        .parse::<f64>()
        .map(|f| json!(f))
        .unwrap_or(Value::Null)
}

pub fn tenant_json(t: &Tenant) -> Value {
    let region = match (&t.block_name, &t.block_code) {
        (Some(n), Some(c)) => json!(format!("{n}-{c}")),
        _ => Value::Null,
    };
    json!({
        "code": t.code,
        "name": t.name,
        "description": t.name,
        "type": if t.kind == "STATE" { "STATE" } else { "CITY" },
        "divisionCode": t.division_code,
        "divisionName": t.division_name,
        "OfficeTimings": t.office_timings,
        "city": {
            "name": t.name,
            "localName": t.name,
            "code": t.city_code,
            "projectId": t.city_code,
            "ddrName": t.name,
            "districtCode": t.district_code,
            "districtName": t.district_name,
            "regionName": region,
            "blockCode": t.block_code,
            "ulbGrade": "",
            "longitude": null,
            "latitude": null,
        },
        "hierarchy": {
            "zoneCode": t.zone_code,
            "circleCode": t.circle_code,
            "divisionCode": t.division_code,
            "subdivisionCode": t.subdivision_code,
            "sectionCode": t.section_code,
        },
    })
}

/// A derived tax period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxPeriod {
    pub service: String,
    pub code: String,
    pub financial_year: String,
    pub period_cycle: String,
    pub from_date: i64,
    pub to_date: i64,
}

/// Every service's yearly tax period from its first financial year up to the one after `now`'s,
/// so that billing never breaks on 1 April for want of a hand-added row.
pub fn derive_tax_periods(rules: &[TaxPeriodRule], now: DateTime<Utc>) -> Vec<TaxPeriod> {
    let last = Fy::of(now).next();
    let mut out = Vec::new();
    for r in rules {
        let mut fy = Fy(r.first_fy);
        while fy <= last {
            out.push(TaxPeriod {
                service: r.service.clone(),
                code: r.code_template.replace("{yyyy}", &fy.0.to_string()),
                financial_year: fy.label(),
                period_cycle: r.period_cycle.clone(),
                from_date: fy.start_millis(),
                to_date: fy.end_millis(),
            });
            fy = fy.next();
        }
    }
    out
}

/// The business services a tenant bills with: its own rows, else the state tenant's.
pub fn business_services(
    conn: &mut PgConnection,
    scope: &Scope,
) -> AppResult<Vec<BusinessService>> {
    let own = repo::business_services(conn, &scope.tenant.code)?;
    if !own.is_empty() {
        return Ok(own);
    }
    Ok(repo::business_services(conn, &scope.state)?)
}

/// The tariff rows (WCBillingSlab) in force for a tenant on a day, with state fallback.
pub fn tariff_json(
    conn: &mut PgConnection,
    scope: &Scope,
    now: DateTime<Utc>,
) -> AppResult<Vec<Value>> {
    let today = now.with_timezone(&IST).date_naive();
    let tariff = match repo::tariff_for(conn, &scope.tenant.code, today)? {
        Some(t) => Some(t),
        None => repo::tariff_for(conn, &scope.state, today)?,
    };
    let Some(tariff) = tariff else {
        return Ok(Vec::new());
    };
    let rows = repo::tariff_rows(conn, &tariff)?;
    let slabs = repo::tariff_slabs(conn, &tariff)?;
    let mut out: Vec<(u32, Value)> = rows
        .iter()
        .map(|r| {
            let mine: Vec<Value> = slabs
                .iter()
                .filter(|s| {
                    s.building_type == r.building_type
                        && s.connection_type == r.connection_type
                        && s.calculation_attribute == r.calculation_attribute
                })
                .map(|s| {
                    json!({"from": decimal_json(s.from_units), "to": decimal_json(s.to_units),
                           "charge": decimal_json(s.charge), "meterCharge": decimal_json(s.meter_charge)})
                })
                .collect();
            let mut v = json!({
                "id": r.slab_id,
                "tariffId": tariff,
                "buildingType": r.building_type,
                "connectionType": r.connection_type,
                "calculationAttribute": r.calculation_attribute,
                "minimumCharge": decimal_json(r.minimum_charge),
            });
            if !mine.is_empty() {
                v["slabs"] = Value::Array(mine);
            }
            (r.slab_id.parse().unwrap_or(u32::MAX), v)
        })
        .collect();
    out.sort_by_key(|(k, _)| *k);
    Ok(out.into_iter().map(|(_, v)| v).collect())
}

/// The penalty rule in force for a tenant, with state fallback.
pub fn penalty(
    conn: &mut PgConnection,
    scope: &Scope,
    now: DateTime<Utc>,
) -> AppResult<Option<Penalty>> {
    let today = now.with_timezone(&IST).date_naive();
    match repo::penalty_for(conn, &scope.tenant.code, today)? {
        Some(p) => Ok(Some(p)),
        None => Ok(repo::penalty_for(conn, &scope.state, today)?),
    }
}

fn penalty_json(p: &Penalty) -> Value {
    let d = |v: Option<Decimal>| v.map(decimal_json).unwrap_or(Value::Null);
    json!({
        "type": p.penalty_type, "subType": p.sub_type, "rate": d(p.rate), "amount": d(p.amount),
        "minAmount": d(p.min_amount), "flatAmount": d(p.flat_amount),
        "applicableAfterDays": p.applicable_after_days, "fromFY": p.from_fy,
        "startingDay": p.starting_day,
    })
}

/// Reads, for a tenant code, a master that another module keeps.
pub type KeptElsewhere = fn(&mut PgConnection, &str) -> AppResult<Vec<Value>>;

/// The masters other modules keep and the MDMS search answers too, as (module, master, reader).
/// The route table hands them in (`lib::routes`), so mdms imports none of those modules.
pub type Elsewhere = &'static [(&'static str, &'static str, KeptElsewhere)];

/// The records of one master for a scope, or None when no such master exists.
pub fn master(
    conn: &mut PgConnection,
    scope: &Scope,
    module: &str,
    master: &str,
    now: DateTime<Utc>,
    elsewhere: Elsewhere,
) -> AppResult<Option<Vec<Value>>> {
    if let Some((_, _, read)) = elsewhere
        .iter()
        .find(|(m, n, _)| *m == module && *n == master)
    {
        return Ok(Some(read(conn, &scope.tenant.code)?));
    }
    let state = scope.state.as_str();
    let v: Vec<Value> = match (module, master) {
        ("tenant", "tenants") => repo::tenants(conn)?.iter().map(tenant_json).collect(),
        ("tenant", "projectmodule" | "orgUnits") => repo::org_units(conn)?
            .into_iter()
            .map(|o| json!({"code": o.code, "name": o.name, "type": o.level, "parentCode": o.parent_code}))
            .collect(),
        ("ACCESSCONTROL-ROLES", "roles") => repo::roles(conn)?
            .into_iter()
            .map(|r| json!({"code": r.code, "name": r.name, "description": r.description}))
            .collect(),
        ("ACCESSCONTROL-ACTIONS-TEST" | "ACCESSCONTROL-ACTIONS", "actions-test" | "actions") => repo::actions(conn)?
            .into_iter()
            .map(|a| {
                json!({"id": a.id, "name": a.name, "url": a.url, "displayName": a.display_name,
                       "orderNumber": a.order_number, "parentModule": a.parent_module, "enabled": a.enabled,
                       "serviceCode": a.service_code, "code": "null", "path": a.path,
                       "navigationURL": a.navigation_url, "leftIcon": a.left_icon, "rightIcon": a.right_icon})
            })
            .collect(),
        ("ACCESSCONTROL-ROLEACTIONS", "roleactions") => repo::role_actions(conn)?
            .into_iter()
            .map(|r| json!({"rolecode": r.role_code, "actionid": r.action_id, "actioncode": "", "tenantId": r.tenant_id}))
            .collect(),
        ("BillingService", "TaxHeadMaster") => repo::tax_heads(conn)?
            .into_iter()
            .map(|h| {
                json!({"category": h.category, "service": h.service, "name": h.name, "code": h.code,
                       "isDebit": h.is_debit, "isActualDemand": h.is_actual_demand,
                       "order": h.display_order.to_string(), "isRequired": h.is_required,
                       "IsBillamend": h.is_bill_amend})
            })
            .collect(),
        ("BillingService", "TaxPeriod") => derive_tax_periods(&repo::tax_period_rules(conn)?, now)
            .into_iter()
            .map(|p| {
                json!({"fromDate": p.from_date, "toDate": p.to_date, "periodCycle": p.period_cycle,
                       "service": p.service, "code": p.code, "financialYear": p.financial_year})
            })
            .collect(),
        ("BillingService", "BusinessService") => business_services(conn, scope)?
            .into_iter()
            .map(|b| {
                json!({"businessService": b.business_service, "code": b.code,
                       "collectionModesNotAllowed": b.collection_modes_not_allowed,
                       "partPaymentAllowed": b.part_payment_allowed, "isAdvanceAllowed": b.is_advance_allowed,
                       "isVoucherCreationEnabled": b.is_voucher_creation_enabled, "isActive": b.is_active,
                       "type": b.service_type, "demandUpdateTime": b.demand_update_time,
                       "billGineiURL": b.bill_ginei_url, "isBillAmendmentEnabled": b.is_bill_amendment_enabled})
            })
            .collect(),
        ("Expense", "ExpenseType") => repo::expense_types(conn)?
            .into_iter()
            .map(|e| {
                json!({"name": e.name, "code": e.code, "active": e.active, "businessService": e.business_service,
                       "taxHeadCode": e.tax_head_code})
            })
            .collect(),
        ("common-masters", "IdFormat") => repo::id_formats(conn)?
            .into_iter()
            .map(|f| json!({"format": f.format, "idname": f.id_name}))
            .collect(),
        ("ws-services-calculation", "WCBillingSlab") => tariff_json(conn, scope, now)?,
        ("ws-services-calculation", "Penalty") => penalty(conn, scope, now)?.iter().map(penalty_json).collect(),
        ("pspcl-integration", "accountNumberGpMapping") => repo::pspcl_accounts(conn)?
            .into_iter()
            .map(|a| {
                json!({"accountNumber": a.account_number, "departmentEntityName": a.department_entity_name,
                       "departmentEntityCode": a.department_entity_code})
            })
            .collect(),
        _ => {
            let own = if scope.is_state() {
                Vec::new()
            } else {
                repo::master_records(conn, &scope.tenant.code, module, master)?
            };
            if !own.is_empty() {
                own
            } else {
                let st = repo::master_records(conn, state, module, master)?;
                if st.is_empty() {
                    return Ok(None);
                }
                st
            }
        }
    };
    Ok(Some(v))
}

/// Answers an MDMS search: `MdmsRes.<module>.<master>[]`. Unknown modules and masters are left
/// out, as the real service does; a malformed filter is a 400 naming it.
pub fn search(
    conn: &mut PgConnection,
    scope: &Scope,
    queries: &[MasterQuery],
    now: DateTime<Utc>,
    elsewhere: Elsewhere,
) -> AppResult<Map<String, Value>> {
    let mut errors = Vec::new();
    let mut compiled = Vec::with_capacity(queries.len());
    for q in queries {
        match q.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            None => compiled.push(None),
            Some(f) => match JsonPath::parse(f) {
                Ok(p) => compiled.push(Some(p)),
                Err(e) => {
                    errors.push(ErrorDetail::field(
                        "INVALID_FILTER",
                        format!("filter {f:?}: {e}"),
                        &q.field,
                    ));
                    compiled.push(None);
                }
            },
        }
    }
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    let mut res = Map::new();
    for (q, filter) in queries.iter().zip(compiled) {
        let Some(records) = master(conn, scope, &q.module, &q.master, now, elsewhere)? else {
            continue;
        };
        let records = match filter {
            Some(p) => p.apply(&Value::Array(records)),
            None => records,
        };
        let module = res
            .entry(q.module.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = module {
            m.insert(q.master.clone(), Value::Array(records));
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(service: &str, tpl: &str, first: i32) -> TaxPeriodRule {
        TaxPeriodRule {
            service: service.into(),
            code_template: tpl.into(),
            period_cycle: "ANNUAL".into(),
            first_fy: first,
        }
    }

    #[test]
    fn tax_periods_reach_the_next_financial_year() {
        // 21 Nov 2026 is in FY 2026-27, so periods run to FY 2027-28, none hand-added.
        let now = DateTime::parse_from_rfc3339("2026-11-21T06:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let p = derive_tax_periods(
            &[
                rule("WS", "WC{yyyy}", 2021),
                rule("EXPENSE.SALARY", "EXPENSESALARY", 2021),
            ],
            now,
        );
        let ws: Vec<_> = p.iter().filter(|p| p.service == "WS").collect();
        assert_eq!(ws.len(), 7);
        assert_eq!(ws[0].code, "WC2021");
        assert_eq!(ws[0].from_date, 1_617_215_400_000); // 1 April 2021 00:00 IST
        assert_eq!(ws[6].code, "WC2027");
        assert_eq!(ws[6].financial_year, "2027-28");
        assert_eq!(ws[4].financial_year, "2025-26");
        // consecutive, no gap, no overlap
        for w in ws.windows(2) {
            assert_eq!(w[0].to_date + 1, w[1].from_date);
        }
        assert!(
            p.iter()
                .filter(|p| p.service == "EXPENSE.SALARY")
                .all(|p| p.code == "EXPENSESALARY")
        );
    }

    #[test]
    fn money_as_json_numbers() {
        assert_eq!(decimal_json(Decimal::new(10000, 2)), json!(100));
        assert_eq!(decimal_json(Decimal::new(1331, 2)), json!(13.31));
        assert_eq!(decimal_json(Decimal::new(5324, 1)), json!(532.4));
    }
}
