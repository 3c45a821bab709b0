#!/usr/bin/env bash
# The run command: build the server, give it a database and a demo gram panchayat, serve it.
# Without DATABASE_URL it installs what is missing (compiler, libpq, PostgreSQL), runs a private
# PostgreSQL cluster of its own and reuses it on the next run. With DATABASE_URL it uses that
# database and provisions nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

command -v cargo >/dev/null 2>&1 || die "cargo not found: install the Rust toolchain (rustup) first"

PORT=${MGRAMSEVA_PG_PORT:-54329}
if [ -z "${DATABASE_URL:-}" ]; then
  ensure_packages server
  if [ "$(id -u)" = 0 ]; then DATA=${MGRAMSEVA_PG_DATA:-/var/lib/mgramseva/pg}
  else DATA=${MGRAMSEVA_PG_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/mgramseva/pg}; fi
  pg_start "$DATA" "$PORT"
  trap 'pg_stop "$DATA"' EXIT
  pg_createdb "$PORT" mgramseva
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/mgramseva"
  log "database: $DATABASE_URL (cluster in $DATA)"
else
  ensure_packages
fi

log "building (release; the first build takes a few minutes)"
cargo build --release --locked --quiet
BIN=target/release/mgramseva
[ -n "${CARGO_TARGET_DIR:-}" ] && BIN="$CARGO_TARGET_DIR/release/mgramseva"

"$BIN" demo
"$BIN" serve
