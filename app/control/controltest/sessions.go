// Package controltest is an in-memory control.Sessions, so that the control channel and the
// component server can be tested and measured without a shell, a provider or a keyring.
package controltest

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/desklit/desklit/app/session"
)

// Sessions keeps a session in memory and tells its subscribers of each change, as the session
// manager does. The zero value is signed out and ready to use. It also reads as the component
// server's SessionSource (Load).
type Sessions struct {
	// LoginAs is the session Login signs in with; nil: Login changes nothing.
	LoginAs *session.Session
	// LoginErr, when set, is what Login fails with.
	LoginErr error
	// Gate, when set, holds Login until it is closed (or Login's context ends).
	Gate chan struct{}
	// Logins and Logouts count the calls.
	Logins, Logouts atomic.Int32

	mu   sync.Mutex
	cur  *session.Session
	subs map[chan struct{}]struct{}
}

// Login signs in as LoginAs, after Gate, unless LoginErr is set.
func (s *Sessions) Login(ctx context.Context) error {
	s.Logins.Add(1)
	if s.Gate != nil {
		select {
		case <-s.Gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if s.LoginErr != nil {
		return s.LoginErr
	}
	if s.LoginAs != nil {
		s.Set(s.LoginAs)
	}
	return nil
}

// Logout signs out.
func (s *Sessions) Logout(context.Context) error {
	s.Logouts.Add(1)
	s.Set(nil)
	return nil
}

// Current is the session, nil when signed out.
func (s *Sessions) Current() *session.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Load is Current as a session store reads: session.ErrNotFound when signed out.
func (s *Sessions) Load(context.Context) (*session.Session, error) {
	if c := s.Current(); c != nil {
		return c, nil
	}
	return nil, session.ErrNotFound
}

// Subscribe returns a channel that receives a value after each change (at most one pending) and
// a function that ends the subscription.
func (s *Sessions) Subscribe() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	s.mu.Lock()
	if s.subs == nil {
		s.subs = map[chan struct{}]struct{}{}
	}
	s.subs[c] = struct{}{}
	s.mu.Unlock()
	return c, func() {
		s.mu.Lock()
		delete(s.subs, c)
		s.mu.Unlock()
	}
}

// Set makes sess the session (nil: signed out) and tells the subscribers.
func (s *Sessions) Set(sess *session.Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = sess
	for c := range s.subs {
		select {
		case c <- struct{}{}:
		default: // one is pending already; the reader fetches the latest
		}
	}
}
