package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"testing"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/packaged"
)

// TestPackagedAppOpensItsOwnOnly: a packaged app given another app on its command line refuses
// it as a usage error, in the words the window uses (the shell's OpenRule).
func TestPackagedAppOpensItsOwnOnly(t *testing.T) {
	fs := flag.NewFlagSet("desklit", flag.ContinueOnError)
	if err := fs.Parse([]string{"/home/ada/other"}); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Sources: map[string]string{}}
	_, err := resolveApp(fs, cfg, config.Paths{Data: t.TempDir()}, io.Discard, &packaged.Manifest{Name: "Sales dashboard"})
	var ue *UsageError
	want := "Sales dashboard opens its own app only (not /home/ada/other)"
	if !errors.As(err, &ue) || ue.Msg != want {
		t.Fatalf("resolveApp = %v, want the usage error %q", err, want)
	}
	if ExitCode(err) != 2 {
		t.Errorf("exit code %d, want 2 (usage)", ExitCode(err))
	}
}

// TestPackagedAppServicesRunFromTheirLocks: a packaged Compose project's service with an
// environment of its own is installed from the lock the package made for it, the app from its own.
func TestPackagedAppServicesRunFromTheirLocks(t *testing.T) {
	pkg := t.TempDir()
	files := map[string]string{
		"compose.yaml":              "services:\n  backend:\n    build: ./backend\n    command: [\"python\", \"api.py\", \"--port\", \"8765\"]\n",
		"backend/api.py":            "print('api')\n",
		"backend/requirements.txt":  "fastapi\n",
		"frontend/app.py":           "import streamlit as st\n",
		"frontend/requirements.txt": "streamlit\n",
	}
	m := &packaged.Manifest{AppID: "shop", Name: "Shop", Project: "app", Script: "frontend/app.py", Lock: "requirements.lock.txt",
		Wheelhouse: "wheelhouse", Files: map[string]string{}, ServiceLocks: map[string]string{"backend": "services/backend.lock.txt"}, Dir: pkg,
		Python: "3.12"}
	for name, body := range files {
		testutil.WriteFile(t, filepath.Join(pkg, "app", filepath.FromSlash(name)), body)
		sum := sha256.Sum256([]byte(body))
		m.Files[name] = hex.EncodeToString(sum[:])
	}
	fs := flag.NewFlagSet("desklit", flag.ContinueOnError)
	cfg, err := config.Load(nil, func(string) string { return "" }, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	app, err := packagedApp(fs, cfg, config.Paths{Data: t.TempDir()}, m)
	if err != nil {
		t.Fatal(err)
	}
	p := app.Project
	if p.Deps.File != filepath.Join(pkg, "requirements.lock.txt") || len(p.Services) != 1 || p.Services[0].Deps == nil ||
		p.Services[0].Deps.File != filepath.Join(pkg, "services", "backend.lock.txt") || filepath.Base(p.RunDir()) != "frontend" {
		t.Fatalf("the packaged project: deps %+v, runs in %s, services %+v", p.Deps, p.RunDir(), p.Services)
	}
	if p.Python != "==3.12.*" {
		t.Errorf("the packaged project asks for Python %q, want its wheels' 3.12 (==3.12.*)", p.Python)
	}
}
