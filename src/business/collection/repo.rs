//! Queries on the collection tables (`collection_*`). No rules here; private to collection.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::business::billing::service::Applied;
use crate::db::schema::{
    collection_allocation as ca, collection_idempotency as ci, collection_payment as cp,
    collection_payment_detail as cpd,
};
use crate::error::AppResult;

/// A taken payment, as stored.
#[derive(Clone, Debug, Queryable)]
pub struct Payment {
    pub id: uuid::Uuid,
    pub tenant_id: String,
    pub total_due: Decimal,
    pub total_amount_paid: Decimal,
    pub payment_mode: String,
    pub transaction_number: String,
    pub transaction_date: DateTime<Utc>,
    pub payment_status: String,
    /// Who paid, as written before it was sealed (payments taken before migration 000016).
    pub paid_by: Option<String>,
    pub paid_by_enc: Option<String>,
    pub payer_name_enc: Option<String>,
    pub mobile_enc: Option<String>,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub receipt_number: String,
    pub receipt_date: DateTime<Utc>,
    pub bill_id: uuid::Uuid,
    pub business_service: String,
    pub consumer_code: String,
    pub detail_id: uuid::Uuid,
}

type PaymentCols = (
    cp::id,
    cp::tenant_id,
    cp::total_due,
    cp::total_amount_paid,
    cp::payment_mode,
    cp::transaction_number,
    cp::transaction_date,
    cp::payment_status,
    cp::paid_by,
    cp::paid_by_enc,
    cp::payer_name_enc,
    cp::mobile_enc,
    cp::created_by,
    cp::created_at,
);
type DetailCols = (
    cpd::receipt_number,
    cpd::receipt_date,
    cpd::bill_id,
    cpd::business_service,
    cpd::consumer_code,
    cpd::id,
);

const COLS: (PaymentCols, DetailCols) = (
    (
        cp::id,
        cp::tenant_id,
        cp::total_due,
        cp::total_amount_paid,
        cp::payment_mode,
        cp::transaction_number,
        cp::transaction_date,
        cp::payment_status,
        cp::paid_by,
        cp::paid_by_enc,
        cp::payer_name_enc,
        cp::mobile_enc,
        cp::created_by,
        cp::created_at,
    ),
    (
        cpd::receipt_number,
        cpd::receipt_date,
        cpd::bill_id,
        cpd::business_service,
        cpd::consumer_code,
        cpd::id,
    ),
);

type Row = (
    (
        uuid::Uuid,
        String,
        Decimal,
        Decimal,
        String,
        String,
        DateTime<Utc>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<uuid::Uuid>,
        DateTime<Utc>,
    ),
    (
        String,
        DateTime<Utc>,
        uuid::Uuid,
        String,
        String,
        uuid::Uuid,
    ),
);

fn from_row(r: Row) -> Payment {
    let (a, b) = r;
    Payment {
        id: a.0,
        tenant_id: a.1,
        total_due: a.2,
        total_amount_paid: a.3,
        payment_mode: a.4,
        transaction_number: a.5,
        transaction_date: a.6,
        payment_status: a.7,
        paid_by: a.8,
        paid_by_enc: a.9,
        payer_name_enc: a.10,
        mobile_enc: a.11,
        created_by: a.12,
        created_at: a.13,
        receipt_number: b.0,
        receipt_date: b.1,
        bill_id: b.2,
        business_service: b.3,
        consumer_code: b.4,
        detail_id: b.5,
    }
}

pub fn get(conn: &mut PgConnection, id: uuid::Uuid) -> AppResult<Option<Payment>> {
    let r: Option<Row> = cp::table
        .inner_join(cpd::table)
        .filter(cp::id.eq(id))
        .select(COLS)
        .first(conn)
        .optional()?;
    Ok(r.map(from_row))
}

/// Payment search filters.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub tenant_id: String,
    pub ids: Vec<uuid::Uuid>,
    pub receipt_numbers: Vec<String>,
    pub consumer_codes: Vec<String>,
    pub business_services: Vec<String>,
    pub bill_ids: Vec<uuid::Uuid>,
    pub status: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

/// Where a receipt's money went: (demand line, kind, amount), kind COLLECT, USE_CREDIT or
/// ADVANCE.
pub fn allocations(
    conn: &mut PgConnection,
    payment_detail_id: uuid::Uuid,
) -> QueryResult<Vec<(uuid::Uuid, String, Decimal)>> {
    ca::table
        .filter(ca::payment_detail_id.eq(payment_detail_id))
        .select((ca::demand_detail_id, ca::kind, ca::amount))
        .load(conn)
}

