//! Amount-in-words for bills and receipts, in English, Hindi and Punjabi
//! (Gurmukhi), using the Indian numbering system (hundred, thousand, lakh,
//! crore).
//!
//! ```text
//! 150      en_IN  One Hundred Fifty Rupees Only
//!          hi_IN  एक सौ पचास रुपये मात्र
//!          pa_IN  ਇੱਕ ਸੌ ਪੰਜਾਹ ਰੁਪਏ ਮਾਤਰ
//! 1234.50  en_IN  One Thousand Two Hundred Thirty Four Rupees and Fifty Paise Only
//!          hi_IN  एक हज़ार दो सौ चौंतीस रुपये और पचास पैसे मात्र
//!          pa_IN  ਇੱਕ ਹਜ਼ਾਰ ਦੋ ਸੌ ਚੌਂਤੀ ਰੁਪਏ ਅਤੇ ਪੰਜਾਹ ਪੈਸੇ ਮਾਤਰ
//! ```
//!
//! Conventions:
//! * "Only" / "मात्र" / "ਮਾਤਰ" always comes once, at the very end.
//! * Paise are joined with "and" / "और" / "ਅਤੇ" and are left out when they are
//!   zero. When the rupee part is zero and there are paise, only the paise are
//!   written ("Fifty Paise Only"). An amount of exactly zero is
//!   "Zero Rupees Only" / "शून्य रुपये मात्र" / "ਸਿਫ਼ਰ ਰੁਪਏ ਮਾਤਰ".
//! * Exactly one rupee or one paisa takes the singular form: "Rupee"/"Paisa",
//!   "रुपया"/"पैसा", "ਰੁਪਇਆ"/"ਪੈਸਾ" (singular/plural pairs as in CLDR's currency
//!   names; the Hindi plural is written "रुपये" as on Indian bills, CLDR has
//!   the equally valid "रुपए").
//! * English has no "and" inside the number and no hyphens ("One Hundred
//!   Twenty One"), each word capitalised.
//! * Groups: crore, lakh, thousand, hundred. Counts of crores above 99 are
//!   spelled recursively, as is usual in India (100 crore = "One Hundred
//!   Crore", 10^12 = "One Lakh Crore"), so every `Decimal` value works; the
//!   design range is up to 99,99,99,999.99.
//! * Amounts are rounded to 2 decimal places (half away from zero) before
//!   spelling, so 99.995 becomes "One Hundred Rupees Only".
//! * Negative amounts are not expected; if one is passed its absolute value
//!   is spelled (the sign is dropped, no panic, no error). Callers that must
//!   reject negatives should check `amount.is_sign_negative()` first.
//! * Locale: the language subtag decides, case-insensitively, with `_` or `-`
//!   as separator: `hi`, `hi_IN`, `hi-IN` → Hindi; `pa`, `pa_IN`,
//!   `pa-Guru-IN` → Punjabi (Gurmukhi); anything else → English.
//!
//! Sources of the 0–99 tables: see the comments on `HI_0_99` and
//! `PA_0_99`.

use rust_decimal::{Decimal, RoundingStrategy};

/// English 0–99 (Indian English; no hyphens, as printed on Indian bills).
#[rustfmt::skip]
const EN_0_99: [&str; 100] = [
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", // 0-9
    "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen", // 10-19
    "Twenty", "Twenty One", "Twenty Two", "Twenty Three", "Twenty Four", "Twenty Five", "Twenty Six", "Twenty Seven", "Twenty Eight", "Twenty Nine", // 20-29
    "Thirty", "Thirty One", "Thirty Two", "Thirty Three", "Thirty Four", "Thirty Five", "Thirty Six", "Thirty Seven", "Thirty Eight", "Thirty Nine", // 30-39
    "Forty", "Forty One", "Forty Two", "Forty Three", "Forty Four", "Forty Five", "Forty Six", "Forty Seven", "Forty Eight", "Forty Nine", // 40-49
    "Fifty", "Fifty One", "Fifty Two", "Fifty Three", "Fifty Four", "Fifty Five", "Fifty Six", "Fifty Seven", "Fifty Eight", "Fifty Nine", // 50-59
    "Sixty", "Sixty One", "Sixty Two", "Sixty Three", "Sixty Four", "Sixty Five", "Sixty Six", "Sixty Seven", "Sixty Eight", "Sixty Nine", // 60-69
    "Seventy", "Seventy One", "Seventy Two", "Seventy Three", "Seventy Four", "Seventy Five", "Seventy Six", "Seventy Seven", "Seventy Eight", "Seventy Nine", // 70-79
    "Eighty", "Eighty One", "Eighty Two", "Eighty Three", "Eighty Four", "Eighty Five", "Eighty Six", "Eighty Seven", "Eighty Eight", "Eighty Nine", // 80-89
    "Ninety", "Ninety One", "Ninety Two", "Ninety Three", "Ninety Four", "Ninety Five", "Ninety Six", "Ninety Seven", "Ninety Eight", "Ninety Nine", // 90-99
];

