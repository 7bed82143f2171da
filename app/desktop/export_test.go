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
