//! The outbox's delivery worker: claims with SKIP LOCKED and a lease (two workers, a killed
//! worker), the `record` adapter's RECORDED, and the policies applied at delivery, with numbers.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, TimeZone as _, Utc};
use mgramseva::config::NotificationSettings;
use mgramseva::platform::notification::{
    self as n, Accepted, Delivered, Outbox, Outgoing, Record, Refusal, SmsAdapter,
};

use crate::helpers::TestApp;
use crate::notify_sms_http::{GP, SmsDouble, notify_settings, queue, row};

fn run(
    app: &TestApp,
    adapter: &dyn SmsAdapter,
    s: &NotificationSettings,
    batch: i64,
    now: DateTime<Utc>,
) -> Delivered {
    n::deliver(
        &mut app.db.conn(),
        &Outbox {
            crypto: &app.state.crypto,
            adapter,
            settings: s,
        },
        batch,
        now,
    )
    .unwrap()
}

fn statuses(app: &TestApp, ids: &[i64]) -> Vec<String> {
    ids.iter().map(|id| row(app, *id).status).collect()
}

fn ist(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    mgramseva::time::IST
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn the_record_adapter_says_recorded_not_sent() {
    let app = TestApp::new();
    let id = queue(&app, GP, "RESET_PASSWORD_OTP", "9815000001", "x");
    let d = run(&app, &Record, &notify_settings(&app), 10, Utc::now());
    assert_eq!((d.recorded, d.sent), (1, 0));
    let r = row(&app, id);
    assert_eq!((r.status.as_str(), r.attempts), ("RECORDED", 1));
    let q = n::messages_to(&mut app.db.conn(), &app.state.crypto, "9815000001", 1).unwrap();
    assert_eq!(q[0].status, "RECORDED");
}

#[test]
fn two_workers_at_once_send_each_message_exactly_once() {
    let app = TestApp::new();
    let d = SmsDouble::start();
    // Each answer takes a little while, so the two workers overlap.
    d.fallback(crate::notify_sms_http::Answer::Slow(5));
    let s = notify_settings(&app);
    let ids: Vec<i64> = (0..40)
        .map(|i| {
            queue(
                &app,
                GP,
                "RESET_PASSWORD_OTP",
                &format!("98150001{i:02}"),
                "otp",
            )
        })
        .collect();
    let adapter = d.adapter("GET", 5_000);
    let now = Utc::now();
    let (a, b) = std::thread::scope(|sc| {
        let w1 = sc.spawn(|| run(&app, &adapter, &s, 100, now));
        let w2 = sc.spawn(|| run(&app, &adapter, &s, 100, now));
        (w1.join().unwrap(), w2.join().unwrap())
    });
    assert_eq!(a.sent + b.sent, 40, "{a:?} {b:?}");
    assert_eq!(d.requests(), 40);
    let mut distinct = d.accepted_mobiles();
    distinct.dedup();
    assert_eq!(distinct.len(), 40);
    assert!(statuses(&app, &ids).iter().all(|s| s == "SENT"));
}

/// An adapter whose process "dies" (the thread panics) before its third message.
struct DiesBeforeThird<'a> {
    inner: &'a dyn SmsAdapter,
    calls: AtomicUsize,
}

impl SmsAdapter for DiesBeforeThird<'_> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn needs_dlt_template(&self) -> bool {
        self.inner.needs_dlt_template()
    }
    fn send(&self, sms: &Outgoing<'_>) -> Result<Accepted, Refusal> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 2 {
            panic!("worker killed");
        }
        self.inner.send(sms)
    }
}

#[test]
fn a_worker_killed_after_two_of_five_resumes_and_sends_exactly_the_other_three() {
    let app = TestApp::new();
    let d = SmsDouble::start();
    let s = notify_settings(&app);
    let ids: Vec<i64> = (0..5)
        .map(|i| {
            queue(
                &app,
                GP,
                "RESET_PASSWORD_OTP",
                &format!("981500020{i}"),
                "otp",
            )
        })
        .collect();
    let http = d.adapter("GET", 5_000);
    let now = Utc::now();
    let killed = std::thread::scope(|sc| {
        sc.spawn(|| {
            let dying = DiesBeforeThird {
                inner: &http,
                calls: AtomicUsize::new(0),
            };
            run(&app, &dying, &s, 100, now)
        })
        .join()
    });
    assert!(killed.is_err(), "the worker should have died");
    assert_eq!(d.requests(), 2);
    assert_eq!(
        statuses(&app, &ids),
        ["SENT", "SENT", "SENDING", "SENDING", "SENDING"]
    );
    // A restart within the lease leaves the claimed ones alone (their worker may be alive).
    assert_eq!(run(&app, &http, &s, 100, now).handled(), 0);
    // After the lease: exactly the other three.
    let later = now + chrono::Duration::seconds(s.lease_seconds + 1);
    let resumed = run(&app, &http, &s, 100, later);
    assert_eq!(resumed.sent, 3, "{resumed:?}");
    assert_eq!(d.requests(), 5);
    assert_eq!(
        d.accepted_mobiles(),
        (0..5)
            .map(|i| format!("91981500020{i}"))
            .collect::<Vec<_>>()
    );
    assert!(statuses(&app, &ids).iter().all(|s| s == "SENT"));
    assert_eq!(row(&app, ids[2]).attempts, 2);
    assert_eq!(row(&app, ids[0]).attempts, 1);
}

