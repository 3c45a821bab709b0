//! Feedback after a payment (product.md §2.11): the three questions of the `CheckList` master
//! (`HAPPY_WATER_SUPPLY`, `WATER_SUPPLY_REGULAR`, `WATER_QUALITY_GOOD`), each 1 to 5, one set
//! per payment (a unique constraint), tagged with the billing period of the bill the payment
//! paid. Asked on the citizen's page after paying, and through `ws-services/wc/_submitfeedback`
//! (with a token: a role mapped to the action; without: whoever holds the link of that payment,
//! which names its GP, connection and payment id) and read back, averaged as ws-services did,
//! through `ws-services/wc/_getfeedback` (staff roles of the role-action master). The rows of
//! `water_feedback` are read and written by `citizen::repo`.

use actix_web::{HttpResponse, ResponseError as _, http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{limit, repo};
use crate::business::billing::service as billing;
use crate::business::collection;
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::page::{self, Form, Page, PageCtx, PageError, PageResult, csrf_forms};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::state::AppState;

/// The questions, in the order they are asked.
pub const QUESTIONS: [&str; 3] = [
    "HAPPY_WATER_SUPPLY",
    "WATER_SUPPLY_REGULAR",
    "WATER_QUALITY_GOOD",
];

pub fn api_routes(r: &mut Routes<'_>) {
    r.post(
        "/ws-services/wc/_submitfeedback",
        Access::ProtectedOrLink,
        submit_api,
    )
    .post("/ws-services/wc/_getfeedback", Access::Protected, get_api);
}

pub use super::repo::Feedback;

impl Feedback {
    fn values(&self) -> [i16; 3] {
        [
            self.happy_water_supply,
            self.water_supply_regular,
            self.water_quality_good,
        ]
    }
}

/// A payment of `connection_no` on `tenant` that feedback may be given for: live, and the
/// household's. Anything else is "not found" (the same answer whether the payment exists).
fn payment_of(
    c: &mut PgConnection,
    tenant: &str,
    connection_no: &str,
    payment_id: uuid::Uuid,
) -> AppResult<collection::service::Payment> {
    match collection::service::get(c, payment_id)? {
        Some(p)
            if p.tenant_id == tenant
                && p.consumer_code == connection_no
                && p.payment_status != "CANCELLED" =>
        {
            Ok(p)
        }
        _ => Err(AppError::invalid_field(
            codes::PAYMENT_NOT_FOUND,
            "no such payment of this connection",
            "feedback.paymentId",
        )),
    }
}

/// The rating already given for a payment.
pub fn of_payment(c: &mut PgConnection, payment_id: uuid::Uuid) -> QueryResult<Option<Feedback>> {
    repo::feedback_of_payment(c, payment_id)
}

/// Records the three answers for one payment of the household; a second rating of the same
/// payment is refused (409 `FEEDBACK_EXISTS`), a value outside 1..5 or a missing question is a
/// 400 `INVALID_FEEDBACK`.
pub fn submit(
    c: &mut PgConnection,
    tenant: &str,
    connection_no: &str,
    payment_id: uuid::Uuid,
    values: [i16; 3],
    who: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Feedback> {
    if let Some(i) = values.iter().position(|v| !(1..=5).contains(v)) {
        return Err(AppError::invalid_field(
            codes::INVALID_FEEDBACK,
            format!("{} must be 1 to 5", QUESTIONS[i]),
            "feedback.additionalDetails.CheckList",
        ));
    }
    let pay = payment_of(c, tenant, connection_no, payment_id)?;
    // the billing period of the bill paid: its latest period
    let (bills, _) = billing::search_bills(
        c,
        &billing::BillFilter {
            tenant_id: tenant.to_owned(),
            ids: vec![pay.bill_id],
            bill_numbers: Vec::new(),
            consumer_codes: Vec::new(),
            service: None,
            status: None,
            offset: 0,
            limit: 1,
        },
    )?;
    let (from, to) = bills
        .first()
        .and_then(|b| b.details.last())
        .map(|(d, _)| (d.from_period, d.to_period))
        .unwrap_or((pay.receipt_date, pay.receipt_date));
    let made = repo::insert_feedback(
        c,
        &repo::NewFeedback {
            tenant,
            connection_no,
            payment_id,
            period: (from, to),
            values,
            who,
            at: now,
        },
    )?;
    made.ok_or_else(|| {
        AppError::conflict(
            codes::FEEDBACK_EXISTS,
            "feedback for this payment has already been given",
        )
    })
}

/// Ratings of a GP, newest first, by connection, payment and creation time (epoch ms).
pub fn search(
    c: &mut PgConnection,
    tenant: &str,
    connection_no: Option<&str>,
    payment_id: Option<uuid::Uuid>,
    (from, to): (Option<i64>, Option<i64>),
) -> QueryResult<Vec<Feedback>> {
    repo::search_feedback(c, tenant, connection_no, payment_id, (from, to))
}

/// What `_getfeedback` answers (as ws-services): each question's average, truncated to a whole
/// number, and the count; an empty object when there is none.
pub fn averages(found: &[Feedback]) -> Value {
    if found.is_empty() {
        return json!({});
    }
    let n = found.len() as i64;
    let mut out = serde_json::Map::new();
    for (i, q) in QUESTIONS.iter().enumerate() {
        let sum: i64 = found.iter().map(|f| i64::from(f.values()[i])).sum();
        out.insert((*q).to_owned(), json!(sum / n));
    }
    out.insert("count".to_owned(), json!(n));
    Value::Object(out)
}

// ---- the API ----

#[derive(Deserialize)]
struct SubmitBody {
    feedback: FeedbackIn,
}

#[derive(Deserialize)]
struct FeedbackIn {
    #[serde(rename = "tenantId")]
    tenant_id: String,
    #[serde(rename = "connectionNo", alias = "connectionno")]
    connection_no: String,
    #[serde(rename = "paymentId", alias = "paymentid")]
    payment_id: String,
    #[serde(rename = "additionalDetails", alias = "additionaldetails", default)]
    additional_details: Value,
}

/// The three answers of a CheckList (`value` a number or a numeric string).
fn answers(details: &Value) -> AppResult<[i16; 3]> {
    let bad = |m: &str| {
        AppError::invalid_field(
            codes::INVALID_FEEDBACK,
            m,
            "feedback.additionalDetails.CheckList",
        )
    };
    let list = details["CheckList"]
        .as_array()
        .ok_or_else(|| bad("CheckList is required"))?;
    let mut out = [0i16; 3];
    for (i, q) in QUESTIONS.iter().enumerate() {
        let item = list
            .iter()
            .find(|x| x["code"].as_str() == Some(q))
            .ok_or_else(|| bad(&format!("{q} is required")))?;
        let v = match &item["value"] {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        out[i] = v
            .filter(|v| (1..=5).contains(v))
            .and_then(|v| i16::try_from(v).ok())
            .ok_or_else(|| bad(&format!("{q} must be 1 to 5")))?;
    }
    Ok(out)
}

fn feedback_json(f: &Feedback) -> Value {
    let fmt = |t: DateTime<Utc>| {
        t.with_timezone(&crate::time::IST)
            .format("%d/%m/%Y")
            .to_string()
    };
    json!({
        "id": f.id, "tenantId": f.tenant_id, "connectionNo": f.connection_no,
        "paymentId": f.payment_id,
        "billingCycle": format!("{}-{}", fmt(f.period_from), fmt(f.period_to)),
        "additionalDetails": {"CheckList": QUESTIONS.iter().zip(f.values()).map(|(q, v)|
            json!({"code": q, "type": "SINGLE_SELECT", "value": v})).collect::<Vec<_>>()},
        "auditDetails": {"createdTime": f.created_at.timestamp_millis(),
                         "lastModifiedTime": f.created_at.timestamp_millis()},
    })
}

async fn submit_api(state: web::Data<AppState>, req: Digit<SubmitBody>) -> AppResult<HttpResponse> {
    let f = &req.body.feedback;
    let tenant = params::tenant(&Some(f.tenant_id.clone()))?;
    if req.caller.user().is_none() {
        crate::platform::access::link::gp(&tenant)?;
    }
    let payment_id = uuid::Uuid::parse_str(f.payment_id.trim()).map_err(|_| {
        AppError::invalid_field(
            codes::PAYMENT_NOT_FOUND,
            "no such payment of this connection",
            "feedback.paymentId",
        )
    })?;
    let values = answers(&f.additional_details)?;
    let (no, who) = (
        f.connection_no.trim().to_owned(),
        req.caller.user().map(|u| u.uuid),
    );
    let made = db::transaction(&state.pool, move |c| {
        submit(c, &tenant, &no, payment_id, values, who, Utc::now())
    })
    .await?;
    Ok(
        HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "message": "Successfully submitted feedback", "feedback": feedback_json(&made)})),
    )
}

