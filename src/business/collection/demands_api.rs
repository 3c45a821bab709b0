//! `/billing-service/demand/_search`: demands (billing finds them) with, when asked, the
//! consumers' receipts (`CollectedReceipt`). Composed here, above billing, so that billing
//! never imports collection.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::Value;

use super::service::{self, Filter};
use crate::business::billing::{self, DemandQuery};
use crate::db;
use crate::error::AppResult;
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::platform::access::link;
use crate::platform::mdms::service::decimal_json;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/billing-service/demand/_search",
        Access::ProtectedOrLink,
        search_demands,
    );
}

#[derive(Serialize)]
struct Answer {
    #[serde(rename = "ResponseInfo")]
    info: ResponseInfo,
    #[serde(rename = "Demands")]
    demands: Vec<Value>,
    #[serde(rename = "CollectedReceipt")]
    collected: Vec<Receipt>,
    pagination: Pagination,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Receipt {
    business_service: String,
    consumer_code: String,
    receipt_number: String,
    receipt_amount: Value,
    receipt_date: i64,
    status: String,
    tenant_id: String,
    transaction_number: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    offset: i64,
    limit: i64,
    total_count: i64,
}

async fn search_demands(
    state: web::Data<AppState>,
    q: web::Query<DemandQuery>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let anonymous = req.caller.user().is_none();
    if anonymous {
        // One household's demands, as a bill link shows them.
        link::gp(&params::tenant(&q.tenant_id)?)?;
        link::one(&params::csv(&q.consumer_code), "consumerCode")?;
        link::refuse_filter(q.mobile_number.is_some(), "mobileNumber")?;
        link::refuse_filter(q.email.is_some(), "email")?;
        link::refuse_filter(q.payer.is_some(), "payer")?;
        link::refuse_filter(q.demand_id.is_some(), "demandId")?;
    }
    let mut found = billing::find_demands(&state, &q).await?;
    if anonymous {
        found.demands.iter_mut().for_each(link::redact);
    }
    let collected = match found.receipts_of {
        Some(f) => {
            db::run(&state.pool, move |c| {
                Ok(service::search(
                    c,
                    &Filter {
                        tenant_id: f.tenant_id,
                        consumer_codes: f.consumer_codes,
                        business_services: f.business_service.into_iter().collect(),
                        offset: 0,
                        limit: 500,
                        ..Default::default()
                    },
                )?
                .0)
            })
            .await?
        }
        None => Vec::new(),
    };
    Ok(HttpResponse::Ok().json(Answer {
        info: ResponseInfo::success(&req.info),
        demands: found.demands,
        collected: collected
            .into_iter()
            .map(|p| Receipt {
                business_service: p.business_service,
                consumer_code: p.consumer_code,
                receipt_number: p.receipt_number,
                receipt_amount: decimal_json(p.total_amount_paid),
                receipt_date: p.receipt_date.timestamp_millis(),
                status: p.payment_status,
                tenant_id: p.tenant_id,
                transaction_number: p.transaction_number,
            })
            .collect(),
        pagination: Pagination {
            offset: found.offset,
            limit: found.limit,
            total_count: found.total,
        },
    }))
}
