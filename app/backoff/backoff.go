// Package backoff is the one growing, jittered delay between attempts that Desklit uses: the
// supervisor's restarts, the session's refresh retries and the control client's reconnects. As
// tailscale's logtail/backoff: it resets on success, grows to a cap with jitter, draws the jitter
// from an injectable source and sleeps on an injectable clock, returning as soon as the context
// ends.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Clock makes the timers Sleep waits on; tests inject a fake. nil is real time.
type Clock interface {
	After(d time.Duration) <-chan time.Time
}

// Backoff grows the delay exponentially from Min to Max. The zero value with Min and Max set is
// ready to use; it is not safe for concurrent use.
type Backoff struct {
	Min, Max time.Duration
	Rand     func() float64 // in [0,1), for the jitter; nil: math/rand/v2
	Clock    Clock          // for Sleep; nil: real time
	n        int
}

// Next returns the delay before the next attempt and grows the backoff. Attempt n waits a random
// time in [d/2, d) where d = Min·2ⁿ, capped at Max: clients that failed together do not retry in
// step, and successive delays never shrink until the cap.
func (b *Backoff) Next() time.Duration {
	d := b.Max
	if b.n < 62 {
		if v := b.Min << b.n; v > 0 && v < b.Max {
			d = v
			b.n++
		}
	}
	half := d / 2
	return half + time.Duration(b.rand()*float64(d-half))
}

// Reset starts over from Min: after a success.
func (b *Backoff) Reset() { b.n = 0 }

// Sleep waits d (a delay from Next) on the clock; it returns ctx.Err() as soon as ctx ends.
func (b *Backoff) Sleep(ctx context.Context, d time.Duration) error {
	var after <-chan time.Time
	if b.Clock != nil {
		after = b.Clock.After(d)
	} else {
		t := time.NewTimer(d)
		defer t.Stop()
		after = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-after:
		return nil
	}
}

func (b *Backoff) rand() float64 {
	if b.Rand != nil {
		return b.Rand()
	}
	return rand.Float64()
}
