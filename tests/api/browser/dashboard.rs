//! The GP's dashboard on a 360×740 phone in Punjabi (issue 17, item 3): opened from its home
//! tile, this month of ₹300 billed, ₹170 collected, ₹120 paid and ₹80 unpaid in the month
//! table (Surplus/Deficit ₹50), the trend drawn as SVG, the page fitting the phone; then this
//! month chosen, its Collections tab listing the household.

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
        "return [...document.querySelectorAll('#months tbody tr')].find(r => r.querySelector('a').href.endsWith('month={month}')).innerText;"
    ));
    let row = row.as_str().unwrap().to_owned();
    for figure in ["₹50", "₹300 (₹0)", "₹130", "₹170", "₹200", "₹80", "₹120"] {
        assert!(row.contains(figure), "{figure} not in {row}");
    }

    // the month's link opens that month
    b.click(&format!("#months a[href$='month={month}']"));
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
}
