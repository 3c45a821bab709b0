//! The `echallan` and `echallan_history` rows.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::db::schema::{echallan_bill, echallan_history};

/// An expense bill as stored (re-exported by the service as its read model).
#[derive(Clone, Debug, PartialEq, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = echallan_bill)]
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

/// How search results are ordered (the wire's `sortBy`); newest bill date first by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    TotalAmount,
    #[default]
    BillDate,
    PaidDate,
    TypeOfExpense,
    /// The bill number (the app's dashboard asks `sortBy=challanno`).
    ChallanNo,
}

/// What an expense search asks (`eChallan/v1/_search`); empty lists and `None` do not filter.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub tenant_id: String,
    pub ids: Vec<uuid::Uuid>,
    /// Bill numbers containing this text, case-insensitive (the search page's "bill no.").
    pub challan_no: Option<String>,
    /// `EXPENSE.<TYPE>` codes.
    pub business_services: Vec<String>,
    /// Expense type codes (the wire's `expenseType`).
    pub expense_types: Vec<String>,
    pub vendor_ids: Vec<uuid::Uuid>,
    /// Vendor names containing this text, case-insensitive.
    pub vendor_name: Option<String>,
    /// ACTIVE / PAID / CANCELLED.
    pub status: Vec<String>,
    /// true: PAID bills; false: ACTIVE ones.
    pub is_bill_paid: Option<bool>,
    /// Bill dates from / to (inclusive days).
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    /// Bill number or vendor name containing this text.
    pub free_search: Option<String>,
    pub sort_by: SortBy,
    /// true: ascending (the wire's `sortOrder=ASC`); the default is descending.
    pub ascending: bool,
    pub offset: i64,
    /// None or negative: all.
    pub limit: Option<i64>,
}

/// A page of bills, how many match in all, and the paid (PAID) and unpaid (ACTIVE) counts of
/// the search whatever its status filter (the wire's `billData`: the tabs' counts).
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub challans: Vec<Challan>,
    pub total_count: i64,
    pub paid_count: i64,
    pub not_paid_count: i64,
}
