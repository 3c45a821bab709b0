//! Bulk import of households from a spreadsheet, Excel (.xlsx) or CSV (the columns of the create-consumer
//! form, one household a row). A preview checks every row with the same rules as the form,
//! inside a transaction that is rolled back; the import then writes every valid row in one
//! transaction. Rows whose old connection id the GP already has are reported and skipped, so a
//! second upload of the same file creates nothing.

pub mod columns;
pub mod pages;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use diesel::Connection as _;
use diesel::PgConnection;
use rust_decimal::Decimal;

use super::service::{self, Ctx, NewConnection, NewProperty, OwnerIn};
use crate::error::{AppError, AppResult, ErrorDetail, codes};
use crate::platform::localization::Catalog;
pub use columns::{COLUMNS, Names, key};

/// Most rows one file may hold.
pub const MAX_ROWS: usize = 5000;

/// One row as read.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// 2 for the first row after the header (as a spreadsheet numbers it).
    pub line: usize,
    pub cells: Vec<String>,
}

impl Row {
    fn get(&self, col: usize) -> String {
        self.cells
            .get(col)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    }
}

/// What the preview found for one row.
#[derive(Clone, Debug)]
pub struct Checked {
    pub line: usize,
    pub name: String,
    pub old_no: String,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Valid,
    AlreadyRegistered,
    /// Its old connection id is on an earlier row of the file too.
    Repeated,
    /// Why not: the services' errors (their field names the column, see [`columns::column_of`]).
    Invalid(Vec<ErrorDetail>),
}

/// Why a file as a whole is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    /// Not CSV nor an Excel workbook that can be read.
    Unreadable,
    /// No header row, or no household under it.
    Empty,
    TooManyRows,
    /// Headers that name no column, as written.
    UnknownColumns(Vec<String>),
    /// Required columns the header row lacks.
    MissingColumns(Vec<usize>),
}

impl From<FileError> for AppError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Unreadable => {
                AppError::bad_request(codes::INVALID_FILE, "the file cannot be read")
            }
            FileError::Empty => AppError::bad_request("EMPTY_FILE", "the file has no households"),
            FileError::TooManyRows => AppError::bad_request(
                "TOO_MANY_ROWS",
                format!("at most {MAX_ROWS} households a file"),
            ),
            FileError::UnknownColumns(c) => AppError::bad_request(
                "UNKNOWN_COLUMN",
                format!("unknown columns: {}", c.join(", ")),
            ),
            FileError::MissingColumns(c) => AppError::bad_request(
                "MISSING_COLUMN",
                format!(
                    "missing columns: {}",
                    c.iter().map(|i| COLUMNS[*i]).collect::<Vec<_>>().join(", ")
                ),
            ),
        }
    }
}

/// Reads the file, an Excel workbook (.xlsx, its first sheet) or CSV: a header row naming the
/// columns (in any order, in any of the three languages or by their first-version names;
/// unknown ones refused), then one household a row. Returns, for each column, its position.
pub fn parse(bytes: &[u8], names: &Names) -> Result<(Vec<Option<usize>>, Vec<Row>), FileError> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_table(bytes)?
    } else {
        csv_table(bytes)?
    };
    let mut lines = table.into_iter();
    let Some((_, headers)) = lines.next() else {
        return Err(FileError::Empty);
    };
    let mut positions = vec![None; COLUMNS.len()];
    let mut unknown = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if key(h).is_empty() {
            continue;
        }
        match names.column(h) {
            Some(c) => positions[c] = Some(i),
            None => unknown.push(h.trim().to_owned()),
        }
    }
    if !unknown.is_empty() {
        return Err(FileError::UnknownColumns(unknown));
    }
    let missing: Vec<usize> = columns::REQUIRED
        .iter()
        .copied()
        .filter(|c| positions[*c].is_none())
        .collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns(missing));
    }
    let mut rows = Vec::new();
    for (line, cells) in lines {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        rows.push(Row { line, cells });
    }
    if rows.is_empty() {
        return Err(FileError::Empty);
    }
    Ok((positions, rows))
}

/// Every line of a CSV file (UTF-8, with or without a byte-order mark) with its number.
fn csv_table(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, FileError> {
    let text =
        String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    rdr.records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.map_err(|_| FileError::Unreadable)?;
            Ok((i + 1, rec.iter().map(str::to_owned).collect()))
        })
        .collect()
}

/// Every row of the workbook's first sheet with its number, cells as text: whole numbers
/// without a decimal point (a mobile number typed as a number), dates as YYYY-MM-DD.
fn xlsx_table(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, FileError> {
    use calamine::{Data, Reader as _};
    let mut book =
        calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| FileError::Unreadable)?;
    let sheet = book
        .worksheet_range_at(0)
        .ok_or(FileError::Unreadable)?
        .map_err(|_| FileError::Unreadable)?;
    let first = sheet.start().map_or(0, |(r, _)| r as usize);
    let first_col = sheet.start().map_or(0, |(_, c)| c as usize);
    let text = |d: &Data| -> String {
        match d {
            Data::Empty | Data::Error(_) => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(dt) => {
                // days since 1899-12-30, Excel's day zero
                let days = dt.as_f64().floor() as i64;
                NaiveDate::from_ymd_opt(1899, 12, 30)
                    .and_then(|z| z.checked_add_signed(chrono::Duration::days(days)))
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            }
        }
    };
    Ok(sheet
        .rows()
        .enumerate()
        .map(|(i, r)| {
            // cells left of the used range are empty columns of the sheet
            let mut cells = vec![String::new(); first_col];
            cells.extend(r.iter().map(text));
            (first + i + 1, cells)
        })
        .collect())
}

