package shell

import (
	"context"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/session"
)

// flowProvider lets the session manager sign in through the flow with this launch's opener.
type flowProvider struct {
	flow   *authflow.Flow
	opener authflow.Opener
}

func providerFor(f *authflow.Flow, o authflow.Opener) session.Provider { return flowProvider{f, o} }

func (p flowProvider) Login(ctx context.Context) (*session.Session, error) {
	return p.flow.Login(ctx, p.opener)
}

func (p flowProvider) Refresh(ctx context.Context, s *session.Session) (*session.Session, error) {
	return p.flow.Refresh(ctx, s)
}

func (p flowProvider) Logout(ctx context.Context, s *session.Session) error {
	return p.flow.Logout(ctx, s)
}

// controlShell is what the component server may ask of the shell over the control channel.
type controlShell struct{ m *session.Manager }

func (c controlShell) Login(ctx context.Context) error  { return c.m.Login(ctx) }
func (c controlShell) Logout(ctx context.Context) error { return c.m.Logout(ctx) }
func (c controlShell) Current() *session.Session        { return c.m.Current() }
func (c controlShell) Subscribe() (<-chan struct{}, func()) {
	changes, cancel := c.m.Subscribe()
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		for range changes {
			select {
			case out <- struct{}{}:
			default: // a notification is already pending; the reader will fetch the latest
			}
		}
	}()
	return out, cancel
}
