//! The demo gram panchayat: a real pilot GP from the master data (Lodhipur, Sri Anandpur Sahib
//! division) with one login per kind of staff, and a second GP of the same division (Abiana
//! Kalan) with its own sarpanch, so the division's views compare two GPs. The division admin
//! holds the division's GPs, as a division user created by the state does. Running it again
//! resets the demo passwords and prints them again; nothing else is duplicated.

use diesel::prelude::*;
use rand::RngExt as _;

use chrono::Utc;

use crate::config::{Secret, Settings};
use crate::platform::access::identity::TenantRole;
use crate::platform::encryption::Crypto;
use crate::platform::user::service::{self, Identity, NewUser};

pub mod expenses;
pub mod households;
mod people;

pub const DEMO_TENANT: &str = "pb.lodhipur";
/// The second demo GP, in the same division (DIV1038, Sri Anandpur Sahib).
pub const SECOND_TENANT: &str = "pb.abianakalan";
const DEMO_DIVISION: &str = "DIV1038";
/// The jobs whose roll-ups the demo fills at once (the views read them, not the ledger).
pub const ROLLUP_JOBS: &[&str] = &["rollout-dashboard", "state-view"];

/// Where a demo login's GP roles are held.
#[derive(Clone, Copy)]
enum Gps {
    One(&'static str),
    /// Every GP of the division.
    Division,
}

pub struct Login {
    pub who: &'static str,
    pub mobile: &'static str,
    pub password: String,
    pub roles: String,
}

/// (who, mobile, name, roles on their GPs, roles on the state tenant, their GPs)
type Staff = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    Gps,
);

const STAFF: &[Staff] = &[
    (
        "Sarpanch",
        "9000000001",
        "Gurpreet Kaur",
        &[
            "SARPANCH",
            "GP_ADMIN",
            "COLLECTION_OPERATOR",
            "BULK_DEMAND_PROCESSING",
            "EXPENSE_PROCESSING",
            "DASHBOARD_VIEWER",
            "EMPLOYEE",
        ],
        &[],
        Gps::One(DEMO_TENANT),
    ),
    (
        "Revenue collector",
        "9000000002",
        "Harjit Singh",
        &["COLLECTION_OPERATOR", "DASHBOARD_VIEWER", "EMPLOYEE"],
        &[],
        Gps::One(DEMO_TENANT),
    ),
    (
        "Division admin",
        "9000000003",
        "Manpreet Sandhu",
        &["DIV_ADMIN", "HRMS_ADMIN", "EMPLOYEE"],
        &[],
        Gps::Division,
    ),
    (
        "State admin",
        "9000000004",
        "Rajinder Bedi",
        &[],
        &["STATE_ADMIN", "HRMS_ADMIN", "EMPLOYEE"],
        Gps::One(DEMO_TENANT),
    ),
    (
        "Superuser",
        "9000000005",
        "System Administrator",
        &[],
        &["SUPERUSER", "EMPLOYEE"],
        Gps::One(DEMO_TENANT),
    ),
    (
        "Sarpanch, 2nd GP",
        "9000000006",
        "Baljit Kaur Saini",
        &[
            "SARPANCH",
            "GP_ADMIN",
            "COLLECTION_OPERATOR",
            "BULK_DEMAND_PROCESSING",
            "EXPENSE_PROCESSING",
            "DASHBOARD_VIEWER",
            "EMPLOYEE",
        ],
        &[],
        Gps::One(SECOND_TENANT),
    ),
];

fn random_password() -> String {
    // Satisfies the product rule: letters, a digit and one of # ? ! @ $ % ^ & * -.
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let mut s: String = (0..6)
        .map(|_| char::from(LETTERS[rng.random_range(0..LETTERS.len())]))
        .collect();
    s.push_str(&format!(
        "{}@{}",
        rng.random_range(10..100),
        rng.random_range(10..100)
    ));
    s
}

