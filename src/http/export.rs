//! A report's table as a download: an Excel workbook (amounts as numbers the sheet can sum) or
//! a CSV (UTF-8 with a byte-order mark, amounts as plain numbers), the same rows as the page.

use actix_web::HttpResponse;

use crate::error::AppError;
use crate::http::page::PageResult;

/// What a report shows: its headings, rows and totals (amounts as [`crate::words::inr`] texts),
/// and a line above the table (e.g. the consumer ledger's household).
#[derive(Default)]
pub struct Table {
    pub heads: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub totals: Vec<String>,
    pub about: String,
}

/// The whole report as a workbook: headings in bold, the rows, then the totals in bold.
pub fn xlsx(stem: &str, t: &Table) -> PageResult {
    use rust_decimal::prelude::ToPrimitive as _;
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!("xlsx: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let mut r = 0u32;
    if !t.about.is_empty() {
        sheet
            .write_string_with_format(0, 0, &t.about, &bold)
            .map_err(fail)?;
        r = 1;
    }
    for (c, h) in t.heads.iter().enumerate() {
        sheet
            .write_string_with_format(r, u16::try_from(c).unwrap_or(0), h, &bold)
            .map_err(fail)?;
    }
    // amounts go in as numbers (the sheet can sum them), shown with two decimals
    let money = Format::new().set_num_format("#,##0.00");
    let money_bold = Format::new().set_num_format("#,##0.00").set_bold();
    let mut cell = |r: u32, c: usize, v: &str, total: bool| {
        let c = u16::try_from(c).unwrap_or(0);
        match crate::words::parse_inr(v).and_then(|d| d.to_f64()) {
            Some(n) => {
                sheet.write_number_with_format(r, c, n, if total { &money_bold } else { &money })
            }
            None if total => sheet.write_string_with_format(r, c, v, &bold),
            None => sheet.write_string(r, c, v),
        }
        .map(|_| ())
        .map_err(fail)
    };
    for row in &t.rows {
        r += 1;
        for (c, v) in row.iter().enumerate() {
            cell(r, c, v, false)?;
        }
    }
    if !t.totals.is_empty() {
        r += 1;
        for (c, v) in t.totals.iter().enumerate() {
            cell(r, c, v, true)?;
        }
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(crate::http::disposition(
            "attachment",
            &format!("{stem}.xlsx"),
        ))
        .body(bytes))
}

/// A cell of the CSV: an amount as a plain number with two decimals (a spreadsheet reads it as
/// one), any other text quoted when it has to be.
fn csv_cell(s: &str) -> String {
    if let Some(d) = crate::words::parse_inr(s) {
        return format!("{:.2}", d.round_dp(2));
    }
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The whole report as CSV (UTF-8 with a byte-order mark, so spreadsheets read Gurmukhi).
pub fn csv(stem: &str, t: &Table) -> HttpResponse {
    let mut out = String::from("\u{feff}");
    let mut line = |cells: &[String]| {
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    };
    if !t.about.is_empty() {
        line(std::slice::from_ref(&t.about));
    }
    line(&t.heads);
    for r in &t.rows {
        line(r);
    }
    if !t.totals.is_empty() {
        line(&t.totals);
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(crate::http::disposition(
            "attachment",
            &format!("{stem}.csv"),
        ))
        .body(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_writes_amounts_as_numbers() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("ਨਾਮ"), "ਨਾਮ");
        assert_eq!(csv_cell("₹1,23,456.5"), "123456.50");
        assert_eq!(csv_cell("-₹80"), "-80.00");
    }
}
