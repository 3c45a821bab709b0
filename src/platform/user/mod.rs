//! Users: employees, citizens and system users; roles per tenant; passwords (argon2id); server-side
//! access and refresh tokens (stored hashed, revocable); lockout after repeated failures; OTP for
//! password reset and first login; profile and password changes; an audit history of every
//! change. Personal fields are encrypted at rest. Owns `user_*`. Serves `/user/*`,
//! `/user-otp/v1/_send`, and the staff's own screens (`pages.rs`: login, OTP, profile, password).

mod admin;
mod admin_api;
mod api;
pub mod cache;
mod credentials;
pub mod model;
pub mod otp;
mod pages;
pub mod repo;
mod search;
pub mod service;
pub mod session;
mod tokens;
mod users;

pub use api::user_json as api_user_json;
pub use model::{RoleOf, User};
pub use service::{
    Identity, NewUser, Tokens, authenticate, authenticate_until, create_user, issue_token,
};

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    admin_api::routes(r);
    pages::routes(r);
}
