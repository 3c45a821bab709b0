//! The water calculator with the numbers of product.md: metered charges (standard and pilot
//! slabs), the reading rules, the estimate, and bulk demand rule by rule, run twice at once.

use chrono::{Datelike, NaiveDate, Utc};
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::*;

/// A GP on the standard slabs: metered residential 100 + 2/unit, flat 50 for every type.
const STD: &str = "pb.aassalhihjag";

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

fn month_period(m: NaiveDate) -> String {
    let last = mgramseva::municipal::water::service::month_end_ms(m);
    let last = chrono::DateTime::from_timestamp_millis(last)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    format!("{}-{}", m.format("%d/%m/%Y"), last.format("%d/%m/%Y"))
}

struct Calc {
    app: TestApp,
    staff: String,
}

impl Calc {
    fn new() -> Self {
        let app = TestApp::new();
        let roles: Vec<String> = [GP, STD]
            .iter()
            .flat_map(|t| {
                ["GP_ADMIN", "SECRETARY", "COLLECTION_OPERATOR"]
                    .iter()
                    .map(move |r| format!("{r}@{t}"))
            })
            .collect();
        let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
        let staff = app.login("9840000001", &roles);
        Self { app, staff }
    }

    async fn post(&self, path: &str, body: Value) -> Resp {
        let mut b = body;
        b["RequestInfo"] = ri(&self.staff);
        self.app.post(path, b).await
    }

