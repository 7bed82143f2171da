package component

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/session/sessiontest"
)

// fakeSessions is the session source a test sets: a session, or the error Load gives.
type fakeSessions struct {
	mu   sync.Mutex
	sess *session.Session
	err  error
}

func (f *fakeSessions) Load(context.Context) (*session.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	if f.sess == nil {
		return nil, session.ErrNotFound
	}
	c := *f.sess
	return &c, nil
}

func (f *fakeSessions) set(s *session.Session, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sess, f.err = s, err
}

// fakeSignIn counts the sign-ins and sign-outs asked for, which end with err.
type fakeSignIn struct {
	logins, logouts atomic.Int32
	err             error
}

func (f *fakeSignIn) Login(context.Context) error { f.logins.Add(1); return f.err }

func (f *fakeSignIn) Logout(context.Context) error { f.logouts.Add(1); return f.err }

var testAssets = fstest.MapFS{
	"index.html":    {Data: []byte(`<!doctype html><title>desklit</title><script type="module" src="./assets/app.js"></script>`)},
	"assets/app.js": {Data: []byte(`console.log("component")`)},
}

type harness struct {
	srv      *Server
	sessions *fakeSessions
	signIn   *fakeSignIn
	changes  chan struct{}
	logs     *testutil.SyncBuffer
	stop     func()
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{sessions: &fakeSessions{}, signIn: &fakeSignIn{}, changes: make(chan struct{}), logs: &testutil.SyncBuffer{}}
	srv, err := New(Options{
		Port: 0, StreamlitOrigin: "http://127.0.0.1:4010", LaunchSecret: testSecret,
		Sessions: h.sessions, SignIn: h.signIn, Changes: h.changes, Assets: testAssets,
		APIURL: "http://127.0.0.1:8888",
		Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	h.srv = srv
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		h.stop()
		for _, secret := range append([]string{testSecret}, sessiontest.Secrets...) {
			if strings.Contains(h.logs.String(), secret) {
				t.Errorf("a secret appears in the log:\n%s", h.logs.String())
			}
		}
	})
	return h
}

// request sends a request; hdr holds header pairs.
func (h *harness) request(t *testing.T, method, path string, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, h.srv.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
