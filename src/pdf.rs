//! Bill and receipt PDFs in English, Hindi (Devanagari) and Punjabi (Gurmukhi).
//!
//! Text is itemised into runs by script (Gurmukhi, Devanagari, everything else), each run is
//! shaped with HarfRust (a port of HarfBuzz: conjuncts, reordered matras, mark positioning)
//! against its own Noto font, and the shaped glyphs are written with krilla, which embeds
//! subsetted CID fonts with ToUnicode maps, so the text can be searched and copied.
//!
//! Layout is a simple top-to-bottom flow on A4 portrait pages; a new page starts whenever the
//! next block does not fit. Fonts are compiled in from `fonts/` (SIL OFL 1.1, see `OFL.txt`).

use std::sync::OnceLock;

use harfrust::{Direction, FontRef, Script as HbScript, ShapePlan, ShaperData, UnicodeBuffer};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;

/// Fonts live in `<crate root>/fonts/`; in the app change the folder here to `/static/fonts/`.
macro_rules! font_file {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/fonts/", $name))
    };
}

static LATIN_REGULAR: &[u8] = font_file!("NotoSans-Regular.ttf");
static LATIN_BOLD: &[u8] = font_file!("NotoSans-Bold.ttf");
static GURMUKHI_REGULAR: &[u8] = font_file!("NotoSansGurmukhi-Regular.ttf");
static GURMUKHI_BOLD: &[u8] = font_file!("NotoSansGurmukhi-Bold.ttf");
static DEVANAGARI_REGULAR: &[u8] = font_file!("NotoSansDevanagari-Regular.ttf");
static DEVANAGARI_BOLD: &[u8] = font_file!("NotoSansDevanagari-Bold.ttf");

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const MARGIN_X: f32 = 15.0 * MM;
const MARGIN_TOP: f32 = 15.0 * MM;
const MARGIN_BOTTOM: f32 = 15.0 * MM;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

const TITLE_SIZE: f32 = 16.0;
const HEADING_SIZE: f32 = 12.0;
const BODY_SIZE: f32 = 10.0;
const TABLE_SIZE: f32 = 9.0;
/// Line box height and baseline position, in ems. Generous, because Gurmukhi and Devanagari
/// carry marks well above the head line and below the baseline.
const LINE_HEIGHT: f32 = 1.5;
const BASELINE: f32 = 1.08;
const CELL_PAD_X: f32 = 2.0 * MM;
const CELL_PAD_Y: f32 = 1.0 * MM;
const GRID_WIDTH: f32 = 0.5;

/// Errors from building a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// A compiled-in font could not be parsed.
    #[error("font could not be loaded: {0}")]
    Font(String),
    /// krilla refused to serialise the document.
    #[error("PDF could not be written: {0}")]
    Write(String),
}

/// The writing systems we carry a font for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    /// Latin letters, digits, punctuation and symbols such as ₹ (Noto Sans).
    Latin,
    /// Punjabi (Noto Sans Gurmukhi).
    Gurmukhi,
    /// Hindi (Noto Sans Devanagari).
    Devanagari,
}

impl Script {
    const ALL: [Script; 3] = [Script::Latin, Script::Gurmukhi, Script::Devanagari];

    fn index(self) -> usize {
        match self {
            Script::Latin => 0,
            Script::Gurmukhi => 1,
            Script::Devanagari => 2,
        }
    }

    fn hb(self) -> HbScript {
        match self {
            Script::Latin => harfrust::script::LATIN,
            Script::Gurmukhi => harfrust::script::GURMUKHI,
            Script::Devanagari => harfrust::script::DEVANAGARI,
        }
    }
}

/// Document language, from a locale such as `pa_IN`, `hi-IN` or `en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Hindi.
    Hi,
    /// Punjabi.
    Pa,
}

impl Lang {
    /// Parses the language part of a locale; anything unknown is English.
    pub fn from_locale(locale: &str) -> Self {
        let code = locale.split(['_', '-']).next().unwrap_or_default();
        match code.to_ascii_lowercase().as_str() {
            "hi" => Lang::Hi,
            "pa" => Lang::Pa,
            _ => Lang::En,
        }
    }

