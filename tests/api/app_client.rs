//! The mGramSeva app as a client: every request built the way the app's Flutter code builds it
//! (`lib/services/{base_service,request_info,urls}.dart` and the repositories), every answer read
//! the way its models read it (`app_models`).
//!
//! What the app does, and so what this does:
//! - `RequestInfo.toJson()` always writes `apiId, ver, ts, action, did, key, msgId, authToken,
//!   userInfo`; `ver` and `did` are numbers (1), `ts` and `key` empty strings, `msgId`
//!   `20170310130900|<locale>` whatever the caller passed, `userInfo` null unless given.
//! - `BaseService.makeRequest` with a RequestInfo and a body posts `{"RequestInfo": ri, ...body}`;
//!   with a RequestInfo and no body it posts the RequestInfo itself as the whole body; without a
//!   RequestInfo it posts the body as it is (`{"RequestInfo": {}}` for the calls made without a
//!   token).
//! - Query parameters go through Dart's `Uri(queryParameters:)`: every character but
//!   `A-Za-z0-9-._~` percent-encoded, spaces as `+`.
//! - POSTs carry `content-type: application/json; charset=utf-8` (package:http adds the charset);
//!   GETs carry no body and no content type.
//! - An answer is a success for the app when its status is 200, 201 or 202.
//!
//! Steps record what went wrong instead of stopping, so one run of the replay lists every broken
//! step; `finish` fails the test with the whole list. A `strict` client fails at the first.

use std::cell::RefCell;

use actix_web::test::{self as atest};
use serde_json::{Map, Value, json};

use crate::app_models::{as_app_sends, list_parses_as, parses_as};
use crate::helpers::*;

mod dart;

pub use dart::*;

/// The app, logged in or not, over a test server.
pub struct AppClient<'a> {
    pub app: &'a TestApp,
    /// `userDetails.accessToken` ("" before login).
    pub token: String,
    /// `userDetails.userRequest` as the app re-serialises it (`UserRequest.toJson()`).
    pub user: Value,
    /// `userDetails.selectedtenant.code`: the GP the employee works on.
    pub tenant: String,
    /// `userDetails.selectedtenant.name` (the consumer form's city), once `tenants` ran.
    pub tenant_name: String,
    problems: RefCell<Vec<String>>,
    strict: bool,
}

impl<'a> AppClient<'a> {
    pub fn new(app: &'a TestApp, tenant: &str) -> Self {
        Self {
            app,
            token: String::new(),
            user: Value::Null,
            tenant: tenant.to_owned(),
            tenant_name: String::new(),
            problems: RefCell::new(Vec::new()),
            strict: false,
        }
    }

    /// The app in a test that goes on with each answer: the first problem fails it at once.
    pub fn strict(app: &'a TestApp, tenant: &str) -> Self {
        Self {
            strict: true,
            ..Self::new(app, tenant)
        }
    }

    /// A problem of step `step`, kept for `finish` (a strict client fails with it).
    pub fn problem(&self, step: &str, what: impl std::fmt::Display) {
        let p = format!("[{step}] {what}");
        assert!(!self.strict, "the app's step failed: {p}");
        self.problems.borrow_mut().push(p);
    }

    /// Checks a value the app relies on (a `!` in its code, an amount), keeping a problem if not.
    pub fn expect(&self, step: &str, ok: bool, what: impl std::fmt::Display) -> bool {
        if !ok {
            self.problem(step, what);
        }
        ok
    }

    /// Fails the test with every problem met, if any.
    #[track_caller]
    pub fn finish(&self) {
        let p = self.problems.borrow();
        assert!(
            p.is_empty(),
            "{} step(s) of the app's day failed:\n{}",
            p.len(),
            p.join("\n")
        );
    }

    /// The problems so far (for the checker's own tests).
    pub fn problems(&self) -> Vec<String> {
        self.problems.borrow().clone()
    }

