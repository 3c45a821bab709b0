//! Household rules (product.md §2.3): create a property and its connection, the opening demands,
//! edits, deactivation, and the searches.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

use super::model::{Connection, Household, Owner, Property};
use super::repo::{self, HouseholdFilter};
use crate::business::billing::{self, service::NewDemand};
use crate::config::SecuritySettings;
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::platform::access::identity::TenantRole;
use crate::platform::encryption::Crypto;
use crate::platform::{idgen, mdms, user};
use crate::time::{Fy, IST, ist_day_start_millis, month_start, prev_month};

pub const COL_OWNER_NAME: &str = "property.owner_name";
pub const COL_OWNER_GUARDIAN: &str = "property.owner_guardian";
pub const COL_OWNER_MOBILE: &str = "property.owner_mobile";
pub const COL_AADHAAR: &str = "water_connection.aadhaar";
/// Opening and per-transaction limit on arrears, penalty and advance (product.md §3.6).
pub const OPENING_LIMIT: i64 = 10_000;
/// Due date: the demand's creation time plus 15 days (`demandExpiryDate` of the master).
pub const BILL_EXPIRY_MS: i64 = 1_296_000_000;
pub const SERVICE: &str = "WS";

/// What the household rules need from the application.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub state_tenant: &'a str,
    pub crypto: &'a Crypto,
    pub sec: &'a SecuritySettings,
}

impl<'a> Ctx<'a> {
    /// The context of the running application.
    pub fn of(state: &'a crate::state::AppState) -> Self {
        Ctx {
            state_tenant: &state.settings.app.state_tenant,
            crypto: &state.crypto,
            sec: &state.settings.security,
        }
    }

    fn identity(&self) -> user::Identity<'_> {
        user::Identity::new(self.crypto, self.sec)
    }
}

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
    pub additional_details: serde_json::Value,
}

fn limited(v: &Option<String>, max: usize, code: &str, field: &str) -> AppResult<Option<String>> {
    let v = v
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    match &v {
        Some(s) if s.chars().count() > max => Err(AppError::invalid_field(
            code,
            format!("at most {max} characters"),
            field,
        )),
        _ => Ok(v),
    }
}

fn person_name(n: &str, field: &str) -> AppResult<String> {
    let n = user::service::check_name(n, field)?;
    if n.chars().count() > 50 {
        return Err(AppError::invalid_field(
            "INVALID_NAME",
            "The name may hold at most 50 letters",
            field,
        ));
    }
    Ok(n)
}

fn gender(g: &str, field: &str) -> AppResult<String> {
    let g = g.trim().to_uppercase();
    if matches!(g.as_str(), "MALE" | "FEMALE" | "TRANSGENDER") {
        Ok(g)
    } else {
        Err(AppError::invalid_field(
            "INVALID_GENDER",
            "Gender must be MALE, FEMALE or TRANSGENDER",
            field,
        ))
    }
}

/// Collects every field error instead of stopping at the first.
#[derive(Default)]
struct Errors(Vec<ErrorDetail>);

impl Errors {
    fn take<T>(&mut self, r: AppResult<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(AppError::Client { errors, .. }) => {
                self.0.extend(errors);
                None
            }
            Err(e) => {
                self.0.push(ErrorDetail::new("INTERNAL", e.to_string()));
                None
            }
        }
    }
    fn push(&mut self, code: &str, message: impl Into<String>, field: &str) {
        self.0.push(ErrorDetail::field(code, message, field));
    }
    fn done(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::many(self.0))
        }
    }
}

fn check_owner(o: &OwnerIn, e: &mut Errors, at: &str) -> Option<OwnerIn> {
    let name = e.take(person_name(&o.name, &format!("{at}.name")));
    let guardian = e.take(person_name(
        &o.guardian,
        &format!("{at}.fatherOrHusbandName"),
    ));
    let g = e.take(gender(&o.gender, &format!("{at}.gender")));
    let mobile = e.take(user::service::check_mobile(
        &o.mobile,
        &format!("{at}.mobileNumber"),
    ));
    Some(OwnerIn {
        name: name?,
        guardian: guardian?,
        gender: g?,
        mobile: mobile?,
    })
}

