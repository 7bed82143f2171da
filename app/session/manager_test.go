package session

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeStore struct {
	mu      sync.Mutex
	s       *Session
	loadErr error
	saveErr error
	ops     *[]string
}

func (f *fakeStore) Load(context.Context) (*Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loadErr != nil {
		return nil, f.loadErr
	}
	if f.s == nil {
		return nil, ErrNotFound
	}
	cp := *f.s
	return &cp, nil
}

func (f *fakeStore) Save(_ context.Context, s *Session) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.saveErr != nil {
		return f.saveErr
	}
	cp := *s
	f.s = &cp
	return nil
}

func (f *fakeStore) Delete(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ops != nil {
		*f.ops = append(*f.ops, "store.delete")
	}
	f.s = nil
	return nil
}

func (f *fakeStore) get() *Session {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s
}

// fakeProvider answers with scripted results.
type fakeProvider struct {
	mu         sync.Mutex
	login      *Session
	refreshErr error
	refreshes  int
	clock      *fakeClock
	ops        *[]string
}

func (p *fakeProvider) Login(context.Context) (*Session, error) { return p.login, nil }

func (p *fakeProvider) Refresh(_ context.Context, s *Session) (*Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refreshes++
	if p.refreshErr != nil {
		return nil, p.refreshErr
	}
	ns := *s
	ns.AccessToken = s.AccessToken + "+"
	ns.RefreshToken = s.RefreshToken + "+"
	ns.Expiry = p.clock.Now().Add(100 * time.Second)
	return &ns, nil
}

func (p *fakeProvider) Logout(context.Context, *Session) error {
	if p.ops != nil {
		*p.ops = append(*p.ops, "provider.logout")
	}
	return nil
}

type fakeTimer struct {
	d  time.Duration
	ch chan time.Time
}

type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	calls chan fakeTimer
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), calls: make(chan fakeTimer, 64)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.calls <- fakeTimer{d, ch}
	return ch
}

// next waits for the manager's next timer, moves the clock to its end and fires it.
func (c *fakeClock) next(t *testing.T) time.Duration {
	t.Helper()
	select {
	case tm := <-c.calls:
		c.mu.Lock()
		c.now = c.now.Add(tm.d)
		now := c.now
		c.mu.Unlock()
		tm.ch <- now
		return tm.d
	case <-time.After(10 * time.Second):
		t.Fatal("the manager set no timer")
		return 0
	}
}

func (c *fakeClock) waitTimer(t *testing.T) fakeTimer {
	t.Helper()
	select {
	case tm := <-c.calls:
		return tm
	case <-time.After(10 * time.Second):
		t.Fatal("the manager set no timer")
		return fakeTimer{}
	}
}

func recv(t *testing.T, ch <-chan Change) Change {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no change published")
		return Change{}
	}
}

func setup(t *testing.T, stored *Session) (*Manager, *fakeStore, *fakeProvider, *fakeClock, <-chan Change, *bytes.Buffer) {
	t.Helper()
	clk := newFakeClock()
	st := &fakeStore{s: stored}
	prov := &fakeProvider{clock: clk}
	var logs bytes.Buffer
	m := NewManager(st, prov, slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)), clk)
	ch, unsub := m.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); unsub() })
	m.Start(ctx)
	return m, st, prov, clk, ch, &logs
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func testSession(clk *fakeClock) *Session {
	return &Session{
		View: View{
			User:        User{Sub: "u1", Name: "Ada"},
			AccessToken: "AT-secret",
			IDToken:     "ID-secret",
			Expiry:      clk.Now().Add(100 * time.Second),
		},
		RefreshToken: "RT-secret",
	}
}

