//! Employee use cases and the rule of who may grant what.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rand::RngExt as _;

use crate::config::Secret;
use crate::db::schema::{hrms_employee as he, hrms_status_change as hs};
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::platform::access::identity::{AuthUser, TenantRole, tenant_covers};
use crate::platform::localization::{Catalog, Locale};
use crate::platform::notification::{self, Sms};
use crate::platform::user::User;
use crate::platform::user::service::{self as users, Identity, NewUser, ProfileChanges};

pub use crate::platform::access::grants::{
    DIVISION_GRANTS, Grant, STATE_GRANTS, grants_of, may_grant,
};
/// Who sees the employee screens.
pub const PAGE_ROLES: &[&str] = &[
    "DIV_ADMIN",
    "STATE_ADMIN",
    "HRMS_ADMIN",
    "SUPERUSER",
    "GP_ADMIN",
];
/// Who may add, change and deactivate employees (within what `grants_of` allows).
pub const MANAGER_ROLES: &[&str] = &["DIV_ADMIN", "STATE_ADMIN", "SUPERUSER"];
pub const DEACTIVATION_REASONS: &[&str] = &["OTHERS", "ORDERBYCOMMISSIONER"];

/// Tenants whose employees the caller may see: where it grants, or holds HRMS_ADMIN or GP_ADMIN
/// (a GP admin reads its GP's staff and their history).
pub fn readable_tenants(caller: &AuthUser) -> Vec<String> {
    let mut t: Vec<String> = grants_of(caller).into_iter().map(|g| g.tenant).collect();
    t.extend(
        caller
            .roles
            .iter()
            .filter(|r| r.code == "HRMS_ADMIN" || r.code == "GP_ADMIN")
            .map(|r| r.tenant_id.clone()),
    );
    t.sort();
    t.dedup();
    t
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = he)]
pub struct EmployeeRow {
    pub id: i64,
    pub user_id: i64,
    pub tenant_id: String,
    pub code: String,
    pub employee_status: String,
    pub employee_type: String,
    pub designation: Option<String>,
    pub department: String,
    pub date_of_appointment: Option<NaiveDate>,
    pub is_active: bool,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    pub last_modified_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Queryable)]
pub struct StatusChange {
    pub action: String,
    pub reason: String,
    pub effective_from: NaiveDate,
    pub order_no: Option<String>,
    pub remarks: Option<String>,
    pub changed_by: Option<uuid::Uuid>,
    pub changed_at: DateTime<Utc>,
}

/// An employee: the record, the user, and its status history.
#[derive(Clone, Debug)]
pub struct Employee {
    pub row: EmployeeRow,
    pub user: User,
    pub changes: Vec<StatusChange>,
}

fn load(
    conn: &mut PgConnection,
    crypto: &crate::platform::encryption::Crypto,
    rows: Vec<EmployeeRow>,
) -> AppResult<Vec<Employee>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
    let users = users::get_many(conn, crypto, &ids)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(user) = users.iter().find(|u| u.id == row.user_id).cloned() else {
            continue;
        };
        let changes = hs::table
            .filter(hs::employee_id.eq(row.id))
            .order(hs::id)
            .select((
                hs::action,
                hs::reason,
                hs::effective_from,
                hs::order_no,
                hs::remarks,
                hs::changed_by,
                hs::changed_at,
            ))
            .load::<StatusChange>(conn)?;
        out.push(Employee { row, user, changes });
    }
    Ok(out)
}

/// An employee to create.
#[derive(Clone, Debug, Default)]
pub struct NewEmployee {
    pub name: String,
    pub mobile: String,
    pub gender: Option<String>,
    pub email: Option<String>,
    pub father_or_husband_name: Option<String>,
    pub roles: Vec<TenantRole>,
    pub designation: Option<String>,
    pub employee_type: Option<String>,
    pub date_of_appointment: Option<NaiveDate>,
}

fn onboarding_password() -> String {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let mut s: String = (0..6)
        .map(|_| char::from(LETTERS[rng.random_range(0..LETTERS.len())]))
        .collect();
    s.push_str(&format!("@{}", rng.random_range(1000..10000)));
    s
}

