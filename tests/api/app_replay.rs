//! The real mGramSeva app's day, replayed request by request (issue 12): the requests exactly as
//! the Flutter app builds them (`app_client`), every answer read the way the app's models read it
//! (`app_models`), and the numbers the screens show checked against the tariff.
//!
//! The GP is on the standard slabs (product.md): flat 50 a month, metered residential 100 +
//! 2 a unit. Each test lists every step that failed, not just the first.

use chrono::{Datelike, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::app_client::*;
use crate::app_models::as_app_sends;
use crate::helpers::*;

/// A GP on the standard slabs.
const GPX: &str = "pb.aassalhihjag";
const MOBILE: &str = "9815000001";
const PW: &str = "eGov@123";

fn month_end(start: NaiveDate) -> NaiveDate {
    (start + chrono::Duration::days(32)).with_day(1).unwrap() - chrono::Duration::days(1)
}

/// The bill generation screen's `selectedBillPeriod`: `dd/MM/yyyy-dd/MM/yyyy`.
fn bill_period(start: NaiveDate) -> String {
    format!(
        "{}-{}",
        start.format("%d/%m/%Y"),
        month_end(start).format("%d/%m/%Y")
    )
}

/// An employee of the GP who can do the whole day, and the app logged in as them.
async fn logged_in(app: &TestApp) -> AppClient<'_> {
    let mut c = AppClient::new(app, GPX);
    c.login_new_employee(
        MOBILE,
        PW,
        &["GP_ADMIN", "SECRETARY", "COLLECTION_OPERATOR"],
    )
    .await;
    // the home screen: the GPs, the employee's selected
    c.tenants().await;
    c
}

/// `Owners.fromJson({"ownerType": "NONE"})` filled by the form, as `toJson` writes it.
fn owner(name: &str, mobile: &str) -> Value {
    let mut o = as_app_sends("Owners", &json!({"ownerType": "NONE"}));
    o["name"] = json!(name);
    o["mobileNumber"] = json!(mobile);
    o["fatherOrHusbandName"] = json!("Baldev Singh");
    o["gender"] = json!("FEMALE");
    o["remarks"] = json!("");
    o
}

/// The consumer form's Property (`ConsumerProvider.setModel` + the form), as `toJson` writes it.
fn property(tenant: &str, city: &str, locality: &Value, name: &str, mobile: &str) -> Value {
    let mut p = as_app_sends(
        "Property",
        &json!({"landArea": 1, "usageCategory": "RESIDENTIAL", "creationReason": "CREATE",
                "noOfFloors": 1, "source": "WS", "channel": "CITIZEN",
                "ownershipCategory": "INDIVIDUAL", "owners": [owner(name, mobile)]}),
    );
    p["tenantId"] = json!(tenant);
    p["propertyType"] = json!("RESIDENTIAL");
    p["owners"] = json!([owner(name, mobile)]);
    let mut address = as_app_sends("Address", &json!({}));
    address["city"] = json!(city);
    address["doorNo"] = json!("12");
    address["street"] = json!("Gurdwara Road");
    address["locality"] = as_app_sends(
        "Locality",
        &json!({"code": locality["code"], "area": locality["area"]}),
    );
    address["geoLocation"] = Value::Null;
    p["address"] = address;
    p
}

/// The consumer form's WaterConnection, as `toJson` writes it after `validateConsumerDetails`.
fn connection(
    tenant: &str,
    property_id: &str,
    prop: &Value,
    metered: Option<(NaiveDate, i64)>,
    old: &str,
) -> Value {
    let addr = &prop["address"];
    let mut wc = as_app_sends(
        "WaterConnection",
        &json!({"action": "SUBMIT", "proposedTaps": 1, "proposedPipeSize": 10, "noOfTaps": 1}),
    );
    wc["tenantId"] = json!(tenant);
    wc["propertyId"] = json!(property_id);
    wc["oldConnectionNo"] = json!(old);
    wc["propertyType"] = prop["propertyType"].clone();
    wc["connectionHolders"] = prop["owners"].clone();
    wc["processInstance"] = json!({"action": "SUBMIT"});
    let reading = match metered {
        Some((day, reading)) => {
            wc["connectionType"] = json!("Metered");
            wc["meterId"] = json!("MTR0001");
            wc["previousReadingDate"] = json!(ist_ms(day));
            wc["meterInstallationDate"] = json!(ist_ms(day));
            wc["previousReading"] = json!(reading);
            Value::from(reading)
        }
        None => {
            // last billed two months ago, 100 of arrears carried in
            wc["connectionType"] = json!("Non_Metered");
            wc["previousReadingDate"] = json!(ist_ms(month_start(2)));
            wc["meterInstallationDate"] = json!(ist_ms(month_start(2)));
            wc["paymentType"] = json!("arrears");
            wc["arrears"] = json!(100);
            wc["penalty"] = json!(0);
            Value::Null
        }
    };
    wc["additionalDetails"] = as_app_sends(
        "AdditionalDetails@water_connection",
        &json!({"locality": addr["locality"]["code"], "street": addr["street"], "doorNo": addr["doorNo"],
                "initialMeterReading": reading, "propertyType": prop["propertyType"],
                "meterReading": reading, "category": null, "subCategory": null,
                "aadharNumber": null, "remarks": ""}),
    );
    wc
}

