package keyringstore_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

var errInjected = errors.New("injected keyring failure")

// faultEnv is a mock keyring holding session "before", and a Store on it with a short timeout.
type faultEnv struct {
	mock  *keyringstore.MockBackend
	store *keyringstore.Store
	log   *testutil.SyncBuffer
	held  chan struct{} // closed at the end of the test: releases hung calls
}

const faultService = "desklit-faults"

func newFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	log, buf := newLogger(t)
	e := &faultEnv{mock: &keyringstore.MockBackend{}, log: buf, held: make(chan struct{})}
	t.Cleanup(func() { close(e.held) })
	e.store = keyringstore.New(e.mock, keyringstore.Options{Service: faultService, Timeout: 50 * time.Millisecond, Logger: log})
	if err := e.store.Save(context.Background(), newSession("before", 5000)); err != nil {
		t.Fatal(err)
	}
	return e
}

// failOn makes the nth call (from 1) of op on entry (the manifest "session", or any chunk
// "session.") fail with err, or hang until the test ends when err is nil.
func (e *faultEnv) failOn(op keyringstore.Op, entry string, nth int, err error) {
	var seen atomic.Int64
	e.mock.SetFault(func(o keyringstore.Op, _, user string) error {
		match := user == entry || strings.HasSuffix(entry, ".") && strings.HasPrefix(user, entry)
		if o != op || !match || seen.Add(1) != int64(nth) {
			return nil
		}
		if err == nil {
			<-e.held
			return errors.New("released")
		}
		return err
	})
}

// faultCase is a fault injected into one keyring call and what the store must make of it.
type faultCase struct {
	name   string
	op     keyringstore.Op
	prefix string // "session": the manifest; "session.": any chunk
	nth    int
	err    error // nil: the call hangs
	action string
	// wantErr: the error matches it; nil: the action succeeds.
	wantErr     error
	wantMessage string
	wantBefore  bool // the previous session is still what Load returns afterwards
	wantWarning string
}

var faultCases = []faultCase{
	{name: "load: manifest read fails", op: keyringstore.OpGet, prefix: "session", nth: 1, err: errInjected,
		action: "load", wantErr: errInjected, wantMessage: "keyring read desklit-faults/session: injected", wantBefore: true},
	{name: "load: chunk read fails", op: keyringstore.OpGet, prefix: "session.", nth: 2, err: errInjected,
		action: "load", wantErr: errInjected, wantMessage: "keyring read desklit-faults/session.g1.", wantBefore: true},
	{name: "load: manifest read hangs", op: keyringstore.OpGet, prefix: "session", nth: 1,
		action: "load", wantErr: keyringstore.ErrTimeout, wantMessage: "did not answer within 50ms (is it locked?)", wantBefore: true},
	{name: "load: chunk read hangs", op: keyringstore.OpGet, prefix: "session.", nth: 1,
		action: "load", wantErr: keyringstore.ErrTimeout, wantMessage: "did not answer within 50ms", wantBefore: true},
	{name: "save: chunk write fails", op: keyringstore.OpSet, prefix: "session.", nth: 2, err: errInjected,
		action: "save", wantErr: errInjected, wantMessage: "save session: keyring write", wantBefore: true},
	{name: "save: chunk write hangs", op: keyringstore.OpSet, prefix: "session.", nth: 1,
		action: "save", wantErr: keyringstore.ErrTimeout, wantMessage: "did not answer", wantBefore: true},
	{name: "save: manifest write fails", op: keyringstore.OpSet, prefix: "session", nth: 1, err: errInjected,
		action: "save", wantErr: errInjected, wantBefore: true},
	{name: "save: manifest read fails", op: keyringstore.OpGet, prefix: "session", nth: 1, err: errInjected,
		action: "save", wantErr: errInjected, wantBefore: true},
	{name: "save: too big for Windows", op: keyringstore.OpSet, prefix: "session.", nth: 1,
		err: errors.New("data passed to Set was too big"), action: "save", wantMessage: "too big", wantBefore: true},
	{name: "save: old chunk delete fails", op: keyringstore.OpDelete, prefix: "session.", nth: 1, err: errInjected,
		action: "save", wantWarning: "could not delete an old session chunk"},
	{name: "delete: manifest delete fails", op: keyringstore.OpDelete, prefix: "session", nth: 1, err: errInjected,
		action: "delete", wantErr: errInjected, wantBefore: true},
	{name: "delete: chunk delete fails", op: keyringstore.OpDelete, prefix: "session.", nth: 1, err: errInjected,
		action: "delete", wantMessage: "chunks are still in the keyring"},
	{name: "delete: manifest delete hangs", op: keyringstore.OpDelete, prefix: "session", nth: 1,
		action: "delete", wantErr: keyringstore.ErrTimeout},
}