    /// A household; returns its connection number.
    async fn household(&self, tenant: &str, mobile: &str, ptype: &str, wc: Value) -> String {
        let (s, v) = self
            .post(
                "/property-services/property/_create",
                json!({"Property": {"tenantId": tenant, "propertyType": ptype, "address": {"locality": {"code": "WARD1"}},
                    "owners": [{"name": "Kuldeep Kaur", "mobileNumber": mobile, "gender": "FEMALE", "fatherOrHusbandName": "Jasbir Singh"}]}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let mut wc = wc;
        wc["tenantId"] = json!(tenant);
        wc["propertyId"] = v["Properties"][0]["propertyId"].clone();
        let (s, v) = self
            .post("/ws-services/wc/_create", json!({"WaterConnection": wc}))
            .await;
        assert_eq!(s, 201, "{v}");
        v["WaterConnection"][0]["connectionNo"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn metered(
        &self,
        tenant: &str,
        mobile: &str,
        old: &str,
        reading_day: NaiveDate,
    ) -> String {
        self.household(
            tenant,
            mobile,
            "RESIDENTIAL",
            json!({"oldConnectionNo": old, "connectionType": "Metered", "meterId": "M1",
                   "previousReadingDate": ist_ms(reading_day), "additionalDetails": {"initialMeterReading": 100}}),
        )
        .await
    }

    async fn flat(
        &self,
        tenant: &str,
        mobile: &str,
        old: &str,
        ptype: &str,
        last_cycle: NaiveDate,
    ) -> String {
        self.household(
            tenant,
            mobile,
            ptype,
            json!({"oldConnectionNo": old, "connectionType": "Non_Metered", "previousReadingDate": ist_ms(last_cycle) + 3_600_000}),
        )
        .await
    }

    async fn reading(&self, tenant: &str, no: &str, current: i64, day: NaiveDate) -> Resp {
        self.post(
            "/ws-calculator/meterConnection/_create",
            json!({"meterReadings": {"tenantId": tenant, "connectionNo": no, "currentReading": current,
                   "currentReadingDate": ist_ms(day) + 10 * 3_600_000, "meterStatus": "Working"}}),
        )
        .await
    }

    async fn bulk(&self, tenant: &str, m: NaiveDate) -> Resp {
        self.post(
            "/ws-calculator/waterCalculator/_bulkDemand",
            json!({"tenantId": tenant, "billingPeriod": month_period(m)}),
        )
        .await
    }

    async fn demands(&self, tenant: &str, no: &str) -> Vec<Value> {
        let (s, v) = self
            .post(
                &format!("/billing-service/demand/_search?tenantId={tenant}&businessService=WS&consumerCode={no}&status=ACTIVE"),
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["Demands"].as_array().cloned().unwrap_or_default()
    }
}

#[actix_web::test]
async fn metered_bills_use_the_gps_slabs_standard_and_pilot() {
    let c = Calc::new();
    let start = today() - chrono::Duration::days(40);
    // standard: 25 units -> 100 + 25 x 2 = 150
    let std_no = c.metered(STD, "9876550001", "M/1", start).await;
    let (s, v) = c.reading(STD, &std_no, 125, today()).await;
    assert_eq!(s, 201, "{v}");
    let r = &v["meterReadings"][0];
    // the units are the difference of the readings; `consumption` stays null as in ws-calculator
    assert_eq!(
        (r["lastReading"].clone(), r["currentReading"].clone()),
        (json!(100), json!(125))
    );
    assert_eq!(r["consumption"], Value::Null);
    assert_eq!(
        r["billingPeriod"],
        format!(
            "{} - {}",
            start.format("%d/%m/%Y"),
            today().format("%d/%m/%Y")
        )
    );
    assert_eq!(tax_amount(&r["demand"], "10101"), json!(150));
    // due date: the demand's creation + 15 days
    assert_eq!(r["demand"]["billExpiryTime"], json!(1_296_000_000_i64));
    assert_eq!(r["demand"]["taxPeriodFrom"], json!(ist_ms(start)));
    assert_eq!(r["demand"]["taxPeriodTo"], json!(ist_ms(today()) - 1));
    // pilot GP (first 20 units free, then 5/unit): 25 units -> 100 + 5 x 5 = 125
    let pilot_no = c.metered(GP, "9876550002", "M/2", start).await;
    let (s, v) = c.reading(GP, &pilot_no, 125, today()).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        tax_amount(&v["meterReadings"][0]["demand"], "10101"),
        json!(125)
    );
    // the estimate agrees and writes nothing
    let (s, v) = c
        .post(
            "/ws-calculator/waterCalculator/_estimate",
            json!({"CalculationCriteria": [{"tenantId": STD, "connectionNo": std_no, "lastReading": 125, "currentReading": 150}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Calculation"][0]["totalAmount"], json!(150));
}

#[actix_web::test]
async fn reading_rules_each_have_their_code() {
    let c = Calc::new();
    let start = today() - chrono::Duration::days(60);
    let no = c.metered(STD, "9876550003", "M/3", start).await;
    let mid = today() - chrono::Duration::days(30);
    for (reading, day, code_want) in [
        (100, mid, "INVALID_METER_READING"), // not above the previous 100
        (99, mid, "INVALID_METER_READING"),
        (100_000, mid, "INVALID_METER_READING"),
        (
            150,
            today() + chrono::Duration::days(1),
            "INVALID_READING_DATE",
        ),
        (150, start, "INVALID_READING_DATE"),
    ] {
        let (s, v) = c.reading(STD, &no, reading, day).await;
        assert_eq!(
            (s.as_u16(), code(&v)),
            (400, code_want),
            "{reading} on {day}: {v}"
        );
    }
    assert_eq!(c.reading(STD, &no, 140, mid).await.0, 201);
    // the next reading starts from 140 on `mid`: below it, or on the same day, is refused
    assert_eq!(
        code(&c.reading(STD, &no, 139, today()).await.1),
        "INVALID_METER_READING"
    );
    assert_eq!(
        code(&c.reading(STD, &no, 150, mid).await.1),
        "INVALID_READING_DATE"
    );
    let (s, v) = c
        .post(
            "/ws-calculator/meterConnection/_create",
            json!({"meterReadings": {"tenantId": STD, "connectionNo": no, "currentReading": 150, "lastReading": 120,
                   "currentReadingDate": ist_ms(today())}}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_OLD_METER_READING"));
    let (s, v) = c.reading(STD, &no, 160, today()).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        tax_amount(&v["meterReadings"][0]["demand"], "10101"),
        json!(100 + 20 * 2)
    );
    // a flat-rate household takes no reading
    let flat = c
        .flat(STD, "9876550004", "F/1", "RESIDENTIAL", months_back(1))
        .await;
    let (s, v) = c.reading(STD, &flat, 10, today()).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_CONNECTION_TYPE"));
    let (s, v) = c
        .post(
            &format!("/ws-calculator/meterConnection/_search?tenantId={STD}&connectionNos={no}"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["totalCount"], 2);
    assert_eq!(v["meterReadings"][0]["currentReading"], 160);
}

#[actix_web::test]
async fn bulk_demand_follows_every_rule() {
    let c = Calc::new();
    let (m1, m2) = (months_back(1), months_back(2));
    // flat households billed up to two months ago; a metered one and an inactive one
    let a = c.flat(STD, "9876560001", "B/1", "RESIDENTIAL", m2).await;
    let b = c.flat(STD, "9876560002", "B/2", "COMMERCIAL", m2).await;
    let metered = c
        .metered(
            STD,
            "9876560003",
            "B/3",
            today() - chrono::Duration::days(10),
        )
        .await;
    let gone = c.flat(STD, "9876560004", "B/4", "RESIDENTIAL", m2).await;
    let (s, v) = c
        .post(
            "/ws-services/wc/_update",
            json!({"WaterConnection": {"tenantId": STD, "connectionNo": gone, "status": "Inactive", "additionalDetails": {"remarks": "Moved away"}}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // not the current month, nor a future one
    let next = (today().with_day(1).unwrap() + chrono::Duration::days(40))
        .with_day(1)
        .unwrap();
    for m in [months_back(0), next] {
        let (s, v) = c.bulk(STD, m).await;
        assert_eq!(
            (s.as_u16(), code(&v)),
            (400, "INVALID_BILLING_CYCLE"),
            "{m}"
        );
    }
    let (s, v) = c
        .post(
            "/ws-calculator/waterCalculator/_bulkDemand",
            json!({"tenantId": STD, "billingPeriod": "01/09/2026-29/09/2026"}),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_BILLING_PERIOD"));
    // last month: the two flat households, 50 each (flat 50 for residential and commercial)
    let (s, v) = c.bulk(STD, m1).await;
    assert_eq!(s, 200, "{v}");
    let batch = &v["BulkDemandBatch"];
    assert_eq!(
        (batch["status"].as_str(), batch["created"].as_i64()),
        (Some("DONE"), Some(2))
    );
    for no in [&a, &b] {
        let ds = c.demands(STD, no).await;
        assert_eq!(ds.len(), 1, "{no}");
        assert_eq!(tax_amount(&ds[0], "10101"), json!(50));
        assert_eq!(ds[0]["taxPeriodFrom"], json!(ist_ms(m1)));
    }
    assert!(
        c.demands(STD, &metered).await.is_empty(),
        "metered: never in bulk"
    );
    assert!(c.demands(STD, &gone).await.is_empty(), "inactive: skipped");
    // again: nothing left to do
    let (s, v) = c.bulk(STD, m1).await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "NO_CONNECTIONS_TO_GENERATE_DEMANDS")
    );
    assert!(
        v["Errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2 connections already have demands"),
        "{v}"
    );
    // a month both were billed for before joining: nothing to do either
    let (s, v) = c.bulk(STD, m2).await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "NO_CONNECTIONS_TO_GENERATE_DEMANDS")
    );
}

#[actix_web::test]
async fn bulk_demand_goes_in_sequence_keeps_rates_by_date_and_uses_advances() {
    use diesel::prelude::*;
    let c = Calc::new();
    let m = |n| months_back(n);
    let a = c.flat(STD, "9876570001", "S/1", "RESIDENTIAL", m(2)).await;
    let b = c.flat(STD, "9876570002", "S/2", "COMMERCIAL", m(2)).await;
    // Both joined five months ago, last billed then (as if onboarded long before).
    diesel::sql_query(format!(
        "UPDATE water_connection SET previous_reading_date = to_timestamp({}), created_at = to_timestamp({}) WHERE tenant_id = '{STD}'",
        (mgramseva::municipal::water::service::month_end_ms(m(5)) as f64) / 1000.0,
        (ist_ms(m(5)) as f64) / 1000.0 + 86_400.0,
    ))
    .execute(&mut c.app.db.conn())
    .unwrap();
    // From the month before last a new rate card: residential 60, commercial 0 (no demand).
    for sql in [
        "INSERT INTO mdms_tariff (id) VALUES ('TEST-60') ON CONFLICT DO NOTHING".to_owned(),
        "INSERT INTO mdms_tariff_row (tariff_id, slab_id, building_type, connection_type, calculation_attribute, minimum_charge) VALUES ('TEST-60', '1', 'RESIDENTIAL', 'Non_Metered', 'Flat', 60), ('TEST-60', '2', 'COMMERCIAL', 'Non_Metered', 'Flat', 0) ON CONFLICT DO NOTHING".to_owned(),
        format!("INSERT INTO mdms_tenant_tariff (tenant_id, effective_from, tariff_id) VALUES ('{STD}', '{}', 'TEST-60') ON CONFLICT DO NOTHING", m(2)),
    ] {
        diesel::sql_query(sql).execute(&mut c.app.db.conn()).unwrap();
    }
    // last month first? No: the month before it was never billed.
    let (s, v) = c.bulk(STD, m(1)).await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "NO_DEMAND_PREVIOUS_BILLING_CYCLE"),
        "{v}"
    );
    // in sequence: m-4 and m-3 at the old rate (50 each), m-2 and m-1 at the new one (60, and
    // commercial 0 means no demand)
    for (n, created) in [(4, 2), (3, 2), (2, 1), (1, 1)] {
        let (s, v) = c.bulk(STD, m(n)).await;
        assert_eq!(s, 200, "month -{n}: {v}");
        assert_eq!(v["BulkDemandBatch"]["created"], created, "month -{n}");
    }
    let amounts =
        |ds: &[Value]| -> Vec<Value> { ds.iter().map(|d| tax_amount(d, "10101")).collect() };
    assert_eq!(
        amounts(&c.demands(STD, &a).await),
        [json!(50), json!(50), json!(60), json!(60)]
    );
    assert_eq!(amounts(&c.demands(STD, &b).await), [json!(50), json!(50)]);
}

#[actix_web::test]
async fn bulk_demand_twice_at_once_or_after_a_kill_leaves_one_demand_each() {
    use diesel::prelude::*;
    let c = Calc::new();
    let mut nos = Vec::new();
    for i in 0..12 {
        nos.push(
            c.flat(
                STD,
                &format!("98765800{i:02}"),
                &format!("C/{i}"),
                "RESIDENTIAL",
                months_back(2),
            )
            .await,
        );
    }
    // one household with an opening advance of 200: the new month (50) is paid from it
    let adv = c
        .household(
            STD,
            "9876589999",
            "RESIDENTIAL",
            json!({"oldConnectionNo": "C/ADV", "connectionType": "Non_Metered",
                   "previousReadingDate": ist_ms(months_back(2)) + 3_600_000, "advance": 200}),
        )
        .await;
    // a run killed two hours ago left its batch IN_PROGRESS (nobody holds its lock): it gives way
    diesel::sql_query(format!(
        "INSERT INTO water_bulk_demand_batch (id, tenant_id, period_from, period_to, status, started_at)
         VALUES (gen_random_uuid(), '{STD}', to_timestamp({}), to_timestamp({}), 'IN_PROGRESS', now() - interval '2 hours')",
        ist_ms(months_back(1)) as f64 / 1000.0,
        mgramseva::municipal::water::service::month_end_ms(months_back(1)) as f64 / 1000.0
    ))
    .execute(&mut c.app.db.conn())
    .unwrap();
    // two runs at once
    let runs = join_all([c.bulk(STD, months_back(1)), c.bulk(STD, months_back(1))]).await;
    let ok = runs.iter().filter(|(s, _)| *s == 200).count();
    assert!(ok >= 1, "{runs:?}");
    for (s, v) in &runs {
        assert!(
            *s == 200
                || matches!(
                    code(v),
                    "DEMAND_DUPLICATE_REQUEST" | "NO_CONNECTIONS_TO_GENERATE_DEMANDS"
                ),
            "{s}: {v}"
        );
    }
    let created: i64 = runs
        .iter()
        .filter_map(|(_, v)| v["BulkDemandBatch"]["created"].as_i64())
        .sum();
    assert_eq!(created, 13, "one demand per household, however many runs");
    for no in nos.iter().chain([&adv]) {
        assert_eq!(
            c.demands(STD, no).await.len(),
            if no == &adv { 2 } else { 1 },
            "{no}"
        );
    }
    let ds = c.demands(STD, &adv).await;
    let month = ds
        .iter()
        .find(|d| d["consumerType"] == "waterConnection")
        .unwrap();
    let l = month["demandDetails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["taxHeadMasterCode"] == "10101")
        .unwrap();
    assert_eq!(
        (l["taxAmount"].clone(), l["collectionAmount"].clone()),
        (json!(50), json!(50))
    );
    let stale: i64 = diesel::dsl::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM water_bulk_demand_batch WHERE status = 'FAILED' AND message LIKE 'abandoned%')",
    ))
    .get_result(&mut c.app.db.conn())
    .unwrap();
    assert_eq!(stale, 1);
    // the ledger still checks out
    let out = mgramseva::jobs::run_blocking(
        &c.app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap();
    assert!(out.contains("no difference"), "{out}");
}

/// Security review 10, finding 5: a batch committed IN_PROGRESS by a run that was then killed
/// blocked the GP's month for an hour (409). A run holds the month's lock on its connection
/// while it lives; a batch whose lock can be taken has no live owner and gives way at once,
/// while a live run (its lock held) still refuses a second one.
#[actix_web::test]
async fn a_batch_whose_run_died_gives_way_at_once_and_a_live_run_is_refused() {
    use diesel::prelude::*;
    use mgramseva::municipal::calculator::bulk::RunLock;
    let c = Calc::new();
    let m1 = months_back(1);
    let mut nos = Vec::new();
    for i in 0..3 {
        nos.push(
            c.flat(
                STD,
                &format!("98765810{i:02}"),
                &format!("D/{i}"),
                "RESIDENTIAL",
                months_back(2),
            )
            .await,
        );
    }
    let batches = || -> Vec<(String, String)> {
        use mgramseva::db::schema::water_bulk_demand_batch as bb;
        bb::table
            .order(bb::started_at)
            .select((bb::status, bb::message))
            .load::<(String, Option<String>)>(&mut c.app.db.conn())
            .unwrap()
            .into_iter()
            .map(|(s, m)| (s, m.unwrap_or_default()))
            .collect()
    };
    // A live run: another session holds the month's lock. Refused, nothing written.
    {
        let mut other = c.app.db.conn();
        let held = RunLock::try_take(&mut other, STD, m1)
            .unwrap()
            .expect("the lock is free");
        let (s, v) = c.bulk(STD, m1).await;
        assert_eq!(
            (s.as_u16(), code(&v)),
            (409, "DEMAND_DUPLICATE_REQUEST"),
            "{v}"
        );
        drop(held);
    }
    assert!(batches().is_empty());
    for no in &nos {
        assert!(c.demands(STD, no).await.is_empty(), "{no}");
    }
    // A run that died: it took the lock and committed its batch IN_PROGRESS a moment ago, then
    // was killed (-9) before its demands committed. Its session ends and the lock with it.
    {
        let mut dying = c.app.db.conn();
        #[derive(QueryableByName)]
        struct Pid {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            pid: i32,
        }
        let pid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Pid>(&mut dying)
            .unwrap()
            .pid;
        let lock = RunLock::try_take(&mut dying, STD, m1)
            .unwrap()
            .expect("the lock is free");
        // (killed: nothing runs after this, not even the lock's release)
        std::mem::forget(lock);
        diesel::sql_query(format!(
            "INSERT INTO water_bulk_demand_batch (id, tenant_id, period_from, period_to, status, started_at, targets)
             VALUES (gen_random_uuid(), '{STD}', to_timestamp({}), to_timestamp({}), 'IN_PROGRESS', now(), 3)",
            ist_ms(m1) as f64 / 1000.0,
            mgramseva::municipal::water::service::month_end_ms(m1) as f64 / 1000.0
        ))
        .execute(&mut dying)
        .unwrap();
        drop(dying);
        let mut side = c.app.db.conn();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !diesel::sql_query("SELECT pid FROM pg_stat_activity WHERE pid = $1")
            .bind::<diesel::sql_types::Integer, _>(pid)
            .load::<Pid>(&mut side)
            .unwrap()
            .is_empty()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the session never ended"
            );
            actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
    // The next run does not wait an hour: it closes the dead run's batch and bills the month.
    let (s, v) = c.bulk(STD, m1).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["BulkDemandBatch"]["status"].as_str(),
            v["BulkDemandBatch"]["created"].as_i64()
        ),
        (Some("DONE"), Some(3))
    );
    for no in &nos {
        let ds = c.demands(STD, no).await;
        assert_eq!(ds.len(), 1, "{no}");
        assert_eq!(tax_amount(&ds[0], "10101"), json!(50));
    }
    let b = batches();
    assert_eq!(b.len(), 2, "{b:?}");
    assert_eq!(b[0].0, "FAILED");
    assert!(b[0].1.starts_with("abandoned"), "{b:?}");
    assert_eq!(b[1], ("DONE".to_owned(), "3 demands generated".to_owned()));
    // The run's pooled connection gave the lock back, after a success and after a refusal.
    let mut side = c.app.db.conn();
    assert!(RunLock::try_take(&mut side, STD, m1).unwrap().is_some());
    let (s, v) = c.bulk(STD, m1).await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (400, "NO_CONNECTIONS_TO_GENERATE_DEMANDS")
    );
    assert!(RunLock::try_take(&mut side, STD, m1).unwrap().is_some());
}

/// The run lock is given back when the run panics, too (the guard's drop, and the pool drops a
/// connection whose thread panicked).
#[test]
fn the_run_lock_is_released_when_its_run_panics() {
    use mgramseva::municipal::calculator::bulk::RunLock;
    let db = TestDb::new();
    let pool = db.pool();
    let m1 = months_back(1);
    let run = std::thread::spawn(move || {
        let mut conn = pool.checkout().unwrap();
        let _lock = RunLock::try_take(&mut conn, STD, m1)
            .unwrap()
            .expect("the lock is free");
        panic!("the run panics while it holds the lock");
    });
    assert!(run.join().is_err());
    let mut side = db.conn();
    assert!(RunLock::try_take(&mut side, STD, m1).unwrap().is_some());
}

/// Security review, issue 10 (4), the sweep: bulk demand writes its demands with one
/// `INSERT ... SELECT` (no service call), and a household's bill fetched before it stayed ACTIVE
/// at the old amount.
#[actix_web::test]
async fn bulk_demand_leaves_no_stale_active_bill() {
    let c = Calc::new();
    let no = c
        .household(
            STD,
            "9876581111",
            "RESIDENTIAL",
            json!({"oldConnectionNo": "SB/1", "connectionType": "Non_Metered",
                   "previousReadingDate": ist_ms(months_back(2)) + 3_600_000, "arrears": 1000}),
        )
        .await;
    let fetch = || async {
        let (s, v) = c
            .post(
                &format!("/billing-service/bill/v2/_fetchbill?tenantId={STD}&consumerCode={no}&businessService=WS"),
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["Bill"][0]["totalAmount"].clone()
    };
    let active = || async {
        let (s, v) = c
            .post(
                &format!("/billing-service/bill/v2/_search?tenantId={STD}&consumerCode={no}&businessService=WS&status=ACTIVE"),
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["Bill"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["totalAmount"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(fetch().await, json!(1000));
    assert_eq!(active().await, [json!(1000)]);
    let (s, v) = c.bulk(STD, months_back(1)).await;
    assert_eq!(
        (s.as_u16(), v["BulkDemandBatch"]["created"].as_i64()),
        (200, Some(1)),
        "{v}"
    );
    // 1,050 is owed now: the bill of 1,000 is no longer the active one
    assert_eq!(active().await, Vec::<Value>::new());
    let out = mgramseva::jobs::run_blocking(
        &c.app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap();
    assert!(out.contains("no difference"), "{out}");
    assert_eq!(fetch().await, json!(1050));
}

#[actix_web::test]
async fn the_bulk_demand_job_bills_a_month_and_a_rerun_finds_nothing() {
    let c = Calc::new();
    let a = c
        .flat(STD, "9876590001", "J/1", "RESIDENTIAL", months_back(2))
        .await;
    c.flat(STD, "9876590002", "J/2", "MIXED", months_back(2))
        .await;
    let args = mgramseva::jobs::JobArgs {
        tenant: Some(STD.to_owned()),
        period: Some(months_back(1).format("%Y-%m").to_string()),
    };
    let out = mgramseva::jobs::run_blocking(&c.app.state, "bulk-demand", &args).unwrap();
    assert!(out.contains("1 GPs billed, 2 demands"), "{out}");
    assert_eq!(tax_amount(&c.demands(STD, &a).await[0], "10101"), json!(50));
    let out = mgramseva::jobs::run_blocking(&c.app.state, "bulk-demand", &args).unwrap();
    assert!(
        out.contains("0 GPs billed, 0 demands, 1 GPs with nothing to bill"),
        "{out}"
    );
    let bad = mgramseva::jobs::JobArgs {
        tenant: Some(STD.to_owned()),
        period: Some("September".to_owned()),
    };
    assert!(mgramseva::jobs::run_blocking(&c.app.state, "bulk-demand", &bad).is_err());
}

/// The text of a PDF, as poppler reads it back (installed by scripts/test.sh).
pub fn pdf_text(bytes: &[u8]) -> String {
    use std::io::Write as _;
    let dir = std::env::temp_dir().join(format!("mgs-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("doc.pdf");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils; scripts/test.sh installs it)");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The line of a PDF's text that holds `label` (pdftotext -layout keeps a row on one line).
fn line_with<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines().find(|l| l.contains(label)).unwrap_or("")
}

#[actix_web::test]
async fn bill_and_receipt_pdfs_in_three_languages_through_pdf_service_and_signed_links() {
    let c = Calc::new();
    // arrears 120 at joining, then one month of 50: the bill owes 170
    let no = c
        .household(
            STD,
            "9876591111",
            "RESIDENTIAL",
            json!({"oldConnectionNo": "P/1", "connectionType": "Non_Metered",
                   "previousReadingDate": ist_ms(months_back(2)) + 3_600_000, "arrears": 120}),
        )
        .await;
    assert_eq!(c.bulk(STD, months_back(1)).await.0, 200);
    let c = &c;
    let pdf = |key: &str, body: Value, locale: &str| {
        let mut b = body;
        b["RequestInfo"] = ri(&c.staff);
        b["RequestInfo"]["msgId"] = json!(format!("1|{locale}"));
        let path = format!("/pdf-service/v1/_create?key={key}&tenantId={STD}");
        async move { c.app.post(&path, b).await }
    };
    let download = |id: Value| async move {
        let (s, v) = c
            .post(
                &format!(
                    "/filestore/v1/files/url?tenantId={STD}&fileStoreIds={}",
                    id.as_str().unwrap()
                ),
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let url = v["fileStoreIds"][0]["url"].as_str().unwrap().to_owned();
        let path = url[url.find("/filestore/").unwrap()..].to_owned();
        // no login needed: the signature is the permission
        let res = actix_web::test::call_service(
            &actix_web::test::init_service(mgramseva::app(c.app.state.clone())).await,
            actix_web::test::TestRequest::get().uri(&path).to_request(),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/pdf"
        );
        (path, actix_web::test::read_body(res).await.to_vec())
    };
    let bill_body = json!({"BillAndDemand": {"Bill": [{"consumerCode": no, "tenantId": STD}]}});
    let (s, v) = pdf("ws-bill-nm-v2", bill_body.clone(), "en_IN").await;
    assert_eq!(s, 201, "{v}");
    // the arrears run from 1 April of the FY to the last cycle billed before joining
    let m2 = months_back(2);
    let names = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let fy = mgramseva::time::Fy::of_date(m2);
    let arrears_span = format!(
        "April {} – {} {}",
        fy.0,
        names[m2.month0() as usize],
        m2.year()
    );
    let (path, bytes) = download(v["filestoreIds"][0].clone()).await;
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    for want in [
        "Water Bill",
        no.as_str(),
        "Kuldeep Kaur",
        "********11",
        arrears_span.as_str(),
        "₹170",
        "One Hundred Seventy Rupees Only",
        "Arrears",
        "Water charges",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    // the GP's last month: the 50 billed for it, nothing collected in it, 170 pending by its end
    for (label, amount) in [
        ("New demand", "₹50"),
        ("Actual collections", "₹0"),
        ("Cumulative pending collections", "₹170"),
        // and its expenditure (issue 14): no expense bills on this GP
        ("New expenditure", "₹0"),
        ("Actual payments", "₹0"),
        ("Cumulative pending expenditure", "₹0"),
    ] {
        assert!(
            line_with(&text, label).contains(amount),
            "{label} {amount}:\n{text}"
        );
    }
    // Punjabi and Hindi: the same bill, in words in the language
    let (_, v) = pdf("ws-bill-nm-v2", bill_body.clone(), "pa_IN").await;
    let text = pdf_text(&download(v["filestoreIds"][0].clone()).await.1);
    assert!(
        text.contains("ਪਾਣੀ ਦਾ ਬਿੱਲ") && text.contains("ਇੱਕ ਸੌ ਸੱਤਰ ਰੁਪਏ ਮਾਤਰ"),
        "{text}"
    );
    let (_, v) = pdf("ws-bill-nm-v2", bill_body, "hi_IN").await;
    let text = pdf_text(&download(v["filestoreIds"][0].clone()).await.1);
    assert!(
        text.contains("जल बिल") && text.contains("एक सौ सत्तर रुपये मात्र"),
        "{text}"
    );
    // a tampered or expired link does not open
    let app = actix_web::test::init_service(mgramseva::app(c.app.state.clone())).await;
    let bad = path.replace("sig=", "sig=x");
    let res = actix_web::test::call_service(
        &app,
        actix_web::test::TestRequest::get().uri(&bad).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    // pay 100: the receipt shows it, in words, and the 70 left
    let (_, v) = c
        .post(
            &format!("/billing-service/bill/v2/_fetchbill?tenantId={STD}&consumerCode={no}&businessService=WS"),
            json!({}),
        )
        .await;
    let bill_id = v["Bill"][0]["id"].clone();
    let (s, v) = c
        .post(
            "/collection-services/payments/_create",
            json!({"Payment": {"tenantId": STD, "totalAmountPaid": 100, "paymentMode": "CASH", "paidBy": "OWNER",
                   "payerName": "Kuldeep Kaur", "mobileNumber": "9876591111",
                   "paymentDetails": [{"businessService": "WS", "billId": bill_id}]}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let receipt = v["Payments"][0]["paymentDetails"][0]["receiptNumber"].clone();
    let (s, v) = pdf(
        "ws-receipt-nm",
        json!({"Payments": [{"tenantId": STD, "paymentDetails": [{"receiptNumber": receipt}]}]}),
        "en_IN",
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let text = pdf_text(&download(v["filestoreIds"][0].clone()).await.1);
    for want in [
        "Water Charges Receipt",
        receipt.as_str().unwrap(),
        "One Hundred Rupees Only",
        "₹70",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    // the receipt's summary: 70 of last month's pending is left after paying 100
    assert!(
        line_with(&text, "Cumulative pending collections").contains("₹70"),
        "{text}"
    );
    // the 100 went to the oldest period first: all of it to the arrears of 120
    assert!(line_with(&text, "Arrears").contains("₹100"), "{text}");
    assert!(!text.contains("Water charges"), "{text}");
    // unknown template, nothing to print
    let (s, v) = pdf("ws-nothing", json!({}), "en_IN").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_KEY"));
}

#[actix_web::test]
async fn penalty_once_per_demand_after_the_grace_days_with_its_estimate() {
    use diesel::prelude::*;
    let c = Calc::new();
    let no = c
        .flat(STD, "9876593333", "PEN/1", "RESIDENTIAL", months_back(2))
        .await;
    assert_eq!(c.bulk(STD, months_back(1)).await.0, 200);
    let run = |tenant: &str| {
        mgramseva::jobs::run_blocking(
            &c.app.state,
            "penalty",
            &mgramseva::jobs::JobArgs {
                tenant: Some(tenant.to_owned()),
                period: None,
            },
        )
        .unwrap()
    };
    // Punjab today: rate 0 everywhere, nothing is added
    assert!(run(STD).contains("penalty added to 0 demands"));
    // this GP: 10% of the unpaid month after 10 days
    diesel::sql_query(format!(
        "INSERT INTO mdms_penalty (tenant_id, effective_from, penalty_type, sub_type, rate, applicable_after_days)
         VALUES ('{STD}', '2021-04-01', 'Fixed', 'currentMonth', 10, 10)
         ON CONFLICT (tenant_id, effective_from) DO UPDATE SET penalty_type = 'Fixed', sub_type = 'currentMonth', rate = 10, applicable_after_days = 10"
    ))
    .execute(&mut c.app.db.conn())
    .unwrap();
    let created = c
        .demands(STD, &no)
        .await
        .into_iter()
        .find(|d| d["consumerType"] == "waterConnection")
        .unwrap();
    let created_at = created["auditDetails"]["createdTime"].as_i64().unwrap();
    let (s, v) = c
        .post(
            &format!("/ws-calculator/waterCalculator/_getPenaltyDetails?tenantId={STD}&consumerCodes={no}&isGetPenaltyEstimate=true"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["totalApplicablePenalty"], json!(5), "10% of 50");
    assert_eq!(
        v["penaltyApplicableFrom"],
        json!(created_at + 10 * 86_400_000)
    );
    // within the grace days: not yet
    assert!(run(STD).contains("penalty added to 0 demands"));
    // eleven days later: once, and only once
    diesel::sql_query(format!(
        "UPDATE billing_demand SET created_at = created_at - interval '11 days' WHERE consumer_code = '{no}'"
    ))
    .execute(&mut c.app.db.conn())
    .unwrap();
    assert!(run(STD).contains("penalty added to 1 demands, total 5"));
    assert!(run(STD).contains("penalty added to 0 demands"));
    let month = c
        .demands(STD, &no)
        .await
        .into_iter()
        .find(|d| d["consumerType"] == "waterConnection")
        .unwrap();
    assert_eq!(tax_amount(&month, "WS_TIME_PENALTY"), json!(5));
    let (_, v) = c
        .post(
            &format!("/billing-service/bill/v2/_fetchbill?tenantId={STD}&consumerCode={no}&businessService=WS"),
            json!({}),
        )
        .await;
    assert_eq!(v["Bill"][0]["totalAmount"], json!(55));
    let out = mgramseva::jobs::run_blocking(
        &c.app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs::default(),
    )
    .unwrap();
    assert!(out.contains("no difference"), "{out}");
}
