// Package keyringstore keeps the signed-in session in the OS keyring (go-keyring), split into
// chunks small enough for every platform behind a manifest, so that a reader never sees a torn
// session; with no keyring it falls back to memory (or, only when the user opts in, a file).
//
// Layout under the service (default "desklit"):
//
//	session                    the manifest: {"v":1,"gen":N,"tag":T,"chunks":C,"len":L,"sha256":H}
//	session.g<N>.<T>.c<i>      chunk i of generation N: ≤ ChunkSize bytes of the session JSON in base64
//
// A save writes the new generation's chunks under new names, then replaces the manifest (one
// keyring write, atomic on every platform), then deletes the previous generation's chunks. A
// reader that finds a chunk missing or the checksum wrong reads the manifest again: a new
// manifest means a writer got in between, the same one means the entries are corrupt, and
// corrupt entries are cleared with a warning. Saves in one process are serialised; the random
// tag keeps writers in different processes from ever writing the same entry.
package keyringstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/desklit/desklit/app/session"
)

const (
	// DefaultService is the keyring service name entries are stored under.
	DefaultService = "desklit"
	// DefaultTimeout bounds every keyring call.
	DefaultTimeout = 3 * time.Second
	// ChunkSize is the largest secret the store writes, in bytes: under Windows' 2560-byte cap
	// and, after go-keyring's own base64 on macOS, under the Keychain's ~3 KB.
	ChunkSize = 2000
	// MaxChunks bounds a session at MaxChunks*ChunkSize bytes of base64 (96,000 bytes of JSON).
	MaxChunks = 64

	manifestKey     = "session"
	probeKey        = "probe"
	manifestVersion = 1
	// readAttempts bounds how often a reader starts over because a writer replaced the session.
	readAttempts = 16
)

// Options configure a Store (New) and the choice of store (Open). Zero values mean defaults.
type Options struct {
	Service string        // keyring service name; DefaultService
	Timeout time.Duration // bound on each keyring call; DefaultTimeout
	Backend Backend       // Open only: the keyring; SystemBackend{}
	Logger  *slog.Logger  // slog.Default()

	// PlaintextFile is where the session goes when there is no keyring, but only if
	// AllowPlaintext is set too (the user opted in). Open only.
	PlaintextFile  string
	AllowPlaintext bool
}

