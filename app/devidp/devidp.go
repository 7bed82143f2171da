// Package devidp is Desklit's embedded OpenID provider for demos and offline work: the default
// issuer when none is configured. It is built on zitadel/oidc's op package with its own storage:
// discovery, JWKS, authorize with a small sign-in page listing the demo users, token
// (authorization code with PKCE S256 required; refresh with rotation; the device authorization
// grant of RFC 8628, approved on its /device page), userinfo, revocation and end_session. Access tokens are RS256 JWTs whose aud holds the configured audience and whose
// scope claim carries the user's permissions; ID tokens name only the client as their audience. The signing key, the demo users and the issued
// tokens live in DataDir (files mode 0600), so sessions survive a restart. It listens on
// 127.0.0.1 only and checks the Host header.
package devidp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/desklit/desklit/app/httpguard"
)

// Defaults for Options.
const (
	DefaultClientID   = "desklit-desktop"
	DefaultAudience   = "https://api.desklit.local"
	DefaultAccessTTL  = 10 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour

	KeyFile   = "signing-key.pem"
	UsersFile = "users.json"
	TokenFile = "tokens.json"
)

// Options configure the dev IdP. Zero values take the defaults above; Port 0 picks a free port.
type Options struct {
	Port       int
	DataDir    string // required: the signing key, users.json and tokens.json live here
	UsersFile  string // default DataDir/users.json, created with DefaultUsers when missing
	ClientID   string
	Audience   string
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// DeviceInterval is how often a device sign-in may poll (RFC 8628; default 5 s).
	DeviceInterval time.Duration
	Logger         *slog.Logger
}

// Server is a running dev IdP bound to 127.0.0.1.
type Server struct {
	ln      net.Listener
	issuer  string
	handler http.Handler
	log     *slog.Logger
}

// New loads or creates the key and users, and binds the listener, so a port in use is reported
// here rather than by Serve.
func New(opts Options) (*Server, error) {
	if opts.DataDir == "" {
		return nil, errors.New("dev IdP: no data directory")
	}
	opts = opts.withDefaults()
	log := opts.Logger.With("component", "devidp")
	st, perms, err := newStorage(opts, log)
	if err != nil {
		return nil, err
	}
	ln, err := httpguard.Listen(opts.Port)
	if err != nil {
		return nil, fmt.Errorf("dev IdP: %w", err)
	}
	port := httpguard.Port(ln)
	issuer := fmt.Sprintf("http://127.0.0.1:%d", port)
	r, err := routes(st, issuer, perms, opts.DeviceInterval)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("dev IdP: %w", err)
	}
	return &Server{
		ln:      ln,
		issuer:  issuer,
		handler: httpguard.HostCheck(port, audienceParam(r)),
		log:     log,
	}, nil
}