#[derive(Deserialize)]
struct GetQuery {
    #[serde(rename = "tenantId")]
    tenant_id: Option<String>,
    #[serde(rename = "connectionNo", alias = "connectionno")]
    connection_no: Option<String>,
    #[serde(rename = "paymentId", alias = "paymentid")]
    payment_id: Option<String>,
    #[serde(rename = "fromDate")]
    from_date: Option<i64>,
    #[serde(rename = "toDate")]
    to_date: Option<i64>,
}

async fn get_api(
    state: web::Data<AppState>,
    q: web::Query<GetQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let payment = match q.payment_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(uuid::Uuid::parse_str(s).map_err(|_| {
            AppError::invalid_field(codes::INVALID_VALUE, "paymentId is not an id", "paymentId")
        })?),
    };
    let no = q.connection_no.clone().filter(|s| !s.trim().is_empty());
    let dates = (q.from_date, q.to_date);
    let found = db::run(&state.pool, move |c| {
        Ok(search(c, &tenant, no.as_deref(), payment, dates)?)
    })
    .await?;
    Ok(
        HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info),
        "feedback": averages(&found)})),
    )
}

// ---- the page ----

#[derive(Deserialize)]
pub(super) struct FeedbackQuery {
    #[serde(default, rename = "tenantId")]
    tenant_id: String,
    #[serde(default, rename = "connectionno", alias = "connectionNo")]
    connection_no: String,
    #[serde(default, rename = "paymentId")]
    payment_id: String,
}

