#!/usr/bin/env bash
# with-secret-service.sh CMD [ARG...]
#
# Runs CMD inside a private D-Bus session bus with a throw-away, unlocked gnome-keyring
# (the Secret Service), with HOME and the XDG directories in a temporary directory, and
# DESKLIT_TEST_REAL_KEYRING=1 so that the keyring contract tests must run against it.
# The daemon is ended by its PID and the temporary directory removed when CMD exits;
# dbus-run-session ends the bus. The exit status is CMD's.
#
#   test/keyring/with-secret-service.sh go test -race ./app/keyringstore/...
#   test/keyring/with-secret-service.sh go -C bench run ./keyring
#
# Needs: dbus (dbus-run-session, dbus-send) and gnome-keyring.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi

if [ -z "${DESKLIT_IN_PRIVATE_BUS:-}" ]; then
	for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "$0: $tool not found (install the dbus and gnome-keyring packages)" >&2
			exit 2
		fi
	done
	# Keep Go's caches and settings: they live under HOME, which is replaced below.
	if command -v go >/dev/null 2>&1; then
		for v in GOCACHE GOMODCACHE GOPATH GOPROXY GOSUMDB GOTOOLCHAIN GOFLAGS; do
			export "$v=$(go env "$v")"
		done
	fi
	DESKLIT_IN_PRIVATE_BUS=1 exec dbus-run-session -- "$0" "$@"
fi
unset DESKLIT_IN_PRIVATE_BUS

tmp="$(mktemp -d -t desklit-keyring.XXXXXX)"
daemon_pid=""
cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill "$daemon_pid" 2>/dev/null || true
		wait "$daemon_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HOME="$tmp/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share" \
	XDG_STATE_HOME="$HOME/.local/state" XDG_CACHE_HOME="$HOME/.cache" \
	XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
mkdir -m 0700 "$XDG_RUNTIME_DIR"

# --foreground keeps the daemon our child so that we know its PID; --unlock reads the
# password of the (new) login keyring from stdin.
printf 'desklit-throwaway' | gnome-keyring-daemon --foreground --unlock --components=secrets \
	--control-directory="$XDG_RUNTIME_DIR/keyring" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!

owned() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
		grep -q 'boolean true'
}
for _ in $(seq 1 100); do
	if owned; then break; fi
	if ! kill -0 "$daemon_pid" 2>/dev/null; then
		echo "$0: gnome-keyring-daemon exited early:" >&2
		cat "$tmp/daemon.log" >&2
		exit 1
	fi
	sleep 0.1
done
if ! owned; then
	echo "$0: org.freedesktop.secrets did not appear on the session bus within 10s" >&2
	cat "$tmp/daemon.log" >&2
	exit 1
fi

export DESKLIT_TEST_REAL_KEYRING=1
set +e
"$@"
rc=$?
set -e
exit "$rc"
