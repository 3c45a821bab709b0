//! Text shaping: a text is itemised into runs by script, each run shaped with HarfRust against
//! its own font; lines are wrapped greedily at spaces (and between syllables of over-long words).

use harfrust::{Direction, UnicodeBuffer};
use krilla::text::{GlyphId, KrillaGlyph};
use skrifa::MetadataProvider as _;

use super::Lang;
use super::fonts::{Face, Fonts, Script, Weight};

/// How a character takes part in choosing a font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Strong(Script),
    /// Danda and double danda: used by both Indic scripts.
    Indic,
    /// Spaces, joiners and combining marks: go with their neighbours.
    Neutral,
}

fn class_of(c: char) -> Class {
    match c {
        '\u{0964}' | '\u{0965}' => Class::Indic,
        '\u{0900}'..='\u{097F}' | '\u{A8E0}'..='\u{A8FF}' | '\u{1CD0}'..='\u{1CFF}' => {
            Class::Strong(Script::Devanagari)
        }
        '\u{0A00}'..='\u{0A7F}' => Class::Strong(Script::Gurmukhi),
        '\u{200C}' | '\u{200D}' | '\u{25CC}' | '\u{0300}'..='\u{036F}' => Class::Neutral,
        c if c.is_whitespace() => Class::Neutral,
        _ => Class::Strong(Script::Latin),
    }
}

/// Splits `text` into maximal runs that one font can shape, as byte ranges with their script.
fn itemize(text: &str, lang: Lang, fonts: &Fonts) -> Vec<(std::ops::Range<usize>, Script)> {
    let first_strong = text.chars().find_map(|c| match class_of(c) {
        Class::Strong(s) => Some(s),
        Class::Indic => Some(lang.indic_script()),
        Class::Neutral => None,
    });
    let mut runs: Vec<(std::ops::Range<usize>, Script)> = Vec::new();
    let mut current = first_strong.unwrap_or(Script::Latin);
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let script = match class_of(c) {
            Class::Strong(Script::Latin) => latin_fallback(c, fonts),
            Class::Strong(s) => s,
            Class::Indic if current == Script::Latin => lang.indic_script(),
            Class::Indic | Class::Neutral => current,
        };
        if script != current {
            if i > start {
                runs.push((start..i, current));
            }
            start = i;
            current = script;
        }
    }
    if text.len() > start {
        runs.push((start..text.len(), current));
    }
    runs
}

/// Latin-class characters go to Noto Sans unless only an Indic font has them.
fn latin_fallback(c: char, fonts: &Fonts) -> Script {
    Script::ALL
        .into_iter()
        .find(|s| fonts.face(Fonts::id(*s, Weight::Regular)).covers(c))
        .unwrap_or(Script::Latin)
}

/// Glyphs of one run in one font. Advances are in ems (krilla's normalised units).
#[derive(Debug, Clone)]
pub(super) struct Run {
    pub(super) face: usize,
    pub(super) text: String,
    pub(super) glyphs: Vec<KrillaGlyph>,
    pub(super) advance: f32,
}

/// A shaped single line of text; `width` is in ems.
#[derive(Debug, Clone, Default)]
pub(super) struct Line {
    pub(super) runs: Vec<Run>,
    pub(super) width: f32,
}

fn shape_run(face: &Face, face_id: usize, text: &str) -> Run {
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(Direction::LeftToRight);
    buffer.set_script(face.script.hb());
    let shaper = face.shaper_data.shaper(&face.font_ref).build();
    let output = shaper.shape_with_plan(&face.plan, buffer, &[]);
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    let upem = face.units_per_em;
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut advance = 0.0;
    for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
        // Left-to-right clusters are monotonic: a cluster ends where the next one starts.
        let start = info.cluster as usize;
        let end = infos[i..]
            .iter()
            .map(|g| g.cluster as usize)
            .find(|&c| c != start)
            .unwrap_or(text.len());
        let x_advance = pos.x_advance as f32 / upem;
        advance += x_advance;
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(info.glyph_id),
            x_advance,
            pos.x_offset as f32 / upem,
            pos.y_offset as f32 / upem,
            pos.y_advance as f32 / upem,
            start..end,
            None,
        ));
    }
    split_simple_clusters(face, text, &mut glyphs);
    Run {
        face: face_id,
        text: text.to_owned(),
        glyphs,
        advance,
    }
}

