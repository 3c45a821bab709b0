//! Creating and editing a household (product.md §2.3): the forms, their errors in the page's
//! language, and the opening amounts, shown only until billing starts.

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{NoQuery, ctx};
use crate::db;
use crate::error::{AppError, codes};
use crate::http::page::{
    self, Form, PageCtx, PageResult, StaffPage, csrf_forms, day_ms, not_found,
};
use crate::http::routes::{Access, Routes};
use crate::municipal::water::model::Household;
use crate::municipal::water::service::{self, NewConnection, NewProperty, OwnerIn};
use crate::time::IST;

pub(super) fn routes(r: &mut Routes<'_>, consumer: Access) {
    r.get("/home/consumercreate", consumer, create_form)
        .post("/home/consumercreate", consumer, create)
        .get("/home/consumerupdate", consumer, edit_form)
        .post("/home/consumerupdate", consumer, edit);
}

#[derive(Default, Deserialize)]
struct ConsumerForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    guardian: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    old_no: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    sub_category: String,
    #[serde(default)]
    aadhaar: String,
    #[serde(default)]
    door_no: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    property_type: String,
    #[serde(default)]
    connection_type: String,
    #[serde(default)]
    meter_id: String,
    #[serde(default)]
    reading_date: String,
    #[serde(default)]
    reading: String,
    #[serde(default)]
    last_cycle: String,
    #[serde(default)]
    arrears: String,
    #[serde(default)]
    penalty: String,
    #[serde(default)]
    advance: String,
    /// Dues or an advance at joining: "none", "arrears" or "advance" (the other's amounts are
    /// ignored; amounts typed with "none" are refused).
    #[serde(default)]
    opening: String,
}

#[derive(Template)]
#[template(path = "water/create.html")]
struct CreatePage {
    p: PageCtx,
    f: ConsumerForm,
    cycles: Vec<(String, String)>,
    heads: OpeningHeads,
    errors: Vec<String>,
}

/// Which opening amounts the GP's tax heads allow besides arrears (product.md §2.3).
#[derive(Clone, Copy, Default)]
struct OpeningHeads {
    penalty: bool,
    advance: bool,
}

async fn opening_heads(page: &StaffPage) -> Result<OpeningHeads, AppError> {
    db::run(&page.state.pool, |c| {
        Ok(OpeningHeads {
            penalty: crate::municipal::water::opening::head_enabled(c, "10201")?,
            advance: crate::municipal::water::opening::head_enabled(c, "WS_ADVANCE_CARRYFORWARD")?,
        })
    })
    .await
}

/// The opening amounts the chosen kind keeps (arrears, penalty, advance): with "arrears" the
/// advance is ignored, with "advance" the arrears and penalty; with neither, amounts typed
/// anyway are an error naming the choice (an empty choice, as sent by an old form, keeps all
/// and lets the household rules judge them).
fn opening_amounts<'a>(opening: &str, amounts: [&'a str; 3]) -> Result<[&'a str; 3], &'static str> {
    let [arrears, penalty, advance] = amounts;
    match opening {
        "arrears" => Ok([arrears, penalty, ""]),
        "advance" => Ok(["", "", advance]),
        "none"
            if amounts
                .iter()
                .all(|a| a.trim().is_empty() || a.trim() == "0") =>
        {
            Ok(["", "", ""])
        }
        "none" => Err("CONSUMER_ERR_OPENING_CHOICE"),
        _ => Ok(amounts),
    }
}

/// The opening kind a household's amounts show (the edit form's choice).
fn opening_of(arrears: &str, penalty: &str, advance: &str) -> String {
    if !advance.is_empty() {
        "advance"
    } else if !arrears.is_empty() || !penalty.is_empty() {
        "arrears"
    } else {
        "none"
    }
    .to_owned()
}

/// The catalogue key of a form field, by the request field an error names.
fn field_key(field: &str, code: &str) -> Option<&'static str> {
    let last = field.rsplit('.').next().unwrap_or(field);
    Some(match last {
        "name" => "CONSUMER_NAME",
        "fatherOrHusbandName" => "CONSUMER_FATHER_SPOUSE_NAME",
        "gender" => "CORE_GENDER",
        "mobileNumber" => "CONSUMER_MOBILE_NUMBER",
        "propertyType" => "CONSUMER_PROPERTY_TYPE",
        "doorNo" => "CONSUMER_DOOR_NO",
        "street" => "CONSUMER_STREET",
        "connectionType" => "CONSUMER_SERVICE_TYPE",
        "meterId" => "WS_METER_NUMBER",
        "initialMeterReading" => "WS_PREVIOUS_READING",
        "previousReadingDate" if code == "INVALID_BILLING_CYCLE" => "WS_LAST_BILLED_CYCLE",
        "previousReadingDate" => "WS_PREVIOUS_READING_DATE",
        "oldConnectionNo" => "CONSUMER_OLD_CONNECTION_ID",
        "category" => "CONSUMER_CATEGORY",
        "subCategory" => "CONSUMER_SUB_CATEGORY",
        "aadharNumber" => "CONSUMER_AADHAAR",
        "arrears" => "CONSUMER_ARREARS",
        "penalty" => "CONSUMER_PENALTY",
        "advance" => "CONSUMER_ADVANCE",
        "remarks" => "CONSUMER_REMARKS",
        "status" => "CORE_STATUS",
        "opening" => "CONSUMER_OPENING_BALANCE",
        _ => return None,
    })
}

