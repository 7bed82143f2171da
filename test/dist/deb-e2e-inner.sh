#!/usr/bin/env bash
# Inner part of deb-e2e.sh, run inside xvfb-run and dbus-run-session: HOME SCREENSHOT.
# Starts a throw-away unlocked gnome-keyring, then /usr/bin/desklit twice from / with env -i
# (DISPLAY, HOME, DBUS_SESSION_BUS_ADDRESS only). See deb-e2e.sh.
set -euo pipefail
# shellcheck source=../keyring/keyring-lib.sh
. "$(dirname "$0")/../keyring/keyring-lib.sh"
home=$1 shot=$2
log() { printf 'deb-e2e: %s\n' "$*" >&2; }
pid="" tracked="" daemon_pid=""
# shellcheck source=test/gui/procs.sh
. "$(dirname "$0")/../gui/procs.sh" # alive, descendants, stop_tree
cleanup() {
	local p
	for p in $pid $tracked; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
	if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
	return 0
}
trap cleanup EXIT
fail() { log "FAIL: $*"; [ -f "$home/app.log" ] && tail -40 "$home/app.log" >&2; exit 1; }

# The keyring a desktop session provides, reached only through the session bus.
start_secret_service "$home" || fail "no Secret Service"

# A desktop session's X authority lives in ~/.Xauthority when XAUTHORITY is not set.
[ -n "${XAUTHORITY:-}" ] && cp "$XAUTHORITY" "$home/.Xauthority"

data=$home/.local/share/desklit
urls="http://127.0.0.1:4010/_stcore/health http://127.0.0.1:3001/healthz http://127.0.0.1:8888/healthz"

for u in $urls; do
	if curl -fsS -o /dev/null --max-time 1 "$u" 2>/dev/null; then
		log "FAIL: $u already answers: another Desklit is running (stop it, or run as root for a private network namespace)"
		exit 1
	fi
done
if [ -n "${DESKLIT_E2E_NETNS_ON:-}" ]; then
	if curl -sS -o /dev/null --max-time 3 https://pypi.org/simple/ 2>/dev/null; then
		log "FAIL: the network namespace reaches pypi.org"; exit 1
	fi
	log "no network: pypi.org is unreachable from here"
fi

start() { # start LABEL: the double-click environment, from /
	(cd / && exec env -i DISPLAY="$DISPLAY" HOME="$home" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
		/usr/bin/desklit) >>"$home/app.log" 2>&1 &
	pid=$!
	local t0=$SECONDS deadline=$((SECONDS + ${DESKLIT_E2E_TIMEOUT:-300})) u ok
	while :; do
		alive "$pid" || fail "$1: the app exited (status $(wait "$pid"; echo $?))"
		ok=1
		for u in $urls; do curl -fsS -o /dev/null --max-time 2 "$u" 2>/dev/null || { ok=""; break; }; done
		[ -n "$ok" ] && break
		[ $SECONDS -lt $deadline ] || fail "$1: services not healthy within ${DESKLIT_E2E_TIMEOUT:-300}s ($u)"
		sleep 1
	done
	log "$1: all three services healthy after $((SECONDS - t0)) s"
}

stop() { # stop LABEL: SIGTERM; the app and all it started must be gone within 10 s
	local u
	stop_tree "$pid" 10 || fail "$1: still running 10 s after SIGTERM:$left"
	wait "$pid" 2>/dev/null || true
	for u in $urls; do curl -fsS -o /dev/null --max-time 1 "$u" 2>/dev/null && fail "$1: $u still answers after exit"; done
	log "$1: SIGTERM ended the app and its $(echo $tracked | wc -w) descendants"
	pid="" tracked=""
}

# First start: unpack, offline runtime build, services Ready, screenshot, SIGTERM.
start "first start"
[ -f "$data/app/app.py" ] || fail "the Streamlit app is not unpacked in $data/app"
buildlog=$(find "$home" -name runtime-build.log | head -1)
[ -n "$buildlog" ] || fail "no runtime-build.log under $home"
grep -E -- '/usr/lib/desklit/uv pip sync' "$buildlog" | grep -q -- '--offline --find-links /usr/share/desklit/wheelhouse' ||
	fail "the environment was not installed offline by Desklit's uv from /usr/share/desklit/wheelhouse ($buildlog)"
if grep -Ei 'https?://|Downloading ' "$buildlog"; then fail "the environment build touched the network ($buildlog)"; fi
grep -qE '^Installed [0-9]+ packages' "$buildlog" || fail "uv did not report success ($buildlog)"
log "environment built offline from /usr/share/desklit/wheelhouse ($(grep -oE '^Installed [0-9]+' "$buildlog" | tail -1 | cut -d' ' -f2) packages)"
sleep "${DESKLIT_E2E_SETTLE:-8}" # let the window draw the Streamlit page
import -window root "$shot"
colours=$(convert "$shot" -format '%k' info:)
[ "$colours" -ge 16 ] || fail "the screenshot looks blank ($colours colours)"
log "screenshot $shot ($colours colours)"
stop "first start"

# Corrupt an unpacked file: the next start must restore it (the bundle is checked by hash).
want=$(sha256sum "$data/app/app.py" | cut -d' ' -f1)
printf '\nraise SystemExit("corrupted")\n' >>"$data/app/app.py"
start "after corruption"
got=$(sha256sum "$data/app/app.py" | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "app.py not restored after corruption"
log "corrupted app.py restored at the next start"
stop "after corruption"

# A tampered wheel in the installed wheelhouse: the environment build must refuse it (uv checks
# every wheel against the SHA-256 in the lock, requirements.txt) and never fall back to an index.
# uv's cache holds the good wheel from the first start: it goes too, so the tampered one is read.
wh=/usr/share/desklit/wheelhouse
victim=$(ls "$wh"/idna-*.whl | head -1)
cp "$victim" "$home/victim.bak"
restore() { cp "$home/victim.bak" "$victim"; }
python3 - "$victim" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "a") as z:
    z.writestr("idna/tampered.py", "x = 1\n")
PY
rm -rf "$data/envs" "$home/.cache/desklit/uv"
: >"$buildlog"
(cd / && exec env -i DISPLAY="$DISPLAY" HOME="$home" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
	/usr/bin/desklit) >>"$home/app.log" 2>&1 &
pid=$!
deadline=$((SECONDS + 120))
until grep -q 'Hash mismatch for' "$buildlog" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || { restore; fail "a tampered wheel was not rejected within 120 s ($buildlog)"; }
	alive "$pid" || break
	sleep 0.5
done
restore
grep -q 'Hash mismatch for' "$buildlog" || fail "a tampered wheel was not rejected ($buildlog)"
if grep -Ei 'https?://|Downloading ' "$buildlog"; then fail "the rejected build touched the network"; fi
if curl -fsS -o /dev/null --max-time 1 "${urls%% *}" 2>/dev/null; then fail "Streamlit runs on a rejected runtime"; fi
log "a tampered wheel is rejected by its hash; no runtime is built from it"
if alive "$pid"; then stop "tampered wheel"; fi
