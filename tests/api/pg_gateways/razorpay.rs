//! Razorpay: orders, the checkout's signed callback, webhooks, and the payments query that alone
//! pays.

use mgramseva::business::pg::gateways::razorpay;
use mgramseva::business::pg::gateways::{Refusal, Verdict};
use rust_decimal::Decimal;

use super::client;
use super::doubles::RazorpayDouble;

const TXN: &str = "PB_PG_2026_03_05_000003_33";

fn rupees(r: i64) -> Decimal {
    Decimal::new(r, 0)
}

#[test]
fn an_order_is_made_in_paise_with_our_transaction_as_receipt() {
    let d = RazorpayDouble::start();
    let o =
        razorpay::create_order(&d.settings(), &client(), TXN, Decimal::new(17050, 2), &[]).unwrap();
    assert_eq!(
        (o.amount, o.receipt.as_deref(), o.status.as_str()),
        (17_050, Some(TXN), "created")
    );
    assert!(o.id.starts_with("order_"));
    // Paise beyond two places are not an amount.
    let e = razorpay::create_order(&d.settings(), &client(), TXN, Decimal::new(1705, 3), &[]);
    assert!(matches!(e, Err(razorpay::ApiError::Amount)), "{e:?}");
    // A wrong key secret: refused by the API, no order.
    let mut cfg = d.settings();
    cfg.key_secret = mgramseva::config::Secret::new("wrong");
    let e = razorpay::create_order(&cfg, &client(), TXN, rupees(170), &[]);
    assert!(matches!(e, Err(razorpay::ApiError::Refused(401))), "{e:?}");
    assert_eq!(d.order_count(), 1);
    // The checkout form names the key and the order.
    let f = razorpay::checkout_fields(
        &d.settings(),
        &razorpay::Checkout {
            order_id: &o.id,
            amount: Decimal::new(17050, 2),
            description: "Water bill",
            contact: Some("9876543210"),
            callback_url: "http://x/cb",
            cancel_url: "http://x/back",
        },
    );
    let get = |k: &str| f.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("key_id"), Some(d.key_id.as_str()));
    assert_eq!(get("order_id"), Some(o.id.as_str()));
    assert_eq!(get("amount"), Some("17050"));
    assert!(
        f.iter().all(|(_, v)| !v.contains(&d.key_secret)),
        "no secret in the form"
    );
}

#[test]
fn a_signed_callback_pays_once_the_payments_query_shows_the_money() {
    let d = RazorpayDouble::start();
    let cfg = d.settings();
    let o = razorpay::create_order(&cfg, &client(), TXN, rupees(170), &[]).unwrap();
    let pay = d.pay(&o.id, 17_000, "captured");
    let v = razorpay::settle_callback(
        &cfg,
        &client(),
        TXN,
        Some(&o.id),
        rupees(170),
        &d.callback(&o.id, &pay),
    );
    assert_eq!(
        v,
        Ok(Verdict::Paid {
            gateway_txn_id: pay.clone(),
            amount: Decimal::new(17000, 2),
            payment_mode: "upi".to_owned(),
            bank_ref: "123456789012".to_owned(),
        })
    );
    // Without the order id remembered, the order is found by its receipt.
    let v = razorpay::confirm(&cfg, &client(), TXN, None, rupees(170));
    assert!(
        matches!(v, Verdict::Paid { ref gateway_txn_id, .. } if *gateway_txn_id == pay),
        "{v:?}"
    );
}

#[test]
fn a_bad_signature_another_order_or_a_changed_amount_pays_nothing() {
    let d = RazorpayDouble::start();
    let cfg = d.settings();
    let o = razorpay::create_order(&cfg, &client(), TXN, rupees(170), &[]).unwrap();
    let pay = d.pay(&o.id, 17_000, "captured");
    // Signature over another payment id.
    let mut cb = d.callback(&o.id, &pay);
    cb[0].1 = "pay_someoneelse".to_owned();
    let v = razorpay::settle_callback(&cfg, &client(), TXN, Some(&o.id), rupees(170), &cb);
    assert_eq!(v, Err(Refusal::BadSignature));
    // Signed with another secret.
    let mut cb = d.callback(&o.id, &pay);
    cb[2].1 = razorpay::sign("not-the-secret", format!("{}|{pay}", o.id).as_bytes());
    let v = razorpay::settle_callback(&cfg, &client(), TXN, Some(&o.id), rupees(170), &cb);
    assert_eq!(v, Err(Refusal::BadSignature));
    // A genuine callback of another transaction's order.
    let other = razorpay::create_order(&cfg, &client(), "PB_PG_OTHER", rupees(170), &[]).unwrap();
    let other_pay = d.pay(&other.id, 17_000, "captured");
    let cb = d.callback(&other.id, &other_pay);
    let v = razorpay::settle_callback(&cfg, &client(), TXN, Some(&o.id), rupees(170), &cb);
    assert_eq!(v, Err(Refusal::OtherTransaction));
    // ... and when this transaction's order id is not known: its receipt gives it away.
    let v = razorpay::settle_callback(&cfg, &client(), TXN, None, rupees(170), &cb);
    assert!(matches!(v, Ok(Verdict::Pending(_))), "{v:?}");
    // The transaction asks ₹170, the gateway holds ₹169 captured: not paid.
    let t2 = "PB_PG_2026_03_05_000004_44";
    let o2 = razorpay::create_order(&cfg, &client(), t2, rupees(170), &[]).unwrap();
    let p2 = d.pay(&o2.id, 16_900, "captured");
    let v = razorpay::settle_callback(
        &cfg,
        &client(),
        t2,
        Some(&o2.id),
        rupees(170),
        &d.callback(&o2.id, &p2),
    );
    assert!(matches!(v, Ok(Verdict::Pending(_))), "{v:?}");
    // The order is for ₹170 and the transaction says ₹17: not paid either.
    let v = razorpay::settle_callback(
        &cfg,
        &client(),
        TXN,
        Some(&o.id),
        rupees(17),
        &d.callback(&o.id, &pay),
    );
    assert!(matches!(v, Ok(Verdict::Pending(_))), "{v:?}");
}

