package supervisor

import (
	"time"

	"github.com/desklit/desklit/app/backoff"
)

// crashBook keeps a service's crash history and decides what a crash leads to: a restart after
// a delay, or Failed when the breaker trips. Times come from the caller, so tests can replay a
// history without waiting for it.
type crashBook struct {
	pol     RestartPolicy
	bo      backoff.Backoff // the delay grows over crashes before Ready or soon after it
	crashes []time.Time     // within pol.Window, oldest first
}

func newCrashBook(pol RestartPolicy, rand func() float64) *crashBook {
	return &crashBook{pol: pol, bo: backoff.Backoff{Min: pol.MinBackoff, Max: pol.MaxBackoff, Rand: rand}}
}

// crash records a crash at now of a process started at started that became Ready at ready (zero:
// never). It returns the delay before the restart, or trip=true when the service must be marked
// Failed, and the crashes counted.
func (b *crashBook) crash(now, started, ready time.Time) (delay time.Duration, trip bool, n int) {
	// A long stable run forgives the past.
	if now.Sub(started) >= b.pol.StableAfter {
		b.forgive()
	}
	// A service that was healthy for a while crashed once: it comes back at once. The delay
	// grows only over crashes before Ready or soon after it; the breaker still counts every
	// crash within the window, so a service that keeps crashing ends Failed all the same.
	if !ready.IsZero() && now.Sub(ready) >= b.pol.HealthyFor {
		b.bo.Reset()
	}
	kept := b.crashes[:0]
	for _, t := range b.crashes {
		if now.Sub(t) < b.pol.Window {
			kept = append(kept, t)
		}
	}
	b.crashes = append(kept, now)
	n = len(b.crashes)
	if b.pol.Never || n >= b.pol.MaxCrashes {
		return 0, true, n
	}
	return b.bo.Next(), false, n
}

// forgive forgets every crash (a requested restart, a long stable run).
func (b *crashBook) forgive() {
	b.bo.Reset()
	b.crashes = b.crashes[:0]
}
