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

/// The SMS template of a new bill.
pub const NEW_BILL: &str = "mGram.Consumer.NewBill";

/// A billing period as the SMS name it: the month ("ਮਾਰਚ 2026") or the days of a meter period.
pub fn period_label(st: &AppState, l: Locale, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let m = |t: DateTime<Utc>| {
        let t = t.with_timezone(&crate::time::IST);
        format!(
            "{} {}",
            st.i18n
                .text(l, &format!("MONTH_{}", chrono::Datelike::month(&t))),
            chrono::Datelike::year(&t)
        )
    };
    super::super::documents::period_label(m, from, to)
}

fn new_bill_text(
    st: &AppState,
    l: Locale,
    owner: &str,
    period: &str,
    no: &str,
    amount: Decimal,
    link: &str,
) -> String {
    st.i18n.format(
        l,
        NEW_BILL,
        &[
            ("ownername", owner),
            ("Period", period),
            ("consumerno", no),
            ("billamount", &money(amount)),
            ("BILL_LINK", link),
        ],
    )
}

/// `mGram.Consumer.NewBill` to every household of `codes` (one GP) that has a mobile number and
/// owes something after new demands for `from`..`to`: what it owes now (arrears and the new
/// month, less any advance), with a short link to its bill page. In the caller's transaction,
/// a few statements for the lot plus two rows per household; the number queued.
pub fn new_bills(
    c: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    codes: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    if codes.is_empty() {
        return Ok(0);
    }
    let holders: std::collections::HashMap<String, _> =
        service::bill_payers(c, &st.crypto, tenant, codes)?
            .into_iter()
            .collect();
    let totals = crate::business::billing::service::consumer_totals(
        c,
        tenant,
        service::SERVICE,
        "waterConnection",
        Some(codes),
    )?;
    let l = locale(st);
    let period = period_label(st, l, from, to);
    let mut n = 0;
    for t in totals {
        let owed = (t.pending - t.advance).max(Decimal::ZERO);
        let Some(p) = holders.get(&t.consumer_code) else {
            continue;
        };
        let Some(mobile) = p.mobile.as_deref().filter(|m| !m.is_empty()) else {
            continue;
        };
        if owed <= Decimal::ZERO {
            continue;
        }
        let link = short(c, st, &bill_path(tenant, &t.consumer_code), now)?;
        let text = new_bill_text(st, l, &p.name, &period, &t.consumer_code, owed, &link);
        notification::enqueue_sms(
            c,
            &st.crypto,
            &Sms {
                tenant_id: tenant,
                mobile,
                template: NEW_BILL,
                text,
            },
            now,
        )?;
        n += 1;
    }
    Ok(n)
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
        .map(|(d, _)| period_label(st, l, d.from_period, d.to_period))
        .unwrap_or_default();
    let template = NEW_BILL;
    let text = new_bill_text(
        st,
        l,
        &h.owner.name,
        &period,
        no,
        bill.bill.total_amount,
        &link,
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
    // what is owed after this payment (0 when it left an advance)
    let pending = crate::business::billing::service::owed_now(c, &tenant, service::SERVICE, &no)?;
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
            ("pendingamount", &money(pending)),
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

/// The payment hook of water (`collection::service::install_on_payment`): the receipt SMS, and
/// the survey SMS (delivery skips it while `sms.feedback.notification` is off, as in Punjab).
pub fn on_payment(
    c: &mut PgConnection,
    st: &AppState,
    pay: &collection::service::Payment,
    now: DateTime<Utc>,
) -> AppResult<()> {
    receipt_sms(c, st, pay.id, true, now).map(drop)
}

/// The SMS of an edit (`WS_EDIT_SMS_MESSAGE`): the household is told its connection's details
/// changed, at the number it now has. The outbox row's id (none without a number).
pub fn edited_sms(
    c: &mut PgConnection,
    st: &AppState,
    h: &service::Household,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    if h.owner.mobile.is_empty() {
        return Ok(None);
    }
    let l = locale(st);
    let template = "WS_EDIT_SMS_MESSAGE";
    let no = &h.connection.connection_no;
    let tenant = &h.connection.tenant_id;
    let text = st.i18n.format(
        l,
        template,
        &[
            ("ownername", &h.owner.name),
            ("consumerno", no),
            ("GPWSC", &st.i18n.place_name(l, tenant)),
        ],
    );
    let sms = Sms {
        tenant_id: tenant,
        mobile: &h.owner.mobile,
        template,
        text,
    };
    notification::enqueue_sms(c, &st.crypto, &sms, now).map(Some)
}
