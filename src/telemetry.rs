//! Logging: tracing with a filter from configuration (or `RUST_LOG`), pretty for people or JSON
//! for collectors, on standard error (standard output is for what commands print). Every request
//! is one span (request id, correlation id, method, route, path without its query, status) that
//! is logged when it closes: the request log. Nothing logs a password, token, OTP or mobile
//! number (see `tests/api/logs.rs`).

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber writing to standard error; a second call is a no-op.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(settings.filter.clone()));
    init_to(
        settings.format,
        filter,
        std::io::stderr,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
}

/// Installs the global subscriber writing to `writer` (tests capture the logs this way).
pub fn init_to<W>(format: LogFormat, filter: EnvFilter, writer: W, ansi: bool)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(true)
                    .with_span_events(FmtSpan::CLOSE)
                    .with_writer(writer),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(
                fmt::layer()
                    .with_target(false)
                    .with_ansi(ansi)
                    .with_span_events(FmtSpan::CLOSE)
                    .with_writer(writer),
            )
            .try_init(),
    };
    // Already initialised (tests call this more than once): keep the first.
    drop(result);
}
