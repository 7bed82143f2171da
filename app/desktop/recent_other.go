//go:build !linux

package desktop

// updateRecentItems is Linux's workaround; elsewhere the menu is rebuilt (menuRebuilds).
func updateRecentItems([]RecentItem) {}
