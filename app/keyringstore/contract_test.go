package keyringstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

// realKeyringEnv, set to 1, makes the contract run against the system keyring too (it must
// then be there): test/keyring/with-secret-service.sh sets it inside a throw-away keyring.
const realKeyringEnv = "DESKLIT_TEST_REAL_KEYRING"

// keyringEnv is one test's keyring: a backend and a service name of its own.
type keyringEnv struct {
	backend keyringstore.Backend
	opts    keyringstore.Options
	log     *testutil.SyncBuffer
	real    bool
}

// store returns a new Store on the test's keyring, as another process would open it.
func (e *keyringEnv) store() *keyringstore.Store { return keyringstore.New(e.backend, e.opts) }

// entry reads a raw entry.
func (e *keyringEnv) entry(t *testing.T, user string) (string, error) {
	t.Helper()
	return e.backend.Get(e.opts.Service, user)
}

// manifest reads the raw manifest.
func (e *keyringEnv) manifest(t *testing.T) manifestJSON {
	t.Helper()
	raw, err := e.entry(t, "session")
	if err != nil {
		t.Fatalf("read manifest entry: %v", err)
	}
	var m manifestJSON
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("manifest entry is not JSON: %v", err)
	}
	return m
}

type manifestJSON struct {
	V      int    `json:"v"`
	Gen    uint64 `json:"gen"`
	Tag    string `json:"tag"`
	Chunks int    `json:"chunks"`
	Len    int    `json:"len"`
	SHA256 string `json:"sha256"`
}

