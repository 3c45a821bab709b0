//! Vendors and expense bills (issue 14) as the mGramSeva app sends them
//! (`expenses_details_provider.dart`: the vendor body with its owner, the whole
//! `ExpensesDetailsModel.toJson()` on create and update, `isBillPaid` / `applicationStatus`), every
//! answer read as the app's models read it, and the money path on the shared ledger: demand,
//! CASH receipt, cancellation restoring exactly, the ledger check clean after each step.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use crate::app_client::AppClient;
use crate::app_models::{as_app_sends, assert_parses, list_parses_as};
use crate::helpers::*;

/// A GP without PSPCL accounts (its electricity bills are entered by hand).
const NOPSPCL: &str = "pb.abadighratian";
const PW: &str = "eGov@123";

async fn clerk<'a>(app: &'a TestApp, tenant: &str, mobile: &str) -> AppClient<'a> {
    let mut a = AppClient::strict(app, tenant);
    a.login_new_employee(mobile, PW, &["EXPENSE_PROCESSING", "GP_ADMIN"])
        .await;
    a
}

/// `createVendor`'s body (expenses_details_provider.dart), as sent.
fn vendor_body(tenant: &str, name: &str, mobile: &str) -> Value {
    json!({"vendor": {
        "tenantId": tenant, "name": name,
        "address": {"tenantId": tenant, "doorNo": null, "plotNo": null, "landmark": null, "city": null,
            "district": null, "region": null, "state": "punjab", "country": "in", "pincode": null,
            "additionDetails": null, "buildingName": null, "street": null,
            "locality": {"code": "WARD1", "name": null, "label": null, "latitude": null, "longitude": null,
                "area": "null", "pincode": null, "boundaryNum": 1, "children": []},
            "geoLocation": {"latitude": 0, "longitude": 0, "additionalDetails": {}}},
        "owner": {"tenantId": tenant, "name": name, "fatherOrHusbandName": "defaultName",
            "relationship": "FATHER", "gender": "MALE", "dob": 550_261_800_000_i64,
            "emailId": "example@gmail.com", "mobileNumber": mobile},
        "vehicles": [], "drivers": [], "source": "WhatsApp"}})
}

