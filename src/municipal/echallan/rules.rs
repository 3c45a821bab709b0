//! The rules of an expense bill that read the master data: the expense types and the PSPCL
//! mapping.

use diesel::prelude::*;

use super::service::Who;
use crate::error::AppResult;
use crate::platform::mdms;

pub const ELECTRICITY_BILL: &str = "ELECTRICITY_BILL";

pub fn pspcl_mapped(conn: &mut PgConnection, tenant: &str) -> AppResult<bool> {
    Ok(mdms::repo::pspcl_accounts(conn)?
        .iter()
        .any(|a| a.tenant_id == tenant))
}

/// The active expense type with this code (`EXPENSE.<code>` read as the code).
pub fn expense_type(
    conn: &mut PgConnection,
    code: &str,
) -> AppResult<Option<mdms::model::ExpenseType>> {
    let code = code.trim();
    let code = code.strip_prefix("EXPENSE.").unwrap_or(code);
    Ok(mdms::repo::expense_types(conn)?
        .into_iter()
        .find(|t| t.active && t.code == code))
}

pub fn manual_types(
    conn: &mut PgConnection,
    tenant: &str,
    who: Who,
) -> AppResult<Vec<(String, String)>> {
    let hide_electricity = !who.pspcl_admin && pspcl_mapped(conn, tenant)?;
    Ok(mdms::repo::expense_types(conn)?
        .into_iter()
        .filter(|t| t.active && !(hide_electricity && t.code == ELECTRICITY_BILL))
        .map(|t| (t.code, t.tax_head_code))
        .collect())
}
