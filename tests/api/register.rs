//! The household register over the API (product.md §2.3, §2.4): `wc/_search` with
//! `isCollectionCount`, `isBillPaid`, `isPropertyCount`, `textSearch`, `sortBy`/`sortOrder`,
//! `fromDate`/`toDate` and `propertyType`, each connection's money figures, and the
//! demand-generation counts (`wc/_countWCbyDemandGenerationDate`,
//! `wc/consumers/demand-not-generated`).

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::helpers::holder_names as names;
use crate::helpers::*;

pub struct Gp {
    pub app: TestApp,
    pub token: String,
    pub last: NaiveDate,
    pub before: NaiveDate,
}

pub fn month_end(d: NaiveDate) -> i64 {
    mgramseva::municipal::water::service::month_end_ms(d)
}

impl Gp {
    pub fn new() -> Self {
        let app = TestApp::new();
        let token = app.login(
            "9817000001",
            &["GP_ADMIN", "SECRETARY", "COLLECTION_OPERATOR"],
        );
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Kolkata)
            .date_naive();
        let [last, before] = mgramseva::municipal::water::service::allowed_last_cycles(today);
        Self {
            app,
            token,
            last,
            before,
        }
    }

    /// A household; `wc` patches the connection (default: flat rate, last billed `cycle`).
    pub async fn household(
        &self,
        name: &str,
        mobile: &str,
        old: &str,
        property_type: &str,
        cycle: NaiveDate,
        wc: Value,
    ) -> String {
        let (s, v) = self
            .app
            .post(
                "/property-services/property/_create",
                json!({"RequestInfo": ri(&self.token), "Property": {"tenantId": GP, "propertyType": property_type,
                    "owners": [{"name": name, "mobileNumber": mobile, "gender": "FEMALE", "fatherOrHusbandName": "Baldev Singh"}]}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let mut c = json!({"tenantId": GP, "propertyId": v["Properties"][0]["propertyId"], "oldConnectionNo": old,
            "connectionType": "Non_Metered",
            "previousReadingDate": mgramseva::time::ist_day_start_millis(cycle) + 3_600_000});
        for (k, x) in wc.as_object().unwrap() {
            c[k] = x.clone();
        }
        created_connection_no(
            self.app
                .post(
                    "/ws-services/wc/_create",
                    json!({"RequestInfo": ri(&self.token), "WaterConnection": c}),
                )
                .await,
        )
    }

    /// Flat demand for a past month, for every household due.
    pub async fn bulk(&self, month: NaiveDate) {
        let period = format!(
            "{}-{}",
            month.format("%d/%m/%Y"),
            chrono::DateTime::from_timestamp_millis(month_end(month))
                .unwrap()
                .with_timezone(&chrono_tz::Asia::Kolkata)
                .format("%d/%m/%Y")
        );
        let (s, v) = self
            .app
            .post(
                "/ws-calculator/waterCalculator/_bulkDemand",
                json!({"RequestInfo": ri(&self.token), "tenantId": GP, "billingPeriod": period}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }

    pub async fn pay(&self, no: &str, amount: i64) {
        let (s, v) = self
            .app
            .post(
                &format!("/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={no}&businessService=WS"),
                json!({"RequestInfo": ri(&self.token)}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = self
            .app
            .post(
                "/collection-services/payments/_create",
                json!({"RequestInfo": ri(&self.token), "Payment": {"tenantId": GP, "totalAmountPaid": amount, "paymentMode": "CASH",
                    "paymentDetails": [{"businessService": "WS", "billId": v["Bill"][0]["id"]}]}}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }

    pub async fn call(&self, path: &str, q: &str) -> Resp {
        self.app
            .post(
                &format!("{path}?tenantId={GP}&{q}"),
                json!({"RequestInfo": ri(&self.token)}),
            )
            .await
    }

    pub async fn search(&self, q: &str) -> Value {
        let (s, v) = self.call("/ws-services/wc/_search", q).await;
        assert_eq!(s, 200, "{q}: {v}");
        v
    }
}

fn details<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["WaterConnection"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["connectionHolders"][0]["name"] == name)
        .map(|c| &c["additionalDetails"])
        .unwrap_or(&Value::Null)
}

/// Three flat-rate households billed ₹70 for last month: Harjit pays 70, Gurpreet 30, Amarjit
/// nothing; Baljit (commercial) joins after the run with an opening advance of 100.
async fn four_households() -> Gp {
    let gp = Gp::new();
    let before = gp.before;
    gp.household(
        "Gurpreet Kaur",
        "9876500201",
        "R/1",
        "RESIDENTIAL",
        before,
        json!({}),
    )
    .await;
    let harjit = gp
        .household(
            "Harjit Singh",
            "9876500202",
            "R/2",
            "RESIDENTIAL",
            before,
            json!({}),
        )
        .await;
    gp.household(
        "Amarjit Kaur",
        "9876500203",
        "R/3",
        "RESIDENTIAL",
        before,
        json!({}),
    )
    .await;
    gp.bulk(gp.last).await;
    gp.pay(&harjit, 70).await;
    let v = gp.search("name=Gurpreet").await;
    let gurpreet = v["WaterConnection"][0]["connectionNo"]
        .as_str()
        .unwrap()
        .to_owned();
    gp.pay(&gurpreet, 30).await;
    gp.household(
        "Baljit Singh",
        "9876500204",
        "C/4",
        "COMMERCIAL",
        gp.last,
        json!({"advance": 100}),
    )
    .await;
    gp
}

#[actix_web::test]
async fn the_register_counts_paid_and_pending_and_carries_each_households_figures() {
    let gp = four_households().await;
    let all = gp
        .search("isCollectionCount=true&toDate=9999999999999")
        .await;
    assert_eq!(all["totalCount"], 4);
    assert_eq!(
        all["collectionDataCount"],
        json!({"collectionPaid": 2, "collectionPending": 2})
    );
    // the figures as ws-services gave them: strings with two decimals, null when none
    let g = details(&all, "Gurpreet Kaur");
    assert_eq!(g["collectionPendingAmount"], "40.00");
    assert_eq!(g["collectionAmount"], "30.00");
    assert_eq!(g["totalamount"], "70.00");
    assert_eq!(g["lastDemandGeneratedDate"], month_end(gp.last).to_string());
    let h = details(&all, "Harjit Singh");
    assert_eq!(
        (&h["collectionPendingAmount"], &h["collectionAmount"]),
        (&json!("0.00"), &json!("70.00"))
    );
    let a = details(&all, "Amarjit Kaur");
    assert_eq!(
        (&a["collectionPendingAmount"], &a["collectionAmount"]),
        (&json!("70.00"), &Value::Null)
    );
    // an advance shows as a negative pending amount; no regular demand yet
    let b = details(&all, "Baljit Singh");
    assert_eq!(b["collectionPendingAmount"], "-100.00");
    assert_eq!(b["totalamount"], "-100.00");
    assert_eq!(
        (&b["collectionAmount"], &b["lastDemandGeneratedDate"]),
        (&Value::Null, &Value::Null)
    );

    // the tabs: only their own count, the page of their households
    let pending = gp
        .search("isCollectionCount=true&isBillPaid=false&sortBy=connectionNumber&sortOrder=ASC")
        .await;
    assert_eq!(names(&pending), ["Gurpreet Kaur", "Amarjit Kaur"]);
    assert_eq!(pending["totalCount"], 2);
    assert_eq!(
        pending["collectionDataCount"],
        json!({"collectionPending": 2})
    );
    let paid = gp.search("isCollectionCount=true&isBillPaid=true").await;
    assert_eq!(names(&paid), ["Harjit Singh", "Baljit Singh"]);
    assert_eq!(paid["collectionDataCount"], json!({"collectionPaid": 2}));

    // the text narrows the counts too (both Kaurs still owe)
    let kaur = gp
        .search("isCollectionCount=true&textSearch=KAUR&freeSearch=true")
        .await;
    assert_eq!(kaur["totalCount"], 2);
    assert_eq!(
        kaur["collectionDataCount"],
        json!({"collectionPaid": 0, "collectionPending": 2})
    );
    assert_eq!(
        names(&gp.search("textSearch=c/4").await),
        ["Baljit Singh"],
        "old id"
    );

    // property types, counted as strings, and the filter
    let types = gp.search("isPropertyCount=true").await;
    assert_eq!(
        types["propertyCount"],
        json!({"COMMERCIAL": "1", "RESIDENTIAL": "3"})
    );
    assert_eq!(
        names(&gp.search("propertyType=COMMERCIAL").await),
        ["Baljit Singh"]
    );
    // not asked, not counted
    assert_eq!(types["collectionDataCount"], json!({}));
    assert_eq!(all["propertyCount"], json!({}));
}

#[actix_web::test]
async fn the_register_sorts_by_money_and_pages() {
    let gp = four_households().await;
    assert_eq!(
        names(
            &gp.search("sortBy=collectionPendingAmount&sortOrder=ASC")
                .await
        ),
        [
            "Baljit Singh",
            "Harjit Singh",
            "Gurpreet Kaur",
            "Amarjit Kaur"
        ]
    );
    assert_eq!(
        names(
            &gp.search("sortBy=collectionPendingAmount&sortOrder=DESC")
                .await
        ),
        [
            "Amarjit Kaur",
            "Gurpreet Kaur",
            "Harjit Singh",
            "Baljit Singh"
        ]
    );
    // equal amounts keep the name order (reversed when descending)
    assert_eq!(
        names(&gp.search("sortBy=collectionAmount&sortOrder=DESC").await),
        [
            "Harjit Singh",
            "Gurpreet Kaur",
            "Baljit Singh",
            "Amarjit Kaur"
        ]
    );
    assert_eq!(
        names(&gp.search("sortBy=name&sortOrder=DESC").await),
        [
            "Harjit Singh",
            "Gurpreet Kaur",
            "Baljit Singh",
            "Amarjit Kaur"
        ]
    );
    let page = gp
        .search("sortBy=collectionPendingAmount&sortOrder=DESC&offset=1&limit=2")
        .await;
    assert_eq!(names(&page), ["Gurpreet Kaur", "Harjit Singh"]);
    assert_eq!(page["totalCount"], 4);
    // created between: everyone was created just now
    let now = chrono::Utc::now().timestamp_millis();
    assert_eq!(
        gp.search(&format!("fromDate={}", now + 3_600_000)).await["totalCount"],
        0
    );
    assert_eq!(
        gp.search(&format!("fromDate={}&toDate={now}", now - 3_600_000))
            .await["totalCount"],
        4
    );
    assert_eq!(gp.search("limit=-1").await["totalCount"], 4);
}

#[actix_web::test]
async fn bad_register_queries_are_400s_and_other_gps_are_refused() {
    let gp = four_households().await;
    for (q, want) in [
        ("sortBy=arrears", "INVALID_SORT_BY"),
        ("sortBy=name&sortOrder=UP", "INVALID_SORT_ORDER"),
        ("isBillPaid=yes", "INVALID_QUERY_PARAMETER"),
        ("isCollectionCount=1", "INVALID_QUERY_PARAMETER"),
        ("fromDate=yesterday", "INVALID_DATE"),
        ("fromDate=2000&toDate=1000", "INVALID_DATE_RANGE"),
        ("limit=0", "INVALID_LIMIT"),
        ("offset=-1", "INVALID_OFFSET"),
    ] {
        let (s, v) = gp.call("/ws-services/wc/_search", q).await;
        assert_eq!((s.as_u16(), code(&v)), (400, want), "{q}: {v}");
    }
    let other = gp.app.login("9817000002", &["GP_ADMIN@pb.kalwan"]);
    for path in [
        "/ws-services/wc/_search",
        "/ws-services/wc/_countWCbyDemandGenerationDate",
        "/ws-services/wc/consumers/demand-not-generated",
    ] {
        let (s, _) = gp
            .app
            .post(
                &format!("{path}?tenantId={GP}&previousMeterReading=1"),
                json!({"RequestInfo": ri(&other)}),
            )
            .await;
        assert_eq!(s, 403, "{path}");
        let (s, _) = gp
            .app
            .post(
                &format!("{path}?tenantId={GP}&previousMeterReading=1"),
                json!({}),
            )
            .await;
        assert_eq!(s, 401, "{path}");
    }
}

#[actix_web::test]
async fn demand_generation_counts_by_last_cycle_and_the_households_never_billed() {
    let gp = Gp::new();
    let (last, before) = (gp.last, gp.before);
    for (name, mobile, old) in [
        ("Gurpreet Kaur", "9876500301", "R/1"),
        ("Harjit Singh", "9876500302", "R/2"),
    ] {
        gp.household(name, mobile, old, "RESIDENTIAL", before, json!({}))
            .await;
    }
    // joined already billed for last month: nothing to bill yet
    gp.household(
        "Amarjit Kaur",
        "9876500303",
        "R/3",
        "RESIDENTIAL",
        last,
        json!({}),
    )
    .await;
    // metered and inactive households are not counted
    gp.household(
        "Manjit Singh",
        "9876500304",
        "M/4",
        "RESIDENTIAL",
        before,
        json!({"connectionType": "Metered", "meterId": "MTR9", "previousReadingDate": mgramseva::time::ist_day_start_millis(last)}),
    )
    .await;
    let off = gp
        .household(
            "Baljit Singh",
            "9876500305",
            "R/5",
            "RESIDENTIAL",
            before,
            json!({}),
        )
        .await;
    let (s, v) = gp
        .app
        .post(
            "/ws-services/wc/_update",
            json!({"RequestInfo": ri(&gp.token), "WaterConnection": {"tenantId": GP, "connectionNo": off,
                "status": "Inactive", "additionalDetails": {"remarks": "House locked"}}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    gp.bulk(last).await;
    // joins after the run, last billed the month before: never billed here
    gp.household(
        "Jaspal Singh",
        "9876500306",
        "R/6",
        "RESIDENTIAL",
        before,
        json!({}),
    )
    .await;

    let (s, v) = gp
        .call("/ws-services/wc/_countWCbyDemandGenerationDate", "")
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["WaterConnectionsDemandGenerated"],
        json!([{"taxperiodto": month_end(last), "count": 2}])
    );
    assert_eq!(
        v["WaterConnectionsDemandNotGenerated"],
        json!([{"taxperiodto": month_end(last), "count": 1}, {"taxperiodto": month_end(before), "count": 1}])
    );

    // each not-generated count opens its households, answered like wc/_search
    let (s, v) = gp
        .call(
            "/ws-services/wc/consumers/demand-not-generated",
            &format!("previousMeterReading={}", month_end(before)),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(names(&v), ["Jaspal Singh"]);
    assert_eq!(v["totalCount"], 1);
    assert_eq!(
        v["WaterConnection"][0]["additionalDetails"]["collectionPendingAmount"],
        Value::Null
    );
    let (_, v) = gp
        .call(
            "/ws-services/wc/consumers/demand-not-generated",
            &format!("previousMeterReading={}", month_end(last)),
        )
        .await;
    assert_eq!(names(&v), ["Amarjit Kaur"]);
    let (_, v) = gp
        .call(
            "/ws-services/wc/consumers/demand-not-generated",
            "previousMeterReading=123",
        )
        .await;
    assert_eq!((names(&v).len(), v["totalCount"].as_i64()), (0, Some(0)));
    for (q, want) in [
        (
            "previousMeterReading=lastmonth",
            "INVALID_PREVIOUS_METER_READING",
        ),
        ("", "MISSING_FIELD"),
    ] {
        let (s, v) = gp
            .call("/ws-services/wc/consumers/demand-not-generated", q)
            .await;
        assert_eq!((s.as_u16(), code(&v)), (400, want), "{q}");
    }
    let (s, v) = gp
        .app
        .post(
            "/ws-services/wc/_countWCbyDemandGenerationDate",
            json!({"RequestInfo": ri(&gp.token)}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "MISSING_FIELD"));
}
