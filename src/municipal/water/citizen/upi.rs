//! Paying a GP by UPI: where the GP's UPI address (VPA) is kept, the `upi://pay` intent link
//! for a bill, and its QR code as SVG (the bill page) or as squares (the bill PDF).
//!
//! A GP's VPA is a row of `water_upi` (one per GP, checked by the database: `name@bank`), set
//! with `mgramseva upi set <tenant> <vpa>` or by SQL; no row, no UPI on the bill. What is paid
//! by UPI reaches the GP's bank account directly: the counter staff record it as a payment
//! (or the gateway that receives it reconciles it).

use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::error::{AppError, AppResult};

/// The GP's UPI address, if it has one.
pub fn vpa(conn: &mut PgConnection, tenant: &str) -> QueryResult<Option<String>> {
    super::repo::vpa(conn, tenant)
}

/// Sets (or, with `None`, removes) the GP's UPI address. A malformed address is refused by the
/// database's check and reported as a 400.
pub fn set(conn: &mut PgConnection, tenant: &str, vpa: Option<&str>) -> AppResult<()> {
    match vpa {
        Some(v) => {
            super::repo::set_vpa(conn, tenant, v.trim()).map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::CheckViolation,
                    _,
                ) => AppError::invalid_field(
                    crate::error::codes::INVALID_VALUE,
                    "not a UPI address (name@bank)",
                    "vpa",
                ),
                other => other.into(),
            })?;
        }
        None => {
            super::repo::remove_vpa(conn, tenant)?;
        }
    }
    Ok(())
}

/// The UPI intent for paying `amount` on bill `bill_no` to `vpa` (payee `gp_name`): what a
/// phone's UPI apps open, and what the QR code holds.
pub fn intent(vpa: &str, gp_name: &str, amount: Decimal, bill_no: &str) -> String {
    let e = crate::words::urlencode;
    format!(
        "upi://pay?pa={}&pn={}&am={}&tn={}&cu=INR",
        // a VPA is letters, digits, `._-` and one `@` (checked when set): as it is, since
        // some UPI apps do not decode `%40`
        vpa.replace(
            |c: char| !(c.is_ascii_alphanumeric() || "._-@".contains(c)),
            ""
        ),
        e(gp_name),
        amount.round_dp(2),
        e(bill_no)
    )
}

/// The QR code of `text`: its width in modules and which are dark, row by row.
pub fn modules(text: &str) -> Option<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let w = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some((w, dark))
}

/// The QR code of `text` as an SVG element: one path, runs of dark modules as rectangles, a
/// quiet zone of four modules, scaled by the page (no style attribute: the pages' policy).
pub fn svg(text: &str) -> Option<String> {
    let (w, dark) = modules(text)?;
    let mut d = String::new();
    for y in 0..w {
        let mut x = 0;
        while x < w {
            if dark[y * w + x] {
                let start = x;
                while x < w && dark[y * w + x] {
                    x += 1;
                }
                d.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + 4,
                    y + 4,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    let side = w + 8;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"200\" height=\"200\" role=\"img\" shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{d}\"/></svg>"
    ))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    #[test]
    fn the_intent_names_payee_amount_and_bill() {
        let i = intent(
            "lodhipur.gpwsc@sbi",
            "Lodhipur",
            Decimal::new(17000, 2),
            "WSB/7374/1",
        );
        assert_eq!(
            i,
            "upi://pay?pa=lodhipur.gpwsc@sbi&pn=Lodhipur&am=170.00&tn=WSB/7374/1&cu=INR"
        );
        let (w, dark) = modules(&i).unwrap();
        assert_eq!(dark.len(), w * w);
        // the three finder patterns: the top-left module is dark
        assert!(dark[0] && dark[w - 1] && dark[(w - 1) * w]);
        let s = svg(&i).unwrap();
        assert!(s.starts_with("<svg") && s.contains("M4 4h7v1h-7z"), "{s}");
    }
}
