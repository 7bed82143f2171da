package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/desklit/desklit/app/packager"
	"github.com/desklit/desklit/app/project"
)

// cmdPackage makes a project into a branded, offline installer: `desklit package PATH`.
func cmdPackage(ctx context.Context, e *Env, args []string) error {
	var name, ver, icon, targets, out, binaries, secrets, python string
	cfg, paths, fs, err := parse(e, "package", args, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the app's name (default: desklit.toml's name, else the folder's)")
		fs.StringVar(&ver, "version", "", "the package's version (default: desklit.toml's version, else 1.0.0)")
		fs.StringVar(&icon, "icon", "", "a PNG (at least 256x256) or SVG (default: desklit.toml's icon, else Desklit's)")
		fs.StringVar(&targets, "target", "", "linux, windows, macos, comma-separated (default: this system)")
		fs.StringVar(&out, "o", "dist", "the folder the packages are written to")
		fs.StringVar(&binaries, "binaries", "", "the folder of Desklit's binaries for another system's target")
		fs.StringVar(&secrets, "include-secrets", "", "secret-looking project files to package anyway, comma-separated (e.g. .streamlit/secrets.toml)")
		fs.StringVar(&python, "python-version", "", "target=version pairs for the wheels, e.g. windows=3.12 (default: this machine's for its system, 3.12 elsewhere)")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return &UsageError{Msg: "package needs the project's folder (or script): desklit package PATH"}
	}
	pyVersions := map[string]string{}
	for _, kv := range splitList(python) {
		t, v, ok := strings.Cut(kv, "=")
		if !ok {
			return &UsageError{Msg: fmt.Sprintf("--python-version %q: want target=version, e.g. windows=3.12", kv)}
		}
		pyVersions[t] = v
	}
	sh := newShell(e, cfg, paths, nil, nil, App{})
	p, err := project.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	o, closeLog, err := sh.PackageOptions(ctx, p)
	if err != nil {
		return err
	}
	defer closeLog()
	o.Name, o.Version, o.Icon, o.Targets, o.OutDir = name, ver, icon, splitList(targets), out
	o.Binaries, o.IncludeSecrets, o.Python = binaries, splitList(secrets), pyVersions
	o.Progress = func(s string) { fmt.Fprintf(e.Stdout, "package: %s\n", s) }
	rep, err := packager.Build(ctx, o)
	if len(rep.LeftOut) > 0 {
		fmt.Fprintf(e.Stdout, "Left out (they look like secrets; --include-secrets FILE packages one): %s\n", strings.Join(rep.LeftOut, ", "))
	}
	if err != nil {
		return fmt.Errorf("no package made (uv's and pip's output: %s): %w", filepath.Join(paths.Logs, "package.log"), err)
	}
	fmt.Fprintf(e.Stdout, "Packaged %s %s (app id %s):\n", rep.Name, rep.Version, rep.AppID)
	for _, a := range rep.Artefacts {
		if !strings.HasSuffix(a, ".log") {
			fmt.Fprintf(e.Stdout, "  %s\n", a)
		}
	}
	for t, n := range rep.Wheels {
		fmt.Fprintf(e.Stdout, "  (%s: %d wheels, offline on first start)\n", t, n)
	}
	abs, _ := filepath.Abs(out)
	fmt.Fprintf(e.Stdout, "in %s\n", abs)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
