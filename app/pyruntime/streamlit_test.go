package pyruntime

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

// TestStreamlitFromWheelhouse builds the real runtime from DESKLIT_TEST_WHEELHOUSE (filled by
// scripts/wheelhouse.sh) with the index off, starts Streamlit with StreamlitArgv and waits for
// /_stcore/health to answer "ok". CI sets the variable; elsewhere the test is skipped.
func TestStreamlitFromWheelhouse(t *testing.T) {
	wh := os.Getenv("DESKLIT_TEST_WHEELHOUSE")
	if wh == "" {
		testutil.Unavailable(t, "set DESKLIT_TEST_WHEELHOUSE to a wheelhouse filled by scripts/wheelhouse.sh (make test-go does)")
	}
	py := testPython(t)
	req, err := filepath.Abs("../../runtime/streamlit/requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := filepath.Abs("../../runtime/streamlit/desklit_auth")
	var log testutil.SyncBuffer
	o := Options{
		DataDir:     t.TempDir(),
		CacheDir:    t.TempDir(),
		UV:          testUV(t),
		Source:      Source{Kind: SourceLocked, File: req},
		FindLinks:   []string{wh},
		Offline:     true,
		AuthPackage: auth,
		Python:      py,
		Log:         &log,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	env, err := Ensure(ctx, o)
	if err != nil {
		t.Fatalf("Ensure: %v\n%s", err, log.String())
	}
	if state, _, _ := Inspect(o); state != "ready" {
		t.Fatalf("Inspect = %q", state)
	}

	// The project's own settings, as one deployed behind a proxy has them: the flags win.
	dir := t.TempDir()
	app := filepath.Join(dir, "app.py")
	writeFile(t, app, "import streamlit as st\nst.write('desklit')\n")
	testutil.WriteFile(t, filepath.Join(dir, ".streamlit", "config.toml"),
		"[server]\nbaseUrlPath = \"dashboard\"\nport = 8501\naddress = \"0.0.0.0\"\n")
	port := testutil.FreePort(t)
	waitHealthy(t, ctx, cancel, StreamlitArgv(env, app, port), dir, port)
}

// waitHealthy runs argv in dir until its Streamlit answers /_stcore/health on port with "ok" (then
// cancel stops it), failing the test if it exits or stays silent for 90 s.
func waitHealthy(t *testing.T, ctx context.Context, cancel context.CancelFunc, argv []string, dir string, port int) {
	t.Helper()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	ownGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	out := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		cancel() // kills the process group
		<-exited
	}()
	client := &http.Client{Timeout: 5 * time.Second}

	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/_stcore/health"
	deadline := time.NewTimer(90 * time.Second)
	defer deadline.Stop()
	retry := time.NewTicker(250 * time.Millisecond)
	defer retry.Stop()
	for {
		select {
		case <-exited:
			t.Fatalf("streamlit exited: %v\n%s", waitErr, out.String())
		case <-deadline.C:
			t.Fatalf("no health answer from %s\n%s", url, out.String())
		case <-retry.C:
		}
		resp, err := client.Get(url)
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && string(body) == "ok" {
			return
		}
		t.Fatalf("health = %d %q", resp.StatusCode, body)
	}
}