async fn vendor(a: &AppClient<'_>, name: &str, mobile: &str) -> String {
    let (s, v) = a
        .send(
            "vendor/v1/_create",
            &[],
            "create",
            vendor_body(&a.tenant, name, mobile),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["vendor"][0]["id"].as_str().unwrap().to_owned()
}

/// `ExpensesDetailsModel.toJson()` after `setEnteredDetails`, every field of the model.
fn challan(
    tenant: &str,
    kind: &str,
    head: &str,
    vendor: &str,
    amount: &str,
    paid: Option<NaiveDate>,
) -> Value {
    let t = today();
    let from = NaiveDate::from_ymd_opt(t.year(), t.month(), 1).unwrap();
    let mut c = as_app_sends(
        "ExpensesDetailsModel",
        &json!({
            "tenantId": tenant, "businessService": format!("EXPENSE.{kind}"), "consumerType": "EXPENSE",
            "typeOfExpense": kind, "vendor": vendor, "vendorName": "Harpal Singh",
            "amount": [{"taxHeadCode": head, "amount": amount}],
            "billDate": ist_ms(t), "billIssuedDate": ist_ms(from), "taxPeriodFrom": ist_ms(from),
            "taxPeriodTo": ist_ms(t), "isBillPaid": paid.is_some(), "paidDate": paid.map(ist_ms),
        }),
    );
    c["filestoreid"] = Value::Null;
    json!({"Challan": c})
}

async fn post(a: &AppClient<'_>, url: &str, body: Value) -> (u16, Value) {
    let (s, v) = a.send(url, &[], "create", body).await;
    (s.as_u16(), v)
}

async fn create(a: &AppClient<'_>, body: Value) -> Value {
    let (s, v) = post(a, "echallan-services/eChallan/v1/_create", body).await;
    assert_eq!(s, 200, "{v}");
    assert_parses("ExpensesDetailsWithPagination", &v);
    v["challans"][0].clone()
}

async fn search(a: &AppClient<'_>, query: &[(&str, &str)]) -> Value {
    let (s, v) = a
        .send(
            "echallan-services/eChallan/v1/_search",
            query,
            "create",
            json!({"userInfo": a.user}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_parses("ExpensesDetailsWithPagination", &v);
    v
}

async fn receipts(a: &AppClient<'_>, no: &str, service: &str) -> Vec<Value> {
    let (s, v) = a
        .send(
            "collection-services/payments/_search",
            &[
                ("tenantId", &a.tenant),
                ("consumerCodes", no),
                ("businessServices", service),
            ],
            "create",
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["Payments"].as_array().cloned().unwrap_or_default()
}

async fn demands(a: &AppClient<'_>, no: &str, service: &str) -> Vec<Value> {
    let (s, v) = a
        .send(
            "billing-service/demand/_search",
            &[
                ("tenantId", &a.tenant),
                ("consumerCode", no),
                ("businessService", service),
            ],
            "create",
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["Demands"].as_array().cloned().unwrap_or_default()
}

fn ledger_clean(app: &TestApp, tenant: &str) -> String {
    mgramseva::jobs::run_blocking(
        &app.state,
        "ledger-check",
        &mgramseva::jobs::JobArgs {
            tenant: Some(tenant.to_owned()),
            period: None,
        },
    )
    .unwrap_or_else(|e| panic!("the ledger check found differences: {e}"))
}

fn count(app: &TestApp, table: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result::<N>(&mut app.db.conn())
        .unwrap()
        .n
}

fn num(v: &Value) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(f64::NAN)
}

#[actix_web::test]
async fn salary_paid_on_creation_pipeline_repair_owed_and_cancelling_restores_the_ledger() {
    let app = TestApp::new();
    let a = clerk(&app, NOPSPCL, "9851400001").await;
    let v = vendor(&a, "Harpal Singh", "9851400101").await;

    // ₹1,200 salary paid today, on creation: one receipt of 1,200, the demand settled.
    let salary = create(
        &a,
        challan(NOPSPCL, "SALARY", "20201", &v, "1200", Some(today())),
    )
    .await;
    let no = salary["challanNo"].as_str().unwrap().to_owned();
    let fy = mgramseva::time::Fy::of(chrono::Utc::now()).label();
    assert!(no.starts_with(&format!("EB-{fy}-")), "{no}");
    assert_eq!(salary["applicationStatus"], "PAID");
    assert_eq!(salary["isBillPaid"], true);
    assert_eq!(salary["amount"][0]["amount"], "1200");
    assert_eq!(salary["citizen"]["mobileNumber"], "9851400101");
    let paid = receipts(&a, &no, "EXPENSE.SALARY").await;
    assert_eq!(paid.len(), 1, "{paid:?}");
    assert_eq!(num(&paid[0]["totalAmountPaid"]), 1200.0);
    assert_eq!(paid[0]["paymentMode"], "CASH");
    let receipt = paid[0]["paymentDetails"][0]["receiptNumber"]
        .as_str()
        .unwrap();
    assert_eq!(salary["receiptNumber"], receipt);
    assert!(receipt.contains(&format!("/{fy}/")), "{receipt}");
    let d = demands(&a, &no, "EXPENSE.SALARY").await;
    assert_eq!(d.len(), 1);
    assert_eq!(num(&d[0]["demandDetails"][0]["taxAmount"]), 1200.0);
    assert_eq!(num(&d[0]["demandDetails"][0]["collectionAmount"]), 1200.0);
    assert_eq!(d[0]["demandDetails"][0]["taxHeadMasterCode"], "20201");
    ledger_clean(&app, NOPSPCL);

    // ₹800 pipeline repair, unpaid: ACTIVE, owed.
    let repair = create(
        &a,
        challan(NOPSPCL, "PIPELINE_REPAIR", "20302", &v, "800", None),
    )
    .await;
    let repair_no = repair["challanNo"].as_str().unwrap().to_owned();
    assert_eq!(repair["applicationStatus"], "ACTIVE");
    assert_eq!(repair["isBillPaid"], false);
    assert!(
        receipts(&a, &repair_no, "EXPENSE.PIPELINE_REPAIR")
            .await
            .is_empty()
    );
    let d = demands(&a, &repair_no, "EXPENSE.PIPELINE_REPAIR").await;
    assert_eq!(num(&d[0]["demandDetails"][0]["taxAmount"]), 800.0);
    assert_eq!(num(&d[0]["demandDetails"][0]["collectionAmount"]), 0.0);
    ledger_clean(&app, NOPSPCL);

    // The search: both, the tabs' counts as strings.
    let all = search(
        &a,
        &[("tenantId", NOPSPCL), ("offset", "0"), ("limit", "75")],
    )
    .await;
    assert_eq!(all["totalCount"], 2);
    assert_eq!(
        all["billData"],
        json!({"paidcount": "1", "notPaidcount": "1"})
    );
    let pending = search(&a, &[("tenantId", NOPSPCL), ("isBillPaid", "false")]).await;
    assert_eq!(pending["totalCount"], 1);
    assert_eq!(pending["challans"][0]["challanNo"], repair_no.as_str());
    assert_eq!(
        pending["billData"]["paidcount"], "1",
        "counts ignore the tab"
    );
    let one = search(&a, &[("tenantId", NOPSPCL), ("challanNo", &no)]).await;
    assert_eq!(one["challans"][0]["vendorName"], "Harpal Singh");
    let by_type = search(
        &a,
        &[("tenantId", NOPSPCL), ("expenseType", "PIPELINE_REPAIR")],
    )
    .await;
    assert_eq!(by_type["totalCount"], 1);

    // Collection does not cancel an expense's receipt behind the bill's back.
    let payment_id = paid[0]["id"].as_str().unwrap();
    let (s, r) = post(
        &a,
        "collection-services/payments/EXPENSE/_workflow",
        json!({"PaymentWorkflows": [{"paymentId": payment_id, "action": "CANCEL", "tenantId": NOPSPCL}]}),
    )
    .await;
    assert_eq!((s, code(&r)), (400, "EXPENSE_THROUGH_ECHALLAN"), "{r}");

    // Cancel the paid salary bill as the app does: its receipt cancelled, the demand back to
    // exactly what it was, then cancelled; the repair still owed.
    let mut body = json!({"Challan": as_app_sends("ExpensesDetailsModel", &salary)});
    body["Challan"]["applicationStatus"] = json!("CANCELLED");
    let (s, v) = post(&a, "echallan-services/eChallan/v1/_update", body.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["challans"][0]["applicationStatus"], "CANCELLED");
    let after = receipts(&a, &no, "EXPENSE.SALARY").await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["paymentStatus"], "CANCELLED");
    let d = demands(&a, &no, "EXPENSE.SALARY").await;
    assert!(d.iter().all(|d| d["status"] == "CANCELLED"), "{d:?}");
    assert_eq!(num(&d[0]["demandDetails"][0]["collectionAmount"]), 0.0);
    ledger_clean(&app, NOPSPCL);
    let all = search(&a, &[("tenantId", NOPSPCL)]).await;
    assert_eq!(
        all["billData"],
        json!({"paidcount": "0", "notPaidcount": "1"})
    );

    // Twice is refused, nothing written.
    let (s, v) = post(&a, "echallan-services/eChallan/v1/_update", body).await;
    assert_eq!((s, code(&v)), (400, "CHALLAN_ALREADY_CANCELLED"), "{v}");
    assert_eq!(receipts(&a, &no, "EXPENSE.SALARY").await.len(), 1);
}

#[actix_web::test]
async fn vendors_one_per_mobile_number_and_the_apps_list() {
    let app = TestApp::new();
    let a = clerk(&app, NOPSPCL, "9851400002").await;
    let id = vendor(&a, "Jaswant Pipes", "9851400102").await;
    let (s, v) = post(
        &a,
        "vendor/v1/_create",
        vendor_body(NOPSPCL, "Other Name", "9851400102"),
    )
    .await;
    assert_eq!((s, code(&v)), (400, "DUPLICATE_VENDOR"), "{v}");
    assert_eq!(count(&app, "vendor_account"), 1);
    let (s, v) = a
        .send(
            "vendor/v1/_search",
            &[("tenantId", NOPSPCL), ("limit", "-1")],
            "create",
            json!({"userInfo": a.user}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    list_parses_as("Vendor", &v["vendor"], "vendor_account").unwrap();
    assert_eq!(v["vendor"][0]["id"], id.as_str());
    assert_eq!(v["vendor"][0]["owner"]["mobileNumber"], "9851400102");
    let (_, v) = a
        .send(
            "vendor/v1/_search",
            &[("tenantId", NOPSPCL), ("mobileNumber", "9851400102")],
            "create",
            json!({}),
        )
        .await;
    assert_eq!(v["vendor"].as_array().unwrap().len(), 1);
    let (_, v) = a
        .send(
            "vendor/v1/_search",
            &[("tenantId", NOPSPCL), ("name", "jaswant pipes")],
            "create",
            json!({}),
        )
        .await;
    assert_eq!(v["vendor"].as_array().unwrap().len(), 1);
    // The owner's mobile number is sealed like every user's: not in the vendor row.
    let (s, v) = post(&a, "vendor/v1/_create", vendor_body(NOPSPCL, "", "12345")).await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(count(&app, "vendor_account"), 1);
}

#[actix_web::test]
async fn bad_expense_bills_are_named_400s_and_write_nothing() {
    let app = TestApp::new();
    let a = clerk(&app, NOPSPCL, "9851400003").await;
    let v = vendor(&a, "Harpal Singh", "9851400103").await;
    let other = clerk(&app, OTHER_GP, "9851400004").await;
    let foreign = vendor(&other, "Far Away", "9851400104").await;
    let t = today();
    let ok = challan(NOPSPCL, "SALARY", "20201", &v, "500", None);
    let with = |path: &str, value: Value| {
        let mut b = ok.clone();
        b["Challan"][path] = value;
        b
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown type",
            with("typeOfExpense", json!("PICNIC")),
            "INVALID_EXPENSE_TYPE",
        ),
        (
            "vendor of another GP",
            with("vendor", json!(foreign)),
            "INVALID_VENDOR",
        ),
        (
            "vendor not an id",
            with("vendor", json!("Harpal Singh")),
            "INVALID_VENDOR",
        ),
        (
            "amount 0",
            with("amount", json!([{"taxHeadCode": "20201", "amount": "0"}])),
            "INVALID_AMOUNT",
        ),
        (
            "negative",
            with("amount", json!([{"taxHeadCode": "20201", "amount": "-5"}])),
            "INVALID_AMOUNT",
        ),
        (
            "paise",
            with(
                "amount",
                json!([{"taxHeadCode": "20201", "amount": "10.50"}]),
            ),
            "INVALID_AMOUNT",
        ),
        (
            "huge",
            with(
                "amount",
                json!([{"taxHeadCode": "20201", "amount": "100000000"}]),
            ),
            "INVALID_AMOUNT",
        ),
        (
            "bill date tomorrow",
            with("billDate", json!(ist_ms(t.succ_opt().unwrap()))),
            "BILL_DATE_IN_FUTURE",
        ),
        (
            "party bill after bill",
            with("billIssuedDate", json!(ist_ms(t.succ_opt().unwrap()))),
            "BILL_ISSUED_DATE_AFTER_BILL_DATE",
        ),
        (
            "from after to",
            with("taxPeriodFrom", json!(ist_ms(t.succ_opt().unwrap()))),
            "INVALID_TAX_PERIOD",
        ),
        (
            "paid without date",
            with("isBillPaid", json!(true)),
            "PAID_DATE_REQUIRED",
        ),
        (
            "file of nobody",
            with("filestoreid", json!(uuid::Uuid::new_v4().to_string())),
            "INVALID_FILESTORE_ID",
        ),
        (
            "file not an id",
            with("filestoreid", json!("../../etc/passwd")),
            "INVALID_FILESTORE_ID",
        ),
    ];
    for (what, body, want) in cases {
        let (s, v) = post(&a, "echallan-services/eChallan/v1/_create", body).await;
        assert_eq!((s, code(&v)), (400, want), "{what}: {v}");
    }
    // Period ending after the bill date; paid date before the bill date / in the future.
    let yesterday = t.pred_opt().unwrap();
    let mut b = with("billDate", json!(ist_ms(yesterday)));
    b["Challan"]["taxPeriodFrom"] = json!(ist_ms(yesterday));
    b["Challan"]["billIssuedDate"] = json!(ist_ms(yesterday));
    let (s, v) = post(&a, "echallan-services/eChallan/v1/_create", b.clone()).await;
    assert_eq!((s, code(&v)), (400, "TAX_PERIOD_AFTER_BILL_DATE"), "{v}");
    b["Challan"]["taxPeriodTo"] = json!(ist_ms(yesterday));
    b["Challan"]["isBillPaid"] = json!(true);
    b["Challan"]["paidDate"] = json!(ist_ms(yesterday.pred_opt().unwrap()));
    let (s, v) = post(&a, "echallan-services/eChallan/v1/_create", b.clone()).await;
    assert_eq!((s, code(&v)), (400, "PAID_DATE_BEFORE_BILL_DATE"), "{v}");
    b["Challan"]["paidDate"] = json!(ist_ms(t.succ_opt().unwrap()));
    let (s, v) = post(&a, "echallan-services/eChallan/v1/_create", b).await;
    assert_eq!((s, code(&v)), (400, "PAID_DATE_IN_FUTURE"), "{v}");
    // A NUL byte, a number too big for a double.
    let (s, v) = post(
        &a,
        "echallan-services/eChallan/v1/_create",
        with("vendorName", json!("a\u{0}b")),
    )
    .await;
    assert_eq!((s, code(&v)), (400, "INVALID_CHARACTER"), "{v}");
    let mut with_ri = ok.clone();
    with_ri["RequestInfo"] = a.ri("create", None);
    let raw = with_ri
        .to_string()
        .replace("\"500\"", "123456789012345678901234567890");
    let (s, v) = app
        .post_raw(
            "/echallan-services/eChallan/v1/_create",
            Box::leak(raw.into_boxed_str()),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_NUMBER"), "{v}");
    // Nothing written: no bill, no demand, no receipt, no bill number taken.
    assert_eq!(count(&app, "echallan_bill"), 0);
    assert_eq!(count(&app, "billing_demand"), 0);
    assert_eq!(count(&app, "collection_payment"), 0);
    // And the good one goes through, numbered first.
    let c = create(&a, ok).await;
    assert!(
        c["challanNo"].as_str().unwrap().ends_with("-1")
            || c["challanNo"].as_str().unwrap().ends_with("0001"),
        "{c}"
    );
}

#[actix_web::test]
async fn a_paid_bill_cannot_be_edited_and_racing_mark_paid_gives_one_payment() {
    let app = TestApp::new();
    let a = clerk(&app, NOPSPCL, "9851400005").await;
    let v = vendor(&a, "Harpal Singh", "9851400105").await;
    let c = create(
        &a,
        challan(NOPSPCL, "CHLORINATION", "20303", &v, "450", None),
    )
    .await;
    let no = c["challanNo"].as_str().unwrap().to_owned();

    // An unpaid bill may change: the demand follows.
    let mut body = json!({"Challan": as_app_sends("ExpensesDetailsModel", &c)});
    body["Challan"]["amount"] = json!([{"taxHeadCode": "20303", "amount": "475"}]);
    let (s, v) = post(&a, "echallan-services/eChallan/v1/_update", body.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["challans"][0]["amount"][0]["amount"], "475");
    let live: Vec<Value> = demands(&a, &no, "EXPENSE.CHLORINATION")
        .await
        .into_iter()
        .filter(|d| d["status"] == "ACTIVE")
        .collect();
    assert_eq!(live.len(), 1);
    assert_eq!(num(&live[0]["demandDetails"][0]["taxAmount"]), 475.0);
    ledger_clean(&app, NOPSPCL);

    // Two mark-paid requests at once: one payment.
    body["Challan"]["isBillPaid"] = json!(true);
    body["Challan"]["paidDate"] = json!(ist_ms(today()));
    body["Challan"]["applicationStatus"] = json!("PAID");
    let url = "echallan-services/eChallan/v1/_update";
    let (r1, r2) =
        futures_util::future::join(post(&a, url, body.clone()), post(&a, url, body.clone())).await;
    let mut statuses = [r1.0, r2.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400], "{} / {}", r1.1, r2.1);
    let loser = if r1.0 == 400 { &r1.1 } else { &r2.1 };
    assert_eq!(code(loser), "CHALLAN_ALREADY_PAID", "{loser}");
    let paid = receipts(&a, &no, "EXPENSE.CHLORINATION").await;
    assert_eq!(paid.len(), 1, "{paid:?}");
    assert_eq!(num(&paid[0]["totalAmountPaid"]), 475.0);
    ledger_clean(&app, NOPSPCL);

    // A paid bill: no field may change (the original's codes).
    for (field, value, want) in [
        (
            "amount",
            json!([{"taxHeadCode": "20303", "amount": "500"}]),
            "INVALID_UPDATE_REQ_NOTMATCHED_AMOUNT",
        ),
        (
            "typeOfExpense",
            json!("SALARY"),
            "INVALID_UPDATE_REQ_NOTMATCHED_TYPEEXPENSE",
        ),
        (
            "billDate",
            json!(ist_ms(today().pred_opt().unwrap())),
            "INVALID_UPDATE_REQ_NOTMATCHED_BILLDATE",
        ),
        (
            "paidDate",
            json!(ist_ms(today().pred_opt().unwrap())),
            "INVALID_UPDATE_REQ_NOTMATCHED_PAIDDATE",
        ),
    ] {
        let mut b = body.clone();
        b["Challan"][field] = value;
        let (s, v) = post(&a, url, b).await;
        assert_eq!((s, code(&v)), (400, want), "{field}: {v}");
    }
    let now = search(&a, &[("tenantId", NOPSPCL), ("challanNo", &no)]).await;
    assert_eq!(now["challans"][0]["amount"][0]["amount"], "475");
    assert_eq!(now["challans"][0]["applicationStatus"], "PAID");
    // _updateCreateNoPayment takes no payment.
    let (s, v) = post(
        &a,
        "echallan-services/eChallan/v1/_updateCreateNoPayment",
        body,
    )
    .await;
    assert_eq!((s, code(&v)), (400, "INVALID_STATUS"), "{v}");
}

#[actix_web::test]
async fn an_expense_is_paid_whole_above_the_water_counter_limit() {
    use mgramseva::business::collection::service::max_payment;
    assert_eq!(max_payment("WS"), Some(10_000));
    assert_eq!(max_payment("EXPENSE.NEW_PIPELINE"), None);
    let app = TestApp::new();
    let a = clerk(&app, NOPSPCL, "9851400006").await;
    let v = vendor(&a, "Punjab Pipes", "9851400106").await;
    let c = create(
        &a,
        challan(NOPSPCL, "NEW_PIPELINE", "40102", &v, "25000", Some(today())),
    )
    .await;
    let no = c["challanNo"].as_str().unwrap();
    let paid = receipts(&a, no, "EXPENSE.NEW_PIPELINE").await;
    assert_eq!(paid.len(), 1);
    assert_eq!(num(&paid[0]["totalAmountPaid"]), 25000.0);
    ledger_clean(&app, NOPSPCL);
}

#[actix_web::test]
async fn pspcl_electricity_bills_are_read_only_for_gp_staff() {
    let app = TestApp::new();
    let mut conn = app.db.conn();
    assert!(mgramseva::municipal::echallan::service::pspcl_mapped(&mut conn, GP).unwrap());
    assert!(!mgramseva::municipal::echallan::service::pspcl_mapped(&mut conn, NOPSPCL).unwrap());
    let staff = mgramseva::municipal::echallan::service::Who::default();
    let types =
        mgramseva::municipal::echallan::service::manual_types(&mut conn, GP, staff).unwrap();
    assert!(
        !types.iter().any(|t| t.0 == "ELECTRICITY_BILL") && types.len() >= 9,
        "{types:?}"
    );
    let here =
        mgramseva::municipal::echallan::service::manual_types(&mut conn, NOPSPCL, staff).unwrap();
    assert!(here.iter().any(|t| t.0 == "ELECTRICITY_BILL"));

    let a = clerk(&app, GP, "9851400007").await;
    let v = vendor(&a, "PSPCL", "9851400107").await;
    let bill = challan(GP, "ELECTRICITY_BILL", "20101", &v, "3000", None);
    let (s, r) = post(&a, "echallan-services/eChallan/v1/_create", bill.clone()).await;
    assert_eq!((s, code(&r)), (400, "PSPCL_BILL_READ_ONLY"), "{r}");
    assert_eq!(count(&app, "echallan_bill"), 0);

    let mut p = AppClient::strict(&app, GP);
    p.login_new_employee("9851400008", PW, &["PSPCL_ADMIN"])
        .await;
    let made = create(&p, bill).await;
    assert_eq!(made["source"], "PSPCL");
    // Staff may neither mark it paid nor cancel it.
    let mut body = json!({"Challan": as_app_sends("ExpensesDetailsModel", &made)});
    body["Challan"]["applicationStatus"] = json!("CANCELLED");
    let (s, r) = post(&a, "echallan-services/eChallan/v1/_update", body.clone()).await;
    assert_eq!((s, code(&r)), (400, "PSPCL_BILL_READ_ONLY"), "{r}");
    let (s, r) = post(&p, "echallan-services/eChallan/v1/_update", body).await;
    assert_eq!(s, 200, "{r}");
    // Other types stay open to staff on a mapped GP.
    create(&a, challan(GP, "OTHERS", "20401", &v, "100", None)).await;
}

/// The app uploads an expense's paper bill without a token (`CoreRepository.uploadFiles`): the
/// file is taken (rate-limited per address, a daily quota per GP), kept unclaimed until the bill
/// naming it is created, and swept after a day if no bill does. A GP that is not a gram
/// panchayat, an unknown token, a file another GP's bill names: refused.
#[actix_web::test]
async fn the_apps_upload_without_a_token_is_claimed_by_its_bill_or_swept() {
    use crate::filestore::{file_id, files_on_disk, pdf, upload};
    use diesel::prelude::*;
    use mgramseva::db::schema::filestore_file as ff;
    let code_of = |r: &Resp| (r.0.as_u16(), code(&r.1).to_owned());
    let app = TestApp::configured(|s| s.filestore.anonymous_files_per_day = 3);
    let a = clerk(&app, NOPSPCL, "9851400011").await;
    let v = vendor(&a, "Harpal Singh", "9851400111").await;
    let claimed = |id: &str| -> Option<(bool, Option<uuid::Uuid>)> {
        ff::table
            .find(uuid::Uuid::parse_str(id).unwrap())
            .select((ff::unclaimed, ff::created_by))
            .first(&mut app.db.conn())
            .optional()
            .unwrap()
    };

    let bill_file = file_id(&upload(&app, None, NOPSPCL, "bill.pdf", &pdf()).await);
    assert_eq!(claimed(&bill_file), Some((true, None)));
    let stray = file_id(&upload(&app, None, NOPSPCL, "stray.pdf", &pdf()).await);
    let other = file_id(&upload(&app, None, "pb.lodhipur", "other.pdf", &pdf()).await);
    // not a gram panchayat
    let r = upload(&app, None, "pb", "a.pdf", &pdf()).await;
    assert_eq!(code_of(&r), (400, "INVALID_TENANT".into()), "{}", r.1);

    // the bill names the file: claimed in its transaction
    let mut body = challan(NOPSPCL, "SALARY", "20201", &v, "1200", None);
    body["Challan"]["filestoreid"] = json!(bill_file);
    let made = create(&a, body).await;
    assert_eq!(made["filestoreid"], bill_file.as_str());
    assert_eq!(claimed(&bill_file), Some((false, None)));
    // a file of another GP is not found for this GP's bill, and stays unclaimed
    let mut body = challan(NOPSPCL, "SALARY", "20201", &v, "1300", None);
    body["Challan"]["filestoreid"] = json!(other);
    let (s, e) = post(&a, "echallan-services/eChallan/v1/_create", body).await;
    assert_eq!((s, code(&e)), (400, "INVALID_FILESTORE_ID"), "{e}");
    assert_eq!(claimed(&other), Some((true, None)));

    // the claimed file no longer counts: two more unclaimed files on the GP are within its
    // quota of 3 a day; a fourth is not
    file_id(&upload(&app, None, NOPSPCL, "third.pdf", &pdf()).await);
    file_id(&upload(&app, None, NOPSPCL, "fourth.pdf", &pdf()).await);
    let before = files_on_disk(&app);
    let r = upload(&app, None, NOPSPCL, "fifth.pdf", &pdf()).await;
    assert_eq!(code_of(&r), (429, "TOO_MANY_REQUESTS".into()), "{}", r.1);
    assert_eq!(
        files_on_disk(&app),
        before,
        "nothing kept of a refused upload"
    );
    // staff with a token are not held to the quota of anonymous uploads
    let staff = file_id(&upload(&app, Some(&a.token), NOPSPCL, "staff.pdf", &pdf()).await);
    assert_eq!(claimed(&staff).map(|c| c.0), Some(false));

    // a day later the sweep removes the unclaimed files (row and bytes), keeps the claimed
    let dir = app.state.settings.filestore.dir.clone();
    let later = chrono::Utc::now() + chrono::Duration::hours(25);
    let done = mgramseva::platform::filestore::sweep(&mut app.db.conn(), &dir, later).unwrap();
    assert_eq!(done.unclaimed, 4, "stray, other, third and fourth");
    assert_eq!(claimed(&stray), None);
    assert_eq!(claimed(&other), None);
    assert!(claimed(&bill_file).is_some());
    assert_eq!(
        files_on_disk(&app),
        2,
        "the bill's file and the staff upload"
    );
}
