package shell

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
)

// ScriptError is a project whose script Python cannot compile (a syntax error): Streamlit would
// start and show only a traceback, so the window says so instead, with Python's words.
type ScriptError struct {
	Name   string
	Script string
	Output string // Python's error, its last lines
}

func (e *ScriptError) Error() string {
	return fmt.Sprintf("%s could not start: %s has an error:\n%s", e.Name, e.Script, e.Output)
}

// AuthChangeError is a project that signs in elsewhere than the running session: opening it
// needs a new start of Desklit (the sign-in, the API and the component all follow the issuer).
type AuthChangeError struct {
	Name    string
	Setting string // the AUTH0_* setting that differs
	Want    string
	Have    string
	Path    string
}

func (e *AuthChangeError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s signs in with %s=%s, not %s as the app running now: close Desklit and start it again to open it",
			e.Name, e.Setting, e.Want, e.Have)
	}
	return fmt.Sprintf("%s signs in with %s=%s, not %s as the app running now: close Desklit and open %s on its own (desklit %s)",
		e.Name, e.Setting, e.Want, e.Have, e.Name, e.Path)
}

// remember puts p at the top of the recent list (nil: the demo is what was open last).
func (s *Shell) remember(p *project.Project) {
	err := project.TouchDemo(s.o.Paths.State)
	if p != nil {
		err = project.Touch(s.o.Paths.State, p, time.Now())
	}
	if err != nil {
		s.log.Warn("recent apps", "err", err)
	}
}

// sameAuth refuses a project whose [auth] would change the sign-in settings of this launch.
func (s *Shell) sameAuth(p *project.Project) error {
	var values, sources map[string]string
	if p != nil {
		values, sources = p.Auth.Values(), p.Auth.Source
	}
	want, have := s.cfg.AuthFor(values, sources), s.cfg.Auth()
	for _, name := range config.AuthSettings {
		if want[name] != have[name] {
			path := ""
			if p != nil {
				path = p.Path
			}
			return &AuthChangeError{Name: appName(p), Setting: name, Want: want[name], Have: have[name], Path: path}
		}
	}
	return nil
}

// compileScript compiles a script without running it (a syntax error is found in milliseconds).
const compileScript = `import sys
path = sys.argv[1]
with open(path, "rb") as f:
    compile(f.read(), path, "exec")`

// checkScript compiles p's script with its environment's Python; the demo is not checked.
func checkScript(ctx context.Context, env pyruntime.Env, p *project.Project) error {
	if p == nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, env.Python, "-I", "-c", compileScript, p.Script)
	cmd.Dir = p.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		return &ScriptError{Name: p.Name, Script: p.Script, Output: strings.Join(lines[max(0, len(lines)-12):], "\n")}
	}
	return nil
}
