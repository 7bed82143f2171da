package shell

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/control/controltest"
)

// withControl gives s a running control channel, as startSession does.
func withControl(t *testing.T, s *Shell) *control.Server {
	t.Helper()
	ctl, err := control.NewServer(&controltest.Sessions{}, s.controlToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ctl.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	s.mu.Lock()
	s.ctl = ctl
	s.mu.Unlock()
	return ctl
}

// The shell publishes its status endpoint while it runs and removes it at stop.
func TestStatusEndpointLivesWithTheShell(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	s := New(Options{Paths: config.Paths{Run: run}})
	ctl := withControl(t, s)
	ctx := context.Background()

	s.publishStatus(ctl)
	ep, err := control.ReadEndpoint(run)
	if err != nil {
		t.Fatal(err)
	}
	if ep.Token == s.controlToken {
		t.Fatal("the endpoint file carries the control token")
	}
	if _, err := control.FetchStatus(ctx, ep); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := control.ReadEndpoint(run); !errors.Is(err, control.ErrNoEndpoint) {
		t.Fatalf("after Stop: %v, want ErrNoEndpoint", err)
	}
}

// A second shell (say, a `desklit run` that is about to fail on a taken port) leaves the running
// one's endpoint alone.
func TestStatusEndpointOfARunningInstanceStays(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	first := New(Options{Paths: config.Paths{Run: run}})
	first.publishStatus(withControl(t, first))
	second := New(Options{Paths: config.Paths{Run: run}})
	second.publishStatus(withControl(t, second))
	ep, err := control.ReadEndpoint(run)
	if err != nil || ep.Token != first.statusToken {
		t.Fatalf("endpoint %v: not the first instance's", err)
	}
	if err := second.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ep, err := control.ReadEndpoint(run); err != nil || ep.Token != first.statusToken {
		t.Fatalf("the second instance's stop removed the first's endpoint: %v", err)
	}
}
