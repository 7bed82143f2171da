package pyruntime

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
)

func TestLockExcludesAndAbandonedWaitReleases(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	first, err := acquireLock(context.Background(), path, func() { t.Error("first acquire waited") })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	waited := false
	_, err = acquireLock(ctx, path, func() { waited = true; cancel() })
	if !waited || !errors.Is(err, context.Canceled) {
		t.Fatalf("second acquire: waited=%v err=%v; want a wait ended by cancel", waited, err)
	}
	first.release()
	// The abandoned waiter takes and drops the lock; a new acquire gets it either way.
	third, err := acquireLock(context.Background(), path, func() {})
	if err != nil {
		t.Fatal(err)
	}
	third.release()
}

// TestEnsureConcurrentBuildsOnce: two Ensure calls on one data dir (each with its own lock file
// handle, like two processes) build the environment once and agree on it.
func TestEnsureConcurrentBuildsOnce(t *testing.T) {
	t.Parallel()
	py := testPython(t)
	f := newFixture(t, py)
	var wg sync.WaitGroup
	envs := make([]Env, 2)
	errs := make([]error, 2)
	for i := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			envs[i], errs[i] = Ensure(context.Background(), f.opts)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Ensure %d: %v", i, err)
		}
	}
	if envs[0] != envs[1] {
		t.Errorf("envs differ: %+v %+v", envs[0], envs[1])
	}
	venvs := 0
	for _, p := range f.events.take() {
		if p.Step == StepVenv {
			venvs++
		}
	}
	if venvs != 1 {
		t.Errorf("%d builds, want 1", venvs)
	}
}
