//! `/collection-services/payments/*`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, Filter, NewPayment, Payment, Taken};
use crate::business::billing;
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::platform::access::link;
use crate::platform::encryption::Crypto;
use crate::platform::mdms::service::decimal_json;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/collection-services/payments/_create",
        Access::Protected,
        create,
    )
    .post(
        "/collection-services/payments/_validate",
        Access::Protected,
        validate,
    )
    .post(
        "/collection-services/payments/_search",
        Access::Protected,
        search,
    )
    .post(
        "/collection-services/payments/{module}/_search",
        Access::ProtectedOrLink,
        search,
    )
    .post(
        "/collection-services/payments/{module}/_workflow",
        Access::Protected,
        workflow,
    );
}

fn new_payment(p: &PaymentIn, detail: &DetailIn, key: Option<String>) -> NewPayment {
    NewPayment {
        tenant_id: p.tenant_id.trim().to_owned(),
        bill_id: detail.bill_id,
        business_service: detail.business_service.trim().to_owned(),
        total_due: p.total_due.unwrap_or_default(),
        amount: p.total_amount_paid,
        payment_mode: p.payment_mode.trim().to_uppercase(),
        paid_by: p.paid_by.clone(),
        payer_name: p.payer_name.clone(),
        mobile: p.mobile_number.clone(),
        instrument_number: p.instrument_number.clone(),
        idempotency_key: key,
    }
}

fn payment_json(conn: &mut diesel::PgConnection, crypto: &Crypto, p: &Payment) -> AppResult<Value> {
    let bill = billing::service::bill_json_of(conn, crypto, p.bill_id)?;
    payment_value(crypto, p, bill.unwrap_or(Value::Null))
}

