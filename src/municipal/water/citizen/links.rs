//! The household SMS of product.md §5.1 that carry links (new bill, pay, receipt, survey), each
//! link a short link (`platform::shortener`, valid 30 days) to the citizen pages: the bill page
//! (`BILL_LINK`, `PAY_LINK` at its pay form), the receipt PDF (`RECEIPT_LINK`) and the feedback
//! page of the payment (`SURVEY_LINK`). Queued in the caller's transaction through the
//! notification outbox, in the state's default language, to the holder's mobile number.

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use rust_decimal::Decimal;

use super::super::service::{self, Ctx};
use super::{bill_pages::bill_path, feedback_pages::feedback_path};
use crate::business::collection;
use crate::error::AppResult;
use crate::platform::localization::Locale;
use crate::platform::notification::{self, Sms};
use crate::platform::shortener;
use crate::state::AppState;
use crate::words::urlencode;

/// How long an SMS link lasts.
pub const LINK_DAYS: i64 = 30;

/// A short link (full URL) to `path` of this server, valid from now for [`LINK_DAYS`].
pub fn short(
    c: &mut PgConnection,
    st: &AppState,
    path: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let key = shortener::shorten(
        c,
        path,
        Some(now),
        Some(now + Duration::days(LINK_DAYS)),
        None,
        now,
    )?;
    Ok(shortener::short_url(&st.settings.app.base_url, &key))
}

/// The receipt PDF of a household's payment, as the citizen pages serve it.
pub fn receipt_path(tenant: &str, no: &str, receipt: &str) -> String {
    format!(
        "/citizen/receipt.pdf?tenantId={}&consumerCode={}&receiptNumber={}",
        urlencode(tenant),
        urlencode(no),
        urlencode(receipt)
    )
}

fn locale(st: &AppState) -> Locale {
    Locale::parse(&st.settings.app.default_locale).unwrap_or_default()
}

fn money(d: Decimal) -> String {
    d.round_dp(2).normalize().to_string()
}

/// `mGram.Consumer.NewBill`: the household's current bill with a link to its bill page (where
/// it can be paid). Nothing is sent when nothing is due or the household has no number. The
/// outbox row's id.
pub fn bill_sms(
    c: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    no: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let Some((conn, prop)) = service::by_number(c, tenant, no)? else {
        return Ok(None);
    };
    let h = service::household(Ctx::of(st), conn, prop)?;
    let state_tenant = &st.settings.app.state_tenant;
    let bill = crate::business::billing::service::fetch_bill(
        c,
        state_tenant,
        tenant,
        service::SERVICE,
        no,
        None,
        now,
    )?;
    let Some(bill) = bill.filter(|b| b.bill.total_amount > Decimal::ZERO) else {
        return Ok(None);
    };
    if h.owner.mobile.is_empty() {
        return Ok(None);
    }
    let link = short(c, st, &bill_path(tenant, no), now)?;
    let l = locale(st);
    let period = bill
        .details
        .last()
        .map(|(d, _)| {
            let m = |t: DateTime<Utc>| {
                let t = t.with_timezone(&crate::time::IST);
                format!(
                    "{} {}",
                    st.i18n
                        .text(l, &format!("MONTH_{}", chrono::Datelike::month(&t))),
                    chrono::Datelike::year(&t)
                )
            };
            super::super::documents::period_label(m, d.from_period, d.to_period)
        })
        .unwrap_or_default();
    let template = "mGram.Consumer.NewBill";
    let text = st.i18n.format(
        l,
        template,
        &[
            ("ownername", &h.owner.name),
            ("Period", &period),
            ("consumerno", no),
            ("billamount", &money(bill.bill.total_amount)),
            ("BILL_LINK", &link),
        ],
    );
    let id = notification::enqueue_sms(
        c,
        &st.crypto,
        &Sms {
            tenant_id: tenant,
            mobile: &h.owner.mobile,
            template,
            text,
        },
        now,
    )?;
    Ok(Some(id))
}

/// `mGram.Consumer.DownloadReceipt` (and, with `survey`, `mGram.Consumer.TakeSurvey`) for a
/// payment: a link to its receipt PDF, and to its feedback page. The outbox rows' ids.
pub fn receipt_sms(
    c: &mut PgConnection,
    st: &AppState,
    payment_id: uuid::Uuid,
    survey: bool,
    now: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    let Some(pay) = collection::service::get(c, payment_id)? else {
        return Ok(Vec::new());
    };
    let (tenant, no) = (pay.tenant_id.clone(), pay.consumer_code.clone());
    let Some((conn, prop)) = service::by_number(c, &tenant, &no)? else {
        return Ok(Vec::new());
    };
    let h = service::household(Ctx::of(st), conn, prop)?;
    if h.owner.mobile.is_empty() {
        return Ok(Vec::new());
    }
    let l = locale(st);
    let link = short(c, st, &receipt_path(&tenant, &no, &pay.receipt_number), now)?;
    let mut sent = Vec::new();
    let template = "mGram.Consumer.DownloadReceipt";
    let text = st.i18n.format(
        l,
        template,
        &[
            ("ownername", &h.owner.name),
            ("amountpaid", &money(pay.total_amount_paid)),
            ("consumercode", &no),
            (
                "pendingamount",
                &money((pay.total_due - pay.total_amount_paid).max(Decimal::ZERO)),
            ),
            ("RECEIPT_LINK", &link),
        ],
    );
    let sms = |template, text| Sms {
        tenant_id: &tenant,
        mobile: &h.owner.mobile,
        template,
        text,
    };
    sent.push(notification::enqueue_sms(
        c,
        &st.crypto,
        &sms(template, text),
        now,
    )?);
    if survey {
        let link = short(c, st, &feedback_path(&tenant, &no, payment_id), now)?;
        let template = "mGram.Consumer.TakeSurvey";
        let text = st.i18n.format(
            l,
            template,
            &[
                ("ownername", &h.owner.name),
                ("SURVEY_LINK", &link),
                ("GPWSC", &st.i18n.place_name(l, &tenant)),
            ],
        );
        sent.push(notification::enqueue_sms(
            c,
            &st.crypto,
            &sms(template, text),
            now,
        )?);
    }
    Ok(sent)
}
