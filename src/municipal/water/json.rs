//! The JSON of a household as the property and connection APIs answer it (personal fields
//! opened, the Aadhaar number masked).

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::model::Household;
use super::register;
use crate::platform::mdms::service::decimal_json;

pub(super) fn ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn property_json(h: &Household) -> Value {
    let p = &h.property;
    json!({
        "id": p.id, "propertyId": p.property_id, "tenantId": p.tenant_id, "status": p.status,
        "propertyType": p.property_type, "usageCategory": p.usage_category,
        "ownershipCategory": p.ownership_category, "landArea": decimal_json(p.land_area),
        "noOfFloors": p.no_of_floors, "source": p.source, "channel": p.channel,
        "address": {"tenantId": p.tenant_id, "doorNo": p.door_no, "street": p.street,
                    "locality": {"code": p.locality}, "city": p.tenant_id},
        "owners": [owner_json(h, p.owner_is_primary)],
        "additionalDetails": p.additional_details,
        "auditDetails": {"createdBy": p.created_by, "createdTime": ms(p.created_at),
                         "lastModifiedBy": p.last_modified_by, "lastModifiedTime": ms(p.last_modified_at)},
    })
}

/// The owner (property) or connection holder; `isPrimaryOwner` as it was sent (a boolean, or
/// null: the app never sets it, and reads it as text).
pub(super) fn owner_json(h: &Household, is_primary: Option<bool>) -> Value {
    json!({"uuid": h.owner.uuid, "name": h.owner.name, "mobileNumber": h.owner.mobile,
           "gender": h.owner.gender, "fatherOrHusbandName": h.owner.guardian,
           "isPrimaryOwner": is_primary, "ownerType": "NONE", "status": "ACTIVE"})
}

/// A connection as ws-services answers it; a search adds the household's money figures to
/// `additionalDetails` as ws-services did: `collectionPendingAmount` (pending less advance),
/// `collectionAmount` (collected; null when nothing), `totalamount` (every line), all as
/// strings with two decimals and null without a live demand, and `lastDemandGeneratedDate`
/// (epoch milliseconds, as a string, of the end of the last period billed).
pub fn connection_json(h: &Household) -> Value {
    connection_json_with(h, None)
}

pub(super) fn money_text(d: Decimal) -> String {
    format!("{:.2}", d.round_dp(2))
}

pub(super) fn connection_json_with(h: &Household, figures: Option<&register::Figures>) -> Value {
    let mut v = connection_json_plain(h);
    if let (Some(f), Some(extra)) = (
        figures,
        v.get_mut("additionalDetails")
            .and_then(Value::as_object_mut),
    ) {
        let billed = f.has_demand;
        extra.insert(
            "collectionPendingAmount".to_owned(),
            json!(billed.then(|| money_text(f.net_pending()))),
        );
        extra.insert(
            "collectionAmount".to_owned(),
            json!((f.collected != Decimal::ZERO).then(|| money_text(f.collected))),
        );
        extra.insert(
            "totalamount".to_owned(),
            json!(billed.then(|| money_text(f.total))),
        );
        extra.insert(
            "lastDemandGeneratedDate".to_owned(),
            json!(f.last_period_to.map(|t| ms(t).to_string())),
        );
    }
    v
}

/// The connection. `additionalDetails` is what the client kept on it (`meterReading`,
/// `action`, any other key, as sent) with the keys the server answers itself laid over it;
/// a metered connection that never had `meterReading` sent shows its initial reading there
/// (the app fills its reading boxes from it). No documents, plumber or road cutting: null, as
/// ws-services answers a connection without them (the app reads `documents` as an object).
pub(super) fn connection_json_plain(h: &Household) -> Value {
    let c = &h.connection;
    let p = &h.property;
    let mut details = c
        .additional_details
        .as_object()
        .cloned()
        .unwrap_or_default();
    if c.connection_type == "Metered" && !details.contains_key("meterReading") {
        details.insert("meterReading".to_owned(), json!(c.initial_meter_reading));
    }
    let computed = json!({
        "initialMeterReading": c.initial_meter_reading, "locality": p.locality,
        "category": c.category, "subCategory": c.sub_category,
        "aadharNumber": h.aadhaar.as_deref().map(mask_aadhaar),
        "propertyType": p.property_type, "street": p.street, "doorNo": p.door_no,
        "remarks": c.remarks, "appCreatedDate": ms(c.created_at),
    });
    if let Value::Object(m) = computed {
        details.extend(m);
    }
    json!({
        "id": c.id, "tenantId": c.tenant_id, "propertyId": p.property_id,
        "applicationNo": c.application_no, "applicationStatus": c.application_status,
        "status": c.status, "connectionNo": c.connection_no, "oldConnectionNo": c.old_connection_no,
        "connectionType": c.connection_type, "connectionCategory": c.connection_category,
        "meterId": c.meter_id, "meterInstallationDate": c.meter_installation_date.map(ms),
        "previousReadingDate": ms(c.previous_reading_date),
        "arrears": decimal_json(c.arrears), "penalty": decimal_json(c.penalty),
        "advance": decimal_json(c.advance), "paymentType": c.payment_type,
        "proposedTaps": c.proposed_taps, "noOfTaps": c.no_of_taps,
        "proposedPipeSize": decimal_json(c.proposed_pipe_size),
        "connectionHolders": [owner_json(h, c.holder_is_primary)],
        "documents": null, "plumberInfo": null, "roadCuttingInfo": null,
        "additionalDetails": details,
        "auditDetails": {"createdBy": c.created_by, "createdTime": ms(c.created_at),
                         "lastModifiedBy": c.last_modified_by, "lastModifiedTime": ms(c.last_modified_at)},
    })
}

/// Only the last four digits of an Aadhaar number leave the server.
pub(super) fn mask_aadhaar(a: &str) -> String {
    let tail: String = a
        .chars()
        .skip(a.chars().count().saturating_sub(4))
        .collect();
    format!("********{tail}")
}