fn check_property_type(t: &str, e: &mut Errors, field: &str) -> Option<String> {
    let t = t.trim().to_uppercase();
    if matches!(
        t.as_str(),
        "RESIDENTIAL" | "COMMERCIAL" | "MIXED" | "PUBLICSECTOR"
    ) {
        Some(t)
    } else {
        e.push(
            "INVALID_PROPERTY_TYPE",
            "propertyType must be RESIDENTIAL or COMMERCIAL",
            field,
        );
        None
    }
}

fn gp(conn: &mut PgConnection, tenant: &str, field: &str) -> AppResult<mdms::model::Tenant> {
    match mdms::repo::tenant(conn, tenant)? {
        Some(t) if t.is_gram_panchayat() => Ok(t),
        _ => Err(AppError::invalid_field(
            "INVALID_TENANT",
            format!("{tenant} is not a gram panchayat"),
            field,
        )),
    }
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
    if let Some(u) = user::repo::by_mobile(conn, &id.mobile_hash(&o.mobile))?
        .into_iter()
        .find(|u| u.user_type == "CITIZEN")
    {
        return Ok(u.uuid);
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
    p.last_modified_by = actor;
    p.last_modified_at = now;
    repo::update_property(conn, &p)?;
    Ok(p)
}

trait FlattenOr {
    fn flatten_or(self, old: Option<String>, given: bool) -> Option<String>;
}

impl FlattenOr for Option<Option<String>> {
    /// A field sent (even empty) replaces the old value; a field not sent keeps it.
    fn flatten_or(self, old: Option<String>, given: bool) -> Option<String> {
        if given { self.flatten() } else { old }
    }
}

// The lookups other modules call by their old path (`water::service::by_number`, ...).
pub use super::repo::{by_number, property_by_code};

/// A connection as entered (`wc/_create`).
#[derive(Clone, Debug, Default)]
pub struct NewConnection {
    pub tenant_id: String,
    pub property_id: String,
    pub old_connection_no: String,
    pub connection_type: String,
    pub meter_id: Option<String>,
    /// Metered: the date of the previous reading. Non-metered: any instant in the last billing
    /// cycle billed before joining.
    pub previous_reading_date: Option<i64>,
    pub initial_meter_reading: Option<i64>,
    pub arrears: Option<Decimal>,
    pub penalty: Option<Decimal>,
    pub advance: Option<Decimal>,
    pub category: Option<String>,
    pub sub_category: Option<String>,
    pub aadhaar: Option<String>,
    pub additional_details: serde_json::Value,
}

fn ist_date(ms: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&IST).date_naive())
}

fn at_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

// Tests and `bench` call it by this path.
pub use crate::time::month_end_ms;

/// The two billing cycles a non-metered household may say it was last billed for: the two most
/// recent completed months (product.md §2.3).
pub fn allowed_last_cycles(today: NaiveDate) -> [NaiveDate; 2] {
    let last = prev_month(today);
    [last, prev_month(last)]
}

fn money(v: Option<Decimal>, code: &str, field: &str, e: &mut Errors) -> Decimal {
    let v = v.unwrap_or(Decimal::ZERO);
    if v < Decimal::ZERO || v > Decimal::from(OPENING_LIMIT) || v.fract() != Decimal::ZERO {
        e.push(
            code,
            format!("whole rupees from 0 to {OPENING_LIMIT}"),
            field,
        );
        return Decimal::ZERO;
    }
    v
}

fn head_enabled(conn: &mut PgConnection, code: &str) -> AppResult<bool> {
    Ok(mdms::repo::tax_heads(conn)?
        .into_iter()
        .any(|h| h.code == code && h.is_required))
}

/// What a household holds before its first regular bill (validated).
struct Opening {
    connection_type: String,
    meter_id: Option<String>,
    previous_reading_date: DateTime<Utc>,
    initial_meter_reading: Option<i32>,
    arrears: Decimal,
    penalty: Decimal,
    advance: Decimal,
}