func TestManagerRefreshesAheadOfExpiry(t *testing.T) {
	clk0 := newFakeClock()
	m, st, _, clk, ch, logs := setup(t, testSession(clk0))
	if c := recv(t, ch); c.Kind != SignedIn || c.User.Sub != "u1" {
		t.Fatalf("first change %+v", c)
	}
	// 100 s token: refresh min(60 s, 20 s) before expiry.
	if d := clk.next(t); d != 80*time.Second {
		t.Errorf("refresh after %v, want 80s", d)
	}
	c := recv(t, ch)
	if c.Kind != Refreshed {
		t.Fatalf("change %+v", c)
	}
	if got := st.get(); got.RefreshToken != "RT-secret+" || got.AccessToken != "AT-secret+" {
		t.Error("rotated tokens not stored")
	}
	if m.Current().RefreshToken != "RT-secret+" {
		t.Error("Current is stale")
	}
	if strings.Contains(logs.String(), "secret") {
		t.Errorf("token in logs: %s", logs)
	}
}

func TestManagerInvalidGrantSignsOut(t *testing.T) {
	clk0 := newFakeClock()
	m, st, prov, clk, ch, _ := setup(t, testSession(clk0))
	recv(t, ch)
	prov.refreshErr = errors.Join(ErrInvalidGrant)
	clk.next(t)
	if c := recv(t, ch); c.Kind != SignedOut {
		t.Fatalf("change %+v", c)
	}
	if st.get() != nil || m.Current() != nil {
		t.Error("session kept after invalid_grant")
	}
}

func TestManagerTransientErrorRetriesAndKeepsSession(t *testing.T) {
	clk0 := newFakeClock()
	m, st, prov, clk, ch, _ := setup(t, testSession(clk0))
	recv(t, ch)
	prov.refreshErr = errors.New("dial tcp: connection refused")
	clk.next(t) // the planned refresh, fails
	if c := recv(t, ch); c.Kind != Error || c.Err == nil || !strings.Contains(c.Err.Error(), "connection refused") || strings.Contains(c.Message, "connection refused") {
		t.Fatalf("change %+v", c)
	}
	tm := clk.waitTimer(t)
	if tm.d < m.MinRetry/2 || tm.d > m.MinRetry {
		t.Errorf("first retry after %v", tm.d)
	}
	// Jump past expiry: the retry fails again, Expired is announced, the session is kept.
	clk.mu.Lock()
	clk.now = clk.now.Add(time.Hour)
	clk.mu.Unlock()
	tm.ch <- clk.Now()
	kinds := []Kind{recv(t, ch).Kind, recv(t, ch).Kind}
	if kinds[0] != Error || kinds[1] != Expired {
		t.Errorf("changes %v, want error then expired", kinds)
	}
	if st.get() == nil || m.Current() == nil {
		t.Error("session dropped on a transient error")
	}
	// The network comes back: the next retry succeeds.
	prov.mu.Lock()
	prov.refreshErr = nil
	prov.mu.Unlock()
	clk.next(t)
	if c := recv(t, ch); c.Kind != Refreshed {
		t.Errorf("change %+v", c)
	}
}

func TestManagerLoginAndLogout(t *testing.T) {
	var ops []string
	m, st, prov, clk, ch, _ := setup(t, nil)
	st.ops, prov.ops = &ops, &ops
	prov.login = testSession(clk)
	if err := m.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := recv(t, ch); c.Kind != SignedIn || c.Expiry != prov.login.Expiry {
		t.Errorf("change %+v", c)
	}
	if st.get() == nil {
		t.Fatal("not stored")
	}
	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := recv(t, ch); c.Kind != SignedOut {
		t.Errorf("change %+v", c)
	}
	if st.get() != nil || m.Current() != nil {
		t.Error("still signed in")
	}
	if strings.Join(ops, ",") != "store.delete,provider.logout" {
		t.Errorf("order %v, want the store cleared first", ops)
	}
}

