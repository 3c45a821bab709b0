//! Posting to the journal, and its check against the ledger.
//!
//! A posting is a true-up: the caller (billing, collection) hands in what the ledger now says of
//! the consumers an event touched (per tax head: demanded, collected, whether it is the advance
//! head), this module turns it into the balance each account should hold for each of them, and
//! posts one entry with the difference from what the journal holds. A demand posts Dr
//! receivables / Cr revenue head, a receipt Dr cash / Cr receivables (or Cr advance for the
//! surplus), an advance used Dr advance / Cr receivables, an expense bill Dr expense head / Cr
//! payables, its payment Dr payables / Cr cash; a cancellation posts the reverse (its entry names
//! the entry it reverses).

use std::collections::BTreeMap;

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::coa::{self, ADVANCE, CASH, OPENING, PAYABLE, RECEIVABLE};
pub(super) use super::model::Balances;
pub use super::model::{Event, day_of};
use super::repo;
use crate::error::AppResult;

/// What the ledger says of one consumer (or expense bill) and tax head, over its live demands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owed {
    pub party: String,
    pub tax_head: String,
    /// The tax head is the advance head (category `ADVANCE_COLLECTION`).
    pub advance: bool,
    /// The demand carries an opening balance (arrears or advance a household brought when it
    /// joined): its counterpart is the opening balances account, not revenue or cash.
    pub opening: bool,
    pub tax: Decimal,
    pub collected: Decimal,
}

/// Whether a business service is an expense (`EXPENSE.<TYPE>`): money paid out to a vendor.
pub fn is_expense(service: &str) -> bool {
    service.starts_with("EXPENSE.")
}

/// The balances the ledger's figures mean (every line of it balances on its own).
fn targets(service: &str, owed: &[Owed]) -> Balances {
    let mut out = Balances::new();
    let mut add = |party: &str, account: &str, head: Option<&str>, v: Decimal| {
        *out.entry((
            party.to_owned(),
            account.to_owned(),
            head.map(str::to_owned),
        ))
        .or_default() += v;
    };
    for o in owed {
        let head = coa::head_of(&o.tax_head);
        let (p, h) = (o.party.as_str(), Some(head.as_str()));
        if is_expense(service) {
            // Dr expense / Cr payables for the bill; Dr payables / Cr cash as it is paid.
            add(p, &head, h, o.tax);
            add(p, PAYABLE, h, -(o.tax - o.collected));
            add(p, CASH, None, -o.collected);
        } else if o.opening && o.advance {
            // An advance brought from before: Dr opening balances / Cr advance; what of it was
            // used moved to receivables, not through cash.
            add(p, ADVANCE, h, o.tax - o.collected);
            add(p, OPENING, None, -o.tax);
            add(p, CASH, None, o.collected);
        } else if o.opening {
            add(p, RECEIVABLE, h, o.tax - o.collected);
            add(p, OPENING, None, -o.tax);
            add(p, CASH, None, o.collected);
        } else if o.advance {
            // The advance line holds −(advance paid) as its tax and −(advance used) as its
            // collection: cash came in for it, and what is unused is owed back (a liability).
            add(p, ADVANCE, h, o.tax - o.collected);
            add(p, CASH, None, o.collected - o.tax);
        } else {
            add(p, RECEIVABLE, h, o.tax - o.collected);
            add(p, &head, h, -o.tax);
            add(p, CASH, None, o.collected);
        }
    }
    out.retain(|_, v| !v.is_zero());
    out
}

/// Posts, for `parties` of `service`, the difference between what `owed` (the ledger's figures
/// of exactly those parties, live demands only) means and what the journal holds: one entry, or
/// none when nothing changed. A `…_CANCELLED` event names the latest entry of the same source
/// it reverses. Call it in the money event's transaction, after the ledger's writes.
pub fn post(
    conn: &mut PgConnection,
    ev: &Event<'_>,
    service: &str,
    parties: &[String],
    owed: &[Owed],
) -> AppResult<Option<i64>> {
    let mut diff = targets(service, owed);
    for (k, v) in repo::balances(conn, ev.tenant, service, parties)? {
        *diff.entry(k).or_default() -= v;
    }
    diff.retain(|_, v| !v.is_zero());
    if diff.is_empty() {
        return Ok(None);
    }
    let reverses = match ev.kind.strip_suffix("_CANCELLED") {
        Some(base) => repo::last_entry(conn, ev.tenant, ev.source, base)?,
        None => None,
    };
    let id = repo::insert_entry(conn, ev, reverses)?;
    repo::insert_lines(conn, id, ev.tenant, service, &diff)?;
    Ok(Some(id))
}

/// Posts new demands written set-based (bulk demand) in one statement: one entry for the batch,
/// Dr receivables / Cr revenue head per consumer and head (`parties`, `tax_heads` and `amounts`
/// side by side; amounts of one consumer and head are summed).
pub fn post_new_demands(
    conn: &mut PgConnection,
    ev: &Event<'_>,
    service: &str,
    parties: &[String],
    tax_heads: &[String],
    amounts: &[Decimal],
) -> AppResult<()> {
    if parties.is_empty() {
        return Ok(());
    }
    let heads: Vec<String> = tax_heads.iter().map(|t| coa::head_of(t)).collect();
    Ok(repo::post_new_demands(
        conn, ev, service, parties, &heads, amounts,
    )?)
}