    /// The answer of step `step`: a success status, and `model` (if any) reads it.
    fn answer(&self, step: &str, model: Option<&str>, (status, v): Resp) -> Value {
        if ![200, 201, 202].contains(&status.as_u16()) {
            let short: String = v.to_string().chars().take(400).collect();
            self.problem(step, format!("status {status}: {short}"));
            return Value::Null;
        }
        if let Some(m) = model
            && let Err(e) = parses_as(m, &v)
        {
            self.problem(step, e);
        }
        v
    }

    /// A list the app maps item by item (`res['X'].map(Model.fromJson)`).
    fn items(&self, step: &str, model: &str, v: &Value, key: &str) -> Vec<Value> {
        if v.is_null() {
            return Vec::new(); // the call failed, already noted
        }
        if let Err(e) = list_parses_as(model, &v[key], key) {
            self.problem(step, e);
        }
        v[key].as_array().cloned().unwrap_or_default()
    }

    /// `BaseService.makeRequest` with method POST.
    pub async fn post(
        &self,
        url: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
        ri: Option<Value>,
    ) -> Resp {
        let body = match (ri, body) {
            (Some(ri), Some(Value::Object(b))) => {
                let mut m = Map::new();
                m.insert("RequestInfo".into(), ri);
                m.extend(b);
                Value::Object(m)
            }
            (Some(ri), None) => ri,
            (Some(_), Some(other)) => panic!("the app's bodies are maps, not {other}"),
            (None, b) => b.unwrap_or(Value::Null),
        };
        let uri = if query.is_empty() {
            format!("/{url}")
        } else {
            format!("/{url}?{}", dart_query(query))
        };
        self.post_raw_url(&uri, body).await
    }

    /// `makeRequest` with this client's RequestInfo for `action` (no userInfo): the answer as it
    /// comes, for a test to check by hand.
    pub async fn send(&self, url: &str, query: &[(&str, &str)], action: &str, body: Value) -> Resp {
        self.post(url, query, Some(body), Some(self.ri(action, None)))
            .await
    }

    /// A POST to a URL the app writes out by hand (no query encoding).
    pub async fn post_raw_url(&self, uri: &str, body: Value) -> Resp {
        self.app
            .send(
                atest::TestRequest::post()
                    .uri(uri)
                    .insert_header(("content-type", "application/json; charset=utf-8"))
                    .set_payload(body.to_string()),
            )
            .await
    }

    /// The RequestInfo with this client's token.
    pub fn ri(&self, action: &str, user_info: Option<Value>) -> Value {
        request_info(action, Some(&self.token), user_info)
    }

    fn user_info(&self) -> Option<Value> {
        Some(self.user.clone())
    }

    // --- start, before login -----------------------------------------------------------------

    /// `CoreRepository.getMdms(initRequestBody({"tenantId": "pb"}))`: the state's languages and
    /// masters, asked on start with an empty token (`LanguageProvider.getLocalizationData`,
    /// `CommonProvider.getAppVersionDetails`).
    pub async fn mdms_init(&self) -> Value {
        let body = json!({"MdmsCriteria": {"tenantId": STATE_TENANT, "moduleDetails": [
            {"moduleName": "common-masters", "masterDetails": [{"name": "Department"}, {"name": "Designation"}, {"name": "StateInfo"}, {"name": "wfSlaConfig"}, {"name": "AppVersion"}]},
            {"moduleName": "tenant", "masterDetails": [{"name": "tenants"}, {"name": "citymodule"}]},
            {"moduleName": "DIGIT-UI", "masterDetails": [{"name": "ApiCachingSettings"}]},
        ]}});
        let r = self
            .post(
                "mdms-v2/v1/_search",
                &[],
                Some(body),
                Some(request_info("_search", Some(""), None)),
            )
            .await;
        self.answer("start: mdms init", Some("LanguageList"), r)
    }

    /// `getLocalisation(locale)` (services/locilization.dart): the URL written by hand, the
    /// RequestInfo as the whole body.
    pub async fn localization_boot(&self, locale: &str) -> Vec<Value> {
        let uri = format!(
            "/localization/messages/v1/_search?module=mgramseva-common&locale={locale}&tenantId={STATE_TENANT}"
        );
        let r = self
            .post_raw_url(&uri, request_info("_search", Some(""), None))
            .await;
        let v = self.answer("start: localization (mgramseva-common)", None, r);
        self.items(
            "start: localization (mgramseva-common)",
            "LocalizationLabel",
            &v,
            "messages",
        )
    }

