package api

import (
	"net/http"
	"testing"
	"time"
)

// The API takes access tokens only: an RFC 9068 token (typ at+jwt), or one in Auth0's profile
// (the API among its audiences, a scope or permissions claim, no ID-token claims). An ID token
// is refused even when its aud names the API, as the dev IdP's used to.
func TestOnlyAccessTokensAccepted(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, true, k1) // Auth0-shaped
	s := newTestServer(t, ti, clock, nil, nil)

	// idToken is an ID token of ti for the client: aud the client id, nonce, no scope.
	idToken := func(edit func(c map[string]any)) map[string]any {
		now := clock.Now()
		c := map[string]any{
			"iss": ti.issuer, "sub": "auth0|alice", "aud": testClientID, "azp": testClientID,
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "nonce": "n-123",
			"name": "Alice", "email": "alice@example.com", "sid": "s1",
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	access := func(edit func(c map[string]any)) map[string]any {
		c := claimsFor(ti, clock)
		if edit != nil {
			edit(c)
		}
		return c
	}
	// keycloak is an access token as Keycloak before 25 wrote it: payload typ Bearer, azp, scope,
	// session_state and the sign-in's nonce.
	keycloak := func(edit func(c map[string]any)) map[string]any {
		return access(func(c map[string]any) {
			c["typ"], c["azp"], c["nonce"], c["session_state"] = "Bearer", testClientID, "n-123", "s-1"
			c["scope"] = "openid profile email"
			if edit != nil {
				edit(c)
			}
		})
	}
	tests := []struct {
		name   string
		claims map[string]any
		header map[string]any
		want   int
	}{
		// Accepted.
		{"Auth0 access token (typ JWT, scope)", access(nil), nil, 200},
		{"Auth0 access token without typ", access(nil), map[string]any{"typ": nil}, 200},
		{"permissions without scope", access(func(c map[string]any) { delete(c, "scope"); c["permissions"] = []string{} }), nil, 200},
		{"empty scope", access(func(c map[string]any) { c["scope"] = "" }), nil, 200},
		{"RFC 9068 at+jwt without scope", access(func(c map[string]any) { delete(c, "scope"); c["client_id"] = testClientID }), map[string]any{"typ": "at+jwt"}, 200},
		{"RFC 9068 application/at+jwt", access(nil), map[string]any{"typ": "application/at+JWT"}, 200},
		{"Keycloak < 25 access token with a nonce", keycloak(nil), nil, 200},
		{"Okta / Entra ID access token (scp, no typ)", access(func(c map[string]any) { delete(c, "scope"); c["scp"] = []string{"read:messages"} }), map[string]any{"typ": nil}, 200},
		{"Keycloak < 25 access token with a nonce, at+jwt", keycloak(nil), map[string]any{"typ": "at+jwt"}, 200},

		// Refused.
		{"Auth0 ID token", idToken(nil), nil, 401},
		{"ID token whose aud holds the API", idToken(func(c map[string]any) { c["aud"] = []string{testClientID, testAudience} }), nil, 401},
		{"ID token with the API as aud and a scope", idToken(func(c map[string]any) { c["aud"] = []string{testClientID, testAudience}; c["scope"] = "openid" }), nil, 401},
		{"ID token with at_hash, no nonce", idToken(func(c map[string]any) {
			c["aud"] = testAudience
			delete(c, "nonce")
			c["at_hash"] = "x"
			c["scope"] = "openid"
		}), nil, 401},
		{"c_hash", access(func(c map[string]any) { c["c_hash"] = "x" }), nil, 401},
		{"nonce even with at+jwt", access(func(c map[string]any) { c["nonce"] = "n" }), map[string]any{"typ": "at+jwt"}, 401},
		{"no scope, no permissions, typ JWT", access(func(c map[string]any) { delete(c, "scope") }), nil, 401},
		{"another explicit type", access(nil), map[string]any{"typ": "logout+jwt"}, 401},
		{"typ not a string", access(nil), map[string]any{"typ": 1}, 401},
		{"Keycloak ID token (typ ID) with the API in aud", keycloak(func(c map[string]any) { c["typ"] = "ID"; c["aud"] = []string{testClientID, testAudience} }), nil, 401},
		{"nonce, typ Bearer, no scope", keycloak(func(c map[string]any) { delete(c, "scope") }), nil, 401},
		{"nonce, typ Bearer, the client among its audiences", keycloak(func(c map[string]any) { c["aud"] = []string{testAudience, testClientID} }), nil, 401},
		{"nonce, typ Bearer, no azp", keycloak(func(c map[string]any) { delete(c, "azp") }), nil, 401},
		{"nonce, typ Bearer, at_hash", keycloak(func(c map[string]any) { c["at_hash"] = "x" }), nil, 401},
		{"nonce, payload typ not a string", keycloak(func(c map[string]any) { c["typ"] = 1 }), nil, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := pong(t, s, sign(t, k1, tt.claims, tt.header))
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.want == http.StatusUnauthorized {
				if code, _ := apiError(t, rec); code != "invalid_claims" && code != "invalid_header" {
					t.Errorf("code %q", code)
				}
			}
		})
	}
}

// TestSCPGrantsScopes: Okta's and Entra ID's scp claim (an array, or a string) grants scopes as
// scope and permissions do.
func TestSCPGrantsScopes(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, false, k1)
	s := newTestServer(t, ti, clock, nil, nil)
	for _, tt := range []struct {
		scp  any
		want int
	}{
		{[]string{"openid", "read:messages"}, 200},
		{"openid read:messages", 200},
		{[]string{"openid"}, 403},
	} {
		c := claimsFor(ti, clock)
		delete(c, "scope")
		c["scp"] = tt.scp
		if rec := do(t, s, "GET", "/api/pong-scoped", bearer(sign(t, k1, c, map[string]any{"typ": nil}))); rec.Code != tt.want {
			t.Errorf("scp %v: %d, want %d: %s", tt.scp, rec.Code, tt.want, rec.Body)
		}
	}
}
