//! What the access matrix sends: the data every probe needs on each tenant (`World`, made
//! through the API by the GP's own staff) and one realistic request per declared route
//! (`samples`), built for the tenant a scenario names.
//!
//! A sample names its tenant where the route's handler reads it (query or body, as in the
//! handler's request struct), so the request the gateway checks is the one the handler would act
//! on. Requests that would change or end something the run still needs get inputs the handler
//! refuses as invalid (a form without its fields, a wrong one-time password, a new password that
//! breaks the rule): the matrix asks who gets through, not what the handler then does.

use std::collections::BTreeMap;
use std::future::Future;

use actix_web::http::Method;
use actix_web::test;
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

use super::{Answer, CSRF};
use crate::helpers::*;

/// The password of the one user who logs in by password (`/login`, `/user/oauth/token`).
pub const LOGIN_PASSWORD: &str = "Matrix@123";
pub const LOGIN_MOBILE: &str = "9700000009";

/// Data of one tenant the samples point at.
#[derive(Clone, Debug)]
pub struct Fixtures {
    /// The property of the flat-rate household.
    pub property: String,
    /// A flat-rate household with opening arrears of 100, billed up to two months ago (its
    /// demand, bill and payments below; last month is still to be billed).
    pub flat: String,
    /// A metered household (meter `MTR<gp>`).
    pub metered: String,
    pub meter_id: String,
    /// The flat household's active bill when the run starts.
    pub bill: String,
    /// The flat household's opening (arrears) demand.
    pub demand: String,
    /// A payment of 10 on the flat household, and its receipt number.
    pub payment: String,
    pub receipt: String,
    /// A second payment (5), kept for the cancel workflow.
    pub cancel_payment: String,
    /// A file (the flat household's bill PDF) and its signed link (path and query).
    pub file: String,
    pub link: String,
    /// Employees: one with SECRETARY, one with DIV_ADMIN, on this tenant.
    pub staff_code: String,
    pub division_code: String,
    /// A user the samples change (`_updatenovalidate`) to what it is: SECRETARY on a GP,
    /// DIV_ADMIN on the state.
    pub user_id: i64,
}

/// Everything the samples need.
pub struct World {
    pub gp: Fixtures,
    pub other: Fixtures,
    pub state: Fixtures,
    /// A short link (to `gp.link`).
    pub short_key: String,
}

impl World {
    /// The tenant whose fixtures `fx` are.
    pub fn tenant_of(&self, fx: &Fixtures) -> &'static str {
        if std::ptr::eq(fx, &self.other) {
            OTHER_GP
        } else if std::ptr::eq(fx, &self.state) {
            STATE
        } else {
            GP
        }
    }

    pub fn of(&self, tenant: &str) -> &Fixtures {
        match tenant {
            GP => &self.gp,
            OTHER_GP => &self.other,
            STATE => &self.state,
            t => panic!("no fixtures for {t}"),
        }
    }
}

/// A request body.
#[derive(Clone, Debug)]
pub enum Body {
    None,
    /// A DIGIT JSON body (the runner puts RequestInfo in it).
    Json(Value),
    /// A form (pages: the runner's CSRF field comes first).
    Form(Vec<(String, String)>),
    /// A multipart form: (boundary, parts (name, file name, content)).
    Multipart(
        &'static str,
        Vec<(&'static str, Option<&'static str>, String)>,
    ),
}

/// What a sample asks.
#[derive(Clone, Debug)]
pub struct Req {
    /// Path (the route's concrete path) and query.
    pub uri: String,
    pub body: Body,
    pub headers: Vec<(&'static str, String)>,
}

/// What a sample knows when it builds its request.
pub struct Ctx<'a> {
    /// The fixtures of `tenant`.
    pub fx: &'a Fixtures,
    /// The tenant the request names (API) or the GP of the session (pages; the named tenant
    /// when there is no session).
    pub tenant: &'a str,
    /// The tenant the caller's role is held on.
    pub holder: &'a str,
    /// The caller's role.
    pub role: &'a str,
    /// The route's path with its parameters filled in.
    pub path: &'a str,
    /// Sent without a token or session.
    pub anonymous: bool,
    /// A number no other request of the run uses (mobile numbers, old ids).
    pub n: u64,
}

impl Ctx<'_> {
    fn q(&self, query: &str) -> String {
        format!("{}?{query}", self.path)
    }

    fn plain(&self) -> String {
        self.path.to_owned()
    }

    /// A mobile number no one has.
    fn mobile(&self) -> String {
        format!("96{:08}", self.n)
    }
}

/// One route's probe: how to build it, and whether the credential must be fresh (the request
/// ends or changes the token or session it is sent with).
pub struct Sample {
    pub make: fn(&Ctx<'_>) -> Req,
    pub fresh: bool,
}

fn json_req(uri: String, v: Value) -> Req {
    Req {
        uri,
        body: Body::Json(v),
        headers: Vec::new(),
    }
}

fn get(uri: String) -> Req {
    Req {
        uri,
        body: Body::None,
        headers: Vec::new(),
    }
}

fn form(uri: String, pairs: &[(&str, &str)]) -> Req {
    Req {
        uri,
        body: Body::Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ),
        headers: Vec::new(),
    }
}

/// The role an administrator would grant in a sample (what `grants.rs` lets it grant): the state
/// admin makes division users, everyone else is asked for a GP role.
pub fn grant_for(role: &str) -> &'static str {
    if role == "STATE_ADMIN" {
        "DIV_ADMIN"
    } else {
        "SECRETARY"
    }
}

/// The employee a sample updates: one the caller's kind of administrator manages.
fn employee_for<'a>(c: &'a Ctx<'_>) -> &'a str {
    if c.role == "STATE_ADMIN" {
        &c.fx.division_code
    } else {
        &c.fx.staff_code
    }
}

