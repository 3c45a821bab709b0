//! HRMS: who may create whom, deactivation and reactivation, search.

use serde_json::{Value, json};

use crate::helpers::*;

fn employee(mobile: &str, name: &str, roles: &[(&str, &str)]) -> Value {
    json!({"tenantId": "pb", "employeeType": "PERMANENT", "dateOfAppointment": 1_700_000_000_000i64,
           "assignments": [{"designation": "DESIG_61", "department": "DWSS"}],
           "user": {"name": name, "mobileNumber": mobile, "gender": "FEMALE",
                    "roles": roles.iter().map(|(c, t)| json!({"code": c, "tenantId": t})).collect::<Vec<_>>()}})
}

async fn create(app: &TestApp, token: &str, emps: Vec<Value>) -> Resp {
    app.post(
        "/egov-hrms/employees/_create",
        json!({"RequestInfo": ri(token), "Employees": emps}),
    )
    .await
}

fn sms_password(app: &TestApp, mobile: &str) -> String {
    let mut c = app.db.conn();
    let m = mgramseva::platform::notification::messages_to(&mut c, &app.state.crypto, mobile, 1)
        .unwrap();
    let text = &m.first().expect("an onboarding SMS").text;
    // in Punjabi, the state's language, as the person has chosen none
    assert!(text.contains(&format!("ਯੂਜ਼ਰਨੇਮ: {mobile}")), "{text}");
    text.split("ਪਾਸਵਰਡ: ")
        .nth(1)
        .unwrap()
        .split(['।', ' '])
        .next()
        .unwrap()
        .to_owned()
}

async fn oauth(app: &TestApp, user: &str, pw: &str) -> Resp {
    app.post_form(
        "/user/oauth/token",
        &[
            ("username", user),
            ("password", pw),
            ("grant_type", "password"),
            ("tenantId", "pb"),
            ("userType", "EMPLOYEE"),
        ],
        Some("ZWdvdi11c2VyLWNsaWVudDo="),
    )
    .await
}

#[actix_web::test]
async fn the_state_admin_creates_division_users() {
    let app = TestApp::new();
    let state = app.login("9815000001", &["STATE_ADMIN@pb", "HRMS_ADMIN@pb"]);
    let (s, v) = create(
        &app,
        &state,
        vec![employee(
            "9815000002",
            "Manpreet Sandhu",
            &[
                ("DIV_ADMIN", GP),
                ("HRMS_ADMIN", GP),
                ("DIV_ADMIN", OTHER_GP),
            ],
        )],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let e = &v["Employees"][0];
    assert_eq!(e["code"], "EMP-0001");
    assert_eq!(e["isActive"], true);
    assert_eq!(e["user"]["userName"], "9815000002");
    assert_eq!(e["user"]["defaultPwdChgd"], false);
    let mut roles: Vec<String> = e["user"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}@{}",
                r["code"].as_str().unwrap(),
                r["tenantId"].as_str().unwrap()
            )
        })
        .collect();
    roles.sort();
    assert_eq!(
        roles,
        [
            "DIV_ADMIN@pb.kalwan",
            "DIV_ADMIN@pb.lodhipur",
            "EMPLOYEE@pb.kalwan",
            "EMPLOYEE@pb.lodhipur",
            "HRMS_ADMIN@pb.lodhipur"
        ]
    );
    assert_eq!(e["jurisdictions"].as_array().map(Vec::len), Some(2));
    // The onboarding SMS carries a password that works.
    let pw = sms_password(&app, "9815000002");
    let (s, v) = oauth(&app, "9815000002", &pw).await;
    assert_eq!(s, 200, "{v}");
    // The state admin grants no GP staff roles.
    let (s, v) = create(
        &app,
        &state,
        vec![employee("9815000003", "Asha Rani", &[("SARPANCH", GP)])],
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(code(&v), "ROLE_NOT_ALLOWED");
    assert_eq!(error_fields(&v), ["Employees[0].user.roles[0]"]);
}

