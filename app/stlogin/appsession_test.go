package stlogin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/internal/testutil"
)

// call sends method path to the broker with bearer (none when "") and hdr, and reads the JSON
// answer (nil for an empty body).
func call(t *testing.T, b *Broker, method, path, bearer string, hdr map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, b.Issuer()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	status, _, out := testutil.DoJSON(t, req)
	return status, out
}

func TestSessionAnswersOnlyTheApp(t *testing.T) {
	f := &fakeSessions{cur: ada()}
	b := start(t, f)
	get := func(bearer string, hdr map[string]string) (int, map[string]any) {
		return call(t, b, "GET", "/session", bearer, hdr)
	}
	if status, body := get(b.ClientSecret(), nil); status != 200 || body["sub"] != "demo|analyst" || body["access_token"] != "the-access-token" {
		t.Fatalf("the app: %d %v", status, body)
	}
	if status, _ := get("guess", nil); status != 401 {
		t.Fatalf("wrong secret: %d", status)
	}
	if status, _ := get(b.ClientSecret(), map[string]string{"Origin": "http://127.0.0.1:4010"}); status != 401 {
		t.Fatalf("a browser: %d", status)
	}
	_ = f.Logout(context.Background())
	if status, body := get(b.ClientSecret(), nil); status != 404 || body["error"] != "signed_out" {
		t.Fatalf("signed out: %d %v", status, body)
	}
}

func TestAppSessionLoginAndLogout(t *testing.T) {
	f := &fakeSessions{}
	b := start(t, f)
	post := func(path, bearer string) (int, map[string]any) {
		return call(t, b, "POST", path, bearer, nil)
	}
	if status, _ := post("/session/login", "guess"); status != 401 || f.logins.Load() != 0 {
		t.Fatalf("wrong secret: %d, %d sign-ins", status, f.logins.Load())
	}
	status, body := post("/session/login", b.ClientSecret())
	claims, _ := body["claims"].(map[string]any)
	if status != 200 || f.logins.Load() != 1 || claims["iss"] != b.Issuer() || claims["name"] != "Ada Analyst" ||
		body["access_token"] != "the-access-token" || !b.ownIDToken(body["id_token"].(string)) {
		t.Fatalf("sign-in: %d %v", status, body)
	}
	if status, _ := post("/session/login", b.ClientSecret()); status != 200 || f.logins.Load() != 1 {
		t.Fatalf("signed in already: %d, %d sign-ins", status, f.logins.Load())
	}
	if status, _ := post("/session/logout", b.ClientSecret()); status != 204 || f.logouts.Load() != 1 || f.Current() != nil {
		t.Fatalf("sign-out: %d, %d sign-outs", status, f.logouts.Load())
	}
	f.loginErr = fmt.Errorf("%w: the sign-in window was closed", authflow.ErrCancelled)
	if status, body := post("/session/login", b.ClientSecret()); status != 403 || body["error"] != "access_denied" ||
		!strings.Contains(body["error_description"].(string), "sign-in cancelled") {
		t.Fatalf("failed sign-in: %d %v", status, body)
	}
}
