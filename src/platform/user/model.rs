//! Rows of the user tables and the decrypted view of a user.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::user_account;
use crate::platform::access::identity::{AuthUser, TenantRole};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = user_account)]
pub struct UserRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub tenant_id: String,
    pub user_type: String,
    pub user_name_enc: String,
    pub name_enc: String,
    pub mobile_enc: Option<String>,
    pub email_enc: Option<String>,
    pub father_or_husband_name_enc: Option<String>,
    pub gender: Option<String>,
    pub locale: Option<String>,
    pub password_hash: Option<String>,
    pub default_pwd_chgd: bool,
    pub pwd_expiry_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    pub last_modified_at: DateTime<Utc>,
}

/// A user with personal fields decrypted and roles attached.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub tenant_id: String,
    pub user_type: String,
    pub user_name: String,
    pub name: String,
    pub mobile_number: Option<String>,
    pub email: Option<String>,
    pub father_or_husband_name: Option<String>,
    pub gender: Option<String>,
    pub locale: Option<String>,
    pub default_pwd_chgd: bool,
    pub pwd_expiry_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub roles: Vec<RoleOf>,
    pub created_by: Option<uuid::Uuid>,
    /// The id of the user who created this one (None: unknown, or not a user).
    pub created_by_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_modified_by: Option<uuid::Uuid>,
    /// The id of the user who changed this one last (None: unknown, or not a user).
    pub last_modified_by_id: Option<i64>,
    pub last_modified_at: DateTime<Utc>,
}

/// A role held on a tenant, with the role's display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleOf {
    pub code: String,
    pub name: String,
    pub tenant_id: String,
}

impl User {
    pub fn tenant_roles(&self) -> Vec<TenantRole> {
        self.roles
            .iter()
            .map(|r| TenantRole {
                code: r.code.clone(),
                tenant_id: r.tenant_id.clone(),
            })
            .collect()
    }

    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

/// The signed-in caller a user is, once a token or session has been found live.
impl From<User> for AuthUser {
    fn from(u: User) -> Self {
        AuthUser {
            id: u.id,
            uuid: u.uuid,
            roles: u.tenant_roles(),
            must_change_password: !u.default_pwd_chgd,
            user_name: u.user_name,
            name: u.name,
            mobile_number: u.mobile_number,
            user_type: u.user_type,
            tenant_id: u.tenant_id,
        }
    }
}
