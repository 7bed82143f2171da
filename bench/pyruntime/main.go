// Command pyruntime measures the Python environments. Run after `make build wheelhouse
// test-wheels` (the paths are relative to bench/, where it runs):
//
//	go -C bench run ./pyruntime                       # 3 interleaved rounds
//	go -C bench run ./pyruntime -rounds 5 -warm 50
//
// Each round, in turn:
//  1. cold build of the demo's environment from the wheelhouse with uv, as Desklit does
//     (pyruntime.Ensure: an empty uv cache and no environment; venv, uv pip sync, desklit_auth,
//     import check, manifest);
//  2. the same environment built the way Desklit did before uv: `python -m venv --without-pip`,
//     pip from the interpreter's bundled wheel, `pip install --no-index --find-links
//     --require-hashes --no-deps -r requirements.txt`, the same import check;
//  3. a second project on the same stack plus one package (test/projects/extra-package, tabulate
//     from the test wheelhouse) with uv's cache warm from step 1: its resolution, its build, and
//     the disk it adds (files not hard-linked from uv's cache).
//
// Then the warm Ensure check every later start pays. Nothing is asserted: figures go to stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/desklit/desklit/app/pyruntime"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/pyruntime:", err)
		os.Exit(1)
	}
}

type options struct {
	wheelhouse, testWheels, requirements, auth, project string
	py                                                  pyruntime.Python
	uv                                                  string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fl := flag.NewFlagSet("pyruntime", flag.ContinueOnError)
	var o options
	fl.StringVar(&o.wheelhouse, "wheelhouse", "../build/wheelhouse", "wheelhouse filled by scripts/wheelhouse.sh")
	fl.StringVar(&o.testWheels, "test-wheels", "../.cache/test-wheelhouse", "the sample projects' extra wheels (make test-wheels)")
	fl.StringVar(&o.requirements, "requirements", "../runtime/streamlit/requirements.txt", "Desklit's lock")
	fl.StringVar(&o.auth, "auth", "../runtime/streamlit/desklit_auth", "desklit_auth")
	fl.StringVar(&o.project, "project", "../test/projects/extra-package/requirements.txt", "the second project's requirements")
	python := fl.String("python", "", "interpreter (default: found like Desklit does)")
	rounds := fl.Int("rounds", 3, "interleaved rounds")
	warm := fl.Int("warm", 30, "warm Ensure checks")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if err := o.find(ctx, *python); err != nil {
		return err
	}
	wheels, _ := filepath.Glob(filepath.Join(o.wheelhouse, "*.whl"))
	size, _ := dirSize(o.wheelhouse)
	fmt.Fprintf(out, "load average at start: %s\n", loadAvg())
	fmt.Fprintf(out, "machine: %s/%s, %d CPUs, python %s (%s), uv %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), o.py.Version, o.py.Path, pyruntime.UVVersion)
	fmt.Fprintf(out, "wheelhouse: %s, %d wheels, %.1f MB\n", o.wheelhouse, len(wheels), float64(size)/1e6)

	var all []roundResult
	for i := range *rounds {
		data, err := os.MkdirTemp("", "desklit-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(data)
		r, err := o.round(ctx, data)
		if err != nil {
			return err
		}
		all = append(all, r)
		fmt.Fprintf(out, "round %d: uv %v, pip %v (%.1f×), second project resolve %v + build %v, +%.1f MB (env %s, %s)\n", i+1,
			r.uv.Round(10*time.Millisecond), r.pip.Round(10*time.Millisecond), float64(r.pip)/float64(r.uv),
			r.resolve.Round(time.Millisecond), r.second.Round(time.Millisecond), r.addMB, r.demoKey, r.secondKey)
	}
	printRounds(out, all)

	var warms []time.Duration
	for range *warm {
		t0 := time.Now()
		if _, err := pyruntime.Ensure(ctx, all[len(all)-1].demo); err != nil {
			return fmt.Errorf("warm check: %w", err)
		}
		warms = append(warms, time.Since(t0))
	}
	fmt.Fprintf(out, "warm Ensure x%d: %s\n", *warm, summary(warms))
	return nil
}

// find finds the interpreter (configured, else as Desklit does) and uv, and makes the paths
// absolute.
func (o *options) find(ctx context.Context, python string) error {
	var err error
	if o.py, err = pyruntime.Find(ctx, python, os.Getenv); err != nil {
		return err
	}
	if o.uv, err = pyruntime.FindUV(filepath.Join("..", "build", "bin", "desklit"), os.Getenv); err != nil {
		return err
	}
	for _, p := range []*string{&o.wheelhouse, &o.testWheels, &o.requirements, &o.auth, &o.project, &o.uv} {
		*p, _ = filepath.Abs(*p)
	}
	return nil
}

// roundResult is one round: the demo's cold build with uv and with pip, then a second project on
// the same stack (its resolve, its build and the disk it added).
type roundResult struct {
	uv, pip, resolve, second time.Duration
	addMB                    float64
	demoKey, secondKey       string
	demo                     pyruntime.Options
}

// round builds the demo's environment with uv and with pip, then the second project's, in data.
func (o options) round(ctx context.Context, data string) (roundResult, error) {
	var r roundResult
	r.demo = o.desklit(data, pyruntime.Source{Kind: pyruntime.SourceLocked, File: o.requirements})
	t0 := time.Now()
	env, err := pyruntime.Ensure(ctx, r.demo)
	if err != nil {
		return r, fmt.Errorf("uv build: %w", err)
	}
	r.uv, r.demoKey = time.Since(t0), env.Key

	t0 = time.Now()
	if err := o.pipBuild(ctx, filepath.Join(data, "pip-env")); err != nil {
		return r, fmt.Errorf("pip build: %w", err)
	}
	r.pip = time.Since(t0)

	second := o.desklit(data, pyruntime.Source{Kind: pyruntime.SourceRequirements, File: o.project, Base: o.requirements})
	second.FindLinks = append(second.FindLinks, o.testWheels)
	before := diskUsed(data)
	t0 = time.Now()
	if _, err := pyruntime.Resolve(ctx, second); err != nil {
		return r, fmt.Errorf("second project: resolve: %w", err)
	}
	r.resolve = time.Since(t0)
	t0 = time.Now()
	env2, err := pyruntime.Ensure(ctx, second)
	if err != nil {
		return r, fmt.Errorf("second project: %w", err)
	}
	r.second, r.secondKey = time.Since(t0), env2.Key
	r.addMB = float64(diskUsed(data)-before) / 1e6
	return r, nil
}

// printRounds summarises the rounds: uv, pip, their ratio per round, the second project.
func printRounds(out io.Writer, all []roundResult) {
	var uvs, pips, resolves, seconds []time.Duration
	var ratios, addMB []float64
	for _, r := range all {
		uvs, pips = append(uvs, r.uv), append(pips, r.pip)
		ratios = append(ratios, float64(r.pip)/float64(r.uv))
		resolves, seconds, addMB = append(resolves, r.resolve), append(seconds, r.second), append(addMB, r.addMB)
	}
	slices.Sort(ratios)
	fmt.Fprintf(out, "cold demo environment, uv:  %s\n", summary(uvs))
	fmt.Fprintf(out, "cold demo environment, pip: %s\n", summary(pips))
	fmt.Fprintf(out, "pip / uv per round: median %.1f×, min %.1f×, max %.1f×\n", ratios[len(ratios)/2], ratios[0], ratios[len(ratios)-1])
	fmt.Fprintf(out, "second project on the same stack: resolve %s; build %s; new disk %v MB\n", summary(resolves), summary(seconds), addMB)
}

// desklit are the options Desklit's shell gives pyruntime, in data (uv's cache inside it, empty).
func (o options) desklit(data string, src pyruntime.Source) pyruntime.Options {
	return pyruntime.Options{DataDir: data, CacheDir: filepath.Join(data, "uv-cache"), UV: o.uv, Offline: true,
		Source: src, FindLinks: []string{o.wheelhouse}, AuthPackage: o.auth, Python: o.py, Name: "bench"}
}

// pipBuild is the build before uv (Desklit's pyruntime up to this change): a venv without pip,
// pip from the interpreter's bundled wheel, the wheelhouse with the index off, hashes required,
// then the same import check.
func (o options) pipBuild(ctx context.Context, dir string) error {
	wheel, err := exec.CommandContext(ctx, o.py.Path, "-I", "-c", `import glob, os, ensurepip
d = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
c = sorted(glob.glob(os.path.join(d, "pip-*.whl"))) or sorted(glob.glob("/usr/share/python-wheels/pip-*.whl"))
print(c[-1] if c else "")`).Output()
	if err != nil || strings.TrimSpace(string(wheel)) == "" {
		return fmt.Errorf("no bundled pip wheel: %v", err)
	}
	py := filepath.Join(dir, "bin", "python")
	steps := [][]string{
		{o.py.Path, "-m", "venv", "--without-pip", dir},
		{py, filepath.Join(strings.TrimSpace(string(wheel)), "pip"), "install", "--disable-pip-version-check", "--no-input",
			"--progress-bar", "off", "--no-warn-script-location", "--no-index", "--find-links", o.wheelhouse,
			"--require-hashes", "--no-deps", "-r", o.requirements},
		{py, "-I", "-c", "import streamlit, requests"},
	}
	for _, argv := range steps {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "PIP_CONFIG_FILE="+os.DevNull, "PIP_NO_INDEX=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", filepath.Base(argv[1]), err, out)
		}
	}
	return nil
}

func summary(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	r := func(d time.Duration) time.Duration {
		if d > time.Second {
			return d.Round(10 * time.Millisecond)
		}
		return d.Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("median %v, min %v, max %v (n=%d)", r(med), r(s[0]), r(s[len(s)-1]), len(s))
}

// diskUsed is the disk a tree takes, each hard-linked file counted once (as `du` does).
func diskUsed(dir string) int64 {
	seen := map[uint64]bool{}
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
			total += st.Blocks * 512
			return nil
		}
		total += fi.Size()
		return nil
	})
	return total
}

func dirSize(dir string) (bytes int64, files int) {
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			bytes += fi.Size()
			files++
		}
		return nil
	})
	return bytes, files
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
