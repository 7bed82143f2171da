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
export DESKLIT_LOGIN_MODE=browser DESKLIT_BIN="$bin"
export DESKLIT_E2E_URL_FILE="$work/authorize-urls" BROWSER="$here/capture-url.sh" DESKLIT_E2E_SHOTS="$out"
: >"$DESKLIT_E2E_URL_FILE"

# run_case LOG TEST [ARGS...]: `desklit run ARGS` until it is running, the browser test against
# its page, then SIGTERM: Desklit and everything it started must be gone, no token in its log.
# DESKLIT_E2E_ONLY=NAME runs only the cases whose test file is NAME.test.mjs (while working on one).
run_case() {
  local log=$1 test=$2 pid url kids k status=0
  shift 2
  wanted "$test" || return 0
  "$bin" run "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    grep -q "Desklit is running" "$log" && break
    kill -0 "$pid" 2>/dev/null || { echo "e2e: desklit run $* exited:"; cat "$log"; return 1; }
    sleep 0.5
  done
  grep -q "Desklit is running" "$log" || { echo "e2e: desklit run $* did not become ready:"; cat "$log"; kill -TERM "$pid"; return 1; }
  url=$(grep -A1 'Open the app at:' "$log" | grep -oE 'http://127\.0\.0\.1:[0-9]+/(\?desklit_token=[A-Za-z0-9_%-]+)?' | head -1) # the secret: only for an app that reads it
  kids=$(descendants "$pid")
  DESKLIT_URL="$url" node --test "$here/$test" || status=$?
  kill -TERM "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then echo "e2e: desklit run still running 3 s after SIGTERM"; status=1; fi
  wait "$pid" 2>/dev/null || true
  for k in $kids; do
    if kill -0 "$k" 2>/dev/null; then echo "e2e: child $k ($(ps -o args= -p "$k")) outlived desklit"; status=1; fi
  done
  if grep -Eq 'eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.' "$log"; then echo "e2e: a token appears in $log"; status=1; fi
  return $status
}
wanted() { [ -z "${DESKLIT_E2E_ONLY:-}" ] || [ "$1" = "$DESKLIT_E2E_ONLY.test.mjs" ]; }
descendants() { local p; for p in $(ps -o pid= --ppid "$1"); do echo "$p"; descendants "$p"; done; }
trap 'rm -rf "$work"' EXIT

# The demo's environment comes from the local wheelhouse; the project's too, with the index off
# and its one extra wheel from the test wheelhouse (make test-wheels).
cd "$root"
status=0
run_case "$out/e2e-desklit-run.log" e2e.test.mjs || status=1
DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS="${DESKLIT_TEST_WHEELS:-$root/.cache/test-wheelhouse}" \
  run_case "$out/e2e-desklit-run-project.log" project.test.mjs "$root/test/projects/extra-package" || status=1
# A project's own service (#23): the Flask API of the original design, its wheels from the test
# wheelhouse too; run_case checks that it (and everything it started) is gone after Desklit.
DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS="${DESKLIT_TEST_WHEELS:-$root/.cache/test-wheelhouse}" \
  run_case "$out/e2e-desklit-run-services.log" services.test.mjs "$root/test/projects/notes-flask" || status=1
# A FastAPI + Streamlit repository run from its compose.yaml: the API in an environment of its own
# requirements (wheels from the test wheelhouse), on the port the file gives it.
DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS="${DESKLIT_TEST_WHEELS:-$root/.cache/test-wheelhouse}" \
  run_case "$out/e2e-desklit-run-compose.log" compose.test.mjs "$root/test/projects/compose-fastapi" || status=1
# An app written for Streamlit's own sign-in (st.login), with Authlib from the test wheelhouse.
# Its .streamlit/secrets.toml [auth] is its issuer (no desklit.toml [auth]): a provider Desklit
# does not start, the dev IdP on its own (`desklit serve idp`) on 127.0.0.1:9210.
if wanted stlogin.test.mjs; then
  DESKLIT_IDP_PORT=9210 "$bin" serve idp >"$out/e2e-stlogin-idp.log" 2>&1 &
  idp_pid=$!
  DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS="${DESKLIT_TEST_WHEELS:-$root/.cache/test-wheelhouse}" \
    run_case "$out/e2e-desklit-run-stlogin.log" stlogin.test.mjs "$root/test/projects/st-login" || status=1
  kill -TERM "$idp_pid" && wait "$idp_pid" || true
fi
# The same kind of app as a public repository has it: no secrets.toml, named providers in its code,
# Desklit's embedded defaults.
DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS="${DESKLIT_TEST_WHEELS:-$root/.cache/test-wheelhouse}" \
  run_case "$out/e2e-desklit-run-stlogin-cloned.log" stlogin-cloned.test.mjs "$root/test/projects/st-login-cloned" || status=1
[ $status = 0 ] && echo "e2e: passed"
exit $status