/// Checks every role against the caller's grants; errors name `field[j]`.
fn check_roles(grants: &[Grant], roles: &[TenantRole], field: &str) -> Vec<ErrorDetail> {
    let mut errors = Vec::new();
    if roles.is_empty() {
        errors.push(ErrorDetail::field(
            codes::MISSING_FIELD,
            "at least one role is required",
            field,
        ));
    }
    for (j, r) in roles.iter().enumerate() {
        if !may_grant(grants, r) {
            errors.push(ErrorDetail::field(
                codes::ROLE_NOT_ALLOWED,
                format!("You may not grant {} on {}", r.code, r.tenant_id),
                &format!("{field}[{j}]"),
            ));
        }
    }
    errors
}

/// Every GP of the roles also gets EMPLOYEE, the base role of staff.
fn with_employee_role(roles: &[TenantRole]) -> Vec<TenantRole> {
    let mut out = roles.to_vec();
    for r in roles {
        let base = TenantRole {
            code: "EMPLOYEE".to_owned(),
            tenant_id: r.tenant_id.clone(),
        };
        if !out.contains(&base) {
            out.push(base);
        }
    }
    out
}

/// Creates an employee (a user on the state tenant with a random password sent by SMS).
#[expect(
    clippy::too_many_arguments,
    reason = "the transaction, configuration and context a creation needs"
)]
pub fn create(
    conn: &mut PgConnection,
    id: Identity<'_>,
    catalog: &Catalog,
    state_tenant: &str,
    base_url: &str,
    caller: &AuthUser,
    e: &NewEmployee,
    field: &str,
    now: DateTime<Utc>,
) -> AppResult<Employee> {
    let grants = grants_of(caller);
    let errors = check_roles(&grants, &e.roles, &format!("{field}.user.roles"));
    if !errors.is_empty() {
        return Err(AppError::many(errors));
    }
    let password = onboarding_password();
    let mut new = NewUser::employee(
        state_tenant,
        &e.mobile,
        &e.name,
        with_employee_role(&e.roles),
    );
    new.gender = e.gender.clone();
    new.email = e.email.clone();
    new.father_or_husband_name = e.father_or_husband_name.clone();
    new.password = Some(Secret::new(password.clone()));
    let user = users::create_user(conn, id, &new, Some(caller.uuid), now)
        .map_err(|err| err.under(&format!("{field}.user")))?;
    let code = crate::platform::idgen::generate(
        conn,
        state_tenant,
        &crate::platform::idgen::IdRequest {
            tenant_id: state_tenant.to_owned(),
            id_name: None,
            format: Some("EMP-[SEQ_HRMS_EMPLOYEE_CODE]".to_owned()),
            count: 1,
        },
        now,
        field,
    )?
    .pop()
    .unwrap_or_default();
    let row: EmployeeRow = diesel::insert_into(he::table)
        .values((
            he::user_id.eq(user.id),
            he::tenant_id.eq(state_tenant),
            he::code.eq(&code),
            he::employee_type.eq(e
                .employee_type
                .clone()
                .unwrap_or_else(|| "PERMANENT".to_owned())),
            he::designation.eq(&e.designation),
            he::date_of_appointment.eq(e.date_of_appointment),
            he::created_by.eq(Some(caller.uuid)),
            he::created_at.eq(now),
            he::last_modified_by.eq(Some(caller.uuid)),
            he::last_modified_at.eq(now),
        ))
        .returning(EmployeeRow::as_returning())
        .get_result(conn)?;
    // in the person's language, else the state's (Punjabi)
    let locale = user
        .locale
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or_else(|| catalog.default_locale());
    let text = catalog.format(
        locale,
        "SMS_ON_BOARD_EMPLOYEE",
        &[
            ("USER", &user.name),
            ("LINK", base_url),
            ("PHNO", &e.mobile),
            ("PASSWORD", &password),
        ],
    );
    notification::enqueue_sms(
        conn,
        id.crypto,
        &Sms {
            tenant_id: state_tenant,
            mobile: &e.mobile,
            template: "SMS_ON_BOARD_EMPLOYEE",
            text,
        },
        now,
    )?;
    // and by e-mail too when the employee has an address (same transaction, same password)
    if let Some(to) = user.email.as_deref() {
        notification::email::enqueue(
            conn,
            id.crypto,
            &notification::email::Mail {
                tenant_id: state_tenant,
                to,
                kind: notification::email::Kind::Onboarding,
                locale: Some(locale),
                values: vec![
                    ("USER", user.name.clone()),
                    ("PHNO", e.mobile.clone()),
                    ("PASSWORD", password),
                    ("LINK_PATH", "/login".to_owned()),
                ],
            },
            now,
        )?;
    }
    Ok(Employee {
        row,
        user,
        changes: Vec::new(),
    })
}

