//! Bills: a consumer's bill built from what is owed (`fetch_bill`), and fetching many at once
//! the fast way (`fetch_bills`: kept in memory, else as stored, else built), and cancelling the
//! active ones.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

use super::cache::{self, Ticket};
use super::json::bill_json;
use super::model::*;
use super::payers::{Billed, payers, set_payer, with_payer_text};
use super::repo;
use super::service::{business_service, fingerprint, net_due};
use crate::db;
use crate::error::AppResult;
use crate::platform::mdms;
use crate::state::AppState;

/// The consumer's bill: the active one while nothing changed, else a new one (the old one
/// expires). None when nothing is owed.
pub fn fetch_bill(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    service: &str,
    consumer: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Option<FullBill>> {
    business_service(conn, state_tenant, tenant, service, "businessService")?;
    repo::lock_consumer(conn, tenant, service, consumer)?;
    // Read before the demands: a write that lands in between leaves the bill marked older than
    // the ledger, so the next fetch rebuilds rather than trusting it.
    let version = repo::ledger_version(conn, tenant, service, consumer)?;
    let demands: Vec<DemandWithLines> = repo::live_demands(conn, tenant, service, consumer)?
        .into_iter()
        .filter(|d| d.lines.iter().any(|l| l.tax_amount != l.collection_amount))
        .collect();
    let total = net_due(&demands);
    let active = repo::active_bill(conn, tenant, service, consumer)?;
    let print = fingerprint(&demands);
    if let Some(b) = &active {
        if b.fingerprint == print && total > Decimal::ZERO {
            let full = repo::full_bills(conn, vec![b.clone()])?.pop();
            if let Some(f) = &full {
                repo::keep_bill_body(conn, b.id, version, &bill_json(f).to_string())?;
            }
            return Ok(full);
        }
        repo::set_bill_status(conn, b.id, "EXPIRED", actor, now)?;
    }
    if total <= Decimal::ZERO {
        return Ok(None);
    }
    let orders: Vec<(String, i32)> = mdms::repo::tax_heads(conn)?
        .into_iter()
        .map(|h| (h.code, h.display_order))
        .collect();
    let bill = Bill {
        id: uuid::Uuid::new_v4(),
        tenant_id: tenant.to_owned(),
        // Taken last, just before the insert: the GP's bill sequence row stays locked until
        // commit, so the shorter that stretch, the more bills a GP can build at once.
        bill_number: String::new(),
        business_service: service.to_owned(),
        consumer_code: consumer.to_owned(),
        payer_uuid: demands.last().and_then(|d| d.demand.payer_uuid),
        status: "ACTIVE".to_owned(),
        total_amount: total,
        bill_date: now,
        fingerprint: print,
        additional_details: json!({}),
        created_by: actor,
        created_at: now,
        last_modified_by: actor,
        last_modified_at: now,
    };
    let details = demands
        .iter()
        .map(|d| {
            let detail = BillDetail {
                id: uuid::Uuid::new_v4(),
                bill_id: bill.id,
                tenant_id: tenant.to_owned(),
                demand_id: d.demand.id,
                from_period: d.demand.period_from,
                to_period: d.demand.period_to,
                expiry_date: d.demand.bill_expiry_time.and_then(|ms| {
                    d.demand
                        .created_at
                        .checked_add_signed(chrono::Duration::milliseconds(ms))
                }),
                amount: d
                    .lines
                    .iter()
                    .map(|l| l.tax_amount - l.collection_amount)
                    .sum(),
                amount_paid: Decimal::ZERO,
            };
            let accts = d
                .lines
                .iter()
                .filter(|l| l.tax_amount != l.collection_amount)
                .map(|l| BillAccountDetail {
                    id: uuid::Uuid::new_v4(),
                    bill_detail_id: detail.id,
                    tenant_id: tenant.to_owned(),
                    demand_detail_id: l.id,
                    tax_head_code: l.tax_head_code.clone(),
                    display_order: orders
                        .iter()
                        .find(|(c, _)| *c == l.tax_head_code)
                        .map_or(99, |(_, o)| *o),
                    amount: l.tax_amount - l.collection_amount,
                    adjusted_amount: Decimal::ZERO,
                })
                .collect();
            (detail, accts)
        })
        .collect();
    let mut full = FullBill { bill, details };
    full.bill.bill_number =
        crate::platform::idgen::next_id(conn, state_tenant, tenant, "bill.billnumber", now)?
            .replace("MODULE", service);
    repo::insert_bill(conn, &full, version, &bill_json(&full).to_string())?;
    Ok(Some(full))
}

/// The stored, still current bills of `asked` (index, consumer code), read from the database
/// with their payers added (the stored text holds none: personal data is not kept in it) and
/// kept so in the bill cache (a ticket taken before the read: a write that lands meanwhile
/// wins). Returns the bodies found by index.
async fn stored_bills(
    state: &AppState,
    tenant: &str,
    business_service: &str,
    keys: &[String],
    asked: Vec<(usize, String)>,
) -> AppResult<Vec<(usize, Arc<str>)>> {
    let cache = cache::of(&state.pool);
    let ticket: Ticket = cache.ticket();
    let (st, t, bs) = (
        state.clone(),
        tenant.to_owned(),
        business_service.to_owned(),
    );
    let stored = db::run(&state.pool, move |c| {
        let mut found = Vec::new();
        for (i, code) in asked {
            if let Some((body, payer)) = repo::current_bill_body(c, &t, &bs, &code)? {
                found.push((i, code, body, payer));
            }
        }
        let billed: Vec<Billed> = found
            .iter()
            .map(|(_, code, _, payer)| Billed {
                consumer_code: code.clone(),
                payer_uuid: *payer,
            })
            .collect();
        let payers = payers(c, &st.crypto, &t, &bs, &billed)?;
        Ok(found
            .into_iter()
            .map(|(i, code, body, _)| (i, with_payer_text(&body, payers.get(&code))))
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(stored
        .into_iter()
        .map(|(i, body)| {
            let body: Arc<str> = body.into();
            cache.fill(&keys[i], ticket, body.clone());
            (i, body)
        })
        .collect())
}

/// The bills of `codes` (in order; a consumer who owes nothing has none), each as its JSON
/// text with its payer (`payers`), to be sent as it is. Fastest: bills kept in memory (exact:
/// forgotten when their ledger changes; a payer's new name shows with the next bill, as a bill
/// keeps its payer in billing-service). Then: bills still current as stored, one read each,
/// and one for their payers. The rest are (re)built under the consumer lock, in one
/// transaction, and kept in memory once committed.
pub async fn fetch_bills(
    state: &AppState,
    tenant: &str,
    business_service: &str,
    codes: &[String],
    actor: Option<uuid::Uuid>,
) -> AppResult<Vec<Arc<str>>> {
    let (t, bs) = (tenant.to_owned(), business_service.to_owned());
    let memory = cache::of(&state.pool);
    let keys: Vec<String> = codes.iter().map(|c| cache::key(&t, &bs, c)).collect();
    let mut found: Vec<Option<Arc<str>>> = keys.iter().map(|k| memory.get(k)).collect();
    let missing = |found: &[Option<Arc<str>>]| -> Vec<(usize, String)> {
        codes
            .iter()
            .enumerate()
            .filter(|(i, _)| found[*i].is_none())
            .map(|(i, c)| (i, c.clone()))
            .collect()
    };
    let asked = missing(&found);
    if !asked.is_empty() {
        for (i, body) in stored_bills(state, &t, &bs, &keys, asked).await? {
            found[i] = Some(body);
        }
    }
    let asked = missing(&found);
    if !asked.is_empty() {
        let built_codes = asked.clone();
        let (st, t2, bs2) = (state.clone(), t.clone(), bs.clone());
        let built = db::transaction(&state.pool, move |c| {
            let now = Utc::now();
            let mut built = Vec::new();
            for (i, code) in asked {
                let bill = fetch_bill(
                    c,
                    &st.settings.app.state_tenant,
                    &t2,
                    &bs2,
                    &code,
                    actor,
                    now,
                )?;
                built.extend(bill.map(|b| (i, b)));
            }
            let billed: Vec<Billed> = built
                .iter()
                .map(|(_, b)| Billed {
                    consumer_code: b.bill.consumer_code.clone(),
                    payer_uuid: b.bill.payer_uuid,
                })
                .collect();
            let payers = payers(c, &st.crypto, &t2, &bs2, &billed)?;
            Ok(built
                .into_iter()
                .map(|(i, b)| {
                    let mut v = bill_json(&b);
                    set_payer(&mut v, payers.get(&b.bill.consumer_code));
                    (i, Arc::<str>::from(v.to_string()))
                })
                .collect::<Vec<_>>())
        })
        .await?;
        for (i, b) in built {
            found[i] = Some(b);
        }
        // Kept in memory now that they are committed, so the next fetch needs no database.
        stored_bills(state, &t, &bs, &keys, built_codes).await?;
    }
    Ok(found.into_iter().flatten().collect())
}

/// Cancels the active bill of each of `codes` (under the consumer's lock), in the caller's
/// transaction; answers how many there were.
pub fn cancel_active_bills(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    codes: &[String],
    reason: &str,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut n = 0;
    for code in codes {
        repo::lock_consumer(conn, tenant, service, code)?;
        if let Some(b) = repo::active_bill(conn, tenant, service, code)? {
            repo::cancel_bill(conn, b.id, reason, actor, now)?;
            n += 1;
        }
    }
    Ok(n)
}
