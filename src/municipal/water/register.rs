//! The household register (product.md §2.3) and the demand-generation counts of the Generate
//! demand screen (§2.4): what each household owes, holds and has paid, taken from billing's live
//! demands through `billing::service`, and the selections built on those figures. The register page
//! (`/home/householdRegister`, its PDF and Excel) and `wc/_search` with `isCollectionCount`,
//! `isBillPaid`, `sortBy` share them, as do `wc/_countWCbyDemandGenerationDate`,
//! `wc/consumers/demand-not-generated` and the count panel of `/home/billmanualgenerate`.

pub mod pages;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::model::Household;
use super::repo;
use super::service::{self, Criteria, Ctx, SERVICE};
use crate::business::billing::service::{self as billing, ConsumerTotals};
use crate::error::AppResult;

/// The consumer type of a regular (monthly or metered) water demand.
pub const REGULAR: &str = "waterConnection";

/// What a household's live demands owe and hold. A household without any live demand has all
/// zero and `has_demand` false.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub has_demand: bool,
    /// Still to pay on its charges.
    pub pending: Decimal,
    /// Paid ahead, not used yet.
    pub advance: Decimal,
    /// Every charge billed (credits left out).
    pub billed: Decimal,
    /// Collected on those charges (receipts and advance used).
    pub collected: Decimal,
    /// Every line, credits included (DIGIT's `totalamount`).
    pub total: Decimal,
    /// When the latest regular demand was made.
    pub last_bill: Option<DateTime<Utc>>,
    /// The end of the latest period a regular demand billed.
    pub last_period_to: Option<DateTime<Utc>>,
}

impl Figures {
    /// Pending less advance: what DIGIT calls `collectionPendingAmount` (below zero: advance).
    pub fn net_pending(&self) -> Decimal {
        self.pending - self.advance
    }

    /// Nothing is pending (the register's "Paid" tab).
    pub fn is_paid(&self) -> bool {
        self.pending <= Decimal::ZERO
    }
}

impl From<ConsumerTotals> for Figures {
    fn from(t: ConsumerTotals) -> Self {
        Figures {
            has_demand: true,
            pending: t.pending,
            advance: t.advance,
            billed: t.billed,
            collected: t.collected,
            total: t.total,
            last_bill: t.last_bill,
            last_period_to: t.last_period_to,
        }
    }
}

/// The figures of a GP's households by connection number (only `codes`, when given).
pub fn figures(
    conn: &mut PgConnection,
    tenant: &str,
    codes: Option<&[String]>,
) -> AppResult<HashMap<String, Figures>> {
    Ok(
        billing::consumer_totals(conn, tenant, SERVICE, REGULAR, codes)?
            .into_iter()
            .map(|t| (t.consumer_code.clone(), Figures::from(t)))
            .collect(),
    )
}

/// A household with its figures.
#[derive(Clone, Debug)]
pub struct Entry {
    pub household: Household,
    pub figures: Figures,
}

/// Pairs households with their figures (one query for all of them).
pub fn with_figures(
    conn: &mut PgConnection,
    tenant: &str,
    households: Vec<Household>,
) -> AppResult<Vec<Entry>> {
    let codes: Vec<String> = households
        .iter()
        .map(|h| h.connection.connection_no.clone())
        .collect();
    let by_code = if codes.is_empty() {
        HashMap::new()
    } else {
        figures(conn, tenant, Some(&codes))?
    };
    Ok(pair(households, &by_code))
}

/// Each household with its figures from `by_code` (zero when it has none).
fn pair(households: Vec<Household>, by_code: &HashMap<String, Figures>) -> Vec<Entry> {
    households
        .into_iter()
        .map(|h| {
            let figures = by_code
                .get(&h.connection.connection_no)
                .cloned()
                .unwrap_or_default();
            Entry {
                household: h,
                figures,
            }
        })
        .collect()
}

