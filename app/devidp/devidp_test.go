package devidp

import (
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/desklit/desklit/app/internal/testutil"
)

func TestNewCreatesPrivateFilesAndServesDiscovery(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "devidp")
	srv, err := New(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Serve(t, srv.Serve)

	for _, f := range []string{KeyFile, UsersFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		// Windows has no mode bits (Go reports 0666): the profile folder's ACL keeps the files
		// private there.
		if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	resp, err := http.Get(srv.URL() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	if d["issuer"] != srv.Issuer() {
		t.Errorf("issuer %v, want %s", d["issuer"], srv.Issuer())
	}
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "revocation_endpoint", "end_session_endpoint", "device_authorization_endpoint"} {
		if s, _ := d[k].(string); s == "" {
			t.Errorf("discovery lacks %s", k)
		}
	}
	// The keys also where Auth0 has them, for an API that reads them without discovery.
	for _, u := range []string{d["jwks_uri"].(string), srv.URL() + "/.well-known/jwks.json"} {
		var jwks struct {
			Keys []map[string]any `json:"keys"`
		}
		kr, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(kr.Body).Decode(&jwks)
		kr.Body.Close()
		if err != nil || kr.StatusCode != http.StatusOK || len(jwks.Keys) == 0 || jwks.Keys[0]["kty"] == nil {
			t.Errorf("%s: %d %v %v", u, kr.StatusCode, jwks, err)
		}
	}
	if g, _ := json.Marshal(d["grant_types_supported"]); !strings.Contains(string(g), "urn:ietf:params:oauth:grant-type:device_code") {
		t.Errorf("grant_types_supported = %s, want the device code grant", g)
	}
	if m, _ := d["code_challenge_methods_supported"].([]any); len(m) != 1 || m[0] != "S256" {
		t.Errorf("code_challenge_methods_supported = %v", d["code_challenge_methods_supported"])
	}

	// DNS rebinding: a foreign Host is refused.
	if status := testutil.Status(t, srv.URL()+"/.well-known/openid-configuration", map[string]string{"Host": "evil.example:80"}); status != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: status %d", status)
	}
}

func TestSigningKeyIsStable(t *testing.T) {
	dir := t.TempDir()
	k1, err := loadOrCreateKey(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := loadOrCreateKey(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if k1.id != k2.id || !k1.key.Equal(k2.key) {
		t.Error("the signing key changed across loads")
	}
	if k1.key.N.BitLen() != 2048 {
		t.Errorf("key size %d", k1.key.N.BitLen())
	}
}

func TestUsersFile(t *testing.T) {
	tests := []struct {
		name, content string
		wantErr       bool
	}{
		{"valid", `[{"username":"a","password":"p","name":"A"}]`, false},
		{"no password", `[{"username":"a","name":"A"}]`, true},
		{"duplicate", `[{"username":"a","password":"p"},{"username":"a","password":"q"}]`, true},
		{"empty", `[]`, true},
		{"not json", `{`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "users.json")
			if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			users, err := loadUsers(p)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err == nil && users[0].Sub != "demo|a" {
				t.Errorf("sub = %q", users[0].Sub)
			}
		})
	}
}

func TestGrantScopes(t *testing.T) {
	got := grantScopes([]string{"openid", "profile", "read:messages", "write:all"}, []string{"read:messages"})
	want := []string{"openid", "profile", "read:messages"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	if _, ok := findUser(DefaultUsers(), "analyst", "wrong"); ok {
		t.Error("wrong password accepted")
	}
}

// TestRefusalText: the sign-in pages show a refusal's own sentence, and for any other error a
// fixed one, never its text.
func TestRefusalText(t *testing.T) {
	if got := refusalText(fmt.Errorf("approve: %w", errCodeUsed)); got != string(errCodeUsed) {
		t.Errorf("a wrapped refusal reads %q", got)
	}
	if got := refusalText(errors.New("open /tmp/devidp/state.json: permission denied")); strings.Contains(got, "/tmp") || !strings.Contains(got, "log") {
		t.Errorf("another error reads %q", got)
	}
}

// Every demo user has a picture, as a Google account does (apps written for Google's sign-in show
// st.user.picture): the provider draws the initials, for its own users only.
func TestAvatars(t *testing.T) {
	srv, err := New(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Serve(t, srv.Serve)
	resp, err := http.Get(srv.URL() + AvatarPath + "analyst.svg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(string(body), ">AA</text>") {
		t.Errorf("analyst's picture: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// The claim's picture is a PNG: an app that downloads it and opens it with Pillow (as code
	// written for Google's JPEGs does) gets an image, 96×96, the disc's colour inside, clear outside.
	resp, err = http.Get(srv.URL() + AvatarPath + "analyst.png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Header.Get("Content-Type") != "image/png" || img.Bounds().Dx() != 96 || img.Bounds().Dy() != 96 {
		t.Fatalf("analyst's PNG: %v %s", err, resp.Header.Get("Content-Type"))
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("the corner is not clear: alpha %d", a)
	}
	if r, g, b, a := img.At(10, 48).RGBA(); a != 0xffff || r == g && g == b {
		t.Errorf("the disc at (10,48) is %d %d %d %d, want an opaque colour", r, g, b, a)
	}
	white := 0
	for y := 30; y < 66; y++ {
		for x := 20; x < 76; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r > 0xf000 && g > 0xf000 && b > 0xf000 {
				white++
			}
		}
	}
	if white < 100 {
		t.Errorf("no initials drawn: %d white pixels in the middle", white)
	}
	for _, p := range []string{"nobody.svg", "nobody.png", "analyst.jpg", "analyst", "..%2Fusers.json"} {
		if code := testutil.Status(t, srv.URL()+AvatarPath+p, nil); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
	ui := &oidc.UserInfo{}
	(&storage{users: DefaultUsers()}).setUserinfo(ui, srv.Issuer(), "demo|analyst", []string{oidc.ScopeOpenID, oidc.ScopeProfile})
	if ui.Picture != srv.Issuer()+AvatarPath+"analyst.png" {
		t.Errorf("picture claim %q", ui.Picture)
	}
}
