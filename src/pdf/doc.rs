//! The document: an A4 portrait page flow of titles, headings, paragraphs, label-value rows,
//! rules and ruled tables, drawn with krilla when it is finished.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};

use super::fonts::{Fonts, Weight, fonts};
use super::shape::{Line, shape_line, wrap};
use super::{Lang, PdfError};

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

/// The widest single word of `text` (split at spaces), in ems.
fn widest_word(fonts: &Fonts, lang: Lang, text: &str, weight: Weight) -> f32 {
    text.split_whitespace()
        .map(|w| shape_line(fonts, lang, w, weight).width)
        .fold(0.0, f32::max)
}

/// Column widths (points) from their content, spanning the text width. Each column is at least
/// as wide as its widest word (ids, amounts and dates are single words, so they are never
/// broken); the width left over goes to the columns whose cells are longer than that (names,
/// addresses), in proportion to what they lack. Only when the widest words of all columns
/// cannot fit side by side are the header words, then all, allowed to break.
fn column_widths(
    fonts: &Fonts,
    lang: Lang,
    headers: &[&str],
    rows: &[Vec<String>],
    ncols: usize,
    numeric: &[bool],
) -> Vec<f32> {
    let pad = 2.0 * CELL_PAD_X;
    let head = |c: usize| headers.get(c).copied().unwrap_or("");
    let natural: Vec<f32> = (0..ncols)
        .map(|c| {
            rows.iter()
                .map(|r| shape_line(fonts, lang, cell(r, c), Weight::Regular).width)
                .fold(
                    shape_line(fonts, lang, head(c), Weight::Bold).width,
                    f32::max,
                )
                * TABLE_SIZE
                + pad
        })
        .collect();
    let body_words: Vec<f32> = (0..ncols)
        .map(|c| {
            rows.iter()
                .map(|r| widest_word(fonts, lang, cell(r, c), Weight::Regular))
                .fold(0.0, f32::max)
                * TABLE_SIZE
                + pad
        })
        .collect();
    let words: Vec<f32> = (0..ncols)
        .map(|c| {
            body_words[c].max(widest_word(fonts, lang, head(c), Weight::Bold) * TABLE_SIZE + pad)
        })
        .collect();
    let total: f32 = natural.iter().sum();
    if total <= CONTENT_W {
        // Give the spare width to the text columns so the table spans the page.
        let mut widths = natural;
        let text_total: f32 = widths
            .iter()
            .zip(numeric)
            .filter(|(_, n)| !**n)
            .map(|(w, _)| w)
            .sum();
        let spare = CONTENT_W - total;
        for (w, n) in widths.iter_mut().zip(numeric) {
            if text_total > 0.0 {
                if !n {
                    *w += spare * *w / text_total;
                }
            } else {
                *w += spare / ncols as f32;
            }
        }
        return widths;
    }
    let min = if words.iter().sum::<f32>() <= CONTENT_W {
        words
    } else {
        body_words
    };
    let min_total: f32 = min.iter().sum();
    if min_total > CONTENT_W {
        // Not even single words fit: shrink every column alike (words then break between
        // syllables, see `wrap`).
        return min.iter().map(|w| w * CONTENT_W / min_total).collect();
    }
    let lack: Vec<f32> = natural
        .iter()
        .zip(&min)
        .map(|(n, m)| (n - m).max(0.0))
        .collect();
    let lack_total: f32 = lack.iter().sum();
    let spare = CONTENT_W - min_total;
    min.iter()
        .zip(&lack)
        .map(|(m, l)| {
            if lack_total > 0.0 {
                m + spare * l / lack_total
            } else {
                m + spare / ncols as f32
            }
        })
        .collect()
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

    /// A square grid of `width` × `width` modules (a QR code: `dark` row by row), each dark one a
    /// filled black square of `module` points, at the left margin with a quiet zone of four
    /// modules around it.
    pub fn squares(&mut self, width: usize, dark: &[bool], module: f32) {
        let side = (width + 8) as f32 * module;
        self.ensure(side);
        let (left, top) = (MARGIN_X + 4.0 * module, self.y + 4.0 * module);
        for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
            let (row, col) = ((i / width) as f32, (i % width) as f32);
            self.push(Op::FillRect {
                x: left + col * module,
                y: top + row * module,
                w: module,
                h: module,
                grey: 0,
            });
        }
        self.y += side;
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
        let widths = column_widths(fonts, lang, headers, rows, ncols, &numeric);
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

    /// The text of each line drawn, in order.
    fn drawn(doc: &Doc) -> Vec<String> {
        doc.pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                Op::Text { line, .. } => Some(line.runs.iter().map(|r| r.text.as_str()).collect()),
                _ => None,
            })
            .collect()
    }

    /// The register PDF's table in Punjabi, as the register page builds it.
    fn register_table(households: usize) -> Doc {
        let mut doc = Doc::new("pa_IN");
        let rows: Vec<Vec<String>> = (1..=households)
            .map(|i| {
                vec![
                    format!("WS/7374/2026-27/{i:04} (M)"),
                    format!("LP-{i:03}"),
                    "ਗੁਰਪ੍ਰੀਤ ਕੌਰ ਸੰਧੂ".to_owned(),
                    "ਬਲਦੇਵ ਸਿੰਘ ਸੰਧੂ".to_owned(),
                    "₹1,250".to_owned(),
                    "₹0".to_owned(),
                    "ਚਾਲੂ".to_owned(),
                    "02/12/2026".to_owned(),
                ]
            })
            .collect();
        doc.table(
            &[
                "ਕੁਨੈਕਸ਼ਨ ਆਈਡੀ",
                "ਪੁਰਾਣੀ ਕੁਨੈਕਸ਼ਨ ਆਈਡੀ",
                "ਖਪਤਕਾਰ ਦਾ ਨਾਮ",
                "ਪਿਤਾ / ਪਤੀ ਜਾਂ ਪਤਨੀ ਦਾ ਨਾਮ",
                "ਬਾਕੀ ਰਕਮ",
                "ਐਡਵਾਂਸ",
                "ਸਥਿਤੀ",
                "ਆਖਰੀ ਬਿੱਲ ਦੀ ਮਿਤੀ",
            ],
            &rows,
        );
        doc
    }

    #[test]
    fn register_ids_and_words_are_never_split_across_lines() {
        let doc = register_table(3);
        let lines = drawn(&doc);
        for i in 1..=3 {
            let id = format!("WS/7374/2026-27/{i:04}");
            assert!(
                lines.iter().any(|l| l.contains(&id)),
                "{id} is not on one line: {lines:?}"
            );
        }
        assert!(lines.iter().any(|l| l.contains("ਸਥਿਤੀ")), "{lines:?}");
        assert!(
            !lines.iter().any(|l| l == "ਸਥਿ" || l == "ਤੀ"),
            "ਸਥਿਤੀ split: {lines:?}"
        );
        // Every drawn line is whole words of its cell: nothing ends or starts inside a word.
        let words: Vec<&str> = [
            "ਕੁਨੈਕਸ਼ਨ ਆਈਡੀ ਪੁਰਾਣੀ ਖਪਤਕਾਰ ਦਾ ਨਾਮ ਪਿਤਾ / ਪਤੀ ਜਾਂ ਪਤਨੀ ਬਾਕੀ ਰਕਮ ਐਡਵਾਂਸ ਸਥਿਤੀ ਆਖਰੀ ਬਿੱਲ ਦੀ ਮਿਤੀ",
            "WS/7374/2026-27/0001 WS/7374/2026-27/0002 WS/7374/2026-27/0003 (M) LP-001 LP-002 LP-003",
            "ਗੁਰਪ੍ਰੀਤ ਕੌਰ ਸੰਧੂ ਬਲਦੇਵ ਸਿੰਘ ₹1,250 ₹0 ਚਾਲੂ 02/12/2026",
        ]
        .iter()
        .flat_map(|s| s.split(' '))
        .collect();
        for l in &lines {
            for w in l.split(' ') {
                assert!(words.contains(&w), "{w:?} is part of a word: {lines:?}");
            }
        }
    }

    #[test]
    fn over_long_words_still_break_between_syllables_when_nothing_else_fits() {
        // Twelve columns of ids cannot all fit a portrait page: the ids then break, but only
        // between characters, never inside an akshara.
        let mut doc = Doc::new("pa_IN");
        let row: Vec<String> = (0..12).map(|i| format!("WS/7374/2026-27/{i:04}")).collect();
        let heads: Vec<&str> = (0..12).map(|_| "ਸਥਿਤੀ").collect();
        doc.table(&heads, &[row]);
        let lines = drawn(&doc);
        assert!(lines.len() > 24, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| !l.starts_with('\u{0A3F}') && !l.starts_with('\u{0A40}'))
        );
    }
}