pub fn months_back(n: u32) -> NaiveDate {
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

fn ist_ms(d: NaiveDate) -> i64 {
    mgramseva::time::ist_day_start_millis(d)
}

/// `01/MM/yyyy-<last>/MM/yyyy` of a month.
fn period(m: NaiveDate) -> String {
    let last = chrono::DateTime::from_timestamp_millis(mgramseva::time::month_end_ms(m))
        .map(|t| t.with_timezone(&chrono_tz::Asia::Kolkata).date_naive())
        .unwrap_or(m);
    format!("{}-{}", m.format("%d/%m/%Y"), last.format("%d/%m/%Y"))
}

const CSV: &str = "Name,Gender,Father or husband name,Mobile number,Old connection id,Property type,Connection type,Last billing cycle\n";

/// Every declared route's sample, by (method, path pattern).
/// The flat household of the tenant in the query, as billing's searches name a consumer.
fn consumer_query(c: &Ctx<'_>) -> Req {
    json_req(
        c.q(&format!(
            "tenantId={}&consumerCode={}&businessService=WS",
            c.tenant, c.fx.flat
        )),
        json!({}),
    )
}

pub fn samples() -> BTreeMap<(String, &'static str), Sample> {
    use Method as M;
    let mut m: BTreeMap<(String, &'static str), Sample> = BTreeMap::new();
    let mut add = |method: Method, path: &'static str, fresh: bool, make: fn(&Ctx<'_>) -> Req| {
        let old = m.insert((method.to_string(), path), Sample { make, fresh });
        assert!(old.is_none(), "two samples for {method} {path}");
    };

    // Operations and static files.
    add(M::GET, "/healthz", false, |c| get(c.plain()));
    add(M::GET, "/readyz", false, |c| get(c.plain()));
    add(M::GET, "/static/{tail:.*}", false, |c| get(c.plain()));

    // Identity. Employees log in on the state tenant.
    add(M::POST, "/user/oauth/token", false, |c| {
        let mut r = form(
            c.plain(),
            &[
                ("username", LOGIN_MOBILE),
                ("password", LOGIN_PASSWORD),
                ("grant_type", "password"),
                ("scope", "read"),
                ("tenantId", STATE),
                ("userType", "EMPLOYEE"),
            ],
        );
        // `egov-user-client:` in HTTP Basic
        r.headers
            .push(("authorization", "Basic ZWdvdi11c2VyLWNsaWVudDo=".to_owned()));
        r
    });
    // A person looked up by user name (an unfiltered search opens every account).
    for p in ["/user/_search", "/user/v1/_search"] {
        add(M::POST, p, false, |c| {
            json_req(
                c.plain(),
                json!({"tenantId": c.tenant, "userName": LOGIN_MOBILE, "pageSize": 10}),
            )
        });
    }
    add(M::POST, "/user/_details", false, |c| {
        json_req(c.plain(), json!({}))
    });
    add(M::POST, "/user/_logout", true, |c| {
        json_req(c.plain(), json!({}))
    });
    add(M::POST, "/user/profile/_update", false, |c| {
        json_req(c.plain(), json!({"user": {"locale": "en_IN"}}))
    });
    // A new password that breaks the rule: refused before anything is checked or counted.
    add(M::POST, "/user/password/_update", true, |c| {
        json_req(
            c.plain(),
            json!({"existingPassword": "Wrong@123", "newPassword": "short", "tenantId": c.tenant, "type": "EMPLOYEE"}),
        )
    });
    add(M::POST, "/user/password/nologin/_update", false, |c| {
        json_req(
            c.plain(),
            json!({"otpReference": "123456", "userName": c.mobile(), "newPassword": "Matrix@123", "tenantId": c.tenant, "type": "EMPLOYEE"}),
        )
    });
    add(M::POST, "/user/users/_createnovalidate", false, |c| {
        json_req(
            c.plain(),
            json!({"user": {"name": "Matrix Person", "mobileNumber": c.mobile(), "gender": "FEMALE", "type": "EMPLOYEE",
                "tenantId": c.tenant, "roles": [{"code": grant_for(c.role), "tenantId": c.tenant}]}}),
        )
    });
    // A user given the role it holds: an administrator's change that changes nothing.
    fn unchanged_user(c: &Ctx<'_>) -> Value {
        let role = if c.tenant == STATE {
            "DIV_ADMIN"
        } else {
            "SECRETARY"
        };
        json!({"user": {"id": c.fx.user_id, "roles": [{"code": role, "tenantId": c.tenant}]}})
    }
    add(M::POST, "/user/users/_updatenovalidate", false, |c| {
        json_req(c.plain(), unchanged_user(c))
    });
    add(M::POST, "/user/users/{id}/_updatenovalidate", false, |c| {
        json_req(c.plain(), unchanged_user(c))
    });
    add(M::POST, "/user-otp/v1/_send", false, |c| {
        json_req(
            c.plain(),
            json!({"otp": {"mobileNumber": c.mobile(), "tenantId": c.tenant, "type": "passwordreset", "userType": "EMPLOYEE"}}),
        )
    });

    // Master data, locations, messages, ids.
    for p in ["/egov-mdms-service/v1/_search", "/mdms-v2/v1/_search"] {
        add(M::POST, p, false, |c| {
            json_req(
                c.plain(),
                json!({"MdmsCriteria": {"tenantId": c.tenant, "moduleDetails": [
                    {"moduleName": "ws-services-masters", "masterDetails": [{"name": "Category"}]}]}}),
            )
        });
    }
    add(M::POST, "/egov-mdms-service/v1/_get", false, |c| {
        json_req(
            c.q(&format!(
                "tenantId={}&moduleName=ws-services-masters&masterName=Category",
                c.tenant
            )),
            json!({}),
        )
    });
    add(
        M::POST,
        "/egov-location/location/v11/boundarys/_search",
        false,
        |c| {
            json_req(
                c.q(&format!(
                    "tenantId={}&hierarchyTypeCode=REVENUE&boundaryType=Locality",
                    c.tenant
                )),
                json!({}),
            )
        },
    );
    add(M::POST, "/localization/messages/v1/_search", false, |c| {
        json_req(
            c.q(&format!(
                "locale=en_IN&tenantId={}&module=mgramseva-common",
                c.tenant
            )),
            json!({}),
        )
    });
    add(M::GET, "/localization/messages", false, |c| {
        get(c.q(&format!(
            "locale=en_IN&tenantId={}&module=mgramseva-common",
            c.tenant
        )))
    });
    for p in [
        "/localization/messages/v1/_upsert",
        "/localization/messages/v1/_create",
    ] {
        add(M::POST, p, false, |c| {
            json_req(
                c.plain(),
                json!({"tenantId": c.tenant, "messages": [
                    {"code": "MATRIX_PROBE", "message": "Matrix probe", "module": "mgramseva-common", "locale": "en_IN"}]}),
            )
        });
    }
    add(M::POST, "/egov-idgen/id/_generate", false, |c| {
        json_req(
            c.plain(),
            json!({"idRequests": [{"idName": "waterservice.connection.id", "tenantId": c.tenant}]}),
        )
    });

    // Files and short links.
    for m in [M::GET, M::POST] {
        let make: fn(&Ctx<'_>) -> Req = if m == M::GET {
            |c| get(c.q(&format!("tenantId={}&fileStoreIds={}", c.tenant, c.fx.file)))
        } else {
            |c| {
                json_req(
                    c.q(&format!("tenantId={}&fileStoreIds={}", c.tenant, c.fx.file)),
                    json!({}),
                )
            }
        };
        add(m, "/filestore/v1/files/url", false, make);
    }
    // An upload as the app sends it (file, tenantId, module); the runner adds the token header.
    add(M::POST, "/filestore/v1/files", false, |c| Req {
        uri: c.plain(),
        body: Body::Multipart(
            "matrixboundaryfile4b1e",
            vec![
                ("file", Some("bill.pdf"), "%PDF-1.4\n%%EOF\n".to_owned()),
                ("tenantId", None, c.tenant.to_owned()),
                ("module", None, "mgramseva".to_owned()),
            ],
        ),
        headers: Vec::new(),
    });
    // A signed link (the signature is the permission: the handler refuses a forged or expired
    // one with 403 INVALID_LINK or 410, whoever asks; the matrix test checks that once).
    add(M::GET, "/filestore/v1/files/id", false, |c| {
        get(c.fx.link.clone())
    });
    for p in ["/eus/shortener", "/egov-url-shortening/shortener"] {
        // Without a login only a signed file link may be shortened (anything else: 401 from the
        // handler, checked once by the matrix test); with one, any page.
        add(M::POST, p, false, |c| {
            let url = if c.anonymous {
                c.fx.link.clone()
            } else {
                format!("/home/household?no={}", c.fx.flat)
            };
            json_req(c.plain(), json!({"url": url}))
        });
    }
    for p in ["/eus/{key}", "/egov-url-shortening/{key}"] {
        add(M::GET, p, false, |c| get(c.plain()));
    }

    // HRMS (action-only: the service decides the tenants).
    add(M::POST, "/egov-hrms/employees/_create", false, |c| {
        json_req(
            c.plain(),
            json!({"Employees": [{"employeeType": "PERMANENT", "dateOfAppointment": ist_ms(months_back(1)),
                "assignments": [{"designation": "DESIG_58"}],
                "user": {"name": "Matrix Staff", "mobileNumber": c.mobile(), "gender": "FEMALE",
                         "roles": [{"code": grant_for(c.role), "tenantId": c.tenant}]}}]}),
        )
    });
    add(M::POST, "/egov-hrms/employees/_update", false, |c| {
        json_req(
            c.plain(),
            json!({"Employees": [{"code": employee_for(c), "assignments": [{"designation": "DESIG_58"}]}]}),
        )
    });
    for p in [
        "/egov-hrms/employees/_search",
        "/egov-hrms/employees/_count",
    ] {
        add(M::POST, p, false, |c| {
            json_req(
                c.q(&format!("tenantId={}&codes={}", c.tenant, c.fx.staff_code)),
                json!({}),
            )
        });
    }

    // Billing.
    add(M::POST, "/billing-service/demand/_create", false, |c| {
        let m = months_back(1);
        json_req(
            c.plain(),
            json!({"Demands": [{"tenantId": c.tenant, "consumerCode": format!("WS/MATRIX/{}", c.n),
                "businessService": "WS", "consumerType": "waterConnection",
                "taxPeriodFrom": ist_ms(m), "taxPeriodTo": mgramseva::time::month_end_ms(m),
                "demandDetails": [{"taxHeadMasterCode": "10101", "taxAmount": 50}]}]}),
        )
    });
    add(M::POST, "/billing-service/demand/_update", false, |c| {
        json_req(
            c.plain(),
            json!({"Demands": [{"id": c.fx.demand, "tenantId": c.tenant, "status": "ACTIVE",
                "additionalDetails": {"matrix": true}}]}),
        )
    });
    add(
        M::POST,
        "/billing-service/demand/_search",
        false,
        consumer_query,
    );
    add(
        M::POST,
        "/apportion-service/v2/bill/_apportion",
        false,
        |c| {
            json_req(
                c.plain(),
                json!({"tenantId": c.tenant, "Bills": [{"businessService": "WS", "amountPaid": 60,
                "billDetails": [{"fromPeriod": 1, "billAccountDetails": [
                    {"taxHeadCode": "10101", "amount": 50}, {"taxHeadCode": "10201", "amount": 10}]}]}]}),
            )
        },
    );
    add(
        M::POST,
        "/apportion-service/v2/demand/_apportion",
        false,
        |c| {
            json_req(
                c.plain(),
                json!({"tenantId": c.tenant, "Demands": [{"businessService": "WS", "taxPeriodFrom": 1,
                "demandDetails": [{"taxHeadMasterCode": "10101", "taxAmount": 50},
                                  {"taxHeadMasterCode": "WS_ADVANCE_CARRYFORWARD", "taxAmount": -20}]}]}),
            )
        },
    );
    add(M::POST, "/billing-service/demand/_history", false, |c| {
        json_req(
            c.q(&format!("tenantId={}&demandId={}", c.tenant, c.fx.demand)),
            json!({}),
        )
    });
    add(
        M::POST,
        "/billing-service/demand/_getAggregateDemandDetails",
        false,
        consumer_query,
    );
    add(
        M::POST,
        "/billing-service/bill/v2/_fetchbill",
        false,
        consumer_query,
    );
    add(
        M::POST,
        "/billing-service/bill/v2/_search",
        false,
        consumer_query,
    );
    add(
        M::POST,
        "/billing-service/bill/v2/_cancelbill",
        false,
        |c| {
            json_req(
                c.plain(),
                json!({"UpdateBillCriteria": {"tenantId": c.tenant, "consumerCodes": [c.fx.flat],
                "businessService": "WS", "additionalDetails": {"reason": "OTHER"}}}),
            )
        },
    );
    add(M::POST, "/billing-service/taxheads/_search", false, |c| {
        json_req(c.q(&format!("tenantId={}&service=WS", c.tenant)), json!({}))
    });
    add(M::POST, "/billing-service/taxperiods/_search", false, |c| {
        json_req(c.q(&format!("tenantId={}&service=WS", c.tenant)), json!({}))
    });
    add(
        M::POST,
        "/billing-service/businessservices/_search",
        false,
        |c| {
            json_req(
                c.q(&format!("tenantId={}&businessService=WS", c.tenant)),
                json!({}),
            )
        },
    );

    // Collection.
    for p in [
        "/collection-services/payments/_create",
        "/collection-services/payments/_validate",
    ] {
        add(M::POST, p, false, |c| {
            json_req(
                c.plain(),
                json!({"Payment": {"tenantId": c.tenant, "totalAmountPaid": 1, "paymentMode": "CASH",
                    "paidBy": "OWNER", "payerName": "Gurpreet Kaur", "mobileNumber": "9876543210",
                    "paymentDetails": [{"businessService": "WS", "billId": c.fx.bill}]}}),
            )
        });
    }
    for p in [
        "/collection-services/payments/_search",
        "/collection-services/payments/{module}/_search",
    ] {
        add(M::POST, p, false, |c| {
            json_req(
                c.q(&format!(
                    "tenantId={}&consumerCodes={}",
                    c.tenant, c.fx.flat
                )),
                json!({}),
            )
        });
    }
    add(
        M::POST,
        "/collection-services/payments/{module}/_workflow",
        false,
        |c| {
            json_req(
                c.plain(),
                json!({"PaymentWorkflows": [{"paymentId": c.fx.cancel_payment, "action": "CANCEL", "tenantId": c.tenant}]}),
            )
        },
    );

    // Online payments (business::pg). A zero amount and unknown transactions: refused by the
    // handlers after the gateway let them through, nothing started or settled.
    add(M::POST, "/pg-service/transaction/v1/_create", false, |c| {
        json_req(
            c.plain(),
            json!({"Transaction": {"tenantId": c.tenant, "txnAmount": "0", "module": "WS",
                "consumerCode": c.fx.flat, "billId": c.fx.bill, "callbackUrl": "/citizen/paid"}}),
        )
    });
    for m in [M::GET, M::POST] {
        add(
            m.clone(),
            "/pg-service/transaction/v1/_update",
            false,
            |c| json_req(c.q("transactionId=PB_PG_MATRIX"), json!({})),
        );
        add(m, "/pg-service/transaction/v1/_redirect", false, |c| {
            json_req(c.q("transactionId=PB_PG_MATRIX"), json!({}))
        });
    }
    add(M::POST, "/pg-service/transaction/v1/_search", false, |c| {
        json_req(c.q(&format!("tenantId={}", c.tenant)), json!({}))
    });
    add(M::POST, "/pg-service/gateway/v1/_search", false, |c| {
        json_req(c.q(&format!("tenantId={}", c.tenant)), json!({}))
    });
    add(M::GET, "/pg-service/transaction/v1/_go", false, |c| {
        get(c.q("transactionId=PB_PG_MATRIX"))
    });
    add(M::GET, "/home/online-payments", false, |c| get(c.plain()));
    add(M::GET, "/home/sms", false, |c| get(c.plain()));
    add(M::GET, "/pg-sandbox/pay", false, |c| {
        get(c.q("orderId=PB_PG_MATRIX&amount=1&returnUrl=%2F&sig=00"))
    });
    add(M::POST, "/pg-sandbox/pay", false, |c| {
        form(
            c.plain(),
            &[
                ("orderId", "PB_PG_MATRIX"),
                ("amount", "1"),
                ("returnUrl", "/"),
                ("sig", "00"),
                ("decision", "APPROVED"),
            ],
        )
    });

    // Vendors and expense bills (municipal::vendor, municipal::echallan). A new vendor per
    // probe (its own mobile number); expense writes name a vendor no GP has, so the handler
    // refuses them after the gateway let them through.
    add(M::POST, "/vendor/v1/_create", false, |c| {
        json_req(
            c.plain(),
            json!({"vendor": {"tenantId": c.tenant, "name": "Matrix Traders",
                "address": {"tenantId": c.tenant, "locality": {"code": "WARD1"}},
                "owner": {"tenantId": c.tenant, "name": "Matrix Traders", "mobileNumber": c.mobile()},
                "vehicles": [], "drivers": [], "source": "WhatsApp"}}),
        )
    });
    add(M::POST, "/vendor/v1/_search", false, |c| {
        json_req(c.q(&format!("tenantId={}&limit=-1", c.tenant)), json!({}))
    });
    for p in [
        "/echallan-services/eChallan/v1/_create",
        "/echallan-services/eChallan/v1/_update",
        "/echallan-services/eChallan/v1/_updateCreateNoPayment",
    ] {
        add(M::POST, p, false, |c| {
            json_req(
                c.plain(),
                json!({"Challan": {"tenantId": c.tenant, "challanNo": "EB-NONE",
                    "businessService": "EXPENSE.SALARY", "consumerType": "EXPENSE",
                    "typeOfExpense": "SALARY", "vendor": uuid::Uuid::nil().to_string(),
                    "vendorName": "Nobody", "amount": [{"taxHeadCode": "20201", "amount": "100"}],
                    "billDate": 1_700_000_000_000_i64, "taxPeriodFrom": 1_700_000_000_000_i64,
                    "taxPeriodTo": 1_700_000_000_000_i64, "isBillPaid": false}}),
            )
        });
    }
    add(
        M::POST,
        "/echallan-services/eChallan/v1/_search",
        false,
        |c| {
            json_req(
                c.q(&format!("tenantId={}&offset=0&limit=10", c.tenant)),
                json!({}),
            )
        },
    );

    // Water calculator.
    add(
        M::POST,
        "/ws-calculator/meterConnection/_create",
        false,
        |c| {
            json_req(
                c.plain(),
                json!({"meterReadings": {"tenantId": c.tenant, "connectionNo": c.fx.metered, "currentReading": 150,
                "currentReadingDate": Utc::now().timestamp_millis(), "meterStatus": "Working"}}),
            )
        },
    );
    add(
        M::POST,
        "/ws-calculator/meterConnection/_search",
        false,
        |c| {
            json_req(
                c.q(&format!(
                    "tenantId={}&connectionNos={}",
                    c.tenant, c.fx.metered
                )),
                json!({}),
            )
        },
    );
    add(
        M::POST,
        "/ws-calculator/waterCalculator/_estimate",
        false,
        |c| {
            json_req(
                c.plain(),
                json!({"CalculationCriteria": [{"tenantId": c.tenant, "connectionNo": c.fx.metered,
                "lastReading": 100, "currentReading": 120}]}),
            )
        },
    );
    add(
        M::POST,
        "/ws-calculator/waterCalculator/_bulkDemand",
        false,
        |c| {
            json_req(
                c.plain(),
                json!({"tenantId": c.tenant, "billingPeriod": period(months_back(1))}),
            )
        },
    );
    // A reading below the last one: refused after the gateway, nothing billed.
    add(
        M::POST,
        "/ws-calculator/waterCalculator/_calculate",
        false,
        |c| {
            json_req(
                c.plain(),
                json!({"CalculationCriteria": [{"tenantId": c.tenant, "connectionNo": c.fx.metered,
                "currentReading": 1}]}),
            )
        },
    );
    // Every GP's bulk demand: a month that is not one, refused after the caller is checked.
    add(
        M::POST,
        "/ws-calculator/waterCalculator/_jobscheduler",
        false,
        |c| json_req(c.plain(), json!({"billingPeriod": "not a month"})),
    );
    add(
        M::POST,
        "/ws-calculator/waterCalculator/_jobscheduler/{isSendMessage}",
        false,
        |c| json_req(c.plain(), json!({"billingPeriod": "not a month"})),
    );
    add(
        M::POST,
        "/ws-calculator/waterCalculator/_getPenaltyDetails",
        false,
        |c| {
            json_req(
                c.q(&format!(
                    "tenantId={}&consumerCodes={}",
                    c.tenant, c.fx.flat
                )),
                json!({}),
            )
        },
    );
    add(
        M::POST,
        "/ws-calculator/waterCalculator/_addPenalty",
        false,
        |c| json_req(c.plain(), json!({"tenantId": c.tenant})),
    );

    // Households.
    add(M::POST, "/property-services/property/_create", false, |c| {
        json_req(
            c.plain(),
            json!({"Property": {"tenantId": c.tenant, "propertyType": "RESIDENTIAL",
                "address": {"doorNo": "9", "street": "Matrix Road", "locality": {"code": "WARD1"}},
                "owners": [{"name": "Harjit Kaur", "mobileNumber": "9876500001", "gender": "FEMALE",
                            "fatherOrHusbandName": "Baldev Singh"}]}}),
        )
    });
    add(M::POST, "/property-services/property/_update", false, |c| {
        json_req(
            c.plain(),
            json!({"Property": {"tenantId": c.tenant, "propertyId": c.fx.property,
                "address": {"doorNo": "7", "street": "Main Road"}}}),
        )
    });
    add(M::POST, "/property-services/property/_search", false, |c| {
        json_req(
            c.q(&format!(
                "tenantId={}&propertyIds={}",
                c.tenant, c.fx.property
            )),
            json!({}),
        )
    });
    add(M::POST, "/ws-services/wc/_create", false, |c| {
        json_req(
            c.plain(),
            json!({"WaterConnection": {"tenantId": c.tenant, "propertyId": c.fx.property,
                "oldConnectionNo": format!("MTX/{}", c.n), "connectionType": "Non_Metered",
                "previousReadingDate": ist_ms(months_back(1)) + 86_400_000, "additionalDetails": {}}}),
        )
    });
    // The meter it already has: allowed callers change nothing.
    add(M::POST, "/ws-services/wc/_update", false, |c| {
        json_req(
            c.plain(),
            json!({"WaterConnection": {"tenantId": c.tenant, "connectionNo": c.fx.metered, "meterId": c.fx.meter_id}}),
        )
    });
    for p in ["/ws-services/wc/_search", "/ws-services/wc/fuzzy/_search"] {
        add(M::POST, p, false, |c| {
            json_req(
                c.q(&format!(
                    "tenantId={}&connectionNumber={}",
                    c.tenant, c.fx.flat
                )),
                json!({}),
            )
        });
    }
    add(
        M::POST,
        "/ws-services/wc/_countWCbyDemandGenerationDate",
        false,
        |c| json_req(c.q(&format!("tenantId={}", c.tenant)), json!({})),
    );
    add(
        M::POST,
        "/ws-services/wc/consumers/demand-not-generated",
        false,
        |c| {
            json_req(
                c.q(&format!(
                    "tenantId={}&previousMeterReading={}",
                    c.tenant,
                    mgramseva::time::month_end_ms(months_back(2))
                )),
                json!({}),
            )
        },
    );
    add(M::POST, "/pdf-service/v1/_create", false, |c| {
        json_req(
            c.q(&format!("key=ws-bill-nm-v2&tenantId={}", c.tenant)),
            json!({"Bill": [{"consumerCode": c.fx.flat}]}),
        )
    });

    // Public pages.
    add(M::GET, "/", false, |c| get(c.plain()));
    // The citizen's pages (no login) and feedback.
    add(M::GET, "/citizen", false, |c| {
        get(c.q(&format!("tenantId={}&consumerCode={}", c.tenant, c.fx.flat)))
    });
    add(M::GET, "/citizen/bill", false, |c| {
        get(c.q(&format!("tenantId={}&consumerCode={}", c.tenant, c.fx.flat)))
    });
    add(M::GET, "/citizen/bill.pdf", false, |c| {
        get(c.q(&format!("tenantId={}&consumerCode={}", c.tenant, c.fx.flat)))
    });
    add(M::GET, "/citizen/receipt.pdf", false, |c| {
        get(c.q(&format!(
            "tenantId={}&consumerCode={}&receiptNumber={}",
            c.tenant, c.fx.flat, c.fx.receipt
        )))
    });
    // Zero: back to the bill with the reason, nothing started.
    add(M::POST, "/citizen/pay", false, |c| {
        form(
            c.plain(),
            &[
                ("tenantId", c.tenant),
                ("consumerCode", c.fx.flat.as_str()),
                ("amount", "0"),
            ],
        )
    });
    // A number that is not one: the form again with its error, nothing sent.
    add(M::POST, "/citizen/otp", false, |c| {
        form(c.plain(), &[("mobile", "12345")])
    });
    add(M::GET, "/citizen/paid", false, |c| {
        get(c.q("eg_pg_txnid=PB_PG_NONE"))
    });
    add(M::GET, "/citizen/feedback", false, |c| {
        get(c.q(&format!(
            "tenantId={}&connectionno={}&paymentId={}",
            c.tenant, c.fx.flat, c.fx.payment
        )))
    });
    // Unanswered: the form comes back with its error, nothing stored.
    add(M::POST, "/citizen/feedback", false, |c| {
        form(
            c.plain(),
            &[
                ("tenantId", c.tenant),
                ("connectionno", c.fx.flat.as_str()),
                ("paymentId", c.fx.payment.as_str()),
            ],
        )
    });
    // Out of range: refused, nothing stored.
    add(M::POST, "/ws-services/wc/_submitfeedback", false, |c| {
        json_req(
            c.plain(),
            json!({"feedback": {"tenantId": c.tenant, "connectionNo": c.fx.flat, "paymentId": c.fx.payment,
                "additionalDetails": {"CheckList": [{"code": "HAPPY_WATER_SUPPLY", "value": 9}]}}}),
        )
    });
    add(M::POST, "/ws-services/wc/_getfeedback", false, |c| {
        json_req(c.q(&format!("tenantId={}", c.tenant)), json!({}))
    });
    add(M::GET, "/lang", false, |c| get(c.q("to=en&next=%2Fhome")));
    add(M::GET, "/login", false, |c| get(c.plain()));
    add(M::POST, "/login", false, |c| {
        form(
            c.plain(),
            &[
                ("mobile", LOGIN_MOBILE),
                ("password", LOGIN_PASSWORD),
                ("next", "/home"),
            ],
        )
    });
    add(M::POST, "/logout", true, |c| form(c.plain(), &[]));
    add(M::GET, "/forgot-password", false, |c| get(c.plain()));
    add(M::POST, "/forgot-password", false, |c| {
        let m = c.mobile();
        form(c.plain(), &[("mobile", m.as_str())])
    });
    add(M::POST, "/forgot-password/reset", false, |c| {
        let m = c.mobile();
        form(
            c.plain(),
            &[
                ("mobile", m.as_str()),
                ("otp", "123456"),
                ("new_password", "Matrix@123"),
                ("confirm", "Matrix@123"),
            ],
        )
    });

    // Staff shell.
    add(M::GET, "/home", false, |c| get(c.plain()));
    // Switches to a GP the caller holds a role on (and so changes the session: a fresh one).
    add(M::POST, "/home/gp", true, |c| {
        let to = if c.holder == STATE {
            c.tenant
        } else {
            c.holder
        };
        form(c.plain(), &[("tenant", to)])
    });
    add(M::GET, "/home/notifications", false, |c| get(c.plain()));
    // An event no one has: nothing to close.
    add(M::POST, "/home/notifications/close", false, |c| {
        form(
            c.plain(),
            &[
                ("id", "00000000-0000-4000-8000-000000000000"),
                ("page", "1"),
            ],
        )
    });
    add(M::GET, "/home/first-login", false, |c| get(c.plain()));
    add(M::POST, "/home/first-login/send", false, |c| {
        form(c.plain(), &[])
    });
    // A wrong one-time password: refused, the session lives on.
    add(M::POST, "/home/first-login", false, |c| {
        form(
            c.plain(),
            &[
                ("otp", "000000"),
                ("new_password", "Matrix@123"),
                ("confirm", "Matrix@123"),
            ],
        )
    });
    add(M::GET, "/home/profile", false, |c| get(c.plain()));
    add(M::POST, "/home/profile", false, |c| {
        form(
            c.plain(),
            &[
                ("name", "Matrix Tester"),
                ("gender", "FEMALE"),
                ("email", ""),
            ],
        )
    });
    add(M::GET, "/home/password", false, |c| get(c.plain()));
    // The confirmation differs: refused before anything changes.
    add(M::POST, "/home/password", false, |c| {
        form(
            c.plain(),
            &[
                ("current", "Wrong@123"),
                ("new_password", "Matrix@123"),
                ("confirm", "Matrix@124"),
            ],
        )
    });

    // Counter collection.
    add(M::GET, "/home/collect", false, |c| {
        get(c.q(&format!("consumer={}", c.fx.flat)))
    });
    add(M::POST, "/home/collect/confirm", false, |c| {
        form(
            c.plain(),
            &[
                ("bill_id", c.fx.bill.as_str()),
                ("consumer", c.fx.flat.as_str()),
                ("amount", "1"),
                ("payer", "Gurpreet Kaur"),
            ],
        )
    });
    // Not an amount: shown the bill again, nothing paid.
    add(M::POST, "/home/collect/pay", false, |c| {
        form(
            c.plain(),
            &[
                ("bill_id", c.fx.bill.as_str()),
                ("consumer", c.fx.flat.as_str()),
                ("amount", "abc"),
            ],
        )
    });
    add(M::GET, "/home/collect/receipt/{id}", false, |c| {
        get(c.plain())
    });
    add(M::GET, "/home/collect/history", false, |c| {
        get(c.q(&format!("consumer={}", c.fx.flat)))
    });

    // Households.
    add(M::GET, "/home/consumercreate", false, |c| get(c.plain()));
    // Without its fields: the form comes back with its errors.
    add(M::POST, "/home/consumercreate", false, |c| {
        form(c.plain(), &[])
    });
    add(M::GET, "/home/consumers", false, |c| {
        get(c.q(&format!("no={}", c.fx.flat)))
    });
    add(M::GET, "/home/household", false, |c| {
        get(c.q(&format!("no={}", c.fx.flat)))
    });
    // Not a reading: back to the household with the error.
    add(M::POST, "/home/household/reading", false, |c| {
        form(
            c.plain(),
            &[("no", c.fx.metered.as_str()), ("reading", ""), ("date", "")],
        )
    });
    add(M::GET, "/home/household/bill.pdf", false, |c| {
        get(c.q(&format!("no={}", c.fx.flat)))
    });
    add(M::POST, "/home/household/share", false, |c| {
        form(c.plain(), &[("no", c.fx.flat.as_str())])
    });
    add(M::GET, "/home/receipt.pdf", false, |c| {
        get(c.q(&format!("no={}", c.fx.receipt)))
    });
    add(M::POST, "/home/receipt/share", false, |c| {
        form(c.plain(), &[("no", c.fx.receipt.as_str())])
    });
    add(M::GET, "/home/consumerupdate", false, |c| {
        get(c.q(&format!("no={}", c.fx.flat)))
    });
    // Without the household's fields: the form comes back with its errors.
    add(M::POST, "/home/consumerupdate", false, |c| {
        form(c.plain(), &[("no", c.fx.flat.as_str())])
    });
    add(M::GET, "/home/villagedetails", false, |c| get(c.plain()));
    add(M::GET, "/home/consumerimport", false, |c| get(c.plain()));
    add(M::GET, "/home/consumerimport/template.csv", false, |c| {
        get(c.plain())
    });
    add(M::GET, "/home/consumerimport/template.xlsx", false, |c| {
        get(c.plain())
    });
    // A workbook with its header and no rows.
    add(M::POST, "/home/consumerimport/preview", false, |c| Req {
        uri: c.plain(),
        body: Body::Multipart(
            "matrixboundary7d3f",
            vec![
                ("_csrf", None, CSRF.to_owned()),
                ("file", Some("households.csv"), CSV.to_owned()),
            ],
        ),
        headers: Vec::new(),
    });
    // A file that is not there.
    add(M::POST, "/home/consumerimport", false, |c| {
        form(
            c.plain(),
            &[("file_id", "00000000-0000-4000-8000-000000000000")],
        )
    });
    add(M::GET, "/home/householdRegister", false, |c| get(c.plain()));
    add(M::GET, "/home/householdRegister.pdf", false, |c| {
        get(c.plain())
    });
    add(M::GET, "/home/householdRegister.xlsx", false, |c| {
        get(c.plain())
    });
    // Expense figures and reports (issue 14): last month's, read-only.
    for p in [
        "/echallan-services/eChallan/v1/_expenseDashboard",
        "/echallan-services/eChallan/v1/_chalanCollectionData",
    ] {
        add(M::POST, p, false, |c| {
            let m = months_back(1);
            json_req(
                c.q(&format!(
                    "tenantId={}&fromDate={}&toDate={}",
                    c.tenant,
                    ist_ms(m),
                    mgramseva::time::month_end_ms(m)
                )),
                json!({}),
            )
        });
    }
    // The GP's dashboard (issue 17): last month's revenue, read-only.
    for p in [
        "/ws-services/wc/_revenueDashboard",
        "/ws-services/wc/_revenueCollectionData",
    ] {
        add(M::POST, p, false, |c| {
            let m = months_back(1);
            json_req(
                c.q(&format!(
                    "tenantId={}&fromDate={}&toDate={}",
                    c.tenant,
                    ist_ms(m),
                    mgramseva::time::month_end_ms(m)
                )),
                json!({}),
            )
        });
    }
    add(
        M::POST,
        "/dashboard-analytics/dashboard/getChartV2",
        false,
        |c| {
            let m = months_back(1);
            json_req(
                c.plain(),
                json!({"aggregationRequestDto": {"visualizationCode": "revenueAndExpenditureTrendTwo",
                "requestDate": {"startDate": ist_ms(m), "endDate": mgramseva::time::month_end_ms(m)}},
                "headers": {"tenantId": c.tenant}}),
            )
        },
    );
    add(M::GET, "/home/dashboard", false, |c| get(c.plain()));
    add(M::GET, "/home/dashboard.pdf", false, |c| get(c.plain()));
    // In-app notifications: the app's queries; an update of an event no one has (refused as
    // invalid after the gateway let it through).
    add(M::POST, "/egov-user-event/v1/events/_search", false, |c| {
        json_req(
            c.q(&format!(
                "tenantId={}&eventType=SYSTEMGENERATED&status=READ,ACTIVE&offset=0&limit=10",
                c.tenant
            )),
            json!({}),
        )
    });
    add(M::POST, "/egov-user-event/v1/events/_update", false, |c| {
        json_req(
            c.plain(),
            json!({"events": [{"id": "00000000-0000-4000-8000-000000000000", "tenantId": c.tenant, "status": "READ"}]}),
        )
    });
    add(
        M::POST,
        "/egov-user-event/v1/events/notifications/_count",
        false,
        |c| json_req(c.q(&format!("tenantId={}", c.tenant)), json!({})),
    );
    add(
        M::POST,
        "/egov-user-event/v1/events/lat/_update",
        false,
        |c| json_req(c.plain(), json!({})),
    );
    add(
        M::POST,
        "/echallan-services/eChallan/v1/_lastMonthSummary",
        false,
        |c| json_req(c.q(&format!("tenantId={}", c.tenant)), json!({})),
    );
    add(
        M::POST,
        "/echallan-services/eChallan/v1/_expenseBillReport",
        false,
        |c| {
            let m = months_back(1);
            let end = mgramseva::time::next_month(m).pred_opt().unwrap();
            json_req(
                c.q(&format!(
                    "tenantId={}&monthstartDate={}&monthendDate={}&offset=0&limit=10",
                    c.tenant,
                    m.format("%d/%m/%Y"),
                    end.format("%d/%m/%Y")
                )),
                json!({}),
            )
        },
    );
    add(M::POST, "/vendor/v1/_vendorReport", false, |c| {
        json_req(
            c.q(&format!(
                "tenantId={}&monthStartDate={}&offset=0&limit=10",
                c.tenant,
                months_back(1).format("%d/%m/%Y")
            )),
            json!({}),
        )
    });
    add(M::POST, "/ws-services/wc/_billReport", false, |c| {
        ws_report(c, "demandStartDate", "demandEndDate")
    });
    add(M::POST, "/ws-services/wc/_collectionReport", false, |c| {
        ws_report(c, "paymentStartDate", "paymentEndDate")
    });
    add(
        M::POST,
        "/ws-services/wc/_inactiveConsumerReport",
        false,
        |c| ws_report(c, "monthStartDate", "monthEndDate"),
    );
    add(M::POST, "/ws-services/wc/month-report", false, |c| {
        ws_report(c, "startDate", "endDate")
    });
    add(M::POST, "/ws-services/wc/ledger-report", false, |c| {
        json_req(
            c.q(&format!(
                "tenantId={}&consumercode=WS-NONE&offset=0&limit=12&year={}",
                c.tenant,
                mgramseva::time::Fy::of(chrono::Utc::now()).label()
            )),
            json!({}),
        )
    });
    for p in [
        "/home/reports/bill",
        "/home/reports/bill.xlsx",
        "/home/reports/bill.csv",
        "/home/reports/collection",
        "/home/reports/collection.xlsx",
        "/home/reports/collection.csv",
        "/home/reports/inactive",
        "/home/reports/inactive.xlsx",
        "/home/reports/inactive.csv",
        "/home/reports/monthly",
        "/home/reports/monthly.xlsx",
        "/home/reports/monthly.csv",
        "/home/reports/monthly.pdf",
        "/home/reports/ledger",
        "/home/reports/ledger.xlsx",
        "/home/reports/ledger.csv",
        "/home/reports/ledger.pdf",
    ] {
        add(M::GET, p, false, |c| get(c.plain()));
    }
    for p in [
        "/home/reports",
        "/home/reports/expenseBill",
        "/home/reports/expenseBill.xlsx",
        "/home/reports/expenseBill.csv",
        "/home/reports/vendor",
        "/home/reports/vendor.xlsx",
        "/home/reports/vendor.csv",
        "/home/books",
        "/home/books/receipts-payments",
        "/home/books/reconciliation",
        "/home/books/receivables",
        "/home/books/payables",
        "/home/books/dcb",
    ] {
        add(M::GET, p, false, |c| get(c.plain()));
    }
    add(
        M::GET,
        "/home/billmanualgenerate",
        false,
        |c| get(c.plain()),
    );
    add(M::POST, "/home/billmanualgenerate/confirm", false, |c| {
        let month = period(months_back(1));
        form(c.plain(), &[("month", month.as_str())])
    });
    // Not a month: the page comes back with the error, nothing is generated.
    add(M::POST, "/home/billmanualgenerate", false, |c| {
        form(c.plain(), &[("month", "someday")])
    });
    add(M::GET, "/home/billmanualgenerate/consumers", false, |c| {
        get(c.q(&format!(
            "not_since={}",
            mgramseva::time::month_end_ms(months_back(2))
        )))
    });

    // Expenses: a bill that is not there, a form without its fields (the form comes back with
    // its errors, nothing is written).
    add(M::GET, "/home/addExpense", false, |c| get(c.plain()));
    add(M::POST, "/home/addExpense", false, |c| Req {
        uri: c.plain(),
        body: Body::Multipart(
            "matrixboundary7d3f",
            vec![
                ("_csrf", None, CSRF.to_owned()),
                ("amount", None, "0".to_owned()),
            ],
        ),
        headers: Vec::new(),
    });
    add(M::GET, "/home/searchExpense", false, |c| {
        get(c.q("tab=pending"))
    });
    add(M::GET, "/home/updateExpense", false, |c| {
        get(c.q("no=EB-NOSUCH"))
    });
    add(M::POST, "/home/updateExpense/confirm", false, |c| {
        form(c.plain(), &[("no", "EB-NOSUCH"), ("action", "cancel")])
    });
    add(M::POST, "/home/updateExpense", false, |c| {
        form(c.plain(), &[("no", "EB-NOSUCH"), ("action", "cancel")])
    });

    // Jobs and the roll-out dashboard (the state admin's; reads only).
    add(M::GET, "/home/jobs", false, |c| get(c.plain()));
    add(M::GET, "/home/jobs/{name}", false, |c| get(c.plain()));
    add(M::GET, "/home/rollout", false, |c| {
        get(c.q("range=CONSOLIDATED&division=&zone="))
    });
    add(M::POST, "/mgramseva/rollout/v1/_search", false, |c| {
        json_req(
            c.q(&format!(
                "tenantId={}&dateRange=CONSOLIDATED&limit=10",
                c.tenant
            )),
            json!({}),
        )
    });

    // GPWSC details: the app's two iFIX searches for the named tenant's village (the state's
    // department for the state), as the app builds them.
    add(
        M::POST,
        "/ifix-department-entity/departmentEntity/v1/_search",
        false,
        |c| {
            json_req(
                c.plain(),
                json!({"requestHeader": {"msgId": "Unknown", "signature": "NON"},
                       "criteria": {"code": ifix_code(c.tenant), "tenantId": STATE, "getAncestry": true}}),
            )
        },
    );
    add(
        M::POST,
        "/adapter-master-data/project/v1/_search",
        false,
        |c| {
            let level = if c.tenant == STATE { 0 } else { 6 };
            let id =
                mgramseva::municipal::gpwsc::service::entity_id(STATE, level, ifix_code(c.tenant));
            json_req(
                c.plain(),
                json!({"requestHeader": {"msgId": "Unknown", "signature": "NON"},
                   "criteria": {"departmentEntityId": id, "tenantId": STATE}}),
            )
        },
    );
    // The division and state views (reads only).
    add(M::GET, "/home/state", false, |c| {
        get(c.q("sortBy=demand&sortOrder=desc"))
    });
    add(M::GET, "/home/state/gp/{tenant}", false, |c| get(c.plain()));
    add(M::POST, "/mgramseva/state/v1/_search", false, |c| {
        json_req(c.q(&format!("tenantId={}&limit=10", c.tenant)), json!({}))
    });

    // Employees.
    add(M::GET, "/home/hrms", false, |c| get(c.plain()));
    add(M::GET, "/home/hrms/new", false, |c| get(c.plain()));
    // Without its fields: the form comes back with its errors.
    add(M::POST, "/home/hrms/new", false, |c| form(c.plain(), &[]));
    add(M::GET, "/home/hrms/{code}", false, |c| get(c.plain()));
    // Active already: nothing changes.
    add(M::POST, "/home/hrms/{code}/status", false, |c| {
        form(c.plain(), &[("active", "true"), ("reason", "OTHERS")])
    });
    // Razorpay's webhook (open; only its signature admits it): a forged one, refused by the
    // handler after the gateway let it through, nothing settled.
    add(
        M::POST,
        "/pg-service/transaction/v1/_webhook/razorpay",
        false,
        |c| {
            let mut r = json_req(
                c.plain(),
                json!({"event": "payment.captured", "payload": {}}),
            );
            r.headers.push(("x-razorpay-signature", "00".repeat(32)));
            r
        },
    );
    m
}

/// A tenant's iFIX code (`city.code` of the tenant master).
fn ifix_code(tenant: &str) -> &'static str {
    match tenant {
        GP => "7374",
        OTHER_GP => "7204",
        STATE => "1013",
        t => panic!("no iFIX code for {t}"),
    }
}

