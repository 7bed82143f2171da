package desktop

import (
	"runtime"
	"slices"

	"github.com/wailsapp/wails/v2/pkg/menu"
	"github.com/wailsapp/wails/v2/pkg/menu/keys"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// menu is the native application menu. Its accelerators work even while the keyboard focus is
// inside the Streamlit frame, where the page's own key handlers never see the keys.
// Callbacks run on the UI thread, so anything that may block runs in a goroutine.
func (a *App) menu(opts Options) *menu.Menu {
	m := menu.NewMenu()
	if runtime.GOOS == "darwin" {
		m.Append(menu.AppMenu())
	}
	bg := func(f func() error) func(*menu.CallbackData) {
		return func(*menu.CallbackData) {
			go func() {
				if err := f(); err != nil {
					a.notice(err.Error())
				}
			}()
		}
	}
	view := func(v string) func(*menu.CallbackData) {
		return func(*menu.CallbackData) { appEvents{a}.emit(EvView, v) }
	}

	a.fileMenu(m.AddSubmenu("File"), opts, bg, view)

	if runtime.GOOS == "darwin" {
		m.Append(menu.EditMenu())
	}

	a.viewMenu(m.AddSubmenu("View"), opts, view)

	acct := m.AddSubmenu("Account")
	acct.AddText("Log In…", nil, bg(a.Login))
	acct.AddText("Log Out", nil, bg(a.Logout))

	svc := m.AddSubmenu("Services")
	for i, it := range a.restartItems(opts) {
		label := it.Label
		if label == "" {
			label = " "
		}
		item := svc.AddText(label, nil, bg(func() error {
			// the service in this slot when clicked: the items are relabelled after a switch
			if names := a.restartNames(opts); i < len(names) {
				return a.RestartService(names[i])
			}
			return nil
		}))
		item.Disabled = !it.Enabled
		item.Hidden = !it.Visible && a.menuRebuilds // see recentMenu
	}
	svc.AddSeparator()
	svc.AddText("Show Logs", nil, view("logs"))

	help := m.AddSubmenu("Help")
	help.AddText("About "+a.appTitle(), nil, func(*menu.CallbackData) {
		go func() {
			if a.wait() == nil {
				a.ui.Message("About "+a.appTitle(), a.about())
			}
		}()
	})
	return m
}

// serviceSlots is how many services Services can list where the menu is made once (Linux):
// Desklit's three and nine of the app's own (any more restart from their pills).
const serviceSlots = 12

// restartNames are the services Services › Restart offers for the current app: those its
// Backend says run for it (the app's own services among them), else opts.Services.
func (a *App) restartNames(opts Options) []string {
	a.mu.Lock()
	names := slices.Clone(a.snap.App.Services)
	a.mu.Unlock()
	if len(names) == 0 {
		names = slices.Clone(opts.Services)
	}
	return names
}

// restartItems are Services' Restart items for the current app, in restartNames' order; where
// the menu cannot be rebuilt, serviceSlots items, the ones the list does not fill hidden.
func (a *App) restartItems(opts Options) []RecentItem {
	names := a.restartNames(opts)
	n := len(names)
	if !a.menuRebuilds {
		n = serviceSlots
	}
	items := make([]RecentItem, n)
	for i := range items {
		if i < len(names) {
			items[i] = RecentItem{Label: "Restart " + names[i], Enabled: true, Visible: true}
		}
	}
	return items
}

// viewMenu fills View: the app, the apps (not in a packaged app), the logs, reload, full screen.
func (a *App) viewMenu(v *menu.Menu, opts Options, view func(string) func(*menu.CallbackData)) {
	v.AddText("App", keys.CmdOrCtrl("1"), view("app"))
	if !opts.SingleApp {
		v.AddText("Apps", keys.CmdOrCtrl("2"), view("apps"))
	}
	v.AddText("Logs", keys.CmdOrCtrl("l"), view("logs"))
	v.AddSeparator()
	v.AddText("Reload App", keys.CmdOrCtrl("r"), view("reload"))
	v.AddText("Toggle Full Screen", keys.Key("f11"), func(*menu.CallbackData) {
		if a.ctx == nil {
			return
		}
		if wruntime.WindowIsFullscreen(a.ctx) {
			wruntime.WindowUnfullscreen(a.ctx)
		} else {
			wruntime.WindowFullscreen(a.ctx)
		}
	})
}

// fileMenu fills File: the apps (not in a packaged app), packaging, the browser, diagnostics, Quit.
func (a *App) fileMenu(file *menu.Menu, opts Options, bg func(func() error) func(*menu.CallbackData), view func(string) func(*menu.CallbackData)) {
	if !opts.SingleApp { // a packaged app opens its own app only
		file.AddText("Open App…", keys.CmdOrCtrl("o"), bg(func() error { _, err := a.ChooseApp(); return err }))
		file.AddText("Open Script…", keys.Combo("o", keys.CmdOrCtrlKey, keys.ShiftKey), bg(func() error { _, err := a.ChooseScript(); return err }))
		a.recentMenu(file.AddSubmenu("Open Recent"), bg, view)
		file.AddSeparator()
		// Always enabled: the view says why the demo is not packaged (and the menu cannot change
		// on Linux after a switch, see menuRebuilds).
		file.AddText("Package App…", keys.Combo("p", keys.CmdOrCtrlKey, keys.ShiftKey), view("package"))
		file.AddSeparator()
	}
	file.AddText("Open in Browser", keys.Combo("b", keys.CmdOrCtrlKey, keys.ShiftKey), bg(a.OpenInBrowser))
	file.AddText("Save Diagnostics…", keys.CmdOrCtrl("s"), bg(func() error {
		path, err := a.SaveDiagnostics()
		if err == nil && path != "" {
			a.notice("Diagnostics saved to " + path)
		}
		return err
	}))
	file.AddText("Open Log Folder", nil, bg(a.OpenLogFolder))
	file.AddSeparator()
	file.AddText("Quit", keys.CmdOrCtrl("q"), func(*menu.CallbackData) { go a.quit() })
}

// recentSlots is how many recent apps File › Open Recent can show.
const recentSlots = 10

// RecentItem is one fixed item of File › Open Recent as it should read now.
type RecentItem struct {
	Label   string
	Enabled bool
	Visible bool
}

// recentItems are File › Open Recent's fixed items for the current list: recentSlots items (the
// recent apps in order; a missing one shown, disabled; the rest hidden), then "No recent apps".
// The items are made once; after a switch only their labels and states change (see
// nativeUI.UpdateRecent), so each item's click opens what its slot holds at that moment.
func (a *App) recentItems() []RecentItem {
	recent := a.recentApps()
	names := map[string]int{}
	for _, v := range recent {
		names[v.Name]++
	}
	items := make([]RecentItem, recentSlots+1)
	for i := range recentSlots {
		if i >= len(recent) {
			continue
		}
		v := recent[i]
		label := v.Name
		if names[v.Name] > 1 { // two folders called "app": tell them apart
			label += " — " + v.Path
		}
		if v.Missing {
			label += " (missing)"
		}
		items[i] = RecentItem{Label: label, Enabled: !v.Missing, Visible: true}
	}
	items[recentSlots] = RecentItem{Label: "No recent apps", Visible: len(recent) == 0}
	return items
}

// recentApps are the snapshot's apps without the demo, at most recentSlots.
func (a *App) recentApps() []AppView {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []AppView
	for _, v := range a.snap.Apps {
		if !v.Demo && len(out) < recentSlots {
			out = append(out, v)
		}
	}
	return out
}

// recentMenu fills File › Open Recent: the fixed items of recentItems, then the demo and the
// whole list.
func (a *App) recentMenu(sub *menu.Menu, bg func(func() error) func(*menu.CallbackData), view func(string) func(*menu.CallbackData)) {
	a.mu.Lock()
	demo := "" // the demo's name as the Backend lists it
	for _, v := range a.snap.Apps {
		if v.Demo {
			demo = v.Name
		}
	}
	a.mu.Unlock()
	open := func(path string) func(*menu.CallbackData) {
		return bg(func() error { return a.OpenApp(path) })
	}
	slot := func(i int) func(*menu.CallbackData) {
		return bg(func() error {
			if recent := a.recentApps(); i < len(recent) && !recent[i].Missing {
				return a.OpenApp(recent[i].Path)
			}
			return nil
		})
	}
	for i, it := range a.recentItems() {
		label := it.Label
		if label == "" {
			label = " "
		}
		var click func(*menu.CallbackData)
		if i < recentSlots {
			click = slot(i)
		}
		item := sub.AddText(label, nil, click)
		item.Disabled = !it.Enabled
		// Where the menu cannot be rebuilt, every item is made (hidden later by UpdateRecent):
		// an item left out now could never be shown.
		item.Hidden = !it.Visible && a.menuRebuilds
	}
	sub.AddSeparator()
	if demo != "" {
		sub.AddText(demo, nil, open(""))
		sub.AddSeparator()
	}
	sub.AddText("All Apps…", nil, view("apps"))
}

// notice shows a short message in the window.
func (a *App) notice(msg string) { appEvents{a}.emit(EvNotice, msg) }
