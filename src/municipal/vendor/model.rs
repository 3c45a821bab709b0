//! The `vendor` row.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::vendor_account;

/// A vendor as stored (the owner's mobile number only as a blind index; see the service's
/// `VendorView` for the number itself).
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = vendor_account)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Vendor {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub name: String,
    pub owner_uuid: uuid::Uuid,
    pub mobile_hash: Vec<u8>,
    pub status: String,
    pub address: serde_json::Value,
    pub source: Option<String>,
    pub description: Option<String>,
    pub additional_details: serde_json::Value,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    pub last_modified_at: DateTime<Utc>,
}

/// What a vendor search asks (`vendor/v1/_search`); empty lists and `None` do not filter.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub tenant_id: String,
    /// Exact mobile number of the owner (through its blind index).
    pub mobile_number: Option<String>,
    /// Exact names, case-insensitive (the wire's `name` list).
    pub names: Vec<String>,
    /// Names containing this text, case-insensitive (the pages' type-ahead).
    pub name_like: Option<String>,
    pub ids: Vec<uuid::Uuid>,
    pub owner_ids: Vec<uuid::Uuid>,
    pub status: Option<String>,
    pub offset: i64,
    /// None or a negative number: all (the app asks `limit=-1`).
    pub limit: Option<i64>,
}
