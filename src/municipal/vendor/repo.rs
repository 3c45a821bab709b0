//! Queries on `vendor`. No rules here.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::model::Vendor;
use super::service::Filter;
use crate::db::schema::vendor as v;

pub fn insert(conn: &mut PgConnection, row: &Vendor) -> QueryResult<usize> {
    diesel::insert_into(v::table).values(row).execute(conn)
}

pub fn get(conn: &mut PgConnection, tenant: &str, id: uuid::Uuid) -> QueryResult<Option<Vendor>> {
    v::table
        .filter(v::tenant_id.eq(tenant))
        .filter(v::id.eq(id))
        .select(Vendor::as_select())
        .first(conn)
        .optional()
}

pub fn by_mobile_hash(
    conn: &mut PgConnection,
    tenant: &str,
    hash: &[u8],
) -> QueryResult<Option<Vendor>> {
    v::table
        .filter(v::tenant_id.eq(tenant))
        .filter(v::mobile_hash.eq(hash))
        .select(Vendor::as_select())
        .first(conn)
        .optional()
}

/// `%text%` for ILIKE, its wildcards escaped.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn filtered<'a>(f: &'a Filter, hash: Option<&'a [u8]>) -> v::BoxedQuery<'a, diesel::pg::Pg> {
    let mut q = v::table.filter(v::tenant_id.eq(&f.tenant_id)).into_boxed();
    if let Some(h) = hash {
        q = q.filter(v::mobile_hash.eq(h));
    }
    if !f.names.is_empty() {
        let lower: Vec<String> = f.names.iter().map(|n| n.trim().to_lowercase()).collect();
        q = q.filter(
            sql::<Bool>("lower(vendor.name) = ANY(")
                .bind::<diesel::sql_types::Array<Text>, _>(lower)
                .sql(")"),
        );
    }
    if let Some(like) = f
        .name_like
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        q = q.filter(v::name.ilike(contains_pattern(like)));
    }
    if !f.ids.is_empty() {
        q = q.filter(v::id.eq_any(&f.ids));
    }
    if !f.owner_ids.is_empty() {
        q = q.filter(v::owner_uuid.eq_any(&f.owner_ids));
    }
    if let Some(s) = &f.status {
        q = q.filter(v::status.eq(s));
    }
    q
}

/// The page of vendors `f` asks for, by name, and how many match in all.
pub fn search(
    conn: &mut PgConnection,
    f: &Filter,
    hash: Option<&[u8]>,
) -> QueryResult<(Vec<Vendor>, i64)> {
    let total: i64 = filtered(f, hash).count().get_result(conn)?;
    let mut q = filtered(f, hash)
        .order((v::name.asc(), v::id.asc()))
        .offset(f.offset.max(0));
    if let Some(limit) = f.limit.filter(|l| *l >= 0) {
        q = q.limit(limit);
    }
    Ok((q.select(Vendor::as_select()).load(conn)?, total))
}
