//! The expense reminders of product.md §5.3 (the original's `_schedulermonthsummary`,
//! `_schedulernewexpenditure` and `_schedulermarkexpensebill`), one GP at a time: each queues an
//! SMS in the notification outbox to every person holding the roles it names on the GP, in the
//! person's language (else the state's), with the event's code as the template, and raises the
//! in-app event of the same code (egov-user-event) for the same people, with its link into the
//! app. They are scheduled and run by hand through `crate::jobs`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::reports;
use crate::error::AppResult;
use crate::platform::encryption::Crypto;
use crate::platform::localization::{Catalog, Locale};
use crate::platform::notification::{self, Recipient, ToEach};
use crate::platform::user::service::holders;
use crate::platform::userevent::service::{self as events, NewEvent};

pub const MONTHLY_SUMMARY: &str = "MONTHLY_SUMMARY_EN_REMINDER";
pub const NEW_EXPENDITURE: &str = "NEW_ENPENDITURE_EN_REMINDER";
pub const MARK_PAID_BILL: &str = "MARK_PAID_BILL_EN_REMINDER";

/// Who gets the monthly summary, and who the two expense reminders.
pub const SUMMARY_ROLES: &[&str] = &["GP_ADMIN", "SARPANCH", "EXPENSE_PROCESSING", "SECRETARY"];
pub const EXPENSE_ROLES: &[&str] = &["EXPENSE_PROCESSING", "SECRETARY"];

/// The in-app event beside a reminder's SMS: the card's title key, the page it leads to, and the
/// values of its text's placeholders (the text's key is the reminder's template).
pub struct Card<'a> {
    pub name: &'a str,
    pub link: &'a str,
    pub args: Vec<(&'a str, String)>,
}

/// What a reminder run needs besides the connection.
pub struct Env<'a> {
    pub crypto: &'a Crypto,
    pub i18n: &'a Catalog,
    /// The public address of this server, for the links in the messages.
    pub base_url: &'a str,
    pub now: DateTime<Utc>,
}

impl Env<'_> {
    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }

    /// Queues `template`'s message (`text_key` filled in with `args`, what `localized` gives in
    /// the person's language, the GP's name and the person's) to every holder of `roles` on
    /// `tenant`; the number queued.
    #[expect(
        clippy::too_many_arguments,
        reason = "the message, its recipients and its fields"
    )]
    fn send(
        &self,
        conn: &mut PgConnection,
        tenant: &str,
        roles: &[&str],
        template: &str,
        text_key: &str,
        args: &[(&str, &str)],
        localized: &dyn Fn(Locale) -> Vec<(&'static str, String)>,
        card: &Card<'_>,
    ) -> AppResult<usize> {
        let people = holders(conn, self.crypto, tenant, roles)?;
        let users: Vec<uuid::Uuid> = people.iter().map(|u| u.uuid).collect();
        let locale = self.i18n.default_locale();
        let gp = self.i18n.place_name(locale, tenant);
        let mut all: Vec<(&str, &str)> = vec![("GPWSC", &gp)];
        all.extend(card.args.iter().map(|(k, v)| (*k, v.as_str())));
        events::raise(
            conn,
            &NewEvent {
                tenant_id: tenant,
                name: card.name,
                localization_code: template,
                args: &card.args,
                description: self.i18n.format(locale, template, &all),
                action_url: Some(card.link),
                to_users: &users,
                to_roles: &[],
                posted_by: "SYSTEM-CHALLAN",
                now: self.now,
            },
        )?;
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
            name_arg: "user",
        };
        let fields = |l| {
            args.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .chain(localized(l).into_iter().map(|(k, v)| (k.to_owned(), v)))
                .collect()
        };
        notification::sms_each(conn, self.crypto, self.i18n, &sms, &to, &fields, self.now)
    }
}

