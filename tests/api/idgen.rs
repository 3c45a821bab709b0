//! `/egov-idgen/id/_generate` and the service function.

use std::collections::BTreeSet;

use chrono::Utc;
use futures_util::future::join_all;
use mgramseva::time::Fy;
use serde_json::json;

use crate::helpers::*;

const PATH: &str = "/egov-idgen/id/_generate";

#[actix_web::test]
async fn connection_numbers_follow_the_master_format() {
    let app = TestApp::new();
    let token = app.login("9800000030", &["GP_ADMIN"]);
    let fy = Fy::of(Utc::now()).label();
    let body = json!({"RequestInfo": ri(&token), "idRequests": [
        {"idName": "waterservice.connection.id", "tenantId": "pb.lodhipur"},
        {"idName": "waterservice.connection.id", "tenantId": "pb.lodhipur", "count": 2},
        {"idName": "echallan.aplnumber", "tenantId": "pb.lodhipur"}]});
    let (s, v) = app.post(PATH, body).await;
    assert_eq!(s, 200, "{v}");
    let ids: Vec<&str> = v["idResponses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            format!("WS/7374/{fy}/0001"),
            format!("WS/7374/{fy}/0002"),
            format!("WS/7374/{fy}/0003"),
            format!("EB-{fy}-0001"),
        ]
    );
    assert_eq!(v["responseInfo"]["status"], "successful");
}

#[actix_web::test]
async fn sequences_are_per_tenant_and_formats_may_come_in_the_request() {
    let app = TestApp::new();
    let token = app.login("9800000031", &["EMPLOYEE@pb"]);
    let body = json!({"RequestInfo": ri(&token), "idRequests": [
        {"idName": "bill.billnumber", "tenantId": "pb.lodhipur"},
        {"idName": "bill.billnumber", "tenantId": "pb.kalwan"},
        {"idName": "no.such.name", "tenantId": "pb.kalwan", "format": "X-[cy:yyyy]-[SEQ_X_[TENANT_ID]]-[d{3}]"}]});
    let (s, v) = app.post(PATH, body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["idResponses"][0]["id"], "BILLNO-MODULE-0001");
    assert_eq!(v["idResponses"][1]["id"], "BILLNO-MODULE-0001");
    let custom = v["idResponses"][2]["id"].as_str().unwrap();
    let year = mgramseva::time::format_java(Utc::now(), "yyyy").unwrap();
    assert!(custom.starts_with(&format!("X-{year}-0001-")), "{custom}");
    assert_eq!(custom.len(), "X-2026-0001-123".len());
}

#[actix_web::test]
async fn parallel_requests_never_share_a_number() {
    let app = TestApp::with_db(TestDb::with_pool(12, std::time::Duration::from_secs(20)));
    let token = app.login("9800000032", &["GP_ADMIN"]);
    let calls = (0..48).map(|_| {
        let body = json!({"RequestInfo": ri(&token), "idRequests": [{"idName": "waterservice.connection.id", "tenantId": "pb.lodhipur"}]});
        app.post(PATH, body)
    });
    let results = join_all(calls).await;
    let mut ids = BTreeSet::new();
    for (s, v) in results {
        assert_eq!(s, 200, "{v}");
        ids.insert(v["idResponses"][0]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 48, "48 distinct ids");
    let numbers: BTreeSet<u32> = ids
        .iter()
        .filter_map(|i| i.rsplit('/').next()?.parse().ok())
        .collect();
    assert_eq!(numbers, (1..=48).collect(), "no gap, no repeat");
}

#[actix_web::test]
async fn a_rolled_back_transaction_gives_its_numbers_back() {
    use diesel::Connection as _;
    let app = TestApp::new();
    let mut c = app.db.conn();
    let _ = c.transaction::<(), diesel::result::Error, _>(|c| {
        let id = mgramseva::platform::idgen::next_id(
            c,
            "pb",
            "pb.lodhipur",
            "echallan.aplnumber",
            Utc::now(),
        )
        .unwrap();
        assert!(id.ends_with("-0001"));
        Err(diesel::result::Error::RollbackTransaction)
    });
    let id = mgramseva::platform::idgen::next_id(
        &mut c,
        "pb",
        "pb.lodhipur",
        "echallan.aplnumber",
        Utc::now(),
    )
    .unwrap();
    assert!(id.ends_with("-0001"), "{id}");
}

#[actix_web::test]
async fn bad_requests_name_the_field() {
    let app = TestApp::new();
    let token = app.login("9800000033", &["GP_ADMIN"]);
    let cases = [
        // A protected request that names no tenant is refused before the handler: it would
        // otherwise act on no tenant the gateway checked.
        (
            json!([{"idName": "waterservice.connection.id"}]),
            "MISSING_FIELD",
            "tenantId",
        ),
        (
            json!([{"idName": "nope", "tenantId": "pb.lodhipur"}]),
            "ID_NOT_FOUND",
            "idRequests[0].idName",
        ),
        (
            json!([{"format": "X-[foo]", "tenantId": "pb.lodhipur"}]),
            "InvalidIDFormat",
            "idRequests[0].format",
        ),
        (
            json!([{"idName": "bill.billnumber", "tenantId": "pb.lodhipur", "count": 1001}]),
            "INVALID_COUNT",
            "idRequests[0].count",
        ),
        (
            json!([{"idName": "bill.billnumber", "tenantId": "pb.lodhipur", "count": "two"}]),
            "JsonMappingException",
            "idRequests[0].count",
        ),
        (json!([]), "MISSING_FIELD", "tenantId"),
    ];
    for (reqs, want_code, field) in cases {
        let (s, v) = app
            .post(PATH, json!({"RequestInfo": ri(&token), "idRequests": reqs}))
            .await;
        assert_eq!(s, 400, "{reqs}: {v}");
        assert_eq!(code(&v), want_code, "{reqs}");
        assert_eq!(v["Errors"][0]["params"][0], field, "{reqs}");
    }
    // A failing request in a batch takes nothing: the next number is still 0001.
    let (s, _) = app
        .post(PATH, json!({"RequestInfo": ri(&token), "idRequests": [
            {"idName": "bill.billnumber", "tenantId": "pb.lodhipur"}, {"idName": "nope", "tenantId": "pb.lodhipur"}]}))
        .await;
    assert_eq!(s, 400);
    let (_, v) = app.post(PATH, json!({"RequestInfo": ri(&token), "idRequests": [{"idName": "bill.billnumber", "tenantId": "pb.lodhipur"}]})).await;
    assert_eq!(v["idResponses"][0]["id"], "BILLNO-MODULE-0001");
}
