//! The import screen on a phone in Punjabi: the template to download, a file with an unknown
//! column, a file with a bad row; then the imported household pays and its receipt is shared on
//! WhatsApp with a short link to the receipt PDF.

use std::io::{Read as _, Write as _};

use super::*;

/// The path of a link on the page.
fn href(b: &Browser, css: &str) -> String {
    let h = b.cmd(
        "GET",
        &format!("/element/{}/attribute/href", b.find(css)),
        None,
    );
    let h = h.as_str().unwrap();
    h[h.find("/home/").unwrap()..].to_owned()
}

/// Chooses `bytes` (saved as `name`) in the file input and checks the file.
fn upload(b: &Browser, name: &str, bytes: &[u8]) {
    let dir = std::env::temp_dir().join(format!("mgs-import-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    b.type_into("#file", path.to_str().unwrap());
    b.click("#preview");
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        if b[i] == b'%'
            && i + 3 <= b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn import_with_a_template_and_errors_in_punjabi_then_share_the_receipt() {
    use calamine::Reader as _;
    let app = TestApp::new();
    staff(
        &app,
        "9817000071",
        &["GP_ADMIN", "COLLECTION_OPERATOR"],
        "Harjit@2026",
    );
    let port = serve(app.state.clone());
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, "9817000071", "Harjit@2026");
    b.go(&format!("{base}/home/consumerimport"));
    b.wait_text("id=\"template-xlsx\"");
    assert!(b.fits_width(), "the import page pans sideways");
    // what to write in each column, on the page, in Punjabi
    assert!(b.source().contains("ਹਰ ਕਾਲਮ ਵਿੱਚ ਕੀ ਲਿਖਣਾ ਹੈ"));
    b.snap("import-1-form");

    // 1. The templates, with the browser's session: Punjabi headers and an example row.
    let jar = b.cookie_header();
    let (status, ctype, csv) = get_with_cookies(port, &href(&b, "#template-csv"), &jar);
    assert_eq!((status, ctype.as_str()), (200, "text/csv; charset=utf-8"));
    let csv = String::from_utf8(csv).unwrap();
    let header = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(
        header.starts_with("ਖਪਤਕਾਰ ਦਾ ਨਾਮ,ਲਿੰਗ,") && header.contains(",ਮੋਬਾਈਲ ਨੰਬਰ,"),
        "{header}"
    );
    let (status, _, xlsx) = get_with_cookies(port, &href(&b, "#template-xlsx"), &jar);
    assert_eq!(status, 200);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    assert_eq!(book.sheet_names().len(), 2, "households and help");
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(rows[0][3], "ਮੋਬਾਈਲ ਨੰਬਰ");
    assert_eq!(rows[1][0], "ਗੁਰਪ੍ਰੀਤ ਕੌਰ");

    // 2. An unknown column: a form error naming it, in Punjabi, and the form to try again.
    let with_unknown = format!("{header},ਮਨਪਸੰਦ ਰੰਗ\n{}", csv.lines().nth(1).unwrap());
    upload(&b, "households.csv", with_unknown.as_bytes());
    b.wait_text("id=\"error\"");
    let error = b.js("return document.getElementById('error').textContent;");
    let error = error.as_str().unwrap();
    assert!(
        error.contains("«ਮਨਪਸੰਦ ਰੰਗ»") && error.contains("ਪਛਾਣੇ ਨਹੀਂ ਜਾਂਦੇ"),
        "{error}"
    );
    let src = b.source();
    assert!(!src.contains("ErrorDetail") && !src.contains("UNKNOWN_COLUMN"));
    b.snap("import-2-unknown-column");

    // 3. The template's example and one bad row: the bad one says which column, as the
    // template names it; the valid row has no error cell.
    let bad_row = csv
        .lines()
        .nth(1)
        .unwrap()
        .replace("9876543210", "12345")
        .replace("OLD/101", "OLD/102");
    let two = format!("{}{bad_row}\n", csv);
    upload(&b, "households.csv", two.as_bytes());
    b.wait_text("id=\"counts\"");
    assert_eq!(b.count("tr.IMPORT_ROW_VALID"), 1);
    assert_eq!(b.count("tr.IMPORT_ROW_VALID .error"), 0);
    assert_eq!(b.count("tr.IMPORT_ROW_INVALID .error li"), 1);
    let why = b.js("return document.querySelector('tr.IMPORT_ROW_INVALID .error li').textContent;");
    assert_eq!(
        why.as_str().unwrap(),
        "ਮੋਬਾਈਲ ਨੰਬਰ: 10 ਅੰਕ, 6, 7, 8 ਜਾਂ 9 ਨਾਲ ਸ਼ੁਰੂ।"
    );
    assert!(!b.source().contains("mobileNumber"));
    b.snap("import-3-preview");
    b.click("#import");
    b.wait_text("id=\"imported\"");

    // 4. The imported household (₹150 arrears) pays; its receipt is shared on WhatsApp.
    b.go(&format!("{base}/home/consumers"));
    b.type_into("#s-old", "OLD/101");
    b.click("#search");
    b.wait_path("/home/household");
    b.wait_text("id=\"total-due\">₹150<");
    b.click("#collect");
    b.wait_path("/home/collect");
    b.click("#next");
    b.wait_text("id=\"confirm-text\"");
    b.click("#pay");
    b.wait_path("/home/collect/receipt/");
    b.wait_text("id=\"share-receipt\"");
    let src = b.source();
    let receipt = src[src.find("id=\"receipt-number\">").unwrap() + 20..]
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let height =
        b.js("return document.getElementById('share-receipt').getBoundingClientRect().height;");
    assert!(height.as_f64().unwrap() >= 44.0, "{height}");
    b.snap("import-4-receipt");
    b.click("#share-receipt");
    let started = Instant::now();
    while b.url().starts_with(&base) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no WhatsApp link"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = b.url();
    assert!(
        url.starts_with("https://wa.me/+919876543210?text="),
        "{url}"
    );
    let text = percent_decode(&url[url.find("text=").unwrap() + 5..]);
    assert!(
        text.starts_with("ਪਿਆਰੇ ਗੁਰਪ੍ਰੀਤ ਕੌਰ,") && text.contains("₹150"),
        "{text}"
    );
    // the short link leads, without a login, to the receipt's PDF
    let short = &text[text.find("/eus/").unwrap_or_else(|| panic!("{text}"))..];
    let short: String = short.chars().take_while(|c| !c.is_whitespace()).collect();
    let (status, _, _) = get_with_cookies(port, &short, "");
    assert_eq!(status, 302);
    let hop = {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET {short} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        raw.lines()
            .find_map(|l| {
                l.strip_prefix("location: ")
                    .or_else(|| l.strip_prefix("Location: "))
            })
            .unwrap()
            .trim()
            .to_owned()
    };
    let (status, ctype, pdf) = get_with_cookies(port, &hop, "");
    assert_eq!((status, ctype.as_str()), (200, "application/pdf"));
    assert!(crate::calculator::pdf_text(&pdf).contains(&receipt));
    // the household page offers the same share for its receipt
    let no: String = {
        use mgramseva::db::schema::water_connection;
        water_connection::table
            .filter(water_connection::old_connection_no.eq("OLD/101"))
            .select(water_connection::connection_no)
            .first(&mut app.db.conn())
            .unwrap()
    };
    b.go(&format!(
        "{base}/home/household?no={}",
        mgramseva::http::page::urlencode(&no)
    ));
    b.wait_text(&receipt);
    assert_eq!(b.count(".share-receipt"), 1);
    b.click(".share-receipt");
    let started = Instant::now();
    while b.url().starts_with(&base) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no WhatsApp link"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(b.url().starts_with("https://wa.me/+919876543210?text="));
}