func TestInjectedFaults(t *testing.T) {
	ctx := context.Background()
	for _, tt := range faultCases {
		t.Run(tt.name, func(t *testing.T) {
			e := newFaultEnv(t)
			e.failOn(tt.op, tt.prefix, tt.nth, tt.err)
			var err error
			switch tt.action {
			case "load":
				_, err = e.store.Load(ctx)
			case "save":
				err = e.store.Save(ctx, newSession("after", 5000))
			case "delete":
				err = e.store.Delete(ctx)
			}
			checkErr(t, err)
			checkFaultError(t, tt, err)
			if tt.wantWarning != "" && !strings.Contains(e.log.String(), tt.wantWarning) {
				t.Errorf("log lacks %q:\n%s", tt.wantWarning, e.log.String())
			}
			checkSessionBefore(t, tt, e)
		})
	}
}

// checkFaultError: the action's error is the one the case wants, or none.
func checkFaultError(t *testing.T, tt faultCase, err error) {
	t.Helper()
	if tt.wantErr == nil && tt.wantMessage == "" {
		if err != nil {
			t.Fatalf("%s: %v, want success", tt.action, err)
		}
	} else {
		if err == nil {
			t.Fatalf("%s succeeded, want an error", tt.action)
		}
		if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
			t.Errorf("%s = %v, want %v", tt.action, err, tt.wantErr)
		}
		if !strings.Contains(err.Error(), tt.wantMessage) {
			t.Errorf("%s = %q, want it to say %q", tt.action, err, tt.wantMessage)
		}
	}
}

// checkSessionBefore: after a failed call the previous session is what Load returns, and no
// chunk of an unfinished save is left behind.
func checkSessionBefore(t *testing.T, tt faultCase, e *faultEnv) {
	t.Helper()
	ctx := context.Background()
	if tt.wantBefore && tt.err != nil { // a hung call may still land later: no check then
		e.mock.SetFault(nil)
		got, err := e.store.Load(ctx)
		if err != nil {
			t.Fatalf("Load after the fault: %v", err)
		}
		if id, _ := consistent(got); id != "before" {
			t.Errorf("Load after the fault = session %q, want the previous one", id)
		}
		// No chunks of an unfinished save are left behind.
		keys := e.mock.Keys(faultService)
		for _, k := range keys {
			if k != "session" && !strings.HasPrefix(k, "session.g1.") {
				t.Errorf("entry %s left behind (entries %v)", k, keys)
			}
		}
	}
}

func TestCancelledContext(t *testing.T) {
	e := newFaultEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.store.Load(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Load = %v, want context.Canceled", err)
	}
	if err := e.store.Save(ctx, newSession("x", 100)); !errors.Is(err, context.Canceled) {
		t.Errorf("Save = %v, want context.Canceled", err)
	}
	// A call that hangs is abandoned when the context ends.
	e.failOn(keyringstore.OpGet, "session", 1, nil)
	ctx, cancel = context.WithCancel(context.Background())
	go cancel()
	if _, err := e.store.Load(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a hung keyring and a cancelled context = %v, want context.Canceled", err)
	}
}

func TestHungKeyringDoesNotPileUpCalls(t *testing.T) {
	e := newFaultEnv(t)
	var calls atomic.Int64
	e.mock.SetFault(func(keyringstore.Op, string, string) error {
		calls.Add(1)
		<-e.held
		return errors.New("released")
	})
	for range 20 {
		if _, err := e.store.Load(context.Background()); !errors.Is(err, keyringstore.ErrTimeout) {
			t.Fatalf("Load = %v, want ErrTimeout", err)
		}
	}
	if n := calls.Load(); n >= 20 || n == 0 {
		t.Errorf("%d calls reached the hung keyring in 20 loads; want a bounded number", n)
	}
}

func TestTooLarge(t *testing.T) {
	e := newFaultEnv(t)
	err := e.store.Save(context.Background(), newSession("huge", 200<<10))
	if !errors.Is(err, keyringstore.ErrTooLarge) {
		t.Fatalf("Save of 200 KB = %v, want ErrTooLarge", err)
	}
	checkErr(t, err)
	if got, err := e.store.Load(context.Background()); err != nil || !strings.HasSuffix(got.User.Sub, "before") {
		t.Fatalf("Load after a refused save = %v, %v", got, err)
	}
}

// TestMockBackendRefusesWindowsSizedSecrets guards the chunk size against the Windows cap.
func TestMockBackendRefusesWindowsSizedSecrets(t *testing.T) {
	m := &keyringstore.MockBackend{}
	if err := m.Set("s", "u", strings.Repeat("x", 2561)); err == nil {
		t.Fatal("2561 bytes accepted")
	}
	if err := m.Set("s", "u", strings.Repeat("x", 2560)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get("s", "nope"); !errors.Is(err, keyringstore.ErrEntryNotFound) {
		t.Fatalf("Get of a missing entry = %v", err)
	}
	var _ session.Store = keyringstore.New(m, keyringstore.Options{})
}
