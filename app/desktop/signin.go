package desktop

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
)

// RunSigninWindow shows the identity provider's sign-in page in a window of its own. Wails v2
// has one window per process, so the parent runs this in a second process of the same binary.
// It returns nil when the user closes the window (the parent then reports "cancelled"); on a
// completed sign-in the parent ends the process.
func RunSigninWindow(rawURL string, opts SigninOptions) error {
	if err := checkSigninURL(rawURL); err != nil {
		return err
	}
	if opts.Title == "" {
		opts.Title = "Sign in — Desklit"
	}
	if opts.Width <= 0 {
		opts.Width = 520
	}
	if opts.Height <= 0 {
		opts.Height = 720
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	page, err := signinPage(rawURL)
	if err != nil {
		return err
	}
	err = wails.Run(&options.App{
		Title:     opts.Title,
		Width:     opts.Width,
		Height:    opts.Height,
		MinWidth:  360,
		MinHeight: 420,
		AssetServer: &assetserver.Options{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write(page)
		})},
		BackgroundColour: options.NewRGB(255, 255, 255),
		Logger:           slogWails{log},
		Linux:            &linux.Options{Icon: opts.Icon, ProgramName: "desklit", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	endWebViewHelpers()
	if err != nil {
		return fmt.Errorf("sign-in window: %w", err)
	}
	return nil
}

// checkSigninURL accepts only http(s) provider pages; plain http only on loopback.
func checkSigninURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("sign-in url: %w", err)
	}
	switch {
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1"):
		return nil
	}
	return errors.New("sign-in url: must be https, or http on 127.0.0.1")
}

// signinPage moves the window to the provider's page at once; the short text shows only if
// the provider cannot be reached.
func signinPage(u string) ([]byte, error) {
	var buf bytes.Buffer
	if err := signinTmpl.Execute(&buf, u); err != nil {
		return nil, fmt.Errorf("sign-in page: %w", err)
	}
	return buf.Bytes(), nil
}

var signinTmpl = template.Must(template.New("s").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in — Desklit</title>
<style>body{font:15px system-ui,sans-serif;color:#333;display:grid;place-items:center;height:90vh}
@media (prefers-color-scheme:dark){body{background:#1e1f22;color:#ddd}}</style></head>
<body><p>Opening the sign-in page…</p>
<script>window.location.replace({{.}});</script></body></html>
`))
