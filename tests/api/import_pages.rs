//! The import screen's template, its column names in three languages, its errors in the page's
//! language; and sharing a receipt on WhatsApp.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::test;
use diesel::prelude::*;

use crate::helpers::*;
use crate::pages::{
    CSRF, Page, call_in, decode, get, log_in, mark_password_changed, post, session_of,
};

/// A multipart upload of `file` (named `name`) to the import preview, in `lang`.
async fn upload(app: &TestApp, sid: &str, lang: &str, name: &str, file: &[u8]) -> Page {
    let boundary = "mgsboundary7d3f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{CSRF}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = test::TestRequest::post()
        .uri("/home/consumerimport/preview")
        .insert_header((
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body);
    call_in(app, req, Some(sid), lang).await
}

/// A download's status, content type and bytes, in `lang`.
async fn download(
    app: &TestApp,
    sid: &str,
    lang: &str,
    path: &str,
) -> (StatusCode, String, Vec<u8>) {
    let req = test::TestRequest::get()
        .uri(path)
        .cookie(Cookie::new("mgs_session", sid.to_owned()))
        .cookie(Cookie::new("mgs_lang", lang.to_owned()));
    let resp = app.call(req).await;
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, ctype, test::read_body(resp).await.to_vec())
}

async fn admin(app: &TestApp, mobile: &str) -> String {
    let u = app.employee(mobile, &["GP_ADMIN"], Some("Admin@123"));
    mark_password_changed(app, u.id);
    session_of(&log_in(app, mobile, "Admin@123").await)
}

fn connections(app: &TestApp) -> i64 {
    mgramseva::db::schema::water_connection::table
        .count()
        .get_result(&mut app.db.conn())
        .unwrap()
}

/// The first sheet's rows and the second sheet's name, as read back.
fn sheets(bytes: &[u8]) -> (Vec<Vec<String>>, Vec<String>) {
    use calamine::Reader as _;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    let first = book.worksheet_range_at(0).unwrap().unwrap();
    let rows = first
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    (rows, names)
}

#[actix_web::test]
async fn the_template_names_the_columns_in_the_page_language_and_imports_as_it_is() {
    let app = TestApp::new();
    let sid = admin(&app, "9816000151").await;
    // the page explains every column and offers the template
    let page = call_in(
        &app,
        test::TestRequest::get().uri("/home/consumerimport"),
        Some(&sid),
        "pa",
    )
    .await;
    assert!(
        page.body.contains("/home/consumerimport/template.xlsx")
            && page.body.contains("/home/consumerimport/template.csv")
            && page.body.contains("ਹਰ ਕਾਲਮ ਵਿੱਚ ਕੀ ਲਿਖਣਾ ਹੈ")
            && page.body.contains("ਮੋਬਾਈਲ ਨੰਬਰ"),
        "{}",
        page.body
    );
    let (status, ctype, csv) =
        download(&app, &sid, "pa", "/home/consumerimport/template.csv").await;
    assert_eq!(
        (status, ctype.as_str()),
        (StatusCode::OK, "text/csv; charset=utf-8")
    );
    let text = String::from_utf8(csv.clone()).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("ਖਪਤਕਾਰ ਦਾ ਨਾਮ,ਲਿੰਗ,") || header.contains("ਮੋਬਾਈਲ ਨੰਬਰ"),
        "{header}"
    );
    assert_eq!(header.split(',').count(), 19, "{header}");
    let example = lines.next().unwrap();
    assert!(
        example.contains("ਗੁਰਪ੍ਰੀਤ ਕੌਰ") && example.contains("9876543210"),
        "{example}"
    );
    // the example row, uploaded as downloaded, is a valid household (Punjabi values included)
    let before = connections(&app);
    let preview = upload(&app, &sid, "pa", "households.csv", &csv).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("id=\"counts\""), "{}", preview.body);
    assert_eq!(
        preview.body.matches("class=\"IMPORT_ROW_VALID\"").count(),
        1,
        "{}",
        preview.body
    );
    assert!(
        !preview.body.contains("<ul class=\"error\">"),
        "{}",
        preview.body
    );
    assert_eq!(connections(&app), before, "a preview writes nothing");
    // the Excel template: the households sheet with its header and example, then the help
    let (status, ctype, xlsx) =
        download(&app, &sid, "hi", "/home/consumerimport/template.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.contains("spreadsheetml"), "{ctype}");
    let (rows, names) = sheets(&xlsx);
    assert_eq!(names, vec!["घर".to_owned(), "मदद".to_owned()]);
    assert_eq!(rows[0].len(), 19);
    assert!(
        rows[0].contains(&"मोबाइल नंबर".to_owned()) || rows[0].iter().any(|h| h.contains("मोबाइल")),
        "{:?}",
        rows[0]
    );
    assert!(
        rows[1].contains(&"गुरप्रीत कौर".to_owned()) && rows[1].contains(&"9876543210".to_owned()),
        "{:?}",
        rows[1]
    );
    let hindi = upload(&app, &sid, "en", "households.xlsx", &xlsx).await;
    assert_eq!(hindi.status, StatusCode::OK, "{}", hindi.body);
    assert!(hindi.body.contains("Ready to import: 1"), "{}", hindi.body);
}

