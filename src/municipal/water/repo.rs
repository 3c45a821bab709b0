//! Queries on the household tables (`property`, `water_connection`, `water_connection_mobile`,
//! `water_connection_history`). No rules here: validation, error codes and decisions live in
//! `service.rs`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{Connection, Property};
use crate::db::schema::{
    property as pr, water_connection as wc, water_connection_history as wh,
    water_connection_mobile as wm,
};

// ---- property ----

pub fn insert_property(conn: &mut PgConnection, p: &Property) -> QueryResult<usize> {
    diesel::insert_into(pr::table).values(p).execute(conn)
}

/// Writes the editable fields of a property (type, address, owner, last modified).
pub fn update_property(conn: &mut PgConnection, p: &Property) -> QueryResult<usize> {
    diesel::update(pr::table.find(p.id))
        .set((
            pr::property_type.eq(&p.property_type),
            pr::door_no.eq(&p.door_no),
            pr::street.eq(&p.street),
            pr::owner_uuid.eq(p.owner_uuid),
            pr::owner_name_enc.eq(&p.owner_name_enc),
            pr::owner_guardian_enc.eq(&p.owner_guardian_enc),
            pr::owner_gender.eq(&p.owner_gender),
            pr::owner_mobile_enc.eq(&p.owner_mobile_enc),
            pr::owner_mobile_hash.eq(&p.owner_mobile_hash),
            pr::owner_is_primary.eq(p.owner_is_primary),
            pr::last_modified_by.eq(p.last_modified_by),
            pr::last_modified_at.eq(p.last_modified_at),
        ))
        .execute(conn)
}

/// A property by its code (`propertyId`) on a GP.
pub fn property_by_code(
    conn: &mut PgConnection,
    tenant: &str,
    property_id: &str,
) -> QueryResult<Option<Property>> {
    pr::table
        .filter(pr::tenant_id.eq(tenant))
        .filter(pr::property_id.eq(property_id))
        .select(Property::as_select())
        .first(conn)
        .optional()
}

/// The properties of a GP, those with the given codes when any are given, by code, at most
/// `limit`.
pub fn properties(
    conn: &mut PgConnection,
    tenant: &str,
    property_ids: &[String],
    limit: i64,
) -> QueryResult<Vec<Property>> {
    let mut q = pr::table.filter(pr::tenant_id.eq(tenant)).into_boxed();
    if !property_ids.is_empty() {
        q = q.filter(pr::property_id.eq_any(property_ids));
    }
    q.order(pr::property_id)
        .limit(limit)
        .select(Property::as_select())
        .load(conn)
}

// ---- water_connection ----

pub fn insert_connection(conn: &mut PgConnection, c: &Connection) -> QueryResult<usize> {
    diesel::insert_into(wc::table).values(c).execute(conn)
}

/// Writes every field of a connection.
pub fn update_connection(conn: &mut PgConnection, c: &Connection) -> QueryResult<usize> {
    diesel::update(wc::table.find(c.id)).set(c).execute(conn)
}

/// A connection and its property by the connection number on a GP.
pub fn by_number(
    conn: &mut PgConnection,
    tenant: &str,
    connection_no: &str,
) -> QueryResult<Option<(Connection, Property)>> {
    wc::table
        .inner_join(pr::table)
        .filter(wc::tenant_id.eq(tenant))
        .filter(wc::connection_no.eq(connection_no))
        .select((Connection::as_select(), Property::as_select()))
        .first(conn)
        .optional()
}

/// A connection and its property by the application number on a GP.
pub fn by_application_no(
    conn: &mut PgConnection,
    tenant: &str,
    application_no: &str,
) -> QueryResult<Option<(Connection, Property)>> {
    wc::table
        .inner_join(pr::table)
        .filter(wc::tenant_id.eq(tenant))
        .filter(wc::application_no.eq(application_no))
        .select((Connection::as_select(), Property::as_select()))
        .first(conn)
        .optional()
}

