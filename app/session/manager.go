package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/desklit/desklit/app/backoff"
)

// ErrInvalidGrant means the provider refused the refresh token (revoked, expired, already
// used): the session is over and the user must sign in again.
var ErrInvalidGrant = errors.New("the provider no longer accepts this session's refresh token; sign in again")

// Provider is what the Manager needs from a sign-in implementation (authflow.Flow with an
// opener bound, in the app).
type Provider interface {
	Login(ctx context.Context) (*Session, error)
	Refresh(ctx context.Context, s *Session) (*Session, error)
	Logout(ctx context.Context, s *Session) error
}

// Owner is a Provider that can tell whether a stored session is its own (the configured issuer
// and client). A session of another (the last project's provider, or the embedded one before a
// tenant was configured) is not restored: the app starts signed out for its provider, and the
// stored session stays until a sign-in replaces it.
type Owner interface {
	Owns(s *Session) error
}

// Clock is time for the Manager; tests inject a fake.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Kind says what happened to the session.
type Kind string

// Change kinds.
const (
	SignedIn  Kind = "signed-in"
	SignedOut Kind = "signed-out"
	Refreshed Kind = "refreshed"
	Expired   Kind = "expired"
	Error     Kind = "error"
)

// Change is a session event for subscribers. It never carries a token.
type Change struct {
	Kind   Kind
	User   User
	Expiry time.Time
	// Message is a sentence a user may read; it never quotes Err.
	Message string
	// Err is what went wrong (Error changes): for the log and for a caller that knows which of
	// its errors a user may read (authflow.Message); never shown as it is.
	Err error
}

// Manager owns the signed-in session: it loads it from the Store, keeps it fresh (the only
// refresher, since refresh-token rotation punishes two), stores every change at once and tells
// subscribers. Create it with NewManager, then Start.
type Manager struct {
	store Store
	prov  Provider
	log   *slog.Logger
	clock Clock

	// RefreshLead is how long before expiry to refresh, at most: min(RefreshLead, 20% of the
	// token's lifetime). MinRetry/MaxRetry bound the backoff after a transient failure.
	RefreshLead, MinRetry, MaxRetry time.Duration
	// StoreTimeout bounds each Store call.
	StoreTimeout time.Duration

	op sync.Mutex // serialises refresh, commit of a sign-in, and sign-out

	mu       sync.Mutex
	cur      *Session
	obtained time.Time // when cur's access token was obtained
	epoch    uint64    // bumped on sign-in and sign-out; a refresh of an older epoch is dropped
	expired  bool      // Expired was announced for cur
	subs     map[int]chan Change
	nextSub  int
	kick     chan struct{}
}

// NewManager returns a Manager; log and clock may be nil.
func NewManager(store Store, prov Provider, log *slog.Logger, clock Clock) *Manager {
	if log == nil {
		log = slog.Default()
	}
	if clock == nil {
		clock = realClock{}
	}
	return &Manager{
		store: store, prov: prov, log: log.With("component", "session"), clock: clock,
		RefreshLead: 60 * time.Second, MinRetry: 2 * time.Second, MaxRetry: 2 * time.Minute,
		StoreTimeout: 10 * time.Second,
		subs:         map[int]chan Change{}, kick: make(chan struct{}, 1),
	}
}

// Start loads the stored session and runs the refresh loop until ctx ends. A session that
// cannot be loaded is reported (Error) and the app starts signed out.
func (m *Manager) Start(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, m.StoreTimeout)
	s, err := m.store.Load(sctx)
	cancel()
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		m.log.Warn("stored session unavailable", "err", err)
		m.publish(Change{Kind: Error, Message: "The stored session could not be read, so you are signed out. Sign in again.", Err: err})
	default:
		if o, ok := m.prov.(Owner); ok {
			if err := o.Owns(s); err != nil {
				m.log.Info("the stored session is another provider's: signed out for this one", "reason", err)
				break
			}
		}
		m.mu.Lock()
		m.cur, m.obtained = s, m.clock.Now()
		m.mu.Unlock()
		m.log.Info("session loaded", "session", s.String())
		m.publish(change(SignedIn, s, "session restored"))
	}
	go m.loop(ctx)
}

