//! A per-client-address limit on anonymous calls (the link holder's view of bills, receipts and
//! files): at most `per_minute` calls in any fixed minute from one address. In memory: the limit
//! protects this process from being walked through consumer numbers, not a cluster.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Addresses remembered before the stale ones are dropped.
const MAX_ADDRESSES: usize = 100_000;

#[derive(Debug)]
pub struct Limiter {
    per_minute: u32,
    seen: Mutex<HashMap<Option<IpAddr>, (i64, u32)>>,
}

impl Limiter {
    /// `per_minute` calls per address per minute; 0 means no anonymous calls at all.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a call from `addr` (None: an address that could not be told) in the minute `now`
    /// (seconds since the epoch); false when the address has used up this minute's calls.
    pub fn allow(&self, addr: Option<IpAddr>, now: i64) -> bool {
        let minute = now.div_euclid(60);
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() >= MAX_ADDRESSES {
            seen.retain(|_, (m, _)| *m == minute);
        }
        let entry = seen.entry(addr).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        if entry.1 >= self.per_minute {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_address_per_minute() {
        let l = Limiter::new(3);
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        let t = 1_799_999_940; // the first second of a minute
        assert!((0..3).all(|_| l.allow(a, t)));
        assert!(!l.allow(a, t + 59), "the fourth call in the same minute");
        assert!(l.allow(b, t + 59), "another address has its own count");
        assert!(l.allow(a, t + 60), "a new minute starts again");
        assert!(!Limiter::new(0).allow(a, t));
    }
}