/// The route's path with its parameters filled in for `fx`.
pub fn concrete(pattern: &str, w: &World, fx: &Fixtures) -> String {
    // `{id}`: a user's on the user routes, a payment's on the others
    let id = if pattern.starts_with("/user/") {
        fx.user_id.to_string()
    } else {
        fx.payment.clone()
    };
    pattern
        .replace("{module}", "WS")
        .replace("{tail:.*}", "css/app.css")
        .replace("{key}", &w.short_key)
        .replace("{id}", &id)
        .replace("{code}", &fx.staff_code)
        .replace("{isSendMessage}", "false")
        .replace("{name}", "penalty")
        .replace("{tenant}", w.tenant_of(fx))
}

/// Sends DIGIT JSON with a token in RequestInfo.
async fn api<C, F>(call: &C, uri: &str, token: &str, body: Value) -> Answer
where
    C: Fn(test::TestRequest) -> F,
    F: Future<Output = Answer>,
{
    let mut b = body;
    b["RequestInfo"] = ri(token);
    call(test::TestRequest::post().uri(uri).set_json(b)).await
}

fn ok(a: &Answer, status: u16, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.body);
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

/// A household's number (a property, then its connection).
async fn household<C, F>(
    call: &C,
    token: &str,
    tenant: &str,
    owner: &str,
    wc: Value,
) -> (String, String)
where
    C: Fn(test::TestRequest) -> F,
    F: Future<Output = Answer>,
{
    let a = api(
        call,
        "/property-services/property/_create",
        token,
        json!({"Property": {"tenantId": tenant, "propertyType": "RESIDENTIAL",
            "address": {"doorNo": "7", "street": "Main Road", "locality": {"code": "WARD1"}},
            "owners": [{"name": "Gurpreet Kaur", "mobileNumber": owner, "gender": "FEMALE",
                        "fatherOrHusbandName": "Baldev Singh"}]}}),
    )
    .await;
    ok(&a, 201, "property");
    let property = text(&a.json["Properties"][0]["propertyId"]);
    let mut wc = wc;
    wc["tenantId"] = json!(tenant);
    wc["propertyId"] = json!(property);
    let a = api(
        call,
        "/ws-services/wc/_create",
        token,
        json!({"WaterConnection": wc}),
    )
    .await;
    ok(&a, 201, "connection");
    (
        property,
        text(&a.json["WaterConnection"][0]["connectionNo"]),
    )
}