/// Hindi 0–99 (Devanagari).
///
/// Source: Unicode CLDR `common/rbnf/hi.xml`, `%spellout-cardinal` rules 0–99,
/// cross-checked entry by entry against `AI4Bharat/indic-numtowords`
/// (hin/data/nums.py) and `forzagreen/n2words` (src/hi-IN.js). CLDR is
/// followed except where both other sources agree on another spelling, which
/// is also the one in common modern use:
/// 15 पंद्रह (CLDR पन्द्रह; anusvara form per the Central Hindi Directorate
/// standard), 79 उन्यासी (CLDR उनासी), 91–99 with -नवे: इक्यानवे बानवे
/// तिरानवे चौरानवे पचानवे छियानवे सत्तानवे अट्ठानवे निन्यानवे (CLDR has -नबे,
/// with 95 as पंचानबे). Variants seen but not used: 6 छः, 18 अट्ठारह,
/// 44 चवालीस/चौंतालीस (CLDR चौवालीस kept), 53 तिरपन, 63 तिरसठ, 66 छयासठ,
/// 67 सरसठ.
#[rustfmt::skip]
const HI_0_99: [&str; 100] = [
    "शून्य", "एक", "दो", "तीन", "चार", "पाँच", "छह", "सात", "आठ", "नौ", // 0-9
    "दस", "ग्यारह", "बारह", "तेरह", "चौदह", "पंद्रह", "सोलह", "सत्रह", "अठारह", "उन्नीस", // 10-19
    "बीस", "इक्कीस", "बाईस", "तेईस", "चौबीस", "पच्चीस", "छब्बीस", "सत्ताईस", "अट्ठाईस", "उनतीस", // 20-29
    "तीस", "इकतीस", "बत्तीस", "तैंतीस", "चौंतीस", "पैंतीस", "छत्तीस", "सैंतीस", "अड़तीस", "उनतालीस", // 30-39
    "चालीस", "इकतालीस", "बयालीस", "तैंतालीस", "चौवालीस", "पैंतालीस", "छियालीस", "सैंतालीस", "अड़तालीस", "उनचास", // 40-49
    "पचास", "इक्यावन", "बावन", "तिरेपन", "चौवन", "पचपन", "छप्पन", "सत्तावन", "अट्ठावन", "उनसठ", // 50-59
    "साठ", "इकसठ", "बासठ", "तिरेसठ", "चौंसठ", "पैंसठ", "छियासठ", "सड़सठ", "अड़सठ", "उनहत्तर", // 60-69
    "सत्तर", "इकहत्तर", "बहत्तर", "तिहत्तर", "चौहत्तर", "पचहत्तर", "छिहत्तर", "सतहत्तर", "अठहत्तर", "उन्यासी", // 70-79
    "अस्सी", "इक्यासी", "बयासी", "तिरासी", "चौरासी", "पचासी", "छियासी", "सत्तासी", "अट्ठासी", "नवासी", // 80-89
    "नब्बे", "इक्यानवे", "बानवे", "तिरानवे", "चौरानवे", "पचानवे", "छियानवे", "सत्तानवे", "अट्ठानवे", "निन्यानवे", // 90-99
];

