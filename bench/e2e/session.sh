#!/usr/bin/env bash
# Session change → onStatusUpdate handled in Python (issue 6), in headless Chromium against a
# real `desklit run`. See bench/e2e/session.cjs and README.md.
#
#   bench/e2e/session.sh [cycles]      (default 20 sign-in + sign-out cycles)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -z "${DESKLIT_BENCH_INNER:-}" ]; then
  [ -x "$root/build/bin/desklit" ] || { echo "bench: build/bin/desklit missing: run make build" >&2; exit 2; }
  (cd "$root/test/e2e" && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; })
  export DESKLIT_BENCH_INNER=1
  exec "$root/test/keyring/with-secret-service.sh" "$0" "$@"
fi
source "$here/lib.sh"
work=$(mktemp -d)
export DESKLIT_LOGIN_MODE=browser BROWSER="$root/test/e2e/capture-url.sh" DESKLIT_E2E_URL_FILE="$work/authorize-urls"
# The Streamlit handler appends {t, event, signed_in} here for each event it handles
# (desklit_auth.host._trace): the moment Python has handled onStatusUpdate.
export DESKLIT_TRACE_EVENTS="$work/handled.jsonl"
: >"$DESKLIT_E2E_URL_FILE"
log="$work/desklit-run.log"
cd "$root"
build/bin/desklit run >"$log" 2>&1 &
pid=$!
trap 'if kill -0 $pid 2>/dev/null; then kill -TERM $pid; wait $pid || true; fi; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do
  grep -q "streamlit  *Ready" "$log" && grep -q "Desklit is running" "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "bench: desklit run exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.2
done
url=$(grep -o 'http://127.0.0.1:[0-9]*/?desklit_token=[A-Za-z0-9_%-]*' "$log" | head -1)
[ -n "$url" ] || { echo "bench: no app URL in the output" >&2; sed 's/desklit_token=[^ ]*/desklit_token=…/' "$log" >&2; exit 1; }
echo "bench: desklit run pid $pid ready; $(grep -c . /proc/cpuinfo >/dev/null; nproc) cores"
mkdir -p "$bench_cache/session-out"
DESKLIT_URL="$url" BENCH_OUT="$bench_cache/session-out" BENCH_CYCLES="${1:-20}" node "$here/session.cjs"
echo "bench: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
