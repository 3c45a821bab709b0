//! GPWSC details (issue 17, item 6; product.md §2.9): the iFIX department-entity and project
//! searches the app's village details screen calls, answered from the Punjab tenant master, and
//! the village page showing the same hierarchy beside the rate card.
//!
//! The demo GP Lodhipur (`pb.lodhipur`, village code 7374) sits in zone Z03 South, circle C109
//! Chandigarh, division DIV1038 Sri Anandpur Sahib, sub-division DIV1038SD10131 Sri Anandpur
//! Sahib, section S560 Agampur (with Chandpur, Mindwan Lower and Shahpur), district D08
//! Roopnagar; Kalwan (`pb.kalwan`, 7204) in the same division, sub-division DIV1038SD10129
//! Nurpur Bedi, section S568 Nalhoti.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::test;
use serde_json::{Value, json};

use crate::app_client::AppClient;
use crate::app_models::{assert_parses, list_parses_as};
use crate::expense_pages::staff_session;
use crate::helpers::*;
use crate::pages::{call_in, get};
use mgramseva::municipal::gpwsc::service::{entity_id, project_id};

const DEPARTMENTS: &str = "/ifix-department-entity/departmentEntity/v1/_search";
const PROJECTS: &str = "/adapter-master-data/project/v1/_search";

/// The RequestInfo the app builds (`RequestInfo(API_MODULE_NAME, API_VERSION, API_TS, '_get',
/// API_DID, API_KEY, API_MESSAGE_ID, accessToken, userRequest)`).
fn app_ri(token: &str) -> Value {
    json!({"apiId": "mgramseva", "ver": ".01", "ts": "", "action": "_get", "did": "1", "key": "",
           "msgId": "20170310130900|en_IN", "authToken": token,
           "userInfo": {"id": 1, "userName": "9816000171", "type": "EMPLOYEE", "tenantId": "pb"}})
}

/// `IfixHierarchyRepo.fetchDepartments(code, getAncestry)` as the app sends it: the GP's
/// `city.code`, the state (`selectedtenant.code.substring(0, 2)`).
async fn departments(app: &TestApp, token: &str, code: &str, ancestry: bool) -> Resp {
    app.post(
        DEPARTMENTS,
        json!({"RequestInfo": app_ri(token),
               "criteria": {"code": code, "tenantId": "pb", "getAncestry": ancestry},
               "requestHeader": {"msgId": "Unknown", "signature": "NON"}}),
    )
    .await
}

/// `IfixHierarchyRepo.fetchProject(departmentEntityId)`: the user's own tenant (`pb`).
async fn project(app: &TestApp, token: &str, entity: &str) -> Resp {
    app.post(
        PROJECTS,
        json!({"RequestInfo": app_ri(token),
               "criteria": {"departmentEntityId": entity, "tenantId": "pb"},
               "requestHeader": {"msgId": "Unknown", "signature": "NON"}}),
    )
    .await
}

/// A `String?` of the app's generated `fromJson` (`json['k'] as String?`): a string or null.
fn string_or_null(v: &Value, k: &str) -> Option<String> {
    match &v[k] {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => panic!("{k} is read `as String?` by the app, got {other}"),
    }
}

/// `Department.fromJson` then `IfixHierarchyProvider.parseDepartments`: each entity by its
/// `hierarchyLevel`, as (code, name, id), walking `children` (a list of departments).
fn app_hierarchy(dept: &Value) -> BTreeMap<i64, (String, String, String)> {
    fn walk(d: &Value, out: &mut BTreeMap<i64, (String, String, String)>) {
        for k in ["id", "tenantId", "code", "name", "departmentId"] {
            string_or_null(d, k);
        }
        let level = match &d["hierarchyLevel"] {
            Value::Number(n) if n.is_i64() => n.as_i64().unwrap(),
            other => panic!("hierarchyLevel is read `as int?`, got {other}"),
        };
        out.insert(
            level,
            (
                string_or_null(d, "code").unwrap_or_default(),
                string_or_null(d, "name").unwrap_or_default(),
                string_or_null(d, "id").unwrap_or_default(),
            ),
        );
        match &d["children"] {
            Value::Null => {}
            Value::Array(kids) => kids.iter().for_each(|k| {
                assert!(k.is_object(), "children are departments: {k}");
                walk(k, out);
            }),
            other => panic!("children is read as a list of departments, got {other}"),
        }
    }
    let mut out = BTreeMap::new();
    walk(dept, &mut out);
    out
}

