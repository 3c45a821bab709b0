//! The bill cache: texts derived from one consumer's ledger (today: the stored JSON of the
//! consumer's active bill) kept in memory, and forgotten the moment the database says the ledger
//! changed. It is registered on the pool as a [`CommitHook`]; [`of`] finds it.
//!
//! The database names every changed ledger (migration `000013_billing_ledger_changes`): triggers
//! on demands, demand lines and bills send the key `tenant<TAB>service<TAB>consumer` (or `*`,
//! "many") two ways. This process's own transactions read it from a transaction-local setting
//! just before they commit (`db::commit`, through the hook) and forget the keys right after the commit,
//! before the request that wrote answers: a client that paid and fetches its bill again never
//! sees the old one. Everybody else's commits (psql, another process, a job on its own
//! connection) arrive by `LISTEN mgramseva_ledger` on a connection of its own, polled every
//! millisecond. While that connection is down nothing is served from memory. A notice carries
//! its transaction id; the echo of a commit this process already applied is ignored, so it does
//! not throw away what readers kept after that commit (a notice that arrives before its commit
//! is marked applied is simply applied: forgetting more is always safe).
//!
//! A reader that missed takes a [`Ticket`] before it reads the database and may only [`fill`]
//! if nothing it could have read has been forgotten since: a write that commits while the
//! reader is between its read and its fill leaves a mark newer than the ticket, so the old text
//! is never put back.
//!
//! [`fill`]: BillCache::fill

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use diesel::prelude::*;

use crate::db::{CommitHook, CommitNote, DbPool};

/// The channel the triggers notify.
pub const CHANNEL: &str = "mgramseva_ledger";

enum Slot {
    Text(Arc<str>),
    /// Forgotten at this tick; a fill with an older ticket is refused.
    Changed(u64),
}

#[derive(Default)]
struct Inner {
    /// Moves when everything is forgotten at once: tickets from before are void.
    epoch: u64,
    /// Moves with every forgotten key.
    tick: u64,
    map: HashMap<String, Slot>,
    /// Transactions of this process whose changes were applied at commit (the most recent).
    applied: std::collections::VecDeque<u64>,
}

/// How many of this process's recent commits are remembered for ignoring their echo.
const APPLIED_KEPT: usize = 4096;

/// Taken before a reader goes to the database; see [`BillCache::fill`].
#[derive(Clone, Copy, Debug)]
pub struct Ticket {
    epoch: u64,
    tick: u64,
}

pub struct BillCache {
    capacity: usize,
    live: AtomicBool,
    inner: RwLock<Inner>,
}

impl std::fmt::Debug for BillCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillCache")
            .field("capacity", &self.capacity)
            .field("live", &self.is_live())
            .finish_non_exhaustive()
    }
}

/// The key the triggers send for one consumer's ledger.
pub fn key(tenant: &str, service: &str, consumer: &str) -> String {
    format!("{tenant}\t{service}\t{consumer}")
}

