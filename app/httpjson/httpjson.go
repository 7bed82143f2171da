// Package httpjson is how Desklit's servers (the API, the component server, the control channel)
// answer: a JSON body that is never cached, the one error body they all send, and /healthz.
package httpjson

import (
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
)

// Error is the body of every error answer: a stable code for programs and a description for
// people. It never quotes a token.
type Error struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// Write answers status with v as JSON (no-store, nosniff). A value that does not encode is
// answered 500 with an internal_error body rather than half a document.
func Write(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"internal_error","description":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// WriteError answers status with an Error body.
func WriteError(w http.ResponseWriter, status int, code, description string) {
	Write(w, status, Error{Code: code, Description: description})
}

// Health answers GET /healthz: always 200 {"status":"ok"} while the server runs (the
// supervisor's readiness check), with what detail adds, e.g. the API's key set state. detail
// may be nil.
func Health(detail func() map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		body := map[string]string{}
		if detail != nil {
			maps.Copy(body, detail())
		}
		body["status"] = "ok"
		Write(w, http.StatusOK, body)
	}
}

// ActionDone answers a request that ran the action name (a sign-in, a sign-out) and ended with
// err: {"ok": true}, or 502 with the code name+"_failed" and message(err), what the user may read
// of it (never Go's text). The log gets err itself.
func ActionDone(w http.ResponseWriter, log *slog.Logger, name string, err error, message func(error) string) {
	if err != nil {
		log.Warn("action failed", "action", name, "err", err)
		WriteError(w, http.StatusBadGateway, name+"_failed", message(err))
		return
	}
	log.Info("action done", "action", name)
	Write(w, http.StatusOK, map[string]bool{"ok": true})
}