    /// `CoreRepository.getLocilisation`: every module of the app at once, RequestInfo as body.
    pub async fn localization(&self, locale: &str) -> Vec<Value> {
        let modules = "mgramseva-common,mgramseva-consumer,mgramseva-expenses,mgramseva-water-connection,mgramseva-bill,mgramseva-payments,mgramseva-dashboard,mgramseva-feedback";
        let r = self
            .post(
                "localization/messages/v1/_search",
                &[
                    ("module", modules),
                    ("locale", locale),
                    ("tenantId", STATE_TENANT),
                ],
                None,
                Some(request_info("_search", Some(""), None)),
            )
            .await;
        let v = self.answer("localization (all modules)", None, r);
        self.items(
            "localization (all modules)",
            "LocalizationLabel",
            &v,
            "messages",
        )
    }

    // --- login -------------------------------------------------------------------------------

    /// The token call of `AuthenticationProvider.validateLogin`: a form, Basic auth, tenantId
    /// "pb"; the answer as it comes.
    pub async fn token_call(&self, user_name: &str, password: &str) -> Resp {
        self.app
            .post_form(
                "/user/oauth/token",
                &[
                    ("username", user_name),
                    ("password", password),
                    ("scope", "read"),
                    ("grant_type", "password"),
                    ("tenantId", STATE_TENANT),
                    ("userType", "EMPLOYEE"),
                ],
                Some(APP_CLIENT),
            )
            .await
    }

    /// `AuthenticationProvider.validateLogin`: the token call, then `getProfile` (user/_search
    /// with the new token). Keeps the token and the UserRequest; returns the user/_search answer.
    pub async fn login(&mut self, user_name: &str, password: &str) -> Value {
        let step = "login: token";
        let r = self.token_call(user_name, password).await;
        let v = self.answer(step, Some("UserDetails"), r);
        let token = v["access_token"].as_str().unwrap_or_default().to_owned();
        assert!(
            !token.is_empty(),
            "the login gave no access_token: {:?}",
            self.problems()
        );
        self.token = token;
        self.user = as_app_sends("UserRequest", &v["UserRequest"]);
        let profile = self
            .profile_with(
                "login: user/_search",
                json!({"tenantId": self.user["tenantId"], "id": [self.user["id"]], "mobileNumber": self.user["mobileNumber"]}),
            )
            .await;
        // `loginResponse.isFirstTimeLogin = userInfo.user!.first.defaultPwdChgd`
        self.expect(
            "login: user/_search",
            profile["user"][0]["defaultPwdChgd"].is_boolean(),
            format!(
                "user[0].defaultPwdChgd is not a bool: {}",
                profile["user"][0]["defaultPwdChgd"]
            ),
        );
        profile
    }

    /// A new employee (on the state) holding `roles` on this client's GP, and the app logged in
    /// as them; returns the user/_search answer.
    pub async fn login_new_employee(&mut self, mobile: &str, pw: &str, roles: &[&str]) -> Value {
        let roles: Vec<String> = roles
            .iter()
            .map(|r| format!("{r}@{}", self.tenant))
            .collect();
        let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
        self.app.employee(mobile, &roles, Some(pw));
        self.login(mobile, pw).await
    }

    async fn profile_with(&self, step: &str, body: Value) -> Value {
        let r = self
            .post("user/_search", &[], Some(body), Some(self.ri("POST", None)))
            .await;
        let v = self.answer(step, Some("UserProfile"), r);
        self.expect(
            step,
            v["user"].as_array().is_some_and(|a| !a.is_empty()),
            "no user[0] (the app reads userProfile.user![0])",
        );
        v
    }

    /// `UserProfileRepository.getProfile` (the profile screen).
    pub async fn profile(&self) -> Value {
        self.profile_with(
            "profile: user/_search",
            json!({"tenantId": self.user["tenantId"], "id": [self.user["id"]], "mobileNumber": self.user["mobileNumber"]}),
        )
        .await
    }

