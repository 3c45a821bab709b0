//! User figures for the roll-out dashboard: read-only queries over the user tables.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[derive(Clone, Debug, QueryableByName)]
pub struct ActiveUsers {
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = BigInt)]
    pub users: i64,
}

/// Active employees holding a role on each tenant.
pub fn active_employees_per_tenant(conn: &mut PgConnection) -> QueryResult<Vec<ActiveUsers>> {
    diesel::sql_query(
        "SELECT r.tenant_id, count(DISTINCT u.id) AS users \
         FROM user_account u JOIN user_role r ON r.user_id = u.id \
         WHERE u.active AND u.user_type = 'EMPLOYEE' GROUP BY r.tenant_id",
    )
    .load(conn)
}
