//! What an upload must be: a PDF, JPEG or PNG by its first bytes (the name and the declared
//! type are not trusted), not empty, at most `filestore.max_file_bytes`; its name cleaned to a
//! plain file name ending in the extension of what it is.

use actix_web::http::StatusCode;

use crate::error::{AppError, AppResult, codes};

/// The content types taken, by their magic bytes, with the extensions that name them.
const KINDS: &[(&[u8], &str, &[&str])] = &[
    (b"%PDF-", "application/pdf", &["pdf"]),
    (b"\xFF\xD8\xFF", "image/jpeg", &["jpg", "jpeg"]),
    (b"\x89PNG\r\n\x1A\n", "image/png", &["png"]),
];

/// The content type of `bytes` and its extensions, if it is one of the kinds taken.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static [&'static str])> {
    KINDS
        .iter()
        .find(|(magic, _, _)| bytes.starts_with(magic))
        .map(|(_, ct, ext)| (*ct, *ext))
}

/// Longest file name kept, in characters.
const MAX_NAME: usize = 100;

/// A plain file name: the last path segment, without control characters or leading dots,
/// at most [`MAX_NAME`] characters, ending in one of `exts` (added when it does not).
pub fn clean_name(name: &str, exts: &[&str]) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    clean = clean.trim().trim_start_matches('.').trim().to_owned();
    let ext = exts.first().copied().unwrap_or("bin");
    let has_ext = clean.rsplit_once('.').is_some_and(|(stem, e)| {
        !stem.is_empty() && exts.contains(&e.to_ascii_lowercase().as_str())
    });
    if !has_ext {
        if clean.is_empty() {
            clean = "file".to_owned();
        }
        clean = format!("{clean}.{ext}");
    }
    if clean.chars().count() > MAX_NAME {
        let keep = MAX_NAME - ext.len() - 1;
        let stem: String = clean.chars().take(keep).collect();
        clean = format!("{}.{ext}", stem.trim_end_matches('.'));
    }
    clean
}

/// Checks one file: its cleaned name and content type, or the refusal.
pub fn check(file_name: &str, bytes: &[u8], max: usize) -> AppResult<(String, &'static str)> {
    if bytes.is_empty() {
        return Err(AppError::invalid_field(
            codes::FILE_EMPTY,
            "The file is empty",
            "file",
        ));
    }
    if bytes.len() > max {
        return Err(AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::FILE_TOO_LARGE,
            format!("A file may be at most {max} bytes"),
        ));
    }
    let Some((ct, exts)) = sniff(bytes) else {
        return Err(AppError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::FILE_TYPE_NOT_ALLOWED,
            "Only PDF, JPEG and PNG files are taken (by their content, not their name)",
        ));
    };
    Ok((clean_name(file_name, exts), ct))
}

/// Checks a `module` or `tag` field: 1 to 64 letters, digits, `-`, `_` or `.`.
pub fn check_label(value: &str, field: &str) -> AppResult<()> {
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid_field(
            codes::INVALID_VALUE,
            format!("{field}: 1 to 64 letters, digits, '-', '_' or '.'"),
            field,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n").map(|k| k.0), Some("application/pdf"));
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE0..").map(|k| k.0),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1A\n..").map(|k| k.0),
            Some("image/png")
        );
        assert_eq!(sniff(b"MZ\x90\0"), None);
        assert_eq!(sniff(b"%PD"), None);
        assert_eq!(sniff(b"hello"), None);
    }

    #[test]
    fn names_are_cleaned() {
        let pdf = &["pdf"][..];
        assert_eq!(clean_name("bill.pdf", pdf), "bill.pdf");
        assert_eq!(clean_name("../../etc/passwd", pdf), "passwd.pdf");
        assert_eq!(clean_name("C:\\x\\bill.PDF", pdf), "bill.PDF");
        assert_eq!(clean_name("evil.exe", pdf), "evil.exe.pdf");
        assert_eq!(clean_name("a\u{0}b\r\n.pdf", pdf), "ab.pdf");
        assert_eq!(clean_name("", pdf), "file.pdf");
        assert_eq!(clean_name("...", pdf), "file.pdf");
        assert_eq!(clean_name(".pdf", pdf), "pdf.pdf");
        assert_eq!(clean_name("ਬਿੱਲ.jpeg", &["jpg", "jpeg"]), "ਬਿੱਲ.jpeg");
        let long = clean_name(&"x".repeat(500), pdf);
        assert_eq!(long.chars().count(), MAX_NAME);
        assert!(long.ends_with(".pdf"));
    }

    #[test]
    fn checks_refuse_with_their_codes() {
        let code = |r: AppResult<(String, &str)>| match r {
            Err(AppError::Client { errors, .. }) => errors[0].code.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(code(check("a.pdf", b"", 10)), codes::FILE_EMPTY);
        assert_eq!(
            code(check("a.pdf", b"%PDF-1.7 more", 10)),
            codes::FILE_TOO_LARGE
        );
        assert_eq!(
            code(check("a.pdf", b"MZ", 10)),
            codes::FILE_TYPE_NOT_ALLOWED
        );
        assert_eq!(
            check("a.exe", b"%PDF-1", 10).ok(),
            Some(("a.exe.pdf".to_owned(), "application/pdf"))
        );
        assert!(check_label("mgramseva", "module").is_ok());
        assert!(check_label("", "module").is_err());
        assert!(check_label("a/b", "module").is_err());
    }
}
