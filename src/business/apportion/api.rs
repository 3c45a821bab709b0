//! `/apportion-service/v2/bill/_apportion` and `/apportion-service/v2/demand/_apportion`: the
//! original's apportion service, which its collection and billing called over HTTP (and its
//! Postman collection calls). Here collection and billing call [`super::apportion`] in process;
//! these routes run the same function on the bills or demands posted and answer them with what
//! each line would take. Nothing is read from or written to the ledger: the posted amounts are
//! the input, so only the superuser and the system user may call them (they are tools, not a
//! GP's screen).

use actix_web::{HttpResponse, web};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Apportioned, Line, Move, apportion};
use crate::db;
use crate::error::{AppError, AppResult, codes};
use crate::http::routes::{Access, Routes};
use crate::http::{Digit, ResponseInfo};
use crate::platform::mdms::service::decimal_json;
use crate::state::AppState;

pub fn routes(r: &mut Routes<'_>) {
    r.post(
        "/apportion-service/v2/bill/_apportion",
        Access::Authenticated,
        bills,
    )
    .post(
        "/apportion-service/v2/demand/_apportion",
        Access::Authenticated,
        demands,
    );
}

fn require_internal<T>(req: &Digit<T>) -> AppResult<()> {
    let internal = req.caller.user().is_some_and(|u| {
        u.roles
            .iter()
            .any(|r| r.code == "SUPERUSER" || r.code == "SYSTEM")
    });
    if internal {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "CustomException",
            "Not authorized to access this resource",
        ))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BillsBody {
    tenant_id: Option<String>,
    #[serde(rename = "Bills")]
    bills: Vec<BillIn>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct BillIn {
    business_service: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::money::optional",
        serialize_with = "opt_amount"
    )]
    amount_paid: Option<Decimal>,
    is_advance_allowed: Option<bool>,
    #[serde(default)]
    bill_details: Vec<BillDetailIn>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct BillDetailIn {
    id: Option<String>,
    #[serde(default)]
    from_period: i64,
    #[serde(
        default,
        deserialize_with = "crate::money::optional",
        serialize_with = "opt_amount"
    )]
    amount_paid: Option<Decimal>,
    #[serde(default)]
    bill_account_details: Vec<AccountIn>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountIn {
    id: Option<String>,
    tax_head_code: String,
    #[serde(deserialize_with = "crate::money::amount", serialize_with = "amount")]
    amount: Decimal,
    #[serde(
        default,
        deserialize_with = "crate::money::optional",
        serialize_with = "opt_amount"
    )]
    adjusted_amount: Option<Decimal>,
    order: Option<i32>,
    purpose: Option<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

fn amount<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    decimal_json(*d).serialize(s)
}

fn opt_amount<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    d.map(decimal_json).serialize(s)
}

/// A stand-in id for the line at `(detail, account)`: the apportioning works on ids.
fn line_id(i: usize, j: usize) -> uuid::Uuid {
    uuid::Uuid::from_u64_pair(i as u64, j as u64)
}

/// What apportioning `paid` over the lines does to each `(detail, account)`: the amount added to
/// its adjusted amount (negative on a credit line that is used up), and the advance left over.
fn spread(lines: &[Line], paid: Decimal) -> (Apportioned, Vec<(uuid::Uuid, Decimal)>) {
    let a = apportion(lines, paid);
    let mut by_line = Vec::new();
    for m in &a.moves {
        match m {
            Move::Collect { line, amount } => by_line.push((*line, *amount)),
            Move::UseCredit { line, amount } => by_line.push((*line, -*amount)),
            Move::Advance { .. } => {}
        }
    }
    (a, by_line)
}

fn advance_head(business_service: &str) -> String {
    format!("{business_service}_ADVANCE_CARRYFORWARD")
}

/// Tax-head order from the master (the order a period's lines are paid in).
async fn head_orders(state: &AppState) -> AppResult<std::collections::HashMap<String, i32>> {
    let heads = db::run(&state.pool, |c| {
        Ok(crate::platform::mdms::repo::tax_heads(c)?)
    })
    .await?;
    Ok(heads
        .into_iter()
        .map(|h| (h.code, h.display_order))
        .collect())
}

fn missing(field: &str) -> AppError {
    AppError::invalid_field(codes::MISSING_FIELD, format!("{field} is required"), field)
}

