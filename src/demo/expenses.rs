//! The demo GP's expenditure: four vendors and the last four months of expense bills, written
//! through the vendor and expense services as the GP would have (each bill on its own day, paid
//! ones with their receipt, one cancelled after it was paid, the last month's still unpaid), so
//! a newcomer sees a real expense list, dashboard and reports. One transaction; skipped when the
//! demo vendors exist (by the first one's mobile number), so a second run changes nothing.

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::households::months_before;
use super::{DEMO_TENANT, SECOND_TENANT};
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::municipal::echallan::service::{self as challans, ChallanInput, Key, Who};
use crate::municipal::vendor::service::{self as vendors, Ctx, NewVendor};
use crate::platform::encryption::Crypto;
use crate::platform::user::service::{self as users, Identity};
use crate::time::ist_day_start_millis;

/// What the demo's expenditure holds after a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// False when the demo vendors were already there (nothing written).
    pub created: bool,
    pub vendors: usize,
    pub bills: usize,
    pub paid: usize,
    pub unpaid: usize,
    pub cancelled: usize,
    /// What the bills not cancelled come to.
    pub total: Decimal,
    /// The bill number of the one that has its paper bill attached.
    pub attached: Option<String>,
}

/// (name, owner mobile)
const VENDORS: &[(&str, &str)] = &[
    ("Balwinder Singh", "9876500901"),
    ("Sandhu Pipe Store", "9876500902"),
    ("Kaur Chemicals", "9876500903"),
    ("Gill Motor Works", "9876500904"),
];

/// One bill: month (0 = four months ago .. 3 = last month), day, vendor, type, amount, paid
/// after how many days (None: unpaid), cancelled (after being paid) some days later.
type Bill = (
    usize,
    u32,
    usize,
    &'static str,
    i64,
    Option<i64>,
    Option<i64>,
);

/// One village's spending: where, its vendors, its bills, who writes them, which one has the
/// paper bill attached.
struct Spending {
    tenant: &'static str,
    vendors: &'static [(&'static str, &'static str)],
    bills: &'static [Bill],
    sarpanch: &'static str,
    with_attachment: Option<usize>,
}

const LODHIPUR: Spending = Spending {
    tenant: DEMO_TENANT,
    vendors: VENDORS,
    bills: BILLS,
    sarpanch: "9000000001",
    with_attachment: Some(3),
};

/// The second GP: a pump operator's salary, the electricity and one repair.
const ABIANA_KALAN: Spending = Spending {
    tenant: SECOND_TENANT,
    vendors: &[
        ("Jaswant Singh", "9876500911"),
        ("Saini Electricals", "9876500912"),
    ],
    bills: &[
        (1, 4, 0, "SALARY", 2_500, Some(3), None),
        (2, 4, 0, "SALARY", 2_500, Some(2), None),
        (2, 19, 1, "MACHINERY_REPAIR", 1_800, Some(6), None),
        (3, 4, 0, "SALARY", 2_500, None, None),
    ],
    sarpanch: "9000000006",
    with_attachment: None,
};

const BILLS: &[Bill] = &[
    (0, 3, 0, "SALARY", 3_000, Some(2), None),
    (0, 12, 2, "CHLORINATION", 800, Some(5), None),
    (1, 3, 0, "SALARY", 3_000, Some(1), None),
    (1, 9, 1, "PIPELINE_REPAIR", 1_450, Some(7), None),
    (1, 20, 3, "MACHINERY_REPAIR", 2_200, Some(3), Some(6)),
    (2, 3, 0, "SALARY", 3_000, Some(2), None),
    (2, 16, 2, "WATER_TREATMENT", 650, Some(4), None),
    (2, 24, 1, "OTHERS", 450, None, None),
    (3, 3, 0, "SALARY", 3_000, None, None),
    (3, 11, 1, "PIPELINE_REPAIR", 1_200, None, None),
    (3, 18, 3, "NEW_MACHINERY", 5_500, None, None),
];

/// `hour` o'clock IST on `d`.
fn at(d: NaiveDate, hour: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ist_day_start_millis(d) + hour * 3_600_000).unwrap_or_default()
}

fn app(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{}: {:?}", e.code(), e.details())
}

