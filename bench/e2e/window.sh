#!/usr/bin/env bash
# The desktop window (issue 7), under Xvfb and a private D-Bus session with a throw-away keyring:
#
#  1. Launch → Streamlit app visible in the window, with a warm runtime, against a bare Streamlit's
#     time to /_stcore/health, interleaved (-n pairs). "Visible" = the window's WebKit network
#     process has opened a connection to the component server: the Streamlit page has loaded in
#     the window, its websocket (/_stcore/stream) is up, the script has run and WebKit has
#     rendered the script's first element, the sign-in component's iframe, and requests it.
#     The first WebKit connection to Streamlit's port (page load starts) is reported too. Both
#     are seen from outside with `ss -tnp` every 20 ms; the bare health is probed with curl at
#     the same interval. A screenshot after the last launch is checked not to be blank.
#  2. Idle CPU: the window app is started again, left alone for -s seconds to settle, then the
#     CPU time (utime+stime from /proc/PID/stat, clock ticks) of the whole process tree (the
#     shell, WebKit's web and network processes, the api and component services, Streamlit) is
#     summed at the start and the end of -i seconds of idle, as a % of one core.
#  3. Memory: at the end of the idle span, PSS (/proc/PID/smaps_rollup) and RSS of Desklit's own
#     processes (the shell, WebKit, the Go services; Streamlit listed apart), against a bare
#     Wails hello-world window (bench/e2e/hello, the same build tags) measured the same way after
#     the same settle and idle span (its idle CPU is reported too). With -b, also against the
#     least any window can do to show the same app: bench/e2e/bareapp (hello's options, the page
#     an iframe) showing a bare `python -m streamlit run` of the same app and runtime (no
#     component server: the sign-in component's frame stays empty), measured the same way.
#
#   bench/e2e/window.sh [-n 5] [-i 120] [-s 20] [-b]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pairs=5 idle=120 settle=20 baseline=""
while getopts "n:i:s:b" opt; do
  case $opt in
    n) pairs=$OPTARG ;; i) idle=$OPTARG ;; s) settle=$OPTARG ;; b) baseline=1 ;;
    *) sed -n '2,30p' "$0" >&2; exit 2 ;;
  esac
done
cache=${DESKLIT_BENCH_CACHE:-/tmp/desklit-bench-cache}
if [ -z "${DESKLIT_BENCH_INNER:-}" ]; then
  [ -x "$root/build/bin/desklit" ] || { echo "bench: build/bin/desklit missing: run make build" >&2; exit 2; }
  mkdir -p "$cache"
  (cd "$root/bench" && go build -tags desktop,production,webkit2_41 -o "$cache/hello" ./e2e/hello)
  [ -z "$baseline" ] || (cd "$root/bench" && go build -tags desktop,production,webkit2_41 -o "$cache/bareapp" ./e2e/bareapp)
  export DESKLIT_BENCH_INNER=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$root/test/keyring/with-secret-service.sh" "$0" -n "$pairs" -i "$idle" -s "$settle" ${baseline:+-b}