/// The GPs with at least one active flat-rate (non-metered) connection, in order.
pub fn tenants_with_flat_households(conn: &mut PgConnection) -> QueryResult<Vec<String>> {
    wc::table
        .filter(wc::connection_type.eq("Non_Metered"))
        .filter(wc::status.eq("Active"))
        .select(wc::tenant_id)
        .distinct()
        .order(wc::tenant_id)
        .load(conn)
}

/// The ids of the connections on a property.
pub fn connection_ids_of_property(
    conn: &mut PgConnection,
    property: uuid::Uuid,
) -> QueryResult<Vec<uuid::Uuid>> {
    wc::table
        .filter(wc::property_id.eq(property))
        .select(wc::id)
        .load(conn)
}

/// How many connections of a GP have this old connection number, any case.
pub fn count_by_old_no(conn: &mut PgConnection, tenant: &str, old_no: &str) -> QueryResult<i64> {
    wc::table
        .filter(wc::tenant_id.eq(tenant))
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("upper(old_connection_no) = upper(")
                .bind::<diesel::sql_types::Text, _>(old_no)
                .sql(")"),
        )
        .count()
        .get_result(conn)
}

/// The active non-metered connections of a GP: (number, previous reading date), by number.
pub fn active_non_metered(
    conn: &mut PgConnection,
    tenant: &str,
) -> QueryResult<Vec<(String, DateTime<Utc>)>> {
    wc::table
        .filter(wc::tenant_id.eq(tenant))
        .filter(wc::status.eq("Active"))
        .filter(wc::connection_type.eq("Non_Metered"))
        .order(wc::connection_no)
        .select((wc::connection_no, wc::previous_reading_date))
        .load(conn)
}

/// Filters of [`households`]; empty lists and `None` do not filter.
#[derive(Clone, Debug, Default)]
pub struct HouseholdFilter<'a> {
    pub tenant_id: &'a str,
    pub connection_nos: &'a [String],
    /// Any case.
    pub old_connection_no: Option<&'a str>,
    /// A mobile number's blind index, matched against every mobile the household has had.
    pub mobile_hash: Option<&'a [u8]>,
    pub status: Option<&'a str>,
    pub connection_type: Option<&'a str>,
    pub property_ids: &'a [String],
    pub property_type: Option<&'a str>,
    /// Created at or after / at or before.
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

/// The connections (with their properties) matching `f`, by connection number.
pub fn households(
    conn: &mut PgConnection,
    f: &HouseholdFilter<'_>,
) -> QueryResult<Vec<(Connection, Property)>> {
    let mut q = wc::table
        .inner_join(pr::table)
        .filter(wc::tenant_id.eq(f.tenant_id))
        .into_boxed();
    if !f.connection_nos.is_empty() {
        q = q.filter(wc::connection_no.eq_any(f.connection_nos));
    }
    if let Some(o) = f.old_connection_no {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "upper(water_connection.old_connection_no) = upper(",
            )
            .bind::<diesel::sql_types::Text, _>(o)
            .sql(")"),
        );
    }
    if let Some(hash) = f.mobile_hash {
        let ids = wm::table
            .filter(wm::tenant_id.eq(f.tenant_id))
            .filter(wm::mobile_hash.eq(hash))
            .select(wm::connection_id);
        q = q.filter(wc::id.eq_any(ids));
    }
    if let Some(s) = f.status {
        q = q.filter(wc::status.eq(s));
    }
    if let Some(t) = f.connection_type {
        q = q.filter(wc::connection_type.eq(t));
    }
    if !f.property_ids.is_empty() {
        q = q.filter(pr::property_id.eq_any(f.property_ids));
    }
    if let Some(t) = f.property_type {
        q = q.filter(pr::property_type.eq(t));
    }
    if let Some(t) = f.created_from {
        q = q.filter(wc::created_at.ge(t));
    }
    if let Some(t) = f.created_to {
        q = q.filter(wc::created_at.le(t));
    }
    q.order(wc::connection_no)
        .select((Connection::as_select(), Property::as_select()))
        .load(conn)
}

