package authflow

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

// fakeOP is a tiny OpenID provider whose ID token a test can spoil.
type fakeOP struct {
	*httptest.Server
	key    *rsa.PrivateKey
	mu     sync.Mutex
	nonce  string
	claims func(c map[string]any) // spoils the ID token's claims
	slash  string                 // "/" makes the issuer end in a slash, as Auth0's does
	// respIss, when set, is the "iss" the callback carries (RFC 9207); issSupported announces it.
	respIss      func(issuer string) string
	issSupported bool
	// devicePoll, when set, offers the device grant: it answers the nth poll with an error code,
	// or "" for the tokens; deviceExpiresIn is the code's lifetime in seconds.
	devicePoll      func(n int) string
	deviceExpiresIn int
	polls           []time.Time
	noDevice        bool        // discovery announces no device endpoint
	pages           chan string // the callback pages the browser of opener was shown
}

func (f *fakeOP) issuer() string { return f.URL + f.slash }

func newFakeOP(t *testing.T, spoil func(c map[string]any)) *fakeOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOP{key: key, claims: spoil, pages: make(chan string, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		device := f.URL + "/device"
		if f.noDevice {
			device = ""
		}
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.issuer(), "authorization_endpoint": f.URL + "/authorize", "token_endpoint": f.URL + "/token",
			"jwks_uri": f.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"},
			"authorization_response_iss_parameter_supported": f.issSupported,
			"device_authorization_endpoint":                  device,
		})
	})
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"device_code": "dc-1", "user_code": "ABCD-EFGH",
			"verification_uri": f.URL + "/activate", "expires_in": f.deviceExpiresIn, "interval": 1})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		nonce := f.nonce
		var refuse string
		if r.FormValue("grant_type") == "urn:ietf:params:oauth:grant-type:device_code" && f.devicePoll != nil {
			f.polls = append(f.polls, time.Now())
			refuse = f.devicePoll(len(f.polls))
		}
		f.mu.Unlock()
		if refuse != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": refuse})
			return
		}
		now := time.Now()
		c := map[string]any{"iss": f.issuer(), "sub": "u1", "aud": "client-1", "exp": now.Add(time.Hour).Unix(),
			"iat": now.Unix(), "nonce": nonce, "name": "Test User"}
		f.claims(c)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "fake-access-token-value", "token_type": "Bearer",
			"expires_in": 600, "refresh_token": "fake-refresh-token-value", "id_token": f.sign(t, c)})
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeOP) sign(t *testing.T, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: f.key},
		(&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		t.Error(err)
		return ""
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Error(err)
		return ""
	}
	s, _ := jws.CompactSerialize()
	return s
}

// opener plays a browser that signs in at once: it sends the callback with a code.
func (f *fakeOP) opener(rec *string) Opener {
	return OpenerFunc(func(_ context.Context, raw string) (<-chan error, error) {
		u, _ := url.Parse(raw)
		q := u.Query()
		f.mu.Lock()
		f.nonce = q.Get("nonce")
		f.mu.Unlock()
		*rec = q.Get("redirect_uri")
		v := url.Values{"code": {"c1"}, "state": {q.Get("state")}}
		if f.respIss != nil {
			v.Set("iss", f.respIss(f.issuer()))
		}
		cb := *rec + "?" + v.Encode()
		go func() {
			page := ""
			if resp, err := http.Get(cb); err == nil {
				body, _ := io.ReadAll(resp.Body) // what it read by the time the callback server closes
				resp.Body.Close()
				page = string(body)
			}
			select {
			case f.pages <- page:
			default:
			}
		}()
		return nil, nil
	})
}

func TestIDTokenChecks(t *testing.T) {
	tests := []struct {
		name    string
		spoil   func(c map[string]any)
		want    error
		wantMsg string
	}{
		{"valid", func(map[string]any) {}, nil, ""},
		{"nonce mismatch", func(c map[string]any) { c["nonce"] = "someone-elses-nonce" }, ErrNonceMismatch, "nonce"},
		{"no nonce", func(c map[string]any) { delete(c, "nonce") }, ErrNonceMismatch, "nonce"},
		{"wrong aud", func(c map[string]any) { c["aud"] = "another-client" }, ErrIDToken, "audience"},
		{"wrong iss", func(c map[string]any) { c["iss"] = "https://evil.example" }, ErrIDToken, "issued by a different provider"},
		{"expired", func(c map[string]any) {
			c["exp"] = time.Now().Add(-time.Hour).Unix()
			c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
		}, ErrIDToken, "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, logs := newLogger(t)
			op := newFakeOP(t, tt.spoil)
			var redirect string
			store := keyringstore.NewMemoryStore()
			flow := New(Config{Issuer: op.URL, ClientID: "client-1", Logger: log})
			m := session.NewManager(store, flow.Bind(op.opener(&redirect)), log, nil)
			err := m.Login(context.Background())
			assertClosed(t, redirect)
			if strings.Contains(logs.String(), "fake-refresh-token-value") || strings.Contains(logs.String(), "fake-access-token-value") {
				t.Error("a token value appears in the logs")
			}
			if tt.want == nil {
				if err != nil || stored(t, store) == nil || stored(t, store).User.Name != "Test User" {
					t.Fatalf("valid token refused: %v", err)
				}
				return
			}
			t.Logf("error: %v", err)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %v, want %v mentioning %q", err, tt.want, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "fake-") || strings.Contains(err.Error(), "eyJ") {
				t.Errorf("error message carries a token: %v", err)
			}
			// The browser's page says our sentence, not Go's text (which names the claim).
			select {
			case page := <-op.pages:
				if !strings.Contains(page, "Sign-in did not complete: "+tt.want.Error()+".") || (err.Error() != tt.want.Error() && strings.Contains(page, err.Error())) {
					t.Errorf("the callback page says\n%s\nwant %q without %q", page, tt.want.Error(), err.Error())
				}
			case <-time.After(10 * time.Second):
				t.Error("the browser got no callback page")
			}
			if stored(t, store) != nil {
				t.Error("a session was stored")
			}
		})
	}
}

// TestIssuerTrailingSlash: Auth0's issuer ends in "/"; either spelling in the configuration works
// and the session records the provider's own.
func TestIssuerTrailingSlash(t *testing.T) {
	for _, configured := range []string{"", "/"} {
		log, _ := newLogger(t)
		op := newFakeOP(t, func(map[string]any) {})
		op.slash = "/"
		var redirect string
		s, err := New(Config{Issuer: op.URL + configured, ClientID: "client-1", Logger: log}).Login(context.Background(), op.opener(&redirect))
		if err != nil {
			t.Fatalf("configured %q: %v", op.URL+configured, err)
		}
		if s.Issuer != op.URL+"/" {
			t.Errorf("session issuer %q", s.Issuer)
		}
	}
}
