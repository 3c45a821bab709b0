//! The module faces (docs/architecture.md, "Module faces"), checked on the source tree so they
//! stay true: imports point down, each module's tables and repo are its own, files stay small.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its path relative to `src/` ('/' separated) and text.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The code of a file without its comments (doc comments name other modules freely).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Files (of `files`) whose code mentions `needle` and that do not lie under any of `owners`.
fn offenders(files: &[(String, String)], needle: &str, owners: &[&str]) -> Vec<String> {
    files
        .iter()
        .filter(|(p, _)| !owners.iter().any(|o| p.starts_with(o)))
        .filter(|(_, t)| code(t).contains(needle))
        .map(|(p, _)| p.clone())
        .collect()
}

/// Files (of `files`) under `dir` whose code mentions `needle`.
fn within(files: &[(String, String)], dir: &str, needle: &str) -> Vec<String> {
    files
        .iter()
        .filter(|(p, t)| p.starts_with(dir) && code(t).contains(needle))
        .map(|(p, _)| p.clone())
        .collect()
}

#[test]
fn no_hand_written_source_file_is_over_800_lines() {
    let long: Vec<_> = sources()
        .into_iter()
        .filter(|(p, _)| p != "db/schema.rs")
        .map(|(p, t)| (p, t.lines().count()))
        .filter(|(_, n)| *n > 800)
        .collect();
    assert!(long.is_empty(), "split these by use case: {long:?}");
}

#[test]
fn each_module_keeps_its_repo_to_itself() {
    let files = sources();
    for (module, dir) in [
        ("billing", "business/billing/"),
        ("collection", "business/collection/"),
        ("water", "municipal/water/"),
        ("calculator", "municipal/calculator/"),
        ("hrms", "business/hrms/"),
        ("user", "platform/user/"),
        // (not mdms: the master tables are read-only outside the seed, and `mdms::repo`'s read
        // functions are the master data's read API; see docs/architecture.md)
    ] {
        for needle in [format!("{module}::repo"), format!("{module}::model")] {
            let out = offenders(&files, &needle, &[dir]);
            assert!(out.is_empty(), "{needle} used outside {dir}: {out:?}");
        }
    }
}

#[test]
fn imports_point_down() {
    let files = sources();
    // platform is below business and municipal; business is below municipal.
    for (needle, owners) in [
        (
            "crate::business",
            &[
                "business/",
                "municipal/",
                "web/",
                "lib.rs",
                "cli.rs",
                "jobs.rs",
                "demo.rs",
                "demo/",
                "bench.rs",
                "bench/",
            ][..],
        ),
        (
            "crate::municipal",
            &[
                "municipal/",
                "web/",
                "lib.rs",
                "cli.rs",
                "jobs.rs",
                "demo.rs",
                "demo/",
                "bench.rs",
                "bench/",
            ][..],
        ),
    ] {
        let out: Vec<_> = offenders(&files, needle, owners);
        assert!(out.is_empty(), "{needle} imported from below: {out:?}");
    }
    // billing does not know collection (what shows a demand with its receipts sits above both).
    let out = within(&files, "business/billing/", "collection::");
    assert!(out.is_empty(), "billing imports collection: {out:?}");
    // master data does not seed id formats or boundaries itself.
    for needle in ["idgen", "location::"] {
        let out = within(&files, "platform/mdms/", needle);
        assert!(out.is_empty(), "mdms uses {needle}: {out:?}");
    }
    // A repo does not import its own module's service (the service is built on the repo).
    let out = files
        .iter()
        .filter_map(|(p, t)| {
            let dir = p
                .strip_suffix("/repo.rs")
                .or_else(|| p.split_once("/repo/").map(|(d, _)| d))?;
            let own = format!("crate::{}::service", dir.replace('/', "::"));
            let c = code(t);
            (c.contains(&own)
                || c.contains("super::service")
                || c.contains("super::super::service"))
            .then(|| p.clone())
        })
        .collect::<Vec<_>>();
    assert!(out.is_empty(), "repos importing a service: {out:?}");
}

#[test]
fn services_and_tools_do_not_know_about_http() {
    // Only the web faces of a module (its api and pages, and its route list in mod.rs) speak
    // HTTP; services, repos, jobs, the CLI and the state do not.
    let web_face = |p: &str| {
        p.starts_with("http/")
            || p.starts_with("web/")
            || p.ends_with("api.rs")
            || p.ends_with("pages.rs")
            || p.contains("/pages/")
            || p.contains("/api/")
            || p.ends_with("/mod.rs")
            || p == "lib.rs"
            || p == "error.rs"
    };
    let out: Vec<_> = sources()
        .into_iter()
        .filter(|(p, _)| !web_face(p))
        .filter(|(_, t)| code(t).contains("crate::http::"))
        .map(|(p, _)| p)
        .collect();
    assert!(out.is_empty(), "these import the HTTP layer: {out:?}");
}

