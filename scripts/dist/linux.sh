#!/usr/bin/env bash
# Builds the Linux distribution into DIST_DIR (default dist/):
#   desklit-<version>-linux-amd64.tar.gz  the binaries with the wheelhouse beside them, the desktop
#                                         entry, the hicolor icons and a README
#   desklit_<version>_amd64.deb           /usr/bin/desklit and desklit-window, the desktop entry, the icons and
#                                         /usr/share/desklit/wheelhouse
# Both carry the wheelhouse, so the first start builds the Python runtime with no network.
#
#   scripts/dist/linux.sh                     # after `make build`; dist.mk runs it for `make dist`
#   DIST_WHEELHOUSE=/path scripts/dist/linux.sh   # another wheelhouse (default build/wheelhouse)
#
# Needs: go, a C toolchain with the GTK/WebKit headers (as `make build`), ImageMagick (convert),
# dpkg-deb, sha256sum.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

check_frontend
for tool in convert dpkg-deb sha256sum; do
	command -v "$tool" >/dev/null || { echo "dist: $tool not found" >&2; exit 1; }
done

wheelhouse="${DIST_WHEELHOUSE:-$root/build/wheelhouse}"
if ! ls "$wheelhouse"/*.whl >/dev/null 2>&1; then
	log "no wheelhouse in $wheelhouse: filling it"
	"$root/scripts/wheelhouse.sh" "$wheelhouse"
fi
check_wheelhouse "$wheelhouse"

work="$WORK/linux"
rm -rf "$work"
mkdir -p "$work" "$DIST_DIR"

# 1. The binaries, stamped with the package version: desklit-window (the window: Wails, GTK,
#    WebKit) and desklit (the commands and the services, no cgo; it hands the window to
#    desklit-window beside it).
log "building the linux/amd64 binaries ($DIST_VERSION, $COMMIT, $DATE)"
(cd "$root" && CGO_ENABLED=1 GOOS=linux GOARCH=amd64 "$GO" build -trimpath \
	-tags desktop,production,webkit2_41 -ldflags "$LDFLAGS" -o "$work/desklit-window" .)
(cd "$root" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 "$GO" build -trimpath \
	-ldflags "$LDFLAGS" -o "$work/desklit" .)
for b in desklit desklit-window; do
	"$work/$b" version | grep -q "^desklit $DIST_VERSION\$" || {
		echo "dist: $b does not report version $DIST_VERSION" >&2; exit 1; }
done

# uv, which builds the Python environments (pinned and hash-checked: scripts/uv.sh).
"$root/scripts/uv.sh" "$work" >/dev/null

# 2. Icons for the hicolor theme.
sizes="16 22 24 32 48 64 128 256 512"
icons="$work/icons"
for s in $sizes; do
	mkdir -p "$icons/${s}x${s}/apps"
	convert "$root/build/appicon.png" -resize "${s}x${s}" -strip "PNG32:$icons/${s}x${s}/apps/desklit.png"
done

# readme WHEELHOUSE [tarball]: the README of the tarball or the package.
readme() {
	cat <<TXT
Desklit $DIST_VERSION (commit $COMMIT, built $DATE)

Your Streamlit app on the desktop, signed in and offline-ready.

Run: $([ "${2:-}" = tarball ] && echo "./desklit (or double-click it)" || echo "Desklit in the application menu, or desklit"). It needs GTK 3 and WebKitGTK 4.1 (Debian/Ubuntu:
libgtk-3-0 libwebkit2gtk-4.1-0) and Python 3.11 or newer (python3).

Your own app: open its folder (or its .py script) with File > Open App..., or run
desklit /path/to/your/app; its requirements.txt, pyproject.toml or uv.lock is installed
into an environment of its own.

First start: Desklit unpacks its Streamlit app into ~/.local/share/desklit/app (checked by
SHA-256 at every start and restored when changed), then builds its Python environment in
~/.local/share/desklit/envs from the wheels in $1 with the package index
switched off (under a minute; later starts take a second), and opens the window. The wheels
are for CPython $(wheel_pythons "$wheelhouse"); with another Python the first start
downloads the same pinned, hash-checked packages from PyPI instead.
TXT
	[ "${2:-}" = tarball ] || return 0
	cat <<TXT

Add it to the application menu (optional; keep this folder where it is, the binary finds
./wheelhouse beside its real path, also through a symlink):
  ln -s "\$PWD/desklit" ~/.local/bin/desklit
  mkdir -p ~/.local/share && cp -r share/icons share/applications ~/.local/share/
The .deb package does all of this system-wide.
TXT
}

# wheel_pythons DIR: the CPython versions DIR has streamlit's compiled dependencies for (numpy).
wheel_pythons() {
	find "$1" -maxdepth 1 -name 'numpy-*.whl' -printf '%f\n' | sed -E 's/.*-cp3([0-9]+)-.*/3.\1/' | sort -uV | paste -sd, - | sed 's/,/, /g'
}

