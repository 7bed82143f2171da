//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package keyringstore

// sessionBusAvailable: the macOS Keychain and the Windows Credential Manager need no bus.
func sessionBusAvailable() error { return nil }

// vanished: only the Secret Service reports a vanished item its own way.
func vanished(err error) error { return err }

// noSecretService: there is no Secret Service to miss off the D-Bus systems.
func noSecretService(error) bool { return false }
