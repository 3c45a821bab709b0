//! The GP staff's SMS of a bulk demand run (product.md §5.1 `mGram.GP.MonthlyDemandGenerated`):
//! every collector of the GP (COLLECTION_OPERATOR, REVENUE_COLLECTOR) learns that the month's
//! demand is generated, in their language, with a short link to the collection screen. Queued
//! in the run's transaction, so a failed run tells no one.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;

use crate::error::AppResult;
use crate::municipal::water::citizen::links;
use crate::platform::localization::Locale;
use crate::platform::notification::{self, Sms};
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
    let mut n = 0;
    for u in people {
        let Some(mobile) = u.mobile_number.as_deref() else {
            continue;
        };
        let l = u
            .locale
            .as_deref()
            .and_then(Locale::parse)
            .unwrap_or_else(|| st.i18n.default_locale());
        let cycle = links::period_label(st, l, month_start_at(month), month_end_at(month));
        let text = st.i18n.format(
            l,
            DEMAND_GENERATED,
            &[
                ("ownername", &u.name),
                ("billingcycle", &cycle),
                ("villagename", &st.i18n.place_name(l, tenant)),
                ("LINK", &link),
            ],
        );
        notification::enqueue_sms(
            conn,
            &st.crypto,
            &Sms {
                tenant_id: tenant,
                mobile,
                template: DEMAND_GENERATED,
                text,
            },
            now,
        )?;
        n += 1;
    }
    Ok(n)
}
