//! The mGramSeva app against our water APIs (issue 12): every request built as the app builds
//! it (`app_client`: `consumer_details_provider.dart`, `search_connection_repo.dart`,
//! `bill_generation_details_provider.dart`, `household_register_provider.dart`, the models'
//! `toJson()` with all their null fields), and every answer read as the app's generated
//! `fromJson` casts it (`app_models`). Then the calculator's `_calculate` and `_jobscheduler`
//! with the standard tariff's numbers.

use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

use crate::app_client::AppClient;
use crate::app_models::{as_app_sends, assert_parses};
use crate::helpers::*;

/// A GP on the standard slabs: metered residential 100 + 2 a unit, flat 50 for every type.
const STD: &str = "pb.aassalhihjag";
const PW: &str = "eGov@123";

// ---------------------------------------------------------------------------------------------
// The app's requests.

/// The app logged in as a GP admin, collector and secretary of `STD`; a problem fails at once.
async fn logged_in(app: &TestApp) -> AppClient<'_> {
    let roles = ["GP_ADMIN", "COLLECTION_OPERATOR", "SECRETARY"];
    let mut a = AppClient::strict(app, STD);
    a.login_new_employee("9851000001", PW, &roles).await;
    a
}

/// `X().toJson()`: every field of the app's model, null.
fn empty(model: &str) -> Value {
    as_app_sends(model, &json!({}))
}

/// `Property.fromJson({...setModel defaults}).toJson()` after the form: every field of the
/// model, the owner's too.
fn app_property(mobile: &str, name: &str) -> Value {
    let mut owner = empty("Owners");
    owner["ownerType"] = json!("NONE");
    owner["name"] = json!(name);
    owner["mobileNumber"] = json!(mobile);
    owner["gender"] = json!("FEMALE");
    owner["fatherOrHusbandName"] = json!("Baldev Singh");
    let mut address = empty("Address");
    address["city"] = json!("Aas Salhih Jag");
    address["doorNo"] = json!("12");
    address["street"] = json!("Gurdwara Road");
    address["locality"] = json!({"code": "WARD1", "area": null, "name": null, "label": null});
    let mut p = empty("Property");
    for (k, v) in [
        ("tenantId", json!(STD)),
        ("landArea", json!(1.0)),
        ("usageCategory", json!("RESIDENTIAL")),
        ("creationReason", json!("CREATE")),
        ("noOfFloors", json!(1)),
        ("source", json!("WS")),
        ("channel", json!("CITIZEN")),
        ("ownershipCategory", json!("INDIVIDUAL")),
        ("propertyType", json!("RESIDENTIAL")),
        ("owners", json!([owner])),
        ("address", address),
    ] {
        p[k] = v;
    }
    p
}

/// `waterconnection.toJson()` as `validateConsumerDetails` leaves it for a new household.
fn app_connection(property: &Value, property_id: &str, fields: Value, details: Value) -> Value {
    let mut wc = empty("WaterConnection");
    for (k, v) in [
        ("action", json!("SUBMIT")),
        ("proposedTaps", json!(1)),
        ("proposedPipeSize", json!(10.0)),
        ("noOfTaps", json!(1)),
        ("tenantId", json!(STD)),
        ("propertyId", json!(property_id)),
        ("propertyType", json!("RESIDENTIAL")),
        ("connectionHolders", property["owners"].clone()),
        ("processInstance", json!({"action": "SUBMIT"})),
    ] {
        wc[k] = v;
    }
    for (k, v) in fields.as_object().unwrap() {
        wc[k.as_str()] = v.clone();
    }
    let mut d = empty("AdditionalDetails@water_connection");
    for (k, v) in [
        ("locality", json!("WARD1")),
        ("street", json!("Gurdwara Road")),
        ("doorNo", json!("12")),
        ("propertyType", json!("RESIDENTIAL")),
        ("remarks", json!("")),
    ] {
        d[k] = v;
    }
    for (k, v) in details.as_object().unwrap() {
        d[k.as_str()] = v.clone();
    }
    wc["additionalDetails"] = d;
    wc
}

/// A property and its connection as the app registers them; answers (property id, connection
/// number).
async fn household(
    a: &AppClient<'_>,
    mobile: &str,
    name: &str,
    fields: Value,
    details: Value,
) -> (String, String) {
    let prop = app_property(mobile, name);
    let pid = a.add_property(prop.clone()).await;
    let no = a
        .add_connection(app_connection(&prop, &pid, fields, details))
        .await;
    (pid, no)
}

