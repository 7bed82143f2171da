package pyruntime

import (
	"context"
	"fmt"
	"os"
)

// buildLock is an exclusive lock on DataDir/runtime/.lock held while an environment is built or
// cleaned, so two Desklit processes never build at once. The OS releases it if the process dies.
type buildLock struct{ f *os.File }

// acquireLock takes the lock, calling waiting once if another process holds it. A cancelled ctx
// abandons the wait; the waiter then releases the lock as soon as it gets it.
func acquireLock(ctx context.Context, path string, waiting func()) (*buildLock, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open runtime lock: %w", err)
	}
	ok, err := tryLockFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock runtime: %w", err)
	}
	if ok {
		return &buildLock{f: f}, nil
	}
	waiting()
	got := make(chan error, 1)
	go func() { got <- lockFile(f) }()
	select {
	case err := <-got:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock runtime: %w", err)
		}
		return &buildLock{f: f}, nil
	case <-ctx.Done():
		go func() {
			if err := <-got; err == nil {
				_ = unlockFile(f)
			}
			f.Close()
		}()
		return nil, fmt.Errorf("wait for runtime lock: %w", ctx.Err())
	}
}

func (l *buildLock) release() {
	_ = unlockFile(l.f)
	l.f.Close()
}
