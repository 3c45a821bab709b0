//! Staff pages that change many demands at once ask first and say what happened (issue 13):
//! generate demand (defect 6: the confirmation says how many households a run bills and for how
//! much at the GP's own rate; the result says what happened and why, in the page's language, with
//! no status codes) and deactivating a household (defect 13: a confirmation with the unpaid
//! demands it cancels; the missing-remarks error translated, naming the field).

use actix_web::http::StatusCode;
use actix_web::test;
use rust_decimal::Decimal;

use crate::helpers::*;
use crate::pages::{CSRF, Page, call_in, log_in, mark_password_changed, session_of};
use crate::register::Gp;

async fn post_in(app: &TestApp, path: &str, form: &str, sid: &str, lang: &str) -> Page {
    let req = test::TestRequest::post()
        .uri(path)
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(form.to_owned());
    call_in(app, req, Some(sid), lang).await
}

/// The text of the element with `id` (up to its first tag end).
fn text_of(body: &str, id: &str) -> String {
    body.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|s| s.split_once('>'))
        .map(|(_, s)| s.split('<').next().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

#[actix_web::test]
async fn generate_demand_confirms_count_and_total_and_says_what_happened() {
    let gp = Gp::new();
    let (last, before) = (gp.last, gp.before);
    for (name, mobile, old) in [
        ("Gurpreet Kaur", "9876500501", "D/1"),
        ("Harjit Singh", "9876500502", "D/2"),
    ] {
        gp.household(
            name,
            mobile,
            old,
            "RESIDENTIAL",
            before,
            serde_json::json!({}),
        )
        .await;
    }
    let app = &gp.app;
    // the GP's own flat residential rate for the month
    let rate = mgramseva::municipal::calculator::rates::rate_for(
        &mut app.db.conn(),
        "pb",
        GP,
        "RESIDENTIAL",
        "Non_Metered",
        last,
    )
    .unwrap()
    .minimum;
    assert!(rate > Decimal::ZERO);
    let total = mgramseva::words::inr(rate * Decimal::from(2));
    let clerk = app.employee("9816000081", &["SECRETARY"], Some("Clerk@123"));
    mark_password_changed(app, clerk.id);
    let sid = session_of(&log_in(app, "9816000081", "Clerk@123").await);
    let month = format!("_csrf={CSRF}&month={}", last.format("%Y-%m"));

    // the confirmation, in Punjabi: two households, twice the rate
    let confirm = post_in(app, "/home/billmanualgenerate/confirm", &month, &sid, "pa").await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let plan = text_of(&confirm.body, "plan");
    assert!(
        plan.contains(&format!("2 ਘਰਾਂ ਦਾ ਬਿੱਲ ਬਣੇਗਾ: ਕੁੱਲ {total}"))
            && plan.contains(&last.format("%Y").to_string()),
        "{plan}"
    );
    assert!(confirm.body.contains("id=\"generate\""));

    // the run, in Punjabi: what it did, no status code
    let run = post_in(app, "/home/billmanualgenerate", &month, &sid, "pa").await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    let result = text_of(&run.body, "result");
    assert!(
        result.contains(&format!("2 ਘਰਾਂ ਦਾ ਬਿੱਲ ਬਣਿਆ: ਕੁੱਲ {total}")),
        "{result}"
    );
    assert!(
        !run.body.contains("DONE") && !run.body.contains("demands generated"),
        "{}",
        run.body
    );
    assert!(run.body.contains("ਪੂਰਾ ਹੋਇਆ"), "the run's status, translated");

    // the same month again, in English: the confirmation says it is billed and offers no run
    let again = post_in(app, "/home/billmanualgenerate/confirm", &month, &sid, "en").await;
    assert_eq!(
        text_of(&again.body, "plan"),
        format!(
            "Nothing billed: {} is already billed (2 households already have a demand for it)",
            last.format("%B %Y")
        )
    );
    assert!(!again.body.contains("id=\"generate\""));
    let rerun = post_in(app, "/home/billmanualgenerate", &month, &sid, "en").await;
    assert_eq!(rerun.status, StatusCode::OK, "{}", rerun.body);
    assert_eq!(
        text_of(&rerun.body, "result"),
        format!(
            "Nothing billed: {} is already billed (2 households already have a demand for it)",
            last.format("%B %Y")
        )
    );
    assert!(!rerun.body.contains("Zero Demands"), "{}", rerun.body);

    // a month before any household was active, in Punjabi and Hindi: nobody to bill
    let early = format!("_csrf={CSRF}&month={}", before.format("%Y-%m"));
    let none = post_in(app, "/home/billmanualgenerate", &early, &sid, "pa").await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.body);
    let result = text_of(&none.body, "result");
    assert!(
        result.starts_with("ਕੋਈ ਬਿੱਲ ਨਹੀਂ ਬਣਿਆ:") && result.contains("ਕੋਈ ਵੀ ਫਲੈਟ-ਰੇਟ ਘਰ ਚਾਲੂ ਨਹੀਂ ਸੀ"),
        "{result}"
    );
    let none = post_in(app, "/home/billmanualgenerate/confirm", &early, &sid, "hi").await;
    let plan = text_of(&none.body, "plan");
    assert!(plan.contains("कोई भी फ्लैट-रेट घर चालू नहीं था"), "{plan}");
    assert!(!none.body.contains("id=\"generate\""));
    // two demands in all: none for the month before, none twice
    let demands: i64 = {
        use diesel::prelude::*;
        use mgramseva::db::schema::billing_demand as d;
        d::table
            .filter(d::tenant_id.eq(GP))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap()
    };
    assert_eq!(demands, 2);
}