/// Active connections whose holder's current number has this blind index, in any GP, by GP
/// and number (at most `limit`).
pub fn by_holder_mobile(
    conn: &mut PgConnection,
    hash: &[u8],
    limit: i64,
) -> QueryResult<Vec<(Connection, Property)>> {
    wc::table
        .inner_join(pr::table)
        .filter(pr::owner_mobile_hash.eq(hash))
        .filter(wc::status.eq("Active"))
        .order((wc::tenant_id, wc::connection_no))
        .limit(limit)
        .select((Connection::as_select(), Property::as_select()))
        .load(conn)
}

// ---- water_connection_mobile ----

/// Records that the household was reachable on this mobile (kept when already recorded).
pub fn remember_mobile(
    conn: &mut PgConnection,
    connection: uuid::Uuid,
    tenant: &str,
    hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(wm::table)
        .values((
            wm::connection_id.eq(connection),
            wm::tenant_id.eq(tenant),
            wm::mobile_hash.eq(hash),
            wm::since.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
}

// ---- water_connection_history ----

pub fn insert_history(
    conn: &mut PgConnection,
    c: &Connection,
    action: &str,
    changes: serde_json::Value,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(wh::table)
        .values((
            wh::connection_id.eq(c.id),
            wh::tenant_id.eq(&c.tenant_id),
            wh::action.eq(action),
            wh::changes.eq(changes),
            wh::actor.eq(actor),
            wh::at.eq(now),
        ))
        .execute(conn)
}

/// Flat-rate (non-metered), active connections of a GP that joined before `before`: (connection
/// number, holder, property type).
pub fn flat_households(
    conn: &mut PgConnection,
    tenant: &str,
    before: DateTime<Utc>,
) -> QueryResult<Vec<(String, uuid::Uuid, String)>> {
    wc::table
        .inner_join(pr::table.on(pr::id.eq(wc::property_id)))
        .filter(wc::tenant_id.eq(tenant))
        .filter(wc::connection_type.eq("Non_Metered"))
        .filter(wc::status.eq("Active"))
        .filter(wc::previous_reading_date.lt(before))
        .select((wc::connection_no, pr::owner_uuid, pr::property_type))
        .load(conn)
}

/// Whether a household of the GP joined between `from` and `to`: its last cycle billed before
/// joining, or its creation, falls in it.
pub fn joined_between(
    conn: &mut PgConnection,
    tenant: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        wc::table.filter(wc::tenant_id.eq(tenant)).filter(
            wc::previous_reading_date
                .between(from, to)
                .or(wc::created_at.between(from, to)),
        ),
    ))
    .get_result(conn)
}

/// The holders of a GP's connections among `codes`: (connection number, owner's name and mobile
/// number, both sealed).
pub fn holders(
    conn: &mut PgConnection,
    tenant: &str,
    codes: &[String],
) -> QueryResult<Vec<(String, String, String)>> {
    wc::table
        .inner_join(pr::table)
        .filter(wc::tenant_id.eq(tenant))
        .filter(wc::connection_no.eq_any(codes))
        .select((wc::connection_no, pr::owner_name_enc, pr::owner_mobile_enc))
        .load(conn)
}

/// Read-only figures over these tables for the roll-out dashboard and the iFIX export.
#[path = "figures.rs"]
pub mod figures;

/// Read-only figures over these tables for the GP's dashboard.
#[path = "dashboard.rs"]
pub mod dashboard;
/// Read-only rows over these tables for the water reports.
#[path = "report_rows.rs"]
pub mod report_rows;
/// Read-only reads for the division and state views' roll-up.
#[path = "rollup.rs"]
pub mod rollup;
