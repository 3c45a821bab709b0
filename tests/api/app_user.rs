//! The real mGramSeva app against this server (issue 12): requests built as the app's
//! `lib/repository/*.dart` and providers build them, answers checked as its generated
//! `lib/model/**/*.g.dart` read them (`json['x'] as String?` throws on a number,
//! `as int?` on a string or a fraction, `X.fromJson(json['x'] as Map)` on anything but an
//! object). Login, profile and password; bills and receipts with their payer; the aggregate
//! demand; an administrator's change of a user.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::*;

/// `egov-user-client:` in HTTP Basic, as `authentication_provider.dart` sends it.
const CLIENT: &str = "ZWdvdi11c2VyLWNsaWVudDo=";
const PW: &str = "eGov@123";
const NEW_PW: &str = "Naya@2026";

/// What a generated `fromJson` casts a field to; every cast takes null too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum T {
    /// `as String?`
    S,
    /// `as int?` (an integer: `1.0` is a double in Dart)
    I,
    /// `as num?`
    N,
    /// `as bool?`
    B,
    /// `X.fromJson(json['x'] as Map<String, dynamic>)`
    M,
    /// `as List<dynamic>?`
    L,
}

/// Asserts that every named field of `v` (an object) survives the app's cast.
fn casts(v: &Value, what: &str, fields: &[(&str, T)]) {
    assert!(v.is_object(), "{what} is not an object: {v}");
    for (k, t) in fields {
        let x = &v[*k];
        let ok = x.is_null()
            || match t {
                T::S => x.is_string(),
                T::I => x.is_i64() || x.is_u64(),
                T::N => x.is_number(),
                T::B => x.is_boolean(),
                T::M => x.is_object(),
                T::L => x.is_array(),
            };
        assert!(ok, "{what}.{k} = {x} does not cast to {t:?}");
    }
}

fn each<'a>(v: &'a Value, what: &str) -> &'a Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is not a list: {v}"))
}

/// `RequestInfo.toJson()` of `request_info.dart` with the constants of `global_variables.dart`
/// (`ver` and `did` are doubles there).
fn app_ri(action: &str, token: &str, user_info: Option<&Value>) -> Value {
    json!({"apiId": "mgramseva", "ver": 1.0, "ts": "", "action": action, "did": 1.0, "key": "",
           "msgId": "20170310130900|en_IN", "authToken": token, "userInfo": user_info})
}

// ---- the user models ----

/// `UserRequest` of `user_details.g.dart` (the login's `UserRequest`).
fn user_request_casts(u: &Value) {
    casts(
        u,
        "UserRequest",
        &[
            ("id", T::I),
            ("uuid", T::S),
            ("userName", T::S),
            ("name", T::S),
            ("mobileNumber", T::S),
            ("emailId", T::S),
            ("locale", T::S),
            ("type", T::S),
            ("roles", T::L),
            ("active", T::B),
            ("tenantId", T::S),
            ("permanentCity", T::S),
        ],
    );
    for r in each(&u["roles"], "UserRequest.roles") {
        casts(
            r,
            "Roles",
            &[("name", T::S), ("code", T::S), ("tenantId", T::S)],
        );
    }
}

/// `UserDetails` of `user_details.g.dart` (the token call's answer).
fn user_details_casts(v: &Value) {
    casts(
        v,
        "UserDetails",
        &[
            ("access_token", T::S),
            ("tokenType", T::S),
            ("refreshToken", T::S),
            ("expiresIn", T::I),
            ("scope", T::S),
            ("UserRequest", T::M),
            ("selectedLanguage", T::M),
            ("selectedTenant", T::M),
            ("isFirstTimeLogin", T::B),
        ],
    );
    user_request_casts(&v["UserRequest"]);
}

