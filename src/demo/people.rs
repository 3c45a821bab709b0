//! Who lives in the demo GPs: households drawn from a seeded generator (the same every run),
//! with Punjabi names, addresses and habits of payment: 60 in Lodhipur, 24 in Abiana Kalan (a
//! second GP of the same division, so the division's views compare two GPs).

use rust_decimal::Decimal;

/// One demo village: where, how many households, and what tells its households apart.
#[derive(Clone, Copy, Debug)]
pub struct Village {
    pub tenant: &'static str,
    /// Households entered.
    pub count: usize,
    /// Their old connection numbers are `<prefix>001` …
    pub old_prefix: &'static str,
    /// Meter numbers are `<meter_prefix>1000` …
    pub meter_prefix: &'static str,
    pub seed: u64,
    /// Owners' mobile numbers start from here (kept apart between villages).
    pub mobile_base: usize,
    /// The seed of the monthly draws (units, days, amounts).
    pub months_seed: u64,
    /// The secretary who bills it and the collector at its counter (demo staff mobiles).
    pub secretary: &'static str,
    pub collector: &'static str,
}

/// The demo GP: Lodhipur (Sri Anandpur Sahib division).
pub const LODHIPUR: Village = Village {
    tenant: super::DEMO_TENANT,
    count: 60,
    old_prefix: "LDP/",
    meter_prefix: "LDPM",
    seed: 0x4c6f_6468_6970_7572, // "Lodhipur"
    mobile_base: 15_000_000,
    months_seed: 0x6d67_7261_6d73_6576,
    secretary: "9000000001",
    collector: "9000000002",
};

/// The second GP of the same division: Abiana Kalan, smaller, billed by its own sarpanch.
pub const ABIANA_KALAN: Village = Village {
    tenant: super::SECOND_TENANT,
    count: 24,
    old_prefix: "ABK/",
    meter_prefix: "ABKM",
    seed: 0x4162_6961_6e61_4b61, // "AbianaKa"
    mobile_base: 25_000_000,
    months_seed: 0x4162_6b4d_6f6e_7468,
    secretary: "9000000006",
    collector: "9000000006",
};

/// A small seeded generator (SplitMix64): the same numbers on every machine and rand version.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A whole number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        let i = usize::try_from(self.next() % xs.len() as u64).unwrap_or(0);
        &xs[i]
    }

    /// `pick`, by value.
    pub fn pick_copy<T: Copy>(&mut self, xs: &[T]) -> T {
        *self.pick(xs)
    }
}

/// How a household pays its water bills over the year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Habit {
    /// The whole bill every month.
    Prompt,
    /// The whole bill every third month.
    Quarterly,
    /// The whole bill until month `stops` (0..12), nothing after: months behind.
    Behind { stops: usize },
    /// Now and then, a round part of the bill.
    Irregular,
    /// The whole bill, and in month `at` a round sum over it: an advance that pays later months.
    Advance { at: usize, extra: i64 },
}

/// What a household brings from the old register when it is entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opening {
    None,
    /// Arrears, with a penalty on them (0 for none).
    Arrears(Decimal, Decimal),
    Advance(Decimal),
}

/// One demo household, as the secretary enters it and as it pays.
#[derive(Clone, Debug)]
pub struct Plan {
    pub old_no: String,
    pub name: String,
    pub guardian: String,
    pub gender: &'static str,
    pub mobile: String,
    pub commercial: bool,
    pub metered: bool,
    pub door: String,
    pub street: String,
    pub opening: Opening,
    pub habit: Habit,
    /// The month (0..12) after whose payment the household is marked inactive.
    pub inactive_after: Option<usize>,
    pub remarks: &'static str,
    /// Day of the month it usually pays (3..=24).
    pub pay_day: u32,
    /// Metered: the meter number, the first reading and the monthly units (low, high).
    pub meter_id: String,
    pub first_reading: i64,
    pub units: (i64, i64),
}

