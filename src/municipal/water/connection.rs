//! Connections: creating one with its opening, editing it (the fields fixed once billing has
//! started), deactivating it, and its history (product.md §2.3).

use super::model::{Connection, Household};
use super::repo::{self};
use super::service::*;
use crate::business::billing::{self};
use crate::error::{AppError, AppResult, codes};
use crate::platform::idgen;
use crate::time::IST;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

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
    /// `connectionHolders[0].isPrimaryOwner` as sent.
    pub holder_is_primary: Option<bool>,
    /// "arrears" or "advance" (the app), as sent.
    pub payment_type: Option<String>,
    /// What the client keeps on the connection (`additionalDetails`): every key but those the
    /// server answers itself ([`COMPUTED_DETAILS`]).
    pub additional_details: serde_json::Value,
}

/// The keys of a connection's `additionalDetails` the server answers from its own columns and
/// figures: what a client sends under them is not kept (the Aadhaar number is kept sealed in
/// its own column, never here).
pub const COMPUTED_DETAILS: [&str; 14] = [
    "initialMeterReading",
    "locality",
    "category",
    "subCategory",
    "aadharNumber",
    "propertyType",
    "street",
    "doorNo",
    "remarks",
    "appCreatedDate",
    "collectionPendingAmount",
    "collectionAmount",
    "totalamount",
    "lastDemandGeneratedDate",
];

/// What is kept of the `additionalDetails` a client sent: every other key, as sent. The keys
/// the app reads back with a type are checked for it, so that what one client stores cannot
/// stop the app from reading the household: `meterReading` (its five reading boxes) is a whole
/// reading 0 to 99999 (digits as text are taken as the number), `action` is text.
pub(super) fn kept_details(
    sent: &serde_json::Value,
    e: &mut Errors,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut out = serde_json::Map::new();
    let Some(m) = sent.as_object() else {
        return out;
    };
    for (k, v) in m {
        if COMPUTED_DETAILS.contains(&k.as_str()) {
            continue;
        }
        let v = match (k.as_str(), v) {
            ("meterReading", Value::String(s)) if s.trim().is_empty() => Value::Null,
            ("meterReading", Value::String(s)) => match s.trim().parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => v.clone(),
            },
            _ => v.clone(),
        };
        let ok = match k.as_str() {
            "meterReading" => v.is_null() || v.as_i64().is_some_and(|n| (0..=99_999).contains(&n)),
            "action" => v.is_null() || v.is_string(),
            _ => true,
        };
        if !ok {
            e.push(
                if k == "meterReading" {
                    "INVALID_METER_READING"
                } else {
                    "INVALID_ADDITIONAL_DETAILS"
                },
                if k == "meterReading" {
                    "The meter reading is 0 to 99999"
                } else {
                    "additionalDetails.action is text"
                },
                &format!("WaterConnection.additionalDetails.{k}"),
            );
        }
        out.insert(k.clone(), v);
    }
    out
}

/// A payment type as sent: trimmed, blank as none, at most 64 characters.
pub(super) fn check_payment_type(v: &Option<String>, e: &mut Errors) -> Option<String> {
    let t = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    if t.chars().count() > 64 {
        e.push(
            "INVALID_PAYMENT_TYPE",
            "paymentType is at most 64 characters",
            "WaterConnection.paymentType",
        );
        return None;
    }
    Some(t.to_owned())
}

