//! Diesel rows of the master-data tables.

use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::db::schema::*;

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mdms_org_unit)]
pub struct OrgUnit {
    pub code: String,
    pub level: String,
    pub name: String,
    pub parent_code: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mdms_tenant, treat_none_as_null = true)]
pub struct Tenant {
    pub code: String,
    pub kind: String,
    pub parent_code: Option<String>,
    pub name: String,
    pub city_code: String,
    pub district_code: Option<String>,
    pub district_name: Option<String>,
    pub block_code: Option<String>,
    pub block_name: Option<String>,
    pub zone_code: Option<String>,
    pub circle_code: Option<String>,
    pub division_code: Option<String>,
    pub division_name: Option<String>,
    pub subdivision_code: Option<String>,
    pub section_code: Option<String>,
    pub office_timings: serde_json::Value,
    /// The GP's e-mail address (the monthly summary), when `tenants.csv` gives one.
    pub email_id: Option<String>,
}

impl Tenant {
    /// A gram panchayat (`pb.lodhipur`), not the state tenant (`pb`).
    pub fn is_gram_panchayat(&self) -> bool {
        self.code.contains('.')
    }
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mdms_role)]
pub struct Role {
    pub code: String,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mdms_action, treat_none_as_null = true)]
pub struct Action {
    pub id: i32,
    pub name: String,
    pub url: String,
    pub display_name: String,
    pub service_code: String,
    pub parent_module: String,
    pub enabled: bool,
    pub order_number: i32,
    pub path: String,
    pub navigation_url: Option<String>,
    pub left_icon: Option<String>,
    pub right_icon: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = mdms_role_action)]
pub struct RoleAction {
    pub tenant_id: String,
    pub role_code: String,
    pub action_id: i32,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mdms_tax_head, treat_none_as_null = true)]
pub struct TaxHead {
    pub code: String,
    pub name: String,
    pub service: String,
    pub category: String,
    pub is_debit: bool,
    pub is_actual_demand: bool,
    pub is_required: bool,
    pub display_order: i32,
    pub is_bill_amend: Option<bool>,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = mdms_business_service)]
pub struct BusinessService {
    pub tenant_id: String,
    pub code: String,
    pub business_service: String,
    pub collection_modes_not_allowed: Vec<String>,
    pub part_payment_allowed: bool,
    pub is_advance_allowed: bool,
    pub is_voucher_creation_enabled: bool,
    pub is_active: bool,
    pub service_type: Option<String>,
    pub demand_update_time: Option<i64>,
    pub bill_ginei_url: Option<String>,
    pub is_bill_amendment_enabled: Option<bool>,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mdms_tax_period_rule)]
pub struct TaxPeriodRule {
    pub service: String,
    pub code_template: String,
    pub period_cycle: String,
    pub first_fy: i32,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mdms_expense_type)]
pub struct ExpenseType {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub business_service: String,
    pub tax_head_code: String,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mdms_id_format)]
pub struct IdFormat {
    pub id_name: String,
    pub format: String,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mdms_tariff)]
pub struct Tariff {
    pub id: String,
    pub description: String,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = mdms_tariff_row)]
pub struct TariffRow {
    pub tariff_id: String,
    pub slab_id: String,
    pub building_type: String,
    pub connection_type: String,
    pub calculation_attribute: String,
    pub minimum_charge: Decimal,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = mdms_tariff_slab)]
pub struct TariffSlab {
    pub tariff_id: String,
    pub building_type: String,
    pub connection_type: String,
    pub calculation_attribute: String,
    pub position: i32,
    pub from_units: Decimal,
    pub to_units: Decimal,
    pub charge: Decimal,
    pub meter_charge: Decimal,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = mdms_tenant_tariff)]
pub struct TenantTariff {
    pub tenant_id: String,
    pub effective_from: NaiveDate,
    pub tariff_id: String,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = mdms_penalty)]
pub struct Penalty {
    pub tenant_id: String,
    pub effective_from: NaiveDate,
    pub penalty_type: String,
    pub sub_type: String,
    pub rate: Option<Decimal>,
    pub amount: Option<Decimal>,
    pub min_amount: Option<Decimal>,
    pub flat_amount: Option<Decimal>,
    pub applicable_after_days: i32,
    pub from_fy: Option<String>,
    pub starting_day: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = mdms_pspcl_account)]
pub struct PspclAccount {
    pub tenant_id: String,
    pub account_number: String,
    pub department_entity_code: String,
    pub department_entity_name: String,
}

#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = mdms_master_record)]
pub struct MasterRecord {
    pub tenant_id: String,
    pub module: String,
    pub master: String,
    pub position: i32,
    pub data: serde_json::Value,
}
