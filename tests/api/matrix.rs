//! The access matrix: every role of the master data, on a GP, against every protected route
//! served today. A role reaches a route exactly when the role-action master maps it there, and
//! never on another GP.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::helpers::*;

/// The oracle, read straight from the master files: action URL -> roles mapped to it.
fn grants() -> BTreeMap<String, BTreeSet<String>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mdms");
    let actions: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/actions.json")).unwrap())
            .unwrap();
    let ra: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/role-actions.json")).unwrap())
            .unwrap();
    let url_of: BTreeMap<i64, String> = actions
        .iter()
        .map(|a| {
            (
                a["id"].as_i64().unwrap(),
                a["url"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in ra {
        if let Some(u) = url_of.get(&r["actionId"].as_i64().unwrap()) {
            out.entry(u.clone())
                .or_default()
                .insert(r["roleCode"].as_str().unwrap().to_owned());
        }
    }
    out
}

/// Protected routes and a request naming `tenant`.
fn routes(tenant: &str) -> Vec<(&'static str, String, Value)> {
    vec![
        (
            "/egov-idgen/id/_generate",
            "/egov-idgen/id/_generate".to_owned(),
            json!({"idRequests": [{"idName": "bill.billnumber", "tenantId": tenant}]}),
        ),
        (
            "/egov-location/location/v11/boundarys/_search",
            format!("/egov-location/location/v11/boundarys/_search?tenantId={tenant}"),
            json!({}),
        ),
        (
            "/localization/messages/v1/_upsert",
            "/localization/messages/v1/_upsert".to_owned(),
            json!({"tenantId": tenant, "messages": [{"code": "MATRIX", "message": "m", "module": "matrix", "locale": "en_IN"}]}),
        ),
        (
            "/user/users/_createnovalidate",
            "/user/users/_createnovalidate".to_owned(),
            json!({"user": {"name": "Matrix", "tenantId": tenant, "roles": []}}),
        ),
        (
            "/billing-service/bill/v2/_fetchbill",
            format!(
                "/billing-service/bill/v2/_fetchbill?tenantId={tenant}&consumerCode=WS/M/1&businessService=WS"
            ),
            json!({}),
        ),
        (
            "/billing-service/demand/_create",
            "/billing-service/demand/_create".to_owned(),
            json!({"Demands": [{"tenantId": tenant, "consumerCode": "WS/M/1", "businessService": "WS", "taxPeriodFrom": 1, "taxPeriodTo": 2, "demandDetails": []}]}),
        ),
        (
            "/collection-services/payments/_create",
            "/collection-services/payments/_create".to_owned(),
            json!({"Payment": {"tenantId": tenant, "totalAmountPaid": 1, "paymentMode": "CASH", "paymentDetails": [{"businessService": "WS", "billId": "00000000-0000-0000-0000-000000000000"}]}}),
        ),
    ]
}

#[actix_web::test]
async fn each_role_reaches_exactly_its_actions_and_no_other_gp() {
    let app = TestApp::new();
    let grants = grants();
    let roles: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/mdms/roles.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(roles.len(), 32);
    let mut checked = 0;
    for (i, role) in roles.iter().enumerate() {
        let code = role["code"].as_str().unwrap();
        let token = app.login(&format!("98190{i:05}"), &[&format!("{code}@{GP}")]);
        for (action, path, body) in routes(GP) {
            let mut b = body.clone();
            b["RequestInfo"] = ri(&token);
            let (s, v) = app.post(&path, b).await;
            let allowed = grants.get(action).is_some_and(|r| r.contains(code));
            if allowed {
                assert!(
                    s != 401 && s != 403,
                    "{code} should reach {action}: {s} {v}"
                );
            } else {
                assert_eq!(s, 403, "{code} must not reach {action}: {v}");
            }
            checked += 1;
        }
        for (action, path, body) in routes(OTHER_GP) {
            let mut b = body.clone();
            b["RequestInfo"] = ri(&token);
            let (s, v) = app.post(&path, b).await;
            assert_eq!(
                s, 403,
                "{code} on {GP} must not reach {action} on {OTHER_GP}: {v}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 32 * 7 * 2);
    // The oracle is not empty-handed: some roles are allowed, some are not.
    assert!(grants["/egov-idgen/id/_generate"].contains("GP_ADMIN"));
    assert!(!grants["/localization/messages/v1/_upsert"].contains("GP_ADMIN"));
}
