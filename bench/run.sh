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
all=(supervisor api guard signin keyring pyruntime switch component e2e dist corpus sidebyside)
sel=("${@:-${all[@]}}")
status=0
# The installed .deb's first start (needs make dist; the packaged app's: make package-sample).
bench_dist() {
  local debs=(dist/desklit_*.deb) pkgs=(test/out/package/extra-package_*.deb)
  [ -e "${debs[0]}" ] || { echo "no dist/desklit_*.deb: run make dist first"; return 1; }
  bench/dist/first-start.sh "${debs[0]}" -n 5 || return 1
  [ -e "${pkgs[0]}" ] || { echo "no packaged sample: run make package-sample for its first start"; return 0; }
  bench/dist/first-start.sh "${pkgs[0]}" -n 5 -m 'tabulate 0.10.0 imported'
}
for b in "${sel[@]}"; do
  echo "=== bench/$b ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
  case $b in
    keyring)   test/keyring/with-secret-service.sh go -C bench run ./keyring ;;
    pyruntime) scripts/wheelhouse.sh >/dev/null && go -C bench run ./pyruntime -rounds 3 -warm 50 ;;
    switch)    { [ -d test/e2e/node_modules/playwright-core ] || (cd test/e2e && npm ci --no-audit --no-fund); } &&
               test/keyring/with-secret-service.sh go -C bench run ./switch -n 8 ;;
    guard)     py=.cache/venv-test/bin/python   # make test-python's venv: Starlette and uvicorn
               if [ -x $py ]; then go -C bench run ./guard -python "$PWD/$py"; else go -C bench run ./guard; fi ;;
    dist)      bench_dist ;;
    corpus)    go -C bench run ./corpus -n 3 ;;  # on make test-corpus's venvs and uv cache
    sidebyside) bench/sidebyside/run.sh -n 10 -cold 5 ;;  # vs streamlit-desktop-app (PyPI once)
    e2e)       [ -x bench/e2e/run.sh ] && bench/e2e/run.sh ;;
    *)         go -C bench run ./"$b" ;;
  esac || { echo "bench/$b failed"; status=1; }
done
exit $status
