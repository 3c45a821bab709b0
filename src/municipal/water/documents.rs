//! Bill and receipt PDFs (product.md §2.4): the household, the period, the breakdown with
//! arrears by month (newest first), the total in figures and in words, and the GP's summary of
//! the previous billing cycle, in Punjabi, Hindi or English.

use chrono::{DateTime, Datelike, Duration, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::model::Household;
use super::service::{self, Ctx, SERVICE};
use crate::business::billing::{self, service::FullBill};
use crate::business::collection;
use crate::error::{AppError, AppResult, codes};
use crate::municipal::calculator::meter;
use crate::platform::encryption::mask_mobile;
use crate::platform::localization::{Catalog, Locale};
use crate::time::IST;
use crate::words::{amount_in_words, inr};

struct T<'a> {
    i18n: &'a Catalog,
    locale: Locale,
}

impl T<'_> {
    fn t(&self, key: &str) -> String {
        self.i18n.text(self.locale, key)
    }
    fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.i18n.format(self.locale, key, args)
    }
    fn month(&self, t: DateTime<Utc>) -> String {
        let t = t.with_timezone(&IST);
        format!("{} {}", self.t(&format!("MONTH_{}", t.month())), t.year())
    }
    fn period(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
        period_label(|t| self.month(t), from, to)
    }
}

/// A billing period as the bill card and the bill PDF both say it: "April 2026" for a
/// calendar month, else its first and last days ("05/10/2026 – 04/11/2026"); `month` names a
/// month in the reader's language.
pub fn period_label(
    month: impl Fn(DateTime<Utc>) -> String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> String {
    let (f, t) = (from.with_timezone(&IST), to.with_timezone(&IST));
    let whole_month = f.day() == 1
        && f.month() == t.month()
        && f.year() == t.year()
        && (t + Duration::milliseconds(1)).day() == 1;
    if whole_month {
        month(from)
    } else {
        format!(
            "{} – {}",
            f.format("%d/%m/%Y"),
            (t + Duration::milliseconds(1)).format("%d/%m/%Y")
        )
    }
}

/// A metered period as its reading says it: from the previous reading's day to this one's.
pub fn reading_period(r: &meter::Reading) -> String {
    format!(
        "{} – {}",
        date(r.last_reading_date),
        date(r.current_reading_date)
    )
}

fn date(t: DateTime<Utc>) -> String {
    t.with_timezone(&IST).format("%d/%m/%Y").to_string()
}

fn header(doc: &mut crate::pdf::Doc, t: &T<'_>, h: &Household, gp_name: &str, heading: &str) {
    doc.title(&t.t("PDF_TITLE"));
    doc.heading(heading);
    doc.row(&t.t("CORE_GPWSC"), gp_name);
    doc.row(&t.t("CONSUMER_CONNECTION_ID"), &h.connection.connection_no);
    doc.row(
        &t.t("CONSUMER_OLD_CONNECTION_ID"),
        &h.connection.old_connection_no,
    );
    doc.row(&t.t("CONSUMER_NAME"), &h.owner.name);
    doc.row(
        &t.t("CONSUMER_MOBILE_NUMBER"),
        &mask_mobile(&h.owner.mobile),
    );
    let p = &h.property;
    let ward = t.i18n.boundary_name(t.locale, &p.tenant_id, &p.locality);
    let address: Vec<&str> = [
        p.door_no.as_deref(),
        p.street.as_deref(),
        Some(ward.as_str()),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect();
    doc.row(&t.t("PDF_ADDRESS"), &address.join(", "));
    doc.row(
        &t.t("CONSUMER_SERVICE_TYPE"),
        &t.t(&format!(
            "CONNECTIONTYPE_{}",
            h.connection.connection_type.to_uppercase()
        )),
    );
    if let Some(m) = &h.connection.meter_id {
        doc.row(&t.t("WS_METER_NUMBER"), m);
    }
}

/// The GP's figures for the month before `at`: new demand, what was collected, and what is
/// still pending from then and before; then its expenditure: new bills, what was paid, and what
/// the year's bills still ask (`echallan::reports::last_month`).
fn gp_summary(
    conn: &mut PgConnection,
    doc: &mut crate::pdf::Doc,
    t: &T<'_>,
    tenant: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let prev = crate::time::prev_month(at.with_timezone(&IST).date_naive());
    let (from, to) = (
        crate::time::month_start_at(prev),
        crate::time::month_end_at(prev),
    );
    let (demand, pending) =
        billing::service::month_sums(conn, tenant, SERVICE, super::register::REGULAR, from, to)?;
    let collected = collection::service::collected_between(conn, tenant, SERVICE, from, to)?;
    doc.rule();
    doc.heading(&t.f("PDF_GP_SUMMARY", &[("month", &t.month(from))]));
    doc.row(&t.t("PDF_NEW_DEMAND"), &inr(demand));
    doc.row(&t.t("PDF_ACTUAL_COLLECTIONS"), &inr(collected));
    doc.row(&t.t("PDF_PENDING_COLLECTIONS"), &inr(pending));
    let spent = crate::municipal::echallan::reports::last_month(conn, tenant, at)?;
    doc.row(&t.t("PDF_NEW_EXPENDITURE"), &inr(spent.new_expense));
    doc.row(&t.t("PDF_ACTUAL_PAYMENTS"), &inr(spent.paid));
    doc.row(&t.t("PDF_PENDING_EXPENDITURE"), &inr(spent.pending));
    Ok(())
}

/// The GP by name in the document's language (the catalogue's, as on the pages).
fn gp_name(t: &T<'_>, tenant: &str) -> String {
    t.i18n.place_name(t.locale, tenant)
}

fn finish(doc: crate::pdf::Doc) -> AppResult<Vec<u8>> {
    doc.finish()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("pdf: {e}")))
}