/// A change to an employee.
#[derive(Clone, Debug, Default)]
pub struct EmployeeUpdate {
    pub details: ProfileChanges,
    pub father_or_husband_name: Option<String>,
    pub roles: Option<Vec<TenantRole>>,
    pub designation: Option<String>,
    /// Some(false) with a reason deactivates; Some(true) with a reason reactivates.
    pub active: Option<bool>,
    pub reason: Option<String>,
    pub effective_from: Option<NaiveDate>,
    pub order_no: Option<String>,
    pub remarks: Option<String>,
}

pub fn find_by_code(
    conn: &mut PgConnection,
    crypto: &crate::platform::encryption::Crypto,
    tenant: &str,
    code: &str,
) -> AppResult<Option<Employee>> {
    let rows = he::table
        .filter(he::tenant_id.eq(tenant))
        .filter(he::code.eq(code))
        .select(EmployeeRow::as_select())
        .load(conn)?;
    Ok(load(conn, crypto, rows)?.pop())
}

#[expect(
    clippy::too_many_arguments,
    reason = "the transaction, configuration and context an update needs"
)]
pub fn update(
    conn: &mut PgConnection,
    id: Identity<'_>,
    caller: &AuthUser,
    state_tenant: &str,
    code: &str,
    up: &EmployeeUpdate,
    field: &str,
    now: DateTime<Utc>,
) -> AppResult<Employee> {
    let emp = find_by_code(conn, id.crypto, state_tenant, code)?.ok_or_else(|| {
        AppError::invalid_field(
            "EMPLOYEE_NOT_FOUND",
            format!("No employee with code {code}"),
            &format!("{field}.code"),
        )
    })?;
    let grants = grants_of(caller);
    // The caller must be able to grant every role the employee holds now ...
    let held = emp.user.tenant_roles();
    if held.iter().any(|r| !may_grant(&grants, r)) {
        return Err(AppError::forbidden(
            "EMPLOYEE_NOT_MANAGED",
            "This employee holds roles you may not manage",
        ));
    }
    // ... and every role it is to hold.
    if let Some(roles) = &up.roles {
        let errors = check_roles(&grants, roles, &format!("{field}.user.roles"));
        if !errors.is_empty() {
            return Err(AppError::many(errors));
        }
    }
    let actor = Some(caller.uuid);
    let mut user = emp.user.clone();
    let has_details = up.details.name.is_some()
        || up.details.gender.is_some()
        || up.details.email.is_some()
        || up.father_or_husband_name.is_some();
    if has_details {
        user = users::update_details(
            conn,
            id.crypto,
            &user,
            &up.details,
            up.father_or_husband_name.as_deref(),
            caller.uuid,
            now,
        )
        .map_err(|e| e.under(&format!("{field}.user")))?;
    }
    if let Some(roles) = &up.roles {
        users::set_roles(conn, &user, &with_employee_role(roles), actor, now)?;
    }
    if let Some(active) = up.active.filter(|a| *a != emp.row.is_active) {
        let reason = up
            .reason
            .clone()
            .filter(|r| DEACTIVATION_REASONS.contains(&r.as_str()))
            .ok_or_else(|| {
                let which = if active {
                    "reactivationDetails[0].reasonForReactivation"
                } else {
                    "deactivationDetails[0].reasonForDeactivation"
                };
                AppError::invalid_field(
                    "INVALID_REASON",
                    format!(
                        "The reason must be one of {}",
                        DEACTIVATION_REASONS.join(", ")
                    ),
                    &format!("{field}.{which}"),
                )
            })?;
        users::set_active(conn, &user, active, &reason, actor, now)?;
        diesel::insert_into(hs::table)
            .values((
                hs::employee_id.eq(emp.row.id),
                hs::tenant_id.eq(&emp.row.tenant_id),
                hs::action.eq(if active { "REACTIVATE" } else { "DEACTIVATE" }),
                hs::reason.eq(&reason),
                hs::effective_from.eq(up
                    .effective_from
                    .unwrap_or_else(|| now.with_timezone(&crate::time::IST).date_naive())),
                hs::order_no.eq(&up.order_no),
                hs::remarks.eq(&up.remarks),
                hs::changed_by.eq(actor),
                hs::changed_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(he::table.find(emp.row.id))
            .set((
                he::is_active.eq(active),
                he::employee_status.eq(if active { "EMPLOYED" } else { "INACTIVE" }),
            ))
            .execute(conn)?;
    }
    if let Some(d) = &up.designation {
        diesel::update(he::table.find(emp.row.id))
            .set(he::designation.eq(Some(d)))
            .execute(conn)?;
    }
    diesel::update(he::table.find(emp.row.id))
        .set((he::last_modified_by.eq(actor), he::last_modified_at.eq(now)))
        .execute(conn)?;
    find_by_code(conn, id.crypto, state_tenant, code)?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("employee vanished")))
}

