//! The app's answer models as a checker: does a JSON answer parse the way the mGramSeva app's
//! `fromJson` would read it, or would the app throw?
//!
//! The field types come from `tests/data/app-models.json`, written by
//! `scripts/dev/app-models.py` from the app's generated `*.g.dart` files (see the script's header
//! for the type names). Null is allowed wherever the app reads a field with `?`, and an absent
//! field reads as null; a value of another type is what makes the app's cast throw.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Value, json};

struct Models(BTreeMap<String, BTreeMap<String, Vec<String>>>);

fn models() -> &'static Models {
    static M: OnceLock<Models> = OnceLock::new();
    M.get_or_init(|| {
        let doc: Value = serde_json::from_str(include_str!("../data/app-models.json"))
            .expect("tests/data/app-models.json is JSON");
        let mut out = BTreeMap::new();
        for (name, m) in doc["models"].as_object().expect("a models object") {
            let mut fields = BTreeMap::new();
            for (key, t) in m["fields"].as_object().expect("a fields object") {
                let types = match t {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().expect("a type name").to_owned())
                        .collect(),
                    other => panic!("{name}.{key}: a type is a string or a list, not {other}"),
                };
                fields.insert(key.clone(), types);
            }
            out.insert(name.clone(), fields);
        }
        Models(out)
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "double",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}

impl Models {
    /// Checks `v` against a type (without the `!`, which the caller handles), adding what is wrong.
    fn check(&self, ty: &str, v: &Value, path: &str, errs: &mut Vec<String>) {
        let ok = match ty {
            "any" => true,
            "string" => v.is_string(),
            "bool" => v.is_boolean(),
            "num" => v.is_number(),
            // `double? x = json['x']` (no cast) throws on a JSON integer.
            "double" => v.is_f64(),
            // `as int?` throws on a JSON number written with a fraction or an exponent.
            "int" => v.is_i64() || v.is_u64(),
            "map" => v.is_object(),
            "list" => v.is_array(),
            _ => {
                if let Some(item) = ty.strip_prefix("list:") {
                    match v.as_array() {
                        Some(a) => {
                            for (i, x) in a.iter().enumerate() {
                                self.item(item, x, &format!("{path}[{i}]"), errs);
                            }
                            true
                        }
                        None => false,
                    }
                } else if let Some(value) = ty.strip_prefix("mapof:") {
                    match v.as_object() {
                        Some(o) => {
                            for (k, x) in o {
                                self.item(value, x, &format!("{path}.{k}"), errs);
                            }
                            true
                        }
                        None => false,
                    }
                } else if let Some(model) = ty.strip_prefix("model:") {
                    match v.as_object() {
                        Some(_) => {
                            self.walk(model, v, path, errs);
                            true
                        }
                        None => false,
                    }
                } else {
                    errs.push(format!("{path}: unknown type {ty} in app-models.json"));
                    true
                }
            }
        };
        if !ok {
            let want = match ty.split(':').next().unwrap_or(ty) {
                "model" | "mapof" => "map",
                other => other,
            };
            errs.push(format!("{path}: expected {want}, got {}", kind(v)));
        }
    }

    /// A list item or map value: never null (`e as String`, `X.fromJson(e as Map)` throw on it).
    fn item(&self, ty: &str, v: &Value, path: &str, errs: &mut Vec<String>) {
        if v.is_null() {
            errs.push(format!("{path}: expected {ty}, got null"));
            return;
        }
        let known = matches!(
            ty,
            "any" | "string" | "bool" | "num" | "double" | "int" | "map" | "list"
        ) || ty.contains(':');
        if known {
            self.check(ty, v, path, errs);
        } else {
            self.check(&format!("model:{ty}"), v, path, errs);
        }
    }

    /// Walks an object as model `name`: every field the model reads, in the app's types.
    fn walk(&self, name: &str, v: &Value, path: &str, errs: &mut Vec<String>) {
        let Some(fields) = self.0.get(name) else {
            errs.push(format!("{path}: no model {name} in app-models.json"));
            return;
        };
        for (key, types) in fields {
            let x = v.get(key).unwrap_or(&Value::Null);
            let here = format!("{path}.{key}");
            for t in types {
                let (t, required) = t
                    .strip_suffix('!')
                    .map_or((t.as_str(), false), |b| (b, true));
                if x.is_null() {
                    if required {
                        let t = t.strip_prefix("model:").unwrap_or(t);
                        errs.push(format!("{here}: expected {t}, got null"));
                    }
                    continue;
                }
                self.check(t, x, &here, errs);
            }
        }
    }
}

/// Ok if the app's `Model.fromJson(v)` would not throw; otherwise every field that would, one per
/// line, as `Model.path[0].field: expected string, got bool`.
pub fn parses_as(model: &str, v: &Value) -> Result<(), String> {
    let m = models();
    if !m.0.contains_key(model) {
        return Err(format!("no model {model} in app-models.json"));
    }
    let mut errs = Vec::new();
    if v.is_object() {
        m.walk(model, v, model, &mut errs);
    } else {
        errs.push(format!("{model}: expected map, got {}", kind(v)));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("\n"))
    }
}

/// Panics, naming every field the app would choke on, unless `v` parses as `model`.
#[track_caller]
pub fn assert_parses(model: &str, v: &Value) {
    if let Err(e) = parses_as(model, v) {
        panic!("the app cannot read this answer as {model}:\n{e}\nanswer: {v}");
    }
}

