//! The `vendor` row.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::vendor;

/// A vendor as stored (the owner's mobile number only as a blind index; see the service's
/// `VendorView` for the number itself).
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = vendor)]
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
