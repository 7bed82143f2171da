//go:build desktop || dev

package window

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

// runner opens the windows in this process.
type runner struct{}

// New is this build's window runner.
func New() cli.WindowRunner { return runner{} }

// Program is the program that opens the window: this one.
func Program(exe string) string { return exe }

func (runner) RunMain(ctx context.Context, e *cli.Env, w cli.MainWindow) error {
	var b *appwindow.Backend
	sh, logger, closeLog := w.Open(func(p pyruntime.Progress) { b.ProgressFunc()(p) })
	defer closeLog()
	b = appwindow.New(sh, w.Paths, logger)
	uniqueID := "" // Desklit's own
	if w.AppID != config.DefaultAppID {
		uniqueID = "io.desklit.app." + w.AppID // a packaged app: an instance of its own
	}
	if desktop.FirstInstance(uniqueID) {
		b.Prestart(ctx) // Streamlit starts while GTK and WebKit load
	}
	return desktop.Run(b, desktop.Options{
		Title:           w.Name,
		UniqueID:        uniqueID,
		SingleApp:       sh.Single(), // a packaged app (the shell's OpenRule): the menus offer no other app
		Assets:          e.Assets.Frontend,
		WindowStatePath: filepath.Join(w.Paths.State, "window.json"),
		Logger:          logger.With("component", "window"),
		Icon:            e.Assets.Icon,
	})
}

func (runner) RunSignin(ctx context.Context, e *cli.Env, url string) error {
	return desktop.RunSigninWindow(url, desktop.SigninOptions{
		Title:  "Sign in — " + e.AppName(),
		Icon:   e.Assets.Icon,
		Logger: slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
}
