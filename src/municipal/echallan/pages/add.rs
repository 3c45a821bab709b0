//! Add an expense (product.md §2.6): the form (types of the GP, its vendors to pick from), a
//! posted form read by hand (multipart: the bill's photo or file comes with it), its errors in
//! the page's language naming each field with nothing written, and on success the bill's page
//! saying so with its number.

use actix_web::http::StatusCode;
use askama::Template;
use chrono::Utc;

use super::face::{self, Entry, Upload, VendorPick};
use super::{ExpenseForm, FieldError, error_lines, field_date, read_amount, read_dates, today};
use crate::db;
use crate::http::page::{self, PageCtx, PageResult, StaffPage};
use crate::platform::encryption::mask_mobile;

/// Largest attachment taken (product.md §2.6).
pub(super) const MAX_FILE: usize = 5 * 1024 * 1024;
/// Read and thrown away past this much, so that the browser gets the form back, not a reset.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;
/// Largest text field read.
const MAX_FIELD: usize = 1024;

#[derive(Template)]
#[template(path = "expense/add.html")]
struct AddPage {
    p: PageCtx,
    f: ExpenseForm,
    /// (code, name) of each type that may be entered.
    types: Vec<(String, String)>,
    /// (name, masked mobile) of each vendor of the GP.
    vendors: Vec<(String, String)>,
    today: String,
    errors: Vec<String>,
}

/// The GP's types (code, name) and vendors, as the form offers them.
pub(super) type Choices = (Vec<String>, Vec<face::Vendor>);

pub(super) async fn choices(page: &StaffPage) -> Result<Choices, page::PageError> {
    let (st, t) = (page.state.clone(), page.tenant.clone());
    Ok(db::run(&page.state.pool, move |c| {
        Ok((face::types(c, &st, &t)?, face::vendors(c, &st, &t)?))
    })
    .await?)
}

/// (value, text) pairs a form lists.
pub(super) type Options = Vec<(String, String)>;

/// Types by name and vendors as the form lists them.
pub(super) fn offered(p: &PageCtx, (types, vendors): &Choices) -> (Options, Options) {
    (
        types
            .iter()
            .map(|c| (c.clone(), super::type_name(p, c)))
            .collect(),
        vendors
            .iter()
            .map(|(_, name, mobile)| (name.clone(), mask_mobile(mobile)))
            .collect(),
    )
}

fn render(
    mut page: StaffPage,
    f: ExpenseForm,
    choices: &Choices,
    errors: &[FieldError],
    more: Vec<String>,
) -> PageResult {
    let p = page.ctx()?;
    let (types, vendors) = offered(&p, choices);
    let mut errors = error_lines(&p, errors);
    errors.extend(more);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let shown = AddPage {
        f,
        types,
        vendors,
        today: field_date(today()),
        errors,
        p,
    };
    page.render(status, shown)
}

pub(super) async fn form(page: StaffPage) -> PageResult {
    let choices = choices(&page).await?;
    render(page, ExpenseForm::default(), &choices, &[], Vec::new())
}

/// What a posted form brought: its fields, the file chosen (if any) and whether a file was
/// too large to keep.
struct Posted {
    fields: Vec<(String, String)>,
    file: Option<Upload>,
    too_large: bool,
}

/// Reads the multipart form: text fields, and the one file (`photo`, from the camera, or
/// `file`); a file over 5 MB is read to its end and dropped.
async fn read_posted(mut parts: actix_multipart::Multipart) -> Result<Posted, page::PageError> {
    use futures_util::StreamExt as _;
    let unreadable =
        || page::PageError::Status(StatusCode::BAD_REQUEST, "EXPENSE_ERR_NOT_SAVED".to_owned());
    let mut out = Posted {
        fields: Vec::new(),
        file: None,
        too_large: false,
    };
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| unreadable())?;
        let name = part.name().unwrap_or_default().to_owned();
        let is_file = name == "file" || name == "photo";
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or_default()
            .to_owned();
        let cap = if is_file { MAX_FILE } else { MAX_FIELD };
        let (mut bytes, mut seen) = (Vec::new(), 0usize);
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| unreadable())?;
            seen += chunk.len();
            if seen > DRAIN_LIMIT {
                return Err(page::PageError::Status(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "EXPENSE_ERR_FILE_SIZE".to_owned(),
                ));
            }
            if seen <= cap {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            if seen > cap {
                out.too_large = true;
            } else if !bytes.is_empty() && out.file.is_none() {
                out.file = Some(Upload {
                    name: file_name,
                    bytes,
                });
            }
        } else if seen <= cap {
            out.fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(out)
}