/// Punjabi 0–99 (Gurmukhi).
///
/// Source: Unicode CLDR `common/rbnf/pa.xml` (added and verified in 2026,
/// CLDR-19450), `%spellout-cardinal` rules 0–99, taken verbatim except 77:
/// CLDR has "ਸਤੱਤਰ੍ਹ" (pair-ha after the final consonant, unlike its own
/// 78 "ਅਠੱਤਰ"); here "ਸਤੱਤਰ", as in both other sources.
/// Cross-checked entry by entry against `AI4Bharat/indic-numtowords`
/// (pun/data/nums.py) and `forzagreen/n2words` (src/pa-IN.js). Those two
/// have evident errors (Hindi forms such as ਨਵਾਸੀ for 89, typos such as
/// ਤਹੇਹਰ), so they are not used to override CLDR, whose spelling is
/// internally consistent (ਉਣ- for 29…89). Variants a native reviewer may
/// prefer: plain spellings for CLDR's tone-marking pair-ha (੍ਹ) in
/// 69 ਉਣ੍ਹੱਤਰ, 71 ਇਕ੍ਹੱਤਰ, 89 ਉਣਾਨ੍ਹਵੇ, 99 ਨੜ੍ਹਿੰਨਵੇ (ਉਣੱਤਰ, ਇਕਹੱਤਰ,
/// ਉਣਾਨਵੇਂ, ਨੜਿੰਨਵੇਂ); final bindi in 91–99 (ਇਕਾਨਵੇਂ …); ਉਨ- instead of
/// ਉਣ- (ਉਨੱਤੀ, ਉਨਤਾਲੀ, ਉਨੰਜਾ, ਉਨਾਹਠ, ਉਨਾਸੀ); 53 ਤਰਵੰਜਾ, 54 ਚਰਵੰਜਾ,
/// 64 ਚੌਂਹਠ, 84 ਚੌਰਾਸੀ.
#[rustfmt::skip]
const PA_0_99: [&str; 100] = [
    "ਸਿਫ਼ਰ", "ਇੱਕ", "ਦੋ", "ਤਿੰਨ", "ਚਾਰ", "ਪੰਜ", "ਛੇ", "ਸੱਤ", "ਅੱਠ", "ਨੌਂ", // 0-9
    "ਦਸ", "ਗਿਆਰਾਂ", "ਬਾਰਾਂ", "ਤੇਰਾਂ", "ਚੌਦਾਂ", "ਪੰਦਰਾਂ", "ਸੋਲਾਂ", "ਸਤਾਰਾਂ", "ਅਠਾਰਾਂ", "ਉੱਨੀ", // 10-19
    "ਵੀਹ", "ਇੱਕੀ", "ਬਾਈ", "ਤੇਈ", "ਚੌਵੀ", "ਪੱਚੀ", "ਛੱਬੀ", "ਸਤਾਈ", "ਅਠਾਈ", "ਉਣੱਤੀ", // 20-29
    "ਤੀਹ", "ਇਕੱਤੀ", "ਬੱਤੀ", "ਤੇਤੀ", "ਚੌਂਤੀ", "ਪੈਂਤੀ", "ਛੱਤੀ", "ਸੈਂਤੀ", "ਅਠੱਤੀ", "ਉਣਤਾਲੀ", // 30-39
    "ਚਾਲੀ", "ਇਕਤਾਲੀ", "ਬਿਆਲੀ", "ਤਰਤਾਲੀ", "ਚੁਤਾਲੀ", "ਪੰਤਾਲੀ", "ਛਿਆਲੀ", "ਸੰਤਾਲੀ", "ਅਠਤਾਲੀ", "ਉਣੰਜਾ", // 40-49
    "ਪੰਜਾਹ", "ਇਕਵੰਜਾ", "ਬਵੰਜਾ", "ਤਿਰਵੰਜਾ", "ਚੁਰੰਜਾ", "ਪਚਵੰਜਾ", "ਛਪੰਜਾ", "ਸਤਵੰਜਾ", "ਅਠਵੰਜਾ", "ਉਣਾਹਠ", // 50-59
    "ਸੱਠ", "ਇਕਾਹਠ", "ਬਾਹਠ", "ਤਰੇਹਠ", "ਚੌਹਠ", "ਪੈਂਹਠ", "ਛਿਆਹਠ", "ਸਤਾਹਠ", "ਅਠਾਹਠ", "ਉਣ੍ਹੱਤਰ", // 60-69
    "ਸੱਤਰ", "ਇਕ੍ਹੱਤਰ", "ਬਹੱਤਰ", "ਤਿਹੱਤਰ", "ਚੁਹੱਤਰ", "ਪੰਝੱਤਰ", "ਛਿਹੱਤਰ", "ਸਤੱਤਰ", "ਅਠੱਤਰ", "ਉਣਾਸੀ", // 70-79
    "ਅੱਸੀ", "ਇਕਾਸੀ", "ਬਿਆਸੀ", "ਤਿਰਾਸੀ", "ਚੁਰਾਸੀ", "ਪਚਾਸੀ", "ਛਿਆਸੀ", "ਸਤਾਸੀ", "ਅਠਾਸੀ", "ਉਣਾਨ੍ਹਵੇ", // 80-89
    "ਨੱਬੇ", "ਇਕਾਨਵੇ", "ਬਾਨਵੇ", "ਤਰਾਨਵੇ", "ਚੁਰਾਨਵੇ", "ਪੰਚਾਨਵੇ", "ਛਿਆਨਵੇ", "ਸਤਾਨਵੇ", "ਅਠਾਨਵੇ", "ਨੜ੍ਹਿੰਨਵੇ", // 90-99
];

/// Everything language-specific.
struct Lang {
    below_100: &'static [&'static str; 100],
    hundred: &'static str,
    thousand: &'static str,
    lakh: &'static str,
    crore: &'static str,
    rupee: &'static str,
    rupees: &'static str,
    paisa: &'static str,
    paise: &'static str,
    and: &'static str,
    only: &'static str,
}

const ENGLISH: Lang = Lang {
    below_100: &EN_0_99,
    hundred: "Hundred",
    thousand: "Thousand",
    lakh: "Lakh",
    crore: "Crore",
    rupee: "Rupee",
    rupees: "Rupees",
    paisa: "Paisa",
    paise: "Paise",
    and: "and",
    only: "Only",
};

const HINDI: Lang = Lang {
    below_100: &HI_0_99,
    hundred: "सौ",
    thousand: "हज़ार",
    lakh: "लाख",
    crore: "करोड़",
    rupee: "रुपया",
    rupees: "रुपये",
    paisa: "पैसा",
    paise: "पैसे",
    and: "और",
    only: "मात्र",
};

const PUNJABI: Lang = Lang {
    below_100: &PA_0_99,
    hundred: "ਸੌ",
    thousand: "ਹਜ਼ਾਰ",
    lakh: "ਲੱਖ",
    crore: "ਕਰੋੜ",
    rupee: "ਰੁਪਇਆ",
    rupees: "ਰੁਪਏ",
    paisa: "ਪੈਸਾ",
    paise: "ਪੈਸੇ",
    and: "ਅਤੇ",
    only: "ਮਾਤਰ",
};

const HUNDRED: u128 = 100;
const THOUSAND: u128 = 1_000;
const LAKH: u128 = 100_000; // 1,00,000
const CRORE: u128 = 10_000_000; // 1,00,00,000

fn lang_for(locale: &str) -> &'static Lang {
    let language = locale
        .split(['_', '-'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match language.as_str() {
        "hi" => &HINDI,
        "pa" => &PUNJABI,
        _ => &ENGLISH,
    }
}

/// Word for 0..=99; callers only pass values below 100 (empty otherwise).
fn word_below_100(lang: &Lang, n: u128) -> &'static str {
    usize::try_from(n)
        .ok()
        .and_then(|i| lang.below_100.get(i))
        .copied()
        .unwrap_or_default()
}

