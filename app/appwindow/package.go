package appwindow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/desklit/desklit/app/packager"
	"github.com/desklit/desklit/app/windowapi"
)

// packTarget is a system the packager makes installers for.
type packTarget struct {
	name, goos, label string
	binaries          []string // Desklit's files the packager copies for it
}

var packTargets = []packTarget{
	{"linux", "linux", "Linux (.deb, .rpm, .tar.gz)", []string{"desklit", "desklit-window", "uv"}},
	{"windows", "windows", "Windows (installer, .zip)", []string{"desklit.exe", "uv.exe"}},
	{"macos", "darwin", "macOS (.app in a .zip)", []string{"desklit", "uv"}},
}

var systemNames = map[string]string{"linux": "Linux", "windows": "Windows", "macos": "macOS"}

// systemOf is the name of the target for the system goos ("Windows" for "windows").
func systemOf(goos string) string {
	for _, t := range packTargets {
		if t.goos == goos {
			return systemNames[t.name]
		}
	}
	return goos
}

// PackageTargets are this system's target, then the others, each available when Desklit's
// binaries for it are found: this system's beside this program, another's where `make dist`
// leaves them in a source tree (otherBinaries).
func (b *Backend) PackageTargets() []windowapi.PackageTarget {
	var out []windowapi.PackageTarget
	for _, t := range packTargets {
		v := windowapi.PackageTarget{Name: t.name, Label: t.label, Host: t.goos == runtime.GOOS}
		dir, want := b.otherBinaries(t), t.binaries
		if v.Host { // beside this program; uv (last) may come from elsewhere (pyruntime.FindUV)
			dir, want = filepath.Dir(b.exe), want[:len(want)-1]
		}
		v.Available = dir != "" && hasFiles(dir, want)
		switch {
		case !v.Available && v.Host:
			v.Note = "Desklit's own binaries are not beside it (" + strings.Join(want, ", ") + " in " + dir + ")"
		case !v.Available:
			v.Note = "needs Desklit's " + systemNames[t.name] + " binaries (make dist leaves them in .cache/dist-work/" + t.goos + ")"
		case t.name == "windows" && !hasNSIS():
			v.Note = "NSIS is not installed: the portable .zip only, no installer (Debian: apt install nsis)"
		}
		if v.Host {
			out = append([]windowapi.PackageTarget{v}, out...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

// otherBinaries is where a source tree's `make dist` leaves Desklit's binaries for t
// (.cache/dist-work/<os>, this program being build/bin/desklit); "" when b.exe is unknown.
func (b *Backend) otherBinaries(t packTarget) string {
	if b.exe == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(b.exe), "..", "..", ".cache", "dist-work", t.goos)
}

func hasFiles(dir string, names []string) bool {
	for _, n := range names {
		if st, err := os.Stat(filepath.Join(dir, n)); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

func hasNSIS() bool {
	_, err := exec.LookPath("makensis")
	return err == nil
}

// packRun is one packager.Build: Options.Binaries names one other system's binaries, so each
// other system has a run of its own; this system's target joins the first.
type packRun struct {
	targets  []string
	binaries string
}

// packageRuns checks the targets asked for against PackageTargets and groups them into runs.
func (b *Backend) packageRuns(names []string) ([]packRun, error) {
	avail := b.PackageTargets()
	host := ""
	var runs []packRun
	for _, n := range names {
		i := slices.IndexFunc(avail, func(t windowapi.PackageTarget) bool { return t.Name == n })
		switch {
		case i < 0:
			return nil, fmt.Errorf("unknown target %q (want linux, windows or macos)", n)
		case !avail[i].Available:
			return nil, fmt.Errorf("%s cannot be packaged for here: %s", avail[i].Label, avail[i].Note)
		case avail[i].Host:
			host = n
		default:
			t := packTargets[slices.IndexFunc(packTargets, func(t packTarget) bool { return t.name == n })]
			runs = append(runs, packRun{targets: []string{n}, binaries: b.otherBinaries(t)})
		}
	}
	if host != "" && len(runs) == 0 {
		runs = []packRun{{}}
	}
	if host != "" {
		runs[0].targets = append([]string{host}, runs[0].targets...)
	}
	return runs, nil
}

// Package makes the current project into installers with the packager, as `desklit package`
// does, into req.OutDir (default: Desklit's packages folder).
func (b *Backend) Package(ctx context.Context, req windowapi.PackageRequest, progress func(string)) (windowapi.PackageResult, error) {
	p := b.sh.Project()
	if p == nil || b.sh.Single() {
		return windowapi.PackageResult{}, errors.New("only a project of your own is packaged: not the demo, nor a packaged app")
	}
	runs, err := b.packageRuns(req.Targets)
	if err != nil {
		return windowapi.PackageResult{}, err
	}
	o, closeLog, err := b.sh.PackageOptions(ctx, p)
	if err != nil {
		return windowapi.PackageResult{}, err
	}
	defer closeLog()
	o.Progress = progress
	if req.OutDir != "" {
		o.OutDir = req.OutDir
	}
	o.OutDir, _ = filepath.Abs(o.OutDir)
	res := windowapi.PackageResult{OutDir: o.OutDir}
	for _, r := range runs {
		o.Targets, o.Binaries = r.targets, r.binaries
		rep, err := packager.Build(ctx, o)
		res.LeftOut = rep.LeftOut
		for _, a := range rep.Artefacts {
			if !strings.HasSuffix(a, ".log") { // makensis's, beside its installer
				res.Artefacts = append(res.Artefacts, a)
			}
		}
		if err != nil {
			return res, b.packageError(err)
		}
	}
	return res, nil
}

// packageError says what went wrong in the window's words: its first line is the message, the
// rest the detail, and where uv's and pip's output is.
func (b *Backend) packageError(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	log := "uv's and pip's output: " + filepath.Join(b.paths.Logs, "package.log")
	var nw *packager.NoWheelError
	if errors.As(err, &nw) {
		name, _, _ := strings.Cut(nw.Package, "==")
		sys := systemOf(nw.Platform.OS)
		msg := fmt.Sprintf("%s has no wheel for %s (%s), so the app cannot be packaged for %s: leave %s out, or pin another version of %s in the project's requirements.",
			nw.Package, sys, nw.Platform, sys, sys, name)
		return errors.New(strings.TrimSpace(msg + "\n" + nw.Detail + "\n\n" + log))
	}
	return fmt.Errorf("%w\n\n%s", err, log)
}