#[expect(clippy::too_many_arguments, reason = "the opening fields of one form")]
fn check_opening(
    conn: &mut PgConnection,
    e: &mut Errors,
    connection_type: &str,
    meter_id: Option<&str>,
    previous_reading_date: Option<i64>,
    initial_meter_reading: Option<i64>,
    amounts: (Option<Decimal>, Option<Decimal>, Option<Decimal>),
    window: bool,
    now: DateTime<Utc>,
) -> AppResult<Option<Opening>> {
    let today = now.with_timezone(&IST).date_naive();
    let ctype = match connection_type.trim() {
        "Metered" => "Metered",
        "Non_Metered" | "Non Metered" | "NonMetered" => "Non_Metered",
        _ => {
            e.push(
                "INVALID_CONNECTION_TYPE",
                "connectionType must be Metered or Non_Metered",
                "WaterConnection.connectionType",
            );
            ""
        }
    };
    let mut meter = None;
    let mut reading = None;
    let mut prd = None;
    match ctype {
        "Metered" => {
            match meter_id.map(str::trim).filter(|m| !m.is_empty()) {
                Some(m) if m.len() <= 30 && m.chars().all(|c| c.is_ascii_alphanumeric()) => {
                    meter = Some(m.to_owned());
                }
                _ => e.push(
                    "INVALID_METER_ID",
                    "A metered connection needs its meter number (letters and digits)",
                    "WaterConnection.meterId",
                ),
            }
            let r = initial_meter_reading.unwrap_or(0);
            if (0..=99_999).contains(&r) {
                reading = i32::try_from(r).ok();
            } else {
                e.push(
                    "INVALID_METER_READING",
                    "The previous meter reading is 0 to 99999",
                    "WaterConnection.additionalDetails.initialMeterReading",
                );
            }
            // within the two most recent WS financial years, not after today (a stored date
            // that is not being changed is kept as it is)
            let earliest = Fy(Fy::of_date(today).0 - 1).first_day();
            match previous_reading_date.and_then(ist_date) {
                Some(_) if !window => prd = previous_reading_date.map(at_ms),
                Some(d) if d >= earliest && d <= today => {
                    prd = Some(at_ms(ist_day_start_millis(d)));
                }
                _ => e.push(
                    "INVALID_PREVIOUS_READING_DATE",
                    format!(
                        "The previous reading date must be between {} and today",
                        earliest.format("%d/%m/%Y")
                    ),
                    "WaterConnection.previousReadingDate",
                ),
            }
        }
        "Non_Metered" => match previous_reading_date.and_then(ist_date) {
            Some(d) if !window => prd = Some(at_ms(month_end_ms(d))),
            Some(d) if allowed_last_cycles(today).contains(&month_start(d)) => {
                prd = Some(at_ms(month_end_ms(d)));
            }
            _ => {
                let [a, b] = allowed_last_cycles(today);
                e.push(
                    "INVALID_BILLING_CYCLE",
                    format!(
                        "The last billing cycle billed must be {} or {}",
                        a.format("%m/%Y"),
                        b.format("%m/%Y")
                    ),
                    "WaterConnection.previousReadingDate",
                );
            }
        },
        _ => {}
    }
    let arrears = money(amounts.0, "INVALID_ARREARS", "WaterConnection.arrears", e);
    let penalty = money(amounts.1, "INVALID_PENALTY", "WaterConnection.penalty", e);
    let advance = money(amounts.2, "INVALID_ADVANCE", "WaterConnection.advance", e);
    let amounts_ok = e.0.iter().all(|x| {
        !matches!(
            x.code.as_str(),
            "INVALID_ARREARS" | "INVALID_PENALTY" | "INVALID_ADVANCE"
        )
    });
    if amounts_ok && penalty > Decimal::ZERO && arrears <= Decimal::ZERO {
        e.push(
            "PENALTY_WITHOUT_ARREARS",
            "A penalty can only be entered with arrears",
            "WaterConnection.penalty",
        );
    }
    if amounts_ok && advance > Decimal::ZERO && (arrears > Decimal::ZERO || penalty > Decimal::ZERO)
    {
        e.push(
            "ARREARS_AND_ADVANCE",
            "A household has arrears or an advance, not both",
            "WaterConnection.advance",
        );
    }
    if penalty > Decimal::ZERO && !head_enabled(conn, "10201")? {
        e.push(
            "PENALTY_NOT_ENABLED",
            "Opening penalty is not enabled",
            "WaterConnection.penalty",
        );
    }
    if advance > Decimal::ZERO && !head_enabled(conn, "WS_ADVANCE_CARRYFORWARD")? {
        e.push(
            "ADVANCE_NOT_ENABLED",
            "Opening advance is not enabled",
            "WaterConnection.advance",
        );
    }
    let Some(prd) = prd else { return Ok(None) };
    Ok(Some(Opening {
        connection_type: ctype.to_owned(),
        meter_id: meter,
        previous_reading_date: prd,
        initial_meter_reading: reading,
        arrears,
        penalty,
        advance,
    }))
}

