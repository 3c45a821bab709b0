//! Staff pages for expenses (product.md §2.6): add an expense bill (type, vendor picked from the
//! GP's vendors or new, amount, dates, paid or not, a photo or file of the bill), search the
//! GP's bills (vendor, type, bill number; tabs All / Paid / Pending with counts), and a bill's
//! details with modify, mark paid and cancel, each after a confirmation page. Every page is for
//! the expense roles of product.md §1.2 on the GP worked on; a bill of another GP is not found.
//! The pages call the expense service through `face` only.

mod add;
mod detail;
mod face;
mod search;

use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use crate::error::AppError;
use crate::http::page::{PageCtx, Tile};
use crate::http::routes::{Access, Routes};
use crate::time::IST;

/// Who adds, finds and changes expense bills (product.md §1.2: Add Expense Record, Update
/// Expenses).
pub const EXPENSE_ROLES: &[&str] = &[
    "EXPENSE_PROCESSING",
    "SUPERUSER",
    "DIV_ADMIN",
    "SARPANCH",
    "SECRETARY",
];

/// The home tiles of the expense screens.
pub const TILES: &[Tile] = &[
    Tile {
        place: 4,
        key: "CORE_ADD_EXPENSES_RECORD",
        href: "/home/addExpense",
        roles: EXPENSE_ROLES,
    },
    Tile {
        place: 5,
        key: "CORE_UPDATE_EXPENSES",
        href: "/home/searchExpense",
        roles: EXPENSE_ROLES,
    },
];

pub fn routes(r: &mut Routes<'_>) {
    let expense = Access::Page(EXPENSE_ROLES);
    r.get("/home/addExpense", expense, add::form)
        .post("/home/addExpense", expense, add::create)
        .get("/home/searchExpense", expense, search::search)
        .get("/home/updateExpense", expense, detail::show)
        .post("/home/updateExpense/confirm", expense, detail::confirm)
        .post("/home/updateExpense", expense, detail::apply);
}

/// An expense form as typed (add and modify): every field a string, read by the handlers.
#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct ExpenseForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    /// The bill being modified (empty when adding).
    #[serde(default)]
    no: String,
    /// On a bill: "edit", "paid" or "cancel".
    #[serde(default)]
    action: String,
    #[serde(rename = "type", default)]
    type_code: String,
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    bill_date: String,
    #[serde(default)]
    party_date: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// "yes" or "no" (adding only).
    #[serde(default)]
    paid: String,
    #[serde(default)]
    paid_date: String,
}

crate::http::page::csrf_forms!(ExpenseForm);

/// Today in India.
fn today() -> NaiveDate {
    Utc::now().with_timezone(&IST).date_naive()
}

