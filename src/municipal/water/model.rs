//! Rows of the property and water tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::db::schema::{property, water_connection};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = property)]
pub struct Property {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub property_id: String,
    pub status: String,
    pub property_type: String,
    pub usage_category: String,
    pub ownership_category: String,
    pub land_area: Decimal,
    pub no_of_floors: i32,
    pub source: String,
    pub channel: String,
    pub door_no: Option<String>,
    pub street: Option<String>,
    pub locality: String,
    pub owner_uuid: uuid::Uuid,
    pub owner_name_enc: String,
    pub owner_guardian_enc: String,
    pub owner_gender: String,
    pub owner_mobile_enc: String,
    pub owner_mobile_hash: Vec<u8>,
    pub additional_details: serde_json::Value,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    pub last_modified_at: DateTime<Utc>,
    /// `owners[0].isPrimaryOwner` as sent.
    pub owner_is_primary: Option<bool>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = water_connection)]
#[diesel(treat_none_as_null = true)]
pub struct Connection {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub property_id: uuid::Uuid,
    pub connection_no: String,
    pub application_no: String,
    pub old_connection_no: String,
    pub status: String,
    pub application_status: String,
    pub connection_type: String,
    pub connection_category: String,
    pub meter_id: Option<String>,
    pub meter_installation_date: Option<DateTime<Utc>>,
    pub previous_reading_date: DateTime<Utc>,
    pub initial_meter_reading: Option<i32>,
    pub arrears: Decimal,
    pub penalty: Decimal,
    pub advance: Decimal,
    pub category: Option<String>,
    pub sub_category: Option<String>,
    pub aadhaar_enc: Option<String>,
    pub proposed_taps: i32,
    pub no_of_taps: i32,
    pub proposed_pipe_size: Decimal,
    pub remarks: Option<String>,
    pub additional_details: serde_json::Value,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    pub last_modified_at: DateTime<Utc>,
    /// `connectionHolders[0].isPrimaryOwner` as sent.
    pub holder_is_primary: Option<bool>,
    /// `paymentType` as sent ("arrears" or "advance" from the app).
    pub payment_type: Option<String>,
}

/// The owner's personal fields, opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub uuid: uuid::Uuid,
    pub name: String,
    pub guardian: String,
    pub gender: String,
    pub mobile: String,
}

/// A connection with its property and owner, as the screens and the API show it.
#[derive(Clone, Debug)]
pub struct Household {
    pub connection: Connection,
    pub property: Property,
    pub owner: Owner,
    pub aadhaar: Option<String>,
}