fn check_old_no(old: &str, e: &mut Errors) -> Option<String> {
    let old = old.trim();
    if !old.is_empty()
        && old.chars().count() <= 20
        && old
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '-')
    {
        Some(old.to_owned())
    } else {
        e.push(
            "INVALID_OLD_CONNECTION_NUMBER",
            "The old connection id is 1 to 20 letters, digits, / or -",
            "WaterConnection.oldConnectionNo",
        );
        None
    }
}

fn check_extras(
    category: &Option<String>,
    sub_category: &Option<String>,
    aadhaar: &Option<String>,
    e: &mut Errors,
) -> (Option<String>, Option<String>, Option<String>) {
    let norm = |v: &Option<String>| {
        v.as_deref()
            .map(|s| s.trim().to_uppercase())
            .filter(|s| !s.is_empty())
    };
    let cat = norm(category);
    if cat.as_deref().is_some_and(|c| !matches!(c, "APL" | "BPL")) {
        e.push(
            "INVALID_CATEGORY",
            "category must be APL or BPL",
            "WaterConnection.additionalDetails.category",
        );
    }
    let sub = norm(sub_category);
    if sub
        .as_deref()
        .is_some_and(|c| !matches!(c, "SC" | "ST" | "GENERAL"))
    {
        e.push(
            "INVALID_SUB_CATEGORY",
            "subCategory must be SC, ST or GENERAL",
            "WaterConnection.additionalDetails.subCategory",
        );
    }
    // An Aadhaar number has 12 digits (the original's check said 16).
    let aad = aadhaar
        .as_deref()
        .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|s| !s.is_empty());
    if aad
        .as_deref()
        .is_some_and(|a| a.len() != 12 || !a.chars().all(|c| c.is_ascii_digit()))
    {
        e.push(
            "INVALID_AADHAAR",
            "An Aadhaar number has 12 digits",
            "WaterConnection.additionalDetails.aadharNumber",
        );
    }
    (cat, sub, aad)
}

fn duplicate_old_no_error() -> AppError {
    AppError::invalid_field(
        "DUPLICATE_OLD_CONNECTION_NUMBER",
        "Another household of this GP has this old connection id",
        "WaterConnection.oldConnectionNo",
    )
}

/// The unique index settles a race the pre-check cannot.
fn duplicate_old_no(e: diesel::result::Error) -> AppError {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            info,
        ) if info.constraint_name() == Some("water_connection_old_no") => duplicate_old_no_error(),
        other => other.into(),
    }
}

