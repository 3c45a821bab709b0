//! The texts of the real mGramSeva app (issue 12): the app loads its labels with one
//! `/localization/messages/v1/_search` call and shows a code itself when it gets no message for
//! it. tests/data/app-i18n-keys.json lists every code it translates (scripts/dev/app-i18n-keys.py
//! reads them from the app's source and ours); each must come back, in English, Punjabi and
//! Hindi, in the answer to the app's own request.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::*;

/// The modules of the app's call (lib/providers/common_provider.dart, getLocalizationLabels).
const APP_MODULES: [&str; 8] = [
    "mgramseva-common",
    "mgramseva-consumer",
    "mgramseva-expenses",
    "mgramseva-water-connection",
    "mgramseva-bill",
    "mgramseva-payments",
    "mgramseva-dashboard",
    "mgramseva-feedback",
];

/// Codes whose Punjabi or Hindi text may be written in Latin letters or be the English text
/// (numbers, acronyms). None is needed today; add one only with a reason.
const SAME_IN_EVERY_SCRIPT: &[&str] = &[];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The committed list, group by group.
fn app_keys() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root().join("tests/data/app-i18n-keys.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v.as_object()
        .unwrap()
        .iter()
        .filter(|(g, _)| !g.starts_with('_'))
        .map(|(g, codes)| {
            let codes = codes
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            (g.clone(), codes)
        })
        .collect()
}

fn all_app_keys() -> BTreeSet<String> {
    app_keys().into_values().flatten().collect()
}

/// One `LocalizationLabel` as lib/model/localization/localization_label.g.dart reads it: each
/// field `as String?`, so a number or a boolean would throw.
#[derive(Debug)]
struct Label {
    code: Option<String>,
    message: Option<String>,
    module: Option<String>,
    locale: Option<String>,
}

fn string_field(m: &serde_json::Map<String, Value>, k: &str) -> Result<Option<String>, String> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{k} is not a String?: {other}")),
    }
}

/// `res['messages'].map((e) => LocalizationLabel.fromJson(e))` (lib/repository/core_repo.dart).
fn parse_labels(res: &Value) -> Result<Vec<Label>, String> {
    let list = res["messages"]
        .as_array()
        .ok_or_else(|| format!("messages is not a list: {}", res["messages"]))?;
    list.iter()
        .map(|e| {
            let m = e
                .as_object()
                .ok_or_else(|| format!("not a Map<String, dynamic>: {e}"))?;
            Ok(Label {
                code: string_field(m, "code")?,
                message: string_field(m, "message")?,
                module: string_field(m, "module")?,
                locale: string_field(m, "locale")?,
            })
        })
        .collect()
}