/// A flat-rate household whose last cycle billed before joining is `last_cycle`.
async fn flat(
    a: &AppClient<'_>,
    mobile: &str,
    name: &str,
    old: &str,
    last_cycle: NaiveDate,
) -> String {
    household(
        a,
        mobile,
        name,
        json!({"connectionType": "Non_Metered", "oldConnectionNo": old,
               "previousReadingDate": ist_ms(last_cycle) + 3_600_000, "meterInstallationDate": ist_ms(last_cycle) + 3_600_000,
               "paymentType": "arrears", "arrears": 0.0, "penalty": 0.0}),
        json!({}),
    )
    .await
    .1
}

/// The search every screen makes (`getconnection`) for one connection.
async fn connection(a: &AppClient<'_>, no: &str) -> Value {
    a.search("wc/_search", &[("tenantId", STD), ("connectionNumber", no)])
        .await
}

// ---------------------------------------------------------------------------------------------

#[actix_web::test]
async fn a_metered_household_as_the_app_registers_searches_bills_and_edits_it() {
    let app = TestApp::new();
    let a = logged_in(&app).await;
    let start = today() - chrono::Duration::days(40);
    // Metered: the five boxes read 00100; `previousReading`, `initialMeterReading` and
    // `meterReading` all carry it.
    let (pid, no) = household(
        &a,
        "9851000101",
        "Kuldeep Kaur",
        json!({"connectionType": "Metered", "oldConnectionNo": "M/101", "meterId": "MTR101",
               "previousReadingDate": ist_ms(start), "meterInstallationDate": ist_ms(start),
               "previousReading": 100}),
        json!({"initialMeterReading": 100, "meterReading": 100, "aadharNumber": "123412341234",
               "category": "APL", "subCategory": "GENERAL"}),
    )
    .await;

    // The search every screen makes: the answer the app reads without a cast error, and the
    // edit screen's reading boxes filled from `meterReading`.
    let v = connection(&a, &no).await;
    assert_eq!(v["totalCount"], 1);
    let wc = &v["WaterConnection"][0];
    assert_eq!(wc["connectionNo"], json!(no));
    assert_eq!(wc["propertyId"], json!(pid));
    assert_eq!(wc["documents"], Value::Null);
    assert_eq!(wc["connectionHolders"][0]["isPrimaryOwner"], Value::Null);
    assert_eq!(wc["connectionHolders"][0]["name"], "Kuldeep Kaur");
    let d = &wc["additionalDetails"];
    assert_eq!(d["meterReading"], json!(100));
    assert_eq!(d["initialMeterReading"], json!(100));
    assert_eq!(d["aadharNumber"], "********1234");
    assert_eq!(d["propertyType"], "RESIDENTIAL");
    assert_eq!(d["category"], "APL");
    assert_eq!(wc["meterId"], "MTR101");
    assert_eq!(wc["previousReadingDate"], json!(ist_ms(start)));

    // The edit screen loads the property (`ConsumerRepository.getProperty`).
    let (s, pv) = a
        .post(
            "property-services/property/_search",
            &[("tenantId", STD), ("propertyIds", &pid)],
            Some(json!({"userInfo": a.user})),
            Some(a.ri("_search", None)),
        )
        .await;
    assert_eq!(s, 200, "{pv}");
    let loaded = &pv["Properties"][0];
    assert_parses("Property", loaded);
    assert_eq!(loaded["owners"][0]["isPrimaryOwner"], Value::Null);
    assert_eq!(loaded["owners"][0]["mobileNumber"], "9851000101");
    assert_eq!(loaded["address"]["locality"]["code"], "WARD1");
    assert_eq!(loaded["noOfFloors"], json!(1));

    // Bill generation: no reading yet, so the old reading comes from `meterReading`.
    let r = a.meter_readings("readings", &no).await;
    assert_eq!(r["meterReadings"], json!([]));
    let old = wc["additionalDetails"]["meterReading"].as_i64().unwrap();
    let read_on = today();
    let v = a
        .meter_reading(json!({"currentReading": 130, "currentReadingDate": ist_ms(read_on),
            "billingPeriod": format!("{} - {}", start.format("%d/%m/%Y"), read_on.format("%d/%m/%Y")),
            "meterStatus": "Working", "connectionNo": no, "lastReading": old,
            "lastReadingDate": ist_ms(start), "generateDemand": true, "tenantId": STD}))
        .await;
    assert_parses("MeterDemand", &v);
    // 30 units on the standard tariff: 100 + 30 x 2
    assert_eq!(
        tax_amount(&v["meterReadings"][0]["demand"], "10101"),
        json!(160)
    );
    assert_eq!(v["meterReadings"][0]["consumption"], Value::Null);

    // The next bill starts from this reading.
    let r = a.meter_readings("readings", &no).await;
    let m = &r["meterReadings"][0];
    assert_eq!(
        (m["lastReading"].clone(), m["currentReading"].clone()),
        (json!(100), json!(130))
    );
    assert_eq!(m["consumption"], Value::Null);
    assert_eq!(m["generateDemand"], json!(true));
    assert_eq!(m["connectionNo"], json!(no));
    assert_eq!(m["currentReadingDate"], json!(ist_ms(read_on)));
    let ds = a.demands("demands", &no).await;
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(tax_amount(&ds[0], "10101"), json!(160));

    // Edit: the app sends back what it read (its models' fields only), the masked Aadhaar
    // number included, with a new street; the property too.
    let mut edit = as_app_sends("WaterConnection", wc);
    edit["processInstance"] = json!({"action": "SUBMIT"});
    edit["connectionHolders"] = as_app_sends("Property", loaded)["owners"].clone();
    edit["additionalDetails"]["street"] = json!("Bazaar Road");
    edit["additionalDetails"]["remarks"] = json!("");
    edit["status"] = json!("Active");
    let mut prop_edit = as_app_sends("Property", loaded);
    prop_edit["creationReason"] = json!("UPDATE");
    prop_edit["address"]["street"] = json!("Bazaar Road");
    prop_edit["address"]["geoLocation"] = json!({"latitude": null, "longitude": null});
    prop_edit["source"] = json!("WS");
    let (s, v) = a
        .send(
            "property-services/property/_update",
            &[],
            "_update",
            json!({"Property": prop_edit}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_parses("Property", &v["Properties"][0]);
    let (s, v) = a
        .send(
            "ws-services/wc/_update",
            &[],
            "_update",
            json!({"WaterConnection": edit}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_parses("WaterConnections", &v);
    let v = connection(&a, &no).await;
    let d = &v["WaterConnection"][0]["additionalDetails"];
    assert_eq!(d["street"], "Bazaar Road");
    assert_eq!(d["meterReading"], json!(100));
    assert_eq!(
        d["aadharNumber"], "********1234",
        "the masked number is no change"
    );
    assert_eq!(
        v["WaterConnection"][0]["connectionHolders"][0]["isPrimaryOwner"],
        Value::Null
    );
}

#[actix_web::test]
async fn a_flat_household_with_an_advance_and_the_register_as_the_app_reads_them() {
    let app = TestApp::new();
    let a = logged_in(&app).await;
    // The advance as the app sends it: negative, with its payment type.
    let (_, no) = household(
        &a,
        "9851000201",
        "Gurpreet Kaur",
        json!({"connectionType": "Non_Metered", "oldConnectionNo": "F/201",
               "previousReadingDate": ist_ms(month_start(1)) + 3_600_000,
               "meterInstallationDate": ist_ms(month_start(1)) + 3_600_000,
               "paymentType": "advance", "advance": -200.0}),
        json!({}),
    )
    .await;
    let v = connection(&a, &no).await;
    let wc = &v["WaterConnection"][0];
    assert_eq!(wc["paymentType"], "advance");
    assert_eq!(wc["advance"], json!(200));
    assert_eq!(wc["additionalDetails"]["meterReading"], Value::Null);
    let ds = a.demands("demands", &no).await;
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(tax_amount(&ds[0], "WS_ADVANCE_CARRYFORWARD"), json!(-200));
    // The household register, as `household_register_provider.dart` asks for it.
    let to = Utc::now().timestamp_millis().to_string();
    let v = a
        .search(
            "register",
            &[
                ("tenantId", STD),
                ("offset", "0"),
                ("limit", "10"),
                ("toDate", &to),
                ("isCollectionCount", "true"),
            ],
        )
        .await;
    assert_eq!(v["totalCount"], 1);
    assert_eq!(v["collectionDataCount"]["collectionPaid"], json!(1));
    assert_eq!(v["collectionDataCount"]["collectionPending"], json!(0));
    // an advance shows as a negative pending amount, as text
    assert_eq!(
        v["WaterConnection"][0]["additionalDetails"]["collectionPendingAmount"],
        "-200.00"
    );
    // The name search (`getConnectionName`), the form's blank fields dropped.
    let v = a
        .fuzzy_search("name search", &[("tenantId", STD), ("name", "Gurpreet")])
        .await;
    // ws-services answers the name search in `waterConnectionData`, which the app's list reads
    assert!(v.get("WaterConnection").is_none(), "{v}");
    assert_eq!(
        holder_names(&json!({"WaterConnection": v["waterConnectionData"]})),
        ["Gurpreet Kaur"]
    );
}

#[actix_web::test]
async fn primary_owner_payment_type_and_kept_details_come_back_as_sent_and_bad_ones_write_nothing()
{
    let app = TestApp::new();
    let a = logged_in(&app).await;
    // A client other than the app may send a boolean (ws-services and property-services keep
    // it; the app never sets it).
    let mut prop = app_property("9851000301", "Manpreet Kaur");
    prop["owners"][0]["isPrimaryOwner"] = json!(true);
    let (s, v) = a
        .send(
            "property-services/property/_create",
            &[],
            "_create",
            json!({"Property": prop}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        v["Properties"][0]["owners"][0]["isPrimaryOwner"],
        json!(true)
    );
    let pid = v["Properties"][0]["propertyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut wc = app_connection(
        &prop,
        &pid,
        json!({"connectionType": "Non_Metered", "oldConnectionNo": "F/301",
               "previousReadingDate": ist_ms(month_start(1)) + 3_600_000}),
        json!({"action": "SUBMIT", "meterReading": "00042"}),
    );
    wc["connectionHolders"][0]["isPrimaryOwner"] = json!("false");
    let (s, v) = a
        .send(
            "ws-services/wc/_create",
            &[],
            "_create",
            json!({"WaterConnection": wc.clone()}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let made = &v["WaterConnection"][0];
    assert_eq!(made["connectionHolders"][0]["isPrimaryOwner"], json!(false));
    assert_eq!(made["additionalDetails"]["action"], "SUBMIT");
    assert_eq!(made["additionalDetails"]["meterReading"], json!(42));
    let no = made["connectionNo"].as_str().unwrap().to_owned();

    // Not a boolean, not a reading: refused with the field, and nothing written.
    // (searched as any client: a holder marked primary by a boolean is what the app itself
    // could not read, from ws-services too)
    let count = async || {
        let (s, v) = a
            .send(
                "ws-services/wc/_search",
                &[("tenantId", STD)],
                "_search",
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["totalCount"].as_i64().unwrap()
    };
    let before = count().await;
    let mut bad = prop.clone();
    bad["owners"][0]["isPrimaryOwner"] = json!(5);
    bad["owners"][0]["mobileNumber"] = json!("9851000302");
    let (s, v) = a
        .send(
            "property-services/property/_create",
            &[],
            "_create",
            json!({"Property": bad}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(code(&v), "INVALID_IS_PRIMARY_OWNER");
    let mut bad = wc.clone();
    bad["oldConnectionNo"] = json!("F/302");
    bad["additionalDetails"]["meterReading"] = json!("abc");
    let (s, v) = a
        .send(
            "ws-services/wc/_create",
            &[],
            "_create",
            json!({"WaterConnection": bad}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(code(&v), "INVALID_METER_READING");
    assert_eq!(
        error_fields(&v),
        ["WaterConnection.additionalDetails.meterReading"]
    );
    assert_eq!(count().await, before);

    // An update keeps what it does not name and replaces what it names.
    let (s, v) = a
        .send(
            "ws-services/wc/_update",
            &[],
            "_update",
            json!({"WaterConnection": {"tenantId": STD, "connectionNo": no, "paymentType": "arrears",
                   "connectionHolders": [{"isPrimaryOwner": null}],
                   "additionalDetails": {"meterReading": 7, "collectionAmount": "999.00"}}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let wc = &connection(&a, &no).await["WaterConnection"][0];
    assert_eq!(wc["paymentType"], "arrears");
    assert_eq!(wc["connectionHolders"][0]["isPrimaryOwner"], Value::Null);
    assert_eq!(wc["additionalDetails"]["meterReading"], json!(7));
    assert_eq!(wc["additionalDetails"]["action"], "SUBMIT");
    // a computed figure is the server's, whatever was sent (nothing collected: null)
    assert_eq!(wc["additionalDetails"]["collectionAmount"], Value::Null);
}

#[actix_web::test]
async fn the_search_answers_50_by_default_and_at_most_500() {
    let app = TestApp::new();
    let a = logged_in(&app).await;
    for n in 0..51 {
        flat(
            &a,
            &format!("98520{n:05}"),
            "Simran Kaur",
            &format!("L/{n}"),
            month_start(1),
        )
        .await;
    }
    let v = a.search("all", &[("tenantId", STD)]).await;
    assert_eq!(v["WaterConnection"].as_array().unwrap().len(), 50);
    assert_eq!(v["totalCount"], 51);
    let v = a
        .search(
            "page",
            &[("tenantId", STD), ("limit", "500"), ("offset", "40")],
        )
        .await;
    assert_eq!(v["WaterConnection"].as_array().unwrap().len(), 11);
    let (s, v) = a
        .send(
            "ws-services/wc/_search",
            &[("tenantId", STD), ("limit", "501")],
            "_search",
            json!({}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(code(&v), "INVALID_LIMIT");
}

#[actix_web::test]
async fn calculate_makes_the_demand_of_a_reading_or_a_month_all_or_nothing() {
    let app = TestApp::new();
    let a = logged_in(&app).await;
    let start = today() - chrono::Duration::days(40);
    let mut metered = Vec::new();
    for (n, name) in [("401", "Jaspreet Kaur"), ("402", "Navjot Kaur")] {
        let (_, no) = household(
            &a,
            &format!("9851000{n}"),
            name,
            json!({"connectionType": "Metered", "oldConnectionNo": format!("M/{n}"), "meterId": format!("MTR{n}"),
                   "previousReadingDate": ist_ms(start), "previousReading": 100}),
            json!({"initialMeterReading": 100, "meterReading": 100}),
        )
        .await;
        metered.push(no);
    }
    let [m1, m2] = <[String; 2]>::try_from(metered).unwrap();
    let flat = flat(&a, "9851000403", "Rajwinder Kaur", "F/403", month_start(2)).await;
    let calc = |criteria: Value| {
        a.send(
            "ws-calculator/waterCalculator/_calculate",
            &[],
            "_calculate",
            json!({"CalculationCriteria": criteria, "isconnectionCalculation": true}),
        )
    };

    // A reading, 100 -> 130 (as ws-calculator takes it: Doubles): 100 + 30 x 2.
    let (s, v) = calc(
        json!([{"tenantId": STD, "connectionNo": m1, "lastReading": 100.0,
                              "currentReading": 130.0, "to": ist_ms(today())}]),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let c = &v["Calculation"][0];
    assert_eq!(c["connectionNo"], json!(m1));
    assert_eq!(
        (
            c["charge"].clone(),
            c["taxAmount"].clone(),
            c["totalAmount"].clone()
        ),
        (json!(160), json!(160), json!(160))
    );
    assert_eq!(c["taxHeadEstimates"][0]["estimateAmount"], json!(160));
    // recorded as a reading, so the next bill starts from 130
    let r = a.meter_readings("readings", &m1).await;
    assert_eq!(r["meterReadings"][0]["currentReading"], json!(130));
    let ds = a.demands("demands", &m1).await;
    assert_eq!(ds.len(), 1);
    assert_eq!(tax_amount(&ds[0], "10101"), json!(160));

    // A flat-rate month: last month, the GP's flat rate.
    let (s, v) =
        calc(json!([{"tenantId": STD, "connectionNo": flat, "from": ist_ms(month_start(1))}]))
            .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Calculation"][0]["totalAmount"], json!(50));
    assert_eq!(
        v["Calculation"][0]["taxPeriodFrom"],
        json!(ist_ms(month_start(1)))
    );
    let ds = a.demands("demands", &flat).await;
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(tax_amount(&ds[0], "10101"), json!(50));
    // once
    let (s, v) =
        calc(json!([{"tenantId": STD, "connectionNo": flat, "from": ist_ms(month_start(1))}]))
            .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(code(&v), "DEMAND_ALREADY_GENERATED");

    // Bad input: 4xx with the field, in DIGIT's shape.
    for (criteria, want, field) in [
        // (no tenant named at all: the gateway refuses it first)
        (json!([]), "MISSING_FIELD", "tenantId"),
        (
            json!([{"tenantId": STD}]),
            "MISSING_FIELD",
            "CalculationCriteria[0].connectionNo",
        ),
        (
            json!([{"tenantId": STD, "connectionNo": m2, "currentReading": "lots"}]),
            "INVALID_METER_READING",
            "CalculationCriteria[0].currentReading",
        ),
        (
            json!([{"tenantId": STD, "connectionNo": "WS/404/NOPE"}]),
            "CONNECTION_NOT_FOUND",
            "CalculationCriteria[0].connectionNo",
        ),
        (
            json!([{"tenantId": STD, "connectionNo": flat, "from": ist_ms(today())}]),
            "INVALID_BILLING_CYCLE",
            "CalculationCriteria[0].from",
        ),
        (
            json!([{"tenantId": STD, "connectionNo": m2, "currentReading": 90}]),
            "INVALID_METER_READING",
            "CalculationCriteria[0].currentReading",
        ),
    ] {
        let (s, v) = calc(criteria.clone()).await;
        assert_eq!(s, 400, "{criteria}: {v}");
        assert_eq!(code(&v), want, "{criteria}: {v}");
        assert_eq!(error_fields(&v), [field], "{criteria}: {v}");
        assert!(v["ResponseInfo"].is_object() || v["ResponseInfo"].is_null());
    }
    // All or nothing: a good reading next to a bad criterion is not kept.
    let (s, v) = calc(json!([
        {"tenantId": STD, "connectionNo": m2, "currentReading": 120, "to": ist_ms(today())},
        {"tenantId": STD, "connectionNo": flat, "from": ist_ms(month_start(1))}
    ]))
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(error_fields(&v), ["CalculationCriteria[1].connectionNo"]);
    assert_eq!(
        a.meter_readings("readings", &m2).await["meterReadings"],
        json!([])
    );
    assert!(a.demands("demands", &m2).await.is_empty());
}

#[actix_web::test]
async fn the_job_scheduler_bills_last_month_of_every_gp_for_bulk_demands_state_roles() {
    let app = TestApp::new();
    let a = logged_in(&app).await;
    let flat = flat(&a, "9851000501", "Harjit Kaur", "F/501", month_start(2)).await;
    let state_bulk = a.app.login("9851000502", &["BULK_DEMAND_PROCESSING@pb"]);
    let gp_secretary = a.app.login("9851000503", &["SECRETARY@pb.aassalhihjag"]);
    let run = |token: String, path: &'static str, body: Value| {
        let mut b = body;
        b["RequestInfo"] = ri(&token);
        a.app.post(path, b)
    };
    // Only bulk demand's roles held on the state run every GP.
    let (s, v) = run(
        gp_secretary,
        "/ws-calculator/waterCalculator/_jobscheduler",
        json!({}),
    )
    .await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(code(&v), "CustomException");
    assert!(a.demands("demands", &flat).await.is_empty());
    let (s, v) = run(
        state_bulk.clone(),
        "/ws-calculator/waterCalculator/_jobscheduler/maybe",
        json!({}),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(code(&v), "INVALID_IS_SEND_MESSAGE");
    let (s, v) = run(
        state_bulk.clone(),
        "/ws-calculator/waterCalculator/_jobscheduler",
        json!({"billingPeriod": "last month"}),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(code(&v), "INVALID_BILLING_PERIOD");

    // The cron's call: RequestInfo only. Last month, at the GP's flat rate.
    let (s, v) = run(
        state_bulk.clone(),
        "/ws-calculator/waterCalculator/_jobscheduler/false",
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["tenants"], json!(1));
    assert_eq!(v["billedTenants"], json!(1));
    assert_eq!(v["demands"], json!(1));
    assert_eq!(v["failed"], json!([]));
    let ds = a.demands("demands", &flat).await;
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0]["taxPeriodFrom"], json!(ist_ms(month_start(1))));
    assert_eq!(tax_amount(&ds[0], "10101"), json!(50));
    // Again (the Postman collection's path): nothing more to bill.
    let (s, v) = run(
        state_bulk,
        "/ws-calculator/waterCalculator/_jobscheduler",
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["demands"], json!(0));
    assert_eq!(v["nothingToDo"], json!(1));
    assert_eq!(a.demands("demands", &flat).await.len(), 1);
}
