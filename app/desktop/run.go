package desktop

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/menu"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/options/mac"
	"github.com/wailsapp/wails/v2/pkg/options/windows"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// Run opens the main window and returns when it is closed, after Backend.Stop has returned or
// the stop timeout has passed. It starts the backend only once the window exists: a second
// launch hands over to the first window (and exits inside Wails) before anything starts.
// SIGINT and SIGTERM close the window the same way (Wails quits the app, OnShutdown stops the
// services), except that the window's size is remembered only when the user closes it.
func Run(b Backend, opts Options) error {
	if b == nil {
		return errors.New("desktop: no backend")
	}
	opts = opts.withDefaults()
	assets, err := distFS(opts.Assets)
	if err != nil {
		return err
	}
	ws, err := LoadWindowState(opts.WindowStatePath)
	if err != nil {
		opts.Logger.Warn("window state ignored", "err", err)
	}

	a := NewApp(b, opts.Logger, opts.StopTimeout)
	a.opts = opts
	a.loadApps() // the title and File › Open Recent are made before the window exists
	a.beforeQuit = func() { a.saveWindowState(ws) }
	err = wails.Run(a.wailsOptions(assets, ws))
	endWebViewHelpers()
	if err != nil {
		return fmt.Errorf("window: %w", err)
	}
	// wails.Run returns after OnShutdown; make sure the services are stopped even if the window
	// never started.
	return a.shutdown()
}

