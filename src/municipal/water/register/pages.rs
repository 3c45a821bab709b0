//! The household register's screens (product.md §2.3): tabs All / Pending / Paid with counts,
//! a text search, every column sorts, ten rows a page, and the register as PDF and Excel.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::db;
use crate::error::AppError;
use crate::http::page::{self, PageCtx, PageResult, StaffPage, ist_date, pdf_response};
use crate::http::routes::{Access, Routes};
use crate::municipal::water::pages::VIEW_ROLES;
use crate::municipal::water::service::{Criteria, Ctx};
use crate::state::AppState;
use crate::time::IST;
use crate::words::inr;

pub fn routes(r: &mut Routes<'_>) {
    let view = Access::Page(VIEW_ROLES);
    r.get("/home/householdRegister", view, register)
        .get("/home/householdRegister.pdf", view, register_pdf)
        .get("/home/householdRegister.xlsx", view, register_xlsx);
}

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx::of(state)
}

/// One household of the register: (new id, metered, old id, name, guardian, pending, advance,
/// active, last bill date), with the numbers kept for sorting.
#[derive(Clone, Debug)]
struct RegisterRow {
    no: String,
    no_q: String,
    metered: bool,
    old_no: String,
    name: String,
    guardian: String,
    pending: Decimal,
    advance: Decimal,
    active: bool,
    last_bill: Option<DateTime<Utc>>,
    /// For the full (Excel) export.
    extra: Box<RegisterExtra>,
}

#[derive(Clone, Debug, Default)]
struct RegisterExtra {
    gender: String,
    mobile: String,
    category: String,
    sub_category: String,
    property_type: String,
    connection_type: String,
    meter: String,
    arrears: Decimal,
    penalty: Decimal,
    advance: Decimal,
    billed: Decimal,
    collected: Decimal,
    created: DateTime<Utc>,
}

impl RegisterRow {
    fn pending_s(&self) -> String {
        inr(self.pending)
    }
    fn advance_s(&self) -> String {
        inr(self.advance)
    }
    fn last_bill_s(&self) -> String {
        self.last_bill
            .map(ist_date)
            .unwrap_or_else(|| "—".to_owned())
    }
}

/// The register's households of the tab, in order, with the tab counts: the selection
/// `super::select` makes, as table rows.
fn register_rows(
    conn: &mut diesel::PgConnection,
    ctx: Ctx<'_>,
    tenant: &str,
    q: &RegisterQuery,
) -> crate::error::AppResult<(Vec<RegisterRow>, super::TabCounts)> {
    let text = q.q.trim();
    let (sort, descending) = q.order();
    let view = super::View {
        text: (!text.is_empty()).then(|| text.to_owned()),
        paid: None,
        tab: q.tab().1,
        sort: sort.by,
        descending,
    };
    let sel = super::select(
        conn,
        ctx,
        &Criteria {
            tenant_id: tenant.to_owned(),
            ..Default::default()
        },
        &view,
    )?;
    let rows = sel
        .entries
        .into_iter()
        .map(|e| {
            let (h, f) = (e.household, e.figures);
            RegisterRow {
                no_q: page::urlencode(&h.connection.connection_no),
                no: h.connection.connection_no.clone(),
                metered: h.connection.connection_type == "Metered",
                old_no: h.connection.old_connection_no.clone(),
                name: h.owner.name.clone(),
                guardian: h.owner.guardian.clone(),
                pending: f.pending,
                advance: f.advance,
                active: h.connection.status == "Active",
                last_bill: f.last_bill,
                extra: Box::new(RegisterExtra {
                    gender: h.owner.gender.clone(),
                    mobile: h.owner.mobile.clone(),
                    category: h.connection.category.clone().unwrap_or_default(),
                    sub_category: h.connection.sub_category.clone().unwrap_or_default(),
                    property_type: h.property.property_type.clone(),
                    connection_type: h.connection.connection_type.clone(),
                    meter: h.connection.meter_id.clone().unwrap_or_default(),
                    arrears: h.connection.arrears,
                    penalty: h.connection.penalty,
                    advance: h.connection.advance,
                    billed: f.billed,
                    collected: f.collected,
                    created: h.connection.created_at,
                }),
            }
        })
        .collect();
    Ok((rows, sel.tabs))
}

