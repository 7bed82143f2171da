#!/usr/bin/env bash
# The Windows CLI end to end under Wine (desklit.exe cross-built without cgo), in the prefix that
# run.sh made, on free ports (never the default ones other Desklits may hold):
#   doctor     runs, finds the Credential Manager, and fails "webview" until the WebView2
#              runtime's registry key is there (then names its version);
#   serve api  answers /api/ping on 127.0.0.1;
#   login      in browser mode: $BROWSER is test/windows/browser (a scripted browser that signs
#              in on the embedded dev IdP's page), the session lands in the Credential Manager;
#   status     says signed in, as whom; no token in any file of the prefix but Wine's encrypted
#              credential store, none under %LOCALAPPDATA%\desklit nor in the registry;
#   logout     signs out; status says not signed in; the credentials are gone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/test/windows/wine.sh"
GO=${GO:-go}
out="$WIN_OUT/cli"
rm -rf "$out"
mkdir -p "$out"
ok() { printf 'windows: cli: ok: %s\n' "$*" >&2; }
fail() { printf 'windows: cli: FAIL: %s\n' "$*" >&2; exit 1; }

(cd "$root" && CGO_ENABLED=0 GOOS=windows GOARCH=amd64 "$GO" build -o "$out/desklit.exe" . &&
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 "$GO" build -o "$out/browser.exe" ./test/windows/browser)

read -r api comp st idp cb < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(5)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
WINE_ENV=(DESKLIT_API_PORT="$api" DESKLIT_COMPONENT_PORT="$comp" DESKLIT_STREAMLIT_PORT="$st"
	DESKLIT_IDP_PORT="$idp" DESKLIT_CALLBACK_PORT="$cb"
	DESKLIT_LOGIN_MODE=browser BROWSER="$(winpath "$out/browser.exe")"
	DESKLIT_TEST_USER=analyst DESKLIT_TEST_PASSWORD=desklit)
desklit() { wine "$out/desklit.exe" "$@"; }
expect() { # expect FILE TEXT WHAT
	grep -qF -- "$2" "$1" || { sed 's/^/    /' "$1" >&2; fail "$3: no '$2'"; }
}
webview_key='HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}'

# doctor: exits 1 (no Python in the prefix), but its checks are what is looked at.
desklit doctor >"$out/doctor.txt" 2>&1 || true
expect "$out/doctor.txt" "[ok  ] keyring    the system keyring answers" "doctor"
expect "$out/doctor.txt" "[FAIL] webview    the WebView2 runtime is not installed" "doctor without WebView2"
expect "$out/doctor.txt" "go.microsoft.com/fwlink" "doctor says where WebView2 comes from"
expect "$out/doctor.txt" 'C:\users\' "doctor names Windows folders"
wine reg add "$webview_key" /v pv /t REG_SZ /d 131.0.2903.70 /f >/dev/null 2>&1
desklit doctor >"$out/doctor2.txt" 2>&1 || true
expect "$out/doctor2.txt" "[ok  ] webview    WebView2 runtime 131.0.2903.70" "doctor with WebView2's key"
wine reg delete "$webview_key" /f >/dev/null 2>&1 || true
ok "doctor: keyring ok, WebView2 missing then found by its registry key"

# serve api: /api/ping on the loopback.
(wine_exec "$out/desklit.exe" serve api) >"$out/serve-api.log" 2>&1 &
serve=$!
for _ in $(seq 100); do
	python3 -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=2).read())' \
		"http://127.0.0.1:$api/api/ping" >"$out/ping.json" 2>/dev/null && break
	sleep 0.2
done
kill "$serve" 2>/dev/null || true
wait "$serve" 2>/dev/null || true
[ -s "$out/ping.json" ] || { cat "$out/serve-api.log" >&2; fail "serve api: /api/ping never answered on $api"; }
ok "serve api: /api/ping → $(head -c 200 "$out/ping.json")"

# login in browser mode, then status.
desklit login >"$out/login.txt" 2>&1 || { cat "$out/login.txt" >&2; fail "login"; }
ok "login: $(tr -d '\r' <"$out/login.txt" | grep -v '^browser:' | tail -1)"
desklit status >"$out/status.txt" 2>&1 || true
expect "$out/status.txt" "signed in as" "status after login"
expect "$out/status.txt" "refresh      available" "status after login"
ok "status: $(grep -o 'signed in as.*' "$out/status.txt" | tr -d '\r')"

# The session is in the Credential Manager (Wine keeps it encrypted in its registry: reg query
# sees the live state, user.reg is written later) and nowhere else: no token in any file of the
# prefix nor in the user's registry.
credman() { wine reg query 'HKCU\Software\Wine\Credential Manager' /s 2>/dev/null | tr -d '\r'; }
creds=$(credman | grep -cF '\Generic: desklit:' || true)
[ "$creds" -gt 0 ] || fail "no desklit credential in the Credential Manager"
wine reg query 'HKCU' /s 2>/dev/null | tr -d '\r' >"$out/hkcu.txt" || true
leaks=$(grep -rlaE 'eyJ[A-Za-z0-9_-]{20,}\.|refresh_token' "$WINEPREFIX/drive_c" "$out/hkcu.txt" 2>/dev/null || true)
[ -z "$leaks" ] || fail "a token outside the Credential Manager: $leaks"
ok "session: $creds Credential Manager entries (desklit:session...), no token in any file or registry value"

desklit logout >"$out/logout.txt" 2>&1 || { cat "$out/logout.txt" >&2; fail "logout"; }
expect "$out/logout.txt" "Signed out" "logout"
desklit status >"$out/status2.txt" 2>&1 || true
expect "$out/status2.txt" "not signed in" "status after logout"
left=$(credman | grep -cF '\Generic: desklit:' || true)
[ "$left" = 0 ] || fail "$left desklit credentials left after logout"
ok "logout: not signed in, no credential left"