/// Dart's `Uri(queryParameters: ...).query`: everything but `A-Za-z0-9-._~` percent-encoded.
fn dart_query(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The app's request: POST with module, locale and tenantId in the query and the bare
/// RequestInfo as the body (lib/services/base_service.dart with no body; request_info.dart; the
/// doubles of APIConstants are encoded as 1.0; no token before the login).
async fn app_search(app: &TestApp, modules: &[&str], locale: &str) -> Value {
    let query = dart_query(&[
        ("module", &modules.join(",")),
        ("locale", locale),
        ("tenantId", "pb"),
    ]);
    let body = format!(
        r#"{{"apiId":"mgramseva","ver":1.0,"ts":"","action":"_search","did":1.0,"key":"","msgId":"20170310130900|{locale}","authToken":"","userInfo":null}}"#
    );
    let (s, v) = app
        .send(
            actix_web::test::TestRequest::post()
                .uri(&format!("/localization/messages/v1/_search?{query}"))
                .insert_header(("content-type", "application/json"))
                .set_payload(body),
        )
        .await;
    assert_eq!(s, 200, "{locale}: {v}");
    v
}

/// code → message, as `ApplicationLocalizations.translate` finds it (the first label with the
/// code).
fn texts(labels: &[Label]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for l in labels {
        if let (Some(c), Some(m)) = (&l.code, &l.message) {
            out.entry(c.clone()).or_insert_with(|| m.clone());
        }
    }
    out
}

fn is_gurmukhi(c: char) -> bool {
    ('\u{0A00}'..='\u{0A7F}').contains(&c)
}

fn is_devanagari(c: char) -> bool {
    ('\u{0900}'..='\u{097F}').contains(&c)
}

/// The danda and double danda end sentences in Gurmukhi too.
fn is_danda(c: char) -> bool {
    c == '\u{0964}' || c == '\u{0965}'
}

fn placeholders(s: &str) -> BTreeSet<&str> {
    s.match_indices('{')
        .filter_map(|(i, _)| s[i..].find('}').map(|j| &s[i..=i + j]))
        .collect()
}

#[actix_web::test]
async fn the_app_gets_every_text_it_shows_in_three_languages() {
    let app = TestApp::new();
    let keys = all_app_keys();
    assert!(keys.len() > 800, "{} codes", keys.len());
    let groups = app_keys();
    assert_eq!(groups["i18n_constants"].len(), 543);

    let mut by_locale = BTreeMap::new();
    for locale in ["en_IN", "pa_IN", "pn_IN", "hi_IN"] {
        let res = app_search(&app, &APP_MODULES, locale).await;
        let labels = parse_labels(&res).unwrap_or_else(|e| panic!("{locale}: {e}"));
        assert!(
            labels.iter().all(|l| l.locale.as_deref() == Some(locale)
                && l.module
                    .as_deref()
                    .is_some_and(|m| APP_MODULES.contains(&m))),
            "{locale}: a label of another locale or module"
        );
        let t = texts(&labels);
        let missing: Vec<_> = keys
            .iter()
            .filter(|k| t.get(*k).is_none_or(|m| m.trim().is_empty()))
            .collect();
        assert!(
            missing.is_empty(),
            "{locale}: {} codes unanswered: {missing:?}",
            missing.len()
        );
        by_locale.insert(locale, t);
    }
    assert_eq!(by_locale["pa_IN"], by_locale["pn_IN"], "pn_IN is Punjabi");

    let en = &by_locale["en_IN"];
    let mut wrong = Vec::new();
    for (locale, script, other) in [
        (
            "pa_IN",
            is_gurmukhi as fn(char) -> bool,
            is_devanagari as fn(char) -> bool,
        ),
        ("hi_IN", is_devanagari, is_gurmukhi),
    ] {
        let t = &by_locale[locale];
        for k in &keys {
            let (m, e) = (&t[k], &en[k]);
            if placeholders(m) != placeholders(e) {
                wrong.push(format!(
                    "{locale} {k}: placeholders of {m:?} differ from {e:?}"
                ));
            }
            if SAME_IN_EVERY_SCRIPT.contains(&k.as_str()) {
                continue;
            }
            if m == e || !m.chars().any(script) {
                wrong.push(format!("{locale} {k}: {m:?} is not translated"));
            }
            if m.chars().any(|c| other(c) && !is_danda(c)) {
                wrong.push(format!("{locale} {k}: {m:?} mixes scripts"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}\n{}", wrong.len(), wrong.join("\n"));

    // a few meanings, and a placeholder the app fills
    assert_eq!(en["CORE_COMMON_LOGIN"], "Login");
    assert_eq!(
        en["WRONG_CURRENT_PASSWORD"],
        "The current password is wrong"
    );
    assert_eq!(by_locale["pa_IN"]["CORE_COMMON_GENDER_FEMALE"], "ਮਹਿਲਾ");
    assert_eq!(by_locale["hi_IN"]["INVALID_OTP"], "ओटीपी सही नहीं है");
    assert_eq!(by_locale["pa_IN"]["pb.lodhipur"], "ਲੋਧੀਪੁਰ");
    assert!(en["CORE_PAID_AFTER"].contains("{dueDate}"));
    // the month code with the app's trailing blank
    assert_eq!(by_locale["hi_IN"]["FEB "], "फ़रवरी");
}

#[actix_web::test]
async fn each_module_answers_its_own_labels_and_together_they_are_the_apps_call() {
    let app = TestApp::new();
    for locale in ["en_IN", "pa_IN", "hi_IN"] {
        let all = parse_labels(&app_search(&app, &APP_MODULES, locale).await).unwrap();
        let mut union = 0;
        for module in APP_MODULES {
            let labels = parse_labels(&app_search(&app, &[module], locale).await).unwrap();
            assert!(!labels.is_empty(), "{locale} {module}: no labels");
            assert!(
                labels.iter().all(|l| l.module.as_deref() == Some(module)),
                "{locale} {module}: a label of another module"
            );
            assert!(
                labels.iter().all(|l| {
                    l.code.as_deref().is_some_and(|c| !c.is_empty())
                        && l.message.as_deref().is_some_and(|m| !m.trim().is_empty())
                }),
                "{locale} {module}: a label without code or message"
            );
            union += labels.len();
        }
        assert_eq!(union, all.len(), "{locale}");
        // one label per code across the modules, so the app's first match is the only one
        assert_eq!(
            texts(&all).len(),
            all.len(),
            "{locale}: a code in two modules"
        );
    }
}

#[actix_web::test]
async fn every_gram_panchayat_has_a_name_for_the_app() {
    let app = TestApp::new();
    let csv = std::fs::read_to_string(root().join("data/mdms/tenants.csv")).unwrap();
    let tenants: Vec<(String, String)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            let code = f.next().unwrap().to_owned();
            let name = f.nth(2).unwrap().to_owned();
            (code, name)
        })
        .collect();
    assert!(tenants.len() > 4000);
    for locale in ["en_IN", "pn_IN", "hi_IN"] {
        let t = texts(&parse_labels(&app_search(&app, &APP_MODULES, locale).await).unwrap());
        let unnamed: Vec<_> = tenants
            .iter()
            .filter(|(c, _)| t.get(c).is_none_or(|m| m.trim().is_empty()))
            .collect();
        assert!(unnamed.is_empty(), "{locale}: {unnamed:?}");
        if locale == "en_IN" {
            // the master's name, unless the shipped files spell it
            let (code, name) = &tenants[tenants.len() / 2];
            assert_eq!(&t[code], name);
            assert_eq!(t["pb"], "Punjab");
        }
    }
}

/// The `Errors[].code` values our server can answer, found in src/ as the Python script finds
/// them: the first argument of the AppError/ErrorDetail constructors and of helpers that take a
/// code first, as a literal or a `codes::` constant.
fn server_error_codes() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("src"), &mut files);
    let error_rs = std::fs::read_to_string(root().join("src/error.rs")).unwrap();
    let named: BTreeMap<&str, &str> = error_rs
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub const "))
        .filter_map(|l| {
            let (name, rest) = l.split_once(": &str = \"")?;
            Some((name, rest.strip_suffix("\";")?))
        })
        .collect();
    let mut calls: Vec<String> = ["ErrorDetail::field(", "ErrorDetail::new("]
        .into_iter()
        .map(str::to_owned)
        .collect();
    for owner in ["AppError::", "Self::"] {
        for f in [
            "client",
            "bad_request",
            "invalid_field",
            "not_found",
            "unauthorized",
            "forbidden",
            "conflict",
        ] {
            calls.push(format!("{owner}{f}("));
        }
    }
    // helpers like `fn bad(code: &str, message: &str, field: &str)`; their calls need a literal
    let mut helpers = BTreeSet::new();
    for text in &files {
        for (i, _) in text.match_indices("fn ") {
            let rest = &text[i + 3..];
            let Some(open) = rest.find('(') else { continue };
            let name = &rest[..open];
            let params = rest[open + 1..]
                .trim_start()
                .trim_start_matches("&mut self,")
                .trim_start();
            if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && params.starts_with("code: &str, message")
                && !calls.iter().any(|c| c.ends_with(&format!("::{name}(")))
            {
                helpers.insert(name.to_owned());
            }
        }
    }
    let looks_like_code = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            && s.chars().any(|c| c.is_ascii_uppercase())
    };
    let mut out: BTreeSet<String> = named.values().map(|s| (*s).to_owned()).collect();
    for text in &files {
        for call in &calls {
            for (i, _) in text.match_indices(call.as_str()) {
                let mut arg = first_arg(&text[i + call.len()..]);
                if arg.contains("StatusCode::") {
                    let rest = &text[i + call.len() + arg.len() + 1..];
                    arg = first_arg(rest);
                }
                for lit in literals(arg) {
                    if looks_like_code(lit) {
                        out.insert(lit.to_owned());
                    }
                }
                for (j, _) in arg.match_indices("codes::") {
                    let name: String = arg[j + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if let Some(code) = named.get(name.as_str()) {
                        out.insert((*code).to_owned());
                    }
                }
            }
        }
        for h in &helpers {
            let call = format!("{h}(");
            for (i, _) in text.match_indices(&call) {
                let before = text[..i].chars().last();
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = text[i + call.len()..].trim_start();
                if let Some((lit, after)) = rest.strip_prefix('"').and_then(|r| r.split_once('"'))
                    && looks_like_code(lit)
                    && after.trim_start().starts_with(',')
                {
                    out.insert(lit.to_owned());
                }
            }
        }
    }
    out
}

/// The text of the first argument: up to the first comma or closing bracket at depth 0.
fn first_arg(s: &str) -> &str {
    let mut depth = 0i32;
    let mut in_str = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_str = !in_str,
            _ if in_str => {}
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return &s[..i],
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => return &s[..i],
            _ => {}
        }
    }
    s
}

