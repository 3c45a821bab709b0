//! A realistic request for every route of the route table, naming a given tenant wherever that
//! route's handler reads its tenant; and a household with a bill to find. The fuzzer mutates
//! these; `every_route_has_a_sample` fails when a route is added without one.

use serde_json::{Value, json};

use crate::helpers::*;

/// The household the samples name (made by [`household`]).
pub const CONNECTION: &str = "WS/7374/2026-27/0001";
pub const NIL: &str = "00000000-0000-0000-0000-000000000000";

/// A request: its query string and JSON body (without RequestInfo).
pub struct Sample {
    pub query: String,
    pub body: Value,
}

fn q(query: String) -> Sample {
    Sample {
        query,
        body: json!({}),
    }
}

fn b(body: Value) -> Sample {
    Sample {
        query: String::new(),
        body,
    }
}

/// The sample of `path` (a route pattern) naming tenant `t`; `None` for a route not known here.
pub fn known(path: &str, t: &str) -> Option<Sample> {
    let month = |m: u32| {
        use chrono::TimeZone as _;
        let ist = chrono_tz::Asia::Kolkata;
        ist.with_ymd_and_hms(2026, m, 1, 0, 0, 0)
            .unwrap()
            .timestamp_millis()
    };
    Some(match path {
        "/healthz"
        | "/readyz"
        | "/"
        | "/lang"
        | "/static/{tail:.*}"
        | "/login"
        | "/forgot-password"
        | "/home"
        | "/home/first-login"
        | "/home/profile"
        | "/home/password"
        | "/home/villagedetails"
        | "/home/hrms"
        | "/home/hrms/new"
        | "/home/consumercreate"
        | "/home/consumerimport"
        | "/home/billmanualgenerate"
        | "/home/collect/history"
        | "/logout"
        | "/home/gp"
        | "/home/first-login/send"
        | "/forgot-password/reset"
        | "/home/collect/confirm"
        | "/home/collect/pay"
        | "/home/consumerimport/preview"
        | "/home/household/reading"
        | "/home/household/share"
        | "/home/billmanualgenerate/confirm"
        | "/home/hrms/{code}"
        | "/home/hrms/{code}/status"
        | "/home/collect/receipt/{id}"
        | "/eus/{key}"
        | "/egov-url-shortening/{key}" => q(String::new()),
        "/home/collect" => q(format!("consumer={CONNECTION}")),
        "/home/consumers" => q("q=Kaur".to_owned()),
        "/home/household" | "/home/household/bill.pdf" | "/home/consumerupdate" => {
            q(format!("no={CONNECTION}"))
        }
        "/home/receipt.pdf" => q(format!("id={NIL}")),
        "/home/householdRegister"
        | "/home/householdRegister.pdf"
        | "/home/householdRegister.xlsx" => q("tab=all".to_owned()),
        "/home/billmanualgenerate/consumers" => q("at=0".to_owned()),
        "/egov-mdms-service/v1/_search" | "/mdms-v2/v1/_search" | "/egov-mdms-service/v1/_get" => {
            b(json!({"MdmsCriteria": {"tenantId": t, "moduleDetails": [
                {"moduleName": "tenant", "masterDetails": [{"name": "tenants"}]}]}}))
        }
        "/egov-location/location/v11/boundarys/_search" => q(format!("tenantId={t}")),
        "/localization/messages/v1/_search" | "/localization/messages" => {
            q(format!("locale=pa_IN&tenantId={t}&module=mgramseva-common"))
        }
        "/localization/messages/v1/_upsert" | "/localization/messages/v1/_create" => {
            b(json!({"tenantId": t, "messages": [
                {"code": "SAMPLE_KEY", "message": "ਨਮੂਨਾ", "module": "sample", "locale": "pa_IN"}]}))
        }
        "/egov-idgen/id/_generate" => b(json!({"idRequests": [
            {"idName": "waterservice.connection.id", "tenantId": t, "format": null}]})),
        "/user/oauth/token" => q(String::new()),
        "/user/_search" | "/user/v1/_search" => b(json!({"tenantId": t, "name": "Kaur"})),
        "/user/_details" | "/user/_logout" => q(String::new()),
        "/user/profile/_update" => b(json!({"user": {"name": "Sample Name", "gender": "FEMALE"}})),
        "/user/password/_update" => b(json!({"existingPassword": "Wrong@123",
            "newPassword": "New@12345", "tenantId": t})),
        "/user/password/nologin/_update" => b(json!({"otpReference": "123456",
            "userName": "9999999999", "newPassword": "New@12345", "tenantId": t, "type": "EMPLOYEE"})),
        "/user-otp/v1/_send" => b(json!({"otp": {"mobileNumber": "9999999999", "tenantId": t,
            "type": "passwordreset", "userType": "EMPLOYEE"}})),
        "/user/users/_createnovalidate" => b(json!({"user": {"name": "Sample Secretary",
            "mobileNumber": "9700099999", "tenantId": t, "type": "EMPLOYEE",
            "roles": [{"code": "SECRETARY", "tenantId": t}]}})),
        "/filestore/v1/files/url" => q(format!("tenantId={t}&fileStoreIds={NIL}")),
        "/filestore/v1/files/id" => q(format!(
            "tenantId={t}&fileStoreId={NIL}&expires=9999999999999&sig=00"
        )),
        "/eus/shortener" | "/egov-url-shortening/shortener" => {
            b(json!({"url": format!("/filestore/v1/files/id?tenantId={t}&fileStoreId={NIL}")}))
        }
        "/egov-hrms/employees/_create" => {
            b(json!({"Employees": [{"user": {"name": "Sample Sarpanch",
            "mobileNumber": "9700088888", "roles": [{"code": "SARPANCH", "tenantId": t}]}}]}))
        }
        "/egov-hrms/employees/_update" => b(json!({"Employees": [{"code": "EMP-0000",
            "user": {"name": "Sample Sarpanch", "roles": [{"code": "SARPANCH", "tenantId": t}]}}]})),
        "/egov-hrms/employees/_search" | "/egov-hrms/employees/_count" => {
            q(format!("tenantId={t}"))
        }
        "/billing-service/demand/_create" => b(json!({"Demands": [{"tenantId": t,
            "consumerCode": CONNECTION, "businessService": "WS",
            "taxPeriodFrom": month(9), "taxPeriodTo": month(10) - 1,
            "demandDetails": [{"taxHeadMasterCode": "10101", "taxAmount": 100}]}]})),
        "/billing-service/demand/_update" => b(json!({"Demands": [{"id": NIL, "tenantId": t,
            "demandDetails": [{"taxHeadMasterCode": "10101", "taxAmount": 100}]}]})),
        "/billing-service/demand/_search"
        | "/billing-service/demand/_getAggregateDemandDetails" => q(format!(
            "tenantId={t}&consumerCode={CONNECTION}&businessService=WS"
        )),
        "/billing-service/demand/_history" => q(format!("tenantId={t}&demandId={NIL}")),
        "/billing-service/bill/v2/_fetchbill" | "/billing-service/bill/v2/_search" => q(format!(
            "tenantId={t}&consumerCode={CONNECTION}&businessService=WS&service=WS"
        )),
        "/billing-service/bill/v2/_cancelbill" => b(json!({"UpdateBillCriteria": {"tenantId": t,
            "consumerCodes": [CONNECTION], "businessService": "WS",
            "additionalDetails": {"reason": "sample"}}})),
        "/billing-service/taxheads/_search"
        | "/billing-service/taxperiods/_search"
        | "/billing-service/businessservices/_search" => q(format!("tenantId={t}&service=WS")),
        "/collection-services/payments/_create" | "/collection-services/payments/_validate" => b(
            json!({"Payment": {"tenantId": t, "totalAmountPaid": 50, "paymentMode": "CASH",
                "paidBy": "OWNER", "payerName": "Sample Payer", "mobileNumber": "9876543210",
                "paymentDetails": [{"businessService": "WS", "billId": NIL}]}}),
        ),
        "/collection-services/payments/_search"
        | "/collection-services/payments/{module}/_search" => {
            q(format!("tenantId={t}&consumerCodes={CONNECTION}"))
        }
        "/collection-services/payments/{module}/_workflow" => b(json!({"PaymentWorkflows": [
            {"paymentId": NIL, "action": "CANCEL", "tenantId": t}]})),
        "/ws-calculator/meterConnection/_create" => b(json!({"meterReadings": {"tenantId": t,
            "connectionNo": CONNECTION, "currentReading": 120, "currentReadingDate": month(11),
            "lastReading": 100, "meterStatus": "Working"}})),
        "/ws-calculator/meterConnection/_search" => {
            q(format!("tenantId={t}&connectionNos={CONNECTION}"))
        }
        "/ws-calculator/waterCalculator/_estimate" => b(json!({"CalculationCriteria": [
            {"tenantId": t, "connectionNo": CONNECTION, "lastReading": 100, "currentReading": 120}]})),
        "/ws-calculator/waterCalculator/_bulkDemand" => {
            b(json!({"tenantId": t, "billingPeriod": "2026-09"}))
        }
        "/ws-calculator/waterCalculator/_getPenaltyDetails" => {
            q(format!("tenantId={t}&connectionNumber={CONNECTION}"))
        }
        "/ws-calculator/waterCalculator/_addPenalty" => b(json!({"tenantId": t})),
        "/property-services/property/_create" | "/property-services/property/_update" => b(
            json!({"Property": {"tenantId": t, "propertyType": "RESIDENTIAL",
                "address": {"doorNo": "7", "street": "Sample Road", "locality": {"code": "WARD1"}},
                "owners": [{"name": "Sample Kaur", "mobileNumber": "9700077777", "gender": "FEMALE",
                    "fatherOrHusbandName": "Sample Singh"}]}}),
        ),
        "/property-services/property/_search" => q(format!("tenantId={t}")),
        "/ws-services/wc/_create" | "/ws-services/wc/_update" => b(json!({"WaterConnection": {
            "tenantId": t, "connectionNo": CONNECTION, "connectionType": "Non_Metered",
            "oldConnectionNo": "SAMPLE-1", "meterId": "SAMPLE", "additionalDetails": {}}})),
        "/ws-services/wc/_search" | "/ws-services/wc/fuzzy/_search" => {
            q(format!("tenantId={t}&connectionNumber={CONNECTION}"))
        }
        "/ws-services/wc/_countWCbyDemandGenerationDate" => q(format!("tenantId={t}")),
        "/ws-services/wc/consumers/demand-not-generated" => {
            q(format!("tenantId={t}&previousMeterReading={}", month(9)))
        }
        "/pdf-service/v1/_create" => Sample {
            query: format!("key=ws-bill-v2&tenantId={t}"),
            body: json!({"Bill": [{"consumerCode": CONNECTION, "tenantId": t}]}),
        },
        _ => return None,
    })
}