async fn fetch_bill<C, F>(call: &C, token: &str, tenant: &str, consumer: &str) -> String
where
    C: Fn(test::TestRequest) -> F,
    F: Future<Output = Answer>,
{
    let a = api(
        call,
        &format!(
            "/billing-service/bill/v2/_fetchbill?tenantId={tenant}&consumerCode={consumer}&businessService=WS"
        ),
        token,
        json!({}),
    )
    .await;
    ok(&a, 200, "fetch bill");
    text(&a.json["Bill"][0]["id"])
}

async fn pay<C, F>(call: &C, token: &str, tenant: &str, bill: &str, amount: i64) -> Value
where
    C: Fn(test::TestRequest) -> F,
    F: Future<Output = Answer>,
{
    let a = api(
        call,
        "/collection-services/payments/_create",
        token,
        json!({"Payment": {"tenantId": tenant, "totalAmountPaid": amount, "paymentMode": "CASH",
            "paidBy": "OWNER", "payerName": "Gurpreet Kaur", "mobileNumber": "9876543210",
            "paymentDetails": [{"businessService": "WS", "billId": bill}]}}),
    )
    .await;
    ok(&a, 200, "payment");
    a.json["Payments"][0].clone()
}

/// An employee made by the superuser; returns its code.
async fn employee<C, F>(call: &C, su: &str, mobile: &str, role: &str, tenant: &str) -> String
where
    C: Fn(test::TestRequest) -> F,
    F: Future<Output = Answer>,
{
    let a = api(
        call,
        "/egov-hrms/employees/_create",
        su,
        json!({"Employees": [{"employeeType": "PERMANENT", "assignments": [{"designation": "DESIG_58"}],
            "user": {"name": "Matrix Employee", "mobileNumber": mobile, "gender": "MALE",
                     "roles": [{"code": role, "tenantId": tenant}]}}]}),
    )
    .await;
    ok(&a, 200, "employee");
    text(&a.json["Employees"][0]["code"])
}

