// Command desklit is a desktop launcher with a bundled Streamlit runtime: one binary that opens
// the window, supervises the Streamlit, component and protected-API services, and signs the user
// in. main only wires the process to run; app/cli does the work.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/desklit/desklit/app/cli"
)

func main() {
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
		Assets: bundledAssets(), Window: window{}, Exe: exe,
	})
}
