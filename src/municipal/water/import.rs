//! Bulk import of households from a spreadsheet, Excel (.xlsx) or CSV (the columns of the create-consumer
//! form, one household a row). A preview checks every row with the same rules as the form,
//! inside a transaction that is rolled back; the import then writes every valid row in one
//! transaction. Rows whose old connection id the GP already has are reported and skipped, so a
//! second upload of the same file creates nothing.

pub mod pages;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use diesel::Connection as _;
use diesel::PgConnection;
use rust_decimal::Decimal;

use super::service::{self, Ctx, NewConnection, NewProperty, OwnerIn};
use crate::error::{AppError, AppResult, codes};

/// The columns, as the header row names them (any case; spaces, `_`, `/`, `-` ignored).
pub const COLUMNS: [&str; 19] = [
    "Name",
    "Gender",
    "Father or Spouse Name",
    "Mobile Number",
    "Old Connection ID",
    "Category",
    "Sub Category",
    "Aadhaar Number",
    "Door No",
    "Street",
    "Property Type",
    "Service Type",
    "Meter Number",
    "Previous Reading Date",
    "Previous Reading",
    "Last Billing Cycle",
    "Arrears",
    "Penalty",
    "Advance",
];

/// Most rows one file may hold.
pub const MAX_ROWS: usize = 5000;

fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

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
    Invalid(Vec<String>),
}

/// Reads the file, an Excel workbook (.xlsx, its first sheet) or CSV: a header row naming the
/// columns (in any order; unknown ones refused), then one household a row. Returns, for each
/// known column, its position.
pub fn parse(bytes: &[u8]) -> AppResult<(Vec<Option<usize>>, Vec<Row>)> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_table(bytes)?
    } else {
        csv_table(bytes)?
    };
    let mut lines = table.into_iter();
    let Some((_, headers)) = lines.next() else {
        return Err(AppError::bad_request(
            "EMPTY_FILE",
            "the file has no header row",
        ));
    };
    let wanted: Vec<String> = COLUMNS.iter().map(|c| key(c)).collect();
    let mut positions = vec![None; COLUMNS.len()];
    for (i, h) in headers.iter().enumerate() {
        let k = key(h);
        if k.is_empty() {
            continue;
        }
        match wanted.iter().position(|w| *w == k) {
            Some(c) => positions[c] = Some(i),
            None => {
                return Err(AppError::bad_request(
                    "UNKNOWN_COLUMN",
                    format!(
                        "unknown column {h:?}; the columns are: {}",
                        COLUMNS.join(", ")
                    ),
                ));
            }
        }
    }
    for required in [0usize, 1, 2, 3, 4, 10, 11] {
        if positions[required].is_none() {
            return Err(AppError::bad_request(
                "MISSING_COLUMN",
                format!("the column {:?} is required", COLUMNS[required]),
            ));
        }
    }
    let mut rows = Vec::new();
    for (line, cells) in lines {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(AppError::bad_request(
                "TOO_MANY_ROWS",
                format!("at most {MAX_ROWS} households a file"),
            ));
        }
        rows.push(Row { line, cells });
    }
    if rows.is_empty() {
        return Err(AppError::bad_request(
            "EMPTY_FILE",
            "the file has no households",
        ));
    }
    Ok((positions, rows))
}

/// Every line of a CSV file (UTF-8, with or without a byte-order mark) with its number.
fn csv_table(bytes: &[u8]) -> AppResult<Vec<(usize, Vec<String>)>> {
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
            let rec = rec.map_err(|e| {
                AppError::bad_request(codes::INVALID_FILE, format!("row {}: {e}", i + 1))
            })?;
            Ok((i + 1, rec.iter().map(str::to_owned).collect()))
        })
        .collect()
}

/// Every row of the workbook's first sheet with its number, cells as text: whole numbers
/// without a decimal point (a mobile number typed as a number), dates as YYYY-MM-DD.
fn xlsx_table(bytes: &[u8]) -> AppResult<Vec<(usize, Vec<String>)>> {
    use calamine::{Data, Reader as _};
    let bad = |e: &dyn std::fmt::Display| {
        AppError::bad_request(
            codes::INVALID_FILE,
            format!("cannot read the Excel file: {e}"),
        )
    };
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let sheet = book
        .worksheet_range_at(0)
        .ok_or_else(|| bad(&"it has no sheet"))?
        .map_err(|e| bad(&e))?;
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

/// The property and connection a row describes.
fn household_of(tenant: &str, pos: &[Option<usize>], row: &Row) -> (NewProperty, NewConnection) {
    let c = |col| cell(pos, row, col);
    let service_type = c(11);
    let metered = key(&service_type) == "metered";
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
        connection_type: if metered {
            "Metered".to_owned()
        } else if key(&service_type) == "nonmetered" {
            "Non_Metered".to_owned()
        } else {
            service_type
        },
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

fn messages(e: &AppError) -> Vec<String> {
    match e {
        AppError::Client { errors, .. } => errors
            .iter()
            .map(|x| match x.params.as_ref().and_then(|p| p.first()) {
                Some(f) => format!("{} ({})", x.message, f.rsplit('.').next().unwrap_or(f)),
                None => x.message.clone(),
            })
            .collect(),
        other => vec![other.to_string()],
    }
}

/// Checks every row against the rules and the GP's households, writing nothing.
pub fn preview(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    pos: &[Option<usize>],
    rows: &[Row],
    now: DateTime<Utc>,
) -> AppResult<Vec<Checked>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let (prop, conn_in) = household_of(tenant, pos, row);
        let old = conn_in.old_connection_no.trim().to_uppercase();
        let outcome = if !old.is_empty() && !seen.insert(old.clone()) {
            Outcome::Invalid(vec![
                "the old connection id appears twice in the file".to_owned(),
            ])
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
                Err(e @ AppError::Client { .. }) => Outcome::Invalid(messages(&e)),
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
pub fn import(
    conn: &mut PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    pos: &[Option<usize>],
    rows: &[Row],
    actor: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Imported> {
    let mut out = Imported::default();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let (prop, conn_in) = household_of(tenant, pos, row);
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
