//! Time as people here count it: Asia/Kolkata wall clock and the April–March financial year.
//! Stored times are UTC; the DIGIT API speaks epoch milliseconds.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone as _, Utc};
use chrono_tz::Asia::Kolkata;

pub type Ist = chrono_tz::Tz;
pub const IST: Ist = Kolkata;

/// Financial year identified by the calendar year it starts in (FY 2024-25 is `Fy(2024)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fy(pub i32);

impl Fy {
    /// The financial year of an instant, judged on the Indian calendar date.
    pub fn of(at: DateTime<Utc>) -> Self {
        Self::of_date(at.with_timezone(&IST).date_naive())
    }

    pub fn of_date(d: NaiveDate) -> Self {
        if d.month() >= 4 {
            Fy(d.year())
        } else {
            Fy(d.year() - 1)
        }
    }

    /// Parses "2024-25" (also "2024-2025").
    pub fn parse(s: &str) -> Option<Self> {
        let (a, b) = s.trim().split_once('-')?;
        let start: i32 = a.parse().ok()?;
        let end: i32 = b.parse().ok()?;
        let expected = start + 1;
        let ok = match b.len() {
            2 => end == expected % 100,
            4 => end == expected,
            _ => false,
        };
        ok.then_some(Fy(start))
    }

    /// "2024-25".
    pub fn label(self) -> String {
        format!("{}-{:02}", self.0, (self.0 + 1) % 100)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).unwrap_or_default()
    }

    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).unwrap_or_default()
    }

    /// 1 April 00:00:00.000 IST as epoch milliseconds.
    pub fn start_millis(self) -> i64 {
        ist_day_start_millis(self.first_day())
    }

    /// 31 March 23:59:59.999 IST as epoch milliseconds.
    pub fn end_millis(self) -> i64 {
        ist_day_start_millis(self.next().first_day()) - 1
    }

    pub fn next(self) -> Self {
        Fy(self.0 + 1)
    }
}

/// Midnight IST at the start of `d`, as epoch milliseconds.
pub fn ist_day_start_millis(d: NaiveDate) -> i64 {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    match IST.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.timestamp_millis()
        }
        chrono::LocalResult::None => naive.and_utc().timestamp_millis(),
    }
}

/// The first day of the month of `d`.
pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The first day of the month after the month of `d`.
pub fn next_month(d: NaiveDate) -> NaiveDate {
    let d = month_start(d);
    if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap_or(d)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1).unwrap_or(d)
    }
}

/// The first day of the month before the month of `d`.
pub fn prev_month(d: NaiveDate) -> NaiveDate {
    let d = month_start(d);
    if d.month() == 1 {
        NaiveDate::from_ymd_opt(d.year() - 1, 12, 1).unwrap_or(d)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() - 1, 1).unwrap_or(d)
    }
}

/// The last instant (23:59:59.999 IST) of the month of `d`, as epoch milliseconds.
pub fn month_end_ms(d: NaiveDate) -> i64 {
    ist_day_start_millis(next_month(d)) - 1
}

/// Midnight IST at the start of `d` (the first day of a month, for a billing period's start).
pub fn month_start_at(d: NaiveDate) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ist_day_start_millis(d)).unwrap_or_default()
}

/// The last instant (23:59:59.999 IST) of the month of `d`.
pub fn month_end_at(d: NaiveDate) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(month_end_ms(d)).unwrap_or_default()
}

/// Midnight IST at the start of the day `d`.
pub fn day_start_at(d: NaiveDate) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ist_day_start_millis(d)).unwrap_or_default()
}

/// The last instant (23:59:59.999 IST) of the day `d`.
pub fn day_end_at(d: NaiveDate) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ist_day_start_millis(d.succ_opt().unwrap_or(d)) - 1)
        .unwrap_or_default()
}

/// The IST calendar day of an instant.
pub fn ist_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&IST).date_naive()
}

