#!/usr/bin/env bash
# Desklit's 64-bit NSIS installer (make dist's) installed and uninstalled silently (/S) under Wine,
# in the prefix that run.sh made. The WebView2 runtime's registry key is set first, as on a
# Windows that has it (Windows 11, current Windows 10): the installer then skips Microsoft's
# bootstrapper, which would download the runtime. Checks:
#   install    desklit.exe, uv.exe, uninstall.exe and the wheelhouse (its SHA256SUMS, every wheel)
#              in C:\Program Files\Desklit\Desklit; the Start menu and desktop shortcuts; "Open
#              with Desklit" for folders and .py files (their command runs desklit.exe "%1");
#              the uninstall entry (DisplayName, QuietUninstallString);
#   doctor     the installed desklit.exe doctor: window, uv and WebView2 ok, the missing Python
#              named with where to get it;
#   uninstall  uninstall.exe /S removes the files, shortcuts and registry entries.
#
#   test/windows/installer.sh [INSTALLER]   (default: dist/desklit-*-windows-amd64-installer.exe)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/test/windows/wine.sh"
ok() { printf 'windows: installer: ok: %s\n' "$*" >&2; }
fail() { printf 'windows: installer: FAIL: %s\n' "$*" >&2; exit 1; }
installer=${1:-$(ls "$root"/dist/desklit-*-windows-amd64-installer.exe 2>/dev/null | head -1)}
[ -f "$installer" ] || fail "no installer (make dist-windows makes dist/desklit-*-windows-amd64-installer.exe)"
out="$WIN_OUT/installer"
rm -rf "$out"
mkdir -p "$out"
reg_has() { wine reg query "$1" /s 2>/dev/null | tr -d '\r' | grep -qF -- "$2"; }
webview_key='HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}'
# The first wine call after the part before may meet that part's wineserver going away: tried
# again, and said when it never works (set -e alone ended the part without a word).
for i in 1 2 3 4 5; do
	wine reg add "$webview_key" /v pv /t REG_SZ /d 131.0.2903.70 /f >"$out/reg.log" 2>&1 && break
	[ "$i" = 5 ] && fail "could not set the WebView2 key ($out/reg.log)"
	sleep 1
done

wine "$installer" /S >"$out/install.log" 2>&1 || fail "the installer exited $? ($out/install.log)"
timeout 120 "$WINE_SERVER" -w || fail "Wine processes still running 2 minutes later"
dir="$WINEPREFIX/drive_c/Program Files/Desklit/Desklit"
for f in desklit.exe uv.exe uninstall.exe wheelhouse/SHA256SUMS; do
	[ -f "$dir/$f" ] || fail "not installed: $f (in $dir: $(ls "$dir" 2>/dev/null | tr '\n' ' '))"
done
wheels=$(ls "$dir"/wheelhouse/*.whl | wc -l)
sums=$(grep -c '\.whl$' "$dir/wheelhouse/SHA256SUMS")
[ "$wheels" -gt 0 ] && [ "$wheels" = "$sums" ] || fail "$wheels wheels installed, $sums in SHA256SUMS"
(cd "$dir/wheelhouse" && sha256sum --quiet -c SHA256SUMS) || fail "an installed wheel does not match SHA256SUMS"
ok "files: desklit.exe, uv.exe, uninstall.exe, $wheels wheels matching SHA256SUMS"
links=$(find "$WINEPREFIX/drive_c" -name 'Desklit.lnk' | sed "s|$WINEPREFIX/drive_c/||")
[ "$(echo "$links" | grep -c .)" = 2 ] || fail "shortcuts: want the Start menu's and the desktop's, got: $links"
ok "shortcuts: $(echo "$links" | tr '\n' ' ')"
for key in 'HKLM\Software\Classes\Directory\shell\Desklit' 'HKLM\Software\Classes\SystemFileAssociations\.py\shell\Desklit'; do
	reg_has "$key" "Open with Desklit" || fail "no 'Open with Desklit' in $key"
	reg_has "$key\\command" 'Desklit\desklit.exe" "%1"' || fail "$key\\command does not run desklit.exe \"%1\""
done
ok "registry: Open with Desklit for folders and .py files"
uninst='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\DesklitDesklit'
reg_has "$uninst" "DisplayName    REG_SZ    Desklit" || fail "no uninstall entry $uninst"
reg_has "$uninst" 'uninstall.exe" /S' || fail "the uninstall entry has no QuietUninstallString"
ok "registry: the uninstall entry $uninst"

# The installed desklit.exe (the window build, GUI subsystem) answers doctor on its standard
# output; there is no Python in the prefix.
wine "$dir/desklit.exe" doctor >"$out/doctor.txt" 2>&1 || true
tr -d '\r' <"$out/doctor.txt" >"$out/doctor.clean.txt"
for want in "[ok  ] window" "[ok  ] uv" "[ok  ] webview    WebView2 runtime 131.0.2903.70" \
	"[FAIL] python     no Python 3.11 or newer was found" "python.org/downloads/windows"; do
	grep -qF -- "$want" "$out/doctor.clean.txt" || { sed 's/^/    /' "$out/doctor.clean.txt" >&2; fail "installed doctor: no '$want'"; }
done
ok "installed desklit.exe doctor: window, uv and WebView2 ok; the missing Python named, with where to get it"

wine "$dir/uninstall.exe" /S >"$out/uninstall.log" 2>&1 || fail "the uninstaller exited $?"
timeout 120 "$WINE_SERVER" -w || fail "Wine processes still running 2 minutes later" # the uninstaller runs from a copy of itself in %TEMP%
left=$(find "$dir" -type f 2>/dev/null | head -5 || true)
[ -z "$left" ] || fail "files left after the uninstall: $left"
links=$(find "$WINEPREFIX/drive_c" -name 'Desklit.lnk')
[ -z "$links" ] || fail "shortcuts left: $links"
for key in 'HKLM\Software\Classes\Directory\shell\Desklit' 'HKLM\Software\Classes\SystemFileAssociations\.py\shell\Desklit' "$uninst"; do
	! reg_has "$key" "Desklit" || fail "registry key left: $key"
done
wine reg delete "$webview_key" /f >/dev/null 2>&1 || true
ok "uninstall: no file, shortcut or registry entry left"