#[derive(Clone, Deserialize)]
struct RegisterQuery {
    #[serde(default)]
    tab: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    /// `1`: the column's order reversed (largest or latest first, Z to A).
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    page: Option<usize>,
}

/// A sortable column: its key in the query, its order, and the catalogue key of its header.
#[derive(Clone, Copy)]
struct SortKey {
    key: &'static str,
    by: super::Sort,
    label: &'static str,
}

const SORTS: [SortKey; 6] = [
    SortKey {
        key: "no",
        by: super::Sort::ConnectionNo,
        label: "CONSUMER_CONNECTION_ID",
    },
    SortKey {
        key: "old",
        by: super::Sort::OldConnectionNo,
        label: "CONSUMER_OLD_CONNECTION_ID",
    },
    SortKey {
        key: "name",
        by: super::Sort::Name,
        label: "CONSUMER_NAME",
    },
    SortKey {
        key: "pending",
        by: super::Sort::Pending,
        label: "PAYMENT_PENDING_AMOUNT",
    },
    SortKey {
        key: "advance",
        by: super::Sort::Advance,
        label: "CONSUMER_ADVANCE",
    },
    SortKey {
        key: "bill",
        by: super::Sort::LastBill,
        label: "WS_LAST_BILL_DATE",
    },
];

/// The tabs: (key in the query, filter, catalogue keys of the name and of what it holds).
const TABS: [(&str, Option<super::Tab>, &str, &str); 5] = [
    ("all", None, "WS_TAB_ALL", "WS_TAB_ALL_HINT"),
    (
        "pending",
        Some(super::Tab::Pending),
        "WS_TAB_PENDING",
        "WS_TAB_PENDING_HINT",
    ),
    (
        "paid",
        Some(super::Tab::Paid),
        "WS_TAB_PAID",
        "WS_TAB_PAID_HINT",
    ),
    (
        "unbilled",
        Some(super::Tab::NotBilled),
        "WS_TAB_NOT_BILLED",
        "WS_TAB_NOT_BILLED_HINT",
    ),
    (
        "inactive",
        Some(super::Tab::Inactive),
        "WS_TAB_INACTIVE",
        "WS_TAB_INACTIVE_HINT",
    ),
];

impl RegisterQuery {
    /// The tab asked for (All when unknown): its key and filter.
    fn tab(&self) -> (&'static str, Option<super::Tab>) {
        TABS.iter()
            .find(|t| t.0 == self.tab)
            .map_or(("all", None), |t| (t.0, t.1))
    }

    /// The column sorted on (the name when none or unknown) and whether it is reversed.
    fn order(&self) -> (SortKey, bool) {
        let key = SORTS
            .iter()
            .find(|s| s.key == self.sort)
            .copied()
            .unwrap_or(SORTS[2]);
        let desc = self
            .desc
            .as_deref()
            .is_some_and(|d| !d.is_empty() && d != "0");
        (key, desc)
    }

    /// The query of this view with the tab, text and order (no page), for links.
    fn link(&self, tab: &str, sort: &str, desc: bool) -> String {
        let mut s = format!("tab={tab}&q={}&sort={sort}", page::urlencode(&self.q));
        if desc {
            s.push_str("&desc=1");
        }
        s
    }
}

/// A tab as shown: its link, name with count, and whether it is the one shown.
struct TabLink {
    id: &'static str,
    href: String,
    label: String,
    current: bool,
}

/// A column header as shown: its link (the other direction when it is the sorted one; none for
/// a column that does not sort) and, when sorted, `ascending`/`descending` with its arrow.
struct SortHead {
    id: &'static str,
    label: String,
    href: String,
    aria: &'static str,
    arrow: &'static str,
}

#[derive(Template)]
#[template(path = "water/register.html")]
struct RegisterPage {
    p: PageCtx,
    as_of: String,
    tab: &'static str,
    tab_hint: String,
    tabs: Vec<TabLink>,
    heads: Vec<SortHead>,
    q: String,
    sort: &'static str,
    desc: bool,
    /// The query of this view (tab, text, order) for the pager and the exports.
    this: String,
    rows: Vec<RegisterRow>,
    page: usize,
    pages: usize,
    total_pending: String,
}

const REGISTER_PAGE: usize = 10;