#[actix_web::test]
async fn a_division_admin_creates_only_sarpanch_secretary_and_collector_on_its_gps() {
    let app = TestApp::new();
    let div = app.login("9815000010", &["DIV_ADMIN", "HRMS_ADMIN", "EMPLOYEE"]);
    let (s, v) = create(
        &app,
        &div,
        vec![
            employee("9815000011", "Gurpreet Kaur", &[("SARPANCH", GP)]),
            employee("9815000012", "Harjit Singh", &[("REVENUE_COLLECTOR", GP)]),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Employees"].as_array().map(Vec::len), Some(2));

    let users_before = count_users(&app);
    let (s, v) = create(
        &app,
        &div,
        vec![
            employee("9815000013", "Kamal Kaur", &[("SECRETARY", GP)]),
            employee(
                "9815000014",
                "Jaspal Singh",
                &[("SARPANCH", OTHER_GP), ("GP_ADMIN", GP)],
            ),
        ],
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(
        error_fields(&v),
        ["Employees[1].user.roles[0]", "Employees[1].user.roles[1]"]
    );
    assert_eq!(count_users(&app), users_before, "nothing half-written");

    let (s, v) = create(
        &app,
        &div,
        vec![employee("9815000011", "Someone Else", &[("SECRETARY", GP)])],
    )
    .await;
    assert_eq!((s.as_u16(), code(&v)), (400, "DUPLICATE_USER"));
    assert_eq!(error_fields(&v), ["Employees[0].user.userName"]);
    let (s, v) = create(
        &app,
        &div,
        vec![employee("12345", "R2D2", &[("SECRETARY", GP)])],
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(
        error_fields(&v),
        ["Employees[0].user.name", "Employees[0].user.mobileNumber"]
    );

    let collector = app.login("9815000015", &["COLLECTION_OPERATOR"]);
    let (s, _) = create(
        &app,
        &collector,
        vec![employee("9815000016", "Nope", &[("SECRETARY", GP)])],
    )
    .await;
    assert_eq!(s, 403);
}

fn count_users(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    mgramseva::db::schema::user_account::table
        .count()
        .get_result(&mut app.db.conn())
        .unwrap()
}

#[actix_web::test]
async fn deactivate_and_reactivate() {
    let app = TestApp::new();
    let div = app.login("9815000020", &["DIV_ADMIN", "HRMS_ADMIN"]);
    let (_, v) = create(
        &app,
        &div,
        vec![employee("9815000021", "Gurpreet Kaur", &[("SARPANCH", GP)])],
    )
    .await;
    let code_ = v["Employees"][0]["code"].as_str().unwrap().to_owned();
    let pw = sms_password(&app, "9815000021");
    let (_, t) = oauth(&app, "9815000021", &pw).await;
    let token = t["access_token"].as_str().unwrap().to_owned();
    let upd = |e: Value| {
        app.post(
            "/egov-hrms/employees/_update",
            json!({"RequestInfo": ri(&div), "Employees": [e]}),
        )
    };

    let (s, v) = upd(json!({"code": code_, "isActive": false, "deactivationDetails": [{"reasonForDeactivation": "TIRED"}]})).await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_REASON"));
    assert_eq!(
        error_fields(&v),
        ["Employees[0].deactivationDetails[0].reasonForDeactivation"]
    );

    let (s, v) = upd(json!({"code": code_, "isActive": false, "deactivationDetails": [{"reasonForDeactivation": "OTHERS", "remarks": "left the GP"}]})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Employees"][0]["isActive"], false);
    assert_eq!(v["Employees"][0]["employeeStatus"], "INACTIVE");
    assert_eq!(
        v["Employees"][0]["deactivationDetails"][0]["reasonForDeactivation"],
        "OTHERS"
    );
    assert_eq!(
        app.post("/user/_details", json!({"RequestInfo": ri(&token)}))
            .await
            .0,
        401,
        "sessions end"
    );
    assert_eq!(
        oauth(&app, "9815000021", &pw).await.1["error_description"],
        "Please activate your account"
    );

    let (s, v) = upd(json!({"code": code_, "reActivateEmployee": true, "reactivationDetails": [{"reasonForReactivation": "ORDERBYCOMMISSIONER"}]})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["Employees"][0]["isActive"], true);
    assert_eq!(
        v["Employees"][0]["reactivationDetails"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(oauth(&app, "9815000021", &pw).await.0, 200);

    // Roles change within what the division admin may grant; the history keeps every step.
    let (s, v) = upd(json!({"code": code_, "user": {"name": "Gurpreet K Sandhu", "roles": [{"code": "SECRETARY", "tenantId": GP}]}})).await;
    assert_eq!(s, 200, "{v}");
    let roles: Vec<&str> = v["Employees"][0]["user"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert_eq!(roles, ["EMPLOYEE", "SECRETARY"]);
    let uid = v["Employees"][0]["user"]["id"].as_i64().unwrap();
    let actions: Vec<String> = mgramseva::platform::user::service::history(&mut app.db.conn(), uid)
        .unwrap()
        .into_iter()
        .map(|h| h.action)
        .collect();
    assert_eq!(
        actions,
        [
            "CREATED",
            "DEACTIVATED",
            "REACTIVATED",
            "PROFILE_UPDATED",
            "ROLES_CHANGED"
        ]
    );

    // Another division's admin cannot touch this employee.
    let other = app.login("9815000022", &["DIV_ADMIN@pb.kalwan"]);
    let (s, _) = app
        .post(
            "/egov-hrms/employees/_update",
            json!({"RequestInfo": ri(&other), "Employees": [{"code": code_, "isActive": false,
            "deactivationDetails": [{"reasonForDeactivation": "OTHERS"}]}]}),
        )
        .await;
    assert_eq!(s, 403);
}

#[actix_web::test]
async fn search_and_count() {
    let app = TestApp::new();
    let div = app.login("9815000030", &["DIV_ADMIN", "HRMS_ADMIN"]);
    let state = app.login("9815000031", &["STATE_ADMIN@pb", "HRMS_ADMIN@pb"]);
    create(
        &app,
        &div,
        vec![
            employee("9815000032", "Gurpreet Kaur", &[("SARPANCH", GP)]),
            employee("9815000033", "Harjit Singh", &[("REVENUE_COLLECTOR", GP)]),
        ],
    )
    .await;
    create(
        &app,
        &state,
        vec![employee(
            "9815000034",
            "Manpreet Sandhu",
            &[("DIV_ADMIN", OTHER_GP)],
        )],
    )
    .await;
    let a = &app;
    let search = |t: &str, q: &str| {
        let (path, body) = (
            format!("/egov-hrms/employees/_search?{q}"),
            json!({"RequestInfo": ri(t)}),
        );
        async move { a.post(&path, body).await }
    };
    let (s, v) = search(&div, "tenantId=pb.lodhipur").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["totalCount"], 2);
    let (_, v) = search(&div, "tenantId=pb.lodhipur&names=harjit").await;
    assert_eq!(v["Employees"][0]["user"]["mobileNumber"], "9815000033");
    let (_, v) = search(&div, "tenantId=pb.lodhipur&phone=9815000032&roles=SARPANCH").await;
    assert_eq!(v["totalCount"], 1);
    let (_, v) = search(&div, "tenantId=pb.kalwan").await;
    assert_eq!(v["totalCount"], 0, "not the division admin's GP");
    let (_, v) = search(&state, "tenantId=pb&limit=2&offset=2").await;
    assert_eq!(
        (
            v["totalCount"].as_u64(),
            v["Employees"].as_array().map(Vec::len)
        ),
        (Some(3), Some(1))
    );
    let (s, v) = search(&state, "tenantId=pb&limit=500").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "INVALID_LIMIT"));
    let (s, v) = search(&state, "limit=5").await;
    assert_eq!(
        (s.as_u16(), error_fields(&v)),
        (400, vec!["tenantId".to_owned()])
    );
    let (_, v) = app
        .post(
            "/egov-hrms/employees/_count?tenantId=pb",
            json!({"RequestInfo": ri(&state)}),
        )
        .await;
    assert_eq!(
        v["EmployeCount"],
        json!({"totalEmployee": 3, "activeEmployee": 3, "inactiveEmployee": 0})
    );
    let collector = app.login("9815000035", &["COLLECTION_OPERATOR"]);
    let (s, v) = search(&collector, "tenantId=pb.lodhipur").await;
    assert_eq!(
        (s.as_u16(), v["totalCount"].as_u64()),
        (200, Some(0)),
        "GP staff see no one else"
    );
}

/// The demo's staff are employees: the division admin finds the Sarpanch and the collector in its
/// employee list, once each however often the demo is set up.
#[actix_web::test]
async fn the_demo_staff_are_in_the_employee_list() {
    use crate::pages::{get, log_in, session_of};
    let app = TestApp::new();
    let mut c = app.db.conn();
    mgramseva::demo::setup(&mut c, &app.state.settings).unwrap();
    let logins = mgramseva::demo::setup(&mut c, &app.state.settings).unwrap();
    let div = logins.iter().find(|l| l.mobile == "9000000003").unwrap();
    let sid = session_of(&log_in(&app, div.mobile, &div.password).await);
    // the division admin holds the division's 84 GPs; the list is of the GP chosen
    let chosen = crate::pages::post(
        &app,
        "/home/gp",
        &format!("_csrf={}&tenant=pb.lodhipur", crate::pages::CSRF),
        Some(&sid),
    )
    .await;
    assert_eq!(chosen.location, "/home");
    let list = get(&app, "/home/hrms", Some(&sid)).await;
    assert_eq!(
        list.body.matches("Gurpreet Kaur").count(),
        1,
        "{}",
        list.body
    );
    assert_eq!(
        list.body.matches("Harjit Singh").count(),
        1,
        "{}",
        list.body
    );
    assert!(list.body.contains("Showing 3 of 3"), "{}", list.body);
}