pub(super) fn check_old_no(old: &str, e: &mut Errors) -> Option<String> {
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

pub(super) fn check_extras(
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

pub(super) fn duplicate_old_no_error() -> AppError {
    AppError::invalid_field(
        "DUPLICATE_OLD_CONNECTION_NUMBER",
        "Another household of this GP has this old connection id",
        "WaterConnection.oldConnectionNo",
    )
}

/// The unique index settles a race the pre-check cannot.
pub(super) fn duplicate_old_no(e: diesel::result::Error) -> AppError {
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
    let details = kept_details(&c.additional_details, &mut e);
    let payment_type = check_payment_type(&c.payment_type, &mut e);
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
        additional_details: serde_json::Value::Object(details),
        created_by: actor,
        created_at: now,
        last_modified_by: actor,
        last_modified_at: now,
        holder_is_primary: c.holder_is_primary,
        payment_type,
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
    /// `connectionHolders[0].isPrimaryOwner` when holders were sent (replaced as sent).
    pub holder_is_primary: Option<Option<bool>>,
    pub payment_type: Option<String>,
    /// Merged into what is kept (a key sent replaces the kept one; computed keys are not kept).
    pub additional_details: Option<serde_json::Value>,
}

/// Cancels the household's demands on which nothing was collected; returns how many.
pub(super) fn cancel_unpaid(
    conn: &mut PgConnection,
    c: &Connection,
    only_opening: bool,
    reason: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let ids = billing::service::unpaid_live_demands(
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

/// What marking the household inactive would cancel ([`cancel_unpaid`], all types): its live
/// demands on which nothing was collected, how many and their sum. Writes nothing.
pub fn unpaid_to_cancel(conn: &mut PgConnection, c: &Connection) -> AppResult<(usize, Decimal)> {
    let ids =
        billing::service::unpaid_live_demands(conn, &c.tenant_id, SERVICE, &c.connection_no, None)?;
    let total = billing::service::live_demands_read(conn, &c.tenant_id, SERVICE, &c.connection_no)?
        .into_iter()
        .filter(|d| ids.contains(&d.demand.id))
        .flat_map(|d| d.lines)
        .map(|l| l.tax_amount)
        .sum();
    Ok((ids.len(), total))
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
            codes::CONNECTION_NOT_FOUND,
            "No such connection on this GP",
            "WaterConnection.connectionNo",
        )
    })?;
    billing::service::lock_consumer(conn, &before.tenant_id, SERVICE, &before.connection_no)?;
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
    // The app sends back the masked number it was shown: that is no change.
    let aadhaar_in = match u.aadhaar.as_deref() {
        Some(a) if a.contains('*') => {
            let shown = before
                .aadhaar_enc
                .as_deref()
                .map(|enc| ctx.crypto.open(COL_AADHAAR, enc))
                .transpose()?
                .map(|a| super::json::mask_aadhaar(&a));
            if shown.as_deref() != Some(a.trim()) {
                e.push(
                    "INVALID_AADHAAR",
                    "An Aadhaar number has 12 digits",
                    "WaterConnection.additionalDetails.aadharNumber",
                );
            }
            None
        }
        _ => u.aadhaar.clone(),
    };
    let (category, sub_category, aadhaar) = check_extras(
        &u.category.clone().or(before.category.clone()),
        &u.sub_category.clone().or(before.sub_category.clone()),
        &aadhaar_in,
        &mut e,
    );
    if let Some(sent) = &u.additional_details {
        let kept = kept_details(sent, &mut e);
        if let Some(m) = c.additional_details.as_object_mut() {
            m.extend(kept);
        } else {
            c.additional_details = serde_json::Value::Object(kept);
        }
    }
    if u.payment_type.is_some() {
        c.payment_type = check_payment_type(&u.payment_type, &mut e);
    }
    if let Some(primary) = u.holder_is_primary {
        c.holder_is_primary = primary;
    }
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
    if aadhaar_in.is_some() {
        c.aadhaar_enc = aadhaar.as_deref().map(|a| ctx.crypto.seal(COL_AADHAAR, a));
    }
    if deactivate {
        // clears the opening amounts and cancels what nothing was paid on
        c.arrears = Decimal::ZERO;
        c.penalty = Decimal::ZERO;
        c.advance = Decimal::ZERO;
        c.payment_type = None;
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
    let changed = changes.as_object().is_some_and(|m| !m.is_empty());
    repo::insert_history(
        conn,
        &c,
        if deactivate { "DEACTIVATE" } else { "UPDATE" },
        changes,
        actor,
        now,
    )?;
    let h = household(ctx, c, property)?;
    if let Some(st) = ctx.notify.filter(|_| changed) {
        super::citizen::links::edited_sms(conn, st, &h, now)?;
    }
    Ok(h)
}

/// What changed between two states of a connection (amounts compared as numbers: 0.00 is 0).
pub(super) fn diff(a: &Connection, b: &Connection) -> serde_json::Value {
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
    put(
        "arrears",
        a.arrears.normalize().to_string(),
        b.arrears.normalize().to_string(),
    );
    put(
        "penalty",
        a.penalty.normalize().to_string(),
        b.penalty.normalize().to_string(),
    );
    put(
        "advance",
        a.advance.normalize().to_string(),
        b.advance.normalize().to_string(),
    );
    put(
        "remarks",
        a.remarks.clone().unwrap_or_default(),
        b.remarks.clone().unwrap_or_default(),
    );
    serde_json::Value::Object(m)
}
