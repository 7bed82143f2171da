package keyringstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

// checkCorruptSessionsCleared: a session the keyring holds damaged is cleared with a warning,
// and the next one is saved.
func checkCorruptSessionsCleared(t *testing.T, tgt keyringTarget) {
	ctx := context.Background()
	corruptions := []struct {
		name    string
		orphans bool // the chunks cannot be found any more
		corrupt func(t *testing.T, e *keyringEnv, m manifestJSON)
	}{
		{"manifest not JSON", true, func(t *testing.T, e *keyringEnv, _ manifestJSON) {
			mustSet(t, e, "session", "{not json")
		}},
		{"manifest of another version", false, func(t *testing.T, e *keyringEnv, m manifestJSON) {
			m.V = 7
			b, _ := json.Marshal(m)
			mustSet(t, e, "session", string(b))
		}},
		{"chunk altered", false, func(t *testing.T, e *keyringEnv, m manifestJSON) {
			k := m.chunkKeys()[1]
			v, err := e.entry(t, k)
			if err != nil {
				t.Fatal(err)
			}
			flipped := []byte(v)
			if flipped[10] == 'A' {
				flipped[10] = 'B'
			} else {
				flipped[10] = 'A'
			}
			mustSet(t, e, k, string(flipped))
		}},
		{"chunk missing", false, func(t *testing.T, e *keyringEnv, m manifestJSON) {
			if err := e.backend.Delete(e.opts.Service, m.chunkKeys()[0]); err != nil {
				t.Fatal(err)
			}
		}},
		{"chunk not base64", false, func(t *testing.T, e *keyringEnv, m manifestJSON) {
			mustSet(t, e, m.chunkKeys()[0], "%%%%")
		}},
	}
	for _, c := range corruptions {
		t.Run("corrupt: "+c.name+" is cleared with a warning", func(t *testing.T) {
			e := newKeyringEnv(t, tgt)
			if err := e.store().Save(ctx, newSession("c", 6000)); err != nil {
				t.Fatal(err)
			}
			m := e.manifest(t)
			c.corrupt(t, e, m)
			// A reader (the component server) sees no session and leaves the entries as they
			// are: only the shell writes the keyring.
			ro := e.opts
			ro.Backend = e.backend
			reader, err := keyringstore.OpenReader(ctx, ro)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := reader.Load(ctx); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("a reader's Load of a corrupt session = %v, want ErrNotFound", err)
			}
			if _, err := e.entry(t, "session"); err != nil {
				t.Fatalf("a reader cleared the corrupt session: %v", err)
			}
			_, err = e.store().Load(ctx)
			if !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("Load of a corrupt session = %v, want ErrNotFound", err)
			}
			if !strings.Contains(e.log.String(), "corrupt") || !strings.Contains(e.log.String(), "level=WARN") {
				t.Errorf("no warning logged; log:\n%s", e.log.String())
			}
			gone := []string{"session"}
			if !c.orphans {
				gone = append(gone, m.chunkKeys()...)
			}
			for _, k := range gone {
				if _, err := e.entry(t, k); !errors.Is(err, keyringstore.ErrEntryNotFound) {
					t.Errorf("entry %s after clearing: %v, want it gone", k, err)
				}
			}
			if err := e.store().Save(ctx, newSession("c2", 2000)); err != nil {
				t.Fatalf("Save after clearing: %v", err)
			}
		})
	}
}

func mustSet(t *testing.T, e *keyringEnv, user, val string) {
	t.Helper()
	if err := e.backend.Set(e.opts.Service, user, val); err != nil {
		t.Fatal(err)
	}
}
