//! The GP's dashboard on a 360×740 phone in Punjabi (issue 17, item 3): opened from its home
//! tile, this month of ₹300 billed, ₹170 collected, ₹120 paid and ₹80 unpaid in the month
//! table (Surplus/Deficit ₹50), the trend drawn as SVG, the page fitting the phone; then this
//! month chosen, its Collections tab listing the household; then the Reports tile, the monthly
//! report of the month, and its Excel read back: the household's ₹300, ₹170 and ₹130.

use chrono::Datelike as _;

use super::*;

#[test]
fn the_dashboard_shows_the_month_on_a_phone_and_switches_to_it() {
    let app = TestApp::new();
    actix_web::rt::System::new().block_on(crate::dashboard::month_of_300(&app));
    staff(&app, "9817000171", &["SECRETARY"], "Harjit@2026");
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, "9817000171", "Harjit@2026");
    assert!(b.source().contains("lang=\"pa\""));

    b.click("a[data-tile=CORE_GPWSC_DASHBOARD]");
    b.wait_path("/home/dashboard");
    b.wait_text("id=\"months\"");
    assert_eq!(b.count("svg#trend polyline"), 2, "the trend is drawn");
    assert!(b.fits_width(), "the dashboard pans sideways on a phone");
    let month = format!("{}-{:02}", today().year(), today().month());
    let row = b.js(&format!(
        "return [...document.querySelectorAll('#months tbody tr')].find(r => r.querySelector('a').href.endsWith('month={month}&tab=0')).innerText;"
    ));
    let row = row.as_str().unwrap().to_owned();
    for figure in ["₹50", "₹300 (₹0)", "₹130", "₹170", "₹200", "₹80", "₹120"] {
        assert!(row.contains(figure), "{figure} not in {row}");
    }

    // the month's link opens that month
    b.click(&format!("#months a[href$='month={month}&tab=0']"));
    b.wait_text(&format!("<option value=\"{month}\" selected"));
    let revenue = text_of(&b, "#revenue");
    assert!(
        revenue.contains("₹170") && revenue.contains("₹130"),
        "{revenue}"
    );
    let rows = text_of(&b, "#tab-rows");
    assert!(
        rows.contains("Gurpreet Kaur") && rows.contains("₹170"),
        "{rows}"
    );
    assert!(b.fits_width());

    // the page is light: under 5 KB gzipped
    let (status, _, body) = get_with_cookies(
        port,
        &format!("/home/dashboard?month={month}"),
        &b.cookie_header(),
    );
    assert_eq!(status, 200);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &body).unwrap();
    let size = gz.finish().unwrap().len();
    assert!(size < 5 * 1024, "{size} bytes gzipped");

    // the month's report from the Reports tile, and its workbook read back
    b.go(&format!("{base}/home"));
    b.click("a[href='/home/reports']");
    b.wait_text("id=\"report-monthly\"");
    b.click("#report-monthly");
    b.wait_text("id=\"register\"");
    assert!(b.fits_width(), "the report pans sideways on a phone");
    let table = text_of(&b, "#register");
    for figure in ["₹300", "₹170", "₹130"] {
        assert!(table.contains(figure), "{figure} not in {table}");
    }
    let href = b.js("return document.getElementById('export-xlsx').getAttribute('href');");
    let (status, ctype, xlsx) = get_with_cookies(port, href.as_str().unwrap(), &b.cookie_header());
    assert_eq!(status, 200);
    assert_eq!(
        ctype,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    use calamine::{DataType as _, Reader as _};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let row: Vec<f64> = sheet
        .rows()
        .find(|r| r.iter().any(|c| c.to_string().starts_with("WS/")))
        .expect("the household's row")
        .iter()
        .filter_map(|c| c.get_float())
        .collect();
    for figure in [300.0, 170.0, 130.0] {
        assert!(row.contains(&figure), "{figure} not in {row:?}");
    }
    // and the CSV: the amounts as plain numbers
    let href = b.js("return document.getElementById('export-csv').getAttribute('href');");
    let (status, _, csv) = get_with_cookies(port, href.as_str().unwrap(), &b.cookie_header());
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    let line = csv
        .lines()
        .find(|l| l.contains("WS/"))
        .expect("the household's line");
    for figure in [",300.00,", ",170.00,", ",130.00"] {
        assert!(line.contains(figure), "{figure} not in {line}");
    }
}
