//! A statement as a table of sections, and its PDF and Excel.

use actix_web::HttpResponse;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use crate::error::AppError;
use crate::http::page::PageResult;
use crate::words::inr;

/// One cell: text, or money (shown with ₹ on the page and the PDF, a number in Excel).
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    Money(Decimal),
}

impl Cell {
    pub fn shown(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Money(v) => inr(*v),
        }
    }
}

/// A titled table of a statement.
#[derive(Clone, Debug)]
pub struct Section {
    pub title: String,
    pub heads: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A section as the page shows it: its cells as text.
pub struct Shown {
    pub title: String,
    pub heads: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub fn shown(sections: &[Section]) -> Vec<Shown> {
    sections
        .iter()
        .map(|s| Shown {
            title: s.title.clone(),
            heads: s.heads.clone(),
            rows: s
                .rows
                .iter()
                .map(|r| r.iter().map(Cell::shown).collect())
                .collect(),
        })
        .collect()
}

/// The statement as a PDF: its title, the GP and period, then each section's table.
pub fn pdf(
    locale: &str,
    title: &str,
    subtitle: &str,
    sections: &[Section],
) -> Result<Vec<u8>, AppError> {
    let mut doc = crate::pdf::Doc::new(locale);
    doc.title(title);
    doc.heading(subtitle);
    for s in sections {
        doc.heading(&s.title);
        let heads: Vec<&str> = s.heads.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = s
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::shown).collect())
            .collect();
        doc.table(&heads, &rows);
    }
    doc.finish()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("pdf: {e}")))
}

/// The statement as a workbook: its title, then each section (title, headings in bold, rows;
/// money as numbers with two decimals).
pub fn xlsx(file: &str, title: &str, subtitle: &str, sections: &[Section]) -> PageResult {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!("xlsx: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    sheet
        .write_string_with_format(0, 0, title, &bold)
        .map_err(fail)?;
    sheet.write_string(1, 0, subtitle).map_err(fail)?;
    let mut row: u32 = 3;
    for s in sections {
        sheet
            .write_string_with_format(row, 0, &s.title, &bold)
            .map_err(fail)?;
        row += 1;
        for (c, h) in s.heads.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(0);
            sheet
                .write_string_with_format(row, c, h, &bold)
                .map_err(fail)?;
        }
        row += 1;
        for r in &s.rows {
            for (c, v) in r.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(0);
                match v {
                    Cell::Text(t) => sheet.write_string(row, c, t).map_err(fail)?,
                    Cell::Money(m) => sheet
                        .write_number_with_format(row, c, m.to_f64().unwrap_or(0.0), &money)
                        .map_err(fail)?,
                };
            }
            row += 1;
        }
        row += 1;
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(crate::http::disposition(
            "attachment",
            &format!("{file}.xlsx"),
        ))
        .body(bytes))
}