/// What is wrong with a field, in the page's language, by the error code.
fn message_key(code: &str) -> &'static str {
    match code {
        codes::INVALID_NAME => "CONSUMER_ERR_NAME",
        codes::INVALID_MOBILE_NUMBER => "CONSUMER_ERR_MOBILE",
        codes::INVALID_GENDER
        | "INVALID_PROPERTY_TYPE"
        | "INVALID_CONNECTION_TYPE"
        | "INVALID_CATEGORY"
        | "INVALID_SUB_CATEGORY"
        | "INVALID_STATUS" => "CONSUMER_ERR_CHOOSE",
        "INVALID_DOOR_NO" | "INVALID_STREET" => "CONSUMER_ERR_TOO_LONG",
        "INVALID_OLD_CONNECTION_NUMBER" => "CONSUMER_ERR_OLD_NO",
        "DUPLICATE_OLD_CONNECTION_NUMBER" => "CONSUMER_ERR_OLD_NO_TAKEN",
        "INVALID_AADHAAR" => "CONSUMER_ERR_AADHAAR",
        "INVALID_METER_ID" => "CONSUMER_ERR_METER_ID",
        "INVALID_METER_READING" => "CONSUMER_ERR_READING",
        "INVALID_PREVIOUS_READING_DATE" => "CONSUMER_ERR_READING_DATE",
        "INVALID_BILLING_CYCLE" => "CONSUMER_ERR_LAST_CYCLE",
        "INVALID_ARREARS" | "INVALID_PENALTY" | "INVALID_ADVANCE" => "CONSUMER_ERR_AMOUNT",
        "PENALTY_WITHOUT_ARREARS" => "CONSUMER_ERR_PENALTY_WITHOUT_ARREARS",
        "ARREARS_AND_ADVANCE" => "CONSUMER_ERR_ARREARS_AND_ADVANCE",
        "PENALTY_NOT_ENABLED" | "ADVANCE_NOT_ENABLED" => "CONSUMER_ERR_NOT_ENABLED",
        "INVALID_UPDATE_OLD_CONNO"
        | "INVALID_UPDATE_PRVMETERREADING"
        | "INVALID_UPDATE_ARREARS" => "CONSUMER_ERR_LOCKED",
        "INVALID_REMARKS" => "CONSUMER_ERR_REMARKS",
        _ => "CONSUMER_ERR_INVALID",
    }
}

/// A refused form's errors as lines in the page's language, each naming its field
/// ("ਬਕਾਇਆ: …"); an error of no field (the household is gone…) by its own text.
fn form_errors(p: &PageCtx, e: &AppError) -> Vec<String> {
    let AppError::Client { errors, .. } = e else {
        return p.error_lines(e);
    };
    errors
        .iter()
        .map(|x| {
            let field = x
                .params
                .as_ref()
                .and_then(|v| v.first())
                .map_or("", String::as_str);
            match field_key(field, &x.code) {
                Some(label) => format!("{}: {}", p.t(label), p.t(message_key(&x.code))),
                None => {
                    let own = format!("ERR_{}", x.code);
                    let text = p.t(&own);
                    if text == own {
                        p.t("CONSUMER_ERR_NOT_SAVED")
                    } else {
                        text
                    }
                }
            }
        })
        .collect()
}

/// The error of an opening amount typed with neither dues nor advance chosen.
fn opening_choice_error(p: &PageCtx, key: &str) -> Vec<String> {
    vec![format!("{}: {}", p.t("CONSUMER_OPENING_BALANCE"), p.t(key))]
}

