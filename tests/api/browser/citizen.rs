//! A household on a phone, in Punjabi, from the SMS link to the receipt and the feedback
//! (issue 15, "Done means"): the short link of the bill SMS opens the bill of ₹170 (arrears 120,
//! this month 50), it is paid through the sandbox gateway, the success page offers the receipt
//! PDF and the three questions (answered 5/4/5 and stored), and the bill then shows nothing due;
//! a declined payment leaves ₹170 due and no receipt. Every citizen page is checked by the walk's
//! rules (translated, labelled, 44 px targets, under 5 KB gzipped with the css and js).

use diesel::prelude::*;

use super::walk::{check_page, gzipped, translated_english};
use super::*;
use crate::citizen::household_170;

/// The short link of the household's new-bill SMS, as a path of this server.
fn sms_link(app: &TestApp, no: &str) -> String {
    let mut c = app.db.conn();
    mgramseva::municipal::water::citizen::links::bill_sms(
        &mut c,
        &app.state,
        GP,
        no,
        chrono::Utc::now(),
    )
    .unwrap()
    .expect("a bill SMS");
    let sms = mgramseva::platform::notification::latest(&mut c, &app.state.crypto, 1)
        .unwrap()
        .remove(0);
    assert_eq!(sms.template, "mGram.Consumer.NewBill");
    let base = app
        .state
        .settings
        .app
        .base_url
        .trim_end_matches('/')
        .to_owned();
    let at = sms.text.find(&format!("{base}/")).unwrap();
    sms.text[at + base.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

fn receipts_of(app: &TestApp, no: &str) -> i64 {
    use mgramseva::db::schema::collection_payment_detail as d;
    d::table
        .filter(d::consumer_code.eq(no))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap()
}

/// The walk's rules on the page the browser shows (in `lang`), and its gzipped weight.
fn rules(b: &Browser, port: u16, lang: &str, path: &str, out: &mut Vec<String>) {
    let english = translated_english(if lang == "pa" { "pa_IN" } else { "hi_IN" });
    for f in check_page(b, lang, &english) {
        out.push(format!("{lang} {path}: {f}"));
    }
    let (_, _, css) = gzipped(port, "/static/css/app.css", "");
    let (_, _, js) = gzipped(port, "/static/js/app.js", "");
    let (status, enc, bytes) = gzipped(port, path, &b.cookie_header());
    assert_eq!((status, enc.as_str()), (200, "gzip"), "{path}");
    if bytes + css + js >= 5 * 1024 {
        out.push(format!(
            "{lang} {path}: {bytes} bytes gzipped (+{css} css, +{js} js)"
        ));
    }
    assert!(b.fits_width(), "{path} is wider than the phone");
}

/// The walk's rules on a page that answers a POST (not fetched again for its weight).
fn rules_posted(b: &Browser, lang: &str, what: &str, out: &mut Vec<String>) {
    let english = translated_english(if lang == "pa" { "pa_IN" } else { "hi_IN" });
    for f in check_page(b, lang, &english) {
        out.push(format!("{lang} {what}: {f}"));
    }
    assert!(b.fits_width(), "{what} is wider than the phone");
}

#[test]
fn a_household_pays_its_sms_bill_online_gets_the_receipt_and_rates_the_supply() {
    // the sandbox gateway's pages are this server's: links name the port it is served on
    let port = free_port();
    let app = TestApp::configured(|s| s.app.base_url = format!("http://127.0.0.1:{port}"));
    let rt = actix_web::rt::System::new();
    let (no, _) = rt.block_on(household_170(&app, "9876543210"));
    let (declined, _) = rt.block_on(async {
        let admin = app.login("9830000073", &["GP_ADMIN"]);
        let wc = gp_household(
            &app,
            &admin,
            ("9876500170", "Harjit Singh", "OLD/171"),
            serde_json::json!({"arrears": 170}),
        )
        .await;
        (wc["connectionNo"].as_str().unwrap().to_owned(), ())
    });
    let link = sms_link(&app, &no);
    serve_at(app.state.clone(), port);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    let mut findings = Vec::new();

    // the SMS link opens the bill, in Punjabi
    b.go(&format!("{base}{link}"));
    b.wait_text("id=\"total\"");
    assert!(b.url().contains("/citizen/bill?"), "{}", b.url());
    assert_eq!(text_of(&b, "#total"), "₹170");
    assert_eq!(text_of(&b, "#arrears"), "₹120");
    assert_eq!(text_of(&b, "#current"), "₹50");
    assert!(b.source().contains("lang=\"pa\""));
    let bill_path = b.url()[base.len()..].to_owned();
    rules(&b, port, "pa", &bill_path, &mut findings);

    // pay 170 at the sandbox gateway
    b.click("#pay");
    b.wait_text("id=\"approve\"");
    assert_eq!(text_of(&b, "#amount"), "₹170");
    // the sandbox gateway's page keeps the walk's rules too (translated, labelled, light)
    let sandbox_path = b.url()[base.len()..].to_owned();
    rules(&b, port, "pa", &sandbox_path, &mut findings);
    b.click("#approve");
    b.wait_path("/citizen/paid");
    b.wait_text("id=\"status-text\"");
    let paid_path = b.url()[base.len()..].to_owned();
    rules(&b, port, "pa", &paid_path, &mut findings);
    assert_eq!(b.count("#paid-ok"), 1, "{}", b.source());
    {
        // the receipt downloads
        let href = b.js("return document.getElementById('download-receipt').getAttribute('href');");
        let (status, ctype, body) =
            get_with_cookies(port, href.as_str().unwrap(), &b.cookie_header());
        assert_eq!((status, ctype.as_str()), (200, "application/pdf"));
        assert!(body.starts_with(b"%PDF"));
        assert_eq!(receipts_of(&app, &no), 1);
        // the three questions, answered 5/4/5
        b.click("#to-feedback");
        b.wait_text("id=\"feedback-form\"");
        let fb_path = b.url()[base.len()..].to_owned();
        rules(&b, port, "pa", &fb_path, &mut findings);
        b.click("input[name=HAPPY_WATER_SUPPLY][value='5']");
        b.click("input[name=WATER_SUPPLY_REGULAR][value='4']");
        b.click("input[name=WATER_QUALITY_GOOD][value='5']");
        b.click("#send");
        b.wait_text("id=\"thanks\"");
        let stored: Vec<(i16, i16, i16)> = {
            use diesel::sql_types::SmallInt;
            #[derive(QueryableByName)]
            struct R {
                #[diesel(sql_type = SmallInt)]
                a: i16,
                #[diesel(sql_type = SmallInt)]
                b: i16,
                #[diesel(sql_type = SmallInt)]
                c: i16,
            }
            diesel::sql_query("SELECT happy_water_supply AS a, water_supply_regular AS b, water_quality_good AS c FROM water_feedback")
                .load::<R>(&mut app.db.conn())
                .unwrap()
                .into_iter()
                .map(|r| (r.a, r.b, r.c))
                .collect()
        };
        assert_eq!(stored, vec![(5, 4, 5)]);
        // the bill now: nothing due
        b.go(&format!("{base}{bill_path}"));
        b.wait_text("id=\"total\"");
        assert_eq!(text_of(&b, "#total"), "₹0");
        assert_eq!(b.count("#no-dues"), 1);
    }

    // declined: still 170 due, no receipt
    b.go(&format!(
        "{base}/citizen?consumerCode={}",
        mgramseva::http::page::urlencode(&declined)
    ));
    b.wait_text("id=\"total\"");
    assert_eq!(text_of(&b, "#total"), "₹170");
    b.click("#pay");
    b.wait_text("id=\"decline\"");
    b.click("#decline");
    b.wait_path("/citizen/paid");
    b.wait_text("id=\"status-text\"");
    assert_eq!(b.count("#paid-failed"), 1, "{}", b.source());
    assert_eq!(b.count("#download-receipt"), 0);
    assert_eq!(receipts_of(&app, &declined), 0);
    b.click("#to-bill");
    b.wait_text("id=\"total\"");
    assert_eq!(text_of(&b, "#total"), "₹170");

    // with the GP's UPI address: the intent and its QR code on the bill; the first load (page,
    // css, js; the QR is inline SVG) stays far under 100 KB on the wire
    mgramseva::municipal::water::citizen::upi::set(
        &mut app.db.conn(),
        GP,
        Some("lodhipur.gpwsc@sbi"),
    )
    .unwrap();
    b.go(&format!(
        "{base}/citizen?consumerCode={}",
        mgramseva::http::page::urlencode(&declined)
    ));
    b.wait_text("id=\"upi\"");
    let upi_path = b.url()[base.len()..].to_owned();
    let (_, _, page) = gzipped(port, &upi_path, &b.cookie_header());
    let (_, _, css) = gzipped(port, "/static/css/app.css", "");
    let (_, _, js) = gzipped(port, "/static/js/app.js", "");
    println!("bill page with UPI QR, first load: {page} + {css} css + {js} js bytes gzipped");
    assert!(page + css + js < 100 * 1024);
    assert!(b.fits_width(), "the QR code fits the phone");

    // the find page; finding by mobile number and the code the SMS brought
    b.go(&format!("{base}/citizen"));
    b.wait_text("id=\"find-form\"");
    rules(&b, port, "pa", "/citizen", &mut findings);
    b.type_into("#mobile", "98765 43210");
    b.click("#send-code");
    b.wait_text("id=\"code-form\"");
    rules_posted(&b, "pa", "/citizen/otp", &mut findings);
    let code: String = mgramseva::platform::notification::messages_to(
        &mut app.db.conn(),
        &app.state.crypto,
        "9876543210",
        20,
    )
    .unwrap()
    .into_iter()
    .find(|m| m.template == "CITIZEN_OTP")
    .expect("the code's SMS")
    .text
    .chars()
    .take(6)
    .collect();
    b.type_into("#code", &code);
    b.click("#check-code");
    b.wait_text("id=\"total\"");
    assert!(b.url().contains("/citizen/bill?"), "{}", b.url());
    assert_eq!(text_of(&b, "#total"), "₹0");
    b.go(&format!("{base}/lang?to=hi&next=/citizen"));
    b.wait_text("lang=\"hi\"");
    rules(&b, port, "hi", "/citizen", &mut findings);
    b.go(&format!("{base}{bill_path}"));
    b.wait_text("id=\"total\"");
    rules(&b, port, "hi", &bill_path, &mut findings);
    b.go(&format!("{base}{paid_path}"));
    b.wait_text("id=\"status-text\"");
    rules(&b, port, "hi", &paid_path, &mut findings);
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}

/// Serves the app on `port` (the one its links name), in a thread of its own.
fn serve_at(state: mgramseva::state::AppState, port: u16) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || mgramseva::app(state.clone()))
                .workers(2)
                .bind(("127.0.0.1", port))
                .unwrap();
            let _ = tx.send(());
            let _ = server.run().await;
        });
    });
    rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
}
