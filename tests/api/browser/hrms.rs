//! The employee screens on a 360×740 phone, in Punjabi: roles grouped by role with their GPs,
//! names from the catalogue, the history as sentences, no gender chosen for the person, the only
//! GP ticked, labelled search boxes and thumb-sized targets.

use super::*;

/// Every input and select in the page's main part has a label, and every link, button, summary
/// and tick-box label there is at least 44 px tall: the offenders, as text.
fn small_or_unlabelled(b: &Browser) -> String {
    b.js("return [...document.querySelectorAll('main input:not([type=hidden]), main select')]
            .filter(i => !i.labels || i.labels.length === 0).map(i => 'unlabelled ' + i.name)
          .concat([...document.querySelectorAll('main a, main button, main summary, main label.choice')]
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.tagName + ' ' + e.textContent.trim().slice(0, 30) + ' ' + e.getBoundingClientRect().height))
          .join('; ');")
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

fn text_of(b: &Browser, css: &str) -> String {
    b.js(&format!(
        "return document.querySelector('{css}').textContent;"
    ))
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

#[test]
fn a_division_user_with_84_gps_sees_each_role_once_in_punjabi_on_a_short_page() {
    let app = TestApp::new();
    staff(
        &app,
        "9817200001",
        &["STATE_ADMIN@pb", "HRMS_ADMIN@pb"],
        "State@2026",
    );
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, "9817200001", "State@2026");
    b.go(&format!("{base}/home/hrms/new"));
    assert_eq!(
        b.count("input[name=gender]:checked"),
        0,
        "no gender is chosen for the person"
    );
    b.type_into("input[name=name]", "Manpreet Sandhu");
    b.type_into("input[name=mobile]", "9817200002");
    b.click("input[name=gender][value=MALE]");
    // divisions by their names in Punjabi, never as codes
    let division = text_of(&b, "select[name=division] option[value=DIV1038]");
    assert_eq!(division, same("ਸ੍ਰੀ ਅਨੰਦਪੁਰ ਸਾਹਿਬ"));
    assert!(
        !text_of(&b, "select[name=division]").contains("DIV"),
        "a division code shown"
    );
    b.js("document.querySelector('select[name=division]').value = 'DIV1038'; return null;");
    b.click("form.card button[type=submit]");
    b.wait_path("/home/hrms/EMP-");
    b.snap("hrms-division-user");
    // Sri Anandpur Sahib division: 84 GPs, two roles on each; shown as two roles.
    assert_eq!(b.count("#roles li"), 2, "{}", text_of(&b, "#roles"));
    let roles = text_of(&b, "#roles");
    assert!(
        roles.contains("ਡਿਵੀਜ਼ਨ ਪ੍ਰਬੰਧਕ")
            && roles.contains("ਕਰਮਚਾਰੀ ਪ੍ਰਬੰਧਕ")
            && roles.matches("84 ਗ੍ਰਾਮ ਪੰਚਾਇਤਾਂ").count() == 2
            && roles.contains("ਲੋਧੀਪੁਰ"),
        "{roles}"
    );
    assert!(
        !roles.contains("DIVISION ADMIN") && !roles.contains("(pb."),
        "{roles}"
    );
    let height = b.js("return document.documentElement.scrollHeight;");
    assert!(height.as_i64().unwrap() < 2500, "detail page {height} px");
    assert!(b.fits_width(), "the detail page pans sideways");
    let history = text_of(&b, "#history");
    assert!(
        !history.contains('{') && history.contains("Tester") && history.contains("ਜੋੜਿਆ"),
        "{history}"
    );
    assert_eq!(small_or_unlabelled(&b), "");

    b.go(&format!("{base}/home/hrms"));
    let main = text_of(&b, "main");
    assert_eq!(main.matches("ਡਿਵੀਜ਼ਨ ਪ੍ਰਬੰਧਕ").count(), 1, "{main}");
    let height = b.js("return document.documentElement.scrollHeight;");
    assert!(height.as_i64().unwrap() < 2500, "list page {height} px");
    assert!(b.fits_width(), "the list pans sideways");
    assert_eq!(small_or_unlabelled(&b), "");
    // The search boxes are labelled (not only a placeholder).
    assert!(
        text_of(&b, "label:has(#search-name)").contains("ਨਾਮ")
            && text_of(&b, "label:has(#search-mobile)").contains("ਮੋਬਾਈਲ"),
        "{main}"
    );
}

#[test]
fn a_gp_staff_form_asks_for_the_gender_ticks_the_only_gp_and_tells_the_history_in_sentences() {
    let app = TestApp::new();
    staff(&app, "9817200011", &["DIV_ADMIN", "HRMS_ADMIN"], "Div@2026");
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, "9817200011", "Div@2026");
    b.go(&format!("{base}/home/hrms/new"));
    assert_eq!(
        b.count("input[name=gender]:checked"),
        0,
        "no default gender"
    );
    assert_eq!(
        b.count("input[name=gp][value='pb.lodhipur']:checked"),
        1,
        "the only GP is ticked"
    );
    assert!(text_of(&b, "#gps").contains("ਲੋਧੀਪੁਰ"));
    assert_eq!(small_or_unlabelled(&b), "");
    b.type_into("input[name=name]", "Asha Rani");
    b.type_into("input[name=mobile]", "9817200012");
    b.js("document.querySelector('select[name=role]').value = 'SECRETARY'; return null;");
    b.click("form.card button[type=submit]");
    b.wait_text("role=\"alert\"");
    let error = text_of(&b, ".error");
    assert!(error.contains("ਲਿੰਗ"), "the error names the field: {error}");
    assert!(!b.url().contains("/home/hrms/EMP-"), "nothing was created");
    // What was entered is kept.
    assert_eq!(
        b.js("return document.querySelector('input[name=name]').value;"),
        json!("Asha Rani")
    );
    assert_eq!(
        b.count("input[name=gp][value='pb.lodhipur']:checked"),
        1,
        "the GP is still ticked"
    );
    b.click("input[name=gender][value=FEMALE]");
    b.click("form.card button[type=submit]");
    b.wait_path("/home/hrms/EMP-");
    let roles = text_of(&b, "#roles");
    assert!(
        roles.contains("ਸਕੱਤਰ") && roles.contains("ਲੋਧੀਪੁਰ") && !roles.contains("pb."),
        "{roles}"
    );
    // Deactivate, then read the history.
    b.click("form[action$='/status'] button[type=submit]");
    b.wait_text("ਬੰਦ ਕੀਤਾ");
    b.snap("hrms-history");
    let history = text_of(&b, "#history");
    assert_eq!(b.count("#history li"), 2, "{history}");
    assert!(
        !history.contains('{')
            && history.contains("ਜੋੜਿਆ")
            && history.contains("ਬੰਦ ਕੀਤਾ")
            && history.contains("ਹੋਰ ਕਾਰਨ")
            && history.contains("Tester"),
        "{history}"
    );
    assert_eq!(small_or_unlabelled(&b), "");
    // In Hindi too.
    let here = b.url();
    b.go(&format!(
        "{base}/lang?to=hi&next={}",
        here.trim_start_matches(&base)
    ));
    b.wait_text("lang=\"hi\"");
    let roles = text_of(&b, "#roles");
    let history = text_of(&b, "#history");
    assert!(
        roles.contains("सचिव") && roles.contains("लोधीपुर"),
        "{roles}"
    );
    assert!(
        history.contains("जोड़ा") && !history.contains('{'),
        "{history}"
    );
}
