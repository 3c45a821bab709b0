//! Who is calling: the authenticated user, the roles they hold on which tenants, and what the
//! gateway asks of the identity and access modules. Below the web layer: services, jobs and the
//! CLI use these types without knowing about HTTP.

use std::sync::Arc;

use diesel::PgConnection;

use crate::error::AppResult;

/// A role held on a tenant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TenantRole {
    pub code: String,
    pub tenant_id: String,
}

/// The authenticated user behind a request.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub user_name: String,
    pub name: String,
    pub mobile_number: Option<String>,
    pub user_type: String,
    pub tenant_id: String,
    pub roles: Vec<TenantRole>,
    /// Still on the password given to them: pages send them to change it first.
    pub must_change_password: bool,
}

impl AuthUser {
    /// An employee of the state tenant holding `roles` (unit tests).
    #[cfg(test)]
    pub fn employee_for_tests(roles: Vec<TenantRole>) -> Self {
        Self {
            id: 1,
            uuid: uuid::Uuid::nil(),
            user_name: "9999999999".into(),
            name: "T".into(),
            mobile_number: None,
            user_type: "EMPLOYEE".into(),
            tenant_id: "pb".into(),
            roles,
            must_change_password: false,
        }
    }

    pub fn has_role_on(&self, role: &str, tenant: &str) -> bool {
        self.roles
            .iter()
            .any(|r| r.code == role && tenant_covers(&r.tenant_id, tenant))
    }
}

/// Who is calling: a user, or nobody (open and mixed routes).
#[derive(Clone, Debug, Default)]
pub struct Caller(pub Option<Arc<AuthUser>>);

impl Caller {
    pub fn user(&self) -> Option<&AuthUser> {
        self.0.as_deref()
    }
}

/// A role on `holder` covers `tenant` when they are the same or `holder` is its state tenant.
pub fn tenant_covers(holder: &str, tenant: &str) -> bool {
    tenant == holder
        || tenant
            .strip_prefix(holder)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// What the gateway needs from the identity and access modules (implemented by [`super::Access`]).
pub trait AccessControl: Send + Sync {
    /// The user a token belongs to, if the token is valid now.
    fn authenticate(&self, conn: &mut PgConnection, token: &str) -> AppResult<Option<AuthUser>>;
    /// The user of a token checked a moment ago, without asking the database.
    fn cached(&self, token: &str) -> Option<AuthUser>;
    /// The roles mapped to any of these action URLs, each with the tenant the mapping holds on.
    fn roles_for_actions(&self, urls: &[String]) -> Vec<TenantRole>;
    /// Reloads the role-action map; returns how many action URLs it holds.
    fn reload(&self, conn: &mut PgConnection) -> diesel::QueryResult<usize>;
    /// The user of a live page session and the GP chosen in it.
    fn session(
        &self,
        conn: &mut PgConnection,
        raw: &str,
    ) -> AppResult<Option<(AuthUser, Option<String>)>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_roles_cover_villages() {
        assert!(tenant_covers("pb", "pb.lodhipur"));
        assert!(tenant_covers("pb.lodhipur", "pb.lodhipur"));
        assert!(!tenant_covers("pb.lodhi", "pb.lodhipur"));
        assert!(!tenant_covers("pb.lodhipur", "pb"));
    }
}
