//! The mGramSeva app against our water APIs (issue 12): every request built as the app builds
//! it (`consumer_details_provider.dart`, `search_connection_repo.dart`,
//! `bill_generation_details_provider.dart`, `household_register_provider.dart`: the models'
//! `toJson()` with all their null fields, the RequestInfo of `request_info.dart`), and every
//! answer read as the app's generated `fromJson` casts it, field by field (`as String?` fails on
//! a number or a bool, `as int?` on 1.0, `X.fromJson(json as Map)` on a list). Then the
//! calculator's `_calculate` and `_jobscheduler` with the standard tariff's numbers.

use chrono::{Datelike, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::helpers::*;

/// A GP on the standard slabs: metered residential 100 + 2 a unit, flat 50 for every type.
const STD: &str = "pb.aassalhihjag";

pub mod models;

use models::*;

// ---------------------------------------------------------------------------------------------
// The app's requests.

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive()
}

fn ist_ms(d: NaiveDate) -> i64 {
    mgramseva::time::ist_day_start_millis(d)
}

fn months_back(n: u32) -> NaiveDate {
    let mut d = today().with_day(1).unwrap();
    for _ in 0..n {
        d = if d.month() == 1 {
            NaiveDate::from_ymd_opt(d.year() - 1, 12, 1).unwrap()
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() - 1, 1).unwrap()
        };
    }
    d
}

struct AppClient {
    app: TestApp,
    token: String,
}

impl AppClient {
    fn new() -> Self {
        let app = TestApp::new();
        let token = app.login(
            "9851000001",
            &[
                "GP_ADMIN@pb.aassalhihjag",
                "COLLECTION_OPERATOR@pb.aassalhihjag",
                "SECRETARY@pb.aassalhihjag",
            ],
        );
        Self { app, token }
    }

    /// `request_info.dart` as the Android app encodes it (`ver` and `did` are Dart doubles),
    /// with the logged-in user (`userRequest.toJson()`) where the repository passes it.
    fn request_info(&self, action: &str) -> Value {
        json!({"apiId": "mgramseva", "ver": 1.0, "ts": "", "action": action, "did": 1.0, "key": "",
               "msgId": "20170310130900|en_IN", "authToken": self.token,
               "userInfo": {"id": 23, "uuid": "8d2a9d7e-52f3-4c57-a3c5-1c9d2d3f6f10", "userName": "9851000001",
                            "name": "Harpreet Kaur", "mobileNumber": "9851000001", "emailId": null, "locale": null,
                            "type": "EMPLOYEE", "active": true, "tenantId": "pb", "permanentCity": null,
                            "roles": [{"name": "GP Admin", "code": "GP_ADMIN", "tenantId": STD}]}})
    }

    /// `makeRequest`: `{"RequestInfo": …, ...body}`.
    async fn post(&self, path: &str, action: &str, body: Value) -> Resp {
        let mut b = body;
        b["RequestInfo"] = self.request_info(action);
        self.app.post(path, b).await
    }

