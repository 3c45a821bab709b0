//! The calls the mGramSeva app makes as it makes them (issue 12, items 3–5): its own `userInfo`
//! beside the RequestInfo, the RequestInfo as the whole body, and the calls it makes without a
//! token (the collect screen, the citizen's bill and receipt links, every file link). Without a
//! token a request gets the link holder's view: the one household it names, on one GP, mobile
//! numbers masked, never a list.

use serde_json::{Value, json};

use crate::app_models::{assert_parses, list_parses_as};
use crate::helpers::*;

/// The app's RequestInfo (`services/request_info.dart`): `ver`/`did` numbers, `ts` empty, and the
/// logged-in user's profile as `userInfo`, on the state tenant.
fn app_ri(token: &str, action: &str) -> Value {
    json!({"apiId": "mgramseva", "ver": 1, "ts": "", "action": action, "did": 1, "key": "",
           "msgId": "20170310130900|en_IN", "authToken": token, "userInfo": user_info()})
}

/// What the app keeps as `userRequest` (the login answer's user): base tenant `pb`. A client
/// could claim any role here; none of it may count.
fn user_info() -> Value {
    json!({"id": 1, "uuid": "5b6e0a4c-0000-4000-8000-000000000001", "userName": "9830000001",
           "name": "Tester", "mobileNumber": "9830000001", "type": "EMPLOYEE", "tenantId": STATE,
           "roles": [{"code": "SUPERUSER", "name": "Superuser", "tenantId": STATE}]})
}

struct Gp {
    app: TestApp,
    admin: String,
}

impl Gp {
    fn new() -> Self {
        Self::with(TestApp::new())
    }