/// A bill named by its id or number (the bill a client posts to be printed).
#[derive(Clone, Debug, Default)]
pub struct BillRef {
    pub id: Option<uuid::Uuid>,
    pub number: Option<String>,
}

/// The household's bill as a PDF, with the bill it shows: the one `chosen` names, whatever its
/// status (a paid bill prints as it was issued), or else the current one (None when nothing is
/// due; built if needed, so run it in a transaction).
#[expect(
    clippy::too_many_arguments,
    reason = "the household, which bill, and how to print"
)]
pub fn bill_pdf(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    i18n: &Catalog,
    tenant: &str,
    connection_no: &str,
    chosen: Option<&BillRef>,
    locale: Locale,
    now: DateTime<Utc>,
) -> AppResult<Option<(FullBill, Vec<u8>)>> {
    let (c, p) = service::by_number(conn, tenant, connection_no)?.ok_or_else(|| {
        AppError::not_found(codes::CONNECTION_NOT_FOUND, "No such connection on this GP")
    })?;
    let h = service::household(ctx, c, p)?;
    let found = match chosen.filter(|b| b.id.is_some() || b.number.is_some()) {
        Some(b) => billing::service::search_bills(
            conn,
            &billing::service::BillFilter {
                tenant_id: tenant.to_owned(),
                ids: b.id.into_iter().collect(),
                bill_numbers: b.number.iter().cloned().collect(),
                consumer_codes: vec![connection_no.to_owned()],
                service: Some(SERVICE.to_owned()),
                status: None,
                offset: 0,
                limit: 1,
            },
        )?
        .0
        .into_iter()
        .next(),
        None => billing::service::fetch_bill(
            conn,
            ctx.state_tenant,
            tenant,
            SERVICE,
            connection_no,
            None,
            now,
        )?,
    };
    let Some(bill) = found else {
        return Ok(None);
    };
    let t = T { i18n, locale };
    let mut doc = crate::pdf::Doc::new(locale.code());
    header(
        &mut doc,
        &t,
        &h,
        &gp_name(&t, tenant),
        &t.t("PDF_WATER_BILL"),
    );
    doc.rule();
    doc.row(&t.t("BILL_BILL_NUMBER"), &bill.bill.bill_number);
    let demands: Vec<uuid::Uuid> = bill.details.iter().map(|(d, _)| d.demand_id).collect();
    let readings = meter::of_demands(conn, &demands)?;
    let reading_of = |d: uuid::Uuid| readings.iter().find(|r| r.demand_id == Some(d));
    let period_of = |id: uuid::Uuid, from: DateTime<Utc>, to: DateTime<Utc>| match reading_of(id) {
        Some(r) => reading_period(r),
        None => t.period(from, to),
    };
    if let Some((l, _)) = bill.details.last() {
        doc.row(
            &t.t("PDF_BILL_PERIOD"),
            &period_of(l.demand_id, l.from_period, l.to_period),
        );
        if let Some(r) = reading_of(l.demand_id) {
            doc.row(
                &t.t("WS_PREVIOUS_READING"),
                &format!("{} ({})", r.last_reading, date(r.last_reading_date)),
            );
            doc.row(
                &t.t("WS_CURRENT_READING"),
                &format!("{} ({})", r.current_reading, date(r.current_reading_date)),
            );
            doc.row(&t.t("WS_CONSUMPTION"), &r.consumption().to_string());
        }
    }
    // the periods before the current one, as a span of months
    let n = bill.details.len();
    if let (Some((f, _)), Some((p, _))) = (
        bill.details.first(),
        n.checked_sub(2).and_then(|i| bill.details.get(i)),
    ) {
        doc.row(
            &t.t("BILL_ARREARS"),
            &format!("{} – {}", t.month(f.from_period), t.month(p.to_period)),
        );
    }
    doc.row(&t.t("BILL_BILL_DATE"), &date(bill.bill.bill_date));
    let due = bill
        .details
        .last()
        .and_then(|(d, _)| d.expiry_date)
        .unwrap_or(bill.bill.bill_date + Duration::days(15));
    doc.row(&t.t("BILL_DUE_DATE"), &date(due));
    // the breakdown, newest period first
    let rows: Vec<Vec<String>> = bill
        .details
        .iter()
        .rev()
        .flat_map(|(d, accts)| {
            let period = period_of(d.demand_id, d.from_period, d.to_period);
            accts
                .iter()
                .map(|a| {
                    vec![
                        period.clone(),
                        t.t(&format!("TAXHEAD_{}", a.tax_head_code)),
                        inr(a.amount),
                    ]
                })
                .collect::<Vec<_>>()
        })
        .collect();
    doc.table(
        &[
            &t.t("COLLECT_PERIOD"),
            &t.t("PDF_CHARGE_HEAD"),
            &t.t("CORE_AMOUNT"),
        ],
        &rows,
    );
    doc.row(&t.t("BILL_TOTAL_DUE"), &inr(bill.bill.total_amount));
    doc.row(
        &t.t("PDF_IN_WORDS"),
        &amount_in_words(bill.bill.total_amount, locale.code()),
    );
    doc.text(&t.f("PDF_PAY_BY", &[("date", &date(due))]));
    if let Some((amount, from)) = crate::municipal::calculator::penalty::estimate(
        conn,
        ctx.state_tenant,
        tenant,
        connection_no,
        now,
    )? {
        doc.text(&t.f(
            "BILL_PENALTY_AFTER",
            &[("date", &date(from)), ("amount", &inr(amount))],
        ));
    }
    // the GP's UPI address, when it has one: the intent for this bill as a QR code
    if bill.bill.total_amount > rust_decimal::Decimal::ZERO
        && let Some(vpa) = super::citizen::upi::vpa(conn, tenant)?
    {
        let intent = super::citizen::upi::intent(
            &vpa,
            &gp_name(&t, tenant),
            bill.bill.total_amount,
            &bill.bill.bill_number,
        );
        if let Some((w, dark)) = super::citizen::upi::modules(&intent) {
            doc.text(&t.f("CITIZEN_UPI_SCAN", &[("vpa", &vpa)]));
            doc.squares(w, &dark, 2.5);
        }
    }
    gp_summary(conn, &mut doc, &t, tenant, now)?;
    let bytes = finish(doc)?;
    Ok(Some((bill, bytes)))
}