/// The register's orders. Ties keep the holder's name order (then the connection number).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Name,
    ConnectionNo,
    OldConnectionNo,
    /// Pending less advance.
    Pending,
    Advance,
    Collected,
    /// When the last regular demand was made.
    LastBill,
    /// The end of the last period billed.
    LastPeriod,
}

/// The tabs of the register page: each household is in exactly one, so the tab counts add up
/// to the households listed under All.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Active, with an amount due.
    Pending,
    /// Active, billed at least once, nothing due.
    Paid,
    /// Active, never charged anything, nothing due (e.g. joined after the last demand run, even
    /// with an opening advance).
    NotBilled,
    /// Not active (whatever it still owes).
    Inactive,
}

impl Entry {
    /// The register tab this household is listed under.
    pub fn tab(&self) -> Tab {
        if self.household.connection.status != "Active" {
            Tab::Inactive
        } else if self.figures.pending > Decimal::ZERO {
            Tab::Pending
        } else if self.figures.billed > Decimal::ZERO {
            Tab::Paid
        } else {
            Tab::NotBilled
        }
    }
}

/// How the register is looked at: a text (part of the name, new or old id), a filter (the API's
/// paid or pending, or a page tab), an order.
#[derive(Clone, Debug, Default)]
pub struct View {
    pub text: Option<String>,
    /// `Some(true)`: nothing pending; `Some(false)`: something pending; `None`: all (DIGIT's
    /// `isBillPaid`, whatever the status).
    pub paid: Option<bool>,
    /// Only the households of this page tab.
    pub tab: Option<Tab>,
    pub sort: Sort,
    pub descending: bool,
}

/// The API's counts: all households matching the text, those with something pending, the rest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub all: usize,
    pub pending: usize,
    pub paid: usize,
}

/// The page's tab counts (they add up to all the households matching the text).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TabCounts {
    pub pending: usize,
    pub paid: usize,
    pub not_billed: usize,
    pub inactive: usize,
}

impl TabCounts {
    pub fn all(&self) -> usize {
        self.pending + self.paid + self.not_billed + self.inactive
    }
}

/// A register selection: the households of the tab in order, the tab counts, and the matches by
/// property type (both before the tab is applied).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub entries: Vec<Entry>,
    pub counts: Counts,
    pub tabs: TabCounts,
    pub property_types: BTreeMap<String, usize>,
}

/// Every household matching `base` and the view's text, with its figures, counted, filtered by
/// the view's tab and sorted (not paged: `base.offset` and `base.limit` are ignored).
pub fn select(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    base: &Criteria,
    view: &View,
) -> AppResult<Selection> {
    let (all, _) = service::search(
        conn,
        ctx,
        &Criteria {
            text: view.text.clone().or_else(|| base.text.clone()),
            sort_by_name: true,
            descending: false,
            offset: 0,
            limit: i64::MAX,
            ..base.clone()
        },
    )?;
    let mut entries = pair(all, &figures(conn, &base.tenant_id, None)?);
    let paid = entries.iter().filter(|e| e.figures.is_paid()).count();
    let counts = Counts {
        all: entries.len(),
        pending: entries.len() - paid,
        paid,
    };
    let mut tabs = TabCounts::default();
    for e in &entries {
        *match e.tab() {
            Tab::Pending => &mut tabs.pending,
            Tab::Paid => &mut tabs.paid,
            Tab::NotBilled => &mut tabs.not_billed,
            Tab::Inactive => &mut tabs.inactive,
        } += 1;
    }
    let mut property_types = BTreeMap::new();
    for e in &entries {
        *property_types
            .entry(e.household.property.property_type.clone())
            .or_insert(0) += 1;
    }
    if let Some(p) = view.paid {
        entries.retain(|e| e.figures.is_paid() == p);
    }
    if let Some(t) = view.tab {
        entries.retain(|e| e.tab() == t);
    }
    sort(&mut entries, view.sort);
    if view.descending {
        entries.reverse();
    }
    Ok(Selection {
        entries,
        counts,
        tabs,
        property_types,
    })
}