fi
source "$here/lib.sh"
bin=$root/build/bin/desklit
out=$cache/window-out
mkdir -p "$out"
ports_free() {
  local p
  for _ in $(seq 1 200); do
    local busy=""
    for p in $bench_ports; do ss -Hltn "sport = :$p" | grep -q . && busy=1; done
    [ -z "$busy" ] && return 0
    sleep 0.05
  done
  echo "bench: ports still in use:" >&2; ss -Hltnp >&2; return 1
}
stop_pid() { # SIGTERM the process we started; wait for it and everything it started
  local pid=$1 kids
  kids=$(descendants "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    local left=""
    for k in $kids; do kill -0 "$k" 2>/dev/null && left=1; done
    [ -z "$left" ] && return 0
    sleep 0.05
  done
  echo "bench: children of $pid still running: $kids" >&2
}

py=$(ls -td "$XDG_DATA_HOME"/desklit/envs/py*/ 2>/dev/null | head -1)bin/python
app=$XDG_DATA_HOME/desklit/app/app.py
if [ ! -x "$py" ] || [ ! -f "$app" ]; then
  echo "bench: no warm runtime in $XDG_DATA_HOME: run bench/e2e/start.sh -n 1 first" >&2; exit 1
fi

# launch_window: start the window app (pid in win_pid); write "stream_ms comp_ms" to
# $out/last-launch (or fail after 120 s).
win_pid=""
launch_window() {
  local t0 ts="" tc="" tw=""
  t0=$(now_ms)
  "$bin" >"$out/window.log" 2>&1 &
  win_pid=$!
  while [ $(( $(now_ms) - t0 )) -lt 120000 ]; do
    kill -0 "$win_pid" 2>/dev/null || { echo "bench: the window app exited:" >&2; tail "$out/window.log" >&2; return 1; }
    [ -z "$tw" ] && xdotool search --onlyvisible --name '^Desklit$' >/dev/null 2>&1 && tw=$(( $(now_ms) - t0 ))
    [ -z "$ts" ] && webkit_conn "$DESKLIT_STREAMLIT_PORT" && ts=$(( $(now_ms) - t0 ))
    if webkit_conn "$DESKLIT_COMPONENT_PORT"; then tc=$(( $(now_ms) - t0 )); break; fi
    sleep 0.02
  done
  [ -n "$tc" ] || { echo "bench: the Streamlit app did not appear in the window within 120 s" >&2; return 1; }
  echo "${ts:-$tc} $tc ${tw:-$tc}" >"$out/last-launch"
}
bare_health() {
  local t0 pid t=""
  t0=$(now_ms)
  (bare_streamlit "$py" "$app") >/dev/null 2>&1 &
  pid=$!
  while [ $(( $(now_ms) - t0 )) -lt 120000 ]; do
    if curl -sf -o /dev/null "http://127.0.0.1:$DESKLIT_STREAMLIT_PORT/_stcore/health"; then t=$(( $(now_ms) - t0 )); break; fi
    sleep 0.02
  done
  stop_pid "$pid"
  [ -n "$t" ] || { echo "bench: bare streamlit not healthy" >&2; return 1; }
  echo "$t"
}
stats() { # stats < numbers: median p95 min max n
  sort -n | awk '{v[NR]=$1} END {n=NR; m=(n%2)?v[(n+1)/2]:(v[n/2]+v[n/2+1])/2; k=int(n*0.95+0.999999); if(k>n)k=n;
    printf "median %.0f ms  p95 %.0f  min %.0f  max %.0f  (n=%d)", m, v[k], v[1], v[n], n}'
}

echo "== 1. launch → Streamlit app visible in the window vs bare Streamlit → health ($pairs pairs, warm runtime)"
# Warm-up (not counted): page cache, WebKit's caches in the throw-away HOME.
launch_window; sleep 2; stop_pid "$win_pid"; ports_free
bare_health >/dev/null; ports_free
: >"$out/launch.txt"
for i in $(seq 1 "$pairs"); do
  if [ $((i % 2)) = 1 ]; then
    launch_window; read -r ts tc tw <"$out/last-launch"; sleep 1; stop_pid "$win_pid"; ports_free
    b=$(bare_health); ports_free
  else
    b=$(bare_health); ports_free
    launch_window; read -r ts tc tw <"$out/last-launch"; sleep 1
    [ "$i" = "$pairs" ] && import -window root "$out/launch-visible.png"
    stop_pid "$win_pid"; ports_free
  fi
  echo "$ts $tc $b $tw" >>"$out/launch.txt"
  printf 'pair %d: window mapped %5d ms, → WebKit on Streamlit %5d ms, → app visible %5d ms   bare streamlit → health %5d ms   visible − health %+5d ms   load %s\n' \
    "$i" "$tw" "$ts" "$tc" "$b" $((tc - b)) "$(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "window → mapped (xdotool):             $(awk '{print $4}' "$out/launch.txt" | stats)"
echo "window → WebKit connects to Streamlit: $(awk '{print $1}' "$out/launch.txt" | stats)"
echo "window → Streamlit app visible:        $(awk '{print $2}' "$out/launch.txt" | stats)"
echo "bare streamlit → /_stcore/health:      $(awk '{print $3}' "$out/launch.txt" | stats)"
echo "visible − health, per pair:            $(awk '{print $2-$3}' "$out/launch.txt" | stats)   (goal ≤ +500 ms)"
if [ -f "$out/launch-visible.png" ]; then
  colours=$(convert "$out/launch-visible.png" -crop 1280x700+0+100 +repage -format '%k' info:)
  echo "screenshot 1 s after 'visible' ($out/launch-visible.png): $colours colours below the header"
fi

