package window

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestServiceProgram(t *testing.T) {
	dir := t.TempDir()
	exe := "" // Windows runs name.exe, whatever the mode bits
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name+exe)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	win := write("desklit-window", 0o755)
	if got := ServiceProgram(win); got != win {
		t.Errorf("no plain desklit beside it: %q, want itself", got)
	}
	plain := write("desklit", 0o644)
	if got := ServiceProgram(win); got != win && runtime.GOOS != "windows" {
		t.Errorf("a desklit that cannot run: %q, want itself", got)
	}
	if err := os.Chmod(plain, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := ServiceProgram(win); got != plain {
		t.Errorf("installed pair: %q, want %q", got, plain)
	}
	// A window build under another name (wails build, wails dev) never picks up a desklit beside it.
	dev := write("desklit-dev", 0o755)
	if got := ServiceProgram(dev); got != dev {
		t.Errorf("wails dev build: %q, want itself", got)
	}
	if got := ServiceProgram(plain); got != plain {
		t.Errorf("the plain binary itself: %q", got)
	}
}