/// A payment's JSON with its bill's.
fn payment_value(crypto: &Crypto, p: &Payment, bill: Value) -> AppResult<Value> {
    let audit = json!({"createdBy": p.created_by, "createdTime": p.created_at.timestamp_millis()});
    let (paid_by, payer_name, mobile) = service::payer_fields(crypto, p)?;
    Ok(json!({
        "id": p.id, "tenantId": p.tenant_id, "totalDue": decimal_json(p.total_due), "totalAmountPaid": decimal_json(p.total_amount_paid),
        "transactionNumber": p.transaction_number, "transactionDate": p.transaction_date.timestamp_millis(), "paymentMode": p.payment_mode,
        "paidBy": paid_by, "payerName": payer_name, "mobileNumber": mobile, "paymentStatus": p.payment_status,
        "instrumentStatus": if p.payment_status == "CANCELLED" { "CANCELLED" } else { "APPROVED" }, "auditDetails": audit,
        "paymentDetails": [{
            "id": p.detail_id, "paymentId": p.id, "tenantId": p.tenant_id, "totalDue": decimal_json(p.total_due),
            "totalAmountPaid": decimal_json(p.total_amount_paid), "receiptNumber": p.receipt_number,
            "receiptDate": p.receipt_date.timestamp_millis(), "receiptType": "BILLBASED", "businessService": p.business_service,
            "billId": p.bill_id, "bill": bill, "auditDetails": audit,
        }],
    }))
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    #[serde(rename = "Payment")]
    payment: PaymentIn,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentIn {
    tenant_id: String,
    #[serde(default, deserialize_with = "crate::money::optional")]
    total_due: Option<Decimal>,
    #[serde(deserialize_with = "crate::money::amount")]
    total_amount_paid: Decimal,
    payment_mode: String,
    paid_by: Option<String>,
    payer_name: Option<String>,
    mobile_number: Option<String>,
    instrument_number: Option<String>,
    payment_details: Vec<DetailIn>,
    additional_details: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetailIn {
    business_service: String,
    bill_id: uuid::Uuid,
}

async fn create(
    state: web::Data<AppState>,
    http: HttpRequest,
    req: Digit<CreateBody>,
) -> AppResult<HttpResponse> {
    let p = &req.body.payment;
    let detail = p.payment_details.first().ok_or_else(|| {
        AppError::invalid_field(
            codes::MISSING_FIELD,
            "paymentDetails must hold the bill paid",
            "Payment.paymentDetails",
        )
    })?;
    if p.payment_details.len() > 1 {
        return Err(AppError::invalid_field(
            "ONE_BILL_PER_PAYMENT",
            "A payment pays one bill",
            "Payment.paymentDetails",
        ));
    }
    let key = http
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            p.additional_details
                .as_ref()
                .and_then(|a| a.get("idempotencyKey"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty());
    if key.as_ref().is_some_and(|k| k.len() > 200) {
        return Err(AppError::invalid_field(
            "INVALID_IDEMPOTENCY_KEY",
            "at most 200 characters",
            "Idempotency-Key",
        ));
    }
    let new = new_payment(p, detail, key);
    service::check(&new)?;
    not_an_expense(&new.business_service)?;
    let actor = req.caller.user().map(|u| u.uuid);
    let st = state.clone();
    let body = db::transaction(&state.pool, move |c| {
        let now = Utc::now();
        match service::create(
            c,
            &st.crypto,
            &st.settings.app.state_tenant,
            &new,
            actor,
            now,
        )? {
            Taken::Replayed(v) => Ok(v),
            Taken::New(p, bill) => {
                let v = json!({"Payments": [payment_value(&st.crypto, &p, bill)?]});
                service::remember(c, &new, p.id, &v, now)?;
                service::paid(c, &st, &p, now)?;
                Ok(v)
            }
        }
    })
    .await?;
    let mut out = body;
    out["ResponseInfo"] =
        serde_json::to_value(ResponseInfo::success(&req.info)).unwrap_or(Value::Null);
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    tenant_id: Option<String>,
    ids: Option<String>,
    receipt_numbers: Option<String>,
    consumer_codes: Option<String>,
    /// The app's citizen receipt link spells it so; read as `consumerCodes`.
    consumer_code: Option<String>,
    business_services: Option<String>,
    bill_ids: Option<String>,
    status: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

async fn search(
    state: web::Data<AppState>,
    module: Option<web::Path<String>>,
    q: web::Query<SearchQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::invalid_field(
            "INVALID_LIMIT",
            "limit must be 1 to 500",
            "limit",
        ));
    }
    let mut services = params::csv(&q.business_services);
    if let Some(m) = module {
        services.push(m.into_inner());
    }
    let mut consumer_codes = params::csv(&q.consumer_codes);
    consumer_codes.extend(params::csv(&q.consumer_code));
    let receipt_numbers = params::csv(&q.receipt_numbers);
    let anonymous = req.caller.user().is_none();
    if anonymous {
        // One household's receipts, or one receipt: what a receipt link names.
        link::gp(&params::tenant(&q.tenant_id)?)?;
        if receipt_numbers.is_empty() || !consumer_codes.is_empty() {
            link::one(&consumer_codes, "consumerCodes")?;
        }
        if !receipt_numbers.is_empty() {
            link::one(&receipt_numbers, "receiptNumbers")?;
        }
        link::refuse_filter(q.ids.is_some(), "ids")?;
        link::refuse_filter(q.bill_ids.is_some(), "billIds")?;
    }
    let f = Filter {
        tenant_id: q
            .tenant_id
            .clone()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                AppError::invalid_field(codes::MISSING_FIELD, "tenantId is required", "tenantId")
            })?,
        ids: params::uuids(&q.ids, "ids")?,
        receipt_numbers,
        consumer_codes,
        business_services: services,
        bill_ids: params::uuids(&q.bill_ids, "billIds")?,
        status: q.status.clone().filter(|s| !s.is_empty()),
        offset: q.offset.unwrap_or(0).max(0),
        limit,
    };
    let st = state.clone();
    let (list, total) = db::run(&state.pool, move |c| {
        let (ps, total) = service::search(c, &f)?;
        let list = ps
            .iter()
            .map(|p| payment_json(c, &st.crypto, p))
            .collect::<AppResult<Vec<_>>>()?;
        Ok((list, total))
    })
    .await?;
    let mut list = list;
    if anonymous {
        list.iter_mut().for_each(link::redact);
    }
    Ok(HttpResponse::Ok().json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Payments": list, "totalCount": total})))
}

#[derive(Debug, Deserialize)]
struct WorkflowBody {
    #[serde(rename = "PaymentWorkflows")]
    workflows: Vec<WorkflowIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WorkflowIn {
    payment_id: uuid::Uuid,
    action: String,
    tenant_id: String,
}

async fn workflow(state: web::Data<AppState>, req: Digit<WorkflowBody>) -> AppResult<HttpResponse> {
    let actor = req.caller.user().map(|u| u.uuid);
    let wfs: Vec<(uuid::Uuid, String, String)> = req
        .body
        .workflows
        .iter()
        .map(|w| (w.payment_id, w.action.to_uppercase(), w.tenant_id.clone()))
        .collect();
    if wfs.is_empty() || wfs.iter().any(|w| w.1 != "CANCEL") {
        return Err(AppError::invalid_field(
            "INVALID_ACTION",
            "the only action is CANCEL",
            "PaymentWorkflows[0].action",
        ));
    }
    let st = state.clone();
    let list = db::transaction(&state.pool, move |c| {
        let now = Utc::now();
        let mut out = Vec::new();
        for (id, _, tenant) in &wfs {
            if let Some(p) = service::get(c, *id)?.filter(|p| &p.tenant_id == tenant) {
                not_an_expense(&p.business_service)?;
            }
            let p = service::cancel(c, tenant, *id, actor, now)?;
            out.push(payment_json(c, &st.crypto, &p)?);
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Payments": list})))
}

/// An expense bill's payment is taken (marked paid) and cancelled through the bill
/// (`eChallan/v1/_update`), which keeps the bill's status with its receipt: refused here.
fn not_an_expense(business_service: &str) -> AppResult<()> {
    if business_service.starts_with("EXPENSE.") {
        return Err(AppError::invalid_field(
            codes::EXPENSE_THROUGH_ECHALLAN,
            "An expense bill is paid and cancelled through the expense bill",
            "Payment.paymentDetails[0].businessService",
        ));
    }
    Ok(())
}

/// What `_validate` computed, carried out of the transaction that is rolled back.
enum Probe {
    Would(Value),
    Refused(AppError),
}

impl From<diesel::result::Error> for Probe {
    fn from(e: diesel::result::Error) -> Self {
        Probe::Refused(e.into())
    }
}

/// Everything `_create` would do, then rolled back: the answer shows the payment that would be
/// made (receipt number included), nothing is kept.
async fn validate(state: web::Data<AppState>, req: Digit<CreateBody>) -> AppResult<HttpResponse> {
    let p = &req.body.payment;
    let detail = p.payment_details.first().ok_or_else(|| {
        AppError::invalid_field(
            codes::MISSING_FIELD,
            "paymentDetails must hold the bill paid",
            "Payment.paymentDetails",
        )
    })?;
    let new = new_payment(p, detail, None);
    service::check(&new)?;
    let actor = req.caller.user().map(|u| u.uuid);
    let st = state.clone();
    let v = db::run(&state.pool, move |c| {
        use diesel::Connection as _;
        let out: Result<(), Probe> = c.transaction(|c| {
            let taken = service::create(
                c,
                &st.crypto,
                &st.settings.app.state_tenant,
                &new,
                actor,
                Utc::now(),
            )
            .map_err(Probe::Refused)?;
            match taken {
                Taken::New(p, bill) => Err(Probe::Would(
                    payment_value(&st.crypto, &p, bill).map_err(Probe::Refused)?,
                )),
                Taken::Replayed(v) => Err(Probe::Would(v)),
            }
        });
        match out {
            Err(Probe::Would(v)) => Ok(v),
            Err(Probe::Refused(e)) => Err(e),
            Ok(()) => Err(AppError::Internal(anyhow::anyhow!(
                "validation kept a payment"
            ))),
        }
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({"ResponseInfo": ResponseInfo::success(&req.info), "Payments": [v]})))
}