/// The household register (product.md §2.3): tabs All / Pending / Paid / Not billed / Inactive
/// with counts, a text search, sortable columns both ways, ten rows a page, PDF and Excel of it.
async fn register(mut page: StaffPage, q: web::Query<RegisterQuery>) -> PageResult {
    let p = page.ctx()?;
    let (st, t) = (page.state.clone(), page.tenant.clone());
    let q = q.into_inner();
    let qq = q.clone();
    let (rows, counts) = db::run(&page.state.pool, move |c| {
        register_rows(c, ctx(&st), &t, &qq)
    })
    .await?;
    let total_pending = inr(rows.iter().map(|r| r.pending).sum());
    let pages = rows.len().div_ceil(REGISTER_PAGE).max(1);
    let page_no = q.page.unwrap_or(1).clamp(1, pages);
    let rows = rows
        .into_iter()
        .skip((page_no - 1) * REGISTER_PAGE)
        .take(REGISTER_PAGE)
        .collect();
    let (tab, _) = q.tab();
    let (sort, desc) = q.order();
    let count = |t: Option<super::Tab>| match t {
        None => counts.all(),
        Some(super::Tab::Pending) => counts.pending,
        Some(super::Tab::Paid) => counts.paid,
        Some(super::Tab::NotBilled) => counts.not_billed,
        Some(super::Tab::Inactive) => counts.inactive,
    };
    let tabs = TABS
        .iter()
        .map(|(key, filter, label, _)| TabLink {
            id: key,
            href: q.link(key, sort.key, desc),
            label: format!("{} ({})", p.t(label), count(*filter)),
            current: *key == tab,
        })
        .collect();
    let tab_hint = TABS
        .iter()
        .find(|t| t.0 == tab)
        .map(|t| p.t(t.3))
        .unwrap_or_default();
    let mut heads: Vec<SortHead> = SORTS
        .iter()
        .map(|s| {
            let sorted = s.key == sort.key;
            // The sorted column flips; another starts with its natural order (A to Z, smallest
            // or earliest first).
            let next_desc = sorted && !desc;
            SortHead {
                id: s.key,
                label: p.t(s.label),
                href: q.link(tab, s.key, next_desc),
                aria: match (sorted, desc) {
                    (false, _) => "",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
                arrow: match (sorted, desc) {
                    (false, _) => "",
                    (true, false) => "▲",
                    (true, true) => "▼",
                },
            }
        })
        .collect();
    // The two columns that do not sort, in their places.
    let plain = |label: &str| SortHead {
        id: "",
        label: p.t(label),
        href: String::new(),
        aria: "",
        arrow: "",
    };
    heads.insert(3, plain("CONSUMER_FATHER_SPOUSE_NAME"));
    heads.insert(6, plain("CORE_STATUS"));
    let shown = RegisterPage {
        as_of: ist_date(Utc::now()),
        tab,
        tab_hint,
        tabs,
        heads,
        this: q.link(tab, sort.key, desc),
        q: q.q.clone(),
        sort: sort.key,
        desc,
        rows,
        page: page_no,
        pages,
        total_pending,
        p,
    };
    page.render(StatusCode::OK, shown)
}

async fn register_pdf(mut page: StaffPage, q: web::Query<RegisterQuery>) -> PageResult {
    let p = page.ctx()?;
    let (st, t) = (page.state.clone(), page.tenant.clone());
    let q = q.into_inner();
    let (rows, _) = db::run(&page.state.pool, move |c| {
        register_rows(c, ctx(&st), &t, &q)
    })
    .await?;
    let mut doc = crate::pdf::Doc::new(p.locale);
    doc.title(&p.t("CORE_HOUSEHOLD_REGISTER"));
    doc.heading(&format!(
        "{} · {} {}",
        p.gp_name(),
        p.t("WS_AS_OF"),
        ist_date(Utc::now())
    ));
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!("{}{}", r.no, if r.metered { " (M)" } else { "" }),
                r.old_no.clone(),
                r.name.clone(),
                r.guardian.clone(),
                r.pending_s(),
                r.advance_s(),
                p.t(if r.active {
                    "CORE_ACTIVE"
                } else {
                    "CORE_INACTIVE"
                }),
                r.last_bill_s(),
            ]
        })
        .collect();
    doc.table(
        &[
            &p.t("CONSUMER_CONNECTION_ID"),
            &p.t("CONSUMER_OLD_CONNECTION_ID"),
            &p.t("CONSUMER_NAME"),
            &p.t("CONSUMER_FATHER_SPOUSE_NAME"),
            &p.t("PAYMENT_PENDING_AMOUNT"),
            &p.t("CONSUMER_ADVANCE"),
            &p.t("CORE_STATUS"),
            &p.t("WS_LAST_BILL_DATE"),
        ],
        &table,
    );
    let bytes = doc
        .finish()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("pdf: {e}")))?;
    let name = format!(
        "HH_Register_{}",
        Utc::now().with_timezone(&IST).format("%d-%m-%Y")
    );
    Ok(pdf_response(&name, bytes))
}

