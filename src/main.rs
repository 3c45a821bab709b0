//! `mgramseva`: see `mgramseva --help`.

use clap::Parser as _;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = mgramseva::cli::Cli::parse();
    let settings = match mgramseva::config::Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mgramseva: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    mgramseva::telemetry::init(&settings.log);
    match mgramseva::cli::run(cli, settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mgramseva: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
