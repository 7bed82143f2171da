package pyruntime

import (
	"context"
	"path/filepath"
	"slices"
)

// Request is an app to run: where its interpreter comes from, how its environment is built, and
// its script. Prepare turns it into a Runtime.
type Request struct {
	// Options build the environment. Options.Python is found by Prepare (FindCached in
	// Options.DataDir), and Options.UV, when empty, with FindUV beside Exe.
	Options
	Configured string              // the configured interpreter (--python); "" reads DESKLIT_PYTHON, else searches
	Want       Range               // the project's python range (zero: any)
	Getenv     func(string) string // the environment the interpreter and uv are looked for in
	Exe        string              // this program: uv is installed beside it
	Script     string              // the Streamlit script
	Dir        string              // the folder it runs in (its .streamlit settings and secrets are there)
	Port       int                 // the port Streamlit serves on
	// Early, when set, is called once with the runtime as soon as its environment passes the
	// quick check (Plausible), before Prepare checks every file: Streamlit starts from it while
	// the check runs. Should the check fail, Options.BeforeBuild runs before the rebuild.
	Early func(Runtime)
}

// Runtime is an app's environment and the command line that runs its script in it.
type Runtime struct {
	Env    Env
	Argv   []string // StreamlitArgv
	Script string   // the script Argv runs (Request.Script)
	Dir    string   // the folder it runs in (Request.Dir)
	// Built: this Prepare built the environment (so its bytecode cache holds nothing of the
	// app's packages yet: see WarmImports).
	Built bool
}

// Prepare finds the interpreter, builds or reuses the environment (Ensure) and returns it with
// the app's Streamlit command line. A warm start runs no process.
func Prepare(ctx context.Context, r Request) (Runtime, error) {
	o, err := r.options(ctx)
	if err != nil {
		return Runtime{}, err
	}
	if r.Early != nil {
		if env, ok := Plausible(o); ok {
			r.Early(r.runtime(env))
		}
	}
	if o.UV == "" {
		if o.UV, err = FindUV(r.Exe, r.Getenv); err != nil {
			return Runtime{}, err
		}
	}
	built, before := false, o.BeforeBuild
	o.BeforeBuild = func() {
		built = true
		if before != nil {
			before()
		}
	}
	env, err := Ensure(ctx, o)
	if err != nil {
		return Runtime{}, err
	}
	rt := r.runtime(env)
	rt.Built = built
	return rt, nil
}

// Built reports whether r's environment is built, so that opening the app takes seconds. Once the
// interpreter is known (FindCached), it runs no process.
func Built(ctx context.Context, r Request) bool {
	o, err := r.options(ctx)
	if err != nil {
		return false
	}
	state, _, err := Inspect(o)
	return err == nil && state == "ready"
}

// options are r's Options with the interpreter found.
func (r Request) options(ctx context.Context) (Options, error) {
	py, err := FindCached(ctx, r.DataDir, r.Configured, r.Getenv, r.Want)
	if err != nil {
		return Options{}, err
	}
	o := r.Options
	o.Python = py
	return o, nil
}

func (r Request) runtime(env Env) Runtime {
	argv := StreamlitArgv(env, r.Script, r.Port)
	if len(argv) > 2 && argv[1] == "-m" && shadowsStreamlit(r.Dir) {
		// The project's own streamlit.py (a script named after what it runs) would be what
		// `python -m streamlit` imports from the working folder: -P (Python 3.11) leaves that
		// folder off sys.path, as the `streamlit` command does; Streamlit puts the script's own.
		argv = slices.Insert(argv, 1, "-P")
	}
	return Runtime{Env: env, Argv: argv, Script: r.Script, Dir: r.Dir}
}

// shadowsStreamlit reports whether dir holds a module or package named streamlit.
func shadowsStreamlit(dir string) bool {
	return dir != "" && (isFile(filepath.Join(dir, "streamlit.py")) || isFile(filepath.Join(dir, "streamlit", "__init__.py")))
}
