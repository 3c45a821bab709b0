//! Loads the Punjab master data (`data/mdms`, compiled into the binary, or a folder given on the
//! command line) into the master tables. Each file is parsed and checked first, by a function of
//! its own (in `tenancy`, `access` and `billing`), against the files before it; a malformed record
//! stops the load with the file and record named, and nothing of it is written. A second run with
//! the same files does nothing; changed files update in place.
//!
//! The id formats' grammar and the boundary tree are not mdms's: `platform::seed` has the id
//! generator check the one and hands the other to its owner, in the same transaction.

mod access;
mod billing;
mod tenancy;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use sha2::Digest as _;

use super::model::*;
use crate::db;
use crate::db::schema::{mdms_penalty, mdms_seed_run, mdms_tenant_tariff};
use crate::time::Fy;

/// The files of a master-data folder, in load order.
pub const FILES: &[&str] = &[
    "org-hierarchy.csv",
    "tenants.csv",
    "boundaries.csv",
    "roles.json",
    "actions.json",
    "role-actions.json",
    "tax-heads.json",
    "tax-periods.json",
    "business-services.json",
    "expense-types.json",
    "id-formats.json",
    "billing-slabs.json",
    "penalty.json",
    "pspcl-accounts.csv",
    "other-masters.json",
];

/// The project's own copy, compiled in.
fn embedded(name: &str) -> Option<&'static [u8]> {
    Some(match name {
        "org-hierarchy.csv" => include_bytes!("../../../../data/mdms/org-hierarchy.csv"),
        "tenants.csv" => include_bytes!("../../../../data/mdms/tenants.csv"),
        "boundaries.csv" => include_bytes!("../../../../data/mdms/boundaries.csv"),
        "roles.json" => include_bytes!("../../../../data/mdms/roles.json"),
        "actions.json" => include_bytes!("../../../../data/mdms/actions.json"),
        "role-actions.json" => include_bytes!("../../../../data/mdms/role-actions.json"),
        "tax-heads.json" => include_bytes!("../../../../data/mdms/tax-heads.json"),
        "tax-periods.json" => include_bytes!("../../../../data/mdms/tax-periods.json"),
        "business-services.json" => include_bytes!("../../../../data/mdms/business-services.json"),
        "expense-types.json" => include_bytes!("../../../../data/mdms/expense-types.json"),
        "id-formats.json" => include_bytes!("../../../../data/mdms/id-formats.json"),
        "billing-slabs.json" => include_bytes!("../../../../data/mdms/billing-slabs.json"),
        "penalty.json" => include_bytes!("../../../../data/mdms/penalty.json"),
        "pspcl-accounts.csv" => include_bytes!("../../../../data/mdms/pspcl-accounts.csv"),
        "other-masters.json" => include_bytes!("../../../../data/mdms/other-masters.json"),
        _ => return None,
    })
}

/// Where the master files come from.
#[derive(Clone, Debug, Default)]
pub enum Source {
    #[default]
    Embedded,
    Dir(PathBuf),
}

impl Source {
    fn read(&self, name: &str) -> anyhow::Result<Cow<'static, [u8]>> {
        match self {
            Source::Embedded => embedded(name)
                .map(Cow::Borrowed)
                .ok_or_else(|| anyhow!("{name}: not a master file")),
            Source::Dir(dir) => {
                let p = dir.join(name);
                std::fs::read(&p)
                    .map(Cow::Owned)
                    .with_context(|| format!("{name}: cannot read {}", p.display()))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::Embedded => "the built-in copy of data/mdms".to_owned(),
            Source::Dir(d) => d.display().to_string(),
        }
    }
}

/// The date from which the seeded tariffs and penalty rules apply (the first financial year the
/// masters know, 2021-22).
pub fn seed_effective_from() -> NaiveDate {
    Fy(2021).first_day()
}

/// A checked row of `boundaries.csv`: a GP's city and one of its localities, under each of the
/// hierarchies named; the boundary tree is made of these.
#[derive(Clone, Debug)]
pub struct Boundary {
    pub tenant_id: String,
    pub hierarchy_types: Vec<String>,
    pub city_name: String,
    pub city_label: String,
    pub locality_code: String,
    pub locality_name: String,
    pub locality_label: String,
}

/// Everything parsed from one master folder, checked, ready to write.
#[derive(Debug, Default)]
pub struct MasterSet {
    pub org_units: Vec<OrgUnit>,
    pub tenants: Vec<Tenant>,
    pub boundaries: Vec<Boundary>,
    pub roles: Vec<Role>,
    pub actions: Vec<Action>,
    pub role_actions: Vec<RoleAction>,
    pub tax_heads: Vec<TaxHead>,
    pub tax_period_rules: Vec<TaxPeriodRule>,
    pub business_services: Vec<BusinessService>,
    pub expense_types: Vec<ExpenseType>,
    pub id_formats: Vec<IdFormat>,
    pub tariffs: Vec<Tariff>,
    pub tariff_rows: Vec<TariffRow>,
    pub tariff_slabs: Vec<TariffSlab>,
    pub tenant_tariffs: Vec<TenantTariff>,
    pub penalties: Vec<Penalty>,
    pub pspcl: Vec<PspclAccount>,
    pub records: Vec<MasterRecord>,
    pub hash: String,
}