fn cycles(p: &PageCtx, now: DateTime<Utc>) -> Vec<(String, String)> {
    service::allowed_last_cycles(now.with_timezone(&IST).date_naive())
        .iter()
        .map(|d| (d.format("%Y-%m").to_string(), p.month_label(*d)))
        .collect()
}

async fn create_form(mut page: StaffPage) -> PageResult {
    let p = page.ctx()?;
    let heads = opening_heads(&page).await?;
    let shown = CreatePage {
        cycles: cycles(&p, Utc::now()),
        heads,
        f: ConsumerForm {
            property_type: "RESIDENTIAL".to_owned(),
            connection_type: "Non_Metered".to_owned(),
            opening: "none".to_owned(),
            ..Default::default()
        },
        errors: Vec::new(),
        p,
    };
    page.render(StatusCode::OK, shown)
}

fn amount(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.is_empty() {
        None
    } else {
        crate::money::parse(s).ok().or(Some(Decimal::NEGATIVE_ONE))
    }
}

async fn create(mut page: StaffPage, form: Form<ConsumerForm>) -> PageResult {
    let f = form.into_inner();
    let tenant = page.tenant.clone();
    // only the chosen type's fields count: the other type's are ignored
    let metered = f.connection_type == "Metered";
    let [arrears, penalty, advance] =
        match opening_amounts(&f.opening, [&f.arrears, &f.penalty, &f.advance]) {
            Ok(a) => a.map(amount),
            Err(key) => {
                let p = page.ctx()?;
                let heads = opening_heads(&page).await?;
                let shown = CreatePage {
                    cycles: cycles(&p, Utc::now()),
                    errors: opening_choice_error(&p, key),
                    heads,
                    f,
                    p,
                };
                return page.render(StatusCode::BAD_REQUEST, shown);
            }
        };
    let prop = NewProperty {
        tenant_id: tenant.clone(),
        property_type: f.property_type.clone(),
        door_no: Some(f.door_no.clone()),
        street: Some(f.street.clone()),
        locality: None,
        owner: OwnerIn {
            name: f.name.clone(),
            guardian: f.guardian.clone(),
            gender: f.gender.clone(),
            mobile: f.mobile.clone(),
        },
        additional_details: serde_json::json!({}),
        ..Default::default()
    };
    let mut conn_in = NewConnection {
        tenant_id: tenant,
        property_id: String::new(),
        old_connection_no: f.old_no.clone(),
        connection_type: f.connection_type.clone(),
        meter_id: metered.then(|| f.meter_id.clone()),
        previous_reading_date: if metered {
            day_ms(&f.reading_date)
        } else {
            day_ms(&format!("{}-01", f.last_cycle.trim()))
        },
        initial_meter_reading: if metered {
            Some(
                f.reading
                    .trim()
                    .parse()
                    .unwrap_or(if f.reading.trim().is_empty() { 0 } else { -1 }),
            )
        } else {
            None
        },
        arrears,
        penalty,
        advance,
        category: Some(f.category.clone()),
        sub_category: Some(f.sub_category.clone()),
        aadhaar: Some(f.aadhaar.clone()),
        additional_details: serde_json::json!({}),
        ..Default::default()
    };
    let (st, actor) = (page.state.clone(), Some(page.actor()));
    let made = db::transaction(&page.state.pool, move |c| {
        let now = Utc::now();
        let p = service::create_property(c, ctx(&st), &prop, actor, now)?;
        conn_in.property_id = p.property_id;
        service::create_connection(c, ctx(&st), &conn_in, actor, now)
    })
    .await;
    match made {
        Ok(h) => Ok(page::see_other(&format!(
            "/home/household?no={}&created=1",
            page::urlencode(&h.connection.connection_no)
        ))),
        Err(e @ AppError::Client { .. }) => {
            let p = page.ctx()?;
            let heads = opening_heads(&page).await?;
            let shown = CreatePage {
                cycles: cycles(&p, Utc::now()),
                errors: form_errors(&p, &e),
                heads,
                f,
                p,
            };
            page.render(StatusCode::BAD_REQUEST, shown)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Default, Deserialize)]
struct EditForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    no: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    guardian: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    old_no: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    sub_category: String,
    #[serde(default)]
    door_no: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    property_type: String,
    #[serde(default)]
    connection_type: String,
    #[serde(default)]
    meter_id: String,
    #[serde(default)]
    arrears: String,
    #[serde(default)]
    penalty: String,
    #[serde(default)]
    advance: String,
    /// As on the create form: "none", "arrears" or "advance".
    #[serde(default)]
    opening: String,
    #[serde(default)]
    inactive: Option<String>,
    #[serde(default)]
    remarks: String,
    /// The deactivation was confirmed (sent by the confirmation step).
    #[serde(default)]
    confirmed: Option<String>,
}

