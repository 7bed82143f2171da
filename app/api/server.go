// Package api is Desklit's protected API service (`desklit serve api`): a public /api/ping, a
// JWT-protected /api/pong and /api/pong-scoped, and /healthz, bound to 127.0.0.1 only.
//
// Access tokens are checked with golang-jwt/jwt/v5 against the issuer's keys, which the package
// discovers lazily (OpenID Connect discovery) and caches: the API may start before the issuer is
// reachable, and answers 503 jwks_unavailable on protected routes until it is.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/desklit/desklit/app/httpguard"
)

// Options configure the API server. Zero values get the defaults named on each field.
type Options struct {
	Port     int    // 0 picks a free port
	Issuer   string // exact "iss", e.g. "http://127.0.0.1:9010" or "https://tenant.auth0.com/"
	Audience string // must be among the token's "aud"
	// AllowedOrigins may call the API from a browser (CORS). Default: the Streamlit and
	// component origins, 127.0.0.1 and localhost forms.
	AllowedOrigins []string
	Algorithms     []string      // allowed asymmetric algorithms; default RS256
	Leeway         time.Duration // clock skew for exp/nbf/iat, at most 60 s; default 30 s
	// JWKSRefreshTTL is how old the cached key set may get before a background refresh; default 1 h.
	JWKSRefreshTTL time.Duration
	// UnknownKIDRateLimit is the least time between two fetches caused by unknown kids; default 1 min.
	UnknownKIDRateLimit time.Duration
	HTTPClient          *http.Client     // for discovery and JWKS; default: a client with a 10 s timeout
	Logger              *slog.Logger     // default slog.Default()
	Now                 func() time.Time // default time.Now
}

// DefaultAllowedOrigins are the Streamlit (4010) and component (3001) origins.
var DefaultAllowedOrigins = []string{
	"http://127.0.0.1:4010", "http://localhost:4010",
	"http://127.0.0.1:3001", "http://localhost:3001",
}

// Server is the API service, bound from New on.
type Server struct {
	ln      net.Listener
	srv     *http.Server
	handler http.Handler
	keys    *keyCache
	log     *slog.Logger
}

// New checks opts and binds 127.0.0.1:opts.Port. It does not contact the issuer.
func New(opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	ln, err := httpguard.Listen(o.Port)
	if err != nil {
		return nil, err
	}
	keys := newKeyCache(o.Issuer, o.HTTPClient, o.Now, o.JWKSRefreshTTL, o.UnknownKIDRateLimit, o.Logger)
	s := &Server{ln: ln, keys: keys, log: o.Logger}
	s.handler = s.routes(o, httpguard.Port(ln), newValidator(o, keys))
	s.srv = httpguard.NewServer(s.handler)
	s.srv.ErrorLog = slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn)
	return s, nil
}

// URL is the server's base URL, http://127.0.0.1:<port>.
func (s *Server) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", httpguard.Port(s.ln)) }

// Handler is the complete handler chain (Host check, CORS, logging, routes).
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests until ctx ends, then shuts down gracefully. Meanwhile it fetches the
// issuer's keys in the background, retrying with backoff, so the first call does not wait.
func (s *Server) Serve(ctx context.Context) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.keys.warm(wctx)
	s.log.Info("api listening", "url", s.URL(), "issuer", s.keys.issuer)
	return httpguard.Serve(ctx, s.srv, s.ln)
}

// Close releases the listener of a server that was never served.
func (s *Server) Close() error { return s.ln.Close() }

func (o Options) withDefaults() (Options, error) {
	if o.Issuer == "" {
		return o, errors.New("api: issuer is required")
	}
	if err := checkFetchURL(o.Issuer); err != nil {
		return o, fmt.Errorf("api: issuer: %w", err)
	}
	if o.Audience == "" {
		return o, errors.New("api: audience is required")
	}
	if len(o.AllowedOrigins) == 0 {
		o.AllowedOrigins = DefaultAllowedOrigins
	}
	for _, origin := range o.AllowedOrigins {
		if origin == "*" || origin == "" || origin == "null" {
			return o, fmt.Errorf("api: allowed origin %q: list exact origins", origin)
		}
	}
	if len(o.Algorithms) == 0 {
		o.Algorithms = []string{"RS256"}
	}
	for _, alg := range o.Algorithms {
		if !asymmetricAlgs[alg] {
			return o, fmt.Errorf("api: algorithm %q is not an allowed asymmetric algorithm", alg)
		}
	}
	switch {
	case o.Leeway == 0:
		o.Leeway = 30 * time.Second
	case o.Leeway < 0 || o.Leeway > leewayLimit:
		return o, fmt.Errorf("api: leeway %s is outside 0..%s", o.Leeway, leewayLimit)
	}
	if o.JWKSRefreshTTL <= 0 {
		o.JWKSRefreshTTL = time.Hour
	}
	if o.UnknownKIDRateLimit <= 0 {
		o.UnknownKIDRateLimit = time.Minute
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: fetchTimeout}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}
