# The processes a GUI test started, for test/gui/smoke.sh and e2e-lib.sh, which source this.
# shellcheck shell=bash

# alive PID: a zombie counts as gone (asked twice: during an exec the pid may look like one for a
# moment).
alive() {
  local s try
  for try in 1 2; do
    s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [ -n "$s" ] && [ "${s:0:1}" != Z ] && return 0
    [ "$try" = 1 ] && sleep 0.2
  done
  return 1
}
# descendants PID: every process below PID, depth first.
descendants() {
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$c"
    descendants "$c"
  done
}
