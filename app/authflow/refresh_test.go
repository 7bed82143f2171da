package authflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

// TestRefreshRotationAndLogout: new tokens stored at once, the old refresh token refused, and
// after sign-out the refresh token no longer works.
func TestRefreshRotationAndLogout(t *testing.T) {
	log, logs := newLogger(t)
	idp := startIdP(t, log, devidp.Options{AccessTTL: 2 * time.Second})
	flow := flowFor(idp, Config{Logger: log})
	store := keyringstore.NewMemoryStore()
	m := session.NewManager(store, flow.Bind(newBrowser("analyst", "desklit")), log, nil)
	if err := m.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := stored(t, store)
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	cur := stored(t, store)
	if cur.RefreshToken == old.RefreshToken || cur.AccessToken == old.AccessToken {
		t.Error("refresh did not rotate the tokens in the store")
	}
	if cur.User != old.User {
		t.Errorf("user changed: %+v", cur.User)
	}
	checkAccessToken(t, idp, cur.AccessToken, "read:messages")
	other := *cur
	other.Issuer = "https://elsewhere.example"
	if _, err := flow.Refresh(context.Background(), &other); !errors.Is(err, ErrInvalidGrant) || !strings.Contains(err.Error(), "belongs to") {
		t.Errorf("foreign session: err = %v", err)
	}
	if _, err := flow.Refresh(context.Background(), old); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("old refresh token: err = %v, want invalid_grant", err)
	}

	// Reuse of the rotated-away token revokes the family (as Auth0 does): the current one too.
	if _, err := flow.Refresh(context.Background(), cur); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("after reuse, current refresh token: err = %v, want invalid_grant", err)
	}
	// A fresh sign-in for the sign-out checks below.
	if err := m.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	cur = stored(t, store)

	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if stored(t, store) != nil || m.Current() != nil {
		t.Error("session still stored after sign-out")
	}
	if _, err := flow.Refresh(context.Background(), cur); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("refresh after sign-out: err = %v, want invalid_grant", err)
	}
	// userinfo no longer answers for the access token either (end_session ended the session)
	req, _ := http.NewRequest(http.MethodGet, idp.URL()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+cur.AccessToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("userinfo still accepts the access token after sign-out")
		}
	}
	assertNoTokens(t, logs.String(), old, cur)
}

func TestEndSessionURL(t *testing.T) {
	u, err := New(Config{Issuer: "https://tenant.eu.auth0.com/", ClientID: "abc"}).EndSessionURL(context.Background())
	if err != nil || u != "https://tenant.eu.auth0.com/v2/logout?client_id=abc" {
		t.Errorf("auth0: %q %v", u, err)
	}
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	u, err = flowFor(idp, Config{Logger: log}).EndSessionURL(context.Background())
	if err != nil || u != idp.Issuer()+"/end_session?client_id="+devidp.DefaultClientID {
		t.Errorf("dev IdP: %q %v", u, err)
	}
}

// TestSessionSurvivesIdPRestart: the key and the refresh tokens are persisted under DataDir.
func TestSessionSurvivesIdPRestart(t *testing.T) {
	log, _ := newLogger(t)
	dir := t.TempDir()
	first, err := devidp.New(devidp.Options{DataDir: dir, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	port := strings.TrimPrefix(first.Issuer(), "http://127.0.0.1:")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = first.Serve(ctx) }()
	s, err := flowFor(first, Config{Logger: log}).Login(context.Background(), newBrowser("analyst", "desklit"))
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}

	var p int
	if _, err := fmt.Sscan(port, &p); err != nil {
		t.Fatal(err)
	}
	second := startIdP(t, log, devidp.Options{DataDir: dir, Port: p})
	if second.Issuer() != first.Issuer() {
		t.Fatalf("issuer changed: %s", second.Issuer())
	}
	ns, err := flowFor(second, Config{Logger: log}).Refresh(context.Background(), s)
	if err != nil {
		t.Fatalf("refresh after restart: %v", err)
	}
	checkAccessToken(t, second, s.AccessToken, "read:messages") // old access token still verifies
	checkAccessToken(t, second, ns.AccessToken, "read:messages")
}
