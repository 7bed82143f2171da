#!/usr/bin/env bash
# Checks the Windows artefacts that scripts/dist/windows.sh made (builds nothing):
#   - desklit-*-windows-amd64.exe: `file` says "PE32+ executable (GUI) x86-64"; it carries the
#     version resource (ProductName, FileVersion, OriginalFilename), the manifest
#     (io.desklit.desktop, per-monitor DPI awareness) and the icon of build/windows/icon.ico;
#   - desklit-*-windows-amd64-installer.exe: a 64-bit NSIS installer (PE32+ GUI x86-64, "Nullsoft Installer");
#     its makensis log shows -WX (warnings are errors), no warning, the binary, the WebView2
#     bootstrapper, uv.exe, every wheel of the wheelhouse with its SHA256SUMS, and the "Open with
#     Desklit" entries for folders and .py files.
#
#   test/dist/windows-check.sh [DIST_DIR] [MAKENSIS_LOG]
#   (defaults: dist, .cache/dist-work/windows/makensis.log)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dist=${1:-$root/dist}
mlog=${2:-$root/.cache/dist-work/windows/makensis.log}
fail() { printf 'windows-check: FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'windows-check: ok: %s\n' "$*" >&2; }

shopt -s nullglob
exes=("$dist"/desklit-*-windows-amd64.exe)
installers=("$dist"/desklit-*-windows-amd64-installer.exe)
[ ${#exes[@]} = 1 ] || fail "want one desklit-*-windows-amd64.exe in $dist, got ${#exes[@]}"
[ ${#installers[@]} = 1 ] || fail "want one desklit-*-windows-amd64-installer.exe in $dist, got ${#installers[@]}"
exe=${exes[0]} installer=${installers[0]}

desc=$(file -b "$exe")
case "$desc" in "PE32+ executable (GUI) x86-64"*) ok "$(basename "$exe"): $desc" ;; *) fail "$exe: $desc" ;; esac

python3 - "$exe" "$root/build/windows/icon.ico" <<'PY' || exit 1
import struct, sys
exe = open(sys.argv[1], "rb").read()
ico = open(sys.argv[2], "rb").read()
u16 = lambda s: s.encode("utf-16-le")
errors = []
for key in ["ProductName", "FileVersion", "ProductVersion", "OriginalFilename", "CompanyName", "LegalCopyright"]:
    if u16(key) not in exe:
        errors.append(f"version resource lacks {key}")
for value in ["Desklit", "desklit.exe"]:
    if u16(value) not in exe:
        errors.append(f"version resource lacks the value {value!r}")
for needle in [b'name="io.desklit.desktop"', b"permonitorv2", b"Microsoft.Windows.Common-Controls"]:
    if needle not in exe:
        errors.append(f"manifest lacks {needle.decode()}")
# Every image of the .ico is stored verbatim as an RT_ICON resource.
count = struct.unpack("<H", ico[4:6])[0]
for i in range(count):
    size, offset = struct.unpack("<II", ico[6 + 16 * i + 8: 6 + 16 * i + 16])
    if ico[offset:offset + size] not in exe:
        errors.append(f"icon image {i} of icon.ico is not in the binary")
for e in errors:
    print("windows-check: FAIL:", e, file=sys.stderr)
if errors:
    sys.exit(1)
print(f"windows-check: ok: version resource, manifest and {count} icon images", file=sys.stderr)
PY

desc=$(file -b "$installer")
# 64-bit (makensis Target amd64-unicode); `file` names NSIS only in 32-bit installers, so the NSIS
# header's signature is looked for.
case "$desc" in "PE32+ executable (GUI) x86-64"*) ;; *) fail "$installer: $desc, want a 64-bit installer" ;; esac
grep -qa NullsoftInst "$installer" || fail "$installer: no NSIS header (NullsoftInst)"
ok "$(basename "$installer"): $desc, NSIS"

[ -f "$mlog" ] || fail "no makensis log at $mlog"
grep -qF "/$(basename "$installer")\"" <(grep '^Output: ' "$mlog") || fail "$mlog is not the log of $installer"
grep -q '^Processing script file' "$mlog" || fail "$mlog: not a makensis log"
if grep -inE '^[[:space:]]*(warning|[0-9]+ warnings?:)' "$mlog"; then fail "makensis warned ($mlog)"; fi
grep -qE '^File: "desklit.exe"|File: ".*desklit.exe"' "$mlog" || fail "the installer does not carry desklit.exe"
grep -q 'MicrosoftEdgeWebview2Setup.exe' "$mlog" || fail "the installer does not carry the WebView2 bootstrapper"
wheels=$(grep -cE '^File: "[^"]+\.whl"' "$mlog" || true)
grep -qE '^File: "SHA256SUMS"' "$mlog" || fail "the installer does not carry the wheelhouse's SHA256SUMS"
[ "$wheels" -gt 0 ] || fail "the installer carries no wheels"
grep -qE '^File: "uv.exe"' "$mlog" || fail "the installer does not carry uv.exe (it builds the Python environments)"
grep -q 'SystemFileAssociations\\.py\\shell\\Desklit' "$mlog" || fail "the installer does not offer Open with Desklit for .py files"
ok "makensis: no warning (-WX), binary, WebView2 bootstrapper, uv.exe, $wheels wheels and SHA256SUMS, Open with for folders and .py"
echo "windows-check: PASS" >&2
