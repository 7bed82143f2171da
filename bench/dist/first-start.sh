#!/usr/bin/env bash
# First start of an installed .deb, offline: from the double-click (env -i, from /, a fresh HOME:
# no environment, no uv cache) to every service Ready, and — for a packaged app whose script prints
# a line when it runs (test/projects/extra-package does) — to that line in its Streamlit log, i.e.
# its page computed for the window. Not a test: it prints each run and the median.
#
#   sudo bench/dist/first-start.sh dist/desklit_*.deb [-n 5] [-c]
#   sudo bench/dist/first-start.sh test/out/package/extra-package_*.deb -n 5 -m 'tabulate 0.10.0 imported'
#
# Each run is in a private network namespace (loopback only), under Xvfb with a private D-Bus
# session and a throw-away gnome-keyring, as test/dist/deb-e2e.sh runs the app. The package is
# installed first when it is not, and removed at the end if this script installed it.
set -euo pipefail
if [ "${1:-}" = --inner ]; then
	shift
	home=$1 prog=$2 urls=$3 mark=$4 log=$5
	mkdir -p "$home/run" && chmod 0700 "$home/run"
	printf 'bench' | HOME=$home XDG_RUNTIME_DIR=$home/run gnome-keyring-daemon --foreground --unlock --components=secrets \
		--control-directory="$home/run/keyring" >/dev/null 2>&1 &
	kpid=$!
	for _ in $(seq 100); do
		dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
			string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' && break
		sleep 0.05
	done
	[ -n "${XAUTHORITY:-}" ] && cp "$XAUTHORITY" "$home/.Xauthority"
	t0=$(date +%s%N)
	(cd / && exec env -i DISPLAY="$DISPLAY" HOME="$home" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" "$prog") >"$home/app.log" 2>&1 &
	pid=$!
	ready="" seen=""
	while :; do
		now=$(date +%s%N)
		[ $(((now - t0) / 1000000000)) -lt 120 ] || { echo "timeout" >&2; break; }
		if [ -z "$ready" ]; then
			ok=1
			for u in $urls; do curl -fsS -o /dev/null --max-time 1 "$u" 2>/dev/null || { ok=""; break; }; done
			[ -n "$ok" ] && ready=$(((now - t0) / 1000000))
		fi
		if [ -n "$mark" ] && [ -z "$seen" ] && grep -q "$mark" "$home/.local/state/$log/logs/streamlit.log" 2>/dev/null; then
			seen=$(((now - t0) / 1000000))
		fi
		[ -n "$ready" ] && { [ -z "$mark" ] || [ -n "$seen" ]; } && break
		sleep 0.05
	done
	echo "${ready:-none} ${seen:-none}"
	kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
	kill "$kpid" 2>/dev/null; wait "$kpid" 2>/dev/null || true
	exit 0
fi
deb=$(readlink -f "${1:?usage: $0 PACKAGE.deb [-n N] [-m MARK]}"); shift
n=5 mark="" cold=""
while [ $# -gt 0 ]; do case $1 in -n) n=$2; shift 2 ;; -m) mark=$2; shift 2 ;; -c) cold=1; shift ;; *) echo "unknown $1" >&2; exit 2 ;; esac; done
[ "$(id -u)" = 0 ] || { echo "run as root (apt-get install, network namespace)" >&2; exit 2; }
id=$(dpkg-deb -f "$deb" Package)
installed_here=""
if ! dpkg-query -W -f='${Status}' "$id" 2>/dev/null | grep -q 'install ok installed'; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null 2>&1
	installed_here=1
fi
trap '[ -n "$installed_here" ] && DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$id" >/dev/null 2>&1; true' EXIT
prog=/usr/bin/$id
ports="4010 3001 8888"
if [ -f "/usr/lib/$id/desklit-app.json" ]; then
	ports=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1])).get("ports",{}); print(p.get("DESKLIT_STREAMLIT_PORT",4010), p.get("DESKLIT_COMPONENT_PORT",3001), p.get("DESKLIT_API_PORT",8888))' "/usr/lib/$id/desklit-app.json")
fi
set -- $ports
urls="http://127.0.0.1:$1/_stcore/health http://127.0.0.1:$2/healthz http://127.0.0.1:$3/healthz"
echo "first start of $id ($(dpkg-deb -f "$deb" Version)), offline, $n runs${cold:+, cold caches}; load $(cut -d' ' -f1-3 /proc/loadavg)"
readies=() seens=()
for i in $(seq "$n"); do
	# Each first start writes a ~470 MB environment and a uv cache; the runs are independent only
	# when one does not pay for the one before: its disk writeback, and (in a VM) the page cache it
	# left, which made uv's file writes cost 2-4x the system time. With -c each run starts from cold
	# caches, as a first start after a reboot does (the package's files are read from disk).
	sync
	[ -n "$cold" ] && echo 3 >/proc/sys/vm/drop_caches
	home=$(mktemp -d -t desklit-first-start.XXXXXX); chmod 0755 "$home"
	out=$(unshare -n -- sh -c 'ip link set lo up && exec "$@"' sh xvfb-run -a -s "-screen 0 1280x800x24" \
		dbus-run-session -- "$0" --inner "$home" "$prog" "$urls" "$mark" "$id" 2>/dev/null | tail -1)
	rm -rf "$home"
	read -r r s <<<"$out"
	echo "run $i: all services Ready after ${r} ms$([ -n "$mark" ] && echo ", '$mark' after ${s} ms")"
	readies+=("$r"); seens+=("$s")
done
median() { printf '%s\n' "$@" | grep -v none | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "none"}'; }
echo "median: Ready $(median "${readies[@]}") ms$([ -n "$mark" ] && echo ", page computed $(median "${seens[@]}") ms")"
