#!/usr/bin/env bash
# Screenshots of the real window on the FakeBackend (app/desktop/desktoptest), one per UI state,
# each taken and checked by smoke.sh (title, not blank, clean exit), into OUT (default
# test/out/screenshots/ui-states; `make screenshots` copies them over docs/screenshots/ui-states).
#
#   test/gui/screenshots-fake.sh [OUT]      # OUT relative to the repository root; builds the dev harness
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-test/out/screenshots/ui-states}
mkdir -p "$out"
bin=$(mktemp -d)/devharness
(cd frontend && { [ -d node_modules ] || npm ci; } && npm run build >/dev/null)
go build -tags desktop,production,webkit2_41 -o "$bin" ./app/desktop/internal/devharness

# The Apps view (Ctrl+2), then a click on "churn" (its environment not yet built): the progress
# screen names it. The row is the second of the list at 1280x800.
APP_SETUP_CLICKS="key ctrl+2 sleep 1 mousemove 640 231 click 1 sleep 2.5"

# File › Package App… (Ctrl+Shift+P) on Sales dashboard; then Windows checked (its box is the
# second at 1280x800), Package pressed, and the fake's eleven steps played: the packages made.
SALES=/home/ada/projects/sales
PACKAGE_CLICKS="key ctrl+shift+p sleep 1 mousemove 305 265 click 1 mousemove 329 422 click 1 sleep 3.5"

shot() { # name settle-seconds [-a action] [-t title] -- harness args
  local name=$1 settle=$2; shift 2
  local opts=()
  while [ "$1" = "-a" ] || [ "$1" = "-t" ]; do opts+=("$1" "$2"); shift 2; done
  if [ "$1" = "--" ]; then shift; fi
  test/gui/smoke.sh -o "$out/window-fake-$name.png" -w "$settle" "${opts[@]}" -- "$bin" "$@"
  rm -f "$out/window-fake-$name.log"
}

shot firstrun 3 -- -scenario firstrun -pace 700ms
shot ready 4 -- -scenario ready -pace 200ms
shot signedin 4 -- -scenario signedin -pace 200ms
shot logs 3 -a "key ctrl+l" -- -scenario signedin -pace 200ms
shot pill-menu 3 -a "mousemove 240 47 click 1" -- -scenario signedin -pace 200ms
shot port-conflict 3 -- -scenario port_in_use
shot no-python 3 -- -scenario no_python
shot crash-loop 3 -- -scenario crash_loop -pace 200ms
shot runtime-build-failed 4 -- -scenario runtime_build -pace 200ms
shot no-keyring 4 -- -scenario no_keyring -pace 200ms
shot apps 3 -a "key ctrl+2" -- -scenario signedin -pace 200ms
shot app-setup 2 -a "$APP_SETUP_CLICKS" -- -scenario signedin -pace 700ms
shot app-failed 4 -t "Quarterly report — Desklit" -- -scenario app_failed -pace 200ms
shot package 2 -a "key ctrl+shift+p" -t "Sales dashboard — Desklit" -- -scenario signedin -pace 200ms -app "$SALES"
shot package-done 1 -a "$PACKAGE_CLICKS" -t "Sales dashboard — Desklit" -- -scenario signedin -pace 200ms -app "$SALES"
test/gui/smoke.sh -t "Sign in — Desklit" -o "$out/window-fake-signin.png" -w 3 -- "$bin" -signin
rm -f "$out/window-fake-signin.log"
echo "screenshots in $out"