/// Creates a connection on an existing property, with its number and its opening demand, in the
/// caller's transaction.
pub fn create_connection(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    c: &NewConnection,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Household> {
    let mut e = Errors::default();
    let property = property_by_code(conn, &c.tenant_id, &c.property_id)?;
    if property.is_none() {
        e.push(
            "PROPERTY_NOT_FOUND",
            "No such property on this GP",
            "WaterConnection.propertyId",
        );
    }
    let old = check_old_no(&c.old_connection_no, &mut e);
    let opening = check_opening(
        conn,
        &mut e,
        &c.connection_type,
        c.meter_id.as_deref(),
        c.previous_reading_date,
        c.initial_meter_reading,
        (c.arrears, c.penalty, c.advance),
        true,
        now,
    )?;
    let (category, sub_category, aadhaar) =
        check_extras(&c.category, &c.sub_category, &c.aadhaar, &mut e);
    e.done()?;
    let (Some(property), Some(old), Some(o)) = (property, old, opening) else {
        return Err(AppError::bad_request(
            "INVALID_CONNECTION",
            "invalid connection",
        ));
    };
    let taken = repo::count_by_old_no(conn, &property.tenant_id, &old)?;
    if taken > 0 {
        return Err(duplicate_old_no_error());
    }
    let connection_no = idgen::next_id(
        conn,
        ctx.state_tenant,
        &property.tenant_id,
        "waterservice.connection.id",
        now,
    )?;
    let application_no = idgen::next_id(
        conn,
        ctx.state_tenant,
        &property.tenant_id,
        "waterservice.application.id",
        now,
    )?;
    let row = Connection {
        id: uuid::Uuid::new_v4(),
        tenant_id: property.tenant_id.clone(),
        property_id: property.id,
        connection_no,
        application_no,
        old_connection_no: old,
        status: "Active".to_owned(),
        application_status: "CONNECTION_ACTIVATED".to_owned(),
        connection_type: o.connection_type.clone(),
        connection_category: "PERMANENT".to_owned(),
        meter_installation_date: o.meter_id.as_ref().map(|_| o.previous_reading_date),
        meter_id: o.meter_id.clone(),
        previous_reading_date: o.previous_reading_date,
        initial_meter_reading: o.initial_meter_reading,
        arrears: o.arrears,
        penalty: o.penalty,
        advance: o.advance,
        category,
        sub_category,
        aadhaar_enc: aadhaar.as_deref().map(|a| ctx.crypto.seal(COL_AADHAAR, a)),
        proposed_taps: 1,
        no_of_taps: 1,
        proposed_pipe_size: Decimal::from(10),
        remarks: None,
        additional_details: if c.additional_details.is_object() {
            c.additional_details.clone()
        } else {
            json!({})
        },
        created_by: actor,
        created_at: now,
        last_modified_by: actor,
        last_modified_at: now,
    };
    repo::insert_connection(conn, &row).map_err(duplicate_old_no)?;
    repo::remember_mobile(
        conn,
        row.id,
        &row.tenant_id,
        &property.owner_mobile_hash,
        now,
    )?;
    opening_demand(conn, ctx, &row, property.owner_uuid, actor, now)?;
    repo::insert_history(conn, &row, "CREATE", json!({}), actor, now)?;
    household(ctx, row, property)
}

/// The period of the opening demand: from 1 April of the financial year to the day before the
/// previous reading (metered; the reading day starts the first metered period) or to the end of
/// the last billing cycle billed (non-metered).
pub fn opening_period(c: &Connection) -> (DateTime<Utc>, DateTime<Utc>) {
    let to = if c.connection_type == "Metered" {
        c.previous_reading_date - Duration::milliseconds(1)
    } else {
        c.previous_reading_date
    };
    (at_ms(Fy::of(to).start_millis()), to)
}

/// The opening arrears (with their penalty) or advance as a demand of its own
/// (`waterConnection-arrears` / `waterConnection-advance`, product.md §2.3).
fn opening_demand(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    c: &Connection,
    payer: uuid::Uuid,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Option<uuid::Uuid>> {
    let (kind, lines) = if c.arrears > Decimal::ZERO {
        let mut l = vec![("10102".to_owned(), c.arrears)];
        if c.penalty > Decimal::ZERO {
            l.push(("10201".to_owned(), c.penalty));
        }
        ("waterConnection-arrears", l)
    } else if c.advance > Decimal::ZERO {
        (
            "waterConnection-advance",
            vec![("WS_ADVANCE_CARRYFORWARD".to_owned(), -c.advance)],
        )
    } else {
        return Ok(None);
    };
    let (from, to) = opening_period(c);
    let d = NewDemand {
        tenant_id: c.tenant_id.clone(),
        business_service: SERVICE.to_owned(),
        consumer_code: c.connection_no.clone(),
        consumer_type: kind.to_owned(),
        payer_uuid: Some(payer),
        period_from: from,
        period_to: to,
        lines,
        minimum_amount_payable: Decimal::ZERO,
        bill_expiry_time: Some(BILL_EXPIRY_MS),
        additional_details: json!({}),
    };
    let made =
        billing::service::create_demand(conn, ctx.state_tenant, &d, "WaterConnection", actor, now)?;
    Ok(Some(made.demand.id))
}

/// Opens the personal fields of a household.
pub fn household(ctx: Ctx<'_>, connection: Connection, property: Property) -> AppResult<Household> {
    let owner = Owner {
        uuid: property.owner_uuid,
        name: ctx.crypto.open(COL_OWNER_NAME, &property.owner_name_enc)?,
        guardian: ctx
            .crypto
            .open(COL_OWNER_GUARDIAN, &property.owner_guardian_enc)?,
        gender: property.owner_gender.clone(),
        mobile: ctx
            .crypto
            .open(COL_OWNER_MOBILE, &property.owner_mobile_enc)?,
    };
    let aadhaar = connection
        .aadhaar_enc
        .as_deref()
        .map(|a| ctx.crypto.open(COL_AADHAAR, a))
        .transpose()?;
    Ok(Household {
        connection,
        property,
        owner,
        aadhaar,
    })
}

/// Whether the household has started billing: a regular demand exists (not cancelled), or
/// something was collected on its opening demand. From then on the opening fields are fixed.
pub fn billing_started(conn: &mut PgConnection, c: &Connection) -> QueryResult<bool> {
    Ok(billing::repo::has_demand_of_type(
        conn,
        &c.tenant_id,
        SERVICE,
        &c.connection_no,
        "waterConnection",
    )? || billing::repo::anything_collected(conn, &c.tenant_id, SERVICE, &c.connection_no)?)
}

/// A change to a connection (`wc/_update`): only the fields given change.
#[derive(Clone, Debug, Default)]
pub struct ConnectionUpdate {
    pub tenant_id: String,
    pub connection_no: String,
    pub old_connection_no: Option<String>,
    pub connection_type: Option<String>,
    pub meter_id: Option<String>,
    pub previous_reading_date: Option<i64>,
    pub initial_meter_reading: Option<i64>,
    pub arrears: Option<Decimal>,
    pub penalty: Option<Decimal>,
    pub advance: Option<Decimal>,
    pub category: Option<String>,
    pub sub_category: Option<String>,
    pub aadhaar: Option<String>,
    /// "Active" or "Inactive".
    pub status: Option<String>,
    pub remarks: Option<String>,
}

/// Cancels the household's demands on which nothing was collected; returns how many.
fn cancel_unpaid(
    conn: &mut PgConnection,
    c: &Connection,
    only_opening: bool,
    reason: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let ids = billing::repo::unpaid_live_demands(
        conn,
        &c.tenant_id,
        SERVICE,
        &c.connection_no,
        only_opening.then_some("waterConnection"),
    )?;
    for id in &ids {
        billing::service::cancel_demand(conn, *id, reason, actor, now)?;
    }
    Ok(ids.len())
}

pub fn update_connection(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    u: &ConnectionUpdate,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Household> {
    let (before, property) = by_number(conn, &u.tenant_id, &u.connection_no)?.ok_or_else(|| {
        AppError::invalid_field(
            "CONNECTION_NOT_FOUND",
            "No such connection on this GP",
            "WaterConnection.connectionNo",
        )
    })?;
    billing::repo::lock_consumer(conn, &before.tenant_id, SERVICE, &before.connection_no)?;
    let started = billing_started(conn, &before)?;
    let mut c = before.clone();
    let mut e = Errors::default();
    if let Some(old) = &u.old_connection_no
        && let Some(old) = check_old_no(old, &mut e)
    {
        if !old.eq_ignore_ascii_case(&before.old_connection_no) && started {
            e.push(
                "INVALID_UPDATE_OLD_CONNO",
                "The old connection id cannot change once billing has started",
                "WaterConnection.oldConnectionNo",
            );
        }
        c.old_connection_no = old;
    }
    let prd_changed = u.previous_reading_date.is_some_and(|ms| {
        ist_date(ms)
            != Some(
                before
                    .previous_reading_date
                    .with_timezone(&IST)
                    .date_naive(),
            )
    }) || u
        .initial_meter_reading
        .is_some_and(|r| Some(r) != before.initial_meter_reading.map(i64::from));
    if prd_changed && started {
        e.push(
            "INVALID_UPDATE_PRVMETERREADING",
            "The previous reading and its date cannot change once billing has started",
            "WaterConnection.previousReadingDate",
        );
    }
    let amounts = (
        u.arrears.or(Some(before.arrears)),
        u.penalty.or(Some(before.penalty)),
        u.advance.or(Some(before.advance)),
    );
    let amounts_changed = amounts
        != (
            Some(before.arrears),
            Some(before.penalty),
            Some(before.advance),
        );
    if amounts_changed && started {
        e.push(
            "INVALID_UPDATE_ARREARS",
            "Arrears, penalty and advance cannot change once billing has started",
            "WaterConnection.arrears",
        );
    }
    let ctype = u
        .connection_type
        .clone()
        .unwrap_or(before.connection_type.clone());
    let prd_ms = if started || !prd_changed {
        // keep the stored date (for a non-metered household, any instant of its cycle)
        Some(before.previous_reading_date.timestamp_millis())
    } else {
        u.previous_reading_date
    };
    // Re-checked as a whole; a stored previous reading date is not judged against today's
    // window again.
    let opening = check_opening(
        conn,
        &mut e,
        &ctype,
        u.meter_id.as_deref().or(before.meter_id.as_deref()),
        prd_ms,
        u.initial_meter_reading
            .or(before.initial_meter_reading.map(i64::from)),
        amounts,
        prd_changed && !started,
        now,
    );
    let opening = opening?;
    let (category, sub_category, aadhaar) = check_extras(
        &u.category.clone().or(before.category.clone()),
        &u.sub_category.clone().or(before.sub_category.clone()),
        &u.aadhaar.clone(),
        &mut e,
    );
    let deactivate = match u.status.as_deref().map(str::trim) {
        None => false,
        Some(s) if s.eq_ignore_ascii_case("Inactive") => before.status == "Active",
        Some(s) if s.eq_ignore_ascii_case("Active") => {
            c.status = "Active".to_owned();
            c.remarks = None;
            false
        }
        Some(_) => {
            e.push(
                "INVALID_STATUS",
                "status must be Active or Inactive",
                "WaterConnection.status",
            );
            false
        }
    };
    if deactivate {
        let remarks = u
            .remarks
            .as_deref()
            .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        if remarks.is_empty()
            || remarks.chars().count() > 40
            || !remarks.chars().all(|ch| ch.is_alphabetic() || ch == ' ')
        {
            e.push(
                "INVALID_REMARKS",
                "Marking a connection inactive needs remarks: letters, at most 40",
                "WaterConnection.additionalDetails.remarks",
            );
        }
        c.status = "Inactive".to_owned();
        c.remarks = Some(remarks);
    }
    e.done()?;
    // An unstored previous-reading window error can only come from a stored value kept as is;
    // check_opening pushed nothing, so `opening` is Some here.
    let Some(o) = opening else {
        return Err(AppError::bad_request(
            "INVALID_CONNECTION",
            "invalid connection",
        ));
    };
    c.connection_type = o.connection_type;
    c.meter_id = o.meter_id;
    c.previous_reading_date = o.previous_reading_date;
    c.initial_meter_reading = o.initial_meter_reading;
    c.category = category;
    c.sub_category = sub_category;
    if u.aadhaar.is_some() {
        c.aadhaar_enc = aadhaar.as_deref().map(|a| ctx.crypto.seal(COL_AADHAAR, a));
    }
    if deactivate {
        // clears the opening amounts and cancels what nothing was paid on
        c.arrears = Decimal::ZERO;
        c.penalty = Decimal::ZERO;
        c.advance = Decimal::ZERO;
        cancel_unpaid(conn, &before, false, "CONNECTION_INACTIVE", actor, now)?;
    } else {
        c.arrears = o.arrears;
        c.penalty = o.penalty;
        c.advance = o.advance;
        if amounts_changed || (prd_changed && !started) {
            // the opening demand is replaced: the old one cancelled, a new one made
            cancel_unpaid(conn, &before, true, "OPENING_CHANGED", actor, now)?;
        }
    }
    c.last_modified_by = actor;
    c.last_modified_at = now;
    repo::update_connection(conn, &c).map_err(duplicate_old_no)?;
    if !deactivate && (amounts_changed || (prd_changed && !started)) {
        opening_demand(conn, ctx, &c, property.owner_uuid, actor, now)?;
    }
    let changes = diff(&before, &c);
    repo::insert_history(
        conn,
        &c,
        if deactivate { "DEACTIVATE" } else { "UPDATE" },
        changes,
        actor,
        now,
    )?;
    household(ctx, c, property)
}

fn diff(a: &Connection, b: &Connection) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, x: String, y: String| {
        if x != y {
            m.insert(k.to_owned(), json!({"from": x, "to": y}));
        }
    };
    put(
        "oldConnectionNo",
        a.old_connection_no.clone(),
        b.old_connection_no.clone(),
    );
    put("status", a.status.clone(), b.status.clone());
    put(
        "connectionType",
        a.connection_type.clone(),
        b.connection_type.clone(),
    );
    put(
        "meterId",
        a.meter_id.clone().unwrap_or_default(),
        b.meter_id.clone().unwrap_or_default(),
    );
    put(
        "previousReadingDate",
        a.previous_reading_date.timestamp_millis().to_string(),
        b.previous_reading_date.timestamp_millis().to_string(),
    );
    put("arrears", a.arrears.to_string(), b.arrears.to_string());
    put("penalty", a.penalty.to_string(), b.penalty.to_string());
    put("advance", a.advance.to_string(), b.advance.to_string());
    put(
        "remarks",
        a.remarks.clone().unwrap_or_default(),
        b.remarks.clone().unwrap_or_default(),
    );
    serde_json::Value::Object(m)
}

/// Search criteria of `wc/_search` and `wc/fuzzy/_search`.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    pub tenant_id: String,
    pub connection_nos: Vec<String>,
    pub old_connection_no: Option<String>,
    pub mobile: Option<String>,
    /// Part of the holder's name, any case.
    pub name: Option<String>,
    /// Part of the name or of the new or old connection id (the household register).
    pub text: Option<String>,
    pub status: Option<String>,
    pub connection_type: Option<String>,
    pub property_ids: Vec<String>,
    /// RESIDENTIAL, COMMERCIAL, ...
    pub property_type: Option<String>,
    /// Created at or after / at or before.
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub sort_by_name: bool,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
}

/// Households matching `f`, one page, with the count of all matches. Names are sealed, so a
/// name search opens the GP's names in memory (a GP has at most a few thousand households).
pub fn search(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    f: &Criteria,
) -> AppResult<(Vec<Household>, i64)> {
    let hash = f.mobile.as_deref().map(|m| ctx.identity().mobile_hash(m));
    let rows = repo::households(
        conn,
        &HouseholdFilter {
            tenant_id: &f.tenant_id,
            connection_nos: &f.connection_nos,
            old_connection_no: f.old_connection_no.as_deref(),
            mobile_hash: hash.as_deref(),
            status: f.status.as_deref(),
            connection_type: f.connection_type.as_deref(),
            property_ids: &f.property_ids,
            property_type: f.property_type.as_deref(),
            created_from: f.created_from,
            created_to: f.created_to,
        },
    )?;
    let needs_names = f.name.is_some() || f.text.is_some() || f.sort_by_name;
    let mut all: Vec<Household> = if needs_names {
        rows.into_iter()
            .map(|(c, p)| household(ctx, c, p))
            .collect::<AppResult<_>>()?
    } else {
        // open only the page
        let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        let mut rows = rows;
        if f.descending {
            rows.reverse();
        }
        let page: Vec<Household> = rows
            .into_iter()
            .skip(usize::try_from(f.offset).unwrap_or(0))
            .take(usize::try_from(f.limit).unwrap_or(0))
            .map(|(c, p)| household(ctx, c, p))
            .collect::<AppResult<_>>()?;
        return Ok((page, total));
    };
    if let Some(n) = &f.name {
        let n = n.trim().to_lowercase();
        all.retain(|h| h.owner.name.to_lowercase().contains(&n));
    }
    if let Some(t) = &f.text {
        let t = t.trim().to_lowercase();
        all.retain(|h| {
            h.owner.name.to_lowercase().contains(&t)
                || h.connection.connection_no.to_lowercase().contains(&t)
                || h.connection.old_connection_no.to_lowercase().contains(&t)
        });
    }
    if f.sort_by_name {
        all.sort_by(|a, b| {
            a.owner
                .name
                .to_lowercase()
                .cmp(&b.owner.name.to_lowercase())
                .then_with(|| a.connection.connection_no.cmp(&b.connection.connection_no))
        });
    }
    if f.descending {
        all.reverse();
    }
    let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
    let page = all
        .into_iter()
        .skip(usize::try_from(f.offset).unwrap_or(0))
        .take(usize::try_from(f.limit).unwrap_or(0))
        .collect();
    Ok((page, total))
}
