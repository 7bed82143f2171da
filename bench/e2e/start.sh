#!/usr/bin/env bash
# Warm start of `desklit run` (all three services Ready) against a bare Streamlit to
# /_stcore/health, interleaved (issue 6). See bench/e2e/start/main.go and README.md.
#
#   bench/e2e/start.sh [-n 10] [-bin build/bin/desklit]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -z "${DESKLIT_BENCH_INNER:-}" ]; then
  [ -x "$root/build/bin/desklit" ] || { echo "bench: build/bin/desklit missing: run make build" >&2; exit 2; }
  mkdir -p "${DESKLIT_BENCH_CACHE:-/tmp/desklit-bench-cache}"
  (cd "$root/bench" && go build -o "${DESKLIT_BENCH_CACHE:-/tmp/desklit-bench-cache}/bench-start" ./e2e/start)
  export DESKLIT_BENCH_INNER=1
  exec "$root/test/keyring/with-secret-service.sh" "$0" "$@"
fi
source "$here/lib.sh"
cd "$root"
exec "$bench_cache/bench-start" -bin "$root/build/bin/desklit" "$@"
