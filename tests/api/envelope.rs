//! The DIGIT envelope and error shapes (digit-contracts.md §1).

use serde_json::json;

use crate::helpers::*;

const TENANTS: &str = "/mdms-v2/v1/_search";

fn criteria() -> serde_json::Value {
    json!({"tenantId": "pb", "moduleDetails": [{"moduleName": "common-masters", "masterDetails": [{"name": "GenderType"}]}]})
}

#[actix_web::test]
async fn request_info_is_read_leniently_and_echoed() {
    let app = TestApp::new();
    let variants = [
        json!({"RequestInfo": {"apiId": "mgramseva", "ver": 1, "ts": "", "msgId": "20170310130900|pn_IN"}, "MdmsCriteria": criteria()}),
        json!({"requestInfo": {"apiId": "Rainmaker", "ver": ".01", "ts": null, "did": 1, "key": ""}, "MdmsCriteria": criteria()}),
        json!({"RequestInfo": {}, "MdmsCriteria": criteria()}),
        json!({"MdmsCriteria": criteria()}),
        json!({"RequestInfo": {"ver": 0.01, "ts": 1700000000000i64, "userInfo": {"id": 99, "roles": [{"code": "SUPERUSER"}]}}, "MdmsCriteria": criteria()}),
    ];
    for (i, body) in variants.into_iter().enumerate() {
        let (s, v) = app.post(TENANTS, body).await;
        assert_eq!(s, 200, "variant {i}: {v}");
        assert_eq!(v["ResponseInfo"]["status"], "successful");
        assert_eq!(v["ResponseInfo"]["resMsgId"], "uief87324");
        assert!(
            v["MdmsRes"]["common-masters"]["GenderType"]
                .as_array()
                .is_some_and(|a| a.len() >= 3),
            "variant {i}"
        );
        match i {
            0 => {
                assert_eq!(v["ResponseInfo"]["apiId"], "mgramseva");
                assert_eq!(v["ResponseInfo"]["ver"], "1");
                assert_eq!(v["ResponseInfo"]["msgId"], "20170310130900|pn_IN");
            }
            1 => assert_eq!(v["ResponseInfo"]["ver"], ".01"),
            4 => assert_eq!(v["ResponseInfo"]["ts"], 1_700_000_000_000i64),
            _ => {}
        }
    }
}

#[actix_web::test]
async fn malformed_json_is_400_json_parse_exception() {
    let app = TestApp::new();
    let (s, v) = app.post_raw(TENANTS, "{\"MdmsCriteria\": {").await;
    assert_eq!(s, 400);
    assert_eq!(code(&v), "JsonParseException");
    assert!(v["ResponseInfo"].is_null());
    let (s, v) = app.post_raw(TENANTS, "[1,2]").await;
    assert_eq!(s, 400);
    assert_eq!(code(&v), "JsonMappingException");
}

#[actix_web::test]
async fn wrong_type_and_missing_field_name_the_field() {
    let app = TestApp::new();
    let (s, v) = app
        .post(
            TENANTS,
            json!({"MdmsCriteria": {"tenantId": 5, "moduleDetails": []}}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(code(&v), "JsonMappingException");
    assert_eq!(v["Errors"][0]["params"][0], "MdmsCriteria.tenantId");

    let (s, v) = app.post(TENANTS, json!({"RequestInfo": {}})).await;
    assert_eq!(s, 400);
    assert_eq!(code(&v), "MISSING_FIELD");
    assert_eq!(v["Errors"][0]["params"][0], "MdmsCriteria");

    let (s, v) = app
        .post(
            TENANTS,
            json!({"MdmsCriteria": {"moduleDetails": [{"masterDetails": [{}]}]}}),
        )
        .await;
    assert_eq!(s, 400);
    let fields = error_fields(&v);
    assert_eq!(
        fields,
        [
            "MdmsCriteria.tenantId",
            "MdmsCriteria.moduleDetails[0].moduleName",
            "MdmsCriteria.moduleDetails[0].masterDetails[0].name"
        ]
    );
}

#[actix_web::test]
async fn unknown_path_is_404_resource_not_found() {
    let app = TestApp::new();
    for path in [
        "/no-such-service/v1/_search",
        "/egov-mdms-service/v9/_search",
    ] {
        let (s, v) = app.post(path, json!({})).await;
        assert_eq!(s, 404, "{path}");
        assert_eq!(code(&v), "ResourceNotFoundException");
    }
    let (s, v) = app.get("/static/nothing.css").await;
    assert_eq!(s, 404);
    assert_eq!(code(&v), "ResourceNotFoundException");
}
