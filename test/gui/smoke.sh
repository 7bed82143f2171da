#!/usr/bin/env bash
# Window smoke test: start a Desklit binary under Xvfb and a private D-Bus session, wait for its
# window, check the title, screenshot it and check that the screenshot is not blank, then send
# SIGTERM (or, with -c, close the window as its close button does) and check that the process
# and every process it started are gone within 3 s.
#
#   test/gui/smoke.sh [options] -- /path/to/desklit [args...]
#
# Options:
#   -o FILE     screenshot path (default: ./smoke.png)
#   -t TITLE    expected window title (default: Desklit)
#   -w SECONDS  settle time after the window appears, before the screenshot (default: 3)
#   -a ACTION   xdotool arguments to run before the screenshot, e.g. "key ctrl+l"
#   -k SECONDS  how long the process may take to exit after SIGTERM (default: 3)
#   -W SECONDS  how long to wait for the window (default: 60)
#   -c          close the window (WM_DELETE_WINDOW, see wm_close.py) instead of SIGTERM
#
# Needs: xvfb-run, dbus-run-session, xdotool, ImageMagick (import, convert), procps (ps).
# Runs with a throw-away HOME and XDG directories unless DESKLIT_SMOKE_KEEP_HOME=1.
set -euo pipefail

out=smoke.png title=Desklit settle=3 action="" grace=3 window_wait=60 close=""
while getopts "o:t:w:a:k:W:c" opt; do
  case $opt in
    o) out=$OPTARG ;;
    t) title=$OPTARG ;;
    w) settle=$OPTARG ;;
    a) action=$OPTARG ;;
    k) grace=$OPTARG ;;
    W) window_wait=$OPTARG ;;
    c) close=-c ;;
    *) sed -n '2,19p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
if [ $# -lt 1 ]; then sed -n '2,19p' "$0" >&2; exit 2; fi
bin=$(readlink -f "$1"); shift
[ -x "$bin" ] || { echo "smoke: $bin is not an executable" >&2; exit 2; }
out=$(readlink -f "$out")

# Re-run ourselves inside Xvfb and a private session bus (once).
if [ -z "${DESKLIT_SMOKE_INNER:-}" ]; then
  export DESKLIT_SMOKE_INNER=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
    "$0" -o "$out" -t "$title" -w "$settle" -a "$action" -k "$grace" -W "$window_wait" $close -- "$bin" "$@"
fi

log() { printf 'smoke: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; cleanup_kill; exit 1; }

if [ -z "${DESKLIT_SMOKE_KEEP_HOME:-}" ]; then
  home=$(mktemp -d)
  export HOME=$home XDG_CONFIG_HOME=$home/.config XDG_STATE_HOME=$home/.local/state \
    XDG_DATA_HOME=$home/.local/share XDG_CACHE_HOME=$home/.cache
fi
applog=$(dirname "$out")/$(basename "$out" .png).log

"$bin" "$@" >"$applog" 2>&1 &
pid=$!
log "started $bin (pid $pid), output in $applog"

# shellcheck source=test/gui/procs.sh
. "$(dirname "$0")/procs.sh" # alive, descendants
# Processes running this binary or desklit-window beside it (what it becomes to open the window),
# whoever their parent is now (a child re-parented to init).
same_binary() {
  local p e
  for p in /proc/[0-9]*; do
    e=$(readlink "$p/exe" 2>/dev/null) || continue
    { [ "$e" = "$bin" ] || [ "$e" = "$(dirname "$bin")/desklit-window" ]; } && alive "${p#/proc/}" && echo "${p#/proc/}"
  done
  return 0
}
tracked=""
cleanup_kill() { # only what this script started: the binary and its recorded descendants
  local p
  for p in $pid $tracked; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
  return 0
}

# 1. The window.
wid=""
deadline=$((SECONDS + window_wait))
while [ $SECONDS -lt $deadline ]; do
  alive "$pid" || fail "the process exited before its window appeared (see $applog)"
  # xdotool matches names case-insensitively; keep the window whose title is exactly right.
  for w in $(xdotool search --onlyvisible --name "^${title}\$" 2>/dev/null || true); do
    [ "$(xdotool getwindowname "$w" 2>/dev/null)" = "$title" ] && { wid=$w; break; }
  done
  [ -n "$wid" ] && break
  sleep 0.2
done
[ -n "$wid" ] || fail "no window titled '$title' within ${window_wait}s"
name=$(xdotool getwindowname "$wid")
[ "$name" = "$title" ] || fail "window title is '$name', want '$title'"
log "window $wid titled '$name'"

sleep "$settle"
if [ -n "$action" ]; then
  eval "xdotool $action"
  sleep 1.5
fi
xdotool mousemove 1279 799 2>/dev/null || true # no hover tooltips in the picture

# 2. The screenshot, not blank. The check looks at the window's content below its menu bar
# (the lower 90 %), so a menu bar over an empty page does not pass. A page still loading is
# given up to 20 s more.
win=$(mktemp --suffix=.png)
deadline=$((SECONDS + 20))
while :; do
  import -window "$wid" "$win"
  colours=$(convert "$win" -gravity south -crop 100%x90%+0+0 +repage -format '%k' info:)
  sd=$(convert "$win" -gravity south -crop 100%x90%+0+0 +repage -colorspace Gray -format '%[fx:standard_deviation]' info:)
  if [ "$colours" -ge 16 ] && awk -v s="$sd" 'BEGIN { exit !(s > 0.005) }'; then break; fi
  [ $SECONDS -lt $deadline ] || { rm -f "$win"; fail "window looks blank ($colours colours, standard deviation $sd)"; }
  sleep 0.5
done
rm -f "$win"
import -window root "$out"
log "screenshot $out: window content has $colours colours, grey standard deviation $sd"

# 3. SIGTERM (or close): the process and everything it started must be gone within the grace period.
tracked=$(descendants "$pid" | tr '\n' ' ')
log "process tree before SIGTERM: $pid $tracked"
declare -A gone
t0=$(date +%s%N)
if [ -n "$close" ]; then
  python3 "$(dirname "$(readlink -f "$0")")/wm_close.py" "$wid"
else
  kill -TERM "$pid"
fi
deadline_ns=$((t0 + grace * 1000000000))
left=""
while :; do
  left=""
  for p in $pid $tracked; do
    if alive "$p"; then left="$left $p"; elif [ -z "${gone[$p]:-}" ]; then gone[$p]=$((($(date +%s%N) - t0) / 1000000)); fi
  done
  [ -z "$left" ] && break
  [ "$(date +%s%N)" -ge "$deadline_ns" ] && break
  sleep 0.05
done
took=$((($(date +%s%N) - t0) / 1000000))
status=0
wait "$pid" 2>/dev/null || status=$?
log "exit status $status"
if [ -n "$left" ]; then
  ps -o pid,ppid,stat,etime,args -p "$(echo $left | tr " " ",")" >&2 || true
  fail "still running ${grace}s after $([ -n "$close" ] && echo "closing the window" || echo SIGTERM):$left"
fi
strays=$(same_binary | tr '\n' ' ')
[ -z "$strays" ] || fail "processes of $bin still running after exit: $strays"
for p in $pid $tracked; do log "  pid $p gone after ${gone[$p]:-0} ms"; done
log "PASS: exited with its $(echo $tracked | wc -w) descendants in ${took} ms"
