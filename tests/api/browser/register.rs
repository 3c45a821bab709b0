//! The household register on a 360×740 phone in Punjabi (issue 13, defect 7): the page never
//! pans, the tab shown is marked, every sortable column sorts both ways with its arrow and
//! `aria-sort`, each household is under exactly one tab and the tab counts add up.

use super::*;
use crate::register::Gp;

/// Five households: Amarjit owes 70, Gurpreet 40 (paid 30 of 70), Harjit paid all, Baljit joined
/// after the last bill run (never billed, opening advance 100), Jaswant's connection was closed
/// before it (never billed, inactive).
fn five_households() -> Gp {
    actix_web::rt::System::new().block_on(async {
        let gp = Gp::new();
        let before = gp.before;
        let mut nos = Vec::new();
        for (name, mobile, old) in [
            ("Amarjit Kaur", "9876500401", "R/1"),
            ("Gurpreet Kaur", "9876500402", "R/2"),
            ("Harjit Singh", "9876500403", "R/3"),
            ("Jaswant Singh", "9876500404", "R/4"),
        ] {
            nos.push(
                gp.household(name, mobile, old, "RESIDENTIAL", before, json!({}))
                    .await,
            );
        }
        let (s, v) = gp
            .app
            .post(
                "/ws-services/wc/_update",
                json!({"RequestInfo": ri(&gp.token), "WaterConnection": {"tenantId": GP, "connectionNo": nos[3],
                    "status": "Inactive", "additionalDetails": {"remarks": "House locked"}}}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        gp.bulk(gp.last).await;
        gp.pay(&nos[1], 30).await;
        gp.pay(&nos[2], 70).await;
        gp.household(
            "Baljit Singh",
            "9876500405",
            "R/5",
            "RESIDENTIAL",
            gp.last,
            json!({"advance": 100}),
        )
        .await;
        gp
    })
}

/// The names listed, in order.
fn names(b: &Browser) -> Vec<String> {
    let v = b.js("return [...document.querySelectorAll('#register tbody tr')].map(r => r.cells[2].textContent.trim());");
    serde_json::from_value(v).unwrap()
}

/// The count in a tab's label, e.g. 2 in "ਬਕਾਇਆ (2)".
fn tab_count(b: &Browser, id: &str) -> usize {
    let text = b
        .js(&format!(
            "return document.getElementById('tab-{id}').textContent;"
        ))
        .as_str()
        .unwrap()
        .to_owned();
    let n = text.rsplit('(').next().unwrap().trim_end_matches(')');
    n.parse().unwrap_or_else(|_| panic!("no count in {text:?}"))
}

#[test]
fn the_register_fits_a_phone_marks_its_tab_sorts_both_ways_and_counts_add_up() {
    let gp = five_households();
    staff(&gp.app, "9817000051", &["GP_ADMIN"], "Harjit@2026");
    let port = serve(gp.app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, "9817000051", "Harjit@2026");
    b.go(&format!("{base}/home/householdRegister"));
    b.wait_text("id=\"register\"");
    assert_eq!(b.js("return document.documentElement.lang;"), json!("pa"));
    b.snap("register-phone-all");

    // Nothing pans sideways, and every figure of every household is on the screen.
    assert!(
        b.fits_width(),
        "the register pans: {} px on {} px",
        b.js("return document.documentElement.scrollWidth;"),
        b.js("return window.innerWidth;")
    );
    let off = b.js("return [...document.querySelectorAll('#register td')].filter(td => { const r = td.getBoundingClientRect(); return r.right > window.innerWidth + 0.5 || r.left < 0; }).length;");
    assert_eq!(off, json!(0), "cells beyond the screen's edge");
    // Status and last bill date are shown in each card with their column's name.
    assert!(b.source().contains("data-label=\"ਸਥਿਤੀ\""));

    // The tab shown is marked, for the eye and for a screen reader.
    assert_eq!(
        b.js("return document.getElementById('tab-all').getAttribute('aria-current');"),
        json!("page")
    );
    assert_eq!(
        b.js("return document.querySelectorAll('#tabs [aria-current]').length;"),
        json!(1)
    );
    let style = |id: &str| {
        b.js(&format!("const s = getComputedStyle(document.getElementById('tab-{id}')); return [s.backgroundColor, s.color, s.fontWeight].join(' ');"))
    };
    assert_ne!(
        style("all"),
        style("pending"),
        "the shown tab looks like the others"
    );

    // Each household under exactly one tab; the counts add up to what All lists.
    let all = tab_count(&b, "all");
    let parts = ["pending", "paid", "unbilled", "inactive"].map(|t| tab_count(&b, t));
    assert_eq!(all, 5);
    assert_eq!(parts, [2, 1, 1, 1], "pending, paid, not billed, inactive");
    assert_eq!(parts.iter().sum::<usize>(), all);
    assert_eq!(names(&b).len(), all);
    for (tab, want) in [
        ("pending", vec!["Amarjit Kaur", "Gurpreet Kaur"]),
        ("paid", vec!["Harjit Singh"]),
        ("unbilled", vec!["Baljit Singh"]),
        ("inactive", vec!["Jaswant Singh"]),
    ] {
        b.click(&format!("#tab-{tab}"));
        b.wait_path(&format!("tab={tab}"));
        assert_eq!(names(&b), want, "tab {tab}");
        assert_eq!(tab_count(&b, tab), want.len());
        assert_eq!(
            b.js(&format!(
                "return document.getElementById('tab-{tab}').getAttribute('aria-current');"
            )),
            json!("page")
        );
        assert!(b.fits_width(), "tab {tab} pans");
    }
    b.click("#tab-all");
    b.wait_path("tab=all");

    // Names A to Z by default, shown as the sorted column.
    assert_eq!(
        names(&b),
        [
            "Amarjit Kaur",
            "Baljit Singh",
            "Gurpreet Kaur",
            "Harjit Singh",
            "Jaswant Singh"
        ]
    );
    let sort_state = |id: &str| {
        b.js(&format!("const th = document.getElementById('th-{id}'); return [th.getAttribute('aria-sort'), th.textContent.includes('▲') ? '▲' : th.textContent.includes('▼') ? '▼' : ''];"))
    };
    assert_eq!(sort_state("name"), json!(["ascending", "▲"]));
    assert_eq!(sort_state("pending"), json!([null, ""]));
    // Name again: Z to A.
    b.click("#th-name a");
    b.wait_path("desc=1");
    assert_eq!(sort_state("name"), json!(["descending", "▼"]));
    assert_eq!(
        names(&b),
        [
            "Jaswant Singh",
            "Harjit Singh",
            "Gurpreet Kaur",
            "Baljit Singh",
            "Amarjit Kaur"
        ]
    );
    // The pending amount, least first, then most first; the tab stays.
    b.click("#tab-pending");
    b.wait_path("tab=pending");
    b.click("#th-pending a");
    b.wait_path("sort=pending");
    assert_eq!(sort_state("pending"), json!(["ascending", "▲"]));
    assert_eq!(sort_state("name"), json!([null, ""]));
    assert_eq!(names(&b), ["Gurpreet Kaur", "Amarjit Kaur"]);
    b.click("#th-pending a");
    b.wait_path("desc=1");
    assert_eq!(sort_state("pending"), json!(["descending", "▼"]));
    assert_eq!(names(&b), ["Amarjit Kaur", "Gurpreet Kaur"]);
    assert!(b.url().contains("tab=pending"), "{}", b.url());
    b.snap("register-phone-pending-desc");
    // The downloads follow the tab and the order.
    for id in ["export-pdf", "export-xlsx"] {
        let href = b
            .js(&format!(
                "return document.getElementById('{id}').getAttribute('href');"
            ))
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            href.contains("tab=pending")
                && href.contains("sort=pending")
                && href.contains("desc=1"),
            "{href}"
        );
    }

    // Thumb-sized: tabs, sort buttons, search, downloads and household links.
    let small = b.js("return [...document.querySelectorAll('.register a, .register button, .register input:not([type=hidden])')].filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80));");
    assert_eq!(small, json!([]), "tap targets under 44 px");
}
