package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAuthorization sends arbitrary Authorization headers (a prefix and a token) to the
// protected routes: the answer is always a JSON 200, 401, 403 or 503, never a 500 or a panic.
func FuzzAuthorization(f *testing.F) {
	clock := newClock()
	k1 := rsaKey(f, 0, "k1")
	ti := newTestIssuer(f, true, k1)
	s := newTestServer(f, ti, clock, nil, nil)
	host := strings.TrimPrefix(s.URL(), "http://")

	valid := sign(f, k1, claimsFor(ti, clock), nil)
	c := claimsFor(ti, clock)
	c["scope"] = "read:messages"
	scoped := sign(f, k1, c, nil)
	parts := strings.Split(valid, ".")
	for _, seed := range [][2]string{
		{"Bearer ", valid},
		{"bearer ", scoped},
		{"BEARER\t", valid},
		{"Bearer ", parts[0] + "." + parts[1]},
		{"Bearer ", parts[0] + "." + parts[1] + "."},
		{"Bearer ", "..."},
		{"Bearer ", "a.b.c"},
		{"Bearer ", b64(`{"alg":"none"}`) + "." + parts[1] + "."},
		{"Bearer ", b64(`{"alg":"RS256","kid":["k1"]}`) + "." + parts[1] + "." + parts[2]},
		{"Bearer ", b64(`{"alg":"RS256","kid":"k1"}`) + "." + b64(`{"exp":1e400}`) + "." + parts[2]},
		{"Bearer ", b64(`{"alg":"RS256","kid":"k1"}`) + "." + b64(`{"aud":[1,2],"scope":{}}`) + "." + parts[2]},
		{"Basic ", "dXNlcjpwYXNz"},
		{"", ""},
		{"Bearer ", valid + " " + valid},
		{"Bearer ", strings.Repeat("A", 20<<10)},
		{"\x00", "\xff\xfe"},
	} {
		f.Add(seed[0], seed[1])
	}

	f.Fuzz(func(t *testing.T, prefix, token string) {
		for _, path := range []string{"/api/pong", "/api/pong-scoped"} {
			req := httptest.NewRequest("GET", path, nil)
			req.Host = host
			req.Header["Authorization"] = []string{prefix + token}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			switch rec.Code {
			case http.StatusOK, http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable:
			default:
				t.Fatalf("%s: status %d, body %s", path, rec.Code, rec.Body)
			}
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%s: body %q: %v", path, rec.Body, err)
			}
			if rec.Code != http.StatusOK && body["code"] == "" {
				t.Fatalf("%s: error without code: %s", path, rec.Body)
			}
		}
	})
}
