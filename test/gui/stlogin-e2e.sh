#!/usr/bin/env bash
# GUI end to end of an app written for Streamlit's own sign-in (test/projects/st-login: st.login,
# st.user, st.logout) in Desklit's window, on the production build, in one Xvfb display and one
# private D-Bus session with a throw-away keyring and HOME (as test/gui/e2e.sh). The app prints
# what st.user says at every run ("st.user: <email>" or "st.user: signed out") to Streamlit's
# log: that is what each step checks, from the app's side, beside Desklit's header and `desklit
# status`. The window shows Streamlit in a cross-site frame; the provider's page (the dev IdP's,
# which forbids framing) only ever shows in the "Sign in — Desklit" window.
#
#   test/gui/stlogin-e2e.sh build/bin/desklit   # screenshots in test/out/screenshots/gui-stlogin-*.png
#
#   1 the app's "Log in" (st.login) opens Desklit's sign-in window; signed in, st.user has the user
#     and Desklit's header shows the user (one session)
#   2 the app's "Log out" (st.logout) signs Desklit out: the header offers "Log in" again
#   3 Desklit's own Log in, then a rerun of the app: st.user signed in without st.login
#   4 a new start of the window while signed in: st.user signed in at the first run, no password
#   5 Desklit's Account › Log Out, then a rerun of the app: st.user signed out
#
# Ports: the project's own (desklit.toml: 4210 3201 9088 9211). Its environment is built offline
# from build/wheelhouse and the test wheelhouse (Authlib, httpx: make test-wheels). Its issuer is
# its own .streamlit/secrets.toml [auth] (it has no desklit.toml [auth]): a provider Desklit does
# not start, here the dev IdP on its own (`desklit serve idp`) on 127.0.0.1:9210.
set -euo pipefail
# shellcheck source=test/gui/e2e-lib.sh
. "$(dirname "$0")/e2e-lib.sh"

if [ -z "${DESKLIT_GUI_E2E_INNER:-}" ]; then
  bin=$(readlink -f "${1:?usage: $0 path/to/desklit}")
  shots=$(cd "$(dirname "$0")/../.." && pwd)/test/out/screenshots
  mkdir -p "$shots"
  gui_reexec
fi

gui_settings "$@"
work=$(mktemp -d)
project=$root/test/projects/st-login
title="st.login app — Desklit"
signin_title="Sign in — Desklit"
accent="#3559E0"  # Desklit's primary button (the header's "Log in")
pid="" fpid="" tracked="" colours="" sd="" # fpid: the project's own provider
trap cleanup EXIT
export DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS="${DESKLIT_TEST_WHEELS:-$root/.cache/test-wheelhouse}"
streamlit_log=$XDG_STATE_HOME/desklit/logs/streamlit.log

# st_user: the last thing the app printed about st.user.
st_user() { grep -o 'st\.user: .*' "$streamlit_log" 2>/dev/null | tail -1 | cut -d' ' -f2-; }
st_user_is() { [ "$(st_user)" = "$1" ]; }
expect_st_user() { wait_for 60 "the app to print 'st.user: $1' (last: '$(st_user)')" st_user_is "$1"; }
header_login() { [ "$(accent_pixels "$wid")" -ge 200 ]; } # the header's primary "Log in"
header_user() { ! header_login; }
signed_in() { "$bin" status 2>&1 | grep -qi "signed in as ada"; }
signed_out() { ! signed_in; }

