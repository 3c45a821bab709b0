//! The JSON the property and connection APIs read (`Property`, `WaterConnection`), as the
//! mGramSeva app builds it (`consumer_details_provider.dart`: every field of its models, most of
//! them null), turned into the household use cases' inputs.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{ConnectionUpdate, NewConnection, NewProperty, OwnerIn, PropertyUpdate};
use crate::error::{AppError, AppResult, codes};

#[derive(Debug, Deserialize)]
pub(super) struct PropertyBody {
    #[serde(rename = "Property")]
    pub(super) property: PropertyIn,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PropertyIn {
    tenant_id: Option<String>,
    property_id: Option<String>,
    property_type: Option<String>,
    address: Option<AddressIn>,
    /// Absent: the owner is not changed (update).
    owners: Option<Vec<OwnerJson>>,
    additional_details: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddressIn {
    door_no: Option<String>,
    street: Option<String>,
    locality: Option<LocalityIn>,
}

#[derive(Debug, Default, Deserialize)]
struct LocalityIn {
    code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OwnerJson {
    name: Option<String>,
    mobile_number: Option<String>,
    gender: Option<String>,
    father_or_husband_name: Option<String>,
    /// A boolean in ws-services and property-services (the app types it as a string and never
    /// sets it); kept as sent and answered back.
    is_primary_owner: Option<Value>,
}

impl OwnerJson {
    fn owner(&self) -> OwnerIn {
        OwnerIn {
            name: self.name.clone().unwrap_or_default(),
            guardian: self.father_or_husband_name.clone().unwrap_or_default(),
            gender: self.gender.clone().unwrap_or_default(),
            mobile: self.mobile_number.clone().unwrap_or_default(),
        }
    }

    /// `true`, `false` or nothing (null, absent); "true"/"false" as text too, as Jackson reads
    /// them into a Boolean.
    fn primary(&self, field: &str) -> AppResult<Option<bool>> {
        match &self.is_primary_owner {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(_) => Err(AppError::invalid_field(
                "INVALID_IS_PRIMARY_OWNER",
                "isPrimaryOwner must be true, false or null",
                field,
            )),
        }
    }
}

pub(super) fn required(v: &Option<String>, field: &str) -> AppResult<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            AppError::invalid_field(codes::MISSING_FIELD, format!("{field} is required"), field)
        })
}

impl PropertyIn {
    fn first_owner(&self) -> Option<&OwnerJson> {
        self.owners.as_deref().and_then(<[OwnerJson]>::first)
    }

    pub(super) fn new_property(self) -> AppResult<NewProperty> {
        let owner = self.first_owner().ok_or_else(|| {
            AppError::invalid_field(
                codes::MISSING_FIELD,
                "an owner is required",
                "Property.owners",
            )
        })?;
        let (owner_in, primary) = (
            owner.owner(),
            owner.primary("Property.owners[0].isPrimaryOwner")?,
        );
        let address = self.address.unwrap_or_default();
        Ok(NewProperty {
            tenant_id: required(&self.tenant_id, "Property.tenantId")?,
            property_type: self.property_type.unwrap_or_default(),
            door_no: address.door_no,
            street: address.street,
            locality: address.locality.and_then(|l| l.code),
            owner: owner_in,
            owner_is_primary: primary,
            additional_details: self.additional_details.unwrap_or(json!({})),
        })
    }

