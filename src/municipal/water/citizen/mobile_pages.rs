//! "Find my connections" by the holder's mobile number (product.md §2.11): the number gets a
//! one-time code by SMS (`platform::user::otp`, purpose `households`: limited per number, per
//! client address and in all, like register), and the right code lists the active households
//! held on that number in every GP (one: straight to its bill). The answers are the same
//! whether or not the number holds any, so the form does not tell who has a connection.

use actix_web::http::StatusCode;
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::super::service::{self, Ctx};
use super::{bill_pages::bill_path, limit, mask_name};
use crate::db;
use crate::error::AppError;
use crate::http::page::{self, Form, Page, PageCtx, PageResult, csrf_forms};
use crate::platform::encryption::mask_mobile;
use crate::platform::localization::Locale;
use crate::platform::user::otp::{self, Checked, OtpRequest, Purpose};

#[derive(Deserialize)]
pub(super) struct MobileForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    mobile: String,
    /// Empty when asking for a code.
    #[serde(default)]
    code: String,
}

csrf_forms!(MobileForm);

#[derive(Template)]
#[template(path = "citizen/mobile.html")]
struct MobilePage {
    p: PageCtx,
    mobile: String,
    masked: String,
    /// The code form is shown (a code was asked for).
    asked: bool,
    error: String,
    /// The households found: (bill link, GP, connection number, holder shortened).
    found: Vec<(String, String, String, String)>,
}

/// A 10-digit Indian mobile number as typed (spaces, `+91` or a leading 0 allowed).
fn mobile_of(s: &str) -> Option<String> {
    let digits: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let d = digits
        .strip_prefix("+91")
        .or_else(|| digits.strip_prefix('0').filter(|d| d.len() == 10))
        .unwrap_or(&digits);
    (d.len() == 10 && d.chars().all(|c| c.is_ascii_digit()) && d.as_bytes()[0] >= b'6')
        .then(|| d.to_owned())
}

/// `POST /citizen/otp`: a code asked for (no `code`), or a code typed (with it).
pub(super) async fn submit(mut page: Page, form: Form<MobileForm>) -> PageResult {
    limit(&page)?;
    let f = form.into_inner();
    let p = page.ctx();
    let mut shown = MobilePage {
        mobile: String::new(),
        masked: String::new(),
        asked: false,
        error: String::new(),
        found: Vec::new(),
        p,
    };
    let Some(mobile) = mobile_of(&f.mobile) else {
        shown.mobile = f.mobile.chars().take(20).collect();
        shown.error = shown.p.t("CITIZEN_BAD_MOBILE");
        return page.render(StatusCode::UNPROCESSABLE_ENTITY, shown);
    };
    shown.masked = mask_mobile(&mobile);
    shown.mobile = mobile.clone();
    let locale = Locale::parse(shown.p.locale).unwrap_or_default();
    let st = page.state.clone();
    let client =
        crate::http::client_address(page.request(), st.settings.server.trust_forwarded_for);
    let code = f.code.trim().to_owned();
    if code.is_empty() {
        let sent = db::transaction(&page.state.pool, move |c| {
            let holds = !service::households_of_mobile(c, Ctx::of(&st), &mobile)?.is_empty();
            let req = OtpRequest {
                tenant: &st.settings.app.state_tenant,
                mobile: &mobile,
                purpose: Purpose::Households,
                user_type: "CITIZEN",
                locale,
                client,
            };
            otp::send_households(c, st.identity(), &st.i18n, &req, holds, Utc::now())
        })
        .await;
        shown.asked = true;
        return match sent {
            Ok(_) => {
                crate::platform::notification::kick(&page.state);
                page.render(StatusCode::OK, shown)
            }
            Err(AppError::Client { status, .. }) if status == StatusCode::TOO_MANY_REQUESTS => {
                shown.error = shown.p.t("CITIZEN_CODE_LIMIT");
                page.render(StatusCode::TOO_MANY_REQUESTS, shown)
            }
            Err(e) => Err(e.into()),
        };
    }
    // The wrong try is counted even though the answer is an error: committed either way.
    let checked = db::transaction(&page.state.pool, move |c| {
        let ctx = Ctx::of(&st);
        let found = service::households_of_mobile(c, ctx, &mobile)?;
        let right = otp::check_code(
            c,
            st.identity(),
            &mobile,
            Purpose::Households,
            &code,
            !found.is_empty(),
            Utc::now(),
        )?;
        let found: Vec<_> = found
            .into_iter()
            .map(|h| {
                let t = h.connection.tenant_id.clone();
                let no = h.connection.connection_no.clone();
                (
                    bill_path(&t, &no),
                    st.i18n.place_name(locale, &t),
                    no,
                    mask_name(&h.owner.name),
                )
            })
            .collect();
        Ok((right, found))
    })
    .await?;
    shown.asked = true;
    match checked {
        (Checked::Right, found) => {
            if let [(link, _, _, _)] = found.as_slice() {
                return Ok(page::see_other(link));
            }
            shown.asked = false;
            shown.found = found;
            if shown.found.is_empty() {
                shown.error = shown.p.t("CITIZEN_NO_CONNECTIONS");
            }
            page.render(StatusCode::OK, shown)
        }
        (Checked::Wrong, _) => {
            shown.error = shown.p.t("CITIZEN_WRONG_CODE");
            page.render(StatusCode::UNPROCESSABLE_ENTITY, shown)
        }
        (Checked::NoValidCode, _) => {
            shown.error = shown.p.t("CITIZEN_CODE_EXPIRED");
            page.render(StatusCode::UNPROCESSABLE_ENTITY, shown)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mobile_of;

    #[test]
    fn mobile_numbers_as_people_type_them() {
        assert_eq!(mobile_of("98765 43210").as_deref(), Some("9876543210"));
        assert_eq!(mobile_of("+91 98765-43210").as_deref(), Some("9876543210"));
        assert_eq!(mobile_of("09876543210").as_deref(), Some("9876543210"));
        assert_eq!(mobile_of("987654321"), None);
        assert_eq!(mobile_of("1234567890"), None);
        assert_eq!(mobile_of("98765432a0"), None);
        assert_eq!(mobile_of("98765\u{0}43210"), None);
    }
}