impl BillCache {
    /// At most `capacity` keys (texts and marks) are kept; past that everything is forgotten and
    /// filling starts again. 0 keeps nothing.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            live: AtomicBool::new(false),
            inner: RwLock::new(Inner::default()),
        }
    }

    /// True while changes made by others are being heard (only then is anything served).
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The text kept for `key`, if any and if changes are being heard.
    pub fn get(&self, key: &str) -> Option<Arc<str>> {
        if !self.is_live() {
            return None;
        }
        match self.read().map.get(key) {
            Some(Slot::Text(t)) => Some(t.clone()),
            _ => None,
        }
    }

    /// Take before reading the database for a key that missed.
    pub fn ticket(&self) -> Ticket {
        let g = self.read();
        Ticket {
            epoch: g.epoch,
            tick: g.tick,
        }
    }

    /// Keeps `text` for `key` unless the key (or everything) was forgotten after `ticket` was
    /// taken, or changes are not being heard. Returns whether it was kept.
    pub fn fill(&self, key: &str, ticket: Ticket, text: Arc<str>) -> bool {
        if self.capacity == 0 || !self.is_live() {
            return false;
        }
        let mut g = self.write();
        if g.epoch != ticket.epoch {
            return false;
        }
        if let Some(Slot::Changed(at)) = g.map.get(key)
            && *at > ticket.tick
        {
            return false;
        }
        if g.map.len() >= self.capacity && !g.map.contains_key(key) {
            g.map.clear();
            g.epoch += 1;
            return false;
        }
        g.map.insert(key.to_owned(), Slot::Text(text));
        true
    }

    /// Forgets the keys of a change report: keys one per line, `*` meaning all.
    pub fn changed(&self, report: &str) {
        let keys: Vec<&str> = report.lines().filter(|k| !k.is_empty()).collect();
        if keys.is_empty() {
            return;
        }
        if keys.contains(&"*") {
            self.forget_all();
            return;
        }
        let mut g = self.write();
        for k in keys {
            g.tick += 1;
            let at = g.tick;
            g.map.insert(k.to_owned(), Slot::Changed(at));
        }
        if g.map.len() > self.capacity {
            g.map.clear();
            g.epoch += 1;
        }
    }

    /// Notes that transaction `xid`'s changes were applied at its commit, so its notices (the
    /// echo) change nothing.
    pub fn applied(&self, xid: u64) {
        let mut g = self.write();
        if g.applied.len() >= APPLIED_KEPT {
            g.applied.pop_front();
        }
        g.applied.push_back(xid);
    }

    /// A notice as the triggers send it: `key<TAB>transaction id`. Ignored when that transaction
    /// is one of ours already applied; otherwise the key is forgotten.
    pub fn notice(&self, payload: &str) {
        let (key, xid) = match payload
            .rsplit_once('\t')
            .and_then(|(k, x)| Some((k, x.parse::<u64>().ok()?)))
        {
            Some((k, x)) => (k, Some(x)),
            None => (payload, None),
        };
        if let Some(x) = xid
            && self.read().applied.contains(&x)
        {
            return;
        }
        self.changed(key);
    }

    /// Forgets everything; tickets taken before are void.
    pub fn forget_all(&self) {
        let mut g = self.write();
        g.map.clear();
        g.epoch += 1;
    }

    fn set_live(&self, live: bool) {
        if !live {
            self.live.store(false, Ordering::Release);
        }
        // Whether going down or coming up: what was kept may have missed changes meanwhile.
        self.forget_all();
        if live {
            self.live.store(true, Ordering::Release);
        }
    }

    /// Starts the thread that listens for everybody's changes on a connection of its own (not
    /// from the pool). It ends when the cache is dropped; it reconnects after an error, and
    /// nothing is served from memory until it is listening again.
    pub fn listen(self: &Arc<Self>, url: &str) {
        if self.capacity == 0 {
            return;
        }
        let weak = Arc::downgrade(self);
        let url = url.to_owned();
        let spawned = std::thread::Builder::new()
            .name("ledger-listen".into())
            .spawn(move || listen_loop(&weak, &url));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no ledger listener: bills are read from the database");
        }
    }
}

fn listen_loop(weak: &Weak<BillCache>, url: &str) {
    let mut failures = 0u32;
    loop {
        let conn = PgConnection::establish(url).and_then(|mut c| {
            diesel::sql_query(format!("LISTEN {CHANNEL}"))
                .execute(&mut c)
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            Ok(c)
        });
        let Some(cache) = weak.upgrade() else { return };
        let mut conn = match conn {
            Ok(c) => {
                cache.set_live(true);
                failures = 0;
                c
            }
            Err(e) => {
                cache.set_live(false);
                drop(cache);
                if failures == 0 {
                    tracing::warn!(error = %e, "ledger listener cannot connect; retrying");
                }
                failures = failures.saturating_add(1);
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
        };
        drop(cache);
        'heard: loop {
            std::thread::sleep(Duration::from_millis(1));
            let Some(cache) = weak.upgrade() else { return };
            for n in conn.notifications_iter() {
                match n {
                    Ok(n) => cache.notice(&n.payload),
                    Err(e) => {
                        cache.set_live(false);
                        tracing::warn!(error = %e, "ledger listener lost its connection");
                        break 'heard;
                    }
                }
            }
        }
    }
}

/// The pool's bill cache (registered by `build_state`); without one, a cache that keeps nothing.
pub fn of(pool: &DbPool) -> Arc<BillCache> {
    static NONE: std::sync::LazyLock<Arc<BillCache>> =
        std::sync::LazyLock::new(|| Arc::new(BillCache::new(0)));
    pool.hook::<BillCache>().unwrap_or_else(|| NONE.clone())
}

/// A bill cache of `capacity` keys, told of the pool's commits and listening for everybody
/// else's changes.
pub fn install(pool: &DbPool, capacity: usize) -> Arc<BillCache> {
    let cache = Arc::new(BillCache::new(capacity));
    pool.on_commit(cache.clone());
    cache.listen(pool.url());
    cache
}

impl CommitHook for BillCache {
    fn before_commit(&self, conn: &mut PgConnection) -> QueryResult<Option<CommitNote>> {
        Ok(changed_in_transaction(conn)?.map(|c| Box::new(c) as CommitNote))
    }

