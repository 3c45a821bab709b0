//! The JSON shapes of demands and bills, as billing-service answers them (also kept with an
//! active bill, so fetch-bill can answer with what it stored).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::model::{DemandDetail, DemandWithLines, FullBill};
use crate::platform::mdms::service::decimal_json;

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A demand line (`DemandDetail`), as in a demand and in the aggregate's month lists.
pub fn demand_line_json(l: &DemandDetail) -> Value {
    json!({
        "id": l.id, "demandId": l.demand_id, "taxHeadMasterCode": l.tax_head_code, "taxAmount": decimal_json(l.tax_amount),
        "collectionAmount": decimal_json(l.collection_amount), "additionalDetails": l.additional_details, "tenantId": l.tenant_id,
        "auditDetails": {"createdTime": ms(l.created_at), "lastModifiedTime": ms(l.last_modified_at)},
    })
}

pub fn demand_json(d: &DemandWithLines) -> Value {
    let m = &d.demand;
    json!({
        "id": m.id, "tenantId": m.tenant_id, "consumerCode": m.consumer_code, "consumerType": m.consumer_type,
        "businessService": m.business_service, "payer": m.payer_uuid.map(|u| json!({"uuid": u})),
        "taxPeriodFrom": ms(m.period_from), "taxPeriodTo": ms(m.period_to),
        "demandDetails": d.lines.iter().map(demand_line_json).collect::<Vec<_>>(),
        "auditDetails": {"createdBy": m.created_by, "createdTime": ms(m.created_at), "lastModifiedBy": m.last_modified_by, "lastModifiedTime": ms(m.last_modified_at)},
        "billExpiryTime": m.bill_expiry_time, "additionalDetails": m.additional_details,
        "minimumAmountPayable": decimal_json(m.minimum_amount_payable), "isPaymentCompleted": m.is_payment_completed, "status": m.status,
    })
}

pub fn bill_json(b: &FullBill) -> Value {
    let m = &b.bill;
    json!({
        "id": m.id, "tenantId": m.tenant_id, "billNumber": m.bill_number, "billDate": ms(m.bill_date), "status": m.status,
        "totalAmount": decimal_json(m.total_amount), "businessService": m.business_service, "consumerCode": m.consumer_code,
        "userId": m.payer_uuid, "additionalDetails": m.additional_details, "fileStoreId": null,
        "auditDetails": {"createdBy": m.created_by, "createdTime": ms(m.created_at), "lastModifiedBy": m.last_modified_by, "lastModifiedTime": ms(m.last_modified_at)},
        "billDetails": b.details.iter().map(|(d, accts)| json!({
            "id": d.id, "tenantId": d.tenant_id, "demandId": d.demand_id, "billId": d.bill_id,
            "expiryDate": d.expiry_date.map(ms), "amount": decimal_json(d.amount), "amountPaid": decimal_json(d.amount_paid),
            "fromPeriod": ms(d.from_period), "toPeriod": ms(d.to_period),
            "billAccountDetails": accts.iter().map(|a| json!({
                "id": a.id, "tenantId": a.tenant_id, "billDetailId": a.bill_detail_id, "demandDetailId": a.demand_detail_id,
                "order": a.display_order, "amount": decimal_json(a.amount), "adjustedAmount": decimal_json(a.adjusted_amount),
                "taxHeadCode": a.tax_head_code,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
