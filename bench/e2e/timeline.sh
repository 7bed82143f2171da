#!/usr/bin/env bash
# Where launch → "Streamlit app visible" goes (issue 7): a per-phase timeline of the window's
# start-up with a warm runtime, and the CPU each process has used by "visible". Under Xvfb and a
# private D-Bus session with a throw-away keyring, on the bench's private ports (see README.md).
#
# Marks, in ms from the exec of build/bin/desklit (medians over -n launches after one warm-up):
#  - Go (the shell's log): Streamlit spawned, Streamlit Ready (health answered);
#  - Python (bench/e2e/probe/desklit_bench_trace.py, put into the bench cache's runtime with a
#    .pth file for this run only, removed on exit): interpreter running, WebKit's GET / answered,
#    /_stcore/host-config answered (Streamlit's JS has run in WebKit), websocket accepted, the
#    first script run's start and end;
#  - outside: window mapped (xdotool), "visible" = WebKit connects to the component server, as
#    in window.sh (ss -tnp every 20 ms).
# CPU: utime+stime (/proc/PID/stat) of each process of the tree at "visible".
#
# -b adds the baseline, interleaved: the least any WebKit window can do to show the same app — a
# bare Wails window (bench/e2e/bareapp, hello's options) and a bare `python -m streamlit run` of
# the same app and runtime (window.sh's bare command), started together; the window loads the
# page as soon as the server answers. Compared on the Python-side marks (the bare app has no
# component server, so it has no "visible"); "health" is the first /_stcore/health answered.
#
#   bench/e2e/timeline.sh [-n 5] [-b]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=5 baseline=""
while getopts "n:b" opt; do
  case $opt in n) runs=$OPTARG ;; b) baseline=1 ;; *) sed -n '2,24p' "$0" >&2; exit 2 ;; esac
done
cache=${DESKLIT_BENCH_CACHE:-/tmp/desklit-bench-cache}
if [ -z "${DESKLIT_BENCH_INNER:-}" ]; then
  [ -x "$root/build/bin/desklit" ] || { echo "bench: build/bin/desklit missing: run make build" >&2; exit 2; }
  mkdir -p "$cache"
  [ -z "$baseline" ] || (cd "$root/bench" && go build -tags desktop,production,webkit2_41 -o "$cache/bareapp" ./e2e/bareapp)
  export DESKLIT_BENCH_INNER=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$root/test/keyring/with-secret-service.sh" "$0" -n "$runs" ${baseline:+-b}
fi
source "$here/lib.sh"
bin=$root/build/bin/desklit
out=$bench_cache/timeline-out
mkdir -p "$out"
stop_tree() { # SIGTERM a process we started, wait for it, then give its helpers time to go
  kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; sleep 1.5
}

runtime=$(ls -td "$XDG_DATA_HOME"/desklit/envs/py*/ 2>/dev/null | head -1)
site=$(ls -d "$runtime"lib/python3*/site-packages 2>/dev/null | head -1)
app=$XDG_DATA_HOME/desklit/app/app.py
[ -n "$site" ] && [ -f "$app" ] || { echo "bench: no warm runtime in $XDG_DATA_HOME: run bench/e2e/start.sh -n 1 first" >&2; exit 1; }
trace=$out/trace.jsonl
pth=$site/zz_desklit_bench_trace.pth
# The probe learns where to write from this line: Desklit passes no variable of ours to Streamlit.
printf 'import sys; sys.path.insert(0, %s); import desklit_bench_trace; desklit_bench_trace.start(%s, "launch")\n' \
  "'$here/probe'" "'$trace'" >"$pth"
trap 'rm -f "$pth"' EXIT
logs=${XDG_STATE_HOME:-$HOME/.local/state}/desklit/logs

# marks KIND T0 MAPPED VISIBLE CPU: one JSON line of marks (ms from T0) on stdout.
marks() {
  python3 - "$@" "$logs/desklit.log" "$trace" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys, datetime
kind, t0, tw, tv, cpu, golog, trace, load = sys.argv[1:]
t0 = int(t0)
m = {"kind": kind, "window mapped": int(tw) if tw else None, "load": float(load)}
if tv:
    m["visible"] = int(tv)
if kind == "desklit":
    for line in open(golog, encoding="utf-8"):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if d.get("msg") == "service state" and d.get("service") == "streamlit":
            t = datetime.datetime.fromisoformat(d["time"].replace("Z", "+00:00")).timestamp() * 1000 - t0
            key = {"Starting": "streamlit spawned", "Ready": "streamlit Ready"}.get(d.get("state"))
            if key and key not in m:
                m[key] = round(t)
names = {"/": "GET / answered", "/_stcore/host-config": "host-config (JS ran)"}
for line in open(trace, encoding="utf-8"):
    d = json.loads(line)
    if "phase" not in d:
        continue
    t, p = round(d["t"] - t0), d["phase"]
    key = {"python": "python running", "websocket": "websocket accepted"}.get(p)
    if p == "http":
        key = names.get(d["path"])
        if d["path"].endswith("/_stcore/health") and d.get("status") == 200:
            key = "health answered"
    elif p in ("script start", "script end") and d.get("run") == 1:
        key = "first run " + p.split()[1]
    if key and key not in m:
        m[key] = t
m["cpu"] = {k: int(v) for k, v in (kv.split("=") for kv in cpu.split())}
print(json.dumps(m))
PY
}
cpu_of() { # cpu_of PIDS: "comm=ms …" (utime+stime so far)
  local p f c s=""
  for p in "$@"; do
    f=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    read -r -a st <<<"$f"
    c=$(tr ' ' '_' <"/proc/$p/comm")
    case $c in desklit) c="service_$(tr '\0' ' ' <"/proc/$p/cmdline" | awk '{print $3}')" ;; esac
    s="$s $c=$(( (st[11] + st[12]) * 1000 / hz ))"
  done
  echo "$s"
}

