//! `/egov-location/location/v11/boundarys/_search`.

use serde_json::json;

use crate::helpers::*;

const PATH: &str = "/egov-location/location/v11/boundarys/_search";

#[actix_web::test]
async fn each_tenant_has_its_boundary() {
    let app = TestApp::new();
    let token = app.login("9800000010", &["COLLECTION_OPERATOR"]);
    let (s, v) = app
        .post(
            &format!("{PATH}?tenantId=pb.lodhipur"),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let tb = v["TenantBoundary"].as_array().unwrap();
    assert_eq!(tb.len(), 2, "REVENUE and ADMIN");
    let admin = tb
        .iter()
        .find(|t| t["hierarchyType"]["code"] == "ADMIN")
        .unwrap();
    assert_eq!(admin["tenantId"], "pb.lodhipur");
    assert_eq!(admin["boundary"][0]["code"], "pb.lodhipur");
    assert_eq!(admin["boundary"][0]["label"], "City");
    assert_eq!(admin["boundary"][0]["children"][0]["code"], "WARD1");
    assert_eq!(admin["boundary"][0]["children"][0]["label"], "Locality");

    let (s, v) = app
        .post(
            &format!("{PATH}?tenantId=pb.lodhipur&hierarchyTypeCode=REVENUE&boundaryType=Locality"),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["TenantBoundary"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["TenantBoundary"][0]["boundary"][0]["code"], "WARD1");
    assert_eq!(
        v["TenantBoundary"][0]["boundary"].as_array().map(Vec::len),
        Some(1)
    );
}

#[actix_web::test]
async fn a_copy_paste_city_code_of_the_source_is_corrected() {
    // boundaries.csv gives pb.barian the City code of pb.ajampur; ours is the tenant's own.
    let app = TestApp::new();
    let token = app.login("9800000011", &["EMPLOYEE@pb"]);
    let (s, v) = app
        .post(
            &format!("{PATH}?tenantId=pb.barian&hierarchyTypeCode=ADMIN"),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["TenantBoundary"][0]["boundary"][0]["code"], "pb.barian");
}

#[actix_web::test]
async fn bad_requests() {
    let app = TestApp::new();
    let token = app.login("9800000012", &["EMPLOYEE@pb"]);
    let (s, v) = app.post(PATH, json!({"RequestInfo": ri(&token)})).await;
    assert_eq!(s, 400);
    assert_eq!(v["Errors"][0]["params"][0], "tenantId");
    let (s, v) = app
        .post(
            &format!("{PATH}?tenantId=pb.nowhere"),
            json!({"RequestInfo": ri(&token)}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(code(&v), "INVALID_TENANT_ID");
    let (s, _) = app
        .post(&format!("{PATH}?tenantId=pb.lodhipur"), json!({}))
        .await;
    assert_eq!(s, 401, "login required");
}
