//! The app's models as their generated `*.g.dart` read a JSON answer (`fromJson`), and what
//! they send back (`toJson`: every field, null or not).

use serde_json::{Map, Value, json};

/// How a generated `fromJson` casts a field.
#[derive(Clone, Copy)]
pub enum T {
    /// `as String?`
    S,
    /// `(as num?)?.toInt()` / `.toDouble()`
    N,
    /// `as int?` (a JSON integer: 1.0 decodes to a double and fails)
    I,
    /// `as bool?`
    B,
    /// `X.fromJson(json as Map)` when not null
    O(Spec),
    /// `X.fromJson(json as Map)`, never null (`Property.address`)
    Req(Spec),
    /// `(as List?)?.map((e) => X.fromJson(e as Map))`
    L(Spec),
    /// `as Map<String, dynamic>?`
    Dict,
}
use T::*;

pub type Spec = &'static [(&'static str, T)];

pub const DOCUMENTS: Spec = &[("fileStoreId", S), ("documentType", S)];
pub const ROLES: Spec = &[("name", S), ("code", S), ("tenantId", S)];
/// `property.g.dart` `Owners` (also the connection holders).
pub const OWNERS: Spec = &[
    ("id", I),
    ("uuid", S),
    ("userName", S),
    ("password", S),
    ("aadhaarNumber", S),
    ("permanentAddress", S),
    ("permanentCity", S),
    ("permanentPinCode", S),
    ("correspondenceCity", S),
    ("correspondencePinCode", S),
    ("correspondenceAddress", S),
    ("pwdExpiryDate", I),
    ("accountLocked", B),
    ("active", B),
    ("type", S),
    ("tenantId", S),
    ("altContactNumber", S),
    ("ownerInfoUuid", S),
    ("isPrimaryOwner", S),
    ("ownerShipPercentage", S),
    ("institutionId", S),
    ("designation", S),
    ("emailId", S),
    ("isCorrespondenceAddress", B),
    ("mobileNumber", S),
    ("fatherOrHusbandName", S),
    ("name", S),
    ("remarks", S),
    ("status", S),
    ("gender", S),
    ("ownerType", S),
    ("documents", L(DOCUMENTS)),
    ("roles", L(ROLES)),
];
/// `water_connection.g.dart` `AdditionalDetails`.
pub const WC_DETAILS: Spec = &[
    ("initialMeterReading", N),
    ("meterReading", N),
    ("locality", S),
    ("category", S),
    ("subCategory", S),
    ("aadharNumber", S),
    ("propertyType", S),
    ("street", S),
    ("lastDemandGeneratedDate", S),
    ("doorNo", S),
    ("collectionAmount", S),
    ("collectionPendingAmount", S),
    ("totalamount", S),
    ("remarks", S),
    ("appCreatedDate", N),
    ("action", S),
];
pub const PROCESS: Spec = &[("action", S)];
pub const WATER_CONNECTION: Spec = &[
    ("id", S),
    ("connectionNo", S),
    ("propertyId", S),
    ("applicationNo", S),
    ("tenantId", S),
    ("action", S),
    ("status", S),
    ("meterInstallationDate", N),
    ("documents", O(DOCUMENTS)),
    ("proposedTaps", N),
    ("noOfTaps", N),
    ("arrears", N),
    ("connectionType", S),
    ("oldConnectionNo", S),
    ("meterId", S),
    ("propertyType", S),
    ("previousReadingDate", N),
    ("previousReading", N),
    ("proposedPipeSize", N),
    ("connectionHolders", L(OWNERS)),
    ("additionalDetails", O(WC_DETAILS)),
    ("processInstance", O(PROCESS)),
    ("paymentType", S),
    ("penalty", N),
    ("advance", N),
];
pub const COLLECTION_COUNT: Spec = &[("collectionPending", I), ("collectionPaid", I)];
/// `water_connections.g.dart`: every `wc/_search` answer.
pub const WATER_CONNECTIONS: Spec = &[
    ("WaterConnection", L(WATER_CONNECTION)),
    ("waterConnectionData", L(WATER_CONNECTION)),
    ("propertyCount", Dict),
    ("collectionDataCount", O(COLLECTION_COUNT)),
    ("totalCount", I),
];
pub const LOCALITY: Spec = &[("code", S), ("area", S), ("name", S), ("label", S)];
pub const GEO: Spec = &[("latitude", N), ("longitude", N)];
pub const ADDRESS: Spec = &[
    ("city", S),
    ("id", S),
    ("locality", O(LOCALITY)),
    ("street", S),
    ("geoLocation", O(GEO)),
    ("doorNo", S),
    ("landmark", S),
    ("documents", L(DOCUMENTS)),
];
pub const INSTITUTION: Spec = &[
    ("designation", S),
    ("name", S),
    ("nameOfAuthorizedPerson", S),
    ("tenantId", S),
    ("type", S),
];
pub const CODED: Spec = &[("i18nKey", S), ("code", S)];
pub const COUNTED: Spec = &[("i18nKey", S), ("code", I)];
pub const CONSTRUCTION: Spec = &[("constructionType", S), ("builtUpArea", S)];
pub const UNITS: Spec = &[
    ("occupancyType", S),
    ("floorNo", I),
    ("constructionDetail", O(CONSTRUCTION)),
    ("tenantId", S),
    ("usageCategory", S),
];
pub const UNIT: Spec = &[
    ("plotSize", S),
    ("builtUpArea", S),
    ("selfOccupied", O(CODED)),
    ("isAnyPartOfThisFloorUnOccupied", O(CODED)),
    ("constructionDetail", O(CONSTRUCTION)),
];
pub const PROPERTY_DETAILS: Spec = &[
    ("inflammable", B),
    ("heightAbove36Feet", B),
    ("isResdential", O(CODED)),
    ("propertyType", O(CODED)),
    ("subusagetypeofrentedarea", S),
    ("subusagetype", S),
    ("isAnyPartOfThisFloorUnOccupied", S),
    ("builtUpArea", S),
    ("noOfFloors", O(COUNTED)),
    ("noOofBasements", O(COUNTED)),
    ("unit", L(UNIT)),
    ("basement1", S),
    ("basement2", S),
];
/// `property.g.dart` `Property` (the edit screen's `property/_search`).
pub const PROPERTY: Spec = &[
    ("id", S),
    ("propertyId", S),
    ("status", S),
    ("workflow", S),
    ("acknowldgementNumber", S),
    ("accountId", S),
    ("tenantId", S),
    ("address", Req(ADDRESS)),
    ("ownershipCategory", S),
    ("owners", L(OWNERS)),
    ("institution", O(INSTITUTION)),
    ("documents", L(DOCUMENTS)),
    ("units", L(UNITS)),
    ("landArea", N),
    ("propertyType", S),
    ("noOfFloors", I),
    ("superBuiltUpArea", S),
    ("usageCategory", S),
    ("additionalDetails", O(PROPERTY_DETAILS)),
    ("creationReason", S),
    ("source", S),
    ("channel", S),
];
/// `meter_demand_details.g.dart` `MeterReadings`.
pub const METER_READING: Spec = &[
    ("id", S),
    ("billingPeriod", S),
    ("meterStatus", S),
    ("lastReading", N),
    ("lastReadingDate", I),
    ("currentReading", N),
    ("currentReadingDate", I),
    ("connectionNo", S),
    ("consumption", S),
    ("generateDemand", B),
    ("tenantId", S),
];
pub const METER_DEMAND: Spec = &[("meterReadings", L(METER_READING))];
/// `bill_generation_details.g.dart`: what the app makes of the `meterConnection/_create` answer.
pub const BILL_GENERATION: Spec = &[
    ("tenantId", S),
    ("currentReading", I),
    ("currentReadingDate", I),
    ("connectionNo", S),
    ("billingPeriod", S),
    ("lastReading", I),
    ("meterStatus", S),
    ("lastReadingDate", I),
    ("generateDemand", B),
    ("connectionCategory", S),
    ("serviceCat", S),
    ("serviceType", S),
    ("propertyType", S),
    ("billYear", Dict),
    ("billCycle", S),
    ("meterNumber", S),
    ("oldMeterReading", S),
    ("newMeterReading", S),
    ("meterReadingDate", I),
];

