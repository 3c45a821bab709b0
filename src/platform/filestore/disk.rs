//! The files on disk, under `filestore.dir`: `<first two hex digits of the id>/<id>`. A file is
//! written whole to `tmp/<id>.part`, synced, then renamed into place (a reader never sees half
//! a file), always before the row naming it is inserted; a file left without a row (its
//! transaction failed or rolled back) is removed by [`sweep`] once it is an hour old.

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::filestore_file as ff;
use crate::error::{AppError, AppResult};

/// A file's path under the directory, as the row keeps it.
pub fn rel_path(id: Uuid) -> String {
    let s = id.to_string();
    format!("{}/{s}", &s[..2])
}

fn io_error(what: &str, e: io::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("filestore: {what}: {e}"))
}

/// Writes `bytes` as the file of `id` (atomically); its relative path.
pub fn write(dir: &Path, id: Uuid, bytes: &[u8]) -> AppResult<String> {
    let rel = rel_path(id);
    let tmp_dir = dir.join("tmp");
    let sub = dir.join(&rel[..2]);
    fs::create_dir_all(&tmp_dir).map_err(|e| io_error("creating the directory", e))?;
    fs::create_dir_all(&sub).map_err(|e| io_error("creating the directory", e))?;
    let tmp = tmp_dir.join(format!("{id}.part"));
    let written = (|| {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o640);
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join(&rel))?;
        // the rename itself outlives a crash once the directory is synced
        fs::File::open(&sub)?.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_error("writing a file", e));
    }
    Ok(rel)
}

/// The bytes of the file at `rel`.
pub fn read(dir: &Path, rel: &str) -> AppResult<Vec<u8>> {
    fs::read(dir.join(rel)).map_err(|e| io_error(&format!("reading {rel}"), e))
}

/// Removes the file at `rel` (a file whose row was not written).
pub fn remove(dir: &Path, rel: &str) {
    if let Err(e) = fs::remove_file(dir.join(rel))
        && e.kind() != io::ErrorKind::NotFound
    {
        tracing::warn!(path = rel, error = %e, "filestore: could not remove a file");
    }
}

/// How old a file without a row must be before the sweep removes it (its transaction may still
/// be running before that).
const GRACE_SECONDS: u64 = 3600;

/// What a sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Rows whose bytes were still in the table, written out to disk.
    pub moved: usize,
    /// Files (and half-written temporary files) without a row, removed.
    pub removed: usize,
    /// Uploads without a login that no record claimed within a day, removed (row and file).
    pub unclaimed: usize,
}

fn older_than_grace(meta: &fs::Metadata, now: DateTime<Utc>) -> bool {
    let now = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(now.timestamp()).unwrap_or(0));
    meta.modified()
        .ok()
        .and_then(|m| now.duration_since(m).ok())
        .is_some_and(|age| age.as_secs() >= GRACE_SECONDS)
}

/// Removes uploads without a login no record claimed within a day, writes out rows made before
/// files moved to disk, and removes files no row names.
pub fn sweep(conn: &mut PgConnection, dir: &Path, now: DateTime<Utc>) -> AppResult<Swept> {
    let mut out = Swept::default();
    let stale: Vec<(Uuid, Option<String>)> = diesel::delete(
        ff::table
            .filter(ff::unclaimed)
            .filter(ff::created_at.lt(now - chrono::Duration::hours(super::UNCLAIMED_HOURS))),
    )
    .returning((ff::id, ff::path))
    .get_results(conn)?;
    for (id, path) in stale {
        if let Some(rel) = path {
            remove(dir, &rel);
        }
        tracing::info!(%id, "filestore: removed an upload no record claimed");
        out.unclaimed += 1;
    }
    loop {
        let batch: Vec<(Uuid, Option<Vec<u8>>)> = ff::table
            .filter(ff::bytes.is_not_null())
            .select((ff::id, ff::bytes))
            .limit(50)
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        for (id, bytes) in batch {
            let rel = write(dir, id, &bytes.unwrap_or_default())?;
            diesel::update(ff::table.find(id))
                .set((ff::path.eq(&rel), ff::bytes.eq(None::<Vec<u8>>)))
                .execute(conn)?;
            out.moved += 1;
        }
    }
    let Ok(subdirs) = fs::read_dir(dir) else {
        return Ok(out);
    };
    for sub in subdirs.flatten() {
        let name = sub.file_name().to_string_lossy().into_owned();
        let Ok(entries) = fs::read_dir(sub.path()) else {
            continue;
        };
        let mut old = Vec::new();
        for e in entries.flatten() {
            if e.metadata()
                .is_ok_and(|m| m.is_file() && older_than_grace(&m, now))
            {
                old.push(e);
            }
        }
        if name == "tmp" {
            for e in old {
                if fs::remove_file(e.path()).is_ok() {
                    out.removed += 1;
                }
            }
            continue;
        }
        let ids: Vec<Uuid> = old
            .iter()
            .filter_map(|e| Uuid::parse_str(&e.file_name().to_string_lossy()).ok())
            .collect();
        let kept: std::collections::HashSet<Uuid> = ff::table
            .filter(ff::id.eq_any(&ids))
            .filter(ff::path.is_not_null())
            .select(ff::id)
            .load::<Uuid>(conn)?
            .into_iter()
            .collect();
        for id in ids.into_iter().filter(|id| !kept.contains(id)) {
            let rel = rel_path(id);
            if rel.starts_with(&name) && fs::remove_file(dir.join(&rel)).is_ok() {
                tracing::info!(path = rel, "filestore: removed a file no row names");
                out.removed += 1;
            }
        }
    }
    Ok(out)
}
