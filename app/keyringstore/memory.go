package keyringstore

import (
	"context"
	"errors"
	"sync"

	"github.com/desklit/desklit/app/session"
)

// MemoryStore keeps the session in this process only: the fallback with no keyring.
type MemoryStore struct {
	mu   sync.Mutex
	sess *session.Session
}

var _ session.Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Load returns a copy of the session, or ErrNotFound.
func (m *MemoryStore) Load(ctx context.Context) (*session.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sess == nil {
		return nil, ErrNotFound
	}
	c := *m.sess
	return &c, nil
}

// Save keeps a copy of sess.
func (m *MemoryStore) Save(ctx context.Context, sess *session.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if sess == nil {
		return errors.New("save session: nil session")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *sess
	m.sess = &c
	return nil
}

// Delete forgets the session.
func (m *MemoryStore) Delete(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sess = nil
	return nil
}