func (o Options) withDefaults() Options {
	if o.Service == "" {
		o.Service = DefaultService
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Backend == nil {
		o.Backend = SystemBackend{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Store is a session.Store on a keyring Backend. It is safe for concurrent use, and several
// Stores (in one process or many) may share one keyring.
type Store struct {
	backend Backend
	service string
	timeout time.Duration
	log     *slog.Logger

	saveMu    sync.Mutex   // one writer at a time in this process
	abandoned atomic.Int64 // keyring calls that timed out and still run
	// reader: a Store of a process that only reads (the component server): it never clears a
	// corrupt session (the shell, the one writer, does).
	reader bool
}

var _ session.Store = (*Store)(nil)

// New returns a Store on backend (SystemBackend{} when nil). It does not touch the keyring;
// Probe does.
func New(backend Backend, opts Options) *Store {
	if backend != nil {
		opts.Backend = backend
	}
	opts = opts.withDefaults()
	return &Store{backend: opts.Backend, service: opts.Service, timeout: opts.Timeout, log: opts.Logger}
}

// manifest points at the chunks of the current generation.
type manifest struct {
	V      int    `json:"v"`
	Gen    uint64 `json:"gen"`
	Tag    string `json:"tag"`
	Chunks int    `json:"chunks"`
	Len    int    `json:"len"`
	SHA256 string `json:"sha256"`
}

func (m manifest) chunkKey(i int) string {
	return fmt.Sprintf("%s.g%d.%s.c%d", manifestKey, m.Gen, m.Tag, i)
}

// parseManifest decodes and checks a manifest. Its errors describe the problem without quoting
// the entry.
func parseManifest(raw string) (manifest, error) {
	var m manifest
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return m, errors.New("manifest is not valid JSON")
	}
	encLen := base64.StdEncoding.EncodedLen(m.Len)
	switch {
	case m.V != manifestVersion:
		return m, fmt.Errorf("manifest version %d is not %d", m.V, manifestVersion)
	case m.Gen == 0 || len(m.Tag) != 16 || !isHex(m.Tag):
		return m, errors.New("manifest has no valid generation")
	case m.Chunks < 1 || m.Chunks > MaxChunks || m.Len < 1 ||
		encLen > m.Chunks*ChunkSize || encLen <= (m.Chunks-1)*ChunkSize:
		return m, errors.New("manifest sizes are inconsistent")
	case len(m.SHA256) != sha256.Size*2 || !isHex(m.SHA256):
		return m, errors.New("manifest has no valid checksum")
	}
	return m, nil
}

// chunksOf reads where a manifest's chunks are even when it fails its other checks, so that
// they can be deleted.
func chunksOf(raw string) (manifest, bool) {
	var m manifest
	ok := json.Unmarshal([]byte(raw), &m) == nil && m.Gen > 0 && m.Chunks >= 1 &&
		m.Chunks <= MaxChunks && len(m.Tag) == 16 && isHex(m.Tag)
	return m, ok
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// corruptError is an inconsistency in the stored entries (as opposed to a keyring failure).
type corruptError struct{ reason string }

func (e corruptError) Error() string { return e.reason }

// Load returns the stored session, or ErrNotFound. Corrupt entries are cleared with a warning
// and reported as ErrNotFound.
func (s *Store) Load(ctx context.Context) (*session.Session, error) {
	var (
		last    string // the manifest behind the last inconsistency
		lastBad bool
	)
	for range readAttempts {
		raw, err := s.get(ctx, manifestKey)
		if errors.Is(err, ErrEntryNotFound) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("load session: %w", err)
		}
		m, err := parseManifest(raw)
		if err == nil {
			var sess *session.Session
			sess, err = s.readChunks(ctx, m)
			if err == nil {
				return sess, nil
			}
			if ce := (corruptError{}); !errors.As(err, &ce) {
				return nil, fmt.Errorf("load session: %w", err)
			}
		}
		// A manifest that is still the same after a second look is not a writer's doing.
		if lastBad && raw == last {
			if s.reader {
				s.log.Warn("the session in the keyring is corrupt; the shell clears it", "service", s.service, "reason", err.Error())
				return nil, ErrNotFound
			}
			return nil, s.clear(ctx, raw, err.Error())
		}
		last, lastBad = raw, true
	}
	return nil, fmt.Errorf("load session: %w", ErrBusy)
}

// readChunks reads the chunks of m in parallel and checks them against it.
func (s *Store) readChunks(ctx context.Context, m manifest) (*session.Session, error) {
	parts := make([]string, m.Chunks)
	errs := make([]error, m.Chunks)
	var wg sync.WaitGroup
	for i := range m.Chunks {
		wg.Go(func() { parts[i], errs[i] = s.get(ctx, m.chunkKey(i)) })
	}
	wg.Wait()
	for i, err := range errs {
		if errors.Is(err, ErrEntryNotFound) {
			return nil, corruptError{fmt.Sprintf("chunk %d of generation %d is missing", i, m.Gen)}
		}
		if err != nil {
			return nil, err
		}
		if len(parts[i]) > ChunkSize {
			return nil, corruptError{fmt.Sprintf("chunk %d of generation %d is too long", i, m.Gen)}
		}
	}
	payload, err := base64.StdEncoding.DecodeString(strings.Join(parts, ""))
	if err != nil || len(payload) != m.Len {
		return nil, corruptError{fmt.Sprintf("chunks of generation %d do not decode", m.Gen)}
	}
	sum := sha256.Sum256(payload)
	if hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, corruptError{fmt.Sprintf("checksum mismatch in generation %d", m.Gen)}
	}
	var sess session.Session
	if err := json.Unmarshal(payload, &sess); err != nil {
		return nil, corruptError{fmt.Sprintf("generation %d is not a valid session", m.Gen)}
	}
	return &sess, nil
}

// clear removes corrupt entries, unless a writer replaced the manifest meanwhile, and reports
// ErrNotFound.
func (s *Store) clear(ctx context.Context, raw, reason string) error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	now, err := s.get(ctx, manifestKey)
	if err != nil || now != raw {
		if errors.Is(err, ErrEntryNotFound) {
			return ErrNotFound
		}
		return fmt.Errorf("load session: %w", ErrBusy)
	}
	s.log.Warn("the session in the keyring is corrupt; clearing it (sign in again)",
		"service", s.service, "reason", reason)
	if err := s.del(ctx, manifestKey); err != nil {
		return fmt.Errorf("clear corrupt session: %w", err)
	}
	if m, ok := chunksOf(raw); ok {
		s.deleteChunks(ctx, m, m.Chunks)
	}
	return ErrNotFound
}

// Save stores sess as a new generation. A failed save leaves the previous session in place.
func (s *Store) Save(ctx context.Context, sess *session.Session) error {
	if sess == nil {
		return errors.New("save session: nil session")
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()

	prev, err := s.currentManifest(ctx)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	m := manifest{V: manifestVersion, Gen: 1, Tag: newTag()}
	if prev != nil {
		m.Gen = prev.Gen + 1
	}
	payload, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	enc := base64.StdEncoding.EncodeToString(payload)
	m.Chunks = (len(enc) + ChunkSize - 1) / ChunkSize
	if m.Chunks > MaxChunks {
		return fmt.Errorf("save session of %d bytes: %w", len(payload), ErrTooLarge)
	}
	m.Len = len(payload)
	sum := sha256.Sum256(payload)
	m.SHA256 = hex.EncodeToString(sum[:])

	for i := range m.Chunks {
		part := enc[i*ChunkSize : min((i+1)*ChunkSize, len(enc))]
		if err := s.set(ctx, m.chunkKey(i), part); err != nil {
			s.deleteChunks(ctx, m, i+1)
			return fmt.Errorf("save session: %w", err)
		}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	if err := s.set(ctx, manifestKey, string(raw)); err != nil {
		// A write that did not answer may still land: then its chunks are the session.
		if !errors.Is(err, ErrTimeout) && ctx.Err() == nil {
			s.deleteChunks(ctx, m, m.Chunks)
		}
		return fmt.Errorf("save session: %w", err)
	}
	if prev != nil {
		s.deleteChunks(ctx, *prev, prev.Chunks)
	}
	// Another process may have written its manifest over ours: then our chunks are orphans.
	if now, err := s.get(ctx, manifestKey); err == nil && now != string(raw) {
		s.deleteChunks(ctx, m, m.Chunks)
	}
	return nil
}

// currentManifest returns where the stored session's chunks are, nil when there is no manifest
// or not even that can be read from it (then it is simply replaced).
func (s *Store) currentManifest(ctx context.Context) (*manifest, error) {
	raw, err := s.get(ctx, manifestKey)
	if errors.Is(err, ErrEntryNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if m, ok := chunksOf(raw); ok {
		return &m, nil
	}
	return nil, nil
}

// deleteChunks deletes chunks 0..n-1 of m, best effort: a leftover chunk is unreachable, so
// failures are logged, not returned. It runs on even when ctx has ended.
func (s *Store) deleteChunks(ctx context.Context, m manifest, n int) int {
	ctx = context.WithoutCancel(ctx)
	failed := 0
	for i := range n {
		if err := s.del(ctx, m.chunkKey(i)); err != nil {
			failed++
			s.log.Warn("could not delete an old session chunk from the keyring",
				"service", s.service, "generation", m.Gen, "chunk", i, "err", err)
		}
	}
	return failed
}

// Delete removes the session: first the manifest, so that readers see no session rather than a
// partial one, then its chunks. Deleting nothing is not an error.
func (s *Store) Delete(ctx context.Context) error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	raw, err := s.get(ctx, manifestKey)
	if errors.Is(err, ErrEntryNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if err := s.del(ctx, manifestKey); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if m, ok := chunksOf(raw); ok {
		if n := s.deleteChunks(ctx, m, m.Chunks); n > 0 {
			return fmt.Errorf("delete session: %d of %d chunks are still in the keyring", n, m.Chunks)
		}
	}
	return nil
}
