//go:build linux || freebsd || openbsd || netbsd || dragonfly

package keyringstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/godbus/dbus/v5"
)

// sessionBusAvailable reports whether godbus would find a session bus without autolaunching
// one (it looks at DBUS_SESSION_BUS_ADDRESS, then at the runtime directory).
func sessionBusAvailable() error {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return nil
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil
		}
	}
	return ErrNoSessionBus
}

// vanished maps the Secret Service's "that item is gone" to ErrEntryNotFound: go-keyring
// searches for an item and then reads or deletes it, and another process may delete it in
// between (which is how the store replaces a generation). It is the one place that reads the
// Secret Service's errors: their D-Bus names and, where the name is a generic one, GDBus's words.
// TestVanishedRealSecretService checks it against gnome-keyring's answers.
func vanished(err error) error {
	name := dbusName(err)
	switch name {
	case "org.freedesktop.Secret.Error.NoSuchObject", "org.freedesktop.DBus.Error.UnknownObject":
		return fmt.Errorf("%w (%s)", ErrEntryNotFound, name)
	case "org.freedesktop.DBus.Error.UnknownMethod", "org.freedesktop.DBus.Error.UnknownInterface":
		// GDBus (gnome-keyring) says "Object does not exist at path …" once the item is gone, or
		// "No such interface “org.freedesktop.Secret.Item” on object at path …" when the path is
		// no longer an item's.
		if msg := err.Error(); strings.Contains(msg, "Object does not exist at path") ||
			strings.Contains(msg, "“org.freedesktop.Secret.Item”") {
			return fmt.Errorf("%w (%s)", ErrEntryNotFound, name)
		}
	}
	return err
}

// dbusName is the D-Bus error name in err's chain, "" when there is none.
func dbusName(err error) string {
	var de dbus.Error
	var dp *dbus.Error
	switch {
	case errors.As(err, &de):
		return de.Name
	case errors.As(err, &dp) && dp != nil:
		return dp.Name
	}
	return ""
}

// noSecretService reports that nothing on the session bus provides the Secret Service (no
// gnome-keyring, KWallet or KeePassXC running or activatable).
func noSecretService(err error) bool {
	switch dbusName(err) {
	case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
		return true
	}
	return false
}
