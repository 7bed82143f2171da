#!/usr/bin/env bash
# Acceptance test of a packaged app's .deb (made by `desklit package`), installed beside Desklit's
# own .deb: both run at once, offline, and both go away with apt-get remove.
#
#   test/dist/package-e2e.sh PACKAGE.deb DESKLIT.deb [SCREENSHOT]   # as root; builds nothing
#
# 1. The package: its name is the app id, it depends on GTK, WebKitGTK and python3, and it carries
#    the program in /usr/lib/<id> (Desklit's binaries, uv, the manifest, the project's files, its
#    lock and wheels), the command /usr/bin/<id>, its menu entry and icons; no secrets file.
# 2. apt-get install both.
# 3. In a private network namespace (loopback only), Xvfb and a private D-Bus session with a
#    throw-away gnome-keyring: /usr/bin/desklit and /usr/bin/<id> started as a desktop would
#    (env -i, from /). Checks: both sets of services healthy (Desklit's ports and the package's
#    own, from its desklit.toml); a window titled with the app's name; a screenshot of it (default
#    test/out/screenshots/package-installed.png); the project's extra package imported (its log);
#    sign-in through the dev IdP in the app's native sign-in window; the Secure API called (its
#    log); SIGTERM ends each app and everything it started; the installed Desklit (no source tree,
#    no network) packages the sample project itself.
# 4. apt-get remove both: every file either installed is gone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
log() { printf 'package-e2e: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
if [ "${1:-}" = --inner ]; then shift; exec "$here/package-e2e-inner.sh" "$@"; fi
[ $# -ge 2 ] || { sed -n '2,20p' "$0" >&2; exit 2; }
pkg=$(readlink -f "$1") desklit=$(readlink -f "$2")
shot=${3:-$root/test/out/screenshots/package-installed.png}
mkdir -p "$(dirname "$shot")" && shot=$(readlink -f "$shot")
[ "$(id -u)" = 0 ] || fail "run as root (apt-get install)"
id=$(dpkg-deb -f "$pkg" Package)
depends=$(dpkg-deb -f "$pkg" Depends)
py=$(dpkg-deb --fsys-tarfile "$pkg" | tar -xO "./usr/lib/$id/desklit-app.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["python"])')
for d in libgtk-3-0 libwebkit2gtk-4.1-0 "python$py"; do # the one Python its wheels are for
	case ", $depends," in *", $d,"*) ;; *) fail "Depends '$depends' lacks '$d'" ;; esac
done
contents=$(dpkg-deb -c "$pkg" | awk '{print $6}')
for f in desklit desklit-window uv desklit-app.json requirements.lock.txt wheelhouse/SHA256SUMS app/app.py; do
	grep -qx -- "./usr/lib/$id/$f" <<<"$contents" || fail "the package lacks /usr/lib/$id/$f"
done
for f in ./usr/bin/$id ./usr/share/applications/$id.desktop ./usr/share/icons/hicolor/256x256/apps/$id.png; do
	grep -qx -- "$f" <<<"$contents" || fail "the package lacks $f"
done
if grep -q 'secrets.toml$' <<<"$contents"; then fail "the package carries a secrets file"; fi
log "package $id: Depends and files ok ($(grep -c '\.whl$' <<<"$contents") wheels)"

# shellcheck source=apt-test.sh
. "$here/apt-test.sh"
apt_test_begin "$id" desklit
apt_test_installing "$id" desklit
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$desklit" "$pkg" >"$apt_test_log" 2>&1 ||
	{ cat "$apt_test_log" >&2; fail "apt-get install"; }
installed=$(for p in "$id" desklit; do dpkg -L "$p"; done | while read -r f; do if [ -f "$f" ] || [ -L "$f" ]; then echo "$f"; fi; done)
log "installed $(wc -l <<<"$installed") files of $id and desklit"
if command -v desktop-file-validate >/dev/null; then
	desktop-file-validate "/usr/share/applications/$id.desktop" || fail "desktop-file-validate"
fi

home=$(mktemp -d -t desklit-package-home.XXXXXX)
chmod 0755 "$home"
cleanup() {
	local rc=$?
	rm -rf "$home"
	if [ "$rc" != 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$id" desklit >>"$apt_test_log" 2>&1 && apt_test_removed
	fi
}
trap cleanup EXIT
netns=()
if [ "${DESKLIT_E2E_NETNS:-1}" != 0 ] && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
	netns=(unshare -n -- sh -c 'ip link set lo up && exec "$@"' sh)
	log "running the apps in a private network namespace (loopback only, no network)"
fi
DESKLIT_E2E_SAMPLE=$root/test/projects/extra-package DESKLIT_E2E_WHEELS=$root/.cache/test-wheelhouse \
DESKLIT_E2E_NETNS_ON=${netns:+1} "${netns[@]}" xvfb-run -a -s "-screen 0 1280x800x24" \
	dbus-run-session -- "$0" --inner "$home" "$id" "$shot" 8>&- || fail "the installed apps (see above)"

DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$id" desklit >>"$apt_test_log" 2>&1 ||
	{ cat "$apt_test_log" >&2; fail "apt-get remove"; }
apt_test_removed
left=$(while read -r f; do if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi; done <<<"$installed")
[ -z "$left" ] || fail "files left after apt-get remove: $left"
[ ! -e "/usr/lib/$id" ] || fail "/usr/lib/$id left after apt-get remove"
log "removed: all $(wc -l <<<"$installed") installed files gone"
log "PASS"
