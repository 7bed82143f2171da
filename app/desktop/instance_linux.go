package desktop

import (
	"strings"

	"github.com/godbus/dbus/v5"
)

// DefaultUniqueID names the single instance when Options.UniqueID is empty.
const DefaultUniqueID = "io.desklit.desktop"

// FirstInstance reports whether no other window of this app is running, so that the services may
// be started before the window (see appwindow.Backend.Prestart): Wails' single-instance lock on
// Linux is the D-Bus name below, taken inside Run. Without a session bus there is no lock either,
// so the answer is true. A private connection, closed again: Wails uses the shared one.
func FirstInstance(uniqueID string) bool {
	if uniqueID == "" {
		uniqueID = DefaultUniqueID
	}
	name := "org.wails_app_" + strings.NewReplacer("-", "_", ".", "_").Replace(uniqueID) + ".SingleInstance"
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		return true
	}
	defer conn.Close()
	if conn.Auth(nil) != nil || conn.Hello() != nil {
		return true
	}
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned); err != nil {
		return true
	}
	return !owned
}
