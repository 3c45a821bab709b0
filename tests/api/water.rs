//! Households (product.md §2.3): properties and connections, opening arrears/penalty/advance as
//! their own demands, validations with their codes, searches, and the edit rules.

use chrono::{Datelike, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::helpers::*;

struct Gp {
    app: TestApp,
    admin: String,
    su: String,
}

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

fn property(mobile: &str, name: &str) -> Value {
    json!({"tenantId": GP, "propertyType": "RESIDENTIAL",
           "address": {"doorNo": "12", "street": "Gurdwara Road", "locality": {"code": "WARD1"}},
           "owners": [{"name": name, "mobileNumber": mobile, "gender": "FEMALE", "fatherOrHusbandName": "Baldev Singh"}]})
}

impl Gp {
    fn new() -> Self {
        let app = TestApp::new();
        let admin = app.login("9830000001", &["GP_ADMIN", "COLLECTION_OPERATOR"]);
        let su = app.login("9830000002", &["SUPERUSER@pb"]);
        Self { app, admin, su }
    }

    async fn property(&self, mobile: &str, name: &str) -> String {
        let (s, v) = self
            .app
            .post(
                "/property-services/property/_create",
                json!({"RequestInfo": ri(&self.admin), "Property": property(mobile, name)}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        v["Properties"][0]["propertyId"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn connection(&self, wc: Value) -> Resp {
        self.app
            .post(
                "/ws-services/wc/_create",
                json!({"RequestInfo": ri(&self.admin), "WaterConnection": wc}),
            )
            .await
    }

    async fn update(&self, wc: Value) -> Resp {
        self.app
            .post(
                "/ws-services/wc/_update",
                json!({"RequestInfo": ri(&self.admin), "WaterConnection": wc}),
            )
            .await
    }

    async fn search(&self, q: &str) -> Value {
        let (s, v) = self
            .app
            .post(
                &format!("/ws-services/wc/_search?tenantId={GP}&{q}"),
                json!({"RequestInfo": ri(&self.admin)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }

    async fn demands(&self, consumer: &str) -> Vec<Value> {
        let (s, v) = self
            .app
            .post(
                &format!("/billing-service/demand/_search?tenantId={GP}&businessService=WS&consumerCode={consumer}"),
                json!({"RequestInfo": ri(&self.admin)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["Demands"].as_array().cloned().unwrap_or_default()
    }

    /// The household's bill as fetch-bill answers (Null when nothing is owed).
    async fn bill(&self, consumer: &str) -> Value {
        let (s, v) = self
            .app
            .post(
                &format!("/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={consumer}&businessService=WS"),
                json!({"RequestInfo": ri(&self.admin)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["Bill"].get(0).cloned().unwrap_or(Value::Null)
    }

    /// The household's ACTIVE bills as `bill/v2/_search` answers, as (status, total).
    async fn active_bills(&self, consumer: &str) -> Vec<(Value, Value)> {
        let (s, v) = self
            .app
            .post(
                &format!("/billing-service/bill/v2/_search?tenantId={GP}&consumerCode={consumer}&businessService=WS&status=ACTIVE"),
                json!({"RequestInfo": ri(&self.admin)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["Bill"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|b| (b["status"].clone(), b["totalAmount"].clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the `ledger-check` job finds every active bill equal to what is owed.
    fn ledger_checks_out(&self) -> Result<String, String> {
        mgramseva::jobs::run_blocking(
            &self.app.state,
            "ledger-check",
            &mgramseva::jobs::JobArgs {
                tenant: Some(GP.to_owned()),
                period: None,
            },
        )
        .map_err(|e| e.to_string())
    }

    fn count(&self, table: &str) -> i64 {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result::<N>(&mut self.app.db.conn())
            .unwrap()
            .n
    }
}

fn metered(property_id: &str, old: &str) -> Value {
    json!({"tenantId": GP, "propertyId": property_id, "oldConnectionNo": old, "connectionType": "Metered",
           "meterId": "MTR001", "previousReadingDate": ist_ms(months_back(1)) + 5 * 86_400_000,
           "arrears": 500, "penalty": 50,
           "additionalDetails": {"initialMeterReading": 120, "category": "BPL", "subCategory": "SC", "aadharNumber": "123456789012"},
           "processInstance": {"action": "SUBMIT"}})
}

fn flat(property_id: &str, old: &str, cycle: NaiveDate) -> Value {
    json!({"tenantId": GP, "propertyId": property_id, "oldConnectionNo": old, "connectionType": "Non_Metered",
           "previousReadingDate": ist_ms(cycle) + 86_400_000, "additionalDetails": {}})
}

fn line<'a>(d: &'a Value, head: &str) -> &'a Value {
    d["demandDetails"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["taxHeadMasterCode"] == head))
        .unwrap_or(&Value::Null)
}

#[actix_web::test]
async fn a_household_with_opening_arrears_and_penalty_gets_its_number_and_arrears_demand() {
    let gp = Gp::new();
    let pid = gp.property("9876543210", "Gurpreet Kaur").await;
    assert!(pid.starts_with("PB-PT-"), "{pid}");
    let (s, v) = gp.connection(metered(&pid, "OLD/17-a")).await;
    assert_eq!(s, 201, "{v}");
    let c = &v["WaterConnection"][0];
    let fy = mgramseva::time::Fy::of(Utc::now()).label();
    assert_eq!(c["connectionNo"], format!("WS/7374/{fy}/0001"));
    assert_eq!(c["connectionHolders"][0]["name"], "Gurpreet Kaur");
    assert_eq!(c["additionalDetails"]["aadharNumber"], "********9012");
    assert_eq!(c["status"], "Active");
    let no = c["connectionNo"].as_str().unwrap();
    // the arrears demand: 10102 = 500 and 10201 = 50, from 1 April to the day before the reading
    let ds = gp.demands(no).await;
    assert_eq!(ds.len(), 1);
    let d = &ds[0];
    assert_eq!(d["consumerType"], "waterConnection-arrears");
    assert_eq!(line(d, "10102")["taxAmount"], json!(500));
    assert_eq!(line(d, "10201")["taxAmount"], json!(50));
    let reading_day = ist_ms(months_back(1)) + 5 * 86_400_000;
    assert_eq!(d["taxPeriodTo"], json!(reading_day - 1));
    let fy_start =
        mgramseva::time::Fy::of(chrono::DateTime::from_timestamp_millis(reading_day - 1).unwrap())
            .start_millis();
    assert_eq!(d["taxPeriodFrom"], json!(fy_start));
    // a second household with the same mobile number re-uses the citizen account
    let pid2 = gp.property("9876543210", "Harjit Kaur").await;
    let (s, v) = gp.connection(flat(&pid2, "OLD/18", months_back(1))).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        v["WaterConnection"][0]["connectionHolders"][0]["uuid"],
        c["connectionHolders"][0]["uuid"]
    );
    assert_eq!(
        v["WaterConnection"][0]["connectionHolders"][0]["name"],
        "Harjit Kaur"
    );
    assert_eq!(gp.count("user_account WHERE user_type = 'CITIZEN'"), 1);
    // no opening amounts, no demand; the cycle is stored as its month's last instant
    let no2 = v["WaterConnection"][0]["connectionNo"].as_str().unwrap();
    assert!(gp.demands(no2).await.is_empty());
    let end = mgramseva::municipal::water::service::month_end_ms(months_back(1));
    assert_eq!(v["WaterConnection"][0]["previousReadingDate"], json!(end));
    // an opening advance is a credit line of its own demand
    let pid3 = gp.property("9876500001", "Manjit Singh").await;
    let mut a = flat(&pid3, "OLD/19", months_back(2));
    a["advance"] = json!(200);
    let (s, v) = gp.connection(a).await;
    assert_eq!(s, 201, "{v}");
    let ds = gp
        .demands(v["WaterConnection"][0]["connectionNo"].as_str().unwrap())
        .await;
    assert_eq!(ds[0]["consumerType"], "waterConnection-advance");
    assert_eq!(
        line(&ds[0], "WS_ADVANCE_CARRYFORWARD")["taxAmount"],
        json!(-200)
    );
}

#[actix_web::test]
async fn every_bad_field_gets_its_code_and_nothing_is_written() {
    let gp = Gp::new();
    let pid = gp.property("9876543211", "Gurpreet Kaur").await;
    let before = gp.count("water_connection");
    let demands = gp.count("billing_demand");
    let bad = |patch: Value| {
        let mut w = metered(&pid, "OLD-1");
        for (k, v) in patch.as_object().unwrap() {
            if k == "additionalDetails" {
                for (k2, v2) in v.as_object().unwrap() {
                    w["additionalDetails"][k2] = v2.clone();
                }
            } else {
                w[k] = v.clone();
            }
        }
        w
    };
    let tomorrow = ist_ms(today()) + 86_400_000;
    let cases = [
        (
            json!({"oldConnectionNo": "bad no!"}),
            "INVALID_OLD_CONNECTION_NUMBER",
        ),
        (
            json!({"oldConnectionNo": "123456789012345678901"}),
            "INVALID_OLD_CONNECTION_NUMBER",
        ),
        (
            json!({"connectionType": "Sometimes"}),
            "INVALID_CONNECTION_TYPE",
        ),
        (json!({"meterId": null}), "INVALID_METER_ID"),
        (
            json!({"previousReadingDate": tomorrow}),
            "INVALID_PREVIOUS_READING_DATE",
        ),
        (
            json!({"previousReadingDate": ist_ms(months_back(30))}),
            "INVALID_PREVIOUS_READING_DATE",
        ),
        (
            json!({"additionalDetails": {"initialMeterReading": 100000}}),
            "INVALID_METER_READING",
        ),
        (json!({"arrears": 10001}), "INVALID_ARREARS"),
        (json!({"arrears": 10.5}), "INVALID_ARREARS"),
        (
            json!({"arrears": 0, "penalty": 50}),
            "PENALTY_WITHOUT_ARREARS",
        ),
        (json!({"advance": 100}), "ARREARS_AND_ADVANCE"),
        (
            json!({"additionalDetails": {"aadharNumber": "1234567890123456"}}),
            "INVALID_AADHAAR",
        ),
        (
            json!({"additionalDetails": {"category": "RICH"}}),
            "INVALID_CATEGORY",
        ),
        (json!({"propertyId": "PB-PT-NOPE"}), "PROPERTY_NOT_FOUND"),
    ];
    for (patch, want) in cases {
        let (s, v) = gp.connection(bad(patch.clone())).await;
        assert_eq!((s.as_u16(), code(&v)), (400, want), "{patch}: {v}");
    }
    // non-metered: only the two most recent completed months may be the last cycle billed
    let (s, v) = gp.connection(flat(&pid, "OLD-2", months_back(3))).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_BILLING_CYCLE"));
    let (s, v) = gp.connection(flat(&pid, "OLD-2", today())).await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "INVALID_BILLING_CYCLE"),
        "{v}"
    );
    assert_eq!(gp.count("water_connection"), before, "nothing written");
    assert_eq!(gp.count("billing_demand"), demands);
    // the old connection id is unique within the GP, whatever its case
    assert_eq!(
        gp.connection(flat(&pid, "ab/12", months_back(1))).await.0,
        201
    );
    let (s, v) = gp.connection(flat(&pid, "AB/12", months_back(2))).await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "DUPLICATE_OLD_CONNECTION_NUMBER")
    );
    // several errors are reported together
    let (s, v) = gp
        .connection(bad(json!({"oldConnectionNo": "", "arrears": 20000})))
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        error_fields(&v),
        ["WaterConnection.oldConnectionNo", "WaterConnection.arrears"]
    );
    // a bad owner
    let mut p = property("12345", "G4rpreet");
    p["owners"][0]["gender"] = json!("X");
    let (s, v) = gp
        .app
        .post(
            "/property-services/property/_create",
            json!({"RequestInfo": ri(&gp.admin), "Property": p}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        error_fields(&v),
        [
            "Property.owners[0].name",
            "Property.owners[0].gender",
            "Property.owners[0].mobileNumber"
        ]
    );
}

#[actix_web::test]
async fn search_by_mobile_old_and_new_name_part_old_and_new_id() {
    let gp = Gp::new();
    for (i, (mobile, name)) in [
        ("9876540001", "Gurpreet Kaur"),
        ("9876540002", "Harpreet Singh"),
        ("9876540001", "Amarjit Kaur"),
    ]
    .iter()
    .enumerate()
    {
        let pid = gp.property(mobile, name).await;
        let (s, v) = gp
            .connection(flat(&pid, &format!("OLD/{i}"), months_back(1)))
            .await;
        assert_eq!(s, 201, "{v}");
    }
    let names = holder_names;
    let v = gp.search("mobileNumber=9876540001").await;
    assert_eq!(names(&v), ["Gurpreet Kaur", "Amarjit Kaur"]);
    assert_eq!(v["totalCount"], 2);
    assert_eq!(
        names(&gp.search("name=preet").await),
        ["Gurpreet Kaur", "Harpreet Singh"]
    );
    assert_eq!(
        names(&gp.search("name=KAUR&sortBy=name").await),
        ["Amarjit Kaur", "Gurpreet Kaur"]
    );
    assert_eq!(
        names(&gp.search("oldConnectionNumber=old/1").await),
        ["Harpreet Singh"]
    );
    let fy = mgramseva::time::Fy::of(Utc::now()).label();
    let third = format!("WS/7374/{fy}/0003");
    assert_eq!(
        names(&gp.search(&format!("connectionNumber={third}")).await),
        ["Amarjit Kaur"]
    );
    let v = gp.search("limit=2&offset=2").await;
    assert_eq!((v["totalCount"].as_i64(), names(&v).len()), (Some(3), 1));
    // a new mobile number: both the new and the old one find the household
    let v = gp.search(&format!("connectionNumber={third}")).await;
    let pid = v["WaterConnection"][0]["propertyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut p = property("9876549999", "Amarjit Kaur");
    p["propertyId"] = json!(pid);
    let (s, v) = gp
        .app
        .post(
            "/property-services/property/_update",
            json!({"RequestInfo": ri(&gp.admin), "Property": p}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        names(&gp.search("mobileNumber=9876549999").await),
        ["Amarjit Kaur"]
    );
    assert_eq!(
        names(&gp.search("mobileNumber=9876540001").await),
        ["Gurpreet Kaur", "Amarjit Kaur"]
    );
    let (s, v) = gp
        .app
        .post(
            &format!("/ws-services/wc/_search?tenantId={GP}&mobileNumber=123"),
            json!({"RequestInfo": ri(&gp.admin)}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_MOBILE_NUMBER"));
}

#[actix_web::test]
async fn edits_follow_the_rules_before_and_after_billing_starts() {
    let gp = Gp::new();
    let pid = gp.property("9876541111", "Gurpreet Kaur").await;
    let (_, v) = gp.connection(flat(&pid, "OLD/1", months_back(1))).await;
    let no = v["WaterConnection"][0]["connectionNo"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = json!({"tenantId": GP, "connectionNo": no});
    let with = |patch: Value| {
        let mut w = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            w[k] = v.clone();
        }
        w
    };
    // before billing: arrears may change; the opening demand follows (300, then 400: the first
    // is cancelled, one live arrears demand remains)
    assert_eq!(gp.update(with(json!({"arrears": 300}))).await.0, 200);
    let (s, v) = gp
        .update(with(json!({"arrears": 400, "oldConnectionNo": "OLD/1B"})))
        .await;
    assert_eq!(s, 200, "{v}");
    let ds = gp.demands(&no).await;
    let live: Vec<&Value> = ds.iter().filter(|d| d["status"] == "ACTIVE").collect();
    assert_eq!(live.len(), 1);
    assert_eq!(line(live[0], "10102")["taxAmount"], json!(400));
    assert_eq!(ds.iter().filter(|d| d["status"] == "CANCELLED").count(), 1);
    // a regular demand starts billing: the opening fields are fixed from then on
    let m = months_back(0);
    let (s, v) = gp
        .app
        .post(
            "/billing-service/demand/_create",
            json!({"RequestInfo": ri(&gp.su), "Demands": [{"tenantId": GP, "consumerCode": no, "consumerType": "waterConnection",
                "businessService": "WS", "taxPeriodFrom": ist_ms(m), "taxPeriodTo": mgramseva::municipal::water::service::month_end_ms(m),
                "demandDetails": [{"taxHeadMasterCode": "10101", "taxAmount": 50}]}]}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    for (patch, want) in [
        (json!({"arrears": 450}), "INVALID_UPDATE_ARREARS"),
        (
            json!({"oldConnectionNo": "OLD/9"}),
            "INVALID_UPDATE_OLD_CONNO",
        ),
        (
            json!({"previousReadingDate": ist_ms(months_back(2))}),
            "INVALID_UPDATE_PRVMETERREADING",
        ),
    ] {
        let (s, v) = gp.update(with(patch.clone())).await;
        assert_eq!((s.as_u16(), code(&v)), (400, want), "{patch}: {v}");
    }
    // other fields still change
    let (s, v) = gp
        .update(with(json!({"additionalDetails": {"category": "APL"}})))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["WaterConnection"][0]["additionalDetails"]["category"],
        "APL"
    );
    // inactive needs remarks (letters, at most 40); it cancels what nothing was paid on
    let (s, v) = gp.update(with(json!({"status": "Inactive"}))).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_REMARKS"));
    let (s, v) = gp
        .update(with(
            json!({"status": "Inactive", "additionalDetails": {"remarks": "House locked"}}),
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    let c = &v["WaterConnection"][0];
    assert_eq!(
        (c["status"].as_str(), c["arrears"].as_i64()),
        (Some("Inactive"), Some(0))
    );
    assert!(
        gp.demands(&no)
            .await
            .iter()
            .all(|d| d["status"] == "CANCELLED"),
        "unpaid demands cancelled"
    );
    assert_eq!(
        gp.count("water_connection_history WHERE action = 'DEACTIVATE'"),
        1
    );
    // and it can be reactivated
    let (s, v) = gp.update(with(json!({"status": "Active"}))).await;
    assert_eq!(
        (s.as_u16(), v["WaterConnection"][0]["status"].as_str()),
        (200, Some("Active"))
    );
}

/// Security review, issue 10 (4), the sweep: opening arrears taken back before billing starts,
/// and a deactivation, change what a household owes without a new demand; neither may leave
/// its active bill behind (they cancelled demands and left the bill ACTIVE).
#[actix_web::test]
async fn opening_amounts_and_deactivation_leave_no_stale_active_bill() {
    let gp = Gp::new();
    let pid = gp.property("9876542222", "Gurpreet Kaur").await;
    let mut wc = flat(&pid, "OLD/31", months_back(1));
    wc["arrears"] = json!(1000);
    let no = created_connection_no(gp.connection(wc).await);
    let with = |patch: Value| {
        let mut w = json!({"tenantId": GP, "connectionNo": no});
        for (k, v) in patch.as_object().unwrap() {
            w[k] = v.clone();
        }
        w
    };
    assert_eq!(gp.bill(&no).await["totalAmount"], json!(1000));
    // the arrears were a mistake: 0 before billing starts, so the opening demand is cancelled
    // and nothing is owed; the bill of 1,000 does not stay active
    let (s, v) = gp.update(with(json!({"arrears": 0}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(gp.active_bills(&no).await, vec![]);
    let report = gp.ledger_checks_out();
    assert!(
        report.as_ref().is_ok_and(|r| r.contains("no difference")),
        "{report:?}"
    );
    assert_eq!(gp.bill(&no).await, Value::Null, "nothing owed, no bill");
    // 300 after all: a new opening demand, and its bill
    let (s, v) = gp.update(with(json!({"arrears": 300}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(gp.bill(&no).await["totalAmount"], json!(300));
    assert_eq!(
        gp.active_bills(&no).await,
        vec![(json!("ACTIVE"), json!(300))]
    );
    // deactivation cancels the unpaid opening demand: the bill of 300 goes with it
    let (s, v) = gp
        .update(with(
            json!({"status": "Inactive", "additionalDetails": {"remarks": "House locked"}}),
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(gp.active_bills(&no).await, vec![]);
    let report = gp.ledger_checks_out();
    assert!(
        report.as_ref().is_ok_and(|r| r.contains("no difference")),
        "{report:?}"
    );
    assert_eq!(gp.bill(&no).await, Value::Null);
}
