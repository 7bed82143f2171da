package desktop

import (
	"context"
	"io/fs"
	"time"
)

// Test hooks: the shell is unexported so that only Run can give the App a real one.

func StartForTest(a *App, ctx context.Context, sh interface {
	Emit(string, any)
	OpenURL(string)
	SetClipboard(string) error
	SaveFileDialog(string) (string, error)
	Message(string, string)
	Quit()
}) {
	a.startup(ctx, sh)
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

// MenuForTest lists the application menu as "Top/Item" labels with their accelerators.
func MenuForTest(a *App, services []string) []string {
	var out []string
	for _, top := range a.menu(Options{Services: services}).Items {
		if top.SubMenu == nil {
			continue
		}
		for _, it := range top.SubMenu.Items {
			if it.Label == "" {
				continue
			}
			s := top.Label + "/" + it.Label
			if acc := it.Accelerator; acc != nil {
				s += " ["
				for _, m := range acc.Modifiers {
					s += string(m) + "+"
				}
				s += acc.Key + "]"
			}
			out = append(out, s)
		}
	}
	return out
}
