#!/usr/bin/env bash
# `desklit package --target windows` of test/projects/extra-package (offline: the wheels come
# from the win_amd64 wheelhouse and the test wheels, as make package-sample does), then, in the
# prefix that run.sh made: its 64-bit installer installs silently (the app's exe, uv.exe, its
# shortcuts, its uninstall entry), the installed exe starts (`run`: the services without a window)
# and says clearly that there is no Python and where to get one, and the uninstaller removes it.
#
#   test/windows/package.sh       (the installer make package-sample left in test/out/package,
#                                  else one made here from make dist-windows's binaries)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/test/windows/wine.sh"
GO=${GO:-go}
ok() { printf 'windows: package: ok: %s\n' "$*" >&2; }
fail() { printf 'windows: package: FAIL: %s\n' "$*" >&2; exit 1; }
bins="$root/.cache/dist-work/windows"
out="$WIN_OUT/package"
rm -rf "$out"
mkdir -p "$out"

# make test's package-sample made it already (test/out/package); else it is made here, as there.
installer=$(ls "$root"/test/out/package/extra-package-*-windows-amd64-installer.exe 2>/dev/null | head -1 || true)
if [ -z "$installer" ]; then
	[ -f "$bins/desklit.exe" ] && [ -f "$bins/uv.exe" ] || fail "no Windows binaries in $bins (make dist-windows)"
	(cd "$root" && CGO_ENABLED=0 "$GO" build -o "$out/desklit" .)
	links="$root/.cache/test-wheelhouse"
	for d in "$root"/.cache/wheelhouse-win_amd64-*; do links+=":$d"; done
	[ -x "$root/build/bin/uv" ] || fail "no build/bin/uv (make uv)"
	DESKLIT_UV="$root/build/bin/uv" DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS="$links" "$out/desklit" package \
		"$root/test/projects/extra-package" --target windows --binaries "$bins" -o "$out/dist" >"$out/package.log" 2>&1 ||
		{ tail -20 "$out/package.log" >&2; fail "desklit package --target windows"; }
	installer=$(ls "$out"/dist/extra-package-*-windows-amd64-installer.exe)
fi
ok "packaged: $(basename "$installer") ($(du -h "$installer" | cut -f1))"

wine "$installer" /S >"$out/install.log" 2>&1 || fail "its installer exited $?"
timeout 120 "$WINE_SERVER" -w || fail "Wine processes still running 2 minutes later"
dir="$WINEPREFIX/drive_c/Program Files/Extra package"
for f in extra-package.exe uv.exe uninstall.exe; do
	[ -f "$dir/$f" ] || fail "not installed: $f (in $dir: $(ls "$dir" 2>/dev/null | tr '\n' ' '))"
done
[ "$(find "$WINEPREFIX/drive_c" -name 'Extra package.lnk' | grep -c .)" = 2 ] || fail "want two shortcuts 'Extra package.lnk'"
wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\extra-package' 2>/dev/null | tr -d '\r' |
	grep -qF 'DisplayName    REG_SZ    Extra package' || fail "no uninstall entry"
ok "installed: extra-package.exe, uv.exe, two shortcuts, the uninstall entry"

# There is no Python in the prefix: the app's services cannot start, and it must say why, naming
# the Python its wheels are for (a Windows package's default, 3.12) and how to install it.
rc=0
wine "$dir/extra-package.exe" run >"$out/run.txt" 2>&1 || rc=$?
tr -d '\r' <"$out/run.txt" >"$out/run.clean.txt"
[ "$rc" != 0 ] || fail "extra-package.exe run succeeded without a Python"
for want in "no Python 3.12 was found (the app is made for it)" "Install Python 3.12 from https://www.python.org/downloads/windows"; do
	grep -qF -- "$want" "$out/run.clean.txt" || { sed 's/^/    /' "$out/run.clean.txt" >&2; fail "extra-package.exe run: no '$want'"; }
done
ok "extra-package.exe run (exit $rc): $(grep -m1 -o 'no Python 3.12 was found[^.]*' "$out/run.clean.txt")"

wine "$dir/uninstall.exe" /S >"$out/uninstall.log" 2>&1 || fail "its uninstaller exited $?"
timeout 120 "$WINE_SERVER" -w || fail "Wine processes still running 2 minutes later"
[ -z "$(find "$dir" -type f 2>/dev/null | head -1)" ] || fail "files left after the uninstall"
[ -z "$(find "$WINEPREFIX/drive_c" -name 'Extra package.lnk')" ] || fail "shortcuts left after the uninstall"
ok "uninstalled: no file or shortcut left"
