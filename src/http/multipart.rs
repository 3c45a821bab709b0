//! multipart/form-data bodies of API upload routes (`POST /filestore/v1/files`), parsed once by
//! the gateway from the body it has already read (and bounded): the text fields become a JSON
//! object (so the token in `requestInfo` and the `tenantId` are checked like any JSON body's),
//! the file parts are put beside it in the request for the handler. Nothing reads the body again.

use serde_json::{Map, Value};

use crate::error::{AppError, codes};

/// One file part as sent: the field name, the file name the client gave (not trusted), and
/// the bytes. The declared content type is not kept: the bytes say what a file is.
#[derive(Clone, Debug)]
pub struct FilePart {
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What an upload route's handler gets: the text fields (`tenantId`, `module`, `tag`, the
/// parsed `requestInfo` under `RequestInfo`) and the files.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub fields: Map<String, Value>,
    pub files: Vec<FilePart>,
}

impl Upload {
    /// A text field, trimmed; empty counts as absent.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

fn unreadable(why: impl std::fmt::Display) -> AppError {
    AppError::bad_request(
        codes::INVALID_UPLOAD,
        format!("the multipart/form-data body could not be read: {why}"),
    )
}

/// Longest text field kept (tenant ids, module names, tags, a RequestInfo).
const MAX_FIELD: usize = 16 * 1024;

/// Parses `bytes` (a whole multipart body) with the request's headers (its boundary).
pub async fn parse(
    headers: &actix_web::http::header::HeaderMap,
    bytes: actix_web::web::Bytes,
) -> Result<Upload, AppError> {
    use futures_util::StreamExt as _;
    let stream =
        futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(bytes) });
    let mut parts = actix_multipart::Multipart::new(headers, stream);
    let mut out = Upload::default();
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(unreadable)?;
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|cd| cd.get_filename().map(str::to_owned));
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            data.extend_from_slice(&chunk.map_err(unreadable)?);
        }
        if let Some(file_name) = file_name {
            out.files.push(FilePart {
                field: name,
                file_name,
                bytes: data,
            });
            continue;
        }
        if data.len() > MAX_FIELD {
            return Err(AppError::invalid_field(
                codes::INVALID_VALUE,
                format!("the field {name} is longer than {MAX_FIELD} bytes"),
                &name,
            ));
        }
        let text = String::from_utf8(data).map_err(|_| unreadable("a field is not UTF-8"))?;
        if text.contains('\0') || name.contains('\0') {
            return Err(AppError::bad_request(
                codes::INVALID_CHARACTER,
                "The request contains a NUL character (\\u0000), which no field accepts",
            ));
        }
        let (key, value) = match name.as_str() {
            // the contract's optional JSON string; a token inside is read like a JSON body's
            "requestInfo" | "RequestInfo" => (
                "RequestInfo".to_owned(),
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Object(Map::new())),
            ),
            _ => (name.clone(), Value::String(text)),
        };
        // One value per field: two different tenants (or modules) in one form is a trick.
        if out.fields.get(&key).is_some_and(|old| *old != value) {
            return Err(AppError::invalid_field(
                codes::INVALID_VALUE,
                format!("the field {name} is given twice"),
                &name,
            ));
        }
        out.fields.insert(key, value);
    }
    Ok(out)
}
