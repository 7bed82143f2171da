package shell

import (
	"context"

	"github.com/desklit/desklit/app/session"
)

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
