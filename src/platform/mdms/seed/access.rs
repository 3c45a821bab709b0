//! The access masters: roles, actions (the API and menu entries) and which role may take which
//! action.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::{Files, bad, parse_json};
use crate::platform::mdms::model::{Action, Role, RoleAction};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleJson {
    code: String,
    name: String,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionJson {
    id: i32,
    name: String,
    url: String,
    display_name: Option<String>,
    service_code: Option<String>,
    parent_module: Option<String>,
    enabled: bool,
    order_number: Option<i32>,
    path: Option<String>,
    #[serde(rename = "navigationURL")]
    navigation_url: Option<String>,
    left_icon: Option<String>,
    right_icon: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleActionJson {
    role_code: String,
    action_id: i32,
}

/// `roles.json`.
pub(super) fn roles(files: &Files) -> anyhow::Result<Vec<Role>> {
    let f = "roles.json";
    let roles: Vec<RoleJson> = parse_json(f, files.get(f))?;
    let mut role_codes = BTreeSet::new();
    let mut out = Vec::new();
    for (i, r) in roles.into_iter().enumerate() {
        if r.code.trim().is_empty() || !role_codes.insert(r.code.clone()) {
            return Err(bad(
                f,
                i + 1,
                format!("code {:?} is empty or repeated", r.code),
            ));
        }
        out.push(Role {
            code: r.code,
            name: r.name,
            description: r.description.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// `actions.json`.
pub(super) fn actions(files: &Files) -> anyhow::Result<Vec<Action>> {
    let f = "actions.json";
    let actions: Vec<ActionJson> = parse_json(f, files.get(f))?;
    let mut action_ids = BTreeSet::new();
    let mut out = Vec::new();
    for (i, a) in actions.into_iter().enumerate() {
        if !action_ids.insert(a.id) {
            return Err(bad(f, i + 1, format!("id {} is repeated", a.id)));
        }
        if a.url.trim().is_empty() {
            return Err(bad(f, i + 1, "url is required"));
        }
        out.push(Action {
            id: a.id,
            name: a.name,
            url: a.url,
            display_name: a.display_name.unwrap_or_default(),
            service_code: a.service_code.unwrap_or_default(),
            parent_module: a.parent_module.unwrap_or_default(),
            enabled: a.enabled,
            order_number: a.order_number.unwrap_or(0),
            path: a.path.unwrap_or_default(),
            navigation_url: a.navigation_url,
            left_icon: a.left_icon,
            right_icon: a.right_icon,
        });
    }
    Ok(out)
}

/// `role-actions.json`, against the roles and actions (a pair given twice is kept once).
pub(super) fn role_actions(
    files: &Files,
    state_tenant: &str,
    roles: &[Role],
    actions: &[Action],
) -> anyhow::Result<Vec<RoleAction>> {
    let f = "role-actions.json";
    let ras: Vec<RoleActionJson> = parse_json(f, files.get(f))?;
    let role_codes: BTreeSet<&str> = roles.iter().map(|r| r.code.as_str()).collect();
    let action_ids: BTreeSet<i32> = actions.iter().map(|a| a.id).collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, ra) in ras.into_iter().enumerate() {
        if !role_codes.contains(ra.role_code.as_str()) {
            return Err(bad(
                f,
                i + 1,
                format!("roleCode {} is not a role", ra.role_code),
            ));
        }
        if !action_ids.contains(&ra.action_id) {
            return Err(bad(
                f,
                i + 1,
                format!("actionId {} is not an action", ra.action_id),
            ));
        }
        if seen.insert((ra.role_code.clone(), ra.action_id)) {
            out.push(RoleAction {
                tenant_id: state_tenant.to_owned(),
                role_code: ra.role_code,
                action_id: ra.action_id,
            });
        }
    }
    Ok(out)
}
