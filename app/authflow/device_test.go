package authflow

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/devidp"
)

// approveDevice is the person on another machine: they open the verification page and approve
// (or deny) the code with a demo user's password. It returns the page's status.
func approveDevice(t *testing.T, verification, userCode, user, password, action string) int {
	t.Helper()
	u, err := url.Parse(verification)
	if err != nil {
		t.Error(err)
		return 0
	}
	page, err := http.Get(u.String())
	if err != nil {
		t.Error(err)
		return 0
	}
	page.Body.Close()
	form := url.Values{"user_code": {userCode}, "username": {user}, "password": {password}, "action": {action}}
	resp, err := http.PostForm(u.ResolveReference(&url.URL{Path: devidp.DevicePath}).String(), form)
	if err != nil {
		t.Error(err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestDeviceLoginDevIdP: `desklit login --device` against the embedded provider, offline: the
// code is shown, approved on the dev IdP's /device page, and the session is a full one (ID
// token verified, naming only the client; an access token for the API; a refresh token that
// works). A denial and a Ctrl-C end the sign-in with their own errors.
func TestDeviceLoginDevIdP(t *testing.T) {
	log, logs := newLogger(t)
	idp := startIdP(t, log, devidp.Options{DeviceInterval: time.Second})
	flow := flowFor(idp, Config{Logger: log})

	var shown DeviceCode
	s, err := flow.DeviceLogin(context.Background(), func(c DeviceCode) {
		shown = c
		// A user types the code in another case and with spaces: the page still finds it.
		typed := strings.ToLower(strings.ReplaceAll(c.UserCode, "-", " "))
		go approveDevice(t, c.VerificationURI, typed, "analyst", "desklit", "approve")
	})
	if err != nil {
		t.Fatal(err)
	}
	if shown.VerificationURI != idp.Issuer()+devidp.DevicePath || shown.UserCode == "" ||
		shown.VerificationURIComplete != shown.VerificationURI+"?user_code="+shown.UserCode || shown.Interval != time.Second {
		t.Errorf("shown %+v", shown)
	}
	if s.User.Sub != "demo|analyst" || s.User.Name != "Ada Analyst" || s.RefreshToken == "" || s.Issuer != idp.Issuer() {
		t.Errorf("session %s user %+v issuer %q refresh %t", s, s.User, s.Issuer, s.RefreshToken != "")
	}
	if aud := claim(t, s.IDToken, "aud"); aud != devidp.DefaultClientID && aud != `["`+devidp.DefaultClientID+`"]` {
		t.Errorf("ID token aud %s, want only the client", aud)
	}
	if aud := claim(t, s.AccessToken, "aud"); !strings.Contains(aud, testAudience) {
		t.Errorf("access token aud %s, want the API", aud)
	}
	if _, err := flow.Refresh(context.Background(), s); err != nil {
		t.Errorf("refresh after a device sign-in: %v", err)
	}
	assertNoTokens(t, logs.String(), s)

	t.Run("denied", func(t *testing.T) {
		_, err := flow.DeviceLogin(context.Background(), func(c DeviceCode) {
			go approveDevice(t, c.VerificationURI, c.UserCode, "analyst", "", "deny")
		})
		if !errors.Is(err, ErrDeviceDenied) {
			t.Fatalf("err = %v, want ErrDeviceDenied", err)
		}
	})
	t.Run("wrong password, then Ctrl-C", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := flow.DeviceLogin(ctx, func(c DeviceCode) {
			go func() {
				if st := approveDevice(t, c.VerificationURI, c.UserCode, "analyst", "wrong", "approve"); st != http.StatusBadRequest {
					t.Errorf("wrong password: page status %d", st)
				}
				time.Sleep(1500 * time.Millisecond) // a poll or two answered authorization_pending
				cancel()
			}()
		})
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("err = %v, want ErrCancelled", err)
		}
	})
}

// TestDeviceCodeRedeemedOnce: a device code gives tokens once; a second poll with it is refused.
func TestDeviceCodeRedeemedOnce(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{DeviceInterval: time.Second})
	form := url.Values{"client_id": {devidp.DefaultClientID}, "scope": {"openid offline_access"}}
	var da struct {
		DeviceCode string `json:"device_code"`
		UserCode   string `json:"user_code"`
		URI        string `json:"verification_uri"`
	}
	postJSON(t, idp.Issuer()+"/device_authorization", form, &da)
	if approveDevice(t, da.URI, da.UserCode, "viewer", "desklit", "approve") != http.StatusOK {
		t.Fatal("approval refused")
	}
	poll := url.Values{"client_id": {devidp.DefaultClientID}, "grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {da.DeviceCode}}
	var tok, again map[string]any
	if st := postJSON(t, idp.Issuer()+"/oauth/token", poll, &tok); st != http.StatusOK || tok["id_token"] == nil {
		t.Fatalf("first redemption: %d %v", st, keys(tok))
	}
	if st := postJSON(t, idp.Issuer()+"/oauth/token", poll, &again); st == http.StatusOK || again["access_token"] != nil {
		t.Fatalf("second redemption: %d %v", st, keys(again))
	}
}

func postJSON(t *testing.T, u string, form url.Values, v any) int {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return resp.StatusCode
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// claim returns one claim of a JWT's payload as JSON (no verification: the flow did that).
func claim(t *testing.T, jwt, name string) string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatal("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var s string
	if json.Unmarshal(m[name], &s) == nil {
		return s
	}
	return string(m[name])
}

// TestDevicePolling: the poll follows the provider's answers (RFC 8628 section 3.5):
// authorization_pending goes on at the interval, slow_down adds 5 s to it for good, expired_token
// and the code's own expiry end the sign-in with ErrDeviceExpired.
func TestDevicePolling(t *testing.T) {
	t.Run("slow_down", func(t *testing.T) {
		t.Parallel()
		op := newFakeOP(t, func(map[string]any) {})
		op.deviceExpiresIn = 60
		op.devicePoll = func(n int) string {
			if n == 1 {
				return "slow_down"
			}
			return ""
		}
		s, err := New(Config{Issuer: op.URL, ClientID: "client-1"}).DeviceLogin(context.Background(), func(DeviceCode) {})
		if err != nil || s.User.Name != "Test User" {
			t.Fatalf("device sign-in after slow_down: %v", err)
		}
		op.mu.Lock()
		defer op.mu.Unlock()
		if len(op.polls) != 2 {
			t.Fatalf("%d polls, want 2", len(op.polls))
		}
		// A correctness bound, not a timing: the second poll may not come before 1 s + 5 s.
		if gap := op.polls[1].Sub(op.polls[0]); gap < 6*time.Second {
			t.Errorf("polled again %s after slow_down, want at least 6 s", gap)
		}
	})
	for _, tt := range []struct {
		name      string
		answer    string
		expiresIn int
	}{
		{"expired_token", "expired_token", 60},
		{"the code's expiry", "authorization_pending", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newFakeOP(t, func(map[string]any) {})
			op.deviceExpiresIn = tt.expiresIn
			op.devicePoll = func(int) string { return tt.answer }
			_, err := New(Config{Issuer: op.URL, ClientID: "client-1"}).DeviceLogin(context.Background(), func(DeviceCode) {})
			if !errors.Is(err, ErrDeviceExpired) {
				t.Fatalf("err = %v, want ErrDeviceExpired", err)
			}
		})
	}
	t.Run("no device endpoint", func(t *testing.T) {
		t.Parallel()
		op := newFakeOP(t, func(map[string]any) {})
		op.mu.Lock()
		op.noDevice = true
		op.mu.Unlock()
		_, err := New(Config{Issuer: op.URL, ClientID: "client-1"}).DeviceLogin(context.Background(), func(DeviceCode) {})
		if !errors.Is(err, ErrNoDeviceEndpoint) {
			t.Fatalf("err = %v, want ErrNoDeviceEndpoint", err)
		}
	})
}
