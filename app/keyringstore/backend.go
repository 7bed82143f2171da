package keyringstore

import (
	"errors"

	"github.com/zalando/go-keyring"

	"github.com/desklit/desklit/app/session"
)

// Backend is the keyring as the store uses it: go-keyring's three calls. A Backend reports a
// missing entry with an error that matches ErrEntryNotFound. Calls may block (a locked keyring
// can wait for a prompt forever); the store bounds every call with its own timeout.
type Backend interface {
	Get(service, user string) (string, error)
	Set(service, user, pass string) error
	Delete(service, user string) error
}

// Errors. Messages never contain a token value.
var (
	// ErrNotFound means no session is stored; it is session.ErrNotFound.
	ErrNotFound = session.ErrNotFound
	// ErrEntryNotFound is what a Backend returns for a missing entry (go-keyring's ErrNotFound).
	ErrEntryNotFound = keyring.ErrNotFound
	// ErrTimeout matches every error from a keyring call that did not answer in time.
	ErrTimeout = errors.New("keyring did not answer in time")
	// ErrTooLarge means the session does not fit in MaxChunks chunks.
	ErrTooLarge = errors.New("session too large for the keyring")
	// ErrBusy means the session kept being replaced while it was read; reading again helps.
	ErrBusy = errors.New("session kept changing while being read")
	// ErrNoSessionBus means there is no D-Bus session bus, so no Secret Service (Linux, BSD).
	ErrNoSessionBus = errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
)

// SystemBackend is the OS keyring through go-keyring: the Secret Service on Linux, the
// Keychain on macOS, the Credential Manager on Windows.
//
// On Linux it refuses to run without a D-Bus session bus: go-keyring would otherwise let godbus
// start a stray dbus-launch daemon.
type SystemBackend struct{}

// Get returns the secret stored for service and user.
func (SystemBackend) Get(service, user string) (string, error) {
	if err := sessionBusAvailable(); err != nil {
		return "", err
	}
	v, err := keyring.Get(service, user)
	return v, vanished(err)
}

// Set stores pass for service and user, replacing any previous secret.
func (SystemBackend) Set(service, user, pass string) error {
	if err := sessionBusAvailable(); err != nil {
		return err
	}
	return keyring.Set(service, user, pass)
}

// Delete removes the secret stored for service and user.
func (SystemBackend) Delete(service, user string) error {
	if err := sessionBusAvailable(); err != nil {
		return err
	}
	return vanished(keyring.Delete(service, user))
}
