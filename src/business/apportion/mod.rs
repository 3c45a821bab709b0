//! Apportioning, as pure functions: how a payment (and any advance credit) is spread over a
//! consumer's demand lines. Oldest period first; credits (negative lines, the advance) are used
//! before new money; inside a period lines are paid in tax-head order; each line up to its
//! balance; what is left becomes (or grows) the advance line of the latest period
//! (product.md §3.3). No database here: `billing` loads the lines, calls `apportion`, and writes
//! the moves back. `api` serves the original's apportion-service paths over the same function.

mod api;
pub use api::routes;

use rust_decimal::Decimal;

/// One demand line as apportioning sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub id: uuid::Uuid,
    /// Start of the line's period (epoch ms); older periods are paid first.
    pub period_from: i64,
    /// Tax-head order (lower first).
    pub order: i32,
    pub tax: Decimal,
    pub collected: Decimal,
}

impl Line {
    /// What is still owed (positive lines) or still to be used (negative lines, as a negative).
    pub fn balance(&self) -> Decimal {
        self.tax - self.collected
    }
}

/// One change to a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Move {
    /// `collected += amount` on a positive line.
    Collect { line: uuid::Uuid, amount: Decimal },
    /// `collected -= amount` on a credit line (the credit is used up by `amount`).
    UseCredit { line: uuid::Uuid, amount: Decimal },
    /// New or larger advance: the advance line's tax goes down by `amount`.
    Advance { amount: Decimal },
}

/// The result of apportioning.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Apportioned {
    pub moves: Vec<Move>,
    /// Money paid into demand lines.
    pub collected: Decimal,
    /// Credit used against demand lines.
    pub credit_used: Decimal,
    /// What became advance.
    pub advance: Decimal,
}

/// Spreads `payment` (≥ 0) and the available credit over `lines`.
pub fn apportion(lines: &[Line], payment: Decimal) -> Apportioned {
    let mut positive: Vec<&Line> = lines
        .iter()
        .filter(|l| l.balance() > Decimal::ZERO)
        .collect();
    positive.sort_by_key(|l| (l.period_from, l.order, l.id));
    let mut credits: Vec<&Line> = lines
        .iter()
        .filter(|l| l.balance() < Decimal::ZERO)
        .collect();
    credits.sort_by_key(|l| (l.period_from, l.id));

    let need: Decimal = positive.iter().map(|l| l.balance()).sum();
    let credit: Decimal = credits.iter().map(|l| -l.balance()).sum();
    let credit_used = credit.min(need);
    let mut out = Apportioned::default();

    // Credit first: use it (oldest credit first) ...
    let mut left = credit_used;
    for c in &credits {
        if left <= Decimal::ZERO {
            break;
        }
        let take = (-c.balance()).min(left);
        out.moves.push(Move::UseCredit {
            line: c.id,
            amount: take,
        });
        left -= take;
    }
    // ... then pay the lines, oldest period first, from credit and money together.
    let mut funds = credit_used + payment;
    for l in &positive {
        if funds <= Decimal::ZERO {
            break;
        }
        let pay = l.balance().min(funds);
        out.moves.push(Move::Collect {
            line: l.id,
            amount: pay,
        });
        funds -= pay;
    }
    out.credit_used = credit_used;
    out.collected = need.min(credit_used + payment);
    if funds > Decimal::ZERO {
        out.moves.push(Move::Advance { amount: funds });
        out.advance = funds;
    }
    out
}

