//go:build desktop || dev

package main

import (
	"context"
	"log/slog"
	"path/filepath"

	"github.com/desklit/desklit/app/appwindow"
	"github.com/desklit/desklit/app/cli"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/pyruntime"
)

// window runs the desktop UI; it lives in main so that app/cli stays free of Wails. This file
// is built with the desktop tag, or dev for `wails dev` (a window build: `desklit-window` on Linux, the one binary on
// Windows and macOS); window_exec.go stands in for it in the plain `desklit` CLI.
type window struct{}

func newWindow() cli.WindowRunner { return window{} }

func windowExe(exe string) string { return exe }

func (window) RunMain(ctx context.Context, e *cli.Env, cfg *config.Config, app cli.App) error {
	paths := config.PathsFrom(e.Getenv)
	logger, closeLog := cli.AppLogger(paths, e.Stderr)
	defer closeLog()
	var b *appwindow.Backend
	sh := cli.NewShell(e, cfg, paths, logger, func(p pyruntime.Progress) { b.ProgressFunc()(p) }, app)
	b = appwindow.New(sh, paths, logger)
	if desktop.FirstInstance("") {
		b.Prestart(ctx) // Streamlit starts while GTK and WebKit load
	}
	return desktop.Run(b, desktop.Options{
		Title:           "Desklit",
		Assets:          e.Assets.Frontend,
		WindowStatePath: filepath.Join(paths.State, "window.json"),
		Logger:          logger.With("component", "window"),
		Icon:            appIcon,
	})
}

func (window) RunSignin(ctx context.Context, e *cli.Env, url string) error {
	return desktop.RunSigninWindow(url, desktop.SigninOptions{
		Icon:   appIcon,
		Logger: slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
}
