package shell

import (
	"slices"
	"testing"
)

func TestChildEnvDropsSettingsAndSecrets(t *testing.T) {
	got := childEnv([]string{
		"PATH=/usr/bin", "AUTH0_CLIENT_SECRET=s", "DESKLIT_LAUNCH_SECRET=x", "DESKLIT_API_PORT=1",
		"DESKLIT_TRACE_EVENTS=/tmp/trace", "HOME=/home/a",
	}, []string{"DESKLIT_API_PORT=8888"})
	want := []string{"PATH=/usr/bin", "HOME=/home/a", "DESKLIT_API_PORT=8888"}
	if !slices.Equal(got, want) {
		t.Fatalf("childEnv = %q, want %q", got, want)
	}
}