#[derive(Template)]
#[template(path = "water/edit.html")]
struct EditPage {
    p: PageCtx,
    f: EditForm,
    heads: OpeningHeads,
    /// Confirmation step of a deactivation: what it will do; empty otherwise.
    confirm: String,
    /// Billing has started: the opening fields are no longer shown.
    started: bool,
    errors: Vec<String>,
}

fn edit_form_of(h: &Household) -> EditForm {
    let c = &h.connection;
    let money = |d: Decimal| {
        if d.is_zero() {
            String::new()
        } else {
            d.normalize().to_string()
        }
    };
    let (arrears, penalty, advance) = (money(c.arrears), money(c.penalty), money(c.advance));
    EditForm {
        opening: opening_of(&arrears, &penalty, &advance),
        no: c.connection_no.clone(),
        name: h.owner.name.clone(),
        gender: h.owner.gender.clone(),
        guardian: h.owner.guardian.clone(),
        mobile: h.owner.mobile.clone(),
        old_no: c.old_connection_no.clone(),
        category: c.category.clone().unwrap_or_default(),
        sub_category: c.sub_category.clone().unwrap_or_default(),
        door_no: h.property.door_no.clone().unwrap_or_default(),
        street: h.property.street.clone().unwrap_or_default(),
        property_type: h.property.property_type.clone(),
        connection_type: c.connection_type.clone(),
        meter_id: c.meter_id.clone().unwrap_or_default(),
        arrears,
        penalty,
        advance,
        inactive: (c.status == "Inactive").then(|| "on".to_owned()),
        remarks: c.remarks.clone().unwrap_or_default(),
        confirmed: None,
        csrf: String::new(),
    }
}

async fn edit_form(mut page: StaffPage, q: web::Query<NoQuery>) -> PageResult {
    let (st, t, no) = (page.state.clone(), page.tenant.clone(), q.no.clone());
    let found = db::run(&page.state.pool, move |c| {
        let Some((conn, prop)) = service::by_number(c, &t, &no)? else {
            return Ok(None);
        };
        let started = service::billing_started(c, &conn)?;
        Ok(Some((service::household(ctx(&st), conn, prop)?, started)))
    })
    .await?;
    let Some((h, started)) = found else {
        return Err(not_found());
    };
    let p = page.ctx()?;
    let heads = opening_heads(&page).await?;
    let shown = EditPage {
        f: edit_form_of(&h),
        heads,
        confirm: String::new(),
        started,
        errors: Vec::new(),
        p,
    };
    page.render(StatusCode::OK, shown)
}

/// A deactivation not yet confirmed (and with its remarks given: without them the update
/// refuses it, naming the field): what it will cancel, to ask first; None otherwise.
async fn deactivation_question(page: &StaffPage, f: &EditForm) -> Result<Option<String>, AppError> {
    if f.inactive.is_none() || f.confirmed.is_some() || f.remarks.trim().is_empty() {
        return Ok(None);
    }
    let (t, no) = (page.tenant.clone(), f.no.clone());
    let found = db::run(&page.state.pool, move |c| {
        match service::by_number(c, &t, &no)? {
            Some((conn, _)) if conn.status == "Active" => Ok(Some((
                conn.connection_no.clone(),
                service::unpaid_to_cancel(c, &conn)?,
            ))),
            _ => Ok(None),
        }
    })
    .await?;
    let p = page.texts();
    Ok(found.map(|(no, (count, total))| {
        let key = if count == 0 {
            "CONSUMER_DEACTIVATE_CONFIRM_NONE"
        } else {
            "CONSUMER_DEACTIVATE_CONFIRM"
        };
        p.t_n(key, i64::try_from(count).unwrap_or(i64::MAX))
            .replace("{consumer}", &no)
            .replace("{name}", &f.name)
            .replace("{amount}", &crate::words::inr(total))
    }))
}

