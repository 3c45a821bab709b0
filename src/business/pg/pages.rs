//! pg's pages: the page that posts a gateway's form (`_go`), the sandbox gateway's payment page
//! (only while `pg.sandbox_enabled`; otherwise 404), and the counter staff's list of online
//! transactions with the day's online total (`/home/online-payments`).

use std::collections::BTreeMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::gateway::Status;
use super::sandbox::{self, CALLBACK_FIELDS, REQUEST_FIELDS};
use super::{repo, service};
use crate::http::page::{Form, Page, PageCtx, PageError, PageResult, csrf_forms};
use crate::http::routes::{Access, Routes};

pub fn routes(r: &mut Routes<'_>) {
    r.get(service::GO_PATH, Access::PublicPage, go)
        .get(sandbox::PAY_PATH, Access::PublicPage, sandbox_form)
        .post(sandbox::PAY_PATH, Access::PublicPage, sandbox_decide);
    super::staff::routes(r);
}

#[derive(Template)]
#[template(path = "pg/go.html")]
struct GoPage {
    p: PageCtx,
    url: String,
    fields: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GoQuery {
    transaction_id: Option<String>,
}

fn not_found() -> PageError {
    PageError::Status(StatusCode::NOT_FOUND, "CORE_NOT_FOUND".to_owned())
}

/// The origin (`https://host[:port]`) of an absolute URL.
fn origin(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest
        .find('/')
        .map_or(url.len(), |i| url.len() - rest.len() + i);
    let o = &url[..end];
    o.chars()
        .all(|c| c.is_ascii_alphanumeric() || ".:/-[]".contains(c))
        .then_some(o)
}

/// Posts a gateway's form (a gateway taking a POST): by itself where scripts run, else the
/// button. The page may post to that gateway only (its own content security policy).
async fn go(mut page: Page, q: web::Query<GoQuery>) -> PageResult {
    let id = q.transaction_id.clone().unwrap_or_default();
    let txn = service::get(&page.state, &id)
        .await
        .map_err(PageError::App)?
        .filter(|t| t.status() == Status::Pending)
        .ok_or_else(not_found)?;
    let url = txn
        .redirect
        .get("url")
        .and_then(|u| u.as_str())
        .unwrap_or("")
        .to_owned();
    let fields: Vec<(String, String)> = txn
        .redirect
        .get("form")
        .and_then(|f| serde_json::from_value(f.clone()).ok())
        .ok_or_else(not_found)?;
    let gateway = origin(&url).ok_or_else(not_found)?.to_owned();
    let p = page.ctx();
    let mut res = page.render(StatusCode::OK, GoPage { p, url, fields })?;
    let csp = crate::http::headers::CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {gateway}"),
    );
    if let Ok(v) = header::HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "pg/sandbox.html")]
struct SandboxPage {
    p: PageCtx,
    order_id: String,
    amount: String,
    return_url: String,
    sig: String,
}

#[derive(Template)]
#[template(path = "pg/abandoned.html")]
struct AbandonedPage {
    p: PageCtx,
    back: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SandboxQuery {
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    return_url: String,
    #[serde(default)]
    sig: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DecideForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    return_url: String,
    #[serde(default)]
    sig: String,
    #[serde(default)]
    decision: String,
}

csrf_forms!(DecideForm);

/// The sandbox gateway, when enabled, and its signing key.
fn sandbox_key(page: &Page) -> Result<Vec<u8>, PageError> {
    let s = &page.state.settings.pg;
    if !s.sandbox_enabled {
        return Err(not_found());
    }
    let key = s.sandbox_key.expose();
    Ok(if key.is_empty() {
        b"sandbox".to_vec()
    } else {
        key.as_bytes().to_vec()
    })
}

/// The request fields, checked against their signature (the amount cannot be changed here).
fn signed_request(
    key: &[u8],
    order_id: &str,
    amount: &str,
    return_url: &str,
    sig: &str,
) -> Result<BTreeMap<String, String>, PageError> {
    let mut p = BTreeMap::new();
    p.insert("orderId".to_owned(), order_id.to_owned());
    p.insert("amount".to_owned(), amount.to_owned());
    p.insert("returnUrl".to_owned(), return_url.to_owned());
    if !sandbox::verify(key, &REQUEST_FIELDS, &p, sig) {
        return Err(PageError::App(crate::error::AppError::invalid_field(
            crate::error::codes::PG_BAD_SIGNATURE,
            "The payment request's signature does not match",
            "sig",
        )));
    }
    Ok(p)
}

async fn sandbox_form(mut page: Page, q: web::Query<SandboxQuery>) -> PageResult {
    let key = sandbox_key(&page)?;
    signed_request(&key, &q.order_id, &q.amount, &q.return_url, &q.sig)?;
    let p = page.ctx();
    let form = SandboxPage {
        p,
        order_id: q.order_id.clone(),
        amount: q.amount.clone(),
        return_url: q.return_url.clone(),
        sig: q.sig.clone(),
    };
    page.render(StatusCode::OK, form)
}

/// Records the customer's choice and sends them back: approved or declined with the signed
/// answer; abandoned to a page saying so (the gateway then never calls back; the
/// reconciliation expires the transaction).
async fn sandbox_decide(mut page: Page, form: Form<DecideForm>) -> PageResult {
    let key = sandbox_key(&page)?;
    let f = form.into_inner();
    let req = signed_request(&key, &f.order_id, &f.amount, &f.return_url, &f.sig)?;
    let decision = match f.decision.as_str() {
        d @ ("APPROVED" | "DECLINED" | "ABANDONED") => d.to_owned(),
        _ => {
            return Err(PageError::App(crate::error::AppError::invalid_field(
                crate::error::codes::INVALID_VALUE,
                "decision must be APPROVED, DECLINED or ABANDONED",
                "decision",
            )));
        }
    };
    let amount = crate::money::parse(&f.amount).map_err(|e| {
        PageError::App(crate::error::AppError::invalid_field(
            crate::error::codes::INVALID_VALUE,
            e,
            "amount",
        ))
    })?;
    let order = f.order_id.clone();
    let (d, id, sandbox_id) = crate::db::run(&page.state.pool, move |c| {
        Ok(repo::sandbox_decide(
            c,
            &order,
            amount,
            &decision,
            Utc::now(),
        )?)
    })
    .await
    .map(|(d, _, s)| (d, f.order_id.clone(), s))
    .map_err(PageError::App)?;
    let return_url = req.get("returnUrl").cloned().unwrap_or_default();
    if d == "ABANDONED" {
        let p = page.ctx();
        return page.render(
            StatusCode::OK,
            AbandonedPage {
                p,
                back: return_url,
            },
        );
    }
    let mut answer = BTreeMap::new();
    answer.insert("orderId".to_owned(), id);
    answer.insert("sandboxTxnId".to_owned(), sandbox_id);
    answer.insert("amount".to_owned(), f.amount.clone());
    answer.insert(
        "status".to_owned(),
        if d == "APPROVED" {
            "SUCCESS"
        } else {
            "FAILURE"
        }
        .to_owned(),
    );
    answer.insert("mode".to_owned(), "UPI".to_owned());
    let signature = sandbox::sign(&key, &CALLBACK_FIELDS, &answer);
    answer.insert("signature".to_owned(), signature);
    let query = serde_urlencoded::to_string(&answer).unwrap_or_default();
    let sep = if return_url.contains('?') { '&' } else { '?' };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{return_url}{sep}{query}")))
        .finish())
}
