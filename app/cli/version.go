package cli

import (
	"context"
	"fmt"

	"github.com/desklit/desklit/app/version"
)

func cmdVersion(ctx context.Context, e *Env, args []string) error {
	if len(args) > 0 {
		return &UsageError{Msg: fmt.Sprintf("version takes no arguments, got %q", args[0])}
	}
	wails := version.WailsVersion()
	if wails == "unknown" {
		wails = "none in this binary (the window is desklit-window)"
	}
	if m := e.Packaged; m != nil {
		fmt.Fprintf(e.Stdout, "%s %s (app id %s, packaged with Desklit %s)\n", m.Name, m.Version, m.AppID, m.Desklit)
	}
	fmt.Fprintf(e.Stdout, "desklit %s\ncommit  %s\nbuilt   %s\ngo      %s\nwails   %s\n",
		version.Version, version.CommitOrVCS(), orUnknown(version.Date), version.GoVersion(), wails)
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