fn household_status(app: &TestApp, no: &str) -> (String, i64) {
    use diesel::prelude::*;
    use mgramseva::db::schema::{billing_demand as d, water_connection as wc};
    let mut c = app.db.conn();
    let status = wc::table
        .filter(wc::connection_no.eq(no))
        .select(wc::status)
        .first(&mut c)
        .unwrap();
    let live = d::table
        .filter(d::consumer_code.eq(no))
        .filter(d::status.eq("ACTIVE"))
        .count()
        .get_result(&mut c)
        .unwrap();
    (status, live)
}

#[actix_web::test]
async fn deactivating_a_household_asks_first_with_what_it_cancels() {
    let gp = Gp::new();
    let (last, before) = (gp.last, gp.before);
    let no = gp
        .household(
            "Gurpreet Kaur",
            "9876500511",
            "X/1",
            "RESIDENTIAL",
            before,
            serde_json::json!({}),
        )
        .await;
    let other = gp
        .household(
            "Harjit Singh",
            "9876500512",
            "X/2",
            "RESIDENTIAL",
            before,
            serde_json::json!({}),
        )
        .await;
    gp.bulk(last).await;
    let app = &gp.app;
    let rate = mgramseva::municipal::calculator::rates::rate_for(
        &mut app.db.conn(),
        "pb",
        GP,
        "RESIDENTIAL",
        "Non_Metered",
        last,
    )
    .unwrap()
    .minimum;
    let clerk = app.employee("9816000082", &["SECRETARY"], Some("Clerk@123"));
    mark_password_changed(app, clerk.id);
    let sid = session_of(&log_in(app, "9816000082", "Clerk@123").await);
    let form = |no: &str, name: &str, mobile: &str, old: &str, remarks: &str| {
        format!(
            "_csrf={CSRF}&no={}&name={}&gender=FEMALE&guardian=Baldev+Singh&mobile={mobile}&old_no={old}\
             &property_type=RESIDENTIAL&connection_type=Non_Metered&inactive=on&remarks={remarks}",
            no.replace('/', "%2F"),
            name.replace(' ', "+"),
        )
    };

    // first the question, in Punjabi: one unpaid demand at the GP's rate; nothing changed yet
    let ask = form(&no, "Gurpreet Kaur", "9876500511", "X%2F1", "House+locked");
    let q = post_in(app, "/home/consumerupdate", &ask, &sid, "pa").await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    let question = text_of(&q.body, "confirm-deactivate");
    assert!(
        question.contains(&no)
            && question.contains("Gurpreet Kaur")
            && question.contains(&format!(
                "ਇਸ ਦੀ 1 ਬਿਨਾਂ ਭੁਗਤਾਨ ਮੰਗ, {}, ਰੱਦ",
                mgramseva::words::inr(rate)
            )),
        "{question}"
    );
    assert!(
        q.body.contains("name=\"confirmed\" value=\"1\"") && q.body.contains("id=\"confirm\""),
        "{}",
        q.body
    );
    assert_eq!(household_status(app, &no), ("Active".to_owned(), 1));
    // in English, one demand is one demand (not "1 unpaid demands")
    let q = post_in(app, "/home/consumerupdate", &ask, &sid, "en").await;
    let question = text_of(&q.body, "confirm-deactivate");
    assert!(
        question.contains(&format!(
            "Its 1 unpaid demand, {}, will be cancelled",
            mgramseva::words::inr(rate)
        )),
        "{question}"
    );

    // then the action, confirmed: inactive, the unpaid demand cancelled
    let done = post_in(
        app,
        "/home/consumerupdate",
        &format!("{ask}&confirmed=1"),
        &sid,
        "pa",
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(household_status(app, &no), ("Inactive".to_owned(), 0));

    // no remarks: refused in the page's language, naming the field, and nothing changed
    let bare = form(&other, "Harjit Singh", "9876500512", "X%2F2", "");
    let r = post_in(app, "/home/consumerupdate", &bare, &sid, "pa").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let errors = r.body.split("id=\"errors\"").nth(1).unwrap_or_default();
    assert!(
        errors.contains("ਟਿੱਪਣੀ:") && !errors.contains("Marking a connection inactive"),
        "{}",
        r.body
    );
    let r = post_in(app, "/home/consumerupdate", &bare, &sid, "hi").await;
    assert!(r.body.contains("टिप्पणी:"), "{}", r.body);
    assert_eq!(household_status(app, &other), ("Active".to_owned(), 1));
}