/// `Project.fromJson`: every field as the generated code casts it.
fn app_project(p: &Value) -> (String, Vec<(String, bool)>) {
    for k in [
        "id",
        "tenantId",
        "code",
        "name",
        "expenditureId",
        "locationIds",
    ] {
        string_or_null(p, k);
    }
    let links = p["departmentEntityIds"]
        .as_array()
        .expect("departmentEntityIds is a list")
        .iter()
        .map(|l| {
            (
                string_or_null(l, "departmentEntityId").unwrap_or_default(),
                l["status"].as_bool().expect("status is read `as bool?`"),
            )
        })
        .collect();
    (string_or_null(p, "code").unwrap_or_default(), links)
}

fn level(h: &BTreeMap<i64, (String, String, String)>, l: i64) -> (&str, &str) {
    let (c, n, _) = &h[&l];
    (c.as_str(), n.as_str())
}

#[actix_web::test]
async fn the_app_reads_lodhipurs_hierarchy_and_project_as_it_asks() {
    let app = TestApp::new();
    let token = app.login("9816000171", &["SECRETARY", "COLLECTION_OPERATOR"]);

    let (s, v) = departments(&app, &token, "7374", true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["responseHeader"]["status"], "successful");
    assert_eq!(v["responseHeader"]["msgId"], "Unknown");
    let list = v["departmentEntity"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{v}");
    assert_parses("Department", &list[0]);
    let h = app_hierarchy(&list[0]);
    assert_eq!(
        h.keys().copied().collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4, 5, 6]
    );
    assert_eq!(level(&h, 0), ("1013", "Punjab"));
    assert_eq!(level(&h, 1), ("Z03", "South"));
    assert_eq!(level(&h, 2), ("C109", "Chandigarh"));
    assert_eq!(level(&h, 3), ("DIV1038", "Sri Anandpur Sahib"));
    assert_eq!(level(&h, 4), ("DIV1038SD10131", "Sri Anandpur Sahib"));
    assert_eq!(level(&h, 5), ("S560", "Agampur"));
    assert_eq!(level(&h, 6), ("7374", "LODHIPUR"));
    // every entity is the state's, of one department, with a stable id
    assert_eq!(list[0]["tenantId"], "pb");
    let dept = list[0]["departmentId"].as_str().unwrap();
    assert_eq!(list[0]["children"][0]["departmentId"], dept);
    let village_id = h[&6].2.clone();
    assert_eq!(village_id, entity_id("pb", 6, "7374"));
    assert!(uuid::Uuid::parse_str(&village_id).is_ok(), "{village_id}");
    let (_, again) = departments(&app, &token, "7374", true).await;
    assert_eq!(again["departmentEntity"], v["departmentEntity"]);

    // the provider passes `hierarchy["6"]["id"]` to the project search and shows its code
    let (s, p) = project(&app, &token, &village_id).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let list = p["project"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{p}");
    assert_parses("Project", &list[0]);
    let (code, links) = app_project(&list[0]);
    assert_eq!(code, "7374");
    assert_eq!(links, vec![(village_id.clone(), true)]);
    assert_eq!(list[0]["name"], "LODHIPUR");
    assert_eq!(list[0]["id"], project_id("pb", "7374").as_str());
    assert_eq!(p["responseHeader"]["status"], "successful");

    // the same project by its code and by its id; the same village by its id
    for criteria in [
        json!({"code": "7374", "tenantId": "pb"}),
        json!({"ids": [project_id("pb", "7374")], "tenantId": GP}),
    ] {
        let (s, q) = app
            .post(
                PROJECTS,
                json!({"RequestInfo": app_ri(&token), "criteria": criteria}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{q}");
        assert_eq!(q["project"], p["project"]);
    }
    let (s, by_id) = app
        .post(
            DEPARTMENTS,
            json!({"RequestInfo": app_ri(&token),
                   "criteria": {"ids": [village_id], "tenantId": "pb", "getAncestry": true}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{by_id}");
    assert_eq!(by_id["departmentEntity"], v["departmentEntity"]);

    // without ancestry: the entity alone, its children as ids (the section's four villages)
    let (s, sec) = departments(&app, &token, "S560", false).await;
    assert_eq!(s, StatusCode::OK, "{sec}");
    let e = &sec["departmentEntity"][0];
    assert_eq!(
        (&e["code"], &e["name"], &e["hierarchyLevel"]),
        (&json!("S560"), &json!("Agampur"), &json!(5))
    );
    let kids: Vec<&str> = e["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let want: Vec<String> = ["7311", "7374", "7393", "15531"]
        .iter()
        .map(|c| entity_id("pb", 6, c))
        .collect();
    assert_eq!(kids.len(), 4, "{e}");
    for w in &want {
        assert!(kids.contains(&w.as_str()), "{w} in {kids:?}");
    }
    assert_eq!(e["id"], h[&5].2.as_str());

    // the GP's own ancestors may be read on their own: its zone, with ancestry
    let (s, zone) = departments(&app, &token, "Z03", true).await;
    assert_eq!(s, StatusCode::OK, "{zone}");
    let zh = app_hierarchy(&zone["departmentEntity"][0]);
    assert_eq!(zh.len(), 2);
    assert_eq!(level(&zh, 1), ("Z03", "South"));
}

#[actix_web::test]
async fn another_gp_is_refused_division_and_state_admins_read_theirs() {
    let app = TestApp::new();
    let lodhipur = app.login("9816000172", &["SECRETARY"]);
    let kalwan_id = entity_id("pb", 6, "7204");

    // Lodhipur's secretary: not Kalwan's village, project, section or tenant
    let (s, v) = departments(&app, &lodhipur, "7204", true).await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::FORBIDDEN, "CustomException"),
        "{v}"
    );
    let (s, v) = project(&app, &lodhipur, &kalwan_id).await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::FORBIDDEN, "CustomException"),
        "{v}"
    );
    let (s, v) = departments(&app, &lodhipur, "S568", true).await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::FORBIDDEN, "CustomException"),
        "{v}"
    );
    let (s, v) = app
        .post(
            DEPARTMENTS,
            json!({"RequestInfo": app_ri(&lodhipur),
                   "criteria": {"code": "7374", "tenantId": OTHER_GP, "getAncestry": true}}),
        )
        .await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::FORBIDDEN, "CustomException"),
        "{v}"
    );
    // its own village named under its own GP's tenant id is fine; under another's it is not
    let (s, v) = app
        .post(
            DEPARTMENTS,
            json!({"RequestInfo": app_ri(&lodhipur),
                   "criteria": {"code": "7374", "tenantId": GP, "getAncestry": true}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .post(
            DEPARTMENTS,
            json!({"RequestInfo": app_ri(&lodhipur),
                   "criteria": {"code": "S560", "tenantId": GP}}),
        )
        .await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::BAD_REQUEST, "INVALID_TENANT_ID"),
        "{v}"
    );

    // without a token: 401 before anything is read
    let (s, _) = app
        .post(
            DEPARTMENTS,
            json!({"RequestInfo": {}, "criteria": {"code": "7374", "tenantId": "pb", "getAncestry": true}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // the division admin holds the division's GPs: both villages and the division itself
    let div = app.login(
        "9816000173",
        &["DIV_ADMIN@pb.lodhipur", "DIV_ADMIN@pb.kalwan"],
    );
    let (s, v) = departments(&app, &div, "7204", true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let h = app_hierarchy(&v["departmentEntity"][0]);
    assert_eq!(level(&h, 3), ("DIV1038", "Sri Anandpur Sahib"));
    assert_eq!(level(&h, 4), ("DIV1038SD10129", "Nurpur Bedi"));
    assert_eq!(level(&h, 5), ("S568", "Nalhoti"));
    assert_eq!(level(&h, 6), ("7204", "KALWAN"));
    let (s, v) = project(&app, &div, &kalwan_id).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["project"][0]["code"], "7204");
    let (s, v) = departments(&app, &div, "DIV1038", true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(app_hierarchy(&v["departmentEntity"][0]).len(), 4);
    // but not a unit above none of its GPs (the Bathinda circle)
    let (s, v) = departments(&app, &div, "C101", true).await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::FORBIDDEN, "CustomException"),
        "{v}"
    );

    // the state admin reads any GP
    let state = app.login("9816000174", &["STATE_ADMIN@pb"]);
    let (s, v) = departments(&app, &state, "7204", true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        level(&app_hierarchy(&v["departmentEntity"][0]), 6),
        ("7204", "KALWAN")
    );
    let (s, v) = departments(&app, &state, "C101", false).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["departmentEntity"][0]["name"], "Bathinda");
    // the test GP has no unit in the master: its village sits right under the state, no level
    // invented
    let (s, v) = departments(&app, &state, "100001", true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let h = app_hierarchy(&v["departmentEntity"][0]);
    assert_eq!(h.keys().copied().collect::<Vec<_>>(), vec![0, 6]);
    assert_eq!(level(&h, 6), ("100001", "TESTING"));
}

#[actix_web::test]
async fn unknown_codes_and_bad_bodies_get_named_4xx() {
    let app = TestApp::new();
    let token = app.login("9816000175", &["SECRETARY"]);

    // unknown: a named 404, not an empty list
    let (s, v) = departments(&app, &token, "9999999", true).await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::NOT_FOUND, "DEPARTMENT_ENTITY_NOT_FOUND"),
        "{v}"
    );
    let (s, v) = project(&app, &token, &uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::NOT_FOUND, "DEPARTMENT_ENTITY_NOT_FOUND"),
        "{v}"
    );
    // a section has no project
    let (s, v) = project(&app, &token, &entity_id("pb", 5, "S560")).await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::NOT_FOUND, "PROJECT_NOT_FOUND"),
        "{v}"
    );
    let (s, v) = app
        .post(
            PROJECTS,
            json!({"RequestInfo": app_ri(&token), "criteria": {"code": "S560", "tenantId": "pb"}}),
        )
        .await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::NOT_FOUND, "PROJECT_NOT_FOUND"),
        "{v}"
    );

    // bodies the handlers refuse, each with the field named
    for (path, body, want, field) in [
        (DEPARTMENTS, json!({}), "MISSING_FIELD", "criteria"),
        (
            DEPARTMENTS,
            json!({"criteria": {"tenantId": "pb", "getAncestry": true}}),
            "MISSING_FIELD",
            "criteria.code",
        ),
        (
            DEPARTMENTS,
            json!({"criteria": {"code": "7374", "getAncestry": true}}),
            "MISSING_FIELD",
            "criteria.tenantId",
        ),
        (
            DEPARTMENTS,
            json!({"criteria": {"code": "7374", "tenantId": "xx.nowhere"}}),
            "INVALID_TENANT_ID",
            "criteria.tenantId",
        ),
        (
            DEPARTMENTS,
            json!({"criteria": {"code": "7374' OR 1=1", "tenantId": "pb"}}),
            "INVALID_VALUE",
            "criteria.code",
        ),
        (
            DEPARTMENTS,
            json!({"criteria": {"code": "7374", "tenantId": "pb", "getAncestry": "yes"}}),
            "JsonMappingException",
            "criteria.getAncestry",
        ),
        (
            PROJECTS,
            json!({"criteria": {"tenantId": "pb", "departmentEntityId": ""}}),
            "MISSING_FIELD",
            "criteria.departmentEntityId",
        ),
        (
            PROJECTS,
            json!({"criteria": {"tenantId": "pb", "ids": vec!["x"; 51]}}),
            "INVALID_VALUE",
            "criteria.ids",
        ),
    ] {
        let mut b = body.clone();
        b["RequestInfo"] = app_ri(&token);
        let (s, v) = app.post(path, b).await;
        assert_eq!(
            (s, code(&v)),
            (StatusCode::BAD_REQUEST, want),
            "{path} {body}: {v}"
        );
        assert_eq!(
            error_fields(&v),
            vec![field.to_owned()],
            "{path} {body}: {v}"
        );
    }

    // a form, a NUL byte, an array: 400, never a 500 or an empty answer
    for (ct, payload) in [
        (
            "application/x-www-form-urlencoded",
            "criteria=7374&tenantId=pb".to_owned(),
        ),
        (
            "application/json",
            format!(
                r#"{{"RequestInfo": {{"authToken": "{token}"}}, "criteria": {{"code": "73\u0000", "tenantId": "pb"}}}}"#
            ),
        ),
        ("application/json", "[1, 2]".to_owned()),
    ] {
        for path in [DEPARTMENTS, PROJECTS] {
            let (s, v) = app
                .send(
                    test::TestRequest::post()
                        .uri(path)
                        .insert_header(("content-type", ct))
                        .insert_header(("auth-token", token.clone()))
                        .set_payload(payload.clone()),
                )
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{path} {ct} {payload}: {v}");
            assert!(v["Errors"][0]["code"].is_string(), "{v}");
        }
    }
}

