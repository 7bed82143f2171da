package httpjson

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		write      func(w http.ResponseWriter)
		wantStatus int
		wantBody   string
	}{
		{"value", func(w http.ResponseWriter) { Write(w, 200, map[string]bool{"ok": true}) }, 200, `{"ok":true}` + "\n"},
		{"error", func(w http.ResponseWriter) { WriteError(w, 404, "not_found", "no such endpoint") }, 404,
			`{"code":"not_found","description":"no such endpoint"}` + "\n"},
		{"unencodable", func(w http.ResponseWriter) { Write(w, 200, func() {}) }, 500,
			`{"code":"internal_error","description":"internal error"}` + "\n"},
		{"health", func(w http.ResponseWriter) { Health(nil)(w, nil) }, 200, `{"status":"ok"}` + "\n"},
		{"health with detail", func(w http.ResponseWriter) {
			Health(func() map[string]string { return map[string]string{"jwks": "ready", "status": "bad"} })(w, nil)
		}, 200, `{"jwks":"ready","status":"ok"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.write(rec)
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Fatalf("%d %q, want %d %q", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			for k, want := range map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestActionDone: a failed action answers its code and the sentence for the user; Go's text goes
// to the log only.
func TestActionDone(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	say := func(error) string { return "sign-in cancelled" }
	rec := httptest.NewRecorder()
	ActionDone(rec, log, "login", errors.New("dial tcp 127.0.0.1:9: refused"), say)
	if body := rec.Body.String(); rec.Code != 502 || body != `{"code":"login_failed","description":"sign-in cancelled"}`+"\n" {
		t.Errorf("failed: %d %s", rec.Code, body)
	}
	if !strings.Contains(logs.String(), "dial tcp") {
		t.Errorf("the log lacks the error: %s", logs.String())
	}
	rec = httptest.NewRecorder()
	ActionDone(rec, log, "logout", nil, say)
	if body := rec.Body.String(); rec.Code != 200 || body != `{"ok":true}`+"\n" {
		t.Errorf("done: %d %s", rec.Code, body)
	}
}
