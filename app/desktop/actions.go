package desktop

import (
	"errors"
	"fmt"
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
	case ActRetry:
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
