//go:build !linux

package desktop

// updateMenuItems is Linux's workaround; elsewhere the menu is rebuilt (menuRebuilds).
func updateMenuItems(string, string, []RecentItem) {}