/// Where a cluster's glyphs are exactly its characters' default glyphs, in order (e.g. क + ु),
/// gives each glyph its own character. krilla then maps them one to one in the ToUnicode CMap
/// instead of wrapping the cluster in `/ActualText` and mapping the base glyph to the whole
/// cluster, which viewers that ignore `/ActualText` would copy wrongly wherever that glyph is
/// used alone. Clusters that really are reordered or ligated keep their `/ActualText`.
fn split_simple_clusters(face: &Face, text: &str, glyphs: &mut [KrillaGlyph]) {
    let charmap = face.font_ref.charmap();
    let mut i = 0;
    while i < glyphs.len() {
        let range = glyphs[i].text_range.clone();
        let n = glyphs[i..]
            .iter()
            .take_while(|g| g.text_range == range)
            .count();
        let chars: Vec<(usize, char)> = text[range.clone()].char_indices().collect();
        let identical = n > 1
            && chars.len() == n
            && chars.iter().zip(&glyphs[i..i + n]).all(|((_, c), g)| {
                charmap.map(*c).map(|id| id.to_u32()) == Some(g.glyph_id.to_u32())
            });
        if identical {
            for (k, (offset, c)) in chars.iter().enumerate() {
                let start = range.start + offset;
                glyphs[i + k].text_range = start..start + c.len_utf8();
            }
        }
        i += n;
    }
}

pub(super) fn shape_line(fonts: &Fonts, lang: Lang, text: &str, weight: Weight) -> Line {
    let mut line = Line::default();
    for (range, script) in itemize(text, lang, fonts) {
        let id = Fonts::id(script, weight);
        let run = shape_run(fonts.face(id), id, &text[range]);
        line.width += run.advance;
        line.runs.push(run);
    }
    line
}

fn is_mark_or_joiner(c: char) -> bool {
    matches!(
        c,
        '\u{0900}'..='\u{0903}'
            | '\u{093A}'..='\u{094F}'
            | '\u{0951}'..='\u{0957}'
            | '\u{0962}'..='\u{0963}'
            | '\u{0A01}'..='\u{0A03}'
            | '\u{0A3C}'..='\u{0A4D}'
            | '\u{0A51}'
            | '\u{0A70}'..='\u{0A71}'
            | '\u{0A75}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{0300}'..='\u{036F}'
    )
}

/// Byte offsets where a word too long for its box may be broken without splitting a syllable.
fn break_points(word: &str) -> Vec<usize> {
    let mut points = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in word.char_indices() {
        if let Some(p) = prev
            && !is_mark_or_joiner(c)
            && !matches!(p, '\u{094D}' | '\u{0A4D}' | '\u{200C}' | '\u{200D}')
        {
            points.push(i);
        }
        prev = Some(c);
    }
    points
}

