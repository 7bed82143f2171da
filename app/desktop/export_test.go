package desktop

import (
	"context"
	"io/fs"
	"strings"
	"time"

	"github.com/wailsapp/wails/v2/pkg/menu"
)

// Test hooks: nativeUI is unexported so that only Run can give the App a real one.

func StartForTest(a *App, ctx context.Context, ui interface {
	Emit(string, any)
	OpenURL(string)
	SetClipboard(string) error
	SaveFileDialog(string) (string, error)
	OpenDirectoryDialog(string, string) (string, error)
	OpenFileDialog(string, string, string, string) (string, error)
	SetTitle(string)
	SetMenu(*menu.Menu)
	UpdateRecent([]RecentItem)
	UpdateServices([]RecentItem)
	Message(string, string)
	Quit()
}) {
	a.startup(ctx, ui)
}

func ShutdownForTest(a *App) error { return a.shutdown() }

func SetStartupWaitForTest(d time.Duration) func() {
	old := startupWait
	startupWait = d
	return func() { startupWait = old }
}

func DistFSForTest(f fs.FS) (fs.FS, error)       { return distFS(f) }
func CheckSigninURLForTest(u string) error       { return checkSigninURL(u) }
func SigninPageForTest(u string) ([]byte, error) { return signinPage(u) }

// MenuForTest lists the application menu (with the Backend's apps) as "Top/Item" labels.
func MenuForTest(a *App, services []string) []string {
	a.loadApps()
	return MenuLabelsForTest(a.menu(Options{Services: services}))
}

// MenuWithOptionsForTest is MenuForTest for a window made with opts (a packaged app's).
func MenuWithOptionsForTest(a *App, opts Options) []string {
	a.loadApps()
	a.opts = opts
	return MenuLabelsForTest(a.menu(opts))
}

// SetOpenPathForTest replaces what shows a folder in the file manager; call it before StartForTest.
func SetOpenPathForTest(a *App, open func(string) error) { a.openPath = open }

// SetOptionsForTest gives the App the window's options (Run sets them); call it before StartForTest.
func SetOptionsForTest(a *App, opts Options) { a.opts = opts }

// MenuLabelsForTest lists a menu as "Top/Sub/Item [accelerator]" labels, " (disabled)" marked,
// hidden items left out.
func MenuLabelsForTest(m *menu.Menu) []string {
	var out []string
	var walk func(prefix string, items []*menu.MenuItem)
	walk = func(prefix string, items []*menu.MenuItem) {
		for _, it := range items {
			if it.Label == "" || it.Hidden {
				continue
			}
			if it.SubMenu != nil {
				walk(prefix+it.Label+"/", it.SubMenu.Items)
				continue
			}
			s := prefix + it.Label
			if acc := it.Accelerator; acc != nil {
				s += " ["
				for _, m := range acc.Modifiers {
					s += string(m) + "+"
				}
				s += acc.Key + "]"
			}
			if it.Disabled {
				s += " (disabled)"
			}
			out = append(out, s)
		}
	}
	for _, top := range m.Items {
		if top.SubMenu != nil {
			walk(top.Label+"/", top.SubMenu.Items)
		}
	}
	return out
}

// SetMenuRebuildsForTest makes the App replace the menu after a switch (as on macOS and
// Windows); call it before StartForTest.
func SetMenuRebuildsForTest(a *App, on bool) { a.menuRebuilds = on }

// ClickMenuForTest builds the menu with the App's options and clicks the item at path
// ("Services/Restart api", hidden items left out); false when there is none.
func ClickMenuForTest(a *App, path string) bool {
	top, item, _ := strings.Cut(path, "/")
	for _, t := range a.menu(a.opts).Items {
		if t.Label != top || t.SubMenu == nil {
			continue
		}
		for _, it := range t.SubMenu.Items {
			if it.Label == item && !it.Hidden && it.Click != nil {
				it.Click(&menu.CallbackData{MenuItem: it})
				return true
			}
		}
	}
	return false
}
