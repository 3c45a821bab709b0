//! Every staff page, walked in Punjabi and in Hindi by someone holding every staff role on a GP
//! with a few households (one billed and paid): no catalogue key left untranslated, no English
//! text of a translated key, and an accessibility check (labels, 44 px tap targets, `lang`,
//! contrast of the tiles); each page's gzipped weight is printed and held under 5 KB. The list
//! of pages comes from the route table: a page reachable by GET that the walk does not visit
//! fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use mgramseva::http::routes::Access;
use serde_json::{Value, json};

use super::*;
use crate::helpers::*;

/// Staff roles held on the walk's GP: every screen's tiles and pages open to one person.
const ALL_ROLES: &[&str] = &[
    "GP_ADMIN",
    "SECRETARY",
    "SARPANCH",
    "COLLECTION_OPERATOR",
    "REVENUE_COLLECTOR",
    "BULK_DEMAND_PROCESSING",
    "DASHBOARD_VIEWER",
    "EXPENSE_PROCESSING",
    "HRMS_ADMIN",
    "DIV_ADMIN",
    "STATE_ADMIN",
];

/// Page routes answered by GET that are downloads, not screens: fetched with the session and
/// checked for a 200 and their type, not walked in the browser.
const DOWNLOADS: &[&str] = &[
    "/home/household/bill.pdf",
    "/home/receipt.pdf",
    "/home/householdRegister.pdf",
    "/home/householdRegister.xlsx",
    "/home/dashboard.pdf",
    "/home/reports/expenseBill.xlsx",
    "/home/reports/vendor.xlsx",
    "/home/reports/expenseBill.csv",
    "/home/reports/vendor.csv",
    "/home/reports/bill.xlsx",
    "/home/reports/bill.csv",
    "/home/reports/collection.xlsx",
    "/home/reports/collection.csv",
    "/home/reports/inactive.xlsx",
    "/home/reports/inactive.csv",
    "/home/reports/monthly.xlsx",
    "/home/reports/monthly.csv",
    "/home/reports/monthly.pdf",
    "/home/reports/ledger.xlsx",
    "/home/reports/ledger.csv",
    "/home/reports/ledger.pdf",
    "/home/consumerimport/template.csv",
    "/home/consumerimport/template.xlsx",
];

/// Texts shown as they are in every language, each for a reason (exact match).
const SAME_IN_EVERY_LANGUAGE: &[(&str, &str)] = &[
    ("PDF", "a file format's name"),
    ("Excel", "a file format's name, as on the phone's own apps"),
    ("CSV", "a file format's name"),
    ("WhatsApp", "the app's own name"),
    ("mGramSeva", "the product's name"),
];

/// What one page check found, one line each.
pub(super) fn check_page(
    b: &Browser,
    lang: &str,
    english: &BTreeMap<String, String>,
) -> Vec<String> {
    let v = b.js(PAGE_CHECK);
    let mut out = Vec::new();
    let page_lang = v["lang"].as_str().unwrap_or_default();
    if page_lang != lang {
        out.push(format!(
            "lang: <html lang={page_lang:?}>, the page is in {lang}"
        ));
    }
    for t in v["texts"].as_array().unwrap() {
        let t = t.as_str().unwrap().trim();
        if t.is_empty() || !t.chars().any(char::is_alphabetic) {
            continue;
        }
        if SAME_IN_EVERY_LANGUAGE.iter().any(|(s, _)| *s == t) {
            continue;
        }
        if let Some(w) = t.split_whitespace().find(|w| is_key(w)) {
            out.push(format!("key: {w:?} in {t:?}"));
            continue;
        }
        let bare = t.trim_end_matches([':', '*', '.', ' ']).trim();
        if let Some(key) = english.get(bare) {
            out.push(format!("english: {t:?} (the English of {key})"));
        }
    }
    for u in v["unlabelled"].as_array().unwrap() {
        out.push(format!("no label: {}", u.as_str().unwrap()));
    }
    for s in v["small"].as_array().unwrap() {
        out.push(format!("small target: {}", s.as_str().unwrap()));
    }
    for s in v["contrast"].as_array().unwrap() {
        out.push(format!("contrast: {}", s.as_str().unwrap()));
    }
    out
}