    /// `TenantRepo.fetchTenants(getTenantsMDMS(userRequest.tenantId))`: its own RequestInfo
    /// (`'mGramSeva', .01, "", "search", "", "", ""`).
    pub async fn tenants(&mut self) -> Value {
        let ri = json!({"apiId": "mGramSeva", "ver": 0.01, "ts": "", "action": "search", "did": "", "key": "",
                        "msgId": MSG_ID, "authToken": self.token, "userInfo": null});
        let body = json!({"MdmsCriteria": {"tenantId": self.user["tenantId"], "moduleDetails": [
            {"moduleName": "tenant", "masterDetails": [{"name": "tenants"}]}]}});
        let r = self
            .post("mdms-v2/v1/_search", &[], Some(body), Some(ri))
            .await;
        let step = "home: tenants";
        let v = self.answer(step, None, r);
        if !v.is_null()
            && let Err(e) = parses_as("Tenant", &v["MdmsRes"]["tenant"])
        {
            self.problem(step, e);
        }
        let mine = v["MdmsRes"]["tenant"]["tenants"]
            .as_array()
            .and_then(|t| t.iter().find(|x| x["code"] == self.tenant.as_str()));
        self.tenant_name = mine
            .and_then(|t| t["name"].as_str())
            .unwrap_or_default()
            .to_owned();
        v["MdmsRes"]["tenant"].clone()
    }

    /// `CoreRepository.fetchNotifications` (the home screen, twice: by recipient, by roles).
    pub async fn notifications(&self, query: &[(&str, &str)]) -> Value {
        let r = self
            .post(
                "egov-user-event/v1/events/_search",
                query,
                Some(json!({})),
                Some(self.ri("_search", None)),
            )
            .await;
        self.answer("home: notifications", Some("EventsList"), r)
    }

    /// `CoreRepository.getMdms` / `getPaymentTypeMDMS` with a criteria the app builds
    /// (`services/mdms.dart`); `model` is the class the caller reads it into.
    pub async fn mdms(&self, step: &str, tenant: &str, modules: Value, model: &str) -> Value {
        let body = json!({"MdmsCriteria": {"tenantId": tenant, "moduleDetails": modules}});
        let r = self
            .post(
                "mdms-v2/v1/_search",
                &[],
                Some(body),
                Some(request_info("_search", Some(""), None)),
            )
            .await;
        self.answer(step, Some(model), r)
    }

    /// `getMDMSPaymentModes` read as `PaymentType` (`CommonProvider.getMdmsBillingService`).
    pub async fn mdms_billing_service(&self, step: &str) -> Value {
        self.mdms(
            step,
            &self.tenant,
            json!([{"moduleName": "BillingService", "masterDetails": [{"name": "TaxHeadMaster"}, {"name": "BusinessService", "filter": "[?(@.code=='WS')]"}]}]),
            "PaymentType",
        )
        .await
    }

    /// `ConsumerRepository.getLocations`: the query only, RequestInfo as the whole body.
    pub async fn localities(&self) -> Vec<Value> {
        let r = self
            .post(
                "egov-location/location/v11/boundarys/_search",
                &[
                    ("hierarchyTypeCode", "REVENUE"),
                    ("boundaryType", "Locality"),
                    ("tenantId", &self.tenant),
                ],
                None,
                Some(self.ri("_search", None)),
            )
            .await;
        let step = "consumer: localities";
        let v = self.answer(step, None, r);
        let tb = &v["TenantBoundary"][0];
        if !v.is_null()
            && let Err(e) = parses_as("TenantBoundary", tb)
        {
            self.problem(step, e);
        }
        tb["boundary"].as_array().cloned().unwrap_or_default()
    }

    // --- consumers ---------------------------------------------------------------------------

    /// `ConsumerRepository.addProperty`; returns the propertyId the app reads.
    pub async fn add_property(&self, property: Value) -> String {
        let r = self
            .post(
                "property-services/property/_create",
                &[],
                Some(json!({"Property": property})),
                Some(self.ri("_create", None)),
            )
            .await;
        let step = "consumer: property/_create";
        let v = self.answer(step, None, r);
        // `result1['Properties'].first!['propertyId']`
        let id = v["Properties"][0]["propertyId"]
            .as_str()
            .unwrap_or_default();
        self.expect(step, !id.is_empty(), "no Properties[0].propertyId");
        id.to_owned()
    }