/// The sample of a route known to [`known`] (a route without one gets a bare `tenantId`).
pub fn sample(path: &str, t: &str) -> Sample {
    known(path, t).unwrap_or_else(|| Sample {
        query: format!("tenantId={t}"),
        body: json!({"tenantId": t}),
    })
}

/// Someone who set their own password (pages would send them to the first-login form).
pub fn password_changed(app: &TestApp, user_id: i64) {
    use diesel::prelude::*;
    use mgramseva::db::schema::user_account;
    diesel::update(user_account::table.find(user_id))
        .set(user_account::default_pwd_chgd.eq(true))
        .execute(&mut app.db.conn())
        .unwrap();
}

/// A day inside last month (the last billing cycle billed of a new household).
fn last_cycle() -> i64 {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let last_month = mgramseva::time::prev_month(today);
    mgramseva::time::ist_day_start_millis(last_month) + 86_400_000
}

/// A household on the GP with a demand of ₹100 and a bill for it.
pub async fn household(app: &TestApp) {
    let admin = app.login(
        "9840000101",
        &["GP_ADMIN", "COLLECTION_OPERATOR", "SUPERUSER@pb"],
    );
    let (s, v) = app
        .post(
            "/property-services/property/_create",
            json!({"RequestInfo": ri(&admin), "Property": {"tenantId": GP, "propertyType": "RESIDENTIAL",
                "address": {"doorNo": "12", "street": "Gurdwara Road", "locality": {"code": "WARD1"}},
                "owners": [{"name": "Gurpreet Kaur", "mobileNumber": "9876543210", "gender": "FEMALE",
                    "fatherOrHusbandName": "Baldev Singh"}]}}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let property = v["Properties"][0]["propertyId"].clone();
    let (s, v) = app
        .post(
            "/ws-services/wc/_create",
            json!({"RequestInfo": ri(&admin), "WaterConnection": {"tenantId": GP, "propertyId": property,
                "oldConnectionNo": "OLD-1", "connectionType": "Non_Metered", "arrears": 100,
                "previousReadingDate": last_cycle(), "additionalDetails": {}}}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let no = v["WaterConnection"][0]["connectionNo"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(no, CONNECTION, "the samples name this household");
    let (s, v) = app
        .post(
            &format!("/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={no}&businessService=WS"),
            json!({"RequestInfo": ri(&admin)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

#[test]
fn every_route_has_a_sample() {
    let missing: Vec<String> = mgramseva::route_table()
        .routes()
        .iter()
        .filter(|r| known(r.path, GP).is_none())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(missing.is_empty(), "routes without a sample: {missing:?}");
}
