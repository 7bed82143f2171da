package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/version"
)

func versionString() string { return version.Version }

// cmdDoctor checks what Desklit needs and says what to fix. It exits 1 when something is wrong.
func cmdDoctor(ctx context.Context, e *Env, args []string) error {
	cfg, paths, fs, err := parse(e, "doctor", args, nil)
	if err != nil {
		return err
	}
	if err := noArgs(e, fs); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "Desklit %s (%s/%s)\n\n", version.Version, runtime.GOOS, runtime.GOARCH)
	r := &doctorReport{w: e.Stdout}
	r.python(ctx, e, cfg, paths)
	r.ports(cfg)
	_, st := openStore(ctx, cfg, paths)
	if st.Backend == "keyring" {
		r.check("keyring", true, "the system keyring answers", "")
	} else {
		r.check("keyring", false, st.Warning, keyringFix())
	}
	if e.WindowExe != "" {
		r.check("window", true, e.WindowExe, "")
	} else {
		r.check("window", false, "no window program: desklit-window is not beside "+e.Exe,
			"reinstall Desklit; 'desklit run' starts the services without a window")
	}
	if runtime.GOOS == "linux" {
		out, _ := exec.CommandContext(ctx, "ldconfig", "-p").Output()
		for _, lib := range []string{"libgtk-3.so.0", "libwebkit2gtk-4.1.so.0"} {
			r.check("webview", strings.Contains(string(out), lib), lib, "sudo apt-get install libgtk-3-0 libwebkit2gtk-4.1-0")
		}
	}
	if runtime.GOOS == "windows" {
		if v := webView2Version(); v != "" {
			r.check("webview", true, "WebView2 runtime "+v, "")
		} else {
			r.check("webview", false, "the WebView2 runtime is not installed (the window needs it)",
				"run Desklit's installer again, or install Microsoft's Evergreen WebView2 Runtime: https://go.microsoft.com/fwlink/p/?LinkId=2124703")
		}
	}
	fmt.Fprintf(e.Stdout, "\nConfiguration (%s):\n", orDefault(cfg.File, "no config file; "+filepath.Join(paths.Config, config.ConfigFileName)+" is read when present"))
	printConfig(e.Stdout, cfg)
	if r.problems > 0 {
		return fmt.Errorf("doctor found %d problem(s)", r.problems)
	}
	fmt.Fprintln(e.Stdout, "\nEverything looks fine.")
	return nil
}

// doctorReport prints doctor's checks and counts those that failed.
type doctorReport struct {
	w        io.Writer
	problems int
}

func (r *doctorReport) check(name string, ok bool, detail, fix string) {
	mark := "ok  "
	if !ok {
		mark = "FAIL"
		r.problems++
	}
	fmt.Fprintf(r.w, "[%s] %-10s %s\n", mark, name, detail)
	if !ok && fix != "" {
		fmt.Fprintf(r.w, "           → %s\n", fix)
	}
}

// python checks the interpreter, uv and the demo's environment, and lists the environments.
func (r *doctorReport) python(ctx context.Context, e *Env, cfg *config.Config, paths config.Paths) {
	py, err := pyruntime.Find(ctx, cfg.Python, e.Getenv)
	if err != nil {
		r.check("python", false, err.Error(), "")
	} else {
		r.check("python", true, fmt.Sprintf("%s (Python %s)", py.Path, py.Version), "")
	}
	uv, err := pyruntime.FindUV(e.Exe, e.Getenv)
	r.check("uv", err == nil, fmt.Sprintf("%s (pinned %s)", uvDetail(uv, err), pyruntime.UVVersion), "")
	if py.Path == "" {
		return
	}
	req, cleanup := requirementsPath(e, paths)
	defer cleanup()
	o := pyruntime.Options{DataDir: paths.Data, Python: py, UV: uv, Source: pyruntime.Source{Kind: pyruntime.SourceLocked, File: req},
		AuthPackage: filepath.Join(paths.Data, "app", "desklit_auth")}
	state, key, err := pyruntime.Inspect(o)
	detail := fmt.Sprintf("demo: %s (key %s)", state, key)
	if err != nil {
		detail = fmt.Sprintf("demo: %s: %v", state, err)
	}
	r.check("runtime", err == nil && (state == "ready" || state == "missing" || strings.HasPrefix(state, "broken: desklit_auth")), detail,
		"it is built on the next start; delete the folder to force a rebuild")
	printEnvironments(r.w, o)
}

// ports checks that every port Desklit needs is free, naming the program that holds one.
func (r *doctorReport) ports(cfg *config.Config) {
	for _, p := range []struct {
		name string
		port int
		set  string
	}{
		{"streamlit", cfg.StreamlitPort, "DESKLIT_STREAMLIT_PORT"},
		{"component", cfg.ComponentPort, "DESKLIT_COMPONENT_PORT"},
		{"api", cfg.APIPort, "DESKLIT_API_PORT"},
		{"callback", cfg.CallbackPort, "DESKLIT_CALLBACK_PORT"},
		{"idp", cfg.IdPPort, "DESKLIT_IDP_PORT"},
	} {
		err := supervisor.CheckPort(p.name, p.port)
		var pe *supervisor.PortInUseError
		switch {
		case err == nil:
			r.check("port", true, fmt.Sprintf("%d (%s) is free", p.port, p.name), "")
		case errors.As(err, &pe):
			r.check("port", false, err.Error(), fmt.Sprintf("quit that program or choose another port with %s", p.set))
		default:
			r.check("port", false, err.Error(), "")
		}
	}
}

func keyringFix() string {
	switch runtime.GOOS {
	case "linux":
		return "install and unlock a Secret Service (gnome-keyring or KeePassXC); the session is kept in memory until then"
	case "darwin":
		return "unlock the login keychain"
	default:
		return "check the Windows Credential Manager"
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// uvDetail is where uv is, or why there is none.
func uvDetail(uv string, err error) string {
	if err != nil {
		return err.Error()
	}
	return uv
}

// printEnvironments lists the Python environments with their size and last use; those unused
// for 30 days are removed at the next start.
func printEnvironments(w io.Writer, o pyruntime.Options) {
	envs := pyruntime.Environments(o)
	if len(envs) == 0 {
		return
	}
	fmt.Fprintf(w, "           environments in %s (unused for 30 days: removed at the next start):\n", filepath.Join(o.DataDir, "envs"))
	for _, env := range envs {
		fmt.Fprintf(w, "             %-34s %7s (%s of its own)  last used %s\n", env.Key, megabytes(env.Bytes), megabytes(env.OwnBytes),
			env.LastUsed.Format("2006-01-02 15:04"))
	}
}

func megabytes(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }

// requirementsPath is the requirements file this binary carries: doctor changes nothing, so it
// reads the embedded copy (through a temporary file) rather than unpacking the app.
func requirementsPath(e *Env, paths config.Paths) (string, func()) {
	unpacked := filepath.Join(paths.Data, "app", "requirements.txt")
	if e.Assets.Streamlit == nil {
		return unpacked, func() {}
	}
	data, err := fs.ReadFile(e.Assets.Streamlit, "requirements.txt")
	if err != nil {
		return unpacked, func() {}
	}
	f, err := os.CreateTemp("", "desklit-requirements-*.txt")
	if err != nil {
		return unpacked, func() {}
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		os.Remove(f.Name())
		return unpacked, func() {}
	}
	return f.Name(), func() { os.Remove(f.Name()) }
}
