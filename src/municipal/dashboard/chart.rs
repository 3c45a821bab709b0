//! The revenue-vs-expenditure trend as a server-drawn SVG line chart (no script on the phone):
//! two polylines over the months of the year, with a gridline at the top value. The template
//! writes the SVG from these coordinates (so every label is escaped there), with a `<title>`
//! and a `<desc>` that say the numbers for screen readers.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

/// The drawing area, in SVG user units (the SVG scales to the screen's width).
pub const WIDTH: i64 = 320;
pub const HEIGHT: i64 = 160;
const LEFT: i64 = 8;
const RIGHT: i64 = 8;
const TOP: i64 = 14;
const BOTTOM: i64 = 22;

/// A label under the x axis.
pub struct XLabel {
    pub x: i64,
    pub text: String,
}

/// What the template draws.
pub struct Trend {
    /// `x,y x,y …` of the first series (collections) and the second (payments).
    pub first: String,
    pub second: String,
    pub labels: Vec<XLabel>,
    /// The top gridline's y and its value.
    pub top_y: i64,
    pub top_label: String,
    pub baseline_y: i64,
    pub width: i64,
    pub height: i64,
}

fn scaled(v: Decimal, max: Decimal) -> i64 {
    let h = HEIGHT - TOP - BOTTOM;
    if max <= Decimal::ZERO {
        return HEIGHT - BOTTOM;
    }
    let y = (v.max(Decimal::ZERO) / max * Decimal::from(h))
        .round()
        .to_i64()
        .unwrap_or(0);
    HEIGHT - BOTTOM - y
}

/// The chart of two series over the same months (`labels`), with `fmt` for the top value.
pub fn trend(
    labels: &[String],
    first: &[Decimal],
    second: &[Decimal],
    fmt: impl Fn(Decimal) -> String,
) -> Trend {
    let max = first
        .iter()
        .chain(second)
        .copied()
        .fold(Decimal::ZERO, Decimal::max);
    let n = labels.len().max(1) as i64;
    let step = if n > 1 {
        (WIDTH - LEFT - RIGHT) / (n - 1)
    } else {
        0
    };
    let x = |i: usize| {
        LEFT + step * i as i64
            + if n == 1 {
                (WIDTH - LEFT - RIGHT) / 2
            } else {
                0
            }
    };
    let points = |s: &[Decimal]| {
        s.iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", x(i), scaled(*v, max)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    Trend {
        first: points(first),
        second: points(second),
        labels: labels
            .iter()
            .enumerate()
            .map(|(i, t)| XLabel {
                x: x(i),
                text: t.clone(),
            })
            .collect(),
        top_y: TOP,
        top_label: fmt(max),
        baseline_y: HEIGHT - BOTTOM,
        width: WIDTH,
        height: HEIGHT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_value_touches_the_top_and_zero_the_baseline() {
        let t = trend(
            &["A".into(), "B".into(), "C".into()],
            &[Decimal::from(170), Decimal::ZERO, Decimal::from(85)],
            &[Decimal::from(120), Decimal::ZERO, Decimal::ZERO],
            |d| d.to_string(),
        );
        assert_eq!(t.first, "8,14 160,138 312,76");
        assert_eq!(t.second, "8,50 160,138 312,138");
        assert_eq!(t.top_label, "170");
        assert_eq!(t.labels[1].x, 160);
    }
}