/// Creates (or resets) the demo staff; returns their logins.
pub fn setup(conn: &mut PgConnection, settings: &Settings) -> anyhow::Result<Vec<Login>> {
    let state = settings.app.state_tenant.as_str();
    let crypto = Crypto::from_settings(&settings.security)?;
    let id = Identity::new(&crypto, &settings.security);
    let now = Utc::now();
    let err = |e: crate::error::AppError| anyhow::anyhow!("{}: {:?}", e.code(), e.details());
    conn.transaction(|c| {
        let division: Vec<String> =
            crate::platform::mdms::repo::tenants_of_division(c, DEMO_DIVISION)?
                .into_iter()
                .map(|t| t.code)
                .collect();
        let mut out = Vec::new();
        for (who, mobile, name, gp_roles, state_roles, gps) in STAFF {
            let gps: Vec<&str> = match gps {
                Gps::One(t) => vec![*t],
                // (the demo GP first: the GP a login opens on)
                Gps::Division => std::iter::once(DEMO_TENANT)
                    .chain(
                        division
                            .iter()
                            .map(String::as_str)
                            .filter(|t| *t != DEMO_TENANT),
                    )
                    .collect(),
            };
            let password =
                std::env::var("MGRAMSEVA_DEMO_PASSWORD").unwrap_or_else(|_| random_password());
            let secret = Secret::new(password.clone());
            let roles: Vec<TenantRole> = gps
                .iter()
                .flat_map(|t| {
                    gp_roles.iter().map(move |r| TenantRole {
                        code: (*r).to_owned(),
                        tenant_id: (*t).to_owned(),
                    })
                })
                .chain(state_roles.iter().map(|r| TenantRole {
                    code: (*r).to_owned(),
                    tenant_id: state.to_owned(),
                }))
                .collect();
            match service::id_by_login(c, id, state, "EMPLOYEE", mobile).map_err(err)? {
                Some(user_id) => {
                    let user = service::get(c, &crypto, user_id)
                        .map_err(err)?
                        .ok_or_else(|| anyhow::anyhow!("user vanished"))?;
                    service::set_password(
                        c,
                        &settings.security,
                        &user,
                        &secret,
                        None,
                        "DEMO_PASSWORD_RESET",
                        now,
                    )
                    .map_err(err)?;
                    service::add_roles(c, user_id, &roles).map_err(err)?;
                }
                None => {
                    let mut new = NewUser::employee(state, mobile, name, roles.clone());
                    new.password = Some(secret);
                    new.locale = Some("pa_IN".to_owned());
                    let user = service::create_user(c, id, &new, None, now).map_err(err)?;
                    // Demo staff skip the first-login password change.
                    service::mark_password_changed(c, user.id).map_err(err)?;
                }
            }
            let roles = if gps.len() > 2 {
                format!(
                    "{} on the {} GPs of {DEMO_DIVISION}",
                    gp_roles.join(", "),
                    gps.len()
                )
            } else {
                roles
                    .iter()
                    .map(|r| format!("{}@{}", r.code, r.tenant_id))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(Login {
                who,
                mobile,
                password,
                roles,
            });
        }
        // The staff are employees too, so they show in the employee screens.
        let mobiles: Vec<&str> = STAFF.iter().map(|s| s.1).collect();
        crate::business::hrms::service::enroll(c, id, state, &mobiles, now).map_err(err)?;
        Ok(out)
    })
}

pub fn print(logins: &[Login], settings: &Settings) {
    println!();
    println!(
        "Demo gram panchayats: {DEMO_TENANT} (Lodhipur) and {SECOND_TENANT} (Abiana Kalan), Sri Anandpur Sahib division"
    );
    println!(
        "Open {}/ ; demo logins (mobile number / password):",
        settings.app.base_url
    );
    for l in logins {
        println!("  {:<18} {}  {}   {}", l.who, l.mobile, l.password, l.roles);
    }
    println!("(Running the demo again resets these passwords.)");
    println!();
}
