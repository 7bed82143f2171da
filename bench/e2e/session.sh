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
: >"$DESKLIT_E2E_URL_FILE"
log="$work/desklit-run.log"
cd "$root"
pid="" pth=""
trap 'if [ -n "$pid" ] && kill -0 $pid 2>/dev/null; then kill -TERM $pid; wait $pid || true; fi; rm -f "$pth"; rm -rf "$work"' EXIT
# start_desklit: `desklit run` in the background ($pid), until its services are ready.
start_desklit() {
  build/bin/desklit run >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    grep -q "streamlit  *Ready" "$log" && grep -q "Desklit is running" "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "bench: desklit run exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.2
  done
  echo "bench: desklit run not ready after 120 s" >&2; exit 1
}
site() { ls -d "$(ls -td "$XDG_DATA_HOME"/desklit/envs/py*/ 2>/dev/null | head -1)"lib/python3*/site-packages 2>/dev/null | head -1; }
if [ -z "$(site)" ]; then # a first run builds the bench cache's runtime, where the probe goes
  echo "bench: building the runtime in $XDG_DATA_HOME (first run)"
  start_desklit
  kill -TERM "$pid"; wait "$pid" || true; pid=""
fi
# The Streamlit handler's probe (bench/e2e/probe) appends {t, event, signed_in} to handled.jsonl
# for each event it handles: the moment Python has handled onStatusUpdate. A .pth file in the
# bench cache's runtime, for this run only, starts it and names the file.
handled="$work/handled.jsonl"
pth="$(site)/zz_desklit_bench_trace.pth"
printf 'import sys; sys.path.insert(0, %s); import desklit_bench_trace; desklit_bench_trace.start(%s, "handled")\n' \
  "'$here/probe'" "'$handled'" >"$pth"
start_desklit
url=$(grep -o 'http://127.0.0.1:[0-9]*/?desklit_token=[A-Za-z0-9_%-]*' "$log" | head -1)
[ -n "$url" ] || { echo "bench: no app URL in the output" >&2; sed 's/desklit_token=[^ ]*/desklit_token=…/' "$log" >&2; exit 1; }
echo "bench: desklit run pid $pid ready; $(nproc) cores"
mkdir -p "$bench_cache/session-out"
DESKLIT_URL="$url" BENCH_OUT="$bench_cache/session-out" BENCH_CYCLES="${1:-20}" BENCH_HANDLED="$handled" node "$here/session.cjs"
echo "bench: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
