package control

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/desklit/desklit/app/session"
)

// TestRefreshForClients: POST /refresh answers the status token only (never the control token),
// takes a bounded "within", tells a signed-out instance apart and returns an expiry, no token.
func TestRefreshForClients(t *testing.T) {
	srv := statusServer(t)
	var asked atomic.Int64
	signedIn := atomic.Bool{}
	expiry := time.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)
	if err := srv.EnableRefresh(func(_ context.Context, within time.Duration) (time.Time, error) {
		asked.Store(int64(within))
		if !signedIn.Load() {
			return time.Time{}, session.ErrNotFound
		}
		return expiry, nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ep := Endpoint{URL: srv.URL(), Token: testStatusToken}
	if _, err := RequestRefresh(ctx, ep, time.Minute); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("signed out: %v", err)
	}
	signedIn.Store(true)
	got, err := RequestRefresh(ctx, ep, time.Minute)
	if err != nil || !got.Equal(expiry) || time.Duration(asked.Load()) != time.Minute {
		t.Fatalf("expiry %v err %v within %s", got, err, time.Duration(asked.Load()))
	}
	for _, tok := range []string{testToken, "wrong-token-0123456789abcdef"} {
		if _, err := RequestRefresh(ctx, Endpoint{URL: srv.URL(), Token: tok}, time.Minute); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("token %q: %v", tok[:6], err)
		}
	}
	var ae *AnswerError
	if _, err := RequestRefresh(ctx, ep, MaxRefreshWithin+time.Second); !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		t.Errorf("within beyond the bound: %v", err)
	}
}
