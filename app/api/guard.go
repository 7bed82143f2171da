package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/app/httpjson"
	"github.com/desklit/desklit/app/pathrule"
)

// The identity headers the guard sets on a request it forwards; any header of the client that
// starts with IdentityHeaderPrefix is removed first, so a service may trust them.
const (
	IdentityHeaderPrefix = "X-Desklit-"
	HeaderSub            = "X-Desklit-Sub"
	HeaderEmail          = "X-Desklit-Email"
	HeaderScopes         = "X-Desklit-Scopes"
	// HeaderGuard carries GuardOptions.Secret on every forwarded request: the service's private
	// port is reachable by any local program, and the secret tells the guard's requests apart.
	HeaderGuard = "X-Desklit-Guard"
)

// ScopeRule says that the paths matching Pattern (pathrule) need Scope.
type ScopeRule struct {
	Pattern string
	Scope   string
}

// GuardOptions configure a guard: Options' issuer, audience, algorithms, leeway, key cache and
// allowed origins, as for the API, plus what to guard.
type GuardOptions struct {
	Options
	Name     string      // the service's name, for messages
	Upstream string      // the service's private address, http://127.0.0.1:<port>
	Public   []string    // path patterns forwarded without a token
	Scopes   []ScopeRule // the first rule matching a path names the scope it needs
	Secret   string      // sent as X-Desklit-Guard with every forwarded request ("" = none)
}

// Guard is the front of a project's service with protect = "bearer": it checks every request's
// access token with the API's rules before the service sees it, and forwards it with the verified
// identity. Bound from NewGuard on.
type Guard struct {
	ln      net.Listener
	srv     *http.Server
	handler http.Handler
	keys    *keyCache
	log     *slog.Logger
	name    string
}

// NewGuard checks o and binds 127.0.0.1:o.Port. It does not contact the issuer or the service.
func NewGuard(o GuardOptions) (*Guard, error) {
	opts, err := o.Options.withDefaults()
	if err != nil {
		return nil, err
	}
	up, err := url.Parse(o.Upstream)
	if err != nil || up.Scheme != "http" || up.Host == "" {
		return nil, fmt.Errorf("guard %s: upstream %q is not an http://host:port address", o.Name, o.Upstream)
	}
	for _, p := range o.Public {
		if err := pathrule.Check(p); err != nil {
			return nil, fmt.Errorf("guard %s: public %q %w", o.Name, p, err)
		}
	}
	for _, r := range o.Scopes {
		if err := pathrule.Check(r.Pattern); err != nil {
			return nil, fmt.Errorf("guard %s: scope pattern %q %w", o.Name, r.Pattern, err)
		}
	}
	ln, err := httpguard.Listen(opts.Port)
	if err != nil {
		return nil, err
	}
	keys := newKeyCache(opts.Issuer, opts.HTTPClient, opts.Now, opts.JWKSRefreshTTL, opts.UnknownKIDRateLimit, opts.Logger)
	g := &Guard{ln: ln, keys: keys, log: opts.Logger, name: o.Name}
	var h http.Handler = &guardHandler{v: newValidator(opts, keys), public: o.Public, scopes: o.Scopes,
		secret: o.Secret, proxy: newProxy(o.Name, up, opts.Logger)}
	h = cors(opts.AllowedOrigins, h)
	h = httpguard.HostCheck(httpguard.Port(ln), h)
	h = recoverPanics(opts.Logger, h)
	g.handler = accessLog(opts.Logger, h)
	g.srv = httpguard.NewServer(g.handler)
	g.srv.ErrorLog = slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)
	return g, nil
}

// URL is the guard's (the service's public) address, http://127.0.0.1:<port>.
func (g *Guard) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", httpguard.Port(g.ln)) }

// Port is the guard's port.
func (g *Guard) Port() int { return httpguard.Port(g.ln) }

// Handler is the complete handler chain.
func (g *Guard) Handler() http.Handler { return g.handler }

