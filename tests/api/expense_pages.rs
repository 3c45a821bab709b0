//! The expense pages in process: adding a bill (new vendor, attachment, errors naming the field
//! in the page's language with nothing written), the search's tabs and counts, a bill's page
//! with modify, mark paid and cancel after their confirmations, forged posts refused, another
//! GP's bill not found, and the expense roles only.

use actix_web::http::StatusCode;
use actix_web::test;

use crate::helpers::*;
use crate::pages::{CSRF, Page, call_in, get, log_in, mark_password_changed, post, session_of};

/// A PDF's first bytes (what the content check reads) and a little more.
pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// Today and `n` days ago in India, as date fields hold them.
pub(crate) fn day(n: i64) -> String {
    (chrono::Utc::now().with_timezone(&chrono_tz::Asia::Kolkata) - chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

/// A member of staff with `roles` (`ROLE` on the test GP, `ROLE@tenant` elsewhere), logged in:
/// the session.
pub(crate) async fn staff_session(app: &TestApp, mobile: &str, roles: &[&str]) -> String {
    let u = app.employee(mobile, roles, Some("Kharch@2026"));
    mark_password_changed(app, u.id);
    let sid = session_of(&log_in(app, mobile, "Kharch@2026").await);
    assert!(!sid.is_empty(), "{mobile} is logged in");
    sid
}

/// The add form posted as the browser posts it (multipart), with `fields` and, if given, a
/// file `(part name, file name, bytes)`, in `lang`.
pub(crate) async fn add_expense(
    app: &TestApp,
    sid: &str,
    lang: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> Page {
    let boundary = "mgsexpense7d3f";
    let mut body = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text("_csrf", CSRF);
    for (k, v) in fields {
        text(k, v);
    }
    if let Some((part, name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = test::TestRequest::post()
        .uri("/home/addExpense")
        .insert_header((
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body);
    call_in(app, req, Some(sid), lang).await
}

/// A salary bill of `amount` to a new vendor (`name`, `mobile`), paid or not: the fields.
pub(crate) fn salary(
    name: &str,
    mobile: &str,
    amount: &str,
    paid: bool,
) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("type", "SALARY".to_owned()),
        ("vendor", name.to_owned()),
        ("mobile", mobile.to_owned()),
        ("amount", amount.to_owned()),
        ("bill_date", day(2)),
        ("party_date", day(3)),
        ("from", day(30)),
        ("to", day(2)),
        ("paid", if paid { "yes" } else { "no" }.to_owned()),
    ];
    if paid {
        f.push(("paid_date", day(1)));
    }
    f
}

fn refs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The bill number a successful add leads to.
pub(crate) fn bill_no(p: &Page) -> String {
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let no = p
        .location
        .split("no=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    assert!(no.starts_with("EB-"), "{no}");
    no
}

/// The text of the element with id `id` (up to its first tag).
fn text_of(body: &str, id: &str) -> String {
    body.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|s| s.split_once('>'))
        .and_then(|(_, s)| s.split('<').next())
        .unwrap_or_default()
        .to_owned()
}

/// Text as the page escapes it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\'', "&#39;")
        .replace('"', "&#34;")
}

fn en(app: &TestApp, key: &str) -> String {
    app.state
        .i18n
        .text(mgramseva::platform::localization::Locale::En, key)
}

fn pa(app: &TestApp, key: &str) -> String {
    app.state
        .i18n
        .text(mgramseva::platform::localization::Locale::Pa, key)
}

/// The search's tab counts: (all, paid, pending, cancelled).
async fn tabs(app: &TestApp, sid: &str, query: &str) -> (String, String, String, String) {
    let p = get(app, &format!("/home/searchExpense{query}"), Some(sid)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    (
        text_of(&p.body, "tab-all"),
        text_of(&p.body, "tab-paid"),
        text_of(&p.body, "tab-pending"),
        text_of(&p.body, "tab-cancelled"),
    )
}

#[actix_web::test]
async fn a_new_vendor_and_a_file_make_a_bill_shown_with_its_number_and_attachment() {
    let app = TestApp::new();
    let sid = staff_session(&app, "9840000101", &["EXPENSE_PROCESSING"]).await;
    let f = salary("Baldev Singh", "9840000111", "1200", true);
    let made = add_expense(&app, &sid, "en", &refs(&f), Some(("file", "bill.pdf", PDF))).await;
    let no = bill_no(&made);
    let shown = get(&app, &made.location, Some(&sid)).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(
        text_of(&shown.body, "created"),
        en(&app, "CORE_EXPENSE_EXPENDITURE_SUCESS")
    );
    assert_eq!(
        text_of(&shown.body, "created-text"),
        "An expense of ₹1200 for Salary to Baldev Singh has been recorded"
    );
    assert_eq!(text_of(&shown.body, "bill-no"), no);
    assert_eq!(text_of(&shown.body, "amount"), "₹1,200");
    assert_eq!(text_of(&shown.body, "vendor-mobile"), "9840000111");
    assert_eq!(text_of(&shown.body, "status"), en(&app, "PAID"));
    // paid: no edit form, no mark-paid form; cancelling is still offered
    assert!(!shown.body.contains("id=\"edit-form\""));
    assert!(!shown.body.contains("id=\"paid-form\""));
    assert!(shown.body.contains("id=\"cancel-form\""));
    // the attachment by a signed link that serves the PDF
    let link = shown
        .body
        .split("id=\"attachment-link\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .and_then(|s| s.split('"').next())
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(link.starts_with("/filestore/v1/files/id?"), "{link}");
    let file = app.call(test::TestRequest::get().uri(&link)).await;
    let status = file.status();
    let bytes = test::read_body(file).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{link}: {}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(bytes.as_ref(), PDF);
    // the vendor is now one to pick on the form
    let form = get(&app, "/home/addExpense", Some(&sid)).await;
    assert!(
        form.body.contains("<option value=\"Baldev Singh\" label="),
        "{}",
        form.body
    );
}

#[actix_web::test]
async fn form_errors_name_their_field_in_punjabi_and_nothing_is_written() {
    let app = TestApp::new();
    let sid = staff_session(&app, "9840000201", &["SECRETARY"]).await;
    let line = |label: &str, what: &str| esc(&format!("{}: {}", pa(&app, label), pa(&app, what)));
    let cases: Vec<(Vec<(&str, &str)>, String)> = vec![
        (
            vec![("amount", "0")],
            line("CORE_EXPENSE_AMOUNT", "EXPENSE_ERR_AMOUNT"),
        ),
        (
            vec![("amount", "12.345")],
            line("CORE_EXPENSE_AMOUNT", "EXPENSE_ERR_AMOUNT"),
        ),
        (
            vec![("bill_date", "")],
            line("EXPENSE_BILL_DATE", "EXPENSE_ERR_REQUIRED"),
        ),
        (
            vec![("mobile", "")],
            line("EXPENSE_VENDOR_MOBILE", "EXPENSE_ERR_NEW_VENDOR"),
        ),
        (
            vec![("mobile", "12345")],
            line("EXPENSE_VENDOR_MOBILE", "EXPENSE_ERR_MOBILE"),
        ),
        (
            vec![("type", "NOSUCH")],
            line("EXPENSE_TYPE", "EXPENSE_ERR_CHOOSE_TYPE"),
        ),
        // the test GP is PSPCL-mapped: its electricity bills are not entered by hand
        (
            vec![("type", "ELECTRICITY_BILL")],
            line("EXPENSE_TYPE", "EXPENSE_ERR_PSPCL_TYPE"),
        ),
        (
            vec![("paid", "")],
            line("HAS_THIS_BILL_PAID", "EXPENSE_ERR_PAID_CHOICE"),
        ),
    ];
    for (changes, want) in cases {
        let mut f = salary("Harpal Singh", "9840000211", "800", false);
        for (k, v) in &changes {
            f.retain(|(name, _)| name != k);
            f.push((k, (*v).to_owned()));
        }
        let p = add_expense(&app, &sid, "pa", &refs(&f), None).await;
        assert_eq!(
            p.status,
            StatusCode::BAD_REQUEST,
            "{changes:?}: {}",
            p.location
        );
        assert!(
            p.body.contains(&want),
            "{changes:?}: want {want}\n{}",
            p.body
        );
        // what was typed is kept
        assert!(p.body.contains("value=\"Harpal Singh\""), "{changes:?}");
    }
    // dates out of order and a paid date before the bill: the service's rules, named too
    let mut f = salary("Harpal Singh", "9840000211", "800", true);
    f.retain(|(k, _)| *k != "paid_date");
    f.push(("paid_date", day(5)));
    let p = add_expense(&app, &sid, "pa", &refs(&f), None).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body
            .contains(&line("EXPENSE_PAID_DATE", "EXPENSE_ERR_PAID_DATE")),
        "{}",
        p.body
    );
    let mut f = salary("Harpal Singh", "9840000211", "800", false);
    f.retain(|(k, _)| *k != "from");
    f.push(("from", day(1)));
    let p = add_expense(&app, &sid, "pa", &refs(&f), None).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body
            .contains(&line("EXPENSE_PERIOD", "EXPENSE_ERR_PERIOD")),
        "{}",
        p.body
    );
    // files: a 6 MB one and an .exe named .pdf are refused, and the file must be chosen again
    let f = salary("Harpal Singh", "9840000211", "800", false);
    let big = vec![b'%'; 6 * 1024 * 1024];
    let p = add_expense(&app, &sid, "pa", &refs(&f), Some(("file", "big.pdf", &big))).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body
            .contains(&line("CORE_EXPENSE_ATTACH_BILL", "EXPENSE_ERR_FILE_SIZE")),
        "{}",
        p.body
    );
    assert!(p.body.contains(&esc(&pa(&app, "EXPENSE_ERR_FILE_AGAIN"))));
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
    let p = add_expense(&app, &sid, "pa", &refs(&f), Some(("file", "bill.pdf", exe))).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body
            .contains(&line("CORE_EXPENSE_ATTACH_BILL", "EXPENSE_ERR_FILE_TYPE")),
        "{}",
        p.body
    );
    // nothing was written: no bill, no vendor
    assert_eq!(tabs(&app, &sid, "").await.0, "All (0)");
    let form = get(&app, "/home/addExpense", Some(&sid)).await;
    assert!(!form.body.contains("Harpal Singh"), "no vendor was made");
}

#[actix_web::test]
async fn search_tabs_count_paid_and_pending_and_page_by_ten() {
    let app = TestApp::new();
    let sid = staff_session(&app, "9840000301", &["SARPANCH"]).await;
    let mut nos = Vec::new();
    for i in 0..12 {
        let f = salary("Jaspal Singh", "9840000311", &format!("{}", 100 + i), i < 3);
        nos.push(bill_no(
            &add_expense(&app, &sid, "en", &refs(&f), None).await,
        ));
    }
    let mut f = salary("Kamal Kaur", "9840000312", "800", false);
    f[0].1 = "PIPELINE_REPAIR".to_owned();
    let pipe = bill_no(&add_expense(&app, &sid, "en", &refs(&f), None).await);
    let (all, paid, pending, cancelled) = tabs(&app, &sid, "").await;
    assert_eq!(
        (
            all.as_str(),
            paid.as_str(),
            pending.as_str(),
            cancelled.as_str()
        ),
        ("All (13)", "Paid (3)", "Pending (10)", "Cancelled (0)")
    );
    let first = get(&app, "/home/searchExpense", Some(&sid)).await;
    assert_eq!(first.body.matches("class=\"pick\"").count(), 10);
    assert_eq!(text_of(&first.body, "showing"), "Showing 10 of 13");
    assert!(
        first.body.contains("href=\"/home/searchExpense?page=2\""),
        "{}",
        first.body
    );
    let second = get(&app, "/home/searchExpense?page=2", Some(&sid)).await;
    assert_eq!(second.body.matches("class=\"pick\"").count(), 3);
    // by type, by vendor (part of the name), by bill number
    let (all, ..) = tabs(&app, &sid, "?type=PIPELINE_REPAIR").await;
    assert_eq!(all, "All (1)");
    let by_vendor = get(&app, "/home/searchExpense?vendor=kamal", Some(&sid)).await;
    assert!(by_vendor.body.contains(&pipe), "{}", by_vendor.body);
    assert_eq!(by_vendor.body.matches("class=\"pick\"").count(), 1);
    let by_no = get(
        &app,
        &format!("/home/searchExpense?no={}", nos[4]),
        Some(&sid),
    )
    .await;
    assert_eq!(by_no.body.matches("class=\"pick\"").count(), 1);
    assert!(by_no.body.contains(&nos[4]));
    // the pending tab lists only unpaid bills
    let pending = get(
        &app,
        "/home/searchExpense?tab=pending&type=SALARY",
        Some(&sid),
    )
    .await;
    assert_eq!(text_of(&pending.body, "showing"), "Showing 9 of 9");
    assert!(pending.body.contains("aria-current=\"page\">Pending (9)"));
}

/// Posts `form` (urlencoded, with the CSRF field first) to the bill's confirmation, then what
/// it asks to confirm to the bill: the confirmation and the answer.
async fn confirm_then_apply(app: &TestApp, sid: &str, form: &str) -> (Page, Page) {
    let asked = post(
        app,
        "/home/updateExpense/confirm",
        &format!("_csrf={CSRF}&{form}"),
        Some(sid),
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    // the confirmation's own form, as the browser would send it
    let fields: Vec<(String, String)> = asked
        .body
        .split("action=\"/home/updateExpense\"")
        .nth(1)
        .unwrap()
        .split("</form>")
        .next()
        .unwrap()
        .split("<input type=\"hidden\" ")
        .skip(1)
        .map(|i| {
            let name = i
                .split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let value = i
                .split("value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (
                name.to_owned(),
                value.replace("&#x2f;", "/").replace("&#47;", "/"),
            )
        })
        .collect();
    let body = serde_urlencoded::to_string(&fields).unwrap();
    let done = post(app, "/home/updateExpense", &body, Some(sid)).await;
    (asked, done)
}

#[actix_web::test]
async fn a_bill_is_modified_marked_paid_and_cancelled_after_confirming_and_a_paid_one_not_edited() {
    let app = TestApp::new();
    let sid = staff_session(&app, "9840000401", &["EXPENSE_PROCESSING"]).await;
    let f = salary("Gurpreet Kaur", "9840000411", "800", false);
    let no = bill_no(&add_expense(&app, &sid, "en", &refs(&f), None).await);
    let page = get(&app, &format!("/home/updateExpense?no={no}"), Some(&sid)).await;
    assert!(page.body.contains("id=\"edit-form\""));
    assert!(page.body.contains("id=\"paid-form\""));

    // modify the amount: the confirmation lists the change, then it is saved
    let edit = format!(
        "no={no}&action=edit&type=SALARY&vendor=Gurpreet+Kaur&mobile=9840000411&amount=850\
         &bill_date={}&party_date={}&from={}&to={}",
        day(2),
        day(3),
        day(30),
        day(2)
    );
    let (asked, done) = confirm_then_apply(&app, &sid, &edit).await;
    assert!(
        asked.body.contains("<td>₹800</td><td>₹850</td>"),
        "{}",
        asked.body
    );
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = get(&app, &done.location, Some(&sid)).await;
    assert_eq!(text_of(&page.body, "amount"), "₹850");
    assert_eq!(
        text_of(&page.body, "notice"),
        en(&app, "MODIFIED_EXPENDITURE_SUCCESSFULLY")
    );

    // mark it paid on a date: confirmed, then PAID
    let (asked, done) = confirm_then_apply(
        &app,
        &sid,
        &format!("no={no}&action=paid&paid_date={}", day(1)),
    )
    .await;
    assert!(
        text_of(&asked.body, "confirm-text").contains("₹850"),
        "{}",
        asked.body
    );
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = get(&app, &done.location, Some(&sid)).await;
    assert_eq!(text_of(&page.body, "status"), "Paid");
    assert!(
        !page.body.contains("id=\"edit-form\""),
        "a paid bill shows no edit form"
    );

    // a forged edit of the paid bill is refused, and nothing changes
    let forged = post(
        &app,
        "/home/updateExpense",
        &format!("_csrf={CSRF}&{}", edit.replace("amount=850", "amount=999")),
        Some(&sid),
    )
    .await;
    assert_eq!(forged.status, StatusCode::CONFLICT, "{}", forged.body);
    assert!(forged.body.contains(&en(&app, "EXPENSE_PAID_NO_EDIT")));
    let page = get(&app, &format!("/home/updateExpense?no={no}"), Some(&sid)).await;
    assert_eq!(text_of(&page.body, "amount"), "₹850");
    // marking it paid again is refused too (one payment)
    let again = post(
        &app,
        "/home/updateExpense",
        &format!("_csrf={CSRF}&no={no}&action=paid&paid_date={}", day(1)),
        Some(&sid),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // cancel the paid bill: the confirmation says its payment goes too
    let (asked, done) = confirm_then_apply(&app, &sid, &format!("no={no}&action=cancel")).await;
    assert!(asked.body.contains("₹850"));
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = get(&app, &done.location, Some(&sid)).await;
    assert_eq!(text_of(&page.body, "status"), "Cancelled");
    assert!(!page.body.contains("id=\"cancel-form\""));
    let (all, paid, pending, cancelled) = tabs(&app, &sid, "").await;
    assert_eq!(
        (
            all.as_str(),
            paid.as_str(),
            pending.as_str(),
            cancelled.as_str()
        ),
        ("All (0)", "Paid (0)", "Pending (0)", "Cancelled (1)")
    );
    // without the CSRF token: refused
    let p = post(
        &app,
        "/home/updateExpense",
        &format!("no={no}&action=cancel"),
        Some(&sid),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn another_gps_bill_is_not_found_and_only_the_expense_roles_get_in() {
    let app = TestApp::new();
    let sid = staff_session(&app, "9840000501", &["EXPENSE_PROCESSING"]).await;
    let f = salary("Harjit Singh", "9840000511", "300", false);
    let no = bill_no(&add_expense(&app, &sid, "en", &refs(&f), None).await);

    let other_role = format!("EXPENSE_PROCESSING@{OTHER_GP}");
    let other = staff_session(&app, "9840000502", &[other_role.as_str()]).await;
    let p = get(&app, &format!("/home/updateExpense?no={no}"), Some(&other)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    for form in [
        format!("_csrf={CSRF}&no={no}&action=cancel"),
        format!("_csrf={CSRF}&no={no}&action=paid&paid_date={}", day(0)),
    ] {
        for path in ["/home/updateExpense/confirm", "/home/updateExpense"] {
            let p = post(&app, path, &form, Some(&other)).await;
            assert_eq!(p.status, StatusCode::NOT_FOUND, "{path} {form}");
        }
    }
    let (all, ..) = tabs(&app, &other, "").await;
    assert_eq!(all, "All (0)", "the other GP lists none of this GP's bills");
    let page = get(&app, &format!("/home/updateExpense?no={no}"), Some(&sid)).await;
    assert_eq!(text_of(&page.body, "status"), "Unpaid", "still unpaid");

    // the tiles go live for the expense roles, and no one else sees them or gets in
    let home = get(&app, "/home", Some(&sid)).await;
    assert!(
        home.body
            .contains("<a href=\"/home/addExpense\" data-tile=\"CORE_ADD_EXPENSES_RECORD\">")
    );
    assert!(
        home.body
            .contains("<a href=\"/home/searchExpense\" data-tile=\"CORE_UPDATE_EXPENSES\">")
    );
    let clerk = staff_session(&app, "9840000503", &["REVENUE_COLLECTOR", "GP_ADMIN"]).await;
    let home = get(&app, "/home", Some(&clerk)).await;
    assert!(!home.body.contains("CORE_ADD_EXPENSES_RECORD"));
    for path in [
        "/home/addExpense".to_owned(),
        "/home/searchExpense".to_owned(),
        format!("/home/updateExpense?no={no}"),
    ] {
        let p = get(&app, &path, Some(&clerk)).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
    }
    let p = post(
        &app,
        "/home/updateExpense",
        &format!("_csrf={CSRF}&no={no}&action=cancel"),
        Some(&clerk),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let f = salary("Harjit Singh", "9840000511", "300", false);
    let p = add_expense(&app, &clerk, "en", &refs(&f), None).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}