#[actix_web::test]
async fn headers_in_any_language_or_the_first_names_and_errors_in_the_page_language() {
    let app = TestApp::new();
    let sid = admin(&app, "9816000152").await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let cycle = mgramseva::municipal::water::service::allowed_last_cycles(today)[0]
        .format("%m/%Y")
        .to_string();
    // Hindi, English and first-version names mixed; values as codes and in Punjabi
    let csv = format!(
        "उपभोक्ता का नाम,Gender,Father or Spouse Name,Mobile number,Old Connection ID,ਜਾਇਦਾਦ ਦੀ ਕਿਸਮ,Service Type,Last Billing Cycle\n\
         Gurpreet Kaur,FEMALE,Baldev Singh,9876500211,MIX/1,RESIDENTIAL,ਬਿਨਾਂ ਮੀਟਰ,{cycle}\n\
         Harjit Singh,ਮਰਦ,Kartar Singh,12345,MIX/2,ਰਿਹਾਇਸ਼ੀ,Non Metered,{cycle}\n"
    );
    let p = upload(&app, &sid, "pa", "households.csv", csv.as_bytes()).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    // the bad mobile is named as the template names the column, in Punjabi; the valid row has
    // no error cell
    assert_eq!(
        p.body.matches("class=\"IMPORT_ROW_VALID\"").count(),
        1,
        "{}",
        p.body
    );
    assert_eq!(
        p.body.matches("<ul class=\"error\">").count(),
        1,
        "{}",
        p.body
    );
    assert!(
        p.body
            .contains("<li>ਮੋਬਾਈਲ ਨੰਬਰ: 10 ਅੰਕ, 6, 7, 8 ਜਾਂ 9 ਨਾਲ ਸ਼ੁਰੂ।</li>"),
        "{}",
        p.body
    );
    assert!(
        !p.body.contains("mobileNumber") && !p.body.contains("(mobile"),
        "{}",
        p.body
    );
    // an unknown column: a form error naming it, in the page's language, no internals
    let bad = upload(
        &app,
        &sid,
        "hi",
        "households.csv",
        "Name,Favourite Colour\nA,B\n".as_bytes(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("id=\"error\"")
            && bad.body.contains("«Favourite Colour»")
            && bad.body.contains("पहचाने नहीं"),
        "{}",
        bad.body
    );
    assert!(
        !bad.body.contains("ErrorDetail") && !bad.body.contains("UNKNOWN_COLUMN"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("id=\"upload\""),
        "the form is there to try again"
    );
    // missing columns are named as the template names them
    let missing = upload(&app, &sid, "en", "households.csv", "Name\nA\n".as_bytes()).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(
        missing.body.contains(
            "The file lacks these required columns: «Gender», «Father&#x27;s / spouse&#x27;s name»"
        ) || missing.body.contains("«Gender»") && missing.body.contains("«Mobile number»"),
        "{}",
        missing.body
    );
    // a file that is not a spreadsheet
    let junk = upload(&app, &sid, "en", "households.xlsx", b"PK\x03\x04junk").await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
    assert!(
        junk.body.contains("The file cannot be read"),
        "{}",
        junk.body
    );
}

#[actix_web::test]
async fn share_a_receipt_on_whatsapp_with_a_short_link_to_its_pdf() {
    use crate::register::Gp;
    let gp = Gp::new();
    let no = gp
        .household(
            "Gurpreet Kaur",
            "9876500601",
            "R/1",
            "RESIDENTIAL",
            gp.before,
            serde_json::json!({}),
        )
        .await;
    gp.bulk(gp.last).await;
    gp.pay(&no, 30).await;
    let app = &gp.app;
    let clerk = app.employee("9816000181", &["COLLECTION_OPERATOR"], Some("Clerk@123"));
    mark_password_changed(app, clerk.id);
    let sid = session_of(&log_in(app, "9816000181", "Clerk@123").await);
    let page = get(
        app,
        &format!("/home/household?no={}", no.replace('/', "%2F")),
        Some(&sid),
    )
    .await;
    let receipt = page
        .body
        .split("share-receipt-form")
        .nth(1)
        .and_then(|s| s.split("name=\"no\" value=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("{}", page.body))
        .to_owned();
    assert!(
        page.body.contains("action=\"/home/receipt/share\""),
        "{}",
        page.body
    );
    let form = format!(
        "_csrf={CSRF}&no={}",
        mgramseva::http::page::urlencode(&receipt)
    );
    let refused = post(
        app,
        "/home/receipt/share",
        &format!("no={receipt}"),
        Some(&sid),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no CSRF token");
    let req = test::TestRequest::post()
        .uri("/home/receipt/share")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(form);
    let shared = call_in(app, req, Some(&sid), "pa").await;
    assert_eq!(shared.status, StatusCode::SEE_OTHER, "{}", shared.body);
    let text = shared
        .location
        .strip_prefix("https://wa.me/+919876500601?text=")
        .map(decode)
        .unwrap_or_else(|| panic!("{}", shared.location));
    // in Punjabi: who, what was paid, for which household, what is left
    assert!(
        text.starts_with("ਪਿਆਰੇ Gurpreet Kaur,")
            && text.contains(&no)
            && text.contains("₹30 ")
            && text.contains("ਬਾਕੀ ਰਕਮ: ₹40"),
        "{text}"
    );
    let short = text
        .split("http://127.0.0.1:8080")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"))
        .to_owned();
    assert!(short.starts_with("/eus/"), "{short}");
    let hop = get(app, &short, None).await;
    assert_eq!(hop.status, StatusCode::FOUND);
    let pdf = app.call(test::TestRequest::get().uri(&hop.location)).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let bytes = test::read_body(pdf).await;
    assert!(crate::calculator::pdf_text(&bytes).contains(&receipt));
    // no such receipt: nothing to share
    let none = post(
        app,
        "/home/receipt/share",
        &format!("_csrf={CSRF}&no=NOSUCH"),
        Some(&sid),
    )
    .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}
