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
}

#[derive(Template)]
#[template(path = "water/create.html")]
struct CreatePage {
    p: PageCtx,
    f: ConsumerForm,
    cycles: Vec<(String, String)>,
    errors: Vec<String>,
}

fn cycles(p: &PageCtx, now: DateTime<Utc>) -> Vec<(String, String)> {
    service::allowed_last_cycles(now.with_timezone(&IST).date_naive())
        .iter()
        .map(|d| (d.format("%Y-%m").to_string(), p.month_label(*d)))
        .collect()
}

async fn create_form(mut page: StaffPage) -> PageResult {
    let p = page.ctx().await?;
    let shown = CreatePage {
        cycles: cycles(&p, Utc::now()),
        f: ConsumerForm {
            property_type: "RESIDENTIAL".to_owned(),
            connection_type: "Non_Metered".to_owned(),
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
    let metered = f.connection_type == "Metered";
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
        arrears: amount(&f.arrears),
        penalty: amount(&f.penalty),
        advance: amount(&f.advance),
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
            let p = page.ctx().await?;
            let shown = CreatePage {
                cycles: cycles(&p, Utc::now()),
                errors: p.error_lines(&e),
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
    EditForm {
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
        arrears: money(c.arrears),
        penalty: money(c.penalty),
        advance: money(c.advance),
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
    let p = page.ctx().await?;
    let shown = EditPage {
        f: edit_form_of(&h),
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
        let p = page.ctx().await?;
        let started = billing_started(&page, &page.tenant, &f.no).await?;
        let shown = EditPage {
            confirm,
            errors: Vec::new(),
            started,
            f,
            p,
        };
        return page.render(StatusCode::OK, shown);
    }
    let tenant = page.tenant.clone();
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
        meter_id: Some(f.meter_id.clone()).filter(|m| !m.trim().is_empty()),
        previous_reading_date: None,
        initial_meter_reading: None,
        arrears: Some(amount(&f.arrears).unwrap_or(Decimal::ZERO)),
        penalty: Some(amount(&f.penalty).unwrap_or(Decimal::ZERO)),
        advance: Some(amount(&f.advance).unwrap_or(Decimal::ZERO)),
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
            let p = page.ctx().await?;
            let started = billing_started(&page, &tenant, &f.no).await?;
            let shown = EditPage {
                errors: p.error_lines(&e),
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
