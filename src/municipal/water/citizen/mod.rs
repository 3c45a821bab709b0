//! The citizen's side of water (product.md §2.11, issue 15): pages without a login where a
//! household finds its connection, sees its bill (month by month, arrears, penalty, advance,
//! due date, last receipts), downloads the bill and receipt PDFs, pays online through the
//! payment gateway service (`business::pg`) or by UPI (`upi`), and rates the water supply after
//! paying (`feedback`, also `ws-services/wc/_submitfeedback` and `_getfeedback`). The SMS of
//! §5.1 carry short links to these pages (`links`).
//!
//! Who may see what: anyone who names a GP and one of its connection numbers sees that one
//! household's bill, as the original's open-search page did; never a list, the holder's name
//! shortened to what is printed on the bill and the mobile number masked. Every page is limited
//! per client address like the link holder's API calls (`security.anonymous_calls_per_minute`).
//! The pages work without JavaScript; they are plain forms and links.

mod bill_pages;
pub mod feedback_pages;
pub mod links;
mod mobile_pages;
mod pay_pages;
mod repo;
pub mod upi;

use actix_web::http::StatusCode;

use crate::http::page::{Page, PageError};
use crate::http::routes::{Access, Routes};

pub fn routes(r: &mut Routes<'_>) {
    r.get("/citizen", Access::PublicPage, bill_pages::find)
        .get("/citizen/bill", Access::PublicPage, bill_pages::bill)
        .get(
            "/citizen/bill.pdf",
            Access::PublicPage,
            bill_pages::bill_pdf,
        )
        .get(
            "/citizen/receipt.pdf",
            Access::PublicPage,
            bill_pages::receipt_pdf,
        )
        .post("/citizen/otp", Access::PublicPage, mobile_pages::submit)
        .post("/citizen/pay", Access::PublicPage, pay_pages::pay)
        .get("/citizen/paid", Access::PublicPage, pay_pages::paid)
        .get(
            "/citizen/feedback",
            Access::PublicPage,
            feedback_pages::form,
        )
        .post(
            "/citizen/feedback",
            Access::PublicPage,
            feedback_pages::submit_form,
        );
    feedback_pages::api_routes(r);
}

/// Refuses (429, a page in the visitor's language) an address that has opened more citizen
/// pages this minute than a link holder may make calls.
fn limit(page: &Page) -> Result<(), PageError> {
    let st = &page.state;
    let addr = crate::http::client_address(page.request(), st.settings.server.trust_forwarded_for);
    if st.link_limiter.allow(addr, chrono::Utc::now().timestamp()) {
        Ok(())
    } else {
        Err(PageError::Status(
            StatusCode::TOO_MANY_REQUESTS,
            "CITIZEN_TOO_MANY".to_owned(),
        ))
    }
}

/// The first letters of each word of a name and stars (`Gurpreet Kaur` → `Gu***** Ka**`): enough
/// for a household to know itself, not enough to read who lives where.
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let keep: String = w.chars().take(2).collect();
            let rest = w.chars().count().saturating_sub(2);
            format!("{keep}{}", "*".repeat(rest))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A GP code as the citizen pages take it: one GP (`pb.lodhipur`), never the state or a list.
fn gp_code(t: &str) -> Option<String> {
    let t = t.trim();
    (t.starts_with("pb.")
        && t.len() < 64
        && t[3..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    .then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shortened_and_gps_checked() {
        assert_eq!(mask_name("Gurpreet Kaur"), "Gu****** Ka**");
        assert_eq!(mask_name("ਗੁਰਪ੍ਰੀਤ"), "ਗੁ******");
        assert_eq!(gp_code(" pb.lodhipur ").as_deref(), Some("pb.lodhipur"));
        assert!(gp_code("pb").is_none() && gp_code("pb.a,pb.b").is_none());
    }
}
