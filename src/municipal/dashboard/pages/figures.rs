//! The dashboard's figures as the page and its PDF show them: the metric cards, the
//! month-by-month table with its Surplus/Deficit, the satisfaction scores.

use chrono::{Datelike as _, NaiveDate};
use rust_decimal::Decimal;
use serde_json::Value;

use super::{Card, MonthRow, PATH};
use crate::http::page::PageCtx;
use crate::municipal::dashboard::service::{self, Month, Revenue};
use crate::municipal::echallan::reports::Figures as ExpenseFigures;
use crate::time::Fy;
use crate::words::inr;

/// A short month name of the catalogue ("Nov").
pub fn short_month(p: &PageCtx, m: NaiveDate) -> String {
    p.t(&format!("DASHBOARD_MONTH_SHORT_{}", m.month()))
}

/// The month table's rows and its total row (as the app adds them up).
pub fn month_rows(p: &PageCtx, fy: Fy, months: &[Month]) -> (Vec<MonthRow>, MonthRow) {
    let fy_label = fy.label();
    let rows = months
        .iter()
        .map(|m| {
            let s = m.surplus();
            MonthRow {
                label: p.month_label(m.month),
                href: format!(
                    "{PATH}?fy={fy_label}&month={}&tab=0",
                    service::month_key(m.month)
                ),
                surplus: inr(s.abs()),
                negative: s < Decimal::ZERO,
                demand: format!("{} ({})", inr(m.revenue.demand), inr(m.revenue.arrears)),
                pending: inr(m.revenue.pending),
                actual: inr(m.revenue.actual),
                expenditure: inr(m.expense.total),
                unpaid: inr(m.expense.unpaid),
                paid: inr(m.expense.paid),
            }
        })
        .collect();
    let sum = |f: &dyn Fn(&Month) -> Decimal| months.iter().map(f).sum::<Decimal>();
    let surplus = sum(&|m| m.surplus());
    // the app's total: the last month's arrears plus its pending collection
    let arrears = months
        .last()
        .map_or(Decimal::ZERO, |m| m.revenue.arrears + m.revenue.pending);
    let total = MonthRow {
        label: p.t("TOTAL"),
        href: String::new(),
        surplus: inr(surplus.abs()),
        negative: surplus < Decimal::ZERO,
        demand: format!("{} ({})", inr(sum(&|m| m.revenue.demand)), inr(arrears)),
        pending: inr(sum(&|m| m.revenue.pending)),
        actual: inr(sum(&|m| m.revenue.actual)),
        expenditure: inr(sum(&|m| m.expense.total)),
        unpaid: inr(sum(&|m| m.expense.unpaid)),
        paid: inr(sum(&|m| m.expense.paid)),
    };
    (rows, total)
}

/// The revenue and expense cards of the period.
pub fn cards(p: &PageCtx, r: &Revenue, e: &ExpenseFigures) -> (Vec<Card>, Vec<Card>) {
    let card = |key: &str, value: String| Card {
        label: p.t(key),
        value,
    };
    let paid = |x: service::Paid| format!("{}/{}", x.paid, x.count);
    let revenue = vec![
        card("DASHBOARD_DEMAND", inr(r.demand)),
        card("DASHBOARD_PENDINGCOLLECTION", inr(r.pending)),
        card("DASHBOARD_ACTUALCOLLECTION", inr(r.actual)),
        card("DASHBOARD_RESIDETIALCOLLLECTION", inr(r.residential)),
        card("DASHBOARD_COMERCIALCOLLECTION", inr(r.commercial)),
        card("DASHBOARD_OTHERSCOLLECTION", inr(r.others)),
        card("DASHBOARD_TOTALAPPLICATIONSCOUNT", paid(r.households)),
        card("DASHBOARD_RESIDENTIALSCOUNT", paid(r.residentials)),
        card("DASHBOARD_COMERCIALSCOUNT", paid(r.commercials)),
        card("DASHBOARD_ADVANCEADJUSTED", inr(r.advance_adjusted)),
        card("DASHBOARD_ADVANCECOLLECTION", inr(r.advance_collection)),
        card("DASHBOARD_PENDINGPENALTY", inr(r.pending_penalty)),
        card("DASHBOARD_PENALTYCOLLECTION", inr(r.penalty_collection)),
    ];
    let expense = vec![
        card("DASHBOARD_TOTALEXPENDITURE", inr(e.total)),
        card("DASHBOARD_AMOUNTUNPAID", inr(e.unpaid)),
        card("DASHBOARD_AMOUNTPAID", inr(e.paid)),
        card("DASHBOARD_TOTALBILLS", e.bills.to_string()),
        card("DASHBOARD_BILLSPAID", e.bills_paid.to_string()),
        card("DASHBOARD_PENDINGBILLS", e.pending_bills.to_string()),
        card("DASHBOARD_ELECTRICITYBILL", inr(e.electricity)),
        card("DASHBOARD_OMMISC", inr(e.om_misc)),
        card("DASHBOARD_SALARY", inr(e.salary)),
    ];
    (revenue, expense)
}

/// The satisfaction scores: (question, average of 5), and how many answered.
pub fn scores(p: &PageCtx, v: &Value) -> (Vec<Card>, i64) {
    let list = crate::municipal::water::citizen::feedback_pages::QUESTIONS
        .iter()
        .map(|q| Card {
            label: p.t(&format!("DASHBOARD_{q}")),
            value: format!("{}/5", v[*q].as_i64().unwrap_or(0)),
        })
        .collect();
    (list, v["count"].as_i64().unwrap_or(0))
}
