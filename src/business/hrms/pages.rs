//! HRMS screens for division and state admins: employee list and search, new employee (a
//! division admin picks GPs and one of the roles it may grant; the state admin picks a division,
//! whose every GP the new division user gets), details with status changes and the history.

mod view;

use std::collections::HashMap;

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::service::{self, Criteria, EmployeeUpdate, NewEmployee};
use super::service::{MANAGER_ROLES, PAGE_ROLES as HRMS};
use crate::db;
use crate::error::{AppError, codes};
use crate::http::page::{self, Form, PageCtx, PageResult, StaffPage, Tile, csrf_forms};
use crate::http::routes::{Access, Routes};
use crate::platform::access::identity::TenantRole;
use crate::platform::user::service::{self as users};
use view::RoleGroup;

pub fn routes(r: &mut Routes<'_>) {
    r.get("/home/hrms", Access::Page(HRMS), list)
        .get("/home/hrms/new", Access::Page(MANAGER_ROLES), new_form)
        .post("/home/hrms/new", Access::Page(MANAGER_ROLES), create)
        .get("/home/hrms/{code}", Access::Page(HRMS), detail)
        .post(
            "/home/hrms/{code}/status",
            Access::Page(MANAGER_ROLES),
            change_status,
        );
}

/// The home tile of the employee screens.
pub const TILES: &[Tile] = &[Tile {
    place: 12,
    key: "CORE_EMPLOYEES",
    href: "/home/hrms",
    roles: HRMS,
}];

const PAGE: i64 = 50;

struct Row {
    code: String,
    name: String,
    mobile: String,
    roles: Vec<RoleGroup>,
    status: String,
}

#[derive(Template)]
#[template(path = "hrms/list.html")]
struct ListPage {
    p: PageCtx,
    can_manage: bool,
    rows: Vec<Row>,
    name: String,
    mobile: String,
    showing: String,
    prev: String,
    next: String,
}

#[derive(Deserialize)]
struct ListQuery {
    name: Option<String>,
    mobile: Option<String>,
    page: Option<i64>,
}

/// An error's text in the page's language (its code is a catalogue key), else its message.
fn coded(p: &PageCtx, code: &str, message: &str) -> String {
    let t = p.t(code);
    if t == code { message.to_owned() } else { t }
}

/// The master-data names of the tenants the employees' roles are held on.
fn tenant_names(
    c: &mut diesel::PgConnection,
    list: &[service::Employee],
) -> crate::error::AppResult<HashMap<String, String>> {
    let mut codes: Vec<String> = list
        .iter()
        .flat_map(|e| e.user.roles.iter().map(|r| r.tenant_id.clone()))
        .collect();
    codes.sort();
    codes.dedup();
    Ok(crate::platform::mdms::repo::tenants_by_codes(c, &codes)?
        .into_iter()
        .map(|t| (t.code, t.name))
        .collect())
}

async fn list(mut page: StaffPage, q: web::Query<ListQuery>) -> PageResult {
    let p = page.ctx()?;
    let page_no = q.page.unwrap_or(0).max(0);
    let scope = if page.staff.has_any(&["STATE_ADMIN", "SUPERUSER"]) {
        page.state.settings.app.state_tenant.clone()
    } else {
        p.tenant.clone()
    };
    let crit = Criteria {
        tenant_id: scope,
        names: q
            .name
            .clone()
            .into_iter()
            .filter(|n| !n.trim().is_empty())
            .collect(),
        phone: q.mobile.clone().filter(|m| !m.trim().is_empty()),
        offset: page_no * PAGE,
        limit: PAGE,
        ..Criteria::default()
    };
    let st = page.state.clone();
    let who = page.staff.user.clone();
    let (list, total, names) = db::run(&page.state.pool, move |c| {
        let (list, total) = service::search(c, st.identity(), &who, &crit)?;
        let names = tenant_names(c, &list)?;
        Ok((list, total, names))
    })
    .await?;
    let rows = list
        .iter()
        .map(|e| Row {
            code: e.row.code.clone(),
            name: e.user.name.clone(),
            mobile: e.user.mobile_number.clone().unwrap_or_default(),
            roles: view::role_groups(&p, &e.user.roles, &names),
            status: p.t(if e.row.is_active {
                "CORE_ACTIVE"
            } else {
                "CORE_INACTIVE"
            }),
        })
        .collect::<Vec<_>>();
    let shown = i64::try_from(rows.len()).unwrap_or(0);
    let total = i64::try_from(total).unwrap_or(0);
    let link = |n: i64| {
        format!(
            "/home/hrms?name={}&mobile={}&page={n}",
            page::urlencode(q.name.as_deref().unwrap_or("")),
            page::urlencode(q.mobile.as_deref().unwrap_or(""))
        )
    };
    let showing = p
        .t("CORE_SHOWING_N_OF_M")
        .replace("{n}", &shown.to_string())
        .replace("{m}", &total.to_string());
    let lp = ListPage {
        can_manage: page.staff.has_any(MANAGER_ROLES),
        prev: if page_no > 0 {
            link(page_no - 1)
        } else {
            String::new()
        },
        next: if (page_no + 1) * PAGE < total {
            link(page_no + 1)
        } else {
            String::new()
        },
        rows,
        name: q.name.clone().unwrap_or_default(),
        mobile: q.mobile.clone().unwrap_or_default(),
        showing,
        p,
    };
    page.render(StatusCode::OK, lp)
}

