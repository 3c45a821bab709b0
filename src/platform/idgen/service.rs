//! Format parsing and sequence allocation.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use rand::RngExt as _;

use crate::error::{AppError, AppResult};
use crate::platform::mdms;
use crate::time::{Fy, IST, format_java};

/// Sequence numbers are zero-padded to this many digits (`WS/400/2021-22/0018`).
pub const SEQ_WIDTH: usize = 4;
/// Most ids one request may take at once.
pub const MAX_COUNT: i64 = 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Lit(String),
    Seq(String),
    Fy(String),
    Cy(String),
    City,
    Random(usize),
}

fn substitute_tenant(format: &str, tenant: &str) -> String {
    format
        .replace("[tenantid]", tenant)
        .replace("[tenant_id]", &tenant.replace('.', "_"))
        .replace("[TENANT_ID]", &tenant.replace('.', "_").to_uppercase())
}

fn tokens(format: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = format;
    while let Some(start) = rest.find('[') {
        if start > 0 {
            out.push(Token::Lit(rest[..start].to_owned()));
        }
        let after = &rest[start + 1..];
        let end = after
            .find(']')
            .ok_or_else(|| format!("unclosed '[' in {format:?}"))?;
        let inner = &after[..end];
        let lower = inner.to_ascii_lowercase();
        let tok = if lower.starts_with("seq") {
            if inner.contains('[') {
                return Err(format!("nested bracket in {inner:?}"));
            }
            Token::Seq(inner.to_ascii_uppercase())
        } else if let Some(p) = lower.strip_prefix("fy:") {
            let p = p.trim();
            let ok = matches!(p, "yyyy-yy" | "yy-yy" | "yyyy-yyyy" | "yyyy" | "yy");
            if !ok {
                return Err(format!(
                    "financial-year pattern {p:?} is not yyyy-yy, yy-yy or yyyy-yyyy"
                ));
            }
            Token::Fy(p.to_owned())
        } else if lower.starts_with("cy:") {
            let p = inner[3..].trim().to_owned();
            if format_java(Utc::now(), &p).is_none() {
                return Err(format!(
                    "date pattern {p:?} uses letters other than y M d H m s"
                ));
            }
            Token::Cy(p)
        } else if lower == "city.code" || lower == "city" {
            Token::City
        } else if let Some(n) = lower.strip_prefix("d{").and_then(|r| r.strip_suffix('}')) {
            let n: usize = n
                .parse()
                .map_err(|_| format!("random width {n:?} is not a number"))?;
            if n == 0 || n > 12 {
                return Err(format!("random width {n} must be 1 to 12"));
            }
            Token::Random(n)
        } else {
            return Err(format!("unknown placeholder [{inner}]"));
        };
        out.push(tok);
        rest = &after[end + 1..];
    }
    if rest.contains(']') {
        return Err(format!("stray ']' in {format:?}"));
    }
    if !rest.is_empty() {
        out.push(Token::Lit(rest.to_owned()));
    }
    Ok(out)
}

/// Checks a format from the master or a request (with a placeholder tenant).
pub fn check_format(format: &str) -> Result<(), String> {
    if format.trim().is_empty() {
        return Err("the format is empty".to_owned());
    }
    tokens(&substitute_tenant(format, "pb.check")).map(|_| ())
}

fn fy_text(fy: Fy, pattern: &str) -> String {
    let yy = |y: i32| format!("{:02}", y.rem_euclid(100));
    match pattern {
        "yy-yy" => format!("{}-{}", yy(fy.0), yy(fy.0 + 1)),
        "yyyy-yyyy" => format!("{}-{}", fy.0, fy.0 + 1),
        "yyyy" => fy.0.to_string(),
        "yy" => yy(fy.0),
        _ => fy.label(),
    }
}

/// One request for ids.
#[derive(Clone, Debug)]
pub struct IdRequest {
    pub tenant_id: String,
    pub id_name: Option<String>,
    pub format: Option<String>,
    pub count: i64,
}

