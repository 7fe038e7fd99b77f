#!/usr/bin/env bash
# Runs a k6 script against Sluice:  load-tests/run-k6.sh <script.js> [k6 run options]
# k6 comes from scripts/install-k6.sh (built once if missing). Unless SLUICE_INGEST_URL or
# SLUICE_WRITE_KEY is set, a Sluice server is started for the run on a fresh temporary data
# directory (ports SLUICE_INGEST_PORT / SLUICE_QUERY_PORT, default 18080 / 18081), its write
# and read keys are read from its first-start output (exported as SLUICE_WRITE_KEY and
# SLUICE_READ_KEY with SLUICE_INGEST_URL and SLUICE_QUERY_URL), it is seeded with SEED_EVENTS
# generated events (default 20000 for query-mix.js, else 0), and it is stopped gracefully
# afterwards. The exit status is k6's: non-zero when a threshold failed, lost events included.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: load-tests/run-k6.sh <script.js> [k6 run options]" >&2
  exit 2
fi
script="$1"
shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { echo "run-k6: $*" >&2; }

k6="$("$root/scripts/install-k6.sh" | tail -n 1)"
log "using $k6"

# Load runs do not report usage to Grafana.
export K6_NO_USAGE_REPORT="${K6_NO_USAGE_REPORT:-true}"
# p(99) in the end-of-test summary too.
export K6_SUMMARY_TREND_STATS="${K6_SUMMARY_TREND_STATS:-avg,min,med,p(90),p(95),p(99),max}"

server_pid=""
tmp=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    log "stopping sluice (pid $server_pid)"
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$tmp" ]]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT

if [[ -z "${SLUICE_INGEST_URL:-}" && -z "${SLUICE_WRITE_KEY:-}" ]]; then
  node "$root/scripts/setup.mjs" >&2
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-k6-XXXXXX")"
  ingest_port="${SLUICE_INGEST_PORT:-18080}"
  query_port="${SLUICE_QUERY_PORT:-18081}"
  # One key drives all the load: no per-key query throttle unless asked for.
  SLUICE_DATA_DIR="$tmp/data" SLUICE_INGEST_PORT="$ingest_port" SLUICE_QUERY_PORT="$query_port" \
    SLUICE_QUERY_RATE_LIMIT="${SLUICE_QUERY_RATE_LIMIT:-0}" SLUICE_QUERY_MAX_CONCURRENT="${SLUICE_QUERY_MAX_CONCURRENT:-64}" \
    SLUICE_LOG_LEVEL="${SLUICE_LOG_LEVEL:-warn}" node "$root/bin/sluice.js" start >"$tmp/sluice.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    if grep -q '^query: ' "$tmp/sluice.log" && grep -q 'read key: ' "$tmp/sluice.log"; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      log "sluice did not start:"
      cat "$tmp/sluice.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  if ! grep -q '^query: ' "$tmp/sluice.log"; then
    log "sluice did not start within 60 s:"
    cat "$tmp/sluice.log" >&2
    exit 1
  fi
  export SLUICE_INGEST_URL="http://127.0.0.1:$ingest_port"
  SLUICE_WRITE_KEY="$(sed -n 's/^ *write key: *\([^ ]*\).*/\1/p' "$tmp/sluice.log" | head -n 1)"
  export SLUICE_QUERY_URL="http://127.0.0.1:$query_port"
  SLUICE_READ_KEY="$(sed -n 's/^ *read key: *\([^ ]*\).*/\1/p' "$tmp/sluice.log" | head -n 1)"
  export SLUICE_WRITE_KEY SLUICE_READ_KEY
  log "started sluice (pid $server_pid) on $SLUICE_INGEST_URL and $SLUICE_QUERY_URL, data in $tmp/data"

  # The query mix needs a history to read (tickets, ML jobs, funnels): seeded over HTTP.
  seed_default=0
  if [[ "$(basename "$script")" == "query-mix.js" ]]; then seed_default=20000; fi
  seed="${SEED_EVENTS:-$seed_default}"
  if [[ "$seed" -gt 0 ]]; then
    log "seeding $seed events"
    node --import tsx "$root/load-tests/seed-events.ts" --events "$seed" >&2
  fi
fi

status=0
"$k6" run "$@" "$script" || status=$?
exit "$status"
