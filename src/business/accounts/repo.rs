//! The journal's queries (the only place that names `accounts_*`).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Numeric, Text};
use rust_decimal::Decimal;

use super::model::{Balances, Event, Key};

#[derive(QueryableByName)]
struct Bal {
    #[diesel(sql_type = Text)]
    tenant_id: String,
    #[diesel(sql_type = Text)]
    service: String,
    #[diesel(sql_type = Text)]
    party: String,
    #[diesel(sql_type = Text)]
    account: String,
    #[diesel(sql_type = Nullable<Text>)]
    head: Option<String>,
    #[diesel(sql_type = Numeric)]
    balance: Decimal,
}

/// What the journal holds for `parties` of `service` on `tenant`, per account and head.
pub fn balances(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    parties: &[String],
) -> QueryResult<Balances> {
    let rows: Vec<Bal> = diesel::sql_query(
        "SELECT tenant_id, service, party, account, head, sum(debit - credit) AS balance
           FROM accounts_line
          WHERE tenant_id = $1 AND service = $2 AND party = ANY($3)
          GROUP BY 1, 2, 3, 4, 5",
    )
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(service)
    .bind::<Array<Text>, _>(parties)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.party, r.account, r.head), r.balance))
        .collect())
}

/// Every balance of the journal (on `tenant`, or everywhere): tenant, service, key, balance.
pub fn all_balances(
    conn: &mut PgConnection,
    tenant: Option<&str>,
) -> QueryResult<Vec<(String, String, Key, Decimal)>> {
    let rows: Vec<Bal> = diesel::sql_query(
        "SELECT tenant_id, service, coalesce(party, '') AS party, account, head,
                sum(debit - credit) AS balance
           FROM accounts_line
          WHERE ($1::text IS NULL OR tenant_id = $1)
          GROUP BY 1, 2, 3, 4, 5",
    )
    .bind::<Nullable<Text>, _>(tenant)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.tenant_id,
                r.service,
                (r.party, r.account, r.head),
                r.balance,
            )
        })
        .collect())
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The latest entry of `kind` from `source` on `tenant`.
pub fn last_entry(
    conn: &mut PgConnection,
    tenant: &str,
    source: &str,
    kind: &str,
) -> QueryResult<Option<i64>> {
    let r: Option<Id> = diesel::sql_query(
        "SELECT id FROM accounts_entry WHERE tenant_id = $1 AND source = $2 AND kind = $3
          ORDER BY id DESC LIMIT 1",
    )
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(source)
    .bind::<Text, _>(kind)
    .get_result(conn)
    .optional()?;
    Ok(r.map(|r| r.id))
}

