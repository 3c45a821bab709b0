//! `mgramseva seed`: idempotent, and a malformed master file loads nothing.

use diesel::prelude::*;
use mgramseva::platform::seed::{self, Source};

use crate::helpers::*;

fn counts(c: &mut PgConnection) -> (i64, i64, i64) {
    use mgramseva::db::schema::{mdms_seed_run, mdms_tariff_row, mdms_tenant};
    (
        mdms_tenant::table.count().get_result(c).unwrap(),
        mdms_tariff_row::table.count().get_result(c).unwrap(),
        mdms_seed_run::table.count().get_result(c).unwrap(),
    )
}

fn copy_of_data() -> tempdir::Dir {
    let d = tempdir::Dir::new();
    for f in seed::FILES {
        std::fs::copy(
            format!("{}/data/mdms/{f}", env!("CARGO_MANIFEST_DIR")),
            d.path().join(f),
        )
        .unwrap();
    }
    d
}

mod tempdir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let p =
                std::env::temp_dir().join(format!("mgs-seed-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&p).unwrap();
            Self(p)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn the_same_files_load_once() {
    let db = TestDb::new();
    let mut c = db.conn();
    let before = counts(&mut c);
    assert_eq!(before.0, 4349);
    assert!(
        seed::load(&mut c, &Source::Embedded, STATE, false)
            .unwrap()
            .is_none(),
        "already loaded"
    );
    assert_eq!(counts(&mut c), before);
    // Forced, the same rows are written again, not added.
    let n = seed::load(&mut c, &Source::Embedded, STATE, true)
        .unwrap()
        .unwrap();
    assert_eq!(n["mdms_tenant"], 4349);
    // 1217, and the upload action's six roles (data/mdms/ORIGIN.md), the summary's seven and
    // the roll-out dashboard search's STATE_ADMIN, the state view search's DIV_ADMIN and
    // STATE_ADMIN
    assert_eq!(n["mdms_role_action"], 1233);
    let after = counts(&mut c);
    assert_eq!((after.0, after.1), (before.0, before.1));
    assert_eq!(after.2, before.2 + 1);
}

#[test]
fn a_malformed_record_is_named_and_nothing_is_loaded() {
    let db = TestDb::new();
    let mut c = db.conn();
    let before = counts(&mut c);
    let dir = copy_of_data();

    // tenants.csv: a city code that is not digits, in the 3rd data row.
    let p = dir.path().join("tenants.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[3] = lines[3].replacen(",15767,", ",15X67,", 1);
    assert!(lines[3].contains("15X67"), "fixture row changed");
    std::fs::write(&p, lines.join("\n")).unwrap();
    let err = seed::load(&mut c, &Source::Dir(dir.path().into()), STATE, true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("tenants.csv: record 3"), "{err}");
    assert!(err.contains("city_code"), "{err}");
    assert_eq!(counts(&mut c), before);

    // A JSON master with a wrong type names the record too.
    std::fs::write(&p, text).unwrap();
    let p = dir.path().join("tax-heads.json");
    let mut heads: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    heads[4]["isDebit"] = serde_json::json!("maybe");
    std::fs::write(&p, heads.to_string()).unwrap();
    let err = seed::load(&mut c, &Source::Dir(dir.path().into()), STATE, true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("tax-heads.json: record 5"), "{err}");
    assert!(err.contains("isDebit"), "{err}");
    assert_eq!(counts(&mut c), before);
}

#[test]
fn a_broken_reference_is_refused() {
    let db = TestDb::new();
    let mut c = db.conn();
    let dir = copy_of_data();
    let p = dir.path().join("role-actions.json");
    let mut ra: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    ra[10]["roleCode"] = serde_json::json!("NO_SUCH_ROLE");
    std::fs::write(&p, ra.to_string()).unwrap();
    let err = seed::load(&mut c, &Source::Dir(dir.path().into()), STATE, true)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "role-actions.json: record 11: roleCode NO_SUCH_ROLE is not a role"
    );
}

#[test]
fn the_seed_command_reports_the_file_and_record() {
    let db = TestDb::new();
    let dir = copy_of_data();
    let p = dir.path().join("actions.json");
    let mut a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    a[2]["id"] = a[1]["id"].clone();
    std::fs::write(&p, a.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mgramseva"))
        .args(["seed", "--force", "--dir"])
        .arg(dir.path())
        .env("DATABASE_URL", &db.url)
        .env("APP_ENV", "test")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("actions.json: record 3: id") && err.contains("is repeated"),
        "{err}"
    );
}
