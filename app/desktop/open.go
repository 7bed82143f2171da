package desktop

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/desklit/desklit/app/browser"
)

// openInBrowser opens u in the system browser. The URL carries the launch secret, so it must
// not appear on a command line where other local users can read it: like Jupyter, we write a
// private redirect page and open that file instead, by app/browser's rules (those of the
// sign-in: $BROWSER as xdg-utils reads it). The page lives under the user's cache folder, not
// /tmp: sandboxed browsers (snap, flatpak) have a /tmp of their own.
func openInBrowser(u string) error {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	base = filepath.Join(base, "desklit", "open")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return fmt.Errorf("redirect page: %w", err)
	}
	dir, err := os.MkdirTemp(base, "")
	if err != nil {
		return fmt.Errorf("redirect page: %w", err)
	}
	page := filepath.Join(dir, "open.html")
	var buf bytes.Buffer
	if err := redirectPage.Execute(&buf, u); err != nil {
		return fmt.Errorf("redirect page: %w", err)
	}
	if err := writePrivate(page, buf.Bytes()); err != nil {
		os.RemoveAll(dir)
		return err
	}
	// The browser reads the page within moments; remove it later rather than leave it behind.
	time.AfterFunc(2*time.Minute, func() { os.RemoveAll(dir) })
	return browser.Launcher{}.Open(page)
}

var redirectPage = template.Must(template.New("r").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Opening Desklit…</title>
<meta http-equiv="refresh" content="0;url={{.}}"></head>
<body><p>Opening Desklit… <a href="{{.}}">continue</a></p></body></html>
`))

// writePrivate writes data readable only by the user.
func writePrivate(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// startDetached starts a helper program (a file manager, a browser) and reaps it in the
// background; it does not wait for it.
func startDetached(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", filepath.Base(name), err)
	}
	go cmd.Wait() //nolint:errcheck // the helper's exit status does not matter
	return nil
}

func diagExt(data []byte) string {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return ".zip"
	}
	return ".txt"
}
