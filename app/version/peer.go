package version

import (
	"fmt"
	"os"
)

// PeerEnv carries the version of the desklit that started this one as its other half (the CLI
// exec'ing the window, the window spawning a service): halves of different builds refuse to run
// together rather than fail in odd ways.
const PeerEnv = "DESKLIT_PEER_VERSION"

// PeerEnviron is the PeerEnv entry a half starts its other half with.
func PeerEnviron() string { return PeerEnv + "=" + Version }

// CheckPeer refuses to run as the other half of a different build. It unsets PeerEnv, so that
// this program's own children do not inherit it.
func CheckPeer() error {
	v, ok := os.LookupEnv(PeerEnv)
	if !ok {
		return nil
	}
	os.Unsetenv(PeerEnv)
	if v != Version {
		return fmt.Errorf("this program (version %s) was started by desklit version %s: the two come from different installs; reinstall Desklit", Version, v)
	}
	return nil
}