/// Pushes the words for `n` (> 0) in Indian grouping.
fn push_number(lang: &Lang, n: u128, out: &mut Vec<&'static str>) {
    if n >= CRORE {
        // Crore count may exceed 99: spell it recursively ("One Lakh Crore").
        push_number(lang, n / CRORE, out);
        out.push(lang.crore);
        push_rest(lang, n % CRORE, out);
    } else if n >= LAKH {
        out.push(word_below_100(lang, n / LAKH));
        out.push(lang.lakh);
        push_rest(lang, n % LAKH, out);
    } else if n >= THOUSAND {
        out.push(word_below_100(lang, n / THOUSAND));
        out.push(lang.thousand);
        push_rest(lang, n % THOUSAND, out);
    } else if n >= HUNDRED {
        out.push(word_below_100(lang, n / HUNDRED));
        out.push(lang.hundred);
        push_rest(lang, n % HUNDRED, out);
    } else {
        out.push(word_below_100(lang, n));
    }
}

fn push_rest(lang: &Lang, rest: u128, out: &mut Vec<&'static str>) {
    if rest > 0 {
        push_number(lang, rest, out);
    }
}

/// Splits a non-negative amount into (rupees, paise) after rounding to 2
/// decimal places, half away from zero.
fn split_rupees_paise(amount: Decimal) -> (u128, u128) {
    let rounded = amount
        .abs()
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let mantissa = rounded.mantissa().unsigned_abs();
    // After round_dp(2) the scale is 0, 1 or 2; mantissa < 2^96, so the
    // multiplication cannot overflow u128.
    let total_paise = match rounded.scale() {
        0 => mantissa.saturating_mul(100),
        1 => mantissa.saturating_mul(10),
        _ => mantissa,
    };
    (total_paise / 100, total_paise % 100)
}

