package shell

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/session"
)

type idleControl struct{}

func (idleControl) Login(context.Context) error          { return nil }
func (idleControl) Logout(context.Context) error         { return nil }
func (idleControl) Current() *session.Session            { return nil }
func (idleControl) Subscribe() (<-chan struct{}, func()) { return make(chan struct{}), func() {} }

// The shell publishes its status endpoint while it runs and removes it at stop.
func TestStatusEndpointLivesWithTheShell(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	s := New(Options{Paths: config.Paths{Run: run}})
	ctl, err := control.NewServer(idleControl{}, s.controlToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ctl.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	s.mu.Lock()
	s.ctl = ctl
	s.mu.Unlock()

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