/// The consumer screen: its masters, localities, then a property and a connection. Returns the
/// connection number.
async fn register(
    c: &AppClient<'_>,
    name: &str,
    mobile: &str,
    metered: Option<(NaiveDate, i64)>,
    old: &str,
) -> String {
    // `getConnectionTypePropertyTypeTaxPeriod` (on the user's tenant, "pb") and `getPaymentType`
    c.mdms(
        "consumer: masters",
        STATE_TENANT,
        json!([
            {"moduleName": "ws-services-masters", "masterDetails": [{"name": "connectionType"}, {"name": "Category"}, {"name": "SubCategory"}]},
            {"moduleName": "PropertyTax", "masterDetails": [{"name": "PropertyType"}]},
            {"moduleName": "BillingService", "masterDetails": [{"name": "TaxHeadMaster"}, {"name": "TaxPeriod", "filter": "[?(@.service=='WS')]"}]},
        ]),
        "LanguageList",
    )
    .await;
    c.mdms_billing_service("consumer: payment types").await;
    let localities = c.localities().await;
    let locality = localities
        .first()
        .cloned()
        .unwrap_or(json!({"code": "WARD1"}));
    let prop = property(&c.tenant, &c.tenant_name, &locality, name, mobile);
    let pid = c.add_property(prop.clone()).await;
    c.add_connection(connection(&c.tenant, &pid, &prop, metered, old))
        .await
}

