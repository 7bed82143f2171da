package authflow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as the sign-in window's process and as $BROWSER, on every system
// (no /bin/sh on Windows): DESKLIT_AUTHFLOW_HELPER selects the part, HELPER_DIR where it writes.
const helperEnv = "DESKLIT_AUTHFLOW_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "window-closes": // a window the user closes at once
		os.Exit(0)
	case "window-stays": // writes the URL it got and its arguments, then stays open
		dir := os.Getenv("HELPER_DIR")
		_ = os.WriteFile(filepath.Join(dir, "argv"), []byte(strings.Join(os.Args[1:], " ")), 0o600)
		_ = os.WriteFile(filepath.Join(dir, "url.tmp"), []byte(os.Getenv(SignInURLEnv)), 0o600)
		_ = os.Rename(filepath.Join(dir, "url.tmp"), filepath.Join(dir, "url"))
		time.Sleep(30 * time.Second)
		os.Exit(0)
	case "browser": // writes the address it was given
		dir := os.Getenv("HELPER_DIR")
		_ = os.WriteFile(filepath.Join(dir, "opened.tmp"), []byte(os.Args[len(os.Args)-1]), 0o600)
		_ = os.Rename(filepath.Join(dir, "opened.tmp"), filepath.Join(dir, "opened"))
		os.Exit(0)
	}
	os.Exit(2)
}

// helper makes this test's child processes play part, writing into a new folder it returns.
func helper(t *testing.T, part string) (dir string) {
	dir = t.TempDir()
	t.Setenv(helperEnv, part)
	t.Setenv("HELPER_DIR", dir)
	return dir
}