#[derive(QueryableByName)]
struct Allocated {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

/// Advances a sequence by `count`; returns the first number of the block.
fn allocate(conn: &mut PgConnection, tenant: &str, name: &str, count: i64) -> QueryResult<i64> {
    let row: Allocated = diesel::sql_query(
        "INSERT INTO idgen_sequence (tenant_id, name, value) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id, name) DO UPDATE SET value = idgen_sequence.value + EXCLUDED.value \
         RETURNING value",
    )
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(name)
    .bind::<BigInt, _>(count)
    .get_result(conn)?;
    Ok(row.value - count + 1)
}

/// Generates `req.count` ids in the caller's transaction. `field` names the request in errors.
pub fn generate(
    conn: &mut PgConnection,
    state_tenant: &str,
    req: &IdRequest,
    now: DateTime<Utc>,
    field: &str,
) -> AppResult<Vec<String>> {
    if !(1..=MAX_COUNT).contains(&req.count) {
        return Err(AppError::invalid_field(
            "INVALID_COUNT",
            format!("count must be 1 to {MAX_COUNT}"),
            &format!("{field}.count"),
        ));
    }
    let scope = mdms::scope(
        conn,
        state_tenant,
        &req.tenant_id,
        &format!("{field}.tenantId"),
    )?;
    let from_master = match req.id_name.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(name) => mdms::repo::id_format(conn, name.trim())?,
        None => None,
    };
    let format = from_master
        .or_else(|| req.format.clone().filter(|f| !f.trim().is_empty()))
        .ok_or_else(|| {
            AppError::invalid_field(
                "ID_NOT_FOUND",
                "No format is available in the master data for the given idName, and none was sent",
                &format!("{field}.idName"),
            )
        })?;
    let toks = tokens(&substitute_tenant(&format, &req.tenant_id))
        .map_err(|e| AppError::invalid_field("InvalidIDFormat", e, &format!("{field}.format")))?;

    // One block per distinct sequence in the format.
    let mut blocks: Vec<(String, i64)> = Vec::new();
    for t in &toks {
        if let Token::Seq(name) = t
            && !blocks.iter().any(|(n, _)| n == name)
        {
            let first = allocate(conn, &req.tenant_id, name, req.count)?;
            blocks.push((name.clone(), first));
        }
    }
    let fy = Fy::of(now);
    let mut rng = rand::rng();
    let mut ids = Vec::with_capacity(usize::try_from(req.count).unwrap_or(0));
    for k in 0..req.count {
        let mut id = String::new();
        for t in &toks {
            match t {
                Token::Lit(s) => id.push_str(s),
                Token::Seq(name) => {
                    let first = blocks
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, f)| *f)
                        .unwrap_or(1);
                    id.push_str(&format!("{:0width$}", first + k, width = SEQ_WIDTH));
                }
                Token::Fy(p) => id.push_str(&fy_text(fy, p)),
                Token::Cy(p) => id.push_str(&format_java(now, p).unwrap_or_default()),
                Token::City => id.push_str(&scope.tenant.city_code),
                Token::Random(n) => {
                    for _ in 0..*n {
                        let d: u8 = rng.random_range(0..10);
                        id.push(char::from(b'0' + d));
                    }
                }
            }
        }
        ids.push(id);
    }
    let _ = IST;
    Ok(ids)
}

/// The next id of a named format for a tenant: what other modules call inside their transaction.
pub fn next_id(
    conn: &mut PgConnection,
    state_tenant: &str,
    tenant_id: &str,
    id_name: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let req = IdRequest {
        tenant_id: tenant_id.to_owned(),
        id_name: Some(id_name.to_owned()),
        format: None,
        count: 1,
    };
    let mut ids = generate(conn, state_tenant, &req, now, "idRequest")?;
    ids.pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("idgen returned no id")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_of_the_master_parse() {
        for f in [
            "WS/[CITY.CODE]/[fy:yyyy-yy]/[SEQ_WS_CON_ID_[TENANT_ID]]",
            "EB-[fy:yyyy-yy]-[SEQ_EG_ECHALLAN_EXPENSE_[TENANT_ID]]",
            "PB_PG_[cy:yyyy_MM_dd]_[SEQ_EG_PG_TXN]_[d{2}]",
            "PB-PT-[cy:yyyy-MM-dd]-[SEQ_EG_PT_PTID_[TENANT_ID]]",
            "BILLNO-MODULE-[SEQ_EGBS_BILLNUMBER_[TENANT_ID]]",
        ] {
            assert_eq!(check_format(f), Ok(()), "{f}");
        }
    }

    #[test]
    fn bad_formats_are_refused() {
        for f in [
            "",
            "X-[SEQ",
            "X-[fy:MM]",
            "X-[foo]",
            "X]",
            "X-[d{0}]",
            "X-[cy:QQ]",
        ] {
            assert!(check_format(f).is_err(), "{f}");
        }
    }

    #[test]
    fn tenant_is_substituted_into_sequence_names() {
        let t = tokens(&substitute_tenant(
            "WS/[SEQ_WS_CON_ID_[TENANT_ID]]",
            "pb.lodhipur",
        ))
        .unwrap_or_default();
        assert_eq!(t[1], Token::Seq("SEQ_WS_CON_ID_PB_LODHIPUR".into()));
    }

    #[test]
    fn financial_year_texts() {
        assert_eq!(fy_text(Fy(2026), "yyyy-yy"), "2026-27");
        assert_eq!(fy_text(Fy(2026), "yy-yy"), "26-27");
        assert_eq!(fy_text(Fy(2099), "yyyy-yyyy"), "2099-2100");
    }
}
