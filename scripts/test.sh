#!/usr/bin/env bash
# The test command: every test of the project against a real, throwaway PostgreSQL cluster
# (on tmpfs when there is room, durability off), stopped again whatever the outcome, and a real
# headless Chromium for the page tests, and a real SMTP server (aiosmtpd) for the e-mail tests.
# Extra arguments go to `cargo test` (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

command -v cargo >/dev/null 2>&1 || die "cargo not found: install the Rust toolchain (rustup) first"
ensure_packages server browser smtp
ensure_smtp_sink

base=/tmp
if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2{print $4}')" -gt 1048576 ] 2>/dev/null; then
  base=/dev/shm
fi
# The cluster listens on a Unix socket in its own data directory and on no TCP port: no port
# can be busy, and no other program on the machine can reach it.
DATA="$base/mgramseva-test-$(id -u)-$$/pg"
cleanup() { pg_stop "$DATA"; rm -rf "$(dirname "$DATA")"; }
trap cleanup EXIT
pg_start "$DATA" 5432 fast socket
socket_dir=$(printf '%s' "$DATA" | sed 's|/|%2F|g')
export TEST_DATABASE_URL="postgres://postgres@$socket_dir:5432/postgres"
log "test cluster: $TEST_DATABASE_URL (data in $DATA)"

log_file="$(dirname "$DATA")/cargo-test.log"
set +e
cargo test --locked "$@" 2>&1 | tee "$log_file"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite (unit and integration binaries together).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log_file"
exit "$status"
