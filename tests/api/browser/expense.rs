//! Expenses on a 360×740 phone in Punjabi: from the home tile, an expense with a new vendor and
//! a PDF of the bill; found in the search by its vendor; opened; marked paid after the
//! confirmation; shown PAID with its attachment and on the month's expense bill report.

use mgramseva::platform::localization::Locale;
use serde_json::json;

use super::*;

const CLERK: &str = "9817000151";
const PASSWORD: &str = "Kharch@2026";

/// A small PDF (what the content check reads first).
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

fn day(n: i64) -> String {
    (chrono::Utc::now().with_timezone(&chrono_tz::Asia::Kolkata) - chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

/// Sets a field the way a picker would (selects and dates), firing `change`.
fn set(b: &Browser, id: &str, value: &str) {
    b.js(&format!(
        "const e = document.getElementById({}); e.value = {}; e.dispatchEvent(new Event('change', {{bubbles: true}})); return e.value;",
        json!(id),
        json!(value)
    ));
}

/// Adds an unpaid salary bill through the form, with the PDF attached: its number.
pub(super) fn add_by_form(
    b: &Browser,
    base: &str,
    vendor: &str,
    mobile: &str,
    amount: &str,
) -> String {
    b.go(&format!("{base}/home/addExpense"));
    b.wait_text("id=\"expense-form\"");
    set(b, "type", "SALARY");
    b.type_into("#vendor", vendor);
    b.type_into("#mobile", mobile);
    b.type_into("#amount", amount);
    set(b, "bill_date", &day(2));
    set(b, "from", &day(30));
    set(b, "to", &day(2));
    b.click("label[for=paid-no]");
    let dir = std::env::temp_dir().join(format!("mgs-expense-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bill.pdf");
    std::fs::write(&path, PDF).unwrap();
    b.type_into("#file", path.to_str().unwrap());
    b.click("#submit");
    b.wait_path("/home/updateExpense");
    b.wait_text("id=\"created\"");
    text_of(b, "#bill-no")
}

#[test]
fn a_phone_in_punjabi_adds_an_expense_with_a_new_vendor_and_a_file_finds_it_and_marks_it_paid() {
    let app = TestApp::new();
    // a secretary's two hats: expenses and the reports
    staff(
        &app,
        CLERK,
        &["EXPENSE_PROCESSING", "DASHBOARD_VIEWER"],
        PASSWORD,
    );
    let t = |k: &str| same(&app.state.i18n.text(Locale::Pa, k));
    let port = serve(app.state.clone());
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, CLERK, PASSWORD);
    assert!(b.source().contains("lang=\"pa\""));

    // the home tile opens the form
    b.click("a[data-tile=CORE_ADD_EXPENSES_RECORD]");
    b.wait_path("/home/addExpense");
    b.wait_text("id=\"expense-form\"");
    assert!(b.fits_width(), "the add form pans sideways");
    // the test GP is PSPCL-mapped: no electricity bill to enter by hand
    assert_eq!(b.count("#type option[value=ELECTRICITY_BILL]"), 0);
    assert_eq!(b.count("#type option[value=SALARY]"), 1);
    // the paid date shows only once the bill is said to be paid
    assert!(
        !b.js("return document.getElementById('paid-fields').hidden === false;")
            .as_bool()
            .unwrap()
    );

    set(&b, "type", "SALARY");
    b.type_into("#vendor", "Baldev Singh");
    b.type_into("#mobile", "9817000161");
    b.type_into("#amount", "1200");
    set(&b, "bill_date", &day(2));
    set(&b, "from", &day(30));
    set(&b, "to", &day(2));
    b.click("label[for=paid-no]");
    let dir = std::env::temp_dir().join(format!("mgs-expense-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bill.pdf");
    std::fs::write(&path, PDF).unwrap();
    b.type_into("#file", path.to_str().unwrap());
    b.snap("expense-add");
    b.click("#submit");

    // the bill's page says it is recorded, with its number
    b.wait_path("/home/updateExpense");
    b.wait_text("id=\"created\"");
    assert_eq!(
        text_of(&b, "#created"),
        t("CORE_EXPENSE_EXPENDITURE_SUCESS")
    );
    let no = text_of(&b, "#bill-no");
    assert!(no.starts_with("EB-"), "{no}");
    assert_eq!(text_of(&b, "#amount"), "₹1,200");
    assert_eq!(text_of(&b, "#status"), t("UN_PAID"));
    assert_eq!(b.count("#attachment-link"), 1);
    assert!(b.fits_width(), "the bill's page pans sideways");
    b.snap("expense-created");

    // found in the search by part of the vendor's name
    b.go(&format!("{base}/home"));
    b.click("a[data-tile=CORE_UPDATE_EXPENSES]");
    b.wait_path("/home/searchExpense");
    b.type_into("#s-vendor", "baldev");
    b.click("#search");
    b.wait_path("vendor=baldev");
    assert_eq!(b.count("#results .pick"), 1);
    assert!(text_of(&b, "#results").contains(&no));
    assert_eq!(
        text_of(&b, "#tab-pending"),
        format!("{} (1)", t("EXPENSE_TAB_PENDING"))
    );
    assert!(b.fits_width(), "the search pans sideways");
    b.snap("expense-search");
    b.click("#results .pick");
    b.wait_text("id=\"paid-form\"");

    // marked paid after the confirmation
    set(&b, "mark-paid-date", &day(1));
    b.click("#mark-paid");
    b.wait_text("id=\"confirm-text\"");
    assert!(text_of(&b, "#confirm-text").contains(&no));
    assert!(b.fits_width(), "the confirmation pans sideways");
    b.snap("expense-confirm");
    b.click("#yes");
    b.wait_path("done=paid");
    b.wait_text("id=\"notice\"");
    assert_eq!(text_of(&b, "#status"), t("PAID"));
    assert_eq!(text_of(&b, "#notice"), t("EXPENSE_MARKED_PAID"));
    assert_eq!(b.count("#edit-form"), 0, "a paid bill shows no edit form");
    assert_eq!(b.count("#cancel-form"), 1);

    // the attachment is the file sent, through its signed link
    let href = b
        .js("return document.getElementById('attachment-link').getAttribute('href');")
        .as_str()
        .unwrap()
        .to_owned();
    let (status, ctype, body) = get_with_cookies(port, &href, "");
    assert_eq!((status, ctype.as_str()), (200, "application/pdf"));
    assert_eq!(body, PDF);

    // the search's tabs now count it as paid
    b.go(&format!("{base}/home/searchExpense?tab=paid"));
    b.wait_text("id=\"results\"");
    assert_eq!(text_of(&b, "#tab-paid"), format!("{} (1)", t("PAID")));
    assert_eq!(
        text_of(&b, "#tab-pending"),
        format!("{} (0)", t("EXPENSE_TAB_PENDING"))
    );

    // and on the expense bill report of the month it was entered in, paid, with its vendor and
    // amount
    b.go(&format!(
        "{base}/home/reports/expenseBill?month={}",
        &day(0)[..7]
    ));
    b.wait_text("id=\"register\"");
    let row = text_of(&b, "#register tbody");
    for want in ["Baldev Singh".to_owned(), "₹1,200".to_owned(), t("PAID")] {
        assert!(row.contains(&want), "{want:?} not in {row}");
    }
    assert!(b.fits_width(), "the report pans sideways");
}
