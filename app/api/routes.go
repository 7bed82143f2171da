package api

import (
	"context"
	"net/http"
	"time"

	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/app/httpjson"
)

// maxBodyBytes bounds request bodies; no route reads one, but nothing may make us buffer much.
const maxBodyBytes = 64 << 10

// routes builds the whole handler chain. Outermost first: request id and access log, panic
// recovery, Host check, body limit, CORS, then the routes.
func (s *Server) routes(o Options, port int, v *validator) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/ping", func(w http.ResponseWriter, r *http.Request) {
		httpjson.Write(w, http.StatusOK, map[string]string{
			"data": "Hello from a PUBLIC endpoint! " + o.Now().UTC().Format(time.RFC3339),
		})
	})
	mux.Handle("GET /api/pong", requireToken(v, "", func(w http.ResponseWriter, r *http.Request, c *claims) {
		httpjson.Write(w, http.StatusOK, map[string]string{
			"data": "Hello from a SECURE endpoint! " + o.Now().UTC().Format(time.RFC3339),
			"sub":  c.Subject,
		})
	}))
	mux.Handle("GET /api/pong-scoped", requireToken(v, "read:messages", func(w http.ResponseWriter, r *http.Request, c *claims) {
		httpjson.Write(w, http.StatusOK, map[string]string{
			"data": "Hello from a SECURE and SCOPED endpoint! " + o.Now().UTC().Format(time.RFC3339),
			"sub":  c.Subject,
		})
	}))
	// Always 200: the API is up even while the issuer is not, and must not be restarted for it.
	mux.HandleFunc("GET /healthz", httpjson.Health(func() map[string]string {
		if s.keys.ready() {
			return map[string]string{"jwks": "ready"}
		}
		return map[string]string{"jwks": "unavailable"}
	}))

	var h http.Handler = mux
	h = cors(o.AllowedOrigins, h)
	h = limitBody(h)
	h = httpguard.HostCheck(port, h)
	h = recoverPanics(s.log, h)
	h = accessLog(s.log, h)
	return h
}

// requireToken runs next only for a request with a valid access token that has scope (if any).
func requireToken(v *validator, scope string, next func(http.ResponseWriter, *http.Request, *claims)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, aerr := bearerToken(r.Header)
		var c *claims
		if aerr == nil {
			c, aerr = v.validate(r.Context(), token)
		}
		if aerr == nil && scope != "" && !c.hasScope(scope) {
			aerr = errScope
		}
		if aerr != nil {
			setOutcome(r.Context(), aerr.code)
			writeAuthError(w, aerr, scope)
			return
		}
		next(w, r, c)
	})
}

// writeAuthError answers with the JSON error and the RFC 6750 WWW-Authenticate challenge.
func writeAuthError(w http.ResponseWriter, e *authError, scope string) {
	switch {
	case e == errHeaderMissing:
		// RFC 6750 §3.1: no error code when the request carried no credentials.
		w.Header().Set("WWW-Authenticate", `Bearer realm="desklit-api"`)
	case e.status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="desklit-api", error="invalid_token", error_description="`+e.description+`"`)
	case e.status == http.StatusForbidden:
		w.Header().Set("WWW-Authenticate", `Bearer realm="desklit-api", error="insufficient_scope", scope="`+scope+`"`)
	case e.status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
	}
	httpjson.WriteError(w, e.status, e.code, e.description)
}

// outcome lets a handler tell the access log why it refused a request (the code, never the token).
type outcomeKey struct{}

func setOutcome(ctx context.Context, code string) {
	if p, ok := ctx.Value(outcomeKey{}).(*string); ok {
		*p = code
	}
}