/// The file that holds the id formats.
pub const ID_FORMATS: &str = "id-formats.json";

/// A record that does not fit, named by file and position (1-based; CSV counts data rows).
pub fn bad(file: &str, record: usize, what: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("{file}: record {record}: {what}")
}

fn parse_json<T: for<'de> Deserialize<'de>>(file: &str, bytes: &[u8]) -> anyhow::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        // "[12].code" -> record 13
        let record = path
            .strip_prefix('[')
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| n + 1);
        match record {
            Some(r) => bad(file, r, format!("{path}: {}", e.inner())),
            None => anyhow!("{file}: {path}: {}", e.inner()),
        }
    })
}

fn csv_rows<T: for<'de> Deserialize<'de>>(file: &str, bytes: &[u8]) -> anyhow::Result<Vec<T>> {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let mut out = Vec::new();
    for (i, r) in rdr.deserialize::<T>().enumerate() {
        out.push(r.map_err(|e| bad(file, i + 1, e))?);
    }
    Ok(out)
}

fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The bytes of every master file, read once, and their hash.
struct Files {
    bytes: HashMap<&'static str, Cow<'static, [u8]>>,
    hash: String,
}

impl Files {
    fn read(source: &Source) -> anyhow::Result<Self> {
        let mut hasher = sha2::Sha256::new();
        let mut bytes = HashMap::new();
        for name in FILES {
            let b = source.read(name)?;
            hasher.update(name.as_bytes());
            hasher.update(&b);
            bytes.insert(*name, b);
        }
        let hash = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Self { bytes, hash })
    }

    fn get(&self, name: &str) -> &[u8] {
        self.bytes.get(name).map(|c| c.as_ref()).unwrap_or_default()
    }
}

/// Reads and checks every master file, in load order; writes nothing.
pub fn parse(source: &Source, state_tenant: &str) -> anyhow::Result<MasterSet> {
    let files = Files::read(source)?;
    let org_units = tenancy::org_hierarchy(&files)?;
    let tenants = tenancy::tenants(&files, state_tenant, &org_units)?;
    let boundaries = tenancy::boundaries(&files, &tenants)?;
    let roles = access::roles(&files)?;
    let actions = access::actions(&files)?;
    let role_actions = access::role_actions(&files, state_tenant, &roles, &actions)?;
    let tax_heads = billing::tax_heads(&files)?;
    let tax_period_rules = billing::tax_periods(&files)?;
    let (business_services, mut records) =
        billing::business_services(&files, state_tenant, &tenants)?;
    let expense_types = billing::expense_types(&files, &tax_heads)?;
    let id_formats = billing::id_formats(&files)?;
    let tariffs = billing::billing_slabs(&files, state_tenant, &tenants)?;
    let penalties = billing::penalty(&files, state_tenant, &tenants)?;
    let pspcl = billing::pspcl_accounts(&files, &tenants)?;
    records.extend(other_masters(&files, state_tenant)?);
    Ok(MasterSet {
        org_units,
        tenants: tenants.rows,
        boundaries,
        roles,
        actions,
        role_actions,
        tax_heads,
        tax_period_rules,
        business_services,
        expense_types,
        id_formats,
        tariffs: tariffs.tariffs,
        tariff_rows: tariffs.rows,
        tariff_slabs: tariffs.slabs,
        tenant_tariffs: tariffs.tenant_tariffs,
        penalties,
        pspcl,
        records,
        hash: files.hash,
    })
}

/// `other-masters.json`: the small masters, kept verbatim.
fn other_masters(files: &Files, state_tenant: &str) -> anyhow::Result<Vec<MasterRecord>> {
    let f = "other-masters.json";
    let other: BTreeMap<String, Value> = parse_json(f, files.get(f))?;
    let mut out = Vec::new();
    for (module, masters) in other {
        if module == "source" {
            continue;
        }
        let Value::Object(masters) = masters else {
            bail!("{f}: {module}: expected an object of masters");
        };
        for (master, records) in masters {
            let Value::Array(records) = records else {
                bail!("{f}: {module}.{master}: expected an array of records");
            };
            for (i, data) in records.into_iter().enumerate() {
                if !data.is_object() {
                    return Err(bad(
                        f,
                        i + 1,
                        format!("{module}.{master}: a record must be an object"),
                    ));
                }
                out.push(MasterRecord {
                    tenant_id: state_tenant.to_owned(),
                    module: module.clone(),
                    master: master.clone(),
                    position: i32::try_from(i).unwrap_or(i32::MAX),
                    data,
                });
            }
        }
    }
    Ok(out)
}