/// The amount a whole-rupee total needs to be rounded by (≥ .50 up, < .50 down).
pub fn round_off(total: Decimal) -> Decimal {
    let whole =
        total.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    whole - total
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt as _, SeedableRng as _};

    fn d(v: i64) -> Decimal {
        Decimal::from(v)
    }

    fn line(n: u128, month: i64, order: i32, tax: i64, collected: i64) -> Line {
        Line {
            id: uuid::Uuid::from_u128(n),
            period_from: month,
            order,
            tax: d(tax),
            collected: d(collected),
        }
    }

    fn apply(lines: &mut [Line], a: &Apportioned, advance_line: u128) -> Vec<Line> {
        let mut extra = Vec::new();
        for m in &a.moves {
            match m {
                Move::Collect { line, amount } => {
                    if let Some(l) = lines.iter_mut().find(|l| l.id == *line) {
                        l.collected += amount;
                    }
                }
                Move::UseCredit { line, amount } => {
                    if let Some(l) = lines.iter_mut().find(|l| l.id == *line) {
                        l.collected -= amount;
                    }
                }
                Move::Advance { amount } => extra.push(Line {
                    id: uuid::Uuid::from_u128(advance_line),
                    period_from: 99,
                    order: 0,
                    tax: -*amount,
                    collected: Decimal::ZERO,
                }),
            }
        }
        extra
    }

    #[test]
    fn the_example_of_the_issue() {
        // Two months of Rs 100; pay 150: the first month is settled, the second owes 50.
        let mut lines = vec![line(1, 1, 0, 100, 0), line(2, 2, 0, 100, 0)];
        let a = apportion(&lines, d(150));
        assert_eq!(
            a.moves,
            vec![
                Move::Collect {
                    line: lines[0].id,
                    amount: d(100)
                },
                Move::Collect {
                    line: lines[1].id,
                    amount: d(50)
                }
            ]
        );
        apply(&mut lines, &a, 0);
        assert_eq!((lines[0].balance(), lines[1].balance()), (d(0), d(50)));
        // Pay 80 more: 50 settles the second month, 30 becomes advance.
        let a = apportion(&lines, d(80));
        assert_eq!(a.advance, d(30));
        let adv = apply(&mut lines, &a, 3);
        lines.extend(adv);
        assert_eq!(lines[2].balance(), d(-30));
        // The next Rs 100 demand uses the advance first: Rs 70 due.
        lines.push(line(4, 3, 0, 100, 0));
        let a = apportion(&lines, Decimal::ZERO);
        assert_eq!(a.credit_used, d(30));
        apply(&mut lines, &a, 0);
        assert_eq!(lines[3].balance(), d(70));
        assert_eq!(lines[2].balance(), d(0), "the advance is used up");
    }

    #[test]
    fn oldest_first_then_tax_head_order() {
        // Month 1: charge 100 (order 0), penalty 10 (order 3); month 2: charge 100.
        let lines = vec![
            line(1, 2, 0, 100, 0),
            line(2, 1, 3, 10, 0),
            line(3, 1, 0, 100, 0),
        ];
        let a = apportion(&lines, d(105));
        assert_eq!(
            a.moves,
            vec![
                Move::Collect {
                    line: lines[2].id,
                    amount: d(100)
                },
                Move::Collect {
                    line: lines[1].id,
                    amount: d(5)
                }
            ]
        );
    }

    #[test]
    fn credit_covers_part_and_money_the_rest() {
        let lines = vec![line(1, 1, 0, -40, 0), line(2, 2, 0, 100, 0)];
        let a = apportion(&lines, d(60));
        assert_eq!(a.credit_used, d(40));
        assert_eq!(a.collected, d(100));
        assert_eq!(a.advance, d(0));
    }

    #[test]
    fn round_off_to_whole_rupees() {
        assert_eq!(round_off(Decimal::new(15050, 2)), Decimal::new(50, 2));
        assert_eq!(round_off(Decimal::new(15049, 2)), Decimal::new(-49, 2));
        assert_eq!(round_off(d(150)), Decimal::ZERO);
        assert_eq!(round_off(Decimal::new(13310, 2)), Decimal::new(-10, 2));
    }

    /// Property test over thousands of random ledgers: money is neither made nor lost, no line is
    /// over-collected, no credit over-used, and older periods are settled before newer ones.
    #[test]
    fn properties_hold_for_random_ledgers() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(20261121);
        for case in 0..5000 {
            let n: u32 = rng.random_range(0..8);
            let mut lines: Vec<Line> = (0..n)
                .map(|i| {
                    let tax: i64 = if rng.random_range(0..5) == 0 {
                        -rng.random_range(1..300)
                    } else {
                        rng.random_range(1..500)
                    };
                    let collected = if tax > 0 {
                        rng.random_range(0..=tax)
                    } else {
                        -rng.random_range(0..=-tax)
                    };
                    line(
                        u128::from(i) + 1,
                        rng.random_range(1..6),
                        rng.random_range(0..5),
                        tax,
                        collected,
                    )
                })
                .collect();
            let payment = d(rng.random_range(0..1500));
            let before_pos: Decimal = lines
                .iter()
                .filter(|l| l.tax > Decimal::ZERO)
                .map(|l| l.collected)
                .sum();
            let before_credit: Decimal = lines
                .iter()
                .filter(|l| l.tax < Decimal::ZERO)
                .map(|l| l.balance())
                .sum();
            let a = apportion(&lines, payment);
            let extra = apply(&mut lines, &a, 1000);
            let after_pos: Decimal = lines
                .iter()
                .filter(|l| l.tax > Decimal::ZERO)
                .map(|l| l.collected)
                .sum();
            let after_credit: Decimal = lines
                .iter()
                .filter(|l| l.tax < Decimal::ZERO)
                .map(|l| l.balance())
                .sum();
            let new_advance: Decimal = extra.iter().map(|l| -l.tax).sum();
            // money in = money collected into lines - credit used + new advance
            assert_eq!(
                payment,
                (after_pos - before_pos) - (before_credit - after_credit).abs() + new_advance,
                "case {case}"
            );
            for l in &lines {
                if l.tax >= Decimal::ZERO {
                    assert!(
                        l.collected >= Decimal::ZERO && l.collected <= l.tax,
                        "case {case}: over-collected {l:?}"
                    );
                } else {
                    assert!(
                        l.collected <= Decimal::ZERO && l.collected >= l.tax,
                        "case {case}: credit over-used {l:?}"
                    );
                }
            }
            // Advance only when everything is paid.
            if a.advance > Decimal::ZERO {
                assert!(
                    lines
                        .iter()
                        .all(|l| l.tax < Decimal::ZERO || l.balance() == Decimal::ZERO),
                    "case {case}"
                );
            }
            // A newer period is touched only once every older one is settled.
            let touched: Vec<&Line> = a
                .moves
                .iter()
                .filter_map(|m| match m {
                    Move::Collect { line, .. } => lines.iter().find(|l| l.id == *line),
                    _ => None,
                })
                .collect();
            if let Some(newest) = touched.iter().map(|l| l.period_from).max() {
                for l in lines
                    .iter()
                    .filter(|l| l.tax > Decimal::ZERO && l.period_from < newest)
                {
                    assert_eq!(
                        l.balance(),
                        Decimal::ZERO,
                        "case {case}: an older period left unpaid"
                    );
                }
            }
        }
    }
}
