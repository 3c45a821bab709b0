//! The staff's notifications (product.md §2.2): the bell's unread count on the home page, and
//! `/home/notifications`, the person's events of the GP they work on (unread and read, newest
//! first, ten a page), each with its age, a "New" badge while unread, its text in the page's
//! language from `localizationCode` + `attributes`, the link into the app and a close (×) form
//! that marks it INACTIVE. Opening the page marks the cards it shows READ and remembers the
//! visit (as `lat/_update`). Works without JavaScript.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::db;
use crate::http::page::{self, Form, PageCtx, PageError, PageResult, StaffPage, csrf_forms};
use crate::http::routes::{Access, Routes};
use crate::platform::localization::Locale;
use crate::platform::userevent::service::{self as events, Event, Viewer};
use crate::time::IST;

const PER_PAGE: i64 = 10;

pub fn routes(r: &mut Routes<'_>) {
    let staff = Access::Page(&[]);
    r.get("/home/notifications", staff, list)
        .post("/home/notifications/close", staff, close);
}

/// The role codes held on the GP worked on now.
fn roles_of(page: &StaffPage) -> Vec<String> {
    page.staff
        .roles_here()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The unread events of the person on the GP worked on now (the bell).
pub async fn unread(page: &StaffPage) -> Result<i64, PageError> {
    let (me, tenant, roles) = (page.staff.user.uuid, page.tenant.clone(), roles_of(page));
    let (_, unread) = db::run(&page.state.pool, move |c| {
        events::counts(
            c,
            &Viewer {
                user: me,
                tenant: &tenant,
                by_user: true,
                roles: &roles,
            },
        )
    })
    .await?;
    Ok(unread)
}

struct Card {
    id: String,
    title: String,
    text: String,
    age: String,
    new: bool,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    p: PageCtx,
    cards: Vec<Card>,
    page: i64,
    pages: i64,
}

#[derive(Deserialize)]
struct ListQuery {
    page: Option<String>,
}

fn card(p: &PageCtx, i18n: &crate::platform::localization::Catalog, e: &Event) -> Card {
    let locale = Locale::parse(p.locale).unwrap_or_else(|| i18n.default_locale());
    let gp = p.place_name(&e.tenant_id);
    let args = e.args();
    let mut all: Vec<(&str, &str)> = vec![("GPWSC", &gp)];
    all.extend(args.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let today = Utc::now().with_timezone(&IST).date_naive();
    let days = (today - e.created_at.with_timezone(&IST).date_naive()).num_days();
    let age = match days {
        ..=0 => p.t("NOTIFICATIONS_TODAY"),
        1 => p.t("NOTIFICATIONS_DAY_AGO"),
        n => p.t("NOTIFICATIONS_DAYS_AGO").replace("{n}", &n.to_string()),
    };
    Card {
        id: e.id.to_string(),
        title: p.t(&e.name),
        text: i18n.format(locale, &e.localization_code, &all),
        age,
        new: e.status == "ACTIVE",
        href: e.action_url(),
    }
}

async fn list(mut page: StaffPage, q: web::Query<ListQuery>) -> PageResult {
    let p = page.ctx()?;
    let n = q
        .page
        .as_deref()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let (me, tenant, roles) = (page.staff.user.uuid, page.tenant.clone(), roles_of(&page));
    let (found, total) = db::transaction(&page.state.pool, move |c| {
        let v = Viewer {
            user: me,
            tenant: &tenant,
            by_user: true,
            roles: &roles,
        };
        let shown = ["ACTIVE".to_owned(), "READ".to_owned()];
        let (found, total) = events::search(c, &v, &shown, &[], &[], (n - 1) * PER_PAGE, PER_PAGE)?;
        let unread: Vec<uuid::Uuid> = found
            .iter()
            .filter(|e| e.status == "ACTIVE")
            .map(|e| e.id)
            .collect();
        let now = Utc::now();
        if !unread.is_empty() {
            events::set_status(c, &v, &unread, "READ", now)?;
        }
        events::touch(c, me, now)?;
        Ok((found, total))
    })
    .await?;
    let cards = found
        .iter()
        .map(|e| card(&p, &page.state.i18n, e))
        .collect();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    page.render(
        StatusCode::OK,
        ListPage {
            p,
            cards,
            page: n,
            pages,
        },
    )
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    page: String,
}

csrf_forms!(CloseForm);

/// Closes (× on a card) one of the person's events: INACTIVE, for them alone.
async fn close(page: StaffPage, form: Form<CloseForm>) -> PageResult {
    let Ok(id) = uuid::Uuid::parse_str(form.id.trim()) else {
        return Err(PageError::Status(
            StatusCode::BAD_REQUEST,
            "CORE_PAGE_NOT_FOUND".to_owned(),
        ));
    };
    let back = match form.page.trim().parse::<i64>() {
        Ok(n) if n > 1 => format!("/home/notifications?page={n}"),
        _ => "/home/notifications".to_owned(),
    };
    let (me, tenant, roles) = (page.staff.user.uuid, page.tenant.clone(), roles_of(&page));
    db::transaction(&page.state.pool, move |c| {
        let v = Viewer {
            user: me,
            tenant: &tenant,
            by_user: true,
            roles: &roles,
        };
        events::set_status(c, &v, &[id], "INACTIVE", Utc::now())
    })
    .await
    .map_err(|_| PageError::Status(StatusCode::NOT_FOUND, "CORE_PAGE_NOT_FOUND".to_owned()))?;
    Ok(page::see_other(&back))
}
