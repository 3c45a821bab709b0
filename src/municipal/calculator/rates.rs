//! Rates (product.md §3.1): the GP's `WCBillingSlab` in force on a day, and the charges.

use chrono::NaiveDate;
use diesel::PgConnection;
use rust_decimal::Decimal;

use crate::error::{AppError, AppResult};
use crate::platform::mdms;

/// One usage band of a metered rate: units above `from` up to `to` cost `rate` each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Band {
    pub from: Decimal,
    pub to: Decimal,
    pub rate: Decimal,
}

/// The rate of one property type and connection type, as in force on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    /// The master version it comes from (kept on the demand, so an old bill shows its rate).
    pub tariff_id: String,
    pub effective_from: NaiveDate,
    /// Flat: the monthly charge. Metered: a fixed charge added to the usage.
    pub minimum: Decimal,
    pub bands: Vec<Band>,
}

/// The metered charge as the original computes it: the fixed minimum (when not 0) plus the
/// tiered sum of the units in each band times its rate. There is no "at least the minimum"
/// clamp, and `meterCharge` is not used (product.md §3.1).
pub fn metered_charge(rate: &Rate, units: Decimal) -> Decimal {
    let usage: Decimal = rate
        .bands
        .iter()
        .map(|b| {
            let top = units.min(b.to);
            if top > b.from {
                (top - b.from) * b.rate
            } else {
                Decimal::ZERO
            }
        })
        .sum();
    // Units and rates carry two decimals each: the product is exact at two decimals.
    (rate.minimum + usage)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// The rate for a property type (`RESIDENTIAL`...) and connection type (`Metered` /
/// `Non_Metered`) in force for `tenant` on `on`: the GP's own version, else the state's.
/// Exactly one slab must match (`INVALID_BILLING_SLAB` / `BILLING_SLAB_NOT_FOUND`).
pub fn rate_for(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant: &str,
    property_type: &str,
    connection_type: &str,
    on: NaiveDate,
) -> AppResult<Rate> {
    let (tariff, effective_from) = match mdms::repo::tariff_version(conn, tenant, on)? {
        Some(t) => t,
        None => mdms::repo::tariff_version(conn, state_tenant, on)?.ok_or_else(|| {
            AppError::bad_request(
                "BILLING_SLAB_NOT_FOUND",
                format!("no rates for {tenant} on {on}"),
            )
        })?,
    };
    let attribute = if connection_type == "Metered" {
        "Water consumption"
    } else {
        "Flat"
    };
    let rows: Vec<_> = mdms::repo::tariff_rows(conn, &tariff)?
        .into_iter()
        .filter(|r| {
            r.building_type == property_type
                && r.connection_type == connection_type
                && r.calculation_attribute == attribute
        })
        .collect();
    let row = match rows.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(AppError::bad_request(
                "BILLING_SLAB_NOT_FOUND",
                format!("no {property_type} {connection_type} rate for {tenant}"),
            ));
        }
        _ => {
            return Err(AppError::bad_request(
                "INVALID_BILLING_SLAB",
                format!("more than one {property_type} {connection_type} rate for {tenant}"),
            ));
        }
    };
    let bands = mdms::repo::tariff_slabs(conn, &tariff)?
        .into_iter()
        .filter(|s| {
            s.building_type == row.building_type
                && s.connection_type == row.connection_type
                && s.calculation_attribute == row.calculation_attribute
        })
        .map(|s| Band {
            from: s.from_units,
            to: s.to_units,
            rate: s.charge,
        })
        .collect();
    Ok(Rate {
        tariff_id: tariff,
        effective_from,
        minimum: row.minimum_charge,
        bands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(minimum: i64, bands: &[(i64, i64, i64)]) -> Rate {
        Rate {
            tariff_id: "T".into(),
            effective_from: NaiveDate::default(),
            minimum: Decimal::from(minimum),
            bands: bands
                .iter()
                .map(|(f, t, r)| Band {
                    from: Decimal::from(*f),
                    to: Decimal::from(*t),
                    rate: Decimal::from(*r),
                })
                .collect(),
        }
    }

    #[test]
    fn the_metered_charges_of_product_md() {
        // standard residential: minimum 100, one band at 2/unit: 25 units -> 100 + 25 x 2 = 150
        let standard = rate(100, &[(0, 1_000_000, 2)]);
        assert_eq!(
            metered_charge(&standard, Decimal::from(25)),
            Decimal::from(150)
        );
        assert_eq!(metered_charge(&standard, Decimal::ZERO), Decimal::from(100));
        // pilot GP: first 20 units free, then 5/unit: 25 units -> 100 + 5 x 5 = 125
        let pilot = rate(100, &[(0, 20, 0), (20, 100_000, 5)]);
        assert_eq!(
            metered_charge(&pilot, Decimal::from(25)),
            Decimal::from(125)
        );
        assert_eq!(
            metered_charge(&pilot, Decimal::from(20)),
            Decimal::from(100)
        );
        assert_eq!(
            metered_charge(&pilot, Decimal::from(21)),
            Decimal::from(105)
        );
        // commercial: minimum 200 at 13.31/unit: 10 units -> 333.10 (round-off comes later)
        let commercial = Rate {
            bands: vec![Band {
                from: Decimal::ZERO,
                to: Decimal::from(1_000_000),
                rate: Decimal::new(1331, 2),
            }],
            ..rate(200, &[])
        };
        assert_eq!(
            metered_charge(&commercial, Decimal::from(10)),
            Decimal::new(33310, 2)
        );
    }
}
