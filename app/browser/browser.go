// Package browser starts the system browser on an address: the authorize URL of a sign-in
// (RFC 8252) or a local page. It honours $BROWSER the way xdg-utils does, so that every part of
// Desklit that opens a browser follows the same rule.
package browser

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Launcher starts the browser. Zero values mean the real environment.
type Launcher struct {
	Getenv func(string) string // default os.Getenv
	Stderr io.Writer           // the browser's output; default discarded
	GOOS   string              // default runtime.GOOS (tests)
}

// Open starts the browser on target and returns at once; the browser's lifetime is not the
// caller's. It tries Commands in order and reports why none started.
func (l Launcher) Open(target string) error {
	getenv, goos := l.Getenv, l.GOOS
	if getenv == nil {
		getenv = os.Getenv
	}
	if goos == "" {
		goos = runtime.GOOS
	}
	var errs []error
	for _, argv := range Commands(getenv("BROWSER"), goos, target) {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = l.Stderr, l.Stderr
		if err := cmd.Start(); err != nil {
			errs = append(errs, err)
			continue
		}
		go func() { _ = cmd.Wait() }() // reap; the browser's exit status says nothing
		return nil
	}
	return fmt.Errorf("open the system browser (set $BROWSER to choose one): %w", errors.Join(errs...))
}

// Commands lists the command lines to try for target: $BROWSER (env) first, a list of commands
// separated as goos separates PATH (':', ';' on Windows, where ':' is part of C:\...), "%s"
// replaced by target (appended when absent) and "%%" by "%"; a field in double quotes may hold
// spaces ("C:\Program Files\Mozilla Firefox\firefox.exe"). Then the platform's opener:
// xdg-open, open (macOS) or rundll32 (Windows).
func Commands(env, goos, target string) [][]string {
	sep := ":"
	if goos == "windows" {
		sep = ";"
	}
	var out [][]string
	for _, entry := range strings.Split(env, sep) {
		fields := splitFields(entry)
		if len(fields) == 0 {
			continue
		}
		subst := false
		for i, f := range fields {
			if strings.Contains(f, "%s") {
				fields[i] = strings.ReplaceAll(f, "%s", target)
				subst = true
			}
			fields[i] = strings.ReplaceAll(fields[i], "%%", "%")
		}
		if !subst {
			fields = append(fields, target)
		}
		out = append(out, fields)
	}
	switch goos {
	case "windows":
		out = append(out, []string{"rundll32", "url.dll,FileProtocolHandler", target})
	case "darwin":
		out = append(out, []string{"open", target})
	default:
		out = append(out, []string{"xdg-open", target})
	}
	return out
}

// splitFields splits a command line at white space outside double quotes; the quotes go.
func splitFields(s string) []string {
	var fields []string
	var cur strings.Builder
	quoted, inField := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inField = !quoted, true
		case !quoted && (r == ' ' || r == '\t'):
			if inField {
				fields = append(fields, cur.String())
				cur.Reset()
			}
			inField = false
		default:
			cur.WriteRune(r)
			inField = true
		}
	}
	if inField {
		fields = append(fields, cur.String())
	}
	return fields
}