#[derive(Template)]
#[template(path = "hrms/new.html")]
struct NewPage {
    p: PageCtx,
    errors: Vec<String>,
    name: String,
    mobile: String,
    email: String,
    /// The gender chosen (none until the person picks one).
    gender: String,
    role: String,
    division: String,
    genders: Vec<(&'static str, &'static str)>,
    state_level: bool,
    divisions: Vec<(String, String)>,
    /// (code, name, ticked)
    gps: Vec<(String, String, bool)>,
    grantable: Vec<(&'static str, &'static str)>,
}

const GENDERS: &[(&str, &str)] = &[
    ("FEMALE", "GENDER_FEMALE"),
    ("MALE", "GENDER_MALE"),
    ("TRANSGENDER", "GENDER_TRANSGENDER"),
];
const GRANTABLE: &[(&str, &str)] = &[
    ("SARPANCH", "ROLE_SARPANCH"),
    ("SECRETARY", "ROLE_SECRETARY"),
    ("REVENUE_COLLECTOR", "ROLE_REVENUE_COLLECTOR"),
];

#[derive(Default)]
struct Entered {
    name: String,
    mobile: String,
    email: String,
    gender: String,
    role: String,
    division: String,
    gps: Vec<String>,
}

async fn new_page(mut page: StaffPage, errors: Vec<String>, e: Entered) -> PageResult {
    let p = page.ctx()?;
    let state_level = page.staff.has_any(&["STATE_ADMIN", "SUPERUSER"]);
    let managed: Vec<String> = page
        .staff
        .user
        .roles
        .iter()
        .filter(|r| r.code == "DIV_ADMIN")
        .map(|r| r.tenant_id.clone())
        .collect();
    let (mut divisions, gps) = db::run(&page.state.pool, move |c| {
        let divisions = if state_level {
            crate::platform::mdms::repo::divisions(c)?
        } else {
            Vec::new()
        };
        let gps: HashMap<String, String> =
            crate::platform::mdms::repo::tenants_by_codes(c, &managed)?
                .into_iter()
                .map(|t| (t.code, t.name))
                .collect();
        Ok((divisions, gps))
    })
    .await?;
    // Divisions by their names in the page's language.
    for (code, name) in &mut divisions {
        *name = p.division_name(code, name);
    }
    divisions.sort_by(|a, b| a.1.cmp(&b.1));
    // One GP to choose from is chosen already.
    let only_one = gps.len() == 1;
    let mut gps: Vec<(String, String, bool)> = gps
        .keys()
        .map(|code| {
            let ticked = only_one || e.gps.contains(code);
            (code.clone(), view::tenant_name(&p, code, &gps), ticked)
        })
        .collect();
    gps.sort_by(|a, b| a.1.cmp(&b.1));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let np = NewPage {
        errors,
        name: e.name,
        mobile: e.mobile,
        email: e.email,
        gender: e.gender,
        role: e.role,
        division: e.division,
        genders: GENDERS.to_vec(),
        state_level,
        divisions,
        gps,
        grantable: GRANTABLE.to_vec(),
        p,
    };
    page.render(status, np)
}

