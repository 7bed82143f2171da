package supervisor

import (
	"os"
	"strconv"

	"golang.org/x/sys/windows"
)

// StopRequested is closed when the supervisor that started this process asks it to stop (its
// stop event, named by StopEnv, is set): on Windows a console control event cannot reach a
// process without a console of the same kind, so Desklit's own programs watch the event too. It
// is nil (never ready) when this process was not started by a supervisor. StopEnv is removed
// from the environment, so that no process this one starts takes the number for its own handle.
func StopRequested() <-chan struct{} {
	v, ok := os.LookupEnv(StopEnv)
	if !ok {
		return nil
	}
	os.Unsetenv(StopEnv)
	h, err := strconv.ParseUint(v, 10, 64)
	if err != nil || h == 0 {
		return nil
	}
	ch := make(chan struct{})
	go func() {
		if ev, _ := windows.WaitForSingleObject(windows.Handle(h), windows.INFINITE); ev == windows.WAIT_OBJECT_0 {
			close(ch)
		}
	}()
	return ch
}