/// The previous month's water collections and expenditure (bills paid then), to the GP's
/// office holders (`MONTHLY_SUMMARY_EN_REMINDER`, text `mGram.GPUser.PreviousMonthSummary`).
pub fn month_summary(conn: &mut PgConnection, env: &Env<'_>, tenant: &str) -> AppResult<usize> {
    let s = reports::last_month(conn, tenant, env.now)?;
    let (from, to) = (
        crate::time::month_start_at(s.month),
        crate::time::month_end_at(s.month),
    );
    let water = crate::business::collection::service::collected_between(
        conn,
        tenant,
        crate::municipal::water::service::SERVICE,
        from,
        to,
    )?;
    let month = |l: Locale| {
        use chrono::Datelike as _;
        let name = env.i18n.text(l, &format!("MONTH_{}", s.month.month()));
        vec![("PREVIOUS_MONTH", format!("{name} {}", s.month.year()))]
    };
    let (water, spent) = (reports::wire_amount(water), reports::wire_amount(s.paid));
    let link = env.link("/home/reports");
    let card = Card {
        name: "MONTHLY_SUMMARY",
        link: "/home/reports",
        args: vec![
            ("PREVIOUS_MONTH_COLLECTION", water.clone()),
            ("PREVIOUS_MONTH_EXPENSE", spent.clone()),
            ("PREVIOUS_MONTH", s.month.format("%m/%Y").to_string()),
        ],
    };
    let sent = env.send(
        conn,
        tenant,
        SUMMARY_ROLES,
        MONTHLY_SUMMARY,
        "mGram.GPUser.PreviousMonthSummary",
        &[
            ("PREVIOUS_MONTH_COLLECTION", &water),
            ("PREVIOUS_MONTH_EXPENSE", &spent),
            ("LINK", &link),
        ],
        &month,
        &card,
    )?;
    // and to the GP's own e-mail address (tenant master `email_id`), in the state's language
    let gp_email = crate::platform::mdms::repo::tenant(conn, tenant)?.and_then(|t| t.email_id);
    if let Some(to) = gp_email {
        let l = env.i18n.default_locale();
        let month = month(l)
            .into_iter()
            .map(|(_, v)| v)
            .next()
            .unwrap_or_default();
        notification::email::enqueue(
            conn,
            env.crypto,
            &notification::email::Mail {
                tenant_id: tenant,
                to: &to,
                kind: notification::email::Kind::MonthSummary,
                locale: Some(l),
                values: vec![
                    ("GPWSC", env.i18n.place_name(l, tenant)),
                    ("MONTH", month),
                    ("COLLECTED", water),
                    ("SPENT", spent),
                    ("LINK_PATH", "/home/reports".to_owned()),
                ],
            },
            env.now,
        )?;
    }
    Ok(sent)
}

/// "Please enter new expenditure bills" (`NEW_ENPENDITURE_EN_REMINDER`, text
/// `mGram.GPUser.EnterExpense`), to the GP's expense staff.
pub fn new_expenditure(conn: &mut PgConnection, env: &Env<'_>, tenant: &str) -> AppResult<usize> {
    let link = env.link("/home/addExpense");
    env.send(
        conn,
        tenant,
        EXPENSE_ROLES,
        NEW_EXPENDITURE,
        "mGram.GPUser.EnterExpense",
        &[("NEW_EXP_LINK", &link)],
        &|_| Vec::new(),
        &Card {
            name: "NEW_EXPENSE_ENTRY",
            link: "/home/addExpense",
            args: Vec::new(),
        },
    )
}

/// "{N} expenditure bills are awaiting payment confirmation" (`MARK_PAID_BILL_EN_REMINDER`; the
/// SMS text `MARK_PAID_BILL_SMS_EN_REMINDER`), to the GP's expense staff, only when the GP has
/// unpaid bills.
pub fn mark_paid_bills(conn: &mut PgConnection, env: &Env<'_>, tenant: &str) -> AppResult<usize> {
    let unpaid = reports::unpaid_count(conn, tenant)?;
    if unpaid == 0 {
        return Ok(0);
    }
    let (count, link) = (unpaid.to_string(), env.link("/home/searchExpense"));
    env.send(
        conn,
        tenant,
        EXPENSE_ROLES,
        MARK_PAID_BILL,
        "MARK_PAID_BILL_SMS_EN_REMINDER",
        &[("BILL_COUNT_AWAIT", &count), ("EXP_MRK_LINK", &link)],
        &|_| Vec::new(),
        &Card {
            name: "EXPENSE_PAYMENT",
            link: "/home/searchExpense",
            args: vec![("BILL_COUNT_AWAIT", count.clone())],
        },
    )
}
