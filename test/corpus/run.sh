#!/usr/bin/env bash
# The corpus end to end (issue 21): every sample project of test/corpus runs under
# `desklit run` and under a bare `streamlit run` in a venv that uv builds from the same
# requirements, and Chromium must see the same page in both (compare.test.mjs). Needs PyPI.
#
#   test/corpus/run.sh build/bin/desklit [SAMPLE...]
#
# The bare venvs are built first, two at a time, into .cache/corpus/venvs (kept between runs,
# rebuilt when a sample's requirements change); their downloads land in the uv cache that
# Desklit's own environments then use ($XDG_CACHE_HOME/desklit/uv under .cache/corpus), so each
# wheel is fetched once. Desklit's state (environments, recent list, session) is new every run:
# each sample is a first launch from a warm uv cache. Ports: CORPUS_PORT (default 4710) and the
# next ones, never Desklit's defaults.
set -euo pipefail
bin=$(readlink -f "${1:?usage: $0 path/to/desklit [SAMPLE...]}")
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
uv=${DESKLIT_UV:-$root/build/bin/uv}
cache=${CORPUS_CACHE:-$root/.cache/corpus}
out=$root/test/out/corpus
port=${CORPUS_PORT:-4710}
mkdir -p "$cache/venvs" "$out"
(cd "$root/test/e2e" && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; })

