package keyringstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxAbandoned bounds the keyring calls that timed out but are still running: go-keyring
// cannot cancel a call that waits on a locked keyring, so the store abandons it, and past this
// many it fails new calls at once instead of piling up goroutines.
const maxAbandoned = 8

// timeoutError is what a keyring call that did not answer returns; it matches ErrTimeout.
type timeoutError struct{ after time.Duration }

func (e timeoutError) Error() string {
	return fmt.Sprintf("keyring did not answer within %s (is it locked?)", e.after)
}

func (e timeoutError) Is(target error) bool { return target == ErrTimeout }

type callResult struct {
	val string
	err error
}

// call runs fn on its own goroutine and returns its answer, or gives up after the store's
// timeout or when ctx ends. The error names the operation and the entry, never a value.
func (s *Store) call(ctx context.Context, op, key string, fn func() (string, error)) (string, error) {
	wrap := func(err error) error { return fmt.Errorf("keyring %s %s/%s: %w", op, s.service, key, err) }
	if err := ctx.Err(); err != nil {
		return "", wrap(err)
	}
	if s.abandoned.Load() >= maxAbandoned {
		return "", wrap(timeoutError{s.timeout})
	}
	done := make(chan callResult, 1)
	go func() {
		v, err := fn()
		done <- callResult{v, err}
	}()
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return "", wrap(r.err)
		}
		return r.val, nil
	case <-timer.C:
		s.abandon(done)
		return "", wrap(timeoutError{s.timeout})
	case <-ctx.Done():
		s.abandon(done)
		return "", wrap(ctx.Err())
	}
}

// abandon counts a call that is still running until it answers.
func (s *Store) abandon(done <-chan callResult) {
	s.abandoned.Add(1)
	go func() {
		<-done
		s.abandoned.Add(-1)
	}()
}

func (s *Store) get(ctx context.Context, key string) (string, error) {
	return s.call(ctx, "read", key, func() (string, error) { return s.backend.Get(s.service, key) })
}

func (s *Store) set(ctx context.Context, key, val string) error {
	_, err := s.call(ctx, "write", key, func() (string, error) { return "", s.backend.Set(s.service, key, val) })
	return err
}

// del deletes an entry; a missing entry is not an error.
func (s *Store) del(ctx context.Context, key string) error {
	_, err := s.call(ctx, "delete", key, func() (string, error) { return "", s.backend.Delete(s.service, key) })
	if errors.Is(err, ErrEntryNotFound) {
		return nil
	}
	return err
}
