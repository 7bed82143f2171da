//go:build !windows

package testutil

import "testing"

// UnderWine is false outside Windows.
func UnderWine() bool { return false }

// SkipUnderWine does nothing outside Windows.
func SkipUnderWine(testing.TB, string) {}