fn holders(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w["connectionNo"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn as_f64(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

#[actix_web::test]
async fn app_day_starts_and_logs_in() {
    let app = TestApp::new();
    let mut c = AppClient::new(&app, GPX);
    // on start, before anyone logs in
    let mdms = c.mdms_init().await;
    let state = &mdms["MdmsRes"]["common-masters"]["StateInfo"][0];
    c.expect(
        "start: mdms init",
        state["code"] == STATE_TENANT,
        format!(
            "StateInfo[0].code is {} (the app's stateInfo)",
            state["code"]
        ),
    );
    c.expect(
        "start: mdms init",
        state["languages"]
            .as_array()
            .is_some_and(|l| l.iter().any(|x| x["value"] == "en_IN")),
        "StateInfo[0].languages has no en_IN",
    );
    let boot = c.localization_boot("en_IN").await;
    c.expect(
        "start: localization (mgramseva-common)",
        !boot.is_empty(),
        "no messages",
    );
    let all = c.localization("en_IN").await;
    c.expect(
        "localization (all modules)",
        all.len() > boot.len(),
        format!(
            "{} messages for all modules, {} for common",
            all.len(),
            boot.len()
        ),
    );
    // login (the token, then user/_search)
    let profile = c
        .login_new_employee(MOBILE, PW, &["GP_ADMIN", "COLLECTION_OPERATOR"])
        .await;
    c.expect(
        "login: user/_search",
        profile["user"][0]["mobileNumber"] == MOBILE,
        format!(
            "user[0].mobileNumber {}",
            profile["user"][0]["mobileNumber"]
        ),
    );
    // home: the GPs of the state; the employee's must be among them
    let tenants = c.tenants().await;
    c.expect(
        "home: tenants",
        tenants["tenants"].as_array().is_some_and(|t| {
            t.iter()
                .any(|x| x["code"] == GPX && x["city"]["code"].is_string())
        }),
        format!("no tenant {GPX} with a city code"),
    );
    // the masters the screens of the day ask for
    let slabs = c
        .mdms(
            "bills: rates",
            GPX,
            json!([{"moduleName": "ws-services-calculation", "masterDetails": [{"name": "WCBillingSlab"}]}]),
            "LanguageList",
        )
        .await;
    c.expect(
        "bills: rates",
        slabs["MdmsRes"]["ws-services-calculation"]["WCBillingSlab"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "no WCBillingSlab",
    );
    let modes = c
        .mdms(
            "payment: modes",
            STATE_TENANT,
            json!([{"moduleName": "BillingService", "masterDetails": [{"name": "BusinessService", "filter": "[?(@.code=='WS')]"}]}]),
            "LanguageList",
        )
        .await;
    // `businessServiceList!.first.collectionModesNotAllowed!`
    c.expect(
        "payment: modes",
        modes["MdmsRes"]["BillingService"]["BusinessService"][0]["collectionModesNotAllowed"]
            .is_array(),
        "BusinessService[0].collectionModesNotAllowed is not a list",
    );
    let bs = c.mdms_billing_service("household: billing service").await;
    c.expect(
        "household: billing service",
        bs["MdmsRes"]["BillingService"]["TaxHeadMaster"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "no TaxHeadMaster",
    );
    c.localities().await;
    c.finish();
}

#[actix_web::test]
async fn app_home_asks_for_notifications() {
    let app = TestApp::new();
    let c = logged_in(&app).await;
    let uuid = c.user["uuid"].as_str().unwrap_or_default().to_owned();
    let v = c
        .notifications(&[
            ("tenantId", GPX),
            ("eventType", "SYSTEMGENERATED"),
            ("recepients", &uuid),
            ("limit", "50"),
        ])
        .await;
    // `notifications1!.events!`
    c.expect(
        "home: notifications",
        v["events"].is_array(),
        "no events list",
    );
    c.notifications(&[
        ("tenantId", GPX),
        ("eventType", "SYSTEMGENERATED"),
        ("roles", "COLLECTION_OPERATOR,GP_ADMIN,SECRETARY"),
        ("limit", "50"),
    ])
    .await;
    c.finish();
}

#[actix_web::test]
async fn app_day_registers_and_finds_consumers() {
    let app = TestApp::new();
    let c = logged_in(&app).await;
    let flat = register(&c, "Gurpreet Kaur", "9876511111", None, "OLD/F/1").await;
    let metered = register(
        &c,
        "Harjit Singh",
        "9876522222",
        Some((today() - chrono::Duration::days(40), 100)),
        "OLD/M/1",
    )
    .await;
    assert!(
        !flat.is_empty() && !metered.is_empty(),
        "no consumers: {:?}",
        c.problems()
    );
    // the search screen, one field at a time
    let by_no = c
        .search(
            "search: by connection no",
            &[("tenantId", GPX), ("connectionNumber", &flat)],
        )
        .await;
    c.expect(
        "search: by connection no",
        holders(&by_no, "WaterConnection") == [flat.clone()],
        format!("found {:?}", holders(&by_no, "WaterConnection")),
    );
    let by_mobile = c
        .search(
            "search: by mobile",
            &[("tenantId", GPX), ("mobileNumber", "9876522222")],
        )
        .await;
    c.expect(
        "search: by mobile",
        holders(&by_mobile, "WaterConnection") == [metered.clone()],
        format!("found {:?}", holders(&by_mobile, "WaterConnection")),
    );
    let by_old = c
        .search(
            "search: by old connection no",
            &[("tenantId", GPX), ("oldConnectionNumber", "OLD/M/1")],
        )
        .await;
    c.expect(
        "search: by old connection no",
        holders(&by_old, "WaterConnection") == [metered.clone()],
        format!("found {:?}", holders(&by_old, "WaterConnection")),
    );
    let by_name = c
        .fuzzy_search(
            "search: by name (fuzzy)",
            &[("tenantId", GPX), ("name", "Gurpreet")],
        )
        .await;
    c.expect(
        "search: by name (fuzzy)",
        holders(&by_name, "waterConnectionData") == [flat.clone()],
        format!(
            "waterConnectionData {:?}",
            holders(&by_name, "waterConnectionData")
        ),
    );
    // the household register: all, then the paid tab, then a text search
    let now = Utc::now().timestamp_millis().to_string();
    let base = [
        ("tenantId", GPX),
        ("offset", "0"),
        ("limit", "10"),
        ("toDate", now.as_str()),
        ("isCollectionCount", "true"),
    ];
    let sort = [("sortOrder", "DESC"), ("sortBy", "connectionNumber")];
    let all: Vec<(&str, &str)> = base.iter().chain(sort.iter()).copied().collect();
    let reg = c.search("register: all", &all).await;
    c.expect(
        "register: all",
        reg["totalCount"] == 2 && holders(&reg, "WaterConnection").len() == 2,
        format!(
            "totalCount {}, {:?}",
            reg["totalCount"],
            holders(&reg, "WaterConnection")
        ),
    );
    let paid: Vec<(&str, &str)> = base
        .iter()
        .copied()
        .chain([("isBillPaid", "true")])
        .chain(sort.iter().copied())
        .collect();
    let reg_paid = c.search("register: paid tab", &paid).await;
    // paid: nothing pending (`pendingamount <= 0 or null`), so the metered newcomer, not the
    // flat one with its arrears
    c.expect(
        "register: paid tab",
        holders(&reg_paid, "WaterConnection") == [metered.clone()],
        format!("paid tab: {:?}", holders(&reg_paid, "WaterConnection")),
    );
    let text: Vec<(&str, &str)> = all
        .iter()
        .copied()
        .chain([("textSearch", "Harjit"), ("freeSearch", "true")])
        .collect();
    let reg_text = c.search("register: text search", &text).await;
    c.expect(
        "register: text search",
        holders(&reg_text, "WaterConnection") == [metered.clone()],
        format!("found {:?}", holders(&reg_text, "WaterConnection")),
    );
    // the consumer edit screen: the connection, its demands and payments
    let demands = c.demand_details(&flat).await;
    c.expect(
        "consumer edit: demand search",
        demands
            .iter()
            .any(|d| d["consumerType"] == "waterConnection-arrears"),
        format!("no arrears demand among {}", demands.len()),
    );
    let pays = c.payments("consumer edit: payments", &flat).await;
    c.expect(
        "consumer edit: payments",
        pays["Payments"].as_array().is_some_and(Vec::is_empty),
        "a new consumer has paid nothing",
    );
    c.finish();
}

#[actix_web::test]
async fn app_day_bills_collects_and_prints() {
    let app = TestApp::new();
    let c = logged_in(&app).await;
    let flat = register(&c, "Gurpreet Kaur", "9876511111", None, "OLD/F/1").await;
    let metered = register(
        &c,
        "Harjit Singh",
        "9876522222",
        Some((today() - chrono::Duration::days(40), 100)),
        "OLD/M/1",
    )
    .await;
    assert!(
        !flat.is_empty() && !metered.is_empty(),
        "no consumers: {:?}",
        c.problems()
    );

    // bulk demand for last month: the flat household, 50
    let bulk = c.bulk_demand(&bill_period(month_start(1))).await;
    c.expect("bills: bulk demand", !bulk.is_null(), "no answer");

    // the metered household's reading: 25 units -> 100 + 25 x 2 = 150
    let step = "bills: meter reading";
    let found = c
        .search(
            "bills: connection",
            &[("tenantId", GPX), ("connectionNumber", &metered)],
        )
        .await;
    let wc = &found["WaterConnection"][0];
    let before = c
        .meter_readings("bills: meter readings before", &metered)
        .await;
    let prev_date = wc["previousReadingDate"].as_i64().unwrap_or_default();
    let fmt = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .with_timezone(&chrono_tz::Asia::Kolkata)
            .format("%d/%m/%Y")
            .to_string()
    };
    c.expect(
        "bills: meter readings before",
        before["meterReadings"].as_array().is_none_or(Vec::is_empty),
        "readings before the first",
    );
    let answer = c
        .meter_reading(json!({
            "currentReading": 125, "currentReadingDate": ist_ms(today()),
            "billingPeriod": format!("{} - {}", fmt(prev_date), fmt(ist_ms(today()))),
            "meterStatus": "Working", "connectionNo": metered, "lastReading": 100,
            "lastReadingDate": prev_date, "generateDemand": true, "tenantId": GPX}))
        .await;
    if let Some(r) = answer["meterReadings"].get(0)
        && let Err(e) = crate::app_models::parses_as("MeterReadings", r)
    {
        c.problem(step, e);
    }
    let bill = c
        .fetch_bill("bills: bill after the reading", &metered)
        .await;
    c.expect(
        "bills: bill after the reading",
        as_f64(&bill["Bill"][0]["totalAmount"]) == Some(150.0),
        format!(
            "metered bill totalAmount {} (want 150)",
            bill["Bill"][0]["totalAmount"]
        ),
    );
    let after = c
        .meter_readings("bills: meter readings after", &metered)
        .await;
    c.expect(
        "bills: meter readings after",
        after["meterReadings"][0]["currentReading"] == 125,
        format!("readings {}", after["meterReadings"]),
    );

    // the household page of the flat consumer
    let page = c
        .search(
            "household: connection",
            &[("tenantId", GPX), ("connectionNumber", &flat)],
        )
        .await;
    let wc = page["WaterConnection"][0].clone();
    let bills = c.fetch_bill("household: bill", &flat).await;
    let bill = bills["Bill"][0].clone();
    c.expect(
        "household: bill",
        as_f64(&bill["totalAmount"]) == Some(150.0),
        format!(
            "flat bill totalAmount {} (want 100 arrears + 50)",
            bill["totalAmount"]
        ),
    );
    // `bill.payerName!` (the bill's share link) and the payer the payment form fills in
    for key in ["payerName", "mobileNumber"] {
        c.expect(
            "household: bill",
            bill[key].is_string(),
            format!("Bill[0].{key} is {}", bill[key]),
        );
    }
    let agg = c.aggregate_demand(&flat).await;
    c.expect(
        "household: aggregate demand",
        as_f64(&agg["netDueWithPenalty"]) == Some(150.0),
        format!("netDueWithPenalty {} (want 150)", agg["netDueWithPenalty"]),
    );
    c.mdms_billing_service("household: billing service").await;
    c.penalty_details(&flat).await;
    let demands = c.demands("household: demands", &flat).await;
    // the page sorts them by `demandDetails!.first.auditDetails!.createdTime!`
    for (i, d) in demands.iter().enumerate() {
        c.expect(
            "household: demands",
            d["demandDetails"][0]["auditDetails"]["createdTime"].is_i64(),
            format!("Demands[{i}].demandDetails[0].auditDetails.createdTime missing"),
        );
    }
    let monthly: f64 = demands
        .iter()
        .filter(|d| d["taxPeriodFrom"] == ist_ms(month_start(1)))
        .flat_map(|d| d["demandDetails"].as_array().cloned().unwrap_or_default())
        .filter_map(|l| as_f64(&l["taxAmount"]))
        .sum();
    c.expect(
        "household: demands",
        demands.is_empty() || monthly == 50.0,
        format!("last month's demand {monthly} (want the flat 50)"),
    );
    c.payments("household: payments", &flat).await;

    // the bill PDF (first demand: pdf-service with an empty token), then its file's URL
    let pdf = c
        .pdf_bill_no_token(
            json!({"Bill": [as_app_sends("Bill", &bill)], "AggregatedDemands": as_app_sends("AggragateDemandDetails", &agg)}),
            "ws-bill-nm-v2",
        )
        .await;
    pdf_file(&c, "pdf: bill file", &pdf).await;
    let wc_type = wc["connectionType"].as_str().unwrap_or("Non_Metered");
    c.expect(
        "household: connection",
        wc_type == "Non_Metered",
        format!("connectionType {wc_type}"),
    );

    // collect payment: the screen fetches the bill without a token and pays all of it in cash
    let fetched = c.fetch_bill_for_payment(&flat).await;
    // (if that call fails, the day goes on with the bill the household page had, to see the rest)
    let fb = fetched.first().cloned().unwrap_or_else(|| bill.clone());
    let amount = fb["totalAmount"].to_string();
    c.expect(
        "payment: fetch bill (no token)",
        as_f64(&fb["totalAmount"]) == Some(150.0),
        format!("totalAmount {amount}"),
    );
    let paid = c
        .collect_payment(json!({
            "tenantId": GPX, "paymentMode": "CASH", "paidBy": fb["payerName"],
            "mobileNumber": fb["mobileNumber"], "totalAmountPaid": amount,
            "paymentDetails": [{"businessService": fb["businessService"],
                                "billId": fb["billDetails"][0]["billId"], "totalAmountPaid": amount}]}))
        .await;
    let payment = paid["Payments"][0].clone();
    c.expect(
        "payment: collect",
        as_f64(&payment["totalAmountPaid"]) == Some(150.0),
        format!("totalAmountPaid {}", payment["totalAmountPaid"]),
    );
    // the receipt's share text: `payments.totalDue! - payments.totalAmountPaid!`, `paidBy!`,
    // `paymentDetails!.first.bill!.consumerCode`
    c.expect(
        "payment: collect",
        payment["totalDue"].is_number()
            && payment["paidBy"].is_string()
            && payment["paymentDetails"][0]["bill"]["consumerCode"] == flat,
        format!(
            "totalDue {}, paidBy {}, paymentDetails[0].bill.consumerCode {}",
            payment["totalDue"],
            payment["paidBy"],
            payment["paymentDetails"][0]["bill"]["consumerCode"]
        ),
    );

    // receipts: the household's payments, and the receipt PDF
    let receipts = c.payments("receipts: payments", &flat).await;
    let listed = receipts["Payments"].as_array().cloned().unwrap_or_default();
    c.expect(
        "receipts: payments",
        listed.len() == 1
            && as_f64(&listed[0]["totalAmountPaid"]) == Some(150.0)
            && listed[0]["paymentDetails"][0]["receiptNumber"].is_string(),
        format!("{} payments: {}", listed.len(), receipts["Payments"]),
    );
    let receipt = c
        .pdf(
            "pdf: receipt",
            json!({"Payments": [as_app_sends("Payments", &payment)]}),
            "ws-receipt-nm",
        )
        .await;
    pdf_file(&c, "pdf: receipt file", &receipt).await;
    // nothing is owed any more
    let after = c.fetch_bill("household: bill after paying", &flat).await;
    c.expect(
        "household: bill after paying",
        after["Bill"]
            .as_array()
            .is_none_or(|b| b.is_empty() || as_f64(&b[0]["totalAmount"]) == Some(0.0)),
        format!("still a bill: {}", after["Bill"]),
    );
    c.finish();
}

/// `fetchFiles(filestoreIds)` then the browser opening the URL: a PDF.
async fn pdf_file(c: &AppClient<'_>, step: &str, pdf: &Value) {
    let Some(id) = pdf["filestoreIds"][0].as_str() else {
        c.problem(step, format!("no filestoreIds[0]: {pdf}"));
        return;
    };
    let files = c.file_urls(step, &[id]).await;
    let Some(url) = files.first().and_then(|f| f["url"].as_str()) else {
        c.problem(step, "no fileStoreIds[0].url");
        return;
    };
    let bytes = c.download(step, url).await;
    c.expect(step, bytes.starts_with(b"%PDF"), "the file is not a PDF");
}

#[actix_web::test]
async fn app_day_ends_with_profile_and_password() {
    let app = TestApp::new();
    let mut c = logged_in(&app).await;
    let profile = c.profile().await;
    // edit: the screen's User with the new name and e-mail, `dob` cleared by getText
    let mut user = as_app_sends("User", &profile["user"][0]);
    user["name"] = json!("Manpreet Kaur");
    user["emailId"] = json!("manpreet@example.org");
    user["dob"] = Value::Null;
    let edited = c.edit_profile(user).await;
    c.expect(
        "profile: edit",
        edited["user"][0]["name"] == "Manpreet Kaur"
            && edited["user"][0]["emailId"] == "manpreet@example.org",
        format!("answer user[0] {}", edited["user"][0]),
    );
    let again = c.profile().await;
    c.expect(
        "profile: after edit",
        again["user"][0]["name"] == "Manpreet Kaur",
        format!("name {}", again["user"][0]["name"]),
    );
    // change the password, log in with the new one; the old one no longer works
    c.change_password(PW, "Punjab@2024").await;
    c.login(MOBILE, "Punjab@2024").await;
    let (s, _) = c.token_call(MOBILE, PW).await;
    c.expect(
        "login again: old password",
        s.as_u16() == 400 || s.as_u16() == 401,
        format!("the old password gave {s}"),
    );
    c.finish();
}