/// An untranslated catalogue key: ALL_CAPS_WITH_UNDERSCORES.
fn is_key(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
    w.contains('_')
        && w.len() > 3
        && w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && w.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The English texts of keys that have a translation in `locale` (text → key).
pub(super) fn translated_english(locale: &str) -> BTreeMap<String, String> {
    let read = |l: &str| -> BTreeMap<String, String> {
        let path = format!("{}/data/localization/{l}.json", env!("CARGO_MANIFEST_DIR"));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v.as_object()
            .unwrap()
            .values()
            .flat_map(|m| m.as_object().unwrap().iter())
            .map(|(k, t)| (k.clone(), t.as_str().unwrap_or_default().trim().to_owned()))
            .collect()
    };
    let (en, there) = (read("en_IN"), read(locale));
    en.into_iter()
        .filter(|(k, t)| {
            // the import template's example row holds people's names, which are data, and a
            // household named like the example is not an untranslated text
            !k.starts_with("IMPORT_EXAMPLE_")
                && t.chars().any(char::is_alphabetic)
                && there.get(k).is_some_and(|x| !x.is_empty() && x != t)
        })
        .map(|(k, t)| (t, k))
        .collect()
}

/// The page check, in the page: visible texts (with placeholders, labels given as attributes,
/// options and the title), inputs without a label, tap targets under 44 px, `lang`, and the
/// contrast of the text on the home tiles.
const PAGE_CHECK: &str = r#"
const seen = el => { const s = getComputedStyle(el); return el.getClientRects().length > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '') + ' "' + (el.innerText || el.value || '').trim().slice(0, 30) + '"';
const lang = document.documentElement.getAttribute('lang') || '';
const texts = [document.title];
const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = w.nextNode(); n; n = w.nextNode()) {
  const p = n.parentElement;
  if (!p || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(p.tagName)) continue;
  const marked = p.closest('[lang]');
  if (marked && marked.getAttribute('lang') !== lang) continue; // declared in another language
  if (p.tagName === 'OPTION' ? seen(p.closest('select')) : seen(p)) texts.push(n.textContent);
}
for (const el of document.querySelectorAll('[placeholder],[aria-label],[title],input[type=submit],input[type=button]')) {
  if (!seen(el)) continue;
  for (const a of ['placeholder', 'aria-label', 'title']) if (el.getAttribute(a)) texts.push(el.getAttribute(a));
  if (el.type === 'submit' || el.type === 'button') texts.push(el.value);
}
const unlabelled = [];
for (const el of document.querySelectorAll('input:not([type=hidden]),select,textarea')) {
  if (el.labels && el.labels.length > 0) continue;
  if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) continue;
  unlabelled.push(name(el));
}
// A link inside a sentence may be a line tall (24 px) if it is 44 px wide.
const inSentence = el => getComputedStyle(el).display === 'inline' && el.parentElement &&
  [...el.parentElement.childNodes].some(c => c !== el && c.nodeType === 3 && c.textContent.trim().length > 0);
const small = [];
const targets = [...document.querySelectorAll('a[href],button,summary,input[type=submit]')];
for (const l of document.querySelectorAll('label')) {
  const c = l.control;
  if (c && (c.type === 'radio' || c.type === 'checkbox')) targets.push(l);
}
for (const el of targets) {
  if (!seen(el)) continue;
  const r = el.getBoundingClientRect();
  const ok = r.height >= 44 || (inSentence(el) && r.width >= 44 && r.height >= 24);
  if (!ok) small.push(name(el) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
}
const rgb = s => { const m = s.match(/[\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const bg = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.a > 0) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
const contrast = [];
for (const el of document.querySelectorAll('.tiles li > *')) {
  if (!seen(el)) continue;
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) contrast.push(name(el) + ' ' + ratio.toFixed(2) + ':1');
}
return {lang, texts, unlabelled, small, contrast};
"#;

/// GET as the browser would, gzip accepted: (status, content encoding, bytes on the wire).
pub(super) fn gzipped(port: u16, path: &str, cookies: &str) -> (u16, String, usize) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let i = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..i]).to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    let header = |n: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(n))
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let mut body = &raw[i + 4..];
    let len = if header("transfer-encoding:") == "chunked" {
        let mut n = 0;
        loop {
            let e = body.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&body[..e])
                    .split(';')
                    .next()
                    .unwrap()
                    .trim(),
                16,
            )
            .unwrap();
            if size == 0 {
                break n;
            }
            n += size;
            body = &body[e + 2 + size + 2..];
        }
    } else {
        body.len()
    };
    (status, header("content-encoding:"), len)
}

