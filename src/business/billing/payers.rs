//! Who pays a consumer's bills, as a bill shows it (`payerName`, `mobileNumber`): the holder the
//! business service's own module knows (water: the connection holder, the property's owner), or,
//! for a consumer it does not know, the account the demands name as payer (what billing-service
//! does: the demand's payer user).
//!
//! A module above billing tells billing its holders by [`install`] at start (`build_state`), so
//! billing never imports it. Names and mobile numbers are personal data: they are read (and
//! opened) when a bill is answered and never written into a stored bill.

use std::collections::HashMap;
use std::sync::RwLock;

use diesel::PgConnection;
use serde_json::{Value, json};

use crate::error::AppResult;
use crate::platform::encryption::Crypto;
use crate::platform::user;

/// Who pays: a name and, when known, a mobile number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payer {
    pub name: String,
    pub mobile: Option<String>,
}

/// The holders of a tenant's consumers, `(consumer code, payer)` for those among `consumers` the
/// module knows.
pub type Holders =
    fn(&mut PgConnection, &Crypto, &str, &[String]) -> AppResult<Vec<(String, Payer)>>;

static HOLDERS: RwLock<Vec<(&'static str, Holders)>> = RwLock::new(Vec::new());

/// Registers the holders of `business_service`'s consumers (again: replaced).
pub fn install(business_service: &'static str, holders: Holders) {
    let mut all = HOLDERS.write().unwrap_or_else(|p| p.into_inner());
    all.retain(|(s, _)| *s != business_service);
    all.push((business_service, holders));
}

fn holders_of(business_service: &str) -> Option<Holders> {
    HOLDERS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .find(|(s, _)| *s == business_service)
        .map(|(_, h)| *h)
}

/// A consumer whose payer is asked: its code and the account its bill names (`userId`).
#[derive(Clone, Debug)]
pub struct Billed {
    pub consumer_code: String,
    pub payer_uuid: Option<uuid::Uuid>,
}

/// The payers of `billed` consumers of one tenant's business service, by consumer code: the
/// holders its module knows, else the accounts named (one query each way).
pub fn payers(
    conn: &mut PgConnection,
    crypto: &Crypto,
    tenant: &str,
    business_service: &str,
    billed: &[Billed],
) -> AppResult<HashMap<String, Payer>> {
    let mut codes: Vec<String> = billed.iter().map(|b| b.consumer_code.clone()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut found: HashMap<String, Payer> = match holders_of(business_service) {
        Some(h) if !codes.is_empty() => h(conn, crypto, tenant, &codes)?.into_iter().collect(),
        _ => HashMap::new(),
    };
    let mut accounts: Vec<uuid::Uuid> = billed
        .iter()
        .filter(|b| !found.contains_key(&b.consumer_code))
        .filter_map(|b| b.payer_uuid)
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    if !accounts.is_empty() {
        let people = user::service::contacts(conn, crypto, &accounts)?;
        for b in billed {
            if found.contains_key(&b.consumer_code) {
                continue;
            }
            if let Some((_, name, mobile)) =
                people.iter().find(|(u, _, _)| Some(*u) == b.payer_uuid)
            {
                found.insert(
                    b.consumer_code.clone(),
                    Payer {
                        name: name.clone(),
                        mobile: mobile.clone(),
                    },
                );
            }
        }
    }
    Ok(found)
}

/// The payer fields of a bill (billing-service's `BillV2`): name, mobile number, address and
/// e-mail (these two are not kept: null).
fn fields(p: Option<&Payer>) -> [(&'static str, Value); 4] {
    [
        ("mobileNumber", json!(p.and_then(|p| p.mobile.as_deref()))),
        ("payerAddress", Value::Null),
        ("payerEmail", Value::Null),
        ("payerName", json!(p.map(|p| p.name.as_str()))),
    ]
}

/// Sets the payer fields of a bill's JSON.
pub fn set_payer(bill: &mut Value, p: Option<&Payer>) {
    if let Some(o) = bill.as_object_mut() {
        for (k, v) in fields(p) {
            o.insert(k.to_owned(), v);
        }
    }
}

/// A stored bill's JSON text (which holds no payer fields) with them added, without parsing it.
pub fn with_payer_text(body: &str, p: Option<&Payer>) -> String {
    let trimmed = body.trim_end();
    let Some(open) = trimmed.strip_suffix('}') else {
        return body.to_owned();
    };
    let mut out = String::with_capacity(body.len() + 96);
    out.push_str(open);
    let mut first = open.trim_end().ends_with('{');
    for (k, v) in fields(p) {
        if !first {
            out.push(',');
        }
        first = false;
        out.push('"');
        out.push_str(k);
        out.push_str("\":");
        out.push_str(&v.to_string());
    }
    out.push('}');
    out
}

/// The `(tenant, business service, consumer code, payer account)` a bill's JSON names.
pub fn billed_of(bill: &Value) -> Option<(String, String, Billed)> {
    let s = |k: &str| bill.get(k).and_then(Value::as_str).map(str::to_owned);
    Some((
        s("tenantId")?,
        s("businessService")?,
        Billed {
            consumer_code: s("consumerCode")?,
            payer_uuid: s("userId").and_then(|u| uuid::Uuid::parse_str(&u).ok()),
        },
    ))
}

/// Sets the payer fields of bills given as JSON (any tenants and services).
pub fn add_payers(conn: &mut PgConnection, crypto: &Crypto, bills: &mut [Value]) -> AppResult<()> {
    let mut groups: HashMap<(String, String), Vec<Billed>> = HashMap::new();
    for b in bills.iter() {
        if let Some((t, s, billed)) = billed_of(b) {
            groups.entry((t, s)).or_default().push(billed);
        }
    }
    let mut found: HashMap<(String, String, String), Payer> = HashMap::new();
    for ((t, s), billed) in groups {
        for (code, p) in payers(conn, crypto, &t, &s, &billed)? {
            found.insert((t.clone(), s.clone(), code), p);
        }
    }
    for b in bills.iter_mut() {
        let key = billed_of(b).map(|(t, s, x)| (t, s, x.consumer_code));
        let p = key.and_then(|k| found.get(&k));
        set_payer(b, p);
    }
    Ok(())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    #[test]
    fn payer_fields_are_added_to_a_stored_text_as_to_json() {
        let p = Payer {
            name: "Gurpreet \"Kaur\"".into(),
            mobile: Some("9876543210".into()),
        };
        let body = r#"{"consumerCode":"WS/1","totalAmount":120}"#;
        let text: Value = serde_json::from_str(&with_payer_text(body, Some(&p))).unwrap();
        let mut v: Value = serde_json::from_str(body).unwrap();
        set_payer(&mut v, Some(&p));
        assert_eq!(text, v);
        assert_eq!(v["payerName"], "Gurpreet \"Kaur\"");
        assert_eq!(v["mobileNumber"], "9876543210");
        let none: Value = serde_json::from_str(&with_payer_text("{}", None)).unwrap();
        assert_eq!(none["payerName"], Value::Null);
        assert_eq!(none.as_object().map(|o| o.len()), Some(4));
    }
}
