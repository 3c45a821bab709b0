//! PayGov (NDML SurePay): the return message is checked, and only the status query pays.

use mgramseva::business::pg::gateways::paygov::{self, Order};
use mgramseva::business::pg::gateways::{Refusal, Verdict};
use rust_decimal::Decimal;

use super::client;
use super::doubles::{PaygovAnswer, PaygovDouble};

const TXN: &str = "PB_PG_2026_03_05_000001_11";

fn form(msg: &str) -> Vec<(String, String)> {
    vec![("msg".to_owned(), msg.to_owned())]
}

fn rupees(r: i64) -> Decimal {
    Decimal::new(r, 0)
}

#[test]
fn a_paid_order_is_paid_after_the_status_query_confirms_it() {
    let d = PaygovDouble::start();
    d.set(TXN, PaygovAnswer::Paid("170.00"));
    let v = paygov::settle_callback(
        &d.settings(),
        &client(),
        TXN,
        rupees(170),
        &form(&d.return_success(TXN, "170.00")),
    );
    let Ok(Verdict::Paid {
        amount,
        gateway_txn_id,
        payment_mode,
        ..
    }) = v
    else {
        panic!("not paid: {v:?}");
    };
    assert_eq!(amount, Decimal::new(17000, 2));
    assert!(gateway_txn_id.starts_with("SP"), "{gateway_txn_id}");
    assert_eq!(payment_mode, "UPI");
    assert_eq!(d.queries(), [TXN], "the status query was asked, once");
}

#[test]
fn a_wrong_checksum_or_a_changed_amount_pays_nothing_and_asks_nothing() {
    let d = PaygovDouble::start();
    d.set(TXN, PaygovAnswer::Paid("170.00"));
    let cfg = d.settings();
    let good = d.return_success(TXN, "170.00");
    // The amount changed in transit, the checksum left as it was.
    let changed = good.replace("|170.00|", "|17.00|");
    assert_ne!(changed, good);
    let v = paygov::settle_callback(&cfg, &client(), TXN, rupees(170), &form(&changed));
    assert_eq!(v, Err(Refusal::BadSignature));
    // Whoever knows the key (CRC32 is no signature) can re-sign a changed amount: still refused.
    let resigned = d.return_success(TXN, "17.00");
    let v = paygov::settle_callback(&cfg, &client(), TXN, rupees(170), &form(&resigned));
    assert_eq!(v, Err(Refusal::AmountChanged));
    // Another transaction's message for this one.
    let other = d.return_success("PB_PG_2026_03_05_000002_22", "170.00");
    let v = paygov::settle_callback(&cfg, &client(), TXN, rupees(170), &form(&other));
    assert_eq!(v, Err(Refusal::OtherTransaction));
    // No message at all.
    let v = paygov::settle_callback(&cfg, &client(), TXN, rupees(170), &[]);
    assert!(matches!(v, Err(Refusal::Malformed(_))), "{v:?}");
    assert!(
        d.queries().is_empty(),
        "refused before asking: {:?}",
        d.queries()
    );
}

#[test]
fn a_well_formed_success_the_gateway_does_not_confirm_pays_nothing() {
    let d = PaygovDouble::start();
    let cfg = d.settings();
    let msg = form(&d.return_success(TXN, "170.00"));
    // Begun at SurePay, not paid.
    d.set(TXN, PaygovAnswer::Initiated);
    let v = paygov::settle_callback(&cfg, &client(), TXN, rupees(170), &msg);
    assert!(matches!(v, Ok(Verdict::Pending(_))), "{v:?}");
    // SurePay never heard of it.
    d.set(TXN, PaygovAnswer::NotFound);
    let v = paygov::settle_callback(&cfg, &client(), TXN, rupees(170), &msg);
    assert!(
        matches!(v, Ok(Verdict::Failed { ref code, .. }) if code == "404"),
        "{v:?}"
    );
    // Failed there.
    d.set(TXN, PaygovAnswer::Failed);
    let v = paygov::settle_callback(&cfg, &client(), TXN, rupees(170), &msg);
    assert!(
        matches!(v, Ok(Verdict::Failed { ref code, .. }) if code == "400"),
        "{v:?}"
    );
    // Paid there, but another amount: not paid here (and logged).
    d.set(TXN, PaygovAnswer::Paid("1.00"));
    let v = paygov::settle_callback(&cfg, &client(), TXN, rupees(170), &msg);
    assert!(matches!(v, Ok(Verdict::Pending(_))), "{v:?}");
    // A status answer whose checksum is wrong is no answer.
    d.set(TXN, PaygovAnswer::BadChecksum);
    let v = paygov::settle_callback(&cfg, &client(), TXN, rupees(170), &msg);
    assert!(matches!(v, Ok(Verdict::Pending(_))), "{v:?}");
    assert_eq!(d.queries().len(), 5);
}

