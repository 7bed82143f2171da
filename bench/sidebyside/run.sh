#!/usr/bin/env bash
# The side-by-side of issue 21: the same Streamlit app (test/corpus/single-script) in Desklit's
# window and in streamlit-desktop-app, interleaved, under Xvfb, in a private D-Bus session (a
# throw-away keyring and HOME) and a private network namespace (no network, no port collisions).
# See main.go for the method. Needs build/bin/desklit (make build), Debian's python3-gi and
# gir1.2-webkit2-4.1 (pywebview's GTK backend; PyGObject is not built from source) and PyPI once:
# the peer goes into .cache/sidebyside/venv, a venv of /usr/bin/python3 with system site packages.
#
#   bench/sidebyside/run.sh [-n 6] [-cold 0] [-settle 5s]
set -euo pipefail
cd "$(dirname "$0")/../.."
peer_version=0.3.4
venv=.cache/sidebyside/venv
[ -x build/bin/desklit ] || { echo "bench/sidebyside: build/bin/desklit missing: run make build" >&2; exit 2; }
/usr/bin/python3 -c 'import gi; gi.require_version("WebKit2", "4.1")' 2>/dev/null ||
  { echo "bench/sidebyside: needs apt-get install python3-gi gir1.2-webkit2-4.1" >&2; exit 2; }
if ! "$venv/bin/python" -c 'import streamlit_desktop_app, webview' 2>/dev/null; then
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install -q "streamlit-desktop-app==$peer_version"
fi
mkdir -p .cache/sidebyside
go -C bench build -o ../.cache/sidebyside/bench ./sidebyside
ns=(unshare -n)
[ "$(id -u)" = 0 ] || ns=(unshare -rn)
exec "${ns[@]}" bash -c 'ip link set lo up && exec xvfb-run -a -s "-screen 0 1280x800x24" \
  test/keyring/with-secret-service.sh .cache/sidebyside/bench "$@"' bench "$@"
