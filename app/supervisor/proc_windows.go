package supervisor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

var defaultStopSignal os.Signal = os.Interrupt

// sysProcAttr gives the child a console process group of its own, so that CTRL_BREAK reaches it
// (and what it spawns) alone. A Desklit with a console (desklit run in a terminal) shares it with
// the child; the window build has none, and a console-less child could not be sent CTRL_BREAK at
// all, so each child gets a console of its own, hidden: no window on screen, a polite stop still
// possible (Go programs see os.Interrupt, Python SIGBREAK, which Streamlit handles).
func sysProcAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP}
	if !sharesConsole() {
		a.CreationFlags |= windows.CREATE_NEW_CONSOLE
		a.HideWindow = true // STARTF_USESHOWWINDOW, SW_HIDE: the console window is never shown
	}
	return a
}

// sharesConsole reports whether this process has a console its children share; tests set it.
var sharesConsole = sync.OnceValue(func() bool {
	r, _, _ := procGetConsoleWindow.Call()
	if r != 0 {
		return true
	}
	// A console without a window (Wine's, a console made with CREATE_NO_WINDOW) is one still.
	h, err := windows.CreateFile(windows.StringToUTF16Ptr("CONOUT$"), windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return false
	}
	windows.CloseHandle(h)
	return true
})

var (
	kernel32             = windows.NewLazySystemDLL("kernel32.dll")
	procAttachConsole    = kernel32.NewProc("AttachConsole")
	procFreeConsole      = kernel32.NewProc("FreeConsole")
	procGetConsoleWindow = kernel32.NewProc("GetConsoleWindow")
	consoleMu            sync.Mutex // this process attaches to one child's console at a time
)

// ctrlBreak sends CTRL_BREAK to the process group pid leads. The sender must be attached to the
// group's console: a child sharing ours is reached at once; one with a console of its own is
// reached by attaching to that console for the moment (this process has none of its own then).
func ctrlBreak(pid int) error {
	if sharesConsole() {
		return windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(pid))
	}
	consoleMu.Lock()
	defer consoleMu.Unlock()
	if r, _, err := procAttachConsole.Call(uintptr(pid)); r == 0 {
		return fmt.Errorf("attach to the console of process %d: %w", pid, err)
	}
	defer procFreeConsole.Call()
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(pid)); err != nil {
		return fmt.Errorf("CTRL_BREAK to process %d: %w", pid, err)
	}
	return nil
}

// group is a job object holding the child and everything it spawns. The job kills them all
// when its last handle closes, which includes the supervisor dying.
type group struct {
	pid  int
	job  windows.Handle
	stop windows.Handle // the child's stop event (StopEnv); 0 when none could be made
}

func newGroup(cmd *exec.Cmd) (*group, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("create job object: %w", err)
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{
			LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
		},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return nil, fmt.Errorf("configure job object: %w", err)
	}
	pid := cmd.Process.Pid
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(pid))
	if err != nil {
		windows.CloseHandle(job)
		return nil, fmt.Errorf("open process %d: %w", pid, err)
	}
	defer windows.CloseHandle(h)
	if err := windows.AssignProcessToJobObject(job, h); err != nil {
		windows.CloseHandle(job)
		return nil, fmt.Errorf("assign process %d to job: %w", pid, err)
	}
	return &group{pid: pid, job: job, stop: takeStopEvent(cmd)}, nil
}

// signal asks the child to stop: its stop event, which Desklit's own programs watch (desklit's
// services, Streamlit's launcher), and CTRL_BREAK for any other console program. Either is
// enough; the grace period then decides.
func (g *group) signal(sig os.Signal) error {
	if sig == os.Kill {
		return g.kill()
	}
	var evErr error
	if g.stop != 0 {
		evErr = windows.SetEvent(g.stop)
	} else {
		evErr = errors.New("no stop event")
	}
	brkErr := ctrlBreak(g.pid)
	if evErr != nil && brkErr != nil {
		return errors.Join(evErr, brkErr)
	}
	return nil
}

func (g *group) kill() error { return windows.TerminateJobObject(g.job, 1) }

func (g *group) close() {
	windows.CloseHandle(g.job)
	if g.stop != 0 {
		windows.CloseHandle(g.stop)
	}
}

// signalTree stops a leftover from an earlier run. Its job died with that run, so only the
// process itself is known here.
func signalTree(pid int, kill bool) error {
	if !kill {
		return ctrlBreak(pid)
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	return p.Kill()
}

// signalOne stops or kills one process.
func signalOne(pid int, kill bool) error { return signalTree(pid, kill) }

// groupOf: Windows has no process groups to search; a service's job object kills its tree
// when the supervisor goes away.
func groupOf(int32) (pgid, sid int32, ok bool) { return 0, 0, false }

func isAddrInUse(err error) bool {
	return errors.Is(err, windows.WSAEADDRINUSE) || errors.Is(err, syscall.EADDRINUSE)
}

// startCmd starts cmd with a stop event it inherits (StopEnv names its handle); newGroup takes
// the event over.
func startCmd(cmd *exec.Cmd) error {
	sa := windows.SecurityAttributes{InheritHandle: 1}
	sa.Length = uint32(unsafe.Sizeof(sa))
	ev, err := windows.CreateEvent(&sa, 1, 0, nil)
	if err != nil {
		return cmd.Start() // CTRL_BREAK and the kill remain
	}
	cmd.SysProcAttr.AdditionalInheritedHandles = append(cmd.SysProcAttr.AdditionalInheritedHandles, syscall.Handle(ev))
	cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", StopEnv, ev))
	if err := cmd.Start(); err != nil {
		windows.CloseHandle(ev)
		return err
	}
	stopEvents.Lock()
	stopEvents.m[cmd] = ev
	stopEvents.Unlock()
	return nil
}

var stopEvents = struct {
	sync.Mutex
	m map[*exec.Cmd]windows.Handle
}{m: map[*exec.Cmd]windows.Handle{}}

func takeStopEvent(cmd *exec.Cmd) windows.Handle {
	stopEvents.Lock()
	defer stopEvents.Unlock()
	ev := stopEvents.m[cmd]
	delete(stopEvents.m, cmd)
	return ev
}