/// `User` of `user_profile.g.dart` (search and profile update answers).
fn profile_user_casts(u: &Value) {
    casts(
        u,
        "User",
        &[
            ("id", T::I),
            ("userName", T::S),
            ("salutation", T::S),
            ("name", T::S),
            ("gender", T::S),
            ("mobileNumber", T::S),
            ("emailId", T::S),
            ("altContactNumber", T::S),
            ("pan", T::S),
            ("aadhaarNumber", T::S),
            ("permanentAddress", T::S),
            ("permanentCity", T::S),
            ("permanentPinCode", T::S),
            ("correspondenceAddress", T::S),
            ("correspondenceCity", T::S),
            ("correspondencePinCode", T::S),
            ("active", T::B),
            ("locale", T::S),
            ("type", T::S),
            ("defaultPwdChgd", T::B),
            ("accountLocked", T::B),
            ("accountLockedDate", T::I),
            ("fatherOrHusbandName", T::S),
            ("relationship", T::S),
            ("signature", T::S),
            ("bloodGroup", T::S),
            ("photo", T::S),
            ("identificationMark", T::S),
            ("createdBy", T::I),
            ("lastModifiedBy", T::I),
            ("tenantId", T::S),
            ("roles", T::L),
            ("uuid", T::S),
            ("createdDate", T::S),
            ("lastModifiedDate", T::S),
            ("dob", T::S),
            ("pwdExpiryDate", T::S),
        ],
    );
    for r in each(&u["roles"], "User.roles") {
        casts(
            r,
            "Roles",
            &[("name", T::S), ("code", T::S), ("tenantId", T::S)],
        );
    }
    // egov-user's date format, `dd-MM-yyyy HH:mm:ss`
    for k in ["createdDate", "lastModifiedDate"] {
        let d = u[k].as_str().unwrap_or_default();
        assert!(
            chrono::NaiveDateTime::parse_from_str(d, "%d-%m-%Y %H:%M:%S").is_ok(),
            "{k} = {d:?}"
        );
    }
}

/// `UserProfile`: `{"user": [User]}`; the first user.
fn profile_of(v: &Value) -> &Value {
    let users = each(&v["user"], "UserProfile.user");
    for u in users {
        profile_user_casts(u);
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
        Utc::now(),
    )
    .unwrap();
    (u.id, token)
}

/// The token call of `authentication_provider.dart`: a form on the state tenant, HTTP Basic.
async fn app_login(app: &TestApp, mobile: &str, pw: &str) -> Resp {
    app.post_form(
        "/user/oauth/token",
        &[
            ("username", mobile),
            ("password", pw),
            ("scope", "read"),
            ("grant_type", "password"),
            ("tenantId", STATE),
            ("userType", "EMPLOYEE"),
        ],
        Some(CLIENT),
    )
    .await
}