/// A GP with three households: one billed with arrears and paid through the counter, one
/// billed and unpaid, one with nothing due; an employee to open in HRMS.
struct Gp {
    app: TestApp,
    port: u16,
    paid: String,
    unpaid: String,
    employee: String,
}

fn gp() -> Gp {
    let app = TestApp::new();
    let admin = app.login("9817000090", &["GP_ADMIN"]);
    let rt = actix_web::rt::System::new();
    let (paid, unpaid, employee) = rt.block_on(async {
        let no = async |mobile: &str, name: &str, old: &str, arrears: i64| {
            gp_household(
                &app,
                &admin,
                (mobile, name, old),
                json!({"arrears": arrears}),
            )
            .await["connectionNo"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let paid = no("9876500001", "Gurpreet Kaur", "OLD/1", 120).await;
        let unpaid = no("9876500002", "Harjit Singh", "OLD/2", 80).await;
        no("9876500003", "Kamal Kaur", "OLD/3", 0).await;
        let div = app.login("9817000091", &["DIV_ADMIN", "HRMS_ADMIN", "EMPLOYEE"]);
        let (s, v) = app.post("/egov-hrms/employees/_create", json!({"RequestInfo": ri(&div), "Employees": [
            {"tenantId": "pb", "employeeType": "PERMANENT", "dateOfAppointment": 1_700_000_000_000i64,
             "assignments": [{"designation": "DESIG_61", "department": "DWSS"}],
             "user": {"name": "Jaspal Singh", "mobileNumber": "9817000092", "gender": "MALE",
                      "roles": [{"code": "SECRETARY", "tenantId": GP}]}}]})).await;
        assert_eq!(s, 200, "{v}");
        let code = v["Employees"][0]["code"].as_str().unwrap().to_owned();
        (paid, unpaid, code)
    });
    staff(&app, "9817000093", ALL_ROLES, "Harjit@2026");
    let port = serve(app.state.clone());
    Gp {
        app,
        port,
        paid,
        unpaid,
        employee,
    }
}

/// Pays `no`'s bill at the counter with no payer named; the receipt page's path and the
/// receipt number.
fn pay_at_the_counter(b: &Browser, base: &str, no: &str) -> (String, String) {
    b.go(&format!(
        "{base}/home/collect?consumer={}",
        mgramseva::http::page::urlencode(no)
    ));
    b.wait_text("id=\"payer\"");
    b.click("#next");
    b.wait_text("id=\"confirm-text\"");
    b.click("#pay");
    b.wait_path("/home/collect/receipt/");
    b.wait_text("id=\"receipt-number\"");
    let number = b
        .js("return document.getElementById('receipt-number').innerText;")
        .as_str()
        .unwrap()
        .to_owned();
    let url = b.url();
    (url[url.find("/home/").unwrap()..].to_owned(), number)
}

#[test]
fn every_staff_page_in_punjabi_and_hindi_is_translated_accessible_and_light() {
    let gp = gp();
    let base = format!("http://127.0.0.1:{}", gp.port);
    let b = Browser::phone();
    b.log_in(&base, "9817000093", "Harjit@2026");
    let (receipt, number) = pay_at_the_counter(&b, &base, &gp.paid);
    let expense = super::expense::add_by_form(&b, &base, "Baldev Singh", "9817000094", "1200");
    let q = |s: &str| mgramseva::http::page::urlencode(s);
    let month = ist_ms(month_start(0));

    // Every page route answered by GET, with the parameters it needs.
    let pages: Vec<(&str, String)> = vec![
        ("/home", "/home".to_owned()),
        ("/home/first-login", "/home/first-login".to_owned()),
        ("/home/profile", "/home/profile".to_owned()),
        ("/home/password", "/home/password".to_owned()),
        ("/home/hrms", "/home/hrms".to_owned()),
        ("/home/hrms/new", "/home/hrms/new".to_owned()),
        ("/home/hrms/{code}", format!("/home/hrms/{}", gp.employee)),
        (
            "/home/householdRegister",
            "/home/householdRegister".to_owned(),
        ),
        ("/home/consumerimport", "/home/consumerimport".to_owned()),
        ("/home/consumercreate", "/home/consumercreate".to_owned()),
        (
            "/home/consumerupdate",
            format!("/home/consumerupdate?no={}", q(&gp.unpaid)),
        ),
        ("/home/collect", "/home/collect".to_owned()),
        (
            "/home/collect",
            format!("/home/collect?consumer={}", q(&gp.unpaid)),
        ),
        ("/home/collect/receipt/{id}", receipt),
        ("/home/collect/history", "/home/collect/history".to_owned()),
        ("/home/consumers", "/home/consumers".to_owned()),
        (
            "/home/household",
            format!("/home/household?no={}", q(&gp.paid)),
        ),
        (
            "/home/household",
            format!("/home/household?no={}", q(&gp.unpaid)),
        ),
        ("/home/villagedetails", "/home/villagedetails".to_owned()),
        (
            "/home/billmanualgenerate",
            "/home/billmanualgenerate".to_owned(),
        ),
        (
            "/home/billmanualgenerate/consumers",
            format!("/home/billmanualgenerate/consumers?not_since={month}"),
        ),
        ("/home/addExpense", "/home/addExpense".to_owned()),
        ("/home/searchExpense", "/home/searchExpense".to_owned()),
        (
            "/home/updateExpense",
            format!("/home/updateExpense?no={}", q(&expense)),
        ),
        ("/home/reports", "/home/reports".to_owned()),
        (
            "/home/reports/expenseBill",
            "/home/reports/expenseBill".to_owned(),
        ),
        ("/home/reports/vendor", "/home/reports/vendor".to_owned()),
        ("/home/reports/bill", "/home/reports/bill".to_owned()),
        ("/home/dashboard", "/home/dashboard".to_owned()),
        ("/home/state", "/home/state".to_owned()),
        (
            "/home/state/gp/{tenant}",
            format!("/home/state/gp/{}", mgramseva::demo::DEMO_TENANT),
        ),
        ("/home/dashboard", "/home/dashboard?tab=0".to_owned()),
        ("/home/dashboard", "/home/dashboard?tab=1".to_owned()),
        ("/home/books", "/home/books".to_owned()),
        (
            "/home/books/receipts-payments",
            "/home/books/receipts-payments".to_owned(),
        ),
        (
            "/home/books/reconciliation",
            "/home/books/reconciliation".to_owned(),
        ),
        (
            "/home/books/receivables",
            "/home/books/receivables".to_owned(),
        ),
        ("/home/books/payables", "/home/books/payables".to_owned()),
        ("/home/books/dcb", "/home/books/dcb".to_owned()),
        (
            "/home/reports/collection",
            "/home/reports/collection".to_owned(),
        ),
        (
            "/home/reports/inactive",
            "/home/reports/inactive".to_owned(),
        ),
        ("/home/reports/monthly", "/home/reports/monthly".to_owned()),
        (
            "/home/reports/ledger",
            format!("/home/reports/ledger?no={}", q(&gp.paid)),
        ),
        ("/home/online-payments", "/home/online-payments".to_owned()),
        ("/home/notifications", "/home/notifications".to_owned()),
        ("/home/sms", "/home/sms".to_owned()),
        ("/home/jobs", "/home/jobs".to_owned()),
        ("/home/jobs/{name}", "/home/jobs/refresh-caches".to_owned()),
        ("/home/rollout", "/home/rollout".to_owned()),
    ];
    let downloads: Vec<(&str, String, &str)> = vec![
        (
            "/home/household/bill.pdf",
            format!("/home/household/bill.pdf?no={}", q(&gp.unpaid)),
            "application/pdf",
        ),
        (
            "/home/receipt.pdf",
            format!("/home/receipt.pdf?no={}", q(&number)),
            "application/pdf",
        ),
        (
            "/home/householdRegister.pdf",
            "/home/householdRegister.pdf".to_owned(),
            "application/pdf",
        ),
        (
            "/home/householdRegister.xlsx",
            "/home/householdRegister.xlsx".to_owned(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/home/reports/expenseBill.xlsx",
            "/home/reports/expenseBill.xlsx".to_owned(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/home/reports/vendor.xlsx",
            "/home/reports/vendor.xlsx".to_owned(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/home/reports/expenseBill.csv",
            "/home/reports/expenseBill.csv".to_owned(),
            "text/csv; charset=utf-8",
        ),
        (
            "/home/reports/vendor.csv",
            "/home/reports/vendor.csv".to_owned(),
            "text/csv; charset=utf-8",
        ),
        (
            "/home/reports/bill.xlsx",
            "/home/reports/bill.xlsx".to_owned(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/home/reports/bill.csv",
            "/home/reports/bill.csv".to_owned(),
            "text/csv; charset=utf-8",
        ),
        (
            "/home/reports/collection.xlsx",
            "/home/reports/collection.xlsx".to_owned(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/home/reports/collection.csv",
            "/home/reports/collection.csv".to_owned(),
            "text/csv; charset=utf-8",
        ),
        (
            "/home/reports/inactive.xlsx",
            "/home/reports/inactive.xlsx".to_owned(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/home/reports/inactive.csv",
            "/home/reports/inactive.csv".to_owned(),
            "text/csv; charset=utf-8",
        ),
        (
            "/home/reports/monthly.xlsx",
            "/home/reports/monthly.xlsx".to_owned(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/home/reports/monthly.csv",
            "/home/reports/monthly.csv".to_owned(),
            "text/csv; charset=utf-8",
        ),
        (
            "/home/reports/monthly.pdf",
            "/home/reports/monthly.pdf".to_owned(),
            "application/pdf",
        ),
        (
            "/home/reports/ledger.xlsx",
            format!("/home/reports/ledger.xlsx?no={}", q(&gp.paid)),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/home/reports/ledger.csv",
            format!("/home/reports/ledger.csv?no={}", q(&gp.paid)),
            "text/csv; charset=utf-8",
        ),
        (
            "/home/reports/ledger.pdf",
            format!("/home/reports/ledger.pdf?no={}", q(&gp.paid)),
            "application/pdf",
        ),
        (
            "/home/consumerimport/template.csv",
            "/home/consumerimport/template.csv".to_owned(),
            "text/csv; charset=utf-8",
        ),
        (
            "/home/consumerimport/template.xlsx",
            "/home/consumerimport/template.xlsx".to_owned(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ];

    // The route table: no page route answered by GET is left out of the walk.
    let walked: BTreeSet<&str> = pages.iter().map(|(r, _)| *r).collect();
    let missing: Vec<&str> = mgramseva::route_table()
        .routes()
        .iter()
        .filter(|d| d.method == actix_web::http::Method::GET && matches!(d.access, Access::Page(_)))
        .map(|d| d.path)
        .filter(|p| !walked.contains(p) && !DOWNLOADS.contains(p))
        .collect();
    assert!(
        missing.is_empty(),
        "page routes the walk does not visit: {missing:?}"
    );
    for (route, _, _) in &downloads {
        assert!(DOWNLOADS.contains(route), "{route}");
    }

    let jar = b.cookie_header();
    for (_, path, ctype) in &downloads {
        let (status, got, body) = get_with_cookies(gp.port, path, &jar);
        assert_eq!(
            (status, got.as_str()),
            (200, *ctype),
            "{path}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        );
    }

    let mut findings = Vec::new();
    let mut weights = Vec::new();
    for lang in ["pa", "hi"] {
        let locale = if lang == "pa" { "pa_IN" } else { "hi_IN" };
        let english = translated_english(locale);
        b.go(&format!("{base}/lang?to={lang}&next=/home"));
        b.wait_text(&format!("lang=\"{lang}\""));
        let jar = b.cookie_header();
        for (_, path) in &pages {
            b.go(&format!("{base}{path}"));
            b.wait_text("</main>");
            for f in check_page(&b, lang, &english) {
                findings.push((path.clone(), format!("{lang} {path}: {f}")));
            }
            let (status, encoding, mut bytes) = gzipped(gp.port, path, &jar);
            assert_eq!((status, encoding.as_str()), (200, "gzip"), "{path}");
            // a page's own stylesheets (beyond app.css) weigh on it too
            let own: Vec<String> = serde_json::from_value(b.js(
                "return [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href')).filter(h => h !== '/static/css/app.css');",
            ))
            .unwrap();
            for css in own {
                bytes += gzipped(gp.port, &css, "").2;
            }
            weights.push((format!("{lang} {path}"), bytes));
        }
        // The confirmation of a payment (reached by a posted form, not by GET).
        b.go(&format!("{base}/home/collect?consumer={}", q(&gp.unpaid)));
        b.wait_text("id=\"payer\"");
        b.click("#next");
        b.wait_text("id=\"confirm-text\"");
        for f in check_page(&b, lang, &english) {
            findings.push((
                "/home/collect/confirm".to_owned(),
                format!("{lang} confirm: {f}"),
            ));
        }
        // The confirmation of an expense's payment (reached by a posted form, not by GET).
        b.go(&format!("{base}/home/updateExpense?no={}", q(&expense)));
        b.wait_text("id=\"paid-form\"");
        b.click("#mark-paid");
        b.wait_text("id=\"confirm-text\"");
        for f in check_page(&b, lang, &english) {
            findings.push((
                "/home/updateExpense/confirm".to_owned(),
                format!("{lang} expense confirm: {f}"),
            ));
        }
    }
    let (_, _, css) = gzipped(gp.port, "/static/css/app.css", "");
    let (_, _, js) = gzipped(gp.port, "/static/js/app.js", "");
    println!("gzipped bytes: app.css {css}, app.js {js}");
    for (page, bytes) in &weights {
        println!(
            "gzipped bytes: {page} {bytes} (with css and js: {})",
            bytes + css + js
        );
    }
    let heavy: Vec<_> = weights
        .iter()
        .filter(|(_, n)| n + css + js >= 5 * 1024)
        .collect();
    assert!(
        heavy.is_empty(),
        "screens of 5 KB or more gzipped (with css and js): {heavy:?}"
    );

    assert!(
        findings.is_empty(),
        "{} findings:\n{}",
        findings.len(),
        findings
            .iter()
            .map(|(_, f)| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The height in px of the first element matching `css`.
fn height(b: &Browser, css: &str) -> f64 {
    b.js(&format!(
        "return document.querySelector({}).getBoundingClientRect().height;",
        json!(css)
    ))
    .as_f64()
    .unwrap_or_else(|| panic!("no {css} at {}", b.url()))
}

#[test]
fn thumb_sized_links_readable_tiles_and_a_confirmation_without_a_payer() {
    use mgramseva::platform::localization::Locale;
    let gp = gp();
    let base = format!("http://127.0.0.1:{}", gp.port);
    let b = Browser::phone();
    b.log_in(&base, "9817000093", "Harjit@2026");

    // The header's language links and Logout are a thumb tall.
    for css in [
        "header a[lang=pa]",
        "header a[lang=hi]",
        "header a[lang=en]",
        ".who form[action='/logout'] button",
    ] {
        assert!(height(&b, css) >= 44.0, "{css}: {} px", height(&b, css));
    }
    // Every tile is built now: none is greyed out as still to come, and the tiles are readable.
    assert_eq!(
        b.count(".tiles .soon"),
        0,
        "a tile still says it is to come"
    );
    assert!(b.count(".tiles a") > 10, "the walker's roles see the tiles");
    let v = b.js(PAGE_CHECK);
    assert_eq!(v["contrast"], json!([]), "tiles under 4.5:1");

    // The household's Download, Share and Collect are a thumb tall.
    b.go(&format!(
        "{base}/home/household?no={}",
        mgramseva::http::page::urlencode(&gp.unpaid)
    ));
    b.wait_text("id=\"bill-card\"");
    for css in ["#download-bill", "#share-bill", "#collect"] {
        assert!(height(&b, css) >= 44.0, "{css}: {} px", height(&b, css));
    }

    // No payer named: the holder pays, named in a whole sentence, in Punjabi and in Hindi.
    for (lang, locale) in [("pa", Locale::Pa), ("hi", Locale::Hi)] {
        b.go(&format!("{base}/lang?to={lang}&next=/home"));
        b.wait_text(&format!("lang=\"{lang}\""));
        b.go(&format!(
            "{base}/home/collect?consumer={}",
            mgramseva::http::page::urlencode(&gp.unpaid)
        ));
        b.wait_text("id=\"payer\"");
        b.click("#next");
        b.wait_text("id=\"confirm-text\"");
        let said = b
            .js("return document.getElementById('confirm-text').innerText;")
            .as_str()
            .unwrap()
            .to_owned();
        let want = app_text(&gp, locale, "COLLECT_CONFIRM_TEXT")
            .replace("{amount}", "80")
            .replace("{consumer}", &gp.unpaid)
            .replace("{name}", "Harjit Singh");
        assert_eq!(said, want);
        assert!(!said.contains('—'), "{said}");
    }
}

fn app_text(gp: &Gp, locale: mgramseva::platform::localization::Locale, key: &str) -> String {
    gp.app.state.i18n.text(locale, key)
}
