//! A real headless Chromium, through chromedriver, spoken to with a few lines of WebDriver over
//! HTTP. This module is the harness (`Browser`, `serve`, `get_with_cookies`); the walks are in
//! its submodules, one file per screen family.

mod citizen;
mod consumer_form;
mod counter;
mod dashboard;
mod demo;
mod events;
mod expense;
mod expense_reports;
mod flows;
mod front;
mod hrms;
mod import;
mod manage;
mod names;
mod phone;
mod register;
mod stateview;
mod walk;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::*;

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP exchange with chromedriver (`Connection: close`; it answers with a length, unchunked).
pub(crate) fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let payload = body.map(Value::to_string).unwrap_or_default();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}", payload.len()).unwrap();
    // Read the head, then exactly Content-Length bytes (chromedriver may keep the socket open).
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let (head_end, length) = loop {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "chromedriver closed the connection early");
        raw.extend_from_slice(&buf[..n]);
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..i]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (i + 4, len);
        }
    };
    while raw.len() < head_end + length {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "chromedriver closed the connection early");
        raw.extend_from_slice(&buf[..n]);
    }
    serde_json::from_slice(&raw[head_end..head_end + length]).unwrap_or(Value::Null)
}

pub(crate) struct Browser {
    driver: Child,
    port: u16,
    session: String,
    profile: std::path::PathBuf,
}

impl Browser {
    /// A desktop-sized window (412×915).
    pub(crate) fn start() -> Self {
        Self::launch(None)
    }

    /// A phone: a 360×740 viewport with touch and the page's `meta viewport` honoured, as on
    /// the cheap phones the GP staff carry.
    pub(crate) fn phone() -> Self {
        Self::launch(Some((360, 740)))
    }

