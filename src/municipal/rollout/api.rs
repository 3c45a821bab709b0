//! `POST /mgramseva/rollout/v1/_search?tenantId&dateRange&division&zone&offset&limit`: the
//! roll-out dashboard as JSON in the DIGIT envelope, for the state admin (role-action 3060).
//! `tenantId` is the state (every GP) or one GP (that GP's rows); amounts are strings (exact),
//! days `YYYY-MM-DD` in IST.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, Filter};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params};
use crate::state::AppState;

pub const PATH: &str = "/mgramseva/rollout/v1/_search";

pub fn routes(r: &mut Routes<'_>) {
    r.post(PATH, Access::Protected, search);
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Query {
    tenant_id: Option<String>,
    date_range: Option<String>,
    division: Option<String>,
    zone: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

fn blank_none(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

async fn search(
    state: web::Data<AppState>,
    q: web::Query<Query>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = params::tenant(&q.tenant_id)?;
    let (offset, limit) = params::paging(q.offset, q.limit)?;
    let date_range = blank_none(&q.date_range);
    if let Some(r) = &date_range
        && !service::window_keys(chrono::Utc::now()).contains(r)
    {
        return Err(AppError::invalid_field(
            codes::INVALID_VALUE,
            format!("dateRange {r:?} is not a window of the dashboard"),
            "dateRange",
        ));
    }
    let state_tenant = state.settings.app.state_tenant.clone();
    let f = Filter {
        date_range,
        division: blank_none(&q.division),
        zone: blank_none(&q.zone),
        tenant_id: (tenant != state_tenant).then_some(tenant),
        limit,
        offset,
    };
    let (total, rows) = db::run(&state.pool, move |c| Ok(service::search(c, &f)?)).await?;
    let money = |d: rust_decimal::Decimal| d.round_dp(2).to_string();
    let out: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "tenantId": r.tenant_id,
                "tenantName": r.tenant_name,
                "projectCode": r.project_code,
                "zone": r.zone,
                "circle": r.circle,
                "division": r.division,
                "subdivision": r.subdivision,
                "section": r.section,
                "dateRange": r.date_range,
                "rangeFrom": r.range_from,
                "rangeTo": r.range_to,
                "activeUsersCount": r.active_users_count,
                "totalAdvance": money(r.total_advance),
                "totalPenalty": money(r.total_penalty),
                "totalConnections": r.total_connections,
                "activeConnections": r.active_connections,
                "lastDemandGenDate": r.last_demand_gen_date,
                "demandGeneratedConsumerCount": r.demand_generated_consumer_count,
                "totalDemandAmount": money(r.total_demand_amount),
                "collectionTillDate": money(r.collection_till_date),
                "onlineCollection": money(r.online_collection),
                "lastCollectionDate": r.last_collection_date,
                "expenseCount": r.expense_count,
                "countOfElectricityExpenseBills": r.count_of_electricity_expense_bills,
                "noOfPaidExpenseBills": r.no_of_paid_expense_bills,
                "lastExpenseTxnDate": r.last_expense_txn_date,
                "totalAmountOfExpenseBills": money(r.total_amount_of_expense_bills),
                "totalAmountOfElectricityBills": money(r.total_amount_of_electricity_bills),
                "totalAmountOfPaidExpenseBills": money(r.total_amount_of_paid_expense_bills),
                "ratingCount": r.rating_count,
                "lastRatingDate": r.last_rating_date,
                "refreshedAt": r.created_at.timestamp_millis(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "ResponseInfo": ResponseInfo::success(&req.info),
        "RolloutDashboard": out,
        "TotalCount": total,
    })))
}