async fn new_form(page: StaffPage) -> PageResult {
    new_page(page, Vec::new(), Entered::default()).await
}

/// The form posts `gp` once per ticked box, so it is read as pairs.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    crate::http::gateway::form_urlencoded_parse(&String::from_utf8_lossy(body))
}

async fn create(page: StaffPage, body: web::Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    page.verify_csrf(&get("_csrf"))?;
    let entered = Entered {
        name: get("name"),
        mobile: get("mobile"),
        email: get("email"),
        gender: get("gender"),
        role: get("role"),
        division: get("division"),
        gps: pairs
            .iter()
            .filter(|(k, _)| k == "gp")
            .map(|(_, v)| v.trim().to_owned())
            .collect(),
    };
    // Nothing is chosen for the person: a missing gender is asked for, before anything is written.
    if !GENDERS.iter().any(|(g, _)| *g == entered.gender) {
        let msg = page.texts().t("HRMS_CHOOSE_GENDER");
        return new_page(page, vec![msg], entered).await;
    }
    let division = entered.division.clone();
    let state_level = page.staff.has_any(&["STATE_ADMIN", "SUPERUSER"]);
    let roles: Vec<TenantRole> = if state_level {
        let d = division.clone();
        let gps = db::run(&page.state.pool, move |c| {
            Ok(crate::platform::mdms::repo::tenants_of_division(c, &d)?)
        })
        .await?;
        gps.iter()
            .flat_map(|t| {
                ["DIV_ADMIN", "HRMS_ADMIN"].iter().map(move |r| TenantRole {
                    code: (*r).to_owned(),
                    tenant_id: t.code.clone(),
                })
            })
            .collect()
    } else {
        entered
            .gps
            .iter()
            .map(|gp| TenantRole {
                code: entered.role.clone(),
                tenant_id: gp.clone(),
            })
            .collect()
    };
    let new = NewEmployee {
        name: entered.name.clone(),
        mobile: entered.mobile.clone(),
        gender: Some(entered.gender.clone()),
        email: Some(entered.email.clone()).filter(|e| !e.is_empty()),
        roles,
        designation: Some(if state_level {
            "DESIG_65".to_owned()
        } else {
            String::new()
        })
        .filter(|d| !d.is_empty()),
        ..NewEmployee::default()
    };
    let st = page.state.clone();
    let who = page.staff.user.clone();
    let out = db::transaction(&page.state.pool, move |c| {
        let id = st.identity();
        service::create(
            c,
            id,
            &st.i18n,
            &st.settings.app.state_tenant,
            &st.settings.app.base_url,
            &who,
            &new,
            "employee",
            Utc::now(),
        )
    })
    .await;
    match out {
        Ok(e) => {
            crate::platform::notification::kick(&page.state);
            Ok(page::see_other(&format!(
                "/home/hrms/{}?created=1",
                e.row.code
            )))
        }
        Err(AppError::Client { errors, .. }) => {
            let p = page.texts();
            let msgs = errors
                .iter()
                .map(|e| match e.code.as_str() {
                    codes::INVALID_NAME => p.t("CORE_INVALID_NAME"),
                    codes::INVALID_MOBILE_NUMBER => p.t("CORE_INVALID_MOBILE_NUMBER"),
                    codes::INVALID_EMAIL => p.t("CORE_INVALID_EMAIL"),
                    codes::DUPLICATE_USER => p.t("HRMS_DUPLICATE_MOBILE"),
                    codes::ROLE_NOT_ALLOWED | codes::MISSING_FIELD
                        if e.params
                            .as_ref()
                            .is_some_and(|p| p.iter().any(|f| f.contains("roles"))) =>
                    {
                        p.t("HRMS_CHOOSE_GP")
                    }
                    _ => coded(&p, &e.code, &e.message),
                })
                .collect();
            new_page(page, msgs, entered).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "hrms/detail.html")]
struct DetailPage {
    p: PageCtx,
    can_manage: bool,
    code: String,
    name: String,
    mobile: String,
    status: String,
    active: bool,
    roles: Vec<RoleGroup>,
    reasons: Vec<(&'static str, &'static str)>,
    /// Sentences, newest last: who changed what, when.
    history: Vec<String>,
    errors: Vec<String>,
    notice: String,
}

const REASONS: &[(&str, &str)] = &[
    ("OTHERS", "HRMS_REASON_OTHERS"),
    ("ORDERBYCOMMISSIONER", "HRMS_REASON_ORDERBYCOMMISSIONER"),
];

#[derive(Deserialize)]
struct DetailQuery {
    created: Option<String>,
}

async fn detail_page(
    mut page: StaffPage,
    code: String,
    errors: Vec<String>,
    notice: String,
) -> PageResult {
    let p = page.ctx()?;
    let st = page.state.clone();
    let who = page.staff.user.clone();
    let c2 = code.clone();
    let found = db::run(&page.state.pool, move |c| {
        let crit = Criteria {
            tenant_id: st.settings.app.state_tenant.clone(),
            codes: vec![c2],
            limit: 1,
            ..Criteria::default()
        };
        let (mut list, _) = service::search(c, st.identity(), &who, &crit)?;
        let Some(e) = list.pop() else { return Ok(None) };
        let history = users::history(c, e.user.id)?;
        let mut who: HashMap<uuid::Uuid, String> = HashMap::new();
        for u in history.iter().filter_map(|h| h.changed_by) {
            if !who.contains_key(&u)
                && let Some(user) = users::get_by_uuid(c, st.identity().crypto, u)?
            {
                who.insert(u, user.name);
            }
        }
        let names = tenant_names(c, std::slice::from_ref(&e))?;
        Ok(Some((e, history, who, names)))
    })
    .await?;
    let Some((e, history, who, names)) = found else {
        return Err(page::not_found());
    };
    let dp = DetailPage {
        can_manage: page.staff.has_any(MANAGER_ROLES),
        code,
        name: e.user.name.clone(),
        mobile: e.user.mobile_number.clone().unwrap_or_default(),
        status: p.t(if e.row.is_active {
            "CORE_ACTIVE"
        } else {
            "CORE_INACTIVE"
        }),
        active: e.row.is_active,
        roles: view::role_groups(&p, &e.user.roles, &names),
        reasons: REASONS.to_vec(),
        history: history
            .iter()
            .map(|h| {
                let by = h.changed_by.and_then(|u| who.get(&u)).map(String::as_str);
                view::history_sentence(&p, h, by)
            })
            .collect(),
        errors,
        notice,
        p,
    };
    let status = if dp.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page.render(status, dp)
}

async fn detail(
    page: StaffPage,
    code: web::Path<String>,
    q: web::Query<DetailQuery>,
) -> PageResult {
    let notice = if q.created.is_some() {
        page.texts().t("HRMS_CREATED")
    } else {
        String::new()
    };
    detail_page(page, code.into_inner(), Vec::new(), notice).await
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    active: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    remarks: String,
}

csrf_forms!(StatusForm);

async fn change_status(
    page: StaffPage,
    code: web::Path<String>,
    form: Form<StatusForm>,
) -> PageResult {
    let code = code.into_inner();
    let up = EmployeeUpdate {
        active: Some(form.active == "true"),
        reason: Some(form.reason.clone()),
        remarks: Some(form.remarks.clone()).filter(|r| !r.trim().is_empty()),
        ..EmployeeUpdate::default()
    };
    let st = page.state.clone();
    let who = page.staff.user.clone();
    let c2 = code.clone();
    let out = db::transaction(&page.state.pool, move |c| {
        service::update(
            c,
            st.identity(),
            &who,
            &st.settings.app.state_tenant,
            &c2,
            &up,
            "employee",
            Utc::now(),
        )
    })
    .await;
    match out {
        Ok(_) => Ok(page::see_other(&format!("/home/hrms/{code}"))),
        Err(AppError::Client { errors, .. }) => {
            let p = page.texts();
            let msgs = errors
                .iter()
                .map(|e| coded(&p, &e.code, &e.message))
                .collect();
            detail_page(page, code, msgs, String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_repeated_form_fields() {
        let p = super::form_pairs(b"gp=pb.a&gp=pb.b&name=Asha+Rani&x=%E0%A8%85");
        assert_eq!(p.iter().filter(|(k, _)| k == "gp").count(), 2);
        assert_eq!(p[2].1, "Asha Rani");
        assert_eq!(p[3].1, "ਅ");
    }
}