    fn committed(&self, note: CommitNote) {
        if let Ok(c) = note.downcast::<(String, u64)>() {
            let (report, xid) = *c;
            self.changed(&report);
            self.applied(xid);
        }
    }
}

/// The keys this transaction's writes changed so far and its id (read just before commit);
/// None when it changed none.
fn changed_in_transaction(conn: &mut PgConnection) -> QueryResult<Option<(String, u64)>> {
    use diesel::sql_types::{Nullable, Text};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<Text>)]
        v: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        x: Option<String>,
    }
    let r: Row = diesel::sql_query(
        "SELECT current_setting('mgramseva.ledger_changed', true) AS v, \
                pg_current_xact_id_if_assigned()::text AS x",
    )
    .get_result(conn)?;
    Ok(r.v.filter(|v| !v.is_empty()).map(|v| {
        // (a transaction that changed a ledger has written, so it has an id)
        let x = r.x.and_then(|x| x.parse().ok()).unwrap_or(0);
        (v, x)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(capacity: usize) -> BillCache {
        let c = BillCache::new(capacity);
        c.set_live(true);
        c
    }

    #[test]
    fn nothing_is_served_while_changes_are_not_heard() {
        let c = BillCache::new(10);
        let t = c.ticket();
        assert!(!c.fill("a", t, "A".into()));
        c.set_live(true);
        let t = c.ticket();
        assert!(c.fill("a", t, "A".into()));
        assert_eq!(c.get("a").as_deref(), Some("A"));
        c.set_live(false);
        assert_eq!(c.get("a"), None);
        c.set_live(true);
        assert_eq!(c.get("a"), None, "what was kept before the outage is gone");
    }

    #[test]
    fn a_change_between_the_read_and_the_fill_wins() {
        let c = live(10);
        let t = c.ticket();
        // the reader read the old text; a write commits and is reported before the fill
        c.changed("a");
        assert!(!c.fill("a", t, "old".into()));
        assert_eq!(c.get("a"), None);
        // a reader that started after the change may fill
        let t = c.ticket();
        assert!(c.fill("a", t, "new".into()));
        assert_eq!(c.get("a").as_deref(), Some("new"));
        // another key's change does not stop it
        let t = c.ticket();
        c.changed("b\nc");
        assert!(c.fill("a", t, "newer".into()));
        assert_eq!(c.get("b"), None);
    }

    #[test]
    fn a_change_after_the_fill_forgets_and_star_forgets_all() {
        let c = live(10);
        let t = c.ticket();
        assert!(c.fill("a", t, "A".into()));
        assert!(c.fill("b", t, "B".into()));
        c.changed("a");
        assert_eq!(c.get("a"), None);
        assert_eq!(c.get("b").as_deref(), Some("B"));
        let old = c.ticket();
        c.changed("x\n*");
        assert_eq!(c.get("b"), None);
        assert!(
            !c.fill("b", old, "B".into()),
            "tickets from before * are void"
        );
    }

    #[test]
    fn the_echo_of_an_applied_commit_is_ignored_and_others_are_not() {
        let c = live(10);
        // our transaction 700 changed "a" and was applied at its commit; a reader kept "a" after
        c.changed("a");
        c.applied(700);
        let t = c.ticket();
        assert!(c.fill("a", t, "A".into()));
        // its echo leaves what was kept after the commit
        c.notice("a\t700");
        assert_eq!(c.get("a").as_deref(), Some("A"));
        // somebody else's transaction on the same key is heard
        c.notice("a\t701");
        assert_eq!(c.get("a"), None);
        // "*" from somebody else forgets everything; a notice without an id too
        let t = c.ticket();
        assert!(c.fill("b", t, "B".into()));
        c.notice("b");
        assert_eq!(c.get("b"), None);
        let t = c.ticket();
        assert!(c.fill("t\tWS\tc1", t, "C".into()));
        c.notice("t\tWS\tc1");
        assert_eq!(
            c.get("t\tWS\tc1"),
            None,
            "a key without an id is the whole notice"
        );
        let t = c.ticket();
        assert!(c.fill("b", t, "B".into()));
        c.notice("*\t702");
        assert_eq!(c.get("b"), None);
    }

    #[test]
    fn a_full_cache_starts_again() {
        let c = live(2);
        let t = c.ticket();
        assert!(c.fill("a", t, "A".into()));
        assert!(c.fill("b", t, "B".into()));
        assert!(c.fill("a", t, "A2".into()), "replacing a key needs no room");
        assert!(!c.fill("c", t, "C".into()));
        assert_eq!(c.get("a"), None);
        let t = c.ticket();
        assert!(c.fill("c", t, "C".into()));
        assert_eq!(c.get("c").as_deref(), Some("C"));
    }
}