async fn bills(state: web::Data<AppState>, req: Digit<BillsBody>) -> AppResult<HttpResponse> {
    require_internal(&req)?;
    let orders = head_orders(&state).await?;
    let Digit { info, body, .. } = req;
    let tenant = body.tenant_id.clone();
    let mut out = Vec::new();
    for (b, mut bill) in body.bills.into_iter().enumerate() {
        let bs = bill
            .business_service
            .clone()
            .ok_or_else(|| missing(&format!("Bills[{b}].businessService")))?;
        let paid = bill
            .amount_paid
            .ok_or_else(|| missing(&format!("Bills[{b}].amountPaid")))?;
        if paid < Decimal::ZERO {
            return Err(AppError::invalid_field(
                "INVALID_AMOUNT",
                "amountPaid must not be negative",
                &format!("Bills[{b}].amountPaid"),
            ));
        }
        bill.bill_details.sort_by_key(|d| d.from_period);
        let mut lines = Vec::new();
        for (i, d) in bill.bill_details.iter().enumerate() {
            for (j, l) in d.bill_account_details.iter().enumerate() {
                lines.push(Line {
                    id: line_id(i, j),
                    period_from: d.from_period,
                    order: l
                        .order
                        .or_else(|| orders.get(&l.tax_head_code).copied())
                        .unwrap_or(0),
                    tax: l.amount,
                    collected: l.adjusted_amount.unwrap_or_default(),
                });
            }
        }
        let (a, by_line) = spread(&lines, paid);
        if a.advance > Decimal::ZERO && bill.is_advance_allowed == Some(false) {
            return Err(AppError::invalid_field(
                "ADVANCE_NOT_ALLOWED",
                format!("{paid} is more than the bill owes and {bs} takes no advance"),
                &format!("Bills[{b}].amountPaid"),
            ));
        }
        for (i, d) in bill.bill_details.iter_mut().enumerate() {
            let mut taken = Decimal::ZERO;
            for (j, l) in d.bill_account_details.iter_mut().enumerate() {
                let add: Decimal = by_line
                    .iter()
                    .filter(|(id, _)| *id == line_id(i, j))
                    .map(|(_, x)| *x)
                    .sum();
                l.adjusted_amount = Some(l.adjusted_amount.unwrap_or_default() + add);
                taken += add.max(Decimal::ZERO);
            }
            d.amount_paid = Some(d.amount_paid.unwrap_or_default() + taken);
        }
        if a.advance > Decimal::ZERO
            && let Some(last) = bill.bill_details.last_mut()
        {
            last.bill_account_details.push(AccountIn {
                id: None,
                tax_head_code: advance_head(&bs),
                amount: -a.advance,
                adjusted_amount: Some(Decimal::ZERO),
                order: None,
                purpose: Some("ADVANCE_AMOUNT".to_owned()),
                rest: Map::new(),
            });
        }
        out.push(bill);
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "ResponseInfo": ResponseInfo::success(&info), "tenantId": tenant, "Bills": out})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemandsBody {
    tenant_id: Option<String>,
    #[serde(rename = "Demands")]
    demands: Vec<DemandIn>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct DemandIn {
    business_service: Option<String>,
    #[serde(default)]
    tax_period_from: i64,
    #[serde(default)]
    demand_details: Vec<DemandDetailIn>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct DemandDetailIn {
    tax_head_master_code: String,
    #[serde(deserialize_with = "crate::money::amount", serialize_with = "amount")]
    tax_amount: Decimal,
    #[serde(
        default,
        deserialize_with = "crate::money::optional",
        serialize_with = "opt_amount"
    )]
    collection_amount: Option<Decimal>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// Demands: no money comes in; the credit lines (an advance) are used against what is owed,
/// oldest period first, as a new demand does when it is created.
async fn demands(state: web::Data<AppState>, req: Digit<DemandsBody>) -> AppResult<HttpResponse> {
    require_internal(&req)?;
    let orders = head_orders(&state).await?;
    let Digit { info, body, .. } = req;
    let mut demands = body.demands;
    demands.sort_by_key(|d| d.tax_period_from);
    let mut lines = Vec::new();
    for (i, d) in demands.iter().enumerate() {
        for (j, l) in d.demand_details.iter().enumerate() {
            lines.push(Line {
                id: line_id(i, j),
                period_from: d.tax_period_from,
                order: orders.get(&l.tax_head_master_code).copied().unwrap_or(0),
                tax: l.tax_amount,
                collected: l.collection_amount.unwrap_or_default(),
            });
        }
    }
    let (_, by_line) = spread(&lines, Decimal::ZERO);
    for (i, d) in demands.iter_mut().enumerate() {
        for (j, l) in d.demand_details.iter_mut().enumerate() {
            let add: Decimal = by_line
                .iter()
                .filter(|(id, _)| *id == line_id(i, j))
                .map(|(_, x)| *x)
                .sum();
            l.collection_amount = Some(l.collection_amount.unwrap_or_default() + add);
        }
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "ResponseInfo": ResponseInfo::success(&info), "tenantId": body.tenant_id, "Demands": demands})))
}