    fn with(app: TestApp) -> Self {
        let admin = app.login("9830000001", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
        Self { app, admin }
    }

    /// A flat-rate household on `GP` that owes its opening arrears (₹120).
    async fn household(&self, mobile: &str, name: &str, old: &str) -> String {
        let wc = gp_household(
            &self.app,
            &self.admin,
            (mobile, name, old),
            json!({"arrears": 120}),
        )
        .await;
        wc["connectionNo"].as_str().unwrap().to_owned()
    }

    /// A call as the app makes it without a token: `{"RequestInfo": {}}`.
    async fn anonymous(&self, path: &str) -> Resp {
        self.app.post(path, json!({"RequestInfo": {}})).await
    }

    /// A call as the app makes it with a token: its RequestInfo and its `userInfo` beside it.
    async fn as_app(&self, path: &str) -> Resp {
        self.app
            .post(
                path,
                json!({"RequestInfo": app_ri(&self.admin, "_search"), "userInfo": user_info()}),
            )
            .await
    }

    /// Pays `amount` on the household's current bill; the receipt number.
    async fn pay(&self, no: &str, amount: i64) -> String {
        let (s, v) = self
            .as_app(&format!(
                "/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={no}&businessService=WS"
            ))
            .await;
        assert_eq!(s, 200, "{v}");
        let bill = &v["Bill"][0];
        let (s, v) = self.app.post("/collection-services/payments/_create", json!({
            "RequestInfo": app_ri(&self.admin, ""),
            "Payment": {"tenantId": GP, "paymentMode": "CASH", "paidBy": "Gurpreet Kaur",
                "mobileNumber": "9876543210", "totalAmountPaid": amount.to_string(),
                "paymentDetails": [{"businessService": "WS", "billId": bill["id"], "totalAmountPaid": amount.to_string()}]}})).await;
        assert_eq!(s, 200, "{v}");
        v["Payments"][0]["paymentDetails"][0]["receiptNumber"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Every mobile number anywhere in `v`, as sent.
fn mobiles(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k.to_lowercase().contains("mobile") {
                    if let Some(s) = x.as_str() {
                        out.push(s.to_owned());
                    }
                } else {
                    mobiles(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| mobiles(x, out)),
        _ => {}
    }
}

/// No full mobile number in an anonymous answer.
fn assert_no_full_mobile(v: &Value) {
    let mut found = Vec::new();
    mobiles(v, &mut found);
    for m in found {
        assert!(
            m.is_empty() || m.starts_with("********"),
            "a full mobile number in an answer without a login: {m}"
        );
    }
    assert!(
        !v.to_string().contains("9876543210"),
        "the number appears somewhere: {v}"
    );
}

#[actix_web::test]
async fn the_apps_own_user_info_neither_widens_nor_narrows_a_request() {
    let gp = Gp::new();
    let no = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    // Each call the app makes with `userInfo` (tenant `pb`) at the top of the body: 200 with a
    // GP role, where `pb` would have been a 403 (and the app logs out on a 403).
    for path in [
        format!(
            "/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={no}&businessService=WS"
        ),
        format!(
            "/collection-services/payments/WS/_search?tenantId={GP}&consumerCodes={no}&businessService=WS"
        ),
        format!("/property-services/property/_search?tenantId={GP}&mobileNumber=9876543210"),
        format!(
            "/billing-service/demand/_search?tenantId={GP}&consumerCode={no}&businessService=WS"
        ),
    ] {
        let (s, v) = gp.as_app(&path).await;
        assert_eq!(s, 200, "{path}: {v}");
    }
    let (_, v) = gp
        .as_app(&format!(
            "/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={no}&businessService=WS"
        ))
        .await;
    assert_eq!(v["Bill"][0]["totalAmount"], json!(120));
    // The demand search puts the userInfo inside its RequestInfo, wrapped once more.
    let mut info = app_ri(&gp.admin, "");
    info["userInfo"] = json!({"userInfo": user_info()});
    let (s, v) = gp
        .app
        .post(
            &format!(
                "/billing-service/demand/_search?tenantId={GP}&consumerCode={no}&businessService=WS"
            ),
            json!({"RequestInfo": info, "userInfo": user_info()}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Demands"].as_array().unwrap().len(), 1);
    // A superuser claimed in userInfo gives nothing on another GP: the token decides who.
    let (s, v) = gp
        .as_app(&format!(
            "/property-services/property/_search?tenantId={OTHER_GP}&mobileNumber=9876543210"
        ))
        .await;
    assert_eq!(s, 403, "{v}");
}

#[actix_web::test]
async fn a_bare_request_info_carries_the_token_at_its_top() {
    let gp = Gp::new();
    // `getLocations`: query parameters, and the RequestInfo as the whole body.
    let path = format!(
        "/egov-location/location/v11/boundarys/_search?hierarchyTypeCode=REVENUE&boundaryType=Locality&tenantId={GP}"
    );
    let (s, v) = gp.app.post(&path, app_ri(&gp.admin, "_search")).await;
    assert_eq!(s, 200, "{v}");
    assert_parses("TenantBoundary", &v["TenantBoundary"][0]);
    assert!(
        v["TenantBoundary"][0]["boundary"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["code"] == "WARD1"),
        "{v}"
    );
    // A bad token there is still a bad token.
    let (s, _) = gp.app.post(&path, app_ri("not-a-token", "_search")).await;
    assert_eq!(s, 401);
    // And a bare RequestInfo cannot smuggle a token past a protected route's tenant check.
    let (s, _) = gp
        .app
        .post(
            &format!(
                "/billing-service/bill/v2/_fetchbill?tenantId={OTHER_GP}&consumerCode=WS/1&businessService=WS"
            ),
            app_ri(&gp.admin, "_search"),
        )
        .await;
    assert_eq!(s, 403);
}

#[actix_web::test]
async fn the_collect_screen_without_a_token_sees_one_household_masked() {
    let gp = Gp::new();
    let no = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    let other = gp.household("9876500002", "Harjit Kaur", "OLD/2").await;
    // fetchbill, `{"RequestInfo": {}}`: the bill of ₹120, mobile masked
    let fetch = |codes: &str, tenant: &str| {
        format!(
            "/billing-service/bill/v2/_fetchbill?tenantId={tenant}&consumerCode={codes}&businessService=WS"
        )
    };
    let (s, v) = gp.anonymous(&fetch(&no, GP)).await;
    assert_eq!(s, 200, "{v}");
    // read as `getBillDetails` reads it: `res['Bill'].map(FetchBill.fromJson)`
    list_parses_as("FetchBill", &v["Bill"], "Bill").unwrap();
    let bill = &v["Bill"][0];
    assert_eq!(bill["totalAmount"], json!(120));
    assert_eq!(bill["consumerCode"], json!(no));
    assert_eq!(v["Bill"].as_array().unwrap().len(), 1);
    assert_no_full_mobile(&v);
    // never two households, never none, never the state, never another GP's household
    let (s, v) = gp.anonymous(&fetch(&format!("{no},{other}"), GP)).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "LINK_SCOPE"), "{v}");
    let (s, v) = gp.anonymous(&fetch(&no, STATE)).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "LINK_SCOPE"), "{v}");
    let (s, v) = gp.anonymous(&fetch(&no, OTHER_GP)).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["Bill"].as_array().unwrap().is_empty(), "{v}");
    // with a token the same call shows the whole number (the staff's view)
    let (_, v) = gp.as_app(&fetch(&no, GP)).await;
    let mut found = Vec::new();
    mobiles(&v, &mut found);
    assert!(
        found.iter().all(|m| !m.contains('*')),
        "staff see numbers: {found:?}"
    );

    // demand/_search: the household's demands; a list or a search by person needs a login
    let demands =
        |q: &str| format!("/billing-service/demand/_search?tenantId={GP}&businessService=WS{q}");
    let (s, v) = gp.anonymous(&demands(&format!("&consumerCode={no}"))).await;
    assert_eq!(s, 200, "{v}");
    assert_parses("DemandList", &json!({"Demands": v["Demands"]}));
    assert_eq!(v["Demands"].as_array().unwrap().len(), 1);
    assert_eq!(v["Demands"][0]["consumerCode"], json!(no));
    assert_no_full_mobile(&v);
    for q in [
        String::new(),
        "&mobileNumber=9876543210".to_owned(),
        format!("&consumerCode={no}&mobileNumber=9876543210"),
        format!("&consumerCode={no},{other}"),
    ] {
        let (s, v) = gp.anonymous(&demands(&q)).await;
        assert_eq!((s.as_u16(), code(&v)), (400, "LINK_SCOPE"), "{q}: {v}");
    }

    // _getPenaltyDetails as the collect screen sends it (query and GetBillCriteria)
    let (s, v) = gp
        .app
        .post(
            &format!("/ws-calculator/waterCalculator/_getPenaltyDetails?tenantId={GP}&consumerCodes={no}&isGetPenaltyEstimate=true"),
            json!({"RequestInfo": {}, "GetBillCriteria": {"tenantId": GP, "billId": null,
                "isGetPenaltyEstimate": true, "consumerCodes": [no]}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_parses(
        "UpdateDemandList",
        &json!({"Demands": v["Demands"], "totalApplicablePenalty": v["totalApplicablePenalty"]}),
    );
    assert_eq!(v["Demands"][0]["consumerCode"], json!(no));
    assert_no_full_mobile(&v);
    let (s, v) = gp
        .anonymous(&format!(
            "/ws-calculator/waterCalculator/_getPenaltyDetails?tenantId={GP}&consumerCodes={no},{other}"
        ))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "LINK_SCOPE"), "{v}");

    // The collect screen posts the bill's payer back as it was shown (`fetchBill.payerName`,
    // `fetchBill.mobileNumber`, masked): the receipt keeps the number on record.
    let (_, v) = gp.anonymous(&fetch(&no, GP)).await;
    let shown = v["Bill"][0].clone();
    assert_eq!(shown["payerName"], "Gurpreet Kaur");
    assert_eq!(shown["mobileNumber"], "********10");
    let (s, v) = gp.app.post("/collection-services/payments/_create", json!({
        "RequestInfo": app_ri(&gp.admin, ""),
        "Payment": {"tenantId": GP, "paymentMode": "CASH", "paidBy": shown["payerName"],
            "mobileNumber": shown["mobileNumber"], "totalAmountPaid": "120",
            "paymentDetails": [{"businessService": "WS", "billId": shown["billDetails"][0]["billId"], "totalAmountPaid": "120"}]}})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Payments"][0]["mobileNumber"], "9876543210");
    assert_eq!(v["Payments"][0]["paidBy"], "Gurpreet Kaur");

    // a token the server does not know is not taken for no token
    let (s, _) = gp
        .app
        .post(
            &fetch(&no, GP),
            json!({"RequestInfo": app_ri("expired-or-forged", "_search")}),
        )
        .await;
    assert_eq!(s, 401);
}

#[actix_web::test]
async fn the_receipt_and_bill_links_print_a_paid_bill_and_open_files_by_id() {
    let gp = Gp::new();
    let no = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    let receipt = gp.pay(&no, 120).await;

    // payments/WS/_search as the receipt link asks (consumerCode, receiptNumbers)
    let (s, v) = gp
        .anonymous(&format!(
            "/collection-services/payments/WS/_search?tenantId={GP}&consumerCode={no}&businessService=WS&receiptNumbers={receipt}"
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_parses("BillPayments", &v);
    assert_eq!(v["Payments"].as_array().unwrap().len(), 1);
    assert_eq!(v["Payments"][0]["totalAmountPaid"], json!(120));
    assert_no_full_mobile(&v);
    // a GP's receipts are not a link holder's to list
    let (s, v) = gp
        .anonymous(&format!(
            "/collection-services/payments/WS/_search?tenantId={GP}&businessService=WS"
        ))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "LINK_SCOPE"), "{v}");

    // bill/v2/_search as the bill link asks: the bill, now paid
    let (s, v) = gp
        .anonymous(&format!(
            "/billing-service/bill/v2/_search?tenantId={GP}&consumerCode={no}&service=WS"
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_parses("BillList", &v);
    let bill = v["Bill"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["status"] == "PAID")
        .cloned()
        .unwrap_or_else(|| panic!("a paid bill: {v}"));
    assert_no_full_mobile(&v);
    let (s, v) = gp
        .anonymous(&format!(
            "/billing-service/bill/v2/_search?tenantId={GP}&service=WS"
        ))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "LINK_SCOPE"), "{v}");

    // pdf-service with the posted bill: the paid bill prints (it once answered NO_BILL), with
    // the RequestInfo the app sends there (`authToken: ""`)
    let pdf_ri = json!({"apiId": "mgramseva", "ver": 1, "ts": "", "action": "_create", "did": 1,
        "key": "", "msgId": "string|en_IN", "authToken": ""});
    let (s, v) = gp
        .app
        .post(
            &format!("/pdf-service/v1/_create?key=ws-bill&tenantId={GP}"),
            json!({"RequestInfo": pdf_ri, "Bill": [bill]}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_parses("PDFServiceResponse", &v);
    let bill_file = v["filestoreIds"][0].as_str().unwrap().to_owned();
    let (s, v) = gp
        .app
        .post(
            &format!("/pdf-service/v1/_create?key=ws-receipt&tenantId={GP}"),
            json!({"RequestInfo": pdf_ri,
                   "Payments": [{"paymentDetails": [{"receiptNumber": receipt}]}]}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let receipt_file = v["filestoreIds"][0].as_str().unwrap().to_owned();
    // two documents at once need a login
    let (s, v) = gp
        .app
        .post(
            &format!("/pdf-service/v1/_create?key=ws-bill&tenantId={GP}"),
            json!({"RequestInfo": pdf_ri, "Bill": [bill, bill]}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "LINK_SCOPE"), "{v}");

    // files/url: a GET with no header at all, as `fetchFiles` sends it
    let (s, v) = gp
        .app
        .get(&format!(
            "/filestore/v1/files/url?tenantId={GP}&fileStoreIds={bill_file},{receipt_file}"
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    list_parses_as("FileStore", &v["fileStoreIds"], "fileStoreIds").unwrap();
    assert_eq!(v["fileStoreIds"].as_array().unwrap().len(), 2);
    let url = v["fileStoreIds"][0]["url"].as_str().unwrap();
    let path = &url[url.find("/filestore/").unwrap()..];
    let res = gp
        .app
        .call(actix_web::test::TestRequest::get().uri(path))
        .await;
    assert_eq!(res.status(), 200);
    // the ids must be this GP's files: named on another GP, nothing
    let (s, v) = gp
        .app
        .get(&format!(
            "/filestore/v1/files/url?tenantId={OTHER_GP}&fileStoreIds={bill_file}"
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["fileStoreIds"].as_array().unwrap().is_empty(), "{v}");
    let (s, v) = gp
        .app
        .get(&format!("/filestore/v1/files/url?tenantId={GP}"))
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "LINK_SCOPE"), "{v}");
}

#[actix_web::test]
async fn calls_without_a_login_are_limited_per_address() {
    let gp = Gp::with(TestApp::configured(|s| {
        s.security.anonymous_calls_per_minute = 3;
    }));
    let no = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    let path = format!(
        "/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={no}&businessService=WS"
    );
    let from = |ip: &str| {
        actix_web::test::TestRequest::post()
            .uri(&path)
            .peer_addr(format!("{ip}:40000").parse().unwrap())
            .set_json(json!({"RequestInfo": {}}))
    };
    for _ in 0..3 {
        assert_eq!(gp.app.send(from("10.1.1.1")).await.0, 200);
    }
    let (s, v) = gp.app.send(from("10.1.1.1")).await;
    assert_eq!((s.as_u16(), code(&v)), (429, "TOO_MANY_REQUESTS"), "{v}");
    // another address, and a logged-in call from the same one, go on
    assert_eq!(gp.app.send(from("10.1.1.2")).await.0, 200);
    let (s, v) = gp
        .app
        .send(
            actix_web::test::TestRequest::post()
                .uri(&path)
                .peer_addr("10.1.1.1:40000".parse().unwrap())
                .set_json(json!({"RequestInfo": app_ri(&gp.admin, "_search")})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

#[actix_web::test]
async fn a_link_holder_never_reaches_another_gps_household() {
    let gp = Gp::new();
    let no = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    let receipt = gp.pay(&no, 50).await;
    // The GP's consumer and receipt named on another GP: 200 and nothing, on every route.
    for (path, list) in [
        (
            format!(
                "/billing-service/bill/v2/_fetchbill?tenantId={OTHER_GP}&consumerCode={no}&businessService=WS"
            ),
            "Bill",
        ),
        (
            format!(
                "/billing-service/bill/v2/_search?tenantId={OTHER_GP}&consumerCode={no}&service=WS"
            ),
            "Bill",
        ),
        (
            format!(
                "/billing-service/demand/_search?tenantId={OTHER_GP}&consumerCode={no}&businessService=WS"
            ),
            "Demands",
        ),
        (
            format!(
                "/ws-calculator/waterCalculator/_getPenaltyDetails?tenantId={OTHER_GP}&consumerCodes={no}"
            ),
            "Demands",
        ),
        (
            format!(
                "/collection-services/payments/WS/_search?tenantId={OTHER_GP}&consumerCodes={no}"
            ),
            "Payments",
        ),
        (
            format!(
                "/collection-services/payments/WS/_search?tenantId={OTHER_GP}&receiptNumbers={receipt}"
            ),
            "Payments",
        ),
    ] {
        let (s, v) = gp.anonymous(&path).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert_eq!(v[list], json!([]), "{path}: {v}");
    }
    // and the PDFs of its bill and receipt cannot be made there
    for (key, body) in [
        ("ws-bill", json!({"Bill": [{"consumerCode": no}]})),
        (
            "ws-receipt",
            json!({"Payments": [{"paymentDetails": [{"receiptNumber": receipt}]}]}),
        ),
    ] {
        let mut b = body;
        b["RequestInfo"] = json!({});
        let (s, v) = gp
            .app
            .post(
                &format!("/pdf-service/v1/_create?key={key}&tenantId={OTHER_GP}"),
                b,
            )
            .await;
        assert!(matches!(s.as_u16(), 400 | 404), "{key}: {s} {v}");
        assert!(v["filestoreIds"].is_null(), "{key}: {v}");
    }
}
