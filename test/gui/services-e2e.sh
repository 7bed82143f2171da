#!/usr/bin/env bash
# The window on a project with services of its own (#23), on the production build, in Xvfb and a
# private D-Bus session with an unlocked Secret Service (in a private network namespace when run
# as root: it uses the default ports). The project (made in a temporary folder) declares two stdlib services, svc-a and svc-b.
#
#   test/gui/services-e2e.sh build/bin/desklit   # screenshots in test/out/screenshots/gui-services-*.png
#
#   1 `desklit status` says both services Ready; the window's header shows exactly four service
#     pills, all Ready (Sign-in, App, svc-a, svc-b: the demo API does not run beside them)
#   2 Services › Restart svc-a, chosen in the window's native menu (its third Restart item; the
#     items are relabelled in place on Linux), restarts svc-a: a new pid, Ready again
#   3 SIGTERM to the window: it and everything it started are gone within 5 s
set -euo pipefail
log() { printf 'gui-services-e2e: %s\n' "$*" >&2; }

if [ -z "${DESKLIT_GUI_SERVICES_INNER:-}" ]; then
	bin=$(readlink -f "${1:?usage: $0 path/to/desklit}")
	for tool in xvfb-run dbus-run-session gnome-keyring-daemon xdotool import convert ss python3; do
		command -v "$tool" >/dev/null 2>&1 || { log "$tool not found"; exit 2; }
	done
	export DESKLIT_GUI_SERVICES_INNER=1
	netns=()
	if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then netns=(unshare -n --); fi
	# A private bus with an unlocked Secret Service, as a user's session has (the session is
	# kept in the keyring: no "will not be remembered" banner over the header).
	exec "${netns[@]}" xvfb-run -a -s "-screen 0 1280x800x24" \
		"$(cd "$(dirname "$0")" && pwd)/../keyring/with-secret-service.sh" "$0" "$bin"
fi

bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
shots=$root/test/out/screenshots
mkdir -p "$shots"
ip link set lo up 2>/dev/null || true
work=$(mktemp -d -t desklit-gui-services.XXXXXX)
pid=""
# shellcheck source=test/gui/procs.sh
. "$root/test/gui/procs.sh" # alive, descendants, stop_tree
cleanup() {
	if [ -n "$pid" ]; then for q in $(descendants "$pid") $pid; do kill -KILL "$q" 2>/dev/null || true; done; fi
	cp "$work/window.log" "$root/test/out/gui-services-window.log" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { log "FAIL: $*"; tail -30 "$work/window.log" >&2 || true; import -window root "$shots/gui-services-failure.png" 2>/dev/null || true; exit 1; }
wait_for() { # wait_for SECONDS WHAT COMMAND...
	local d=$((SECONDS + $1)) what=$2
	shift 2
	until "$@"; do [ $SECONDS -lt $d ] || fail "$what"; sleep 0.5; done
}

project=$work/two-services
mkdir -p "$project"
printf 'import streamlit as st\nst.title("Two services")\n' >"$project/app.py"
cat >"$project/desklit.toml" <<'EOF'
name = "Two services"

[services.svc-a]
command = ["python", "-m", "http.server", "{port}", "--bind", "127.0.0.1"]
health  = "/"

[services.svc-b]
command = ["python", "-m", "http.server", "{port}", "--bind", "127.0.0.1"]
health  = "/"
EOF
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share \
	XDG_STATE_HOME=$work/home/.local/state XDG_CACHE_HOME=$work/home/.cache
mkdir -p "$HOME"
export DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS="${DESKLIT_TEST_WHEELS:-$root/.cache/test-wheelhouse}"
"$bin" "$project" >"$work/window.log" 2>&1 &
pid=$!

status() { "$bin" status 2>/dev/null; }
svc_pid() { status | awk -v s="$1" '$1 == s && $2 == "Ready" { gsub(/[()]/, "", $NF); print $NF }'; }
all_ready() { local s; s=$(status); for n in streamlit svc-a svc-b; do grep -Eq "^ +$n +Ready" <<<"$s" || return 1; done; ! grep -Eq '^ +api ' <<<"$s"; }
wait_for 180 "streamlit, svc-a and svc-b Ready (and no demo API) in desklit status" all_ready
log "status: $(status | grep -E '^ +(streamlit|component|svc-a|svc-b) ' | awk '{print $1 "=" $2}' | xargs)"
wid=""
find_wid() { wid=$(xdotool search --onlyvisible --name '^Two services — Desklit$' 2>/dev/null | head -1); [ -n "$wid" ]; }
wait_for 60 "a window titled 'Two services — Desklit'" find_wid

# The header's pills: runs of the Ready dot's colour (--ok) along the header's rows.
pills() {
	import -window "$wid" png:- | convert - -crop 800x50+0+24 +repage txt:- | awk '
		NR > 1 { split($1, p, "[,:]"); x = p[1]; y = p[2]; ok = (toupper($3) == "#1F9D55")
			if (ok && !(y in last && last[y] == x - 1)) runs[y]++
			if (ok) last[y] = x }
		END { m = 0; for (y in runs) if (runs[y] > m) m = runs[y]; print m }'
}
four_pills() { [ "$(pills)" = 4 ]; }
wait_for 60 "four Ready pills in the header (Sign-in, App, svc-a, svc-b); saw $(pills)" four_pills
sleep 1
[ "$(pills)" = 4 ] || fail "the header changed: $(pills) Ready pills"
import -window root "$shots/gui-services-1-pills.png"
log "the header shows four Ready pills (the demo API's is not among them): gui-services-1-pills.png"

before=$(svc_pid svc-a)
[ -n "$before" ] || fail "no pid for svc-a"
xdotool mousemove --window "$wid" 640 400
xdotool mousemove --window "$wid" 19 12 click 1 # File
sleep 1
for _ in 1 2 3; do xdotool key Right; sleep 0.3; done # View, Account, Services
sleep 0.5
import -window root "$shots/gui-services-2-menu.png"
for _ in 1 2 3; do xdotool key Down; sleep 0.2; done # Restart streamlit, component, svc-a
xdotool key Return
restarted() { local now; now=$(svc_pid svc-a); [ -n "$now" ] && [ "$now" != "$before" ]; }
wait_for 60 "Services › Restart svc-a to restart svc-a (pid $before)" restarted
log "Services › Restart svc-a (the menu's third Restart item) restarted it: pid $before → $(svc_pid svc-a)"

stop_tree "$pid" 5 || fail "still running 5 s after SIGTERM:$left"
pid=""
log "PASS: SIGTERM ended the window and its $(echo $tracked | wc -w) descendants"
