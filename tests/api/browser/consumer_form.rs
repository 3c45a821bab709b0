//! The create-consumer form and a metered bill on a phone, in Punjabi (issue 13, defects 8 and
//! 9): the connection type shows only its fields, each radio sits on one line with its own
//! label, dues or advance is a choice, a bad value names its field in Punjabi; a meter reading
//! shows its units and amount before the bill is made, then a notice, and the readings on the
//! bill card and in the bill PDF.

use std::time::{Duration, Instant};

use mgramseva::platform::localization::Locale;

use super::*;
use crate::helpers::*;

/// A GP on the standard slabs: metered residential 100 + 2 per unit.
const STD: &str = "pb.aassalhihjag";

fn pa(app: &TestApp, key: &str) -> String {
    app.state.i18n.text(Locale::Pa, key)
}

/// Whether the element `id` takes room on the page (shown).
fn shown(b: &Browser, id: &str) -> bool {
    b.js(&format!(
        "var e = document.getElementById('{id}'); return !!e && e.getClientRects().length > 0;"
    ))
    .as_bool()
    .unwrap_or(false)
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < Duration::from_secs(10), "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The text of the element `css` (first match).
fn text(b: &Browser, css: &str) -> String {
    b.js(&format!(
        "var e = document.querySelector('{css}'); return e ? e.textContent.trim() : '';"
    ))
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// The form as a browser without the script has it: every fieldset shown and sent.
fn no_script(b: &Browser) {
    b.js(
        "var s = document.querySelectorAll('fieldset[data-show-if]');
          for (var i = 0; i < s.length; i++) {
            s[i].hidden = false; s[i].disabled = false; s[i].removeAttribute('data-show-if');
          }
          return 1;",
    );
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive()
}

fn log_in_phone(app: &TestApp, mobile: &str) -> (Browser, String, u16) {
    staff(
        app,
        mobile,
        &[
            &format!("GP_ADMIN@{STD}"),
            &format!("SECRETARY@{STD}"),
            &format!("COLLECTION_OPERATOR@{STD}"),
        ],
        "Harjit@2026",
    );
    let port = serve(app.state.clone());
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, mobile, "Harjit@2026");
    (b, base, port)
}

#[test]
fn create_form_shows_the_chosen_type_ties_labels_and_names_the_bad_field_in_punjabi() {
    let app = TestApp::new();
    let (b, base, _) = log_in_phone(&app, "9817000031");
    b.go(&format!("{base}/home/consumercreate"));
    b.wait_text("id=\"consumer-form\"");
    assert!(b.source().contains("lang=\"pa\""));

    // Flat rate first: its last billing cycle shows, the meter fields do not.
    assert!(shown(&b, "last_cycle"), "flat-rate field hidden");
    assert!(
        !shown(&b, "meter_id"),
        "meter number shown on a flat-rate form"
    );
    assert!(!shown(&b, "reading_date") && !shown(&b, "reading"));
    // Metered: the other way round.
    b.click("#connection_type option[value=Metered]");
    wait_for("the meter fields did not appear", || shown(&b, "meter_id"));
    assert!(shown(&b, "reading_date") && shown(&b, "reading"));
    assert!(
        !shown(&b, "last_cycle"),
        "flat-rate cycle shown on a metered form"
    );

    // Each gender radio is on one line with its own label, and tapping the label picks it.
    for g in ["MALE", "FEMALE", "TRANSGENDER"] {
        let same_line = b.js(&format!(
            "var i = document.getElementById('gender-{g}');
             var l = i && i.closest('label');
             if (!l || l.control !== i) return false;
             var a = i.getBoundingClientRect(), t = l.querySelector('span').getBoundingClientRect();
             return Math.abs((a.top + a.bottom) / 2 - (t.top + t.bottom) / 2) < 8 && t.left > a.right - 1
               && l.getBoundingClientRect().height >= 44;"
        ));
        assert_eq!(same_line, json!(true), "radio {g} and its label");
        b.click(&format!("label[for=gender-{g}] span"));
        let picked = b.js(&format!(
            "return document.getElementById('gender-{g}').checked;"
        ));
        assert_eq!(picked, json!(true), "tapping the label of {g}");
        assert!(text(&b, &format!("label[for=gender-{g}]")) == pa(&app, &format!("GENDER_{g}")));
    }

    // Dues or advance: a choice, each showing only its own amounts.
    assert!(!shown(&b, "arrears") && !shown(&b, "advance") && !shown(&b, "penalty"));
    b.click("label[for=opening-advance] span");
    wait_for("the advance field did not appear", || shown(&b, "advance"));
    assert!(!shown(&b, "arrears") && !shown(&b, "penalty"));
    b.click("label[for=opening-arrears] span");
    wait_for("the arrears field did not appear", || shown(&b, "arrears"));
    assert!(shown(&b, "penalty") && !shown(&b, "advance"));

    // A bad amount: the form comes back with the error in Punjabi, naming the field.
    b.type_into("#name", "Gurpreet Kaur");
    b.type_into("#guardian", "Baldev Singh");
    b.type_into("#mobile", "9876512399");
    b.type_into("#old_no", "MF/1");
    b.type_into("#meter_id", "M77");
    let since = today() - chrono::Duration::days(20);
    b.js(&format!(
        "document.getElementById('reading_date').value = '{}'; return 1;",
        since.format("%Y-%m-%d")
    ));
    b.type_into("#reading", "100");
    b.type_into("#arrears", "20000");
    b.click("#submit");
    b.wait_text("id=\"errors\"");
    let errors = text(&b, "#errors");
    assert_eq!(
        errors,
        format!(
            "{}: {}",
            pa(&app, "CONSUMER_ARREARS"),
            pa(&app, "CONSUMER_ERR_AMOUNT")
        )
    );
    assert!(
        !errors.chars().any(|c| c.is_ascii_alphabetic()),
        "English in a Punjabi error: {errors}"
    );
    // what was chosen is kept: metered, with dues
    assert!(shown(&b, "meter_id") && shown(&b, "arrears") && !shown(&b, "last_cycle"));
    let arrears = b.find("#arrears");
    b.cmd(
        "POST",
        &format!("/element/{arrears}/clear"),
        Some(json!({})),
    );
    b.type_into("#arrears", "200");
    b.click("#submit");
    b.wait_path("/home/household");
    b.wait_text(&pa(&app, "CONSUMER_CREATED"));
    b.snap("consumer-form-created");
}

#[test]
fn the_server_ignores_the_other_types_fields_and_refuses_amounts_without_a_choice() {
    // Without the script every fieldset is sent: a flat-rate household with a meter number
    // typed is still flat rate, and an amount with "neither" chosen is an error naming the choice.
    let app = TestApp::new();
    let (b, base, _) = log_in_phone(&app, "9817000033");
    b.go(&format!("{base}/home/consumercreate"));
    b.wait_text("id=\"consumer-form\"");
    // as a browser without the script would send it: every field present and filled
    no_script(&b);
    b.type_into("#name", "Harjit Singh");
    b.click("label[for=gender-MALE] span");
    b.type_into("#guardian", "Kartar Singh");
    b.type_into("#mobile", "9876512398");
    b.type_into("#old_no", "MF/2");
    b.type_into("#meter_id", "M78");
    b.type_into("#advance", "300");
    b.click("#submit");
    b.wait_text("id=\"errors\"");
    assert_eq!(
        text(&b, "#errors"),
        format!(
            "{}: {}",
            pa(&app, "CONSUMER_OPENING_BALANCE"),
            pa(&app, "CONSUMER_ERR_OPENING_CHOICE")
        )
    );
    no_script(&b);
    b.click("label[for=opening-arrears] span");
    no_script(&b);
    b.type_into("#arrears", "120");
    b.click("#submit");
    b.wait_path("/home/household");
    b.wait_text(&pa(&app, "CONSUMER_CREATED"));
    // flat rate, no meter; dues of 120 and the advance ignored
    let src = b.source();
    assert!(
        !src.contains("M78"),
        "a meter number kept on a flat-rate household"
    );
    assert!(src.contains("₹120") && !src.contains("₹300"), "{src}");
}

#[test]
fn a_meter_reading_shows_units_and_amount_first_then_bills_with_readings_on_card_and_pdf() {
    use mgramseva::municipal::water::service::{
        self as water, Ctx, NewConnection, NewProperty, OwnerIn,
    };
    let app = TestApp::new();
    // a metered household whose last reading was 100, 40 days ago
    let since = today() - chrono::Duration::days(40);
    let no = {
        let mut c = app.db.conn();
        let now = chrono::Utc::now();
        let p = water::create_property(
            &mut c,
            Ctx::of(&app.state),
            &NewProperty {
                tenant_id: STD.to_owned(),
                property_type: "RESIDENTIAL".to_owned(),
                owner: OwnerIn {
                    name: "Gurpreet Kaur".to_owned(),
                    guardian: "Baldev Singh".to_owned(),
                    gender: "FEMALE".to_owned(),
                    mobile: "9876512397".to_owned(),
                },
                additional_details: json!({}),
                ..Default::default()
            },
            None,
            now,
        )
        .unwrap();
        water::create_connection(
            &mut c,
            Ctx::of(&app.state),
            &NewConnection {
                tenant_id: STD.to_owned(),
                property_id: p.property_id,
                old_connection_no: "MB/1".to_owned(),
                connection_type: "Metered".to_owned(),
                meter_id: Some("M1".to_owned()),
                previous_reading_date: Some(mgramseva::time::ist_day_start_millis(since)),
                initial_meter_reading: Some(100),
                additional_details: json!({}),
                ..Default::default()
            },
            None,
            now,
        )
        .unwrap()
        .connection
        .connection_no
    };
    let (b, base, port) = log_in_phone(&app, "9817000032");
    let no_q = mgramseva::http::page::urlencode(&no);
    b.go(&format!("{base}/home/household?no={no_q}"));
    b.wait_text("id=\"new-bill\"");
    b.type_into("#reading", "125");

    // 1. The check: readings, units, rate and amount (standard GP: 100 + 25 × 2 = 150).
    b.click("#check-bill");
    b.wait_text("id=\"reading-plan\"");
    let (from, to) = (
        since.format("%d/%m/%Y").to_string(),
        today().format("%d/%m/%Y").to_string(),
    );
    assert_eq!(text(&b, "#plan-previous"), format!("100 ({from})"));
    assert_eq!(text(&b, "#plan-current"), format!("125 ({to})"));
    assert_eq!(text(&b, "#plan-period"), format!("{from} – {to}"));
    assert_eq!(text(&b, "#plan-units"), "25");
    assert!(
        text(&b, "#plan-rate").contains("₹2"),
        "{}",
        text(&b, "#plan-rate")
    );
    assert_eq!(text(&b, "#plan-amount"), "₹150");
    assert!(b.fits_width(), "the check is wider than the phone");
    // nothing billed yet
    {
        use diesel::prelude::*;
        use mgramseva::db::schema::water_meter_reading as mr;
        let n: i64 = mr::table.count().get_result(&mut app.db.conn()).unwrap();
        assert_eq!(n, 0, "the check made a reading");
    }
    b.snap("meter-check");

    // 2. Make it: back on the household, a notice with the amount, readings on the bill card.
    b.click("#make-bill");
    b.wait_path("/home/household");
    b.wait_text("id=\"notice\"");
    let notice = text(&b, "#notice");
    assert_eq!(
        notice,
        pa(&app, "WS_BILL_MADE")
            .replace("{units}", "25")
            .replace("{amount}", "₹150")
            .replace("{period}", &format!("{from} – {to}"))
    );
    assert_eq!(
        text(&b, "#bill-card .reading-previous"),
        format!("100 ({from})")
    );
    assert_eq!(
        text(&b, "#bill-card .reading-current"),
        format!("125 ({to})")
    );
    assert_eq!(text(&b, "#bill-card .reading-units"), "25");
    // the card's period is the reading's, as the PDF says it
    assert_eq!(text(&b, "#bill tbody td"), format!("{from} – {to}"));
    assert_eq!(text(&b, "#total-due"), "₹150");
    b.snap("meter-billed");

    // 3. The bill PDF: both readings and the same period.
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
    let (status, ctype, pdf) = get_with_cookies(
        port,
        &format!("/home/household/bill.pdf?no={no_q}"),
        &cookies.join("; "),
    );
    assert_eq!((status, ctype.as_str()), (200, "application/pdf"));
    let text = crate::calculator::pdf_text(&pdf);
    assert!(text.contains(&format!("100 ({from})")), "{text}");
    assert!(text.contains(&format!("125 ({to})")), "{text}");
    assert!(text.contains(&format!("{from} – {to}")), "{text}");
}
