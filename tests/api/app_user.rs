//! The real mGramSeva app against this server (issue 12): requests built as the app's
//! `lib/repository/*.dart` and providers build them (`app_client`), answers checked as its
//! generated `lib/model/**/*.g.dart` read them (`app_models`). Login, profile and password;
//! bills and receipts with their payer; the aggregate demand; an administrator's change of a
//! user.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::app_client::{AppClient, request_info};
use crate::app_models::assert_parses;
use crate::helpers::*;

const PW: &str = "eGov@123";
const NEW_PW: &str = "Naya@2026";

fn each<'a>(v: &'a Value, what: &str) -> &'a Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is not a list: {v}"))
}

/// A `UserProfile` answer (search, profile update, an administrator's change) as the app reads
/// it, its dates in egov-user's `dd-MM-yyyy HH:mm:ss`; the first user.
fn profile_of(v: &Value) -> &Value {
    assert_parses("UserProfile", v);
    let users = each(&v["user"], "UserProfile.user");
    for u in users {
        for k in ["createdDate", "lastModifiedDate"] {
            let d = u[k].as_str().unwrap_or_default();
            assert!(
                chrono::NaiveDateTime::parse_from_str(d, "%d-%m-%Y %H:%M:%S").is_ok(),
                "{k} = {d:?}"
            );
        }
    }
    &users[0]
}

/// An employee with these roles: its id and a live token.
fn staff(app: &TestApp, mobile: &str, roles: &[&str]) -> (i64, String) {
    let u = app.employee(mobile, roles, None);
    let mut c = app.db.conn();
    let token = mgramseva::platform::user::issue_token(
        &mut c,
        u.id,
        chrono::Duration::hours(1),
        chrono::Utc::now(),
    )
    .unwrap();
    (u.id, token)
}

