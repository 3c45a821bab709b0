//! The staff shell's home: the tiles of the roles held on the chosen GP, each declared by the
//! module whose screen it opens, and the GP switch.

use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use crate::db;
use crate::http::page::{self, Form, PageCtx, PageError, PageResult, StaffPage, Tile, csrf_forms};
use crate::http::routes::{Access, Routes};
use crate::platform::access::identity::tenant_covers;
use crate::platform::user::session;

pub fn routes(r: &mut Routes<'_>) {
    let staff = Access::Page(&[]);
    r.get("/home", staff, home)
        .post("/home/gp", staff, switch_gp);
}

/// Every tile, in the order of product.md §1.2 (the React HRMS screens become the Employees
/// tile): the modules' declarations.
fn all_tiles() -> Vec<&'static Tile> {
    let mut all: Vec<&'static Tile> = [
        crate::business::hrms::TILES,
        crate::business::pg::TILES,
        crate::municipal::water::TILES,
        crate::municipal::calculator::TILES,
        crate::municipal::echallan::TILES,
        crate::municipal::echallan::reports_pages::TILES,
        crate::municipal::rollout::TILES,
        crate::municipal::dashboard::TILES,
        crate::municipal::books::TILES,
        crate::municipal::stateview::TILES,
        crate::jobs::pages::TILES,
        crate::platform::notification::TILES,
    ]
    .into_iter()
    .flatten()
    .collect();
    all.sort_by_key(|t| t.place);
    all
}

/// The tiles someone holding `roles` sees.
pub fn tiles_for(roles: &[&str]) -> Vec<&'static Tile> {
    all_tiles()
        .into_iter()
        .filter(|t| t.roles.is_empty() || t.roles.iter().any(|r| roles.contains(r)))
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    p: PageCtx,
    tiles: Vec<&'static Tile>,
    /// The bell: unread notifications on this GP.
    unread: i64,
    unread_text: String,
}

async fn home(mut page: StaffPage) -> PageResult {
    let p = page.ctx()?;
    let tiles = tiles_for(&page.staff.roles_here());
    let unread = super::notifications::unread(&page).await?;
    let unread_text = p
        .t("NOTIFICATIONS_UNREAD_COUNT")
        .replace("{count}", &unread.to_string());
    page.render(
        StatusCode::OK,
        HomePage {
            p,
            tiles,
            unread,
            unread_text,
        },
    )
}

#[derive(Deserialize)]
struct GpForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    tenant: String,
}

csrf_forms!(GpForm);

async fn switch_gp(page: StaffPage, form: Form<GpForm>) -> PageResult {
    let t = form.tenant.trim().to_owned();
    if !page
        .staff
        .user
        .roles
        .iter()
        .any(|r| tenant_covers(&r.tenant_id, &t))
    {
        return Err(PageError::Status(
            StatusCode::FORBIDDEN,
            "CORE_NOT_AUTHORIZED".to_owned(),
        ));
    }
    let raw = page.staff.session.clone();
    db::run(&page.state.pool, move |c| session::set_tenant(c, &raw, &t)).await?;
    Ok(page::see_other("/home"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(roles: &[&str]) -> Vec<&'static str> {
        tiles_for(roles).iter().map(|t| t.key).collect()
    }

    #[test]
    fn a_tile_never_leads_to_a_page_its_holders_may_not_open() {
        use crate::http::routes::{Access, Lookup};
        let table = crate::route_table();
        for t in all_tiles() {
            let Lookup::Declared(Access::Page(page)) =
                table.lookup(&actix_web::http::Method::GET, t.href)
            else {
                panic!("{}: {} is not a staff page", t.key, t.href);
            };
            assert!(
                page.is_empty()
                    || (!t.roles.is_empty() && t.roles.iter().all(|r| page.contains(r))),
                "{}: {:?} may not all open {}",
                t.key,
                t.roles,
                t.href
            );
        }
    }

    #[test]
    fn every_place_is_taken_once() {
        let places: Vec<u8> = all_tiles().iter().map(|t| t.place).collect();
        assert_eq!(places, (1..=18).collect::<Vec<u8>>());
    }

    #[test]
    fn tiles_follow_the_roles_of_product_1_2() {
        assert_eq!(
            keys(&["REVENUE_COLLECTOR"]),
            [
                "CORE_HOUSEHOLD_REGISTER",
                "CORE_COLLECT_PAYMENTS",
                "CORE_DOWNLOAD_BILLS_AND_RECEIPTS",
                "CORE_CONSUMER_CREATE",
                "CORE_UPDATE_CONSUMER_DETAILS",
                "CORE_GPWSC_DASHBOARD",
                "CORE_GPWSC_DETAILS_AND_RATE_INFO",
                "CORE_REPORTS",
                "PG_ONLINE_PAYMENTS",
                "CORE_GP_BOOKS"
            ]
        );
        assert_eq!(
            keys(&["EXPENSE_PROCESSING"]),
            [
                "CORE_ADD_EXPENSES_RECORD",
                "CORE_UPDATE_EXPENSES",
                "CORE_GPWSC_DETAILS_AND_RATE_INFO"
            ]
        );
        assert_eq!(
            keys(&["BULK_DEMAND_PROCESSING"]),
            [
                "CORE_DOWNLOAD_BILLS_AND_RECEIPTS",
                "CORE_GENERATE_DEMAND",
                "CORE_GPWSC_DETAILS_AND_RATE_INFO"
            ]
        );
        assert_eq!(
            keys(&["STATE_ADMIN", "HRMS_ADMIN"]),
            [
                "CORE_GPWSC_DETAILS_AND_RATE_INFO",
                "CORE_EMPLOYEES",
                "ROLLOUT_TITLE",
                "JOBS_TITLE",
                "SMS_MONTH_TITLE",
                "CORE_DIVISION_STATE_VIEW"
            ]
        );
        assert_eq!(
            keys(&["SARPANCH"]).len(),
            14,
            "everything but Employees (with the month's SMS and the books)"
        );
        assert_eq!(keys(&["EMPLOYEE"]), ["CORE_GPWSC_DETAILS_AND_RATE_INFO"]);
        assert!(
            keys(&["GP_ADMIN"]).contains(&"CORE_EMPLOYEES"),
            "a GP admin reads its staff and their history"
        );
    }
}
