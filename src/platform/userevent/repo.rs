//! The SQL of the events: who sees which, in what state.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::db::schema::{
    userevent_event as ev, userevent_last_access as la, userevent_recipient as rc,
    userevent_state as st,
};

/// One event as one person sees it.
#[derive(QueryableByName, Clone, Debug)]
pub struct Row {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub tenant_id: String,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub event_category: Option<String>,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Text)]
    pub source: String,
    #[diesel(sql_type = Text)]
    pub posted_by: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub reference_id: Option<String>,
    #[diesel(sql_type = Text)]
    pub localization_code: String,
    #[diesel(sql_type = Jsonb)]
    pub attributes: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    pub action_urls: serde_json::Value,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub created_by: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub last_modified_by: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    pub last_modified_at: DateTime<Utc>,
    /// The viewer's state of it.
    #[diesel(sql_type = Text)]
    pub status: String,
    /// The roles it is addressed to.
    #[diesel(sql_type = Array<Text>)]
    pub to_roles: Vec<String>,
    /// Whether it is addressed to the viewer by name.
    #[diesel(sql_type = Bool)]
    pub to_me: bool,
    #[diesel(sql_type = BigInt)]
    pub full_count: i64,
}

/// Who looks: a person on a GP, through their own address (`by_user`) and/or these roles.
pub struct Viewer<'a> {
    pub user: Uuid,
    pub tenant: &'a str,
    pub by_user: bool,
    pub roles: &'a [String],
}

/// The events of a GP addressed to the viewer (the condition, `$1`..`$4`).
const VISIBLE: &str = "FROM userevent_event e
    LEFT JOIN userevent_state s ON s.event_id = e.id AND s.user_uuid = $2
    WHERE e.tenant_id = $1
      AND EXISTS (SELECT 1 FROM userevent_recipient r WHERE r.event_id = e.id
                  AND ((r.user_uuid = $2 AND $3) OR r.role_code = ANY($4)))";

pub fn search(
    conn: &mut PgConnection,
    v: &Viewer<'_>,
    statuses: &[String],
    types: &[String],
    ids: &[Uuid],
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<Row>> {
    let sql = format!(
        "SELECT e.id, e.tenant_id, e.event_type, e.event_category, e.name, e.description, e.source,
                e.posted_by, e.reference_id, e.localization_code, e.attributes, e.action_urls,
                e.created_by, e.created_at, e.last_modified_by, e.last_modified_at,
                COALESCE(s.status, 'ACTIVE') AS status,
                ARRAY(SELECT r.role_code FROM userevent_recipient r
                      WHERE r.event_id = e.id AND r.role_code IS NOT NULL ORDER BY r.role_code) AS to_roles,
                EXISTS (SELECT 1 FROM userevent_recipient r
                        WHERE r.event_id = e.id AND r.user_uuid = $2) AS to_me,
                count(*) OVER () AS full_count
         {VISIBLE}
           AND COALESCE(s.status, 'ACTIVE') = ANY($5)
           AND (cardinality($6) = 0 OR e.event_type = ANY($6))
           AND (cardinality($7) = 0 OR e.id = ANY($7))
         ORDER BY e.created_at DESC, e.id
         OFFSET $8 LIMIT $9"
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(v.tenant)
        .bind::<SqlUuid, _>(v.user)
        .bind::<Bool, _>(v.by_user)
        .bind::<Array<Text>, _>(v.roles)
        .bind::<Array<Text>, _>(statuses)
        .bind::<Array<Text>, _>(types)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<BigInt, _>(offset)
        .bind::<BigInt, _>(limit)
        .load(conn)
}

#[derive(QueryableByName)]
pub struct Counts {
    #[diesel(sql_type = BigInt)]
    pub total: i64,
    #[diesel(sql_type = BigInt)]
    pub unread: i64,
}

/// The viewer's events not closed, and of those the unread ones.
pub fn counts(conn: &mut PgConnection, v: &Viewer<'_>) -> QueryResult<Counts> {
    let sql = format!(
        "SELECT count(*) FILTER (WHERE COALESCE(s.status, 'ACTIVE') <> 'INACTIVE') AS total,
                count(*) FILTER (WHERE COALESCE(s.status, 'ACTIVE') = 'ACTIVE') AS unread
         {VISIBLE}"
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(v.tenant)
        .bind::<SqlUuid, _>(v.user)
        .bind::<Bool, _>(v.by_user)
        .bind::<Array<Text>, _>(v.roles)
        .get_result(conn)
}

/// Sets a person's state of events.
pub fn set_state(
    conn: &mut PgConnection,
    user: Uuid,
    events: &[Uuid],
    status: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let rows: Vec<_> = events
        .iter()
        .map(|e| {
            (
                st::event_id.eq(*e),
                st::user_uuid.eq(user),
                st::status.eq(status),
                st::changed_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(st::table)
        .values(&rows)
        .on_conflict((st::event_id, st::user_uuid))
        .do_update()
        .set((
            st::status.eq(diesel::upsert::excluded(st::status)),
            st::changed_at.eq(diesel::upsert::excluded(st::changed_at)),
        ))
        .execute(conn)
}

pub struct NewRow<'a> {
    pub id: Uuid,
    pub tenant_id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub posted_by: &'a str,
    pub localization_code: &'a str,
    pub attributes: serde_json::Value,
    pub action_urls: serde_json::Value,
    pub now: DateTime<Utc>,
}

pub fn insert(
    conn: &mut PgConnection,
    e: &NewRow<'_>,
    users: &[Uuid],
    roles: &[String],
) -> QueryResult<()> {
    diesel::insert_into(ev::table)
        .values((
            ev::id.eq(e.id),
            ev::tenant_id.eq(e.tenant_id),
            ev::event_type.eq("SYSTEMGENERATED"),
            ev::name.eq(e.name),
            ev::description.eq(e.description),
            ev::source.eq("WEBAPP"),
            ev::posted_by.eq(e.posted_by),
            ev::localization_code.eq(e.localization_code),
            ev::attributes.eq(&e.attributes),
            ev::action_urls.eq(&e.action_urls),
            ev::created_at.eq(e.now),
            ev::last_modified_at.eq(e.now),
        ))
        .execute(conn)?;
    let rows: Vec<_> = users
        .iter()
        .map(|u| (Some(*u), None))
        .chain(roles.iter().map(|r| (None, Some(r.as_str()))))
        .map(|(u, r)| {
            (
                rc::event_id.eq(e.id),
                rc::user_uuid.eq(u),
                rc::role_code.eq(r),
            )
        })
        .collect();
    diesel::insert_into(rc::table).values(&rows).execute(conn)?;
    Ok(())
}

pub fn last_access(conn: &mut PgConnection, user: Uuid) -> QueryResult<Option<DateTime<Utc>>> {
    la::table
        .find(user)
        .select(la::last_access_at)
        .first(conn)
        .optional()
}

pub fn touch(conn: &mut PgConnection, user: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::insert_into(la::table)
        .values((la::user_uuid.eq(user), la::last_access_at.eq(now)))
        .on_conflict(la::user_uuid)
        .do_update()
        .set(la::last_access_at.eq(now))
        .execute(conn)
}