#[test]
fn a_status_query_that_times_out_or_is_refused_leaves_the_payment_pending() {
    let d = PaygovDouble::start();
    d.set(TXN, PaygovAnswer::Slow);
    let started = std::time::Instant::now();
    let v = paygov::confirm(&d.settings(), &client(), TXN, rupees(1));
    assert!(matches!(v, Verdict::Pending(_)), "{v:?}");
    assert!(started.elapsed() < std::time::Duration::from_millis(2_900));
    // Wrong merchant password: the double answers 401.
    d.set(TXN, PaygovAnswer::Paid("1.00"));
    let mut cfg = d.settings();
    cfg.merchant_password = mgramseva::config::Secret::new("wrong");
    let v = paygov::confirm(&cfg, &client(), TXN, rupees(1));
    assert!(
        matches!(v, Verdict::Pending(ref m) if m.contains("401")),
        "{v:?}"
    );
    // Right password: paid.
    let v = paygov::confirm(&d.settings(), &client(), TXN, rupees(1));
    assert!(matches!(v, Verdict::Paid { .. }), "{v:?}");
}

#[test]
fn a_declined_return_is_failed_once_the_status_query_agrees() {
    let d = PaygovDouble::start();
    d.set(TXN, PaygovAnswer::Failed);
    let v = paygov::settle_callback(
        &d.settings(),
        &client(),
        TXN,
        rupees(170),
        &form(&d.return_failure(TXN)),
    );
    assert!(matches!(v, Ok(Verdict::Failed { .. })), "{v:?}");
}

#[test]
fn the_redirect_carries_a_checksum_the_gateway_can_check() {
    let d = PaygovDouble::start();
    let order = Order {
        txn_id: TXN,
        amount: Decimal::new(17050, 2),
        tenant_id: "pb.lodhipur",
        consumer_code: "WS/LOD/0001",
        customer_id: Some("u-1"),
        mobile: None,
        return_url: "http://127.0.0.1:1/pg-service/transaction/v1/_update",
        at: chrono::Utc::now(),
    };
    let url = paygov::redirect_url(&d.settings(), &order);
    let (base, query) = url.split_once('?').unwrap();
    assert_eq!(base, format!("{}/SurePayPayment/sp/processRequest", d.url));
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{k} in {query}"))
    };
    // As the app does it (collect_payment_provider.dart `createTransaction`): post the fields to
    // `txURL`, with a space put back after the year in `requestDateTime`; the checksum holds.
    assert_eq!(
        get("txURL"),
        format!("{}/SurePayPayment/sp/processRequest", d.url)
    );
    let year = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .format("%Y")
        .to_string();
    let raw = get("requestDateTime");
    assert!(!raw.contains(' '), "{raw}");
    let parts: Vec<&str> = raw.split(year.as_str()).collect();
    let when = format!("{}{year} {}", parts[0], parts[1]);
    let order_of = [
        "messageType",
        "merchantId",
        "serviceId",
        "orderId",
        "customerId",
        "transactionAmount",
        "currencyCode",
        "requestDateTime",
        "successUrl",
        "failUrl",
        "additionalField1",
        "additionalField2",
        "additionalField3",
        "additionalField4",
        "additionalField5",
    ];
    let message = order_of
        .iter()
        .map(|k| {
            if *k == "requestDateTime" {
                when.clone()
            } else {
                get(k)
            }
        })
        .collect::<Vec<_>>()
        .join("|");
    assert_eq!(get("checksum"), paygov::checksum(&message, &d.secret));
    // the form this server's `_go` page posts carries the same, with the space
    let posted = paygov::request_fields(&d.settings(), &order);
    let at = posted
        .iter()
        .find(|(k, _)| *k == "requestDateTime")
        .unwrap();
    assert_eq!(at.1.replacen(' ', "", 1), raw);
    let get = |k: &str| Some(get(k));
    assert_eq!(get("orderId").as_deref(), Some(TXN));
    assert_eq!(get("transactionAmount").as_deref(), Some("170.50"));
    assert_eq!(get("merchantId").as_deref(), Some(d.merchant_id.as_str()));
    assert_eq!(
        get("additionalField1").as_deref(),
        Some("111111"),
        "no mobile: the filler"
    );
}