/// A difference the journal check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub tenant_id: String,
    pub party: String,
    pub what: String,
}

/// The journal check (part of the ledger check): every entry balances; per GP, service and
/// party, every account holds what the ledger's figures (`owed`: tenant, service and what the
/// live demands say) mean (receivables = demanded − collected, advance = unused advance,
/// payables = billed − paid); per GP, cash = live receipts − live expense payments (`cash`,
/// from collection). To the paisa. Read-only.
pub fn check(
    conn: &mut PgConnection,
    tenant: Option<&str>,
    owed: &[(String, String, Owed)],
    cash: &[(String, Decimal)],
) -> AppResult<Vec<Problem>> {
    let mut out: Vec<Problem> = repo::unbalanced(conn, tenant)?
        .into_iter()
        .map(|(t, id, dr, cr)| Problem {
            tenant_id: t,
            party: String::new(),
            what: format!("journal entry {id} does not balance: debit {dr} vs credit {cr}"),
        })
        .collect();
    // What the ledger means, per GP and service.
    let mut groups: BTreeMap<(String, String), Vec<Owed>> = BTreeMap::new();
    for (t, s, o) in owed {
        groups
            .entry((t.clone(), s.clone()))
            .or_default()
            .push(o.clone());
    }
    let mut want: BTreeMap<(String, String), Balances> = groups
        .into_iter()
        .map(|(k, o)| {
            let b = targets(&k.1, &o);
            (k, b)
        })
        .collect();
    let have = repo::all_balances(conn, tenant)?;
    let mut seen: BTreeMap<(String, String), Balances> = BTreeMap::new();
    for (t, s, key, v) in have {
        seen.entry((t, s)).or_default().insert(key, v);
    }
    for (ts, b) in &seen {
        want.entry(ts.clone()).or_default();
        let _ = b;
    }
    for ((t, s), w) in &want {
        let h = seen.get(&(t.clone(), s.clone()));
        let keys: std::collections::BTreeSet<_> = w
            .keys()
            .chain(h.into_iter().flat_map(|h| h.keys()))
            .cloned()
            .collect();
        for k in keys {
            let a = h.and_then(|h| h.get(&k)).copied().unwrap_or_default();
            let b = w.get(&k).copied().unwrap_or_default();
            if a != b {
                let (party, account, head) = k;
                out.push(Problem {
                    tenant_id: t.clone(),
                    what: format!(
                        "journal {account}{} of {s} holds {a}, the ledger says {b}",
                        head.map(|h| format!(" ({h})")).unwrap_or_default()
                    ),
                    party,
                });
            }
        }
    }
    let held: BTreeMap<String, Decimal> = repo::cash_by_tenant(conn, tenant)?.into_iter().collect();
    let mut tenants: std::collections::BTreeSet<&String> = held.keys().collect();
    tenants.extend(cash.iter().map(|(t, _)| t));
    for t in tenants {
        let a = held.get(t).copied().unwrap_or_default();
        let b = cash
            .iter()
            .filter(|(x, _)| x == t)
            .map(|(_, v)| *v)
            .sum::<Decimal>();
        if a != b {
            out.push(Problem {
                tenant_id: t.clone(),
                party: String::new(),
                what: format!(
                    "journal cash is {a}, live receipts less live expense payments are {b}"
                ),
            });
        }
    }
    Ok(out)
}

/// How many entries the journal holds (on `tenant`, or everywhere).
pub fn entry_count(conn: &mut PgConnection, tenant: Option<&str>) -> AppResult<i64> {
    Ok(repo::entry_count(conn, tenant)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn every_kind_of_line_balances_and_lands_where_it_belongs() {
        let owed = vec![
            Owed {
                party: "C1".into(),
                tax_head: "10101".into(),
                advance: false,
                opening: false,
                tax: d("300"),
                collected: d("170"),
            },
            Owed {
                party: "C1".into(),
                tax_head: "WS_ADVANCE_CARRYFORWARD".into(),
                advance: true,
                opening: false,
                tax: d("-50"),
                collected: d("-20"),
            },
        ];
        let t = targets("WS", &owed);
        assert_eq!(t.values().copied().sum::<Decimal>(), Decimal::ZERO);
        let get = |a: &str| {
            t.iter()
                .filter(|(k, _)| k.1 == a)
                .map(|(_, v)| *v)
                .sum::<Decimal>()
        };
        assert_eq!(get(RECEIVABLE), d("130"));
        assert_eq!(get(ADVANCE), d("-30"));
        assert_eq!(get(CASH), d("200"));
        assert_eq!(get("0215-01-103-00-00-00"), d("-300"));
        let e = targets(
            "EXPENSE.SALARY",
            &[Owed {
                party: "EB-1".into(),
                tax_head: "20201".into(),
                advance: false,
                opening: false,
                tax: d("200"),
                collected: d("120"),
            }],
        );
        assert_eq!(e.values().copied().sum::<Decimal>(), Decimal::ZERO);
        assert!(e.iter().any(|(k, v)| k.1 == PAYABLE && *v == d("-80")));
        assert!(e.iter().any(|(k, v)| k.1 == CASH && *v == d("-120")));
    }
}