/// The vendor the form names: one of the GP's by mobile number, else by name, else a new one
/// (which needs its mobile number).
pub(super) fn pick_vendor(
    f: &ExpenseForm,
    vendors: &[face::Vendor],
    errors: &mut Vec<FieldError>,
) -> Option<VendorPick> {
    let name = f.vendor.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(("EXPENSE_VENDOR_NAME", "EXPENSE_ERR_REQUIRED"));
        return None;
    }
    let mobile = f.mobile.trim();
    if !mobile.is_empty() {
        let Ok(m) = crate::platform::user::service::check_mobile(mobile, "mobile") else {
            errors.push(("EXPENSE_VENDOR_MOBILE", "EXPENSE_ERR_MOBILE"));
            return None;
        };
        return Some(match vendors.iter().find(|v| v.2 == m) {
            Some(v) => VendorPick::Existing(v.0.clone()),
            None => VendorPick::New { name, mobile: m },
        });
    }
    let same: Vec<&face::Vendor> = vendors
        .iter()
        .filter(|v| v.1.trim().eq_ignore_ascii_case(&name))
        .collect();
    match same.as_slice() {
        [one] => Some(VendorPick::Existing(one.0.clone())),
        [] => {
            errors.push(("EXPENSE_VENDOR_MOBILE", "EXPENSE_ERR_NEW_VENDOR"));
            None
        }
        _ => {
            errors.push(("EXPENSE_VENDOR_MOBILE", "EXPENSE_ERR_SAME_NAME"));
            None
        }
    }
}

/// The type chosen, if the GP may enter it.
pub(super) fn pick_type(f: &ExpenseForm, types: &[String], errors: &mut Vec<FieldError>) {
    let t = f.type_code.trim();
    if t.is_empty() {
        errors.push(("EXPENSE_TYPE", "EXPENSE_ERR_REQUIRED"));
    } else if t == "ELECTRICITY_BILL" && !types.iter().any(|x| x == t) {
        errors.push(("EXPENSE_TYPE", "EXPENSE_ERR_PSPCL_TYPE"));
    } else if !types.iter().any(|x| x == t) {
        errors.push(("EXPENSE_TYPE", "EXPENSE_ERR_CHOOSE_TYPE"));
    }
}

/// The form read into a bill's fields, or its field errors.
pub(super) fn entry_of(
    f: &ExpenseForm,
    choices: &Choices,
    adding: bool,
) -> Result<Entry, Vec<FieldError>> {
    let mut errors = Vec::new();
    pick_type(f, &choices.0, &mut errors);
    let vendor = pick_vendor(f, &choices.1, &mut errors);
    let amount = read_amount(&f.amount, &mut errors);
    let d = read_dates(f, adding, &mut errors);
    match (vendor, amount, d.bill, d.from, d.to) {
        (Some(vendor), Some(amount), Some(bill_date), Some(from), Some(to))
            if errors.is_empty() =>
        {
            Ok(Entry {
                type_code: f.type_code.trim().to_owned(),
                vendor,
                amount,
                bill_date,
                party_date: d.party,
                from,
                to,
                paid_date: if d.paid { d.paid_date } else { None },
            })
        }
        _ => Err(errors),
    }
}

pub(super) async fn create(page: StaffPage, parts: actix_multipart::Multipart) -> PageResult {
    let posted = read_posted(parts).await?;
    let form: ExpenseForm = serde_urlencoded::from_str(
        &serde_urlencoded::to_string(&posted.fields).unwrap_or_default(),
    )
    .unwrap_or_default();
    page.verify_csrf(&form.csrf)?;
    let choices = choices(&page).await?;
    let sent_file = posted.file.is_some() || posted.too_large;
    let again = |p: &PageCtx| {
        if sent_file {
            vec![p.t("EXPENSE_ERR_FILE_AGAIN")]
        } else {
            Vec::new()
        }
    };
    let mut entry = entry_of(&form, &choices, true);
    if posted.too_large {
        let mut errors = entry.err().unwrap_or_default();
        errors.push(("CORE_EXPENSE_ATTACH_BILL", "EXPENSE_ERR_FILE_SIZE"));
        entry = Err(errors);
    }
    let entry = match entry {
        Ok(e) => e,
        Err(errors) => {
            let more = again(&page.texts());
            return render(page, form, &choices, &errors, more);
        }
    };
    let (st, t, actor) = (page.state.clone(), page.tenant.clone(), page.actor());
    let made = db::transaction(&page.state.pool, move |c| {
        face::create(c, &st, &t, entry, posted.file, actor, Utc::now())
    })
    .await;
    match made {
        Ok(no) => Ok(page::see_other(&format!(
            "/home/updateExpense?no={}&created=1",
            page::urlencode(&no)
        ))),
        Err(e @ crate::error::AppError::Client { .. }) => {
            let p = page.texts();
            let mut more = super::service_errors(&p, &e);
            more.extend(again(&p));
            render(page, form, &choices, &[], more)
        }
        Err(e) => Err(e.into()),
    }
}
