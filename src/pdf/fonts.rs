//! The compiled-in Noto fonts, one regular and one bold per script, parsed once per process.

use std::sync::OnceLock;

use harfrust::{Direction, FontRef, Script as HbScript, ShapePlan, ShaperData};

use skrifa::MetadataProvider as _;

use super::PdfError;

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

/// The writing systems we carry a font for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Script {
    /// Latin letters, digits, punctuation and symbols such as ₹ (Noto Sans).
    Latin,
    /// Punjabi (Noto Sans Gurmukhi).
    Gurmukhi,
    /// Hindi (Noto Sans Devanagari).
    Devanagari,
}

impl Script {
    pub(super) const ALL: [Script; 3] = [Script::Latin, Script::Gurmukhi, Script::Devanagari];

    fn index(self) -> usize {
        match self {
            Script::Latin => 0,
            Script::Gurmukhi => 1,
            Script::Devanagari => 2,
        }
    }

    pub(super) fn hb(self) -> HbScript {
        match self {
            Script::Latin => harfrust::script::LATIN,
            Script::Gurmukhi => harfrust::script::GURMUKHI,
            Script::Devanagari => harfrust::script::DEVANAGARI,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    Regular,
    Bold,
}

/// One font: parsed for shaping (HarfRust), for coverage checks (skrifa) and for embedding
/// (krilla), plus a shape plan made once because making one is the slow part of shaping.
pub(super) struct Face {
    pub(super) font_ref: FontRef<'static>,
    pub(super) shaper_data: ShaperData,
    pub(super) plan: ShapePlan,
    pub(super) script: Script,
    pub(super) pdf: krilla::text::Font,
    pub(super) units_per_em: f32,
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

    pub(super) fn covers(&self, c: char) -> bool {
        self.font_ref.charmap().map(c).is_some()
    }
}

pub(super) struct Fonts {
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

    pub(super) fn id(script: Script, weight: Weight) -> usize {
        script.index() * 2 + usize::from(weight == Weight::Bold)
    }

    pub(super) fn face(&self, id: usize) -> &Face {
        &self.faces[id % self.faces.len()]
    }
}

/// The fonts, parsed once per process.
pub(super) fn fonts() -> Result<&'static Fonts, PdfError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(Fonts::load)
        .as_ref()
        .map_err(|e| PdfError::Font(e.clone()))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

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
}
