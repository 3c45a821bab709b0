//! The jobs there are: name, schedule, whether the scheduler runs it by default, what it does.

use super::*;

/// Every job there is.
pub fn all() -> &'static [JobDef] {
    &[
        JobDef {
            name: "refresh-caches",
            schedule: "0 * * * * *",
            scheduled: true,
            about: "reload the role-action map and the message catalogue from the database",
            run: refresh_caches,
        },
        JobDef {
            name: "notifications",
            schedule: "30 * * * * *",
            scheduled: true,
            about: "deliver due SMS through the configured adapter (claims with a lease, retries with backoff, the [notification] policies), then queued e-mails over SMTP ([email])",
            run: notifications,
        },
        JobDef {
            name: "ledger-check",
            schedule: "0 30 2 * * *",
            scheduled: true,
            about: "check that bills match demands and every receipt is spread exactly (--tenant T for one GP)",
            run: ledger_check,
        },
        JobDef {
            name: "bulk-demand",
            // the 4th of the month, 09:00 IST, as the original; off unless configured (Punjab
            // generates demand by hand)
            schedule: "0 0 9 4 * *",
            scheduled: false,
            about: "flat-rate demand for one month (--period YYYY-MM, default last month) of every GP or one (--tenant T)",
            run: bulk_demand,
        },
        JobDef {
            name: "penalty",
            schedule: "0 30 1 * * *",
            scheduled: true,
            about: "add the late-payment penalty to demands past their grace, once each (GPs whose rate is above 0; --tenant T for one)",
            run: penalty,
        },
        JobDef {
            name: "filestore-sweep",
            schedule: "0 40 * * * *",
            scheduled: true,
            about: "write out files still kept in the database to filestore.dir, and remove files there that no record names (an hour old or more)",
            run: filestore_sweep,
        },
        JobDef {
            name: "expense-month-summary",
            // the `monthly` job of CronJobAPIConfig: the 4th, 09:00 IST
            schedule: "0 0 9 4 * *",
            scheduled: true,
            about: "SMS the previous month's collections and expenditure to each GP's office holders (MONTHLY_SUMMARY_EN_REMINDER; --tenant T for one)",
            run: expense_month_summary,
        },
        JobDef {
            name: "expense-new-expenditure",
            // `fortnightevening`: the 1st and the 15th, 18:00 IST
            schedule: "0 0 18 1,15 * *",
            scheduled: true,
            about: "remind each GP's expense staff to enter new expenditure bills (NEW_ENPENDITURE_EN_REMINDER; --tenant T for one)",
            run: expense_new_expenditure,
        },
        JobDef {
            name: "expense-mark-paid",
            schedule: "0 0 18 1,15 * *",
            scheduled: true,
            about: "tell each GP's expense staff how many bills await payment confirmation, where any do (MARK_PAID_BILL_EN_REMINDER; --tenant T for one)",
            run: expense_mark_paid,
        },
        JobDef {
            name: "pending-collection",
            // `fortnightevening`: the 1st and the 15th, 18:00 IST
            schedule: "0 0 18 1,15 * *",
            scheduled: true,
            about: "SMS each GP's admin and Sarpanch the financial year's pending water charges (PENDING_COLLECTION_EN_REMINDER; --tenant T for one)",
            run: pending_collection,
        },
        JobDef {
            name: "todays-collection",
            // `dailyevening`: 17:00 IST
            schedule: "0 0 17 * * *",
            scheduled: true,
            about: "SMS each GP's collectors the day's cash collections, where there were any (TODAY_COLLECTION_AS_CASH_SMS; --tenant T for one)",
            run: todays_collection,
        },
        JobDef {
            name: "generate-demand-reminder",
            // the 5th, 10:00 IST: after the automatic run (4th) and its retry (5th, 09:00)
            schedule: "0 0 10 5 * *",
            scheduled: true,
            about: "remind those who generate demand of GPs whose households have no demand for last month (--period YYYY-MM; GENERATE_DEMAND_EN_REMINDER; --tenant T for one)",
            run: generate_demand_reminder,
        },
        JobDef {
            name: "books-open",
            schedule: "0 30 1 * * *",
            scheduled: false,
            about: "open the GP's books from the ledger where the journal does not hold it yet (an installation upgraded from before the journal; every GP, or --tenant T): one OPENING_BALANCES entry a GP and service, nothing where the books agree",
            run: books_open,
        },
        JobDef {
            name: "bulk-demand-retry",
            // `failedbulkdemand`: the 5th, 09:00 IST; off unless configured, as bulk-demand
            schedule: "0 0 9 5 * *",
            scheduled: false,
            about: "run bulk demand again for the GPs whose run of the month failed (--period YYYY-MM, default last month; --tenant T for one)",
            run: bulk_demand_retry,
        },
        JobDef {
            name: "pg-reconcile",
            schedule: "0 */15 * * * *",
            scheduled: true,
            about: "ask the gateway about online payments still PENDING after pg.reconcile_after_minutes and settle them; expire those unconfirmed after pg.expire_after_minutes",
            run: pg_reconcile,
        },
        JobDef {
            name: "pg-reconcile-daily",
            schedule: "0 20 2 * * *",
            scheduled: true,
            about: "the daily pass of pg-reconcile (before the ledger check sees the day's receipts)",
            run: pg_reconcile,
        },
        JobDef {
            name: "pii-rotate",
            schedule: "0 15 3 * * *",
            scheduled: true,
            about: "re-encrypt personal data still sealed with an older key",
            run: pii_rotate,
        },
        JobDef {
            name: "rollout-dashboard",
            // daily, 05:00 IST (the original's cron job runs once a day)
            schedule: "0 0 5 * * *",
            scheduled: true,
            about: "refresh the roll-out dashboard: every GP's figures for each window, replaced in one transaction",
            run: rollout_dashboard,
        },
        JobDef {
            name: "state-view",
            schedule: "0 */5 * * * *",
            scheduled: true,
            about: "bring the division and state views' roll-up up to date: recompute the GPs whose demands, receipts, expenses or households changed since the last run (--period full: every GP)",
            run: state_view,
        },
        JobDef {
            name: "ifix-export",
            schedule: "0 10 * * * *",
            scheduled: true,
            about: "turn new water demands, expense bills, water receipts and expense payments into iFIX fiscal events and push them ([ifix] adapter)",
            run: ifix_export,
        },
    ]
}