# The samples: NAME|ENTRY (the script a bare `streamlit run` gets)|DESKLIT (what desklit run
# gets: the folder unless said)|PAGES ("PATH=TEXT;…": the app's pages, "/" first, each with the
# text it draws last)|UPLOAD ("FILE=TEXT": a file to upload on the first page, the text it brings).
# `hello` is Streamlit's own demo, run from the installed streamlit package.
cases=(
  "pip-freeze-dashboard|streamlit_app.py||/=Receipts"
  "powershell-freeze|app.py||/=Monthly figures"
  "uv-lock-plotly|main.py||/=Orders"
  "docs-multipage|0_👋_Hello.py||/=Good morning, gardener.;/Harvest=Cumulative kilograms;/Beds=Highlight a crop"
  "navigation|streamlit_app.py||/=Who to ask;/glossary=without blame;/changelog=Faster search"
  "option-menu|app.py||/=Risotto · 45 min"
  "upload-download|app.py||/=No file yet.|$here/upload-download/testdata/people.csv=Download the cleaned CSV"
  "ml-iris|app.py||/=Prediction:"
  "old-streamlit|streamlit_app.py||/=Total"
  "single-script|loan_calculator.py|loan_calculator.py|/=Balance over time"
  "requirements-includes|inventory.py||/=Stock value by item"
  "data-editor|streamlit_app.py||/=Edits stay in this browser session."
  "poetry-src|src/Overview.py|src|/=Shifting plan ready;/Prices=Prices per hour"
  "ccds-editable|app/streamlit_app.py||/=installed with -e ."
  "hello|streamlit_app.py|streamlit_app.py|/=Welcome to Streamlit"
)
want=" $* "
selected=()
for c in "${cases[@]}"; do
  [ $# = 0 ] || [[ $want == *" ${c%%|*} "* ]] && selected+=("$c")
done

export XDG_CACHE_HOME=$cache/xdg-cache UV_CACHE_DIR=$cache/xdg-cache/desklit/uv
# The bundled wheels (the same files as on PyPI) are not fetched again for the bare venvs.
wheels=(--find-links "$root/build/wheelhouse")
bundled_pins() { grep -E '^[A-Za-z0-9_.-]+==' "$root/runtime/streamlit/requirements.txt" | sed 's/[ \\].*//'; }

# venv NAME: the bare venv of a sample, from the same requirements. A uv.lock is synced as
# locked; a requirements.txt is resolved by uv with Desklit's bundled versions preferred (its
# lock seeds the output file, which uv takes as preferences), as Desklit resolves it; a sample
# with no requirements (and hello) gets Desklit's runtime lock itself.
venv() {
  local name=$1 dir=$here/$1 v=$cache/venvs/$1 reqs
  reqs=$( { cat "$dir"/requirements.txt "$dir"/requirements/*.txt "$dir"/uv.lock "$dir"/pyproject.toml "$dir"/poetry.lock "$root/runtime/streamlit/requirements.txt" 2>/dev/null || true; } | sha256sum | cut -c1-16)
  [ "$(cat "$v/.stamp" 2>/dev/null)" = "$reqs" ] && return 0
  rm -rf "$v"
  # (set -e does not hold in a function called from an || list: each step says so itself.)
  if [ -f "$dir/uv.lock" ]; then
    (cd "$dir" && UV_PROJECT_ENVIRONMENT=$v "$uv" sync -q --frozen --no-install-project --python python3) || return 1
  elif [ -f "$dir/poetry.lock" ]; then
    # A Poetry project, as `poetry install --only main` would make it: its requirements as
    # poetry-core itself states them (the metadata uv asks the build backend for), pinned to
    # poetry.lock's versions (a package locked at two versions, one per Python range, is not).
    "$uv" venv -q --python python3 "$v" || return 1
    python3 -c 'import sys, tomllib, collections
v = collections.defaultdict(set)
for p in tomllib.load(open(sys.argv[1], "rb"))["package"]:
    if "source" not in p: v[p["name"]].add(p["version"])
print("\n".join(f"{n}=={next(iter(s))}" for n, s in sorted(v.items()) if len(s) == 1))' "$dir/poetry.lock" >"$v/poetry-pins.txt" || return 1
    "$uv" pip compile -q --no-header --python "$v/bin/python" "${wheels[@]}" -c "$v/poetry-pins.txt" "$dir/pyproject.toml" -o "$v/pins.txt" || return 1
    "$uv" pip sync -q --python "$v/bin/python" "${wheels[@]}" "$v/pins.txt" || return 1
  else
    "$uv" venv -q --python python3 "$v" || return 1
    if [ -f "$dir/requirements.txt" ]; then
      # In the sample's folder, as pip is run there: a path in the file ("-e .") is read from it.
      bundled_pins >"$v/pins.txt" || return 1
      (cd "$dir" && "$uv" pip compile -q --no-header --python "$v/bin/python" "${wheels[@]}" requirements.txt -o "$v/pins.txt") || return 1
      (cd "$dir" && "$uv" pip sync -q --python "$v/bin/python" "${wheels[@]}" "$v/pins.txt") || return 1
    else
      "$uv" pip sync -q --python "$v/bin/python" "${wheels[@]}" "$root/runtime/streamlit/requirements.txt" || return 1
    fi
  fi
  echo "$reqs" >"$v/.stamp"
}

t0=$(date +%s)
for c in "${selected[@]}"; do
  name=${c%%|*}
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
  venv "$name" >"$out/$name-venv.log" 2>&1 || echo "FAILED" >>"$out/$name-venv.log" &
done
wait
t1=$(date +%s)
echo "corpus: bare venvs ready in $((t1 - t0)) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state XDG_DATA_HOME=$work/data
mkdir -p "$HOME"
export DESKLIT_STREAMLIT_PORT=$port DESKLIT_COMPONENT_PORT=$((port + 1)) DESKLIT_API_PORT=$((port + 2)) \
  DESKLIT_IDP_PORT=$((port + 3)) DESKLIT_CALLBACK_PORT=$((port + 4)) DESKLIT_UV=$uv \
  DESKLIT_ALLOW_PLAINTEXT_SESSION=true DESKLIT_LOGIN_MODE=browser BROWSER=true
bare_port=$((port + 5))

# stop PID: SIGTERM, then it (and what it started) must be gone within 5 s.
stop() {
  local pid=$1 kids
  kids=$(descendants "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { echo "corpus: pid $pid still running 5 s after SIGTERM"; kill -KILL "$pid"; }
  wait "$pid" 2>/dev/null || true
  for k in $kids; do kill -0 "$k" 2>/dev/null && kill -KILL "$k" 2>/dev/null; done
  return 0
}
descendants() { local p; for p in $(ps -o pid= --ppid "$1"); do echo "$p"; descendants "$p"; done; }

# run_case NAME ENTRY DESKLIT PAGES UPLOAD
run_case() {
  local name=$1 entry=$2 target=$3 pages=$4 upload=$5 dir=$here/$1 v=$cache/venvs/$1 log dpid bpid url s=0 start
  log=$out/$name-desklit.log
  grep -q FAILED "$out/$name-venv.log" 2>/dev/null && { echo "corpus: $name: the bare venv failed:"; cat "$out/$name-venv.log"; return 1; }
  if [ "$name" = hello ]; then dir=$(echo "$v"/lib/python3*/site-packages/streamlit/hello); fi
  # The bare run starts beside Desklit's first launch (Desklit's ports are its own).
  (cd "$dir" && exec "$v/bin/python" -m streamlit run "$entry" --server.port "$bare_port" --server.address 127.0.0.1 \
    --server.headless true --browser.gatherUsageStats false) >"$out/$name-bare.log" 2>&1 &
  bpid=$!
  start=$(date +%s.%N)
  "$bin" run "$dir/$target" >"$log" 2>&1 &
  dpid=$!
  for _ in $(seq 1 1200); do
    grep -q "Desklit is running" "$log" && break
    kill -0 "$dpid" 2>/dev/null || break
    sleep 0.25
  done
  if ! grep -q "Desklit is running" "$log"; then
    echo "corpus: $name: desklit run did not become ready:"; tail -40 "$log"; stop "$dpid"; stop "$bpid"; return 1
  fi
  printf 'corpus: %-22s desklit run ready in %5.1f s\n' "$name" "$(awk "BEGIN { print $(date +%s.%N) - $start }")"
  url=$(grep -A1 'Open the app at:' "$log" | grep -oE 'http://127\.0\.0\.1:[0-9]+/(\?desklit_token=[A-Za-z0-9_%-]+)?' | head -1) # the secret: only for an app that reads it
  for _ in $(seq 1 240); do # (/healthz: Streamlit before 1.18)
    curl -fs "http://127.0.0.1:$bare_port/_stcore/health" >/dev/null || curl -fs "http://127.0.0.1:$bare_port/healthz" >/dev/null && break
    sleep 0.25
  done
  CORPUS_NAME=$name DESKLIT_URL=$url BARE_URL="http://127.0.0.1:$bare_port/" CORPUS_PAGES=$pages \
    CORPUS_UPLOAD=$upload CORPUS_OUT=$out node --test --test-reporter=dot "$here/compare.test.mjs" || s=1
  stop "$bpid"
  stop "$dpid"
  printf 'corpus: %-22s compared in %5.1f s\n' "$name" "$(awk "BEGIN { print $(date +%s.%N) - $start }")"
  if grep -Eq 'eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.' "$log"; then echo "corpus: a token appears in $log"; s=1; fi
  return $s
}

status=0
failed=()
for c in "${selected[@]}"; do
  IFS='|' read -r name entry target pages upload <<<"$c"
  run_case "$name" "$entry" "${target:-}" "${pages:-}" "${upload:-}" || { status=1; failed+=("$name"); }
done
echo "corpus: ${#selected[@]} samples in $(($(date +%s) - t0)) s (venvs $((t1 - t0)) s)"
[ $status = 0 ] && echo "corpus: passed" || echo "corpus: FAILED: ${failed[*]} (logs and screenshots in $out)"
exit $status
