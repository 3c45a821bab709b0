//! Users: employees, citizens and system users, their roles per tenant, passwords (argon2id) and
//! server-side tokens (stored hashed, revocable). Owns `user_account`, `user_role`, `user_token`.
//! This is the minimal core the gateway needs; logins over HTTP, OTP and HRMS build on it.

pub mod service;

pub use service::{
    NewUser, authenticate, create_user, hash_password, issue_token, set_password, verify_password,
};
