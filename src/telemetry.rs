//! Logging: tracing with a filter from configuration (or `RUST_LOG`), pretty for people or JSON
//! for collectors, on standard error (standard output is for what commands print). Each request gets a span with its request id (see `http::RequestSpan`).

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber; a second call (tests) is a no-op.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(settings.filter.clone()));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match settings.format {
        LogFormat::Json => registry
            .with(fmt::layer().json().with_current_span(true))
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false)).try_init(),
    };
    // Already initialised (tests call this more than once): keep the first.
    drop(result);
}
