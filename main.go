// Command desklit is a desktop launcher with a bundled Streamlit runtime: it opens the window,
// supervises the Streamlit, component and protected-API services, and signs the user in. main
// only wires the process to run; app/cli does the work.
//
// Built with the desktop tag it holds the window (Wails); on Linux `make build` also builds the
// plain CLI without it (no cgo, no GTK/WebKit to load): build/bin/desklit runs the commands and
// the services and replaces itself with build/bin/desklit-window to open a window.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/desklit/desklit/app/cli"
	"github.com/desklit/desklit/app/version"
)

// peerVersionEnv carries the version of the desklit that started this one as its other half
// (the CLI exec'ing the window, the window spawning a service): halves of different builds refuse
// to run together rather than fail in odd ways.
const peerVersionEnv = "DESKLIT_PEER_VERSION"

func main() {
	if v, ok := os.LookupEnv(peerVersionEnv); ok {
		os.Unsetenv(peerVersionEnv)
		if v != version.Version {
			fmt.Fprintf(os.Stderr, "desklit: this program (version %s) was started by desklit version %s: the two come from different installs; reinstall Desklit\n", version.Version, v)
			os.Exit(1)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
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
		Args: args, Getenv: getenv, Stdout: stdout, Stderr: stderr, Stdin: os.Stdin,
		Assets: bundledAssets(), Window: newWindow(), Exe: exe, WindowExe: windowExe(exe),
	})
}
