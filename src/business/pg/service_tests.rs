//! Unit tests of the payment rules that need no database.

use super::*;

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

#[test]
fn amounts_follow_the_business_service_and_collection_rules() {
    assert_eq!(
        check_amount("WS", d(0))
            .err()
            .map(|e| e.code())
            .unwrap_or_default(),
        codes::PG_INVALID_AMOUNT
    );
    assert_eq!(
        check_amount("WS", d(-5))
            .err()
            .map(|e| e.code())
            .unwrap_or_default(),
        codes::PG_INVALID_AMOUNT
    );
    let paise = Decimal::new(17050, 2);
    assert_eq!(
        check_amount("WS", paise)
            .err()
            .map(|e| e.code())
            .unwrap_or_default(),
        codes::PG_INVALID_AMOUNT
    );
    assert_eq!(
        check_amount("WS", d(10_001))
            .err()
            .map(|e| e.code())
            .unwrap_or_default(),
        codes::PG_AMOUNT_ABOVE_LIMIT
    );
    assert!(check_amount("WS", d(10_000)).is_ok());
    assert!(check_amount("EXPENSE.SALARY", d(50_000)).is_ok());
    // an expense bill (no advance, part payment allowed)
    assert_eq!(
        check_against_due(d(171), d(170), true, false)
            .err()
            .map(|e| e.code())
            .unwrap_or_default(),
        codes::PG_AMOUNT_ABOVE_DUE
    );
    assert!(check_against_due(d(100), d(170), true, false).is_ok());
    assert_eq!(
        check_against_due(d(100), d(170), false, true)
            .err()
            .map(|e| e.code())
            .unwrap_or_default(),
        codes::PG_PART_PAYMENT_NOT_ALLOWED
    );
    assert!(check_against_due(d(500), d(170), true, true).is_ok());
}

#[test]
fn callbacks_stay_on_this_server() {
    let base = "https://gp.example.in";
    assert!(check_callback(base, "/citizen/paid").is_ok());
    assert!(check_callback(base, "https://gp.example.in/mgramseva/paymentSuccess").is_ok());
    for bad_url in [
        "https://evil.example/x",
        "//evil.example/x",
        "https://gp.example.in.evil.example/",
        "javascript:alert(1)",
        "/\\evil.example",
    ] {
        assert_eq!(
            check_callback(base, bad_url)
                .err()
                .map(|e| e.code())
                .unwrap_or_default(),
            codes::PG_INVALID_CALLBACK_URL,
            "{bad_url}"
        );
    }
}