func (m manifestJSON) chunkKeys() []string {
	keys := make([]string, m.Chunks)
	for i := range keys {
		keys[i] = "session.g" + itoa(m.Gen) + "." + m.Tag + ".c" + itoa(uint64(i))
	}
	return keys
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// keyringTarget is one implementation the contract runs against.
type keyringTarget struct {
	name       string
	backend    func(t *testing.T) keyringstore.Backend
	iterations int64 // saves and loads in the torn-read test
	real       bool
}

func keyringTargets() []keyringTarget {
	return []keyringTarget{
		{name: "mock", iterations: 10000,
			backend: func(*testing.T) keyringstore.Backend { return &keyringstore.MockBackend{} }},
		{name: "secret-service", iterations: 300, real: true,
			backend: func(t *testing.T) keyringstore.Backend {
				if os.Getenv(realKeyringEnv) != "1" {
					t.Skipf("the real keyring is not tested: set %s=1 with a keyring running, "+
						"e.g. test/keyring/with-secret-service.sh go test ./app/keyringstore/", realKeyringEnv)
				}
				return keyringstore.SystemBackend{}
			}},
	}
}

func newKeyringEnv(t *testing.T, tgt keyringTarget) *keyringEnv {
	t.Helper()
	b := tgt.backend(t)
	log, buf := newLogger(t)
	e := &keyringEnv{
		backend: b, log: buf, real: tgt.real,
		opts: keyringstore.Options{Service: "desklit-test-" + randHex(8), Timeout: 10 * time.Second, Logger: log},
	}
	if tgt.real {
		if err := e.store().Probe(context.Background()); err != nil {
			t.Fatalf("%s=1 but the system keyring does not work: %v", realKeyringEnv, err)
		}
		t.Cleanup(func() { _ = e.store().Delete(context.Background()) })
	}
	return e
}

// TestStoreContract runs the same checks against every session.Store: the keyring Store on the
// mock and on the real Secret Service, the memory store and the file store.
func TestStoreContract(t *testing.T) {
	for _, tgt := range keyringTargets() {
		t.Run(tgt.name, func(t *testing.T) {
			runStoreContract(t, func(t *testing.T) func() session.Store {
				e := newKeyringEnv(t, tgt)
				return func() session.Store { return e.store() }
			})
		})
	}
	t.Run("memory", func(t *testing.T) {
		runStoreContract(t, func(t *testing.T) func() session.Store {
			m := keyringstore.NewMemoryStore()
			return func() session.Store { return m }
		})
	})
	t.Run("file", func(t *testing.T) {
		runStoreContract(t, func(t *testing.T) func() session.Store {
			log, _ := newLogger(t)
			path := filepath.Join(t.TempDir(), "state", "session.json")
			return func() session.Store { return keyringstore.NewFileStore(path, log) }
		})
	})
}

// runStoreContract: setup gives each subtest an empty storage and a way to open it (again).
func runStoreContract(t *testing.T, setup func(t *testing.T) func() session.Store) {
	ctx := context.Background()
	t.Run("empty load is ErrNotFound", func(t *testing.T) {
		open := setup(t)
		_, err := open().Load(ctx)
		if !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Load = %v, want ErrNotFound", err)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		open := setup(t)
		for _, size := range []int{800, 4 << 10, 10 << 10} {
			want := newSession("rt"+itoa(uint64(size)), size)
			before := *want
			st := open()
			if err := st.Save(ctx, want); err != nil {
				checkErr(t, err)
				t.Fatalf("Save: %v", err)
			}
			if *want != before {
				t.Fatalf("Save changed the caller's session")
			}
			got, err := open().Load(ctx)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !sameSession(got, want) {
				t.Fatalf("Load = %v, want %v", got, want)
			}
			again, err := open().Load(ctx)
			if err != nil || !sameSession(again, got) {
				t.Fatalf("second Load = %v, %v; want %v", again, err, got)
			}
		}
	})
	t.Run("save replaces", func(t *testing.T) {
		open := setup(t)
		a, b := newSession("a", 3000), newSession("b", 5000)
		if err := open().Save(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := open().Load(ctx); err != nil {
			t.Fatal(err)
		}
		if err := open().Save(ctx, b); err != nil {
			t.Fatal(err)
		}
		gb, err := open().Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !sameSession(gb, b) {
			t.Fatalf("after the second save Load = %v, want %v", gb, b)
		}
	})
	t.Run("delete", func(t *testing.T) {
		open := setup(t)
		if err := open().Delete(ctx); err != nil {
			t.Fatalf("Delete with nothing stored: %v", err)
		}
		if err := open().Save(ctx, newSession("d", 4000)); err != nil {
			t.Fatal(err)
		}
		if err := open().Delete(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := open().Load(ctx); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Load after Delete = %v, want ErrNotFound", err)
		}
	})
	t.Run("nil session is refused", func(t *testing.T) {
		open := setup(t)
		if err := open().Save(ctx, nil); err == nil {
			t.Fatal("Save(nil) succeeded")
		}
	})
}

// TestKeyringContract checks the keyring layout and its guarantees on the mock and the real
// Secret Service.
func TestKeyringContract(t *testing.T) {
	for _, tgt := range keyringTargets() {
		t.Run(tgt.name, func(t *testing.T) {
			t.Run("10 KB session in chunks of at most 2 KB", func(t *testing.T) { checkChunks(t, tgt) })
			t.Run("old generation is removed", func(t *testing.T) { checkOldGenerationRemoved(t, tgt) })
			t.Run("delete removes every entry", func(t *testing.T) { checkDeleteRemovesAll(t, tgt) })
			checkCorruptSessionsCleared(t, tgt)
			t.Run("concurrent readers never see a torn session", func(t *testing.T) {
				e := newKeyringEnv(t, tgt)
				tornReads(t, e, tgt.iterations)
			})
		})
	}
}

func checkChunks(t *testing.T, tgt keyringTarget) {
	ctx := context.Background()
	e := newKeyringEnv(t, tgt)
	want := newSession("big", 10<<10+300)
	if err := e.store().Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	m := e.manifest(t)
	if m.V != 1 || m.Len < 10<<10 || m.Chunks < 5 {
		t.Fatalf("manifest %+v: want v1, len >= 10 KiB, >= 5 chunks", m)
	}
	for _, k := range m.chunkKeys() {
		v, err := e.entry(t, k)
		if err != nil {
			t.Fatalf("chunk %s: %v", k, err)
		}
		if len(v) == 0 || len(v) > keyringstore.ChunkSize || keyringstore.ChunkSize > 2000 {
			t.Fatalf("chunk %s is %d bytes, want 1..2000", k, len(v))
		}
		if strings.Contains(v, secretMarker) {
			t.Fatalf("chunk %s holds the token in clear: want base64", k)
		}
	}
	got, err := e.store().Load(ctx)
	if err != nil || !sameSession(got, want) {
		t.Fatalf("Load = %v, %v", got, err)
	}
}

func checkOldGenerationRemoved(t *testing.T, tgt keyringTarget) {
	ctx := context.Background()
	e := newKeyringEnv(t, tgt)
	if err := e.store().Save(ctx, newSession("old", 6000)); err != nil {
		t.Fatal(err)
	}
	old := e.manifest(t)
	if err := e.store().Save(ctx, newSession("new", 3000)); err != nil {
		t.Fatal(err)
	}
	if m := e.manifest(t); m.Gen != old.Gen+1 {
		t.Fatalf("generation %d after %d", m.Gen, old.Gen)
	}
	for _, k := range old.chunkKeys() {
		if _, err := e.entry(t, k); !errors.Is(err, keyringstore.ErrEntryNotFound) {
			t.Errorf("old chunk %s: %v, want it gone", k, err)
		}
	}
}

func checkDeleteRemovesAll(t *testing.T, tgt keyringTarget) {
	ctx := context.Background()
	e := newKeyringEnv(t, tgt)
	if err := e.store().Save(ctx, newSession("del", 6000)); err != nil {
		t.Fatal(err)
	}
	m := e.manifest(t)
	if err := e.store().Delete(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range append(m.chunkKeys(), "session") {
		if _, err := e.entry(t, k); !errors.Is(err, keyringstore.ErrEntryNotFound) {
			t.Errorf("entry %s after Delete: %v, want it gone", k, err)
		}
	}
	if mb, ok := e.backend.(*keyringstore.MockBackend); ok {
		for _, k := range mb.Keys(e.opts.Service) {
			t.Errorf("entry %s left in the keyring after Delete", k)
		}
	}
}

// tornReads runs n iterations, each a save from one Store or a load from one of the readers on
// other Stores (as other processes would), all at once. Sessions vary in size (and chunk count);
// every load must be one whole session.
func tornReads(t *testing.T, e *keyringEnv, n int64) {
	ctx := context.Background()
	if err := e.store().Save(ctx, newSession("0", 2000)); err != nil {
		t.Fatal(err)
	}
	const readers = 2
	var (
		iterations         atomic.Int64 // saves and loads
		saves, reads, busy atomic.Int64
		wg                 sync.WaitGroup
	)
	more := func() bool { return iterations.Add(1) <= n }
	for range readers {
		st := e.store()
		wg.Go(func() {
			for more() {
				s, err := st.Load(ctx)
				if errors.Is(err, keyringstore.ErrBusy) {
					busy.Add(1)
					continue
				}
				if err != nil {
					t.Errorf("Load during saves: %v", err)
					return
				}
				if id, ok := consistent(s); !ok {
					t.Errorf("torn session: fields of different saves (user %s)", id)
					return
				}
				reads.Add(1)
			}
		})
	}
	wg.Go(func() {
		w := e.store()
		for i := int64(1); more(); i++ {
			// 1 to 3 chunks, so that readers also meet manifests with another chunk count.
			if err := w.Save(ctx, newSession(itoa(uint64(i)), 400+int(i%4)*1200)); err != nil {
				t.Errorf("Save %d: %v", i, err)
				return
			}
			saves.Add(1)
		}
	})
	wg.Wait()
	t.Logf("%d iterations: %d saves, %d whole loads, %d loads that gave up (ErrBusy)",
		n, saves.Load(), reads.Load(), busy.Load())
	// Enough of each to have met every interleaving many times (a slower scheduler, as Wine's,
	// gives fewer saves: 944 of 10 000 there).
	if saves.Load() < n/50 || reads.Load() < n/50 {
		t.Errorf("too few saves or loads to tell")
	}
	if busy.Load()*10 > reads.Load() {
		t.Errorf("%d of %d loads gave up while sessions were saved", busy.Load(), reads.Load()+busy.Load())
	}
}
