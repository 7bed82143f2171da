# Sourced by test/windows/*.sh: a throw-away Wine prefix for Desklit's Windows binaries.
#   wine_prefix_new   makes $WINEPREFIX afresh: 64-bit, Windows 10, the bcryptprimitives stub
#   wine CMD...       runs a Windows program in it (no GUI dialogs, no Wine debug output)
#   wine_stop         ends the prefix's wineserver and every process in it
# Wine 8 (Debian 12's wine64) has two gaps the harness fills, never the product: no ProcessPrng in
# bcryptprimitives.dll (Go >= 1.22 programs die at start without it: bcryptprimitives.c here is
# built with mingw into the prefix) and no FileDispositionInformationEx (os.RemoveAll fails; the Go
# test binaries are built with an overlay, see go-tests.sh).
root=${root:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"}
WIN_OUT=${WIN_OUT:-$root/test/out/windows}
export WINEPREFIX=${WINEPREFIX:-$WIN_OUT/prefix}
export WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=,winemenubuilder.exe="
# Debian's wine64 package has no /usr/bin/wine (the wine package adds the wrapper).
WINE_BIN=${WINE_BIN:-$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)}
WINE_SERVER=${WINE_SERVER:-$(command -v wineserver || echo /usr/lib/wine/wineserver)}

wlog() { printf 'windows: %s\n' "$*" >&2; }
wfail() { printf 'windows: FAIL: %s\n' "$*" >&2; exit 1; }

# Windows programs see a clean environment: none of this shell's DESKLIT_*, DISPLAY (no window can
# open) or proxies; WINE_ENV (an array of NAME=value) adds to it.
# wine_exec replaces the shell with the program: `(wine_exec X.exe) &` makes $! the program's pid.
WINE_ENV=()
wine_exec() {
	exec env -i PATH="$PATH" HOME="$HOME" USER="${USER:-root}" LANG=C.UTF-8 TZ=UTC \
		WINEPREFIX="$WINEPREFIX" WINEARCH="$WINEARCH" WINEDEBUG="$WINEDEBUG" \
		WINEDLLOVERRIDES="$WINEDLLOVERRIDES" "${WINE_ENV[@]}" "$WINE_BIN" "$@"
}
wine() { (wine_exec "$@"); }

wine_stop() { "$WINE_SERVER" -k 2>/dev/null || true; "$WINE_SERVER" -w 2>/dev/null || true; sleep 1; } # a moment for the server to go

wine_prefix_new() {
	[ -x "$WINE_BIN" ] || wfail "no wine64 (apt-get install wine64; make deps installs it)"
	command -v x86_64-w64-mingw32-gcc >/dev/null || wfail "no x86_64-w64-mingw32-gcc (apt-get install gcc-mingw-w64-x86-64)"
	wine_stop
	rm -rf "$WINEPREFIX"
	mkdir -p "$WINEPREFIX" "$WIN_OUT"
	local dll="$WIN_OUT/bcryptprimitives.dll"
	x86_64-w64-mingw32-gcc -shared -O2 -s -o "$dll" "$root/test/windows/bcryptprimitives.c" \
		"$root/test/windows/bcryptprimitives.def" -ladvapi32
	wine wineboot -i >/dev/null 2>&1 || wfail "wineboot could not make the prefix $WINEPREFIX"
	wine winecfg -v win10 >/dev/null 2>&1 || wfail "winecfg -v win10 failed"
	cp "$dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
	local ver
	ver=$(wine cmd /c ver 2>/dev/null | tr -d '\r' | grep -o 'Version [0-9.]*\|10\.[0-9.]*' | head -1)
	case "$ver" in *10.0*) ;; *) wfail "the prefix says '$ver', want Windows 10" ;; esac
	wlog "prefix $WINEPREFIX ready: $("$WINE_BIN" --version), Windows $ver"
}

# The Windows path of a Unix one (Wine maps / to Z:).
winpath() { printf 'Z:%s' "$(realpath -m "$1" | tr / '\\')"; }
