package control

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/app/httpjson"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/sse"
)

// Sessions is what the control channel serves: the shell's session, its changes, and sign-in
// and sign-out on the component's behalf.
type Sessions interface {
	Login(ctx context.Context) error
	Logout(ctx context.Context) error
	// Current is the session in memory, nil when signed out.
	Current() *session.Session
	// Subscribe returns a channel that receives a value after each session change, and a
	// function that ends the subscription.
	Subscribe() (<-chan struct{}, func())
}

// MinTokenLen is the shortest bearer token NewServer accepts.
const MinTokenLen = 16

// actionLimit bounds a sign-in or sign-out run for a client: a sign-in waits for a person.
const actionLimit = 10 * time.Minute

// Server is the shell's end of the control channel.
type Server struct {
	sess   Sessions
	token  [32]byte // sha256 of the bearer token: compared in constant time
	log    *slog.Logger
	ln     net.Listener
	srv    *http.Server
	hub    *sse.Hub
	life   context.Context // ends when Serve returns; bounds sign-ins started for a client
	end    context.CancelFunc
	flight flights
	status atomic.Pointer[statusRoute] // set by EnableStatus
}

// NewServer binds 127.0.0.1 on a free port. token must be a random secret of at least
// MinTokenLen characters.
func NewServer(sessions Sessions, token string, logger *slog.Logger) (*Server, error) {
	if sessions == nil {
		return nil, errors.New("control server: no sessions")
	}
	if len(token) < MinTokenLen {
		return nil, fmt.Errorf("control server: the token must have at least %d characters", MinTokenLen)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ln, err := httpguard.Listen(0)
	if err != nil {
		return nil, fmt.Errorf("control server: %w", err)
	}
	return newServer(sessions, token, logger, ln), nil
}

func newServer(sessions Sessions, token string, logger *slog.Logger, ln net.Listener) *Server {
	life, end := context.WithCancel(context.Background())
	s := &Server{sess: sessions, token: sha256.Sum256([]byte(token)), log: logger, ln: ln,
		hub: sse.NewHub(), life: life, end: end}
	s.srv = httpguard.NewServer(httpguard.HostCheck(httpguard.Port(ln), s.routes()))
	s.srv.RegisterOnShutdown(end) // ends the event streams, which never go idle by themselves
	return s
}

// URL is the server's base URL, http://127.0.0.1:<port>.
func (s *Server) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", httpguard.Port(s.ln)) }

// Serve forwards the shell's change notifications to the event streams and answers requests
// until ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	defer s.end()
	changes, cancel := s.sess.Subscribe()
	go func() {
		for {
			select {
			case <-s.life.Done():
				return
			case _, ok := <-changes:
				if !ok {
					return
				}
				s.hub.Publish()
			}
		}
	}()
	defer cancel()
	return httpguard.Serve(ctx, s.srv, s.ln)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", httpjson.Health(nil))
	mux.Handle("GET /session", s.authorized(http.HandlerFunc(s.handleSession)))
	mux.Handle("GET /events", s.authorized(http.HandlerFunc(s.handleEvents)))
	mux.Handle("POST /login", s.authorized(s.action("login", s.sess.Login)))
	mux.Handle("POST /logout", s.authorized(s.action("logout", s.sess.Logout)))
	mux.HandleFunc("GET /status", s.handleStatus)    // its own token: see EnableStatus
	mux.HandleFunc("POST /refresh", s.handleRefresh) // the status token too: see EnableRefresh
	return mux
}

// authorized answers 401 unless the request carries the bearer token.
func (s *Server) authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], s.token[:]) != 1 {
			s.log.Warn("control request refused: bad or missing token", "method", r.Method, "path", r.URL.Path)
			w.Header().Set("WWW-Authenticate", `Bearer realm="desklit-control"`)
			httpjson.WriteError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong control token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleSession(w http.ResponseWriter, _ *http.Request) {
	cur := s.sess.Current()
	if cur == nil {
		httpjson.WriteError(w, http.StatusNotFound, "signed_out", "the running Desklit is not signed in")
		return
	}
	v := cur.View // never the refresh token
	v.Expiry = v.Expiry.UTC()
	httpjson.Write(w, http.StatusOK, v)
}

// action runs a sign-in or sign-out. It runs detached from the request, so that a page reload in
// the middle of a sign-in does not cancel it, and concurrent requests share one run.
func (s *Server) action(name string, do func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		done := s.flight.do(name, func() error {
			ctx, cancel := context.WithTimeout(s.life, actionLimit)
			defer cancel()
			return do(ctx)
		})
		select {
		case <-r.Context().Done():
			return
		case err := <-done:
			httpjson.ActionDone(w, s.log, name, err, failureMessage)
		}
	})
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	s.hub.Stream(w, r, s.life.Done())
}

// flights lets concurrent callers of the same action share one run.
type flights struct {
	mu      sync.Mutex
	running map[string][]chan error
}

// waiting is how many callers wait for the named action.
func (f *flights) waiting(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.running[name])
}

func (f *flights) do(name string, run func() error) <-chan error {
	ch := make(chan error, 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running == nil {
		f.running = map[string][]chan error{}
	}
	waiting, busy := f.running[name]
	f.running[name] = append(waiting, ch)
	if !busy {
		go func() {
			err := run()
			f.mu.Lock()
			chans := f.running[name]
			delete(f.running, name)
			f.mu.Unlock()
			for _, c := range chans {
				c <- err
			}
		}()
	}
	return ch
}
