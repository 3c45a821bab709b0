//! The water side's scheduled reminders of product.md §5.1–5.3 (the original's ws-services
//! `_schedulerpendingcollection`, `_schedulerTodaysCollection` and `_schedulergeneratedemand`),
//! one GP at a time in the caller's transaction: each queues an SMS in the notification outbox to
//! every person holding the roles it names on the GP (in the person's language, else the
//! state's) and raises the in-app event (egov-user-event) for the same people, with its link
//! into the app. Scheduled and run by hand through `crate::jobs`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::service::SERVICE;
use crate::error::AppResult;
use crate::platform::encryption::Crypto;
use crate::platform::localization::Catalog;
use crate::platform::notification::{self, Recipient, ToEach};
use crate::platform::user::service::holders;
use crate::platform::userevent::service::{self as events, NewEvent};
use crate::time::{Fy, IST, month_start_at};

pub const PENDING_COLLECTION: &str = "PENDING_COLLECTION_EN_REMINDER";
pub const TODAY_CASH: &str = "TODAY_COLLECTION_AS_CASH_SMS";
pub const GENERATE_DEMAND: &str = "GENERATE_DEMAND_EN_REMINDER";

/// The SMS texts (and outbox templates) of the first two.
pub const PENDING_COLLECTION_SMS: &str = "mGram.GPUser.CollectionReminder";
pub const TODAY_CASH_SMS: &str = "TODAY_COLLECTION_FROM_CASH";

/// Who hears of the GP's pending collection, of the day's cash, and of a demand to generate
/// (the roles of the Generate Demand screen).
pub const OFFICE_ROLES: &[&str] = &["GP_ADMIN", "SARPANCH"];
pub const COUNTER_ROLES: &[&str] = &["COLLECTION_OPERATOR", "REVENUE_COLLECTOR"];
pub const DEMAND_ROLES: &[&str] = &["BULK_DEMAND_PROCESSING", "SARPANCH", "SECRETARY"];

/// The pages the cards lead to.
pub const PENDING_LINK: &str = "/home/householdRegister?tab=pending";
pub const TODAY_LINK: &str = "/home/collect/history";
pub const DEMAND_LINK: &str = "/home/billmanualgenerate";

const POSTED_BY: &str = "SYSTEM-WS";

/// What a reminder run needs besides the connection.
pub struct Env<'a> {
    pub crypto: &'a Crypto,
    pub i18n: &'a Catalog,
    /// The public address of this server, for the links in the messages.
    pub base_url: &'a str,
    pub now: DateTime<Utc>,
}

/// An amount as the messages write it after "Rs.": rupees, paise only when there are any.
pub fn plain(d: Decimal) -> String {
    d.round_dp(2).normalize().to_string()
}

/// One reminder: an SMS (template, text key) and an event (card title, text key, link), both
/// with `args` (and the GP's name as `GPWSC`, the person's as `ownername`).
struct Reminder<'a> {
    roles: &'a [&'a str],
    sms: Option<(&'a str, &'a str)>,
    name: &'a str,
    code: &'a str,
    link: &'a str,
    /// The link's placeholder in the SMS text.
    link_arg: Option<&'a str>,
    args: Vec<(&'a str, String)>,
}

impl Env<'_> {
    /// Queues the SMS to every holder with a mobile number and raises the event for every
    /// holder; the number of SMS queued.
    fn send(&self, conn: &mut PgConnection, tenant: &str, r: &Reminder<'_>) -> AppResult<usize> {
        let people = holders(conn, self.crypto, tenant, r.roles)?;
        let link = format!("{}{}", self.base_url.trim_end_matches('/'), r.link);
        let n = match r.sms {
            Some((template, text_key)) => {
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
                    template,
                    text_key,
                    name_arg: "ownername",
                };
                let fields = |_| {
                    r.link_arg
                        .map(|k| (k.to_owned(), link.clone()))
                        .into_iter()
                        .chain(r.args.iter().map(|(k, v)| ((*k).to_owned(), v.clone())))
                        .collect()
                };
                notification::sms_each(conn, self.crypto, self.i18n, &sms, &to, &fields, self.now)?
            }
            None => 0,
        };
        let users: Vec<uuid::Uuid> = people.iter().map(|u| u.uuid).collect();
        let locale = self.i18n.default_locale();
        let gp = self.i18n.place_name(locale, tenant);
        let mut all: Vec<(&str, &str)> = vec![("GPWSC", &gp)];
        all.extend(r.args.iter().map(|(k, v)| (*k, v.as_str())));
        events::raise(
            conn,
            &NewEvent {
                tenant_id: tenant,
                name: r.name,
                localization_code: r.code,
                args: &r.args,
                description: self.i18n.format(locale, r.code, &all),
                action_url: Some(r.link),
                to_users: &users,
                to_roles: &[],
                posted_by: POSTED_BY,
                now: self.now,
            },
        )?;
        Ok(n)
    }

    fn today(&self) -> NaiveDate {
        self.now.with_timezone(&IST).date_naive()
    }
}