#[test]
fn a_failed_checkout_an_unpaid_order_and_a_slow_api() {
    let d = RazorpayDouble::start();
    let cfg = d.settings();
    let o = razorpay::create_order(&cfg, &client(), TXN, rupees(170), &[]).unwrap();
    // Nothing paid yet: pending.
    let v = razorpay::confirm(&cfg, &client(), TXN, Some(&o.id), rupees(170));
    assert!(matches!(v, Verdict::Pending(_)), "{v:?}");
    // Authorized only, not captured: pending.
    d.pay(&o.id, 17_000, "authorized");
    let v = razorpay::confirm(&cfg, &client(), TXN, Some(&o.id), rupees(170));
    assert!(matches!(v, Verdict::Pending(_)), "{v:?}");
    // The checkout failed: the (unsigned) error form leads to the query. The order stays open
    // for another attempt, so the payment stays pending (the expiry closes it) ...
    let t2 = "PB_PG_2026_03_05_000005_55";
    let o2 = razorpay::create_order(&cfg, &client(), t2, rupees(170), &[]).unwrap();
    d.pay(&o2.id, 17_000, "failed");
    let form = vec![
        ("error[code]".to_owned(), "BAD_REQUEST_ERROR".to_owned()),
        ("error[description]".to_owned(), "Payment failed".to_owned()),
    ];
    let v = razorpay::settle_callback(&cfg, &client(), t2, Some(&o2.id), rupees(170), &form);
    assert!(
        matches!(&v, Ok(Verdict::Pending(m)) if m.contains("1 attempt(s), none captured")),
        "{v:?}"
    );
    // ... and a second attempt on the same order that is captured pays.
    d.pay(&o2.id, 17_000, "captured");
    let v = razorpay::confirm(&cfg, &client(), t2, Some(&o2.id), rupees(170));
    assert!(matches!(v, Verdict::Paid { .. }), "{v:?}");
    // An unsigned "error" form does not fail a paid order.
    let t3 = "PB_PG_2026_03_05_000006_66";
    let o3 = razorpay::create_order(&cfg, &client(), t3, rupees(170), &[]).unwrap();
    d.pay(&o3.id, 17_000, "captured");
    let v = razorpay::settle_callback(&cfg, &client(), t3, Some(&o3.id), rupees(170), &form);
    assert!(matches!(v, Ok(Verdict::Paid { .. })), "{v:?}");
    // The API too slow: pending, within the client's timeout.
    d.slow(true);
    let started = std::time::Instant::now();
    let v = razorpay::confirm(&cfg, &client(), t3, Some(&o3.id), rupees(170));
    assert!(matches!(v, Verdict::Pending(_)), "{v:?}");
    assert!(started.elapsed() < std::time::Duration::from_millis(2_900));
}

#[test]
fn webhooks_are_taken_only_with_the_webhook_secrets_signature() {
    let d = RazorpayDouble::start();
    let cfg = d.settings();
    let o = razorpay::create_order(&cfg, &client(), TXN, rupees(170), &[]).unwrap();
    let pay = d.pay(&o.id, 17_000, "captured");
    let (body, sig) = d.webhook(&o.id, &pay, 17_000);
    let e = razorpay::read_webhook(&cfg, body.as_bytes(), &sig).unwrap();
    assert_eq!(
        (
            e.event.as_str(),
            e.order_id.as_str(),
            e.payment_id.as_deref()
        ),
        ("payment.captured", o.id.as_str(), Some(pay.as_str()))
    );
    assert_eq!(
        razorpay::receipt_of(&cfg, &client(), &e.order_id).unwrap(),
        TXN
    );
    // One byte changed.
    let tampered = body.replace("17000", "17001");
    assert_eq!(
        razorpay::read_webhook(&cfg, tampered.as_bytes(), &sig),
        Err(Refusal::BadSignature)
    );
    // Signed with the API key secret instead of the webhook secret.
    let wrong = razorpay::sign(&d.key_secret, body.as_bytes());
    assert_eq!(
        razorpay::read_webhook(&cfg, body.as_bytes(), &wrong),
        Err(Refusal::BadSignature)
    );
    // No webhook secret configured: nothing verifies.
    let mut none = d.settings();
    none.webhook_secret = mgramseva::config::Secret::default();
    assert_eq!(
        razorpay::read_webhook(&none, body.as_bytes(), &sig),
        Err(Refusal::BadSignature)
    );
}
