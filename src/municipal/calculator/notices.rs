//! The GP staff's SMS of a bulk demand run (product.md §5.1 `mGram.GP.MonthlyDemandGenerated`):
//! every collector of the GP (COLLECTION_OPERATOR, REVENUE_COLLECTOR) learns that the month's
//! demand is generated, in their language, with a short link to the collection screen. Queued
//! in the run's transaction, so a failed run tells no one.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;

use crate::error::AppResult;
use crate::municipal::water::citizen::links;
use crate::platform::notification::{self, Recipient, ToEach};
use crate::platform::user::service::holders;
use crate::state::AppState;
use crate::time::{month_end_at, month_start_at};

pub const DEMAND_GENERATED: &str = "mGram.GP.MonthlyDemandGenerated";
pub const COLLECTOR_ROLES: &[&str] = &["COLLECTION_OPERATOR", "REVENUE_COLLECTOR"];

/// Queues the message to each collector of `tenant` with a mobile number; how many.
pub fn demand_generated(
    conn: &mut PgConnection,
    st: &AppState,
    tenant: &str,
    month: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let people = holders(conn, &st.crypto, tenant, COLLECTOR_ROLES)?;
    if people.is_empty() {
        return Ok(0);
    }
    let link = links::short(conn, st, "/home/collect", now)?;
    let to: Vec<Recipient<'_>> = people
        .iter()
        .map(|u| Recipient {
            name: &u.name,
            mobile: u.mobile_number.as_deref(),
            locale: u.locale.as_deref(),
        })
        .collect();
    let sms = ToEach {
        tenant,
        template: DEMAND_GENERATED,
        text_key: DEMAND_GENERATED,
        name_arg: "ownername",
    };
    let args = |l| {
        let cycle = links::period_label(st, l, month_start_at(month), month_end_at(month));
        vec![
            ("billingcycle".to_owned(), cycle),
            ("villagename".to_owned(), st.i18n.place_name(l, tenant)),
            ("LINK".to_owned(), link.clone()),
        ]
    };
    notification::sms_each(conn, &st.crypto, &st.i18n, &sms, &to, &args, now)
}
