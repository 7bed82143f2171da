// Command desklit is a desktop launcher with a bundled Streamlit runtime: it opens the window,
// supervises the Streamlit, component and protected-API services, and signs the user in. main
// only wires the process to run; app/cli does the work.
//
// Built with the desktop tag it holds the window (Wails); on Linux `make build` also builds the
// plain CLI without it (no cgo, no GTK/WebKit to load): build/bin/desklit runs the commands and
// the services and replaces itself with build/bin/desklit-window to open a window (app/window).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/desklit/desklit/app/cli"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/version"
	"github.com/desklit/desklit/app/window"
)

func main() {
	if err := version.CheckPeer(); err != nil {
		fmt.Fprintf(os.Stderr, "desklit: %v\n", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(ctx)
	// A supervisor's stop request (Windows: its stop event; no console event reaches a service
	// started by the window, which has no console) ends the command as SIGTERM does.
	go func() { <-supervisor.StopRequested(); cancel() }()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	cancel()
	if err != nil && !cli.IsHelp(err) {
		fmt.Fprintf(os.Stderr, "desklit: %v\n", err)
	}
	os.Exit(cli.ExitCode(err))
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program's path: %w", err)
	}
	return cli.Run(ctx, &cli.Env{
		Args: args, Getenv: getenv, Stdout: stdout, Stderr: stderr, Assets: bundledAssets(),
		Window: window.New(), Exe: exe, WindowExe: window.Program(exe), ServiceExe: window.ServiceProgram(exe),
	})
}
