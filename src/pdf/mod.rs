//! Bill and receipt PDFs in English, Hindi (Devanagari) and Punjabi (Gurmukhi).
//!
//! Text is itemised into runs by script (Gurmukhi, Devanagari, everything else), each run is
//! shaped with HarfRust (a port of HarfBuzz: conjuncts, reordered matras, mark positioning)
//! against its own Noto font, and the shaped glyphs are written with krilla, which embeds
//! subsetted CID fonts with ToUnicode maps, so the text can be searched and copied.
//!
//! Layout is a simple top-to-bottom flow on A4 portrait pages; a new page starts whenever the
//! next block does not fit. Fonts are compiled in from `fonts/` (SIL OFL 1.1, see `OFL.txt`).

mod doc;
mod fonts;
mod shape;

pub use doc::Doc;
use fonts::Script;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
