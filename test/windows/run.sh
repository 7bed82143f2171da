#!/usr/bin/env bash
# `make test-windows`: Desklit's Windows build run, not only built, under Wine on Linux. Installs
# nothing (the Makefile's deps install wine64, gcc-mingw-w64-x86-64 and nsis). Makes a throw-away
# prefix in test/out/windows/prefix (64-bit, Windows 10, the ProcessPrng stub, no Mono/Gecko
# prompts), then runs each part and says which passed:
#   go         every package's Go tests, cross-compiled (go-tests.sh), the supervisor's Windows
#              process tests among them
#   cli        desklit.exe end to end: doctor, serve api, login in a scripted browser, status,
#              logout, the session in the Credential Manager only (cli-e2e.sh)
#   installer  make dist's 64-bit installer installed and uninstalled silently, the installed
#              desklit.exe's doctor (installer.sh)
#   package    `desklit package --target windows` of test/projects/extra-package: its installer
#              installs, its exe starts and names the missing Python (package.sh)
#
#   test/windows/run.sh [PART...]       (default: all parts, in that order)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/test/windows/wine.sh"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(go cli installer package)
trap wine_stop EXIT
start=$SECONDS
wine_prefix_new
wlog "prefix made in $((SECONDS - start)) s"
failed=()
for part in "${parts[@]}"; do
	t0=$SECONDS
	case "$part" in
	go) "$root/test/windows/go-tests.sh" || failed+=(go) ;;
	cli) "$root/test/windows/cli-e2e.sh" || failed+=(cli) ;;
	installer) "$root/test/windows/installer.sh" || failed+=(installer) ;;
	package) "$root/test/windows/package.sh" || failed+=(package) ;;
	*) wfail "unknown part '$part'" ;;
	esac
	wine_stop # what a failed part left running ends with it
	wlog "part $part: $((SECONDS - t0)) s"
done
wlog "total $((SECONDS - start)) s"
[ ${#failed[@]} = 0 ] || wfail "parts failed: ${failed[*]}"
wlog "all parts passed: ${parts[*]}"
