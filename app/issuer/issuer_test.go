package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestDiscover: either spelling of the configured issuer finds the document, whose own spelling
// wins; another issuer, another path or a failing server is refused.
func TestDiscover(t *testing.T) {
	var announced string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/realms/x/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": announced, "jwks_uri": "https://idp.example/keys",
			"authorization_response_iss_parameter_supported": true})
	}))
	defer srv.Close()
	base := srv.URL + "/realms/x"
	tests := []struct {
		announced, configured string
		wantErr               bool
	}{
		{base, base, false},
		{base, base + "/", false}, // Keycloak configured with a slash
		{base + "/", base, false}, // Auth0 configured without its slash
		{base + "/", base + "/", false},
		{base + "//", base, true}, // more than one slash is another name
		{srv.URL + "/realms/y", base, true},
		{"", base, true},
	}
	for _, tt := range tests {
		announced = tt.announced
		doc, err := Discover(context.Background(), srv.Client(), tt.configured)
		if tt.wantErr {
			var me *MismatchError
			if !errors.As(err, &me) {
				t.Errorf("announced %q configured %q: err %v, want a MismatchError", tt.announced, tt.configured, err)
			}
			continue
		}
		if err != nil || doc.Issuer != tt.announced || !doc.IssParameter || doc.JWKSURI == "" {
			t.Errorf("announced %q configured %q: %+v %v", tt.announced, tt.configured, doc, err)
		}
	}
	if _, err := Discover(context.Background(), srv.Client(), srv.URL+"/realms/none"); err == nil {
		t.Error("a 404 discovery was accepted")
	}
}

func TestSame(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"https://a.example", "https://a.example/", true},
		{"https://a.example/", "https://a.example/", true},
		{"https://a.example", "https://b.example", false},
		{"", "", false},
		{"https://a.example//", "https://a.example", false},
	} {
		if got := Same(tt.a, tt.b); got != tt.want {
			t.Errorf("Same(%q, %q) = %t", tt.a, tt.b, got)
		}
	}
}