fn literals(s: &str) -> Vec<&str> {
    s.split('"').skip(1).step_by(2).collect()
}

#[test]
fn every_error_code_of_the_server_is_in_the_apps_list() {
    let listed: BTreeSet<String> = app_keys()["error_codes"].iter().cloned().collect();
    let found = server_error_codes();
    assert!(
        found.contains("WRONG_CURRENT_PASSWORD") && found.contains("INVALID_AADHAAR"),
        "the scan finds constants and helper calls: {found:?}"
    );
    let unlisted: Vec<_> = found.iter().filter(|c| !listed.contains(*c)).collect();
    assert!(
        unlisted.is_empty(),
        "error codes without a message for the app (rerun scripts/dev/app-i18n-keys.py and translate \
         them in data/localization): {unlisted:?}"
    );
}

#[actix_web::test]
async fn an_error_the_app_shows_has_its_text_in_the_app_language() {
    let app = TestApp::new();
    // the app toasts translate(Errors[0].code)
    let (s, v) = app
        .post(
            "/localization/messages/v1/_search?locale=fr_FR&tenantId=pb",
            json!({"RequestInfo": {}}),
        )
        .await;
    assert_eq!(s, 400);
    let code = v["Errors"][0]["code"].as_str().unwrap().to_owned();
    assert_eq!(code, "INVALID_LOCALE");
    let pa = texts(&parse_labels(&app_search(&app, &APP_MODULES, "pn_IN").await).unwrap());
    assert_eq!(pa[&code], "ਇਹ ਭਾਸ਼ਾ ਉਪਲਬਧ ਨਹੀਂ ਹੈ");
}
