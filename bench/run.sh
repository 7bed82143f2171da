#!/usr/bin/env bash
# Runs every benchmark once, from the repository root. Benchmarks are not tests: they print
# figures (median, spread, method) and assert nothing. Results are kept in docs/benchmarks.md.
# The Go benchmarks are a module of their own (bench/go.mod, on this checkout's code through a
# replace), so they run from bench/: `go -C bench run ./api`.
#
#   bench/run.sh            # all
#   bench/run.sh api keyring
set -uo pipefail
cd "$(dirname "$0")/.."
all=(supervisor api signin keyring pyruntime component e2e)
sel=("${@:-${all[@]}}")
status=0
for b in "${sel[@]}"; do
  echo "=== bench/$b ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
  case $b in
    keyring)   test/keyring/with-secret-service.sh go -C bench run ./keyring ;;
    pyruntime) scripts/wheelhouse.sh >/dev/null && go -C bench run ./pyruntime -cold 1 -warm 50 ;;
    e2e)       [ -x bench/e2e/run.sh ] && bench/e2e/run.sh ;;
    *)         go -C bench run ./"$b" ;;
  esac || { echo "bench/$b failed"; status=1; }
done
exit $status
