//! The expense bill report on a 360×740 phone in Punjabi (issue 14, item 7): opened from the
//! home page's Reports tile, this month's bills in the table without sideways panning, the month
//! picker going back to a month without bills, and the month's workbook downloaded.

use super::*;
use crate::expense_reports::{bill, vendor};

/// A text of the Punjabi catalogue.
fn pa(module: &str, key: &str) -> String {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/localization/pa_IN.json"),
        )
        .unwrap(),
    )
    .unwrap();
    v[module][key].as_str().unwrap().to_owned()
}

#[test]
fn the_expense_bill_report_shows_the_months_bills_on_a_phone_and_downloads_them() {
    let app = TestApp::new();
    let operator = vendor(&app, "Balwinder Singh", "9876511031");
    let shop = vendor(&app, "Sandhu Pipe Store", "9876511032");
    bill(&app, operator, "SALARY", 1_200, true);
    bill(&app, shop, "PIPELINE_REPAIR", 800, false);
    staff(&app, "9817000071", &["SECRETARY"], "Harjit@2026");
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, "9817000071", "Harjit@2026");

    b.click("a[href='/home/reports']");
    b.wait_text("id=\"report-expense-bill\"");
    b.click("#report-expense-bill");
    b.wait_text("id=\"register\"");
    assert!(b.fits_width(), "the report pans sideways on a phone");
    assert_eq!(b.count("#register tbody tr"), 2);
    let table = text_of(&b, "#register");
    for t in [
        "Balwinder Singh".to_owned(),
        "Sandhu Pipe Store".to_owned(),
        "₹1,200".to_owned(),
        "₹800".to_owned(),
        pa("mgramseva-expenses", "SALARY"),
        pa("mgramseva-expenses", "UN_PAID"),
        pa("mgramseva-expenses", "PAID"),
    ] {
        assert!(table.contains(&t), "{t:?} not in {table}");
    }
    // the month picker: last month had no bills
    let prev = month_start(1).format("%Y-%m").to_string();
    b.js(&format!(
        "document.getElementById('month').value = '{prev}'; document.querySelector('form.row').submit(); return 1;"
    ));
    b.wait_text("id=\"empty\"");
    assert_eq!(b.count("#register tbody tr"), 0);

    // this month's workbook
    let this = month_start(0).format("%Y-%m").to_string();
    let (status, ctype, body) = get_with_cookies(
        port,
        &format!("/home/reports/expenseBill.xlsx?month={this}"),
        &b.cookie_header(),
    );
    assert_eq!(status, 200);
    assert_eq!(
        ctype,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(body.starts_with(b"PK"), "not a workbook");
    // and as a CSV: the amounts as plain numbers
    let (status, ctype, body) = get_with_cookies(
        port,
        &format!("/home/reports/expenseBill.csv?month={this}"),
        &b.cookie_header(),
    );
    assert_eq!((status, ctype.as_str()), (200, "text/csv; charset=utf-8"));
    let csv = String::from_utf8(body).unwrap();
    let line = csv
        .lines()
        .find(|l| l.contains("Balwinder Singh"))
        .expect("the salary's line");
    assert!(line.contains(",1200.00,"), "{line}");
}