/// Builds the demo GP's expenditure as of `now` (the CLI passes the current time; tests pin one).
pub fn setup(
    conn: &mut PgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<Summary> {
    setup_for(conn, settings, now, &LODHIPUR)
}

/// Builds the second demo GP's expenditure as of `now`.
pub fn setup_second(
    conn: &mut PgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<Summary> {
    setup_for(conn, settings, now, &ABIANA_KALAN)
}

fn setup_for(
    conn: &mut PgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    v: &Spending,
) -> anyhow::Result<Summary> {
    let crypto = Crypto::from_settings(&settings.security)?;
    let ctx = Ctx {
        state_tenant: &settings.app.state_tenant,
        crypto: &crypto,
        sec: &settings.security,
    };
    conn.transaction(|c| {
        let (found, n) = vendors::search(
            c,
            ctx,
            &vendors::Filter {
                tenant_id: v.tenant.to_owned(),
                mobile_number: Some(v.vendors[0].1.to_owned()),
                limit: Some(1),
                ..vendors::Filter::default()
            },
        )
        .map_err(app)?;
        if n > 0 || !found.is_empty() {
            return Ok(Summary {
                vendors: v.vendors.len(),
                ..Summary::default()
            });
        }
        build(c, ctx, &settings.filestore, v, now).map_err(app)
    })
}

/// A one-page PDF with `lines` of text (Helvetica, so ASCII only): the demo's attached bill.
fn paper_bill(lines: &[String]) -> Vec<u8> {
    let mut text = String::from("BT /F1 14 Tf 24 150 Td");
    for l in lines {
        let l: String = l
            .chars()
            .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\'))
            .collect();
        text.push_str(&format!(" ({l}) Tj 0 -22 Td"));
    }
    text.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 320 200] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn build(
    c: &mut PgConnection,
    ctx: Ctx<'_>,
    files: &crate::config::FilestoreSettings,
    v: &Spending,
    now: DateTime<Utc>,
) -> AppResult<Summary> {
    let id = Identity::new(ctx.crypto, ctx.sec);
    let sarpanch = match users::id_by_login(c, id, ctx.state_tenant, "EMPLOYEE", v.sarpanch)? {
        Some(n) => users::get(c, ctx.crypto, n)?.map(|u| u.uuid),
        None => None,
    };
    let who = Who {
        actor: sarpanch,
        pspcl_admin: false,
    };
    let months: Vec<NaiveDate> = months_before(now).into_iter().skip(8).collect();
    let mut s = Summary {
        created: true,
        ..Summary::default()
    };
    let first = at(months[0], 9).min(now);
    let mut ids = Vec::new();
    for (name, mobile) in v.vendors {
        let v = vendors::create(
            c,
            ctx,
            &NewVendor {
                tenant_id: v.tenant.to_owned(),
                name: (*name).to_owned(),
                mobile: (*mobile).to_owned(),
                address: serde_json::json!({"locality": {"code": "WARD1"}}),
                ..NewVendor::default()
            },
            "vendor",
            sarpanch,
            first,
        )?;
        ids.push(v.id);
    }
    s.vendors = ids.len();
    for (n, &(m, day, vendor, kind, amount, paid_after, cancel_after)) in v.bills.iter().enumerate()
    {
        let bill_date = months[m].with_day0(day - 1).unwrap_or(months[m]);
        let written = at(bill_date, 11);
        if written > now {
            continue;
        }
        let paid_date = paid_after
            .map(|d| bill_date + Duration::days(d))
            .filter(|d| at(*d, 12) <= now);
        let input = ChallanInput {
            tenant_id: v.tenant.to_owned(),
            type_of_expense: kind.to_owned(),
            vendor_id: ids[vendor],
            amount: Decimal::from(amount),
            bill_date,
            bill_issued_date: Some(bill_date - Duration::days(1)),
            tax_period_from: crate::time::month_start(bill_date),
            tax_period_to: bill_date,
            is_bill_paid: false,
            paid_date: None,
            filestore_id: None,
            description: None,
        };
        // the bill that comes with the vendor's paper bill attached (a scan would be a photo;
        // the demo writes a one-page PDF naming the vendor, the work and the amount)
        let input = if v.with_attachment == Some(n) {
            let pdf = paper_bill(&[
                v.vendors[vendor].0.to_owned(),
                format!("{kind} {bill_date}"),
                format!("Rs {amount}"),
            ]);
            let file = crate::platform::filestore::store_upload(
                c, files, v.tenant, "echallan", "bill.pdf", pdf, sarpanch, written,
            )?;
            ChallanInput {
                filestore_id: Some(file.to_string()),
                ..input
            }
        } else {
            input
        };
        let with_file = input.filestore_id.is_some();
        let bill = challans::create(c, ctx, &input, "Challan", who, written)?;
        if with_file {
            s.attached = Some(bill.challan_no.clone());
        }
        let key = Key::No(bill.challan_no.clone());
        s.bills += 1;
        let Some(paid) = paid_date else {
            s.unpaid += 1;
            s.total += Decimal::from(amount);
            continue;
        };
        challans::mark_paid(c, ctx, v.tenant, &key, paid, who, at(paid, 12))?;
        match cancel_after.map(|d| at(paid + Duration::days(d), 15)) {
            Some(t) if t <= now => {
                challans::cancel(c, ctx, v.tenant, &key, who, t)?;
                s.cancelled += 1;
            }
            _ => {
                s.paid += 1;
                s.total += Decimal::from(amount);
            }
        }
    }
    Ok(s)
}

/// The figures a run prints.
pub fn print(s: &Summary) {
    if !s.created {
        println!(
            "Demo expenditure: {} vendors already there (nothing changed).",
            s.vendors
        );
        return;
    }
    println!(
        "Demo expenditure: {} vendors, {} expense bills ({} paid, {} unpaid, {} cancelled), ₹{} in all.",
        s.vendors, s.bills, s.paid, s.unpaid, s.cancelled, s.total
    );
}
