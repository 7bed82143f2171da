#!/usr/bin/env bash
# Where launch → "Streamlit app visible" goes (issue 7): a per-phase timeline of the window's
# start-up with a warm runtime, and the CPU each process has used by "visible". Under Xvfb and a
# private D-Bus session with a throw-away keyring, on the bench's private ports (see README.md).
#
# Marks, in ms from the exec of build/bin/desklit (medians over -n launches after one warm-up):
#  - Go (the shell's log): Streamlit spawned, Streamlit Ready (health answered);
#  - Python (bench/e2e/timeline/desklit_bench_trace.py, put into the bench cache's runtime with a
#    .pth file for this run only, removed on exit): interpreter running, WebKit's GET / answered,
#    /_stcore/host-config answered (Streamlit's JS has run in WebKit), websocket accepted, the
#    first script run's start and end;
#  - outside: window mapped (xdotool), "visible" = WebKit connects to the component server, as
#    in window.sh (ss -tnp every 20 ms).
# CPU: utime+stime (/proc/PID/stat) of each process of the tree at "visible".
#
#   bench/e2e/timeline.sh [-n 5]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=5
while getopts "n:" opt; do
  case $opt in n) runs=$OPTARG ;; *) sed -n '2,18p' "$0" >&2; exit 2 ;; esac
done
if [ -z "${DESKLIT_BENCH_INNER:-}" ]; then
  [ -x "$root/build/bin/desklit" ] || { echo "bench: build/bin/desklit missing: run make build" >&2; exit 2; }
  export DESKLIT_BENCH_INNER=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$root/test/keyring/with-secret-service.sh" "$0" -n "$runs"
fi
source "$here/lib.sh"
bin=$root/build/bin/desklit
out=$bench_cache/timeline-out
mkdir -p "$out"
hz=$(getconf CLK_TCK)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
descendants() { local c; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done; }
webkit_conn() { ss -Htnp state established "( dport = :$1 )" 2>/dev/null | grep -q '"WebKit'; }

runtime=$(ls -td "$XDG_DATA_HOME"/desklit/runtime/*/ 2>/dev/null | head -1)
site=$(ls -d "$runtime"lib/python3*/site-packages 2>/dev/null | head -1)
[ -n "$site" ] || { echo "bench: no warm runtime in $XDG_DATA_HOME: run bench/e2e/start.sh -n 1 first" >&2; exit 1; }
pth=$site/zz_desklit_bench_trace.pth
printf 'import sys; sys.path.insert(0, %s); import desklit_bench_trace\n' "'$here/timeline'" >"$pth"
trap 'rm -f "$pth"' EXIT
logs=${XDG_STATE_HOME:-$HOME/.local/state}/desklit/logs
export DESKLIT_TRACE_EVENTS=$out/trace.jsonl

: >"$out/runs.jsonl"
for i in $(seq 0 "$runs"); do
  rm -f "$logs/desklit.log" "$DESKLIT_TRACE_EVENTS"
  t0=$(now_ms)
  "$bin" >"$out/window.log" 2>&1 &
  pid=$!
  tw="" tv=""
  while [ $(( $(now_ms) - t0 )) -lt 60000 ]; do
    kill -0 "$pid" 2>/dev/null || { echo "bench: the window app exited:" >&2; tail "$out/window.log" >&2; exit 1; }
    [ -z "$tw" ] && xdotool search --onlyvisible --name '^Desklit$' >/dev/null 2>&1 && tw=$(( $(now_ms) - t0 ))
    if webkit_conn "$DESKLIT_COMPONENT_PORT"; then tv=$(( $(now_ms) - t0 )); break; fi
    sleep 0.02
  done
  [ -n "$tv" ] || { echo "bench: the Streamlit app did not appear within 60 s" >&2; exit 1; }
  cpu=""
  for p in $pid $(descendants "$pid"); do
    f=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    read -r -a st <<<"$f"
    c=$(tr ' ' '_' <"/proc/$p/comm")
    case $c in desklit) c="service_$(tr '\0' ' ' <"/proc/$p/cmdline" | awk '{print $3}')" ;; esac
    cpu="$cpu $c=$(( (st[11] + st[12]) * 1000 / hz ))"
  done
  sleep 1
  kill -TERM "$pid"; wait "$pid" || true
  sleep 1.5
  [ "$i" = 0 ] && continue # warm-up: WebKit's caches, the page cache
  python3 - "$t0" "$tw" "$tv" "$logs/desklit.log" "$DESKLIT_TRACE_EVENTS" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)" >>"$out/runs.jsonl" <<'PY'
import json, sys, datetime
t0, tw, tv, golog, trace, cpu, load = sys.argv[1:]
t0 = int(t0)
m = {"window mapped": int(tw) if tw else None, "visible": int(tv), "load": float(load)}
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
    elif p in ("script start", "script end") and d.get("run") == 1:
        key = "first run " + p.split()[1]
    if key and key not in m:
        m[key] = t
m["cpu"] = {k: int(v) for k, v in (kv.split("=") for kv in cpu.split())}
print(json.dumps(m))
PY
  tail -1 "$out/runs.jsonl" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("launch:", ", ".join(f"{k} {v}" for k, v in d.items() if k != "cpu"), "| cpu ms:", d["cpu"])'
done

python3 - "$out/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
order = ["streamlit spawned", "python running", "window mapped", "streamlit Ready", "GET / answered",
         "host-config (JS ran)", "websocket accepted", "first run start", "first run end", "visible"]
print(f"\n{len(runs)} launches (load {min(r['load'] for r in runs)}–{max(r['load'] for r in runs)}); ms from exec, median (min … max):")
for k in order:
    v = [r[k] for r in runs if r.get(k) is not None]
    if v:
        print(f"  {k:22s} {statistics.median(v):6.0f}  ({min(v)} … {max(v)})")
groups = {}
for r in runs:
    per = {}
    for name, ms in r["cpu"].items():
        g = "services (api, component)" if name.startswith("service_") else name
        per[g] = per.get(g, 0) + ms
    for g, ms in per.items():
        groups.setdefault(g, []).append(ms)
tot = [sum(r["cpu"].values()) for r in runs]
print("CPU used by 'visible', per process, median ms:")
for g, v in sorted(groups.items(), key=lambda kv: -statistics.median(kv[1])):
    print(f"  {g:26s} {statistics.median(v):6.0f}")
print(f"  {'total':26s} {statistics.median(tot):6.0f}  → at least {statistics.median(tot) / 2:.0f} ms of wall time on 2 fully used cores")
PY
