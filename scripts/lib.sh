# shellcheck shell=bash
# Shared helpers for run.sh and test.sh: install what is missing from the distribution and run a
# private PostgreSQL cluster. Sourced, never run directly.

log() { printf '[mgramseva] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

# pg_bindir: the newest installed PostgreSQL server binaries, or nothing.
pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  # (return 0, not a bare return: in test.sh's EXIT trap after a failed run, a bare return gives
  # the run's status, and set -e then ended the cleanup before the cluster was stopped)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; fi
}

# ensure_packages [server] [browser] [smtp]: install the C compiler and libpq, with "server"
# PostgreSQL, with "browser" Chromium and its WebDriver (the page tests), with "smtp" Python 3 and
# aiosmtpd (the e-mail tests' SMTP server), when they are missing.
# Debian/Ubuntu only (apt-get). Nothing is installed when all is present.
ensure_packages() {
  local want=() need_server="" need_browser="" need_smtp=""
  for a in "$@"; do
    case $a in server) need_server=server ;; browser) need_browser=browser ;; smtp) need_smtp=smtp ;; esac
  done
  command -v cc >/dev/null 2>&1 || want+=(gcc libc6-dev)
  [ -e /usr/include/postgresql/libpq-fe.h ] || want+=(libpq-dev)
  [ -d /etc/ssl/certs ] && [ -n "$(ls -A /etc/ssl/certs 2>/dev/null)" ] || want+=(ca-certificates)
  if [ "$need_server" = server ] && [ -z "$(pg_bindir)" ]; then
    want+=(postgresql postgresql-client)
  fi
  if [ -n "$need_browser" ] && ! command -v chromedriver >/dev/null 2>&1; then
    want+=(chromium chromium-driver)
  fi
  # The tests read the text back out of the PDFs they make (poppler's pdftotext).
  if [ -n "$need_browser" ] && ! command -v pdftotext >/dev/null 2>&1; then
    want+=(poppler-utils)
  fi
  # The e-mail tests' SMTP server is aiosmtpd, Debian's package (PyPI may sit behind a proxy
  # whose certificate a fresh machine does not trust; apt's mirror is reachable).
  if [ -n "$need_smtp" ] && ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
    want+=(python3 python3-aiosmtpd)
  fi
  command -v runuser >/dev/null 2>&1 || [ "$(id -u)" != 0 ] || want+=(util-linux)
  [ ${#want[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${want[*]} and no apt-get to install them"
  log "installing: ${want[*]}"
  # The Debian package would otherwise create (and on systemd hosts start) its own cluster on 5432.
  as_root mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' | as_root tee /etc/postgresql-common/createcluster.d/no-main.conf >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null \
    || die "apt-get install ${want[*]} failed"
}

# pg_as_owner CMD...: run a server binary as the cluster owner. PostgreSQL refuses to run as root,
# so as root the cluster belongs to the system user "postgres" (created when missing).
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --user-group --home-dir /var/lib/postgresql \
      --shell /bin/sh postgres
    # From / : the caller's directory (often under /root) is not readable by postgres.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# pg_start DATA PORT [fast]: start (creating it when missing) a private cluster listening on
# 127.0.0.1:PORT with its socket inside DATA. "fast" turns durability off (tests, never data).
pg_start() {
  local data=$1 port=$2 fast=${3:-} socket_only=${4:-} bin
  bin=$(pg_bindir)
  [ -n "$bin" ] || die "PostgreSQL server binaries not found"
  local parent
  parent=$(dirname "$data")
  mkdir -p "$parent"
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && { pg_as_owner true; chown postgres:postgres "$data"; chmod 700 "$data"; }
    pg_as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$parent/initdb.log" 2>&1 \
      || { cat "$parent/initdb.log" >&2; die "initdb failed"; }
  fi
  if pg_as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "PostgreSQL already running in $data"
    return 0
  fi
  local listen=127.0.0.1
  # A socket-only cluster binds no TCP port, so no other program can hold its address.
  [ "$socket_only" = socket ] && listen="''"
  local opts="-p $port -k $data -c listen_addresses=$listen -c max_connections=200"
  if [ "$fast" = fast ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB"
  else
    # The usual sizing for a machine that runs little else: a quarter of the memory for
    # shared buffers (128 MB to 8 GB), and room for WAL so a month's bulk demand for the whole
    # state does not checkpoint every few seconds.
    local mem_mb sb_mb
    mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null || echo 1024)
    sb_mb=$(( mem_mb / 4 ))
    [ "$sb_mb" -lt 128 ] && sb_mb=128
    [ "$sb_mb" -gt 8192 ] && sb_mb=8192
    opts="$opts -c shared_buffers=${sb_mb}MB -c max_wal_size=4GB -c checkpoint_timeout=15min"
  fi
  # Extra settings for this cluster (e.g. the bench: MGRAMSEVA_PG_OPTS="-c shared_buffers=6GB").
  [ -n "${MGRAMSEVA_PG_OPTS:-}" ] && opts="$opts $MGRAMSEVA_PG_OPTS"

  pg_as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 -o "$opts" start >/dev/null \
    || { tail -n 20 "$data/server.log" >&2; die "PostgreSQL did not start (port $port busy?)"; }
}

# pg_stop DATA: fast shutdown of a cluster started by pg_start (no-op when not running).
pg_stop() {
  local data=$1 bin
  bin=$(pg_bindir)
  [ -n "$bin" ] && [ -f "$data/postmaster.pid" ] || return 0
  pg_as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_createdb PORT NAME: create database NAME unless it exists.
pg_createdb() {
  local port=$1 name=$2 bin
  bin=$(pg_bindir)
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE \"$name\"" >/dev/null \
      || die "could not create database $name"
  fi
}

# ensure_smtp_sink: a Python with aiosmtpd for the e-mail tests' real SMTP server: the system's
# (Debian's python3-aiosmtpd, installed by ensure_packages smtp), else a venv under target/ with
# aiosmtpd from PyPI (systems without apt). Exports MGRAMSEVA_TEST_PYTHON.
ensure_smtp_sink() {
  if /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
    MGRAMSEVA_TEST_PYTHON=/usr/bin/python3
    export MGRAMSEVA_TEST_PYTHON
    return 0
  fi
  local venv="${CARGO_TARGET_DIR:-target}/smtp-venv"
  if ! "$venv/bin/python" -c 'import aiosmtpd' >/dev/null 2>&1; then
    log "installing aiosmtpd (PyPI) into $venv"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv" || die "python3 -m venv failed"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check 'aiosmtpd>=1.4,<2' \
      || die "pip install aiosmtpd failed"
  fi
  MGRAMSEVA_TEST_PYTHON="$(cd "$venv" && pwd)/bin/python"
  export MGRAMSEVA_TEST_PYTHON
}
