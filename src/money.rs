//! Amounts of money as requests carry them: exact, or refused. Never rounded on the way in.
//!
//! Amounts are stored as `NUMERIC(12,2)`: at most ten whole digits and two decimal places. An
//! amount with a third non-zero decimal, or too large for the column, is refused with a named code
//! (`INVALID_AMOUNT`) instead of being rounded or overflowing in the database. A JSON number
//! arrives here only if it was exactly representable (`http::envelope::parse_body` refuses the
//! others), so its shortest decimal form is what the client sent.

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};

/// The largest amount a money column holds (`NUMERIC(12,2)`): 9,999,999,999.99.
pub fn max() -> Decimal {
    Decimal::new(999_999_999_999, 2)
}

/// Reads an amount from its decimal text ("1200", "-50.5", "0.25"). No exponent, no spaces
/// inside, at most two decimal places that are not zero, at most ten whole digits.
pub fn parse(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    let body = t
        .strip_prefix('-')
        .or_else(|| t.strip_prefix('+'))
        .unwrap_or(t);
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("INVALID_AMOUNT: {t:?} is not an amount"));
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > 2 {
        return Err("INVALID_AMOUNT: an amount has at most two decimal places".to_owned());
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 10 {
        return Err("INVALID_AMOUNT: the amount is too large".to_owned());
    }
    let digits = format!("{}{frac:0<2}", if whole.is_empty() { "0" } else { whole });
    let n: i64 = digits
        .parse()
        .map_err(|_| "INVALID_AMOUNT: not an amount".to_owned())?;
    let d = Decimal::new(if t.starts_with('-') { -n } else { n }, 2).normalize();
    if d.abs() > max() {
        return Err("INVALID_AMOUNT: the amount is too large".to_owned());
    }
    Ok(d)
}

struct AmountVisitor;

impl Visitor<'_> for AmountVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an amount (a number or a string with at most two decimal places)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        if !v.is_finite() {
            return Err(E::custom("INVALID_AMOUNT: not a finite number"));
        }
        // Rust prints the shortest text that reads back as the same double.
        parse(&format!("{v}")).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse(v).map_err(E::custom)
    }
}

/// `#[serde(deserialize_with = "crate::money::amount")]`
pub fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(AmountVisitor)
}

/// `#[serde(default, deserialize_with = "crate::money::optional")]`: null or absent is `None`.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    struct Opt;
    impl<'de> Visitor<'de> for Opt {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an amount or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            amount(d).map(Some)
        }
    }
    d.deserialize_option(Opt)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct A {
        #[serde(deserialize_with = "amount")]
        a: Decimal,
        #[serde(default, deserialize_with = "optional")]
        b: Option<Decimal>,
    }

    fn a(v: serde_json::Value) -> Result<Decimal, String> {
        serde_json::from_value::<A>(serde_json::json!({"a": v}))
            .map(|x| x.a)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn exact_amounts_pass() {
        assert_eq!(a(serde_json::json!(300)), Ok(Decimal::new(300, 0)));
        assert_eq!(a(serde_json::json!(99.99)), Ok(Decimal::new(9999, 2)));
        assert_eq!(a(serde_json::json!("-50.50")), Ok(Decimal::new(-505, 1)));
        assert_eq!(a(serde_json::json!("1200.000")), Ok(Decimal::new(1200, 0)));
        assert_eq!(a(serde_json::json!("9999999999.99")), Ok(max()));
        assert_eq!(a(serde_json::json!(0.1)), Ok(Decimal::new(1, 1)));
    }

    #[test]
    fn rounding_and_overflow_are_refused() {
        // product of a fuzzing pass: this used to be recorded as ₹100
        assert!(a(serde_json::json!("99.999999999999999999999999999")).is_err());
        assert!(a(serde_json::json!("10.005")).is_err());
        assert!(a(serde_json::json!(1e20)).is_err());
        assert!(a(serde_json::json!("10000000000")).is_err());
        assert!(a(serde_json::json!("1e3")).is_err());
        assert!(a(serde_json::json!("")).is_err());
        assert!(a(serde_json::json!(".")).is_err());
        assert!(a(serde_json::json!("12a")).is_err());
        assert!(a(serde_json::json!(true)).is_err());
        let e = a(serde_json::json!("1.234")).err().unwrap_or_default();
        assert!(e.starts_with("INVALID_AMOUNT"), "{e}");
    }

    #[test]
    fn optional_amounts() {
        let x: A = serde_json::from_value(serde_json::json!({"a": 1, "b": null})).unwrap();
        assert_eq!(x.b, None);
        let x: A = serde_json::from_value(serde_json::json!({"a": 1})).unwrap();
        assert_eq!(x.b, None);
        let x: A = serde_json::from_value(serde_json::json!({"a": 1, "b": "2.5"})).unwrap();
        assert_eq!(x.b, Some(Decimal::new(25, 1)));
        assert!(serde_json::from_value::<A>(serde_json::json!({"a": 1, "b": "2.555"})).is_err());
    }
}
