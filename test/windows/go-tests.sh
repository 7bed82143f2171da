#!/usr/bin/env bash
# Runs the Go tests of every package under Wine: each package's test binary cross-compiled
# (GOOS=windows CGO_ENABLED=0 go test -c) and run from the package's folder in the prefix that
# run.sh made. Prints a line per package (ok/FAIL, tests passed and skipped, seconds); the logs go
# to test/out/windows/go/<package>.log. Exit status 1 when a package fails.
#
#   test/windows/go-tests.sh [PACKAGE...]        (default: every package with tests)
#
# The test binaries (only they) are built with -overlay: Wine 8 lacks the NT call behind Go's
# os.RemoveAll (FileDispositionInformationEx, "Invalid function"), which t.TempDir's clean-up
# uses; the overlay swaps in the standard library's own portable RemoveAll (removeall_noat.go,
# the one js and plan9 use), made of Remove and Readdirnames.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/test/windows/wine.sh"
GO=${GO:-go}
cd "$root"

out="$WIN_OUT/go"
rm -rf "$out"
mkdir -p "$out/bin" "$out/_overlay" # "_": go list ./... skips it
goroot=$("$GO" env GOROOT)
sed 's#^func removeAll(path string) error {#func removeAllAt(path string) error {#' \
	"$goroot/src/os/removeall_at.go" >"$out/_overlay/removeall_at.go"
sed 's#^//go:build (js && wasm) || plan9$#//go:build (js \&\& wasm) || plan9 || windows#' \
	"$goroot/src/os/removeall_noat.go" >"$out/_overlay/removeall_noat.go"
grep -q '^func removeAllAt' "$out/_overlay/removeall_at.go" && grep -q 'plan9 || windows$' "$out/_overlay/removeall_noat.go" ||
	wfail "the RemoveAll overlay no longer fits Go $("$GO" env GOVERSION) (see $goroot/src/os/removeall_*.go)"
cat >"$out/overlay.json" <<JSON
{"Replace": {
  "$goroot/src/os/removeall_at.go": "$out/_overlay/removeall_at.go",
  "$goroot/src/os/removeall_noat.go": "$out/_overlay/removeall_noat.go"}}
JSON

if [ $# -gt 0 ]; then pkgs=("$@"); else
	mapfile -t pkgs < <(GOOS=windows CGO_ENABLED=0 "$GO" list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./...)
fi
start=$SECONDS
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$GO" test -overlay "$out/overlay.json" -c -o "$out/bin/" "${pkgs[@]}"
wlog "built ${#pkgs[@]} test binaries in $((SECONDS - start)) s"

failed=()
for pkg in "${pkgs[@]}"; do
	dir=$("$GO" list -f '{{.Dir}}' "$pkg")
	name=${pkg##*/}
	rel=${pkg#github.com/desklit/desklit/}
	log="$out/$(echo "$rel" | tr / _).log"
	t0=$SECONDS
	rc=0
	(cd "$dir" && timeout 300 bash -c '. "$0"; wine "$1" -test.v -test.count=1 -test.timeout=4m' \
		"$root/test/windows/wine.sh" "$out/bin/$name.test.exe") >"$log" 2>&1 || rc=$?
	passed=$(grep -c '^--- PASS' "$log" || true)
	skipped=$(grep -c '^--- SKIP' "$log" || true)
	nfail=$(grep -c '^--- FAIL' "$log" || true)
	if [ "$rc" = 0 ] && grep -q '^PASS$' "$log"; then
		printf 'windows: ok    %-22s %3d passed, %2d skipped  %3d s\n' "$rel" "$passed" "$skipped" $((SECONDS - t0))
	else
		printf 'windows: FAIL  %-22s %3d passed, %2d failed (exit %s)  %3d s; log: %s\n' "$rel" "$passed" "$nfail" "$rc" $((SECONDS - t0)) "$log"
		grep -E '^\s*--- FAIL|^panic|_test\.go:[0-9]+:' "$log" | head -20 | sed 's/^/    /'
		failed+=("$rel")
	fi
done
[ ${#failed[@]} = 0 ] || wfail "Go tests under Wine: ${failed[*]}"
wlog "Go tests under Wine: ${#pkgs[@]} packages passed in $((SECONDS - start)) s"