func (o Options) withDefaults() Options {
	if o.UniqueID == "" {
		o.UniqueID = DefaultUniqueID
	}
	if len(o.Services) == 0 {
		o.Services = []string{"streamlit", "component", "api"}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// saveWindowState remembers the window's size and position (its place at start is ws).
func (a *App) saveWindowState(ws WindowState) {
	if a.opts.WindowStatePath == "" || a.wait() != nil {
		return
	}
	ctx := a.ctx
	ws.Maximised = wruntime.WindowIsMaximised(ctx)
	if !ws.Maximised {
		ws.Width, ws.Height = wruntime.WindowGetSize(ctx)
		ws.X, ws.Y = wruntime.WindowGetPosition(ctx)
		ws.HasPosition = true
	}
	if err := SaveWindowState(a.opts.WindowStatePath, ws); err != nil {
		a.log.Warn("save window state", "err", err)
	}
}

// wailsOptions are the main window's: its size and place from ws, the frontend's assets, the
// App bound to the page, the menu, one instance per user.
func (a *App) wailsOptions(assets fs.FS, ws WindowState) *options.App {
	opts := a.opts
	startState := options.Normal
	if ws.Maximised {
		startState = options.Maximised
	}
	return &options.App{
		Title:              a.windowTitle(a.snap.App),
		Width:              ws.Width,
		Height:             ws.Height,
		MinWidth:           minWidth,
		MinHeight:          minHeight,
		WindowStartState:   startState,
		BackgroundColour:   options.NewRGB(246, 247, 249),
		AssetServer:        &assetserver.Options{Assets: assets},
		Logger:             slogWails{opts.Logger},
		LogLevel:           logger.WARNING,
		LogLevelProduction: logger.ERROR,
		OnStartup: func(ctx context.Context) {
			a.startup(ctx, wailsUI{ctx})
		},
		// Moving the window from OnStartup blocks the page from loading on Linux, so the
		// remembered position is applied once the page is there.
		OnDomReady: func(ctx context.Context) {
			if ws.HasPosition && !ws.Maximised {
				wruntime.WindowSetPosition(ctx, ws.X, ws.Y)
			}
		},
		OnBeforeClose: func(ctx context.Context) bool {
			a.saveWindowState(ws)
			return false
		},
		OnShutdown:         func(ctx context.Context) { _ = a.shutdown() },
		Menu:               a.menu(opts),
		Bind:               []any{a},
		SingleInstanceLock: a.singleInstance(),
		Linux: &linux.Options{
			Icon:        opts.Icon,
			ProgramName: "desklit",
			// No accelerated compositing (Wails' own default on Linux): the Streamlit page made
			// WebKit composite through GL, which cost ~115 MB more in the web process (RSS 343
			// vs 229 MB, bench/e2e/window.sh). WebGL (st.map, 3D charts) still works
			// (WebKitGTK 2.50 renders it off-screen); a dashboard gains nothing visible from it.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
		Windows: &windows.Options{Theme: windows.SystemDefault},
		Mac: &mac.Options{
			About: &mac.AboutInfo{Title: a.appTitle(), Message: a.about(), Icon: opts.Icon},
		},
	}
}

// singleInstance is one window per user: a second launch shows the first one's window.
func (a *App) singleInstance() *options.SingleInstanceLock {
	return &options.SingleInstanceLock{
		UniqueId: a.opts.UniqueID,
		OnSecondInstanceLaunch: func(options.SecondInstanceData) {
			if a.wait() != nil {
				return
			}
			a.opts.Logger.Info("second launch: showing the window")
			wruntime.WindowUnminimise(a.ctx)
			wruntime.WindowShow(a.ctx)
		},
	}
}

// distFS accepts the frontend's embed.FS (with a "dist" folder) or a folder with index.html.
func distFS(assets fs.FS) (fs.FS, error) {
	if assets == nil {
		return nil, errors.New("desktop: no frontend assets")
	}
	if _, err := fs.Stat(assets, "index.html"); err == nil {
		return assets, nil
	}
	sub, err := fs.Sub(assets, "dist")
	if err != nil {
		return nil, fmt.Errorf("desktop: frontend assets: %w", err)
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil, fmt.Errorf("desktop: frontend assets have no index.html (run `npm run build` in frontend/): %w", err)
	}
	return sub, nil
}

// wailsUI is the real nativeUI: the Wails runtime bound to the window's context.
type wailsUI struct{ ctx context.Context }

func (s wailsUI) Emit(name string, data any) { wruntime.EventsEmit(s.ctx, name, data) }
func (s wailsUI) OpenURL(u string)           { wruntime.BrowserOpenURL(s.ctx, u) }
func (s wailsUI) SetClipboard(t string) error {
	return wruntime.ClipboardSetText(s.ctx, t)
}
func (s wailsUI) SaveFileDialog(name string) (string, error) {
	return wruntime.SaveFileDialog(s.ctx, wruntime.SaveDialogOptions{
		Title: "Save diagnostics", DefaultFilename: name, CanCreateDirectories: true,
	})
}
func (s wailsUI) OpenDirectoryDialog(title, dir string) (string, error) {
	return wruntime.OpenDirectoryDialog(s.ctx, wruntime.OpenDialogOptions{
		Title: title, DefaultDirectory: dir,
	})
}
func (s wailsUI) OpenFileDialog(title, dir, filterName, pattern string) (string, error) {
	return wruntime.OpenFileDialog(s.ctx, wruntime.OpenDialogOptions{
		Title: title, DefaultDirectory: dir,
		Filters: []wruntime.FileFilter{{DisplayName: filterName, Pattern: pattern}},
	})
}
func (s wailsUI) SetTitle(t string) { wruntime.WindowSetTitle(s.ctx, t) }

// SetMenu: MenuSetApplicationMenu alone redraws the menu on macOS and Windows (both rebuild
// the native menu in it); MenuUpdateApplicationMenu would only build it a second time.
func (s wailsUI) SetMenu(m *menu.Menu)              { wruntime.MenuSetApplicationMenu(s.ctx, m) }
func (s wailsUI) UpdateRecent(items []RecentItem)   { updateMenuItems("File", "Open Recent", items) }
func (s wailsUI) UpdateServices(items []RecentItem) { updateMenuItems("Services", "", items) }
func (s wailsUI) Message(title, text string) {
	_, _ = wruntime.MessageDialog(s.ctx, wruntime.MessageDialogOptions{
		Type: wruntime.InfoDialog, Title: title, Message: text,
	})
}
func (s wailsUI) Quit() { wruntime.Quit(s.ctx) }

// slogWails routes Wails' own log lines to slog.
type slogWails struct{ l *slog.Logger }

func (w slogWails) Print(m string)   { w.l.Info(m, "from", "wails") }
func (w slogWails) Trace(m string)   { w.l.Debug(m, "from", "wails") }
func (w slogWails) Debug(m string)   { w.l.Debug(m, "from", "wails") }
func (w slogWails) Info(m string)    { w.l.Info(m, "from", "wails") }
func (w slogWails) Warning(m string) { w.l.Warn(m, "from", "wails") }
func (w slogWails) Error(m string)   { w.l.Error(m, "from", "wails") }
func (w slogWails) Fatal(m string)   { w.l.Error(m, "from", "wails") }
