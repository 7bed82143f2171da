#!/usr/bin/env bash
# Lays out Desklit.app from a darwin binary:
#   Desklit.app/Contents/MacOS/desklit             the binary
#   Desklit.app/Contents/MacOS/uv                  uv for macOS (the pinned universal wheel's binary:
#                                                  arm64 by default, UV_PLATFORM=macosx_10_12_x86_64)
#   Desklit.app/Contents/Info.plist                build/darwin/Info.plist filled in: bundle id
#                                                  io.desklit.desktop, the version,
#                                                  NSAppTransportSecurity/NSAllowsLocalNetworking
#   Desklit.app/Contents/Resources/iconfile.icns   from build/appicon.png (16..1024 px)
#   Desklit.app/Contents/Resources/wheelhouse/     with WHEELHOUSE (optional; a macOS wheelhouse:
#                                                  PLATFORM=macosx_11_0_arm64 PY_VERSION=3.12
#                                                  scripts/wheelhouse.sh DIR)
#
#   scripts/dist/macos.sh BINARY [OUTDIR] [WHEELHOUSE]   # default OUTDIR: dist
#
# The binary needs cgo and Apple's SDK, so it is built on a Mac (see docs in the README):
#   make build   # frontend and component
#   VERSION=0.1.0; LDFLAGS="-s -w -X github.com/desklit/desklit/app/version.Version=$VERSION \
#     -X github.com/desklit/desklit/app/version.Commit=$(git rev-parse --short HEAD) \
#     -X github.com/desklit/desklit/app/version.Date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
#   for a in arm64 amd64; do CGO_ENABLED=1 GOOS=darwin GOARCH=$a MACOSX_DEPLOYMENT_TARGET=10.15 \
#     go build -tags desktop,production -ldflags "$LDFLAGS" -o build/bin/desklit-darwin-$a .; done
#   lipo -create -output build/bin/desklit-darwin build/bin/desklit-darwin-arm64 build/bin/desklit-darwin-amd64
#   DIST_VERSION=$VERSION scripts/dist/macos.sh build/bin/desklit-darwin dist
#   codesign --force --deep --options runtime --sign "Developer ID Application: ..." dist/Desklit.app
#   ditto -c -k --keepParent dist/Desklit.app dist/Desklit-$VERSION-macos.zip
#
# Needs: ImageMagick (convert) and python3 for the icon. Runs on Linux too (the layout test).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# -ge 1 ] || { sed -n '2,25p' "$0" >&2; exit 2; }
bin=$1
out=${2:-$DIST_DIR}
wheelhouse=${3:-}
[ -f "$bin" ] || { echo "dist: $bin: no such file" >&2; exit 1; }

app="$out/Desklit.app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
install -m 0755 "$bin" "$app/Contents/MacOS/desklit"
# uv builds the Python environments (FindUV looks beside the binary).
PLATFORM=${UV_PLATFORM:-macosx_11_0_arm64} "$root/scripts/uv.sh" "$app/Contents/MacOS" >/dev/null
# CFBundleVersion and CFBundleShortVersionString must be numbers (x.y.z): the numeric part of
# DIST_VERSION; the full version is in the binary (desklit version).
render "$root/build/darwin/Info.plist" >"$app/Contents/Info.plist"
if grep -n '{{' "$app/Contents/Info.plist"; then echo "dist: unfilled fields in Info.plist" >&2; exit 1; fi
printf 'APPL????' >"$app/Contents/PkgInfo"

icons=$(mktemp -d)
trap 'rm -rf "$icons"' EXIT
args=()
for s in 16 32 64 128 256 512 1024; do
	convert "$root/build/appicon.png" -resize "${s}x${s}" -strip "PNG32:$icons/$s.png"
	args+=("$s=$icons/$s.png")
done
python3 "$root/scripts/dist/png2icns.py" "$app/Contents/Resources/iconfile.icns" "${args[@]}"

if [ -n "$wheelhouse" ]; then
	check_wheelhouse "$wheelhouse"
	mkdir -p "$app/Contents/Resources/wheelhouse"
	cp "$wheelhouse"/*.whl "$wheelhouse/SHA256SUMS" "$app/Contents/Resources/wheelhouse/"
fi
log "wrote $app"