#[test]
fn switches_skip_their_messages_with_the_flag_as_reason() {
    let app = TestApp::new();
    let mut s = notify_settings(&app);
    s.switched_off = "sms.feedback.notification,sms.monthy.summary".into();
    let survey: Vec<i64> = (0..3)
        .map(|i| {
            queue(
                &app,
                GP,
                "mGram.Consumer.TakeSurvey",
                &format!("981500030{i}"),
                "s",
            )
        })
        .collect();
    let receipt: Vec<i64> = (0..2)
        .map(|i| {
            queue(
                &app,
                GP,
                "mGram.Consumer.DownloadReceipt",
                &format!("981500031{i}"),
                "r",
            )
        })
        .collect();
    let summary = queue(&app, GP, "MONTHLY_SUMMARY_EN_REMINDER", "9815000320", "m");
    let d = run(&app, &Record, &s, 100, ist(2027, 5, 4, 12, 0));
    assert_eq!((d.skipped, d.recorded), (4, 2));
    for id in survey {
        assert_eq!(
            row(&app, id).reason.as_deref(),
            Some("switched off: sms.feedback.notification")
        );
    }
    assert_eq!(statuses(&app, &receipt), ["RECORDED", "RECORDED"]);
    assert_eq!(
        row(&app, summary).reason.as_deref(),
        Some("switched off: sms.monthy.summary")
    );
}

#[test]
fn quiet_hours_defer_non_urgent_sms_to_their_end_and_otps_go_at_once() {
    let app = TestApp::new();
    let mut s = notify_settings(&app);
    s.quiet_hours = "21:00-08:00".into();
    let a = queue(
        &app,
        GP,
        "mGram.Consumer.DownloadReceipt",
        "9815000401",
        "r1",
    );
    let b = queue(&app, GP, "NEW_ENPENDITURE_EN_REMINDER", "9815000402", "e");
    let otp = queue(&app, GP, "RESET_PASSWORD_OTP", "9815000403", "o");
    let night = ist(2027, 5, 4, 23, 15);
    let d = run(&app, &Record, &s, 100, night);
    assert_eq!((d.deferred, d.recorded), (2, 1));
    assert_eq!(
        statuses(&app, &[a, b, otp]),
        ["PENDING", "PENDING", "RECORDED"]
    );
    let ra = row(&app, a);
    assert_eq!(ra.next_attempt_at, ist(2027, 5, 5, 8, 0));
    assert_eq!(ra.reason.as_deref(), Some("deferred: quiet hours"));
    assert_eq!(ra.attempts, 0);
    // Still night at 07:59: nothing is due.
    assert_eq!(
        run(&app, &Record, &s, 100, ist(2027, 5, 5, 7, 59)).handled(),
        0
    );
    let morning = run(&app, &Record, &s, 100, ist(2027, 5, 5, 8, 0));
    assert_eq!(morning.recorded, 2);
    assert_eq!(statuses(&app, &[a, b]), ["RECORDED", "RECORDED"]);
}

#[test]
fn the_monthly_budget_holds_back_non_urgent_sms_and_the_count_is_visible() {
    let app = TestApp::new();
    let mut s = notify_settings(&app);
    s.tenant_budgets = format!("{GP}=3");
    let bills: Vec<i64> = (0..5)
        .map(|i| {
            queue(
                &app,
                GP,
                "mGram.Consumer.NewBill",
                &format!("981500050{i}"),
                "b",
            )
        })
        .collect();
    let otp = queue(&app, GP, "RESET_PASSWORD_OTP", "9815000510", "o");
    let now = Utc::now();
    let d = run(&app, &Record, &s, 100, now);
    assert_eq!((d.recorded, d.skipped), (4, 2), "{d:?}");
    assert_eq!(
        statuses(&app, &bills),
        ["RECORDED", "RECORDED", "RECORDED", "SKIPPED", "SKIPPED"]
    );
    assert_eq!(
        row(&app, bills[4]).reason.as_deref(),
        Some("monthly SMS budget of 3 reached")
    );
    // The OTP goes whatever the budget.
    assert_eq!(row(&app, otp).status, "RECORDED");
    let b = n::sms_budget(&mut app.db.conn(), &s, GP, now).unwrap();
    assert_eq!((b.used, b.budget), (4, Some(3)));
    // Another GP has no limit (the state's budget is 0).
    let other = n::sms_budget(&mut app.db.conn(), &s, "pb.nabha", now).unwrap();
    assert_eq!((other.used, other.budget), (0, None));
}

#[test]
fn the_pspcl_vendor_the_test_tenant_and_bad_numbers_are_skipped() {
    let app = TestApp::new();
    let s = notify_settings(&app);
    let vendor = queue(
        &app,
        GP,
        "mGram.GP.MonthlyDemandGenerated",
        "9569761362",
        "d",
    );
    let testing = queue(
        &app,
        "pb.testing",
        "mGram.Consumer.NewBill",
        "9815000601",
        "b",
    );
    let short = queue(&app, GP, "mGram.Consumer.NewBill", "981500060", "b");
    let letters = queue(&app, GP, "mGram.Consumer.NewBill", "98150006ab", "b");
    let fine = queue(&app, GP, "mGram.Consumer.NewBill", "9815000602", "b");
    let d = run(&app, &Record, &s, 100, Utc::now());
    assert_eq!((d.skipped, d.recorded), (4, 1));
    let reason = |id| row(&app, id).reason.unwrap_or_default();
    assert_eq!(reason(vendor), "suppressed: number");
    assert_eq!(reason(testing), "suppressed: tenant pb.testing");
    assert_eq!(reason(short), "not a 10-digit mobile number");
    assert_eq!(reason(letters), "not a 10-digit mobile number");
    assert_eq!(row(&app, fine).status, "RECORDED");
}