/// Greedy line breaking at spaces (and inside over-long words); widths in points.
pub(super) fn wrap(
    fonts: &Fonts,
    lang: Lang,
    text: &str,
    weight: Weight,
    size: f32,
    max_w: f32,
) -> Vec<Line> {
    // The tolerance absorbs rounding when `max_w` was itself measured from this text.
    let fits = |s: &str| shape_line(fonts, lang, s, weight).width * size <= max_w + 0.01;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if fits(&candidate) {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            // The word alone: break it where it overflows.
            let mut rest = word;
            while !fits(rest) {
                let cut = break_points(rest)
                    .into_iter()
                    .take_while(|&i| fits(&rest[..i]))
                    .last()
                    .or_else(|| break_points(rest).first().copied());
                let Some(cut) = cut else { break };
                lines.push(rest[..cut].to_owned());
                rest = &rest[cut..];
            }
            current = rest.to_owned();
        }
        lines.push(current);
    }
    lines
        .into_iter()
        .map(|l| shape_line(fonts, lang, &l, weight))
        .collect()
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use crate::pdf::fonts::fonts;

    fn glyph_ids(script: Script, text: &str) -> Vec<u32> {
        let fonts = fonts().unwrap();
        let id = Fonts::id(script, Weight::Regular);
        shape_run(fonts.face(id), id, text)
            .glyphs
            .iter()
            .map(|g| g.glyph_id.to_u32())
            .collect()
    }

    /// One glyph per character straight from the cmap: what a non-shaping writer would draw.
    fn naive_ids(script: Script, text: &str) -> Vec<u32> {
        let fonts = fonts().unwrap();
        let face = fonts.face(Fonts::id(script, Weight::Regular));
        text.chars()
            .map(|c| {
                face.font_ref
                    .charmap()
                    .map(c)
                    .map(|g| g.to_u32())
                    .unwrap_or(0)
            })
            .collect()
    }

    fn cmap(script: Script, c: char) -> u32 {
        naive_ids(script, &c.to_string())[0]
    }

    #[test]
    fn devanagari_i_matra_is_reordered_before_its_consonant() {
        // कि = क + ि: the vowel sign is stored after the consonant but drawn before it.
        let shaped = glyph_ids(Script::Devanagari, "कि");
        let naive = naive_ids(Script::Devanagari, "कि");
        assert_eq!(shaped.len(), 2);
        assert_ne!(shaped, naive);
        assert_eq!(
            shaped[1],
            cmap(Script::Devanagari, 'क'),
            "consonant second: {shaped:?}"
        );
    }

    #[test]
    fn devanagari_conjuncts_are_formed() {
        // क्ष is three characters and one ligature glyph.
        let shaped = glyph_ids(Script::Devanagari, "क्ष");
        assert_eq!(shaped.len(), 1, "{shaped:?}");
        assert!(!naive_ids(Script::Devanagari, "क्ष").contains(&shaped[0]));
        // प्रति: the halant is consumed (rakar), the i-matra moves to the front.
        let shaped = glyph_ids(Script::Devanagari, "प्रति");
        let virama = cmap(Script::Devanagari, '\u{094D}');
        assert!(!shaped.contains(&virama), "{shaped:?}");
        assert!(shaped.len() < "प्रति".chars().count());
        assert_ne!(shaped[0], cmap(Script::Devanagari, 'प'));
    }

    #[test]
    fn gurmukhi_is_shaped() {
        // ਕਿ: sihari is drawn before the consonant.
        let shaped = glyph_ids(Script::Gurmukhi, "ਕਿ");
        assert_eq!(shaped.len(), 2);
        assert_ne!(shaped, naive_ids(Script::Gurmukhi, "ਕਿ"));
        assert_eq!(shaped[1], cmap(Script::Gurmukhi, 'ਕ'));
        // ਪ੍ਰ: halant + ra become one subjoined ra glyph.
        let shaped = glyph_ids(Script::Gurmukhi, "ਪ੍ਰ");
        assert_eq!(shaped.len(), 2, "{shaped:?}");
        assert_eq!(shaped[0], cmap(Script::Gurmukhi, 'ਪ'));
        assert_ne!(shaped[1], cmap(Script::Gurmukhi, 'ਰ'));
        assert!(!shaped.contains(&cmap(Script::Gurmukhi, '\u{0A4D}')));
    }

    #[test]
    fn mixed_text_is_split_by_script_and_has_no_missing_glyphs() {
        let fonts = fonts().unwrap();
        let text = "ਬਿੱਲ ਨੰ: WS/7374/2026-27/0001 ₹150 — बिल संख्या।";
        let runs = itemize(text, Lang::Pa, fonts);
        let pieces: Vec<(&str, Script)> =
            runs.iter().map(|(r, s)| (&text[r.clone()], *s)).collect();
        assert_eq!(
            pieces,
            vec![
                ("ਬਿੱਲ ਨੰ", Script::Gurmukhi),
                (": WS/7374/2026-27/0001 ₹150 — ", Script::Latin),
                ("बिल संख्या।", Script::Devanagari),
            ]
        );
        for weight in [Weight::Regular, Weight::Bold] {
            let line = shape_line(fonts, Lang::Pa, text, weight);
            for run in &line.runs {
                assert!(
                    run.glyphs.iter().all(|g| g.glyph_id.to_u32() != 0),
                    "tofu in {:?}",
                    run.text
                );
            }
        }
    }

    #[test]
    fn danda_follows_the_script_around_it() {
        let fonts = fonts().unwrap();
        let runs = itemize("ਧੰਨਵਾਦ।", Lang::Hi, fonts);
        assert_eq!(runs, vec![(0..("ਧੰਨਵਾਦ।".len()), Script::Gurmukhi)]);
    }

    #[test]
    fn plain_clusters_map_one_glyph_per_character_and_reordered_ones_stay_whole() {
        let fonts = fonts().unwrap();
        let id = Fonts::id(Script::Devanagari, Weight::Regular);
        // कु: base + below-base mark, nothing reordered: one text range per glyph.
        let run = shape_run(fonts.face(id), id, "कु");
        let ranges: Vec<_> = run.glyphs.iter().map(|g| g.text_range.clone()).collect();
        assert_eq!(ranges, vec![0..3, 3..6]);
        // कि: the matra glyph comes first, so both glyphs keep the whole cluster (ActualText).
        let run = shape_run(fonts.face(id), id, "कि");
        assert!(run.glyphs.iter().all(|g| g.text_range == (0..6)));
    }

    #[test]
    fn long_words_break_between_syllables() {
        let fonts = fonts().unwrap();
        let lines = wrap(
            fonts,
            Lang::En,
            "WS/7374/2026-27/0001",
            Weight::Regular,
            10.0,
            40.0,
        );
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width * 10.0 <= 40.0));
        assert_eq!(break_points("प्रति"), vec!["प्र".len()]);
    }
}
