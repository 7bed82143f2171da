#!/usr/bin/env bash
# Checks the macOS .app layout that scripts/dist/macos.sh makes (runs on Linux: the darwin binary
# itself needs a Mac, so a stand-in file takes its place):
#   Contents/MacOS/desklit (executable), Contents/MacOS/uv (macOS uv), Contents/PkgInfo, Contents/Resources/iconfile.icns (an
#   icns with 16..1024 px PNG entries), Contents/Resources/wheelhouse (given one), and an
#   Info.plist that parses (plistlib) with the bundle id io.desklit.desktop, CFBundleExecutable
#   desklit, numeric versions, CFBundleIconFile iconfile, NSAllowsLocalNetworking true (and no
#   NSAllowsArbitraryLoads), and no unfilled template field.
#
#   test/dist/macos-layout.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '\xcf\xfa\xed\xfe stand-in for a Mach-O binary\n' >"$tmp/desklit-darwin"
mkdir "$tmp/wh"
echo wheel >"$tmp/wh/demo-1.0-py3-none-any.whl"
(cd "$tmp/wh" && sha256sum -- *.whl >SHA256SUMS)
DIST_VERSION=1.2.3+git0abc DIST_WORK="$tmp/work" "$root/scripts/dist/macos.sh" "$tmp/desklit-darwin" "$tmp/out" "$tmp/wh"

python3 - "$tmp/out/Desklit.app" <<'PY'
import os, plistlib, struct, sys
app = sys.argv[1]
c = os.path.join(app, "Contents")
errors = []
def check(ok, what):
    if not ok:
        errors.append(what)
exe = os.path.join(c, "MacOS", "desklit")
check(os.path.isfile(exe) and os.access(exe, os.X_OK), "Contents/MacOS/desklit is an executable file")
uv = os.path.join(c, "MacOS", "uv")
check(os.path.isfile(uv) and os.access(uv, os.X_OK) and open(uv, "rb").read(4) in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"),
      "Contents/MacOS/uv is uv's macOS executable (Mach-O)")
check(open(os.path.join(c, "PkgInfo"), "rb").read() == b"APPL????", "Contents/PkgInfo is APPL????")
raw = open(os.path.join(c, "Info.plist"), "rb").read()
check(b"{{" not in raw, "no unfilled template field in Info.plist")
p = plistlib.loads(raw)
want = {
    "CFBundleIdentifier": "io.desklit.desktop",
    "CFBundleExecutable": "desklit",
    "CFBundleName": "Desklit",
    "CFBundlePackageType": "APPL",
    "CFBundleShortVersionString": "1.2.3",
    "CFBundleVersion": "1.2.3",
    "CFBundleIconFile": "iconfile",
}
for k, v in want.items():
    check(p.get(k) == v, f"{k} = {v!r} (got {p.get(k)!r})")
ats = p.get("NSAppTransportSecurity", {})
check(ats.get("NSAllowsLocalNetworking") is True, "NSAppTransportSecurity.NSAllowsLocalNetworking is true")
check("NSAllowsArbitraryLoads" not in ats, "no NSAllowsArbitraryLoads")
icns = open(os.path.join(c, "Resources", p.get("CFBundleIconFile", "iconfile") + ".icns"), "rb").read()
check(icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns), "iconfile.icns has the icns header and length")
kinds, i = set(), 8
while i + 8 <= len(icns):
    kind, n = icns[i:i+4].decode(), struct.unpack(">I", icns[i+4:i+8])[0]
    check(icns[i+8:i+16] == b"\x89PNG\r\n\x1a\n", f"icns entry {kind} is a PNG")
    kinds.add(kind)
    i += n
check(i == len(icns), "icns entries fill the file exactly")
check({"icp4", "icp5", "ic07", "ic08", "ic09", "ic10"} <= kinds, f"icns has 16..1024 px entries (got {sorted(kinds)})")
wh = os.path.join(c, "Resources", "wheelhouse")
check(sorted(os.listdir(wh)) == ["SHA256SUMS", "demo-1.0-py3-none-any.whl"], "the wheelhouse is in Contents/Resources/wheelhouse")
if errors:
    for e in errors:
        print("macos-layout: FAIL:", e, file=sys.stderr)
    sys.exit(1)
print(f"macos-layout: PASS ({app}: plist keys, icns {sorted(kinds)}, wheelhouse)", file=sys.stderr)
PY
