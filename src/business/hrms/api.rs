//! `/egov-hrms/employees/_create|_update|_search|_count`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, Criteria, Employee, EmployeeUpdate, NewEmployee};
use crate::db;
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::platform::access::identity::{AuthUser, TenantRole};
use crate::platform::user::service::ProfileChanges;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post("/egov-hrms/employees/_create", Access::ActionOnly, create)
        .post("/egov-hrms/employees/_update", Access::ActionOnly, update)
        .post("/egov-hrms/employees/_search", Access::ActionOnly, search)
        .post("/egov-hrms/employees/_count", Access::ActionOnly, count);
}

fn ist_date(ms: Option<i64>) -> Option<NaiveDate> {
    ms.and_then(DateTime::from_timestamp_millis)
        .map(|t| t.with_timezone(&crate::time::IST).date_naive())
}

fn day_ms(d: NaiveDate) -> i64 {
    crate::time::ist_day_start_millis(d)
}

pub fn employee_json(e: &Employee, now: DateTime<Utc>) -> Value {
    let mut gps: Vec<&str> = e.user.roles.iter().map(|r| r.tenant_id.as_str()).collect();
    gps.sort_unstable();
    gps.dedup();
    let audit = json!({"createdBy": e.row.created_by, "createdDate": e.row.created_at.timestamp_millis(),
        "lastModifiedBy": e.row.last_modified_by, "lastModifiedDate": e.row.last_modified_at.timestamp_millis()});
    let changes = |action: &str, key: &str| -> Vec<Value> {
        e.changes
            .iter()
            .filter(|c| c.action == action)
            .map(|c| json!({key: c.reason, "effectiveFrom": day_ms(c.effective_from), "orderNo": c.order_no, "remarks": c.remarks,
                            "auditDetails": {"createdBy": c.changed_by, "createdDate": c.changed_at.timestamp_millis()}}))
            .collect()
    };
    json!({
        "id": e.row.id, "uuid": e.user.uuid, "code": e.row.code, "employeeStatus": e.row.employee_status,
        "employeeType": e.row.employee_type, "dateOfAppointment": e.row.date_of_appointment.map(day_ms),
        "jurisdictions": gps.iter().map(|t| json!({"hierarchy": "REVENUE", "boundary": t, "boundaryType": "City", "tenantId": t, "isActive": true})).collect::<Vec<_>>(),
        "assignments": [{"designation": e.row.designation, "department": e.row.department, "isCurrentAssignment": true,
                         "fromDate": e.row.date_of_appointment.map(day_ms), "tenantid": e.row.tenant_id}],
        "serviceHistory": [], "education": [], "tests": [], "documents": [],
        "isActive": e.row.is_active, "tenantId": e.row.tenant_id,
        "deactivationDetails": changes("DEACTIVATE", "reasonForDeactivation"),
        "reactivationDetails": changes("REACTIVATE", "reasonForReactivation"),
        "reActivateEmployee": false, "auditDetails": audit,
        "user": crate::platform::user::api_user_json(&e.user, now),
    })
}