/// The amount in words, e.g. `150` → "One Hundred Fifty Rupees Only".
///
/// `locale`: `en_IN`, `hi_IN` or `pa_IN` (the language subtag decides, so
/// `hi`, `pa-IN` work too); anything else gives English. Negative amounts are
/// spelled as their absolute value; more than 2 decimals are rounded half
/// away from zero. See the module docs for the conventions.
#[must_use]
pub fn amount_in_words(amount: Decimal, locale: &str) -> String {
    let lang = lang_for(locale);
    let (rupees, paise) = split_rupees_paise(amount);
    let mut words: Vec<&'static str> = Vec::new();

    if rupees > 0 || paise == 0 {
        if rupees == 0 {
            words.push(word_below_100(lang, 0));
        } else {
            push_number(lang, rupees, &mut words);
        }
        words.push(if rupees == 1 { lang.rupee } else { lang.rupees });
        if paise > 0 {
            words.push(lang.and);
        }
    }
    if paise > 0 {
        words.push(word_below_100(lang, paise));
        words.push(if paise == 1 { lang.paisa } else { lang.paise });
    }
    words.push(lang.only);
    words.join(" ")
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test inputs are literals")]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// Asserts the three languages for one amount.
    fn check(amount: &str, en: &str, hi: &str, pa: &str) {
        let a = d(amount);
        assert_eq!(amount_in_words(a, "en_IN"), en, "en_IN {amount}");
        assert_eq!(amount_in_words(a, "hi_IN"), hi, "hi_IN {amount}");
        assert_eq!(amount_in_words(a, "pa_IN"), pa, "pa_IN {amount}");
    }

    #[test]
    fn zero() {
        check("0", "Zero Rupees Only", "शून्य रुपये मात्र", "ਸਿਫ਼ਰ ਰੁਪਏ ਮਾਤਰ");
        check("0.00", "Zero Rupees Only", "शून्य रुपये मात्र", "ਸਿਫ਼ਰ ਰੁਪਏ ਮਾਤਰ");
    }

    #[test]
    fn one_is_singular() {
        check("1", "One Rupee Only", "एक रुपया मात्र", "ਇੱਕ ਰੁਪਇਆ ਮਾਤਰ");
        check("1.00", "One Rupee Only", "एक रुपया मात्र", "ਇੱਕ ਰੁਪਇਆ ਮਾਤਰ");
    }

    #[test]
    fn teens_and_tens() {
        check("10", "Ten Rupees Only", "दस रुपये मात्र", "ਦਸ ਰੁਪਏ ਮਾਤਰ");
        check(
            "11",
            "Eleven Rupees Only",
            "ग्यारह रुपये मात्र",
            "ਗਿਆਰਾਂ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "15",
            "Fifteen Rupees Only",
            "पंद्रह रुपये मात्र",
            "ਪੰਦਰਾਂ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "19",
            "Nineteen Rupees Only",
            "उन्नीस रुपये मात्र",
            "ਉੱਨੀ ਰੁਪਏ ਮਾਤਰ",
        );
        check("20", "Twenty Rupees Only", "बीस रुपये मात्र", "ਵੀਹ ਰੁਪਏ ਮਾਤਰ");
        check(
            "21",
            "Twenty One Rupees Only",
            "इक्कीस रुपये मात्र",
            "ਇੱਕੀ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "77",
            "Seventy Seven Rupees Only",
            "सतहत्तर रुपये मात्र",
            "ਸਤੱਤਰ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "99",
            "Ninety Nine Rupees Only",
            "निन्यानवे रुपये मात्र",
            "ਨੜ੍ਹਿੰਨਵੇ ਰੁਪਏ ਮਾਤਰ",
        );
    }

    #[test]
    fn hundreds() {
        check(
            "100",
            "One Hundred Rupees Only",
            "एक सौ रुपये मात्र",
            "ਇੱਕ ਸੌ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "101",
            "One Hundred One Rupees Only",
            "एक सौ एक रुपये मात्र",
            "ਇੱਕ ਸੌ ਇੱਕ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "150",
            "One Hundred Fifty Rupees Only",
            "एक सौ पचास रुपये मात्र",
            "ਇੱਕ ਸੌ ਪੰਜਾਹ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "999",
            "Nine Hundred Ninety Nine Rupees Only",
            "नौ सौ निन्यानवे रुपये मात्र",
            "ਨੌਂ ਸੌ ਨੜ੍ਹਿੰਨਵੇ ਰੁਪਏ ਮਾਤਰ",
        );
    }

    #[test]
    fn thousands() {
        check(
            "1000",
            "One Thousand Rupees Only",
            "एक हज़ार रुपये मात्र",
            "ਇੱਕ ਹਜ਼ਾਰ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "1001",
            "One Thousand One Rupees Only",
            "एक हज़ार एक रुपये मात्र",
            "ਇੱਕ ਹਜ਼ਾਰ ਇੱਕ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "10000",
            "Ten Thousand Rupees Only",
            "दस हज़ार रुपये मात्र",
            "ਦਸ ਹਜ਼ਾਰ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "99999",
            "Ninety Nine Thousand Nine Hundred Ninety Nine Rupees Only",
            "निन्यानवे हज़ार नौ सौ निन्यानवे रुपये मात्र",
            "ਨੜ੍ਹਿੰਨਵੇ ਹਜ਼ਾਰ ਨੌਂ ਸੌ ਨੜ੍ਹਿੰਨਵੇ ਰੁਪਏ ਮਾਤਰ",
        );
    }

    #[test]
    fn lakhs() {
        check(
            "100000",
            "One Lakh Rupees Only",
            "एक लाख रुपये मात्र",
            "ਇੱਕ ਲੱਖ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "150000",
            "One Lakh Fifty Thousand Rupees Only",
            "एक लाख पचास हज़ार रुपये मात्र",
            "ਇੱਕ ਲੱਖ ਪੰਜਾਹ ਹਜ਼ਾਰ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "1234567",
            "Twelve Lakh Thirty Four Thousand Five Hundred Sixty Seven Rupees Only",
            "बारह लाख चौंतीस हज़ार पाँच सौ सड़सठ रुपये मात्र",
            "ਬਾਰਾਂ ਲੱਖ ਚੌਂਤੀ ਹਜ਼ਾਰ ਪੰਜ ਸੌ ਸਤਾਹਠ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "100100",
            "One Lakh One Hundred Rupees Only",
            "एक लाख एक सौ रुपये मात्र",
            "ਇੱਕ ਲੱਖ ਇੱਕ ਸੌ ਰੁਪਏ ਮਾਤਰ",
        );
    }

    #[test]
    fn crores() {
        check(
            "10000000",
            "One Crore Rupees Only",
            "एक करोड़ रुपये मात्र",
            "ਇੱਕ ਕਰੋੜ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "10000001",
            "One Crore One Rupees Only",
            "एक करोड़ एक रुपये मात्र",
            "ਇੱਕ ਕਰੋੜ ਇੱਕ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "99999999.99",
            "Nine Crore Ninety Nine Lakh Ninety Nine Thousand Nine Hundred Ninety Nine Rupees and Ninety Nine Paise Only",
            "नौ करोड़ निन्यानवे लाख निन्यानवे हज़ार नौ सौ निन्यानवे रुपये और निन्यानवे पैसे मात्र",
            "ਨੌਂ ਕਰੋੜ ਨੜ੍ਹਿੰਨਵੇ ਲੱਖ ਨੜ੍ਹਿੰਨਵੇ ਹਜ਼ਾਰ ਨੌਂ ਸੌ ਨੜ੍ਹਿੰਨਵੇ ਰੁਪਏ ਅਤੇ ਨੜ੍ਹਿੰਨਵੇ ਪੈਸੇ ਮਾਤਰ",
        );
        // Upper end of the design range: 99,99,99,999.99.
        check(
            "999999999.99",
            "Ninety Nine Crore Ninety Nine Lakh Ninety Nine Thousand Nine Hundred Ninety Nine Rupees and Ninety Nine Paise Only",
            "निन्यानवे करोड़ निन्यानवे लाख निन्यानवे हज़ार नौ सौ निन्यानवे रुपये और निन्यानवे पैसे मात्र",
            "ਨੜ੍ਹਿੰਨਵੇ ਕਰੋੜ ਨੜ੍ਹਿੰਨਵੇ ਲੱਖ ਨੜ੍ਹਿੰਨਵੇ ਹਜ਼ਾਰ ਨੌਂ ਸੌ ਨੜ੍ਹਿੰਨਵੇ ਰੁਪਏ ਅਤੇ ਨੜ੍ਹਿੰਨਵੇ ਪੈਸੇ ਮਾਤਰ",
        );
    }

    #[test]
    fn beyond_range_spells_crore_count_recursively() {
        check(
            "1000000000",
            "One Hundred Crore Rupees Only",
            "एक सौ करोड़ रुपये मात्र",
            "ਇੱਕ ਸੌ ਕਰੋੜ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "1000000000000",
            "One Lakh Crore Rupees Only",
            "एक लाख करोड़ रुपये मात्र",
            "ਇੱਕ ਲੱਖ ਕਰੋੜ ਰੁਪਏ ਮਾਤਰ",
        );
        // Largest Decimal must not panic.
        let max_en = amount_in_words(Decimal::MAX, "en_IN");
        assert!(
            max_en.starts_with("Seven Crore Ninety Two Lakh"),
            "{max_en}"
        );
        assert!(
            max_en.ends_with("Three Hundred Thirty Five Rupees Only"),
            "{max_en}"
        );
        assert!(amount_in_words(Decimal::MAX, "pa_IN").ends_with("ਰੁਪਏ ਮਾਤਰ"));
    }

    #[test]
    fn paise() {
        check(
            "1234.50",
            "One Thousand Two Hundred Thirty Four Rupees and Fifty Paise Only",
            "एक हज़ार दो सौ चौंतीस रुपये और पचास पैसे मात्र",
            "ਇੱਕ ਹਜ਼ਾਰ ਦੋ ਸੌ ਚੌਂਤੀ ਰੁਪਏ ਅਤੇ ਪੰਜਾਹ ਪੈਸੇ ਮਾਤਰ",
        );
        // One decimal place is tenths of a rupee: 1234.5 = 1234 rupees 50 paise.
        check(
            "1234.5",
            "One Thousand Two Hundred Thirty Four Rupees and Fifty Paise Only",
            "एक हज़ार दो सौ चौंतीस रुपये और पचास पैसे मात्र",
            "ਇੱਕ ਹਜ਼ਾਰ ਦੋ ਸੌ ਚੌਂਤੀ ਰੁਪਏ ਅਤੇ ਪੰਜਾਹ ਪੈਸੇ ਮਾਤਰ",
        );
        check(
            "100.05",
            "One Hundred Rupees and Five Paise Only",
            "एक सौ रुपये और पाँच पैसे मात्र",
            "ਇੱਕ ਸੌ ਰੁਪਏ ਅਤੇ ਪੰਜ ਪੈਸੇ ਮਾਤਰ",
        );
        check(
            "150.00",
            "One Hundred Fifty Rupees Only",
            "एक सौ पचास रुपये मात्र",
            "ਇੱਕ ਸੌ ਪੰਜਾਹ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "1.01",
            "One Rupee and One Paisa Only",
            "एक रुपया और एक पैसा मात्र",
            "ਇੱਕ ਰੁਪਇਆ ਅਤੇ ਇੱਕ ਪੈਸਾ ਮਾਤਰ",
        );
        check(
            "2.11",
            "Two Rupees and Eleven Paise Only",
            "दो रुपये और ग्यारह पैसे मात्र",
            "ਦੋ ਰੁਪਏ ਅਤੇ ਗਿਆਰਾਂ ਪੈਸੇ ਮਾਤਰ",
        );
        check(
            "100000.75",
            "One Lakh Rupees and Seventy Five Paise Only",
            "एक लाख रुपये और पचहत्तर पैसे मात्र",
            "ਇੱਕ ਲੱਖ ਰੁਪਏ ਅਤੇ ਪੰਝੱਤਰ ਪੈਸੇ ਮਾਤਰ",
        );
    }

    #[test]
    fn paise_only() {
        check("0.50", "Fifty Paise Only", "पचास पैसे मात्र", "ਪੰਜਾਹ ਪੈਸੇ ਮਾਤਰ");
        check("0.01", "One Paisa Only", "एक पैसा मात्र", "ਇੱਕ ਪੈਸਾ ਮਾਤਰ");
        check(
            "0.99",
            "Ninety Nine Paise Only",
            "निन्यानवे पैसे मात्र",
            "ਨੜ੍ਹਿੰਨਵੇ ਪੈਸੇ ਮਾਤਰ",
        );
    }

    #[test]
    fn rounds_to_two_places_half_away_from_zero() {
        check(
            "12.345",
            "Twelve Rupees and Thirty Five Paise Only",
            "बारह रुपये और पैंतीस पैसे मात्र",
            "ਬਾਰਾਂ ਰੁਪਏ ਅਤੇ ਪੈਂਤੀ ਪੈਸੇ ਮਾਤਰ",
        );
        check(
            "12.344",
            "Twelve Rupees and Thirty Four Paise Only",
            "बारह रुपये और चौंतीस पैसे मात्र",
            "ਬਾਰਾਂ ਰੁਪਏ ਅਤੇ ਚੌਂਤੀ ਪੈਸੇ ਮਾਤਰ",
        );
        check("0.005", "One Paisa Only", "एक पैसा मात्र", "ਇੱਕ ਪੈਸਾ ਮਾਤਰ");
        check("0.004", "Zero Rupees Only", "शून्य रुपये मात्र", "ਸਿਫ਼ਰ ਰੁਪਏ ਮਾਤਰ");
        check(
            "99.995",
            "One Hundred Rupees Only",
            "एक सौ रुपये मात्र",
            "ਇੱਕ ਸੌ ਰੁਪਏ ਮਾਤਰ",
        );
    }

    #[test]
    fn negative_is_spelled_as_absolute_value() {
        check(
            "-150",
            "One Hundred Fifty Rupees Only",
            "एक सौ पचास रुपये मात्र",
            "ਇੱਕ ਸੌ ਪੰਜਾਹ ਰੁਪਏ ਮਾਤਰ",
        );
        check(
            "-1234.50",
            "One Thousand Two Hundred Thirty Four Rupees and Fifty Paise Only",
            "एक हज़ार दो सौ चौंतीस रुपये और पचास पैसे मात्र",
            "ਇੱਕ ਹਜ਼ਾਰ ਦੋ ਸੌ ਚੌਂਤੀ ਰੁਪਏ ਅਤੇ ਪੰਜਾਹ ਪੈਸੇ ਮਾਤਰ",
        );
    }

    #[test]
    fn locale_selection() {
        let a = d("150");
        let en = "One Hundred Fifty Rupees Only";
        let hi = "एक सौ पचास रुपये मात्र";
        let pa = "ਇੱਕ ਸੌ ਪੰਜਾਹ ਰੁਪਏ ਮਾਤਰ";
        assert_eq!(amount_in_words(a, "en_IN"), en);
        assert_eq!(amount_in_words(a, "en"), en);
        assert_eq!(amount_in_words(a, "fr_FR"), en);
        assert_eq!(amount_in_words(a, ""), en);
        assert_eq!(amount_in_words(a, "xx"), en);
        assert_eq!(amount_in_words(a, "hi"), hi);
        assert_eq!(amount_in_words(a, "hi-IN"), hi);
        assert_eq!(amount_in_words(a, "HI_in"), hi);
        assert_eq!(amount_in_words(a, "pa"), pa);
        assert_eq!(amount_in_words(a, "pa-IN"), pa);
        assert_eq!(amount_in_words(a, "pa_Guru_IN"), pa);
        // Not a prefix match: "hin"/"pan" are not Hindi/Punjabi tags here.
        assert_eq!(amount_in_words(a, "hin"), en);
    }

    /// Every 0–99 entry, for each language, through the public function;
    /// written out so that a changed table entry shows up as a diff here.
    #[test]
    fn full_tables_via_public_api() {
        let hi_expected = "शून्य एक दो तीन चार पाँच छह सात आठ नौ \
            दस ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह उन्नीस \
            बीस इक्कीस बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस \
            तीस इकतीस बत्तीस तैंतीस चौंतीस पैंतीस छत्तीस सैंतीस अड़तीस उनतालीस \
            चालीस इकतालीस बयालीस तैंतालीस चौवालीस पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास \
            पचास इक्यावन बावन तिरेपन चौवन पचपन छप्पन सत्तावन अट्ठावन उनसठ \
            साठ इकसठ बासठ तिरेसठ चौंसठ पैंसठ छियासठ सड़सठ अड़सठ उनहत्तर \
            सत्तर इकहत्तर बहत्तर तिहत्तर चौहत्तर पचहत्तर छिहत्तर सतहत्तर अठहत्तर उन्यासी \
            अस्सी इक्यासी बयासी तिरासी चौरासी पचासी छियासी सत्तासी अट्ठासी नवासी \
            नब्बे इक्यानवे बानवे तिरानवे चौरानवे पचानवे छियानवे सत्तानवे अट्ठानवे निन्यानवे";
        let pa_expected = "ਸਿਫ਼ਰ ਇੱਕ ਦੋ ਤਿੰਨ ਚਾਰ ਪੰਜ ਛੇ ਸੱਤ ਅੱਠ ਨੌਂ \
            ਦਸ ਗਿਆਰਾਂ ਬਾਰਾਂ ਤੇਰਾਂ ਚੌਦਾਂ ਪੰਦਰਾਂ ਸੋਲਾਂ ਸਤਾਰਾਂ ਅਠਾਰਾਂ ਉੱਨੀ \
            ਵੀਹ ਇੱਕੀ ਬਾਈ ਤੇਈ ਚੌਵੀ ਪੱਚੀ ਛੱਬੀ ਸਤਾਈ ਅਠਾਈ ਉਣੱਤੀ \
            ਤੀਹ ਇਕੱਤੀ ਬੱਤੀ ਤੇਤੀ ਚੌਂਤੀ ਪੈਂਤੀ ਛੱਤੀ ਸੈਂਤੀ ਅਠੱਤੀ ਉਣਤਾਲੀ \
            ਚਾਲੀ ਇਕਤਾਲੀ ਬਿਆਲੀ ਤਰਤਾਲੀ ਚੁਤਾਲੀ ਪੰਤਾਲੀ ਛਿਆਲੀ ਸੰਤਾਲੀ ਅਠਤਾਲੀ ਉਣੰਜਾ \
            ਪੰਜਾਹ ਇਕਵੰਜਾ ਬਵੰਜਾ ਤਿਰਵੰਜਾ ਚੁਰੰਜਾ ਪਚਵੰਜਾ ਛਪੰਜਾ ਸਤਵੰਜਾ ਅਠਵੰਜਾ ਉਣਾਹਠ \
            ਸੱਠ ਇਕਾਹਠ ਬਾਹਠ ਤਰੇਹਠ ਚੌਹਠ ਪੈਂਹਠ ਛਿਆਹਠ ਸਤਾਹਠ ਅਠਾਹਠ ਉਣ੍ਹੱਤਰ \
            ਸੱਤਰ ਇਕ੍ਹੱਤਰ ਬਹੱਤਰ ਤਿਹੱਤਰ ਚੁਹੱਤਰ ਪੰਝੱਤਰ ਛਿਹੱਤਰ ਸਤੱਤਰ ਅਠੱਤਰ ਉਣਾਸੀ \
            ਅੱਸੀ ਇਕਾਸੀ ਬਿਆਸੀ ਤਿਰਾਸੀ ਚੁਰਾਸੀ ਪਚਾਸੀ ਛਿਆਸੀ ਸਤਾਸੀ ਅਠਾਸੀ ਉਣਾਨ੍ਹਵੇ \
            ਨੱਬੇ ਇਕਾਨਵੇ ਬਾਨਵੇ ਤਰਾਨਵੇ ਚੁਰਾਨਵੇ ਪੰਚਾਨਵੇ ਛਿਆਨਵੇ ਸਤਾਨਵੇ ਅਠਾਨਵੇ ਨੜ੍ਹਿੰਨਵੇ";
        for (locale, expected, rupees, only) in [
            ("hi_IN", hi_expected, "रुपये", "मात्र"),
            ("pa_IN", pa_expected, "ਰੁਪਏ", "ਮਾਤਰ"),
        ] {
            let expected: Vec<&str> = expected.split_whitespace().collect();
            assert_eq!(expected.len(), 100, "{locale}");
            for (n, word) in expected.iter().enumerate() {
                if n == 1 {
                    continue; // singular rupee form, covered elsewhere
                }
                let got = amount_in_words(Decimal::from(n), locale);
                assert_eq!(got, format!("{word} {rupees} {only}"), "{locale} {n}");
            }
        }
    }

    #[test]
    fn english_table_is_regular() {
        let ones = [
            "", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine",
        ];
        let tens = [
            "", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety",
        ];
        for (t, ten) in tens.iter().enumerate().skip(2) {
            for (o, one) in ones.iter().enumerate() {
                let want = if o == 0 {
                    (*ten).to_owned()
                } else {
                    format!("{ten} {one}")
                };
                assert_eq!(EN_0_99[t * 10 + o], want);
            }
        }
    }

    #[test]
    fn tables_are_well_formed() {
        for (name, table) in [("en", &EN_0_99), ("hi", &HI_0_99), ("pa", &PA_0_99)] {
            let mut seen = HashSet::new();
            for (n, w) in table.iter().enumerate() {
                assert!(!w.is_empty(), "{name} {n} empty");
                assert_eq!(w.trim(), *w, "{name} {n} has stray whitespace");
                assert!(seen.insert(*w), "{name} {n} duplicate {w}");
            }
        }
        // Script sanity: Hindi entries are Devanagari, Punjabi Gurmukhi.
        for w in HI_0_99 {
            assert!(
                w.chars().all(|c| ('\u{0900}'..='\u{097F}').contains(&c)),
                "{w}"
            );
        }
        for w in PA_0_99 {
            assert!(
                w.chars().all(|c| ('\u{0A00}'..='\u{0A7F}').contains(&c)),
                "{w}"
            );
        }
    }
}