    fn launch(phone: Option<(u32, u32)>) -> Self {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver) must be installed: scripts/test.sh installs it");
        let started = Instant::now();
        while http_ok(port).is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile =
            std::env::temp_dir().join(format!("mgs-chromium-{}", uuid::Uuid::new_v4().simple()));
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=412,915",
        ];
        let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut options = json!({"binary": "/usr/bin/chromium", "args": args});
        if let Some((width, height)) = phone {
            options["mobileEmulation"] = json!({"deviceMetrics":
                {"width": width, "height": height, "pixelRatio": 2.0, "touch": true, "mobile": true}});
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
            "goog:chromeOptions": options}}});
        let v = http(port, "POST", "/session", Some(&caps));
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {v}"))
            .to_owned();
        Self {
            driver,
            port,
            session,
            profile,
        }
    }

    pub(crate) fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        assert!(v["value"].get("error").is_none(), "{method} {path}: {v}");
        v["value"].clone()
    }

    pub(crate) fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    pub(crate) fn find(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    pub(crate) fn count(&self, css: &str) -> usize {
        self.cmd(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .as_array()
        .map_or(0, Vec::len)
    }

    pub(crate) fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    pub(crate) fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Runs a script in the page (`return …;` gives its value back).
    pub(crate) fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Whether the page is no wider than the screen (nothing to pan sideways).
    pub(crate) fn fits_width(&self) -> bool {
        self.js("return document.documentElement.scrollWidth <= window.innerWidth;")
            .as_bool()
            .unwrap_or(false)
    }

    /// Logs in through the login form and waits for the home page.
    pub(crate) fn log_in(&self, base: &str, mobile: &str, password: &str) {
        self.go(&format!("{base}/login"));
        self.type_into("#mobile", mobile);
        self.type_into("#password", password);
        self.click("#login");
        self.wait_path("/home");
    }

    pub(crate) fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub(crate) fn source(&self) -> String {
        self.cmd("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub(crate) fn tiles(&self) -> Vec<String> {
        let v = self.cmd(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": "[data-tile]"})),
        );
        v.as_array()
            .unwrap()
            .iter()
            .filter_map(|e| {
                e.as_object()
                    .and_then(|o| o.values().next())
                    .and_then(Value::as_str)
            })
            .map(|id| {
                self.cmd("GET", &format!("/element/{id}/attribute/data-tile"), None)
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    /// With `MGS_SCREENSHOTS=<dir>`, saves a PNG of the page (for a person to look at).
    pub(crate) fn snap(&self, name: &str) {
        use base64::Engine as _;
        let Some(dir) = std::env::var_os("MGS_SCREENSHOTS") else {
            return;
        };
        let png = self.cmd("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .unwrap_or_default();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.png")),
            bytes,
        )
        .unwrap();
    }

    /// The browser's cookies, as a `Cookie` header (to fetch what a link gives this session).
    pub(crate) fn cookie_header(&self) -> String {
        self.cmd("GET", "/cookie", None)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{}={}",
                    c["name"].as_str().unwrap(),
                    c["value"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Waits (briefly) until the page holds `text`.
    pub(crate) fn wait_text(&self, text: &str) {
        let started = Instant::now();
        while !self.source().contains(text) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "never saw {text:?} at {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (briefly) for a navigation to land on a path.
    pub(crate) fn wait_path(&self, path: &str) {
        let started = Instant::now();
        while !self.url().contains(path) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "never reached {path}, at {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

pub(crate) fn http_ok(port: u16) -> Option<()> {
    TcpStream::connect(("127.0.0.1", port)).ok().map(|_| ())
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A staff member with `roles` (`ROLE` on the default test GP, `ROLE@tenant` elsewhere) and a password already chosen (no first-login
/// password page), ready to log in with `password`.
pub(crate) fn staff(app: &TestApp, mobile: &str, roles: &[&str], password: &str) -> i64 {
    use mgramseva::db::schema::user_account;
    let u = app.employee(mobile, roles, Some(password));
    diesel::update(user_account::table.find(u.id))
        .set(user_account::default_pwd_chgd.eq(true))
        .execute(&mut app.db.conn())
        .unwrap();
    u.id
}

/// Households registered on the test GP through the API by a GP admin (`token`), each
/// `(mobile, name, old number, arrears)`: their new connection numbers, in order.
pub(crate) fn households(
    app: &TestApp,
    token: &str,
    list: &[(&str, &str, &str, i64)],
) -> Vec<String> {
    actix_web::rt::System::new().block_on(async {
        let mut nos = Vec::new();
        for (mobile, name, old, arrears) in list {
            let wc =
                gp_household(app, token, (mobile, name, old), json!({"arrears": arrears})).await;
            nos.push(wc["connectionNo"].as_str().unwrap().to_owned());
        }
        nos
    })
}

/// The visible text of the first element matching `css` (empty when there is none), in the
/// form of `same`.
pub(crate) fn text_of(b: &Browser, css: &str) -> String {
    let css = serde_json::to_string(css).unwrap();
    same(
        b.js(&format!(
            "const e = document.querySelector({css}); return e ? e.innerText.trim() : '';"
        ))
        .as_str()
        .unwrap_or_default(),
    )
}

/// Text with the Gurmukhi letters that carry a nukta (ਸ਼ ਖ਼ ਗ਼ ਜ਼ ਫ਼ ਲ਼) spelled out as letter +
/// nukta: Unicode normalisation always splits them, and the browser hands back normalised text,
/// so a catalogue text is compared with a page's text in this form.
pub(crate) fn same(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let base = match c {
            '\u{0A33}' => 'ਲ',
            '\u{0A36}' => 'ਸ',
            '\u{0A59}' => 'ਖ',
            '\u{0A5A}' => 'ਗ',
            '\u{0A5B}' => 'ਜ',
            '\u{0A5E}' => 'ਫ',
            other => {
                out.push(other);
                continue;
            }
        };
        out.push(base);
        out.push('\u{0A3C}');
    }
    out
}

/// Serves the app on a real socket, in a thread of its own; returns the port.
pub(crate) fn serve(state: mgramseva::state::AppState) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || mgramseva::app(state.clone()))
                .workers(2)
                .bind(("127.0.0.1", 0))
                .unwrap();
            let _ = tx.send(server.addrs()[0].port());
            let _ = server.run().await;
        });
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap()
}

/// GET with the browser's cookies, straight to the app (a download the headless browser would
/// save to disk instead of showing): (status, content type, body).
pub(crate) fn get_with_cookies(port: u16, path: &str, cookies: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let i = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..i]).to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    let ctype = head
        .lines()
        .find_map(|l| l.strip_prefix("content-type:"))
        .unwrap_or_default()
        .trim()
        .to_owned();
    (status, ctype, raw[i + 4..].to_vec())
}
