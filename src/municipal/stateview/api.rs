//! `POST /mgramseva/state/v1/_search?tenantId&from&to|month|fy&zone&circle&division&sortBy&sortOrder&offset&limit`:
//! the division or state view as JSON in the DIGIT envelope (role-action 3061: DIV_ADMIN,
//! STATE_ADMIN). A division admin gets the GPs of their divisions, the state admin every GP;
//! `tenantId` is the state (every GP of the caller's: a division admin their divisions', the
//! state admin all) or one GP (its row; 403 when outside the caller's divisions, 400 when no
//! GP). Amounts are strings (exact), days `YYYY-MM-DD`, efficiency a per cent
//! with two places.

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::params::{self, Raw};
use super::service::{self, Row, Scope};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo, params as http_params};
use crate::state::AppState;
use crate::time::IST;

pub const PATH: &str = "/mgramseva/state/v1/_search";

pub fn routes(r: &mut Routes<'_>) {
    // The gateway checks the role (action 3061 on some tenant); which GPs the caller reads is
    // the service's: a division admin holds the role on GPs, not on the state (as HRMS).
    r.post(PATH, Access::ActionOnly, search);
}

fn row_json(r: &Row) -> Value {
    let money = |d: rust_decimal::Decimal| d.round_dp(2).to_string();
    json!({
        "tenantId": r.tenant_id,
        "name": r.name,
        "zone": r.zone,
        "circle": r.circle,
        "division": r.division,
        "demand": money(r.demand),
        "collection": money(r.collection),
        "collectionEfficiency": r.efficiency.map(|e| e.round_dp(2).to_string()),
        "expenses": money(r.expenses),
        "expensesPaid": money(r.expenses_paid),
        "surplus": money(r.surplus),
        "households": r.households,
        "lastDemandDate": r.last_demand_date,
        "notBilledLastMonth": r.not_billed > 0,
    })
}

async fn search(
    state: web::Data<AppState>,
    q: web::Query<Raw>,
    req: Digit<Value>,
) -> AppResult<HttpResponse> {
    let tenant = http_params::tenant(&q.tenant_id)?;
    let user = req.caller.user().cloned().ok_or_else(|| {
        AppError::unauthorized(
            "CustomException",
            "You are not authorized to access this resource",
        )
    })?;
    let raw = q.into_inner();
    let state_tenant = state.settings.app.state_tenant.clone();
    let today = chrono::Utc::now().with_timezone(&IST).date_naive();
    let found = db::run(&state.pool, move |c| {
        let refused = |r: params::Refusal| {
            if r.forbidden {
                AppError::forbidden(r.code, r.message)
            } else {
                AppError::invalid_field(r.code, r.message, r.field)
            }
        };
        let scope = service::scope_of(c, &user, &state_tenant)?;
        let gp = if tenant == state_tenant {
            None
        } else {
            service::gp_of(c, &scope, &tenant)?.map_err(refused)?;
            Some(tenant)
        };
        let all = service::places(c, &Scope::State)?;
        let mine = service::places(c, &scope)?;
        let mut query = params::read(&raw, scope, today, &all, &mine).map_err(refused)?;
        query.gp = gp;
        let period = query.period.key();
        Ok((period, service::search(c, &query)?))
    })
    .await?;
    let (period, f) = found;
    let mut totals = row_json(&f.totals);
    totals["notBilledLastMonth"] = json!(f.totals.not_billed);
    Ok(HttpResponse::Ok().json(json!({
        "ResponseInfo": ResponseInfo::success(&req.info),
        "period": period,
        "StateView": f.rows.iter().map(row_json).collect::<Vec<_>>(),
        "totals": totals,
        "TotalCount": f.total,
        "asOf": f.as_of.map(|t| t.timestamp_millis()),
    })))
}
