# Helpers of test/gui/e2e.sh and stlogin-e2e.sh, which source them: the run inside Xvfb, its
# steps, the processes it started, the windows it waits for and photographs, and the checks of
# what a picture shows. They read the script's settings ($bin, $shots, $out, $work, $here,
# $accent) and state ($pid, $tracked, $fpid; not_blank sets $colours and $sd).
# shellcheck shell=bash
# shellcheck source=test/gui/procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/procs.sh"

# gui_reexec: runs the script again, with $bin and $shots, in one Xvfb display and one bus for
# every step: the keyring wrapper starts dbus-run-session, the gnome-keyring daemon (unlocked,
# waits for org.freedesktop.secrets) and a throw-away HOME/XDG.
gui_reexec() {
  local dir
  dir=$(cd "$(dirname "$0")" && pwd)
  export DESKLIT_GUI_E2E_INNER=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" \
    "$dir/../keyring/with-secret-service.sh" "$dir/$(basename "$0")" "$bin" "$shots"
}
# gui_settings BIN SHOTS: the inner run's $bin, $shots, $here, $root and $out; it works from the
# repository's root (the shell finds ./build/wheelhouse from the working directory).
gui_settings() {
  bin=$1 shots=$2
  here=$(cd "$(dirname "$0")" && pwd)
  root=$(cd "$here/../.." && pwd)
  cd "$root"
  out="$root/test/out"
  mkdir -p "$shots" "$out"
}

step() { printf 'gui-e2e: step %s\n' "$*"; }
log() { printf 'gui-e2e:   %s\n' "$*" >&2; }

# same_binary: processes running this binary (or desklit-window beside it, which it becomes to
# open the window) with this run's HOME, whoever their parent is now (a child re-parented to
# init); other runs of the same binary on the machine are not ours.
same_binary() {
  local p e
  for p in /proc/[0-9]*; do
    e=$(readlink "$p/exe" 2>/dev/null) || continue
    [ "$e" = "$bin" ] || [ "$e" = "$(dirname "$bin")/desklit-window" ] || continue
    tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF "HOME=$HOME" || continue
    alive "${p#/proc/}" && echo "${p#/proc/}"
  done
  return 0
}
cleanup() { # only what this script started, by PID; keeps Desklit's own logs in test/out
  local p
  if [ -d "$XDG_STATE_HOME/desklit" ]; then
    rm -rf "$out/gui-e2e-state" && cp -r "$XDG_STATE_HOME/desklit" "$out/gui-e2e-state" 2>/dev/null || true
  fi
  for p in $pid $tracked $(descendants "${pid:-0}" 2>/dev/null) $fpid; do
    [ -n "$p" ] && alive "$p" && kill -KILL "$p" 2>/dev/null
  done
  rm -rf "$work"
  return 0
}
# enter_password WID: types the demo password into the sign-in window WID (the password field has
# autofocus) and waits up to 60 s for the window titled $signin_title to close.
enter_password() {
  local deadline
  xdotool windowfocus --sync "$1" 2>/dev/null || xdotool windowfocus "$1"
  xdotool mousemove --window "$1" 5 5 # keep the pointer (and PointerRoot focus) on the sign-in window
  sleep 0.5
  xdotool type --delay 60 "desklit"
  xdotool key Return
  deadline=$((SECONDS + 60))
  while find_window "$signin_title" >/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "the sign-in window did not close within 60 s"
    sleep 0.5
  done
}
# windows: every visible top-level window's id, geometry and title (for the log).
windows() {
  local w
  for w in $(xdotool search --onlyvisible --maxdepth 1 --name '' 2>/dev/null || true); do
    printf '%s %s "%s"\n' "$w" "$(xdotool getwindowgeometry "$w" 2>/dev/null | awk '/Position/ { p = $2 } /Geometry/ { g = $2 } END { print g "+" p }')" \
      "$(xdotool getwindowname "$w" 2>/dev/null)"
  done
}
fail() {
  log "FAIL: $*"
  windows | sed 's/^/gui-e2e:   window /' >&2
  import -window root "$out/gui-e2e-failure.png" 2>/dev/null && log "screen at the failure: $out/gui-e2e-failure.png"
  exit 1
}

