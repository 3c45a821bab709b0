//! Rows of the billing tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::db::schema::*;

#[derive(Clone, Debug, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = billing_demand)]
pub struct Demand {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub business_service: String,
    pub consumer_code: String,
    pub consumer_type: String,
    pub payer_uuid: Option<uuid::Uuid>,
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
    pub status: String,
    pub is_payment_completed: bool,
    pub minimum_amount_payable: Decimal,
    pub bill_expiry_time: Option<i64>,
    pub additional_details: serde_json::Value,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    pub last_modified_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = billing_demand_detail)]
pub struct DemandDetail {
    pub id: uuid::Uuid,
    pub demand_id: uuid::Uuid,
    pub tenant_id: String,
    pub tax_head_code: String,
    pub tax_amount: Decimal,
    pub collection_amount: Decimal,
    pub additional_details: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub last_modified_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = billing_bill)]
pub struct Bill {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub bill_number: String,
    pub business_service: String,
    pub consumer_code: String,
    pub payer_uuid: Option<uuid::Uuid>,
    pub status: String,
    pub total_amount: Decimal,
    pub bill_date: DateTime<Utc>,
    pub fingerprint: String,
    pub additional_details: serde_json::Value,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    pub last_modified_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = billing_bill_detail)]
pub struct BillDetail {
    pub id: uuid::Uuid,
    pub bill_id: uuid::Uuid,
    pub tenant_id: String,
    pub demand_id: uuid::Uuid,
    pub from_period: DateTime<Utc>,
    pub to_period: DateTime<Utc>,
    pub expiry_date: Option<DateTime<Utc>>,
    pub amount: Decimal,
    pub amount_paid: Decimal,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = billing_bill_account_detail)]
pub struct BillAccountDetail {
    pub id: uuid::Uuid,
    pub bill_detail_id: uuid::Uuid,
    pub tenant_id: String,
    pub demand_detail_id: uuid::Uuid,
    pub tax_head_code: String,
    pub display_order: i32,
    pub amount: Decimal,
    pub adjusted_amount: Decimal,
}

/// A demand with its lines.
#[derive(Clone, Debug)]
pub struct DemandWithLines {
    pub demand: Demand,
    pub lines: Vec<DemandDetail>,
}

/// A bill with its details and their account lines.
#[derive(Clone, Debug)]
pub struct FullBill {
    pub bill: Bill,
    pub details: Vec<(BillDetail, Vec<BillAccountDetail>)>,
}

/// One applied move, for the payment that caused it.
#[derive(Clone, Debug)]
pub struct Applied {
    pub line: uuid::Uuid,
    pub kind: &'static str,
    pub amount: Decimal,
}
