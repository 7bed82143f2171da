package desktop

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Act performs one of an ErrorView's actions (see the Act* constants).
func (a *App) Act(action string) error {
	if err := a.wait(); err != nil {
		return err
	}
	verb, arg, _ := strings.Cut(action, ":")
	switch verb {
	case ActRetry, ActReopen:
		a.clearError()
		if err := a.b.RetryStart(a.ctx); err != nil {
			return userError("Could not start again", err)
		}
	case ActRestart:
		if arg == "" {
			return fmt.Errorf("restart: no service named")
		}
		a.clearError()
		return a.RestartService(arg)
	case ActUsePort:
		port, err := strconv.Atoi(arg)
		if err != nil || port < 1 || port > 65535 {
			return fmt.Errorf("use port: %q is not a port", arg)
		}
		a.mu.Lock()
		svc := ""
		if a.snap.Error != nil {
			svc = a.snap.Error.Service
		}
		a.mu.Unlock()
		if svc == "" {
			return errors.New("use port: no service is waiting for a port")
		}
		a.clearError()
		if err := a.b.UsePort(svc, port); err != nil {
			return userError(fmt.Sprintf("Could not move %s to port %d", svc, port), err)
		}
	case ActOpenLogs:
		return a.OpenLogFolder()
	case ActOpenFolder, ActEditDeps, ActScript:
		return a.actOnError(verb, action, arg)
	case ActOpenApp:
		_, err := a.ChooseApp()
		return err
	case ActQuit:
		a.quit()
	case ActDismiss:
		a.clearError()
	default:
		return fmt.Errorf("unknown action %q", action)
	}
	return nil
}

// actOnError performs an action on the folder or file of the error shown: only an action that
// error offers, and only its own folder's files.
func (a *App) actOnError(verb, action, arg string) error {
	a.mu.Lock()
	var e ErrorView
	if a.snap.Error != nil {
		e = *a.snap.Error
	}
	a.mu.Unlock()
	if !slices.Contains(e.Actions, action) {
		return fmt.Errorf("%s: not offered now", verb)
	}
	switch verb {
	case ActOpenFolder:
		return a.openOrSay(e.Folder)
	case ActEditDeps:
		return a.openOrSay(e.File)
	}
	// A script of the folder, or of a folder in it (a candidate one folder down: "src/app.py").
	if arg == "" || !filepath.IsLocal(filepath.FromSlash(arg)) || e.Folder == "" {
		return fmt.Errorf("script: %q is not a script of the app's folder", arg)
	}
	a.clearError()
	return a.OpenApp(filepath.Join(e.Folder, filepath.FromSlash(arg)))
}

func (a *App) openOrSay(path string) error {
	if path == "" {
		return errors.New("nothing to open")
	}
	if err := a.openPath(path); err != nil {
		a.log.Warn("open", "path", path, "err", err)
		return userError("Could not open "+path, err)
	}
	return nil
}

func (a *App) clearError() {
	appEvents{a}.Error(ErrorView{})
}

// userError keeps what the user reads short; the full error is logged by the caller.
func userError(what string, err error) error {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return fmt.Errorf("%s: %s", what, msg)
}