// Current returns a copy of the session, or nil when signed out. It may have expired while the
// provider is unreachable; check Expired.
func (m *Manager) Current() *Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur == nil {
		return nil
	}
	cp := *m.cur
	return &cp
}

// Subscribe returns a channel of changes and a function that ends the subscription. A slow
// subscriber loses the oldest changes rather than blocking the Manager.
func (m *Manager) Subscribe() (<-chan Change, func()) {
	ch := make(chan Change, 16)
	m.mu.Lock()
	id := m.nextSub
	m.nextSub++
	m.subs[id] = ch
	m.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			m.mu.Lock()
			delete(m.subs, id)
			m.mu.Unlock()
			close(ch)
		})
	}
}

func (m *Manager) publish(c Change) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ch := range m.subs {
		for {
			select {
			case ch <- c:
			default:
				select { // full: drop the oldest and retry
				case <-ch:
				default:
				}
				continue
			}
			break
		}
	}
}

func change(k Kind, s *Session, msg string) Change {
	c := Change{Kind: k, Message: msg}
	if s != nil {
		c.User, c.Expiry = s.User, s.Expiry
	}
	return c
}

func (m *Manager) wake() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Login signs in through the Provider and stores the session. If the store fails the session
// is kept in memory and an Error change says so; the sign-in itself succeeded.
func (m *Manager) Login(ctx context.Context) error {
	s, err := m.prov.Login(ctx)
	if err != nil {
		m.publish(Change{Kind: Error, Message: "Sign-in did not complete.", Err: err})
		return err
	}
	m.op.Lock()
	defer m.op.Unlock()
	m.commit(ctx, s, true)
	m.publish(change(SignedIn, s, "signed in"))
	m.wake()
	return nil
}

// commit stores s and makes it current; m.op must be held.
func (m *Manager) commit(ctx context.Context, s *Session, newEpoch bool) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.StoreTimeout)
	err := m.store.Save(sctx, s)
	cancel()
	m.mu.Lock()
	m.cur, m.obtained, m.expired = s, m.clock.Now(), false
	if newEpoch {
		m.epoch++
	}
	m.mu.Unlock()
	if err != nil {
		m.log.Warn("session kept in memory only", "err", err)
		m.publish(Change{Kind: Error, User: s.User, Expiry: s.Expiry,
			Message: "You are signed in, but the session could not be saved: it lasts only until Desklit quits.", Err: err})
	}
}

// Logout deletes the stored session first, tells subscribers, then ends the session at the
// provider (best effort; a failure there is logged, not returned). The returned error is the
// store's, if deleting failed.
func (m *Manager) Logout(ctx context.Context) error {
	m.op.Lock()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.StoreTimeout)
	delErr := m.store.Delete(sctx)
	cancel()
	if errors.Is(delErr, ErrNotFound) {
		delErr = nil
	}
	m.mu.Lock()
	s := m.cur
	m.cur = nil
	m.epoch++
	m.mu.Unlock()
	m.publish(change(SignedOut, s, "signed out"))
	m.wake()
	m.op.Unlock() // the provider may be slow or unreachable; nothing local depends on it now
	if s != nil {
		if err := m.prov.Logout(ctx, s); err != nil {
			m.log.Warn("provider sign-out incomplete", "err", err)
		}
	}
	if delErr != nil {
		return fmt.Errorf("delete the stored session: %w", delErr)
	}
	return nil
}

// Refresh refreshes now (the loop does it by itself ahead of expiry).
func (m *Manager) Refresh(ctx context.Context) error {
	err := m.refresh(ctx)
	m.wake()
	return err
}