# tree_ticks PIDS: summed utime+stime (clock ticks) of the given processes.
tree_ticks() {
  local p s=0 f
  for p in "$@"; do
    f=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    set -- $f
    s=$(( s + ${12} + ${13} ))
  done
  echo $s
}
# mem PIDS: per process "pid comm pss_kB rss_kB" (PSS from smaps_rollup).
mem() {
  local p
  for p in "$@"; do
    [ -r "/proc/$p/smaps_rollup" ] || continue
    printf '%s %s %s %s\n' "$p" "$(tr ' ' '_' <"/proc/$p/comm")" \
      "$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup")" "$(awk '/^Rss:/{print $2}' "/proc/$p/smaps_rollup")"
  done
}
idle_measure() { # idle_measure NAME PID: settle, then CPU over $idle s and memory at the end
  local name=$1 pid=$2 pids a b
  sleep "$settle"
  pids="$pid $(descendants "$pid" | tr '\n' ' ')"
  a=$(tree_ticks $pids)
  local t0; t0=$(now_ms)
  sleep "$idle"
  b=$(tree_ticks $pids)
  local span=$(( $(now_ms) - t0 ))
  awk -v d=$((b - a)) -v hz="$hz" -v ms="$span" -v n="$name" 'BEGIN { printf "%s idle CPU: %.2f s in %.0f s = %.2f %% of one core\n", n, d/hz, ms/1000, 100*d/hz/(ms/1000) }'
  mem $pids >"$out/mem-$name.txt"
  echo "$name processes (pid comm PSS_kB RSS_kB):"; sed 's/^/  /' "$out/mem-$name.txt"
}

echo
echo "== 2+3. idle CPU over ${idle} s (after ${settle} s settle) and memory; load $(cut -d' ' -f1-3 /proc/loadavg)"
launch_window
idle_measure desklit "$win_pid"
import -window root "$out/idle-desklit.png"
stop_pid "$win_pid"; ports_free

t0=$(now_ms)
"$cache/hello" >"$out/hello.log" 2>&1 &
hello_pid=$!
for _ in $(seq 1 3000); do xdotool search --onlyvisible --name '^Hello$' >/dev/null 2>&1 && break; sleep 0.02; done
echo "hello-world: launch → window mapped $(( $(now_ms) - t0 )) ms (one run)"
idle_measure hello "$hello_pid"
import -window root "$out/idle-hello.png"
stop_pid "$hello_pid"

if [ -n "$baseline" ]; then
  ports_free
  (bare_streamlit "$py" "$app") >"$out/bare-streamlit.log" 2>&1 &
  bare_st=$!
  BENCH_STREAMLIT_URL="http://127.0.0.1:$DESKLIT_STREAMLIT_PORT/" "$cache/bareapp" >"$out/bareapp.log" 2>&1 &
  bare_pid=$!
  idle_measure bare "$bare_pid"
  import -window root "$out/idle-bare.png"
  stop_pid "$bare_pid"; stop_pid "$bare_st"; ports_free
fi

own() { grep -v ' python' "$out/mem-$1.txt" | awk -v c="$2" '{s+=$c} END {print s+0}'; }
pyp=$(awk '/ python/{s+=$3} END {print s+0}' "$out/mem-desklit.txt")
pyr=$(awk '/ python/{s+=$4} END {print s+0}' "$out/mem-desklit.txt")
dp=$(own desklit 3) dr=$(own desklit 4) hp=$(own hello 3) hr=$(own hello 4)
awk -v dp="$dp" -v dr="$dr" -v hp="$hp" -v hr="$hr" -v pyp="$pyp" -v pyr="$pyr" 'BEGIN {
  printf "Desklit own processes (shell, WebKit, api, component): PSS %.1f MB, RSS %.1f MB; Streamlit (python) apart: PSS %.1f MB, RSS %.1f MB\n", dp/1024, dr/1024, pyp/1024, pyr/1024
  printf "bare Wails hello-world (shell, WebKit):                PSS %.1f MB, RSS %.1f MB\n", hp/1024, hr/1024
  printf "ratio Desklit own / hello-world: PSS %.2f, RSS %.2f (goal ≤ 1.3)\n", dp/hp, dr/hr }'
if [ -n "$baseline" ]; then
  bp=$(own bare 3) br=$(own bare 4)
  awk -v dp="$dp" -v dr="$dr" -v hp="$hp" -v hr="$hr" -v bp="$bp" -v br="$br" 'BEGIN {
    printf "bare window showing the same Streamlit page (bareapp, WebKit): PSS %.1f MB, RSS %.1f MB = PSS %.2f, RSS %.2f × hello-world\n", bp/1024, br/1024, bp/hp, br/hr
    printf "Desklit own / that baseline: PSS %.2f, RSS %.2f (Desklit adds PSS %+.1f MB, RSS %+.1f MB)\n", dp/bp, dr/br, (dp-bp)/1024, (dr-br)/1024 }'
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); screenshots and logs in $out"