// Serve answers requests until ctx ends, fetching the issuer's keys in the background meanwhile.
func (g *Guard) Serve(ctx context.Context) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go g.keys.warm(wctx)
	g.log.Info("guard listening", "service", g.name, "url", g.URL(), "issuer", g.keys.issuer)
	return httpguard.Serve(ctx, g.srv, g.ln)
}

// Close releases the listener of a guard that was never served.
func (g *Guard) Close() error { return g.ln.Close() }

type guardHandler struct {
	v      *validator
	public []string
	scopes []ScopeRule
	secret string
	proxy  *httputil.ReverseProxy
}

func (h *guardHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k := range r.Header {
		if len(k) >= len(IdentityHeaderPrefix) && strings.EqualFold(k[:len(IdentityHeaderPrefix)], IdentityHeaderPrefix) {
			delete(r.Header, k)
		}
	}
	if h.secret != "" {
		r.Header[HeaderGuard] = []string{h.secret}
	}
	path := pathrule.Clean(r.URL.Path)
	if path != r.URL.Path && path != r.URL.Path+"/" {
		// "/api/ping/../admin": the service could read it otherwise than the rules do
		httpjson.WriteError(w, http.StatusBadRequest, "invalid_path", "the path must not hold //, /./ or /../")
		return
	}
	for _, p := range h.public {
		if pathrule.Match(p, path) {
			h.proxy.ServeHTTP(w, r)
			return
		}
	}
	scope := ""
	for _, rule := range h.scopes {
		if pathrule.Match(rule.Pattern, path) {
			scope = rule.Scope
			break
		}
	}
	token, aerr := bearerToken(r.Header)
	var c *claims
	if aerr == nil {
		c, aerr = h.v.validate(r.Context(), token)
	}
	if aerr == nil && scope != "" && !c.hasScope(scope) {
		aerr = &authError{http.StatusForbidden, "insufficient_scope", "The token lacks the scope " + scope}
	}
	if aerr != nil {
		setOutcome(r.Context(), aerr.code)
		writeAuthError(w, aerr, scope)
		return
	}
	r.Header[HeaderSub] = []string{c.Subject}
	if email := c.verifiedEmail(); email != "" {
		r.Header[HeaderEmail] = []string{email}
	}
	r.Header[HeaderScopes] = []string{strings.Join(c.granted(), " ")}
	h.proxy.ServeHTTP(w, r)
}

// verifiedEmail is the token's email when the issuer says it verified it (email_verified true):
// an unverified address (one a user typed in at some providers) must not pass for the user's.
func (c *claims) verifiedEmail() string {
	switch v := c.EmailVerified.(type) {
	case bool:
		if v {
			return c.Email
		}
	case string:
		if v == "true" {
			return c.Email
		}
	}
	return ""
}

// newProxy forwards to the service: streaming answers are flushed as they come (ReverseProxy
// flushes at once when the length is unknown) and an Upgrade (websockets) is passed through.
func newProxy(name string, up *url.URL, log *slog.Logger) *httputil.ReverseProxy {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // the service is on loopback, never behind HTTP_PROXY
	transport.MaxIdleConnsPerHost = 256
	transport.IdleConnTimeout = 90 * time.Second
	transport.DisableCompression = true // pass the client's Accept-Encoding on; never gunzip here
	return &httputil.ReverseProxy{
		BufferPool: bufferPool{},
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.Out.Host = pr.In.Host // the service sees the address the client used
			pr.SetXForwarded()
		},
		Transport: transport,
		ErrorLog:  slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, context.Canceled) {
				return
			}
			log.Warn("service not answering", "service", name, "err", err)
			httpjson.WriteError(w, http.StatusBadGateway, "service_unavailable", "the service "+name+" is not answering; it may be starting or restarting")
		},
	}
}

// bufferPool lends ReverseProxy its copy buffers (else 32 KiB are allocated per request).
type bufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (bufferPool) Get() []byte  { return *copyBuffers.Get().(*[]byte) }
func (bufferPool) Put(b []byte) { copyBuffers.Put(&b) }