    /// `ConsumerRepository.addconnection`; returns the connection number.
    pub async fn add_connection(&self, wc: Value) -> String {
        let r = self
            .post(
                "ws-services/wc/_create",
                &[],
                Some(json!({"WaterConnection": wc})),
                Some(self.ri("_create", None)),
            )
            .await;
        let step = "consumer: wc/_create";
        let v = self.answer(step, None, r);
        let no = v["WaterConnection"][0]["connectionNo"]
            .as_str()
            .unwrap_or_default();
        self.expect(step, !no.is_empty(), "no WaterConnection[0].connectionNo");
        no.to_owned()
    }

    /// `SearchConnectionRepository.getconnection`: an empty body, the UserRequest as
    /// RequestInfo.userInfo, the criteria in the query.
    pub async fn search(&self, step: &str, query: &[(&str, &str)]) -> Value {
        let r = self
            .post(
                "ws-services/wc/_search",
                query,
                Some(json!({})),
                Some(self.ri("_search", self.user_info())),
            )
            .await;
        self.answer(step, Some("WaterConnections"), r)
    }

    /// `SearchConnectionRepository.getConnectionName` (search by name).
    pub async fn fuzzy_search(&self, step: &str, query: &[(&str, &str)]) -> Value {
        let r = self
            .post(
                "ws-services/wc/fuzzy/_search",
                query,
                Some(json!({})),
                Some(self.ri("_search", self.user_info())),
            )
            .await;
        self.answer(step, Some("WaterConnections"), r)
    }

    // --- demands and bills -------------------------------------------------------------------

    /// `BillGenerateRepository.getRequestInfo()`: action "create", no userInfo.
    fn calc_ri(&self) -> Value {
        self.ri("create", None)
    }

    /// `BillGenerateRepository.bulkDemand`.
    pub async fn bulk_demand(&self, billing_period: &str) -> Value {
        let r = self
            .post(
                "ws-calculator/waterCalculator/_bulkDemand",
                &[],
                Some(json!({"tenantId": self.tenant, "billingPeriod": billing_period})),
                Some(self.calc_ri()),
            )
            .await;
        self.answer("bills: bulk demand", Some("BillGenerationDetails"), r)
    }

    /// `BillGenerateRepository.calculateMeterConnection`.
    pub async fn meter_reading(&self, reading: Value) -> Value {
        let r = self
            .post(
                "ws-calculator/meterConnection/_create",
                &[],
                Some(json!({"meterReadings": reading})),
                Some(self.calc_ri()),
            )
            .await;
        self.answer("bills: meter reading", Some("BillGenerationDetails"), r)
    }

    /// `BillGenerateRepository.searchMeteredDemand`.
    pub async fn meter_readings(&self, step: &str, connection_no: &str) -> Value {
        let r = self
            .post(
                "ws-calculator/meterConnection/_search",
                &[("tenantId", &self.tenant), ("connectionNos", connection_no)],
                Some(json!({})),
                Some(self.calc_ri()),
            )
            .await;
        let v = self.answer(step, Some("MeterDemand"), r);
        // the app sorts them with `b.currentReading!.compareTo(a.currentReading!)`
        if let Some(rs) = v["meterReadings"].as_array() {
            for (i, m) in rs.iter().enumerate() {
                self.expect(
                    step,
                    m["currentReading"].is_number(),
                    format!("meterReadings[{i}].currentReading is null"),
                );
            }
        }
        v
    }

