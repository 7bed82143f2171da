package keyringstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/keyringstore"
)

// openCase is a keyring (or none) Open meets, and what it must make of it.
type openCase struct {
	name           string
	backend        func(held <-chan struct{}) keyringstore.Backend
	allowPlaintext bool
	plaintextFile  bool
	wantBackend    string
	wantWarning    []string
}

func openCases() []openCase {
	failing := func() keyringstore.Backend {
		m := &keyringstore.MockBackend{}
		m.SetFault(func(keyringstore.Op, string, string) error {
			return errors.New("The name org.freedesktop.secrets was not provided by any .service files")
		})
		return m
	}
	return []openCase{
		{name: "keyring answers",
			backend:     func(<-chan struct{}) keyringstore.Backend { return &keyringstore.MockBackend{} },
			wantBackend: keyringstore.BackendKeyring},
		{name: "no secret service",
			backend:     func(<-chan struct{}) keyringstore.Backend { return failing() },
			wantBackend: keyringstore.BackendMemory,
			wantWarning: []string{"No system keyring is available (the keyring refused to keep a secret", "the reason is in Desklit's log", "you stay signed in until Desklit quits."}},
		{name: "locked keyring does not answer",
			backend: func(held <-chan struct{}) keyringstore.Backend {
				m := &keyringstore.MockBackend{}
				m.SetFault(func(keyringstore.Op, string, string) error { <-held; return nil })
				return m
			},
			wantBackend: keyringstore.BackendMemory,
			wantWarning: []string{"did not answer within 50ms; is it locked?", "until Desklit quits"}},
		{name: "keyring that loses data",
			backend:     func(<-chan struct{}) keyringstore.Backend { return forgetfulBackend{} },
			wantBackend: keyringstore.BackendMemory},
		{name: "no keyring, plain text allowed", backend: func(<-chan struct{}) keyringstore.Backend { return failing() },
			allowPlaintext: true, plaintextFile: true,
			wantBackend: keyringstore.BackendFile,
			wantWarning: []string{"No system keyring is available", "unencrypted in", "session.json"}},
		{name: "no keyring, file given but plain text not allowed", backend: func(<-chan struct{}) keyringstore.Backend { return failing() },
			plaintextFile: true,
			wantBackend:   keyringstore.BackendMemory},
		{name: "no keyring, plain text allowed but no file", backend: func(<-chan struct{}) keyringstore.Backend { return failing() },
			allowPlaintext: true,
			wantBackend:    keyringstore.BackendMemory,
			wantWarning:    []string{"until Desklit quits", "no file is configured"}},
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	for _, tt := range openCases() {
		t.Run(tt.name, func(t *testing.T) {
			held := make(chan struct{})
			t.Cleanup(func() { close(held) })
			log, _ := newLogger(t)
			b := tt.backend(held)
			path := ""
			if tt.plaintextFile {
				path = filepath.Join(t.TempDir(), "desklit", "session.json")
			}
			st, status := keyringstore.Open(ctx, keyringstore.Options{
				Backend: b, Timeout: 50 * time.Millisecond, Logger: log,
				PlaintextFile: path, AllowPlaintext: tt.allowPlaintext,
			})
			checkOpenStatus(t, tt, status)
			// The store works, whatever it is.
			want := newSession("open", 4000)
			if err := st.Save(ctx, want); err != nil {
				t.Fatalf("Save: %v", err)
			}
			got, err := st.Load(ctx)
			if err != nil || !sameSession(got, want) {
				t.Fatalf("Load = %v, %v", got, err)
			}
			checkWhereTheSessionWent(t, tt, b, path)
		})
	}
}

// checkOpenStatus: the backend chosen, and a warning exactly when it is not the keyring.
func checkOpenStatus(t *testing.T, tt openCase, status keyringstore.Status) {
	t.Helper()
	if status.Backend != tt.wantBackend {
		t.Fatalf("Open: backend %q (warning %q), want %q", status.Backend, status.Warning, tt.wantBackend)
	}
	if tt.wantBackend == keyringstore.BackendKeyring && status.Warning != "" {
		t.Errorf("warning %q with a working keyring", status.Warning)
	}
	if tt.wantBackend != keyringstore.BackendKeyring && status.Warning == "" {
		t.Errorf("no warning without a keyring")
	}
	for _, w := range tt.wantWarning {
		if !strings.Contains(status.Warning, w) {
			t.Errorf("warning %q lacks %q", status.Warning, w)
		}
	}
	if strings.Contains(status.Warning, "not provided by any .service files") {
		t.Errorf("warning %q quotes the keyring library's error", status.Warning)
	}
}

// checkWhereTheSessionWent: into the keyring only when it answered (the probe gone), into the
// file only when the user allowed it (0600).
func checkWhereTheSessionWent(t *testing.T, tt openCase, b keyringstore.Backend, path string) {
	t.Helper()
	if m, ok := b.(*keyringstore.MockBackend); ok {
		m.SetFault(nil)
		keys := m.Keys(keyringstore.DefaultService)
		if tt.wantBackend == keyringstore.BackendKeyring && len(keys) == 0 {
			t.Errorf("nothing in the keyring")
		}
		if tt.wantBackend != keyringstore.BackendKeyring && len(keys) > 0 {
			t.Errorf("entries %v in a keyring that was not used", keys)
		}
		for _, k := range keys {
			if strings.HasPrefix(k, "probe") {
				t.Errorf("the probe entry was left behind")
			}
		}
	}
	if path != "" {
		fi, err := os.Stat(path)
		switch {
		case tt.wantBackend == keyringstore.BackendFile && err != nil:
			t.Errorf("no session file: %v", err)
		case tt.wantBackend == keyringstore.BackendFile && goruntime.GOOS != "windows" && fi.Mode().Perm() != 0o600:
			t.Errorf("session file mode %v, want 0600", fi.Mode().Perm())
		case tt.wantBackend != keyringstore.BackendFile && err == nil:
			t.Errorf("a session file was written without the user's consent")
		}
	}
}

// TestOpenWithoutSessionBus: with no D-Bus session bus the system backend says so at once, and
// does not let godbus launch a bus.
func TestOpenWithoutSessionBus(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("the session bus is a Linux matter")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	log, _ := newLogger(t)
	_, status := keyringstore.Open(context.Background(), keyringstore.Options{Logger: log, Service: "desklit-test-nobus"})
	if status.Backend != keyringstore.BackendMemory || !strings.Contains(status.Warning, "no D-Bus session bus") ||
		!strings.Contains(status.Reason, "no D-Bus session bus") {
		t.Fatalf("Open without a bus = %+v", status)
	}
	if _, err := (keyringstore.SystemBackend{}).Get("desklit-test-nobus", "x"); !errors.Is(err, keyringstore.ErrNoSessionBus) {
		t.Fatalf("Get without a bus = %v, want ErrNoSessionBus", err)
	}
}

// TestOpenRealKeyring: under test/keyring/with-secret-service.sh, Open finds the keyring.
func TestOpenRealKeyring(t *testing.T) {
	if os.Getenv(realKeyringEnv) != "1" {
		t.Skipf("set %s=1 with a keyring running (test/keyring/with-secret-service.sh)", realKeyringEnv)
	}
	log, _ := newLogger(t)
	st, status := keyringstore.Open(context.Background(), keyringstore.Options{Logger: log, Service: "desklit-test-" + randHex(8)})
	if status.Backend != keyringstore.BackendKeyring || status.Warning != "" {
		t.Fatalf("Open = %+v, want the keyring", status)
	}
	if _, err := st.Load(context.Background()); !errors.Is(err, keyringstore.ErrNotFound) {
		t.Fatalf("Load = %v, want ErrNotFound", err)
	}
}

// forgetfulBackend accepts every write and answers every read with the same stale value.
type forgetfulBackend struct{}

func (forgetfulBackend) Get(string, string) (string, error) { return "stale", nil }
func (forgetfulBackend) Set(string, string, string) error   { return nil }
func (forgetfulBackend) Delete(string, string) error        { return nil }