/// What the app sends back after reading `v` as `model` (`Model.fromJson(v).toJson()`): the
/// model's fields only, absent ones as null, nested models likewise. The generated `toJson`
/// writes the keys its `fromJson` reads, so the model's field list is the key list.
pub fn as_app_sends(model: &str, v: &Value) -> Value {
    let m = models();
    let Some(fields) = m.0.get(model) else {
        panic!("no model {model} in app-models.json");
    };
    let mut out = serde_json::Map::new();
    for (key, types) in fields {
        let x = v.get(key).cloned().unwrap_or(Value::Null);
        let t = types[0].trim_end_matches('!');
        let x = match (t.split_once(':'), &x) {
            (Some(("model", n)), Value::Object(_)) => as_app_sends(n, &x),
            (Some(("list", n)), Value::Array(a)) if m.0.contains_key(n) => {
                Value::Array(a.iter().map(|i| as_app_sends(n, i)).collect())
            }
            _ => x,
        };
        out.insert(key.clone(), x);
    }
    Value::Object(out)
}

/// Each item of a list the app maps with `X.fromJson` (`res['messages'].map(...)`): a list is
/// needed (null.map throws), and every item must parse.
pub fn list_parses_as(model: &str, v: &Value, path: &str) -> Result<(), String> {
    let Some(items) = v.as_array() else {
        return Err(format!("{path}: expected list, got {}", kind(v)));
    };
    let errs: Vec<String> = items
        .iter()
        .enumerate()
        .filter_map(|(i, x)| {
            parses_as(model, x)
                .err()
                .map(|e| format!("{path}[{i}] as {e}"))
        })
        .collect();
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("\n"))
    }
}

#[test]
fn every_model_the_data_names_is_described() {
    let m = models();
    assert!(m.0.len() > 100, "{} models", m.0.len());
    let mut missing = Vec::new();
    for (name, fields) in &m.0 {
        for (key, types) in fields {
            for t in types {
                let t = t.trim_end_matches('!');
                let last = t.rsplit(':').next().unwrap_or(t);
                let scalar = matches!(
                    last,
                    "any" | "string" | "bool" | "num" | "double" | "int" | "map" | "list"
                );
                if !scalar && !m.0.contains_key(last) {
                    missing.push(format!("{name}.{key}: {t}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:?}");
    // the generated and the hand-written classes the replay reads are there
    for name in [
        "WaterConnections",
        "Owners",
        "UserDetails",
        "LanguageList",
        "MdmsRes",
        "AuditDetails@billing",
    ] {
        assert!(m.0.contains_key(name), "{name}");
    }
}

#[test]
fn a_connection_the_app_can_read_parses() {
    let good = json!({"WaterConnection": [{
        "id": "a1", "connectionNo": "WS/1", "tenantId": "pb.lodhipur", "oldConnectionNo": null,
        "previousReadingDate": 1_700_000_000_000_i64, "arrears": 120.5, "proposedTaps": 1,
        "documents": {"fileStoreId": null},
        "connectionHolders": [{"name": "Gurpreet", "isPrimaryOwner": "true", "ownerType": "NONE"}],
        "additionalDetails": {"initialMeterReading": 10, "locality": "WARD1", "appCreatedDate": 1.7e12},
        "extra": {"ignored": [1, true]}
    }], "TotalCount": 1});
    assert_eq!(parses_as("WaterConnections", &good), Ok(()));
    assert_parses("WaterConnections", &good);
    // absent and null both read as null
    assert_eq!(parses_as("WaterConnection", &json!({})), Ok(()));
}

#[test]
fn a_connection_the_app_chokes_on_names_every_field() {
    let bad = json!({"WaterConnection": [{
        "documents": [],
        "connectionHolders": [{"name": "Gurpreet", "isPrimaryOwner": true}, null],
        "proposedTaps": "1",
        "additionalDetails": {"initialMeterReading": 10}
    }]});
    let err = parses_as("WaterConnections", &bad).unwrap_err();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "WaterConnections.WaterConnection[0].connectionHolders[0].isPrimaryOwner: expected string, got bool",
            "WaterConnections.WaterConnection[0].connectionHolders[1]: expected Owners, got null",
            "WaterConnections.WaterConnection[0].documents: expected map, got list",
            "WaterConnections.WaterConnection[0].proposedTaps: expected num, got string",
        ],
        "{err}"
    );
    // `as int?` refuses a fraction; a required field refuses null; a non-object is no model
    assert_eq!(
        parses_as("UserRequest", &json!({"id": 1.5})),
        Err("UserRequest.id: expected int, got double".into())
    );
    assert_eq!(
        parses_as("Vendor", &json!({"name": "x", "id": "y"})),
        Err("Vendor.owner: expected Owner, got null".into())
    );
    assert_eq!(
        parses_as("Demand", &json!([])),
        Err("Demand: expected map, got list".into())
    );
    // one key read into several models: each must hold
    assert!(
        parses_as(
            "MdmsRes",
            &json!({"BillingService": {"TaxPeriod": [{"fromDate": "x"}]}})
        )
        .unwrap_err()
        .contains("MdmsRes.BillingService.TaxPeriod[0].fromDate: expected ")
    );
    assert!(parses_as("NoSuchModel", &json!({})).is_err());
}
