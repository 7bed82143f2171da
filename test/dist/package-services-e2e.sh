#!/usr/bin/env bash
# A packaged app runs the services its desklit.toml declares (#23): `desklit package` of
# test/projects/notes-fastapi (a FastAPI service behind Desklit's guard, protect = "bearer"), its
# tarball unpacked as a user installs it (read-only to the user who runs it), and the packaged
# launcher started as that user would start it (env -i, from /, `run`: no window), offline in a
# private network namespace. Checks: the launcher starts the service, `status` names it Ready at
# its public address; its public paths answer through the guard; a private path without a token
# gets the guard's 401 (authorization_header_missing and a Bearer challenge: the service itself
# would have said 403 not_through_desklit); the service's private port refuses a request that
# did not come through the guard; its log is in the app's log folder; SIGTERM to the launcher
# ends it, the service and everything they started, and frees the service's address.
#
#   test/dist/package-services-e2e.sh DESKLIT_BIN TEST_WHEELS   # builds the package itself
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
log() { printf 'package-services-e2e: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
project=$root/test/projects/notes-fastapi id=notes-fastapi svc=notes-api

if [ "${1:-}" = --inner ]; then
	shift
	app=$1 home=$2
	run_as=()
	# As root (CI), the app runs as nobody: a user who cannot write where the app is installed.
	if [ "$(id -u)" = 0 ] && [ -z "${DESKLIT_E2E_USERNS:-}" ]; then run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --); fi
	as_user() { (cd / && exec "${run_as[@]}" env -i HOME="$home" PATH=/usr/bin:/bin "$@"); }
	# shellcheck source=test/gui/procs.sh
	. "$(cd "$(dirname "$0")" && pwd)/../gui/procs.sh" # alive, descendants, stop_tree
	pid=""
	trap 'if [ -n "$pid" ]; then for q in $(descendants "$pid") $pid; do kill -KILL "$q" 2>/dev/null || true; done; fi' EXIT
	dump() { for f in "$home/run.log" "$home"/.local/state/$id/logs/{desklit,$svc}.log; do [ -f "$f" ] && { echo "== $f"; tail -20 "$f"; } >&2; done; }
	ifail() { dump; fail "$*"; }
	ip link set lo up 2>/dev/null || true
	if curl -sS -o /dev/null --max-time 3 https://pypi.org/simple/ 2>/dev/null; then ifail "the network namespace reaches pypi.org"; fi
	t0=$SECONDS
	# The subshell execs setpriv, env and the launcher in turn: $! is the launcher's pid.
	(cd / && exec "${run_as[@]}" env -i HOME="$home" PATH=/usr/bin:/bin "$app/desklit" run) >"$home/run.log" 2>&1 &
	pid=$!
	url=""
	until [ -n "$url" ]; do
		alive "$pid" || ifail "the packaged launcher exited"
		[ $((SECONDS - t0)) -lt 120 ] || ifail "$svc not Ready within 120 s"
		url=$(as_user "$app/desklit" status 2>/dev/null | awk -v s="$svc" '$1 == s && $2 == "Ready" { print $3 }')
		[ -n "$url" ] || sleep 0.5
	done
	log "the packaged launcher started $svc: Ready at $url after $((SECONDS - t0)) s"
	code=$(curl -sS -o "$home/body" -w '%{http_code}' "$url/api/public") || ifail "GET $url/api/public"
	[ "$code" = 200 ] && grep -q 'public endpoint' "$home/body" || ifail "public path through the guard: $code $(cat "$home/body")"
	code=$(curl -sS -D "$home/headers" -o "$home/body" -w '%{http_code}' "$url/api/private") || ifail "GET $url/api/private"
	[ "$code" = 401 ] && grep -q '"authorization_header_missing"' "$home/body" ||
		ifail "a request without a token: want the guard's 401, got $code $(cat "$home/body")"
	grep -qi '^WWW-Authenticate: Bearer' "$home/headers" || ifail "the guard's 401 has no Bearer challenge"
	log "guarded: public path 200 through the guard; /api/private without a token: 401 authorization_header_missing"
	spid=$(pgrep -P "$pid" -f 'api\.py' | head -1) || ifail "no $svc process under the launcher"
	private=$(ss -Hltnp | awk -v p="pid=$spid," 'index($0, p) { n = split($4, a, ":"); print a[n]; exit }')
	[ -n "$private" ] || ifail "$svc (pid $spid) listens on no port"
	code=$(curl -sS -o "$home/body" -w '%{http_code}' "http://127.0.0.1:$private/api/private" -H 'X-Desklit-Sub: forged') || true
	[ "$code" = 403 ] || ifail "the service's private port $private took a request that did not come through the guard: $code"
	log "the service's private port $private refuses a request not through the guard (403)"
	grep -q 'Uvicorn running' "$home/.local/state/$id/logs/$svc.log" || ifail "no $svc log in the app's log folder"
	stop_tree "$pid" 10 || ifail "still running 10 s after SIGTERM:$left"
	pid=""
	if [ ${#run_as[@]} -gt 0 ] && left=$(pgrep -u nobody -a); then ifail "processes of the app's user left after it stopped: $left"; fi
	if curl -sS -o /dev/null --max-time 2 "$url/api/public" 2>/dev/null; then fail "$url still answers after the app stopped"; fi
	if curl -sS -o /dev/null --max-time 2 "http://127.0.0.1:$private/healthz" 2>/dev/null; then fail "port $private still answers after the app stopped"; fi
	log "SIGTERM ended the launcher and its $(echo $tracked | wc -w) descendants ($svc among them); its addresses are free"
	exit 0
fi

[ $# = 2 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
bin=$(readlink -f "$1") wheels=$(readlink -f "$2")
work=$(mktemp -d -t desklit-package-services.XXXXXX)
trap 'rm -rf "$work"' EXIT
t0=$SECONDS
DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS=$wheels "$bin" package "$project" --target linux -o "$work/out" >"$work/package.log" 2>&1 ||
	{ cat "$work/package.log" >&2; fail "desklit package $project"; }
tgz=$(ls "$work"/out/$id-*-linux-amd64.tar.gz) || fail "no tarball in $work/out"
log "packaged $project in $((SECONDS - t0)) s"
mkdir -p "$work/opt" "$work/home"
tar -xzf "$tgz" -C "$work/opt"
app=$(echo "$work"/opt/$id-*)
[ -x "$app/desklit" ] && [ -f "$app/app/desklit.toml" ] || fail "the tarball lacks desklit or app/desklit.toml"
chmod -R a-w "$app"
chmod 0755 "$work" "$work/opt" && chmod 0700 "$work/home"
if [ "$(id -u)" = 0 ]; then chown nobody:nogroup "$work/home"; fi
if [ "$(id -u)" = 0 ]; then
	unshare -n -- "$0" --inner "$app" "$work/home" || { chmod -R u+w "$app"; fail "the packaged app (see above)"; }
else
	DESKLIT_E2E_USERNS=1 unshare -rn -- "$0" --inner "$app" "$work/home" || { chmod -R u+w "$app"; fail "the packaged app (see above)"; }
fi
chmod -R u+w "$app"
log "PASS in $((SECONDS - t0)) s"