# find_window TITLE: the id of a visible window whose name is exactly TITLE (xdotool matches
# names as a case-insensitive regular expression, so compare exactly afterwards).
find_window() {
  local w re
  re=$(printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g') # a title is text, not a pattern
  for w in $(xdotool search --onlyvisible --name "^$re\$" 2>/dev/null || true); do
    [ "$(xdotool getwindowname "$w" 2>/dev/null)" = "$1" ] && { echo "$w"; return 0; }
  done
  return 1
}
# wait_window TITLE SECONDS [PID]: prints the window id; fails if PID exits first.
wait_window() {
  local deadline=$((SECONDS + $2)) w
  while [ $SECONDS -lt $deadline ]; do
    if [ -n "${3:-}" ] && ! alive "$3"; then fail "process $3 exited before a window titled '$1' appeared"; fi
    w=$(find_window "$1") && { echo "$w"; return 0; }
    sleep 0.3
  done
  fail "no window titled '$1' within $2 s"
}
# wait_for SECONDS WHAT CMD...: runs CMD until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  while [ $SECONDS -lt $deadline ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "$what: not within the wait"
}
# http_ok URL [BODY]: a 2xx answer (with exactly BODY, if given) within 2 s.
http_ok() {
  python3 - "$@" <<'PY'
import sys, urllib.request
try:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(sys.argv[1], timeout=2) as r:
        body = r.read().decode(errors="replace")
except Exception:
    sys.exit(1)
sys.exit(0 if len(sys.argv) < 3 or body.strip() == sys.argv[2] else 1)
PY
}
healthy() { http_ok http://127.0.0.1:4010/_stcore/health ok; }
listening() { ss -Hltn "sport = :$1" | grep -q .; }

# not_blank WID: the window's content below the native menu bar (the lower 90 %) has at least
# 16 colours and some contrast (test/gui/smoke.sh's check), retried up to 20 s for a page still
# loading. Sets colours and sd.
not_blank() {
  local win=$work/win.png deadline=$((SECONDS + 20))
  while :; do
    import -window "$1" "$win"
    colours=$(convert "$win" -gravity south -crop 100%x90%+0+0 +repage -format '%k' info:)
    sd=$(convert "$win" -gravity south -crop 100%x90%+0+0 +repage -colorspace Gray -format '%[fx:standard_deviation]' info:)
    if [ "$colours" -ge 16 ] && awk -v s="$sd" 'BEGIN { exit !(s > 0.005) }'; then return 0; fi
    [ $SECONDS -lt $deadline ] || fail "window $1 looks blank ($colours colours, grey standard deviation $sd)"
    sleep 0.5
  done
}
# settled WID SECONDS: waits (up to SECONDS) until two window captures 1.5 s apart are the same
# (fewer than 1000 pixels differ: Streamlit's small "running" indicator may still move),
# so that a page that is still painting is not photographed half-way. Not an error if it never
# settles (a spinner may run), only noted.
settled() {
  local a=$work/a.png b=$work/b.png deadline=$((SECONDS + $2)) diff
  import -window "$1" "$a"
  while [ $SECONDS -lt $deadline ]; do
    sleep 1.5
    import -window "$1" "$b"
    diff=$(compare -metric AE "$a" "$b" null: 2>&1 || true)
    [ "${diff%% *}" -lt 1000 ] 2>/dev/null && return 0
    mv "$b" "$a"
  done
  log "(window $1 still changing after $2 s; taking the picture anyway)"
}
# shot NAME WID TITLE: checks the title, checks the content is not blank, saves the whole screen
# (what a user sees at 1280x800) as $shots/NAME.
shot() {
  local name
  name=$(xdotool getwindowname "$2" 2>/dev/null) || fail "window $2 is gone"
  [ "$name" = "$3" ] || fail "window title is '$name', want '$3'"
  xdotool mousemove 1279 799 2>/dev/null || true # no hover effects or tooltips in the picture
  sleep 0.5
  not_blank "$2"
  import -window root "$shots/$1"
  log "$1: window '$name', content has $colours colours, grey standard deviation $sd"
}
# accent_pixels WID: how many pixels of the header row are the primary button's colour.
accent_pixels() {
  import -window "$1" "$work/h.png"
  convert "$work/h.png" -crop "100%x50+0+24" +repage txt:- | grep -ci " $accent " || true
}
# content_accent_pixels WID: pixels of the accent colour below the header (a progress bar).
content_accent_pixels() {
  import -window "$1" "$work/c.png"
  convert "$work/c.png" -crop "100%x100%+0+80" +repage txt:- | grep -ci " $accent " || true
}
# accent_centre WID: "X Y" of the primary ("Log in") button in the header, window coordinates.
accent_centre() {
  import -window "$1" "$work/h.png"
  convert "$work/h.png" -crop "100%x50+0+24" +repage txt:- | awk -v c="$accent" '
    toupper($3) == c { split($1, p, "[,:]"); x += p[1]; y += p[2]; n++ }
    END { if (n < 200) exit 1; printf "%d %d\n", x / n, y / n + 24 }'
}
# app_settled WID WHAT: the Streamlit page below the header has left its "Checking your session…"
# box (st.info, #EDF5FF) and shows no warning box (st.warning, #FFFAE5, e.g. Streamlit's "Your app
# is having trouble loading the desklit_auth component"): that is, the sign-in component loaded
# inside the window and reported. Waits up to 60 s; the Streamlit light theme's colours.
app_settled() {
  local deadline=$((SECONDS + 60)) counts info warn
  while :; do
    import -window "$1" "$work/app.png"
    counts=$(convert "$work/app.png" -crop "100%x100%+0+80" +repage txt:- |
      awk '$3 == "#EDF5FF" { i++ } $3 == "#FFFAE5" { w++ } END { printf "%d %d\n", i, w }')
    read -r info warn <<<"$counts"
    [ "$info" -lt 3000 ] && [ "$warn" -lt 3000 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      import -window root "$out/gui-e2e-failure.png"
      fail "$2: the app still shows an info box ($info px, 'Checking your session…'?) or a warning box ($warn px, the component failed to load?) after 60 s; see test/out/gui-e2e-failure.png"
    fi
    sleep 1
  done
}
close_window() { python3 "$here/wm_close.py" "$1"; } # as a window manager's close button does
# stop_and_check PID WID: closes the window and checks PID and its recorded descendants are gone
# within 3 s, and no process of the binary is left.
stop_and_check() {
  local p t0 left took status=0
  tracked=$(descendants "$1" | tr '\n' ' ')
  log "process tree before closing: $1 $tracked"
  t0=$(date +%s%N)
  close_window "$2"
  while :; do
    left=""
    for p in $1 $tracked; do alive "$p" && left="$left $p"; done
    [ -z "$left" ] && break
    [ $(($(date +%s%N) - t0)) -ge 3000000000 ] && break
    sleep 0.05
  done
  took=$((($(date +%s%N) - t0) / 1000000))
  wait "$1" 2>/dev/null || status=$?
  if [ -n "$left" ]; then
    ps -o pid,ppid,stat,etime,args -p "$(echo $left | tr ' ' ',')" >&2 || true
    fail "still running 3 s after closing the window:$left"
  fi
  local strays
  strays=$(same_binary | tr '\n' ' ')
  [ -z "$strays" ] || fail "processes of $bin still running after the window closed: $strays"
  log "desklit (exit status $status) and its $(echo $tracked | wc -w) descendants gone ${took} ms after closing the window"
  tracked=""
}