/// Whether household `no` of `tenant` has been billed (the form then keeps its opening amounts).
async fn billing_started(
    page: &StaffPage,
    tenant: &str,
    no: &str,
) -> crate::error::AppResult<bool> {
    let (t, no) = (tenant.to_owned(), no.to_owned());
    db::run(&page.state.pool, move |c| {
        match service::by_number(c, &t, &no)? {
            Some((conn, _)) => Ok(service::billing_started(c, &conn)?),
            None => Ok(false),
        }
    })
    .await
}

async fn edit(mut page: StaffPage, form: Form<EditForm>) -> PageResult {
    let f = form.into_inner();
    if let Some(confirm) = deactivation_question(&page, &f).await? {
        let p = page.ctx()?;
        let started = billing_started(&page, &page.tenant, &f.no).await?;
        let heads = opening_heads(&page).await?;
        let shown = EditPage {
            confirm,
            heads,
            errors: Vec::new(),
            started,
            f,
            p,
        };
        return page.render(StatusCode::OK, shown);
    }
    let tenant = page.tenant.clone();
    let [arrears, penalty, advance] =
        match opening_amounts(&f.opening, [&f.arrears, &f.penalty, &f.advance]) {
            Ok(a) => a.map(|x| amount(x).unwrap_or(Decimal::ZERO)),
            Err(key) => {
                let p = page.ctx()?;
                let started = billing_started(&page, &tenant, &f.no).await?;
                let heads = opening_heads(&page).await?;
                let shown = EditPage {
                    errors: opening_choice_error(&p, key),
                    confirm: String::new(),
                    heads,
                    started,
                    f,
                    p,
                };
                return page.render(StatusCode::BAD_REQUEST, shown);
            }
        };
    let (st, actor) = (page.state.clone(), Some(page.actor()));
    let (t, no) = (tenant.clone(), f.no.clone());
    let owner = OwnerIn {
        name: f.name.clone(),
        guardian: f.guardian.clone(),
        gender: f.gender.clone(),
        mobile: f.mobile.clone(),
    };
    let (door, street, ptype) = (f.door_no.clone(), f.street.clone(), f.property_type.clone());
    let u = service::ConnectionUpdate {
        tenant_id: tenant.clone(),
        connection_no: f.no.clone(),
        old_connection_no: Some(f.old_no.clone()),
        connection_type: Some(f.connection_type.clone()),
        meter_id: Some(f.meter_id.clone())
            .filter(|m| !m.trim().is_empty() && f.connection_type == "Metered"),
        previous_reading_date: None,
        initial_meter_reading: None,
        arrears: Some(arrears),
        penalty: Some(penalty),
        advance: Some(advance),
        category: Some(f.category.clone()),
        sub_category: Some(f.sub_category.clone()),
        aadhaar: None,
        status: Some(
            if f.inactive.is_some() {
                "Inactive"
            } else {
                "Active"
            }
            .to_owned(),
        ),
        remarks: Some(f.remarks.clone()),
        ..Default::default()
    };
    let r = db::transaction(&page.state.pool, move |c| {
        let now = Utc::now();
        let Some((conn, prop)) = service::by_number(c, &t, &no)? else {
            return Err(AppError::not_found(
                codes::CONNECTION_NOT_FOUND,
                "No such connection",
            ));
        };
        let mut u = u;
        if service::billing_started(c, &conn)? {
            // the opening fields are not on the form any more: keep them
            u.arrears = None;
            u.penalty = None;
            u.advance = None;
        }
        service::update_property(
            c,
            ctx(&st),
            &service::PropertyUpdate {
                tenant_id: t.clone(),
                property_id: prop.property_id,
                property_type: Some(ptype),
                door_no: Some(door),
                street: Some(street),
                owner: Some(owner),
                ..Default::default()
            },
            actor,
            now,
        )?;
        service::update_connection(c, ctx(&st), &u, actor, now)
    })
    .await;
    match r {
        Ok(h) => Ok(page::see_other(&format!(
            "/home/household?no={}&saved=1",
            page::urlencode(&h.connection.connection_no)
        ))),
        Err(e @ AppError::Client { .. }) => {
            let p = page.ctx()?;
            let started = billing_started(&page, &tenant, &f.no).await?;
            let heads = opening_heads(&page).await?;
            let shown = EditPage {
                errors: form_errors(&p, &e),
                heads,
                confirm: String::new(),
                started,
                f,
                p,
            };
            page.render(StatusCode::BAD_REQUEST, shown)
        }
        Err(e) => Err(e.into()),
    }
}

csrf_forms!(ConsumerForm, EditForm);
