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
if [ "$(id -u)" = 0 ]; then STATE_DIR=${MGRAMSEVA_STATE_DIR:-/var/lib/mgramseva}
else STATE_DIR=${MGRAMSEVA_STATE_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/mgramseva}; fi

# Keys for personal data at rest: from the environment, or made once per installation and kept
# in $STATE_DIR/secrets.env (mode 600).
if [ -z "${MGRAMSEVA__SECURITY__PII_KEYS:-}" ]; then
  SECRETS="$STATE_DIR/secrets.env"
  if [ ! -s "$SECRETS" ]; then
    mkdir -p "$STATE_DIR"
    ( umask 077
      { echo "MGRAMSEVA__SECURITY__PII_KEYS=k1:$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
        echo "MGRAMSEVA__SECURITY__PII_INDEX_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
      } >"$SECRETS" )
    log "made new keys for personal data in $SECRETS (keep this file with the database)"
  fi
  set -a; . "$SECRETS"; set +a
fi
# Uploaded attachments and generated PDFs (the database keeps their metadata).
export MGRAMSEVA__FILESTORE__DIR=${MGRAMSEVA__FILESTORE__DIR:-$STATE_DIR/files}
if [ -z "${DATABASE_URL:-}" ]; then
  ensure_packages server
  DATA=${MGRAMSEVA_PG_DATA:-$STATE_DIR/pg}
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