    /// `SearchConnectionRepository.getconnection` (search, register, bill generation, edit).
    async fn connections(&self, query: &str) -> Value {
        let (s, v) = self
            .post(
                &format!("/ws-services/wc/_search?{query}"),
                "_search",
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        parses(&v, WATER_CONNECTIONS, "wc/_search");
        v
    }

    async fn meter_readings(&self, no: &str) -> Value {
        let (s, v) = self
            .post(
                &format!(
                    "/ws-calculator/meterConnection/_search?tenantId={STD}&connectionNos={no}"
                ),
                "create",
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        parses(&v, METER_DEMAND, "meterConnection/_search");
        v
    }
}

/// `Property.fromJson({...setModel defaults}).toJson()` after the form: every field of the
/// model, the owner's too.
fn app_property(mobile: &str, name: &str) -> Value {
    let mut owner = empty(OWNERS);
    owner["ownerType"] = json!("NONE");
    owner["name"] = json!(name);
    owner["mobileNumber"] = json!(mobile);
    owner["gender"] = json!("FEMALE");
    owner["fatherOrHusbandName"] = json!("Baldev Singh");
    let mut address = empty(ADDRESS);
    address["city"] = json!("Aas Salhih Jag");
    address["doorNo"] = json!("12");
    address["street"] = json!("Gurdwara Road");
    address["locality"] = json!({"code": "WARD1", "area": null, "name": null, "label": null});
    let mut p = empty(PROPERTY);
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
    let mut wc = empty(WATER_CONNECTION);
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
    let mut d = empty(WC_DETAILS);
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

impl AppClient {
    /// A property and its connection as the app registers them; answers (property sent,
    /// property id, connection number).
    async fn household(
        &self,
        mobile: &str,
        name: &str,
        fields: Value,
        details: Value,
    ) -> (Value, String, String) {
        let prop = app_property(mobile, name);
        let (s, v) = self
            .post(
                "/property-services/property/_create",
                "_create",
                json!({"Property": prop}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        parses(&v["Properties"][0], PROPERTY, "property/_create");
        let pid = v["Properties"][0]["propertyId"]
            .as_str()
            .unwrap()
            .to_owned();
        let wc = app_connection(&prop, &pid, fields, details);
        let (s, v) = self
            .post(
                "/ws-services/wc/_create",
                "_create",
                json!({"WaterConnection": wc}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        parses(&v, WATER_CONNECTIONS, "wc/_create");
        let no = v["WaterConnection"][0]["connectionNo"]
            .as_str()
            .unwrap()
            .to_owned();
        (prop, pid, no)
    }

    /// A flat-rate household whose last cycle billed before joining is `last_cycle`.
    async fn flat(&self, mobile: &str, name: &str, old: &str, last_cycle: NaiveDate) -> String {
        self.household(
            mobile,
            name,
            json!({"connectionType": "Non_Metered", "oldConnectionNo": old,
                   "previousReadingDate": ist_ms(last_cycle) + 3_600_000, "meterInstallationDate": ist_ms(last_cycle) + 3_600_000,
                   "paymentType": "arrears", "arrears": 0.0, "penalty": 0.0}),
            json!({}),
        )
        .await
        .2
    }

    async fn demands(&self, no: &str) -> Vec<Value> {
        let (s, v) = self
            .post(
                &format!("/billing-service/demand/_search?tenantId={STD}&businessService=WS&consumerCode={no}&status=ACTIVE"),
                "_search",
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["Demands"].as_array().cloned().unwrap_or_default()
    }
}

fn line(d: &Value, head: &str) -> Value {
    d["demandDetails"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["taxHeadMasterCode"] == head))
        .map(|l| l["taxAmount"].clone())
        .unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------------------------

#[actix_web::test]
async fn a_metered_household_as_the_app_registers_searches_bills_and_edits_it() {
    let a = AppClient::new();
    let start = today() - chrono::Duration::days(40);
    // Metered: the five boxes read 00100; `previousReading`, `initialMeterReading` and
    // `meterReading` all carry it.
    let (_, pid, no) = a
        .household(
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
    let v = a
        .connections(&format!("tenantId={STD}&connectionNumber={no}"))
        .await;
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

    // The edit screen loads the property.
    let (s, pv) = a
        .post(
            &format!("/property-services/property/_search?tenantId={STD}&propertyIds={pid}"),
            "_search",
            json!({"userInfo": a.request_info("_search")["userInfo"]}),
        )
        .await;
    assert_eq!(s, 200, "{pv}");
    let loaded = &pv["Properties"][0];
    parses(loaded, PROPERTY, "property/_search");
    assert_eq!(loaded["owners"][0]["isPrimaryOwner"], Value::Null);
    assert_eq!(loaded["owners"][0]["mobileNumber"], "9851000101");
    assert_eq!(loaded["address"]["locality"]["code"], "WARD1");
    assert_eq!(loaded["noOfFloors"], json!(1));

    // Bill generation: no reading yet, so the old reading comes from `meterReading`.
    let r = a.meter_readings(&no).await;
    assert_eq!(r["meterReadings"], json!([]));
    let old = wc["additionalDetails"]["meterReading"].as_i64().unwrap();
    let read_on = today();
    let (s, v) = a
        .post(
            "/ws-calculator/meterConnection/_create",
            "create",
            json!({"meterReadings": {"currentReading": 130, "currentReadingDate": ist_ms(read_on),
                "billingPeriod": format!("{} - {}", start.format("%d/%m/%Y"), read_on.format("%d/%m/%Y")),
                "meterStatus": "Working", "connectionNo": no, "lastReading": old,
                "lastReadingDate": ist_ms(start), "generateDemand": true, "tenantId": STD}}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    parses(&v, BILL_GENERATION, "meterConnection/_create");
    parses(&v, METER_DEMAND, "meterConnection/_create");
    // 30 units on the standard tariff: 100 + 30 x 2
    assert_eq!(line(&v["meterReadings"][0]["demand"], "10101"), json!(160));
    assert_eq!(v["meterReadings"][0]["consumption"], Value::Null);

    // The next bill starts from this reading.
    let r = a.meter_readings(&no).await;
    let m = &r["meterReadings"][0];
    assert_eq!(
        (m["lastReading"].clone(), m["currentReading"].clone()),
        (json!(100), json!(130))
    );
    assert_eq!(m["consumption"], Value::Null);
    assert_eq!(m["generateDemand"], json!(true));
    assert_eq!(m["connectionNo"], json!(no));
    assert_eq!(m["currentReadingDate"], json!(ist_ms(read_on)));
    let ds = a.demands(&no).await;
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(line(&ds[0], "10101"), json!(160));

    // Edit: the app sends back what it read (its models' fields only), the masked Aadhaar
    // number included, with a new street; the property too.
    let mut edit = round_trip(wc, WATER_CONNECTION);
    edit["processInstance"] = json!({"action": "SUBMIT"});
    edit["connectionHolders"] = round_trip(loaded, PROPERTY)["owners"].clone();
    edit["additionalDetails"]["street"] = json!("Bazaar Road");
    edit["additionalDetails"]["remarks"] = json!("");
    edit["status"] = json!("Active");
    let mut prop_edit = round_trip(loaded, PROPERTY);
    prop_edit["creationReason"] = json!("UPDATE");
    prop_edit["address"]["street"] = json!("Bazaar Road");
    prop_edit["address"]["geoLocation"] = json!({"latitude": null, "longitude": null});
    prop_edit["source"] = json!("WS");
    let (s, v) = a
        .post(
            "/property-services/property/_update",
            "_update",
            json!({"Property": prop_edit}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    parses(&v["Properties"][0], PROPERTY, "property/_update");
    let (s, v) = a
        .post(
            "/ws-services/wc/_update",
            "_update",
            json!({"WaterConnection": edit}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    parses(&v, WATER_CONNECTIONS, "wc/_update");
    let v = a
        .connections(&format!("tenantId={STD}&connectionNumber={no}"))
        .await;
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
    let a = AppClient::new();
    // The advance as the app sends it: negative, with its payment type.
    let (_, _, no) = a
        .household(
            "9851000201",
            "Gurpreet Kaur",
            json!({"connectionType": "Non_Metered", "oldConnectionNo": "F/201",
                   "previousReadingDate": ist_ms(months_back(1)) + 3_600_000,
                   "meterInstallationDate": ist_ms(months_back(1)) + 3_600_000,
                   "paymentType": "advance", "advance": -200.0}),
            json!({}),
        )
        .await;
    let v = a
        .connections(&format!("tenantId={STD}&connectionNumber={no}"))
        .await;
    let wc = &v["WaterConnection"][0];
    assert_eq!(wc["paymentType"], "advance");
    assert_eq!(wc["advance"], json!(200));
    assert_eq!(wc["additionalDetails"]["meterReading"], Value::Null);
    let ds = a.demands(&no).await;
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(line(&ds[0], "WS_ADVANCE_CARRYFORWARD"), json!(-200));
    // The household register, as `household_register_provider.dart` asks for it.
    let v = a
        .connections(&format!(
            "tenantId={STD}&offset=0&limit=10&toDate={}&isCollectionCount=true",
            Utc::now().timestamp_millis()
        ))
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
    let (s, v) = a
        .post(
            &format!("/ws-services/wc/fuzzy/_search?tenantId={STD}&name=Gurpreet"),
            "_search",
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    parses(&v, WATER_CONNECTIONS, "wc/fuzzy/_search");
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
    let a = AppClient::new();
    // A client other than the app may send a boolean (ws-services and property-services keep
    // it; the app never sets it).
    let mut prop = app_property("9851000301", "Manpreet Kaur");
    prop["owners"][0]["isPrimaryOwner"] = json!(true);
    let (s, v) = a
        .post(
            "/property-services/property/_create",
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
               "previousReadingDate": ist_ms(months_back(1)) + 3_600_000}),
        json!({"action": "SUBMIT", "meterReading": "00042"}),
    );
    wc["connectionHolders"][0]["isPrimaryOwner"] = json!("false");
    let (s, v) = a
        .post(
            "/ws-services/wc/_create",
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
            .post(
                &format!("/ws-services/wc/_search?tenantId={STD}"),
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
        .post(
            "/property-services/property/_create",
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
        .post(
            "/ws-services/wc/_create",
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
        .post(
            "/ws-services/wc/_update",
            "_update",
            json!({"WaterConnection": {"tenantId": STD, "connectionNo": no, "paymentType": "arrears",
                   "connectionHolders": [{"isPrimaryOwner": null}],
                   "additionalDetails": {"meterReading": 7, "collectionAmount": "999.00"}}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let wc = &a
        .connections(&format!("tenantId={STD}&connectionNumber={no}"))
        .await["WaterConnection"][0];
    assert_eq!(wc["paymentType"], "arrears");
    assert_eq!(wc["connectionHolders"][0]["isPrimaryOwner"], Value::Null);
    assert_eq!(wc["additionalDetails"]["meterReading"], json!(7));
    assert_eq!(wc["additionalDetails"]["action"], "SUBMIT");
    // a computed figure is the server's, whatever was sent (nothing collected: null)
    assert_eq!(wc["additionalDetails"]["collectionAmount"], Value::Null);
}

#[actix_web::test]
async fn the_search_answers_50_by_default_and_at_most_500() {
    let a = AppClient::new();
    for n in 0..51 {
        a.flat(
            &format!("98520{n:05}"),
            "Simran Kaur",
            &format!("L/{n}"),
            months_back(1),
        )
        .await;
    }
    let v = a.connections(&format!("tenantId={STD}")).await;
    assert_eq!(v["WaterConnection"].as_array().unwrap().len(), 50);
    assert_eq!(v["totalCount"], 51);
    let v = a
        .connections(&format!("tenantId={STD}&limit=500&offset=40"))
        .await;
    assert_eq!(v["WaterConnection"].as_array().unwrap().len(), 11);
    let (s, v) = a
        .post(
            &format!("/ws-services/wc/_search?tenantId={STD}&limit=501"),
            "_search",
            json!({}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(code(&v), "INVALID_LIMIT");
}

#[actix_web::test]
async fn calculate_makes_the_demand_of_a_reading_or_a_month_all_or_nothing() {
    let a = AppClient::new();
    let start = today() - chrono::Duration::days(40);
    let (_, _, m1) = a
        .household(
            "9851000401",
            "Jaspreet Kaur",
            json!({"connectionType": "Metered", "oldConnectionNo": "M/401", "meterId": "MTR401",
                   "previousReadingDate": ist_ms(start), "previousReading": 100}),
            json!({"initialMeterReading": 100, "meterReading": 100}),
        )
        .await;
    let (_, _, m2) = a
        .household(
            "9851000402",
            "Navjot Kaur",
            json!({"connectionType": "Metered", "oldConnectionNo": "M/402", "meterId": "MTR402",
                   "previousReadingDate": ist_ms(start), "previousReading": 100}),
            json!({"initialMeterReading": 100, "meterReading": 100}),
        )
        .await;
    let flat = a
        .flat("9851000403", "Rajwinder Kaur", "F/403", months_back(2))
        .await;
    let calc = |criteria: Value| {
        a.post(
            "/ws-calculator/waterCalculator/_calculate",
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
    let r = a.meter_readings(&m1).await;
    assert_eq!(r["meterReadings"][0]["currentReading"], json!(130));
    let ds = a.demands(&m1).await;
    assert_eq!(ds.len(), 1);
    assert_eq!(line(&ds[0], "10101"), json!(160));

    // A flat-rate month: last month, the GP's flat rate.
    let (s, v) =
        calc(json!([{"tenantId": STD, "connectionNo": flat, "from": ist_ms(months_back(1))}]))
            .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Calculation"][0]["totalAmount"], json!(50));
    assert_eq!(
        v["Calculation"][0]["taxPeriodFrom"],
        json!(ist_ms(months_back(1)))
    );
    let ds = a.demands(&flat).await;
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(line(&ds[0], "10101"), json!(50));
    // once
    let (s, v) =
        calc(json!([{"tenantId": STD, "connectionNo": flat, "from": ist_ms(months_back(1))}]))
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
        {"tenantId": STD, "connectionNo": flat, "from": ist_ms(months_back(1))}
    ]))
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(error_fields(&v), ["CalculationCriteria[1].connectionNo"]);
    assert_eq!(a.meter_readings(&m2).await["meterReadings"], json!([]));
    assert!(a.demands(&m2).await.is_empty());
}

#[actix_web::test]
async fn the_job_scheduler_bills_last_month_of_every_gp_for_bulk_demands_state_roles() {
    let a = AppClient::new();
    let flat = a
        .flat("9851000501", "Harjit Kaur", "F/501", months_back(2))
        .await;
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
    assert!(a.demands(&flat).await.is_empty());
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
    let ds = a.demands(&flat).await;
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0]["taxPeriodFrom"], json!(ist_ms(months_back(1))));
    assert_eq!(line(&ds[0], "10101"), json!(50));
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
    assert_eq!(a.demands(&flat).await.len(), 1);
}