fn cell(pos: &[Option<usize>], row: &Row, col: usize) -> String {
    pos.get(col)
        .copied()
        .flatten()
        .map(|i| row.get(i))
        .unwrap_or_default()
}

fn date_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .map(crate::time::ist_day_start_millis)
}

/// A month as MM/YYYY or YYYY-MM, or any day of it (a date cell of a workbook).
fn cycle_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    NaiveDate::parse_from_str(&format!("01/{s}"), "%d/%m/%Y")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok())
        .or_else(|| {
            ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.with_day(1))
        })
        .map(crate::time::ist_day_start_millis)
}

fn money(s: &str) -> Option<Decimal> {
    let s = s.trim().replace(',', "");
    if s.is_empty() {
        None
    } else {
        Some(crate::money::parse(&s).unwrap_or(Decimal::NEGATIVE_ONE))
    }
}

/// The property and connection a row describes (a choice named in any language as its code).
fn household_of(
    i18n: &Catalog,
    tenant: &str,
    pos: &[Option<usize>],
    row: &Row,
) -> (NewProperty, NewConnection) {
    let c = |col| {
        let v = cell(pos, row, col);
        if columns::choices(col).is_empty() {
            v
        } else {
            columns::choice(i18n, col, &v)
        }
    };
    let service_type = c(columns::SERVICE);
    let metered = service_type == "Metered";
    let prop = NewProperty {
        tenant_id: tenant.to_owned(),
        property_type: c(10),
        door_no: Some(c(8)),
        street: Some(c(9)),
        locality: None,
        owner: OwnerIn {
            name: c(0),
            gender: c(1),
            guardian: c(2),
            mobile: c(3),
        },
        additional_details: serde_json::json!({"source": "import"}),
        ..Default::default()
    };
    let conn = NewConnection {
        tenant_id: tenant.to_owned(),
        property_id: String::new(),
        old_connection_no: c(4),
        connection_type: service_type,
        meter_id: metered.then(|| c(12)),
        previous_reading_date: if metered {
            date_ms(&c(13))
        } else {
            cycle_ms(&c(15))
        },
        initial_meter_reading: metered.then(|| {
            let r = c(14);
            if r.is_empty() {
                0
            } else {
                r.parse().unwrap_or(-1)
            }
        }),
        arrears: money(&c(16)),
        penalty: money(&c(17)),
        advance: money(&c(18)),
        category: Some(c(5)),
        sub_category: Some(c(6)),
        aadhaar: Some(c(7)),
        additional_details: serde_json::json!({"source": "import"}),
        ..Default::default()
    };
    (prop, conn)
}

/// Checks every row against the rules and the GP's households, writing nothing.
pub fn preview(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    i18n: &Catalog,
    tenant: &str,
    pos: &[Option<usize>],
    rows: &[Row],
    now: DateTime<Utc>,
) -> AppResult<Vec<Checked>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let (prop, conn_in) = household_of(i18n, tenant, pos, row);
        let old = conn_in.old_connection_no.trim().to_uppercase();
        let outcome = if !old.is_empty() && !seen.insert(old.clone()) {
            Outcome::Repeated
        } else if registered(conn, tenant, &conn_in.old_connection_no)? {
            Outcome::AlreadyRegistered
        } else {
            // the real checks, in a transaction that never commits
            let r: Result<(), AppError> = conn.transaction(|c| {
                let p = service::create_property(c, ctx, &prop, None, now)?;
                let mut w = conn_in.clone();
                w.property_id = p.property_id;
                service::create_connection(c, ctx, &w, None, now)?;
                Err(AppError::bad_request("ROLLBACK", "preview only"))
            });
            match r {
                Err(AppError::Client { errors, .. })
                    if errors.iter().all(|e| e.code == "ROLLBACK") =>
                {
                    Outcome::Valid
                }
                Err(AppError::Client { errors, .. }) => Outcome::Invalid(errors),
                Err(e) => return Err(e),
                Ok(()) => Outcome::Valid,
            }
        };
        out.push(Checked {
            line: row.line,
            name: prop.owner.name.clone(),
            old_no: conn_in.old_connection_no.clone(),
            outcome,
        });
    }
    Ok(out)
}

fn registered(conn: &mut PgConnection, tenant: &str, old_no: &str) -> AppResult<bool> {
    let n = super::repo::count_by_old_no(conn, tenant, old_no.trim())?;
    Ok(n > 0)
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub created: usize,
    pub already: usize,
    pub invalid: usize,
}

/// Writes every valid row (each in a savepoint of the caller's transaction, so a bad row leaves
/// nothing behind and the good ones commit together); skips rows the GP already has.
#[expect(clippy::too_many_arguments, reason = "a file and where it goes")]
pub fn import(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    i18n: &Catalog,
    tenant: &str,
    pos: &[Option<usize>],
    rows: &[Row],
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Imported> {
    let mut out = Imported::default();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let (prop, conn_in) = household_of(i18n, tenant, pos, row);
        let old = conn_in.old_connection_no.trim().to_uppercase();
        if !old.is_empty() && !seen.insert(old) {
            out.invalid += 1;
            continue;
        }
        if registered(conn, tenant, &conn_in.old_connection_no)? {
            out.already += 1;
            continue;
        }
        let r: Result<(), AppError> = conn.transaction(|c| {
            let p = service::create_property(c, ctx, &prop, actor, now)?;
            let mut w = conn_in.clone();
            w.property_id = p.property_id;
            service::create_connection(c, ctx, &w, actor, now)?;
            Ok(())
        });
        match r {
            Ok(()) => out.created += 1,
            Err(AppError::Client { .. }) => out.invalid += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
