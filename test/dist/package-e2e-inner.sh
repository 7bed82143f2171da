#!/usr/bin/env bash
# Inner part of package-e2e.sh, inside xvfb-run and dbus-run-session: HOME APP_ID SCREENSHOT.
set -euo pipefail
# shellcheck source=../keyring/keyring-lib.sh
. "$(dirname "$0")/../keyring/keyring-lib.sh"
home=$1 id=$2 shot=$3
log() { printf 'package-e2e: %s\n' "$*" >&2; }
pids="" daemon_pid=""
# shellcheck source=test/gui/procs.sh
. "$(dirname "$0")/../gui/procs.sh" # alive, descendants, stop_tree
cleanup() {
	local p
	for p in $pids; do for c in $(descendants "$p") $p; do alive "$c" && kill -KILL "$c" 2>/dev/null; done; done
	if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
	return 0
}
trap cleanup EXIT
fail() { log "FAIL: $*"; for f in "$home"/*.log "$home/.local/state/$id/logs/streamlit.log"; do [ -f "$f" ] && { echo "== $f"; tail -20 "$f"; } >&2; done; exit 1; }

start_secret_service "$home" || fail "no Secret Service"
[ -n "${XAUTHORITY:-}" ] && cp "$XAUTHORITY" "$home/.Xauthority"
if [ -n "${DESKLIT_E2E_NETNS_ON:-}" ] && curl -sS -o /dev/null --max-time 3 https://pypi.org/simple/ 2>/dev/null; then
	fail "the network namespace reaches pypi.org"
fi

manifest=/usr/lib/$id/desklit-app.json
name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$manifest")
port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("ports", {}).get(sys.argv[2], sys.argv[3]))' "$manifest" "$1" "$2"; }
app_urls="http://127.0.0.1:$(port DESKLIT_STREAMLIT_PORT 4010)/_stcore/health http://127.0.0.1:$(port DESKLIT_COMPONENT_PORT 3001)/healthz http://127.0.0.1:$(port DESKLIT_API_PORT 8888)/healthz"
desklit_urls="http://127.0.0.1:4010/_stcore/health http://127.0.0.1:3001/healthz http://127.0.0.1:8888/healthz"
[ "$app_urls" != "$desklit_urls" ] || fail "the package uses Desklit's ports: it cannot run beside it"

launch() { # launch PROGRAM LOG: as a double-click does, from /; prints its pid
	(cd / && exec env -i DISPLAY="$DISPLAY" HOME="$home" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" "$1") >>"$2" 2>&1 &
	echo $!
}
healthy() { # healthy LABEL PID URLS...
	local label=$1 pid=$2 deadline=$((SECONDS + 300)) t0=$SECONDS u ok
	shift 2
	while :; do
		alive "$pid" || fail "$label exited"
		ok=1
		for u in "$@"; do curl -fsS -o /dev/null --max-time 2 "$u" 2>/dev/null || { ok=""; break; }; done
		[ -n "$ok" ] && break
		[ $SECONDS -lt $deadline ] || fail "$label: not healthy within 300 s ($u)"
		sleep 0.5
	done
	log "$label: its services are healthy after $((SECONDS - t0)) s"
}
find_window() { # find_window TITLE: a visible window named exactly TITLE
	local w
	for w in $(xdotool search --onlyvisible --name '' 2>/dev/null || true); do
		[ "$(xdotool getwindowname "$w" 2>/dev/null)" = "$1" ] && { echo "$w"; return 0; }
	done
	return 1
}
wait_window() { local d=$((SECONDS + $2)) w; while [ $SECONDS -lt $d ]; do w=$(find_window "$1") && { echo "$w"; return 0; }; sleep 0.3; done; fail "no window titled '$1'"; }
wait_log() { local d=$((SECONDS + $3)); until grep -q "$2" "$1" 2>/dev/null; do [ $SECONDS -lt $d ] || fail "$1 never said '$2'"; sleep 0.5; done; }

dpid=$(launch /usr/bin/desklit "$home/desklit.log")
pids=$dpid
healthy "Desklit" "$dpid" $desklit_urls
apid=$(launch "/usr/bin/$id" "$home/app.log")
pids="$pids $apid"
healthy "$name" "$apid" $app_urls
wid=$(wait_window "$name" 60)
for u in $desklit_urls; do curl -fsS -o /dev/null --max-time 2 "$u" || fail "Desklit stopped answering $u once $name started"; done
log "both run at once: Desklit and '$name' (window $wid)"

streamlit_log=$home/.local/state/$id/logs/streamlit.log
wait_log "$streamlit_log" "tabulate 0.10.0 imported" 60
log "the project's extra package (tabulate) is imported in the packaged app's environment"
xdotool windowraise "$wid" 2>/dev/null || true
sleep 4 # the page paints
import -window root "$shot"
[ "$(convert "$shot" -format '%k' info:)" -ge 16 ] || fail "the screenshot looks blank"
log "screenshot $shot"

# Sign in: the primary "Log in" button in the header (its accent colour), the native sign-in window.
accent="#3559E0"
xy=$(import -window "$wid" png:- | convert - -crop "100%x50+0+24" +repage txt:- | awk -v c="$accent" '
	toupper($3) == c { split($1, p, "[,:]"); x += p[1]; y += p[2]; n++ } END { if (n < 200) exit 1; printf "%d %d\n", x / n, y / n + 24 }') ||
	fail "no Log in button in the window's header"
# shellcheck disable=SC2086
xdotool mousemove --window "$wid" $xy click 1
swid=$(wait_window "Sign in — $name" 60)
sleep 3
xdotool windowfocus --sync "$swid" 2>/dev/null || xdotool windowfocus "$swid"
xdotool mousemove --window "$swid" 5 5
sleep 0.5
xdotool type --delay 60 "desklit"
xdotool key Return
deadline=$((SECONDS + 60))
until env -i HOME="$home" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" "/usr/bin/$id" status 2>/dev/null | grep -qi "signed in as"; do
	[ $SECONDS -lt $deadline ] || fail "'$id status' never said signed in"
	sleep 0.5
done
log "signed in through the dev IdP in the sign-in window: $(env -i HOME="$home" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" "/usr/bin/$id" status 2>/dev/null | grep -i 'signed in as' | xargs)"
wait_log "$streamlit_log" "the Secure API answered 200" 60
log "the packaged app called the Secure API with its session"
if grep -Eq 'eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.' "$home/app.log" "$streamlit_log"; then fail "a token appears in a log"; fi

for p in $apid $dpid; do
	stop_tree "$p" 10 || fail "still running 10 s after SIGTERM:$left"
	log "SIGTERM ended pid $p and its $(echo $tracked | wc -w) descendants"
done
pids=""

# `desklit package` works from the installed Desklit too (no source tree, no network): the sample
# project with its extra wheel in its own wheels/ folder.
if [ -n "${DESKLIT_E2E_SAMPLE:-}" ]; then
	cp -r "$DESKLIT_E2E_SAMPLE" "$home/sample" && mkdir -p "$home/sample/wheels"
	cp "$DESKLIT_E2E_WHEELS"/*.whl "$home/sample/wheels/"
	(cd "$home" && env -i HOME="$home" PATH=/usr/bin:/bin /usr/bin/desklit package "$home/sample" --name "Sample Copy" -o "$home/out") >"$home/package.log" 2>&1 ||
		{ cat "$home/package.log" >&2; fail "desklit package from the installed Desklit"; }
	[ -f "$home/out/sample-copy_1.2.0_amd64.deb" ] || { cat "$home/package.log" >&2; fail "the installed Desklit made no .deb"; }
	log "the installed Desklit packaged a project offline: $(ls "$home/out" | tr '\n' ' ')"
fi
