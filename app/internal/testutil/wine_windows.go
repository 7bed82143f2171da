package testutil

import (
	"testing"

	"golang.org/x/sys/windows"
)

// UnderWine reports whether this Windows program runs under Wine (its ntdll exports
// wine_get_version), where a few Windows facilities are missing or partial.
func UnderWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// SkipUnderWine skips t under Wine, saying which of Wine's limits the test would meet.
func SkipUnderWine(t testing.TB, limit string) {
	t.Helper()
	if UnderWine() {
		t.Skip("Wine: " + limit)
	}
}
