//! Work that changes many demands at once, on a phone in Punjabi: generating a month's demand
//! (defect 6: the confirmation says how many households for how much, the result what
//! happened) and deactivating a household (defect 13: a question first, with what it cancels;
//! the missing remarks refused in Punjabi, naming the field).

use mgramseva::words::inr;
use rust_decimal::Decimal;

use super::*;
use crate::register::Gp;

const CLERK: &str = "9817000051";
const PASSWORD: &str = "Clerk@2026";

fn flat_rate(gp: &Gp) -> Decimal {
    mgramseva::municipal::calculator::rates::rate_for(
        &mut gp.app.db.conn(),
        "pb",
        GP,
        "RESIDENTIAL",
        "Non_Metered",
        gp.last,
    )
    .unwrap()
    .minimum
}

fn gp_with(list: &[(&str, &str, &str)], bill_last_month: bool) -> (Gp, Vec<String>) {
    let gp = Gp::new();
    let nos = actix_web::rt::System::new().block_on(async {
        let mut nos = Vec::new();
        for (name, mobile, old) in list {
            let wc = json!({});
            nos.push(
                gp.household(name, mobile, old, "RESIDENTIAL", gp.before, wc)
                    .await,
            );
        }
        if bill_last_month {
            gp.bulk(gp.last).await;
        }
        nos
    });
    staff(&gp.app, CLERK, &["SECRETARY"], PASSWORD);
    (gp, nos)
}

#[test]
fn generate_demand_says_how_many_households_for_how_much_then_what_it_did() {
    let (gp, _) = gp_with(
        &[
            ("Gurpreet Kaur", "9876500601", "G/1"),
            ("Harjit Singh", "9876500602", "G/2"),
        ],
        false,
    );
    let total = inr(flat_rate(&gp) * Decimal::from(2));
    let month = gp.last.format("%Y-%m").to_string();
    let port = serve(gp.app.state);
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, CLERK, PASSWORD);
    b.go(&format!("{base}/home/billmanualgenerate"));
    b.click(&format!("#month option[value='{month}']"));
    b.click("#next");
    b.wait_text("id=\"plan\"");
    let plan = text_of(&b, "#plan");
    assert!(
        plan.contains(&format!("2 ਘਰਾਂ ਦਾ ਬਿੱਲ ਬਣੇਗਾ: ਕੁੱਲ {total}")),
        "{plan}"
    );
    assert!(b.fits_width(), "the confirmation pans sideways");
    b.click("#generate");
    b.wait_text("id=\"result\"");
    let result = text_of(&b, "#result");
    assert!(
        result.contains(&format!("2 ਘਰਾਂ ਦਾ ਬਿੱਲ ਬਣਿਆ: ਕੁੱਲ {total}")),
        "{result}"
    );
    let page = b.source();
    assert!(
        !page.contains("DONE") && !page.contains("demands generated"),
        "status codes or English on the result"
    );
    // the same month again: nothing to confirm
    b.go(&format!("{base}/home/billmanualgenerate"));
    b.click(&format!("#month option[value='{month}']"));
    b.click("#next");
    b.wait_text("id=\"plan\"");
    assert_eq!(b.count("#generate"), 0, "the month is already billed");
}

#[test]
fn deactivating_a_household_asks_first_and_wants_remarks_in_punjabi() {
    let (gp, nos) = gp_with(&[("Gurpreet Kaur", "9876500611", "X/1")], true);
    let rate = inr(flat_rate(&gp));
    let status = |app: &TestApp| -> String {
        use diesel::prelude::*;
        use mgramseva::db::schema::water_connection as w;
        w::table
            .filter(w::connection_no.eq(&nos[0]))
            .select(w::status)
            .first(&mut app.db.conn())
            .unwrap()
    };
    let port = serve(gp.app.state.clone());
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::phone();
    b.log_in(&base, CLERK, PASSWORD);
    let edit = format!(
        "{base}/home/consumerupdate?no={}",
        nos[0].replace('/', "%2F")
    );
    b.go(&edit);
    b.wait_text("id=\"edit-form\"");

    // no remarks: the Punjabi error names the field; nothing changes
    b.click("#inactive");
    b.click("#submit");
    b.wait_text("id=\"errors\"");
    let errors = text_of(&b, "#errors");
    assert!(errors.contains("ਟਿੱਪਣੀ"), "{errors}");
    assert!(!errors.contains("Marking"), "English: {errors}");
    assert_eq!(status(&gp.app), "Active");

    // with remarks: a question first, naming the household and the unpaid demand it cancels
    if b.js("return document.querySelector('#inactive').checked;") != json!(true) {
        b.click("#inactive");
    }
    b.type_into("#remarks", "House locked");
    b.click("#submit");
    b.wait_text("id=\"confirm-deactivate\"");
    let question = text_of(&b, "#confirm-deactivate");
    assert!(
        question.contains("Gurpreet Kaur")
            && question.contains(&format!("ਇਸ ਦੀ 1 ਬਿਨਾਂ ਭੁਗਤਾਨ ਮੰਗ, {rate}, ਰੱਦ")),
        "{question}"
    );
    assert_eq!(status(&gp.app), "Active", "changed before the answer");
    assert!(b.fits_width(), "the question pans sideways");
    b.click("#confirm");
    b.wait_path("/home/household");
    assert_eq!(status(&gp.app), "Inactive");
}