/// A receipt as a PDF: what it paid, head by head, the amount in words and what was left due.
pub fn receipt_pdf(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    i18n: &Catalog,
    tenant: &str,
    receipt_no: &str,
    locale: Locale,
    now: DateTime<Utc>,
) -> AppResult<Option<(collection::service::Payment, Vec<u8>)>> {
    let (found, _) = collection::service::search(
        conn,
        &collection::service::Filter {
            tenant_id: tenant.to_owned(),
            receipt_numbers: vec![receipt_no.to_owned()],
            offset: 0,
            limit: 1,
            ..Default::default()
        },
    )?;
    let Some(pay) = found.into_iter().next() else {
        return Ok(None);
    };
    let (c, p) = service::by_number(conn, tenant, &pay.consumer_code)?.ok_or_else(|| {
        AppError::not_found(codes::CONNECTION_NOT_FOUND, "No such connection on this GP")
    })?;
    let h = service::household(ctx, c, p)?;
    // where the money went, newest period first: (kind, head, amount, from, to)
    type Moved = (String, String, Decimal, DateTime<Utc>, DateTime<Utc>);
    let allocs = collection::service::allocations(conn, pay.detail_id)?;
    let ids: Vec<uuid::Uuid> = allocs.iter().map(|a| a.0).collect();
    let lines = billing::service::lines_with_periods(conn, &ids)?;
    let mut moved: Vec<Moved> = allocs
        .into_iter()
        .filter_map(|(line, kind, amount)| {
            lines
                .iter()
                .find(|l| l.0 == line)
                .map(|(_, head, from, to)| (kind, head.clone(), amount, *from, *to))
        })
        .collect();
    moved.sort_by(|a, b| b.3.cmp(&a.3).then_with(|| a.1.cmp(&b.1)));
    // what was left due at that moment
    let balance = pay.total_due - pay.total_amount_paid;
    let t = T { i18n, locale };
    let mut doc = crate::pdf::Doc::new(locale.code());
    header(
        &mut doc,
        &t,
        &h,
        &gp_name(&t, tenant),
        &t.t("PDF_WATER_RECEIPT"),
    );
    doc.rule();
    doc.row(&t.t("PAYMENT_RECEIPT_NUMBER"), &pay.receipt_number);
    doc.row(&t.t("PAYMENT_RECEIPT_DATE"), &date(pay.receipt_date));
    if let (Some(newest), Some(oldest)) = (moved.first(), moved.last()) {
        let span = if newest.3 == oldest.3 {
            t.period(newest.3, newest.4)
        } else {
            format!("{} – {}", t.month(oldest.3), t.month(newest.3))
        };
        doc.row(&t.t("PDF_RECEIPT_PERIOD"), &span);
    }
    doc.row(
        &t.t("PAYMENT_MODE"),
        &t.t(&format!("PAYMENT_MODE_{}", pay.payment_mode)),
    );
    let rows: Vec<Vec<String>> = moved
        .iter()
        .map(|(kind, head, amount, from, to)| {
            let amount = if kind == "USE_CREDIT" {
                -*amount
            } else {
                *amount
            };
            vec![
                t.period(*from, *to),
                t.t(&format!("TAXHEAD_{head}")),
                inr(amount),
            ]
        })
        .collect();
    doc.table(
        &[
            &t.t("COLLECT_PERIOD"),
            &t.t("PDF_CHARGE_HEAD"),
            &t.t("CORE_AMOUNT"),
        ],
        &rows,
    );
    doc.row(&t.t("PAYMENT_AMOUNT_PAID"), &inr(pay.total_amount_paid));
    doc.row(
        &t.t("PDF_IN_WORDS"),
        &amount_in_words(pay.total_amount_paid, locale.code()),
    );
    doc.row(&t.t("PDF_BALANCE_AFTER"), &inr(balance.max(Decimal::ZERO)));
    if pay.payment_status == "CANCELLED" {
        doc.heading(&t.t("COLLECT_CANCELLED"));
    }
    doc.text(&t.t("PDF_THANKS"));
    gp_summary(conn, &mut doc, &t, tenant, now)?;
    let bytes = finish(doc)?;
    Ok(Some((pay, bytes)))
}
