#!/usr/bin/env bash
# Checks the Windows artefacts of `desklit package --target windows` (builds nothing): the
# branded executable inside the portable zip is a PE32+ GUI program whose version resource names
# the app; the installer is an NSIS installer whose makensis log (<installer>.log) shows no
# warning and carries the executable, uv.exe, the manifest, the project's files, and every
# win_amd64 wheel of the package's lock.
#
#   test/dist/package-windows-check.sh DIR APP_ID "App name"
set -euo pipefail
dir=${1:?usage: $0 DIR APP_ID NAME} id=${2:?} name=${3:?}
fail() { printf 'package-windows-check: FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'package-windows-check: ok: %s\n' "$*" >&2; }
shopt -s nullglob
zips=("$dir/$id"-*-windows-amd64.zip) installers=("$dir/$id"-*-windows-amd64-installer.exe)
[ ${#zips[@]} = 1 ] || fail "want one $id-*-windows-amd64.zip in $dir"
[ ${#installers[@]} = 1 ] || fail "want one $id-*-windows-amd64-installer.exe in $dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "${zips[0]}" "$work" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
top=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -1)
exe=$top/$id.exe
[ -f "$exe" ] || fail "the zip has no $id.exe"
desc=$(file -b "$exe")
case "$desc" in "PE32+ executable (GUI) x86-64"*) ok "$id.exe: $desc" ;; *) fail "$id.exe: $desc" ;; esac
python3 - "$exe" "$name" "$id" <<'PY' || exit 1
import sys
exe, name, app = open(sys.argv[1], "rb").read(), sys.argv[2], sys.argv[3]
u16 = lambda s: s.encode("utf-16-le")
missing = [v for v in [name, app + ".exe", "ProductName", "FileDescription", "OriginalFilename"] if u16(v) not in exe]
if missing:
    sys.exit(f"package-windows-check: FAIL: the version resource lacks {missing}")
print(f"package-windows-check: ok: the version resource names {name!r} and {app}.exe", file=sys.stderr)
PY
for f in uv.exe desklit-app.json requirements.lock.txt wheelhouse/SHA256SUMS; do [ -f "$top/$f" ] || fail "the zip lacks $f"; done
wheels=$(find "$top/wheelhouse" -name '*.whl' | wc -l)
[ "$wheels" -gt 0 ] || fail "the zip carries no wheels"
if find "$top/wheelhouse" -name '*.whl' | grep -E 'manylinux|macosx' >/dev/null; then fail "the zip carries wheels of another platform"; fi
(cd "$top/wheelhouse" && sha256sum --quiet -c SHA256SUMS) || fail "the zip's wheelhouse fails its SHA256SUMS"
ok "portable zip: $id.exe, uv.exe, manifest, lock, $wheels wheels (win_amd64 or pure Python)"

installer=${installers[0]} mlog=${installers[0]}.log
desc=$(file -b "$installer")
# 64-bit (makensis Target amd64-unicode); `file` names NSIS only in 32-bit installers, so the NSIS
# header's signature is looked for.
case "$desc" in "PE32+ executable (GUI) x86-64"*) ;; *) fail "$installer: $desc, want a 64-bit installer" ;; esac
grep -qa NullsoftInst "$installer" || fail "$installer: no NSIS header (NullsoftInst)"
ok "$(basename "$installer"): $desc, NSIS"
[ -f "$mlog" ] || fail "no makensis log at $mlog"
if grep -inE '^[[:space:]]*(warning|[0-9]+ warnings?:)' "$mlog"; then fail "makensis warned ($mlog)"; fi
for f in "$id.exe" uv.exe desklit-app.json requirements.lock.txt SHA256SUMS; do
	grep -qE "^File: \"$f\"" "$mlog" || fail "the installer does not carry $f"
done
for w in "$top"/wheelhouse/*.whl; do
	grep -qF "File: \"$(basename "$w")\"" "$mlog" || fail "the installer does not carry $(basename "$w")"
done
ok "installer: no warning, $id.exe, uv.exe, the manifest, the lock and all $wheels wheels"
echo "package-windows-check: PASS" >&2