# 3. The tarball: the wheelhouse sits beside the binary (<exe dir>/wheelhouse).
name="desklit-$DIST_VERSION-linux-amd64"
tree="$work/tar/$name"
mkdir -p "$tree/share/applications" "$tree/share/icons"
install -m 0755 "$work/desklit" "$work/desklit-window" "$work/uv" "$tree/"
cp -r "$wheelhouse" "$tree/wheelhouse"
rm -f "$tree/wheelhouse/README.md"
install -m 0644 "$root/build/linux/desklit.desktop" "$tree/share/applications/desklit.desktop"
cp -r "$icons" "$tree/share/icons/hicolor"
readme ./wheelhouse tarball >"$tree/README.txt"
tarball="$DIST_DIR/$name.tar.gz"
tar -C "$work/tar" --owner=0 --group=0 --numeric-owner --sort=name -czf "$tarball" "$name"
log "wrote $tarball"

# 4. The .deb. Debian versions sort "~" before anything: 1.2.3-rc1 becomes 1.2.3~rc1.
debver="${DIST_VERSION//-/\~}"
pkg="$work/deb"
mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/applications" "$pkg/usr/share/icons" \
	"$pkg/usr/share/desklit" "$pkg/usr/share/doc/desklit" "$pkg/usr/lib/desklit"
install -m 0755 "$work/desklit" "$work/desklit-window" "$pkg/usr/bin/"
# Desklit's own uv, out of the PATH so that it never shadows a uv the user installed.
install -m 0755 "$work/uv" "$pkg/usr/lib/desklit/uv"
install -m 0644 "$root/build/linux/desklit.desktop" "$pkg/usr/share/applications/desklit.desktop"
cp -r "$icons" "$pkg/usr/share/icons/hicolor"
cp -r "$wheelhouse" "$pkg/usr/share/desklit/wheelhouse"
rm -f "$pkg/usr/share/desklit/wheelhouse/README.md"
readme /usr/share/desklit/wheelhouse >"$pkg/usr/share/doc/desklit/README"
cat >"$pkg/usr/share/doc/desklit/copyright" <<TXT
Desklit $DIST_VERSION
$(wails_info copyright)
The wheels in /usr/share/desklit/wheelhouse carry their own licences (see each wheel's metadata).
TXT
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg/usr/share" -type f -exec chmod 0644 {} +

installed_kb=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<TXT
Package: desklit
Version: $debver
Architecture: amd64
Maintainer: $(sed -n 's/.*"name": *"\(Desklit contributors\)".*/\1/p' "$root/wails.json") <$(sed -n 's/.*"email": *"\([^"]*\)".*/\1/p' "$root/wails.json")>
Installed-Size: $installed_kb
Depends: libgtk-3-0, libwebkit2gtk-4.1-0, python3 (>= 3.11)
Recommends: gnome-keyring
Section: devel
Priority: optional
Description: Streamlit app on the desktop, signed in and offline-ready
 Desklit runs a Streamlit app, its web component and a protected API on 127.0.0.1
 and shows them in a native window, signed in with OpenID Connect. The Python
 runtime is built on first start from the bundled wheels, with no network.
TXT
cat >"$pkg/DEBIAN/postinst" <<'TXT'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
	if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi
	if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true; fi
fi
exit 0
TXT
cat >"$pkg/DEBIAN/postrm" <<'TXT'
#!/bin/sh
set -e
case "$1" in
remove|purge)
	if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi
	if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true; fi
	;;
esac
exit 0
TXT
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/postrm"
deb="$DIST_DIR/desklit_${debver}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
log "wrote $deb"
