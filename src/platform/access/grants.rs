//! Who may grant which roles, and where (product.md §1.2, HRMS): the state admin creates
//! division users, a division admin creates the GP's Sarpanch, Secretary and Revenue Collector on
//! its GPs, a superuser anything. Used by HRMS and by `/user/users/_createnovalidate`, so a user
//! with roles can only be made by someone allowed to grant them.

use crate::platform::access::identity::{AuthUser, TenantRole, tenant_covers};

/// Roles a division admin may grant on its GPs.
pub const DIVISION_GRANTS: &[&str] = &["SARPANCH", "SECRETARY", "REVENUE_COLLECTOR", "EMPLOYEE"];
/// Roles the state admin may grant (division users).
pub const STATE_GRANTS: &[&str] = &["DIV_ADMIN", "HRMS_ADMIN", "EMPLOYEE"];

/// What a caller may grant, and where. `None` means any role.
#[derive(Clone, Debug)]
pub struct Grant {
    pub tenant: String,
    pub roles: Option<&'static [&'static str]>,
}

pub fn grants_of(caller: &AuthUser) -> Vec<Grant> {
    caller
        .roles
        .iter()
        .filter_map(|r| {
            let roles = match r.code.as_str() {
                "SUPERUSER" => None,
                "STATE_ADMIN" => Some(STATE_GRANTS),
                "DIV_ADMIN" => Some(DIVISION_GRANTS),
                _ => return None,
            };
            Some(Grant {
                tenant: r.tenant_id.clone(),
                roles,
            })
        })
        .collect()
}

pub fn may_grant(grants: &[Grant], role: &TenantRole) -> bool {
    grants.iter().any(|g| {
        tenant_covers(&g.tenant, &role.tenant_id)
            && g.roles.is_none_or(|rs| rs.contains(&role.code.as_str()))
    })
}

/// Whether any grant covers `tenant` (a user is made on a tenant its maker administers).
pub fn administers(grants: &[Grant], tenant: &str) -> bool {
    grants.iter().any(|g| tenant_covers(&g.tenant, tenant))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[(&str, &str)]) -> AuthUser {
        AuthUser::employee_for_tests(roles.iter().map(|(c, t)| role(c, t)).collect())
    }

    fn role(c: &str, t: &str) -> TenantRole {
        TenantRole {
            code: c.to_owned(),
            tenant_id: t.to_owned(),
        }
    }

    #[test]
    fn who_grants_what_where() {
        let div = grants_of(&user(&[
            ("DIV_ADMIN", "pb.lodhipur"),
            ("EMPLOYEE", "pb.lodhipur"),
        ]));
        assert!(may_grant(&div, &role("SECRETARY", "pb.lodhipur")));
        assert!(!may_grant(&div, &role("SECRETARY", "pb.kalwan")));
        assert!(!may_grant(&div, &role("SUPERUSER", "pb.lodhipur")));
        assert!(!may_grant(&div, &role("DIV_ADMIN", "pb.lodhipur")));
        assert!(administers(&div, "pb.lodhipur") && !administers(&div, "pb"));
        let state = grants_of(&user(&[("STATE_ADMIN", "pb")]));
        assert!(may_grant(&state, &role("DIV_ADMIN", "pb.kalwan")));
        assert!(!may_grant(&state, &role("SUPERUSER", "pb")));
        let su = grants_of(&user(&[("SUPERUSER", "pb")]));
        assert!(may_grant(&su, &role("SUPERUSER", "pb")));
        assert!(
            grants_of(&user(&[
                ("EMPLOYEE", "pb.lodhipur"),
                ("GP_ADMIN", "pb.lodhipur")
            ]))
            .is_empty()
        );
    }
}
