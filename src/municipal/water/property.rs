//! Properties: the holder (a citizen account re-used by mobile number) and the property, created
//! and edited (product.md §2.3).

use super::model::Property;
use super::repo::{self};
use super::service::*;
use crate::error::{AppError, AppResult};
use crate::platform::access::identity::TenantRole;
use crate::platform::{idgen, user};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

/// The holder as entered.
#[derive(Clone, Debug, Default)]
pub struct OwnerIn {
    pub name: String,
    pub guardian: String,
    pub gender: String,
    pub mobile: String,
}

#[derive(Clone, Debug, Default)]
pub struct NewProperty {
    pub tenant_id: String,
    pub property_type: String,
    pub door_no: Option<String>,
    pub street: Option<String>,
    pub locality: Option<String>,
    pub owner: OwnerIn,
    /// `owners[0].isPrimaryOwner` as sent.
    pub owner_is_primary: Option<bool>,
    pub additional_details: serde_json::Value,
}

/// The citizen account of a mobile number: the existing one, or a new one (product.md §2.3: a
/// connection holder becomes a citizen user, re-used when the number exists).
pub fn citizen_for(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    o: &OwnerIn,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<uuid::Uuid> {
    let id = ctx.identity();
    if let Some(uuid) = user::service::citizen_by_mobile(conn, id, &o.mobile)? {
        return Ok(uuid);
    }
    let new = user::NewUser {
        tenant_id: ctx.state_tenant.to_owned(),
        user_name: o.mobile.clone(),
        mobile_number: Some(o.mobile.clone()),
        name: o.name.clone(),
        user_type: "CITIZEN".to_owned(),
        password: None,
        roles: vec![TenantRole {
            code: "CITIZEN".to_owned(),
            tenant_id: ctx.state_tenant.to_owned(),
        }],
        gender: Some(o.gender.clone()),
        email: None,
        father_or_husband_name: Some(o.guardian.clone()),
        locale: None,
    };
    Ok(user::create_user(conn, id, &new, actor, now)?.uuid)
}

pub fn create_property(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    p: &NewProperty,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Property> {
    let mut e = Errors::default();
    let tenant = e.take(gp(conn, &p.tenant_id, "Property.tenantId"));
    let ptype = check_property_type(&p.property_type, &mut e, "Property.propertyType");
    let door = e.take(limited(
        &p.door_no,
        128,
        "INVALID_DOOR_NO",
        "Property.address.doorNo",
    ));
    let street = e.take(limited(
        &p.street,
        128,
        "INVALID_STREET",
        "Property.address.street",
    ));
    let owner = check_owner(&p.owner, &mut e, "Property.owners[0]");
    e.done()?;
    let (Some(tenant), Some(ptype), Some(door), Some(street), Some(owner)) =
        (tenant, ptype, door, street, owner)
    else {
        return Err(AppError::bad_request(
            "INVALID_PROPERTY",
            "invalid property",
        ));
    };
    let owner_uuid = citizen_for(conn, ctx, &owner, actor, now)?;
    let property_id = idgen::next_id(conn, ctx.state_tenant, &tenant.code, "pt.propertyid", now)?;
    let row = Property {
        id: uuid::Uuid::new_v4(),
        tenant_id: tenant.code,
        property_id,
        status: "ACTIVE".to_owned(),
        property_type: ptype,
        usage_category: "RESIDENTIAL".to_owned(),
        ownership_category: "INDIVIDUAL".to_owned(),
        land_area: Decimal::ONE,
        no_of_floors: 1,
        source: "WS".to_owned(),
        channel: "CITIZEN".to_owned(),
        door_no: door,
        street,
        locality: p
            .locality
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("WARD1")
            .to_owned(),
        owner_uuid,
        owner_name_enc: ctx.crypto.seal(COL_OWNER_NAME, &owner.name),
        owner_guardian_enc: ctx.crypto.seal(COL_OWNER_GUARDIAN, &owner.guardian),
        owner_gender: owner.gender,
        owner_mobile_enc: ctx.crypto.seal(COL_OWNER_MOBILE, &owner.mobile),
        owner_mobile_hash: ctx.identity().mobile_hash(&owner.mobile),
        additional_details: if p.additional_details.is_object() {
            p.additional_details.clone()
        } else {
            json!({})
        },
        created_by: actor,
        created_at: now,
        last_modified_by: actor,
        last_modified_at: now,
        owner_is_primary: p.owner_is_primary,
    };
    repo::insert_property(conn, &row)?;
    Ok(row)
}

/// A change to a property and its owner (`property/_update`).
#[derive(Clone, Debug, Default)]
pub struct PropertyUpdate {
    pub tenant_id: String,
    pub property_id: String,
    pub property_type: Option<String>,
    pub door_no: Option<String>,
    pub street: Option<String>,
    pub owner: Option<OwnerIn>,
    /// `owners[0].isPrimaryOwner` when owners were sent (replaced as sent, null included).
    pub owner_is_primary: Option<Option<bool>>,
}

pub fn update_property(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    u: &PropertyUpdate,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Property> {
    let mut p = property_by_code(conn, &u.tenant_id, &u.property_id)?.ok_or_else(|| {
        AppError::invalid_field(
            "PROPERTY_NOT_FOUND",
            "No such property on this GP",
            "Property.propertyId",
        )
    })?;
    let mut e = Errors::default();
    let ptype = u
        .property_type
        .as_deref()
        .and_then(|t| check_property_type(t, &mut e, "Property.propertyType"));
    let door = e.take(limited(
        &u.door_no,
        128,
        "INVALID_DOOR_NO",
        "Property.address.doorNo",
    ));
    let street = e.take(limited(
        &u.street,
        128,
        "INVALID_STREET",
        "Property.address.street",
    ));
    let owner = u
        .owner
        .as_ref()
        .and_then(|o| check_owner(o, &mut e, "Property.owners[0]"));
    e.done()?;
    if let Some(t) = ptype {
        p.property_type = t;
    }
    p.door_no = door.flatten_or(p.door_no.take(), u.door_no.is_some());
    p.street = street.flatten_or(p.street.take(), u.street.is_some());
    if let Some(o) = owner {
        let hash = ctx.identity().mobile_hash(&o.mobile);
        if hash != p.owner_mobile_hash {
            p.owner_uuid = citizen_for(conn, ctx, &o, actor, now)?;
            p.owner_mobile_hash = hash.clone();
            p.owner_mobile_enc = ctx.crypto.seal(COL_OWNER_MOBILE, &o.mobile);
            let conns = repo::connection_ids_of_property(conn, p.id)?;
            for c in conns {
                repo::remember_mobile(conn, c, &p.tenant_id, &hash, now)?;
            }
        }
        p.owner_name_enc = ctx.crypto.seal(COL_OWNER_NAME, &o.name);
        p.owner_guardian_enc = ctx.crypto.seal(COL_OWNER_GUARDIAN, &o.guardian);
        p.owner_gender = o.gender;
    }
    if let Some(primary) = u.owner_is_primary {
        p.owner_is_primary = primary;
    }
    p.last_modified_by = actor;
    p.last_modified_at = now;
    repo::update_property(conn, &p)?;
    Ok(p)
}

pub(super) trait FlattenOr {
    fn flatten_or(self, old: Option<String>, given: bool) -> Option<String>;
}

impl FlattenOr for Option<Option<String>> {
    /// A field sent (even empty) replaces the old value; a field not sent keeps it.
    fn flatten_or(self, old: Option<String>, given: bool) -> Option<String> {
        if given { self.flatten() } else { old }
    }
}