/// Counts of what a load wrote, for the log and the seed-run record.
pub type Counts = BTreeMap<&'static str, usize>;

/// Takes the loaders' lock for the caller's transaction: one load at a time (two `seed`
/// commands racing would otherwise interleave).
pub fn lock(conn: &mut PgConnection) -> anyhow::Result<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(7240001)").execute(conn)?;
    Ok(())
}

/// Whether the last load was of these very files.
pub fn loaded_last(conn: &mut PgConnection, set: &MasterSet) -> anyhow::Result<bool> {
    let last: Option<String> = mdms_seed_run::table
        .order(mdms_seed_run::id.desc())
        .select(mdms_seed_run::source_hash)
        .first(conn)
        .optional()?;
    Ok(last.as_deref() == Some(set.hash.as_str()))
}

/// Writes a parsed set's master tables in the caller's transaction (under [`lock`]); returns
/// how many rows each table got. The boundaries are written by their owner (`platform::seed`).
pub fn write(conn: &mut PgConnection, set: &MasterSet) -> anyhow::Result<Counts> {
    let js = |v: &dyn erased::Rows| v.json();
    let mut counts = Counts::new();
    let mut up = |conn: &mut PgConnection,
                  table: &'static str,
                  keys: &[&str],
                  rows: &dyn erased::Rows|
     -> anyhow::Result<()> {
        let n = db::bulk_upsert(conn, table, keys, &js(rows))
            .with_context(|| format!("writing {table}"))?;
        counts.insert(table, n);
        Ok(())
    };
    up(conn, "mdms_org_unit", &["code"], &set.org_units)?;
    up(conn, "mdms_tenant", &["code"], &set.tenants)?;
    up(conn, "mdms_role", &["code"], &set.roles)?;
    up(conn, "mdms_action", &["id"], &set.actions)?;
    diesel::sql_query("DELETE FROM mdms_role_action").execute(conn)?;
    up(conn, "mdms_role_action", &[], &set.role_actions)?;
    up(conn, "mdms_tax_head", &["code"], &set.tax_heads)?;
    up(
        conn,
        "mdms_tax_period_rule",
        &["service"],
        &set.tax_period_rules,
    )?;
    diesel::sql_query("DELETE FROM mdms_business_service").execute(conn)?;
    up(conn, "mdms_business_service", &[], &set.business_services)?;
    up(conn, "mdms_expense_type", &["code"], &set.expense_types)?;
    up(conn, "mdms_id_format", &["id_name"], &set.id_formats)?;
    up(conn, "mdms_tariff", &["id"], &set.tariffs)?;
    // Tariff contents are replaced; the tariff ids stay, so tenant assignments keep pointing at them.
    diesel::sql_query("DELETE FROM mdms_tariff_row").execute(conn)?;
    up(conn, "mdms_tariff_row", &[], &set.tariff_rows)?;
    up(conn, "mdms_tariff_slab", &[], &set.tariff_slabs)?;
    // Seeded versions are replaced; versions added later (rate changes) are kept.
    let from = seed_effective_from();
    diesel::delete(mdms_tenant_tariff::table.filter(mdms_tenant_tariff::effective_from.eq(from)))
        .execute(conn)?;
    up(conn, "mdms_tenant_tariff", &[], &set.tenant_tariffs)?;
    diesel::delete(mdms_penalty::table.filter(mdms_penalty::effective_from.eq(from)))
        .execute(conn)?;
    up(conn, "mdms_penalty", &[], &set.penalties)?;
    diesel::sql_query("DELETE FROM mdms_pspcl_account").execute(conn)?;
    up(conn, "mdms_pspcl_account", &[], &set.pspcl)?;
    diesel::sql_query("DELETE FROM mdms_master_record").execute(conn)?;
    up(conn, "mdms_master_record", &[], &set.records)?;
    Ok(counts)
}

/// Records a load: these files, and what was written (boundaries included).
pub fn record_run(conn: &mut PgConnection, set: &MasterSet, counts: &Counts) -> anyhow::Result<()> {
    let counts_json = serde_json::to_value(counts)?;
    diesel::insert_into(mdms_seed_run::table)
        .values((
            mdms_seed_run::source_hash.eq(&set.hash),
            mdms_seed_run::counts.eq(counts_json),
        ))
        .execute(conn)?;
    Ok(())
}

/// Object-safe "serialize me as a JSON array of rows".
mod erased {
    pub trait Rows {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Rows for Vec<T> {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

/// Checks that a folder holds every master file.
pub fn check_dir(dir: &Path) -> anyhow::Result<()> {
    for f in FILES {
        if !dir.join(f).is_file() {
            bail!("{}: missing {f}", dir.display());
        }
    }
    Ok(())
}
