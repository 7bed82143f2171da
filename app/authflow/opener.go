package authflow

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/desklit/desklit/app/browser"
)

// Opener shows the authorize URL to the user. closed, when not nil, reports that the user closed
// the sign-in UI (a window process exiting); a nil channel means "cannot tell" (a browser tab).
// The UI must go away when ctx ends: the flow cancels ctx as soon as the sign-in completes.
type Opener interface {
	Open(ctx context.Context, url string) (closed <-chan error, err error)
}

// OpenerFunc adapts a function to Opener (tests use it as a scripted browser).
type OpenerFunc func(ctx context.Context, url string) (<-chan error, error)

// Open calls f.
func (f OpenerFunc) Open(ctx context.Context, url string) (<-chan error, error) { return f(ctx, url) }

// BrowserOpener opens the URL in the system browser (RFC 8252): a browser.Launcher, with its
// rules ($BROWSER the way xdg-utils reads it, else xdg-open, open or rundll32) and its fields.
type BrowserOpener browser.Launcher

// Open starts the browser and returns at once; the browser's lifetime is not the sign-in's.
func (b BrowserOpener) Open(_ context.Context, url string) (<-chan error, error) {
	return nil, browser.Launcher(b).Open(url)
}

// SignInURLEnv is the variable through which ProcessWindowOpener hands the authorize URL to the
// window process, which keeps it out of `ps` output.
const SignInURLEnv = "DESKLIT_SIGNIN_URL"

// ProcessWindowOpener shows the sign-in page in a native window run as a second process
// (Wails v2 allows one window per process): `<Exe> <Args...>` with the URL in $DESKLIT_SIGNIN_URL
// (or after URLFlag when set). The window's exit before the callback means "cancelled"; when
// the sign-in completes the flow ends ctx and the process is terminated by its PID.
type ProcessWindowOpener struct {
	Exe     string   // default: this executable
	Args    []string // default: ["signin-window"]
	URLFlag string   // e.g. "--url" to pass the URL on the command line instead of the environment
	Stderr  io.Writer
}

// Open starts the window process.
func (o ProcessWindowOpener) Open(ctx context.Context, url string) (<-chan error, error) {
	exe := o.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find the desklit executable: %w", err)
		}
	}
	args := o.Args
	if args == nil {
		args = []string{"signin-window"}
	}
	args = append([]string(nil), args...)
	if o.URLFlag != "" {
		args = append(args, o.URLFlag, url)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), SignInURLEnv+"="+url)
	cmd.Stdout, cmd.Stderr = o.Stderr, o.Stderr
	cmd.Cancel = func() error { return terminate(cmd.Process) }
	cmd.WaitDelay = 3 * time.Second
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the sign-in window: %w", err)
	}
	closed := make(chan error, 1)
	go func() { closed <- cmd.Wait() }()
	return closed, nil
}

// terminate asks the window to close (SIGTERM); Windows has no such signal, so it is killed.
// exec.Cmd's WaitDelay kills it if it does not exit in time.
func terminate(p *os.Process) error {
	if runtime.GOOS == "windows" {
		return p.Kill()
	}
	return p.Signal(terminateSignal)
}
