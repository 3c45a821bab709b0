//! Queries on the master tables. No rules here.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::*;
use crate::db::schema::*;

pub fn tenant(conn: &mut PgConnection, code: &str) -> QueryResult<Option<Tenant>> {
    mdms_tenant::table
        .find(code)
        .select(Tenant::as_select())
        .first(conn)
        .optional()
}

pub fn tenants(conn: &mut PgConnection) -> QueryResult<Vec<Tenant>> {
    mdms_tenant::table
        .order(mdms_tenant::code)
        .select(Tenant::as_select())
        .load(conn)
}

/// The codes of the tenants that `holders` cover (`access::identity::tenant_covers`): each holder
/// and every tenant below it, in code order.
pub fn codes_covered_by(conn: &mut PgConnection, holders: &[String]) -> QueryResult<Vec<String>> {
    let mut q = mdms_tenant::table
        .select(mdms_tenant::code)
        .filter(mdms_tenant::code.eq_any(holders.to_vec()))
        .into_boxed();
    for h in holders {
        let h = h
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.or_filter(mdms_tenant::code.like(format!("{h}.%")));
    }
    q.order(mdms_tenant::code).load(conn)
}

/// The codes of every gram panchayat (the tenants below the state, `pb.*`), in code order.
pub fn gram_panchayat_codes(conn: &mut PgConnection) -> QueryResult<Vec<String>> {
    Ok(tenants(conn)?
        .into_iter()
        .filter(Tenant::is_gram_panchayat)
        .map(|t| t.code)
        .collect())
}

/// The tenant whose village (iFIX project) code is `city_code`.
pub fn tenant_by_city_code(
    conn: &mut PgConnection,
    city_code: &str,
) -> QueryResult<Option<Tenant>> {
    mdms_tenant::table
        .filter(mdms_tenant::city_code.eq(city_code))
        .order(mdms_tenant::code)
        .select(Tenant::as_select())
        .first(conn)
        .optional()
}

pub fn org_units(conn: &mut PgConnection) -> QueryResult<Vec<OrgUnit>> {
    mdms_org_unit::table
        .order(mdms_org_unit::code)
        .select(OrgUnit::as_select())
        .load(conn)
}

pub fn roles(conn: &mut PgConnection) -> QueryResult<Vec<Role>> {
    mdms_role::table
        .order(mdms_role::code)
        .select(Role::as_select())
        .load(conn)
}

pub fn actions(conn: &mut PgConnection) -> QueryResult<Vec<Action>> {
    mdms_action::table
        .order(mdms_action::id)
        .select(Action::as_select())
        .load(conn)
}

pub fn role_actions(conn: &mut PgConnection) -> QueryResult<Vec<RoleAction>> {
    mdms_role_action::table
        .order((mdms_role_action::role_code, mdms_role_action::action_id))
        .select(RoleAction::as_select())
        .load(conn)
}

/// (action url, role code, tenant of the mapping) for every role-action.
pub fn action_grants(conn: &mut PgConnection) -> QueryResult<Vec<(String, String, String)>> {
    mdms_role_action::table
        .inner_join(mdms_action::table)
        .select((
            mdms_action::url,
            mdms_role_action::role_code,
            mdms_role_action::tenant_id,
        ))
        .load(conn)
}

pub fn tax_heads(conn: &mut PgConnection) -> QueryResult<Vec<TaxHead>> {
    mdms_tax_head::table
        .order((
            mdms_tax_head::service,
            mdms_tax_head::display_order,
            mdms_tax_head::code,
        ))
        .select(TaxHead::as_select())
        .load(conn)
}

pub fn tax_period_rules(conn: &mut PgConnection) -> QueryResult<Vec<TaxPeriodRule>> {
    mdms_tax_period_rule::table
        .order(mdms_tax_period_rule::service)
        .select(TaxPeriodRule::as_select())
        .load(conn)
}

pub fn business_services(
    conn: &mut PgConnection,
    tenant: &str,
) -> QueryResult<Vec<BusinessService>> {
    mdms_business_service::table
        .filter(mdms_business_service::tenant_id.eq(tenant))
        .order(mdms_business_service::code)
        .select(BusinessService::as_select())
        .load(conn)
}

pub fn expense_types(conn: &mut PgConnection) -> QueryResult<Vec<ExpenseType>> {
    mdms_expense_type::table
        .order(mdms_expense_type::code)
        .select(ExpenseType::as_select())
        .load(conn)
}

pub fn id_formats(conn: &mut PgConnection) -> QueryResult<Vec<IdFormat>> {
    mdms_id_format::table
        .order(mdms_id_format::id_name)
        .select(IdFormat::as_select())
        .load(conn)
}

pub fn id_format(conn: &mut PgConnection, id_name: &str) -> QueryResult<Option<String>> {
    mdms_id_format::table
        .find(id_name)
        .select(mdms_id_format::format)
        .first(conn)
        .optional()
}