#[derive(Debug, Deserialize)]
struct Body {
    #[serde(rename = "Employees")]
    employees: Vec<EmployeeIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmployeeIn {
    code: Option<String>,
    employee_type: Option<String>,
    date_of_appointment: Option<i64>,
    is_active: Option<bool>,
    re_activate_employee: Option<bool>,
    #[serde(default)]
    assignments: Vec<AssignmentIn>,
    user: Option<UserIn>,
    #[serde(default)]
    deactivation_details: Vec<StatusIn>,
    #[serde(default)]
    reactivation_details: Vec<StatusIn>,
}

#[derive(Debug, Deserialize)]
struct AssignmentIn {
    designation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusIn {
    reason_for_deactivation: Option<String>,
    reason_for_reactivation: Option<String>,
    effective_from: Option<i64>,
    order_no: Option<String>,
    remarks: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserIn {
    name: Option<String>,
    mobile_number: Option<String>,
    gender: Option<String>,
    email_id: Option<String>,
    father_or_husband_name: Option<String>,
    roles: Option<Vec<RoleIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleIn {
    code: String,
    tenant_id: String,
}

fn roles(r: &[RoleIn]) -> Vec<TenantRole> {
    r.iter()
        .map(|r| TenantRole {
            code: r.code.trim().to_owned(),
            tenant_id: r.tenant_id.trim().to_owned(),
        })
        .collect()
}

fn caller<T>(req: &Digit<T>) -> AppResult<AuthUser> {
    req.caller.user().cloned().ok_or_else(|| {
        AppError::unauthorized(
            "CustomException",
            "You are not authorized to access this resource",
        )
    })
}

fn respond(info: &crate::http::RequestInfo, list: &[Employee]) -> HttpResponse {
    let now = Utc::now();
    HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(info), "Employees": list.iter().map(|e| employee_json(e, now)).collect::<Vec<_>>()}))
}

async fn create(state: web::Data<AppState>, req: Digit<Body>) -> AppResult<HttpResponse> {
    let who = caller(&req)?;
    let mut news = Vec::new();
    let mut errors = Vec::new();
    for (i, e) in req.body.employees.iter().enumerate() {
        let Some(u) = &e.user else {
            errors.push(ErrorDetail::field(
                codes::MISSING_FIELD,
                "user is required",
                &format!("Employees[{i}].user"),
            ));
            continue;
        };
        news.push(NewEmployee {
            name: u.name.clone().unwrap_or_default(),
            mobile: u.mobile_number.clone().unwrap_or_default(),
            gender: u.gender.clone(),
            email: u.email_id.clone(),
            father_or_husband_name: u.father_or_husband_name.clone(),
            roles: roles(u.roles.as_deref().unwrap_or_default()),
            designation: e.assignments.first().and_then(|a| a.designation.clone()),
            employee_type: e.employee_type.clone(),
            date_of_appointment: ist_date(e.date_of_appointment),
        });
    }
    if req.body.employees.is_empty() {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "Employees must not be empty",
            "Employees",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    let st = state.clone();
    let created = db::transaction(&state.pool, move |c| {
        let id = st.identity();
        let now = Utc::now();
        let mut out = Vec::new();
        for (i, n) in news.iter().enumerate() {
            out.push(service::create(
                c,
                id,
                &st.i18n,
                &st.settings.app.state_tenant,
                &st.settings.app.base_url,
                &who,
                n,
                &format!("Employees[{i}]"),
                now,
            )?);
        }
        Ok(out)
    })
    .await?;
    crate::platform::notification::kick(&state);
    Ok(respond(&req.info, &created))
}

async fn update(state: web::Data<AppState>, req: Digit<Body>) -> AppResult<HttpResponse> {
    let who = caller(&req)?;
    let mut ups = Vec::new();
    for (i, e) in req.body.employees.iter().enumerate() {
        let code = e
            .code
            .clone()
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| {
                AppError::invalid_field(
                    codes::MISSING_FIELD,
                    "code is required",
                    &format!("Employees[{i}].code"),
                )
            })?;
        let reactivate = e.re_activate_employee == Some(true);
        let active = if reactivate { Some(true) } else { e.is_active };
        let status = if active == Some(true) {
            e.reactivation_details.first()
        } else {
            e.deactivation_details.first()
        };
        let u = e.user.as_ref();
        ups.push((
            code,
            EmployeeUpdate {
                details: ProfileChanges {
                    name: u.and_then(|u| u.name.clone()),
                    gender: u.and_then(|u| u.gender.clone()),
                    email: u.and_then(|u| u.email_id.clone()),
                    locale: None,
                },
                father_or_husband_name: u.and_then(|u| u.father_or_husband_name.clone()),
                roles: u.and_then(|u| u.roles.as_deref()).map(roles),
                designation: e.assignments.first().and_then(|a| a.designation.clone()),
                active,
                reason: status.and_then(|s| {
                    s.reason_for_deactivation
                        .clone()
                        .or_else(|| s.reason_for_reactivation.clone())
                }),
                effective_from: ist_date(status.and_then(|s| s.effective_from)),
                order_no: status.and_then(|s| s.order_no.clone()),
                remarks: status.and_then(|s| s.remarks.clone()),
            },
        ));
    }
    let st = state.clone();
    let updated = db::transaction(&state.pool, move |c| {
        let id = st.identity();
        let now = Utc::now();
        let mut out = Vec::new();
        for (i, (code, up)) in ups.iter().enumerate() {
            out.push(service::update(
                c,
                id,
                &who,
                &st.settings.app.state_tenant,
                code,
                up,
                &format!("Employees[{i}]"),
                now,
            )?);
        }
        Ok(out)
    })
    .await?;
    Ok(respond(&req.info, &updated))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    tenant_id: Option<String>,
    codes: Option<String>,
    names: Option<String>,
    roles: Option<String>,
    uuids: Option<String>,
    phone: Option<String>,
    is_active: Option<bool>,
    offset: Option<i64>,
    limit: Option<i64>,
}

fn criteria(q: &SearchQuery) -> AppResult<Criteria> {
    let tenant_id = q
        .tenant_id
        .clone()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            AppError::invalid_field(codes::MISSING_FIELD, "tenantId is required", "tenantId")
        })?;
    let mut uuids = Vec::new();
    for u in params::csv(&q.uuids) {
        uuids.push(uuid::Uuid::parse_str(&u).map_err(|_| {
            AppError::invalid_field("INVALID_UUID", format!("{u} is not a uuid"), "uuids")
        })?);
    }
    let limit = q.limit.unwrap_or(200);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid_field(
            "INVALID_LIMIT",
            "limit must be 1 to 200",
            "limit",
        ));
    }
    Ok(Criteria {
        tenant_id,
        codes: params::csv(&q.codes),
        names: params::csv(&q.names),
        roles: params::csv(&q.roles),
        uuids,
        phone: q.phone.clone().filter(|p| !p.trim().is_empty()),
        is_active: q.is_active,
        offset: q.offset.unwrap_or(0).max(0),
        limit,
    })
}

async fn search(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let who = caller(&req)?;
    let crit = criteria(&q)?;
    let st = state.clone();
    let (list, total) = db::run(&state.pool, move |c| {
        service::search(c, st.identity(), &who, &crit)
    })
    .await?;
    let now = Utc::now();
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "Employees": list.iter().map(|e| employee_json(e, now)).collect::<Vec<_>>(), "totalCount": total})))
}

async fn count(
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let who = caller(&req)?;
    let mut crit = criteria(&q)?;
    crit.limit = 200;
    let st = state.clone();
    let all = db::run(&state.pool, move |c| {
        let id = st.identity();
        let mut everyone = Vec::new();
        loop {
            let (page, total) = service::search(c, id, &who, &crit)?;
            let n = page.len();
            everyone.extend(page);
            crit.offset += 200;
            if n == 0 || everyone.len() >= total {
                return Ok(everyone);
            }
        }
    })
    .await?;
    let active = all.iter().filter(|e| e.row.is_active).count();
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "EmployeCount": {"totalEmployee": all.len(), "activeEmployee": active, "inactiveEmployee": all.len() - active}})))
}