    fn bcp47(self) -> &'static str {
        match self {
            Lang::En => "en-IN",
            Lang::Hi => "hi-IN",
            Lang::Pa => "pa-IN",
        }
    }

    /// Script used for characters shared by Gurmukhi and Devanagari (danda) with no context.
    fn indic_script(self) -> Script {
        match self {
            Lang::Pa => Script::Gurmukhi,
            Lang::En | Lang::Hi => Script::Devanagari,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

/// One font: parsed for shaping (HarfRust), for coverage checks (skrifa) and for embedding
/// (krilla), plus a shape plan made once because making one is the slow part of shaping.
struct Face {
    font_ref: FontRef<'static>,
    shaper_data: ShaperData,
    plan: ShapePlan,
    script: Script,
    pdf: krilla::text::Font,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8], script: Script, name: &str) -> Result<Self, String> {
        let font_ref = FontRef::new(data).map_err(|e| format!("{name}: {e}"))?;
        let shaper_data = ShaperData::new(&font_ref);
        let plan = {
            let shaper = shaper_data.shaper(&font_ref).build();
            ShapePlan::new(
                &shaper,
                Direction::LeftToRight,
                Some(script.hb()),
                None,
                &[],
            )
        };
        let pdf = krilla::text::Font::new(data.into(), 0)
            .ok_or_else(|| format!("{name}: krilla could not read it"))?;
        let units_per_em = pdf.units_per_em();
        Ok(Face {
            font_ref,
            shaper_data,
            plan,
            script,
            pdf,
            units_per_em,
        })
    }

    fn covers(&self, c: char) -> bool {
        self.font_ref.charmap().map(c).is_some()
    }
}

struct Fonts {
    /// Indexed by `Script::index() * 2 + weight`.
    faces: [Face; 6],
}

impl Fonts {
    fn load() -> Result<Self, String> {
        Ok(Fonts {
            faces: [
                Face::load(LATIN_REGULAR, Script::Latin, "NotoSans-Regular")?,
                Face::load(LATIN_BOLD, Script::Latin, "NotoSans-Bold")?,
                Face::load(
                    GURMUKHI_REGULAR,
                    Script::Gurmukhi,
                    "NotoSansGurmukhi-Regular",
                )?,
                Face::load(GURMUKHI_BOLD, Script::Gurmukhi, "NotoSansGurmukhi-Bold")?,
                Face::load(
                    DEVANAGARI_REGULAR,
                    Script::Devanagari,
                    "NotoSansDevanagari-Regular",
                )?,
                Face::load(
                    DEVANAGARI_BOLD,
                    Script::Devanagari,
                    "NotoSansDevanagari-Bold",
                )?,
            ],
        })
    }

    fn id(script: Script, weight: Weight) -> usize {
        script.index() * 2 + usize::from(weight == Weight::Bold)
    }

    fn face(&self, id: usize) -> &Face {
        &self.faces[id % self.faces.len()]
    }
}

/// The fonts, parsed once per process.
fn fonts() -> Result<&'static Fonts, PdfError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(Fonts::load)
        .as_ref()
        .map_err(|e| PdfError::Font(e.clone()))
}

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
struct Run {
    face: usize,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    advance: f32,
}

/// A shaped single line of text; `width` is in ems.
#[derive(Debug, Clone, Default)]
struct Line {
    runs: Vec<Run>,
    width: f32,
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

fn shape_line(fonts: &Fonts, lang: Lang, text: &str, weight: Weight) -> Line {
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
fn wrap(fonts: &Fonts, lang: Lang, text: &str, weight: Weight, size: f32, max_w: f32) -> Vec<Line> {
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

fn cell(row: &[String], c: usize) -> &str {
    row.get(c).map(String::as_str).unwrap_or("")
}

fn is_numeric(cell: &str) -> bool {
    let cell = cell.trim();
    let is_digit = |c: char| {
        c.is_ascii_digit()
            || ('\u{0966}'..='\u{096F}').contains(&c)
            || ('\u{0A66}'..='\u{0A6F}').contains(&c)
    };
    cell.chars().any(is_digit)
        && cell
            .chars()
            .all(|c| is_digit(c) || " .,+-\u{2212}\u{20B9}%()".contains(c))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Centre,
    Right,
}

/// Column widths (points) and which columns hold numbers (right-aligned).
struct Columns {
    widths: Vec<f32>,
    numeric: Vec<bool>,
}

/// A table row wrapped into its columns.
#[derive(Debug, Clone)]
struct TableRow {
    lines: Vec<Vec<Line>>,
    height: f32,
}

/// Something to draw; coordinates in points from the top-left corner of the page.
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        line: Line,
    },
    Stroke {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        grey: u8,
    },
    FillRect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: u8,
    },
}

/// An A4 portrait document built top to bottom.
pub struct Doc {
    lang: Lang,
    /// `None` only if the fonts failed to load; `finish` then reports why.
    fonts: Option<&'static Fonts>,
    pages: Vec<Vec<Op>>,
    /// Distance of the next block from the top of the page, in points.
    y: f32,
    title: Option<String>,
}

