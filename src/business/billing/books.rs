//! What billing hands the books (`business::accounts`): the ledger's figures of the consumers a
//! money event touched, posted in the event's transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Nullable, Numeric, Text};
use rust_decimal::Decimal;

use super::repo::BulkDemands;
use crate::business::accounts::service::{self as accounts, Event, Owed};
use crate::error::AppResult;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    tenant_id: String,
    #[diesel(sql_type = Text)]
    business_service: String,
    #[diesel(sql_type = Text)]
    party: String,
    #[diesel(sql_type = Text)]
    tax_head: String,
    #[diesel(sql_type = Bool)]
    advance: bool,
    #[diesel(sql_type = Bool)]
    opening: bool,
    #[diesel(sql_type = Numeric)]
    tax: Decimal,
    #[diesel(sql_type = Numeric)]
    collected: Decimal,
}

const OWED: &str = "SELECT d.tenant_id, d.business_service, d.consumer_code AS party,
        dd.tax_head_code AS tax_head, coalesce(th.category = 'ADVANCE_COLLECTION', false) AS advance,
        d.consumer_type IN ('waterConnection-arrears', 'waterConnection-advance') AS opening,
        sum(dd.tax_amount) AS tax, sum(dd.collection_amount) AS collected
   FROM billing_demand d
   JOIN billing_demand_detail dd ON dd.demand_id = d.id
   LEFT JOIN mdms_tax_head th ON th.code = dd.tax_head_code
  WHERE d.status = 'ACTIVE'";

fn owed_of(r: Row) -> (String, String, Owed) {
    (
        r.tenant_id,
        r.business_service,
        Owed {
            party: r.party,
            tax_head: r.tax_head,
            advance: r.advance,
            opening: r.opening,
            tax: r.tax,
            collected: r.collected,
        },
    )
}

/// The live demands' figures of `consumers` of `service` on `tenant`, per tax head.
pub fn owed(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumers: &[String],
) -> AppResult<Vec<Owed>> {
    let rows: Vec<Row> = diesel::sql_query(format!(
        "{OWED} AND d.tenant_id = $1 AND d.business_service = $2 AND d.consumer_code = ANY($3)
          GROUP BY 1, 2, 3, 4, 5, 6"
    ))
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(service)
    .bind::<Array<Text>, _>(consumers)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| owed_of(r).2).collect())
}

/// Every consumer's figures (on `tenant`, or everywhere): tenant, service, figures.
pub fn owed_all(
    conn: &mut PgConnection,
    tenant: Option<&str>,
) -> AppResult<Vec<(String, String, Owed)>> {
    let rows: Vec<Row> = diesel::sql_query(format!(
        "{OWED} AND ($1::text IS NULL OR d.tenant_id = $1) GROUP BY 1, 2, 3, 4, 5, 6"
    ))
    .bind::<Nullable<Text>, _>(tenant)
    .load(conn)?;
    Ok(rows.into_iter().map(owed_of).collect())
}

/// Opens the books of a ledger kept before the journal existed (an installation upgraded to
/// this version): for each GP (every GP, or `tenant`) and business service, one entry
/// `OPENING_BALANCES` that brings every account of every consumer to what the ledger says.
/// Where the journal already agrees nothing is posted, so it can run any number of times.
/// Returns how many entries it posted.
pub fn open_books(
    conn: &mut PgConnection,
    tenant: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut groups: std::collections::BTreeMap<(String, String), Vec<Owed>> = Default::default();
    for (t, service, o) in owed_all(conn, tenant)? {
        groups.entry((t, service)).or_default().push(o);
    }
    let mut posted = 0;
    for ((t, service), owed) in groups {
        let mut parties: Vec<String> = owed.iter().map(|o| o.party.clone()).collect();
        parties.sort();
        parties.dedup();
        let ev = Event {
            tenant: &t,
            kind: "OPENING_BALANCES",
            source: "books-open",
            now,
        };
        let done = conn.transaction(|c| accounts::post(c, &ev, &service, &parties, &owed))?;
        posted += usize::from(done.is_some());
    }
    Ok(posted)
}

/// Posts what one consumer's ledger now says (`kind` of `source`; an expense's demand events
/// are named `EXPENSE_BILL…`).
pub fn post(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    consumer: &str,
    kind: &str,
    source: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let kind = match kind.strip_prefix("DEMAND") {
        Some(rest) if accounts::is_expense(service) => format!("EXPENSE_BILL{rest}"),
        _ => kind.to_owned(),
    };
    let parties = [consumer.to_owned()];
    let owed = owed(conn, tenant, service, &parties)?;
    let ev = Event {
        tenant,
        kind: &kind,
        source,
        now,
    };
    accounts::post(conn, &ev, service, &parties, &owed)?;
    Ok(())
}

/// Posts a bulk demand's new demands in one statement (the consumers `made` of `b`).
pub fn post_bulk(conn: &mut PgConnection, b: &BulkDemands<'_>, made: &[String]) -> AppResult<()> {
    let made: std::collections::HashSet<&str> = made.iter().map(String::as_str).collect();
    let round = format!("{}_Round_Off", b.service);
    let (mut parties, mut heads, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    for (i, c) in b.consumers.iter().enumerate() {
        if !made.contains(c.as_str()) {
            continue;
        }
        for (head, v) in [
            ("10101", b.amounts.get(i)),
            (round.as_str(), b.round_offs.get(i)),
        ] {
            if let Some(v) = v.filter(|v| !v.is_zero()) {
                parties.push(c.clone());
                heads.push(head.to_owned());
                amounts.push(*v);
            }
        }
    }
    let ev = Event {
        tenant: b.tenant,
        kind: "DEMAND",
        source: &b.batch,
        now: b.now,
    };
    accounts::post_new_demands(conn, &ev, b.service, &parties, &heads, &amounts)
}
