package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/desklit/desklit/app/httpjson"
	"github.com/desklit/desklit/app/session"
)

// Refresher refreshes the instance's session when its access token expires within the given
// time, and returns the access token's expiry; session.ErrNotFound when signed out.
type Refresher func(ctx context.Context, within time.Duration) (time.Time, error)

// MaxRefreshWithin bounds what a caller may ask for: a refresh of a token that still has longer
// than this is not a refresh ahead of expiry but a flood of them.
const MaxRefreshWithin = 5 * time.Minute

// refreshLimit bounds one refresh for `desklit token`.
const refreshLimit = 30 * time.Second

// EnableRefresh answers POST /refresh?within=SECONDS, to requests that carry the status token, by
// refreshing the session through refresh when it expires within that time: so that `desklit
// token` gets a fresh token without a second refresher (refresh-token rotation punishes two).
// The answer carries the expiry only, never a token: the caller reads the refreshed session
// from the keyring. EnableStatus must have been called first.
func (s *Server) EnableRefresh(refresh Refresher) error {
	route := s.status.Load()
	if route == nil {
		return errors.New("control refresh: EnableStatus first")
	}
	cp := *route
	cp.refresh = refresh
	s.status.Store(&cp)
	return nil
}

func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	route := s.status.Load()
	if route == nil || route.refresh == nil {
		httpjson.WriteError(w, http.StatusNotFound, "no_refresh", "this instance does not refresh for others")
		return
	}
	if !s.statusAuthorized(w, r, route) {
		return
	}
	secs, err := strconv.Atoi(r.URL.Query().Get("within"))
	within := time.Duration(secs) * time.Second
	if err != nil || within < 0 || within > MaxRefreshWithin {
		httpjson.WriteError(w, http.StatusBadRequest, "bad_within", fmt.Sprintf("within must be 0..%d seconds", int(MaxRefreshWithin.Seconds())))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), refreshLimit)
	defer cancel()
	expiry, err := route.refresh(ctx, within)
	switch {
	case errors.Is(err, session.ErrNotFound):
		httpjson.WriteError(w, http.StatusNotFound, "signed_out", "the running Desklit is not signed in")
	case err != nil:
		s.log.Warn("refresh for a client failed", "err", err)
		httpjson.WriteError(w, http.StatusBadGateway, "refresh_failed", failureMessage(err))
	default:
		httpjson.Write(w, http.StatusOK, map[string]time.Time{"expiry": expiry.UTC()})
	}
}

// RequestRefresh asks the instance that e names to refresh its session if it expires within
// the given time, and returns the access token's expiry.
func RequestRefresh(ctx context.Context, e Endpoint, within time.Duration) (time.Time, error) {
	if err := e.check(); err != nil {
		return time.Time{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, refreshLimit+statusLimit)
	defer cancel()
	u := e.URL + "/refresh?" + url.Values{"within": {strconv.Itoa(int(within.Seconds()))}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("control refresh: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+e.Token)
	resp, err := loopbackClient.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("control refresh: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		var body httpjson.Error
		_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
		if body.Code == "signed_out" {
			return time.Time{}, session.ErrNotFound
		}
		return time.Time{}, &AnswerError{Op: "refresh", Status: resp.StatusCode, Code: body.Code, Description: body.Description}
	default:
		return time.Time{}, answerError("refresh", resp)
	}
	var v struct {
		Expiry time.Time `json:"expiry"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&v); err != nil {
		return time.Time{}, fmt.Errorf("control refresh: decode: %w", err)
	}
	return v.Expiry, nil
}