/// Employee search criteria.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    pub tenant_id: String,
    pub codes: Vec<String>,
    pub names: Vec<String>,
    pub roles: Vec<String>,
    pub uuids: Vec<uuid::Uuid>,
    pub phone: Option<String>,
    pub is_active: Option<bool>,
    pub offset: i64,
    pub limit: i64,
}

/// Employees visible to the caller that work on `tenant_id` (a GP, or the state for all).
pub fn search(
    conn: &mut PgConnection,
    id: Identity<'_>,
    caller: &AuthUser,
    c: &Criteria,
) -> AppResult<(Vec<Employee>, usize)> {
    let readable = readable_tenants(caller);
    let mut q = he::table
        .select(EmployeeRow::as_select())
        .order(he::id)
        .into_boxed();
    if !c.codes.is_empty() {
        q = q.filter(he::code.eq_any(&c.codes));
    }
    if let Some(a) = c.is_active {
        q = q.filter(he::is_active.eq(a));
    }
    let rows = q.load(conn)?;
    let all = load(conn, id.crypto, rows)?;
    let names: Vec<String> = c
        .names
        .iter()
        .map(|n| n.trim().to_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    let phone = c.phone.as_deref().map(str::trim);
    let works_on =
        |e: &Employee, t: &str| e.user.roles.iter().any(|r| tenant_covers(t, &r.tenant_id));
    let list: Vec<Employee> = all
        .into_iter()
        .filter(|e| e.user.id == caller.id || readable.iter().any(|t| works_on(e, t)))
        .filter(|e| works_on(e, &c.tenant_id))
        .filter(|e| c.uuids.is_empty() || c.uuids.contains(&e.user.uuid))
        .filter(|e| c.roles.is_empty() || e.user.roles.iter().any(|r| c.roles.contains(&r.code)))
        .filter(|e| phone.is_none_or(|p| e.user.mobile_number.as_deref() == Some(p)))
        .filter(|e| {
            names.is_empty() || names.iter().any(|n| e.user.name.to_lowercase().contains(n))
        })
        .collect();
    let total = list.len();
    let page = list
        .into_iter()
        .skip(usize::try_from(c.offset.max(0)).unwrap_or(0))
        .take(usize::try_from(c.limit.clamp(1, 200)).unwrap_or(200))
        .collect();
    Ok((page, total))
}

/// Makes existing users employees (an `hrms_employee` row with a new code) unless they are
/// already; the demo's staff are made this way. Returns how many were added.
pub fn enroll(
    conn: &mut PgConnection,
    id: Identity<'_>,
    state_tenant: &str,
    mobiles: &[&str],
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut added = 0;
    for mobile in mobiles {
        let Some(user_id) = users::id_by_login(conn, id, state_tenant, "EMPLOYEE", mobile)? else {
            continue;
        };
        let exists = he::table
            .filter(he::user_id.eq(user_id))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if exists {
            continue;
        }
        let code = crate::platform::idgen::generate(
            conn,
            state_tenant,
            &crate::platform::idgen::IdRequest {
                tenant_id: state_tenant.to_owned(),
                id_name: None,
                format: Some("EMP-[SEQ_HRMS_EMPLOYEE_CODE]".to_owned()),
                count: 1,
            },
            now,
            "employee",
        )?
        .pop()
        .unwrap_or_default();
        diesel::insert_into(he::table)
            .values((
                he::user_id.eq(user_id),
                he::tenant_id.eq(state_tenant),
                he::code.eq(&code),
                he::employee_type.eq("PERMANENT"),
                he::created_at.eq(now),
                he::last_modified_at.eq(now),
            ))
            .execute(conn)?;
        added += 1;
    }
    Ok(added)
}