launch_desklit() { # one launch of the window app; marks on stdout
  rm -f "$logs/desklit.log" "$trace"
  local t0 pid tw="" tv="" cpu
  t0=$(now_ms)
  "$bin" >"$out/window.log" 2>&1 &
  pid=$!
  while [ $(( $(now_ms) - t0 )) -lt 60000 ]; do
    kill -0 "$pid" 2>/dev/null || { echo "bench: the window app exited:" >&2; tail "$out/window.log" >&2; exit 1; }
    [ -z "$tw" ] && xdotool search --onlyvisible --name '^Desklit$' >/dev/null 2>&1 && tw=$(( $(now_ms) - t0 ))
    if webkit_conn "$DESKLIT_COMPONENT_PORT"; then tv=$(( $(now_ms) - t0 )); break; fi
    sleep 0.02
  done
  [ -n "$tv" ] || { echo "bench: the Streamlit app did not appear within 60 s" >&2; exit 1; }
  cpu=$(cpu_of "$pid" $(descendants "$pid"))
  sleep 1
  stop_tree "$pid"
  marks desklit "$t0" "$tw" "$tv" "$cpu"
}

launch_bare() { # the baseline: bare Streamlit + bare window, started together; marks on stdout
  rm -f "$trace"
  local t0 py wpid spid tw="" ok="" cpu
  py=${runtime}bin/python
  t0=$(now_ms)
  (bare_streamlit "$py" "$app") >"$out/bare-streamlit.log" 2>&1 &
  spid=$!
  BENCH_STREAMLIT_URL="http://127.0.0.1:$DESKLIT_STREAMLIT_PORT/" "$cache/bareapp" >"$out/bareapp.log" 2>&1 &
  wpid=$!
  while [ $(( $(now_ms) - t0 )) -lt 60000 ]; do
    [ -z "$tw" ] && xdotool search --onlyvisible --name '^Bare$' >/dev/null 2>&1 && tw=$(( $(now_ms) - t0 ))
    if grep -q '"script end", "run": 1' "$trace" 2>/dev/null; then ok=1; break; fi
    sleep 0.02
  done
  [ -n "$ok" ] || { echo "bench: the bare app's first run did not end within 60 s" >&2; tail "$out/bare-streamlit.log" >&2; exit 1; }
  cpu=$(cpu_of "$spid" "$wpid" $(descendants "$wpid"))
  sleep 1
  kill -TERM "$spid" 2>/dev/null || true
  stop_tree "$wpid"; wait "$spid" 2>/dev/null || true
  marks bare "$t0" "$tw" "" "$cpu"
}

: >"$out/runs.jsonl"
launch_desklit >/dev/null # warm-up: WebKit's caches, the page cache
[ -z "$baseline" ] || launch_bare >/dev/null
for i in $(seq 1 "$runs"); do
  if [ -n "$baseline" ] && [ $((i % 2)) = 0 ]; then
    launch_bare >>"$out/runs.jsonl"; launch_desklit >>"$out/runs.jsonl"
  else
    launch_desklit >>"$out/runs.jsonl"; [ -z "$baseline" ] || launch_bare >>"$out/runs.jsonl"
  fi
  echo "launch $i done, load $(cut -d' ' -f1-3 /proc/loadavg)"
done

python3 - "$out/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
order = ["streamlit spawned", "python running", "window mapped", "health answered", "streamlit Ready",
         "GET / answered", "host-config (JS ran)", "websocket accepted", "first run start",
         "first run end", "visible"]
def med(v):
    return f"{statistics.median(v):6.0f}  ({min(v)} … {max(v)})"
for kind in ("desklit", "bare"):
    rs = [r for r in runs if r["kind"] == kind]
    if not rs:
        continue
    title = "Desklit's window" if kind == "desklit" else "baseline: bare window + bare Streamlit"
    print(f"\n{title}: {len(rs)} launches (load {min(r['load'] for r in rs)}–{max(r['load'] for r in rs)}); ms from exec, median (min … max):")
    for k in order:
        v = [r[k] for r in rs if r.get(k) is not None]
        if v:
            print(f"  {k:22s} {med(v)}")
    groups = {}
    for r in rs:
        per = {}
        for name, ms in r["cpu"].items():
            g = "services (api, component)" if name.startswith("service_") else name
            per[g] = per.get(g, 0) + ms
        for g, ms in per.items():
            groups.setdefault(g, []).append(ms)
    tot = [sum(r["cpu"].values()) for r in rs]
    upto = "'visible'" if kind == "desklit" else "the first run's end"
    print(f"  CPU used by {upto}, per process, median ms:")
    for g, v in sorted(groups.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"    {g:26s} {statistics.median(v):6.0f}")
    print(f"    {'total':26s} {statistics.median(tot):6.0f}  → at least {statistics.median(tot) / 2:.0f} ms of wall time on 2 fully used cores")
d = [r for r in runs if r["kind"] == "desklit"]
b = [r for r in runs if r["kind"] == "bare"]
if d and b:
    print("\nDesklit − baseline, medians (ms):")
    for k in ("GET / answered", "websocket accepted", "first run end"):
        print(f"  {k:22s} {statistics.median(r[k] for r in d) - statistics.median(r[k] for r in b):+6.0f}")
PY