# st_button: clicks the app's primary button (found by its colour below the header).
st_button() {
  local xy
  xdotool mousemove 1279 799 # no hover colour
  sleep 0.5
  import -window "$wid" "$work/st.png"
  # Streamlit's primary button is the one strong red below the header (its exact shade varies
  # between Streamlit versions).
  xy=$(convert "$work/st.png" -crop "100%x100%+0+80" +repage -depth 8 txt:- | awk '
    NR > 1 { split($2, c, "[(),]"); if (c[2] > 150 && c[3] < 110 && c[4] < 120) { split($1, p, "[,:]"); x += p[1]; y += p[2]; n++ } }
    END { if (n < 100) exit 1; printf "%d %d\n", x / n, y / n + 80 }') || fail "no primary button of the app ($1) found"
  log "clicking the app's '$1' at window position $xy"
  # shellcheck disable=SC2086
  xdotool mousemove --window "$wid" $xy click 1
}
# sign_in_window [SHOT]: waits for Desklit's sign-in window and its page, photographs it as SHOT when
# given, and signs in there (enter_password).
sign_in_window() {
  local swid
  swid=$(wait_window "$signin_title" 60)
  wait_for 60 "the sign-in page" listening 9211
  sleep 2
  [ -n "${1:-}" ] && { settled root 10; shot "$1" "$swid" "$signin_title"; }
  enter_password "$swid"
}
# rerun: Streamlit's "r" shortcut in the app's frame (a rerun of the same session).
rerun() {
  xdotool mousemove --window "$wid" 1100 700 click 1
  sleep 0.3
  xdotool key r
}
start_window() {
  "$bin" "$project" >"$out/gui-stlogin-$1.log" 2>&1 &
  pid=$!
  log "started desklit $project (pid $pid), output in test/out/gui-stlogin-$1.log"
  wid=$(wait_window "$title" 60 "$pid")
  wait_for 180 "Streamlit health at 127.0.0.1:4210" http_ok http://127.0.0.1:4210/_stcore/health ok
}

# A copy of the binary: stop_and_check looks for Desklit's own processes by their executable.
cp "$bin" "$work/provider"
DESKLIT_IDP_PORT=9210 "$work/provider" serve idp >"$out/gui-stlogin-idp.log" 2>&1 &
fpid=$!
wait_for 30 "the project's provider on 127.0.0.1:9210" http_ok http://127.0.0.1:9210/.well-known/openid-configuration

step "1 st.login in the window"
start_window run1
expect_st_user "signed out"
wait_for 30 "the header's Log in" header_login
settled "$wid" 20
shot gui-stlogin-1-signed-out.png "$wid" "$title"
st_button "Log in"
sign_in_window gui-stlogin-2-signin-window.png
expect_st_user "ada@example.com"
wait_for 60 "the header to show the user" header_user
wait_for 30 "'desklit status' to say signed in" signed_in
settled "$wid" 20
shot gui-stlogin-3-signed-in.png "$wid" "$title"
step "1 ok: st.login signed in through Desklit's window; st.user and the header agree"

step "2 st.logout signs Desklit out"
st_button "Log out"
expect_st_user "signed out"
wait_for 60 "the header's Log in after st.logout" header_login
wait_for 30 "'desklit status' to say signed out" signed_out
step "2 ok"

step "3 Desklit's Log in, then the app's next run"
# shellcheck disable=SC2046
xdotool mousemove --window "$wid" $(accent_centre "$wid") click 1
sign_in_window
wait_for 60 "the header to show the user" header_user
rerun
expect_st_user "ada@example.com"
step "3 ok: st.user signed in on the next run, without st.login"

step "4 a new start while signed in"
stop_and_check "$pid" "$wid"
start_window run2
expect_st_user "ada@example.com"
find_window "$signin_title" >/dev/null && fail "a sign-in window opened on a start while signed in"
step "4 ok: st.user signed in at the first run"

step "5 Desklit's Log out, then the app's next run"
xdotool mousemove --window "$wid" 121 12 click 1 # Account
sleep 1
xdotool key Down Down Return # Log In…, Log Out
wait_for 60 "the header's Log in after Account › Log Out" header_login
rerun
expect_st_user "signed out"
step "5 ok: st.user signed out on the next run"
stop_and_check "$pid" "$wid"
grep -q '"sign-in started".*"issuer":"http://127.0.0.1:9210"' "$XDG_STATE_HOME/desklit/logs/desklit.log" ||
  fail "Desklit did not sign in against the project's own issuer (127.0.0.1:9210)"
kill -TERM "$fpid" && wait "$fpid" 2>/dev/null || true
fpid=""
echo "gui-stlogin-e2e: passed"
