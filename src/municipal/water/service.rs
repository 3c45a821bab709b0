//! Household rules (product.md §2.3): create a property and its connection, the opening demands,
//! edits, deactivation, and the searches.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

pub use super::connection::*;
pub use super::model::{Connection, Household, Owner, Property};
pub use super::opening::*;
pub use super::property::*;
use super::repo::{self, HouseholdFilter};
use crate::business::billing::{self};
use crate::config::SecuritySettings;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::platform::encryption::Crypto;
use crate::platform::{mdms, user};
use crate::time::IST;

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
    /// The running application, where the change should tell people (the SMS of product.md
    /// §5.1 queued in the same transaction); `None` for the demo's history and tools.
    pub notify: Option<&'a crate::state::AppState>,
}

impl<'a> Ctx<'a> {
    /// The context of the running application.
    pub fn of(state: &'a crate::state::AppState) -> Self {
        Ctx {
            state_tenant: &state.settings.app.state_tenant,
            crypto: &state.crypto,
            sec: &state.settings.security,
            notify: Some(state),
        }
    }

    pub(super) fn identity(&self) -> user::Identity<'_> {
        user::Identity::new(self.crypto, self.sec)
    }
}

pub(super) fn limited(
    v: &Option<String>,
    max: usize,
    code: &str,
    field: &str,
) -> AppResult<Option<String>> {
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

pub(super) fn person_name(n: &str, field: &str) -> AppResult<String> {
    let n = user::service::check_name(n, field)?;
    if n.chars().count() > 50 {
        return Err(AppError::invalid_field(
            codes::INVALID_NAME,
            "The name may hold at most 50 letters",
            field,
        ));
    }
    Ok(n)
}

pub(super) fn gender(g: &str, field: &str) -> AppResult<String> {
    let g = g.trim().to_uppercase();
    if matches!(g.as_str(), "MALE" | "FEMALE" | "TRANSGENDER") {
        Ok(g)
    } else {
        Err(AppError::invalid_field(
            codes::INVALID_GENDER,
            "Gender must be MALE, FEMALE or TRANSGENDER",
            field,
        ))
    }
}

/// Collects every field error instead of stopping at the first.
#[derive(Default)]
pub(super) struct Errors(pub(super) Vec<ErrorDetail>);

impl Errors {
    pub(super) fn take<T>(&mut self, r: AppResult<T>) -> Option<T> {
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
    pub(super) fn push(&mut self, code: &str, message: impl Into<String>, field: &str) {
        self.0.push(ErrorDetail::field(code, message, field));
    }
    pub(super) fn done(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::many(self.0))
        }
    }
}

pub(super) fn check_owner(o: &OwnerIn, e: &mut Errors, at: &str) -> Option<OwnerIn> {
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

pub(super) fn check_property_type(t: &str, e: &mut Errors, field: &str) -> Option<String> {
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

pub(super) fn gp(
    conn: &mut PgConnection,
    tenant: &str,
    field: &str,
) -> AppResult<mdms::model::Tenant> {
    match mdms::repo::tenant(conn, tenant)? {
        Some(t) if t.is_gram_panchayat() => Ok(t),
        _ => Err(AppError::invalid_field(
            codes::INVALID_TENANT,
            format!("{tenant} is not a gram panchayat"),
            field,
        )),
    }
}

// The lookups other modules call by their old path (`water::service::by_number`, ...).
pub use super::repo::{
    by_application_no, by_number, property_by_code, tenants_with_flat_households,
};

pub(super) fn ist_date(ms: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&IST).date_naive())
}

pub(super) fn at_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

// Tests and `bench` call it by this path.
pub use crate::time::month_end_ms;

pub(super) fn money(v: Option<Decimal>, code: &str, field: &str, e: &mut Errors) -> Decimal {
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
    Ok(billing::service::has_demand_of_type(
        conn,
        &c.tenant_id,
        SERVICE,
        &c.connection_no,
        "waterConnection",
    )? || billing::service::anything_collected(conn, &c.tenant_id, SERVICE, &c.connection_no)?)
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

/// The active households whose holder has `mobile` now, in every GP (at most 20): the citizen
/// who proved the number with a one-time code sees them.
pub fn households_of_mobile(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    mobile: &str,
) -> AppResult<Vec<Household>> {
    repo::by_holder_mobile(conn, &ctx.identity().mobile_hash(mobile), 20)?
        .into_iter()
        .map(|(c, p)| household(ctx, c, p))
        .collect()
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

/// Flat-rate (non-metered), active households of a GP that joined before `before` (what bulk
/// demand bills): (connection number, holder, property type).
pub fn flat_households(
    conn: &mut PgConnection,
    tenant: &str,
    before: DateTime<Utc>,
) -> QueryResult<Vec<(String, uuid::Uuid, String)>> {
    repo::flat_households(conn, tenant, before)
}

/// Whether a household of the GP joined between `from` and `to` (its last cycle billed before
/// joining, or its creation).
pub fn joined_between(
    conn: &mut PgConnection,
    tenant: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<bool> {
    repo::joined_between(conn, tenant, from, to)
}

/// Who pays the bills of a GP's connections among `codes`: their holders (the property's owner),
/// by connection number. Billing asks through `billing::service::install_payers` (registered at
/// start), so that a bill shows the household's holder.
pub fn bill_payers(
    conn: &mut PgConnection,
    crypto: &Crypto,
    tenant: &str,
    codes: &[String],
) -> AppResult<Vec<(String, billing::service::Payer)>> {
    repo::holders(conn, tenant, codes)?
        .into_iter()
        .map(|(code, name, mobile)| {
            Ok((
                code,
                billing::service::Payer {
                    name: crypto.open(COL_OWNER_NAME, &name)?,
                    mobile: Some(crypto.open(COL_OWNER_MOBILE, &mobile)?),
                },
            ))
        })
        .collect()
}

/// The read-only figures of this module's tables (roll-out dashboard, iFIX export).
pub use super::repo::figures;

/// The read-only figures of the GP's dashboard (`municipal::dashboard`).
pub use super::repo::dashboard;
/// The read-only rows of this module's tables for the water reports.
pub use super::repo::report_rows;
/// The division and state views' reads (changed GPs, month figures).
pub use super::repo::rollup;
