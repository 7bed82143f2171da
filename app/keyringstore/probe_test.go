package keyringstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentProbes: processes opening the keyring at once (the window, its component server
// restarting, `desklit status`) each probe it; one's probe must not read or delete another's and
// so fall back to a memory store while the keyring works.
func TestConcurrentProbes(t *testing.T) {
	for _, tgt := range keyringTargets() {
		t.Run(tgt.name, func(t *testing.T) {
			e := newKeyringEnv(t, tgt)
			rounds := 200
			if tgt.real {
				rounds = 15
			}
			var wg sync.WaitGroup
			var failed atomic.Int64
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range rounds {
						if err := e.store().Probe(context.Background()); err != nil {
							if failed.Add(1) == 1 {
								t.Errorf("a probe beside others failed: %v", err)
							}
						}
					}
				}()
			}
			wg.Wait()
			if n := failed.Load(); n > 0 {
				t.Errorf("%d of %d probes failed", n, 4*rounds)
			}
		})
	}
}