/// Sorts stably, so equal keys keep the name order they came in.
fn sort(entries: &mut [Entry], by: Sort) {
    match by {
        Sort::Name => {}
        Sort::ConnectionNo => entries.sort_by(|a, b| {
            a.household
                .connection
                .connection_no
                .cmp(&b.household.connection.connection_no)
        }),
        Sort::OldConnectionNo => entries.sort_by(|a, b| {
            a.household
                .connection
                .old_connection_no
                .cmp(&b.household.connection.old_connection_no)
        }),
        Sort::Pending => entries.sort_by_key(|e| e.figures.net_pending()),
        Sort::Advance => entries.sort_by_key(|e| e.figures.advance),
        Sort::Collected => entries.sort_by_key(|e| e.figures.collected),
        Sort::LastBill => entries.sort_by_key(|e| e.figures.last_bill),
        Sort::LastPeriod => entries.sort_by_key(|e| e.figures.last_period_to),
    }
}

/// The active flat-rate (non-metered) households of a GP: (number, previous reading date), the
/// ones bulk demand bills.
fn flat_rate_households(
    conn: &mut PgConnection,
    tenant: &str,
) -> AppResult<Vec<(String, DateTime<Utc>)>> {
    Ok(repo::active_non_metered(conn, tenant)?)
}

/// The water connection counts of the Generate demand screen, as ws-services counts them: the
/// active non-metered households with a live regular demand, by the end of the last period
/// billed (`WaterConnectionsDemandGenerated`), and those without one, by their previous reading
/// date, i.e. the last cycle billed before they joined (`WaterConnectionsDemandNotGenerated`).
/// Each list is (instant in epoch milliseconds, households), newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemandCounts {
    pub generated: Vec<(i64, usize)>,
    pub not_generated: Vec<(i64, usize)>,
}

pub fn demand_counts(conn: &mut PgConnection, tenant: &str) -> AppResult<DemandCounts> {
    let households = flat_rate_households(conn, tenant)?;
    let by_code = figures(conn, tenant, None)?;
    let (mut generated, mut not_generated) = (BTreeMap::new(), BTreeMap::new());
    for (no, previous) in households {
        match by_code.get(&no).and_then(|f| f.last_period_to) {
            Some(to) => *generated.entry(to.timestamp_millis()).or_insert(0) += 1,
            None => {
                *not_generated
                    .entry(previous.timestamp_millis())
                    .or_insert(0) += 1
            }
        }
    }
    Ok(DemandCounts {
        generated: generated.into_iter().rev().collect(),
        not_generated: not_generated.into_iter().rev().collect(),
    })
}

/// Which households of the counts to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Billed {
    /// Last billed up to this instant (a row of `WaterConnectionsDemandGenerated`).
    To(i64),
    /// Never billed here, joined with this previous reading date (a row of
    /// `WaterConnectionsDemandNotGenerated`; `wc/consumers/demand-not-generated`).
    NotSince(i64),
}

/// The households behind one count, by connection number, with their figures.
pub fn demand_list(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    which: Billed,
) -> AppResult<Vec<Entry>> {
    let households = flat_rate_households(conn, tenant)?;
    let by_code = figures(conn, tenant, None)?;
    let codes: Vec<String> = households
        .into_iter()
        .filter(|(no, previous)| {
            let last = by_code.get(no).and_then(|f| f.last_period_to);
            match which {
                Billed::To(at) => last.is_some_and(|t| t.timestamp_millis() == at),
                Billed::NotSince(at) => last.is_none() && previous.timestamp_millis() == at,
            }
        })
        .map(|(no, _)| no)
        .collect();
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let (found, _) = service::search(
        conn,
        ctx,
        &Criteria {
            tenant_id: tenant.to_owned(),
            connection_nos: codes,
            limit: i64::MAX,
            ..Default::default()
        },
    )?;
    Ok(pair(found, &by_code))
}
