package authflow

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/desklit/desklit/app/api"
	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

// startAPI serves the protected API, trusting issuer, until the test ends.
func startAPI(t *testing.T, log *slog.Logger, issuer string) *api.Server {
	t.Helper()
	srv, err := api.New(api.Options{Issuer: issuer, Audience: testAudience, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Serve(t, srv.Serve)
	return srv
}

// TestEndToEndWithProtectedAPI: sign in with the dev IdP, call the protected API with the
// stored access token (the ID token is refused), sign out, and the refresh token no longer works.
func TestEndToEndWithProtectedAPI(t *testing.T) {
	log, logs := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	apiSrv := startAPI(t, log, idp.Issuer())

	call := func(path, token string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, apiSrv.URL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	tests := []struct {
		user       string
		wantScoped int
	}{
		{"analyst", http.StatusOK},
		{"viewer", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			flow := flowFor(idp, Config{Logger: log})
			store := keyringstore.NewMemoryStore()
			m := session.NewManager(store, flow.Bind(newBrowser(tt.user, "desklit")), log, nil)
			if err := m.Login(context.Background()); err != nil {
				t.Fatal(err)
			}
			s := stored(t, store)
			if got := call("/api/pong", s.AccessToken); got != http.StatusOK {
				t.Errorf("/api/pong: %d", got)
			}
			if got := call("/api/pong-scoped", s.AccessToken); got != tt.wantScoped {
				t.Errorf("/api/pong-scoped: %d, want %d", got, tt.wantScoped)
			}
			// The ID token is for the app, not the API (issue #17).
			for _, path := range []string{"/api/pong", "/api/pong-scoped"} {
				if got := call(path, s.IDToken); got != http.StatusUnauthorized {
					t.Errorf("%s with the ID token: %d, want 401", path, got)
				}
			}
			if err := m.Logout(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := flow.Refresh(context.Background(), s); !errors.Is(err, ErrInvalidGrant) {
				t.Errorf("refresh after sign-out: %v", err)
			}
			assertNoTokens(t, logs.String(), s)
		})
	}
}

// TestIssuerWithTrailingSlashSignInAndAPI: an issuer configured with a trailing slash that its
// discovery document spells without one (Keycloak's ".../realms/NAME/") signs in and its access
// token passes the protected API configured the same way. The API used to answer 503
// jwks_unavailable for ever ("issuer ... does not match the configured .../").
func TestIssuerWithTrailingSlashSignInAndAPI(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	configured := idp.Issuer() + "/"
	apiSrv := startAPI(t, log, configured)

	s, err := New(Config{Issuer: configured, ClientID: devidp.DefaultClientID, Audience: testAudience, Logger: log}).
		Login(context.Background(), newBrowser("analyst", "desklit"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Issuer != idp.Issuer() {
		t.Errorf("session issuer %q, want the discovery document's %q", s.Issuer, idp.Issuer())
	}
	req, err := http.NewRequest(http.MethodGet, apiSrv.URL()+"/api/pong", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/pong with the issuer configured as %q: %d %s", configured, resp.StatusCode, body)
	}
}
