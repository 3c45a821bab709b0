//! The import's columns as people see them: each column's name in the three languages (the
//! header row may use any of them, or the English names of the first version), what to write in
//! it, the values a choice column takes (as the code or its name in any language), and the
//! template to download (CSV, and Excel with a help sheet).

use chrono::NaiveDate;

use crate::platform::localization::{Catalog, Locale};

/// The columns' names of the first version (still accepted in a header row).
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

/// Each column's name in the page's language (the form's label for the same field).
pub const LABELS: [&str; 19] = [
    "CONSUMER_NAME",
    "CORE_GENDER",
    "CONSUMER_FATHER_SPOUSE_NAME",
    "CONSUMER_MOBILE_NUMBER",
    "CONSUMER_OLD_CONNECTION_ID",
    "CONSUMER_CATEGORY",
    "CONSUMER_SUB_CATEGORY",
    "CONSUMER_AADHAAR",
    "CONSUMER_DOOR_NO",
    "CONSUMER_STREET",
    "CONSUMER_PROPERTY_TYPE",
    "CONSUMER_SERVICE_TYPE",
    "WS_METER_NUMBER",
    "WS_PREVIOUS_READING_DATE",
    "WS_PREVIOUS_READING",
    "WS_LAST_BILLED_CYCLE",
    "CONSUMER_ARREARS",
    "CONSUMER_PENALTY",
    "CONSUMER_ADVANCE",
];

/// The columns a file must have.
pub const REQUIRED: [usize; 7] = [0, 1, 2, 3, 4, 10, 11];

pub const SERVICE: usize = 11;

/// The values of a choice column: (code, catalogue key of its name); empty for other columns.
pub fn choices(col: usize) -> &'static [(&'static str, &'static str)] {
    match col {
        1 => &[
            ("MALE", "GENDER_MALE"),
            ("FEMALE", "GENDER_FEMALE"),
            ("TRANSGENDER", "GENDER_TRANSGENDER"),
        ],
        5 => &[("APL", "APL"), ("BPL", "BPL")],
        6 => &[("SC", "SC"), ("ST", "ST"), ("GENERAL", "GENERAL")],
        10 => &[
            ("RESIDENTIAL", "PROPERTYTYPE_RESIDENTIAL"),
            ("COMMERCIAL", "PROPERTYTYPE_COMMERCIAL"),
            ("MIXED", "PROPERTYTYPE_MIXED"),
            ("PUBLICSECTOR", "PROPERTYTYPE_PUBLICSECTOR"),
        ],
        SERVICE => &[
            ("Metered", "CONNECTIONTYPE_METERED"),
            ("Non_Metered", "CONNECTIONTYPE_NON_METERED"),
        ],
        _ => &[],
    }
}

/// A header or a choice as compared: lower case, without spaces and punctuation.
pub fn key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !"।’‘".contains(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// What a header row may call each column: its first-version name and its name in each language.
pub struct Names(Vec<Vec<String>>);

impl Names {
    pub fn of(i18n: &Catalog) -> Self {
        Self(
            (0..COLUMNS.len())
                .map(|c| {
                    let mut v = vec![key(COLUMNS[c])];
                    v.extend(Locale::ALL.iter().map(|l| key(&i18n.text(*l, LABELS[c]))));
                    v.retain(|k| !k.is_empty());
                    v
                })
                .collect(),
        )
    }

    /// The column a header names.
    pub fn column(&self, header: &str) -> Option<usize> {
        let k = key(header);
        self.0.iter().position(|names| names.contains(&k))
    }
}

/// A choice as the services take it: the code for the code or its name in any language; other
/// text as written (refused there, as it names no value).
pub fn choice(i18n: &Catalog, col: usize, v: &str) -> String {
    let k = key(v);
    if k.is_empty() {
        return v.trim().to_owned();
    }
    choices(col)
        .iter()
        .find(|(code, name)| {
            key(code) == k || Locale::ALL.iter().any(|l| key(&i18n.text(*l, name)) == k)
        })
        .map_or_else(|| v.trim().to_owned(), |(code, _)| (*code).to_owned())
}

/// The page's texts, for the help and the template.
pub struct Help<'a> {
    pub i18n: &'a Catalog,
    pub locale: Locale,
    pub today: NaiveDate,
}

