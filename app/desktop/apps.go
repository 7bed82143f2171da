package desktop

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
)

// menuRebuilds says whether the application menu can be replaced once the window runs (App's
// default; tests turn it on). Not on Linux: Wails v2.16's GTK MenuSetApplicationMenu builds a new
// menu bar that it never packs into the window, and it empties the table its click handler looks
// items up in, so the next click on the visible (old) menu bar dereferences nil and the app
// crashes; MenuUpdateApplicationMenu goes through the same code. There, File › Open Recent's
// fixed items, and Services' Restart items, are relabelled in place instead (nativeUI.UpdateRecent,
// UpdateServices).
var menuRebuilds = runtime.GOOS != "linux"

// Apps lists the recent apps, newest first, then the bundled demo.
func (a *App) Apps() ([]AppView, error) {
	if err := a.wait(); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.snap.Apps), nil
}

// OpenApp switches to the project at path (a folder or a .py file; "" = the bundled demo). It
// returns once the app runs, or with what went wrong; the Backend decides whether the switch may
// run and names the app, and reports its progress and its errors as during start-up. Only
// Streamlit restarts: the session stays signed in.
func (a *App) OpenApp(path string) error {
	if err := a.wait(); err != nil {
		return err
	}
	name := "" // set once the Backend accepted the switch
	err := a.b.OpenApp(a.ctx, path, func(n string) {
		name = n
		a.mu.Lock()
		stale := a.snap.Error != nil && aboutTheApp(*a.snap.Error)
		a.mu.Unlock()
		if stale {
			a.clearError() // the failure of the app being replaced
		}
		a.log.Info("opening app", "name", name, "path", path)
		appEvents{a}.emit(EvOpening, name)
	})
	if name == "" {
		return err // refused: nothing began
	}
	defer appEvents{a}.emit(EvOpening, "")
	if err != nil {
		if errors.Is(err, context.Canceled) {
			a.notice("Opening " + name + " was cancelled")
			return nil
		}
		a.log.Warn("open app", "path", path, "err", err)
		return userError("Could not open "+name, err)
	}
	return nil
}

// ChooseApp asks for a project folder and opens it. It returns the folder, or "" when the user
// cancelled (and then does nothing).
func (a *App) ChooseApp() (string, error) {
	if err := a.wait(); err != nil {
		return "", err
	}
	path, err := a.ui.OpenDirectoryDialog("Open a Streamlit app (its folder)", a.dialogDir())
	if err != nil || path == "" {
		return "", err
	}
	return path, a.OpenApp(path)
}

// ChooseScript asks for one Streamlit script (.py) and opens it; "" when the user cancelled.
func (a *App) ChooseScript() (string, error) {
	if err := a.wait(); err != nil {
		return "", err
	}
	path, err := a.ui.OpenFileDialog("Open a Streamlit script", a.dialogDir(), "Python scripts (*.py)", "*.py")
	if err != nil || path == "" {
		return "", err
	}
	return path, a.OpenApp(path)
}

// dialogDir starts the choosers beside the current project, where the next one often is.
func (a *App) dialogDir() string {
	a.mu.Lock()
	p := a.snap.App.Path
	a.mu.Unlock()
	if p == "" {
		// The demo has no folder: the home folder (GTK's "Recent" view, its default, cannot
		// choose a folder typed into the location bar).
		home, _ := os.UserHomeDir()
		return home
	}
	return filepath.Dir(p)
}

// loadApps reads the current app and the recent list from the Backend into the snapshot.
func (a *App) loadApps() {
	a.appsMu.Lock()
	defer a.appsMu.Unlock()
	cur, list := a.b.CurrentApp(), a.b.Apps()
	cur.Current = true
	a.mu.Lock()
	a.snap.App, a.snap.Apps = cur, list
	a.mu.Unlock()
}

// refreshApps re-reads the recent list after a switch and sends it to the UI and the menu.
func (a *App) refreshApps() {
	a.appsMu.Lock()
	defer a.appsMu.Unlock()
	list := a.b.Apps()
	a.mu.Lock()
	a.snap.Apps = list
	a.mu.Unlock()
	appEvents{a}.emit(EvApps, slices.Clone(list))
	a.updateMenu()
}

// updateMenu brings the menu up to the current app (File › Open Recent, and Services, whose
// Restart items are the app's services): a new menu where the platform can replace it, else
// their fixed items relabelled.
func (a *App) updateMenu() {
	if a.ui == nil || a.ctx == nil || a.ctx.Err() != nil { // not once the window is closing
		return
	}
	if a.menuRebuilds {
		a.ui.SetMenu(a.menu(a.opts))
	} else {
		a.ui.UpdateRecent(a.recentItems())
		a.ui.UpdateServices(a.restartItems(a.opts))
	}
}

// windowTitle is "<app> — Desklit", or just "Desklit" for the demo.
func (a *App) windowTitle(v AppView) string {
	base := a.appTitle()
	if v.Demo || v.Name == "" || a.opts.SingleApp || v.Name == base {
		return base
	}
	return v.Name + " — " + base
}

// appTitle is the app's own name: Desklit (when Options.Title is empty: the one default), or a
// packaged app's.
func (a *App) appTitle() string {
	if a.opts.Title == "" {
		return "Desklit"
	}
	return a.opts.Title
}

// aboutTheApp says whether an error concerns the running app (and is moot once another runs).
// Errors of the API or the sign-in service stay: a switch restarts only Streamlit.
func aboutTheApp(e ErrorView) bool {
	return e.Kind == ErrAppFailed || e.Kind == ErrRuntimeBuild || e.Service == "streamlit"
}