const MEN: &[&str] = &[
    "ਗੁਰਮੀਤ ਸਿੰਘ",
    "ਹਰਜੀਤ ਸਿੰਘ",
    "ਬਲਵਿੰਦਰ ਸਿੰਘ",
    "ਸੁਖਦੇਵ ਸਿੰਘ",
    "ਜਸਵੀਰ ਸਿੰਘ",
    "ਕੁਲਦੀਪ ਸਿੰਘ",
    "ਅਮਰਜੀਤ ਸਿੰਘ",
    "ਗੁਰਦੀਪ ਸਿੰਘ",
    "ਮਨਜੀਤ ਸਿੰਘ",
    "ਪਰਮਜੀਤ ਸਿੰਘ",
    "ਰਣਜੀਤ ਸਿੰਘ",
    "ਸਤਨਾਮ ਸਿੰਘ",
    "ਹਰਭਜਨ ਸਿੰਘ",
    "ਜਗਤਾਰ ਸਿੰਘ",
    "ਦਲਜੀਤ ਸਿੰਘ",
    "ਇਕਬਾਲ ਸਿੰਘ",
    "ਅਵਤਾਰ ਸਿੰਘ",
    "ਨਿਰਮਲ ਸਿੰਘ",
    "ਸੁਰਜੀਤ ਸਿੰਘ",
    "ਗੁਰਨਾਮ ਸਿੰਘ",
    "ਕਰਨੈਲ ਸਿੰਘ",
    "ਮੋਹਿੰਦਰ ਸਿੰਘ",
    "ਲਖਵਿੰਦਰ ਸਿੰਘ",
    "ਭੁਪਿੰਦਰ ਸਿੰਘ",
    "ਤਰਸੇਮ ਲਾਲ",
    "ਰਾਮ ਸਰੂਪ",
    "ਮੋਹਨ ਲਾਲ",
    "ਸੁਰਿੰਦਰ ਕੁਮਾਰ",
];

const WOMEN: &[&str] = &[
    "ਹਰਪ੍ਰੀਤ ਕੌਰ",
    "ਮਨਜੀਤ ਕੌਰ",
    "ਜਸਵਿੰਦਰ ਕੌਰ",
    "ਸੁਖਵਿੰਦਰ ਕੌਰ",
    "ਕੁਲਵੰਤ ਕੌਰ",
    "ਗੁਰਮੀਤ ਕੌਰ",
    "ਪਰਮਜੀਤ ਕੌਰ",
    "ਬਲਜੀਤ ਕੌਰ",
    "ਰਾਜਵਿੰਦਰ ਕੌਰ",
    "ਅਮਨਦੀਪ ਕੌਰ",
    "ਕਮਲਜੀਤ ਕੌਰ",
    "ਸਰਬਜੀਤ ਕੌਰ",
    "ਚਰਨਜੀਤ ਕੌਰ",
    "ਨਸੀਬ ਕੌਰ",
];

const SURNAMES: &[&str] = &[
    "ਸੈਣੀ",
    "ਸੰਧੂ",
    "ਗਿੱਲ",
    "ਢਿੱਲੋਂ",
    "ਬਾਜਵਾ",
    "ਧਾਲੀਵਾਲ",
    "ਸਿੱਧੂ",
    "ਗਰੇਵਾਲ",
    "ਕੰਬੋਜ",
    "",
    "",
];

const STREETS: &[&str] = &[
    "ਵਾਰਡ ਨੰ. 1, ਗੁਰਦੁਆਰਾ ਸਾਹਿਬ ਵਾਲੀ ਗਲੀ",
    "ਵਾਰਡ ਨੰ. 2, ਸਕੂਲ ਰੋਡ",
    "ਵਾਰਡ ਨੰ. 3, ਫਿਰਨੀ",
    "ਵਾਰਡ ਨੰ. 4, ਧਰਮਸ਼ਾਲਾ ਵਾਲੀ ਗਲੀ",
    "ਵਾਰਡ ਨੰ. 5, ਪੰਚਾਇਤ ਘਰ ਨੇੜੇ",
    "ਵਾਰਡ ਨੰ. 6, ਟੋਭੇ ਵਾਲੀ ਗਲੀ",
    "ਵਾਰਡ ਨੰ. 7, ਆਨੰਦਪੁਰ ਸਾਹਿਬ ਰੋਡ",
];