/// The tariff a tenant bills with on `on` (its own latest version not after that date).
pub fn tariff_for(
    conn: &mut PgConnection,
    tenant: &str,
    on: NaiveDate,
) -> QueryResult<Option<String>> {
    mdms_tenant_tariff::table
        .filter(mdms_tenant_tariff::tenant_id.eq(tenant))
        .filter(mdms_tenant_tariff::effective_from.le(on))
        .order(mdms_tenant_tariff::effective_from.desc())
        .select(mdms_tenant_tariff::tariff_id)
        .first(conn)
        .optional()
}

/// Like `tariff_for`, with the day the version took effect.
pub fn tariff_version(
    conn: &mut PgConnection,
    tenant: &str,
    on: NaiveDate,
) -> QueryResult<Option<(String, NaiveDate)>> {
    mdms_tenant_tariff::table
        .filter(mdms_tenant_tariff::tenant_id.eq(tenant))
        .filter(mdms_tenant_tariff::effective_from.le(on))
        .order(mdms_tenant_tariff::effective_from.desc())
        .select((
            mdms_tenant_tariff::tariff_id,
            mdms_tenant_tariff::effective_from,
        ))
        .first(conn)
        .optional()
}

pub fn tariff_rows(conn: &mut PgConnection, tariff: &str) -> QueryResult<Vec<TariffRow>> {
    mdms_tariff_row::table
        .filter(mdms_tariff_row::tariff_id.eq(tariff))
        .select(TariffRow::as_select())
        .load(conn)
}

pub fn tariff_slabs(conn: &mut PgConnection, tariff: &str) -> QueryResult<Vec<TariffSlab>> {
    mdms_tariff_slab::table
        .filter(mdms_tariff_slab::tariff_id.eq(tariff))
        .order(mdms_tariff_slab::position)
        .select(TariffSlab::as_select())
        .load(conn)
}

pub fn penalty_for(
    conn: &mut PgConnection,
    tenant: &str,
    on: NaiveDate,
) -> QueryResult<Option<Penalty>> {
    mdms_penalty::table
        .filter(mdms_penalty::tenant_id.eq(tenant))
        .filter(mdms_penalty::effective_from.le(on))
        .order(mdms_penalty::effective_from.desc())
        .select(Penalty::as_select())
        .first(conn)
        .optional()
}

pub fn pspcl_accounts(conn: &mut PgConnection) -> QueryResult<Vec<PspclAccount>> {
    mdms_pspcl_account::table
        .order((
            mdms_pspcl_account::tenant_id,
            mdms_pspcl_account::account_number,
        ))
        .select(PspclAccount::as_select())
        .load(conn)
}

pub fn master_records(
    conn: &mut PgConnection,
    tenant: &str,
    module: &str,
    master: &str,
) -> QueryResult<Vec<serde_json::Value>> {
    mdms_master_record::table
        .filter(mdms_master_record::tenant_id.eq(tenant))
        .filter(mdms_master_record::module.eq(module))
        .filter(mdms_master_record::master.eq(master))
        .order(mdms_master_record::position)
        .select(mdms_master_record::data)
        .load(conn)
}

pub fn has_module(conn: &mut PgConnection, module: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        mdms_master_record::table.filter(mdms_master_record::module.eq(module)),
    ))
    .get_result(conn)
}

/// The actions mapped to any of these roles.
pub fn actions_for_roles(conn: &mut PgConnection, roles: &[String]) -> QueryResult<Vec<Action>> {
    mdms_action::table
        .filter(
            mdms_action::id.eq_any(
                mdms_role_action::table
                    .filter(mdms_role_action::role_code.eq_any(roles))
                    .select(mdms_role_action::action_id),
            ),
        )
        .order(mdms_action::id)
        .select(Action::as_select())
        .load(conn)
}

/// The divisions (code, name) that have villages.
pub fn divisions(conn: &mut PgConnection) -> QueryResult<Vec<(String, String)>> {
    let rows: Vec<(Option<String>, Option<String>)> = mdms_tenant::table
        .filter(mdms_tenant::kind.eq("VILLAGE"))
        .select((mdms_tenant::division_code, mdms_tenant::division_name))
        .distinct_on(mdms_tenant::division_code)
        .order((mdms_tenant::division_code, mdms_tenant::division_name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, n)| Some((c?, n.unwrap_or_default())))
        .collect())
}

/// The village tenants of a division.
pub fn tenants_of_division(conn: &mut PgConnection, division: &str) -> QueryResult<Vec<Tenant>> {
    mdms_tenant::table
        .filter(mdms_tenant::kind.eq("VILLAGE"))
        .filter(mdms_tenant::division_code.eq(division))
        .order(mdms_tenant::code)
        .select(Tenant::as_select())
        .load(conn)
}

/// Tenants by code (unknown codes are left out).
pub fn tenants_by_codes(conn: &mut PgConnection, codes: &[String]) -> QueryResult<Vec<Tenant>> {
    mdms_tenant::table
        .filter(mdms_tenant::code.eq_any(codes))
        .order(mdms_tenant::code)
        .select(Tenant::as_select())
        .load(conn)
}
