#!/usr/bin/env bash
# End-to-end test: start `desklit run` on the embedded defaults in a private D-Bus session with a
# throw-away Secret Service and HOME, drive the Streamlit page with Chromium (playwright-core),
# then stop Desklit and check that nothing it started is left.
#
#   test/e2e/run.sh build/bin/desklit
set -euo pipefail
bin=$(readlink -f "${1:?usage: $0 path/to/desklit}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ -z "${DESKLIT_E2E_INNER:-}" ]; then
  (cd "$here" && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; })
  export DESKLIT_E2E_INNER=1
  exec "$root/test/keyring/with-secret-service.sh" "$0" "$bin"
fi

out="$root/test/out"
mkdir -p "$out"
work=$(mktemp -d)
export DESKLIT_LOGIN_MODE=browser
export DESKLIT_E2E_URL_FILE="$work/authorize-urls" BROWSER="$here/capture-url.sh" DESKLIT_E2E_SHOTS="$out"
: >"$DESKLIT_E2E_URL_FILE"
log="$out/e2e-desklit-run.log"

# The runtime comes from the local wheelhouse when it has the wheels (no index), else from PyPI.
cd "$root"
"$bin" run >"$log" 2>&1 &
pid=$!
stop() {
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
}
trap 'stop; rm -rf "$work"' EXIT

for _ in $(seq 1 600); do
  grep -q "Desklit is running" "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "e2e: desklit run exited:"; cat "$log"; exit 1; }
  sleep 0.5
done
grep -q "Desklit is running" "$log" || { echo "e2e: desklit run did not become ready:"; cat "$log"; exit 1; }
url=$(grep -o 'http://127.0.0.1:[0-9]*/?desklit_token=[A-Za-z0-9_%-]*' "$log" | head -1)
descendants() { local p; for p in $(ps -o pid= --ppid "$1"); do echo "$p"; descendants "$p"; done; }
kids=$(descendants "$pid")

status=0
DESKLIT_URL="$url" node --test "$here/e2e.test.mjs" || status=$?

kill -TERM "$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then echo "e2e: desklit run still running 3 s after SIGTERM"; status=1; fi
wait "$pid" 2>/dev/null || true
for k in $kids; do
  if kill -0 "$k" 2>/dev/null; then echo "e2e: child $k ($(ps -o args= -p "$k")) outlived desklit"; status=1; fi
done
if grep -Eq 'eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.' "$log"; then echo "e2e: a token appears in the log"; status=1; fi
[ $status = 0 ] && echo "e2e: passed"
exit $status
