//! The `echallan` and `echallan_history` rows.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::db::schema::{echallan, echallan_history};

/// An expense bill as stored (re-exported by the service as its read model).
#[derive(Clone, Debug, PartialEq, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = echallan)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Challan {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    /// The bill number, `EB-<fy>-<seq>`; the consumer code of its demand.
    pub challan_no: String,
    /// The expense type's code (`SALARY`, `ELECTRICITY_BILL`, …).
    pub type_of_expense: String,
    /// `EXPENSE.<type>`.
    pub business_service: String,
    pub tax_head_code: String,
    pub vendor_id: uuid::Uuid,
    /// The vendor's name when the bill was written.
    pub vendor_name: String,
    /// Whole rupees, more than zero.
    pub amount: Decimal,
    /// Days in Asia/Kolkata.
    pub bill_date: NaiveDate,
    /// The party's own bill date.
    pub bill_issued_date: Option<NaiveDate>,
    pub tax_period_from: NaiveDate,
    pub tax_period_to: NaiveDate,
    /// ACTIVE, PAID or CANCELLED.
    pub status: String,
    /// Set when paid (a cancelled paid bill keeps it).
    pub paid_date: Option<NaiveDate>,
    pub demand_id: uuid::Uuid,
    /// The CASH payment that paid it (collection's), and its receipt number.
    pub payment_id: Option<uuid::Uuid>,
    pub receipt_number: Option<String>,
    pub filestore_id: Option<String>,
    /// MANUAL (GP staff) or PSPCL.
    pub source: String,
    pub description: Option<String>,
    pub additional_details: serde_json::Value,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    pub last_modified_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = echallan_history)]
pub struct NewHistory<'a> {
    pub challan_id: uuid::Uuid,
    pub tenant_id: &'a str,
    pub action: &'a str,
    pub changes: serde_json::Value,
    pub actor: Option<uuid::Uuid>,
    pub at: DateTime<Utc>,
}

/// One entry of a bill's history.
#[derive(Clone, Debug, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = echallan_history)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct History {
    pub action: String,
    pub changes: serde_json::Value,
    pub actor: Option<uuid::Uuid>,
    pub at: DateTime<Utc>,
}