/// Formats an instant in IST with a Java `SimpleDateFormat`-style pattern (`yyyy`, `yy`, `MM`,
/// `dd`, `HH`, `mm`, `ss`); other characters are copied. Returns None for letters it does not know.
pub fn format_java(at: DateTime<Utc>, pattern: &str) -> Option<String> {
    let t = at.with_timezone(&IST);
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        match c {
            'y' if n == 2 => out.push_str(&format!("{:02}", t.year() % 100)),
            'y' => out.push_str(&format!("{:04}", t.year())),
            'M' => out.push_str(&format!("{:02}", t.month())),
            'd' => out.push_str(&format!("{:02}", t.day())),
            'H' => out.push_str(&format!("{:02}", t.hour_value())),
            'm' => out.push_str(&format!("{:02}", t.minute_value())),
            's' => out.push_str(&format!("{:02}", t.second_value())),
            c if c.is_ascii_alphabetic() => return None,
            c => {
                for _ in 0..n {
                    out.push(c);
                }
            }
        }
        i += n;
    }
    Some(out)
}

trait Hms {
    fn hour_value(&self) -> u32;
    fn minute_value(&self) -> u32;
    fn second_value(&self) -> u32;
}

impl<T: chrono::Timelike> Hms for T {
    fn hour_value(&self) -> u32 {
        self.hour()
    }
    fn minute_value(&self) -> u32 {
        self.minute()
    }
    fn second_value(&self) -> u32 {
        self.second()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn financial_year_turns_on_1_april_ist() {
        // 31 March 2025 18:29:59 UTC is 23:59:59 IST: still FY 2024-25.
        assert_eq!(Fy::of(utc("2025-03-31T18:29:59Z")), Fy(2024));
        // 18:30 UTC is midnight IST on 1 April: FY 2025-26.
        assert_eq!(Fy::of(utc("2025-03-31T18:30:00Z")), Fy(2025));
        assert_eq!(Fy(2025).label(), "2025-26");
        assert_eq!(Fy(2099).label(), "2099-00");
    }

    #[test]
    fn fy_bounds_match_the_master_data() {
        // TaxPeriod WC2024 in the Punjab masters starts at 1711909800000 (1 April 2024 IST).
        assert_eq!(Fy(2024).start_millis(), 1_711_909_800_000);
        // and a clean end is 31 March 2025 23:59:59.999 IST.
        assert_eq!(Fy(2024).end_millis(), 1_743_445_799_999);
        assert_eq!(Fy(2021).end_millis(), 1_648_751_399_999);
    }

    #[test]
    fn parse_labels() {
        assert_eq!(Fy::parse("2022-23"), Some(Fy(2022)));
        assert_eq!(Fy::parse("2022-2023"), Some(Fy(2022)));
        assert_eq!(Fy::parse("2022-24"), None);
        assert_eq!(Fy::parse("x"), None);
    }

    #[test]
    fn month_arithmetic() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(month_start(d(2026, 11, 20)), d(2026, 11, 1));
        assert_eq!(prev_month(d(2026, 1, 1)), d(2025, 12, 1));
        assert_eq!(prev_month(d(2026, 3, 31)), d(2026, 2, 1));
        assert_eq!(next_month(d(2025, 12, 15)), d(2026, 1, 1));
        // Nov 2026 ends the millisecond before 1 Dec 2026 00:00 IST (30 Nov 18:30 UTC).
        assert_eq!(
            month_end_ms(d(2026, 11, 20)),
            utc("2026-11-30T18:30:00Z").timestamp_millis() - 1
        );
        assert_eq!(
            month_end_at(d(2026, 11, 1)),
            utc("2026-11-30T18:29:59.999Z")
        );
        // 1 Nov 2026 00:00 IST is 31 Oct 18:30 UTC.
        assert_eq!(month_start_at(d(2026, 11, 1)), utc("2026-10-31T18:30:00Z"));
    }

    #[test]
    fn java_patterns_in_ist() {
        let t = utc("2026-11-20T20:00:00Z"); // 21 Nov 2026 01:30 IST
        assert_eq!(format_java(t, "yyyy-MM-dd").as_deref(), Some("2026-11-21"));
        assert_eq!(format_java(t, "yyyy_MM_dd").as_deref(), Some("2026_11_21"));
        assert_eq!(format_java(t, "MM").as_deref(), Some("11"));
        assert_eq!(format_java(t, "yy").as_deref(), Some("26"));
        assert_eq!(format_java(t, "QQ"), None);
    }
}
