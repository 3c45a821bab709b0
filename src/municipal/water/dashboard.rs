//! Water's figures for the GP's dashboard (product.md §2.7): the GP's connections with their
//! property type, for `municipal::dashboard` to split collections and count households.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

/// A connection as the dashboard counts it.
#[derive(Clone, Debug, QueryableByName)]
pub struct Kind {
    #[diesel(sql_type = Text)]
    pub connection_no: String,
    /// RESIDENTIAL, COMMERCIAL, ...
    #[diesel(sql_type = Text)]
    pub property_type: String,
    #[diesel(sql_type = Bool)]
    pub active: bool,
}

/// Every connection of `tenant` with its property's type.
pub fn connection_kinds(conn: &mut PgConnection, tenant: &str) -> QueryResult<Vec<Kind>> {
    diesel::sql_query(
        "SELECT c.connection_no, upper(p.property_type) AS property_type, c.status = 'Active' AS active \
         FROM water_connection c JOIN property p ON p.id = c.property_id \
         WHERE c.tenant_id = $1 AND c.connection_no <> ''",
    )
    .bind::<Text, _>(tenant)
    .load(conn)
}