/// The register as an Excel workbook, with the full export's columns (product.md §2.3).
async fn register_xlsx(mut page: StaffPage, q: web::Query<RegisterQuery>) -> PageResult {
    use rust_xlsxwriter::{Format, Workbook};
    let p = page.ctx()?;
    let (st, t) = (page.state.clone(), page.tenant.clone());
    let q = q.into_inner();
    let (rows, _) = db::run(&page.state.pool, move |c| {
        register_rows(c, ctx(&st), &t, &q)
    })
    .await?;
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!("xlsx: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let headers = [
        p.t("CONSUMER_CONNECTION_ID"),
        p.t("CONSUMER_OLD_CONNECTION_ID"),
        p.t("CONSUMER_NAME"),
        p.t("CONSUMER_FATHER_SPOUSE_NAME"),
        p.t("CORE_GENDER"),
        p.t("CONSUMER_MOBILE_NUMBER"),
        p.t("CONSUMER_CATEGORY"),
        p.t("CONSUMER_SUB_CATEGORY"),
        p.t("CONSUMER_PROPERTY_TYPE"),
        p.t("CONSUMER_SERVICE_TYPE"),
        p.t("WS_METER_NUMBER"),
        p.t("CONSUMER_ARREARS"),
        p.t("CONSUMER_PENALTY"),
        p.t("CONSUMER_ADVANCE"),
        p.t("WS_TOTAL_BILLED"),
        p.t("WS_TOTAL_COLLECTED"),
        p.t("PAYMENT_PENDING_AMOUNT"),
        p.t("WS_ADVANCE_TODAY"),
        p.t("CORE_STATUS"),
        p.t("WS_LAST_BILL_DATE"),
        p.t("WS_CREATED_ON"),
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, u16::try_from(c).unwrap_or(0), h, &bold)
            .map_err(fail)?;
    }
    let num = |d: Decimal| d.to_string().parse::<f64>().unwrap_or(0.0);
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let e = &r.extra;
        let texts = [
            r.no.clone(),
            r.old_no.clone(),
            r.name.clone(),
            r.guardian.clone(),
            p.t(&format!("GENDER_{}", e.gender)),
            e.mobile.clone(),
            p.category_name(&e.category),
            p.category_name(&e.sub_category),
            p.t(&format!("PROPERTYTYPE_{}", e.property_type)),
            p.t(&format!(
                "CONNECTIONTYPE_{}",
                e.connection_type.to_uppercase()
            )),
            e.meter.clone(),
        ];
        for (c, v) in texts.iter().enumerate() {
            sheet
                .write_string(row, u16::try_from(c).unwrap_or(0), v)
                .map_err(fail)?;
        }
        for (c, v) in [
            e.arrears,
            e.penalty,
            e.advance,
            e.billed,
            e.collected,
            r.pending,
            r.advance,
        ]
        .into_iter()
        .enumerate()
        {
            sheet
                .write_number_with_format(row, u16::try_from(11 + c).unwrap_or(0), num(v), &money)
                .map_err(fail)?;
        }
        let status = p.t(if r.active {
            "CORE_ACTIVE"
        } else {
            "CORE_INACTIVE"
        });
        sheet.write_string(row, 18, &status).map_err(fail)?;
        sheet.write_string(row, 19, r.last_bill_s()).map_err(fail)?;
        sheet
            .write_string(row, 20, ist_date(e.created))
            .map_err(fail)?;
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    let name = format!(
        "HH_Register_{}",
        Utc::now().with_timezone(&IST).format("%d-%m-%Y")
    );
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(crate::http::disposition(
            "attachment",
            &format!("{name}.xlsx"),
        ))
        .body(bytes))
}