/// A date field (yyyy-mm-dd) as a date.
fn date_of(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// A date as a date field holds it.
fn field_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A date as staff read it.
fn shown_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A type of expense by name, in the page's language.
fn type_name(p: &PageCtx, code: &str) -> String {
    p.t(code)
}

/// A status in the page's language.
fn status_name(p: &PageCtx, status: &str) -> String {
    p.t(match status {
        "PAID" => "PAID",
        "CANCELLED" => "CANCELLED",
        _ => "UN_PAID",
    })
}

/// One field error: the field's label key and what is wrong with it (a key).
type FieldError = (&'static str, &'static str);

/// Field errors as lines in the page's language ("ਰਕਮ (₹): …").
fn error_lines(p: &PageCtx, errors: &[FieldError]) -> Vec<String> {
    let mut out: Vec<String> = errors
        .iter()
        .map(|(field, what)| {
            if field.is_empty() {
                p.t(what)
            } else {
                format!("{}: {}", p.t(field), p.t(what))
            }
        })
        .collect();
    out.dedup();
    out
}

/// The field a service error is about (its label key, empty for none) and what is wrong with
/// it (a key), by the error's code, else by the request field it names (its first param).
fn field_error(field: &str, code: &str) -> FieldError {
    match code {
        "INVALID_EXPENSE_TYPE" => ("EXPENSE_TYPE", "EXPENSE_ERR_CHOOSE_TYPE"),
        "INVALID_VENDOR" | "DUPLICATE_VENDOR" | "INVALID_NAME" => {
            ("EXPENSE_VENDOR_NAME", "EXPENSE_ERR_VENDOR_NAME")
        }
        "INVALID_MOBILE_NUMBER" => ("EXPENSE_VENDOR_MOBILE", "EXPENSE_ERR_MOBILE"),
        "INVALID_AMOUNT" => ("CORE_EXPENSE_AMOUNT", "EXPENSE_ERR_AMOUNT"),
        "BILL_DATE_IN_FUTURE" => ("EXPENSE_BILL_DATE", "EXPENSE_ERR_DATE"),
        "BILL_ISSUED_DATE_AFTER_BILL_DATE" => (
            "CORE_EXPENSE_PART_BILL_DATE",
            "EXPENSE_ERR_PARTY_AFTER_BILL",
        ),
        "INVALID_TAX_PERIOD" | "TAX_PERIOD_AFTER_BILL_DATE" => {
            ("EXPENSE_PERIOD", "EXPENSE_ERR_PERIOD")
        }
        "PAID_DATE_REQUIRED" | "PAID_DATE_BEFORE_BILL_DATE" | "PAID_DATE_IN_FUTURE" => {
            ("EXPENSE_PAID_DATE", "EXPENSE_ERR_PAID_DATE")
        }
        "INVALID_FILESTORE_ID" | "FILE_TYPE_NOT_ALLOWED" | "FILE_EMPTY" => {
            ("CORE_EXPENSE_ATTACH_BILL", "EXPENSE_ERR_FILE_TYPE")
        }
        "FILE_TOO_LARGE" | "PayloadTooLarge" => {
            ("CORE_EXPENSE_ATTACH_BILL", "EXPENSE_ERR_FILE_SIZE")
        }
        "PSPCL_BILL_READ_ONLY" => ("", "EXPENSE_PSPCL_READ_ONLY"),
        "CHALLAN_ALREADY_PAID"
        | "CHALLAN_ALREADY_CANCELLED"
        | "CHALLAN_NOT_FOUND"
        | "INVALID_STATUS" => ("", "EXPENSE_ERR_CHANGED"),
        c if c.starts_with("INVALID_UPDATE_REQ_NOTMATCHED_") => ("", "EXPENSE_PAID_NO_EDIT"),
        _ => {
            let last = field.rsplit('.').next().unwrap_or(field);
            match last {
                "typeOfExpense" | "businessService" => ("EXPENSE_TYPE", "EXPENSE_ERR_CHOOSE_TYPE"),
                "vendor" | "vendorName" => ("EXPENSE_VENDOR_NAME", "EXPENSE_ERR_VENDOR_NAME"),
                "mobileNumber" => ("EXPENSE_VENDOR_MOBILE", "EXPENSE_ERR_MOBILE"),
                "amount" => ("CORE_EXPENSE_AMOUNT", "EXPENSE_ERR_AMOUNT"),
                "billDate" => ("EXPENSE_BILL_DATE", "EXPENSE_ERR_BILL_DATE"),
                "billIssuedDate" => (
                    "CORE_EXPENSE_PART_BILL_DATE",
                    "EXPENSE_ERR_PARTY_AFTER_BILL",
                ),
                "taxPeriodFrom" | "taxPeriodTo" => ("EXPENSE_PERIOD", "EXPENSE_ERR_PERIOD"),
                "paidDate" => ("EXPENSE_PAID_DATE", "EXPENSE_ERR_PAID_DATE"),
                "filestoreid" | "file" => ("CORE_EXPENSE_ATTACH_BILL", "EXPENSE_ERR_FILE_TYPE"),
                _ => ("", ""),
            }
        }
    }
}

/// A refused request's errors as lines in the page's language, each naming its field; an
/// error of no field by its own text (`ERR_<code>`), else that nothing was saved.
fn service_errors(p: &PageCtx, e: &AppError) -> Vec<String> {
    let AppError::Client { errors, .. } = e else {
        return p.error_lines(e);
    };
    let mut out: Vec<String> = errors
        .iter()
        .map(|x| {
            let field = x
                .params
                .as_ref()
                .and_then(|v| v.first())
                .map_or("", String::as_str);
            match field_error(field, &x.code) {
                ("", "") => {
                    let own = format!("ERR_{}", x.code);
                    let text = p.t(&own);
                    if text == own {
                        p.t("EXPENSE_ERR_NOT_SAVED")
                    } else {
                        text
                    }
                }
                ("", what) => p.t(what),
                (label, what) => format!("{}: {}", p.t(label), p.t(what)),
            }
        })
        .collect();
    out.dedup();
    out
}

/// The typed fields read: what the service needs, or the field errors (nothing of the form is
/// kept). `adding`: the paid choice and paid date are read too.
fn read_dates(f: &ExpenseForm, adding: bool, errors: &mut Vec<FieldError>) -> Dates {
    let mut date = |s: &str, label: &'static str, required: bool| -> Option<NaiveDate> {
        if s.trim().is_empty() {
            if required {
                errors.push((label, "EXPENSE_ERR_REQUIRED"));
            }
            return None;
        }
        let d = date_of(s);
        if d.is_none() {
            errors.push((label, "EXPENSE_ERR_DATE"));
        }
        d
    };
    let bill = date(&f.bill_date, "EXPENSE_BILL_DATE", true);
    let party = date(&f.party_date, "CORE_EXPENSE_PART_BILL_DATE", false);
    let from = date(&f.from, "EXPENSE_START_DATE", true);
    let to = date(&f.to, "EXPENSE_END_DATE", true);
    let paid = adding && f.paid == "yes";
    let paid_date = if paid {
        date(&f.paid_date, "EXPENSE_PAID_DATE", true)
    } else {
        None
    };
    if adding && f.paid != "yes" && f.paid != "no" {
        errors.push(("HAS_THIS_BILL_PAID", "EXPENSE_ERR_PAID_CHOICE"));
    }
    Dates {
        bill,
        party,
        from,
        to,
        paid,
        paid_date,
    }
}

