package component

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/sse"
)

// SessionSource reads the session the shell keeps: the keyring store, or the control client
// when the shell has no keyring. It returns session.ErrNotFound when signed out.
type SessionSource interface {
	Load(ctx context.Context) (*session.Session, error)
}

// SignIn signs in and out on the component's behalf: the control client, which asks the shell.
type SignIn interface {
	Login(ctx context.Context) error
	Logout(ctx context.Context) error
}

// MinSecretLen is the shortest launch secret New accepts.
const MinSecretLen = 16

// Options configure the server. Sessions, Assets and LaunchSecret are required.
type Options struct {
	Port            int    // 0 picks a free port
	StreamlitOrigin string // e.g. http://127.0.0.1:4010: the only page allowed to frame the component
	LaunchSecret    string
	Sessions        SessionSource
	SignIn          SignIn          // nil: sign-in and sign-out answer 503
	Changes         <-chan struct{} // a value per session change (the control client's Changes)
	Assets          fs.FS           // the built component, index.html at its root
	APIURL          string          // the protected API, told to the component for display only
	Logger          *slog.Logger
}

// Server is the component server.
type Server struct {
	o       Options
	log     *slog.Logger
	ln      net.Listener
	srv     *http.Server
	hub     *sse.Hub
	tickets *tickets
	secret  [32]byte
	csp     string
	closing chan struct{}
}

// New validates the options and binds 127.0.0.1:o.Port.
func New(o Options) (*Server, error) {
	if len(o.LaunchSecret) < MinSecretLen {
		return nil, fmt.Errorf("component server: the launch secret must have at least %d characters", MinSecretLen)
	}
	if o.Sessions == nil {
		return nil, errors.New("component server: no session source")
	}
	if o.Assets == nil {
		return nil, errors.New("component server: no assets")
	}
	if _, err := fs.Stat(o.Assets, "index.html"); err != nil {
		return nil, fmt.Errorf("component server: the assets have no index.html (is the component built?): %w", err)
	}
	stPort, err := originPort(o.StreamlitOrigin)
	if err != nil {
		return nil, fmt.Errorf("component server: streamlit origin: %w", err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := httpguard.Listen(o.Port)
	if err != nil {
		return nil, fmt.Errorf("component server: %w", err)
	}
	s := &Server{
		o: o, log: o.Logger, ln: ln, hub: sse.NewHub(), tickets: newTickets(TicketTTL),
		secret: hashSecret(o.LaunchSecret), csp: contentSecurityPolicy(stPort),
		closing: make(chan struct{}),
	}
	s.srv = httpguard.NewServer(s.Handler())
	s.srv.RegisterOnShutdown(func() { close(s.closing) }) // event streams never go idle by themselves
	return s, nil
}

// URL is the server's base URL, http://127.0.0.1:<port>.
func (s *Server) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.port()) }

func (s *Server) port() int { return httpguard.Port(s.ln) }

// Serve relays session changes to the event streams and answers requests until ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	relayCtx, stop := context.WithCancel(ctx)
	defer stop()
	if s.o.Changes != nil {
		go s.relay(relayCtx, s.o.Changes)
	}
	return httpguard.Serve(ctx, s.srv, s.ln)
}

func (s *Server) relay(ctx context.Context, changes <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-changes:
			if !ok {
				return
			}
			s.hub.Publish()
			s.log.Debug("session changed")
		}
	}
}

// Handler is the server's whole HTTP handler: Host check, security headers, routes.
func (s *Server) Handler() http.Handler {
	return httpguard.HostCheck(s.port(), s.securityHeaders(s.accessLog(s.routes())))
}

func originPort(origin string) (int, error) {
	u, err := url.Parse(origin)
	if err != nil {
		return 0, err
	}
	if u.Scheme != "http" || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") || u.Port() == "" {
		return 0, fmt.Errorf("%q is not http://127.0.0.1:<port>", origin)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil || p <= 0 || p > 65535 {
		return 0, fmt.Errorf("%q has no valid port", origin)
	}
	return p, nil
}

// Timeouts of the calls the handlers make.
const (
	loadTimeout = 5 * time.Second
)
