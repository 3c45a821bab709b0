//! A bill's page (product.md §2.6): every field, its attachment by a signed link, and what may
//! be done to it: an unpaid bill modified or marked paid (with the paid date), any bill not yet
//! cancelled cancelled; each after a confirmation page. A paid bill shows no edit form and a
//! forged edit is refused; a PSPCL electricity bill is read-only. The checks are made again
//! when the confirmed form comes back, and the service makes them once more.

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::add::{self, Choices};
use super::face::{self, Bill, Entry, VendorPick};
use super::{
    ExpenseForm, date_of, error_lines, field_date, service_errors, shown_date, status_name, today,
    type_name,
};
use crate::db;
use crate::error::AppError;
use crate::http::page::{self, Form, PageCtx, PageResult, StaffPage, not_found};
use crate::words::inr;

#[derive(Deserialize)]
pub(super) struct ShowQuery {
    no: String,
    #[serde(default)]
    created: Option<String>,
    /// What was just done: saved, paid or cancelled.
    #[serde(default)]
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "expense/detail.html")]
struct DetailPage {
    p: PageCtx,
    no: String,
    created: bool,
    notice: String,
    errors: Vec<String>,
    /// (label, id, value).
    rows: Vec<(String, &'static str, String)>,
    link: String,
    /// Why nothing (or only cancelling) may be done, a key; empty when all may.
    note: &'static str,
    can_edit: bool,
    can_cancel: bool,
    f: ExpenseForm,
    types: Vec<(String, String)>,
    vendors: Vec<(String, String)>,
    today: String,
}

/// The bill `no` of the GP worked on.
async fn bill_of(page: &StaffPage, no: &str) -> Result<Bill, page::PageError> {
    let (st, t, no) = (
        page.state.clone(),
        page.tenant.clone(),
        no.trim().to_owned(),
    );
    db::run(&page.state.pool, move |c| face::bill(c, &st, &t, &no))
        .await?
        .ok_or_else(not_found)
}

/// The edit form as the bill fills it.
fn form_of(b: &Bill) -> ExpenseForm {
    ExpenseForm {
        no: b.no.clone(),
        type_code: b.type_code.clone(),
        vendor: b.vendor.clone(),
        mobile: b.vendor_mobile.clone(),
        amount: b.amount.normalize().to_string(),
        bill_date: field_date(b.bill_date),
        party_date: b.party_date.map(field_date).unwrap_or_default(),
        from: field_date(b.from),
        to: field_date(b.to),
        ..ExpenseForm::default()
    }
}

fn editable(b: &Bill) -> bool {
    b.status == "ACTIVE" && !b.pspcl
}

fn cancellable(b: &Bill) -> bool {
    b.status != "CANCELLED" && !b.pspcl
}

/// What the page shows: the bill, what was just done, errors, and the edit form as typed.
struct Shown {
    created: bool,
    notice: String,
    errors: Vec<String>,
    form: Option<ExpenseForm>,
    status: StatusCode,
}

async fn render(mut page: StaffPage, b: Bill, s: Shown) -> PageResult {
    let choices: Choices = if editable(&b) {
        add::choices(&page).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let p = page.ctx()?;
    let (types, vendors) = add::offered(&p, &choices);
    let mut rows = vec![
        (p.t("BILL_ID"), "bill-no", b.no.clone()),
        (
            p.t("EXPENSE_TYPE"),
            "type-name",
            type_name(&p, &b.type_code),
        ),
        (p.t("EXPENSE_VENDOR_NAME"), "vendor-name", b.vendor.clone()),
        (
            p.t("EXPENSE_VENDOR_MOBILE"),
            "vendor-mobile",
            b.vendor_mobile.clone(),
        ),
        (p.t("CORE_EXPENSE_AMOUNT"), "amount", inr(b.amount)),
        (
            p.t("EXPENSE_BILL_DATE"),
            "bill-date",
            shown_date(b.bill_date),
        ),
        (
            p.t("CORE_EXPENSE_PART_BILL_DATE"),
            "party-date",
            b.party_date.map(shown_date).unwrap_or_default(),
        ),
        (p.t("EXPENSE_START_DATE"), "from-date", shown_date(b.from)),
        (p.t("EXPENSE_END_DATE"), "to-date", shown_date(b.to)),
        (
            p.t("APPLICATION_STATUS"),
            "status",
            status_name(&p, &b.status),
        ),
    ];
    if let Some(d) = b.paid_date {
        rows.push((p.t("EXPENSE_PAID_DATE"), "paid-date", shown_date(d)));
    }
    let link = b
        .file
        .map(|f| face::file_link(&page.state, &page.tenant, f, Utc::now()))
        .unwrap_or_default();
    let note = if b.pspcl {
        "EXPENSE_PSPCL_READ_ONLY"
    } else if b.status == "PAID" {
        "EXPENSE_PAID_NO_EDIT"
    } else if b.status == "CANCELLED" {
        "EXPENSE_IS_CANCELLED"
    } else {
        ""
    };
    let notice = if s.created {
        p.t("EXPENDITURE_SUCESS")
            .replace("{Amount}", &b.amount.normalize().to_string())
            .replace("₹₹", "₹")
            .replace("{type of expense}", &type_name(&p, &b.type_code))
            .replace("{Vendor}", &b.vendor)
    } else {
        s.notice
    };
    let shown = DetailPage {
        no: b.no.clone(),
        created: s.created,
        notice,
        errors: s.errors,
        rows,
        link,
        note,
        can_edit: editable(&b),
        can_cancel: cancellable(&b),
        f: s.form.unwrap_or_else(|| form_of(&b)),
        types,
        vendors,
        today: field_date(today()),
        p,
    };
    page.render(s.status, shown)
}

pub(super) async fn show(page: StaffPage, q: web::Query<ShowQuery>) -> PageResult {
    let b = bill_of(&page, &q.no).await?;
    let p = page.texts();
    let notice = match q.done.as_deref() {
        Some("saved") => p.t("MODIFIED_EXPENDITURE_SUCCESSFULLY"),
        Some("paid") => p.t("EXPENSE_MARKED_PAID"),
        Some("cancelled") => p.t("EXPENSE_CANCEL_DONE"),
        _ => String::new(),
    };
    let shown = Shown {
        created: q.created.is_some(),
        notice,
        errors: Vec::new(),
        form: None,
        status: StatusCode::OK,
    };
    render(page, b, shown).await
}

/// The bill's page again with `errors` (and the edit form as typed, if any).
async fn refused(
    page: StaffPage,
    b: Bill,
    errors: Vec<String>,
    form: Option<ExpenseForm>,
    status: StatusCode,
) -> PageResult {
    let shown = Shown {
        created: false,
        notice: String::new(),
        errors,
        form,
        status,
    };
    render(page, b, shown).await
}

/// What a confirmed action will do, checked against the bill as it is now.
enum Action {
    Edit(Box<Entry>),
    Paid(NaiveDate),
    Cancel,
}

/// Reads the action a form asks for on `b`: the action, or the page answering why not.
async fn action_of(
    page: &StaffPage,
    b: &Bill,
    f: &ExpenseForm,
) -> Result<Action, (Vec<String>, StatusCode)> {
    let p = page.texts();
    let one = |key: &str| vec![p.t(key)];
    if b.pspcl {
        return Err((one("EXPENSE_PSPCL_READ_ONLY"), StatusCode::CONFLICT));
    }
    match f.action.as_str() {
        "edit" | "paid" if b.status != "ACTIVE" => {
            let key = if b.status == "PAID" {
                "EXPENSE_PAID_NO_EDIT"
            } else {
                "EXPENSE_IS_CANCELLED"
            };
            Err((one(key), StatusCode::CONFLICT))
        }
        "cancel" if b.status == "CANCELLED" => {
            Err((one("EXPENSE_IS_CANCELLED"), StatusCode::CONFLICT))
        }
        "cancel" => Ok(Action::Cancel),
        "paid" => match date_of(&f.paid_date) {
            Some(d) if d >= b.bill_date && d <= today() => Ok(Action::Paid(d)),
            _ => Err((
                error_lines(&p, &[("EXPENSE_PAID_DATE", "EXPENSE_ERR_PAID_DATE")]),
                StatusCode::BAD_REQUEST,
            )),
        },
        "edit" => {
            let choices = add::choices(page)
                .await
                .map_err(|_| (one("EXPENSE_ERR_NOT_SAVED"), StatusCode::BAD_REQUEST))?;
            add::entry_of(f, &choices, false)
                .map(|e| Action::Edit(Box::new(e)))
                .map_err(|errors| (error_lines(&p, &errors), StatusCode::BAD_REQUEST))
        }
        _ => Err((one("EXPENSE_ERR_INVALID"), StatusCode::BAD_REQUEST)),
    }
}

#[derive(Template)]
#[template(path = "expense/confirm.html")]
struct ConfirmPage {
    p: PageCtx,
    no: String,
    no_q: String,
    action: String,
    question: String,
    /// (field, before, after) of an edit.
    changes: Vec<(String, String, String)>,
    hidden: Vec<(&'static str, String)>,
    yes: &'static str,
}

/// The fields an edit changes: (label, before, after).
fn changes(p: &PageCtx, b: &Bill, e: &Entry, f: &ExpenseForm) -> Vec<(String, String, String)> {
    let date = |d: Option<NaiveDate>| d.map(shown_date).unwrap_or_default();
    let vendor_after = match &e.vendor {
        VendorPick::Existing(_) => f.vendor.trim().to_owned(),
        VendorPick::New { name, mobile } => format!("{name} ({mobile})"),
    };
    let same_vendor = matches!(&e.vendor, VendorPick::Existing(id) if *id == b.vendor_id);
    let mut out = vec![
        (
            "EXPENSE_TYPE",
            type_name(p, &b.type_code),
            type_name(p, &e.type_code),
        ),
        ("CORE_EXPENSE_AMOUNT", inr(b.amount), inr(e.amount)),
        (
            "EXPENSE_BILL_DATE",
            shown_date(b.bill_date),
            shown_date(e.bill_date),
        ),
        (
            "CORE_EXPENSE_PART_BILL_DATE",
            date(b.party_date),
            date(e.party_date),
        ),
        ("EXPENSE_START_DATE", shown_date(b.from), shown_date(e.from)),
        ("EXPENSE_END_DATE", shown_date(b.to), shown_date(e.to)),
    ];
    if !same_vendor {
        out.insert(1, ("EXPENSE_VENDOR_NAME", b.vendor.clone(), vendor_after));
    }
    out.into_iter()
        .filter(|(_, before, after)| before != after)
        .map(|(k, before, after)| (p.t(k), before, after))
        .collect()
}

pub(super) async fn confirm(mut page: StaffPage, form: Form<ExpenseForm>) -> PageResult {
    let f = form.into_inner();
    let b = bill_of(&page, &f.no).await?;
    let action = match action_of(&page, &b, &f).await {
        Ok(a) => a,
        Err((errors, status)) => {
            let typed = (f.action == "edit").then_some(f);
            return refused(page, b, errors, typed, status).await;
        }
    };
    let p = page.ctx()?;
    let fill = |key: &str| {
        p.t(key)
            .replace("{no}", &b.no)
            .replace("{amount}", &inr(b.amount))
            .replace("{vendor}", &b.vendor)
    };
    let (question, changes, hidden, yes) = match &action {
        Action::Cancel => {
            let key = if b.status == "PAID" {
                "EXPENSE_CONFIRM_CANCEL_PAID"
            } else {
                "EXPENSE_CONFIRM_CANCEL"
            };
            (fill(key), Vec::new(), Vec::new(), "EXPENSE_YES_CANCEL")
        }
        Action::Paid(d) => (
            fill("EXPENSE_CONFIRM_PAID").replace("{date}", &shown_date(*d)),
            Vec::new(),
            vec![("paid_date", field_date(*d))],
            "EXPENSE_YES_PAID",
        ),
        Action::Edit(e) => {
            let changes = changes(&p, &b, e, &f);
            if changes.is_empty() {
                let errors = vec![p.t("EXPENSE_NO_CHANGES")];
                return refused(page, b, errors, None, StatusCode::OK).await;
            }
            let hidden = vec![
                ("type", f.type_code.clone()),
                ("vendor", f.vendor.clone()),
                ("mobile", f.mobile.clone()),
                ("amount", f.amount.clone()),
                ("bill_date", f.bill_date.clone()),
                ("party_date", f.party_date.clone()),
                ("from", f.from.clone()),
                ("to", f.to.clone()),
            ];
            (
                fill("EXPENSE_CONFIRM_EDIT"),
                changes,
                hidden,
                "EXPENSE_YES_SAVE",
            )
        }
    };
    let shown = ConfirmPage {
        no_q: page::urlencode(&b.no),
        no: b.no.clone(),
        action: f.action.clone(),
        question,
        changes,
        hidden,
        yes,
        p,
    };
    page.render(StatusCode::OK, shown)
}

pub(super) async fn apply(page: StaffPage, form: Form<ExpenseForm>) -> PageResult {
    let f = form.into_inner();
    let b = bill_of(&page, &f.no).await?;
    let action = match action_of(&page, &b, &f).await {
        Ok(a) => a,
        Err((errors, status)) => {
            let typed = (f.action == "edit").then_some(f);
            return refused(page, b, errors, typed, status).await;
        }
    };
    let (st, t, no, actor) = (
        page.state.clone(),
        page.tenant.clone(),
        b.no.clone(),
        page.actor(),
    );
    let done = match &action {
        Action::Edit(_) => "saved",
        Action::Paid(_) => "paid",
        Action::Cancel => "cancelled",
    };
    let out = db::transaction(&page.state.pool, move |c| {
        let now = Utc::now();
        match action {
            Action::Edit(e) => face::modify(c, &st, &t, &no, *e, actor, now),
            Action::Paid(d) => face::mark_paid(c, &st, &t, &no, d, actor, now),
            Action::Cancel => face::cancel(c, &st, &t, &no, actor, now),
        }
    })
    .await;
    match out {
        Ok(()) => Ok(page::see_other(&format!(
            "/home/updateExpense?no={}&done={done}",
            page::urlencode(&b.no)
        ))),
        Err(e @ AppError::Client { .. }) => {
            let status = actix_web::ResponseError::status_code(&e);
            let errors = service_errors(&page.texts(), &e);
            // the bill as it is now (another hand may have paid or cancelled it)
            let now = bill_of(&page, &b.no).await?;
            let typed = (f.action == "edit" && editable(&now)).then_some(f);
            refused(page, now, errors, typed, status).await
        }
        Err(e) => Err(e.into()),
    }
}