    fn bill_query<'q>(&'q self, consumer: &'q str) -> [(&'q str, &'q str); 3] {
        [
            ("tenantId", self.tenant.as_str()),
            ("consumerCode", consumer),
            ("businessService", "WS"),
        ]
    }

    /// `BillingServiceRepository.fetchBill`: userInfo at the top and in the RequestInfo.
    pub async fn fetch_bill(&self, step: &str, consumer: &str) -> Value {
        let r = self
            .post(
                "billing-service/bill/v2/_fetchbill",
                &self.bill_query(consumer),
                Some(json!({"userInfo": self.user})),
                Some(self.ri("_search", self.user_info())),
            )
            .await;
        self.answer(step, Some("BillList"), r)
    }

    /// `ConsumerRepository.getBillDetails` (the collect payment screen): no token at all.
    pub async fn fetch_bill_for_payment(&self, consumer: &str) -> Vec<Value> {
        let r = self
            .post(
                "billing-service/bill/v2/_fetchbill",
                &self.bill_query(consumer),
                Some(json!({"RequestInfo": {}})),
                None,
            )
            .await;
        let step = "payment: fetch bill (no token)";
        let v = self.answer(step, None, r);
        self.items(step, "FetchBill", &v, "Bill")
    }

    /// `BillingServiceRepository.fetchdDemand`: no token; read as `DemandList`.
    pub async fn demands(&self, step: &str, consumer: &str) -> Vec<Value> {
        let r = self
            .post(
                "billing-service/demand/_search",
                &self.bill_query(consumer),
                Some(json!({"RequestInfo": {}})),
                None,
            )
            .await;
        let v = self.answer(step, None, r);
        let list = json!({"Demands": v["Demands"]});
        if !v.is_null()
            && let Err(e) = parses_as("DemandList", &list)
        {
            self.problem(step, e);
        }
        v["Demands"].as_array().cloned().unwrap_or_default()
    }

    /// `ConsumerRepository.getDemandDetails` (consumer edit): userInfo on top, and
    /// `{"userInfo": user}` as the RequestInfo's userInfo; action "".
    pub async fn demand_details(&self, consumer: &str) -> Vec<Value> {
        let r = self
            .post(
                "billing-service/demand/_search",
                &self.bill_query(consumer),
                Some(json!({"userInfo": self.user})),
                Some(self.ri("", Some(json!({"userInfo": self.user})))),
            )
            .await;
        let step = "consumer edit: demand search";
        let v = self.answer(step, None, r);
        self.items(step, "Demand", &v, "Demands")
    }

    /// `BillingServiceRepository.fetchAggregateDemand`: the RequestInfo as the body's only key.
    pub async fn aggregate_demand(&self, consumer: &str) -> Value {
        let r = self
            .post(
                "billing-service/demand/_getAggregateDemandDetails",
                &self.bill_query(consumer),
                Some(json!({"RequestInfo": self.ri("_search", self.user_info())})),
                None,
            )
            .await;
        self.answer(
            "household: aggregate demand",
            Some("AggragateDemandDetails"),
            r,
        )
    }

    /// `BillingServiceRepository.fetchUpdateDemand` (penalty estimate): no token.
    pub async fn penalty_details(&self, consumer: &str) -> Value {
        let r = self
            .post(
                "ws-calculator/waterCalculator/_getPenaltyDetails",
                &[
                    ("tenantId", &self.tenant),
                    ("consumerCodes", consumer),
                    ("isGetPenaltyEstimate", "true"),
                ],
                Some(json!({"RequestInfo": {}, "GetBillCriteria": {
                    "tenantId": self.tenant, "billId": null, "isGetPenaltyEstimate": true,
                    "consumerCodes": [consumer]}})),
                None,
            )
            .await;
        let step = "household: penalty details";
        let v = self.answer(step, None, r);
        let list =
            json!({"Demands": v["Demands"], "totalApplicablePenalty": v["totalApplicablePenalty"]});
        if !v.is_null()
            && let Err(e) = parses_as("UpdateDemandList", &list)
        {
            self.problem(step, e);
        }
        v
    }

    /// `BillingServiceRepository.fetchdBillPayments`: userInfo on top and in the RequestInfo.
    pub async fn payments(&self, step: &str, consumer: &str) -> Value {
        self.payments_at(step, "collection-services/payments/WS/_search", consumer)
            .await
    }

    /// The request of `payments` sent to another search URL (`payments/_search`).
    pub async fn payments_at(&self, step: &str, url: &str, consumer: &str) -> Value {
        let r = self
            .post(
                url,
                &[
                    ("tenantId", &self.tenant),
                    ("consumerCodes", consumer),
                    ("businessService", "WS"),
                ],
                Some(json!({"userInfo": self.user})),
                Some(self.ri("_search", self.user_info())),
            )
            .await;
        self.answer(step, Some("BillPayments"), r)
    }

    /// `ConsumerRepository.collectPayment`: action "", no userInfo.
    pub async fn collect_payment(&self, payment: Value) -> Value {
        let r = self
            .post(
                "collection-services/payments/_create",
                &[],
                Some(json!({"Payment": payment})),
                Some(self.ri("", None)),
            )
            .await;
        self.answer("payment: collect", Some("BillPayments"), r)
    }

    // --- PDFs ----------------------------------------------------------------------------------

    /// `PDFServiceRepository.CreatePDF` (the household bill, first demand): `{"BillAndDemand":
    /// body}`, an empty token.
    pub async fn pdf_bill_no_token(&self, body: Value, key: &str) -> Value {
        let r = self
            .post(
                "pdf-service/v1/_create",
                &[("key", key), ("tenantId", &self.tenant)],
                Some(json!({"BillAndDemand": body})),
                Some(request_info("_create", Some(""), None)),
            )
            .await;
        self.answer("pdf: bill", Some("PDFServiceResponse"), r)
    }

    /// `CoreRepository.getFileStorefromPdfService` (receipts, and bills otherwise): the token.
    pub async fn pdf(&self, step: &str, body: Value, key: &str) -> Value {
        let r = self
            .post(
                "pdf-service/v1/_create",
                &[("key", key), ("tenantId", &self.tenant)],
                Some(body),
                Some(self.ri("_create", None)),
            )
            .await;
        self.answer(step, Some("PDFServiceResponse"), r)
    }

    /// `CoreRepository.fetchFiles`: a GET with the URL written by hand, no token.
    pub async fn file_urls(&self, step: &str, ids: &[&str]) -> Vec<Value> {
        let uri = format!(
            "/filestore/v1/files/url?tenantId={}&fileStoreIds={}",
            self.tenant,
            ids.join(",")
        );
        let r = self.app.send(atest::TestRequest::get().uri(&uri)).await;
        let v = self.answer(step, None, r);
        self.items(step, "FileStore", &v, "fileStoreIds")
    }

    /// Follows a file's URL the way the browser does (the app opens it in a new tab).
    pub async fn download(&self, step: &str, url: &str) -> Vec<u8> {
        let path = url
            .find("://")
            .map(|i| &url[i + 3..])
            .and_then(|rest| rest.find('/').map(|j| &rest[j..]))
            .unwrap_or(url);
        let resp = self.app.call(atest::TestRequest::get().uri(path)).await;
        let status = resp.status();
        let bytes = atest::read_body(resp).await.to_vec();
        self.expect(
            step,
            status.is_success(),
            format!("GET {path}: status {status}"),
        );
        bytes
    }

    // --- profile -------------------------------------------------------------------------------

    /// `UserEditProfileRepository.editProfile`: `{"user": User.toJson()}`, action "create".
    pub async fn edit_profile(&self, user: Value) -> Value {
        let r = self
            .post(
                "user/profile/_update",
                &[],
                Some(json!({"user": user})),
                Some(self.ri("create", None)),
            )
            .await;
        let step = "profile: edit";
        let v = self.answer(step, Some("UserProfile"), r);
        self.expect(
            step,
            v["user"].as_array().is_some_and(|a| !a.is_empty()),
            "no user[0] (the app reads userProfile.user![0])",
        );
        v
    }

    /// `ChangePasswordRepository.updatePassword`.
    pub async fn change_password(&self, existing: &str, new: &str) -> Value {
        let body = json!({"userName": self.user["userName"], "existingPassword": existing,
                          "newPassword": new, "tenantId": self.tenant, "type": self.user["type"]});
        let r = self
            .post(
                "user/password/_update",
                &[],
                Some(body),
                Some(self.ri("create", None)),
            )
            .await;
        self.answer("profile: change password", Some("ChangePasswordDetails"), r)
    }
}
