//! mGramSeva: rural water-supply billing for Punjab's gram panchayats, as one binary that speaks
//! DIGIT's JSON contracts. `main.rs` only parses the command line; everything else is here.

pub mod bench;
pub mod business;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod http;
pub mod jobs;
pub mod money;
pub mod municipal;
pub mod outbound;
pub mod pdf;
pub mod platform;
pub mod state;
pub mod telemetry;
pub mod time;
mod web;
pub mod words;

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, web as aw};
use anyhow::Context as _;

use crate::config::Settings;
use crate::state::AppState;

/// Builds the shared state: pool, access map, message catalogue.
pub fn build_state(settings: Settings, pool: db::DbPool) -> anyhow::Result<AppState> {
    let crypto = Arc::new(platform::encryption::Crypto::from_settings(
        &settings.security,
    )?);
    let sms: Arc<dyn platform::notification::SmsAdapter> = Arc::from(
        platform::notification::adapter(&settings.notification, &settings.outbound)?,
    );
    let mut conn = pool.get().context("connecting to the database")?;
    business::billing::cache::install(&pool, settings.database.ledger_cache_entries);
    // Bills show the household's holder as payer (billing does not import water).
    business::billing::service::install_payers(
        municipal::water::service::SERVICE,
        municipal::water::service::bill_payers,
    );
    // A household's payment sends its receipt SMS (collection does not import water).
    business::collection::service::install_on_payment(
        municipal::water::service::SERVICE,
        municipal::water::citizen::links::on_payment,
    );
    let access = platform::access::Access::load(
        &mut conn,
        crypto.clone(),
        std::time::Duration::from_secs(settings.security.token_cache_seconds),
    )
    .context("loading role-actions")?;
    let i18n = platform::localization::Catalog::new(
        platform::localization::Locale::parse(&settings.app.default_locale).unwrap_or_default(),
    );
    i18n.reload(&mut conn, &settings.app.state_tenant)
        .context("loading messages")?;
    let pg = business::pg::Gateways::from_settings(&settings, &pool)
        .context("configuring the payment gateways")?;
    Ok(AppState {
        pg: Arc::new(pg),
        pool,
        access: Arc::new(access),
        i18n: Arc::new(i18n),
        link_limiter: Arc::new(platform::access::limiter::Limiter::new(
            settings.security.anonymous_calls_per_minute,
        )),
        crypto,
        sms,
        settings: Arc::new(settings),
    })
}

/// Connects to the configured database.
pub fn connect(settings: &Settings) -> anyhow::Result<db::DbPool> {
    db::build_pool(
        settings.database_url()?,
        settings.database.pool_size,
        Duration::from_millis(settings.database.connection_timeout_ms),
        db::SessionLimits {
            statement_timeout_ms: settings.database.statement_timeout_ms,
            lock_timeout_ms: settings.database.lock_timeout_ms,
        },
    )
}

/// The one route table: every route with who may call it (see `http::routes`).
pub fn routes(r: &mut http::routes::Routes<'_>) {
    use http::routes::Access;
    r.get("/healthz", Access::Open, http::healthz)
        .get("/readyz", Access::Open, http::readyz);
    web::routes(r);
    platform::mdms::routes(r, platform::location::MDMS_MASTERS);
    platform::location::routes(r);
    platform::localization::routes(r);
    platform::idgen::routes(r);
    platform::user::routes(r);
    platform::filestore::routes(r);
    platform::shortener::routes(r);
    platform::userevent::routes(r);
    platform::notification::routes(r);
    business::hrms::routes(r);
    business::apportion::routes(r);
    business::billing::routes(r);
    business::collection::routes(r);
    business::pg::routes(r);
    municipal::routes(r);
    jobs::pages::routes(r);
}

/// The declarations of every route, without serving them (the gateway's table; the access
/// matrix and the fuzz tests walk it).
pub fn route_table() -> http::routes::RouteTable {
    let mut r = http::routes::Routes::collect();
    routes(&mut r);
    r.into_table()
}

/// The whole application, as the server and the tests run it.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.settings.server.max_body_bytes;
    App::new()
        .app_data(aw::Data::new(state))
        .configure(|c| http::extractor_config(c, limit))
        .wrap(from_fn(http::gateway::gateway))
        .wrap(from_fn(http::page::error_pages))
        .wrap(from_fn(http::headers::security_headers))
        .wrap(Compress::default())
        .wrap(tracing_actix_web::TracingLogger::<http::RequestSpan>::new())
        .app_data(aw::Data::new(route_table()))
        .configure(|cfg| routes(&mut http::routes::Routes::new(cfg)))
        .default_service(aw::to(http::not_found))
}

/// `mgramseva serve`: migrate if needed, start the scheduler and the HTTP server.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let pool = connect(&settings)?;
    {
        let p = pool.clone();
        let applied = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
            let mut c = p.checkout().context("connecting to the database")?;
            db::run_migrations(&mut c)
        })
        .await??;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "migrations applied");
        }
    }
    let state = {
        let p = pool.clone();
        let s = settings.clone();
        tokio::task::spawn_blocking(move || build_state(s, p)).await??
    };
    let _scheduler = if settings.scheduler.enabled {
        Some(jobs::start(state.clone()).await?)
    } else {
        None
    };
    let addr = (settings.server.host.clone(), settings.server.port);
    let mut server = actix_web::HttpServer::new(move || app(state.clone()));
    if settings.server.workers > 0 {
        server = server.workers(settings.server.workers);
    }
    let server = server
        .bind(addr.clone())
        .with_context(|| format!("binding {}:{}", addr.0, addr.1))?;
    tracing::info!(host = %addr.0, port = addr.1, "serving");
    println!("mGramSeva is serving on http://{}:{}", addr.0, addr.1);
    server.run().await.context("server stopped with an error")
}
