//go:build !linux

package desktop

// DefaultUniqueID names the single instance when Options.UniqueID is empty.
const DefaultUniqueID = "io.desklit.desktop"

// FirstInstance cannot tell before Run on this system (the single-instance lock is taken inside
// Run), so it answers false: the services start once the window is up.
func FirstInstance(uniqueID string) bool { return false }
