//! Master data search (issue: MDMS), with the numbers of the Punjab masters.

use chrono::Utc;
use mgramseva::time::Fy;
use serde_json::{Value, json};

use crate::helpers::*;

fn crit(tenant: &str, module: &str, master: &str, filter: Option<&str>) -> Value {
    let mut md = json!({"name": master});
    if let Some(f) = filter {
        md["filter"] = json!(f);
    }
    json!({"RequestInfo": {"apiId": "mgramseva"}, "MdmsCriteria": {"tenantId": tenant,
        "moduleDetails": [{"moduleName": module, "masterDetails": [md]}]}})
}

async fn records(
    app: &TestApp,
    path: &str,
    tenant: &str,
    module: &str,
    master: &str,
    filter: Option<&str>,
) -> Vec<Value> {
    let (s, v) = app.post(path, crit(tenant, module, master, filter)).await;
    assert_eq!(s, 200, "{v}");
    v["MdmsRes"][module][master]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[actix_web::test]
async fn tenant_master_has_all_4349_tenants_on_both_paths() {
    let app = TestApp::new();
    for path in ["/egov-mdms-service/v1/_search", "/mdms-v2/v1/_search"] {
        let t = records(&app, path, "pb", "tenant", "tenants", None).await;
        assert_eq!(t.len(), 4349, "{path}");
    }
    let lodhipur = records(
        &app,
        "/mdms-v2/v1/_search",
        "pb",
        "tenant",
        "tenants",
        Some("[?(@.code=='pb.lodhipur')]"),
    )
    .await;
    assert_eq!(lodhipur.len(), 1);
    let t = &lodhipur[0];
    assert_eq!(t["name"], "LODHIPUR");
    assert_eq!(t["city"]["code"], "7374");
    assert_eq!(t["city"]["districtName"], "Roopnagar");
    assert_eq!(t["divisionCode"], "DIV1038");
    assert_eq!(t["divisionName"], "Sri Anandpur Sahib");
    assert_eq!(t["hierarchy"]["zoneCode"], "Z03");
    let div = records(
        &app,
        "/mdms-v2/v1/_search",
        "pb",
        "tenant",
        "tenants",
        Some("$[?(@.divisionCode == 'DIV1038')].code"),
    )
    .await;
    assert_eq!(div.len(), 84, "the 84 Sri Anandpur Sahib pilot GPs");
}

#[actix_web::test]
async fn access_masters_have_their_counts() {
    let app = TestApp::new();
    let p = "/egov-mdms-service/v1/_search";
    assert_eq!(
        records(&app, p, "pb", "ACCESSCONTROL-ROLES", "roles", None)
            .await
            .len(),
        32
    );
    assert_eq!(
        records(
            &app,
            p,
            "pb",
            "ACCESSCONTROL-ACTIONS-TEST",
            "actions-test",
            None
        )
        .await
        .len(),
        // 322 before the upload action (3040, data/mdms/ORIGIN.md), 323 before the expense
        // last-month summary (3041), 324 before the roll-out dashboard search (3060), 325 before
        // the division and state view search (3061)
        326
    );
    assert_eq!(
        records(
            &app,
            p,
            "pb",
            "ACCESSCONTROL-ROLEACTIONS",
            "roleactions",
            None
        )
        .await
        .len(),
        // 1217 before the upload action's six roles, 1223 before the summary's seven, 1230
        // before the roll-out dashboard search's STATE_ADMIN, 1231 before the state view's
        // DIV_ADMIN and STATE_ADMIN
        1233
    );
    assert_eq!(
        records(&app, p, "pb", "BillingService", "TaxHeadMaster", None)
            .await
            .len(),
        24
    );
    assert_eq!(
        records(&app, p, "pb", "Expense", "ExpenseType", None)
            .await
            .len(),
        10
    );
    assert_eq!(
        records(&app, p, "pb", "common-masters", "IdFormat", None)
            .await
            .len(),
        24
    );
    let langs = records(
        &app,
        p,
        "pb",
        "common-masters",
        "StateInfo",
        Some("$[*].languages[*].value"),
    )
    .await;
    assert_eq!(langs, vec![json!("pn_IN"), json!("hi_IN"), json!("en_IN")]);
    let pay = records(&app, p, "pb", "BillingService", "PaymentService", None).await;
    assert_eq!(pay[0]["code"], "WS");
}

#[actix_web::test]
async fn tax_periods_are_derived_through_next_year() {
    let app = TestApp::new();
    let ws = records(
        &app,
        "/mdms-v2/v1/_search",
        "pb",
        "BillingService",
        "TaxPeriod",
        Some("[?(@.service=='WS')]"),
    )
    .await;
    let next = Fy::of(Utc::now()).next();
    assert_eq!(ws.len(), usize::try_from(next.0 - 2021 + 1).unwrap());
    assert_eq!(ws[0]["code"], "WC2021");
    assert_eq!(ws[0]["fromDate"], 1_617_215_400_000i64);
    let last = ws.last().unwrap();
    assert_eq!(last["code"], format!("WC{}", next.0));
    assert_eq!(last["financialYear"], next.label());
    // FY 2024-25 ends at midnight, not at 11:59:59 as the source file had it.
    let fy24 = ws.iter().find(|p| p["code"] == "WC2024").unwrap();
    assert_eq!(fy24["toDate"], 1_743_445_799_999i64);
    let all = records(
        &app,
        "/mdms-v2/v1/_search",
        "pb",
        "BillingService",
        "TaxPeriod",
        None,
    )
    .await;
    assert_eq!(
        all.len(),
        11 * ws.len(),
        "11 services, one period per FY each"
    );
}

#[actix_web::test]
async fn tenant_level_masters_fall_back_to_the_state() {
    let app = TestApp::new();
    let p = "/mdms-v2/v1/_search";
    // Lodhipur is a pilot GP: two slabs, first 20 units free, then Rs 5.
    let slabs = records(
        &app,
        p,
        "pb.lodhipur",
        "ws-services-calculation",
        "WCBillingSlab",
        None,
    )
    .await;
    assert_eq!(slabs.len(), 8);
    let metered_res = slabs
        .iter()
        .find(|r| r["buildingType"] == "RESIDENTIAL" && r["connectionType"] == "Metered")
        .unwrap();
    assert_eq!(metered_res["minimumCharge"], 100);
    assert_eq!(
        metered_res["slabs"][0],
        json!({"from": 0, "to": 20, "charge": 0, "meterCharge": 0})
    );
    assert_eq!(metered_res["slabs"][1]["charge"], 5);
    // A T001 village: flat Rs 50 for every type, standard metered 100 + Rs 2.
    let t001 = records(
        &app,
        p,
        "pb.aassalhihjag",
        "ws-services-calculation",
        "WCBillingSlab",
        None,
    )
    .await;
    let flat: Vec<_> = t001
        .iter()
        .filter(|r| r["connectionType"] == "Non_Metered")
        .map(|r| r["minimumCharge"].clone())
        .collect();
    assert_eq!(flat, vec![json!(50); 4]);
    let com = t001
        .iter()
        .find(|r| r["buildingType"] == "COMMERCIAL" && r["connectionType"] == "Metered")
        .unwrap();
    assert_eq!(com["slabs"][0]["charge"], 13.31);
    // The state tenant answers with the legacy state template.
    assert_eq!(
        records(
            &app,
            p,
            "pb",
            "ws-services-calculation",
            "WCBillingSlab",
            None
        )
        .await
        .len(),
        19
    );

    // Penalty: Lodhipur has its own (Fixed, rate 0); a non-pilot village falls back to the state's.
    let own = records(
        &app,
        p,
        "pb.lodhipur",
        "ws-services-calculation",
        "Penalty",
        None,
    )
    .await;
    assert_eq!(own[0]["type"], "Fixed");
    assert_eq!(own[0]["rate"], 0);
    let fallback = records(
        &app,
        p,
        "pb.aassalhihjag",
        "ws-services-calculation",
        "Penalty",
        None,
    )
    .await;
    assert_eq!(fallback[0]["type"], "Flat");
    assert_eq!(fallback[0]["amount"], 0);
    assert_eq!(fallback[0]["applicableAfterDays"], 10);
    let testing = records(
        &app,
        p,
        "pb.testing",
        "ws-services-calculation",
        "Penalty",
        None,
    )
    .await;
    assert_eq!(testing[0]["rate"], 10);

    // Business services: villages allow advance on electricity bills, the state file does not.
    let f = Some("[?(@.code=='EXPENSE.ELECTRICITY_BILL')]");
    let village = records(
        &app,
        p,
        "pb.lodhipur",
        "BillingService",
        "BusinessService",
        f,
    )
    .await;
    assert_eq!(village[0]["isAdvanceAllowed"], true);
    let state = records(&app, p, "pb", "BillingService", "BusinessService", f).await;
    assert_eq!(state[0]["isAdvanceAllowed"], false);
    let ws = records(
        &app,
        p,
        "pb.lodhipur",
        "BillingService",
        "BusinessService",
        Some("[?(@.code=='WS')]"),
    )
    .await;
    assert_eq!(ws[0]["partPaymentAllowed"], true);
    assert!(
        ws[0]["collectionModesNotAllowed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m != "CASH")
    );
    assert_eq!(
        ws[0]["collectionModesNotAllowed"].as_array().unwrap().len(),
        7
    );
}

#[actix_web::test]
async fn unknown_modules_are_left_out_and_bad_input_is_refused() {
    let app = TestApp::new();
    let (s, v) = app
        .post("/mdms-v2/v1/_search", crit("pb", "NoSuchModule", "x", None))
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["MdmsRes"], json!({}));

    let (s, v) = app
        .post(
            "/mdms-v2/v1/_search",
            crit("pb", "tenant", "tenants", Some("[?(@.code=='x'")),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(code(&v), "INVALID_FILTER");
    assert_eq!(
        v["Errors"][0]["params"][0],
        "MdmsCriteria.moduleDetails[0].masterDetails[0].filter"
    );

    let (s, v) = app
        .post(
            "/mdms-v2/v1/_search",
            crit("pb.atlantis", "tenant", "tenants", None),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(code(&v), "INVALID_TENANT_ID");

    let (s, v) = app
        .post("/mdms-v2/v1/_search", crit("", "tenant", "tenants", None))
        .await;
    assert_eq!(s, 400);
    assert_eq!(code(&v), "MISSING_FIELD");
    assert_eq!(v["Errors"][0]["params"][0], "MdmsCriteria.tenantId");
}

#[actix_web::test]
async fn get_variant_reads_the_query() {
    let app = TestApp::new();
    let (s, v) = app.post("/egov-mdms-service/v1/_get?tenantId=pb&moduleName=ws-services-masters&masterName=connectionType", json!({})).await;
    assert_eq!(s, 200, "{v}");
    let codes: Vec<&str> = v["MdmsRes"]["ws-services-masters"]["connectionType"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(codes, ["Metered", "Non_Metered"]);
    let (s, v) = app
        .post("/egov-mdms-service/v1/_get?tenantId=pb", json!({}))
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["Errors"].as_array().map(Vec::len), Some(2));
}