func (o Options) withDefaults() Options {
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.Audience == "" {
		o.Audience = DefaultAudience
	}
	if o.AccessTTL <= 0 {
		o.AccessTTL = DefaultAccessTTL
	}
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = DefaultRefreshTTL
	}
	if o.DeviceInterval <= 0 {
		o.DeviceInterval = DefaultDeviceInterval
	}
	if o.UsersFile == "" {
		o.UsersFile = filepath.Join(o.DataDir, UsersFile)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// newStorage loads (or makes) the signing key, the users and the issued tokens from the data
// directory; perms are every permission a user holds, which the provider offers as scopes.
func newStorage(opts Options, log *slog.Logger) (st *storage, perms []string, err error) {
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("dev IdP data directory: %w", err)
	}
	key, err := loadOrCreateKey(filepath.Join(opts.DataDir, KeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("dev IdP: %w", err)
	}
	users, err := loadUsers(opts.UsersFile)
	if err != nil {
		return nil, nil, fmt.Errorf("dev IdP: %w", err)
	}
	for _, u := range users {
		perms = append(perms, u.Permissions...)
	}
	st = &storage{
		client:    &client{id: opts.ClientID, idTokenTTL: max(opts.AccessTTL, time.Minute), permissions: perms},
		audience:  opts.Audience,
		accessTTL: opts.AccessTTL,
		refreshTT: opts.RefreshTTL,
		key:       key,
		users:     users,
		stateFile: filepath.Join(opts.DataDir, TokenFile),
		log:       log,
		requests:  map[string]*authRequest{},
		codes:     map[string]string{},
		spent:     map[string]*spentCode{},
	}
	if err := st.loadState(); err != nil {
		return nil, nil, fmt.Errorf("dev IdP: %w", err)
	}
	return st, perms, nil
}

// routes are the OpenID provider on st at issuer, with its sign-in page and token endpoint.
func routes(st *storage, issuer string, perms []string, deviceInterval time.Duration) (http.Handler, error) {
	var cryptoKey [32]byte // encrypts authorization codes; codes live only in memory
	_, _ = rand.Read(cryptoKey[:])
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: "/signed-out",
		CodeMethodS256:           true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.English},
		SupportedScopes:          append([]string{"openid", "profile", "email", "offline_access"}, perms...),
		DeviceAuthorization: op.DeviceAuthorizationConfig{Lifetime: DefaultDeviceLifetime, PollInterval: deviceInterval,
			UserFormPath: DevicePath, UserCode: op.UserCodeBase20},
	}, st, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	lp := &loginPage{storage: st, callback: op.AuthCallbackURL(provider), issuer: issuer,
		deny: func(w http.ResponseWriter, r *http.Request, ar op.AuthRequest) {
			op.AuthRequestError(w, r, ar, oidc.ErrAccessDenied().WithDescription("The user cancelled the sign-in"), provider)
		}}
	r.Get("/login", lp.show)
	// The issuer interceptor puts the issuer in the context, which the op's callback URL needs.
	r.Post("/login", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(lp.submit))
	r.Get("/signed-out", signedOut)
	r.Get(AvatarPath+"{file}", st.avatar)
	dp := &devicePage{storage: st, issuer: issuer}
	r.Get(DevicePath, dp.show)
	r.Post(DevicePath, dp.submit)
	r.Post(provider.TokenEndpoint().Relative(), tokenEndpoint(provider, st).ServeHTTP)
	// Auth0 serves its keys at /.well-known/jwks.json, where an API written for it (the quick
	// start's PyJWKClient(issuer + "/.well-known/jwks.json")) reads them without discovery.
	r.Get("/.well-known/jwks.json", func(w http.ResponseWriter, req *http.Request) {
		keys := req.Clone(req.Context())
		keys.URL.Path = provider.KeysEndpoint().Relative()
		provider.ServeHTTP(w, keys)
	})
	r.Mount("/", provider)
	return r, nil
}

// audienceParam hands the authorize (and device authorization) request's `audience` parameter (an Auth0 extension that
// zitadel's parser ignores) to the storage through the request context.
func audienceParam(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/authorize" || r.URL.Path == "/device_authorization" {
			if err := r.ParseForm(); err == nil {
				if aud := r.Form.Get("audience"); aud != "" {
					r = r.WithContext(withAudience(r.Context(), aud))
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Issuer is the issuer URL (http://127.0.0.1:<port>, no trailing slash).
func (s *Server) Issuer() string { return s.issuer }

// URL is the base URL; the same as Issuer.
func (s *Server) URL() string { return s.issuer }

// Handler is the full handler (Host check included), for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests until ctx ends, then shuts down with a timeout.
func (s *Server) Serve(ctx context.Context) error {
	s.log.Info("dev IdP listening", "issuer", s.issuer)
	return httpguard.Serve(ctx, httpguard.NewServer(s.handler), s.ln)
}

// Close releases the listener of a server that never served.
func (s *Server) Close() error { return s.ln.Close() }
