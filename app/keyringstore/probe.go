package keyringstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
)

// Probe checks that the keyring answers and keeps what it is given: it writes, reads back and
// deletes a random probe entry. The entry is named by its random value, so that processes that
// open the keyring at once (the window, a restarting component server, `desklit status`) never
// read or delete one another's and take a working keyring for a broken one.
func (s *Store) Probe(ctx context.Context) error {
	want := newTag()
	key := probeKey + "." + want
	if err := s.set(ctx, key, want); err != nil {
		return err
	}
	got, err := s.get(ctx, key)
	if err != nil {
		return err
	}
	if err := s.del(ctx, key); err != nil {
		return err
	}
	if got != want {
		return errors.New("keyring returned a different value than was stored")
	}
	return nil
}

// newTag returns 16 random hex digits.
func newTag() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}