impl Help<'_> {
    fn t(&self, k: &str) -> String {
        self.i18n.text(self.locale, k)
    }

    /// The column's name in the page's language.
    pub fn label(&self, col: usize) -> String {
        self.t(LABELS[col])
    }

    /// The names of a choice column's values, joined.
    pub fn values(&self, col: usize) -> String {
        let n = if col == 10 { 2 } else { choices(col).len() };
        choices(col)[..n]
            .iter()
            .map(|(_, k)| self.t(k))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The two months a flat-rate household's last billing cycle may be, as MM/YYYY.
    pub fn cycles(&self) -> [String; 2] {
        super::super::service::allowed_last_cycles(self.today)
            .map(|d| d.format("%m/%Y").to_string())
    }

    /// What to write in a column.
    pub fn what(&self, col: usize) -> String {
        let limit = super::super::service::OPENING_LIMIT.to_string();
        let [a, b] = self.cycles();
        let earliest = crate::time::Fy(crate::time::Fy::of_date(self.today).0 - 1)
            .first_day()
            .format("%d/%m/%Y")
            .to_string();
        let key = match col {
            0 | 2 => "IMPORT_HELP_NAME",
            3 => "IMPORT_HELP_MOBILE",
            4 => "IMPORT_HELP_OLD_ID",
            7 => "IMPORT_HELP_AADHAAR",
            8 | 9 => "IMPORT_HELP_TEXT",
            12 => "IMPORT_HELP_METER",
            13 => "IMPORT_HELP_READING_DATE",
            14 => "IMPORT_HELP_READING",
            15 => "IMPORT_HELP_CYCLE",
            16 => "IMPORT_HELP_ARREARS",
            17 => "IMPORT_HELP_PENALTY",
            18 => "IMPORT_HELP_ADVANCE",
            _ => "IMPORT_HELP_ONE_OF",
        };
        self.i18n.format(
            self.locale,
            key,
            &[
                ("values", &self.values(col)),
                ("limit", &limit),
                ("a", &a),
                ("b", &b),
                ("from", &earliest),
            ],
        )
    }

    /// Required or optional.
    pub fn needed(&self, col: usize) -> String {
        self.t(if REQUIRED.contains(&col) {
            "IMPORT_REQUIRED"
        } else {
            "IMPORT_OPTIONAL"
        })
    }

    /// Every column: (name, required or not, what to write).
    pub fn rows(&self) -> Vec<(String, String, String)> {
        (0..COLUMNS.len())
            .map(|c| (self.label(c), self.needed(c), self.what(c)))
            .collect()
    }

    /// The template's header row and its example (a flat-rate household, valid today).
    pub fn example(&self) -> (Vec<String>, Vec<String>) {
        let headers = (0..COLUMNS.len()).map(|c| self.label(c)).collect();
        let [cycle, _] = self.cycles();
        let row = [
            self.t("IMPORT_EXAMPLE_NAME"),
            self.t("GENDER_FEMALE"),
            self.t("IMPORT_EXAMPLE_GUARDIAN"),
            "9876543210".to_owned(),
            "OLD/101".to_owned(),
            self.t("BPL"),
            self.t("GENERAL"),
            String::new(),
            "12".to_owned(),
            self.t("IMPORT_EXAMPLE_STREET"),
            self.t("PROPERTYTYPE_RESIDENTIAL"),
            self.t("CONNECTIONTYPE_NON_METERED"),
            String::new(),
            String::new(),
            String::new(),
            cycle,
            "150".to_owned(),
            String::new(),
            String::new(),
        ]
        .to_vec();
        (headers, row)
    }

    /// The template as CSV (UTF-8 with a byte-order mark, so Excel reads the Gurmukhi).
    pub fn csv(&self) -> Vec<u8> {
        let (headers, row) = self.example();
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        // writing to memory does not fail
        let _ = w.write_record(&headers);
        let _ = w.write_record(&row);
        w.into_inner().unwrap_or_default()
    }

    /// The template as an Excel workbook: the households sheet (header and example, every cell
    /// text so numbers stay as typed) and a help sheet saying what to write in each column.
    pub fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let (headers, row) = self.example();
        let mut book = Workbook::new();
        let bold = Format::new().set_bold().set_text_wrap();
        let text = Format::new().set_num_format("@");
        let wrap = Format::new().set_text_wrap();
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&self.t("IMPORT_SHEET_HOUSEHOLDS")))?;
        for (c, (h, v)) in headers.iter().zip(&row).enumerate() {
            let c = u16::try_from(c).unwrap_or(0);
            sheet.set_column_width(c, 18)?;
            sheet.set_column_format(c, &text)?;
            sheet.write_string_with_format(0, c, h, &bold)?;
            if !v.is_empty() {
                sheet.write_string_with_format(1, c, v, &text)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        let help = book.add_worksheet();
        help.set_name(sheet_name(&self.t("IMPORT_SHEET_HELP")))?;
        help.set_column_width(0, 26)?;
        help.set_column_width(1, 14)?;
        help.set_column_width(2, 70)?;
        help.write_string_with_format(0, 0, self.t("IMPORT_HINT"), &wrap)?;
        for (c, k) in ["IMPORT_COLUMN", "IMPORT_NEEDED", "IMPORT_WHAT"]
            .iter()
            .enumerate()
        {
            help.write_string_with_format(2, u16::try_from(c).unwrap_or(0), self.t(k), &bold)?;
        }
        for (i, (name, needed, what)) in self.rows().iter().enumerate() {
            let r = u32::try_from(i + 3).unwrap_or(u32::MAX);
            help.write_string(r, 0, name)?;
            help.write_string(r, 1, needed)?;
            help.write_string_with_format(r, 2, what, &wrap)?;
        }
        book.save_to_buffer()
    }
}

/// A sheet name Excel takes: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    let n: String = s
        .chars()
        .filter(|c| !"[]:*?/\\'".contains(*c))
        .take(31)
        .collect();
    if n.trim().is_empty() {
        "Sheet".to_owned()
    } else {
        n
    }
}

/// The column a field error of the services names (its last path segment), by the error's code
/// where one field stands for two columns.
pub fn column_of(field: &str, code: &str) -> Option<usize> {
    let last = field.rsplit('.').next().unwrap_or(field);
    Some(match last {
        "name" => 0,
        "gender" => 1,
        "fatherOrHusbandName" => 2,
        "mobileNumber" => 3,
        "oldConnectionNo" => 4,
        "category" => 5,
        "subCategory" => 6,
        "aadharNumber" => 7,
        "doorNo" => 8,
        "street" => 9,
        "propertyType" => 10,
        "connectionType" => 11,
        "meterId" => 12,
        "previousReadingDate" if code == "INVALID_BILLING_CYCLE" => 15,
        "previousReadingDate" => 13,
        "initialMeterReading" => 14,
        "arrears" => 16,
        "penalty" => 17,
        "advance" => 18,
        _ => return None,
    })
}