// RefreshWithin refreshes now when the access token expires within d, and returns the access
// token's expiry (ErrNotFound when signed out). It is how `desklit token` gets a fresh token
// while this Manager runs: through it, so that the Manager stays the only refresher.
func (m *Manager) RefreshWithin(ctx context.Context, d time.Duration) (time.Time, error) {
	cur := m.Current()
	if cur == nil {
		return time.Time{}, ErrNotFound
	}
	if cur.Expiry.IsZero() || cur.Expiry.Sub(m.clock.Now()) > d {
		return cur.Expiry, nil
	}
	if err := m.Refresh(ctx); err != nil {
		return time.Time{}, err
	}
	if cur = m.Current(); cur == nil {
		return time.Time{}, ErrNotFound
	}
	return cur.Expiry, nil
}

// refresh runs one refresh and applies its outcome: store the rotated tokens at once, or on
// invalid_grant clear the session; a transient error leaves the session as it is.
func (m *Manager) refresh(ctx context.Context) error {
	m.op.Lock()
	defer m.op.Unlock()
	m.mu.Lock()
	s, epoch := m.cur, m.epoch
	m.mu.Unlock()
	if s == nil {
		return errors.New("not signed in")
	}
	if s.RefreshToken == "" {
		return errors.New("the session has no refresh token")
	}
	ns, err := m.prov.Refresh(ctx, s)
	m.mu.Lock()
	stale := epoch != m.epoch
	m.mu.Unlock()
	if stale {
		return errors.New("session changed during refresh")
	}
	switch {
	case err == nil:
		m.commit(ctx, ns, false)
		m.log.Info("session refreshed", "session", ns.String())
		m.publish(change(Refreshed, ns, "session refreshed"))
		return nil
	case errors.Is(err, ErrInvalidGrant):
		m.log.Warn("session ended by the provider", "err", err)
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.StoreTimeout)
		if derr := m.store.Delete(sctx); derr != nil && !errors.Is(derr, ErrNotFound) {
			m.log.Warn("delete the stored session", "err", derr)
		}
		cancel()
		m.mu.Lock()
		m.cur = nil
		m.epoch++
		m.mu.Unlock()
		m.publish(change(SignedOut, s, "the provider ended the session; sign in again"))
		return err
	default:
		m.log.Warn("session refresh failed; will retry", "err", err)
		c := change(Error, s, "The session could not be refreshed; Desklit tries again shortly.")
		c.Err = err
		m.publish(c)
		return err
	}
}

// loop refreshes ahead of expiry and retries transient failures with capped, jittered backoff.
func (m *Manager) loop(ctx context.Context) {
	bo := backoff.Backoff{Min: m.MinRetry, Max: m.MaxRetry}
	retry := time.Duration(0) // > 0: the wait before retrying a failed refresh
	for {
		var wait <-chan time.Time
		m.mu.Lock()
		s, obtained, announced := m.cur, m.obtained, m.expired
		m.mu.Unlock()
		now := m.clock.Now()
		if s != nil && !s.Expiry.IsZero() {
			switch {
			case s.RefreshToken != "":
				d := s.Expiry.Sub(now) - m.lead(s.Expiry.Sub(obtained))
				if retry > 0 {
					d = retry
				}
				wait = m.clock.After(max(d, 0))
			case !announced:
				wait = m.clock.After(max(s.Expiry.Sub(now), 0))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-m.kick:
			retry = 0
			bo.Reset()
			continue
		case <-wait:
		}
		if s.RefreshToken == "" {
			m.announceExpired(s)
			continue
		}
		err := m.refresh(ctx)
		switch {
		case err == nil || errors.Is(err, ErrInvalidGrant) || ctx.Err() != nil:
			retry = 0
			bo.Reset()
		default:
			if m.clock.Now().After(s.Expiry) {
				m.announceExpired(s)
			}
			retry = bo.Next()
		}
	}
}

func (m *Manager) lead(lifetime time.Duration) time.Duration {
	return min(m.RefreshLead, lifetime/5)
}

func (m *Manager) announceExpired(s *Session) {
	m.mu.Lock()
	if m.cur != s || m.expired {
		m.mu.Unlock()
		return
	}
	m.expired = true
	m.mu.Unlock()
	m.log.Warn("session expired", "session", s.String())
	m.publish(change(Expired, s, "the session has expired"))
}
