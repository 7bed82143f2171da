package keyringstore

import (
	"fmt"
	"slices"
	"sync"

	"github.com/zalando/go-keyring"
)

// Op names a Backend call for MockBackend's fault hook.
type Op string

// The Backend calls.
const (
	OpGet    Op = "get"
	OpSet    Op = "set"
	OpDelete Op = "delete"
)

// MockBackend is an in-memory Backend for tests, with fault injection. The zero value is ready
// to use and, like Windows, refuses secrets longer than 2560 bytes.
type MockBackend struct {
	mu      sync.Mutex
	entries map[string]map[string]string
	fault   func(op Op, service, user string) error
	// MaxSecret is the longest secret Set accepts (keyring.ErrSetDataTooBig beyond); 0 means 2560.
	MaxSecret int
}

var _ Backend = (*MockBackend)(nil)

// SetFault installs f, which runs before every call: an error from it is the call's result and
// the entries stay untouched; it may also block, like a locked keyring. nil removes it.
func (m *MockBackend) SetFault(f func(op Op, service, user string) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fault = f
}

func (m *MockBackend) before(op Op, service, user string) error {
	m.mu.Lock()
	f := m.fault
	m.mu.Unlock()
	if f == nil {
		return nil
	}
	return f(op, service, user)
}

// Get returns the entry, or keyring.ErrNotFound.
func (m *MockBackend) Get(service, user string) (string, error) {
	if err := m.before(OpGet, service, user); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.entries[service][user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

// Set stores an entry.
func (m *MockBackend) Set(service, user, pass string) error {
	if err := m.before(OpSet, service, user); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	limit := m.MaxSecret
	if limit == 0 {
		limit = 2560
	}
	if len(pass) > limit {
		return fmt.Errorf("secret of %d bytes: %w", len(pass), keyring.ErrSetDataTooBig)
	}
	if m.entries == nil {
		m.entries = map[string]map[string]string{}
	}
	if m.entries[service] == nil {
		m.entries[service] = map[string]string{}
	}
	m.entries[service][user] = pass
	return nil
}

// Delete removes an entry, or returns keyring.ErrNotFound.
func (m *MockBackend) Delete(service, user string) error {
	if err := m.before(OpDelete, service, user); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[service][user]; !ok {
		return keyring.ErrNotFound
	}
	delete(m.entries[service], user)
	return nil
}

// Keys lists the users stored under service, sorted.
func (m *MockBackend) Keys(service string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.entries[service]))
	for k := range m.entries[service] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
