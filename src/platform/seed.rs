//! Seeding the platform's master data, in one transaction: mdms reads and checks its files,
//! idgen checks the id formats they bring, mdms writes its tables, location writes its boundary
//! tree, and mdms records the load. This is where the three meet, so that mdms imports neither
//! idgen nor location.

use diesel::prelude::*;

use super::{idgen, location, mdms};

pub use mdms::seed::{Counts, FILES, MasterSet, Source, check_dir};

/// Reads and checks every master file, the id formats' grammar included; writes nothing.
pub fn parse(source: &Source, state_tenant: &str) -> anyhow::Result<MasterSet> {
    let set = mdms::seed::parse(source, state_tenant)?;
    for (i, f) in set.id_formats.iter().enumerate() {
        idgen::check_format(&f.format)
            .map_err(|e| mdms::seed::bad(mdms::seed::ID_FORMATS, i + 1, e))?;
    }
    Ok(set)
}

/// Writes a parsed set in the caller's transaction. Returns None when the same files were
/// already loaded (and the load is not forced).
pub fn write(
    conn: &mut PgConnection,
    set: &MasterSet,
    force: bool,
) -> anyhow::Result<Option<Counts>> {
    mdms::seed::lock(conn)?;
    if !force && mdms::seed::loaded_last(conn, set)? {
        return Ok(None);
    }
    let mut counts = mdms::seed::write(conn, set)?;
    counts.insert("location_boundary", location::seed(conn, &set.boundaries)?);
    mdms::seed::record_run(conn, set, &counts)?;
    Ok(Some(counts))
}

/// Parse and load in one go (the `seed` command and the test template).
pub fn load(
    conn: &mut PgConnection,
    source: &Source,
    state_tenant: &str,
    force: bool,
) -> anyhow::Result<Option<Counts>> {
    let set = parse(source, state_tenant)?;
    conn.transaction(|c| write(c, &set, force))
}
