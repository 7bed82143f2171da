package component

import (
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/desklit/desklit/app/randtoken"
)

// TicketTTL is how long an event-stream ticket stays valid if unused.
const TicketTTL = 30 * time.Second

const maxTickets = 256

var errTooManyTickets = errors.New("too many unused event-stream tickets")

// tickets are single-use, short-lived credentials for opening the event stream, which an
// EventSource can only carry in its URL. Only their hashes are kept.
type tickets struct {
	mu   sync.Mutex
	ttl  time.Duration
	now  func() time.Time
	open map[[32]byte]time.Time // hash -> expiry
}

func newTickets(ttl time.Duration) *tickets {
	return &tickets{ttl: ttl, now: time.Now, open: map[[32]byte]time.Time{}}
}

func (t *tickets) issue() (string, error) {
	tk := randtoken.New(32)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for h, exp := range t.open {
		if !now.Before(exp) {
			delete(t.open, h)
		}
	}
	if len(t.open) >= maxTickets {
		return "", errTooManyTickets
	}
	t.open[sha256.Sum256([]byte(tk))] = now.Add(t.ttl)
	return tk, nil
}

// redeem spends a ticket: true once, if it was issued and has not expired.
func (t *tickets) redeem(tk string) bool {
	if tk == "" {
		return false
	}
	h := sha256.Sum256([]byte(tk))
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, ok := t.open[h]
	delete(t.open, h)
	return ok && t.now().Before(exp)
}
