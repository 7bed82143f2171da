# The processes a test started, for the GUI tests (smoke.sh, e2e-lib.sh, services-e2e.sh) and
# test/dist/package-services-e2e.sh, which source this.
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
# stop_tree PID SECONDS: SIGTERM to PID, then wait until PID and every process that was below it
# are gone. Sets $tracked (those descendants) and, when some outlive SECONDS, $left (returns 1).
stop_tree() {
  local deadline=$((SECONDS + $2)) q
  tracked=$(descendants "$1" | tr '\n' ' ')
  kill -TERM "$1"
  while :; do
    left=""
    for q in $1 $tracked; do alive "$q" && left="$left $q"; done
    [ -z "$left" ] && return 0
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}
