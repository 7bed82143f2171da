# Sourced by the dist tests that install packages system-wide (deb-e2e.sh, package-e2e.sh); they
# define log and fail first. dpkg's state is the machine's, not the test's: two runs at once (two
# checkouts on one machine) would see each other's packages, and a run killed before its cleanup
# (a CI timeout is SIGKILL) leaves its packages installed for the next one. So:
# - apt_test_begin takes a machine-wide lock (waits for another run to finish) and removes the
#   packages an earlier run wrote down and did not remove; a package installed by anything else
#   still stops the test (it may be the user's own);
# - apt_test_installing writes the names down before apt-get install; apt_test_removed clears them.
apt_test_stamp=/var/lib/desklit-dist-tests/installed
apt_test_log=$(mktemp -t desklit-dist-apt.XXXXXX.log)

apt_test_begin() {
	mkdir -p /var/lock "$(dirname "$apt_test_stamp")"
	exec 8>/var/lock/desklit-dist-tests.lock
	if ! flock -n 8; then
		log "another run of the dist tests is installing packages on this machine: waiting for it"
		flock -w 3600 8 || fail "the other run did not finish within an hour"
	fi
	local p left=()
	if [ -s "$apt_test_stamp" ]; then
		while read -r p; do
			if apt_test_is_installed "$p"; then left+=("$p"); fi
		done <"$apt_test_stamp"
	fi
	if [ ${#left[@]} -gt 0 ]; then
		log "removing ${left[*]}: an earlier run of these tests installed them and did not finish"
		DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "${left[@]}" >>"$apt_test_log" 2>&1 ||
			{ cat "$apt_test_log" >&2; fail "apt-get remove ${left[*]}"; }
	fi
	rm -f "$apt_test_stamp"
	for p in "$@"; do
		if apt_test_is_installed "$p"; then
			fail "$p is already installed, not by these tests: remove it first (the test removes what it installs)"
		fi
	done
}

apt_test_is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
apt_test_installing() { printf '%s\n' "$@" >"$apt_test_stamp"; }
apt_test_removed() { rm -f "$apt_test_stamp" "$apt_test_log"; }
