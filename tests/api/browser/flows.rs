//! Logging in, switching language and GP, and a household's life (create, bill, collect, receipt)
//! through the pages, in a real headless Chromium.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use mgramseva::platform::localization::Locale;

use super::*;
use crate::helpers::*;

#[test]
fn log_in_switch_language_and_gp_and_see_the_right_tiles() {
    let app = TestApp::new();
    let u = app.employee(
        "9817000001",
        &["REVENUE_COLLECTOR", "COLLECTION_OPERATOR@pb.kalwan"],
        Some("Harjit@2026"),
    );
    {
        use mgramseva::db::schema::user_account;
        diesel::update(user_account::table.find(u.id))
            .set(user_account::default_pwd_chgd.eq(true))
            .execute(&mut app.db.conn())
            .unwrap();
    }
    let port = serve(app.state.clone());
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::start();

    // The front door is in Punjabi until someone picks another language.
    b.go(&format!("{base}/"));
    assert!(b.source().contains("lang=\"pa\""));
    b.snap("1-front-door");
    b.click("main a[lang=en]");
    b.wait_path("/login");
    b.wait_text(">Login</h1>");

    // A wrong password is an error on the form, not a crash.
    b.type_into("#mobile", "9817000001");
    b.type_into("#password", "wrong@123");
    b.click("#login");
    b.wait_text("Wrong mobile number or password");
    b.snap("2-login-error");
    b.type_into("#mobile", "");
    b.type_into("#password", "Harjit@2026");
    b.click("#login");
    b.wait_path("/home");

    // Kalwan comes first: a collection operator there, no dashboard.
    let kalwan = b.tiles();
    assert_eq!(
        kalwan,
        [
            "CORE_HOUSEHOLD_REGISTER",
            "CORE_COLLECT_PAYMENTS",
            "CORE_DOWNLOAD_BILLS_AND_RECEIPTS",
            "CORE_CONSUMER_CREATE",
            "CORE_UPDATE_CONSUMER_DETAILS",
            "CORE_GPWSC_DETAILS_AND_RATE_INFO",
            "PG_ONLINE_PAYMENTS"
        ]
    );
    // Switch to Lodhipur, where the role is revenue collector: dashboard and reports appear.
    b.click("select[name=tenant] option[value='pb.lodhipur']");
    let started = Instant::now();
    while b.count("[data-tile=CORE_GPWSC_DASHBOARD]") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the GP switch did not take"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let lodhipur = b.tiles();
    assert!(
        lodhipur.contains(&"CORE_REPORTS".to_owned())
            && !lodhipur.contains(&"CORE_GENERATE_DEMAND".to_owned()),
        "{lodhipur:?}"
    );
    assert!(b.source().contains(">Lodhipur<") && !b.source().contains("LODHIPUR"));

    // Hindi: the same tiles, in Devanagari.
    b.click("header a[lang=hi]");
    b.wait_path("/home");
    let want = app.state.i18n.text(Locale::Hi, "CORE_HOUSEHOLD_REGISTER");
    assert!(
        want.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)),
        "{want}"
    );
    b.wait_text("lang=\"hi\"");
    b.wait_text(&want);
    b.snap("3-home-hindi");
    assert_eq!(b.tiles(), lodhipur);

    // An unknown page: a 404 page in Hindi, with the header and a way home (not JSON).
    b.go(&format!("{base}/home/nosuch"));
    b.wait_text("data-status=\"404\"");
    let want = app.state.i18n.text(Locale::Hi, "CORE_PAGE_NOT_FOUND");
    b.wait_text(&want);
    assert!(b.source().contains("lang=\"hi\"") && !b.source().contains("\"Errors\""));
    b.snap("3b-not-found-hindi");
    b.click("#go-home");
    b.wait_text("id=\"tiles\"");
    assert!(b.url().ends_with("/home"), "{}", b.url());

    // Log out: the home page wants a login again.
    b.click(".who form[action='/logout'] button");
    b.wait_path("/login");
    b.go(&format!("{base}/home"));
    b.wait_path("/login?next=/home");
    // A page that only takes a posted form, opened by GET: its start page (here, by the login).
    b.go(&format!("{base}/home/collect/confirm"));
    b.wait_path("/login?next=/home/collect");
    assert!(
        b.url().ends_with("/login?next=/home/collect"),
        "not back to the post-only page: {}",
        b.url()
    );
}