impl Doc {
    /// A new document for a locale such as `en_IN`, `hi_IN` or `pa_IN`.
    pub fn new(locale: &str) -> Self {
        Doc {
            lang: Lang::from_locale(locale),
            fonts: fonts().ok(),
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
            title: None,
        }
    }

    /// The document's language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Pages so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Centred, bold, large; also becomes the PDF's title metadata if it is the first one.
    pub fn title(&mut self, text: &str) {
        if self.title.is_none() {
            self.title = Some(text.to_owned());
        }
        self.block(text, Weight::Bold, TITLE_SIZE, Align::Centre, 0.0, 2.0 * MM);
    }

    /// Bold section heading.
    pub fn heading(&mut self, text: &str) {
        let before = if self.at_page_top() { 0.0 } else { 3.0 * MM };
        self.block(
            text,
            Weight::Bold,
            HEADING_SIZE,
            Align::Left,
            before,
            1.0 * MM,
        );
    }

    /// Wrapped paragraph.
    pub fn text(&mut self, text: &str) {
        self.block(text, Weight::Regular, BODY_SIZE, Align::Left, 0.0, 1.5 * MM);
    }

    /// Label on the left, value right-aligned; either wraps within its column.
    pub fn row(&mut self, label: &str, value: &str) {
        let Some(fonts) = self.fonts else { return };
        let size = BODY_SIZE;
        let gap = 4.0 * MM;
        let value_w = (shape_line(fonts, self.lang, value, Weight::Regular).width * size)
            .min(CONTENT_W * 0.6);
        let label_w = (CONTENT_W - value_w - gap).max(CONTENT_W * 0.3);
        let labels = wrap(fonts, self.lang, label, Weight::Regular, size, label_w);
        let values = wrap(
            fonts,
            self.lang,
            value,
            Weight::Regular,
            size,
            CONTENT_W - label_w - gap,
        );
        let lh = size * LINE_HEIGHT;
        let h = lh * labels.len().max(values.len()) as f32;
        self.ensure(h);
        let top = self.y;
        self.put_lines(labels, MARGIN_X, CONTENT_W, top, size, Align::Left);
        self.put_lines(values, MARGIN_X, CONTENT_W, top, size, Align::Right);
        self.y = top + h;
    }

    /// Horizontal rule across the text width.
    pub fn rule(&mut self) {
        self.ensure(3.0 * MM);
        let y = self.y + 1.5 * MM;
        self.push(Op::Stroke {
            x1: MARGIN_X,
            y1: y,
            x2: PAGE_W - MARGIN_X,
            y2: y,
            width: 0.75,
            grey: 0,
        });
        self.y += 3.0 * MM;
    }