#[actix_web::test]
async fn the_village_page_shows_the_hierarchy_beside_the_rate_card() {
    let app = TestApp::new();
    let sid = staff_session(&app, "9816000176", &["SECRETARY"]).await;
    let page = get(&app, "/home/villagedetails", Some(&sid)).await;
    assert_eq!(page.status, StatusCode::OK);
    let row = |body: &str, id: &str| -> String {
        let start = body
            .find(&format!("<tr id=\"{id}\">"))
            .unwrap_or_else(|| panic!("no row {id}: {body}"));
        let rest = &body[start..];
        let td = rest.find("<td>").unwrap() + 4;
        rest[td..td + rest[td..].find("</td>").unwrap()].to_owned()
    };
    let en = [
        ("gp-village", "Lodhipur"),
        ("gp-village-code", "7374"),
        ("gp-project", "7374"),
        ("gp-section", "Agampur (S560)"),
        ("gp-subdivision", "Sri Anandpur Sahib (DIV1038SD10131)"),
        ("gp-division", "Sri Anandpur Sahib (DIV1038)"),
        ("gp-circle", "Chandigarh (C109)"),
        ("gp-zone", "South (Z03)"),
        ("gp-district", "Roopnagar (D08)"),
        ("gp-block", "Anandpur Sahib (D08B04)"),
    ];
    for (id, want) in en {
        assert_eq!(row(&page.body, id), want, "{id}");
    }
    assert!(page.body.contains("Section Code") && page.body.contains("Project Scheme Code"));
    // beside the rate card, which is unchanged: flat ₹70
    assert!(page.body.contains("id=\"rate-card\"") && page.body.contains("₹70"));

    // in Punjabi and Hindi, the names translated and the codes kept
    let pa = call_in(
        &app,
        test::TestRequest::get().uri("/home/villagedetails"),
        Some(&sid),
        "pa",
    )
    .await;
    assert_eq!(row(&pa.body, "gp-section"), "ਅਗੰਮਪੁਰ (S560)");
    assert_eq!(row(&pa.body, "gp-division"), "ਸ੍ਰੀ ਅਨੰਦਪੁਰ ਸਾਹਿਬ (DIV1038)");
    assert_eq!(row(&pa.body, "gp-district"), "ਰੂਪਨਗਰ (D08)");
    assert_eq!(row(&pa.body, "gp-village"), "ਲੋਧੀਪੁਰ");
    assert!(pa.body.contains("ਸੈਕਸ਼ਨ ਕੋਡ"), "the label in Punjabi");
    let hi = call_in(
        &app,
        test::TestRequest::get().uri("/home/villagedetails"),
        Some(&sid),
        "hi",
    )
    .await;
    assert_eq!(
        row(&hi.body, "gp-subdivision"),
        "श्री आनंदपुर साहिब (DIV1038SD10131)"
    );
    assert_eq!(row(&hi.body, "gp-zone"), "दक्षिण (Z03)");
    assert!(hi.body.contains("सर्किल कोड"), "the label in Hindi");

    // the page and the endpoint agree: the section the app would show
    let token = app.login("9816000177", &["SECRETARY"]);
    let (_, v) = departments(&app, &token, "7374", true).await;
    let h = app_hierarchy(&v["departmentEntity"][0]);
    assert_eq!(
        row(&page.body, "gp-section"),
        format!("{} ({})", h[&5].1, h[&5].0)
    );
}

