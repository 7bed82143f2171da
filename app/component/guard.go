package component

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/desklit/desklit/app/httpjson"
)

// LaunchHeader carries the per-launch secret on the component's requests.
const LaunchHeader = "X-Desklit-Launch"

func hashSecret(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// hasSecret compares the request's launch header with the secret in constant time (both are
// hashed first, so that the comparison does not reveal the secret's length either).
func (s *Server) hasSecret(r *http.Request) bool {
	got := r.Header.Get(LaunchHeader)
	if got == "" {
		return false
	}
	sum := hashSecret(got)
	return subtle.ConstantTimeCompare(sum[:], s.secret[:]) == 1
}

// sameOrigin accepts a request that a page of this server's own origin made: no Origin header
// or exactly http://<Host> (Host is already checked to be this listener's loopback address),
// and Sec-Fetch-Site, when the browser sends it, "same-origin".
func sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
		return false
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	return true
}

// guarded answers 403 and nothing else unless the request is same-origin and carries the
// launch secret.
func (s *Server) guarded(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !sameOrigin(r) || !s.hasSecret(r) {
			s.forbid(w, r)
			return
		}
		next(w, r)
	})
}

func (s *Server) forbid(w http.ResponseWriter, r *http.Request) {
	s.log.Warn("request refused", "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"), "fetch_site", r.Header.Get("Sec-Fetch-Site"))
	httpjson.WriteError(w, http.StatusForbidden, "forbidden", "this page may not use the Desklit session")
}

// desktopWindowOrigins are the origins of the Desklit window's own page (Wails serves it from
// wails://wails on Linux and macOS, http://wails.localhost on Windows, and under `wails dev` on
// Linux from wails://wails.localhost:<its dev server's port>). The window shows Streamlit in a
// frame, so the component is nested twice, and frame-ancestors is checked against every
// ancestor, the window's page included.
const desktopWindowOrigins = "wails://wails http://wails.localhost wails://wails.localhost:*"

func contentSecurityPolicy(streamlitPort int) string {
	return fmt.Sprintf("default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "+
		"script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "+
		"frame-ancestors http://127.0.0.1:%d http://localhost:%d %s", streamlitPort, streamlitPort, desktopWindowOrigins)
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			// What the API answers is for this origin's pages only, never another site's <script>.
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
		}
		next.ServeHTTP(w, r)
	})
}

// accessLog logs method, path (never the query, which may hold a ticket), status and duration.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		level := slog.LevelDebug
		if rec.status >= 400 {
			level = slog.LevelInfo
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration", time.Since(start).Round(time.Microsecond))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (flushes of the event stream).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
