package cli

import (
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/packaged"
)

// TestPackagedAppOpensItsOwnOnly: a packaged app given another app on its command line refuses
// it as a usage error, in the words the window uses (the shell's OpenRule).
func TestPackagedAppOpensItsOwnOnly(t *testing.T) {
	fs := flag.NewFlagSet("desklit", flag.ContinueOnError)
	if err := fs.Parse([]string{"/home/ada/other"}); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Sources: map[string]string{}}
	_, err := resolveApp(fs, cfg, config.Paths{Data: t.TempDir()}, io.Discard, &packaged.Manifest{Name: "Sales dashboard"})
	var ue *UsageError
	want := "Sales dashboard opens its own app only (not /home/ada/other)"
	if !errors.As(err, &ue) || ue.Msg != want {
		t.Fatalf("resolveApp = %v, want the usage error %q", err, want)
	}
	if ExitCode(err) != 2 {
		t.Errorf("exit code %d, want 2 (usage)", ExitCode(err))
	}
}