/// What live receipts of a tenant's business service took between `from` and `to`.
pub fn collected_between(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Decimal> {
    let sum: Option<Decimal> = cp::table
        .inner_join(cpd::table)
        .filter(cp::tenant_id.eq(tenant))
        .filter(cpd::business_service.eq(service))
        .filter(cp::payment_status.ne("CANCELLED"))
        .filter(cpd::receipt_date.between(from, to))
        .select(diesel::dsl::sum(cpd::total_amount_paid))
        .first(conn)?;
    Ok(sum.unwrap_or(Decimal::ZERO))
}

/// What live cash receipts of a tenant's business service took between `from` and `to`, and
/// from how many consumers.
pub fn cash_between(
    conn: &mut PgConnection,
    tenant: &str,
    service: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<(Decimal, i64)> {
    let (sum, n): (Option<Decimal>, i64) = cp::table
        .inner_join(cpd::table)
        .filter(cp::tenant_id.eq(tenant))
        .filter(cp::payment_mode.eq("CASH"))
        .filter(cpd::business_service.eq(service))
        .filter(cp::payment_status.ne("CANCELLED"))
        .filter(cpd::receipt_date.between(from, to))
        .select((
            diesel::dsl::sum(cpd::total_amount_paid),
            diesel::dsl::count(cpd::consumer_code).aggregate_distinct(),
        ))
        .first(conn)?;
    Ok((sum.unwrap_or(Decimal::ZERO), n))
}

pub fn search(conn: &mut PgConnection, f: &Filter) -> AppResult<(Vec<Payment>, i64)> {
    let q = || {
        let mut q = cp::table
            .inner_join(cpd::table)
            .filter(cp::tenant_id.eq(&f.tenant_id))
            .into_boxed();
        if !f.ids.is_empty() {
            q = q.filter(cp::id.eq_any(&f.ids));
        }
        if !f.receipt_numbers.is_empty() {
            q = q.filter(cpd::receipt_number.eq_any(&f.receipt_numbers));
        }
        if !f.consumer_codes.is_empty() {
            q = q.filter(cpd::consumer_code.eq_any(&f.consumer_codes));
        }
        if !f.business_services.is_empty() {
            q = q.filter(cpd::business_service.eq_any(&f.business_services));
        }
        if !f.bill_ids.is_empty() {
            q = q.filter(cpd::bill_id.eq_any(&f.bill_ids));
        }
        if let Some(s) = &f.status {
            q = q.filter(cp::payment_status.eq(s));
        }
        q
    };
    let total: i64 = q().count().get_result(conn)?;
    let rows: Vec<Row> = q()
        .order(cp::created_at.desc())
        .offset(f.offset)
        .limit(f.limit)
        .select(COLS)
        .load(conn)?;
    Ok((rows.into_iter().map(from_row).collect(), total))
}

/// The request hash, the answer remembered and the payment made for an idempotency key, if it
/// was used.
pub fn remembered(
    conn: &mut PgConnection,
    tenant: &str,
    key: &str,
) -> QueryResult<Option<(Vec<u8>, serde_json::Value, uuid::Uuid)>> {
    ci::table
        .find((tenant, key))
        .select((ci::request_hash, ci::response, ci::payment_id))
        .first(conn)
        .optional()
}

/// Remembers the answer given for an idempotency key.
pub fn remember(
    conn: &mut PgConnection,
    tenant: &str,
    key: &str,
    hash: Vec<u8>,
    payment_id: uuid::Uuid,
    response: &serde_json::Value,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(ci::table)
        .values((
            ci::tenant_id.eq(tenant),
            ci::key.eq(key),
            ci::request_hash.eq(hash),
            ci::payment_id.eq(payment_id),
            ci::response.eq(response),
            ci::created_at.eq(now),
        ))
        .execute(conn)
}

/// Records a payment of one bill: the payment, its detail with the receipt number and where
/// every rupee went. `p` is the payment as it will be answered (its ids are the rows' ids).
pub fn insert_payment(
    conn: &mut PgConnection,
    p: &Payment,
    instrument_number: Option<&str>,
    payer_uuid: Option<uuid::Uuid>,
    mobile_hash: Option<Vec<u8>>,
    allocation: &[Applied],
) -> QueryResult<()> {
    diesel::insert_into(cp::table)
        .values((
            cp::id.eq(p.id),
            cp::tenant_id.eq(&p.tenant_id),
            cp::total_due.eq(p.total_due),
            cp::total_amount_paid.eq(p.total_amount_paid),
            cp::payment_mode.eq(&p.payment_mode),
            cp::transaction_number.eq(&p.transaction_number),
            cp::transaction_date.eq(p.transaction_date),
            cp::instrument_number.eq(instrument_number),
            cp::paid_by.eq(&p.paid_by),
            cp::paid_by_enc.eq(&p.paid_by_enc),
            cp::payer_uuid.eq(payer_uuid),
            cp::payer_name_enc.eq(&p.payer_name_enc),
            cp::mobile_hash.eq(mobile_hash),
            cp::mobile_enc.eq(&p.mobile_enc),
            cp::created_by.eq(p.created_by),
            cp::created_at.eq(p.created_at),
            cp::last_modified_by.eq(p.created_by),
            cp::last_modified_at.eq(p.created_at),
        ))
        .execute(conn)?;
    diesel::insert_into(cpd::table)
        .values((
            cpd::id.eq(p.detail_id),
            cpd::payment_id.eq(p.id),
            cpd::tenant_id.eq(&p.tenant_id),
            cpd::bill_id.eq(p.bill_id),
            cpd::business_service.eq(&p.business_service),
            cpd::consumer_code.eq(&p.consumer_code),
            cpd::total_due.eq(p.total_due),
            cpd::total_amount_paid.eq(p.total_amount_paid),
            cpd::receipt_number.eq(&p.receipt_number),
            cpd::receipt_date.eq(p.receipt_date),
        ))
        .execute(conn)?;
    let rows: Vec<_> = allocation
        .iter()
        .map(|x| {
            (
                ca::payment_detail_id.eq(p.detail_id),
                ca::tenant_id.eq(&p.tenant_id),
                ca::demand_detail_id.eq(x.line),
                ca::kind.eq(x.kind),
                ca::amount.eq(x.amount),
            )
        })
        .collect();
    diesel::insert_into(ca::table).values(&rows).execute(conn)?;
    Ok(())
}

/// Marks a payment cancelled.
pub fn set_cancelled(
    conn: &mut PgConnection,
    payment_id: uuid::Uuid,
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(cp::table.find(payment_id))
        .set((
            cp::payment_status.eq("CANCELLED"),
            cp::last_modified_by.eq(actor),
            cp::last_modified_at.eq(now),
        ))
        .execute(conn)
}

/// Per demand line, what live receipts moved onto it (COLLECT adds, USE_CREDIT takes back; an
/// advance moves nothing onto a line's collected amount), for the lines of `tenant` (all: None).
pub fn moved_per_line(
    conn: &mut PgConnection,
    tenant: Option<&str>,
) -> QueryResult<std::collections::HashMap<uuid::Uuid, Decimal>> {
    use diesel::sql_types::{Nullable, Numeric, Text, Uuid};
    #[derive(QueryableByName)]
    struct Moved {
        #[diesel(sql_type = Uuid)]
        line: uuid::Uuid,
        #[diesel(sql_type = Numeric)]
        amount: Decimal,
    }
    let rows: Vec<Moved> = diesel::sql_query(
        "SELECT a.demand_detail_id AS line,
                sum(CASE a.kind WHEN 'COLLECT' THEN a.amount WHEN 'USE_CREDIT' THEN -a.amount ELSE 0 END) AS amount
           FROM collection_allocation a
           JOIN collection_payment_detail pd ON pd.id = a.payment_detail_id
           JOIN collection_payment p ON p.id = pd.payment_id
          WHERE p.payment_status <> 'CANCELLED' AND ($1::text IS NULL OR a.tenant_id = $1)
          GROUP BY 1",
    )
    .bind::<Nullable<Text>, _>(tenant)
    .load(conn)?;
    Ok(rows.into_iter().map(|m| (m.line, m.amount)).collect())
}

/// A live receipt whose allocations do not add up to its amount.
#[derive(QueryableByName)]
pub struct Unspread {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub tenant_id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub consumer_code: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub receipt_number: String,
    /// The receipt's amount.
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub a: Decimal,
    /// What its allocations add up to.
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub b: Decimal,
}

/// Live receipts whose allocations do not add up to their amount.
pub fn receipts_not_spread(
    conn: &mut PgConnection,
    tenant: Option<&str>,
) -> QueryResult<Vec<Unspread>> {
    use diesel::sql_types::{Nullable, Text};
    diesel::sql_query(
        "SELECT p.tenant_id, pd.consumer_code, pd.receipt_number, p.total_amount_paid AS a,
                coalesce(sum(CASE a.kind WHEN 'COLLECT' THEN a.amount WHEN 'USE_CREDIT' THEN -a.amount ELSE a.amount END), 0) AS b
           FROM collection_payment p JOIN collection_payment_detail pd ON pd.payment_id = p.id
           LEFT JOIN collection_allocation a ON a.payment_detail_id = pd.id
          WHERE p.payment_status <> 'CANCELLED' AND ($1::text IS NULL OR p.tenant_id = $1)
          GROUP BY p.tenant_id, pd.consumer_code, pd.receipt_number, p.total_amount_paid
         HAVING p.total_amount_paid <> coalesce(sum(CASE a.kind WHEN 'COLLECT' THEN a.amount WHEN 'USE_CREDIT' THEN -a.amount ELSE a.amount END), 0)",
    )
    .bind::<Nullable<Text>, _>(tenant)
    .load(conn)
}

/// Read-only figures over these tables for the roll-out dashboard and the iFIX export.
#[path = "figures.rs"]
pub mod figures;

/// Read-only figures over these tables for the GP's dashboard.
#[path = "dashboard.rs"]
pub mod dashboard;
/// Read-only rows over these tables for the water reports.
#[path = "report_figures.rs"]
pub mod report_figures;
/// Read-only reads for the division and state views' roll-up.
#[path = "rollup.rs"]
pub mod rollup;
