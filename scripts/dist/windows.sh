#!/usr/bin/env bash
# Cross-builds the Windows distribution from Linux into DIST_DIR (default dist/):
#   desklit-<version>-windows-amd64.exe            the GUI binary with icon, manifest and version
#                                                  resources (no cgo: Wails needs none on Windows)
#   desklit-<version>-windows-amd64-installer.exe  the NSIS installer: the binary, a win_amd64
#                                                  wheelhouse beside it, shortcuts, an uninstaller,
#                                                  and the WebView2 runtime when it is missing
#
#   scripts/dist/windows.sh                        # after `make build`; dist.mk runs it
#   DIST_WIN_PYTHON="3.11 3.12 3.13" scripts/dist/windows.sh  # the CPythons the wheelhouse serves
#                                                  (default 3.12; each adds about 30 MB)
#   DIST_WIN_WHEELHOUSE=none scripts/dist/windows.sh  # no wheelhouse: the first start uses PyPI
#
# Resources: go-winres (github.com/tc-hib/go-winres, fetched through the Go module proxy, run
# outside our module) writes rsrc_windows_amd64.syso at the repository root for the duration of
# the build; `go build` links it. Installer: build/windows/installer/project.nsi with Wails's
# wails_tools.nsh, made with makensis -WX (a warning fails the build). WebView2: as Wails does by
# default, the installer carries Microsoft's small WebView2 *bootstrapper* (taken from the Wails
# module, which ships it) and runs it only when the runtime is not installed; the bootstrapper
# downloads the runtime. Windows 11 and current Windows 10 already have it.
#
# Needs: go, makensis (Debian: nsis), python3 with pip (the wheelhouse), sha256sum.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

check_frontend
command -v makensis >/dev/null || { echo "dist: makensis not found (apt-get install nsis)" >&2; exit 1; }

winres_mod="github.com/tc-hib/go-winres@v0.3.3"
numver=$(numeric_version)
work="$WORK/windows"
rm -rf "$work"
mkdir -p "$work/installer/tmp" "$DIST_DIR"

# 1. Resources: icon, manifest (DPI awareness, common controls) and version information.
render "$root/build/windows/wails.exe.manifest" >"$work/desklit.exe.manifest"
cp "$root/build/windows/icon.ico" "$work/icon.ico"
cat >"$work/winres.json" <<JSON
{
  "RT_GROUP_ICON": { "APP": { "0000": "icon.ico" } },
  "RT_MANIFEST": { "#1": { "0409": "desklit.exe.manifest" } },
  "RT_VERSION": {
    "#1": {
      "0000": {
        "fixed": { "file_version": "$numver.0", "product_version": "$numver.0" },
        "info": {
          "0409": {
            "CompanyName": "$(wails_info companyName)",
            "FileDescription": "$(wails_info productName)",
            "FileVersion": "$numver.0",
            "InternalName": "desklit",
            "LegalCopyright": "$(wails_info copyright)",
            "OriginalFilename": "desklit.exe",
            "ProductName": "$(wails_info productName)",
            "ProductVersion": "$DIST_VERSION",
            "Comments": "$(wails_info comments) (commit $COMMIT, built $DATE)"
          }
        }
      }
    }
  }
}
JSON
syso="$root/rsrc_windows_amd64.syso"
trap 'rm -f "$syso"' EXIT
log "making the Windows resources with go-winres"
(cd "$work" && GOFLAGS= "$GO" run "$winres_mod" make --in winres.json --arch amd64 --out rsrc)
mv "$work/rsrc_windows_amd64.syso" "$syso"

# 2. The binary: a GUI-subsystem PE32+ (no console window on double-click).
exe="$work/desklit.exe"
log "building the windows/amd64 binary ($DIST_VERSION, $COMMIT, $DATE)"
(cd "$root" && CGO_ENABLED=0 GOOS=windows GOARCH=amd64 "$GO" build -trimpath \
	-tags desktop,production -ldflags "$LDFLAGS -H windowsgui" -o "$exe" .)
rm -f "$syso"
trap - EXIT
cp "$exe" "$DIST_DIR/desklit-$DIST_VERSION-windows-amd64.exe"
log "wrote $DIST_DIR/desklit-$DIST_VERSION-windows-amd64.exe"

# 3. The wheelhouse for the Python the user is expected to have (cached between builds).
wheelhouse="${DIST_WIN_WHEELHOUSE:-}"
if [ "$wheelhouse" != none ]; then
	if [ -z "$wheelhouse" ]; then
		pyvers="${DIST_WIN_PYTHON:-3.12}"
		tag=$(printf 'cp%s' $(echo "$pyvers" | tr -d .) | sed 's/cp/-cp/g')
		wheelhouse="$root/.cache/wheelhouse-win_amd64$tag"
		if ! ls "$wheelhouse"/*.whl >/dev/null 2>&1; then
			for pyver in $pyvers; do
				log "filling the win_amd64 wheelhouse for CPython $pyver"
				PLATFORM=win_amd64 PY_VERSION="$pyver" "$root/scripts/wheelhouse.sh" "$wheelhouse"
			done
		fi
	fi
	check_wheelhouse "$wheelhouse"
fi

# uv.exe beside desklit.exe: it builds the Python environments.
PLATFORM=win_amd64 "$root/scripts/uv.sh" "$work"

# 4. The installer. wails_tools.nsh is Wails's template: fill in the fields and drop the file
# association and protocol loops (Desklit registers none).
cp "$root/build/windows/installer/project.nsi" "$work/installer/project.nsi"
render "$root/build/windows/installer/wails_tools.nsh" | sed -e '/{{range/,/{{end}}/d' >"$work/installer/wails_tools.nsh"
if grep -n '{{' "$work/installer/wails_tools.nsh"; then
	echo "dist: unfilled template fields in wails_tools.nsh" >&2; exit 1
fi
wails_dir=$(cd "$root" && "$GO" list -m -f '{{.Dir}}' github.com/wailsapp/wails/v2)
cp "$wails_dir/internal/webview2runtime/MicrosoftEdgeWebview2Setup.exe" "$work/installer/tmp/"
installer="$DIST_DIR/desklit-$DIST_VERSION-windows-amd64-installer.exe"
args=(-WX -V4 "-DARG_WAILS_AMD64_BINARY=$exe" "-DINFO_PRODUCTVERSION=$numver"
	"-DARG_DESKLIT_VERSION=$DIST_VERSION" "-DARG_DESKLIT_OUTFILE=$installer" "-DARG_DESKLIT_UV=$work/uv.exe")
[ "$wheelhouse" = none ] || args+=("-DARG_DESKLIT_WHEELHOUSE=$wheelhouse")
log "makensis ${args[*]}"
(cd "$work/installer" && makensis "${args[@]}" project.nsi) >"$work/makensis.log" 2>&1 || {
	cat "$work/makensis.log" >&2; echo "dist: makensis failed" >&2; exit 1; }
grep -iE '^[0-9]+ warnings?:|^warning' "$work/makensis.log" && { echo "dist: makensis warned" >&2; exit 1; }
log "wrote $installer (makensis log: $work/makensis.log)"