/// What the app's `fromJson` would throw on, one line each.
fn cast_errors(v: &Value, spec: Spec, at: &str, out: &mut Vec<String>) {
    let Some(m) = v.as_object() else {
        out.push(format!("{at}: not an object: {v}"));
        return;
    };
    for (key, t) in spec {
        let x = m.get(*key).unwrap_or(&Value::Null);
        let here = format!("{at}.{key}");
        let fits = match t {
            S => x.is_null() || x.is_string(),
            N => x.is_null() || x.is_number(),
            I => x.is_null() || x.is_i64() || x.is_u64(),
            B => x.is_null() || x.is_boolean(),
            Dict => x.is_null() || x.is_object(),
            O(inner) => {
                if x.is_object() {
                    cast_errors(x, inner, &here, out);
                }
                x.is_null() || x.is_object()
            }
            Req(inner) => {
                cast_errors(x, inner, &here, out);
                true
            }
            L(inner) => {
                for (i, e) in x.as_array().into_iter().flatten().enumerate() {
                    cast_errors(e, inner, &format!("{here}[{i}]"), out);
                }
                x.is_null() || x.is_array()
            }
        };
        if !fits {
            out.push(format!("{here}: {x}"));
        }
    }
}

/// The answer parses as the app's model.
pub fn parses(v: &Value, spec: Spec, what: &str) {
    let mut errors = Vec::new();
    cast_errors(v, spec, what, &mut errors);
    assert!(errors.is_empty(), "the app cannot read {what}: {errors:#?}");
}

/// `X.fromJson(v).toJson()`: every field of the model, nothing else (what the app sends back).
pub fn round_trip(v: &Value, spec: Spec) -> Value {
    let mut out = Map::new();
    for (key, t) in spec {
        let x = v.get(*key).cloned().unwrap_or(Value::Null);
        let x = match t {
            O(inner) | Req(inner) if x.is_object() => round_trip(&x, inner),
            L(inner) if x.is_array() => Value::Array(
                x.as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| round_trip(e, inner))
                    .collect(),
            ),
            _ => x,
        };
        out.insert((*key).to_owned(), x);
    }
    Value::Object(out)
}

/// A model with every field null (`X().toJson()`).
pub fn empty(spec: Spec) -> Value {
    round_trip(&json!({}), spec)
}
