#!/usr/bin/env bash
# The end-to-end benchmarks once each (`make bench` runs this): warm start and session change
# (issue 6), the window's launch, idle CPU and memory, and its launch timeline against the
# baseline window (issue 7). See README.md for the method of each; ~15 min with these settings.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
"$here/start.sh" -n 8 || status=1
"$here/session.sh" 20 || status=1
"$here/window.sh" -n 8 -i 120 -s 20 -b || status=1
"$here/timeline.sh" -n 8 -b || status=1
exit $status
