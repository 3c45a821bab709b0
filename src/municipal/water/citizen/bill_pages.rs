//! Finding one's connection and seeing its bill, without a login; the bill and receipt PDFs.

use actix_web::{http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::super::documents;
use super::super::register::REGULAR;
use super::super::service::{self, Criteria, Ctx, SERVICE};
use super::{gp_code, limit, mask_name, upi};
use crate::business::billing::service as billing;
use crate::business::collection;
use crate::db;
use crate::http::page::{self, Page, PageCtx, PageError, PageResult, ist_date, pdf_response};
use crate::platform::encryption::mask_mobile;
use crate::platform::localization::Locale;
use crate::time::IST;
use crate::words::inr;

/// Tax heads of penalty (opening and late).
const PENALTY_HEADS: &[&str] = &["WS_TIME_PENALTY", "10201"];
/// The tax head of opening arrears.
const ARREARS_HEAD: &str = "10102";

#[derive(Deserialize, Default)]
pub(super) struct FindQuery {
    /// The GP's code (a pick from the list, or a link).
    #[serde(default, rename = "tenantId")]
    tenant_id: String,
    /// Part of the GP's name, in any of the three languages.
    #[serde(default)]
    gp: String,
    /// The connection number, new (`WS/7374/2026-27/0001`) or old.
    #[serde(default, rename = "consumerCode")]
    consumer_code: String,
}

#[derive(Template)]
#[template(path = "citizen/find.html")]
struct FindPage {
    p: PageCtx,
    gp: String,
    no: String,
    error: String,
    /// GPs whose name matches: (link to pick it, name, district).
    picks: Vec<(String, String, String)>,
}

/// The GPs whose name (in any language) contains `text`: (code, name in the page's language,
/// district).
fn gps_named(
    tenants: &[crate::platform::mdms::model::Tenant],
    i18n: &crate::platform::localization::Catalog,
    locale: Locale,
    text: &str,
) -> Vec<(String, String, String)> {
    let text = text.trim().to_lowercase();
    tenants
        .iter()
        .filter(|t| t.is_gram_panchayat() && t.kind != "TEST")
        .filter(|t| {
            t.name.to_lowercase().contains(&text)
                || Locale::ALL
                    .iter()
                    .any(|l| i18n.place_name(*l, &t.code).to_lowercase().contains(&text))
        })
        .map(|t| {
            (
                t.code.clone(),
                i18n.place_name(locale, &t.code),
                t.district_name.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// "Find my connection": a connection number (its GP is in it), or a GP's name and a number (old
/// numbers). Several GPs of that name: a list to pick from. Found: on to the bill.
pub(super) async fn find(mut page: Page, q: web::Query<FindQuery>) -> PageResult {
    limit(&page)?;
    let q = q.into_inner();
    let p = page.ctx();
    let no = q.consumer_code.trim().to_owned();
    let mut shown = FindPage {
        gp: q.gp.trim().chars().take(60).collect(),
        no: no.clone(),
        error: String::new(),
        picks: Vec::new(),
        p,
    };
    if no.is_empty() {
        if !q.gp.trim().is_empty() || !q.tenant_id.is_empty() {
            shown.error = shown.p.t("CITIZEN_ENTER_CONNECTION");
        }
        return page.render(StatusCode::OK, shown);
    }
    if no.chars().count() > 64 {
        shown.error = shown.p.t("CITIZEN_NOT_FOUND");
        return page.render(StatusCode::OK, shown);
    }
    let (st, gp_text, chosen) = (page.state.clone(), shown.gp.clone(), gp_code(&q.tenant_id));
    let locale = Locale::parse(shown.p.locale).unwrap_or_default();
    let city = no.split('/').nth(1).map(str::to_owned);
    let (found, picks) = db::run(&page.state.pool, move |c| {
        let tenants = crate::platform::mdms::repo::tenants(c)?;
        let gps: Vec<String> = if let Some(t) = chosen {
            vec![t]
        } else if !gp_text.is_empty() {
            let named = gps_named(&tenants, &st.i18n, locale, &gp_text);
            if named.len() > 1 {
                return Ok((None, named));
            }
            named.into_iter().map(|(c, _, _)| c).collect()
        } else {
            tenants
                .iter()
                .filter(|t| t.is_gram_panchayat() && Some(&t.city_code) == city.as_ref())
                .map(|t| t.code.clone())
                .collect()
        };
        let [gp] = gps.as_slice() else {
            return Ok((None, Vec::new()));
        };
        let ctx = Ctx::of(&st);
        let mut f = Criteria {
            tenant_id: gp.clone(),
            connection_nos: vec![no.clone()],
            limit: 2,
            ..Default::default()
        };
        let (mut hs, _) = service::search(c, ctx, &f)?;
        if hs.is_empty() {
            f.connection_nos = Vec::new();
            f.old_connection_no = Some(no.clone());
            hs = service::search(c, ctx, &f)?.0;
        }
        Ok(match hs.as_slice() {
            [h] => (
                Some((gp.clone(), h.connection.connection_no.clone())),
                Vec::new(),
            ),
            _ => (None, Vec::new()),
        })
    })
    .await?;
    if let Some((t, no)) = found {
        return Ok(page::see_other(&bill_path(&t, &no)));
    }
    if picks.len() > 30 {
        shown.error = shown.p.t("CITIZEN_GP_MORE");
    } else if !picks.is_empty() {
        shown.picks = picks
            .into_iter()
            .map(|(code, name, district)| {
                (
                    format!(
                        "/citizen?tenantId={}&consumerCode={}",
                        page::urlencode(&code),
                        page::urlencode(&shown.no)
                    ),
                    name,
                    district,
                )
            })
            .collect();
    } else {
        shown.error = shown.p.t("CITIZEN_NOT_FOUND");
    }
    page.render(StatusCode::OK, shown)
}

/// The bill page of a household.
pub fn bill_path(tenant: &str, no: &str) -> String {
    format!(
        "/citizen/bill?tenantId={}&consumerCode={}",
        page::urlencode(tenant),
        page::urlencode(no)
    )
}

#[derive(Deserialize)]
pub(super) struct BillQuery {
    #[serde(default, rename = "tenantId")]
    tenant_id: String,
    #[serde(default, rename = "consumerCode")]
    consumer_code: String,
    /// A receipt, for its PDF.
    #[serde(default, rename = "receiptNumber")]
    receipt_number: String,
    /// Why a payment was not started (a `CITIZEN_` key).
    #[serde(default)]
    error: String,
}

impl BillQuery {
    /// The GP and the connection, or the find page's "not found".
    fn named(&self) -> Result<(String, String), PageError> {
        let no = self.consumer_code.trim();
        match gp_code(&self.tenant_id) {
            Some(t) if !no.is_empty() && no.len() <= 64 => Ok((t, no.to_owned())),
            _ => Err(PageError::Status(
                StatusCode::NOT_FOUND,
                "CITIZEN_NOT_FOUND".to_owned(),
            )),
        }
    }
}

/// One household's bill as a citizen sees it.
#[derive(Template)]
#[template(path = "citizen/bill.html")]
struct BillPage {
    p: PageCtx,
    gp_name: String,
    no: String,
    old_no: String,
    holder: String,
    mobile: String,
    /// Query string naming the household (`tenantId=…&consumerCode=…`).
    key_q: String,
    tenant: String,
    bill_no: String,
    bill_id: String,
    /// (period, charge, amount), newest period first.
    rows: Vec<(String, String, String)>,
    arrears: String,
    current: String,
    penalty: String,
    advance: String,
    total: String,
    total_plain: String,
    due: String,
    penalty_line: String,
    part_allowed: bool,
    /// (receipt number, its PDF's query, amount, date).
    receipts: Vec<(String, String, String, String)>,
    upi_link: String,
    upi_svg: String,
    vpa: String,
    error: String,
}

/// What a household owes, split as the bill page shows it: (arrears, current, penalty, advance
/// used), the latest period being the current one.
pub fn split(bill: &billing::FullBill) -> (Decimal, Decimal, Decimal, Decimal) {
    let n = bill.details.len();
    let (mut arrears, mut current, mut penalty, mut advance) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for (i, (_, lines)) in bill.details.iter().enumerate() {
        for a in lines {
            if a.amount < Decimal::ZERO {
                advance -= a.amount;
            } else if PENALTY_HEADS.contains(&a.tax_head_code.as_str()) {
                penalty += a.amount;
            } else if i + 1 < n || a.tax_head_code == ARREARS_HEAD {
                arrears += a.amount;
            } else {
                current += a.amount;
            }
        }
    }
    (arrears, current, penalty, advance)
}

/// When a bill falls due: its latest period's expiry, else 15 days after the bill.
fn due_date(b: &billing::FullBill) -> DateTime<Utc> {
    b.details
        .last()
        .and_then(|(d, _)| d.expiry_date)
        .unwrap_or(b.bill.bill_date + chrono::Duration::days(15))
}

pub(super) async fn bill(mut page: Page, q: web::Query<BillQuery>) -> PageResult {
    limit(&page)?;
    let (t, no) = q.named()?;
    let mut p = page.ctx();
    p.tenant = t.clone();
    let st = page.state.clone();
    let (tt, nn) = (t.clone(), no.clone());
    let found = db::transaction(&page.state.pool, move |c| {
        let Some((conn, prop)) = service::by_number(c, &tt, &nn)? else {
            return Ok(None);
        };
        let h = service::household(Ctx::of(&st), conn, prop)?;
        let state_tenant = &st.settings.app.state_tenant;
        let bs = billing::business_service(c, state_tenant, &tt, SERVICE, "businessService")?;
        let bill = billing::fetch_bill(c, state_tenant, &tt, SERVICE, &nn, None, Utc::now())?;
        let penalty =
            crate::municipal::calculator::penalty::estimate(c, state_tenant, &tt, &nn, Utc::now())?;
        let advance =
            billing::consumer_totals(c, &tt, SERVICE, REGULAR, Some(std::slice::from_ref(&nn)))?
                .first()
                .map(|x| x.advance)
                .unwrap_or_default();
        let (pays, _) = collection::service::search(
            c,
            &collection::service::Filter {
                tenant_id: tt.clone(),
                consumer_codes: vec![nn.clone()],
                offset: 0,
                limit: 5,
                ..Default::default()
            },
        )?;
        let vpa = upi::vpa(c, &tt)?;
        Ok(Some((h, bs, bill, penalty, advance, pays, vpa)))
    })
    .await?;
    let Some((h, bs, bill, penalty, advance, pays, vpa)) = found else {
        return Err(PageError::Status(
            StatusCode::NOT_FOUND,
            "CITIZEN_NOT_FOUND".to_owned(),
        ));
    };
    let gp_name = p.names().place(&t);
    let key_q = format!(
        "tenantId={}&consumerCode={}",
        page::urlencode(&t),
        page::urlencode(&no)
    );
    let mut shown = BillPage {
        gp_name: gp_name.clone(),
        no: no.clone(),
        old_no: h.connection.old_connection_no.clone(),
        holder: mask_name(&h.owner.name),
        mobile: mask_mobile(&h.owner.mobile),
        key_q: key_q.clone(),
        tenant: t.clone(),
        bill_no: String::new(),
        bill_id: String::new(),
        rows: Vec::new(),
        arrears: inr(Decimal::ZERO),
        current: inr(Decimal::ZERO),
        penalty: inr(Decimal::ZERO),
        advance: inr(advance.abs()),
        total: inr(Decimal::ZERO),
        total_plain: "0".to_owned(),
        due: String::new(),
        penalty_line: String::new(),
        part_allowed: bs.part_payment_allowed,
        receipts: pays
            .iter()
            .filter(|x| x.payment_status != "CANCELLED")
            .map(|x| {
                (
                    x.receipt_number.clone(),
                    format!(
                        "{key_q}&receiptNumber={}",
                        page::urlencode(&x.receipt_number)
                    ),
                    inr(x.total_amount_paid),
                    ist_date(x.receipt_date),
                )
            })
            .collect(),
        upi_link: String::new(),
        upi_svg: String::new(),
        vpa: String::new(),
        error: match q.error.as_str() {
            k @ ("CITIZEN_BAD_AMOUNT" | "CITIZEN_PAY_REFUSED") => p.t(k),
            _ => String::new(),
        },
        p,
    };
    if let Some(b) = &bill {
        let (arrears, current, penalty_due, used) = split(b);
        let month = |x: DateTime<Utc>| shown.p.month_label(x.with_timezone(&IST).date_naive());
        shown.bill_no = b.bill.bill_number.clone();
        shown.bill_id = b.bill.id.to_string();
        shown.rows = b
            .details
            .iter()
            .rev()
            .flat_map(|(d, accts)| {
                let m = documents::period_label(month, d.from_period, d.to_period);
                accts
                    .iter()
                    .map(|a| {
                        (
                            m.clone(),
                            shown.p.t(&format!("TAXHEAD_{}", a.tax_head_code)),
                            inr(a.amount),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        shown.arrears = inr(arrears);
        shown.current = inr(current);
        shown.penalty = inr(penalty_due);
        if used > Decimal::ZERO {
            shown.advance = inr(used);
        }
        shown.total = inr(b.bill.total_amount);
        shown.total_plain = b.bill.total_amount.normalize().to_string();
        shown.due = ist_date(due_date(b));
        if let Some(v) = vpa.filter(|_| b.bill.total_amount > Decimal::ZERO) {
            let intent = upi::intent(&v, &gp_name, b.bill.total_amount, &b.bill.bill_number);
            shown.upi_svg = upi::svg(&intent).unwrap_or_default();
            shown.upi_link = intent;
            shown.vpa = v;
        }
    }
    shown.penalty_line = penalty
        .map(|(amount, from)| {
            shown
                .p
                .t("BILL_PENALTY_AFTER")
                .replace("{date}", &ist_date(from))
                .replace("{amount}", &inr(amount))
        })
        .unwrap_or_default();
    page.render(StatusCode::OK, shown)
}

fn locale_of(page: &mut Page) -> Locale {
    Locale::parse(page.ctx().locale).unwrap_or_default()
}

/// The household's current bill as a PDF (the staff's PDF, in the page's language).
pub(super) async fn bill_pdf(mut page: Page, q: web::Query<BillQuery>) -> PageResult {
    limit(&page)?;
    let (t, no) = q.named()?;
    let locale = locale_of(&mut page);
    let st = page.state.clone();
    let made = db::transaction(&page.state.pool, move |c| {
        if service::by_number(c, &t, &no)?.is_none() {
            return Ok(None);
        }
        documents::bill_pdf(c, Ctx::of(&st), &st.i18n, &t, &no, None, locale, Utc::now())
    })
    .await?;
    let (bill, bytes) =
        made.ok_or_else(|| PageError::Status(StatusCode::NOT_FOUND, "NO_BILL_FOUND".to_owned()))?;
    Ok(pdf_response(&bill.bill.bill_number, bytes))
}

/// One receipt of the household as a PDF: the receipt must be the named household's.
pub(super) async fn receipt_pdf(mut page: Page, q: web::Query<BillQuery>) -> PageResult {
    limit(&page)?;
    let (t, no) = q.named()?;
    let receipt = q.receipt_number.trim().to_owned();
    let locale = locale_of(&mut page);
    let st = page.state.clone();
    let made = db::run(&page.state.pool, move |c| {
        documents::receipt_pdf(c, Ctx::of(&st), &st.i18n, &t, &receipt, locale, Utc::now())
    })
    .await?;
    match made {
        Some((pay, bytes)) if pay.consumer_code == no => {
            Ok(pdf_response(&pay.receipt_number, bytes))
        }
        _ => Err(page::not_found()),
    }
}
