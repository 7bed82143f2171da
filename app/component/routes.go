package component

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/desklit/desklit/app/httpjson"
	"github.com/desklit/desklit/app/session"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", httpjson.Health(nil))
	mux.HandleFunc("GET /api/ping", s.handlePing)
	mux.Handle("GET /api/session", s.guarded(s.handleSession))
	mux.Handle("POST /api/events/ticket", s.guarded(s.handleTicket))
	mux.HandleFunc("GET /api/events", s.handleEvents)
	mux.Handle("POST /api/login", s.guarded(s.action("login", func(si SignIn) func(context.Context) error { return si.Login })))
	mux.Handle("POST /api/logout", s.guarded(s.action("logout", func(si SignIn) func(context.Context) error { return si.Logout })))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, _ *http.Request) {
		httpjson.WriteError(w, http.StatusNotFound, "not_found", "no such endpoint")
	})
	mux.Handle("/", s.assets())
	return mux
}

// sessionAnswer is the answer of /api/session, made from the session.View by answerFor. The
// component reads it (SessionAnswer in runtime/component/src/payload.ts) and turns it into the
// events for Python; testdata/session-contract.json pins all of it. Signed out, only the first
// fields are set.
type sessionAnswer struct {
	SignedIn    bool        `json:"signed_in"`
	Hostname    string      `json:"hostname"`
	APIURL      string      `json:"api_url,omitempty"`
	User        *answerUser `json:"user,omitempty"`
	AccessToken string      `json:"access_token,omitempty"`
	IDToken     string      `json:"id_token,omitempty"`
	TokenType   string      `json:"token_type,omitempty"`
	Scope       string      `json:"scope,omitempty"`
	Expiry      string      `json:"expiry,omitempty"` // RFC 3339, UTC
	Expired     bool        `json:"expired,omitempty"`
}

// answerUser is what the component shows of the user (not the picture).
type answerUser struct {
	Sub   string `json:"sub"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// answerFor is the answer at now about v (nil when signed out) to a request for host.
func answerFor(v *session.View, host, apiURL string, now time.Time) sessionAnswer {
	a := sessionAnswer{Hostname: host, APIURL: apiURL}
	if v == nil {
		return a
	}
	a.SignedIn = true
	a.User = &answerUser{Sub: v.User.Sub, Name: v.User.Name, Email: v.User.Email}
	a.AccessToken, a.IDToken = v.AccessToken, v.IDToken
	a.TokenType, a.Scope = v.TokenType, v.Scope
	if !v.Expiry.IsZero() {
		a.Expiry = v.Expiry.UTC().Format(time.RFC3339)
		a.Expired = v.Expired(now)
	}
	return a
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), loadTimeout)
	defer cancel()
	sess, err := s.o.Sessions.Load(ctx)
	var view *session.View
	switch {
	case errors.Is(err, session.ErrNotFound) || (err == nil && sess == nil):
	case err != nil:
		s.log.Warn("session unavailable", "err", err)
		// The store's own words (a D-Bus or keyring error) go to the log, not to the page.
		httpjson.WriteError(w, http.StatusServiceUnavailable, "session_unavailable", "the session store (the system keyring) did not answer; Desklit's log says why")
		return
	default:
		view = &sess.View
	}
	httpjson.Write(w, http.StatusOK, answerFor(view, r.Host, s.o.APIURL, time.Now()))
}

func (s *Server) handleTicket(w http.ResponseWriter, _ *http.Request) {
	tk, err := s.tickets.issue()
	if err != nil {
		s.log.Warn("event-stream ticket refused", "err", err)
		httpjson.WriteError(w, http.StatusTooManyRequests, "too_many_tickets", "too many event streams are being opened; try again in a moment")
		return
	}
	httpjson.Write(w, http.StatusOK, struct {
		Ticket    string `json:"ticket"`
		ExpiresIn int    `json:"expires_in"`
	}{tk, int(TicketTTL / time.Second)})
}

// handleEvents opens the event stream for a same-origin request with a ticket (what an
// EventSource can send) or with the launch header (what other clients send).
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) || !(s.hasSecret(r) || s.tickets.redeem(r.URL.Query().Get("ticket"))) {
		s.forbid(w, r)
		return
	}
	s.hub.Stream(w, r, s.closing)
}

func (s *Server) action(name string, pick func(SignIn) func(context.Context) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.o.SignIn == nil {
			httpjson.WriteError(w, http.StatusServiceUnavailable, "no_shell", "sign-in is not available without the shell")
			return
		}
		err := pick(s.o.SignIn)(r.Context())
		if err != nil && r.Context().Err() != nil {
			return // the page went away; the shell carries on
		}
		httpjson.ActionDone(w, s.log, name, err, shellMessage)
	}
}

func (s *Server) handlePing(w http.ResponseWriter, _ *http.Request) {
	httpjson.Write(w, http.StatusOK, map[string]string{
		"status": "ok", "service": "component", "time": time.Now().UTC().Format(time.RFC3339Nano),
	})
}

// assets serves the built component. index.html is revalidated on every load; the hashed files
// under assets/ never change. Directory listings are not served.
func (s *Server) assets() http.Handler {
	files := http.FileServerFS(s.o.Assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := r.URL.Path
		if p != "/" && strings.HasSuffix(p, "/") {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(p, "/assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}

// shellMessage is what the page reads of a failed sign-in or sign-out: the shell's own sentence
// when the shell answered with one (control.AnswerError), else a fixed sentence; never Go's text,
// which is logged.
func shellMessage(err error) string {
	var said interface{ UserMessage() string }
	if errors.As(err, &said) && said.UserMessage() != "" {
		return said.UserMessage()
	}
	return "see Desklit's log for the reason"
}