/// The app's own day: logged in, the GP's `city.code` from the tenant master it read, then
/// `IfixHierarchyProvider.getDepartments` (the hierarchy, then the project of level 6), each
/// request as the app builds it and each answer read by its models.
#[actix_web::test]
async fn the_apps_gpwsc_screen_from_login_to_project_code() {
    let app = TestApp::new();
    let mut c = AppClient::strict(&app, GP);
    c.login_new_employee("9816000178", "Gpwsc@2026", &["SECRETARY", "GP_ADMIN"])
        .await;
    let tenants = c.tenants().await;
    // `commonProvider.userDetails!.selectedtenant!.city!.code!`
    let city = tenants["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == GP)
        .map(|t| t["city"]["code"].as_str().unwrap().to_owned())
        .unwrap();
    assert_eq!(city, "7374");
    let ri = c.ri("_get", Some(c.user.clone()));
    let body = json!({
        "criteria": {"code": city, "tenantId": &GP[..2], "getAncestry": true},
        "requestHeader": {"msgId": "Unknown", "signature": "NON"},
    });
    let (s, v) = c
        .post(
            "ifix-department-entity/departmentEntity/v1/_search",
            &[],
            Some(body),
            Some(ri.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    list_parses_as("Department", &v["departmentEntity"], "departmentEntity").unwrap();
    let h = app_hierarchy(&v["departmentEntity"][0]);
    // the card: section, sub-division and division as `code-name`, then the project's code
    let card: Vec<String> = [5, 4, 3]
        .iter()
        .map(|l| format!("{}-{}", h[l].0, h[l].1))
        .collect();
    assert_eq!(
        card,
        [
            "S560-Agampur",
            "DIV1038SD10131-Sri Anandpur Sahib",
            "DIV1038-Sri Anandpur Sahib"
        ]
    );
    let body = json!({
        "criteria": {"departmentEntityId": h[&6].2, "tenantId": c.user["tenantId"]},
        "requestHeader": {"msgId": "Unknown", "signature": "NON"},
    });
    let (s, p) = c
        .post(
            "adapter-master-data/project/v1/_search",
            &[],
            Some(body),
            Some(ri),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    list_parses_as("Project", &p["project"], "project").unwrap();
    assert_eq!(p["project"][0]["code"], "7374");
    c.finish();
}