func TestManagerSaveFailureKeepsSessionInMemory(t *testing.T) {
	m, st, prov, clk, ch, _ := setup(t, nil)
	st.saveErr = errors.New("keyring locked")
	prov.login = testSession(clk)
	if err := m.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := recv(t, ch)
	if c.Kind != Error || c.Err == nil || !strings.Contains(c.Err.Error(), "keyring locked") || strings.Contains(c.Message, "keyring locked") {
		t.Errorf("change %+v", c)
	}
	if recv(t, ch).Kind != SignedIn || m.Current() == nil {
		t.Error("session not kept in memory")
	}
}

func TestManagerStartWithUnreadableStore(t *testing.T) {
	clk := newFakeClock()
	st := &fakeStore{loadErr: errors.New("no secret service")}
	m := NewManager(st, &fakeProvider{clock: clk}, slog.New(slog.DiscardHandler), clk)
	ch, unsub := m.Subscribe()
	defer unsub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.Start(ctx)
	if c := recv(t, ch); c.Kind != Error || c.Err == nil || !strings.Contains(c.Err.Error(), "no secret service") || strings.Contains(c.Message, "no secret service") {
		t.Errorf("change %+v", c)
	}
	if m.Current() != nil {
		t.Error("signed in from nothing")
	}
}

func TestSubscriberDropsOldestWhenFull(t *testing.T) {
	m := NewManager(&fakeStore{}, &fakeProvider{}, slog.New(slog.DiscardHandler), newFakeClock())
	ch, unsub := m.Subscribe()
	for i := range 40 {
		m.publish(Change{Kind: Refreshed, Message: string(rune('a' + i%26))})
	}
	if len(ch) != cap(ch) {
		t.Errorf("buffer %d", len(ch))
	}
	unsub()
	unsub() // idempotent
}

// TestRefreshWithin: `desklit token` asks the running manager; it refreshes only a token that
// expires within the given time, and stores the rotated one.
func TestRefreshWithin(t *testing.T) {
	clk0 := newFakeClock()
	m, st, prov, _, ch, _ := setup(t, testSession(clk0))
	recv(t, ch)
	exp, err := m.RefreshWithin(context.Background(), 30*time.Second) // 100 s left
	if err != nil || !exp.Equal(clk0.Now().Add(100*time.Second)) || prov.refreshes != 0 {
		t.Fatalf("a token with 100 s left: expiry %v err %v refreshes %d", exp, err, prov.refreshes)
	}
	exp, err = m.RefreshWithin(context.Background(), 2*time.Minute)
	if err != nil || prov.refreshes != 1 || st.get().RefreshToken != "RT-secret+" || !exp.Equal(st.get().Expiry) {
		t.Fatalf("a token with 100 s left, asked for 2 min: expiry %v err %v refreshes %d", exp, err, prov.refreshes)
	}
	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.RefreshWithin(context.Background(), time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("signed out: %v", err)
	}
}

// ownerProvider owns the sessions of one issuer only.
type ownerProvider struct {
	fakeProvider
	issuer string
}

func (p *ownerProvider) Owns(s *Session) error {
	if s.Issuer != p.issuer {
		return errors.New("another issuer's")
	}
	return nil
}

// A stored session of another provider (the last project's, with another issuer) is not
// restored: the app starts signed out, and the stored session is kept for its own provider.
func TestManagerStartWithAnotherProvidersSession(t *testing.T) {
	clk := newFakeClock()
	stored := testSession(clk)
	st := &fakeStore{s: stored}
	for _, tt := range []struct {
		issuer   string
		restored bool
	}{{stored.Issuer, true}, {"http://127.0.0.1:8080/realms/other", false}} {
		m := NewManager(st, &ownerProvider{fakeProvider{clock: clk}, tt.issuer}, slog.New(slog.DiscardHandler), clk)
		ctx, cancel := context.WithCancel(context.Background())
		m.Start(ctx)
		if got := m.Current() != nil; got != tt.restored {
			t.Errorf("provider %s: restored %v, want %v", tt.issuer, got, tt.restored)
		}
		cancel()
		if st.get() == nil {
			t.Fatal("the stored session was deleted")
		}
	}
}
