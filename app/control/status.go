package control

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/desklit/desklit/app/httpjson"
)

// ServiceStatus is one supervised service as `desklit status` shows it.
type ServiceStatus struct {
	Name       string    `json:"name"`
	State      string    `json:"state"`
	PID        int       `json:"pid,omitempty"`
	URL        string    `json:"url,omitempty"`
	Since      time.Time `json:"since"`
	Restarts   int       `json:"restarts"`
	RetryInMS  int64     `json:"retry_in_ms,omitempty"`
	ExitStatus string    `json:"exit_status,omitempty"` // of the last exit
	Reason     string    `json:"reason,omitempty"`      // one line: why it is Unhealthy, in Backoff or Failed
	Crashes    int       `json:"crashes"`               // counted by the breaker
	MaxCrashes int       `json:"max_crashes"`           // within CrashWindowMS, they mark it Failed
	WindowMS   int64     `json:"crash_window_ms"`
	CPUPercent float64   `json:"cpu_percent"`
	CPUHigh    bool      `json:"cpu_high,omitempty"`
}

// Status is the answer of GET /status: the running instance's services.
type Status struct {
	PID      int             `json:"pid"`
	Services []ServiceStatus `json:"services"`
}

// statusRoute is what EnableStatus set up.
type statusRoute struct {
	token    [32]byte // sha256 of the status token
	services func() []ServiceStatus
	refresh  Refresher // set by EnableRefresh
}

// EnableStatus answers GET /status with what services returns, to requests that carry token.
// The status token is not the control token: it grants this read and a refresh ahead of expiry
// (EnableRefresh), neither of which returns a token, so the file that hands it to `desklit status`
// (WriteEndpoint) gives no access to the session.
func (s *Server) EnableStatus(token string, services func() []ServiceStatus) error {
	if len(token) < MinTokenLen {
		return fmt.Errorf("control status: the token must have at least %d characters", MinTokenLen)
	}
	s.status.Store(&statusRoute{token: sha256.Sum256([]byte(token)), services: services})
	return nil
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	route := s.status.Load()
	if route == nil {
		httpjson.WriteError(w, http.StatusNotFound, "no_status", "this instance does not report its services")
		return
	}
	if !s.statusAuthorized(w, r, route) {
		return
	}
	httpjson.Write(w, http.StatusOK, Status{PID: os.Getpid(), Services: route.services()})
}

// statusAuthorized answers 401 unless the request carries the status token.
func (s *Server) statusAuthorized(w http.ResponseWriter, r *http.Request, route *statusRoute) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	sum := sha256.Sum256([]byte(got))
	if !ok || subtle.ConstantTimeCompare(sum[:], route.token[:]) != 1 {
		s.log.Warn("status request refused: bad or missing token", "path", r.URL.Path)
		w.Header().Set("WWW-Authenticate", `Bearer realm="desklit-status"`)
		httpjson.WriteError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong status token")
		return false
	}
	return true
}

// FetchStatus asks the instance that e names for its services.
func FetchStatus(ctx context.Context, e Endpoint) (*Status, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, statusLimit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+"/status", nil)
	if err != nil {
		return nil, fmt.Errorf("control status: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+e.Token)
	resp, err := loopbackClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("control status: %w", err) // names the URL, never the token
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, answerError("status", resp)
	}
	var st Status
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return nil, fmt.Errorf("control status: decode: %w", err)
	}
	return &st, nil
}

// loopbackClient talks to 127.0.0.1 only, whatever HTTP_PROXY says.
var loopbackClient = &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}

const statusLimit = 3 * time.Second