#[derive(Deserialize)]
pub(super) struct FeedbackForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default, rename = "tenantId")]
    tenant_id: String,
    #[serde(default, rename = "connectionno")]
    connection_no: String,
    #[serde(default, rename = "paymentId")]
    payment_id: String,
    #[serde(default, rename = "HAPPY_WATER_SUPPLY")]
    happy: String,
    #[serde(default, rename = "WATER_SUPPLY_REGULAR")]
    regular: String,
    #[serde(default, rename = "WATER_QUALITY_GOOD")]
    quality: String,
}

csrf_forms!(FeedbackForm);

/// A question: its code, its text, the answers 1..5 and whether each is chosen.
type Question = (String, String, Vec<(u8, bool)>);

#[derive(Template)]
#[template(path = "citizen/feedback.html")]
struct FeedbackPage {
    p: PageCtx,
    tenant: String,
    no: String,
    payment_id: String,
    questions: Vec<Question>,
    error: String,
    done: bool,
    bill_q: String,
}

impl FeedbackPage {
    fn new(p: PageCtx, tenant: &str, no: &str, payment: &str, chosen: [&str; 3]) -> Self {
        let questions = QUESTIONS
            .iter()
            .zip(chosen)
            .map(|(q, c)| {
                let scale = (1..=5u8).map(|n| (n, c.trim() == n.to_string())).collect();
                ((*q).to_owned(), p.t(&format!("FEEDBACK_{q}")), scale)
            })
            .collect();
        Self {
            tenant: tenant.to_owned(),
            no: no.to_owned(),
            payment_id: payment.to_owned(),
            questions,
            error: String::new(),
            done: false,
            bill_q: super::bill_pages::bill_path(tenant, no),
            p,
        }
    }
}

