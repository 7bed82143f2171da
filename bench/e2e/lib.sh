# Sourced by the bench/e2e runners: a fixed data dir that keeps one warm Python runtime between
# runs (XDG_DATA_HOME; everything else stays in the throw-away HOME that
# test/keyring/with-secret-service.sh makes), and private ports so that a bench does not collide
# with a Desklit (or an e2e test) on the default ports.
bench_cache=${DESKLIT_BENCH_CACHE:-/tmp/desklit-bench-cache}
mkdir -p "$bench_cache/data"
export XDG_DATA_HOME="$bench_cache/data"
export DESKLIT_STREAMLIT_PORT=${DESKLIT_STREAMLIT_PORT:-14010} DESKLIT_COMPONENT_PORT=${DESKLIT_COMPONENT_PORT:-13001} \
  DESKLIT_API_PORT=${DESKLIT_API_PORT:-18888} DESKLIT_IDP_PORT=${DESKLIT_IDP_PORT:-19010} \
  DESKLIT_CALLBACK_PORT=${DESKLIT_CALLBACK_PORT:-19011}
bench_ports="$DESKLIT_STREAMLIT_PORT $DESKLIT_COMPONENT_PORT $DESKLIT_API_PORT $DESKLIT_IDP_PORT $DESKLIT_CALLBACK_PORT"
for p in $bench_ports; do
  if ss -Hltn "sport = :$p" | grep -q .; then echo "bench: port $p is in use; set DESKLIT_*_PORT" >&2; exit 1; fi
done
echo "bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), data dir $XDG_DATA_HOME"
# bare_streamlit PYTHON APP: exec a bare `python -m streamlit run APP` on the bench's Streamlit port,
# in APP's folder (its .streamlit/config.toml applies), with the flags Desklit passes. Run it in a
# subshell: (bare_streamlit "$py" "$app") >log 2>&1 &
bare_streamlit() {
  cd "$(dirname "$2")" && exec "$1" -m streamlit run "$2" --server.port "$DESKLIT_STREAMLIT_PORT" \
    --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false \
    --global.developmentMode false
}
# Shared by the window benches (window.sh, timeline.sh).
hz=$(getconf CLK_TCK)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
descendants() { local c; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done; }
webkit_conn() { # webkit_conn PORT: an established connection from a WebKit process to PORT?
  ss -Htnp state established "( dport = :$1 )" 2>/dev/null | grep -q '"WebKit'
}
