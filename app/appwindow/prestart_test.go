package appwindow

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"context"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/windowapi"
)

type recEvents struct {
	mu     sync.Mutex
	errors []windowapi.ErrorView
	svcs   int
	done   int
}

func (r *recEvents) Services([]windowapi.ServiceView) { r.mu.Lock(); r.svcs++; r.mu.Unlock() }
func (r *recEvents) Session(windowapi.SessionView)    {}
func (r *recEvents) LogLine(string, string)           {}
func (r *recEvents) App(windowapi.AppView)            {}
func (r *recEvents) Progress(p windowapi.ProgressView) {
	r.mu.Lock()
	if p.Done {
		r.done++
	}
	r.mu.Unlock()
}
func (r *recEvents) Error(e windowapi.ErrorView) {
	r.mu.Lock()
	if e.Kind != "" {
		r.errors = append(r.errors, e)
	}
	r.mu.Unlock()
}

// A start-up begun before the window (Prestart) that fails before the window attaches is
// reported once when it does attach, and Start does not begin a second one.
func TestPrestartOutcomeReachesTheWindowOnce(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "") // the session goes to memory: no keyring is touched
	t.Setenv("XDG_RUNTIME_DIR", dir)
	env := map[string]string{
		"XDG_STATE_HOME": dir, "XDG_DATA_HOME": dir, "XDG_CONFIG_HOME": dir,
		"DESKLIT_PYTHON": dir + "/no-such-python",
	}
	testutil.SetFreePorts(t, env, "DESKLIT_STREAMLIT_PORT", "DESKLIT_COMPONENT_PORT", "DESKLIT_API_PORT", "DESKLIT_IDP_PORT", "DESKLIT_CALLBACK_PORT")
	b := backendFor(t, env, shell.Options{Environ: []string{"PATH=" + dir}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Prestart(ctx)
	deadline := time.Now().Add(20 * time.Second)
	for {
		b.mu.Lock()
		early := b.early
		b.mu.Unlock()
		if early != nil {
			if early.err == nil {
				t.Fatal("the start-up with no Python succeeded")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the prestarted start-up did not end within 20 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	ev := &recEvents{}
	if err := b.Start(ctx, ev); err != nil {
		t.Fatal(err)
	}
	// Start reports the early outcome before it returns, and it claims a start-up of its own, if
	// it begins one, before it returns too.
	b.mu.Lock()
	second := b.starting
	b.mu.Unlock()
	if second {
		t.Error("Start began a second start-up")
	}
	stopCtx, stopCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer stopCancel()
	_ = b.Stop(stopCtx)
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if len(ev.errors) != 1 || ev.done != 1 {
		t.Fatalf("window got %d errors (%+v) and %d progress-done events, want 1 and 1", len(ev.errors), ev.errors, ev.done)
	}
	if ev.errors[0].Kind != windowapi.ErrNoPython {
		t.Errorf("error kind %q, want %q: %+v", ev.errors[0].Kind, windowapi.ErrNoPython, ev.errors[0])
	}
	if ev.svcs == 0 {
		t.Error("the window was not told the services' states when it attached")
	}
}

// The app asked for at start that could not be opened (the demo runs) is explained once the
// start-up has succeeded: that success clears the errors shown before it, and used to clear this
// one too, so a user who opened a folder with several scripts only ever saw the demo.
func TestOpenErrorOutlivesTheStart(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": dir, "XDG_DATA_HOME": dir, "XDG_CONFIG_HOME": dir}
	openErr := fmt.Errorf("cannot open the app: %w", &project.NoScriptError{Dir: "/p/hello", Candidates: []string{"a.py", "b.py"}})
	b := backendFor(t, env, shell.Options{OpenError: openErr})
	ev := &recEvents{}
	b.report(ev, nil)
	b.report(ev, nil) // a later successful restart does not show it again
	if len(ev.errors) != 1 || ev.errors[0].Kind != windowapi.ErrChooseScript || ev.errors[0].Folder != "/p/hello" {
		t.Fatalf("errors after the start = %+v, want the choice of script once", ev.errors)
	}
}

// backendFor is a Backend on a shell with the configuration env gives and the other options of o.
func backendFor(t *testing.T, env map[string]string, o shell.Options) *Backend {
	t.Helper()
	getenv := func(k string) string { return env[k] }
	paths := config.PathsFrom(getenv)
	cfg, err := config.Load(nil, getenv, paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	o.Config, o.Paths, o.Logger = cfg, paths, slog.New(slog.NewTextHandler(io.Discard, nil))
	return New(shell.New(o), paths, o.Logger)
}