pub fn insert_entry(
    conn: &mut PgConnection,
    ev: &Event<'_>,
    reverses: Option<i64>,
) -> QueryResult<i64> {
    let r: Id = diesel::sql_query(
        "INSERT INTO accounts_entry (tenant_id, day, kind, source, reverses)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind::<Text, _>(ev.tenant)
    .bind::<Date, _>(ev.day())
    .bind::<Text, _>(ev.kind)
    .bind::<Text, _>(ev.source)
    .bind::<Nullable<BigInt>, _>(reverses)
    .get_result(conn)?;
    Ok(r.id)
}

/// The lines of entry `id`: each balance as a debit (positive) or a credit (negative).
pub fn insert_lines(
    conn: &mut PgConnection,
    id: i64,
    tenant: &str,
    service: &str,
    lines: &Balances,
) -> QueryResult<()> {
    let mut parties = Vec::new();
    let mut accounts = Vec::new();
    let mut heads = Vec::new();
    let mut amounts = Vec::new();
    for ((p, a, h), v) in lines {
        parties.push(p.clone());
        accounts.push(a.clone());
        heads.push(h.clone());
        amounts.push(*v);
    }
    diesel::sql_query(
        "INSERT INTO accounts_line (entry_id, tenant_id, service, party, account, head, debit, credit)
         SELECT $1, $2, $3, l.party, l.account, l.head, greatest(l.v, 0), greatest(-l.v, 0)
           FROM unnest($4::text[], $5::text[], $6::text[], $7::numeric[]) AS l(party, account, head, v)",
    )
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(service)
    .bind::<Array<Text>, _>(&parties)
    .bind::<Array<Text>, _>(&accounts)
    .bind::<Array<Nullable<Text>>, _>(&heads)
    .bind::<Array<Numeric>, _>(&amounts)
    .execute(conn)?;
    Ok(())
}

/// One statement: the batch's entry and, per consumer and head, Dr receivables / Cr the head.
pub fn post_new_demands(
    conn: &mut PgConnection,
    ev: &Event<'_>,
    service: &str,
    parties: &[String],
    heads: &[String],
    amounts: &[Decimal],
) -> QueryResult<()> {
    diesel::sql_query(
        "WITH e AS (
             INSERT INTO accounts_entry (tenant_id, day, kind, source)
             VALUES ($1, $2, $3, $4) RETURNING id),
         s AS (
             SELECT party, head, sum(v) AS v
               FROM unnest($6::text[], $7::text[], $8::numeric[]) AS x(party, head, v)
              GROUP BY 1, 2 HAVING sum(v) <> 0)
         INSERT INTO accounts_line (entry_id, tenant_id, service, party, account, head, debit, credit)
         SELECT e.id, $1, $5, s.party, side.account, s.head,
                greatest(side.sign * s.v, 0), greatest(-side.sign * s.v, 0)
           FROM e, s,
                LATERAL (VALUES ('RECEIVABLE', 1), (s.head, -1)) AS side(account, sign)",
    )
    .bind::<Text, _>(ev.tenant)
    .bind::<Date, _>(ev.day())
    .bind::<Text, _>(ev.kind)
    .bind::<Text, _>(ev.source)
    .bind::<Text, _>(service)
    .bind::<Array<Text>, _>(parties)
    .bind::<Array<Text>, _>(heads)
    .bind::<Array<Numeric>, _>(amounts)
    .execute(conn)?;
    Ok(())
}

/// Entries whose debits and credits differ: tenant, entry, debits, credits.
pub fn unbalanced(
    conn: &mut PgConnection,
    tenant: Option<&str>,
) -> QueryResult<Vec<(String, i64, Decimal, Decimal)>> {
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = Text)]
        tenant_id: String,
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = Numeric)]
        dr: Decimal,
        #[diesel(sql_type = Numeric)]
        cr: Decimal,
    }
    let rows: Vec<R> = diesel::sql_query(
        "SELECT e.tenant_id, e.id, coalesce(sum(l.debit), 0) AS dr, coalesce(sum(l.credit), 0) AS cr
           FROM accounts_entry e LEFT JOIN accounts_line l ON l.entry_id = e.id
          WHERE ($1::text IS NULL OR e.tenant_id = $1)
          GROUP BY 1, 2 HAVING coalesce(sum(l.debit), 0) <> coalesce(sum(l.credit), 0)
          ORDER BY 2",
    )
    .bind::<Nullable<Text>, _>(tenant)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.tenant_id, r.id, r.dr, r.cr))
        .collect())
}

#[derive(QueryableByName)]
struct TenantSum {
    #[diesel(sql_type = Text)]
    tenant_id: String,
    #[diesel(sql_type = Numeric)]
    v: Decimal,
}

/// The cash each GP's journal holds.
pub fn cash_by_tenant(
    conn: &mut PgConnection,
    tenant: Option<&str>,
) -> QueryResult<Vec<(String, Decimal)>> {
    let rows: Vec<TenantSum> = diesel::sql_query(
        "SELECT tenant_id, sum(debit - credit) AS v FROM accounts_line
          WHERE account = 'CASH' AND ($1::text IS NULL OR tenant_id = $1) GROUP BY 1",
    )
    .bind::<Nullable<Text>, _>(tenant)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.tenant_id, r.v)).collect())
}

pub fn entry_count(conn: &mut PgConnection, tenant: Option<&str>) -> QueryResult<i64> {
    let r: Id = diesel::sql_query(
        "SELECT count(*) AS id FROM accounts_entry WHERE ($1::text IS NULL OR tenant_id = $1)",
    )
    .bind::<Nullable<Text>, _>(tenant)
    .get_result(conn)?;
    Ok(r.id)
}

