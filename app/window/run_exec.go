//go:build !desktop && !dev && unix

package window

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"

	"github.com/desklit/desklit/app/cli"
	"github.com/desklit/desklit/app/version"
)

// runner hands the windows to desklit-window. The plain desklit (built without the desktop tag
// and without cgo) does not link GTK and WebKit, so `desklit run`, `desklit serve`, login, status
// and doctor start in a few milliseconds; the window commands replace this process with the
// window build (same pid, arguments and environment).
type runner struct{}

// The main goroutine stays on the main thread, so that the exec below comes from the thread
// group's leader: an exec from another thread makes the kernel retire the old leader first, and
// for that moment the pid looks like a zombie to anyone watching it (a launcher, a test).
func init() { runtime.LockOSThread() }

// New is this build's window runner.
func New() cli.WindowRunner { return runner{} }

// Program is the program that opens the window: desklit-window beside exe ("" when missing).
func Program(exe string) string {
	p, _ := programBeside(exe, windowProgram)
	return p
}

func (runner) RunMain(ctx context.Context, e *cli.Env, w cli.MainWindow) error {
	return execWindow(e)
}

func (runner) RunSignin(ctx context.Context, e *cli.Env, url string) error {
	return execWindow(e)
}

func execWindow(e *cli.Env) error {
	if e.Exe == "" {
		return errors.New("cannot find this program's path to start the window")
	}
	p := Program(e.Exe)
	if p == "" {
		return fmt.Errorf("the window program desklit-window is missing beside %s: reinstall Desklit, or use 'desklit run' to start the services without a window", e.Exe)
	}
	env := append(os.Environ(), version.PeerEnviron())
	argv := append([]string{p}, os.Args[1:]...)
	if err := syscall.Exec(p, argv, env); err != nil {
		return fmt.Errorf("start the window (%s): %w", p, err)
	}
	return nil // not reached
}