    pub(super) fn update(self) -> AppResult<PropertyUpdate> {
        let owner = self.first_owner();
        let primary = owner
            .map(|o| o.primary("Property.owners[0].isPrimaryOwner"))
            .transpose()?;
        let owner = owner.map(OwnerJson::owner);
        let address = self.address.unwrap_or_default();
        Ok(PropertyUpdate {
            tenant_id: required(&self.tenant_id, "Property.tenantId")?,
            property_id: required(&self.property_id, "Property.propertyId")?,
            property_type: self.property_type,
            door_no: address.door_no,
            street: address.street,
            owner,
            owner_is_primary: primary,
        })
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ConnectionBody {
    #[serde(rename = "WaterConnection")]
    pub(super) connection: ConnectionIn,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ConnectionIn {
    tenant_id: Option<String>,
    property_id: Option<String>,
    connection_no: Option<String>,
    old_connection_no: Option<String>,
    connection_type: Option<String>,
    meter_id: Option<String>,
    previous_reading_date: Option<i64>,
    #[serde(default, deserialize_with = "crate::money::optional")]
    arrears: Option<Decimal>,
    #[serde(default, deserialize_with = "crate::money::optional")]
    penalty: Option<Decimal>,
    #[serde(default, deserialize_with = "crate::money::optional")]
    advance: Option<Decimal>,
    payment_type: Option<String>,
    status: Option<String>,
    connection_holders: Option<Vec<OwnerJson>>,
    #[serde(default)]
    additional_details: Value,
}

impl ConnectionIn {
    fn extra(&self, key: &str) -> Option<String> {
        match self.additional_details.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    fn reading(&self) -> AppResult<Option<i64>> {
        match self.additional_details.get("initialMeterReading") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad_reading),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad_reading()),
            Some(_) => Err(bad_reading()),
        }
    }

    /// The app sends an opening advance as a negative amount (a credit, as ws-services kept
    /// it); the household rules take its size.
    fn advance(&self) -> Option<Decimal> {
        self.advance.map(|a| a.abs())
    }

    /// The holder's `isPrimaryOwner`: None when no holders were sent.
    fn holder_primary(&self) -> AppResult<Option<Option<bool>>> {
        self.connection_holders
            .as_ref()
            .map(|h| {
                h.first().map_or(Ok(None), |o| {
                    o.primary("WaterConnection.connectionHolders[0].isPrimaryOwner")
                })
            })
            .transpose()
    }

    fn details(&self) -> Option<Value> {
        self.additional_details
            .is_object()
            .then(|| self.additional_details.clone())
    }

    pub(super) fn new_connection(&self) -> AppResult<NewConnection> {
        Ok(NewConnection {
            tenant_id: required(&self.tenant_id, "WaterConnection.tenantId")?,
            property_id: required(&self.property_id, "WaterConnection.propertyId")?,
            old_connection_no: self.old_connection_no.clone().unwrap_or_default(),
            connection_type: self.connection_type.clone().unwrap_or_default(),
            meter_id: self.meter_id.clone(),
            previous_reading_date: self.previous_reading_date,
            initial_meter_reading: self.reading()?,
            arrears: self.arrears,
            penalty: self.penalty,
            advance: self.advance(),
            category: self.extra("category"),
            sub_category: self.extra("subCategory"),
            aadhaar: self.extra("aadharNumber"),
            holder_is_primary: self.holder_primary()?.flatten(),
            payment_type: self.payment_type.clone(),
            additional_details: self.details().unwrap_or(json!({})),
        })
    }

    pub(super) fn update(&self) -> AppResult<ConnectionUpdate> {
        Ok(ConnectionUpdate {
            tenant_id: required(&self.tenant_id, "WaterConnection.tenantId")?,
            connection_no: required(&self.connection_no, "WaterConnection.connectionNo")?,
            old_connection_no: self.old_connection_no.clone(),
            connection_type: self.connection_type.clone(),
            meter_id: self.meter_id.clone(),
            previous_reading_date: self.previous_reading_date,
            initial_meter_reading: self.reading()?,
            arrears: self.arrears,
            penalty: self.penalty,
            advance: self.advance(),
            category: self.extra("category"),
            sub_category: self.extra("subCategory"),
            aadhaar: self.extra("aadharNumber"),
            status: self.status.clone(),
            remarks: self.extra("remarks"),
            holder_is_primary: self.holder_primary()?,
            payment_type: self.payment_type.clone(),
            additional_details: self.details(),
        })
    }
}

fn bad_reading() -> AppError {
    AppError::invalid_field(
        "INVALID_METER_READING",
        "The previous meter reading is 0 to 99999",
        "WaterConnection.additionalDetails.initialMeterReading",
    )
}
