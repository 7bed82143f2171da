package shell

import (
	"context"

	"github.com/desklit/desklit/app/session"
)

// controlSessions is what the control channel serves (control.Sessions): the session manager's
// session, sign-in and sign-out, and its changes as bare notifications.
type controlSessions struct{ m *session.Manager }

func (c controlSessions) Login(ctx context.Context) error  { return c.m.Login(ctx) }
func (c controlSessions) Logout(ctx context.Context) error { return c.m.Logout(ctx) }
func (c controlSessions) Current() *session.Session        { return c.m.Current() }
func (c controlSessions) Subscribe() (<-chan struct{}, func()) {
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
