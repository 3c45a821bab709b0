//! The original's apportion-service paths (its Postman collection calls them): the same
//! apportioning the payments use (product.md §3.3), on posted bills and demands.

use serde_json::{Value, json};

use crate::helpers::*;

fn account<'a>(bill: &'a Value, detail: usize, head: &str) -> &'a Value {
    bill["billDetails"][detail]["billAccountDetails"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["taxHeadCode"] == head))
        .unwrap_or(&Value::Null)
}

/// April: arrears 100 and opening penalty 20; May: water charge 50 (posted newest first).
fn bill(paid: i64, advance_allowed: bool) -> Value {
    json!({"businessService": "WS", "amountPaid": paid, "isAdvanceAllowed": advance_allowed,
        "id": "b-1", "billNumber": "BILL/1",
        "billDetails": [
            {"id": "may", "fromPeriod": 1_777_593_600_000_i64, "billAccountDetails": [
                {"id": "m1", "taxHeadCode": "10101", "amount": 50, "adjustedAmount": 0}]},
            {"id": "april", "fromPeriod": 1_775_001_600_000_i64, "billAccountDetails": [
                {"id": "a2", "taxHeadCode": "10201", "amount": 20, "adjustedAmount": 0},
                {"id": "a1", "taxHeadCode": "10102", "amount": 100, "adjustedAmount": 0}]}]})
}

#[actix_web::test]
async fn bills_are_paid_oldest_period_first_and_the_rest_becomes_advance() {
    let app = TestApp::new();
    let su = app.login("9811100001", &["SUPERUSER@pb"]);
    let path = "/apportion-service/v2/bill/_apportion";
    let call = |bills: Vec<Value>| {
        let body = json!({"RequestInfo": ri(&su), "tenantId": GP, "Bills": bills});
        app.post(path, body)
    };
    // 150: April's 120 in full, then 30 of May's 50
    let (s, v) = call(vec![bill(150, true)]).await;
    assert_eq!(s, 200, "{v}");
    let b = &v["Bills"][0];
    assert_eq!(b["billDetails"][0]["id"], "april", "oldest period first");
    assert_eq!(account(b, 0, "10102")["adjustedAmount"], json!(100));
    assert_eq!(account(b, 0, "10201")["adjustedAmount"], json!(20));
    assert_eq!(account(b, 1, "10101")["adjustedAmount"], json!(30));
    assert_eq!(b["billDetails"][0]["amountPaid"], json!(120));
    assert_eq!(b["billDetails"][1]["amountPaid"], json!(30));
    assert_eq!(
        b["billNumber"], "BILL/1",
        "the rest of the bill comes back as sent"
    );
    // 200.50: everything, and 30.50 becomes a negative advance line on the latest period
    let mut over = bill(0, true);
    over["amountPaid"] = json!("200.50");
    let (s, v) = call(vec![over]).await;
    assert_eq!(s, 200, "{v}");
    let b = &v["Bills"][0];
    assert_eq!(account(b, 1, "10101")["adjustedAmount"], json!(50));
    assert_eq!(
        account(b, 1, "WS_ADVANCE_CARRYFORWARD")["amount"],
        json!(-30.5)
    );
    // an advance where the service takes none, a third decimal, a negative payment: refused
    let (s, v) = call(vec![bill(200, false)]).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "ADVANCE_NOT_ALLOWED"), "{v}");
    let mut bad = bill(0, true);
    bad["amountPaid"] = json!("10.005");
    let (s, v) = call(vec![bad]).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_AMOUNT"), "{v}");
    let (s, v) = call(vec![bill(-5, true)]).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_AMOUNT"), "{v}");
    // a GP's staff have no use for it
    let admin = app.login("9811100002", &["GP_ADMIN"]);
    let (s, _) = app
        .post(
            path,
            json!({"RequestInfo": ri(&admin), "tenantId": GP, "Bills": [bill(10, true)]}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .post(path, json!({"tenantId": GP, "Bills": [bill(10, true)]}))
        .await;
    assert_eq!(s, 401);
}

#[actix_web::test]
async fn an_advance_is_used_against_older_demands() {
    let app = TestApp::new();
    let su = app.login("9811100003", &["SUPERUSER@pb"]);
    // April owes 50 + 10 penalty; May carries an advance of 70
    let body = json!({"RequestInfo": ri(&su), "tenantId": GP, "Demands": [
        {"id": "may", "businessService": "WS", "taxPeriodFrom": 1_777_593_600_000_i64, "demandDetails": [
            {"id": "m1", "taxHeadMasterCode": "WS_ADVANCE_CARRYFORWARD", "taxAmount": -70, "collectionAmount": 0}]},
        {"id": "april", "businessService": "WS", "taxPeriodFrom": 1_775_001_600_000_i64, "demandDetails": [
            {"id": "a1", "taxHeadMasterCode": "10101", "taxAmount": 50, "collectionAmount": 0},
            {"id": "a2", "taxHeadMasterCode": "WS_TIME_PENALTY", "taxAmount": 10, "collectionAmount": 0}]}]});
    let (s, v) = app
        .post("/apportion-service/v2/demand/_apportion", body)
        .await;
    assert_eq!(s, 200, "{v}");
    let d = &v["Demands"];
    assert_eq!(d[0]["id"], "april");
    assert_eq!(d[0]["demandDetails"][0]["collectionAmount"], json!(50));
    assert_eq!(d[0]["demandDetails"][1]["collectionAmount"], json!(10));
    // 60 of the 70 used: the credit line's collected amount goes to -60
    assert_eq!(d[1]["demandDetails"][0]["collectionAmount"], json!(-60));
}
