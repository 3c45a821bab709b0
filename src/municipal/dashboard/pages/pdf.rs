//! `/home/dashboard.pdf`: the dashboard of the chosen period to share (product.md §2.7: "the
//! table can be shared on WhatsApp as PDF"): the figures, the month-by-month table with the
//! Surplus/Deficit, the satisfaction scores and every row of the open tab, in the page's
//! language (Gurmukhi and Devanagari shaped by `crate::pdf`).

use actix_web::web;
use chrono::Utc;

use super::{self as pages, Query, TabData, cut_name};
use crate::db;
use crate::error::AppError;
use crate::http::page::{PageResult, StaffPage, pdf_response};
use crate::municipal::dashboard::service::ist_day;
use crate::time::Fy;
use crate::words::inr;

pub async fn dashboard_pdf(mut page: StaffPage, q: web::Query<Query>) -> PageResult {
    let q = q.into_inner();
    let today = ist_day(Utc::now());
    let ch = pages::choose(&q, today);
    let (st, tenant) = (page.state.clone(), page.tenant.clone());
    let (qq, year, period, month) = (q.clone(), ch.year, ch.period, ch.month);
    let data = db::run(&page.state.pool, move |c| {
        let ch = pages::Choice {
            fy: Fy::of_date(year.from),
            month,
            period,
            year,
            problem: None,
        };
        pages::load(c, &st, &tenant, &ch, &qq, today, true)
    })
    .await?;
    let p = page.ctx()?;
    let period_label = match ch.month {
        Some(m) => p.month_label(m),
        None => format!("{} {}", p.t("DASHBOARD_FY"), ch.fy.label()),
    };
    let mut doc = crate::pdf::Doc::new(p.locale);
    doc.title(&p.t("CORE_GPWSC_DASHBOARD"));
    doc.heading(&format!("{} · {}", p.gp_name(), period_label));
    let (revenue, expense) = pages::cards(&p, &data.revenue, &data.expense);
    doc.heading(&p.t("DASHBOARD_REVENUE"));
    for c in &revenue {
        doc.row(&c.label, &c.value);
    }
    doc.heading(&p.t("DASHBOARD_EXPENDITURE"));
    for c in &expense {
        doc.row(&c.label, &c.value);
    }
    let (scores, answered) = pages::scores(&p, &data.feedback);
    doc.heading(&p.t("DASHBOARD_SATISFACTION"));
    for c in &scores {
        doc.row(&c.label, &c.value);
    }
    doc.text(
        &p.t("DASHBOARD_FEEDBACK_COUNT")
            .replace("{n}", &answered.to_string()),
    );
    let (rows, total) = pages::month_rows(&p, ch.fy, &data.months);
    let line = |r: &pages::MonthRow| {
        vec![
            r.label.clone(),
            format!("{}{}", if r.negative { "−" } else { "" }, r.surplus),
            r.demand.clone(),
            r.pending.clone(),
            r.actual.clone(),
            r.expenditure.clone(),
            r.unpaid.clone(),
            r.paid.clone(),
        ]
    };
    let mut table: Vec<Vec<String>> = rows.iter().map(line).collect();
    table.push(line(&total));
    doc.table(
        &[
            &p.t("MONTH"),
            &p.t("SURPLUS_DEFICIT"),
            &p.t("DEMAND_ARREARS"),
            &p.t("PENIDNG_COLLECTIONS"),
            &p.t("ACTUAL_COLLECTIONS"),
            &p.t("EXPENDITURE"),
            &p.t("PENDING_EXPENDITURE"),
            &p.t("ACTUAL_PAYMENT"),
        ],
        &table,
    );
    match &data.tab {
        TabData::Collections(c) => {
            doc.heading(&p.t("COLLECTIONS"));
            let rows: Vec<Vec<String>> = c
                .rows
                .iter()
                .map(|(no, name, metered, amount)| {
                    vec![
                        format!("{no}{}", if *metered { " (M)" } else { "" }),
                        cut_name(name),
                        inr(*amount),
                    ]
                })
                .collect();
            doc.table(
                &[
                    &p.t("CONNECTION_ID"),
                    &p.t("CORE_NAME"),
                    &p.t("COLLECTIONS"),
                ],
                &rows,
            );
        }
        TabData::Expenditure(e) => {
            doc.heading(&p.t("EXPENDITURE"));
            let rows: Vec<Vec<String>> = e
                .rows
                .iter()
                .map(|(no, vendor, kind, amount, bill, paid)| {
                    vec![
                        format!("{no} {vendor}"),
                        p.t(&format!("EXPENSE_{kind}")),
                        inr(*amount),
                        bill.format("%d/%m/%Y").to_string(),
                        paid.map_or_else(|| p.t("PENDING"), |d| d.format("%d/%m/%Y").to_string()),
                    ]
                })
                .collect();
            doc.table(
                &[
                    &p.t("BILL_ID_VENDOR"),
                    &p.t("EXPENSE_TYPE"),
                    &p.t("AMOUNT"),
                    &p.t("EXPENSE_BILL_DATE"),
                    &p.t("PAID_DATE"),
                ],
                &rows,
            );
        }
    }
    let bytes = doc
        .finish()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("pdf: {e}")))?;
    Ok(pdf_response(
        &format!("Dashboard_{}", period_label.replace(' ', "_")),
        bytes,
    ))
}