/// An amount as people here write it: "₹1,29,000.50", whole rupees without decimals
/// ("₹150"), negative amounts with a minus sign.
pub fn inr(amount: Decimal) -> String {
    let a = amount.round_dp(2);
    let neg = a.is_sign_negative() && !a.is_zero();
    let a = a.abs();
    let rupees = a.trunc();
    let paise = ((a - rupees) * Decimal::from(100)).trunc();
    let digits = rupees.normalize().to_string();
    let mut grouped = String::new();
    let n = digits.len();
    for (i, ch) in digits.chars().enumerate() {
        grouped.push(ch);
        let left = n - i - 1;
        if left > 0 && (left == 3 || (left > 3 && (left - 3).is_multiple_of(2))) {
            grouped.push(',');
        }
    }
    let sign = if neg { "-" } else { "" };
    if paise.is_zero() {
        format!("{sign}₹{grouped}")
    } else {
        format!("{sign}₹{grouped}.{:02}", paise.normalize())
    }
}

/// The amount an [`inr`] text shows (`₹1,23,456.50`, `-₹80`), for a workbook to hold the
/// number; `None` for any other text.
pub fn parse_inr(text: &str) -> Option<Decimal> {
    let (neg, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let digits = rest.strip_prefix('₹')?.replace(',', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let v: Decimal = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod inr_tests {
    use super::*;

    #[test]
    fn parse_inr_reads_back_what_inr_writes() {
        for (v, s) in [(12345650, 2), (-8000, 2), (0, 0), (150, 0), (5, 2)] {
            let d = Decimal::new(v, s);
            assert_eq!(parse_inr(&inr(d)), Some(d.round_dp(2)), "{d}");
        }
        for t in ["", "₹", "300", "₹3a", "WS/1/2", "₹1.2.3"] {
            assert_eq!(parse_inr(t), None, "{t}");
        }
    }

    #[test]
    fn indian_grouping() {
        let d = |v: i64, s: u32| Decimal::new(v, s);
        assert_eq!(inr(d(150, 0)), "₹150");
        assert_eq!(inr(d(1000, 0)), "₹1,000");
        assert_eq!(inr(d(129000, 0)), "₹1,29,000");
        assert_eq!(inr(d(1234567850, 2)), "₹1,23,45,678.50");
        assert_eq!(inr(d(-3000, 2)), "-₹30");
        assert_eq!(inr(d(5, 2)), "₹0.05");
        assert_eq!(inr(Decimal::ZERO), "₹0");
    }
}

/// Percent-encodes `s` for a URL's query or path (letters, digits, `-_.~/` kept).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