impl World {
    /// Households, bills, payments, a file and employees on both GPs, each made by the GP's own
    /// secretary; employees on the state tenant; a short link.
    pub async fn build<C, F>(app: &TestApp, call: &C) -> World
    where
        C: Fn(test::TestRequest) -> F,
        F: Future<Output = Answer>,
    {
        let su = app.login("9700000001", &["SUPERUSER@pb"]);
        let base = app
            .state
            .settings
            .app
            .base_url
            .trim_end_matches('/')
            .to_owned();
        let mut gps = Vec::new();
        for (i, tenant) in [GP, OTHER_GP].into_iter().enumerate() {
            let staff = app.login(
                &format!("97000000{}2", i + 1),
                &[&format!("SECRETARY@{tenant}")],
            );
            let meter_id = format!("MTR{}", tenant.trim_start_matches("pb."));
            let (property, flat) = household(
                call,
                &staff,
                tenant,
                &format!("98765000{i}1"),
                json!({"oldConnectionNo": "MTX/FLAT", "connectionType": "Non_Metered",
                       "previousReadingDate": ist_ms(months_back(2)) + 86_400_000, "arrears": 100}),
            )
            .await;
            let (_, metered) = household(
                call,
                &staff,
                tenant,
                &format!("98765000{i}2"),
                json!({"oldConnectionNo": "MTX/METER", "connectionType": "Metered", "meterId": meter_id,
                       "previousReadingDate": ist_ms(months_back(1)) + 5 * 86_400_000,
                       "additionalDetails": {"initialMeterReading": 100}}),
            )
            .await;
            let bill = fetch_bill(call, &staff, tenant, &flat).await;
            let p = pay(call, &staff, tenant, &bill, 10).await;
            let bill = fetch_bill(call, &staff, tenant, &flat).await;
            let cancel = pay(call, &staff, tenant, &bill, 5).await;
            let bill = fetch_bill(call, &staff, tenant, &flat).await;
            let a = api(
                call,
                &format!(
                    "/billing-service/demand/_search?tenantId={tenant}&consumerCode={flat}&businessService=WS"
                ),
                &staff,
                json!({}),
            )
            .await;
            ok(&a, 200, "demands");
            let demand = text(&a.json["Demands"][0]["id"]);
            let a = api(
                call,
                &format!("/pdf-service/v1/_create?key=ws-bill-nm-v2&tenantId={tenant}"),
                &staff,
                json!({"Bill": [{"consumerCode": flat}]}),
            )
            .await;
            ok(&a, 201, "bill PDF");
            let file = text(&a.json["filestoreIds"][0]);
            let a = call(
                test::TestRequest::get()
                    .uri(&format!(
                        "/filestore/v1/files/url?tenantId={tenant}&fileStoreIds={file}"
                    ))
                    .insert_header(("auth-token", staff.clone())),
            )
            .await;
            ok(&a, 200, "file link");
            let url = text(&a.json["fileStoreIds"][0]["url"]);
            let link = url.strip_prefix(&base).unwrap_or(&url).to_owned();
            let staff_code =
                employee(call, &su, &format!("97000001{i}1"), "SECRETARY", tenant).await;
            let division_code =
                employee(call, &su, &format!("97000001{i}2"), "DIV_ADMIN", tenant).await;
            let user_id = app
                .employee(
                    &format!("97000001{i}3"),
                    &[&format!("SECRETARY@{tenant}")],
                    None,
                )
                .id;
            gps.push(Fixtures {
                property,
                flat,
                metered,
                meter_id,
                bill,
                demand,
                payment: text(&p["id"]),
                receipt: text(&p["paymentDetails"][0]["receiptNumber"]),
                cancel_payment: text(&cancel["id"]),
                file,
                link,
                staff_code,
                division_code,
                user_id,
            });
        }
        let other = gps.pop().unwrap_or_else(|| unreachable!());
        let gp = gps.pop().unwrap_or_else(|| unreachable!());
        // The state tenant has no households: its samples name GP data on `pb` (the handlers
        // find nothing there); its file link is signed for `pb`, for a file that is not there.
        let file = uuid::Uuid::new_v4();
        let state = Fixtures {
            file: file.to_string(),
            link: mgramseva::platform::filestore::signed_path(
                &app.state.crypto,
                STATE,
                file,
                Utc::now(),
            ),
            staff_code: employee(call, &su, "9700000131", "SECRETARY", STATE).await,
            division_code: employee(call, &su, "9700000132", "DIV_ADMIN", STATE).await,
            user_id: app.employee("9700000133", &["DIV_ADMIN@pb"], None).id,
            ..gp.clone()
        };
        let a = call(
            test::TestRequest::post()
                .uri("/eus/shortener")
                .set_json(json!({"url": gp.link})),
        )
        .await;
        ok(&a, 200, "short link");
        let short_key = a.body.rsplit('/').next().unwrap_or_default().to_owned();
        // The one password user.
        let u = app.employee(LOGIN_MOBILE, &["EMPLOYEE"], Some(LOGIN_PASSWORD));
        super::password_changed(app, &[u.id]);
        World {
            gp,
            other,
            state,
            short_key,
        }
    }
}

/// A water report's request for last month (`from`/`to` name its two day fields).
fn ws_report(c: &Ctx<'_>, from: &str, to: &str) -> Req {
    let m = months_back(1);
    let end = mgramseva::time::next_month(m).pred_opt().unwrap();
    json_req(
        c.q(&format!(
            "tenantId={}&{from}={}&{to}={}&offset=0&limit=10&sortOrder=ASC",
            c.tenant,
            m.format("%d/%m/%Y"),
            end.format("%d/%m/%Y")
        )),
        json!({}),
    )
}
