//! Paying online: the bill page's form starts a payment with the payment gateway service
//! (`business::pg`), the browser goes to the gateway (a GET: pg's own page posts a gateway's
//! form where one is needed, with a visible button when scripts are off), and the gateway's
//! return lands on `/citizen/paid`, which says in plain words what happened and offers the
//! receipt and the feedback questions.

use actix_web::{ResponseError as _, http::StatusCode, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{bill_pages::bill_path, feedback_pages::feedback_path, gp_code, limit};
use crate::business::pg::service as pg;
use crate::http::page::{self, Form, Page, PageCtx, PageError, PageResult, csrf_forms};
use crate::words::inr;

#[derive(Deserialize)]
pub(super) struct PayForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default, rename = "tenantId")]
    tenant_id: String,
    #[serde(default, rename = "consumerCode")]
    consumer_code: String,
    #[serde(default, rename = "billId")]
    bill_id: String,
    #[serde(default)]
    amount: String,
}

csrf_forms!(PayForm);

/// An amount as typed: rupees, at most two decimals, more than zero.
fn amount(s: &str) -> Option<Decimal> {
    let s = s.trim().trim_start_matches('₹').replace(',', "");
    let d: Decimal = s.parse().ok()?;
    (d > Decimal::ZERO && d.scale() <= 2 && d < Decimal::new(100_000_000, 0)).then_some(d)
}

/// Starts the payment and sends the browser to the gateway; a refused amount (zero, paise,
/// more than owed where advance is not taken, …) goes back to the bill with the reason.
pub(super) async fn pay(mut page: Page, form: Form<PayForm>) -> PageResult {
    limit(&page)?;
    let f = form.into_inner();
    let t = gp_code(&f.tenant_id)
        .ok_or_else(|| PageError::Status(StatusCode::NOT_FOUND, "CITIZEN_NOT_FOUND".to_owned()))?;
    let no = f.consumer_code.trim().to_owned();
    let back = |key: &str| {
        page::see_other(&format!(
            "{}&error={}#pay-form",
            bill_path(&t, &no),
            page::urlencode(key)
        ))
    };
    let Some(amount) = amount(&f.amount) else {
        return Ok(back("CITIZEN_BAD_AMOUNT"));
    };
    let started = pg::start_payment(
        page.state.get_ref(),
        pg::NewTxn {
            tenant_id: t.clone(),
            business_service: "WS".to_owned(),
            consumer_code: no.clone(),
            bill_id: uuid::Uuid::parse_str(f.bill_id.trim()).ok(),
            amount,
            callback_url: "/citizen/paid".to_owned(),
            ..Default::default()
        },
    )
    .await;
    let _ = page.ctx();
    match started {
        Ok(s) => Ok(page::see_other(&s.page_url)),
        Err(e) if e.status_code().is_client_error() => {
            tracing::info!(error = %e, "online payment refused");
            Ok(back("CITIZEN_PAY_REFUSED"))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct PaidQuery {
    #[serde(default)]
    eg_pg_txnid: String,
    #[serde(default, rename = "transactionId")]
    transaction_id: String,
}

#[derive(Template)]
#[template(path = "citizen/paid.html")]
struct PaidPage {
    p: PageCtx,
    /// `SUCCESS`, `FAILURE` or `PENDING`.
    status: String,
    txn_id: String,
    amount: String,
    no: String,
    receipt: String,
    receipt_q: String,
    feedback: String,
    bill: String,
}

/// Where the gateway's return lands: what happened, in plain words.
pub(super) async fn paid(mut page: Page, q: web::Query<PaidQuery>) -> PageResult {
    limit(&page)?;
    let id = if q.eg_pg_txnid.trim().is_empty() {
        q.transaction_id.trim()
    } else {
        q.eg_pg_txnid.trim()
    }
    .to_owned();
    let nf = || PageError::Status(StatusCode::NOT_FOUND, "CITIZEN_TXN_NOT_FOUND".to_owned());
    if id.is_empty() || id.len() > 64 {
        return Err(nf());
    }
    let txn = pg::get(page.state.get_ref(), &id).await?.ok_or_else(nf)?;
    let p = page.ctx();
    let status = match txn.status.as_str() {
        "SUCCESS" | "FAILURE" => txn.status.clone(),
        _ => "PENDING".to_owned(),
    };
    let receipt = txn.receipt.clone().unwrap_or_default();
    let shown = PaidPage {
        p,
        txn_id: txn.txn_id.clone(),
        amount: inr(txn.amount),
        no: txn.consumer_code.clone(),
        receipt_q: format!(
            "tenantId={}&consumerCode={}&receiptNumber={}",
            page::urlencode(&txn.tenant_id),
            page::urlencode(&txn.consumer_code),
            page::urlencode(&receipt)
        ),
        receipt,
        feedback: match (status.as_str(), txn.payment_id) {
            ("SUCCESS", Some(pid)) => feedback_path(&txn.tenant_id, &txn.consumer_code, pid),
            _ => String::new(),
        },
        bill: bill_path(&txn.tenant_id, &txn.consumer_code),
        status,
    };
    page.render(StatusCode::OK, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_rupees_with_at_most_paise() {
        assert_eq!(amount("170"), Some(Decimal::new(170, 0)));
        assert_eq!(amount(" ₹1,170.50 "), Some(Decimal::new(117050, 2)));
        for bad in ["0", "-5", "1.005", "abc", ""] {
            assert_eq!(amount(bad), None, "{bad}");
        }
    }
}
