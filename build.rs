//! Rebuild when a migration folder is added (embed_migrations! only tracks the files it saw) and
//! expose a hash of the migrations and seed data, which names the test template database.

use std::path::Path;

fn hash_dir(dir: &Path, h: &mut u64) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            hash_dir(&p, h);
        } else if let Ok(bytes) = std::fs::read(&p) {
            for b in p.to_string_lossy().bytes().chain(bytes) {
                *h ^= u64::from(b);
                *h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
}

fn main() {
    for d in ["migrations", "data"] {
        println!("cargo:rerun-if-changed={d}");
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    hash_dir(Path::new("migrations"), &mut h);
    hash_dir(Path::new("data"), &mut h);
    println!("cargo:rustc-env=MGRAMSEVA_SCHEMA_HASH={h:016x}");
}