const SHOP_STREETS: &[&str] = &["ਵਾਰਡ ਨੰ. 2, ਮੇਨ ਬਾਜ਼ਾਰ", "ਵਾਰਡ ਨੰ. 7, ਬੱਸ ਅੱਡਾ"];

const REMARKS: &[&str] = &["ਘਰ ਖਾਲੀ ਹੈ", "ਪਰਿਵਾਰ ਬਾਹਰ ਚਲਾ ਗਿਆ", "ਦੁਕਾਨ ਬੰਦ ਹੋ ਗਈ"];

/// Households marked inactive, and the month after which they are.
const INACTIVE: &[(usize, usize)] = &[(14, 6), (33, 8), (46, 9), (58, 10)];
/// Households entered with arrears (and a penalty on them).
const ARREARS: &[(usize, i64, i64)] = &[
    (7, 560, 0),
    (17, 1260, 0),
    (27, 1680, 168),
    (37, 420, 0),
    (47, 2100, 210),
    (57, 840, 0),
];

fn habit(i: usize, rng: &mut Rng) -> Habit {
    match i {
        5 | 40 | 53 => Habit::Advance {
            at: usize::try_from(rng.between(5, 8)).unwrap_or(6),
            extra: rng.between(8, 15) * 100,
        },
        7 | 17 => Habit::Irregular,
        27 | 47 => Habit::Behind {
            stops: usize::try_from(rng.between(0, 3)).unwrap_or(0),
        },
        37 => Habit::Prompt,
        57 => Habit::Quarterly,
        _ if INACTIVE.iter().any(|(n, _)| *n == i) => Habit::Prompt,
        _ if i % 9 == 2 => Habit::Behind {
            stops: usize::try_from(rng.between(4, 9)).unwrap_or(6),
        },
        _ if i % 6 == 4 => Habit::Quarterly,
        _ if i % 11 == 8 => Habit::Irregular,
        _ => Habit::Prompt,
    }
}

/// A village's demo households, the same on every run.
pub fn plans(v: &Village) -> Vec<Plan> {
    let mut rng = Rng::new(v.seed);
    (0..v.count)
        .map(|i| {
            let surname = *rng.pick(SURNAMES);
            let with = |n: &&str| {
                if surname.is_empty() {
                    (*n).to_owned()
                } else {
                    format!("{n} {surname}")
                }
            };
            let woman = i % 3 == 2;
            let (name, gender) = if woman {
                (with(rng.pick(WOMEN)), "FEMALE")
            } else {
                (with(rng.pick(MEN)), "MALE")
            };
            // a woman's husband, a man's father
            let guardian = with(rng.pick(MEN));
            let commercial = i % 7 == 3;
            let metered = i % 4 == 1;
            let opening = match ARREARS.iter().find(|(n, _, _)| *n == i) {
                Some((_, a, p)) => Opening::Arrears(Decimal::from(*a), Decimal::from(*p)),
                None if i == 22 => Opening::Advance(Decimal::from(500)),
                None => Opening::None,
            };
            let (door, street) = if commercial {
                (
                    format!("ਦੁਕਾਨ ਨੰ. {}", rng.between(1, 40)),
                    (*rng.pick(SHOP_STREETS)).to_owned(),
                )
            } else {
                (
                    format!("ਮਕਾਨ ਨੰ. {}", rng.between(1, 250)),
                    (*rng.pick(STREETS)).to_owned(),
                )
            };
            let habit = habit(i, &mut rng);
            let units = if commercial { (30, 60) } else { (14, 38) };
            Plan {
                old_no: format!("{}{:03}", v.old_prefix, i + 1),
                name,
                guardian,
                gender,
                mobile: format!("98{:08}", v.mobile_base + i * 7_919 + 101),
                commercial,
                metered,
                door,
                street,
                opening,
                habit,
                inactive_after: INACTIVE.iter().find(|(n, _)| *n == i).map(|(_, m)| *m),
                remarks: if commercial {
                    REMARKS[2]
                } else {
                    rng.pick_copy(&REMARKS[..2])
                },
                pay_day: u32::try_from(rng.between(3, 24)).unwrap_or(10),
                meter_id: format!("{}{:04}", v.meter_prefix, 1000 + i),
                first_reading: rng.between(800, 6000),
                units,
            }
        })
        .collect()
}
