#!/usr/bin/env bash
# Acceptance test of the .deb: install it, start the installed app the way a desktop starts a
# double-clicked program, and remove it.
#
#   test/dist/deb-e2e.sh dist/desklit_*.deb [SCREENSHOT]    # as root (apt-get); builds nothing
#
# 1. The package: control fields (Depends), the files it carries (binary, desktop entry, hicolor
#    icons 16..512, wheelhouse with SHA256SUMS that matches).
# 2. apt-get install -y ./the.deb; desktop-file-validate on the installed entry when available.
# 3. In a private network namespace (loopback only: no network at all; DESKLIT_E2E_NETNS=0 to
#    skip), under Xvfb and a private D-Bus session with a throw-away unlocked gnome-keyring: from / with
#    `env -i DISPLAY HOME DBUS_SESSION_BUS_ADDRESS /usr/bin/desklit` (no PATH, no XDG_*, no PIP_*).
#    Checks: the Streamlit app unpacked into ~/.local/share/desklit/app; the runtime built from
#    /usr/share/desklit/wheelhouse with --no-index (runtime-build.log) and nothing fetched over
#    http; the three services healthy (127.0.0.1:4010/_stcore/health, 3001/healthz,
#    8888/healthz); a screenshot (default test/out/deb-installed.png); SIGTERM ends the
#    app and every process it started.
# 4. Corrupt an unpacked file; the next start restores it (checked by hash); SIGTERM again.
# 5. apt-get remove -y desklit: every file the package installed is gone; the user's data stays.
#
# Needs: root, apt-get, xvfb-run, dbus-run-session, gnome-keyring, curl, ImageMagick (import),
# procps. Takes about 1-3 minutes (the cold runtime build is most of it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
log() { printf 'deb-e2e: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

if [ "${1:-}" = --inner ]; then
	shift
	exec "$here/deb-e2e-inner.sh" "$@"
fi

[ $# -ge 1 ] || { sed -n '2,25p' "$0" >&2; exit 2; }
deb=$(readlink -f "$1")
shot=${2:-$root/test/out/deb-installed.png}
mkdir -p "$(dirname "$shot")" && shot=$(readlink -f "$shot")
[ -f "$deb" ] || fail "$deb: no such file"
[ "$(id -u)" = 0 ] || fail "run as root (apt-get install)"
for t in apt-get xvfb-run dbus-run-session gnome-keyring-daemon curl import; do
	command -v "$t" >/dev/null || fail "$t not found"
done

# 1. The package.
depends=$(dpkg-deb -f "$deb" Depends)
for d in libgtk-3-0 libwebkit2gtk-4.1-0 'python3 (>= 3.11)'; do
	case ", $depends," in *", $d,"*) ;; *) fail "Depends '$depends' lacks '$d'" ;; esac
done
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
want="./usr/bin/desklit ./usr/bin/desklit-window ./usr/lib/desklit/uv ./usr/share/applications/desklit.desktop ./usr/share/desklit/wheelhouse/SHA256SUMS"
for s in 16 22 24 32 48 64 128 256 512; do want="$want ./usr/share/icons/hicolor/${s}x${s}/apps/desklit.png"; done
for f in $want; do grep -qx -- "$f" <<<"$contents" || fail "the package lacks $f"; done
log "package: Depends and files ok ($(grep -c '\.whl$' <<<"$contents") wheels)"

# 2. Install.
# shellcheck source=apt-test.sh
. "$here/apt-test.sh"
apt_test_begin desklit
apt_test_installing desklit
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$apt_test_log" 2>&1 ||
	{ cat "$apt_test_log" >&2; fail "apt-get install"; }
installed=$(dpkg -L desklit | while read -r f; do if [ -f "$f" ]; then echo "$f"; fi; done)
log "installed $(wc -l <<<"$installed") files; $(/usr/bin/desklit version | tr '\n' ' ')"
(cd /usr/share/desklit/wheelhouse && sha256sum --quiet -c SHA256SUMS) || fail "installed wheelhouse fails SHA256SUMS"
if command -v desktop-file-validate >/dev/null; then
	desktop-file-validate /usr/share/applications/desklit.desktop || fail "desktop-file-validate"
fi

# 3 and 4 run inside Xvfb and a private session bus, with a HOME that outlives them.
home=$(mktemp -d -t desklit-deb-home.XXXXXX)
chmod 0755 "$home"
cleanup() {
	local rc=$?
	rm -rf "$home"
	if [ "$rc" != 0 ] && dpkg-query -W -f='${Status}' desklit 2>/dev/null | grep -q 'install ok installed'; then
		log "removing the package after the failure"
		DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq desklit >>"$apt_test_log" 2>&1 && apt_test_removed
	fi
}
trap cleanup EXIT
mkdir -p "$(dirname "$shot")"
# As root, the app runs in a private network namespace with only loopback: no network at all
# (the offline proof), and the fixed ports cannot clash with anything else on the machine.
# DESKLIT_E2E_NETNS=0 runs it in the host's network instead.
netns=()
if [ "${DESKLIT_E2E_NETNS:-1}" != 0 ] && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
	netns=(unshare -n -- sh -c 'ip link set lo up && exec "$@"' sh)
	log "running the app in a private network namespace (loopback only, no network)"
fi
DESKLIT_E2E_NETNS_ON=${netns:+1} "${netns[@]}" xvfb-run -a -s "-screen 0 1280x800x24" \
	dbus-run-session -- "$0" --inner "$home" "$shot" 8>&- || fail "the installed app (see above)"

# 5. Remove.
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq desklit >>"$apt_test_log" 2>&1 ||
	{ cat "$apt_test_log" >&2; fail "apt-get remove"; }
apt_test_removed
left=$(while read -r f; do if [ -e "$f" ]; then echo "$f"; fi; done <<<"$installed")
[ -z "$left" ] || fail "files left after apt-get remove: $left"
[ ! -e /usr/share/desklit ] || fail "/usr/share/desklit left after apt-get remove"
[ -f "$home/.local/share/desklit/app/app.py" ] || fail "the user's data went with the package"
log "removed: all $(wc -l <<<"$installed") installed files gone, user data kept"
log "PASS"
