package desktoptest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/desklit/desklit/app/desktop"
)

// PackageTargets: this system's target, Windows (its binaries found, as after `make dist`) and
// macOS (not found).
func (f *FakeBackend) PackageTargets() []desktop.PackageTarget {
	host := map[string]string{"darwin": "macos", "windows": "windows"}[runtime.GOOS]
	if host == "" {
		host = "linux"
	}
	all := []desktop.PackageTarget{
		{Name: "linux", Label: "Linux (.deb, .rpm, .tar.gz)", Available: true},
		{Name: "windows", Label: "Windows (installer, .zip)", Available: true},
		{Name: "macos", Label: "macOS (.app in a .zip)", Note: "needs Desklit's macOS binaries (make dist)"},
	}
	out := make([]desktop.PackageTarget, 0, len(all))
	for _, t := range all {
		if t.Name == host {
			t.Host, t.Available, t.Note = true, true, ""
			out = append([]desktop.PackageTarget{t}, out...)
		} else {
			out = append(out, t)
		}
	}
	return out
}

// Package plays a packaging of the current app, a line per step at the fake's pace. churn's
// scikit-learn has no wheel for Windows (the packager's NoWheelError, as appwindow words it);
// every project leaves its .streamlit/secrets.toml out. Nothing is written: the artefacts are
// names in req.OutDir.
func (f *FakeBackend) Package(ctx context.Context, req desktop.PackageRequest, progress func(string)) (desktop.PackageResult, error) {
	f.record("Package:" + strings.Join(req.Targets, ","))
	cur := f.CurrentApp()
	if cur.Demo {
		return desktop.PackageResult{}, errors.New("the demo is not packaged")
	}
	avail := f.PackageTargets()
	for _, t := range req.Targets {
		i := slices.IndexFunc(avail, func(a desktop.PackageTarget) bool { return a.Name == t })
		if i < 0 || !avail[i].Available {
			return desktop.PackageResult{}, fmt.Errorf("%s cannot be packaged for here", t)
		}
	}
	out := req.OutDir
	if out == "" {
		out = "/home/ada/.local/share/desklit/packages"
	}
	id := strings.ReplaceAll(strings.ToLower(cur.Name), " ", "-")
	res := desktop.PackageResult{OutDir: out, LeftOut: []string{".streamlit/secrets.toml"}}
	for _, t := range req.Targets {
		steps := []string{"resolving the dependencies for " + t + "/amd64 CPython 3.12", "collecting the wheels", "Desklit's binaries"}
		steps = append(steps, map[string][]string{"linux": {"deb", "rpm", "tarball"}, "windows": {"zip", "makensis"}, "macos": {"app"}}[t]...)
		for i, s := range steps {
			progress(t + ": " + s)
			if !sleep(ctx, f.pace()) {
				return desktop.PackageResult{}, ctx.Err()
			}
			if i == 0 && t == "windows" && cur.Path == ChurnPath {
				return desktop.PackageResult{}, errors.New("scikit-learn==1.5.2 has no wheel for Windows (windows/amd64 CPython 3.12), so the app cannot be packaged for Windows: leave Windows out, or pin another version of scikit-learn in the project's requirements.\n" +
					"Because scikit-learn==1.5.2 has no wheels with a matching Python ABI tag and you require scikit-learn==1.5.2, we can conclude that your requirements are unsatisfiable.\n\n" +
					"uv's and pip's output: /home/ada/.local/state/desklit/logs/package.log")
			}
		}
		for _, name := range artefacts(id, t) {
			res.Artefacts = append(res.Artefacts, filepath.Join(out, name))
		}
	}
	return res, nil
}

// artefacts are the files the packager makes for target t of the app id.
func artefacts(id, t string) []string {
	switch t {
	case "linux":
		return []string{id + "_1.0.0_amd64.deb", id + "-1.0.0-1.x86_64.rpm", id + "-1.0.0-linux-amd64.tar.gz"}
	case "windows":
		return []string{id + "-1.0.0-windows-amd64.zip", id + "-1.0.0-windows-amd64-installer.exe"}
	default:
		return []string{id + "-1.0.0-macos.zip"}
	}
}