/// The household's GP, connection and payment named by a link, checked.
fn named(tenant: &str, no: &str, payment: &str) -> Result<(String, String, uuid::Uuid), PageError> {
    let nf = || PageError::Status(StatusCode::NOT_FOUND, "CITIZEN_NOT_FOUND".to_owned());
    let t = super::gp_code(tenant).ok_or_else(nf)?;
    let id = uuid::Uuid::parse_str(payment.trim()).map_err(|_| nf())?;
    let no = no.trim();
    if no.is_empty() || no.len() > 64 {
        return Err(nf());
    }
    Ok((t, no.to_owned(), id))
}

/// The three questions for one payment (or the thanks, if they were answered).
pub(super) async fn form(mut page: Page, q: web::Query<FeedbackQuery>) -> PageResult {
    limit(&page)?;
    let (t, no, id) = named(&q.tenant_id, &q.connection_no, &q.payment_id)?;
    let (tt, nn) = (t.clone(), no.clone());
    let given = db::run(&page.state.pool, move |c| {
        payment_of(c, &tt, &nn, id)?;
        Ok(of_payment(c, id)?)
    })
    .await
    .map_err(|_| PageError::Status(StatusCode::NOT_FOUND, "CITIZEN_NOT_FOUND".to_owned()))?;
    let p = page.ctx();
    let mut shown = FeedbackPage::new(p, &t, &no, &id.to_string(), ["", "", ""]);
    shown.done = given.is_some();
    page.render(StatusCode::OK, shown)
}

pub(super) async fn submit_form(mut page: Page, form: Form<FeedbackForm>) -> PageResult {
    limit(&page)?;
    let f = form.into_inner();
    let (t, no, id) = named(&f.tenant_id, &f.connection_no, &f.payment_id)?;
    let p = page.ctx();
    let chosen = [f.happy.as_str(), f.regular.as_str(), f.quality.as_str()];
    let mut shown = FeedbackPage::new(p, &t, &no, &id.to_string(), chosen);
    let values: Option<Vec<i16>> = chosen
        .iter()
        .map(|v| v.trim().parse::<i16>().ok().filter(|v| (1..=5).contains(v)))
        .collect();
    let Some(values) = values else {
        shown.error = shown.p.t("FEEDBACK_ANSWER_ALL");
        return page.render(StatusCode::UNPROCESSABLE_ENTITY, shown);
    };
    let (tt, nn) = (t.clone(), no.clone());
    let done = db::transaction(&page.state.pool, move |c| {
        submit(
            c,
            &tt,
            &nn,
            id,
            [values[0], values[1], values[2]],
            None,
            Utc::now(),
        )
    })
    .await;
    match done {
        Ok(_) => shown.done = true,
        Err(e) if e.status_code() == StatusCode::CONFLICT => shown.done = true,
        Err(e) if e.status_code().is_client_error() => {
            return Err(PageError::Status(
                StatusCode::NOT_FOUND,
                "CITIZEN_NOT_FOUND".to_owned(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    page.render(StatusCode::OK, shown)
}

/// The feedback page of a payment (what the payment's success page and the survey SMS link to).
pub fn feedback_path(tenant: &str, no: &str, payment: uuid::Uuid) -> String {
    format!(
        "/citizen/feedback?tenantId={}&connectionno={}&paymentId={payment}",
        page::urlencode(tenant),
        page::urlencode(no)
    )
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    #[test]
    fn answers_take_numbers_or_strings_one_to_five() {
        let ok = json!({"CheckList": [
            {"code": "HAPPY_WATER_SUPPLY", "type": "SINGLE_SELECT", "value": "5"},
            {"code": "WATER_QUALITY_GOOD", "type": "SINGLE_SELECT", "value": 5},
            {"code": "WATER_SUPPLY_REGULAR", "type": "SINGLE_SELECT", "value": "4"}]});
        assert_eq!(answers(&ok).unwrap(), [5, 4, 5]);
        for bad in [
            json!({}),
            json!({"CheckList": [{"code": "HAPPY_WATER_SUPPLY", "value": 6}]}),
        ] {
            assert!(answers(&bad).is_err(), "{bad}");
        }
        let mut zero = ok;
        zero["CheckList"][0]["value"] = json!(0);
        assert!(answers(&zero).is_err());
    }
}