    /// Ruled table; columns whose cells are all numbers are right-aligned. The header row is
    /// repeated on each new page.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>]) {
        let Some(fonts) = self.fonts else { return };
        let lang = self.lang;
        let ncols = rows
            .iter()
            .map(Vec::len)
            .chain([headers.len()])
            .max()
            .unwrap_or(0);
        if ncols == 0 {
            return;
        }
        let numeric: Vec<bool> = (0..ncols)
            .map(|c| {
                let mut cells = rows
                    .iter()
                    .map(|r| cell(r, c))
                    .filter(|s| !s.trim().is_empty());
                let mut any = false;
                let all = cells.all(|s| {
                    any = true;
                    is_numeric(s)
                });
                any && all
            })
            .collect();
        let natural = |c: usize| {
            let head = headers.get(c).copied().unwrap_or("");
            let head_w = shape_line(fonts, lang, head, Weight::Bold).width;
            rows.iter()
                .map(|r| shape_line(fonts, lang, cell(r, c), Weight::Regular).width)
                .fold(head_w, f32::max)
                * TABLE_SIZE
                + 2.0 * CELL_PAD_X
        };
        let mut widths: Vec<f32> = (0..ncols).map(natural).collect();
        let total: f32 = widths.iter().sum();
        if total > CONTENT_W {
            widths.iter_mut().for_each(|w| *w *= CONTENT_W / total);
        } else {
            // Give the spare width to the text columns so the table spans the page.
            let text_total: f32 = widths
                .iter()
                .zip(&numeric)
                .filter(|(_, n)| !**n)
                .map(|(w, _)| w)
                .sum();
            let spare = CONTENT_W - total;
            for (w, n) in widths.iter_mut().zip(&numeric) {
                if text_total > 0.0 {
                    if !n {
                        *w += spare * *w / text_total;
                    }
                } else {
                    *w += spare / ncols as f32;
                }
            }
        }
        let cols = Columns { widths, numeric };
        let header: Vec<String> = (0..ncols)
            .map(|c| headers.get(c).copied().unwrap_or("").to_owned())
            .collect();
        let header = self.measure_row(fonts, &header, &cols, Weight::Bold);
        let first_h = rows
            .first()
            .map(|r| self.measure_row(fonts, r, &cols, Weight::Regular).height)
            .unwrap_or(0.0);
        // Keep the header with the first row.
        self.ensure(header.height + first_h);
        self.draw_row(header.clone(), &cols, true);
        for row in rows {
            let row = self.measure_row(fonts, row, &cols, Weight::Regular);
            if self.ensure(row.height) {
                self.draw_row(header.clone(), &cols, true);
            }
            self.draw_row(row, &cols, false);
        }
        self.y += 2.0 * MM;
    }

    fn measure_row(
        &self,
        fonts: &Fonts,
        cells: &[String],
        cols: &Columns,
        weight: Weight,
    ) -> TableRow {
        let lines: Vec<Vec<Line>> = cols
            .widths
            .iter()
            .enumerate()
            .map(|(c, w)| {
                let inner = w - 2.0 * CELL_PAD_X;
                wrap(fonts, self.lang, cell(cells, c), weight, TABLE_SIZE, inner)
            })
            .collect();
        let nlines = lines.iter().map(Vec::len).max().unwrap_or(1);
        let height = nlines as f32 * TABLE_SIZE * LINE_HEIGHT + 2.0 * CELL_PAD_Y;
        TableRow { lines, height }
    }

    /// Draws a measured row at the cursor: cell text, grid lines, grey background for headers.
    fn draw_row(&mut self, row: TableRow, cols: &Columns, header: bool) {
        let top = self.y;
        let h = row.height;
        let right = MARGIN_X + cols.widths.iter().sum::<f32>();
        if header {
            let (x, y, w) = (MARGIN_X, top, right - MARGIN_X);
            self.push(Op::FillRect {
                x,
                y,
                w,
                h,
                grey: 232,
            });
        }
        let grid = |x1: f32, y1: f32, x2: f32, y2: f32| Op::Stroke {
            x1,
            y1,
            x2,
            y2,
            width: GRID_WIDTH,
            grey: 96,
        };
        let mut x = MARGIN_X;
        for ((lines, w), num) in row.lines.into_iter().zip(&cols.widths).zip(&cols.numeric) {
            let align = if *num { Align::Right } else { Align::Left };
            let inner = w - 2.0 * CELL_PAD_X;
            self.put_lines(
                lines,
                x + CELL_PAD_X,
                inner,
                top + CELL_PAD_Y,
                TABLE_SIZE,
                align,
            );
            self.push(grid(x, top, x, top + h));
            x += w;
        }
        self.push(grid(right, top, right, top + h));
        self.push(grid(MARGIN_X, top, right, top));
        self.push(grid(MARGIN_X, top + h, right, top + h));
        self.y = top + h;
    }

    fn at_page_top(&self) -> bool {
        self.y <= MARGIN_TOP
    }

    /// Starts a new page unless `h` points still fit; returns whether it did.
    fn ensure(&mut self, h: f32) -> bool {
        if self.y + h > PAGE_H - MARGIN_BOTTOM && !self.at_page_top() {
            self.pages.push(Vec::new());
            self.y = MARGIN_TOP;
            true
        } else {
            false
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn block(
        &mut self,
        text: &str,
        weight: Weight,
        size: f32,
        align: Align,
        before: f32,
        after: f32,
    ) {
        let Some(fonts) = self.fonts else { return };
        self.y += before;
        let lh = size * LINE_HEIGHT;
        for line in wrap(fonts, self.lang, text, weight, size, CONTENT_W) {
            self.ensure(lh);
            let top = self.y;
            self.put_lines(vec![line], MARGIN_X, CONTENT_W, top, size, align);
            self.y += lh;
        }
        self.y += after;
    }

    /// Places lines one under another from `top`, aligned within `[x, x + w]`.
    fn put_lines(&mut self, lines: Vec<Line>, x: f32, w: f32, top: f32, size: f32, align: Align) {
        for (i, line) in lines.into_iter().enumerate() {
            let lw = line.width * size;
            let lx = match align {
                Align::Left => x,
                Align::Centre => x + (w - lw) / 2.0,
                Align::Right => x + w - lw,
            };
            let baseline = top + (i as f32 * LINE_HEIGHT + BASELINE) * size;
            self.push(Op::Text {
                x: lx,
                baseline,
                size,
                line,
            });
        }
    }

    /// Serialises the document.
    pub fn finish(self) -> Result<Vec<u8>, PdfError> {
        let fonts = match self.fonts {
            Some(f) => f,
            None => fonts()?,
        };
        let mut document = Document::new();
        let mut metadata = Metadata::new()
            .language(self.lang.bcp47().to_owned())
            .creator("mGramSeva".to_owned());
        if let Some(title) = self.title {
            metadata = metadata.title(title);
        }
        document.set_metadata(metadata);
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| PdfError::Write("page size".to_owned()))?;
        let total = self.pages.len();
        for (n, mut ops) in self.pages.into_iter().enumerate() {
            if total > 1 {
                // "2 / 3", centred in the bottom margin.
                let line = shape_line(
                    fonts,
                    self.lang,
                    &format!("{} / {total}", n + 1),
                    Weight::Regular,
                );
                let size = 8.0;
                let x = (PAGE_W - line.width * size) / 2.0;
                let baseline = PAGE_H - MARGIN_BOTTOM / 2.0;
                ops.push(Op::Text {
                    x,
                    baseline,
                    size,
                    line,
                });
            }
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            for op in &ops {
                match op {
                    Op::Text {
                        x,
                        baseline,
                        size,
                        line,
                    } => {
                        surface.set_fill(None);
                        surface.set_stroke(None);
                        let mut pen = *x;
                        for run in &line.runs {
                            let face = fonts.face(run.face);
                            surface.draw_glyphs(
                                Point::from_xy(pen, *baseline),
                                &run.glyphs,
                                face.pdf.clone(),
                                &run.text,
                                *size,
                                false,
                            );
                            pen += run.advance * size;
                        }
                    }
                    Op::Stroke {
                        x1,
                        y1,
                        x2,
                        y2,
                        width,
                        grey,
                    } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x1, *y1);
                        pb.line_to(*x2, *y2);
                        if let Some(path) = pb.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                paint: rgb::Color::new(*grey, *grey, *grey).into(),
                                width: *width,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                    Op::FillRect { x, y, w, h, grey } => {
                        let mut pb = PathBuilder::new();
                        if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                            pb.push_rect(rect);
                        }
                        if let Some(path) = pb.finish() {
                            surface.set_stroke(None);
                            surface.set_fill(Some(Fill {
                                paint: rgb::Color::new(*grey, *grey, *grey).into(),
                                ..Fill::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        document
            .finish()
            .map_err(|e| PdfError::Write(e.to_string()))
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

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
    fn fonts_load_and_cover_what_bills_use() {
        let fonts = fonts().unwrap();
        let latin = fonts.face(Fonts::id(Script::Latin, Weight::Regular));
        for c in "₹0123456789/-:.,()ABCXYZabcxyz".chars() {
            assert!(latin.covers(c), "Noto Sans lacks {c:?}");
        }
        assert!(
            fonts
                .face(Fonts::id(Script::Gurmukhi, Weight::Bold))
                .covers('ਪ')
        );
        assert!(
            fonts
                .face(Fonts::id(Script::Devanagari, Weight::Bold))
                .covers('क')
        );
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
    fn doc_can_move_between_threads() {
        fn assert_send<T: Send + 'static>() {}
        assert_send::<Doc>();
        assert_send::<PdfError>();
    }

    #[test]
    fn locale_parsing() {
        assert_eq!(Lang::from_locale("pa_IN"), Lang::Pa);
        assert_eq!(Lang::from_locale("hi-IN"), Lang::Hi);
        assert_eq!(Lang::from_locale("en_IN"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }

    #[test]
    fn numbers_are_recognised() {
        assert!(is_numeric("₹1,250.00"));
        assert!(is_numeric(" -40 "));
        assert!(is_numeric("१२५"));
        assert!(!is_numeric("WS/7374/2026-27/0001"));
        assert!(!is_numeric("ਜਲ ਸਪਲਾਈ"));
        assert!(!is_numeric(""));
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

    #[test]
    fn long_tables_continue_on_new_pages() {
        let mut doc = Doc::new("pa_IN");
        let rows: Vec<Vec<String>> = (1..=120)
            .map(|i| vec![format!("ਮਹੀਨਾ {i}"), format!("{i}.00")])
            .collect();
        doc.table(&["ਮਿਆਦ", "ਰਕਮ (₹)"], &rows);
        assert!(doc.page_count() >= 3);
        let pdf = doc.finish().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