/// The financial year's pending water charges (what its demands still ask), to the GP's admin
/// and Sarpanch (`mGram.GPUser.CollectionReminder`, event `PENDING_COLLECTION_EN_REMINDER`).
/// Answers the SMS queued and the amount.
pub fn pending_collection(
    conn: &mut PgConnection,
    env: &Env<'_>,
    tenant: &str,
) -> AppResult<(usize, Decimal)> {
    let fy = Fy::of(env.now);
    let from = month_start_at(fy.first_day());
    let to = DateTime::from_timestamp_millis(fy.end_millis()).unwrap_or(env.now);
    let pending =
        crate::business::billing::service::pending_for_periods(conn, tenant, SERVICE, from, to)?;
    let date = env.today().format("%d/%m/%Y").to_string();
    let n = env.send(
        conn,
        tenant,
        &Reminder {
            roles: OFFICE_ROLES,
            sms: Some((PENDING_COLLECTION_SMS, PENDING_COLLECTION_SMS)),
            name: "PENDING_COLLECTION_USEREVENT",
            code: PENDING_COLLECTION,
            link: PENDING_LINK,
            link_arg: Some("PENDING_COL_LINK"),
            args: vec![
                ("amount", plain(pending)),
                ("PENDING_COLLECTION", plain(pending)),
                ("Date", date.clone()),
                ("TODAY_DATE", date),
            ],
        },
    )?;
    Ok((n, pending))
}

/// The day's cash collections of water charges ("Rs. P collected today (date) from N consumers
/// in Cash"), to the GP's collectors, only on days with some (`TODAY_COLLECTION_FROM_CASH`,
/// event `TODAY_COLLECTION_AS_CASH_SMS`). Answers the SMS queued, P and N.
pub fn todays_collection(
    conn: &mut PgConnection,
    env: &Env<'_>,
    tenant: &str,
) -> AppResult<(usize, Decimal, i64)> {
    let day = env.today();
    let start = |d: NaiveDate| {
        DateTime::from_timestamp_millis(crate::time::ist_day_start_millis(d)).unwrap_or(env.now)
    };
    let from = start(day);
    let to = start(day + chrono::Duration::days(1)) - chrono::Duration::milliseconds(1);
    let (amount, consumers) =
        crate::business::collection::service::cash_between(conn, tenant, SERVICE, from, to)?;
    if consumers == 0 {
        return Ok((0, amount, 0));
    }
    let n = env.send(
        conn,
        tenant,
        &Reminder {
            roles: COUNTER_ROLES,
            sms: Some((TODAY_CASH_SMS, TODAY_CASH_SMS)),
            name: "TODAY_COLLECTION",
            code: TODAY_CASH,
            link: TODAY_LINK,
            link_arg: None,
            args: vec![
                ("amount", plain(amount)),
                ("count", consumers.to_string()),
                ("date", day.format("%d/%m/%Y").to_string()),
            ],
        },
    )?;
    Ok((n, amount, consumers))
}

/// "The demand for billing cycle M has not been generated": to the people who generate demand,
/// when the GP has flat-rate households and none is billed for `month` (the new cycle's
/// reminder), or always when `failed` (the automatic run failed). No SMS: an in-app event
/// (`GENERATE_DEMAND_EN_REMINDER`). Answers the events raised (0 or 1).
pub fn generate_demand(
    conn: &mut PgConnection,
    env: &Env<'_>,
    tenant: &str,
    month: NaiveDate,
    failed: bool,
) -> AppResult<usize> {
    if !failed {
        let (from, to) = (month_start_at(month), crate::time::month_end_at(month));
        let households = super::service::flat_households(conn, tenant, from)?;
        if households.is_empty()
            || crate::business::billing::service::any_demand_ending_between(
                conn, tenant, SERVICE, from, to,
            )?
        {
            return Ok(0);
        }
    }
    let people = holders(conn, env.crypto, tenant, DEMAND_ROLES)?;
    if people.is_empty() {
        return Ok(0);
    }
    env.send(
        conn,
        tenant,
        &Reminder {
            roles: DEMAND_ROLES,
            sms: None,
            name: "MONTHLY_DEMAND_FAILED",
            code: GENERATE_DEMAND,
            link: DEMAND_LINK,
            link_arg: None,
            args: vec![("BILLING_CYCLE", month.format("%m/%Y").to_string())],
        },
    )?;
    Ok(1)
}
