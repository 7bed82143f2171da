package version

import (
	"os"
	"strings"
	"testing"
)

func TestCheckPeer(t *testing.T) {
	for _, tt := range []struct {
		name, peer string
		set, fails bool
	}{
		{name: "started by hand"},
		{name: "the same build", peer: Version, set: true},
		{name: "another build", peer: "9.9.9", set: true, fails: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(PeerEnv, "")
			if tt.set {
				os.Setenv(PeerEnv, tt.peer)
			} else {
				os.Unsetenv(PeerEnv)
			}
			err := CheckPeer()
			if (err != nil) != tt.fails || (err != nil && !strings.Contains(err.Error(), tt.peer)) {
				t.Errorf("CheckPeer() = %v, want an error: %v", err, tt.fails)
			}
			if _, ok := os.LookupEnv(PeerEnv); ok {
				t.Error("the variable is still set for this program's children")
			}
		})
	}
	if got, want := PeerEnviron(), PeerEnv+"="+Version; got != want {
		t.Errorf("PeerEnviron() = %q, want %q", got, want)
	}
}