/// `user_profile_repo.dart` (and `authentication_repo.getProfile`): `user/_search` with the
/// logged-in user's tenant, id and mobile number.
async fn app_profile(app: &TestApp, login: &Value) -> Value {
    let ur = &login["UserRequest"];
    let token = login["access_token"].as_str().unwrap();
    let (s, v) = app
        .post(
            "/user/_search",
            json!({"RequestInfo": app_ri("POST", token, None), "tenantId": ur["tenantId"],
                   "id": [ur["id"]], "mobileNumber": ur["mobileNumber"]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v
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

    // 1. Login as the app sends it.
    let (s, login) = app_login(&app, "9814100002", PW).await;
    assert_eq!(s, 200, "{login}");
    user_details_casts(&login);
    assert_eq!(login["UserRequest"]["id"], json!(my_id));
    let token = login["access_token"].as_str().unwrap().to_owned();

    // 2. The profile, as `authentication_repo.getProfile` and `user_profile_repo` ask it.
    let v = app_profile(&app, &login).await;
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
    let (s, v) = app
        .post(
            "/user/profile/_update",
            json!({"RequestInfo": app_ri("create", &token, None), "user": edited}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
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

    // 4. The password change of `change_password.dart` (the selected GP as tenant).
    let (s, v) = app
        .post(
            "/user/password/_update",
            json!({"RequestInfo": app_ri("create", &token, None), "userName": "9814100002",
                   "existingPassword": PW, "newPassword": NEW_PW, "tenantId": GP, "type": "EMPLOYEE"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    casts(
        &v,
        "ChangePasswordDetails",
        &[
            ("userName", T::S),
            ("existingPassword", T::S),
            ("newPassword", T::S),
            ("tenantId", T::S),
            ("type", T::S),
        ],
    );

    // 5. Login again, with the new password, and the profile again.
    assert_eq!(app_login(&app, "9814100002", PW).await.0, 400);
    let (s, login) = app_login(&app, "9814100002", NEW_PW).await;
    assert_eq!(s, 200, "{login}");
    user_details_casts(&login);
    assert_eq!(login["UserRequest"]["name"], "Harjit Kaur");
    let v = app_profile(&app, &login).await;
    let profile = profile_of(&v);
    assert_eq!(profile["name"], "Harjit Kaur");
    assert_eq!(profile["lastModifiedBy"], json!(my_id));
    assert_eq!(profile["defaultPwdChgd"], true);
    assert!(profile["pwdExpiryDate"].is_string(), "{profile}");

    // `/user/_details` (egov-user's `CustomUserDetails`): the same types.
    let token = login["access_token"].as_str().unwrap();
    let (s, v) = app
        .post(
            &format!("/user/_details?access_token={token}"),
            json!({"RequestInfo": app_ri("POST", token, None)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    user_request_casts(&v);
    assert_eq!(v["id"], json!(my_id));
    assert!(v["actions"].is_array(), "{v}");
}

// ---- bills and receipts ----

fn months_back(n: u32) -> NaiveDate {
    let mut d = mgramseva::time::month_start(
        Utc::now()
            .with_timezone(&chrono_tz::Asia::Kolkata)
            .date_naive(),
    );
    for _ in 0..n {
        d = mgramseva::time::prev_month(d);
    }
    d
}

/// A GP with its staff: a GP admin who registers households and collects, the superuser who
/// makes demands.
struct Gp {
    app: TestApp,
    /// The collector's token and its `UserRequest` (what the app puts in `userInfo`).
    staff: String,
    user_info: Value,
    su: String,
}

impl Gp {
    async fn new() -> Self {
        let app = TestApp::new();
        app.employee(
            "9830100001",
            &["GP_ADMIN", "COLLECTION_OPERATOR", "EMPLOYEE"],
            Some(PW),
        );
        let (s, login) = app_login(&app, "9830100001", PW).await;
        assert_eq!(s, 200, "{login}");
        let su = app.login("9830100002", &["SUPERUSER@pb"]);
        Self {
            staff: login["access_token"].as_str().unwrap().to_owned(),
            user_info: login["UserRequest"].clone(),
            app,
            su,
        }
    }

    /// A household on its own property: (connection number, holder's account).
    async fn household(&self, mobile: &str, name: &str, old: &str) -> (String, String) {
        let (s, v) = self
            .app
            .post(
                "/property-services/property/_create",
                json!({"RequestInfo": ri(&self.staff), "Property": {"tenantId": GP, "propertyType": "RESIDENTIAL",
                    "address": {"doorNo": "12", "street": "Gurdwara Road", "locality": {"code": "WARD1"}},
                    "owners": [{"name": name, "mobileNumber": mobile, "gender": "FEMALE", "fatherOrHusbandName": "Baldev Singh"}]}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let pid = v["Properties"][0]["propertyId"]
            .as_str()
            .unwrap()
            .to_owned();
        let cycle = mgramseva::time::ist_day_start_millis(months_back(1)) + 86_400_000;
        let (s, v) = self
            .app
            .post(
                "/ws-services/wc/_create",
                json!({"RequestInfo": ri(&self.staff), "WaterConnection": {"tenantId": GP, "propertyId": pid,
                    "oldConnectionNo": old, "connectionType": "Non_Metered", "previousReadingDate": cycle,
                    "additionalDetails": {}}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let c = &v["WaterConnection"][0];
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

    /// `billing_service_repo.fetchBill`: the query of `fetch_bill_provider.dart`, the
    /// `userInfo` body and a `_search` RequestInfo carrying it.
    async fn fetch_bill(&self, consumer: &str) -> Value {
        let (s, v) = self
            .app
            .post(
                &format!("/billing-service/bill/v2/_fetchbill?tenantId={GP}&consumerCode={consumer}&businessService=WS"),
                json!({"RequestInfo": app_ri("_search", &self.staff, Some(&self.user_info)), "userInfo": self.user_info}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }

    /// `collect_payment_provider.updatePaymentInformation` through
    /// `consumer_details_repo.collectPayment`: the amount as the text typed.
    async fn pay(&self, bill: &Value, amount: &str, paid_by: Value, mobile: Value) -> Resp {
        self.app
            .post(
                "/collection-services/payments/_create",
                json!({"RequestInfo": app_ri("", &self.staff, None), "Payment": {"tenantId": GP, "paymentMode": "CASH",
                    "paidBy": paid_by, "mobileNumber": mobile, "totalAmountPaid": amount,
                    "paymentDetails": [{"businessService": bill["businessService"],
                        "billId": bill["billDetails"][0]["billId"], "totalAmountPaid": amount}]}}),
            )
            .await
    }

    /// `billing_service_repo.fetchdBillPayments` (receipts) on `path`.
    async fn receipts(&self, path: &str, consumer: &str) -> Value {
        let (s, v) = self
            .app
            .post(
                &format!("{path}?tenantId={GP}&consumerCodes={consumer}&businessService=WS"),
                json!({"RequestInfo": app_ri("_search", &self.staff, Some(&self.user_info)), "userInfo": self.user_info}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }
}

/// `FetchBill` of `fetch_bill.g.dart` with its details (the collect screen).
fn fetch_bill_casts(b: &Value) {
    casts(
        b,
        "FetchBill",
        &[
            ("id", T::S),
            ("mobileNumber", T::S),
            ("payerName", T::S),
            ("status", T::S),
            ("totalAmount", T::N),
            ("businessService", T::S),
            ("billNumber", T::S),
            ("billDate", T::I),
            ("consumerCode", T::S),
            ("billDetails", T::L),
        ],
    );
    for d in each(&b["billDetails"], "FetchBill.billDetails") {
        casts(
            d,
            "BillDetails",
            &[
                ("id", T::S),
                ("tenantId", T::S),
                ("demandId", T::S),
                ("billId", T::S),
                ("expiryDate", T::I),
                ("amount", T::N),
                ("fromPeriod", T::I),
                ("toPeriod", T::I),
                ("billAccountDetails", T::L),
            ],
        );
        for a in each(&d["billAccountDetails"], "BillDetails.billAccountDetails") {
            casts(
                a,
                "BillAccountDetails",
                &[
                    ("id", T::S),
                    ("tenantId", T::S),
                    ("billDetailId", T::S),
                    ("demandDetailId", T::S),
                    ("order", T::I),
                    ("amount", T::N),
                    ("adjustedAmount", T::N),
                    ("advanceAdjustedAmount", T::N),
                    ("taxHeadCode", T::S),
                ],
            );
            // read without `?`: must be there
            assert!(
                a["amount"].is_number() && a["taxHeadCode"].is_string(),
                "{a}"
            );
        }
    }
}

/// `Bill` of `billing.g.dart` (bill search, and a receipt's bill).
fn bill_casts(b: &Value) {
    casts(
        b,
        "Bill",
        &[
            ("id", T::S),
            ("mobileNumber", T::S),
            ("payerName", T::S),
            ("payerAddress", T::S),
            ("payerEmail", T::S),
            ("status", T::S),
            ("totalAmount", T::N),
            ("penalty", T::N),
            ("netAmountDueWithPenalty", T::N),
            ("businessService", T::S),
            ("billNumber", T::S),
            ("billDate", T::N),
            ("consumerCode", T::S),
            ("billDetails", T::L),
            ("tenantId", T::S),
            ("fileStoreId", T::S),
            ("auditDetails", T::M),
            ("meterReadings", T::L),
            ("waterconnection", T::M),
        ],
    );
    casts(
        &b["auditDetails"],
        "Bill.auditDetails",
        &[
            ("createdBy", T::S),
            ("lastModifiedBy", T::S),
            ("createdTime", T::N),
            ("lastModifiedTime", T::N),
        ],
    );
    for d in each(&b["billDetails"], "Bill.billDetails") {
        casts(
            d,
            "BillDetails",
            &[
                ("id", T::S),
                ("tenantId", T::S),
                ("demandId", T::S),
                ("billId", T::S),
                ("expiryDate", T::N),
                ("amount", T::N),
                ("fromPeriod", T::N),
                ("toPeriod", T::N),
                ("billAccountDetails", T::L),
            ],
        );
        for a in each(&d["billAccountDetails"], "BillDetails.billAccountDetails") {
            casts(
                a,
                "BillAccountDetails",
                &[
                    ("id", T::S),
                    ("tenantId", T::S),
                    ("billDetailId", T::S),
                    ("demandDetailId", T::S),
                    ("order", T::N),
                    ("amount", T::N),
                    ("adjustedAmount", T::N),
                    ("taxHeadCode", T::S),
                ],
            );
        }
    }
}

/// `Payments` of `bill_payments.g.dart`, with their details and bills.
fn payment_casts(p: &Value) {
    casts(
        p,
        "Payments",
        &[
            ("id", T::S),
            ("tenantId", T::S),
            ("totalDue", T::N),
            ("totalAmountPaid", T::N),
            ("transactionNumber", T::S),
            ("transactionDate", T::I),
            ("paymentMode", T::S),
            ("instrumentDate", T::I),
            ("instrumentNumber", T::S),
            ("instrumentStatus", T::S),
            ("ifscCode", T::S),
            ("auditDetails", T::M),
            ("paymentDetails", T::L),
            ("paidBy", T::S),
            ("mobileNumber", T::S),
            ("payerName", T::S),
            ("payerAddress", T::S),
            ("payerEmail", T::S),
            ("payerId", T::S),
            ("paymentStatus", T::S),
            ("fileStoreId", T::S),
        ],
    );
    let audit = [
        ("id", T::S),
        ("createdTime", T::I),
        ("lastModifiedBy", T::S),
        ("lastModifiedTime", T::I),
    ];
    casts(&p["auditDetails"], "Payments.auditDetails", &audit);
    for d in each(&p["paymentDetails"], "Payments.paymentDetails") {
        casts(
            d,
            "PaymentDetails",
            &[
                ("paymentId", T::S),
                ("id", T::S),
                ("tenantId", T::S),
                ("totalDue", T::N),
                ("totalAmountPaid", T::N),
                ("receiptNumber", T::S),
                ("manualReceiptNumber", T::S),
                ("manualReceiptDate", T::I),
                ("receiptDate", T::I),
                ("receiptType", T::S),
                ("businessService", T::S),
                ("billId", T::S),
                ("bill", T::M),
                ("auditDetails", T::M),
            ],
        );
        casts(&d["auditDetails"], "PaymentDetails.auditDetails", &audit);
        bill_casts(&d["bill"]);
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
    let gp = Gp::new().await;
    let (no, holder) = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    gp.demand(&no, &holder, months_back(1), &[("10101", 120)])
        .await;

    // The bill of ₹120 names the holder and her mobile number, fetched as the app fetches.
    let v = gp.fetch_bill(&no).await;
    let bills = each(&v["Bill"], "BillList.Bill");
    assert_eq!(bills.len(), 1);
    let bill = bills[0].clone();
    fetch_bill_casts(&bill);
    bill_casts(&bill);
    assert_eq!(bill["totalAmount"], json!(120));
    assert_eq!(bill["payerName"], "Gurpreet Kaur");
    assert_eq!(bill["mobileNumber"], "9876543210");
    // again: from the bill cache, the same
    assert_eq!(gp.fetch_bill(&no).await["Bill"][0], bill);
    // and `bill/v2/_search` (`fetchBillwithoutLogin`'s query, here with a token)
    let (s, v) = gp
        .app
        .post(
            &format!(
                "/billing-service/bill/v2/_search?tenantId={GP}&consumerCode={no}&service=WS&billNumber={}",
                bill["billNumber"].as_str().unwrap()
            ),
            json!({"RequestInfo": app_ri("_search", &gp.staff, None)}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    bill_casts(&v["Bill"][0]);
    assert_eq!(
        (
            v["Bill"][0]["payerName"].as_str(),
            v["Bill"][0]["mobileNumber"].as_str()
        ),
        (Some("Gurpreet Kaur"), Some("9876543210"))
    );

    // A payment of ₹50 that names nobody (a bill without a payer, as before) takes the bill's.
    let (s, v) = gp.pay(&bill, "50", Value::Null, Value::Null).await;
    assert_eq!(s, 200, "{v}");
    let p = &v["Payments"][0];
    payment_casts(p);
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
    let bill = gp.fetch_bill(&no).await["Bill"][0].clone();
    assert_eq!(bill["totalAmount"], json!(70));
    assert_eq!(bill["payerName"], "Gurpreet Kaur");
    let (s, v) = gp
        .pay(
            &bill,
            "70",
            bill["payerName"].clone(),
            bill["mobileNumber"].clone(),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    payment_casts(&v["Payments"][0]);
    assert!(gp.fetch_bill(&no).await["Bill"][0].is_null(), "paid");

    // The receipts, as `bill_payments_provider.dart` and `consumer_details_provider.dart` ask:
    // `payments.paidBy!` and the bill's payer are there.
    for path in [
        "/collection-services/payments/WS/_search",
        "/collection-services/payments/_search",
    ] {
        let v = gp.receipts(path, &no).await;
        let ps = each(&v["Payments"], "BillPayments.Payments");
        assert_eq!(ps.len(), 2, "{path}");
        let mut paid: Vec<(i64, &str, &str, &str)> = ps
            .iter()
            .map(|p| {
                payment_casts(p);
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
        &gp.app,
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
    let gp = Gp::new().await;
    let (first, holder) = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    // The second household re-uses the citizen account of the number (named Gurpreet Kaur).
    let (second, same) = gp.household("9876543210", "Harjit Kaur", "OLD/2").await;
    assert_eq!(same, holder);
    gp.demand(&first, &holder, months_back(1), &[("10101", 120)])
        .await;
    gp.demand(&second, &holder, months_back(1), &[("10101", 80)])
        .await;
    let b1 = gp.fetch_bill(&first).await["Bill"][0].clone();
    let b2 = gp.fetch_bill(&second).await["Bill"][0].clone();
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
    let body = json!({"RequestInfo": app_ri("", &gp.staff, None), "Payment": {"tenantId": GP, "paymentMode": "CASH",
        "totalAmountPaid": "80", "paymentDetails": [{"businessService": "WS", "billId": b2["id"]}]}});
    let send = || {
        gp.app.send(
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
    payment_casts(&replay["Payments"][0]);
    for r in rows_of(
        &gp.app,
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
    let gp = Gp::new().await;
    let (no, holder) = gp.household("9876543210", "Gurpreet Kaur", "OLD/1").await;
    gp.demand(&no, &holder, months_back(2), &[("10101", 100)])
        .await;
    gp.demand(
        &no,
        &holder,
        months_back(1),
        &[("10101", 120), ("WS_TIME_PENALTY", 10)],
    )
    .await;
    // `billing_service_repo.fetchAggregateDemand`: the query of `household_details_provider`.
    let (s, v) = gp
        .app
        .post(
            &format!("/billing-service/demand/_getAggregateDemandDetails?tenantId={GP}&consumerCode={no}&businessService=WS"),
            json!({"RequestInfo": app_ri("_search", &gp.staff, Some(&gp.user_info))}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let mut nums: Vec<(&str, T)> = [
        "advanceAvailable",
        "advanceAdjusted",
        "remainingAdvance",
        "currentmonthBill",
        "currentMonthPenalty",
        "currentmonthTotalDue",
        "currentmonthRoundOff",
        "totalAreas",
        "totalAreasWithPenalty",
        "netdue",
        "netDueWithPenalty",
        "totalApplicablePenalty",
        "latestDemandCreatedTime",
        "latestDemandPenaltyCreatedtime",
    ]
    .into_iter()
    .map(|k| (k, T::N))
    .collect();
    nums.push(("mapOfDemandDetailList", T::L));
    casts(&v, "AggragateDemandDetails", &nums);
    let mut lines: Vec<(String, i64, i64)> = Vec::new();
    for month in each(&v["mapOfDemandDetailList"], "mapOfDemandDetailList") {
        let m = month.as_object().expect("a map of period to details");
        assert_eq!(m.len(), 1, "{month}");
        for (period, details) in m {
            assert!(period.parse::<i64>().is_ok(), "{period}");
            for d in each(details, "List<DemandDetails>") {
                casts(
                    d,
                    "DemandDetails",
                    &[
                        ("id", T::S),
                        ("demandId", T::S),
                        ("taxHeadMasterCode", T::S),
                        ("taxAmount", T::N),
                        ("collectionAmount", T::N),
                        ("additionalDetails", T::M),
                        ("auditDetails", T::M),
                        ("tenantId", T::S),
                    ],
                );
                casts(
                    &d["auditDetails"],
                    "DemandDetails.auditDetails",
                    &[
                        ("createdBy", T::S),
                        ("lastModifiedBy", T::S),
                        ("createdTime", T::I),
                        ("lastModifiedTime", T::I),
                    ],
                );
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
        app_login(&app, "9814200004", PW).await.0,
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
    assert_eq!(app_login(&app, "9814200004", PW).await.0, 400, "inactive");
}