/// The dates of a form, each parsed when given.
struct Dates {
    bill: Option<NaiveDate>,
    party: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    paid: bool,
    paid_date: Option<NaiveDate>,
}

/// The amount typed: whole rupees, more than 0 (a receipt takes whole rupees).
fn read_amount(s: &str, errors: &mut Vec<FieldError>) -> Option<rust_decimal::Decimal> {
    if s.trim().is_empty() {
        errors.push(("CORE_EXPENSE_AMOUNT", "EXPENSE_ERR_REQUIRED"));
        return None;
    }
    match crate::money::parse(s) {
        Ok(a) if a > rust_decimal::Decimal::ZERO && a.fract().is_zero() => Some(a),
        _ => {
            errors.push(("CORE_EXPENSE_AMOUNT", "EXPENSE_ERR_AMOUNT"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_error_names_the_field_it_is_about() {
        assert_eq!(
            field_error("Challan.amount[0].amount", "X"),
            ("CORE_EXPENSE_AMOUNT", "EXPENSE_ERR_AMOUNT")
        );
        assert_eq!(
            field_error("", "PAID_DATE_BEFORE_BILL_DATE"),
            ("EXPENSE_PAID_DATE", "EXPENSE_ERR_PAID_DATE")
        );
        assert_eq!(
            field_error("Challan.taxPeriodFrom", "X"),
            ("EXPENSE_PERIOD", "EXPENSE_ERR_PERIOD")
        );
        assert_eq!(field_error("", "SOMETHING_ELSE"), ("", ""));
    }

    #[test]
    fn amounts_are_whole_rupees_more_than_nothing() {
        let mut e = Vec::new();
        assert_eq!(
            read_amount("1200", &mut e),
            Some(rust_decimal::Decimal::from(1200))
        );
        assert!(e.is_empty());
        for bad in ["0", "-5", "12.5", "12.345", "abc"] {
            let mut e = Vec::new();
            assert_eq!(read_amount(bad, &mut e), None, "{bad}");
            assert_eq!(e, [("CORE_EXPENSE_AMOUNT", "EXPENSE_ERR_AMOUNT")]);
        }
    }
}