#[test]
fn create_consumer_generate_demand_collect_and_download_the_receipt() {
    use chrono::Datelike as _;
    let app = TestApp::new();
    let u = app.employee(
        "9817000002",
        &[
            "GP_ADMIN@pb.aassalhihjag",
            "SECRETARY@pb.aassalhihjag",
            "COLLECTION_OPERATOR@pb.aassalhihjag",
        ],
        Some("Harjit@2026"),
    );
    {
        use mgramseva::db::schema::user_account;
        diesel::update(user_account::table.find(u.id))
            .set(user_account::default_pwd_chgd.eq(true))
            .execute(&mut app.db.conn())
            .unwrap();
    }
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::start();
    b.go(&format!("{base}/lang?to=en&next=/login"));
    b.wait_path("/login");
    b.type_into("#mobile", "9817000002");
    b.type_into("#password", "Harjit@2026");
    b.click("#login");
    b.wait_path("/home");

    // 1. Create a consumer, flat rate, last billed two months ago.
    b.click("a[data-tile=CORE_CONSUMER_CREATE]");
    b.wait_path("/home/consumercreate");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let month_back = |n: u32| {
        let mut d = today.with_day(1).unwrap();
        for _ in 0..n {
            d = (d - chrono::Duration::days(1)).with_day(1).unwrap();
        }
        d
    };
    // a mistake first: the form comes back with its error and keeps what was typed
    b.type_into("#name", "Gurpreet Kaur");
    b.click("input[name=gender][value=FEMALE]");
    b.type_into("#guardian", "Baldev Singh");
    b.type_into("#mobile", "9876512345");
    b.type_into("#old_no", "OLD/77");
    b.click("label[for=opening-arrears] span");
    b.type_into("#arrears", "20000");
    b.click(&format!(
        "#last_cycle option[value='{}']",
        month_back(2).format("%Y-%m")
    ));
    b.snap("walk-1-create");
    b.click("#submit");
    b.wait_text("id=\"errors\"");
    assert_eq!(b.count("#errors li"), 1);
    assert!(b.source().contains("Gurpreet Kaur"));
    let arrears = b.find("#arrears");
    b.cmd(
        "POST",
        &format!("/element/{arrears}/clear"),
        Some(json!({})),
    );
    b.click(&format!(
        "#last_cycle option[value='{}']",
        month_back(2).format("%Y-%m")
    ));
    b.click("#submit");
    b.wait_path("/home/household");
    b.wait_text("Registration successful");
    let no = b.source();
    let no = no[no.find("id=\"connection-no\">").unwrap() + 19..]
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(no.starts_with("WS/"), "{no}");
    b.snap("walk-2-household");

    // 2. Generate last month's demand: the confirmation shows the rates first.
    b.go(&format!("{base}/home/billmanualgenerate"));
    b.click(&format!(
        "#month option[value='{}']",
        month_back(1).format("%Y-%m")
    ));
    b.click("#next");
    b.wait_text("id=\"rates\"");
    assert!(b.source().contains("₹50"), "the GP's flat rate");
    b.snap("walk-3-confirm-rates");
    b.click("#generate");
    b.wait_text("id=\"result\"");
    assert!(
        b.source().contains("1 household billed for"),
        "{}",
        b.source()
    );

    // 3. Find the household by its old id, see the bill, collect it.
    b.go(&format!("{base}/home/consumers"));
    b.type_into("#s-old", "old/77");
    b.click("#search");
    b.wait_path("/home/household");
    b.wait_text("id=\"total-due\">₹50<");
    b.click("#collect");
    b.wait_path("/home/collect");
    b.type_into("#payer", "Gurpreet Kaur");
    b.click("#next");
    b.wait_text("id=\"confirm-text\"");
    b.click("#pay");
    b.wait_path("/home/collect/receipt/");
    b.wait_text("id=\"receipt-number\"");
    b.snap("walk-4-receipt");
    let src = b.source();
    let receipt = src[src.find("id=\"receipt-number\">").unwrap() + 20..]
        .split('<')
        .next()
        .unwrap()
        .to_owned();

    // 4. Download the receipt PDF with the browser's session.
    let href = b.cmd(
        "GET",
        &format!("/element/{}/attribute/href", b.find("#download-receipt")),
        None,
    );
    let href = href.as_str().unwrap();
    let path = &href[href.find("/home/").unwrap()..];
    let cookies: Vec<String> = b
        .cmd("GET", "/cookie", None)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}={}",
                c["name"].as_str().unwrap(),
                c["value"].as_str().unwrap()
            )
        })
        .collect();
    let (status, ctype, pdf) = get_with_cookies(port, path, &cookies.join("; "));
    assert_eq!((status, ctype.as_str()), (200, "application/pdf"));
    let text = crate::calculator::pdf_text(&pdf);
    assert!(
        text.contains(&receipt) && text.contains("Fifty Rupees Only"),
        "{text}"
    );
    // the household now lists the receipt
    b.go(&format!(
        "{base}/home/household?no={}",
        mgramseva::http::page::urlencode(&no)
    ));
    b.wait_text(&receipt);
    assert_eq!(b.count(".download-receipt"), 1);
}