/// The module directory that owns a table (docs/architecture.md: each module owns its prefix).
fn owner(table: &str) -> Option<&'static str> {
    let by_prefix = [
        ("billing_", "business/billing/"),
        ("collection_", "business/collection/"),
        ("hrms_", "business/hrms/"),
        ("pg_", "business/pg/"),
        ("user_", "platform/user/"),
        ("userevent_", "platform/userevent/"),
        ("mdms_", "platform/mdms/"),
        ("location_", "platform/location/"),
        ("localization_", "platform/localization/"),
        ("idgen_", "platform/idgen/"),
        ("notification_", "platform/notification/"),
        ("filestore_", "platform/filestore/"),
        ("shortener_", "platform/shortener/"),
        ("water_meter_reading", "municipal/calculator/"),
        ("water_bulk_demand", "municipal/calculator/"),
        ("water_connection", "municipal/water/"),
        ("water_feedback", "municipal/water/"),
        ("water_upi", "municipal/water/"),
        ("property", "municipal/water/"),
        ("vendor", "municipal/vendor/"),
        ("echallan", "municipal/echallan/"),
        ("job_", "jobs"),
        ("rollout_", "municipal/rollout/"),
        ("stateview_", "municipal/stateview/"),
        ("ifix_", "municipal/ifix/"),
        ("accounts_", "business/accounts/"),
    ];
    by_prefix
        .iter()
        .find(|(p, _)| table.starts_with(p))
        .map(|(_, d)| *d)
}

/// Whether `code` names `table` as a diesel table (`table::`) or in SQL text.
fn names_table(code: &str, table: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut rest = code;
    while let Some(i) = rest.find(table) {
        let before = rest[..i].chars().next_back();
        let after = &rest[i + table.len()..];
        let standalone = !before.is_some_and(|c| ident(c) || c == ':')
            && !after.chars().next().is_some_and(ident);
        if standalone {
            let sql = rest[..i].trim_end().to_ascii_uppercase();
            if after.starts_with("::")
                || ["FROM", "JOIN", "INTO", "UPDATE", "TABLE"]
                    .iter()
                    .any(|k| sql.ends_with(k))
            {
                return true;
            }
        }
        rest = after;
    }
    false
}

#[test]
fn each_module_names_only_its_own_tables() {
    let schema =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/schema.rs"))
            .unwrap();
    let tables: Vec<&str> = schema
        .lines()
        .filter_map(|l| l.strip_prefix("    ")?.split_once(" (").map(|(t, _)| t))
        .filter(|t| {
            t.chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
        })
        .collect();
    assert!(tables.len() > 40, "tables read from the schema: {tables:?}");
    let files = sources();
    let mut out = Vec::new();
    for t in &tables {
        let dir = owner(t).unwrap_or_else(|| panic!("no owner for table {t}"));
        if dir == "platform/mdms/" {
            // Master tables are read-only outside the seed; others read them (the user repo
            // joins role names), see docs/architecture.md.
            continue;
        }
        for (p, text) in &files {
            // The schema itself, and the bench, whose raw-SQL side writes the same rows as the
            // services on purpose (it is the yardstick they are measured against).
            if p.starts_with(dir)
                || p.starts_with("db/")
                || p == "bench.rs"
                || p.starts_with("bench/")
            {
                continue;
            }
            if names_table(&code(text), t) {
                out.push(format!("{p} names {t}"));
            }
        }
    }
    assert!(out.is_empty(), "tables named outside their module: {out:?}");
}

/// diesel keys a migration by the part of its directory name before the first `_`: two that
/// share it are one migration to diesel, and the second is never run (branches merged with the
/// same number did that once).
#[test]
fn every_migration_has_its_own_version() {
    let mut seen = std::collections::BTreeMap::new();
    let mut clashes = Vec::new();
    for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let version = name.split('_').next().unwrap_or_default().replace('-', "");
        if let Some(other) = seen.insert(version, name.clone()) {
            clashes.push(format!("{other} and {name}"));
        }
    }
    assert!(seen.len() > 20, "the migrations are read");
    assert!(clashes.is_empty(), "one version twice: {clashes:?}");
}