#[actix_web::test]
async fn the_app_logs_in_changes_profile_and_password_and_logs_in_again() {
    let app = TestApp::new();
    let (su_id, su_token) = staff(&app, "9814100001", &["SUPERUSER@pb"]);
    // The employee is made by the superuser, so it names who created it.
    let (s, v) = app
        .post(
            "/user/users/_createnovalidate",
            json!({"RequestInfo": ri(&su_token), "user": {"name": "Gurpreet Kaur", "mobileNumber": "9814100002",
                   "type": "EMPLOYEE", "tenantId": STATE, "password": PW,
                   "roles": [{"code": "COLLECTION_OPERATOR", "tenantId": GP}, {"code": "EMPLOYEE", "tenantId": GP}]}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let me = profile_of(&v);
    let my_id = me["id"].as_i64().unwrap();
    assert_eq!(me["createdBy"], json!(su_id), "the creator's numeric id");
    assert_eq!(me["lastModifiedBy"], json!(su_id));

    // 1. Login as the app sends it, on the GP the employee works on.
    let mut c = AppClient::strict(&app, GP);
    // 2. ... and the profile, as `authentication_repo.getProfile` (and `user_profile_repo`) ask it.
    let v = c.login("9814100002", PW).await;
    assert_eq!(c.user["id"], json!(my_id));
    let profile = profile_of(&v).clone();
    assert_eq!(v["user"].as_array().map(Vec::len), Some(1));
    assert_eq!(profile["name"], "Gurpreet Kaur");
    assert_eq!(profile["createdBy"], json!(su_id));
    assert_eq!(profile["lastModifiedBy"], json!(su_id));
    assert_eq!(
        profile["defaultPwdChgd"], false,
        "the app asks for a new password"
    );

    // 3. The profile change of `edit_profile.dart`: the searched user sent back whole, with
    // the edited name and e-mail (`getText`: dob null) and an unset gender as "" (`setText`).
    let mut edited = profile.clone();
    edited["name"] = json!("Harjit Kaur");
    edited["emailId"] = json!("harjit@example.in");
    edited["gender"] = json!("");
    edited["dob"] = Value::Null;
    let v = c.edit_profile(edited).await;
    let after = profile_of(&v);
    assert_eq!(after["name"], "Harjit Kaur");
    assert_eq!(after["emailId"], "harjit@example.in");
    assert_eq!(after["gender"], Value::Null, "\"\" leaves the gender unset");
    assert_eq!(
        after["lastModifiedBy"],
        json!(my_id),
        "changed by the user itself: its id, a number"
    );
    assert_eq!(after["createdBy"], json!(su_id));

    // 4. The password change of `change_password.dart` (the selected GP as tenant, the user
    // as the login gave it).
    assert_eq!(
        (c.user["userName"].as_str(), c.user["type"].as_str()),
        (Some("9814100002"), Some("EMPLOYEE"))
    );
    c.change_password(PW, NEW_PW).await;

    // 5. Login again, with the new password, and the profile again.
    assert_eq!(c.token_call("9814100002", PW).await.0, 400);
    let v = c.login("9814100002", NEW_PW).await;
    assert_eq!(c.user["name"], "Harjit Kaur");
    let profile = profile_of(&v);
    assert_eq!(profile["name"], "Harjit Kaur");
    assert_eq!(profile["lastModifiedBy"], json!(my_id));
    assert_eq!(profile["defaultPwdChgd"], true);
    assert!(profile["pwdExpiryDate"].is_string(), "{profile}");

    // `/user/_details` (egov-user's `CustomUserDetails`): the same types.
    let (s, v) = c
        .send(
            "user/_details",
            &[("access_token", &c.token)],
            "POST",
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_parses("UserRequest", &v);
    assert_eq!(v["id"], json!(my_id));
    assert!(v["actions"].is_array(), "{v}");
}

// ---- bills and receipts ----

/// A GP with its staff: the app logged in as a GP admin who registers households and collects,
/// and the superuser who makes demands.
struct Gp<'a> {
    c: AppClient<'a>,
    su: String,
}

impl<'a> Gp<'a> {
    async fn new(app: &'a TestApp) -> Self {
        let mut c = AppClient::strict(app, GP);
        c.login_new_employee(
            "9830100001",
            PW,
            &["GP_ADMIN", "COLLECTION_OPERATOR", "EMPLOYEE"],
        )
        .await;
        let su = app.login("9830100002", &["SUPERUSER@pb"]);
        Self { c, su }
    }

    /// A household on its own property: (connection number, holder's account).
    async fn household(&self, mobile: &str, name: &str, old: &str) -> (String, String) {
        let c = gp_household(self.c.app, &self.c.token, (mobile, name, old), json!({})).await;
        (
            c["connectionNo"].as_str().unwrap().to_owned(),
            c["connectionHolders"][0]["uuid"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    }

    /// A month's demand of `lines` for the consumer, its payer the holder's account.
    async fn demand(&self, consumer: &str, payer: &str, month: NaiveDate, lines: &[(&str, i64)]) {
        let from = mgramseva::time::ist_day_start_millis(month);
        let to = mgramseva::time::month_end_ms(month);
        let (s, v) = self
            .c
            .app
            .post(
                "/billing-service/demand/_create",
                json!({"RequestInfo": ri(&self.su), "Demands": [{"tenantId": GP, "consumerCode": consumer,
                    "businessService": "WS", "consumerType": "waterConnection", "payer": {"uuid": payer},
                    "taxPeriodFrom": from, "taxPeriodTo": to,
                    "demandDetails": lines.iter().map(|(c, a)| json!({"taxHeadMasterCode": c, "taxAmount": a})).collect::<Vec<_>>()}]}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
    }

    /// `collect_payment_provider.updatePaymentInformation` through
    /// `consumer_details_repo.collectPayment`: the amount as the text typed.
    async fn pay(&self, bill: &Value, amount: &str, paid_by: Value, mobile: Value) -> Value {
        self.c
            .collect_payment(json!({"tenantId": GP, "paymentMode": "CASH",
                "paidBy": paid_by, "mobileNumber": mobile, "totalAmountPaid": amount,
                "paymentDetails": [{"businessService": bill["businessService"],
                    "billId": bill["billDetails"][0]["billId"], "totalAmountPaid": amount}]}))
            .await
    }
}

/// The rows of `tables` as JSON text (what is at rest).
fn rows_of(app: &TestApp, tables: &[&str]) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Dump {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let sql = tables
        .iter()
        .map(|t| format!("SELECT row_to_json(x)::text AS t FROM {t} x"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    diesel::sql_query(sql)
        .load::<Dump>(&mut app.db.conn())
        .unwrap()
        .into_iter()
        .map(|d| d.t)
        .collect()
}

#[actix_web::test]
async fn bills_and_receipts_name_the_holder_who_pays() {
    let app = TestApp::new();
    let gp = Gp::new(&app).await;
    let (no, holder) = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    gp.demand(&no, &holder, month_start(1), &[("10101", 120)])
        .await;

    // The bill of ₹120 names the holder and her mobile number, fetched as the app fetches.
    let v = gp.c.fetch_bill("bill", &no).await;
    let bills = each(&v["Bill"], "BillList.Bill");
    assert_eq!(bills.len(), 1);
    let bill = bills[0].clone();
    // the collect screen reads the same bill as `FetchBill`
    assert_parses("FetchBill", &bill);
    assert_eq!(bill["totalAmount"], json!(120));
    assert_eq!(bill["payerName"], "Gurpreet Kaur");
    assert_eq!(bill["mobileNumber"], "9876543210");
    // again: from the bill cache, the same
    assert_eq!(gp.c.fetch_bill("bill", &no).await["Bill"][0], bill);
    // and `bill/v2/_search` (`fetchBillwithoutLogin`'s query, here with a token)
    let (s, v) =
        gp.c.send(
            "billing-service/bill/v2/_search",
            &[
                ("tenantId", GP),
                ("consumerCode", &no),
                ("service", "WS"),
                ("billNumber", bill["billNumber"].as_str().unwrap()),
            ],
            "_search",
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_parses("BillList", &v);
    assert_eq!(
        (
            v["Bill"][0]["payerName"].as_str(),
            v["Bill"][0]["mobileNumber"].as_str()
        ),
        (Some("Gurpreet Kaur"), Some("9876543210"))
    );

    // A payment of ₹50 that names nobody (a bill without a payer, as before) takes the bill's.
    let v = gp.pay(&bill, "50", Value::Null, Value::Null).await;
    let p = &v["Payments"][0];
    assert_eq!(
        (
            p["paidBy"].as_str(),
            p["payerName"].as_str(),
            p["mobileNumber"].as_str()
        ),
        (
            Some("Gurpreet Kaur"),
            Some("Gurpreet Kaur"),
            Some("9876543210")
        )
    );
    assert_eq!(p["totalAmountPaid"], json!(50));
    assert_eq!(p["paymentDetails"][0]["bill"]["payerName"], "Gurpreet Kaur");
    // The rest, ₹70, as the collect screen sends it now: `paidBy` and mobile from the bill.
    let bill = gp.c.fetch_bill("bill", &no).await["Bill"][0].clone();
    assert_eq!(bill["totalAmount"], json!(70));
    assert_eq!(bill["payerName"], "Gurpreet Kaur");
    let v = gp
        .pay(
            &bill,
            "70",
            bill["payerName"].clone(),
            bill["mobileNumber"].clone(),
        )
        .await;
    assert_eq!(v["Payments"][0]["totalAmountPaid"], json!(70));
    assert!(
        gp.c.fetch_bill("bill", &no).await["Bill"][0].is_null(),
        "paid"
    );

    // The receipts, as `bill_payments_provider.dart` and `consumer_details_provider.dart` ask:
    // `payments.paidBy!` and the bill's payer are there.
    for path in [
        "collection-services/payments/WS/_search",
        "collection-services/payments/_search",
    ] {
        let v = gp.c.payments_at("receipts", path, &no).await;
        let ps = each(&v["Payments"], "BillPayments.Payments");
        assert_eq!(ps.len(), 2, "{path}");
        let mut paid: Vec<(i64, &str, &str, &str)> = ps
            .iter()
            .map(|p| {
                (
                    p["totalAmountPaid"].as_i64().unwrap(),
                    p["paidBy"].as_str().unwrap(),
                    p["payerName"].as_str().unwrap(),
                    p["paymentDetails"][0]["bill"]["mobileNumber"]
                        .as_str()
                        .unwrap(),
                )
            })
            .collect();
        paid.sort();
        assert_eq!(
            paid,
            [
                (50, "Gurpreet Kaur", "Gurpreet Kaur", "9876543210"),
                (70, "Gurpreet Kaur", "Gurpreet Kaur", "9876543210")
            ],
            "{path}"
        );
    }

    // Names and mobile numbers stay sealed at rest: bills, payments, remembered answers.
    for r in rows_of(
        &app,
        &[
            "billing_bill",
            "collection_payment",
            "collection_idempotency",
        ],
    ) {
        assert!(!r.contains("Gurpreet"), "name in clear: {r}");
        assert!(!r.contains("9876543210"), "mobile in clear: {r}");
    }
}

#[actix_web::test]
async fn a_shared_mobile_number_still_bills_each_household_s_own_holder() {
    let app = TestApp::new();
    let gp = Gp::new(&app).await;
    let (first, holder) = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    // The second household re-uses the citizen account of the number (named Gurpreet Kaur).
    let (second, same) = gp.household("9876543210", "Harjit Kaur", "OLD/2").await;
    assert_eq!(same, holder);
    gp.demand(&first, &holder, month_start(1), &[("10101", 120)])
        .await;
    gp.demand(&second, &holder, month_start(1), &[("10101", 80)])
        .await;
    let b1 = gp.c.fetch_bill("bill", &first).await["Bill"][0].clone();
    let b2 = gp.c.fetch_bill("bill", &second).await["Bill"][0].clone();
    assert_eq!(
        (&b1["payerName"], &b1["totalAmount"]),
        (&json!("Gurpreet Kaur"), &json!(120))
    );
    assert_eq!(
        (&b2["payerName"], &b2["totalAmount"]),
        (&json!("Harjit Kaur"), &json!(80))
    );
    assert_eq!(b2["mobileNumber"], "9876543210");

    // Replaying a payment by its idempotency key answers the payer again (it is kept sealed).
    let body = json!({"RequestInfo": request_info("", Some(&gp.c.token), None), "Payment": {"tenantId": GP, "paymentMode": "CASH",
        "totalAmountPaid": "80", "paymentDetails": [{"businessService": "WS", "billId": b2["id"]}]}});
    let send = || {
        app.send(
            actix_web::test::TestRequest::post()
                .uri("/collection-services/payments/_create")
                .insert_header(("Idempotency-Key", "collect-2-80"))
                .set_json(body.clone()),
        )
    };
    let (s, first_answer) = send().await;
    assert_eq!(s, 200, "{first_answer}");
    let (s, replay) = send().await;
    assert_eq!(s, 200, "{replay}");
    let pick = |v: &Value| {
        let p = &v["Payments"][0];
        (
            p["id"].clone(),
            p["paidBy"].clone(),
            p["payerName"].clone(),
            p["mobileNumber"].clone(),
            p["paymentDetails"][0]["bill"]["payerName"].clone(),
        )
    };
    assert_eq!(pick(&replay), pick(&first_answer));
    assert_eq!(
        pick(&replay).1,
        json!("Harjit Kaur"),
        "the household's holder"
    );
    assert_parses("BillPayments", &replay);
    for r in rows_of(
        &app,
        &[
            "billing_bill",
            "collection_payment",
            "collection_idempotency",
        ],
    ) {
        assert!(
            !r.contains("Harjit") && !r.contains("Gurpreet"),
            "name in clear: {r}"
        );
        assert!(!r.contains("9876543210"), "mobile in clear: {r}");
    }
}

#[actix_web::test]
async fn the_aggregate_demand_lists_demand_details_as_the_app_reads_them() {
    let app = TestApp::new();
    let gp = Gp::new(&app).await;
    let (no, holder) = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    gp.demand(&no, &holder, month_start(2), &[("10101", 100)])
        .await;
    gp.demand(
        &no,
        &holder,
        month_start(1),
        &[("10101", 120), ("WS_TIME_PENALTY", 10)],
    )
    .await;
    // `billing_service_repo.fetchAggregateDemand`: the query of `household_details_provider`.
    let v = gp.c.aggregate_demand(&no).await;
    let mut lines: Vec<(String, i64, i64)> = Vec::new();
    for month in each(&v["mapOfDemandDetailList"], "mapOfDemandDetailList") {
        let m = month.as_object().expect("a map of period to details");
        assert_eq!(m.len(), 1, "{month}");
        for (period, details) in m {
            assert!(period.parse::<i64>().is_ok(), "{period}");
            for d in each(details, "List<DemandDetails>") {
                assert!(
                    d.get("taxHeadCode").is_none(),
                    "not a key of the original: {d}"
                );
                lines.push((
                    d["taxHeadMasterCode"].as_str().unwrap().to_owned(),
                    d["taxAmount"].as_i64().unwrap(),
                    d["collectionAmount"].as_i64().unwrap(),
                ));
            }
        }
    }
    lines.sort();
    assert_eq!(
        lines,
        [
            ("10101".to_owned(), 100, 0),
            ("10101".to_owned(), 120, 0),
            ("WS_TIME_PENALTY".to_owned(), 10, 0)
        ]
    );
    assert_eq!(v["netdue"], json!(230));
}

// ---- an administrator's change of a user (contracts/UserCollection.postman_collection.json) ----

#[actix_web::test]
async fn update_novalidate_by_path_id_under_the_grant_rules() {
    let app = TestApp::new();
    let (su_id, su) = staff(&app, "9814200001", &["SUPERUSER@pb"]);
    let div = app.login("9814200002", &["DIV_ADMIN", "EMPLOYEE"]);
    let clerk = app.login("9814200003", &["COLLECTION_OPERATOR", "EMPLOYEE"]);
    let target = app.employee("9814200004", &["SECRETARY", "EMPLOYEE"], Some(PW));
    let phone = AppClient::new(&app, GP);
    let path = |id: &str| format!("/user/users/{id}/_updatenovalidate");
    let body = |token: &str, user: Value| {
        json!({"requestInfo": {"apiId": "ap.public", "ver": "1", "ts": null,
        "action": "POST", "did": null, "key": null, "authToken": token}, "user": user})
    };
    let roles_of = |v: &Value| {
        let mut r: Vec<String> = each(&v["user"][0]["roles"], "roles")
            .iter()
            .map(|r| {
                format!(
                    "{}@{}",
                    r["code"].as_str().unwrap(),
                    r["tenantId"].as_str().unwrap()
                )
            })
            .collect();
        r.sort();
        r
    };
    let id = target.id.to_string();

    // The superuser renames and regrants, as the collection's request does (a role without a
    // tenant is held on the user's tenant named).
    let (s, v) = app
        .post(
            &path(&id),
            body(&su, json!({"id": target.id, "tenantId": STATE, "name": "Harjit Kaur",
                "roles": [{"code": "SECRETARY", "tenantId": GP}, {"code": "REVENUE_COLLECTOR", "tenantId": GP},
                          {"code": "EMPLOYEE", "tenantId": GP}]})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let u = profile_of(&v);
    assert_eq!(u["name"], "Harjit Kaur");
    assert_eq!(u["lastModifiedBy"], json!(su_id), "the superuser's id");
    assert_eq!(
        roles_of(&v),
        [
            "EMPLOYEE@pb.lodhipur",
            "REVENUE_COLLECTOR@pb.lodhipur",
            "SECRETARY@pb.lodhipur"
        ]
    );

    // The path's id must be the body's.
    let other = app.employee("9814200005", &["SECRETARY"], None);
    let (s, v) = app
        .post(
            &path(&other.id.to_string()),
            body(&su, json!({"id": target.id, "name": "Wrong Person", "roles": [{"code": "SECRETARY", "tenantId": GP}]})),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "USER_ID_MISMATCH"), "{v}");
    let (s, _) = app
        .post(
            &path("abc"),
            body(
                &su,
                json!({"id": target.id, "roles": [{"code": "SECRETARY", "tenantId": GP}]}),
            ),
        )
        .await;
    assert_eq!(s, 400);
    let (s, v) = app
        .post(
            &path("999999"),
            body(
                &su,
                json!({"roles": [{"code": "SECRETARY", "tenantId": GP}]}),
            ),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "USER_NOT_FOUND"), "{v}");

    // A division admin manages its GP's secretary: the path's id stands for the body's.
    let (s, v) = app
        .post(
            &path(&id),
            body(&div, json!({"roles": [{"code": "SECRETARY", "tenantId": GP}, {"code": "EMPLOYEE", "tenantId": GP}]})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        roles_of(&v),
        ["EMPLOYEE@pb.lodhipur", "SECRETARY@pb.lodhipur"]
    );
    // ... but grants nothing beyond its grants, and changes nobody it cannot grant.
    let (s, v) = app
        .post(
            &path(&id),
            body(
                &div,
                json!({"roles": [{"code": "DIV_ADMIN", "tenantId": GP}]}),
            ),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (403, "ROLE_NOT_ALLOWED"), "{v}");
    let su_user = su_id.to_string();
    let (s, v) = app
        .post(
            &path(&su_user),
            body(
                &div,
                json!({"roles": [{"code": "SECRETARY", "tenantId": GP}]}),
            ),
        )
        .await;
    assert_eq!((s.as_u16(), code(&v)), (403, "USER_NOT_MANAGED"), "{v}");
    // A collector is no user administrator.
    let (s, v) = app
        .post(
            &path(&id),
            body(
                &clerk,
                json!({"roles": [{"code": "SECRETARY", "tenantId": GP}]}),
            ),
        )
        .await;
    assert_eq!(
        (s.as_u16(), code(&v)),
        (403, "USER_UPDATE_NOT_ALLOWED"),
        "{v}"
    );
    // No mobile number, tenant or password changes here; and nothing above changed the user.
    for (user, field) in [
        (json!({"mobileNumber": "9999999999"}), "user.mobileNumber"),
        (json!({"tenantId": GP}), "user.tenantId"),
        (json!({"password": "Other@123"}), "user.password"),
    ] {
        let mut u = user.clone();
        u["roles"] = json!([{"code": "SECRETARY", "tenantId": GP}]);
        let (s, v) = app.post(&path(&id), body(&su, u)).await;
        assert_eq!(s, 400, "{user}: {v}");
        assert_eq!(error_fields(&v), [field]);
    }
    let (s, v) = app
        .post(
            "/user/_search",
            json!({"RequestInfo": ri(&su), "id": [target.id], "tenantId": STATE}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"][0]["name"], "Harjit Kaur");
    assert_eq!(v["user"][0]["mobileNumber"], "9814200004");
    assert_eq!(
        roles_of(&v),
        ["EMPLOYEE@pb.lodhipur", "SECRETARY@pb.lodhipur"]
    );
    assert_eq!(
        phone.token_call("9814200004", PW).await.0,
        200,
        "password kept"
    );

    // The same by uuid, without the id in the path.
    let (s, v) = app
        .post(
            "/user/users/_updatenovalidate",
            body(&su, json!({"uuid": target.uuid, "active": false, "roles": [{"code": "SECRETARY", "tenantId": GP}]})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"][0]["active"], false);
    assert_eq!(phone.token_call("9814200004", PW).await.0, 400, "inactive");
}
