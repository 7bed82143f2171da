//go:build !desktop && !dev && unix

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"

	"github.com/desklit/desklit/app/cli"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/version"
)

// The plain desklit CLI (built without the desktop tag and without cgo) does not link GTK and
// WebKit, so `desklit run`, `desklit serve`, login, status and doctor start in a few
// milliseconds. The window lives in desklit-window, the window build installed beside it: the
// window commands replace this process with it (same pid, arguments and environment).
type window struct{}

// The main goroutine stays on the main thread, so that the exec below comes from the thread
// group's leader: an exec from another thread makes the kernel retire the old leader first, and
// for that moment the pid looks like a zombie to anyone watching it (a launcher, a test).
func init() { runtime.LockOSThread() }

func newWindow() cli.WindowRunner { return window{} }

func windowExe(exe string) string {
	p, _ := cli.ProgramBeside(exe, "desklit-window")
	return p
}

func (window) RunMain(ctx context.Context, e *cli.Env, cfg *config.Config, app cli.App) error {
	return execWindow(e)
}

func (window) RunSignin(ctx context.Context, e *cli.Env, url string) error {
	return execWindow(e)
}

// windowBinary is desklit-window beside this binary (its real path).
func windowBinary(exe string) (string, error) {
	p := windowExe(exe)
	if p == "" {
		return "", fmt.Errorf("the window program desklit-window is missing beside %s: reinstall Desklit, or use 'desklit run' to start the services without a window", exe)
	}
	return p, nil
}

func execWindow(e *cli.Env) error {
	if e.Exe == "" {
		return errors.New("cannot find this program's path to start the window")
	}
	p, err := windowBinary(e.Exe)
	if err != nil {
		return err
	}
	env := append(os.Environ(), peerVersionEnv+"="+version.Version)
	argv := append([]string{p}, os.Args[1:]...)
	if err := syscall.Exec(p, argv, env); err != nil {
		return fmt.Errorf("start the window (%s): %w", p, err)
	}
	return nil // not reached
}
