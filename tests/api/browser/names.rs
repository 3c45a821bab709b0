//! Names shown as data, on a phone in Punjabi and Hindi: the GP (header, switcher, rate page),
//! its ward and division, a household's category and sub-category, the tiles, all through the
//! catalogue; never "LODHIPUR", "pb.lodhipur", "WARD1", "BPL" or "GPWSC".

use super::*;

/// What a person reads on the page (not the attributes).
fn seen(b: &Browser) -> String {
    b.js("return document.body.innerText;")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn assert_no_codes(b: &Browser, page: &str) {
    let text = seen(b);
    for code in [
        "LODHIPUR",
        "pb.lodhipur",
        "WARD1",
        "GPWSC",
        "KALWAN",
        "pb.kalwan",
    ] {
        assert!(!text.contains(code), "{page} shows {code:?}:\n{text}");
    }
}

#[test]
fn gp_ward_division_and_categories_by_name_in_punjabi_and_hindi() {
    let app = TestApp::new();
    let admin = app.login("9817000951", &["GP_ADMIN"]);
    let wc = actix_web::rt::System::new().block_on(gp_household(
        &app,
        &admin,
        ("9876500951", "Gurpreet Kaur", "LP-951"),
        json!({"additionalDetails": {"category": "BPL", "subCategory": "SC"}}),
    ));
    let no = wc["connectionNo"].as_str().unwrap().to_owned();
    staff(
        &app,
        "9817000952",
        &["GP_ADMIN", "SECRETARY", "COLLECTION_OPERATOR@pb.kalwan"],
        "Harjit@2026",
    );
    let port = serve(app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, "9817000952", "Harjit@2026");

    // Punjabi, the default: the GP switcher names both GPs in Gurmukhi
    b.wait_text("id=\"tiles\"");
    let gps = b.js("return [...document.querySelectorAll('select[name=tenant] option')].map(o => o.textContent);");
    assert_eq!(gps, json!(["ਕਲਵਾਂ", "ਲੋਧੀਪੁਰ"]), "the GP switcher");
    assert_no_codes(&b, "home (Kalwan)");
    // Kalwan comes first: switch to Lodhipur
    b.click("select[name=tenant] option[value='pb.lodhipur']");
    let started = std::time::Instant::now();
    while b.js("return document.querySelector('.who .gp, select[name=tenant]').value;")
        != json!("pb.lodhipur")
        || !b.source().contains("id=\"tiles\"")
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the GP switch did not take"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_no_codes(&b, "home");
    let home = seen(&b);
    assert!(home.contains("ਜਲ ਕਮੇਟੀ ਦੇ ਵੇਰਵੇ ਅਤੇ ਰੇਟ"), "{home}");

    // the household: its ward by name, category and sub-category in Punjabi
    let no_q = no.replace('/', "%2F");
    b.go(&format!("{base}/home/household?no={no_q}"));
    b.wait_text("id=\"details\"");
    let house = seen(&b);
    assert!(house.contains("ਲੋਧੀਪੁਰ"), "{house}");
    assert!(
        house.contains("Gurdwara Road, ਲੋਧੀਪੁਰ"),
        "the address: {house}"
    );
    assert!(
        house.contains("ਬੀਪੀਐਲ") && house.contains("ਅਨੁਸੂਚਿਤ ਜਾਤੀ"),
        "{house}"
    );
    assert!(!house.contains("BPL") && !house.contains("\tSC"), "{house}");
    assert_no_codes(&b, "household");

    // the rate page: the GP and its division by name, no code
    b.go(&format!("{base}/home/villagedetails"));
    b.wait_text("id=\"gp-name\"");
    assert_eq!(
        b.js("return document.getElementById('gp-name').textContent;"),
        json!("ਲੋਧੀਪੁਰ")
    );
    let rates = seen(&b);
    assert!(rates.contains("ਸ੍ਰੀ ਅਨੰਦਪੁਰ ਸਾਹਿਬ"), "{rates}");
    assert_no_codes(&b, "rates");
    assert!(b.fits_width(), "the rate page pans sideways");

    // the profile names the roles held and where, through the catalogue
    b.go(&format!("{base}/home/profile"));
    b.wait_text("id=\"roles\"");
    let profile = seen(&b);
    assert!(
        profile.contains("ਸਕੱਤਰ · ਲੋਧੀਪੁਰ")
            && profile.contains("ਗ੍ਰਾਮ ਪੰਚਾਇਤ ਪ੍ਰਬੰਧਕ · ਲੋਧੀਪੁਰ")
            && profile.contains("ਵਸੂਲੀ ਕਰਨ ਵਾਲਾ · ਕਲਵਾਂ"),
        "{profile}"
    );
    assert!(
        !profile.contains("SECRETARY") && !profile.contains("GP_ADMIN"),
        "{profile}"
    );
    assert_no_codes(&b, "profile");

    // the new-household form offers the categories by name (the codes stay the values)
    b.go(&format!("{base}/home/consumercreate"));
    b.wait_text("id=\"sub_category\"");
    assert_eq!(
        b.js("return document.querySelector('#sub_category option[value=SC]').textContent;"),
        json!("ਅਨੁਸੂਚਿਤ ਜਾਤੀ")
    );
    assert_eq!(
        b.js("return document.querySelector('#category option[value=APL]').textContent;"),
        json!("ਏਪੀਐਲ")
    );

    // Hindi
    b.go(&format!(
        "{base}/lang?to=hi&next=/home/household%3Fno%3D{no_q}"
    ));
    b.wait_text("lang=\"hi\"");
    b.wait_text("id=\"details\"");
    let house = seen(&b);
    assert!(house.contains("Gurdwara Road, लोधीपुर"), "{house}");
    assert!(
        house.contains("बीपीएल") && house.contains("अनुसूचित जाति"),
        "{house}"
    );
    assert_no_codes(&b, "household (hi)");
    b.go(&format!("{base}/home"));
    b.wait_text("id=\"tiles\"");
    let gps = b.js("return [...document.querySelectorAll('select[name=tenant] option')].map(o => o.textContent);");
    assert_eq!(gps, json!(["कलवां", "लोधीपुर"]));
    assert_no_codes(&b, "home (hi)");
    b.go(&format!("{base}/home/villagedetails"));
    b.wait_text("id=\"gp-name\"");
    let rates = seen(&b);
    assert!(
        rates.contains("लोधीपुर") && rates.contains("श्री आनंदपुर साहिब"),
        "{rates}"
    );
    assert_no_codes(&b, "rates (hi)");
}