/// Cash on `tenant`'s books before `day`.
pub fn cash_before(conn: &mut PgConnection, tenant: &str, day: NaiveDate) -> QueryResult<Decimal> {
    let r: Option<TenantSum> = diesel::sql_query(
        "SELECT l.tenant_id, sum(l.debit - l.credit) AS v
           FROM accounts_line l JOIN accounts_entry e ON e.id = l.entry_id
          WHERE l.tenant_id = $1 AND l.account = 'CASH' AND e.day < $2 GROUP BY 1",
    )
    .bind::<Text, _>(tenant)
    .bind::<Date, _>(day)
    .get_result(conn)
    .optional()?;
    Ok(r.map_or(Decimal::ZERO, |r| r.v))
}

/// Per head, what moved against cash between `from` and `to` (both included): the net credit
/// of the other lines of every entry that moved cash (a receipt positive, a payment negative).
pub fn cash_by_head(
    conn: &mut PgConnection,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(String, Decimal)>> {
    let rows: Vec<TenantSum> = diesel::sql_query(
        "WITH moved AS (
             SELECT DISTINCT l.entry_id FROM accounts_line l JOIN accounts_entry e ON e.id = l.entry_id
              WHERE e.tenant_id = $1 AND e.day BETWEEN $2 AND $3 AND l.account = 'CASH')
         SELECT coalesce(l.head, l.account) AS tenant_id, sum(l.credit - l.debit) AS v
           FROM accounts_line l JOIN moved m ON m.entry_id = l.entry_id
          WHERE l.account <> 'CASH'
          GROUP BY 1 ORDER BY 1",
    )
    .bind::<Text, _>(tenant)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.tenant_id, r.v)).collect())
}

/// A sub-ledger line: party, its service, day, debit less credit.
#[derive(QueryableByName, Clone, Debug)]
pub struct PartyLine {
    #[diesel(sql_type = Text)]
    pub party: String,
    #[diesel(sql_type = Text)]
    pub service: String,
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = Numeric)]
    pub v: Decimal,
}

/// The lines of `account` on `tenant` up to `to`, per party and day, oldest first.
pub fn party_lines(
    conn: &mut PgConnection,
    tenant: &str,
    account: &str,
    to: NaiveDate,
) -> QueryResult<Vec<PartyLine>> {
    diesel::sql_query(
        "SELECT l.party, l.service, e.day, sum(l.debit - l.credit) AS v
           FROM accounts_line l JOIN accounts_entry e ON e.id = l.entry_id
          WHERE l.tenant_id = $1 AND l.account = $2 AND e.day <= $3 AND l.party IS NOT NULL
          GROUP BY 1, 2, 3 ORDER BY 1, 3",
    )
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(account)
    .bind::<Date, _>(to)
    .load(conn)
}

/// Per water consumer: (opening arrears before `from`, demand, collection between `from` and
/// `to`): arrears are receivables less advance; demand the revenue credited; collection the
/// cash received.
pub fn dcb(
    conn: &mut PgConnection,
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(String, Decimal, Decimal, Decimal)>> {
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = Text)]
        party: String,
        #[diesel(sql_type = Numeric)]
        opening: Decimal,
        #[diesel(sql_type = Numeric)]
        demand: Decimal,
        #[diesel(sql_type = Numeric)]
        collection: Decimal,
    }
    let rows: Vec<R> = diesel::sql_query(
        "SELECT l.party,
                coalesce(sum(l.debit - l.credit) FILTER (WHERE e.day < $2
                    AND l.account IN ('RECEIVABLE', 'ADVANCE')), 0)
                  + coalesce(sum(l.credit - l.debit) FILTER (WHERE e.day >= $2
                    AND l.account = 'OPENING'), 0) AS opening,
                coalesce(sum(l.credit - l.debit) FILTER (WHERE e.day >= $2
                    AND l.account NOT IN ('RECEIVABLE', 'ADVANCE', 'CASH', 'OPENING')), 0) AS demand,
                coalesce(sum(l.debit - l.credit) FILTER (WHERE e.day >= $2 AND l.account = 'CASH'), 0) AS collection
           FROM accounts_line l JOIN accounts_entry e ON e.id = l.entry_id
          WHERE l.tenant_id = $1 AND e.day <= $3 AND l.party IS NOT NULL
            AND l.service NOT LIKE 'EXPENSE.%'
          GROUP BY 1 ORDER BY 1",
    )
    .bind::<Text, _>(tenant)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.party, r.opening, r.demand, r.collection))
        .filter(|r| !(r.1.is_zero() && r.2.is_zero() && r.3.is_zero()))
        .collect())
}
