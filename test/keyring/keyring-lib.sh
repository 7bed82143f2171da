# Sourced by the tests that run a desktop session of their own (test/dist/*-inner.sh):
#
#   start_secret_service HOME
#
# starts a throw-away, unlocked gnome-keyring for HOME on the current session bus, sets
# daemon_pid (the caller's clean-up ends it by that PID), and returns once
# org.freedesktop.secrets is owned on the bus (an error after 20 s).
start_secret_service() {
	local home=$1
	mkdir -p "$home/run" && chmod 0700 "$home/run"
	printf 'desklit-throwaway' | HOME=$home XDG_RUNTIME_DIR=$home/run gnome-keyring-daemon --foreground \
		--unlock --components=secrets --control-directory="$home/run/keyring" >"$home/keyring.log" 2>&1 &
	daemon_pid=$!
	for _ in $(seq 1 200); do
		dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' && return 0
		sleep 0.1
	done
	echo "the Secret Service did not appear on the session bus within 20 s (see $home/keyring.log)" >&2
	return 1
}
